/* audit_story: what every format tells the same way, for a security
 * review: who ran each session and with which credentials, the inputs
 * and their checksums, the safety options and where each came from,
 * each session's own time and rate, waves, verification (Running, not
 * Running, not verified), ambiguous attempts and how each ended, and
 * every failed desktop with its code.  Kept apart from audit.c so the
 * renderers share one order and one wording. */
#include "audit.h"

#include "buf.h"
#include "clock.h"

#include <stdlib.h>
#include <string.h>

const char *const wr_audit_safety_options[] = {
    "canary", "wave-size", "max-errors", "deadline", "verify",
    "verify-timeout", "preflight", "rate", "concurrency", "retries",
    "timeout", NULL};

static int64_t wall(const char *s)
{
  int64_t ms;

  return s != NULL && wr_time_parse_rfc3339(s, &ms) == 0 ? ms : -1;
}

/* The options in effect last: a resume's override the run's. */
static const cJSON *options(const struct wr_audit *a, const cJSON **origins)
{
  size_t i = a->rr->nsessions;

  *origins = NULL;
  while (i-- > 0)
    if (a->rr->sessions[i].options != NULL) {
      *origins = a->rr->sessions[i].origins;
      return a->rr->sessions[i].options;
    }
  return a->rr->run.options;
}

static const char *value_text(const cJSON *v, char *buf, size_t len)
{
  if (v == NULL)
    return NULL;
  if (cJSON_IsString(v))
    return v->valuestring;
  if (cJSON_IsBool(v))
    return cJSON_IsTrue(v) ? "yes" : "no";
  if (cJSON_IsNumber(v)) {
    snprintf(buf, len, "%g", v->valuedouble);
    return buf;
  }
  return "none";
}

const char *wr_audit_option(const struct wr_audit *a, const char *name,
                            char *buf, size_t len, const char **origin)
{
  const cJSON *origins, *opts = options(a, &origins), *o, *v;

  o = cJSON_GetObjectItemCaseSensitive(origins, name);
  *origin = cJSON_IsString(o) ? o->valuestring : NULL;
  v = cJSON_GetObjectItemCaseSensitive(opts, name);
  if (v == NULL) { /* a session record without it: the run's */
    v = cJSON_GetObjectItemCaseSensitive(a->rr->run.options, name);
    *origin = NULL;
  }
  return value_text(v, buf, len);
}

int wr_audit_story_build(struct wr_audit *a)
{
  const struct wr_rread *rr = a->rr;
  const cJSON *v;
  size_t i;

  if (rr->nsessions > 0) {
    a->sessions = calloc(rr->nsessions, sizeof(*a->sessions));
    if (a->sessions == NULL)
      return WR_ENOMEM;
  }
  a->nsessions = rr->nsessions;
  for (i = 0; i < rr->nsessions; i++) {
    struct wr_audit_session *as = &a->sessions[i];
    const struct wr_rread_session *s = &rr->sessions[i];
    const cJSON *o = s->options != NULL ? s->options
                     : i == 0           ? rr->run.options
                                        : NULL;
    int64_t start = wall(s->started_at), end;

    as->s = s;
    as->finished_at = s->finished_at != NULL ? s->finished_at
                                             : s->last_record_at;
    end = wall(as->finished_at);
    as->duration_s = as->calls_per_s = as->rate_limit = -1;
    if (start >= 0 && end >= start) {
      as->duration_s = (double)(end - start) / 1000.0;
      if (end > start)
        as->calls_per_s = (double)s->calls / as->duration_s;
    }
    v = cJSON_GetObjectItemCaseSensitive(o, "rate");
    if (cJSON_IsNumber(v))
      as->rate_limit = v->valuedouble;
  }
  /* Across sessions, time is the sum of theirs: never the gap between a
   * run and its resume. */
  if (rr->nsessions > 1) {
    double sum = 0;

    for (i = 0; i < a->nsessions && sum >= 0; i++)
      sum = a->sessions[i].duration_s < 0 ? -1
                                          : sum + a->sessions[i].duration_s;
    if (sum >= 0) {
      a->duration_s = sum;
      a->calls_per_s = a->desktops_per_s = -1;
      if (sum > 0) {
        a->calls_per_s = (double)a->calls / sum;
        a->desktops_per_s = (double)(a->ok + a->failed) / sum;
      }
    }
  }
  /* verify_on, verified, not_verified: audit.c, per desktop. */
  return 0;
}

