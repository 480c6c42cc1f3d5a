/* audit_text: the human summary for a terminal.  Short by design: counts,
 * then each failure group with a few desktop IDs; the per-desktop proof
 * is in the csv format.  Every value from the report goes through
 * wr_audit_tty_text. */
#include "audit.h"

#include <string.h>

#define REJECTED_SHOWN 5

static void put(FILE *out, const char *s)
{
  wr_audit_tty_text(out, s != NULL ? s : "-");
}

static void field(FILE *out, const char *name, const char *value)
{
  fprintf(out, "  %-12s ", name);
  put(out, value);
  putc('\n', out);
}

static void groups(FILE *out, const char *title,
                   const struct wr_audit_group *g, size_t n)
{
  size_t i, k;

  if (n == 0)
    return;
  fprintf(out, "\n%s\n", title);
  for (i = 0; i < n; i++) {
    fputs("  ", out);
    put(out, g[i].key != NULL ? g[i].key : "(no error code)");
    fprintf(out, ": %zu desktop%s in %zu chunk%s: ", g[i].desktops,
            g[i].desktops == 1 ? "" : "s", g[i].chunks,
            g[i].chunks == 1 ? "" : "s");
    for (k = 0; k < g[i].nsample; k++) {
      fputs(k > 0 ? ", " : "", out);
      put(out, g[i].sample[k]);
    }
    fputs(g[i].desktops > g[i].nsample ? ", ...\n" : "\n", out);
    if (g[i].message != NULL && !(g[i].key != NULL &&
                                  strcmp(g[i].key, g[i].message) == 0)) {
      fputs("      ", out);
      put(out, g[i].message);
      putc('\n', out);
    }
  }
}

static void waves(const struct wr_audit *a, FILE *out)
{
  const struct wr_rread *rr = a->rr;
  const struct wr_rread_verify *v;
  size_t i, k;

  if (a->nwaves > 0)
    fputs("\nWaves\n", out);
  for (i = 0; i < a->nwaves; i++) {
    const struct wr_audit_wave *w = &a->waves[i];

    fprintf(out, "  wave %ld%s: %zu ok, %zu failed", w->wave,
            w->canary ? " (canary)" : "", w->ok, w->failed);
    if (w->excluded > 0)
      fprintf(out, ", %zu excluded", w->excluded);
    fputs(", ended ", out);
    put(out, w->finished_at);
    putc('\n', out);
  }
  if (rr->nverifies > 0)
    fputs("\nVerification (DescribeDesktops)\n", out);
  for (i = 0; i < rr->nverifies; i++) {
    v = &rr->verifies[i];
    fprintf(out, "  wave %ld", v->wave);
    if (v->parts > 1)
      fprintf(out, " (part %ld of %ld)", v->part, v->parts);
    fprintf(out, "%s: %ld of %ld Running%s",
            v->earlier ? " (left by an earlier session)" : "", v->running,
            v->desktops, v->timed_out ? " (timed out)" : "");
    if (v->interrupted != NULL) {
      fprintf(out, ", %zu not verified (cut short: ", v->nnot_verified);
      put(out, v->interrupted);
      putc(')', out);
    }
    fprintf(out, ", %ld calls, %ld errors\n", v->calls, v->errors);
    for (k = 0; k < v->nnot_running && k < WR_AUDIT_SAMPLES; k++) {
      fputs(k == 0 ? "      not Running: " : ", ", out);
      put(out, v->not_running[k]);
    }
    if (v->nnot_running > 0)
      fputs(v->nnot_running > WR_AUDIT_SAMPLES ? ", ...\n" : "\n", out);
    if (v->last_error != NULL) {
      fputs("      last error: ", out);
      put(out, v->last_error);
      putc('\n', out);
    }
  }
}

static void rejected(const struct wr_rread *rr, FILE *out)
{
  const struct wr_rread_rejected *r;
  size_t i;

  if (rr->nrejected == 0)
    return;
  fprintf(out, "\nRejected input rows (never sent)%s\n",
          rr->nrejected > REJECTED_SHOWN ? ", the first 5" : "");
  for (i = 0; i < rr->nrejected && i < REJECTED_SHOWN; i++) {
    r = &rr->rejected[i];
    fputs("  ", out);
    put(out, r->source);
    fprintf(out, ":%ld: \"", r->line);
    put(out, r->value);
    fputs("\": ", out);
    put(out, r->reason);
    putc('\n', out);
  }
}

