/* `wuying-reboot resume REPORT`: finish an interrupted run from its
 * report alone.
 *
 * The report is the journal: its run record gives the options (a job
 * file, run.options), its plan and split records the chunk tree, its
 * final records what is done.  What is left is every leaf without a
 * final record (a crash, a second signal), `skipped` (never sent: an
 * interrupt, --deadline, --max-errors, a canary stop) or `failed` with
 * "retry_pending" (sent, but the stop cut a due retry).  Those leaves
 * become the plan of this session, in plan order with their wave numbers,
 * ids and ClientTokens, and go through the same dispatch engine as `run`;
 * a part that fails again is split further ("17.1" -> "17.1.1").
 *
 * The report must be a regular file.  It is opened for appending first
 * and read through that descriptor; everything that can be refused is
 * checked before the file is touched (exit 2, file unchanged).  Then the
 * torn last line, if any, is cut off by the same rule as the reader's
 * (journal.h), a {"type":"resume"} record starts the session,
 * and the session ends with a summary of the WHOLE run (the earlier
 * sessions' final records included).
 *
 * --retry-failed: every failed leaf (final, not retry_pending, not yet
 * retried) is re-sent as a new chunk "<id>.r<session>", declared by a
 * {"type":"retry","retry_of":"<id>"} record with a fresh ClientToken; its
 * outcome becomes the desktops' final state (report_read.h).  With
 * --verify, the ok desktops that no verify record judged (the earlier
 * session stopped first) are checked before the first wave. */
#define _POSIX_C_SOURCE 200809L
#include "cmd.h"
#include "config_load.h"

#include "audit.h"
#include "uuid.h"

#include "clock.h"
#include "auth.h"
#include "creds.h"
#include "log.h"
#include "notify.h"
#include "plan.h"
#include "journal.h"
#include "report_read.h"
#include "run_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What is left: the leaves to send as a plan, and the earlier sessions'
 * final counts.  The plan's strings point into the report reader. */
struct left {
  struct wr_plan plan;
  size_t cap;
  struct wr_summary base;
  size_t unfinished;     /* leaves without any final record */
  size_t retry_pending;  /* failed leaves whose retry the stop cut */
  size_t retry_ambiguous; /* ... of which an attempt was ambiguous */
  /* --retry-failed */
  bool retry_failed;
  long session;          /* this session's number (the .r<N> suffix) */
  const char **retry_of; /* per plan chunk: the chunk it retries, or NULL */
  size_t retried, retried_chunks; /* failed desktops and chunks re-sent */
  /* --verify: ok desktops of earlier sessions never judged */
  const struct wr_audit *audit; /* NULL: --verify off */
  const char **eids, **eregions;
  size_t ecap;
  struct wr_dispatch_earlier earlier;
};

static int add_leaf(struct left *l, const struct wr_rread_chunk *c,
                    bool client, struct wr_err *err)
{
  struct wr_chunk *ch;

  if (client && c->client_token == NULL)
    return wr_err_set(err, WR_EINPUT, "chunk \"%s\" has no client_token in "
                      "a client-mode report: it cannot be re-sent "
                      "idempotently", c->id);
  if (strlen(c->id) >= WR_CHUNK_ID_LEN ||
      (c->client_token != NULL &&
       strlen(c->client_token) >= WR_CLIENT_TOKEN_LEN))
    return wr_err_set(err, WR_EINPUT, "chunk \"%.40s\": id or client_token "
                      "too long", c->id);
  if (l->plan.nchunks == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;

    ch = realloc(l->plan.chunks, cap * sizeof(*ch));
    if (ch == NULL)
      return wr_err_set(err, WR_ENOMEM, "out of memory");
    l->plan.chunks = ch;
    l->cap = cap;
  }
  if (l->retry_failed) {
    const char **r = realloc(l->retry_of, l->cap * sizeof(*r));

    if (r == NULL)
      return wr_err_set(err, WR_ENOMEM, "out of memory");
    l->retry_of = r;
    r[l->plan.nchunks] = NULL;
  }
  ch = &l->plan.chunks[l->plan.nchunks++];
  memset(ch, 0, sizeof(*ch));
  snprintf(ch->id, sizeof(ch->id), "%s", c->id);
  ch->region = c->region;
  ch->ids = c->ids;
  ch->nids = c->nids;
  ch->wave = c->wave;
  if (c->client_token != NULL)
    snprintf(ch->client_token, sizeof(ch->client_token), "%s",
             c->client_token);
  return 0;
}