/* --- rendering ---------------------------------------------------------- */

static void who(const struct wr_audit *a, const struct wr_audit_story_ops *ops,
                FILE *out)
{
  char name[64], b[512];
  size_t i;
  bool client;

  ops->section(out, "Who ran it");
  client = a->rr->run.api != NULL && strcmp(a->rr->run.api, "client") == 0;
  for (i = 0; i < a->nsessions; i++) {
    const struct wr_rread_session *s = a->sessions[i].s;

    snprintf(name, sizeof(name), "Session %zu (%s)", i, s->kind);
    if (!s->has_record) {
      ops->row(out, name, "not recorded (a report older than session "
                          "records)");
      continue;
    }
    /* The client API has no AccessKey: its session names the client. */
    snprintf(b, sizeof(b), "user %s on host %s, pid %ld; credentials: %s, "
             "%s %s; wuying-reboot %s", s->user ? s->user : "?",
             s->host ? s->host : "?", s->pid,
             s->creds_source ? s->creds_source : "unknown",
             client ? "client id" : "key",
             s->key_id_masked ? s->key_id_masked : "none",
             s->tool_version ? s->tool_version : "?");
    if (s->renewals > 0) {
      size_t n = strlen(b);

      snprintf(b + n, sizeof(b) - n, "; credentials renewed %ld time%s "
               "(last key %s, expires %s)", s->renewals,
               s->renewals == 1 ? "" : "s",
               s->renewed_key_id_masked ? s->renewed_key_id_masked : "?",
               s->renewed_expires_at ? s->renewed_expires_at : "?");
    }
    ops->row(out, name, b);
  }
  ops->end(out);
}

static void inputs(const struct wr_audit *a,
                   const struct wr_audit_story_ops *ops, FILE *out)
{
  const struct wr_rread_run *run = &a->rr->run;
  char b[256];
  size_t i;

  if (run->ninput_files == 0 && run->ninputs == 0)
    return;
  ops->section(out, "Inputs");
  if (run->ninput_files == 0)
    for (i = 0; i < run->ninputs; i++)
      ops->row(out, run->inputs[i], "no checksum recorded");
  for (i = 0; i < run->ninput_files; i++) {
    const struct wr_rread_input *in = &run->input_files[i];

    snprintf(b, sizeof(b), "%.0f bytes, %ld rows, sha256 %s",
             in->bytes, in->rows, in->sha256 ? in->sha256 : "unknown");
    ops->row(out, in->path ? in->path : "?", b);
  }
  ops->end(out);
}

static void safety(const struct wr_audit *a,
                   const struct wr_audit_story_ops *ops, FILE *out)
{
  char v[64], b[160];
  const char *val, *origin;
  size_t i;

  ops->section(out, "Safety settings");
  for (i = 0; wr_audit_safety_options[i] != NULL; i++) {
    val = wr_audit_option(a, wr_audit_safety_options[i], v, sizeof(v),
                          &origin);
    if (val == NULL && strcmp(wr_audit_safety_options[i], "preflight") == 0)
      continue; /* only when the run had it */
    snprintf(b, sizeof(b), "%s%s%s%s", val != NULL ? val : "not recorded",
             origin != NULL ? " (" : "", origin != NULL ? origin : "",
             origin != NULL ? ")" : "");
    ops->row(out, wr_audit_safety_options[i], b);
  }
  ops->end(out);
}

/* The options a resume gave again on its command line. */
static void overrides(const struct wr_rread_session *s, char *b, size_t len)
{
  const cJSON *o;
  char v[64];
  size_t n = 0;

  b[0] = '\0';
  cJSON_ArrayForEach(o, s->origins) {
    const char *val;

    if (!cJSON_IsString(o) || strcmp(o->valuestring, "resume override") != 0)
      continue;
    val = value_text(cJSON_GetObjectItemCaseSensitive(s->options, o->string),
                     v, sizeof(v));
    n += (size_t)snprintf(b + n, n < len ? len - n : 0, "%s--%s %s",
                          n > 0 ? ", " : "; overrides: ", o->string,
                          val != NULL ? val : "");
    if (n >= len)
      break;
  }
}

