/* select_page: the DescribeDesktops queries of a selection and their
 * paging loop (select.h).  Blocking, one call at a time: it runs before a
 * plan exists, and a fleet of 100,000 desktops is 1,000 pages. */
#include "select.h"

#include "api.h"
#include "buf.h"
#include "clock.h"
#include "creds.h"
#include "fetch.h"
#include "idset.h"
#include "log.h"
#include "ratelimit.h"
#include "retry.h"
#include "sign.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE_SIZE 100
#define QUERIES_MAX 256          /* combinations of one-value keys */
#define LIST_MAX 100             /* EndUserId.N, ImageId.N */
#define PAGE_BODY_MAX (16u << 20)
#define NAME_LEN 24

/* One query's parameters: the names it formats live here. */
struct query {
  struct wr_param p[WR_API_EXTRA_MAX];
  char names[WR_API_EXTRA_MAX][NAME_LEN];
  size_t n;
  char desc[512];                /* for messages: "OfficeSiteId=X ..." */
};

struct pager {
  struct wr_selection *s;
  const struct wr_config *cfg;
  const struct wr_creds *creds;
  struct wr_ratelimit rl;
  struct wr_retry_policy retry;
  uint64_t rnd;
  struct wr_err *err;
};

static const char *const param_of[WR_SEL_KEYS] = {
  "OfficeSiteId", "DesktopGroupId", "DesktopStatus", "Tag", "EndUserId",
  "PolicyGroupId", "ImageId", "DesktopName", "DesktopType", "ResourceGroupId"
};

static void sleep_ms(int64_t ms)
{
  struct timespec ts;

  if (ms <= 0)
    return;
  ts.tv_sec = (time_t)(ms / 1000);
  ts.tv_nsec = (long)(ms % 1000) * 1000000L;
  while (nanosleep(&ts, &ts) != 0)
    ;
}

static void qadd(struct query *q, const char *name, const char *value)
{
  size_t len;

  if (q->n >= WR_API_EXTRA_MAX)
    return; /* bounded by the checks in wr_select_run */
  snprintf(q->names[q->n], NAME_LEN, "%s", name);
  q->p[q->n].name = q->names[q->n];
  q->p[q->n].value = value;
  q->n++;
  len = strlen(q->desc);
  if (len + 2 < sizeof(q->desc))
    snprintf(q->desc + len, sizeof(q->desc) - len, "%s%s=%s",
             len ? " " : "", name, value);
}

/* ---- one page --------------------------------------------------------- */

static char *dup_field(const cJSON *o, const char *key)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

  return cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
}

static int read_lists(struct wr_sel_desktop *d, const cJSON *o)
{
  const cJSON *u = cJSON_GetObjectItemCaseSensitive(o, "EndUserIds");
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "Tags");
  const cJSON *rg = cJSON_GetObjectItemCaseSensitive(o, "ResourceGroups");
  const cJSON *e;
  size_t n;

  if (cJSON_IsArray(u)) {
    d->has_users = true;
    n = (size_t)cJSON_GetArraySize(u);
    d->users = calloc(n ? n : 1, sizeof(char *));
    if (d->users == NULL)
      return WR_ENOMEM;
    cJSON_ArrayForEach(e, u)
      if (cJSON_IsString(e) &&
          (d->users[d->nusers++] = strdup(e->valuestring)) == NULL)
        return WR_ENOMEM;
  }
  if (cJSON_IsArray(t)) {
    d->has_tags = true;
    n = (size_t)cJSON_GetArraySize(t);
    d->tag_keys = calloc(n ? n : 1, sizeof(char *));
    d->tag_values = calloc(n ? n : 1, sizeof(char *));
    if (d->tag_keys == NULL || d->tag_values == NULL)
      return WR_ENOMEM;
    cJSON_ArrayForEach(e, t) {
      char *k = dup_field(e, "Key"), *v = dup_field(e, "Value");

      if (k == NULL || v == NULL) {
        free(k);
        free(v);
        continue;
      }
      d->tag_keys[d->ntags] = k;
      d->tag_values[d->ntags++] = v;
    }
  }
  if (cJSON_IsArray(rg) && cJSON_GetArraySize(rg) > 0)
    d->rgroup = dup_field(cJSON_GetArrayItem(rg, 0), "Id");
  return 0;
}

