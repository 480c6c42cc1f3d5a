#include "sender.h"

#include "api.h"
#include "buf.h"
#include "clock.h"
#include "creds.h"
#include "hmac.h"
#include "httppool.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Connect timeout: the attempt's timeout, at most this. */
#define CONNECT_TIMEOUT_MAX_MS 10000

/* One attempt in flight: where its judged result goes. */
struct pending {
  struct wr_sender *s;
  wr_dispatch_done_cb *cb;       /* RebootDesktops, or */
  wr_dispatch_body_cb *bcb;      /* DescribeDesktops */
  void *ud;
  int64_t t0;
  struct pending *prev, *next; /* in-flight list, or free list (next) */
};

struct wr_sender {
  struct wr_httppool *pool;
  struct wr_api_target target;
  const struct wr_creds *creds;
  struct wr_hmac_key *key;       /* the V3 secret, prepared once */
  struct pending *active;
  struct pending *free;
};

static void unlink_active(struct wr_sender *s, struct pending *p)
{
  if (p->prev != NULL)
    p->prev->next = p->next;
  else
    s->active = p->next;
  if (p->next != NULL)
    p->next->prev = p->prev;
  p->prev = p->next = NULL;
}

/* s with every secret of creds masked, in place (cut to its size). */
static void redact_field(const struct wr_creds *creds, char *s, size_t size)
{
  struct wr_buf b;

  if (s[0] == '\0')
    return;
  wr_buf_init(&b, 64 * 1024);
  if (wr_creds_redact(creds, s, &b) < 0)
    snprintf(s, size, "(message withheld)");
  else
    snprintf(s, size, "%s", wr_buf_str(&b));
  wr_buf_free(&b);
}

void wr_sender_redact(const struct wr_creds *creds, struct wr_api_result *r)
{
  if (creds == NULL)
    return;
  redact_field(creds, r->code, sizeof(r->code));
  redact_field(creds, r->message, sizeof(r->message));
  redact_field(creds, r->host_id, sizeof(r->host_id));
  redact_field(creds, r->recommend, sizeof(r->recommend));
}

static void on_http(void *ud, const struct wr_http_response *hr)
{
  struct pending *p = ud;
  struct wr_sender *s = p->s;
  struct wr_api_result r;
  wr_dispatch_done_cb *cb = p->cb;
  wr_dispatch_body_cb *bcb = p->bcb;
  void *cud = p->ud;
  int64_t latency = wr_clock_now_ms() - p->t0;

  unlink_active(s, p);
  p->next = s->free;
  s->free = p;
  if (hr->transport == WR_TRANSPORT_OK)
    wr_api_classify_response(hr->http_status, hr->body, hr->body_len,
                             hr->retry_after, &r);
  else
    wr_api_classify_transport(hr->transport, hr->detail, &r);
  /* Answers arrive here, and so do the credentials: dispatch and
   * --verify get server texts already masked. */
  wr_sender_redact(s->creds, &r);
  if (bcb != NULL)
    bcb(cud, &r, hr->body, hr->body_len);
  else
    cb(cud, &r, latency);
}

/* -vvv: the request as it goes out, every secret masked by the same
 * redaction as --show-requests, one log line per request line ("> ",
 * as curl -v).  The body is empty for every ECD call. */
static void trace_request(const struct wr_sender *s, const char *what,
                          const struct wr_http_request *req)
{
  struct wr_buf text;
  const char *line, *nl;

  wr_log(WR_LOG_TRACE, "request (%s):", what);
  wr_buf_init(&text, 256 * 1024);
  if (wr_api_format_redacted(req, s->creds, &text) < 0) {
    wr_log(WR_LOG_TRACE, "> (request not shown: it could not be redacted)");
    goto out;
  }
  for (line = wr_buf_str(&text); *line != '\0'; line = nl + (*nl == '\n')) {
    nl = strchr(line, '\n');
    if (nl == NULL)
      nl = line + strlen(line);
    if (nl > line)
      wr_log(WR_LOG_TRACE, "> %.*s", (int)(nl - line), line);
  }
out:
  wr_buf_free_secret(&text);
}