/* Failed leaf c again, as a new chunk "<id>.r<session>" with a fresh
 * ClientToken (client mode). */
static int add_retry(struct left *l, const struct wr_rread_chunk *c,
                     bool client, struct wr_err *err)
{
  struct wr_chunk *ch;
  char id[WR_CHUNK_ID_LEN];
  int n = snprintf(id, sizeof(id), "%s.r%ld", c->id, l->session);
  int rc;

  if (n < 0 || (size_t)n >= sizeof(id))
    return wr_err_set(err, WR_EINPUT, "chunk \"%.40s\": its id is too long "
                      "for a retry chunk id", c->id);
  if ((rc = add_leaf(l, c, false, err)) < 0)
    return rc;
  /* add_leaf grew both arrays (retry_failed): never NULL here. */
  if (l->plan.chunks == NULL || l->retry_of == NULL)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  ch = &l->plan.chunks[l->plan.nchunks - 1];
  snprintf(ch->id, sizeof(ch->id), "%s", id);
  ch->client_token[0] = '\0';
  if (client && wr_uuid4(ch->client_token) < 0)
    return wr_err_set(err, WR_EIO, "cannot make a ClientToken: the random "
                      "number generator failed");
  l->retry_of[l->plan.nchunks - 1] = c->id;
  l->retried += c->nids;
  l->retried_chunks++;
  return 0;
}

/* An ok leaf: its desktops that no verify record judged, to check. */
static int unverified(struct left *l, const struct wr_rread_chunk *c,
                      struct wr_err *err)
{
  const char *at;
  size_t i;

  for (i = 0; l->audit != NULL && i < c->nids; i++) {
    if (wr_audit_verify_of(l->audit, c->ids[i], &at) !=
        WR_AUDIT_V_NOT_VERIFIED)
      continue;
    if (l->earlier.n == l->ecap) {
      size_t cap = l->ecap ? l->ecap * 2 : 64;
      const char **a = realloc(l->eids, cap * sizeof(*a));

      if (a == NULL)
        return wr_err_set(err, WR_ENOMEM, "out of memory");
      l->eids = a;
      a = realloc(l->eregions, cap * sizeof(*a));
      if (a == NULL)
        return wr_err_set(err, WR_ENOMEM, "out of memory");
      l->eregions = a;
      l->ecap = cap;
    }
    if (l->earlier.n == 0)
      l->earlier.wave = c->wave;
    l->eids[l->earlier.n] = c->ids[i];
    l->eregions[l->earlier.n++] = c->region;
  }
  l->earlier.ids = l->eids;
  l->earlier.regions = l->eregions;
  return 0;
}

/* Walk chunk i's tree: leaves to send, or counted as done. */
static int walk(const struct wr_rread *rr, size_t i, bool client,
                struct left *l, struct wr_err *err)
{
  const struct wr_rread_chunk *c = &rr->chunks[i];
  size_t k;
  int rc;

  /* Retried by an earlier --retry-failed: the retry is what counts. */
  if (c->retried_by >= 0)
    return walk(rr, (size_t)c->retried_by, client, l, err);
  switch (c->status) {
  case WR_RREAD_SPLIT:
    for (k = 0; k < c->nchildren; k++)
      if ((rc = walk(rr, c->first_child + k, client, l, err)) < 0)
        return rc;
    return 0;
  case WR_RREAD_OK:
    l->base.ok_chunks++;
    l->base.ok_desktops += c->nids;
    return unverified(l, c, err);
  case WR_RREAD_EXCLUDED:
    /* Final: pre-flight found it not Running; never re-sent. */
    l->base.excluded_chunks++;
    wr_summary_exclude(&l->base, c->reason != NULL ? c->reason : "other",
                       c->nids);
    return 0;
  case WR_RREAD_FAILED:
    if (c->retry_pending) {
      l->retry_pending++;
      l->retry_ambiguous += c->ambiguous_attempts > 0;
      break;
    }
    /* Not counted as failed: their new outcome will be. */
    if (l->retry_failed)
      return add_retry(l, c, client, err);
    l->base.failed_chunks++;
    l->base.failed_desktops += c->nids;
    return 0;
  case WR_RREAD_PENDING:
    l->unfinished++;
    break;
  case WR_RREAD_SKIPPED:
    break;
  }
  return add_leaf(l, c, client, err);
}

static int find_left(const struct wr_rread *rr, bool client, struct left *l,
                     struct wr_err *err)
{
  size_t i;
  int rc, last_wave = 0;

