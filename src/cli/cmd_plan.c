/* cmd_plan: `wuying-reboot plan`: build the plan and show it, as a
 * summary for people or (--json) as the first records of a report. */
#include "cmd.h"

#include "clock.h"
#include "log.h"
#include "uuid.h"
#include "plan.h"
#include "journal_records.h"
#include "show_requests.h"
#include "auth.h"
#include "buf.h"
#include "creds.h"
#include "select.h"
#include <string.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define SHOW_REJECTED 10
#define SHOW_WAVES 10

static int print_record(cJSON *rec, FILE *out)
{
  char *text;
  int rc = -1;

  if (rec == NULL)
    return -1;
  text = cJSON_PrintUnformatted(rec);
  if (text != NULL && fputs(text, out) >= 0 && fputc('\n', out) != EOF)
    rc = 0;
  cJSON_free(text);
  cJSON_Delete(rec);
  return rc;
}

int wr_cmd_add_selection(void *record, const struct wr_config *cfg,
                         const struct wr_selection *sel)
{
  cJSON *s;

  if (record == NULL)
    return WR_ENOMEM;
  if (cfg->nselects == 0)
    return 0;
  s = wr_select_record(sel);
  if (s == NULL || !cJSON_AddItemToObject(record, "selection", s)) {
    cJSON_Delete(s);
    return WR_ENOMEM;
  }
  return 0;
}

static int print_json(const struct wr_config *cfg, const struct wr_plan *plan,
                      const struct wr_selection *sel, FILE *out)
{
  char run_id[WR_CLIENT_TOKEN_LEN];
  cJSON *run;
  size_t i;

  if (wr_uuid4(run_id) < 0)
    return -1;
  run = wr_record_run(cfg, plan, run_id, wr_clock_wall_ms(), cfg->endpoint);
  if (wr_cmd_add_selection(run, cfg, sel) < 0) {
    cJSON_Delete(run);
    return -1;
  }
  if (print_record(run, out) < 0)
    return -1;
  for (i = 0; i < plan->nrejected; i++)
    if (print_record(wr_record_rejected(&plan->rejected[i]), out) < 0)
      return -1;
  for (i = 0; i < plan->nchunks; i++)
    if (print_record(wr_record_plan(&plan->chunks[i]), out) < 0 ||
        (plan->nkeep > 0 &&
         print_record(wr_record_columns(plan, &plan->chunks[i]), out) < 0))
      return -1;
  return 0;
}

/* Whole seconds as people read them: "45s", "12m30s", "2h05m". */
static void fmt_duration(double s, char *buf, size_t size)
{
  long long t = s > 0 ? (long long)(s + 0.999) : 0;

  if (t < 60)
    snprintf(buf, size, "%llds", t);
  else if (t < 3600)
    snprintf(buf, size, "%lldm%02llds", t / 60, t % 60);
  else
    snprintf(buf, size, "%lldh%02lldm", t / 3600, t % 3600 / 60);
}

static void print_waves(const struct wr_plan *plan, FILE *out)
{
  size_t i, desktops = 0, chunks = 0;
  int shown = 0;

  fprintf(out, "Waves: %d%s\n", plan->nwaves,
          plan->nwaves > 1 ? " (each starts when the one before has ended)"
                           : "");
  for (i = 0; i < plan->nchunks; i++) {
    desktops += plan->chunks[i].nids;
    chunks++;
    if (i + 1 < plan->nchunks &&
        plan->chunks[i + 1].wave == plan->chunks[i].wave)
      continue;
    if (shown++ < SHOW_WAVES)
      fprintf(out, "  wave %-3d %8zu desktops %6zu chunks%s\n",
              plan->chunks[i].wave, desktops, chunks,
              plan->chunks[i].wave == 0 ? "  (canary: any failure stops)"
                                        : "");
    desktops = chunks = 0;
  }
  if (shown > SHOW_WAVES)
    fprintf(out, "  ... %d more waves\n", shown - SHOW_WAVES);
}

/* The settings that stop or check a run, so that a rehearsal shows what
 * will hold tonight. */
