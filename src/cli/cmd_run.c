/* `wuying-reboot run`: plan, credentials, report, then the calls.
 * Everything that can be refused is checked before the first call
 * (exit 2, nothing sent; so is a report that cannot hold the plan); run_session.c sends the calls and tears the
 * loop down in order; the report is closed (fsync) here and the summary
 * goes to stderr. */
#include "cmd.h"

#include "clock.h"
#include "auth.h"
#include "creds.h"
#include "log.h"
#include "notify.h"
#include "uuid.h"
#include "plan.h"
#include "journal.h"
#include "journal_records.h"
#include "run_session.h"
#include "select.h"

#include <stdio.h>
#include <string.h>

#define PATH_LEN 96

/* Write one record (owned here; NULL: out of memory) and free it. */
static int put(struct wr_journal *r, cJSON *rec, struct wr_err *err)
{
  int rc = wr_journal_write(r, rec, wr_clock_now_ms(), err);

  cJSON_Delete(rec);
  return rc;
}

int wr_cmd_add_provenance(void *record, const struct wr_creds *c)
{
  char mask[WR_CREDS_MASK_LEN], ts[WR_TIME_RFC3339_LEN];
  cJSON *o;

  if (record == NULL)
    return WR_ENOMEM;
  o = cJSON_AddObjectToObject(record, "credentials");
  if (o == NULL ||
      cJSON_AddStringToObject(o, "step", c->step ? c->step : "") == NULL ||
      cJSON_AddStringToObject(o, "source", c->source ? c->source : "") ==
          NULL)
    return WR_ENOMEM;
  if (c->access_key_id != NULL) {
    wr_creds_mask_id(c->access_key_id, mask);
    if (cJSON_AddStringToObject(o, "access_key_id", mask) == NULL)
      return WR_ENOMEM;
  }
  if (c->expires_ms > 0) {
    wr_time_iso_seconds(c->expires_ms, ts);
    if (cJSON_AddStringToObject(o, "expires_at", ts) == NULL)
      return WR_ENOMEM;
  }
  return 0;
}

/* The run, rejected and plan records, before any call: the same bytes
 * as `plan --json` prints, and where the credentials came from. */
static int write_preamble(struct wr_journal *r, const struct wr_config *cfg,
                          const struct wr_plan *plan,
                          const struct wr_selection *sel,
                          const struct wr_creds *creds, struct wr_err *err)
{
  cJSON *run;
  char run_id[WR_CLIENT_TOKEN_LEN];
  struct wr_plan_record *pr = NULL;
  struct wr_err ignored;
  size_t i;
  int rc, end;

  if (wr_uuid4(run_id) < 0)
    return wr_err_set(err, WR_EIO, "cannot make a run id");
  /* Batched (few write(2)s, one fsync): durable before the first call. */
  wr_journal_batch_begin(r);
  run = wr_record_run(cfg, plan, run_id, wr_clock_wall_ms(),
                      cfg->endpoint);
  if (wr_cmd_add_provenance(run, creds) < 0 ||
      wr_cmd_add_selection(run, cfg, sel) < 0) {
    cJSON_Delete(run);
    run = NULL;
  }
  rc = put(r, run, err);
  for (i = 0; rc == 0 && i < plan->nrejected; i++)
    rc = put(r, wr_record_rejected(&plan->rejected[i]), err);
  /* One plan record per chunk: one tree, refilled. */
  if (rc == 0 && wr_plan_record_create(&pr) < 0)
    rc = wr_err_set(err, WR_ENOMEM, "%s: out of memory building a record",
                    wr_journal_path(r));
  for (i = 0; rc == 0 && i < plan->nchunks; i++) {
    rc = wr_journal_write(r, wr_plan_record_fill(pr, &plan->chunks[i]),
                          wr_clock_now_ms(), err);
    if (rc == 0 && plan->nkeep > 0)
      rc = put(r, wr_record_columns(plan, &plan->chunks[i]), err);
  }
  wr_plan_record_destroy(&pr);
  /* After the plan: the preamble stays the bytes `plan --json` prints. */
  if (rc == 0)
    rc = wr_cmd_write_session(r, "run", 0, cfg, plan, creds, err);
  end = wr_journal_batch_end(r, wr_clock_now_ms(), rc == 0 ? err : &ignored);
  return rc < 0 ? rc : end;
}

