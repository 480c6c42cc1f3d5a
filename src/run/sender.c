#include "sender.h"

#include "api.h"
#include "buf.h"
#include "clock.h"
#include "creds.h"
#include "hmac.h"
#include "httppool.h"
#include "log.h"
#include "renew.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Connect timeout: the attempt's timeout, at most this. */
#define CONNECT_TIMEOUT_MAX_MS 10000
/* Times one call is sent again after an expired-token answer: a server
 * that refuses fresh credentials too (a clock far off) ends it. */
#define EXPIRED_RESENDS 3
#define WHAT_LEN (WR_CHUNK_ID_LEN + 32)

/* One attempt in flight: where its judged result goes.  With a renewer,
 * it keeps its call (and a copy of the ID array, which the caller may
 * have on its stack) to send it again after a renewal. */
struct pending {
  struct wr_sender *s;
  wr_dispatch_done_cb *cb;       /* RebootDesktops, or */
  wr_dispatch_body_cb *bcb;      /* DescribeDesktops */
  void *ud;
  int64_t t0;
  struct wr_call call;
  const char **ids;              /* owned copy, or NULL */
  char what[WHAT_LEN];
  unsigned gen;                  /* the credentials it was signed with */
  int resends;
  struct wr_api_result *held;    /* the expired answer, while it waits */
  struct pending *prev, *next; /* in-flight list, or free list (next) */
};

struct wr_sender {
  struct wr_httppool *pool;
  struct wr_api_target target;
  const struct wr_creds *creds;  /* without a renewer */
  struct wr_renewer *rn;         /* NULL: the credentials stay */
  struct wr_hmac_key *key;       /* the V3 secret, prepared once */
  struct pending *active;
  struct pending *parked;        /* waiting for a renewal (next) */
  struct pending *free;
};

static const struct wr_creds *creds_of(const struct wr_sender *s)
{
  return s->rn != NULL ? wr_renewer_creds(s->rn) : s->creds;
}

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

void wr_sender_redact(const struct wr_creds *creds, struct wr_api_result *r)
{
  if (creds == NULL)
    return;
  wr_creds_redact_field(creds, r->code, sizeof(r->code));
  wr_creds_redact_field(creds, r->message, sizeof(r->message));
  wr_creds_redact_field(creds, r->host_id, sizeof(r->host_id));
  wr_creds_redact_field(creds, r->recommend, sizeof(r->recommend));
}

/* Answers arrive here, and so do the credentials: dispatch and --verify
 * get server texts already masked, with the credentials in use and the
 * ones before them (a call may have been signed with those). */
static void redact_all(const struct wr_sender *s, struct wr_api_result *r)
{
  wr_sender_redact(creds_of(s), r);
  if (s->rn != NULL)
    wr_sender_redact(wr_renewer_previous(s->rn), r);
}

/* p's result goes to its callback; p goes back to the free list. */
static void deliver(struct wr_sender *s, struct pending *p,
                    struct wr_api_result *r, const char *body, size_t len)
{
  wr_dispatch_done_cb *cb = p->cb;
  wr_dispatch_body_cb *bcb = p->bcb;
  void *cud = p->ud;
  int64_t latency = wr_clock_now_ms() - p->t0;

  free(p->ids);
  p->ids = NULL;
  free(p->held);
  p->held = NULL;
  p->next = s->free;
  s->free = p;
  redact_all(s, r);
  if (bcb != NULL)
    bcb(cud, r, body, len);
  else
    cb(cud, r, latency);
}

static void park(struct wr_sender *s, struct pending *p)
{
  p->prev = NULL;
  p->next = s->parked;
  s->parked = p;
}

static int send_pending(struct wr_sender *s, struct pending *p,
                        struct wr_err *err);

/* A call could not be sent again: a local failure, as dispatch's own. */
static void deliver_local(struct wr_sender *s, struct pending *p,
                          const struct wr_err *err)
{
  struct wr_api_result r;

  memset(&r, 0, sizeof(r));
  r.outcome = WR_OUTCOME_FINAL;
  r.retry_after_ms = -1;
  snprintf(r.code, sizeof(r.code), "ClientError");
  snprintf(r.message, sizeof(r.message), "%s", err->msg);
  deliver(s, p, &r, "", 0);
}

/* An expired-token answer to p with renewable credentials: not a
 * failure.  p waits for the renewal (or goes again at once when it came
 * meanwhile); false when p has had its resends (the answer goes on). */
static bool expired_answer(struct wr_sender *s, struct pending *p,
                           const struct wr_api_result *r)
{
  struct wr_err err = {0};

  if (s->rn == NULL || !wr_renewer_active(s->rn) ||
      !wr_api_code_token_expired(r->code) || p->resends >= EXPIRED_RESENDS ||
      p->ids == NULL)
    return false;
  if (p->held == NULL)
    p->held = malloc(sizeof(*p->held));
  if (p->held == NULL)
    return false;
  *p->held = *r;
  p->resends++;
  wr_debugf("%s: refused as expired: sent again after the renewal",
            p->what);
  wr_renewer_expired(s->rn, p->gen);
  if (send_pending(s, p, &err) < 0)
    deliver_local(s, p, &err);
  return true;
}