static void print_safety(const struct wr_config *cfg,
                         const struct wr_plan *plan, FILE *out)
{
  char when[WR_TIME_RFC3339_LEN], d[32];

  fprintf(out, "Safety:\n");
  if (cfg->canary > 0)
    fprintf(out, "  canary       the first %ld desktops form wave 0; any "
            "failure there stops the run\n", cfg->canary);
  else
    fprintf(out, "  canary       off\n");
  /* The count that trips it, by stop.c's rule: failed * 100 > P * n. */
  if (cfg->max_errors_pct >= 0)
    fprintf(out, "  max-errors   the run stops when %.0f desktop(s) have "
            "failed (more than %g%% of %zu)\n",
            floor(cfg->max_errors_pct * (double)plan->ndesktops / 100.0) + 1,
            cfg->max_errors_pct, plan->ndesktops);
  else if (cfg->max_errors >= 0)
    fprintf(out, "  max-errors   the run stops when %ld desktop(s) have "
            "failed (more than %ld)\n", cfg->max_errors + 1,
            cfg->max_errors);
  else
    fprintf(out, "  max-errors   unlimited\n");
  if (cfg->deadline != NULL) {
    wr_time_rfc3339_ms(cfg->deadline_wall_ms, when);
    fmt_duration((double)(cfg->deadline_wall_ms - wr_clock_wall_ms()) / 1000.0,
                 d, sizeof(d));
    fprintf(out, "  deadline     %s (in %s): no call starts after it; the "
            "rest are skipped\n", when, d);
  } else {
    fprintf(out, "  deadline     none\n");
  }
  fmt_duration((double)cfg->verify_timeout_ms / 1000.0, d, sizeof(d));
  if (cfg->verify)
    fprintf(out, "  verify       on: after each wave, wait up to %s until its "
            "desktops are Running (DescribeDesktops)\n", d);
  else
    fprintf(out, "  verify       off\n");
  if (cfg->api == WR_API_CLIENT)
    fprintf(out, "  pre-flight   not available with the client API (no call "
            "lists the desktops' state): desktops are sent unchecked\n");
  else if (cfg->no_preflight)
    fprintf(out, "  pre-flight   off (--no-preflight): RebootDesktops is sent "
            "without reading the desktops' state first\n");
  else
    fprintf(out, "  pre-flight   on: before each wave, DescribeDesktops reads "
            "its desktops' state; only Running ones%s are rebooted, the "
            "others excluded\n",
            cfg->skip_connected ? " without a user connected" : "");
  fprintf(out, "  credentials  an authentication, permission or account "
          "error stops the run at its first answer (exit 3)\n");
}

/* The DescribeDesktops calls of pre-flight: one per 100 desktops of a
 * region in a wave (a wave's chunks of one region are consecutive). */
static size_t preflight_calls(const struct wr_config *cfg,
                              const struct wr_plan *plan)
{
  size_t i, n = 0, group = 0;

  if (cfg->api != WR_API_ADMIN || cfg->no_preflight)
    return 0;
  for (i = 0; i < plan->nchunks; i++) {
    group += plan->chunks[i].nids;
    if (i + 1 < plan->nchunks &&
        plan->chunks[i + 1].wave == plan->chunks[i].wave &&
        plan->chunks[i + 1].region == plan->chunks[i].region)
      continue;
    n += (group + 99) / 100;
    group = 0;
  }
  return n;
}

/* Calling time is calls / --rate, pre-flight's DescribeDesktops included
 * (a floor: retries, splits and throttling add to it); --verify adds each
 * wave's wait, up to its timeout. */
static void print_estimate(const struct wr_config *cfg,
                           const struct wr_plan *plan, FILE *out)
{
  size_t pf = preflight_calls(cfg, plan), calls = plan->nchunks + pf;
  double send = cfg->rate > 0 ? (double)calls / cfg->rate : 0;
  double wait = (double)cfg->verify_timeout_ms / 1000.0;
  char what[96], d[32], v[32], lo[32], hi[32];

  if (pf > 0)
    snprintf(what, sizeof(what), "%zu RebootDesktops + %zu DescribeDesktops "
             "for pre-flight", plan->nchunks, pf);
  else
    snprintf(what, sizeof(what), "RebootDesktops");
  if (cfg->rate > 0) {
    fmt_duration(send, d, sizeof(d));
    fprintf(out, "Estimate: %zu calls (%s) at %g/s: about %s of calls (more "
            "with retries, splits or throttling)", calls, what, cfg->rate, d);
  } else {
    fprintf(out, "Estimate: %zu calls (%s), --rate 0 (no limit): as fast as "
            "%d calls in flight and the API allow", calls, what,
            cfg->concurrency);
  }
  if (cfg->verify) {
    fmt_duration(wait, v, sizeof(v));
    fmt_duration(send, lo, sizeof(lo));
    fmt_duration(send + wait * plan->nwaves, hi, sizeof(hi));
    fprintf(out, "; with verification each of the %d wave(s) then waits "
            "until its desktops run again (a reboot takes minutes), up to "
            "%s", plan->nwaves, v);
    if (cfg->rate > 0)
      fprintf(out, ": %s to %s in all\n", lo, hi);
    else
      fprintf(out, " (%s in all, plus the calls)\n", hi);
  } else {
    fprintf(out, "\n");
  }
}