static void notes(const struct wr_audit *a, FILE *out)
{
  const struct wr_rread *rr = a->rr;

  if (a->summary_differs)
    fprintf(out, "\nNote: the summary record says %ld ok, %ld failed, %ld "
            "skipped; the chunk records, counted above, say %zu, %zu, %zu.\n",
            rr->summary.ok_desktops, rr->summary.failed_desktops,
            rr->summary.skipped_desktops, a->ok, a->failed, a->skipped);
  if (rr->torn_line > 0)
    fprintf(out, "\nNote: line %ld (%zu bytes) was torn by a crash while it "
            "was written, and was ignored.\n", rr->torn_line, rr->torn_bytes);
  if (rr->nunknown > 0) {
    fprintf(out, "\nNote: %zu record%s of a newer kind (\"", rr->nunknown,
            rr->nunknown == 1 ? "" : "s");
    put(out, rr->first_unknown);
    fputs("\") ignored.\n", out);
  }
}

static void story_section(FILE *out, const char *title)
{
  fprintf(out, "\n%s\n", title);
}

static void story_row(FILE *out, const char *name, const char *value)
{
  fputs("  ", out);
  put(out, name);
  fputs(": ", out);
  put(out, value);
  putc('\n', out);
}

static void story_end(FILE *out)
{
  (void)out;
}

static const struct wr_audit_story_ops story_ops = {
    story_section, story_row, story_end, true, false};

/* 4812 -> "4,812" */
static void grouped(double v, char *buf, size_t len)
{
  char digits[32];
  size_t n, i, j = 0;

  snprintf(digits, sizeof(digits), "%.0f", v < 0 ? 0 : v);
  n = strlen(digits);
  for (i = 0; i < n && j + 2 < len; i++) {
    if (i > 0 && (n - i) % 3 == 0)
      buf[j++] = ',';
    buf[j++] = digits[i];
  }
  buf[j] = '\0';
}

const char *wr_audit_selection(const struct wr_rread_run *run, char *buf,
                               size_t len)
{
  const cJSON *s = run->selection, *v, *r;
  const char *desc, *when;
  char count[40], regions[256] = "", clock[16] = "", day[16] = "";
  size_t k = 0;

  buf[0] = '\0';
  if (!cJSON_IsObject(s))
    return buf;
  v = cJSON_GetObjectItemCaseSensitive(s, "count");
  grouped(cJSON_IsNumber(v) ? v->valuedouble : 0, count, sizeof(count));
  v = cJSON_GetObjectItemCaseSensitive(s, "description");
  desc = cJSON_IsString(v) ? v->valuestring : "";
  v = cJSON_GetObjectItemCaseSensitive(s, "taken_at");
  when = cJSON_IsString(v) ? v->valuestring : "";
  /* "2026-12-04T21:58:03Z" */
  if (strlen(when) >= 19) {
    snprintf(day, sizeof(day), "%.10s", when);
    snprintf(clock, sizeof(clock), "%.8s", when + 11);
  }
  cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(s, "regions"))
    if (cJSON_IsString(r) && k + strlen(r->valuestring) + 3 < sizeof(regions))
      k += (size_t)snprintf(regions + k, sizeof(regions) - k, "%s%s",
                            k ? ", " : "", r->valuestring);
  v = cJSON_GetObjectItemCaseSensitive(s, "pages");
  snprintf(buf, len, "selected %s desktops %s at %s UTC on %s (%s; %.0f "
           "DescribeDesktops pages)", count, desc, clock, day, regions,
           cJSON_IsNumber(v) ? v->valuedouble : 0);
  return buf;
}

