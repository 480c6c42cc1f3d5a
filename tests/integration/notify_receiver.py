"""A webhook receiver for test_notify.sh: 127.0.0.1 only, a free port.

notify_receiver.py DIR STATUS: writes its port to DIR/port, then for
every POST N (1, 2, ...) DIR/N.path (path and query) and DIR/N.body, and
answers STATUS with a small JSON body.  Stopped with SIGTERM."""
import http.server
import os
import sys

DIR, STATUS = sys.argv[1], int(sys.argv[2])


class Handler(http.server.BaseHTTPRequestHandler):
    count = 0

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Handler.count += 1
        base = os.path.join(DIR, str(Handler.count))
        with open(base + ".body.tmp", "wb") as f:
            f.write(body)
        with open(base + ".path", "w") as f:
            f.write(self.path + "\n")
        os.rename(base + ".body.tmp", base + ".body")  # complete when seen
        out = b'{"errcode":0,"errmsg":"ok"}'
        self.send_response(STATUS)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
server.serve_forever()