  for (i = 0; i < rr->nroots; i++) {
    if (i == 0 || rr->chunks[i].wave != last_wave)
      l->plan.nwaves++;
    last_wave = rr->chunks[i].wave;
    if (last_wave > l->plan.last_wave)
      l->plan.last_wave = last_wave;
    l->plan.ndesktops += rr->chunks[i].nids;
    if ((rc = walk(rr, i, client, l, err)) < 0)
      return rc;
  }
  /* No wave record for a session with nothing to send. */
  if (l->plan.nchunks == 0)
    l->plan.nwaves = 1;
  /* The earlier sessions' verification, per desktop as the audit has it:
   * with this session's, the summary's three counts. */
  if (l->audit != NULL) {
    l->base.verify = true;
    l->base.verify_running = l->audit->v_running;
    l->base.verify_not_running = l->audit->not_running;
  }
  return 0;
}

/* {"type":"retry","chunk","retry_of","region","wave","desktop_ids",
 * "client_token"} for each retry chunk, before any call: a report cut
 * after them still says what each retries. */
static int write_retries(struct wr_journal *r, const struct left *l,
                         struct wr_err *err)
{
  const struct wr_chunk *c;
  size_t i;
  cJSON *o;
  int rc;

  for (i = 0; l->retry_of != NULL && i < l->plan.nchunks; i++) {
    if (l->retry_of[i] == NULL)
      continue;
    c = &l->plan.chunks[i];
    o = wr_record_plan(c);
    if (o == NULL ||
        !cJSON_ReplaceItemInObject(o, "type", cJSON_CreateString("retry")) ||
        cJSON_AddStringToObject(o, "retry_of", l->retry_of[i]) == NULL) {
      cJSON_Delete(o);
      return wr_err_set(err, WR_ENOMEM, "out of memory");
    }
    rc = wr_journal_write(r, o, wr_clock_now_ms(), err);
    cJSON_Delete(o);
    if (rc < 0)
      return rc;
  }
  return 0;
}

/* {"type":"resume","started_at","tool_version","chunks","desktops"} */
static int write_resume(struct wr_journal *r, const struct left *l,
                        const struct wr_creds *creds, struct wr_err *err)
{
  char ts[WR_TIME_RFC3339_LEN];
  size_t i, n = 0;
  cJSON *o = cJSON_CreateObject();
  int rc;

  for (i = 0; i < l->plan.nchunks; i++)
    n += l->plan.chunks[i].nids;
  wr_time_rfc3339_ms(wr_clock_wall_ms(), ts);
  if (o == NULL || cJSON_AddStringToObject(o, "type", "resume") == NULL ||
      cJSON_AddStringToObject(o, "started_at", ts) == NULL ||
      cJSON_AddStringToObject(o, "tool_version", WR_VERSION) == NULL ||
      cJSON_AddNumberToObject(o, "chunks", (double)l->plan.nchunks) == NULL ||
      cJSON_AddNumberToObject(o, "desktops", (double)n) == NULL ||
      wr_cmd_add_provenance(o, creds) < 0) {
    cJSON_Delete(o);
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  }
  rc = wr_journal_write(r, o, wr_clock_now_ms(), err);
  cJSON_Delete(o);
  return rc;
}

static void print_summary(const struct wr_dispatch_stats *st,
                          const char *path)
{
  const struct wr_summary *s = &st->summary;

  if (st->aborted) {
    wr_notef("aborted: report %s (resumable again); exit code %d", path,
             WR_EXIT_STOPPED);
    return;
  }
  wr_notef("%s: %zu desktops ok, %zu failed, %zu skipped, %zu excluded over "
           "the whole run (this session: %zu calls, %zu retries, %zu splits, "
           "%zu throttled); report %s; exit code %d",
           s->stop_reason != NULL ? "stopped" : "done", s->ok_desktops,
           s->failed_desktops, s->skipped_desktops, s->excluded_desktops,
           st->calls, st->retries,
           st->splits, st->throttled, path, s->exit_code);
}

/* The session's calls.  Returns the exit code. */
static int run_loop(const struct wr_config *cfg, const struct left *l,
                    const struct wr_creds *creds, struct wr_journal *report)
{
  struct wr_dispatch_stats st;

  if (wr_run_session(cfg, &l->plan, &l->base,
                     l->earlier.n > 0 ? &l->earlier : NULL, creds, report,
                     &st) < 0)
    return WR_EXIT_STOPPED;
  print_summary(&st, wr_journal_path(report));
  return st.aborted ? WR_EXIT_STOPPED : st.summary.exit_code;
}