/* A desktop of the answer: taken when it matches and is new. */
static int take(struct wr_selection *s, const cJSON *o, const char *region)
{
  struct wr_sel_desktop d;
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "DesktopId");
  int rc;

  if (!cJSON_IsString(id) || id->valuestring[0] == '\0')
    return WR_EPROTO;
  if (wr_select_has(s, id->valuestring))
    return 0;
  memset(&d, 0, sizeof(d));
  d.id = strdup(id->valuestring);
  d.region = dup_field(o, "RegionId");
  if (d.region == NULL)
    d.region = strdup(region);
  d.name = dup_field(o, "DesktopName");
  d.status = dup_field(o, "DesktopStatus");
  d.connection = dup_field(o, "ConnectionStatus");
  d.office_site = dup_field(o, "OfficeSiteId");
  d.group = dup_field(o, "DesktopGroupId");
  d.policy = dup_field(o, "PolicyGroupId");
  d.image = dup_field(o, "ImageId");
  d.type = dup_field(o, "DesktopType");
  rc = read_lists(&d, o);
  if (rc == 0 && (d.id == NULL || d.region == NULL))
    rc = WR_ENOMEM;
  if (rc == 0 && wr_select_match(s, &d)) {
    if (s->n == s->cap) {
      size_t cap = s->cap ? s->cap * 2 : 256;
      struct wr_sel_desktop *v = realloc(s->v, cap * sizeof(*v));

      if (v == NULL) {
        rc = WR_ENOMEM;
        goto out;
      }
      s->v = v;
      s->cap = cap;
    }
    if (wr_idset_add(s->seen, d.id, strlen(d.id), NULL) < 0) {
      rc = WR_ENOMEM;
      goto out;
    }
    s->v[s->n++] = d;
    return 0;
  }
out:
  wr_sel_desktop_free(&d); /* not taken */
  return rc;
}

/* Send one page, with retries.  0 with body filled, or an error. */
static int fetch_page(struct pager *pg, const char *region,
                      const struct query *q, const char *token, long page,
                      struct wr_buf *body, struct wr_api_result *res)
{
  const struct wr_config *cfg = pg->cfg;
  struct wr_api_target t = {WR_API_ADMIN, cfg->signature, cfg->endpoint};
  struct wr_call call;
  struct wr_retry_state st;
  int rc;