/* "Selection: 4812 desktops in office site X with tag env=prod, taken
 * at ... (48 pages)". */
static void print_selection(const struct wr_config *cfg,
                            const struct wr_selection *sel,
                            const struct wr_plan *plan, FILE *out)
{
  char when[WR_TIME_RFC3339_LEN];
  struct wr_buf what;

  if (cfg->nselects == 0)
    return;
  wr_buf_init(&what, 1u << 16);
  wr_time_iso_seconds(sel->taken_ms, when);
  if (wr_select_describe(sel, &what) == 0)
    fprintf(out, "Selection: %zu desktops %s at %s (%zu DescribeDesktops "
            "pages)%s\n", sel->n, wr_buf_str(&what), when, sel->pages,
            cfg->ninputs > 0 ? "; the plan holds those of the input" : "");
  wr_buf_free(&what);
  (void)plan;
}

static void print_summary(const struct wr_config *cfg,
                          const struct wr_plan *plan, FILE *out)
{
  size_t i, r, chunks;

  fprintf(out, "Plan: %zu desktops in %zu chunks of at most %d IDs (%s API)."
          " Nothing was sent.\n", plan->ndesktops, plan->nchunks,
          cfg->chunk_size, cfg->api == WR_API_CLIENT ? "client" : "admin");
  fprintf(out, "Regions: %zu\n", plan->nregions);
  /* chunks come grouped by region, in region order */
  for (r = 0, i = 0; r < plan->nregions; r++) {
    for (chunks = 0; i < plan->nchunks &&
                     plan->chunks[i].region == plan->regions[r].region; i++)
      chunks++;
    fprintf(out, "  %-24s %8zu desktops %6zu chunks\n",
            plan->regions[r].region, plan->regions[r].desktops, chunks);
  }
  print_waves(plan, out);
  print_safety(cfg, plan, out);
  print_estimate(cfg, plan, out);
  fprintf(out, "Duplicates: %zu (each desktop is sent once)\n",
          plan->nduplicates);
  fprintf(out, "Rejected: %zu\n", plan->nrejected);
  for (i = 0; i < plan->nrejected && i < SHOW_REJECTED; i++)
    fprintf(out, "  %s:%ld: \"%.80s\": %s\n", plan->rejected[i].source,
            plan->rejected[i].line, plan->rejected[i].value,
            plan->rejected[i].reason);
  if (plan->nrejected > SHOW_REJECTED)
    fprintf(out, "  ... %zu more (plan --json lists every one)\n",
            plan->nrejected - SHOW_REJECTED);
}

int wr_cmd_plan(const struct wr_config *cfg)
{
  struct wr_plan *plan = NULL;
  struct wr_selection sel;
  struct wr_creds creds;
  struct wr_err err = {0};
  int code = WR_EXIT_USAGE;
  bool have_creds = false, empty = false;

  memset(&sel, 0, sizeof(sel));
  memset(&creds, 0, sizeof(creds));
  /* plan sends nothing, but a selection reads the API */
  if (cfg->nselects > 0) {
    if (wr_cmd_select_creds(cfg, &creds, &err) < 0) {
      wr_errorf("%s", err.msg);
      goto out;
    }
    have_creds = true;
  }
  if (wr_cmd_build_plan(cfg, &creds, &sel, &plan, &empty, &err) < 0) {
    wr_errorf("%s", err.msg);
    goto out;
  }
  if (empty) {
    wr_notef("the selection matched no desktop: nothing to plan");
    code = WR_EXIT_OK;
    goto out;
  }
  if (cfg->json) {
    if (print_json(cfg, plan, &sel, stdout) < 0) {
      wr_errorf("cannot write the plan to stdout");
      goto out;
    }
  } else {
    print_selection(cfg, &sel, plan, stdout);
    print_summary(cfg, plan, stdout);
  }
  code = WR_EXIT_OK;
  wr_cmd_warn_expiry(cfg, plan->nchunks, NULL);
  if (cfg->show_requests > 0) {
    fflush(stdout);
    code = wr_show_requests(cfg, plan, cfg->show_requests, stdout);
  }
  /* stdout may be a closed pipe or a full disk: say so, never exit 0 */
  if (fflush(stdout) != 0 || ferror(stdout)) {
    wr_errorf("cannot write the plan to stdout");
    code = WR_EXIT_USAGE;
  }
out:
  wr_plan_destroy(&plan);
  wr_select_free(&sel);
  if (have_creds)
    wr_creds_free(&creds);
  return code;
}