static void sessions(const struct wr_audit *a,
                     const struct wr_audit_story_ops *ops, FILE *out)
{
  char name[64], d[64], r[64], lim[64], ov[256], b[640];
  size_t i;

  ops->section(out, "Sessions");
  for (i = 0; i < a->nsessions; i++) {
    const struct wr_audit_session *as = &a->sessions[i];

    snprintf(name, sizeof(name), "Session %zu (%s)", i, as->s->kind);
    if (as->calls_per_s >= 0)
      snprintf(r, sizeof(r), "%.2f calls/s", as->calls_per_s);
    else
      snprintf(r, sizeof(r), "rate unknown");
    overrides(as->s, ov, sizeof(ov));
    snprintf(b, sizeof(b), "%s to %s%s, %s, %ld calls, %s (limit %s)%s",
             as->s->started_at ? as->s->started_at : "?",
             as->finished_at ? as->finished_at : "?",
             as->s->ended ? "" : " (no summary)",
             wr_audit_duration(as->duration_s, d, sizeof(d)), as->s->calls,
             r, wr_audit_rate(as->rate_limit, lim, sizeof(lim)), ov);
    ops->row(out, name, b);
  }
  ops->end(out);
}

static void waves(const struct wr_audit *a,
                  const struct wr_audit_story_ops *ops, FILE *out)
{
  char name[48], b[192], ex[48];
  size_t i;

  ops->section(out, "Waves");
  snprintf(b, sizeof(b), "%zu", a->nwaves);
  ops->row(out, "Waves finished", b);
  for (i = 0; i < a->nwaves; i++) {
    const struct wr_audit_wave *w = &a->waves[i];

    snprintf(name, sizeof(name), "Wave %ld%s", w->wave,
             w->canary ? " (canary)" : "");
    ex[0] = '\0';
    if (w->excluded > 0)
      snprintf(ex, sizeof(ex), ", %zu excluded", w->excluded);
    snprintf(b, sizeof(b), "%zu ok, %zu failed%s, ended %s", w->ok, w->failed,
             ex, w->finished_at ? w->finished_at : "?");
    ops->row(out, name, b);
  }
  ops->end(out);
}

static void verification(const struct wr_audit *a,
                         const struct wr_audit_story_ops *ops, FILE *out)
{
  char b[64];

  if (!a->verify_on)
    return;
  /* Of the ok desktops: the three add up to them. */
  ops->section(out, "Verification");
  snprintf(b, sizeof(b), "%zu", a->v_running);
  ops->row(out, "Running", b);
  snprintf(b, sizeof(b), "%zu", a->not_running);
  ops->row(out, "Not Running", b);
  snprintf(b, sizeof(b), "%zu", a->not_verified);
  ops->row(out, "Not verified", b);
  ops->end(out);
}

static void ambiguous(const struct wr_audit *a,
                      const struct wr_audit_story_ops *ops, FILE *out)
{
  const struct wr_rread *rr = a->rr;
  char name[64], b[320];
  size_t i;

  if (a->nambiguous_chunks == 0)
    return;
  ops->section(out, "Ambiguous attempts");
  for (i = 0; i < rr->nchunks; i++) {
    const struct wr_rread_chunk *c = &rr->chunks[i];

    if (c->ambiguous_attempts <= 0)
      continue;
    snprintf(name, sizeof(name), "Chunk %s", c->id);
    if (c->status == WR_RREAD_OK && c->confirmed_by != NULL)
      snprintf(b, sizeof(b), "%d ambiguous of %d attempts; resolved: ok, "
               "confirmed by a later answer (%.200s)", c->ambiguous_attempts,
               c->attempts, c->confirmed_by);
    else if (c->status == WR_RREAD_OK)
      snprintf(b, sizeof(b), "%d ambiguous of %d attempts; resolved: ok "
               "(RequestId %s)%s", c->ambiguous_attempts, c->attempts,
               c->request_id ? c->request_id : "none",
               c->client_token ? ", one ClientToken" : "");
    else if (c->status == WR_RREAD_SPLIT)
      snprintf(b, sizeof(b), "%d ambiguous of %d attempts; resolved: split, "
               "its parts sent alone", c->ambiguous_attempts, c->attempts);
    else if (c->retried_by >= 0)
      snprintf(b, sizeof(b), "%d ambiguous of %d attempts; %s %s, then "
               "retried as chunk %s: %s", c->ambiguous_attempts, c->attempts,
               wr_rread_status_name(c->status),
               c->error_code ? c->error_code : "(no error code)",
               rr->chunks[c->retried_by].id,
               wr_rread_status_name(rr->chunks[c->retried_by].status));
    else
      snprintf(b, sizeof(b), "%d ambiguous of %d attempts; unresolved: %s "
               "%s", c->ambiguous_attempts, c->attempts,
               wr_rread_status_name(c->status),
               c->error_code ? c->error_code : "(no error code)");
    ops->row(out, name, b);
  }
  ops->end(out);
}