/* wuying-reboot-20261129T191529Z.jsonl */
static void default_report_path(char out[PATH_LEN])
{
  char ts[WR_TIME_RFC3339_LEN], compact[WR_TIME_RFC3339_LEN];
  size_t i, j = 0;

  wr_time_iso_seconds(wr_clock_wall_ms(), ts);
  for (i = 0; ts[i] != '\0'; i++)
    if (ts[i] != '-' && ts[i] != ':')
      compact[j++] = ts[i];
  compact[j] = '\0';
  snprintf(out, PATH_LEN, "wuying-reboot-%s.jsonl", compact);
}

static void print_summary(const struct wr_dispatch_stats *st,
                          const char *path)
{
  const struct wr_summary *s = &st->summary;

  if (st->aborted) {
    wr_notef("aborted: %zu desktops ok, %zu failed so far; report %s "
             "(resumable); exit code %d", s->ok_desktops, s->failed_desktops,
             path, WR_EXIT_STOPPED);
    return;
  }
  wr_notef("%s: %zu desktops ok, %zu failed, %zu skipped, %zu excluded "
           "(%zu calls, %zu retries, %zu splits, %zu throttled); report %s; "
           "exit code %d",
           s->stop_reason != NULL ? "stopped" : "done", s->ok_desktops,
           s->failed_desktops, s->skipped_desktops, s->excluded_desktops,
           st->calls, st->retries,
           st->splits, st->throttled, path, s->exit_code);
}

/* The shortest lifetime STS grants (DurationSeconds >= 900): an STS
 * token of unknown expiry may end before a run longer than this. */
#define STS_LIFE_MIN_S 900

void wr_cmd_warn_expiry(const struct wr_config *cfg, size_t calls,
                        const struct wr_creds *c)
{
  char exp[WR_TIME_RFC3339_LEN], end[WR_TIME_RFC3339_LEN];
  struct wr_creds env;
  struct wr_err err;
  int64_t now = wr_clock_wall_ms(), end_ms;
  const char *from;
  double secs;
  bool token;

  if (cfg->api != WR_API_ADMIN || cfg->rate <= 0 || calls == 0)
    return;
  secs = (double)calls / cfg->rate;
  end_ms = now + (int64_t)(secs * 1000.0);
  wr_time_iso_seconds(end_ms, end);
  if (c != NULL && wr_auth_renewable(c)) {
    if (c->expires_ms < end_ms)
      wr_infof("the temporary credentials expire before the run's "
               "estimated end %s: they are renewed during the run", end);
    return;
  }
  if (c != NULL && c->expires_ms > 0) {
    if (end_ms < c->expires_ms)
      return;
    wr_time_iso_seconds(c->expires_ms, exp);
    wr_warnf("the credentials (%s) expire at %s, before the run's "
             "estimated end %s (%zu calls at %g/s), and cannot be renewed: "
             "the run stops then (exit 3) and `resume` with fresh "
             "credentials finishes it", c->source, exp, end, calls,
             cfg->rate);
    return;
  }
  /* `plan` loads no credentials: the environment is the chain's first
   * step, unless --profile names one. */
  if (c == NULL) {
    if (cfg->profile != NULL && cfg->profile[0] != '\0')
      return;
    memset(&env, 0, sizeof(env));
    memset(&err, 0, sizeof(err));
    token = wr_creds_from_env(&env, &err) == 1 && env.security_token != NULL;
    wr_creds_free(&env);
    from = "ALIBABA_CLOUD_SECURITY_TOKEN";
  } else {
    /* The environment's, or a StsToken profile's. */
    token = c->security_token != NULL;
    from = c->step != NULL && strcmp(c->step, "env") == 0
               ? "ALIBABA_CLOUD_SECURITY_TOKEN" : c->source;
  }
  if (!token || secs < STS_LIFE_MIN_S)
    return;
  wr_warnf("the STS token from %s cannot be renewed and its expiry is "
           "unknown (STS grants 15 min to 12 h); the run's estimated end is "
           "%s (%zu calls at %g/s): if the token expires first, the run "
           "stops (exit 3) and `resume` with a fresh token finishes it. "
           "Credentials from a RAM role (a RamRoleArn, OIDC or EcsRamRole "
           "profile) are renewed during the run", from, end, calls,
           cfg->rate);
}