  memset(&call, 0, sizeof(call));
  call.action = "DescribeDesktops";
  call.region = region;
  call.max_results = PAGE_SIZE;
  call.next_token = token;
  memset(&st, 0, sizeof(st));
  for (;;) {
    struct wr_http_request req;
    struct wr_attempt at;
    struct wr_fetch_req fr;
    const char *lines[WR_HTTP_HEADERS_MAX + 1];
    char nonce[WR_NONCE_LEN];
    struct wr_err ferr = {0};
    enum wr_retry_verdict v;
    int64_t now = wr_clock_now_ms(), wait;
    long status = 0;
    size_t i;

    while (wr_ratelimit_avail(&pg->rl, now) == 0) {
      wait = wr_ratelimit_wait_ms(&pg->rl, now);
      sleep_ms(wait > 0 ? wait : 1);
      now = wr_clock_now_ms();
    }
    wr_ratelimit_drain(&pg->rl, 1, now);
    if (wr_api_nonce(nonce) < 0)
      return wr_err_set(pg->err, WR_EIO, "cannot make a nonce");
    at.wall_ms = wr_clock_wall_ms();
    at.nonce = nonce;
    rc = wr_api_build_with(&t, pg->creds, &call, q->p, q->n, &at, &req,
                           pg->err);
    if (rc < 0)
      return rc;
    for (i = 0; i < req.nheaders; i++)
      lines[i] = req.headers[i].line;
    lines[i] = NULL;
    memset(&fr, 0, sizeof(fr));
    fr.method = req.method;
    fr.url = req.url;
    fr.headers = lines;
    fr.body = req.body;
    fr.body_len = req.body_len;
    fr.connect_timeout_ms = (long)(cfg->timeout_s * 1000);
    fr.timeout_ms = (long)(cfg->timeout_s * 1000);
    fr.max_body = PAGE_BODY_MAX;
    pg->s->queries += token == NULL && st.attempts == 0;
    rc = wr_fetch(&fr, &status, body, &ferr);
    wr_http_request_free(&req);
    if (rc == WR_ENOMEM)
      return wr_err_set(pg->err, rc, "out of memory");
    if (rc < 0)
      wr_api_classify_transport(WR_TRANSPORT_AMBIGUOUS, ferr.msg, res);
    else
      wr_api_classify_response(status, body->data ? body->data : "",
                               body->len, NULL, res);
    wr_creds_redact_field(pg->creds, res->code, sizeof(res->code));
    wr_creds_redact_field(pg->creds, res->message, sizeof(res->message));
    now = wr_clock_now_ms();
    if (res->outcome == WR_OUTCOME_THROTTLED)
      wr_ratelimit_throttled(&pg->rl, now, res->retry_after_ms);
    else if (res->http_status > 0)
      wr_ratelimit_accepted(&pg->rl, now);
    v = wr_retry_next(&pg->retry, &st, res);
    if (v == WR_RETRY_OK)
      return 0;
    if (v != WR_RETRY_AGAIN)
      return wr_err_set(pg->err, WR_EPROTO, "DescribeDesktops in %s, page "
                        "%ld of the query %s: %s%s%s (HTTP %ld, RequestId "
                        "%s) after %d attempt(s): the selection is "
                        "incomplete, nothing was rebooted", region, page,
                        q->desc[0] ? q->desc : "(no filter)",
                        res->code[0] ? res->code : "no answer",
                        res->message[0] ? ": " : "", res->message,
                        res->http_status,
                        res->request_id[0] ? res->request_id : "none",
                        st.attempts);
    wr_debugf("DescribeDesktops in %s page %ld: %s, retrying", region, page,
              res->code[0] ? res->code : res->message);
    wr_buf_free(body);
    pg->rnd ^= pg->rnd << 13, pg->rnd ^= pg->rnd >> 7, pg->rnd ^= pg->rnd << 17;
    sleep_ms(wr_retry_delay_ms(&pg->retry,
                               (unsigned)(st.transient_retries +
                                          st.throttle_retries),
                               res->retry_after_ms, (uint32_t)pg->rnd));
  }
}

static int push_request_id(struct wr_selection *s, const char *id)
{
  char **v = realloc(s->request_ids, (s->nrequest_ids + 1) * sizeof(*v));

  if (v == NULL)
    return WR_ENOMEM;
  s->request_ids = v;
  v[s->nrequest_ids] = strdup(id);
  if (v[s->nrequest_ids] == NULL)
    return WR_ENOMEM;
  s->nrequest_ids++;
  return 0;
}