static void on_http(void *ud, const struct wr_http_response *hr)
{
  struct pending *p = ud;
  struct wr_sender *s = p->s;
  struct wr_api_result r;

  unlink_active(s, p);
  if (hr->transport == WR_TRANSPORT_OK)
    wr_api_classify_response(hr->http_status, hr->body, hr->body_len,
                             hr->retry_after, &r);
  else
    wr_api_classify_transport(hr->transport, hr->detail, &r);
  if (expired_answer(s, p, &r))
    return;
  deliver(s, p, &r, hr->body, hr->body_len);
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
  if (wr_api_format_redacted(req, creds_of(s), &text) < 0) {
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

/* Sign p's call with the credentials in use and send it; while they
 * are expired and being renewed, p waits (parked) instead. */
static int send_pending(struct wr_sender *s, struct pending *p,
                        struct wr_err *err)
{
  const struct wr_creds *c = creds_of(s);
  struct wr_attempt at;
  struct wr_http_request req;
  char nonce[WR_NONCE_LEN];
  int rc;

  if (s->rn != NULL && p->ids != NULL && wr_renewer_waiting(s->rn)) {
    park(s, p);
    return 0;
  }
  /* Fresh on every attempt: a retry is never the same bytes again. */
  rc = wr_api_nonce(nonce);
  if (rc < 0)
    return wr_err_set(err, rc, "cannot make a signature nonce");
  at.wall_ms = wr_clock_wall_ms();
  at.nonce = nonce;
  memset(&req, 0, sizeof(req));
  rc = wr_api_build_keyed(&s->target, c, s->key, &p->call, &at, &req, err);
  if (rc < 0)
    goto out;
  if (wr_log_level() >= WR_LOG_TRACE)
    trace_request(s, p->what, &req);
  p->gen = s->rn != NULL ? wr_renewer_generation(s->rn) : 0;
  rc = wr_httppool_submit(s->pool, &req, on_http, p, err);
  if (rc == 0) {
    p->prev = NULL;
    p->next = s->active;
    if (s->active != NULL)
      s->active->prev = p;
    s->active = p;
  }
out:
  wr_http_request_free(&req);
  /* err goes into the chunk's record as its message. */
  if (rc < 0 && c != NULL)
    wr_creds_redact_field(c, err->msg, sizeof(err->msg));
  return rc;
}

/* Send one call; the answer goes to cb or bcb. */
static int submit(struct wr_sender *s, const char *what,
                  const struct wr_call *callp, wr_dispatch_done_cb *cb,
                  wr_dispatch_body_cb *bcb, void *ud, struct wr_err *err)
{
  struct pending *p;
  int rc;

  p = s->free;
  if (p != NULL) {
    s->free = p->next;
  } else {
    p = malloc(sizeof(*p));
    if (p == NULL)
      return wr_err_set(err, WR_ENOMEM, "out of memory");
  }
  memset(p, 0, sizeof(*p));
  p->s = s;
  p->cb = cb;
  p->bcb = bcb;
  p->ud = ud;
  p->t0 = wr_clock_now_ms();
  p->call = *callp;
  snprintf(p->what, sizeof(p->what), "%s", what);
  /* Renewable credentials: the call may have to go again later. */
  if (s->rn != NULL && wr_renewer_active(s->rn) && callp->nids > 0) {
    p->ids = malloc(callp->nids * sizeof(*p->ids));
    if (p->ids != NULL) {
      memcpy(p->ids, callp->ids, callp->nids * sizeof(*p->ids));
      p->call.ids = p->ids;
    }
  }
  rc = send_pending(s, p, err);
  if (rc < 0) {
    free(p->ids);
    p->ids = NULL;
    p->next = s->free;
    s->free = p;
  }
  return rc;
}

/* The renewer's news: new credentials (the V3 key follows them, and the
 * calls that waited go), or none (they expired: the calls that waited
 * get the expired answer, which stops the run). */
static void on_renewed(void *ud, bool renewed)
{
  struct wr_sender *s = ud;
  const struct wr_creds *c = creds_of(s);
  struct pending *list = s->parked, *p;
  struct wr_api_result r;
  struct wr_err err;

  s->parked = NULL;
  if (renewed) {
    wr_hmac_key_destroy(&s->key);
    if (s->target.mode == WR_API_ADMIN && s->target.signature == WR_SIG_V3 &&
        c->access_key_secret != NULL && c->access_key_secret[0] != '\0')
      (void)wr_hmac_key_create(c->access_key_secret,
                               strlen(c->access_key_secret), &s->key);
  }
  while ((p = list) != NULL) {
    list = p->next;
    if (renewed) {
      memset(&err, 0, sizeof(err));
      if (send_pending(s, p, &err) < 0)
        deliver_local(s, p, &err);
      continue;
    }
    if (p->held != NULL) {
      r = *p->held;
    } else {
      memset(&r, 0, sizeof(r));
      r.outcome = WR_OUTCOME_FINAL;
      r.fatal_auth = true;
      r.not_sent = true;
      r.retry_after_ms = -1;
      snprintf(r.code, sizeof(r.code), "InvalidSecurityToken.Expired");
      snprintf(r.message, sizeof(r.message), "not sent: the temporary "
               "credentials expired and could not be renewed");
    }
    deliver(s, p, &r, "", 0);
  }
}

void wr_sender_set_renewer(struct wr_sender *s, struct wr_renewer *rn)
{
  s->rn = rn;
  if (rn != NULL)
    wr_renewer_listen(rn, on_renewed, s);
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
  /* After an abort, attempts in flight or waiting got no callback.  The
   * whole lists go: walk them rather than unlink node by node. */
  for (p = s->active; p != NULL; p = next) {
    next = p->next;
    free(p->ids);
    free(p->held);
    free(p);
  }
  s->active = NULL;
  for (p = s->parked; p != NULL; p = next) {
    next = p->next;
    free(p->ids);
    free(p->held);
    free(p);
  }
  s->parked = NULL;
  if (s->rn != NULL)
    wr_renewer_listen(s->rn, NULL, NULL);
  while ((p = s->free) != NULL) {
    s->free = p->next;
    free(p);
  }
  free(s);
}
