#include "sim_core.h"

#include "err.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NONCE_TTL_MS (31 * 60 * 1000)

static const char garbage_page[] =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
  "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>Tengine"
  "</center>\r\n</body>\r\n</html>\r\n";
static const char html_ok_page[] = "<html><body>OK</body></html>\r\n";

int wr_sim_init(struct wr_sim *sim, const struct wr_sim_opts *opts,
                FILE *log, int64_t now_ms)
{
  int i, rc;

  sim->opts = opts;
  sim->creds.access_key_id = opts->access_key_id;
  sim->creds.access_key_secret = opts->access_key_secret;
  sim->creds.security_token = opts->security_token;
  sim->creds.client_id = opts->client_id;
  sim->creds.login_token = opts->login_token;
  sim->creds.session_id = opts->session_id;
  sim->rng = opts->seed ^ 0x5851f42d4c957f2dULL; /* not the fleet's stream */
  sim->log = log;
  sim->first_ms = -1;
  wr_sim_stats_init(&sim->stats);
  for (i = 0; i < WR_SIM_ACTION_COUNT; i++)
    wr_sim_window_init(&sim->admitted[i]);
  wr_sim_nonces_init(&sim->nonces, (size_t)opts->max_nonces, NONCE_TTL_MS,
                     now_ms);
  rc = wr_sim_idem_init(&sim->idem, (size_t)opts->max_tokens);
  if (rc < 0)
    return rc;
  if (uv_mutex_init(&sim->lock) != 0) {
    wr_sim_idem_free(&sim->idem);
    return WR_ENOMEM;
  }
  sim->sts = NULL;
  if (opts->sts_life_ms > 0) {
    sim->sts = wr_sim_sts_create(opts->sts_life_ms, opts->sts_fail,
                                 opts->sts_fail_after, opts->sts_lie_ms);
    if (sim->sts == NULL) {
      uv_mutex_destroy(&sim->lock);
      wr_sim_idem_free(&sim->idem);
      return WR_ENOMEM;
    }
  }
  return 0;
}

void wr_sim_free(struct wr_sim *sim)
{
  int i;

  uv_mutex_destroy(&sim->lock);
  wr_sim_sts_destroy(sim->sts);
  sim->sts = NULL;
  wr_sim_idem_free(&sim->idem);
  wr_sim_nonces_free(&sim->nonces);
  wr_sim_stats_free(&sim->stats);
  for (i = 0; i < WR_SIM_ACTION_COUNT; i++)
    wr_sim_window_free(&sim->admitted[i]);
  wr_sim_fleet_free(&sim->fleet);
}

void wr_sim_response_free(struct wr_sim_response *r)
{
  free(r->body);
  r->body = NULL;
}

static double uniform(struct wr_sim *sim)
{
  return (double)(wr_sim_rand_next(&sim->rng) >> 11) / 9007199254740992.0;
}

