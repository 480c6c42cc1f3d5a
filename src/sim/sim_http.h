/* sim_http: libmicrohttpd glue.  One epoll daemon with a pool of worker
 * threads on 127.0.0.1, keep-alive, and suspend/resume for latency and
 * hangs, so that a delayed answer never holds a worker thread: a delayed
 * connection is suspended and a libuv timer thread (sim_delay) resumes it.
 *
 * The raw request URI comes from MHD's URI log callback, so the sim sees
 * the query exactly as sent.  Everything else is sim_core.c's. */
#ifndef WR_SIM_HTTP_H
#define WR_SIM_HTTP_H

#include "err.h"

struct wr_sim;
struct wr_sim_http;

/* Listen on 127.0.0.1:port (0: a free one); *bound gets the port. */
int wr_sim_http_start(struct wr_sim *sim, int port, int threads,
                      struct wr_sim_http **out, int *bound,
                      struct wr_err *err);
/* Stop accepting, answer or close everything delayed, stop the daemon. */
void wr_sim_http_stop(struct wr_sim_http **pp);

#endif