void wr_audit_text(const struct wr_audit *a, FILE *out)
{
  char sel[1024];
  const struct wr_rread *rr = a->rr;
  const struct wr_rread_run *run = &rr->run;
  char b1[64], b2[64], outcome[160];
  size_t i;

  fputs("Run ", out);
  put(out, run->run_id);
  fputs(" (", out);
  put(out, rr->path);
  fputs(")\n", out);
  wr_audit_outcome(a, outcome, sizeof(outcome));
  fputs("  outcome      ", out);
  put(out, outcome);
  if (a->exit_code >= 0)
    fprintf(out, ", exit code %d", a->exit_code);
  putc('\n', out);
  field(out, "started", run->started_at);
  fputs("  finished     ", out);
  put(out, a->finished_at);
  fprintf(out, " (%s)\n", wr_audit_duration(a->duration_s, b1, sizeof(b1)));
  if (rr->nresumes > 0) {
    fprintf(out, "  resumed      %zu time%s, last at ", rr->nresumes,
            wr_audit_plural(rr->nresumes));
    put(out, rr->last_resumed_at);
    putc('\n', out);
  }
  fputs("  tool         wuying-reboot ", out);
  put(out, run->tool_version);
  putc('\n', out);
  fputs("  api          ", out);
  put(out, run->api);
  fputs(", ", out);
  put(out, run->action);
  putc('\n', out);
  field(out, "endpoint", run->endpoint);
  fputs("  inputs       ", out);
  for (i = 0; i < run->ninputs; i++) {
    fputs(i > 0 ? ", " : "", out);
    put(out, run->inputs[i]);
  }
  fprintf(out, "%s\n", run->ninputs == 0 ? "-" : "");
  if (wr_audit_selection(run, sel, sizeof(sel))[0] != '\0')
    field(out, "selection", sel);
  fprintf(out, "  settings     rate %s, concurrency %ld, chunk size %ld\n",
          wr_audit_rate(run->rate, b1, sizeof(b1)), run->concurrency,
          run->chunk_size);

  fprintf(out, "\nDesktops: %zu planned in %zu chunks\n", a->planned,
          rr->nroots);
  fprintf(out, "  ok           %zu\n  failed       %zu", a->ok, a->failed);
  if (a->retry_pending > 0)
    fprintf(out, " (%zu %s them)", a->retry_pending,
            WR_AUDIT_RETRY_PENDING);
  fprintf(out, "\n  skipped      %zu\n  pending      %zu%s\n", a->skipped,
          a->pending,
          a->pending > 0 ? " (no final record: resume sends them)" : "");
  if (a->excluded > 0 || a->preflight_calls > 0) {
    fprintf(out, "  excluded     %zu (pre-flight: not Running or a user "
            "connected; not rebooted)\n", a->excluded);
    for (i = 0; i < a->nexclusions; i++) {
      fputs("    ", out);
      put(out, a->exclusions[i].key);
      fprintf(out, ": %zu\n", a->exclusions[i].desktops);
    }
  }
  if (a->confirmed > 0)
    fprintf(out, "  confirmed    %zu of the ok, in %zu chunk%s: rebooted by "
            "an attempt whose answer was lost (confirmed_by)\n",
            a->confirmed, a->confirmed_chunks,
            wr_audit_plural(a->confirmed_chunks));
  if (a->verify_on)
    fprintf(out, "  Running      %zu verified after the reboot (--verify)\n"
            "  not Running  %zu after the reboot (--verify)\n"
            "  not verified %zu of the ok (interrupted, deadline or resumed "
            "before it was checked: `resume` verifies them)\n",
            a->v_running, a->not_running, a->not_verified);
  if (a->retried_chunks > 0)
    fprintf(out, "  retried      %zu failed desktop%s re-sent in %zu chunk%s "
            "(resume --retry-failed): %zu now ok, %zu failed again, %zu "
            "excluded, skipped or pending; each counts once, in its newest "
            "state\n", a->retried, wr_audit_plural(a->retried),
            a->retried_chunks, wr_audit_plural(a->retried_chunks),
            a->retried_ok, a->retried_failed, a->retried_other);
  fprintf(out, "  rejected     %zu input rows (not desktops)\n",
          rr->nrejected);
  if (run->duplicates >= 0)
    fprintf(out, "  duplicates   %ld (each sent once)\n", run->duplicates);

  if (a->nregions > 1)
    for (i = 0; i < a->nregions; i++) {
      fputs("  ", out);
      put(out, a->regions[i].region);
      fprintf(out, ": %zu ok, %zu failed, %zu skipped, %zu pending",
              a->regions[i].ok, a->regions[i].failed, a->regions[i].skipped,
              a->regions[i].pending);
      if (a->excluded > 0)
        fprintf(out, ", %zu excluded", a->regions[i].excluded);
      fputc('\n', out);
    }

  fprintf(out, "\nCalls: %zu RebootDesktops call%s, %zu retr%s, %zu "
          "ambiguous, %zu split%s\n", a->calls, wr_audit_plural(a->calls),
          a->retries, a->retries == 1 ? "y" : "ies", a->ambiguous, a->splits,
          wr_audit_plural(a->splits));
  if (a->preflight_calls > 0)
    fprintf(out, "  pre-flight   %zu DescribeDesktops call%s (%zu failed); "
            "%zu chunk%s cut into parts\n", a->preflight_calls,
            wr_audit_plural(a->preflight_calls), a->preflight_errors,
            a->preflight_parts, wr_audit_plural(a->preflight_parts));
  if (a->calls_per_s >= 0)
    fprintf(out, "  average      %.2f calls/s, %.2f desktops/s over %s "
            "(%s%s)\n", a->calls_per_s, a->desktops_per_s,
            wr_audit_duration(a->duration_s, b1, sizeof(b1)),
            run->rate > 0 ? "limit " : "rate: ",
            wr_audit_rate(run->rate, b2, sizeof(b2)));

  if (a->nambiguous_chunks > 0) {
    fprintf(out, "  ambiguous in %zu chunk%s (may have been sent twice): ",
            a->nambiguous_chunks, wr_audit_plural(a->nambiguous_chunks));
    for (i = 0; i < a->nambiguous_chunks && i < WR_AUDIT_SAMPLES; i++) {
      fputs(i > 0 ? ", " : "", out);
      put(out, a->ambiguous_sample[i]);
    }
    fputs(a->nambiguous_chunks > WR_AUDIT_SAMPLES ? ", ...\n" : "\n", out);
  }
  groups(out, "Failed desktops, by error code", a->failures, a->nfailures);
  /* Final failures (not those a resume re-sends anyway): how to retry. */
  if (a->failed > a->retry_pending)
    fprintf(out, "  (`wuying-reboot resume --retry-failed %s` re-sends the "
            "%zu failed desktop%s into this report)\n",
            a->rr->path != NULL ? a->rr->path : "REPORT",
            a->failed - a->retry_pending,
            wr_audit_plural(a->failed - a->retry_pending));
  groups(out, "Skipped desktops, by reason", a->skips, a->nskips);
  if (a->pending_chunks > 0) {
    fprintf(out, "\nPending: %zu desktop%s in %zu chunk%s: ", a->pending,
            wr_audit_plural(a->pending), a->pending_chunks,
            wr_audit_plural(a->pending_chunks));
    for (i = 0; i < a->npending_sample; i++) {
      fputs(i > 0 ? ", " : "", out);
      put(out, a->pending_sample[i]);
    }
    fputs(a->pending_chunks > a->npending_sample ? ", ...\n" : "\n", out);
  }
  if (a->retry_pending_chunks > 0) {
    fprintf(out, "\nFailed with a retry pending (`resume` re-sends them): "
            "%zu desktop%s in %zu chunk%s (a retry was due when the run "
            "stopped): ", a->retry_pending, wr_audit_plural(a->retry_pending),
            a->retry_pending_chunks, wr_audit_plural(a->retry_pending_chunks));
    for (i = 0; i < a->nretry_pending_sample; i++) {
      fputs(i > 0 ? ", " : "", out);
      put(out, a->retry_pending_sample[i]);
    }
    fputs(a->retry_pending_chunks > a->nretry_pending_sample ? ", ...\n"
                                                             : "\n", out);
  }
  waves(a, out);
  wr_audit_story(a, &story_ops, out);
  rejected(rr, out);
  notes(a, out);
}