/* The report's own settings that this session must keep. */
static int check_run(const struct wr_rread *rr, const struct wr_config *c,
                     struct wr_err *err)
{
  const char *api = c->api == WR_API_CLIENT ? "client" : "admin";

  if (rr->run.api != NULL && strcmp(rr->run.api, api) != 0)
    return wr_err_set(err, WR_EINPUT, "%s: the run record says api \"%s\", "
                      "its options \"%s\"", rr->path, rr->run.api, api);
  return 0;
}

/* A plan cut short (report_read.h): its missing chunks are in no record,
 * so they were never sent and nothing here could send them. */
static void refuse_incomplete(const struct wr_rread *rr)
{
  char inputs[512];
  size_t i, n = 0;

  inputs[0] = '\0';
  for (i = 0; i < rr->run.ninputs && n < sizeof(inputs); i++)
    n += (size_t)snprintf(inputs + n, sizeof(inputs) - n, "%s%s",
                          i > 0 ? ", " : "", rr->run.inputs[i]);
  wr_errorf("resume: %s: the plan is incomplete: %zu of %ld chunks (%zu of "
            "%ld desktops) recorded; the run stopped while writing it, "
            "before any call, and none of the missing chunks was sent.  "
            "This report cannot be resumed: start a new run from its "
            "inputs (%s) with a new --report", rr->path, rr->nroots,
            rr->run.chunks, rr->plan_desktops, rr->run.desktops,
            rr->run.ninputs > 0 ? inputs : "not recorded");
}

