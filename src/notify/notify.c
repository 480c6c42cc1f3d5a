/* notify: one POST per --notify URL when a session ends (notify.h). */
#include "notify.h"

#include "audit.h"
#include "buf.h"
#include "clock.h"
#include "endpoint.h"
#include "fetch.h"
#include "log.h"
#include "notify_int.h"
#include "report_read.h"

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_MS 5000
#define TIMEOUT_MS 10000 /* the whole request: a chat room is no reason to
                            hold the terminal */

/* The summary from the report as `report` reads it; a report that cannot
 * be read still gets a message (outcome says why, no counts). */
static void summarise(const struct wr_rread *rr, const struct wr_audit *a,
                      struct wr_notify_summary *s, char *outcome, size_t n)
{
  size_t i;

  s->run_id = rr->run.run_id;
  s->outcome = wr_audit_outcome(a, outcome, n);
  s->counted = true;
  s->planned = a->planned;
  s->ok = a->ok;
  s->failed = a->failed;
  s->skipped = a->skipped;
  s->pending = a->pending;
  s->excluded = a->excluded;
  s->retry_pending = a->retry_pending;
  s->ncodes = a->nfailures;
  for (i = 0; i < a->nfailures && i < WR_NOTIFY_TOP; i++) {
    s->top[i].code = a->failures[i].key;
    s->top[i].message = a->failures[i].message;
    s->top[i].desktops = a->failures[i].desktops;
  }
  s->ntop = i;
}

/* DingTalk answers 200 with {"errcode": N, "errmsg": "..."}: N != 0 is a
 * refusal (a bad signature, a keyword missing, a rate limit). */
static bool dingtalk_refused(const struct wr_buf *body, char *why, size_t n)
{
  cJSON *o = cJSON_Parse(wr_buf_str(body));
  const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "errcode");
  const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "errmsg");
  bool refused = cJSON_IsNumber(c) && c->valuedouble != 0;

  if (refused)
    snprintf(why, n, "errcode %g: %.120s", c->valuedouble,
             cJSON_IsString(m) ? m->valuestring : "");
  cJSON_Delete(o);
  return refused;
}

static void send_one(const char *url, const char *body,
                     enum wr_notify_format f, const char *secret)
{
  static const char *const headers[] = {
      "Content-Type: application/json; charset=utf-8", NULL};
  struct wr_endpoint ep;
  struct wr_fetch_req req;
  struct wr_buf answer;
  struct wr_err err = {0};
  const char *rest;
  char *signed_url = NULL, why[160];
  long status = 0;

  /* checked when the options were read; again, as the host to name */
  if (wr_endpoint_parse_webhook("--notify", url, &ep, &rest, &err) < 0) {
    wr_warnf("%s; not notified", err.msg);
    return;
  }
  signed_url = wr_notify_signed_url(url, f == WR_NOTIFY_DINGTALK ? secret
                                                                 : NULL,
                                    wr_clock_wall_ms());
  if (signed_url == NULL) {
    wr_warnf("--notify %s: cannot sign the message; not notified", ep.base);
    return;
  }
  memset(&req, 0, sizeof(req));
  req.method = "POST";
  req.url = signed_url;
  req.headers = headers;
  req.body = body;
  req.body_len = strlen(body);
  req.connect_timeout_ms = CONNECT_TIMEOUT_MS;
  req.timeout_ms = TIMEOUT_MS;
  req.direct = ep.loopback; /* a proxy cannot reach this host's loopback */
  if (wr_fetch(&req, &status, &answer, &err) < 0) {
    wr_warnf("--notify %s: %s; not notified (the exit code and the report "
             "are unchanged)", ep.base, err.msg);
  } else if (status < 200 || status > 299) {
    wr_warnf("--notify %s: HTTP %ld; not notified (the exit code and the "
             "report are unchanged)", ep.base, status);
  } else if (f == WR_NOTIFY_DINGTALK &&
             dingtalk_refused(&answer, why, sizeof(why))) {
    wr_warnf("--notify %s: HTTP %ld, but DingTalk refused the message (%s); "
             "not notified", ep.base, status, why);
  } else {
    wr_infof("--notify %s: notified (HTTP %ld, %s)", ep.base, status,
             wr_config_notify_format_name(f));
  }
  wr_buf_free(&answer); /* wr_fetch initialised it */
  OPENSSL_cleanse(signed_url, strlen(signed_url));
  free(signed_url);
}

void wr_notify_session(const struct wr_config *cfg, const char *kind,
                       const char *report_path, int exit_code)
{
  struct wr_notify_summary s;
  struct wr_rread *rr = NULL;
  struct wr_audit a;
  struct wr_err err = {0};
  char outcome[512], host[256], *body = NULL, *secret = NULL;
  const char *env;
  size_t i;

  if (cfg->nnotify == 0)
    return;
  memset(&s, 0, sizeof(s));
  memset(&a, 0, sizeof(a));
  s.kind = kind;
  s.report = report_path;
  s.exit_code = exit_code;
  if (gethostname(host, sizeof(host)) == 0) {
    host[sizeof(host) - 1] = '\0';
    s.host = host;
  }
  if (wr_rread_load(report_path, &rr, &err) == 0 &&
      wr_audit_build(rr, &a, &err) == 0) {
    summarise(rr, &a, &s, outcome, sizeof(outcome));
  } else {
    snprintf(outcome, sizeof(outcome), "unknown: the report cannot be "
             "read back (%.400s)", err.msg);
    s.outcome = outcome;
  }
  body = wr_notify_body(&s, cfg->notify_format);
  env = getenv(WR_NOTIFY_DINGTALK_SECRET_ENV);
  if (env != NULL && *env != '\0' && cfg->notify_format == WR_NOTIFY_DINGTALK)
    secret = strdup(env);
  if (body == NULL ||
      (env != NULL && *env != '\0' && secret == NULL &&
       cfg->notify_format == WR_NOTIFY_DINGTALK)) {
    wr_warnf("--notify: out of memory building the message; not notified");
    goto out;
  }
  for (i = 0; i < cfg->nnotify; i++)
    send_one(cfg->notify[i], body, cfg->notify_format, secret);
out:
  if (secret != NULL) {
    OPENSSL_cleanse(secret, strlen(secret));
    free(secret);
  }
  free(body);
  wr_audit_free(&a);
  wr_rread_destroy(&rr);
}
