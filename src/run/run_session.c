#include "run_session.h"

#include "clock.h"
#include "sender.h"
#include "err.h"
#include "log.h"
#include "progress.h"
#include "renew.h"

#include <unistd.h>
#include <uv.h>

void wr_run_session_notes(const struct wr_dispatch_stats *st)
{
  const struct wr_summary *s = &st->summary;
  char by[512] = "";
  size_t i, len = 0;

  for (i = 0; i < s->nexcluded_by && len < sizeof(by); i++) {
    int n = snprintf(by + len, sizeof(by) - len, "%s%s %zu", i ? ", " : "",
                     s->excluded_by[i].reason, s->excluded_by[i].desktops);

    if (n < 0)
      break;
    len += (size_t)n;
  }
  if (s->excluded_desktops > 0)
    wr_notef("excluded by pre-flight (not rebooted): %zu desktops (%s)",
             s->excluded_desktops, by);
  if (st->confirmed > 0)
    wr_notef("%zu chunk(s) ok on the evidence that an attempt whose answer "
             "was lost rebooted them (confirmed_by in the report)",
             st->confirmed);
  /* Of the ok desktops (the whole run's after a resume), each one. */
  if (s->verify && !st->aborted)
    wr_notef("verify: %zu desktops Running again, %zu not Running after "
             "the --verify-timeout, %zu not verified%s (of %zu ok)",
             s->verify_running, s->verify_not_running,
             s->verify_not_verified, s->verify_not_verified > 0
             ? " (the run stopped before they were checked: `resume` "
               "verifies them)" : "", s->ok_desktops);
}

/* A renewal's record may be written until the summary is. */
static bool may_record(void *ud)
{
  return !wr_dispatch_finished(ud);
}

int wr_run_session(const struct wr_config *cfg, const struct wr_plan *plan,
                   const struct wr_summary *base,
                   const struct wr_dispatch_earlier *earlier,
                   const struct wr_creds *creds, struct wr_journal *report,
                   struct wr_dispatch_stats *st)
{
  uv_loop_t loop;
  struct wr_progress *progress = NULL;
  struct wr_sender *sender = NULL;
  struct wr_renewer *renewer = NULL;
  struct wr_dispatch *d = NULL;
  struct wr_dispatch_sender ds;
  struct wr_dispatch_opts o;
  struct wr_err err = {0};
  int rc;

  if (uv_loop_init(&loop) != 0) {
    wr_errorf("cannot initialise the event loop");
    return WR_EIO;
  }
  /* Without a progress line the run goes on: it is only a view. */
  if (wr_progress_create(cfg->progress, isatty(STDERR_FILENO) == 1,
                         wr_clock_now_ms(), &progress) < 0)
    progress = NULL;
  if (progress != NULL) {
    struct wr_progress_run pr = {
      .rate = cfg->rate,
      .preflight = !cfg->no_preflight && cfg->api == WR_API_ADMIN,
      .verify = cfg->verify,
      .verify_timeout_ms = cfg->verify_timeout_ms,
    };

    /* Without the waves, the line only lacks their count. */
    (void)wr_progress_set_plan(progress, plan, &pr);
  }
  rc = wr_sender_create(&loop, cfg, creds, &sender, &err);
  if (rc < 0) {
    wr_errorf("%s", err.msg);
    goto out;
  }
  /* Temporary credentials are renewed on the thread pool during the
   * session; the sender signs with whatever is current. */
  rc = wr_renewer_create(&loop, cfg, creds, report, &renewer, &err);
  if (rc < 0) {
    wr_errorf("%s", err.msg);
    goto out;
  }
  wr_sender_set_renewer(sender, renewer);
  wr_sender_bind(sender, &ds);
  wr_dispatch_opts_from_config(cfg, &o);
  if (cfg->api == WR_API_CLIENT && !cfg->no_preflight)
    wr_notef("pre-flight: not done: the client API has no call that lists "
             "the state of the desktops it reboots; desktops are sent "
             "without a state check");
  rc = wr_dispatch_create(&loop, plan, &o, &ds, report, progress, &d, &err);
  if (rc < 0) {
    wr_errorf("%s", err.msg);
    goto out;
  }
  if (base != NULL)
    wr_dispatch_set_base(d, base);
  wr_renewer_gate(renewer, may_record, d);
  if (earlier != NULL)
    wr_dispatch_verify_earlier(d, earlier);
  wr_dispatch_start(d);
  wr_renewer_start(renewer);
  uv_run(&loop, UV_RUN_DEFAULT);
  wr_dispatch_stats(d, st);
  wr_run_session_notes(st);
  if (wr_renewer_count(renewer) > 0)
    wr_notef("the temporary credentials were renewed %u time(s) during "
             "the run (\"credentials\" records in the report)",
             wr_renewer_count(renewer));
  rc = 0;

out:
  /* The sender first (it listens to the renewer), then the rest; a
   * renewal still on the thread pool ends in the uv_run below. */
  wr_sender_destroy(&sender);
  wr_dispatch_destroy(&d);
  wr_renewer_destroy(&renewer);
  uv_run(&loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&loop) != 0)
    wr_warnf("event loop closed with handles still open");
  wr_progress_destroy(&progress);
  return rc;
}