int wr_cmd_resume(const struct wr_config *cli)
{
  const char *path = cli->inputs[0];
  struct wr_config cfg;
  struct wr_rread *rr = NULL;
  struct wr_journal *report = NULL;
  struct wr_creds creds;
  struct wr_err err = {0};
  struct wr_audit audit;
  struct left l;
  char source[256];
  int code = WR_EXIT_USAGE;
  bool have_creds = false, have_cfg = false, have_audit = false;
  bool changed = false;

  memset(&l, 0, sizeof(l));
  memset(&audit, 0, sizeof(audit));
  memset(&creds, 0, sizeof(creds));
  if (strcmp(path, "-") == 0) {
    wr_errorf("resume: REPORT must be a file (resume appends to it), not "
              "stdin");
    goto out;
  }
  /* Opened first, changed last: a FIFO or a device is refused before it
   * is read, and the file is read through the descriptor that appends. */
  if (wr_journal_open_existing(path, &report, &err) < 0 ||
      wr_rread_load_fd(wr_journal_fd(report), path, &rr, &err) < 0) {
    wr_errorf("resume: %s", err.msg);
    goto out;
  }
  if (rr->plan_incomplete) {
    refuse_incomplete(rr);
    goto out;
  }
  if (rr->torn_line > 0)
    wr_infof("%s:%ld: the last line is torn (a crash while it was written); "
             "ignored", path, rr->torn_line);
  if (rr->run.run_id == NULL) {
    wr_errorf("resume: %s: no run record: not a wuying-reboot report", path);
    goto out;
  }
  if (rr->run.options == NULL) {
    wr_errorf("resume: %s: the run record has no \"options\"; this report "
              "cannot be resumed", path);
    goto out;
  }
  snprintf(source, sizeof(source), "%s: run.options", path);
  have_cfg = true;
  if (wr_config_resume(cli, rr->run.options, source, &cfg, &err) < 0) {
    wr_errorf("resume: %s", err.msg);
    goto out;
  }
  if (check_run(rr, &cfg, &err) < 0) {
    wr_errorf("resume: %s", err.msg);
    goto out;
  }
  /* What the earlier sessions verified, per desktop (--verify). */
  if (cfg.verify && cfg.api != WR_API_CLIENT) {
    have_audit = true;
    if (wr_audit_build(rr, &audit, &err) < 0) {
      wr_errorf("resume: %s", err.msg);
      goto out;
    }
    l.audit = audit.verify_on ? &audit : NULL;
  }
  l.retry_failed = cfg.retry_failed;
  l.session = (long)rr->nresumes + 1;
  if (find_left(rr, cfg.api == WR_API_CLIENT, &l, &err) < 0) {
    wr_errorf("resume: %s", err.msg);
    goto out;
  }
  if (l.plan.nchunks == 0 && l.earlier.n == 0 && rr->has_summary) {
    if (l.base.failed_desktops > 0)
      wr_notef("%s: nothing to resume: every desktop has a final record "
               "(%zu ok, %zu failed); `wuying-reboot resume --retry-failed "
               "%s` re-sends the %zu failed desktop(s)", path,
               l.base.ok_desktops, l.base.failed_desktops, path,
               l.base.failed_desktops);
    else
      wr_notef("%s: nothing to resume: every desktop has a final record "
               "(%zu ok, %zu failed%s)", path, l.base.ok_desktops,
               l.base.failed_desktops, cfg.retry_failed
               ? "; no failed desktop to retry" : "");
    code = WR_EXIT_OK;
    goto out;
  }
  if (l.retried > 0)
    wr_notef("--retry-failed: %zu failed desktop(s) in %zu chunk(s) are "
             "sent again as new chunks (.r%ld)%s", l.retried,
             l.retried_chunks, l.session, cfg.api != WR_API_CLIENT
             ? "; they were sent before, and the admin API has no "
               "ClientToken: a desktop whose earlier call the server did "
               "may be rebooted again (pre-flight sends only Running ones)"
             : "");
  /* The window has closed: this session would only skip again. */
  if (cfg.deadline != NULL && cfg.deadline_wall_ms <= wr_clock_wall_ms()) {
    wr_errorf("resume: the run's deadline %s has passed; give a new one "
              "(--deadline +2h, or an RFC 3339 time)", cfg.deadline);
    goto out;
  }
  if (cfg.verify && cfg.api == WR_API_CLIENT)
    wr_warnf("--verify needs the management API (DescribeDesktops); "
             "ignored with --api client");
  if (wr_auth_load(&cfg, &creds, &err) < 0) {
    wr_errorf("%s", err.msg);
    goto out;
  }
  have_creds = true;
  wr_cmd_warn_expiry(&cfg, l.plan.nchunks, &creds);
  /* A call in flight at a crash may have been done; only a ClientToken
   * makes sending it again harmless. */
  if (l.unfinished > 0 && cfg.api != WR_API_CLIENT)
    wr_warnf("%s: %zu chunk(s) have no final record and may have been sent "
             "before the run stopped; the admin API has no ClientToken, so "
             "their desktops may be rebooted a second time", path,
             l.unfinished);
  if (l.retry_pending > 0 && cfg.api != WR_API_CLIENT)
    wr_warnf("%s: %zu chunk(s) were waiting for a retry when the run "
             "stopped and are sent again; they were sent before (%zu with "
             "an ambiguous attempt, which the server may well have done), "
             "and the admin API has no ClientToken, so their desktops may "
             "be rebooted a second time", path, l.retry_pending,
             l.retry_ambiguous);
  /* From here on the file changes. */
  code = WR_EXIT_STOPPED;
  changed = true;
  /* Appending cuts a torn tail by the rule the reader used (journal.h). */
  if (wr_journal_repair(report, &err) < 0 ||
      write_resume(report, &l, &creds, &err) < 0 ||
      wr_cmd_write_session(report, "resume", (long)rr->nresumes + 1, &cfg,
                           NULL, &creds, &err) < 0 ||
      write_retries(report, &l, &err) < 0) {
    wr_errorf("%s", err.msg);
    goto out;
  }
  wr_infof("resuming run %s: %zu desktops in %zu calls left (%zu ok, %zu "
           "failed before; %s API, rate %g/s, concurrency %d)",
           rr->run.run_id, l.plan.ndesktops - l.base.ok_desktops -
           l.base.failed_desktops, l.plan.nchunks, l.base.ok_desktops,
           l.base.failed_desktops, cfg.api == WR_API_CLIENT ? "client"
                                                           : "admin",
           cfg.rate, cfg.concurrency);
  code = run_loop(&cfg, &l, &creds, report);

out:
  if (report != NULL && wr_journal_close(&report, &err) < 0) {
    wr_errorf("%s", err.msg);
    code = WR_EXIT_STOPPED;
  }
  if (changed)
    wr_notify_session(&cfg, "resume", path, code);
  if (have_creds)
    wr_creds_free(&creds);
  if (have_cfg)
    wr_config_free(&cfg);
  if (have_audit)
    wr_audit_free(&audit);
  free(l.plan.chunks);
  free(l.retry_of);
  free(l.eids);
  free(l.eregions);
  wr_rread_destroy(&rr);
  return code;
}