/* Every page of one query in one region. */
static int run_query(struct pager *pg, const char *region,
                     const struct query *q)
{
  struct wr_idset *tokens = NULL;
  char *token = NULL;
  long page = 0;
  int rc;

  if (wr_idset_create(64, &tokens) < 0)
    return wr_err_set(pg->err, WR_ENOMEM, "out of memory");
  for (;;) {
    struct wr_buf body;
    struct wr_api_result res;
    cJSON *o, *arr, *it;
    const cJSON *next;

    page++;
    wr_buf_init(&body, PAGE_BODY_MAX);
    rc = fetch_page(pg, region, q, token, page, &body, &res);
    if (rc < 0) {
      wr_buf_free(&body);
      break;
    }
    pg->s->pages++;
    o = cJSON_ParseWithLength(body.data ? body.data : "", body.len);
    wr_buf_free(&body);
    arr = cJSON_GetObjectItemCaseSensitive(o, "Desktops");
    if (!cJSON_IsArray(arr)) {
      rc = wr_err_set(pg->err, WR_EPROTO, "DescribeDesktops in %s, page %ld "
                      "(RequestId %s): the answer has no Desktops list: the "
                      "selection is incomplete, nothing was rebooted",
                      region, page, res.request_id);
      cJSON_Delete(o);
      break;
    }
    rc = push_request_id(pg->s, res.request_id);
    cJSON_ArrayForEach(it, arr) {
      if (rc == 0)
        rc = take(pg->s, it, region);
    }
    if (rc == WR_EPROTO)
      rc = wr_err_set(pg->err, rc, "DescribeDesktops in %s, page %ld "
                      "(RequestId %s): a desktop without DesktopId", region,
                      page, res.request_id);
    else if (rc < 0)
      rc = wr_err_set(pg->err, rc, "out of memory");
    next = cJSON_GetObjectItemCaseSensitive(o, "NextToken");
    free(token);
    token = NULL;
    if (rc == 0 && cJSON_IsString(next) && next->valuestring[0] != '\0') {
      /* The loop guard: a token seen before would page forever. */
      if (wr_idset_add(tokens, next->valuestring, strlen(next->valuestring),
                       NULL) == 0)
        rc = wr_err_set(pg->err, WR_EPROTO, "DescribeDesktops in %s, page "
                        "%ld (RequestId %s): NextToken \"%.64s\" was given "
                        "before: the API pages in a loop; the selection is "
                        "incomplete, nothing was rebooted", region, page,
                        res.request_id, next->valuestring);
      else if ((token = strdup(next->valuestring)) == NULL)
        rc = wr_err_set(pg->err, WR_ENOMEM, "out of memory");
    }
    cJSON_Delete(o);
    if (rc < 0 || token == NULL)
      break;
    wr_debugf("DescribeDesktops in %s: page %ld done, %zu selected so far",
              region, page, pg->s->n);
  }
  free(token);
  wr_idset_destroy(&tokens);
  return rc;
}

/* ---- the queries ------------------------------------------------------ */

static bool same_dim(const struct wr_sel_filter *a,
                     const struct wr_sel_filter *b)
{
  return a->key == b->key &&
         (a->key != WR_SEL_TAG || strcmp(a->tag, b->tag) == 0);
}

/* The one-value keys are dimensions; a query takes one value of each.
 * dim[i]: the first filter of dimension i; idx: the chosen filter of
 * each.  Lists (user, image) go whole into every query. */
static void build_query(const struct wr_selection *s, const size_t *choice,
                        size_t ndim, struct query *q)
{
  size_t i, ntag = 0, nuser = 0, nimage = 0;
  char name[NAME_LEN];
  bool group = s->with_pooled;

  q->n = 0;
  q->desc[0] = '\0';
  for (i = 0; i < ndim; i++) {
    const struct wr_sel_filter *f = &s->filters[choice[i]];

    if (f->key == WR_SEL_TAG) {
      ntag++;
      snprintf(name, sizeof(name), "Tag.%zu.Key", ntag);
      qadd(q, name, f->tag);
      snprintf(name, sizeof(name), "Tag.%zu.Value", ntag);
      qadd(q, name, f->value);
    } else {
      qadd(q, param_of[f->key], f->value);
      group |= f->key == WR_SEL_GROUP;
    }
  }
  for (i = 0; i < s->nfilters; i++) {
    const struct wr_sel_filter *f = &s->filters[i];

    if (f->key == WR_SEL_USER) {
      snprintf(name, sizeof(name), "EndUserId.%zu", ++nuser);
      qadd(q, name, f->value);
    } else if (f->key == WR_SEL_IMAGE) {
      snprintf(name, sizeof(name), "ImageId.%zu", ++nimage);
      qadd(q, name, f->value);
    }
  }
  /* Pooled desktops are left out unless asked for (FilterDesktopGroup
   * defaults to true); OnlyDesktopGroup would drop DesktopGroupId. */
  if (group)
    qadd(q, "FilterDesktopGroup", "false");
}