/* Sign and send one call; the answer goes to cb or bcb. */
static int submit(struct wr_sender *s, const char *what,
                  const struct wr_call *callp, wr_dispatch_done_cb *cb,
                  wr_dispatch_body_cb *bcb, void *ud, struct wr_err *err)
{
  struct wr_attempt at;
  struct wr_http_request req;
  struct pending *p;
  char nonce[WR_NONCE_LEN];
  int rc;

  /* Fresh on every attempt: a retry is never the same bytes again. */
  rc = wr_api_nonce(nonce);
  if (rc < 0)
    return wr_err_set(err, rc, "cannot make a signature nonce");
  at.wall_ms = wr_clock_wall_ms();
  at.nonce = nonce;
  memset(&req, 0, sizeof(req));
  rc = wr_api_build_keyed(&s->target, s->creds, s->key, callp, &at, &req,
                          err);
  if (rc < 0)
    goto out;
  if (wr_log_level() >= WR_LOG_TRACE)
    trace_request(s, what, &req);
  p = s->free;
  if (p != NULL) {
    s->free = p->next;
  } else {
    p = malloc(sizeof(*p));
    if (p == NULL) {
      rc = wr_err_set(err, WR_ENOMEM, "out of memory");
      goto out;
    }
  }
  p->s = s;
  p->cb = cb;
  p->bcb = bcb;
  p->ud = ud;
  p->t0 = wr_clock_now_ms();
  rc = wr_httppool_submit(s->pool, &req, on_http, p, err);
  if (rc < 0) {
    p->next = s->free;
    s->free = p;
  } else {
    p->prev = NULL;
    p->next = s->active;
    if (s->active != NULL)
      s->active->prev = p;
    s->active = p;
  }
out:
  wr_http_request_free(&req);
  /* err goes into the chunk's record as its message. */
  if (rc < 0 && s->creds != NULL)
    redact_field(s->creds, err->msg, sizeof(err->msg));
  return rc;
}

static int send_attempt(void *ctx, const struct wr_dispatch_attempt *a,
                        wr_dispatch_done_cb *cb, void *ud, struct wr_err *err)
{
  struct wr_call call;
  char what[WR_CHUNK_ID_LEN + 32];

  snprintf(what, sizeof(what), "chunk %s, attempt %d", a->chunk_id,
           a->attempt);
  memset(&call, 0, sizeof(call));
  call.action = "RebootDesktops";
  call.region = a->region;
  call.ids = a->ids;
  call.nids = a->nids;
  call.client_token = a->client_token;
  return submit(ctx, what, &call, cb, NULL, ud, err);
}

static int send_describe(void *ctx, const char *region,
                         const char *const *ids, size_t nids,
                         wr_dispatch_body_cb *cb, void *ud, struct wr_err *err)
{
  struct wr_call call;

  memset(&call, 0, sizeof(call));
  call.action = "DescribeDesktops";
  call.region = region;
  call.ids = ids;
  call.nids = nids;
  call.max_results = 100;
  return submit(ctx, "DescribeDesktops", &call, NULL, cb, ud, err);
}

int wr_sender_create(struct uv_loop_s *loop, const struct wr_config *cfg,
                     const struct wr_creds *creds, struct wr_sender **out,
                     struct wr_err *err)
{
  struct wr_httppool_opts po;
  struct wr_sender *s;
  long timeout_ms = (long)(cfg->timeout_s * 1000.0);
  int rc;

  *out = NULL;
  if (timeout_ms < 1)
    timeout_ms = 1;
  s = calloc(1, sizeof(*s));
  if (s == NULL)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  memset(&po, 0, sizeof(po));
  po.timeout_ms = timeout_ms;
  po.connect_timeout_ms = timeout_ms < CONNECT_TIMEOUT_MAX_MS
                              ? timeout_ms : CONNECT_TIMEOUT_MAX_MS;
  /* Room for every call in flight plus idle connections to each region. */
  po.max_connections = (long)cfg->concurrency * 2 + 8;
  rc = wr_httppool_create(loop, &po, &s->pool, err);
  if (rc < 0) {
    free(s);
    return rc;
  }
  s->target.mode = cfg->api;
  s->target.signature = cfg->signature;
  s->target.endpoint = cfg->endpoint;
  s->creds = creds;
  /* Without a prepared key (or on failure) each call uses the secret. */
  if (cfg->api == WR_API_ADMIN && cfg->signature == WR_SIG_V3 &&
      creds != NULL && creds->access_key_secret != NULL &&
      creds->access_key_secret[0] != '\0')
    (void)wr_hmac_key_create(creds->access_key_secret,
                             strlen(creds->access_key_secret), &s->key);
  *out = s;
  return 0;
}

void wr_sender_bind(struct wr_sender *s, struct wr_dispatch_sender *out)
{
  out->send = send_attempt;
  /* DescribeDesktops exists only in the management API. */
  out->describe = s->target.mode == WR_API_ADMIN ? send_describe : NULL;
  out->ctx = s;
}

void wr_sender_destroy(struct wr_sender **pp)
{
  struct wr_sender *s = *pp;
  struct pending *p, *next;

  if (s == NULL)
    return;
  *pp = NULL;
  wr_httppool_destroy(&s->pool);
  wr_hmac_key_destroy(&s->key);
  /* After an abort, attempts in flight got no callback.  The whole list
   * goes: walk it rather than unlink node by node. */
  for (p = s->active; p != NULL; p = next) {
    next = p->next;
    free(p);
  }
  s->active = NULL;
  while ((p = s->free) != NULL) {
    s->free = p->next;
    free(p);
  }
  free(s);
}
