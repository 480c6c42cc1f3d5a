/* One request on one reused easy handle: the options, the header list,
 * the response's body and headers, and the CURLcode turned into enum
 * wr_transport.  libcurl only; the libuv side is httppool.c. */
#include "httppool_int.h"
#include "ca.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HEADER_BYTES_MAX (1u << 20)

/* ---- curl callbacks ------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
  struct transfer *t = userp;
  size_t len = size * n, room = WR_HTTP_BODY_MAX - t->body.len;

  /* Past the bound the rest is read and dropped: a huge error page must
   * not turn a clear HTTP status into a transport failure. */
  if (len > room) {
    t->truncated = true;
    len = room;
  }
  if (len > 0 && wr_buf_add(&t->body, data, len) < 0) {
    t->oom = true;
    return 0;
  }
  return size * n;
}

static size_t on_header(char *line, size_t size, size_t n, void *userp)
{
  static const char name[] = "x-acs-retry-after:";
  struct transfer *t = userp;
  size_t len = size * n, i;
  const char *v;

  /* A new status line (after a 1xx) starts a new set of headers. */
  if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
    t->has_retry_after = false;
    return len;
  }
  if (len < sizeof(name) - 1 || strncasecmp(line, name, sizeof(name) - 1))
    return len;
  v = line + sizeof(name) - 1;
  len -= sizeof(name) - 1;
  while (len > 0 && (*v == ' ' || *v == '\t')) {
    v++;
    len--;
  }
  while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' ||
                     v[len - 1] == ' ' || v[len - 1] == '\t'))
    len--;
  if (len >= RETRY_AFTER_LEN)
    len = RETRY_AFTER_LEN - 1;
  for (i = 0; i < len; i++)
    t->retry_after[i] = v[i];
  t->retry_after[len] = '\0';
  t->has_retry_after = true;
  return size * n;
}

/* Called before each request is sent.  On a reused connection that dies
 * without an answer, libcurl silently re-sends the same request on a new
 * one (up to five times): the same bytes, so the same signature nonce, and
 * a second reboot if the first one was executed.  The retry policy is
 * ours: a second request phase aborts the transfer, which then ends as
 * AMBIGUOUS and is retried, re-signed, by dispatch. */
static int on_prereq(void *userp, char *primary_ip, char *local_ip,
                     int primary_port, int local_port)
{
  struct transfer *t = userp;

  (void)primary_ip;
  (void)local_ip;
  (void)primary_port;
  (void)local_port;
  if (t->prereqs++ == 0)
    return CURL_PREREQFUNC_OK;
  t->resend_blocked = true;
  return CURL_PREREQFUNC_ABORT;
}

/* ---- completion ------------------------------------------------------ */

static enum wr_transport translate(CURLcode rc, CURL *easy)
{
  curl_off_t pretransfer = 0;
  long request_size = 0;

  switch (rc) {
  case CURLE_OK:
    return WR_TRANSPORT_OK;
  /* Never left this process, or never will succeed by retrying. */
  case CURLE_OUT_OF_MEMORY:
  case CURLE_URL_MALFORMAT:
  case CURLE_UNSUPPORTED_PROTOCOL:
  case CURLE_BAD_FUNCTION_ARGUMENT:
  case CURLE_FAILED_INIT:
  case CURLE_NOT_BUILT_IN:
  case CURLE_WRITE_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
  case CURLE_SSL_INVALIDCERTSTATUS:
  case CURLE_SSL_CRL_BADFILE:
    return WR_TRANSPORT_FATAL;
  /* Before the request phase by definition. */
  case CURLE_COULDNT_RESOLVE_PROXY:
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_CONNECT:
  case CURLE_SSL_CONNECT_ERROR:
    return WR_TRANSPORT_NOT_SENT;
  default:
    break;
  }
  /* A timeout, reset or truncated answer: ambiguous once the transfer
   * reached the request phase (a timeout during connect is not). */
  curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
  curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request_size);
  if (pretransfer > 0 || request_size > 0)
    return WR_TRANSPORT_AMBIGUOUS;
  return WR_TRANSPORT_NOT_SENT;
}

/* The request's header lines, then "Expect:" (no 100-continue round
 * trip), into t's own list nodes: no allocation once they have grown.
 *
 * The lines are copied, in one memcpy of the request's header strings
 * into t's reused buffer, rather than borrowed from the request: the
 * caller may then free the request as soon as submit returns (dispatch
 * does; tests resubmit one request), and no request has to outlive a
 * transfer through its finish, failure and destroy paths.
 * wr_transfer_recycle wipes the copy. */
static int build_headers(struct transfer *t, const struct wr_http_request *req)
{
  size_t n = req->nheaders + 1, i, len;
  const char *lines = wr_http_request_strings(req, &len);
  char *data;
  int rc;

  if (n > t->hcap) {
    struct curl_slist *p = realloc(t->hnodes, n * sizeof(*p));

    if (p == NULL)
      return WR_ENOMEM;
    t->hnodes = p;
    t->hcap = n;
  }
  wr_buf_reset(&t->hlines);
  if ((rc = wr_buf_add(&t->hlines, lines, len)) < 0 ||
      (rc = wr_buf_add(&t->hlines, "Expect:", 8)) < 0)
    return rc;
  /* Pointers only now: the buffer may have moved while growing.  Each
   * line is where it was in the request's strings. */
  data = t->hlines.data;
  for (i = 0; i < req->nheaders; i++) {
    t->hnodes[i].data = data + (req->headers[i].line - lines);
    t->hnodes[i].next = &t->hnodes[i + 1];
  }
  t->hnodes[i].data = data + len;
  t->hnodes[i].next = NULL;
  return 0;
}