int wr_select_run(struct wr_selection *s, const struct wr_config *cfg,
                  const struct wr_creds *creds, struct wr_err *err)
{
  struct pager pg;
  struct query *q = NULL;
  size_t dim[WR_API_EXTRA_MAX], ndim = 0, size[WR_API_EXTRA_MAX];
  size_t choice[WR_API_EXTRA_MAX], nusers = 0, nimages = 0, combos = 1;
  size_t i, j, r;
  int rc;

  memset(&pg, 0, sizeof(pg));
  pg.s = s;
  pg.cfg = cfg;
  pg.creds = creds;
  pg.err = err;
  pg.rnd = (uint64_t)wr_clock_now_ms() * 0x9e3779b97f4a7c15ULL | 1;
  for (i = 0; i < s->nfilters; i++) {
    const struct wr_sel_filter *f = &s->filters[i];

    if (f->key == WR_SEL_USER || f->key == WR_SEL_IMAGE) {
      nusers += f->key == WR_SEL_USER;
      nimages += f->key == WR_SEL_IMAGE;
      continue;
    }
    for (j = 0; j < ndim; j++)
      if (same_dim(&s->filters[dim[j]], f))
        break;
    if (j == ndim) {
      dim[ndim] = i;
      size[ndim++] = 0;
    }
    size[j]++;
  }
  if (nusers > LIST_MAX || nimages > LIST_MAX)
    return wr_err_set(err, WR_EUSAGE, "--select: at most %d user and %d "
                      "image values (DescribeDesktops takes 1 to 100)",
                      LIST_MAX, LIST_MAX);
  for (j = 0; j < ndim; j++) {
    combos *= size[j];
    if (combos > QUERIES_MAX)
      return wr_err_set(err, WR_EUSAGE, "--select: more than %d "
                        "combinations of values, each a query of its own "
                        "per region: select by fewer values",
                        QUERIES_MAX);
  }
  if ((q = malloc(sizeof(*q))) == NULL)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  if (wr_ratelimit_init(&pg.rl, cfg->rate, wr_clock_now_ms()) < 0) {
    free(q);
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  }
  wr_retry_policy_init(&pg.retry, cfg->retries);
  rc = 0;
  for (r = 0; r < s->nregions && rc == 0; r++) {
    size_t k[WR_API_EXTRA_MAX]; /* the value index of each dimension */

    memset(k, 0, sizeof(k));
    for (;;) {
      /* the k[j]-th filter of dimension j */
      for (j = 0; j < ndim; j++) {
        size_t seen = 0;

        for (i = dim[j]; i < s->nfilters; i++)
          if (same_dim(&s->filters[i], &s->filters[dim[j]]) &&
              seen++ == k[j])
            break;
        choice[j] = i;
      }
      build_query(s, choice, ndim, q);
      rc = run_query(&pg, s->regions[r], q);
      if (rc < 0)
        break;
      for (j = 0; j < ndim; j++) {
        if (++k[j] < size[j])
          break;
        k[j] = 0;
      }
      if (j == ndim)
        break;
    }
  }
  s->taken_ms = wr_clock_wall_ms();
  wr_ratelimit_free(&pg.rl);
  free(q);
  return rc;
}