static void new_request_id(struct wr_sim *sim, char out[WR_SIM_REQUEST_ID_LEN])
{
  uint64_t a = wr_sim_rand_next(&sim->rng), b = wr_sim_rand_next(&sim->rng);

  snprintf(out, WR_SIM_REQUEST_ID_LEN, "%08X-%04X-%04X-%04X-%012llX",
           (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
           (unsigned)a & 0xffff, (unsigned)(b >> 48),
           (unsigned long long)(b & 0xffffffffffffULL));
}

static int set_body(struct wr_sim_response *r, cJSON *o)
{
  char *s = o ? cJSON_PrintUnformatted(o) : NULL;

  cJSON_Delete(o);
  if (s == NULL)
    return WR_ENOMEM;
  /* cJSON_free is free() unless hooks are installed; copy to be sure. */
  r->body = strdup(s);
  cJSON_free(s);
  if (r->body == NULL)
    return WR_ENOMEM;
  r->body_len = strlen(r->body);
  r->content_type = "application/json;charset=utf-8";
  return 0;
}

static int error_body(struct wr_sim_response *r, const char *region,
                      const struct wr_sim_error *e)
{
  cJSON *o = cJSON_CreateObject();
  char host[128], rec[512];

  snprintf(host, sizeof(host), "ecd%s%s.aliyuncs.com", region ? "." : "",
           region ? region : "");
  snprintf(rec, sizeof(rec),
           "https://api.aliyun.com/troubleshoot?q=%s&product=ecd"
           "&requestId=%s", e->code, r->request_id);
  r->status = e->status;
  r->code = e->code;
  r->outcome = WR_SIM_ERROR;
  if (o == NULL || !cJSON_AddStringToObject(o, "RequestId", r->request_id) ||
      !cJSON_AddStringToObject(o, "HostId", host) ||
      !cJSON_AddStringToObject(o, "Code", e->code) ||
      !cJSON_AddStringToObject(o, "Message", e->message) ||
      !cJSON_AddStringToObject(o, "Recommend", rec)) {
    cJSON_Delete(o);
    return WR_ENOMEM;
  }
  return set_body(r, o);
}

static int ok_body(struct wr_sim_response *r)
{
  cJSON *o = cJSON_CreateObject();

  r->status = 200;
  if (o == NULL || !cJSON_AddStringToObject(o, "RequestId", r->request_id)) {
    cJSON_Delete(o);
    return WR_ENOMEM;
  }
  return set_body(r, o);
}

static bool in_region(const struct wr_sim *sim, const struct wr_sim_desktop *d,
                      const char *region)
{
  return region != NULL && strcmp(sim->fleet.regions[d->region], region) == 0;
}

/* Fail-as-a-whole: one unknown or not-Running desktop rejects the call
 * (the real behaviour is UNCONFIRMED, API.md 1.4). */
static int reboot(struct wr_sim *sim, const struct wr_sim_call *call,
                  int64_t now_ms, struct wr_sim_error *e)
{
  size_t i, j;

  for (i = 0; i < call->nids; i++) {
    struct wr_sim_desktop *d = wr_sim_fleet_find(&sim->fleet, call->ids[i]);

    if (d == NULL || !in_region(sim, d, call->region))
      return wr_sim_error_set(e, 404, "InvalidDesktopId.NotFound",
                              WR_SIM_V_NONE, "The specified desktop %s is "
                              "not found.", call->ids[i]);
  }
  for (i = 0; i < call->nids; i++) {
    struct wr_sim_desktop *d = wr_sim_fleet_find(&sim->fleet, call->ids[i]);
    const char *st = wr_sim_fleet_status(&sim->fleet, d, now_ms);

    if (strcmp(st, "Running") != 0)
      return wr_sim_error_set(e, 403, "IncorrectDesktopStatus",
                              WR_SIM_V_NONE, "The current status of the "
                              "desktop does not support this operation: %s "
                              "is %s.", call->ids[i], st);
  }
  for (i = 0; i < call->nids; i++) {
    for (j = 0; j < i; j++)
      if (strcmp(call->ids[i], call->ids[j]) == 0)
        break;
    if (j == i)
      wr_sim_fleet_reboot(&sim->fleet,
                          wr_sim_fleet_find(&sim->fleet, call->ids[i]),
                          now_ms);
  }
  return 0;
}

static bool status_ok(const struct wr_sim_call *call, const char *st)
{
  return call->desktop_status == NULL ||
         strcmp(call->desktop_status, st) == 0;
}

/* A ';'-joined list as a JSON array of strings, tags as {Key, Value}. */
static int add_list(cJSON *o, const char *name, const char *list, bool tags)
{
  cJSON *arr = cJSON_AddArrayToObject(o, name);
  const char *p = list;
  char item[WR_SIM_META_LEN];

  if (arr == NULL)
    return WR_ENOMEM;
  while (*p != '\0') {
    const char *end = strchr(p, ';');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    char *eq;
    cJSON *e;

    if (len >= sizeof(item))
      len = sizeof(item) - 1;
    memcpy(item, p, len);
    item[len] = '\0';
    eq = tags ? strchr(item, '=') : NULL;
    if (tags) {
      e = cJSON_CreateObject();
      if (eq != NULL)
        *eq = '\0';
      if (e == NULL || !cJSON_AddItemToArray(arr, e) ||
          !cJSON_AddStringToObject(e, "Key", item) ||
          !cJSON_AddStringToObject(e, "Value", eq ? eq + 1 : ""))
        return WR_ENOMEM;
    } else if ((e = cJSON_CreateString(item)) == NULL ||
               !cJSON_AddItemToArray(arr, e)) {
      return WR_ENOMEM;
    }
    if (end == NULL)
      break;
    p = end + 1;
  }
  return 0;
}

static int add_desktop(cJSON *arr, const struct wr_sim *sim,
                       const struct wr_sim_desktop *d,
                       const struct wr_sim_meta *m, const char *st,
                       int64_t now_ms)
{
  cJSON *o = cJSON_CreateObject(), *rg;

  if (o == NULL)
    return WR_ENOMEM;
  cJSON_AddItemToArray(arr, o);
  if (!cJSON_AddStringToObject(o, "DesktopId", d->id) ||
      !cJSON_AddStringToObject(o, "DesktopStatus", st) ||
      !cJSON_AddStringToObject(o, "RegionId", sim->fleet.regions[d->region])
      || !cJSON_AddStringToObject(o, "ConnectionStatus",
                                  wr_sim_fleet_connection(&sim->fleet, d,
                                                          now_ms)) ||
      !cJSON_AddStringToObject(o, "ManagementFlag", "NoFlag") ||
      !cJSON_AddStringToObject(o, "DesktopName", m->name) ||
      !cJSON_AddStringToObject(o, "OfficeSiteId", m->office_site) ||
      !cJSON_AddStringToObject(o, "DirectoryId", m->office_site) ||
      !cJSON_AddStringToObject(o, "PolicyGroupId", m->policy) ||
      !cJSON_AddStringToObject(o, "ImageId", m->image) ||
      !cJSON_AddStringToObject(o, "DesktopType", m->type) ||
      add_list(o, "EndUserIds", m->users, false) < 0 ||
      add_list(o, "Tags", m->tags, true) < 0)
    return WR_ENOMEM;
  if (m->group[0] != '\0' ? !cJSON_AddStringToObject(o, "DesktopGroupId",
                                                     m->group)
                          : !cJSON_AddNullToObject(o, "DesktopGroupId"))
    return WR_ENOMEM;
  rg = cJSON_AddArrayToObject(o, "ResourceGroups");
  if (rg == NULL)
    return WR_ENOMEM;
  if (m->rgroup[0] != '\0') {
    cJSON *g = cJSON_CreateObject();

    if (g == NULL || !cJSON_AddItemToArray(rg, g) ||
        !cJSON_AddStringToObject(g, "Id", m->rgroup))
      return WR_ENOMEM;
  }
  return 0;
}

/* NextToken "p<page>.<pos>.<total>": the page it asks for, where in the
 * list the scan resumes, and the TotalCount of the first page.  false
 * when it is not one of ours. */
static bool parse_token(const char *t, size_t n, long *page, size_t *pos,
                        long *total)
{
  unsigned long v[3];
  const char *p = t;
  char *end;
  int k;

  if (*p++ != 'p')
    return false;
  for (k = 0; k < 3; k++) {
    if (*p < '0' || *p > '9')
      return false;
    v[k] = strtoul(p, &end, 10);
    p = end;
    if (*p != (k < 2 ? '.' : '\0'))
      return false;
    p++;
  }
  if (v[0] < 2 || v[1] > n || v[2] > (unsigned long)LONG_MAX)
    return false;
  *page = (long)v[0];
  *pos = (size_t)v[1];
  *total = (long)v[2];
  return true;
}

/* The i-th desktop of the list a call pages through: its named IDs (in
 * the order given, once each, those of its region) or every desktop of
 * the region, in fleet order; NULL to skip. */
static const struct wr_sim_desktop *nth(const struct wr_sim *sim,
                                        const struct wr_sim_call *call,
                                        uint32_t reg, size_t i)
{
  const struct wr_sim_desktop *d;
  size_t j;

  if (call->nids == 0)
    return &sim->fleet.v[sim->fleet.by_region[reg][i]];
  d = wr_sim_fleet_find(&sim->fleet, call->ids[i]);
  if (d == NULL || !in_region(sim, d, call->region))
    return NULL;
  for (j = 0; j < i; j++)
    if (strcmp(call->ids[i], call->ids[j]) == 0)
      return NULL;
  return d;
}

/* Page through the matching desktops, filtered by status and the
 * selection (sim_select.h).  NextToken is a cursor into the list, so a
 * listing costs one pass however many pages it has, and no desktop is
 * shown twice even when others change state between pages; TotalCount is
 * counted on the first page and handed on in the token. */
static int describe(struct wr_sim *sim, const struct wr_sim_call *call,
                    int64_t now_ms, struct wr_sim_response *r,
                    struct wr_sim_error *e)
{
  cJSON *o = NULL, *arr;
  long total = 0, shown = 0, page = 1;
  size_t i, n, pos = 0, next = 0;
  uint32_t reg = UINT32_MAX;
  char tok[80];
  struct wr_sim_meta m;
  bool more = false;

  for (i = 0; call->region != NULL && i < sim->fleet.nregions; i++)
    if (strcmp(sim->fleet.regions[i], call->region) == 0)
      reg = (uint32_t)i;
  n = call->nids > 0 ? call->nids
      : reg != UINT32_MAX ? sim->fleet.by_region_n[reg] : 0;
  if (call->next_token != NULL &&
      !parse_token(call->next_token, n, &page, &pos, &total))
    return wr_sim_error_set(e, 400, "InvalidParameter", WR_SIM_V_OTHER,
                            "The specified NextToken is not valid.");
  /* --describe-fail-page K: the K-th page of a listing (no DesktopId.N)
   * always fails, as a page that fails after every retry. */
  if (call->nids == 0 && sim->opts->describe_fail_page > 0 &&
      page == sim->opts->describe_fail_page)
    return wr_sim_error_set(e, 503, "ServiceUnavailable", WR_SIM_V_NONE,
                            "The request has failed due to a temporary "
                            "failure of the server (page %ld).", page);
  o = cJSON_CreateObject();
  if (o == NULL)
    return WR_ENOMEM;
  arr = cJSON_AddArrayToObject(o, "Desktops");
  if (arr == NULL)
    goto nomem;
  /* The first page counts every match; later ones stop at the first
   * match past the page, which says there is more. */
  for (i = pos; i < n; i++) {
    const struct wr_sim_desktop *d = nth(sim, call, reg, i);
    const char *st;

    if (d == NULL)
      continue;
    st = wr_sim_fleet_status(&sim->fleet, d, now_ms);
    if (!status_ok(call, st))
      continue;
    wr_sim_fleet_meta(&sim->fleet, d, &m);
    if (!wr_sim_select_match(&call->sel, &m, call->nids > 0))
      continue;
    if (call->next_token == NULL)
      total++;
    if (shown < call->max_results) {
      if (add_desktop(arr, sim, d, &m, st, now_ms) < 0)
        goto nomem;
      shown++;
      next = i + 1;
    } else {
      more = true;
      if (call->next_token != NULL)
        break;
    }
  }
  if (!cJSON_AddStringToObject(o, "RequestId", r->request_id) ||
      !cJSON_AddNumberToObject(o, "TotalCount", (double)total) ||
      !cJSON_AddNumberToObject(o, "PageSize", (double)call->max_results))
    goto nomem;
  if (more) {
    snprintf(tok, sizeof(tok), "p%ld.%zu.%ld", page + 1, next, total);
    /* --describe-repeat-token K: from page K on, the token handed back is
     * the one the page was asked with (a server stuck on a page). */
    if (page >= sim->opts->describe_repeat_token &&
        sim->opts->describe_repeat_token > 0 && call->next_token != NULL)
      snprintf(tok, sizeof(tok), "%s", call->next_token);
    if (!cJSON_AddStringToObject(o, "NextToken", tok))
      goto nomem;
  }
  r->status = 200;
  return set_body(r, o);
nomem:
  cJSON_Delete(o);
  return WR_ENOMEM;
}

/* The injected fault, if any: one uniform draw split into intervals. */
static int fault(struct wr_sim *sim, struct wr_sim_response *r,
                 const char *region)
{
  const struct wr_sim_opts *o = sim->opts;
  struct wr_sim_error e;
  double u = uniform(sim);

  if ((u -= o->reset_rate) < 0) {
    r->reply = WR_SIM_REPLY_CLOSE;
    r->outcome = WR_SIM_RESET;
    return 1;
  }
  if ((u -= o->hang_rate) < 0) {
    r->reply = WR_SIM_REPLY_CLOSE;
    r->outcome = WR_SIM_HANG;
    r->delay_ms = o->hang_ms;
    return 1;
  }
  if ((u -= o->garbage_rate) < 0) {
    r->status = 502;
    r->outcome = WR_SIM_GARBAGE;
    r->body = strdup(garbage_page);
    if (r->body == NULL)
      return WR_ENOMEM;
    r->body_len = strlen(garbage_page);
    r->content_type = "text/html";
    return 1;
  }
  if ((u -= o->html_ok_rate) < 0) {
    r->status = 200;
    r->outcome = WR_SIM_HTML_OK;
    r->body = strdup(html_ok_page);
    if (r->body == NULL)
      return WR_ENOMEM;
    r->body_len = strlen(html_ok_page);
    r->content_type = "text/html";
    return 1;
  }
  if (u < o->fail_rate) {
    if (wr_sim_rand_next(&sim->rng) & 1)
      wr_sim_error_set(&e, 503, "ServiceUnavailable", WR_SIM_V_NONE,
                       "The request has failed due to a temporary failure "
                       "of the server.");
    else
      wr_sim_error_set(&e, 500, "InternalError", WR_SIM_V_NONE,
                       "The request processing has failed due to some "
                       "unknown error, exception or failure.");
    return error_body(r, region, &e) < 0 ? WR_ENOMEM : 1;
  }
  return 0;
}

/* The quota at now_ms: --qps, or the --qps-schedule step in force. */
static double quota(struct wr_sim *sim, int64_t now_ms)
{
  const struct wr_sim_opts *o = sim->opts;
  size_t i;
  double q;

  if (o->nqps_schedule == 0)
    return o->qps;
  if (sim->first_ms < 0)
    sim->first_ms = now_ms;
  q = o->qps_schedule[0].qps;
  for (i = 1; i < o->nqps_schedule &&
              now_ms - sim->first_ms >= o->qps_schedule[i].at_ms; i++)
    q = o->qps_schedule[i].qps;
  return q;
}

static int throttle(struct wr_sim *sim, int action, int64_t now_ms,
                    struct wr_sim_response *r, const char *region)
{
  static const int statuses[] = {400, 429, 503};
  struct wr_sim_error e;
  double q = quota(sim, now_ms);
  size_t n;

  if (q <= 0)
    return 0;
  n = wr_sim_window_count(&sim->admitted[action], now_ms);
  if ((double)(n + 1) <= q)
    return wr_sim_window_add(&sim->admitted[action], now_ms, NULL);
  /* Under --qps-model all, a throttled call uses the quota too. */
  if (sim->opts->qps_model == WR_SIM_QPS_ALL &&
      wr_sim_window_add(&sim->admitted[action], now_ms, NULL) < 0)
    return WR_ENOMEM;
  wr_sim_error_set(&e, statuses[wr_sim_rand_next(&sim->rng) % 3],
                   "Throttling.User", WR_SIM_V_NONE,
                   "Request was denied due to user flow control.");
  if (error_body(r, region, &e) < 0)
    return WR_ENOMEM;
  r->outcome = WR_SIM_THROTTLED;
  if (sim->opts->retry_after_ms > 0)
    r->retry_after_ms = sim->opts->retry_after_ms;
  return 1;
}

/* The protocol verdict and the operation; sets r and *violation. */
static int execute(struct wr_sim *sim, const struct wr_sim_call *call,
                   const char *region, int64_t now_ms,
                   struct wr_sim_response *r, int *violation)
{
  struct wr_sim_error e;
  int rc;

  *violation = WR_SIM_V_NONE;
  e.violation = WR_SIM_V_NONE;
  if (call->auth_ok && call->nonce != NULL) {
    rc = wr_sim_nonces_check_add(&sim->nonces, call->nonce, now_ms);
    if (rc < 0)
      return rc;
    if (rc == 1) {
      wr_sim_error_set(&e, 400, "SignatureNonceUsed", WR_SIM_V_NONCE_REUSED,
                       "Specified signature nonce was used already.");
      goto error;
    }
  }
  if (call->failed) {
    e = call->err;
    goto error;
  }
  if (call->action == WR_SIM_DESCRIBE) {
    rc = describe(sim, call, now_ms, r, &e);
    if (rc == WR_EPROTO)
      goto error;
    r->outcome = WR_SIM_OK;
    return rc;
  }
  if (call->client_token != NULL) {
    char rid[WR_SIM_REQUEST_ID_LEN];

    switch (wr_sim_idem_lookup(&sim->idem, call->client_token, call->digest,
                               rid)) {
    case WR_SIM_IDEM_SAME:
      memcpy(r->request_id, rid, sizeof(rid));
      r->outcome = WR_SIM_REPLAYED;
      return ok_body(r);
    case WR_SIM_IDEM_MISMATCH:
      wr_sim_error_set(&e, 400, "IdempotentParameterMismatch",
                       WR_SIM_V_TOKEN_MISMATCH,
                       "The specified ClientToken is already used with "
                       "other parameters.");
      goto error;
    default:
      break;
    }
  }
  if (reboot(sim, call, now_ms, &e) < 0)
    goto error;
  if (call->client_token != NULL &&
      wr_sim_idem_add(&sim->idem, call->client_token, call->digest,
                      r->request_id) < 0)
    return WR_ENOMEM;
  r->outcome = WR_SIM_OK;
  rc = ok_body(r);
  if (rc == 0 && uniform(sim) < sim->opts->lost_rate) {
    r->reply = WR_SIM_REPLY_CLOSE;
    r->outcome = WR_SIM_LOST;
  }
  return rc;
error:
  *violation = e.violation;
  return error_body(r, region, &e);
}

static void log_request(struct wr_sim *sim, const struct wr_sim_call *call,
                        const struct wr_sim_response *r, int64_t wall_ms,
                        const char *code)
{
  struct wr_sim_log_entry le;

  if (sim->log == NULL)
    return;
  le.wall_ms = wall_ms;
  le.action = call->action_str;
  le.auth = call->auth;
  le.region = call->region ? call->region
              : wr_sim_params_get(&call->params, "RegionId");
  le.ids = call->ids;
  le.nids = call->ids ? call->nids : 0;
  le.client_token = call->client_token ? call->client_token
                    : wr_sim_params_get(&call->params, "ClientToken");
  le.outcome = r->outcome;
  le.status = r->reply == WR_SIM_REPLY_CLOSE ? 0 : r->status;
  le.code = code;
  le.request_id = r->request_id;
  if (wr_sim_log_write(sim->log, &le) < 0) {
    fputs("ecd-sim: warning: cannot write the request log\n", stderr);
    sim->log = NULL;
  }
}

/* The presented AccessKey id of a call refused as unknown. */
static char *presented_id(const struct wr_sim_call *call,
                          const struct wr_sim_request *req)
{
  const char *a = wr_sim_header_get(req, "authorization");
  const char *p;

  if (a == NULL) {
    p = wr_sim_params_get(&call->params, "AccessKeyId");
    return p != NULL ? strdup(p) : NULL;
  }
  p = strstr(a, "Credential=");
  if (p == NULL)
    return NULL;
  p += 11;
  return strndup(p, strcspn(p, ", "));
}

/* wr_sim_check, with the temporary AccessKeys of --sts accepted until
 * they expire, then refused as the real service does. */
static int check(struct wr_sim *sim, const struct wr_sim_request *req,
                 int64_t wall_ms, struct wr_sim_call *call)
{
  struct wr_sim_creds c = sim->creds;
  char *id;
  int rc, found;

  rc = wr_sim_check(&sim->creds, req, wall_ms, call);
  if (rc < 0 || sim->sts == NULL || !call->failed ||
      call->err.violation != WR_SIM_V_UNKNOWN_ACCESS_KEY)
    return rc;
  id = presented_id(call, req);
  found = wr_sim_sts_lookup(sim->sts, id, wall_ms, &c);
  free(id);
  if (found == 0)
    return rc;
  wr_sim_call_free(call);
  rc = wr_sim_check(&c, req, wall_ms, call);
  if (rc < 0 || found > 0 || call->failed)
    return rc;
  call->auth_ok = false;
  call->failed = true;
  wr_sim_error_set(&call->err, 400, "InvalidSecurityToken.Expired",
                   WR_SIM_V_OTHER, "Specified SecurityToken is expired.");
  return 0;
}

int wr_sim_handle(struct wr_sim *sim, const struct wr_sim_request *req,
                  int64_t now_ms, int64_t wall_ms,
                  struct wr_sim_response *out)
{
  struct wr_sim_call call;
  int rc, violation = WR_SIM_V_NONE;
  const char *region;
  memset(out, 0, sizeof(*out));
  out->retry_after_ms = -1;
  rc = check(sim, req, wall_ms, &call);
  if (rc < 0) {
    wr_sim_call_free(&call);
    return rc;
  }
  region = call.region ? call.region
           : wr_sim_params_get(&call.params, "RegionId");
  uv_mutex_lock(&sim->lock);
  /* Threads read the clock before they get the lock: never go back. */
  if (now_ms < sim->last_now)
    now_ms = sim->last_now;
  sim->last_now = now_ms;
  rc = wr_sim_stats_arrival(&sim->stats, call.action, now_ms);
  if (rc < 0)
    goto out;
  new_request_id(sim, out->request_id);
  rc = throttle(sim, call.action, now_ms, out, region);
  if (rc == 0)
    rc = fault(sim, out, region);
  if (rc == 0)
    rc = execute(sim, &call, region, now_ms, out, &violation);
  if (rc < 0)
    goto out;
  rc = 0;
  if (out->reply == WR_SIM_REPLY_SEND && sim->opts->latency_ms > 0)
    out->delay_ms = sim->opts->latency_ms / 2 +
                    (int64_t)(uniform(sim) * (double)sim->opts->latency_ms);
  wr_sim_stats_outcome(&sim->stats, call.action, out->outcome, violation);
  log_request(sim, &call, out, wall_ms, out->code);
out:
  uv_mutex_unlock(&sim->lock);
  wr_sim_call_free(&call);
  if (rc < 0)
    wr_sim_response_free(out);
  return rc;
}

char *wr_sim_stats(struct wr_sim *sim)
{
  char *s;

  uv_mutex_lock(&sim->lock);
  s = wr_sim_stats_json(&sim->stats, &sim->fleet);
  uv_mutex_unlock(&sim->lock);
  return s;
}