/* Set an option, or fail (string options allocate). */
#define SETOPT(opt, val)                                                    \
  do {                                                                      \
    if (curl_easy_setopt(t->easy, opt, val) != CURLE_OK)                    \
      goto fail;                                                            \
  } while (0)

struct transfer *wr_transfer_new(const struct wr_httppool_opts *opts,
                                 const char *noproxy,
                                 curl_closesocket_callback close_socket,
                                 void *close_data)
{
  struct transfer *t = calloc(1, sizeof(*t));

  if (t == NULL)
    return NULL;
  wr_buf_init(&t->body, WR_HTTP_BODY_MAX);
  wr_buf_init(&t->hlines, HEADER_BYTES_MAX);
  t->easy = curl_easy_init();
  if (t->easy == NULL)
    goto fail;
  /* What every request of this handle shares is set once: reusing the
   * handle without curl_easy_reset keeps the per-call cost low. */
  SETOPT(CURLOPT_PRIVATE, t);
  SETOPT(CURLOPT_ERRORBUFFER, t->errbuf);
  SETOPT(CURLOPT_NOSIGNAL, 1L);
  SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
  SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
  SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
  SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
  SETOPT(CURLOPT_CONNECTTIMEOUT_MS, opts->connect_timeout_ms);
  SETOPT(CURLOPT_TIMEOUT_MS, opts->timeout_ms);
  SETOPT(CURLOPT_USERAGENT, "wuying-reboot/" WR_VERSION);
  SETOPT(CURLOPT_WRITEFUNCTION, on_body);
  SETOPT(CURLOPT_WRITEDATA, t);
  SETOPT(CURLOPT_HEADERFUNCTION, on_header);
  SETOPT(CURLOPT_HEADERDATA, t);
  SETOPT(CURLOPT_PREREQFUNCTION, on_prereq);
  SETOPT(CURLOPT_PREREQDATA, t);
  SETOPT(CURLOPT_CLOSESOCKETFUNCTION, close_socket);
  SETOPT(CURLOPT_CLOSESOCKETDATA, close_data);
  SETOPT(CURLOPT_NOPROXY, noproxy);
  if (wr_ca_apply(t->easy) < 0)
    goto fail;
  return t;

fail:
  wr_transfer_free(t);
  return NULL;
}

int wr_transfer_prepare(struct transfer *t, const struct wr_http_request *req,
                        const char *proxy)
{
  t->next = t->prev = NULL;
  t->truncated = t->oom = t->has_retry_after = t->resend_blocked = false;
  t->prereqs = 0;
  t->errbuf[0] = '\0';
  wr_buf_reset(&t->body);
  if (build_headers(t, req) < 0)
    return -1;
  if (t->proxy != proxy) {
    SETOPT(CURLOPT_PROXY, proxy);
    t->proxy = proxy;
  }
  SETOPT(CURLOPT_URL, req->url);
  SETOPT(CURLOPT_HTTPHEADER, t->hnodes);
  SETOPT(CURLOPT_CUSTOMREQUEST, NULL);
  if (strcmp(req->method, "POST") == 0) {
    SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    /* An empty body needs no copy (the usual case: every parameter is
     * in the query). */
    if (req->body_len > 0)
      SETOPT(CURLOPT_COPYPOSTFIELDS, req->body);
    else
      SETOPT(CURLOPT_POSTFIELDS, "");
  } else if (strcmp(req->method, "GET") == 0) {
    SETOPT(CURLOPT_HTTPGET, 1L);
  } else {
    SETOPT(CURLOPT_CUSTOMREQUEST, req->method);
  }
  return 0;

fail:
  return -1;
}

void wr_transfer_response(struct transfer *t, CURLcode rc,
                          struct wr_http_response *r)
{
  curl_off_t total_us = 0;

  memset(r, 0, sizeof(*r));
  r->transport = translate(rc, t->easy);
  if (t->oom)
    r->transport = WR_TRANSPORT_FATAL;
  if (t->resend_blocked)
    r->transport = WR_TRANSPORT_AMBIGUOUS;
  if (r->transport == WR_TRANSPORT_OK)
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &r->http_status);
  curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME_T, &total_us);
  r->total_ms = (int64_t)total_us / 1000;
  r->body = wr_buf_str(&t->body);
  r->body_len = t->body.len;
  r->body_truncated = t->truncated;
  r->retry_after = t->has_retry_after ? t->retry_after : NULL;
  if (rc == CURLE_OK)
    r->detail = "";
  else if (t->resend_blocked)
    r->detail = "connection closed after the request was sent";
  else if (t->oom)
    r->detail = "out of memory";
  else
    r->detail = t->errbuf[0] != '\0' ? t->errbuf : curl_easy_strerror(rc);
}

void wr_transfer_recycle(struct transfer *t)
{
  if (t->hlines.data != NULL)
    OPENSSL_cleanse(t->hlines.data, t->hlines.len);
  wr_buf_reset(&t->hlines);
}

void wr_transfer_free(struct transfer *t)
{
  if (t == NULL)
    return;
  if (t->easy != NULL)
    curl_easy_cleanup(t->easy);
  free(t->hnodes);
  wr_buf_free_secret(&t->hlines);
  wr_buf_free(&t->body);
  free(t);
}