struct failed_ctx {
  const struct wr_audit_story_ops *ops;
  FILE *out;
};

static int failed_leaf(const struct wr_rread_chunk *c, void *ud)
{
  struct failed_ctx *f = ud;
  char b[320];
  size_t k;

  if (c->status != WR_RREAD_FAILED)
    return 0;
  snprintf(b, sizeof(b), "%s, chunk %s%s", c->error_code ? c->error_code
                                                        : "(no error code)",
           c->id, c->retry_pending ? ", retry pending" : "");
  for (k = 0; k < c->nids; k++)
    f->ops->row(f->out, c->ids[k], b);
  return 0;
}

static void failed(const struct wr_audit *a,
                   const struct wr_audit_story_ops *ops, FILE *out)
{
  struct failed_ctx f = {ops, out};

  if (a->failed == 0)
    return;
  ops->section(out, "Every failed desktop (error code, chunk)");
  wr_audit_each_leaf(a->rr, failed_leaf, &f);
  ops->end(out);
}

/* resume --retry-failed: each retry chunk, the failure it re-sent and
 * how it ended.  The failed record stays in the report (the history);
 * the counts above take the retry's state. */
static void retried(const struct wr_audit *a,
                    const struct wr_audit_story_ops *ops, FILE *out)
{
  const struct wr_rread *rr = a->rr;
  const struct wr_rread_chunk *c, *o;
  char name[96], b[320];
  size_t i;

  if (a->retried_chunks == 0)
    return;
  ops->section(out, "Retried failures (resume --retry-failed)");
  snprintf(b, sizeof(b), "%zu desktop%s in %zu chunk%s: %zu now ok, %zu "
           "failed again, %zu excluded, skipped or pending", a->retried,
           wr_audit_plural(a->retried), a->retried_chunks,
           wr_audit_plural(a->retried_chunks), a->retried_ok,
           a->retried_failed, a->retried_other);
  ops->row(out, "Re-sent", b);
  for (i = 0; i < rr->nchunks; i++) {
    c = &rr->chunks[i];
    if (c->retry_of < 0)
      continue;
    o = &rr->chunks[c->retry_of];
    snprintf(name, sizeof(name), "Chunk %s", c->id);
    snprintf(b, sizeof(b), "retry of %s (failed %s), %zu desktop%s: %s%s%s",
             o->id, o->error_code ? o->error_code : "(no error code)",
             c->nids, wr_audit_plural(c->nids),
             wr_rread_status_name(c->status),
             c->status == WR_RREAD_FAILED && c->error_code ? " " : "",
             c->status == WR_RREAD_FAILED && c->error_code ? c->error_code
                                                          : "");
    ops->row(out, name, b);
  }
  ops->end(out);
}

void wr_audit_story(const struct wr_audit *a,
                    const struct wr_audit_story_ops *ops, FILE *out)
{
  who(a, ops, out);
  inputs(a, ops, out);
  safety(a, ops, out);
  sessions(a, ops, out);
  if (!ops->skip_waves)
    waves(a, ops, out);
  verification(a, ops, out);
  ambiguous(a, ops, out);
  retried(a, ops, out);
  if (!ops->skip_failed)
    failed(a, ops, out);
}