/* Run the plan's calls.  Returns the exit code. */
static int run_loop(const struct wr_config *cfg, const struct wr_plan *plan,
                    const struct wr_creds *creds, struct wr_journal *report)
{
  struct wr_dispatch_stats st;

  wr_infof("rebooting %zu desktops in %zu calls (%s API, rate %g/s, "
           "concurrency %d); report %s", plan->ndesktops, plan->nchunks,
           cfg->api == WR_API_CLIENT ? "client" : "admin", cfg->rate,
           cfg->concurrency, wr_journal_path(report));
  if (wr_run_session(cfg, plan, NULL, NULL, creds, report, &st) < 0)
    return WR_EXIT_STOPPED;
  print_summary(&st, wr_journal_path(report));
  return st.aborted ? WR_EXIT_STOPPED : st.summary.exit_code;
}

int wr_cmd_run(const struct wr_config *cfg)
{
  struct wr_plan *plan = NULL;
  struct wr_selection sel;
  struct wr_creds creds;
  struct wr_journal *report = NULL;
  struct wr_err err = {0};
  char defpath[PATH_LEN];
  const char *path = NULL;
  int code = WR_EXIT_USAGE;
  bool have_creds = false, sent = false, empty = false;

  memset(&creds, 0, sizeof(creds));
  memset(&sel, 0, sizeof(sel));
  /* A selection needs the credentials first: it reads the API. */
  if (cfg->nselects > 0) {
    if (wr_cmd_select_creds(cfg, &creds, &err) < 0) {
      wr_errorf("%s", err.msg);
      goto out;
    }
    have_creds = true;
  }
  if (wr_cmd_build_plan(cfg, &creds, &sel, &plan, &empty, &err) < 0) {
    wr_errorf("%s", err.msg);
    wr_errorf("nothing was rebooted");
    goto out;
  }
  if (empty) {
    wr_notef("the selection matched no desktop: nothing to do, nothing "
             "was sent (--allow-empty)");
    code = WR_EXIT_OK;
    goto out;
  }
  if (plan->ndesktops == 0) {
    wr_errorf("no valid desktop ID in the input (%zu rejected): nothing to "
              "do", plan->nrejected);
    goto out;
  }
  if (!have_creds && wr_auth_load(cfg, &creds, &err) < 0) {
    wr_errorf("%s", err.msg);
    goto out;
  }
  have_creds = true;
  wr_cmd_warn_expiry(cfg, plan->nchunks, &creds);
  path = cfg->report_path;
  if (path == NULL) {
    default_report_path(defpath);
    path = defpath;
  }
  if (wr_journal_open(path, false, &report, &err) < 0) {
    wr_errorf("%s", err.msg);
    goto out;
  }
  /* Nothing is sent before the run, rejected and plan records are
   * durable: a crash from here on leaves a resumable report.  One cut
   * short (a plan incomplete) sent nothing and cannot be resumed. */
  if (write_preamble(report, cfg, plan, &sel, &creds, &err) < 0) {
    wr_errorf("%s", err.msg);
    wr_errorf("%s: nothing was sent: the plan could not be recorded, and "
              "a report holding part of it cannot be resumed; fix the "
              "cause and start a new run (another --report)", path);
    goto out;
  }
  sent = true;
  code = run_loop(cfg, plan, &creds, report);

out:
  if (report != NULL && wr_journal_close(&report, &err) < 0) {
    wr_errorf("%s", err.msg);
    if (sent)
      code = WR_EXIT_STOPPED;
  }
  /* After the report is closed: the message reads it back.  Only a run
   * that sent (or could have sent) something has news to tell. */
  if (sent)
    wr_notify_session(cfg, "run", path, code);
  if (have_creds)
    wr_creds_free(&creds);
  wr_plan_destroy(&plan);
  wr_select_free(&sel);
  return code;
}
