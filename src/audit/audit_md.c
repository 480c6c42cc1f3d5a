/* audit_md: the audit as a Markdown document to attach to a change
 * ticket.  Tables carry the proof at chunk level (which desktops, which
 * RequestId, when); every value is escaped with wr_audit_md_text. */
#include "audit.h"

#include <string.h>

static void md(FILE *out, const char *s)
{
  if (s == NULL || *s == '\0')
    fputs("\xE2\x80\x94", out); /* an em dash marks "none" */
  else
    wr_audit_md_text(out, s);
}

static void row(FILE *out, const char *name, const char *value)
{
  fprintf(out, "| %s | ", name);
  md(out, value);
  fputs(" |\n", out);
}

static void groups(FILE *out, const char *title, const char *keyname,
                   const struct wr_audit_group *g, size_t n)
{
  size_t i, k;

  if (n == 0)
    return;
  fprintf(out, "\n## %s\n\n| %s | Desktops | Chunks | Message | "
          "Desktop IDs (first %d) |\n|---|---:|---:|---|---|\n",
          title, keyname, WR_AUDIT_SAMPLES);
  for (i = 0; i < n; i++) {
    fputs("| ", out);
    md(out, g[i].key);
    fprintf(out, " | %zu | %zu | ", g[i].desktops, g[i].chunks);
    md(out, g[i].message);
    fputs(" | ", out);
    for (k = 0; k < g[i].nsample; k++) {
      fputs(k > 0 ? ", " : "", out);
      md(out, g[i].sample[k]);
    }
    fputs(" |\n", out);
  }
}

static int chunk_row(const struct wr_rread_chunk *c, void *ud)
{
  FILE *out = ud;
  size_t i;

  fputs("| ", out);
  md(out, c->id);
  fputs(" | ", out);
  md(out, c->region);
  fprintf(out, " | %s%s%s | %zu | ", wr_rread_status_name(c->status),
          c->retry_pending ? ", " : "",
          c->retry_pending ? WR_AUDIT_RETRY_PENDING : "", c->nids);
  md(out, c->request_id);
  fputs(" | ", out);
  md(out, c->error_code);
  fputs(" | ", out);
  md(out, c->finished_at);
  fputs(" | ", out);
  for (i = 0; i < c->nids; i++) {
    fputs(i > 0 ? " " : "", out);
    md(out, c->ids[i]);
  }
  fputs(" |\n", out);
  return 0;
}

static void extras(const struct wr_audit *a, FILE *out)
{
  const struct wr_rread *rr = a->rr;
  size_t i;

  if (rr->nverifies > 0)
    fputs("\n## Verification (DescribeDesktops)\n\n| Wave | Desktops | "
          "Running | Timed out | Not Running | Not verified |\n"
          "|---:|---:|---:|---|---|---:|\n",
          out);
  for (i = 0; i < rr->nverifies; i++) {
    const struct wr_rread_verify *v = &rr->verifies[i];
    size_t k;

    fprintf(out, "| %ld | %ld | %ld | %s | ", v->wave, v->desktops,
            v->running, v->timed_out ? "yes" : "no");
    /* Records name every one now: a ticket gets the first 100 (the
     * CSV has them all). */
    for (k = 0; k < v->nnot_running && k < 100; k++) {
      fputs(k > 0 ? " " : "", out);
      md(out, v->not_running[k]);
    }
    if (v->nnot_running > 100)
      fprintf(out, " ... (%zu in all)", v->nnot_running);
    fprintf(out, " | %zu |\n", v->nnot_verified);
  }
  if (rr->nrejected > 0)
    fputs("\n## Rejected input rows (never sent)\n\n| Source | Line | Value "
          "| Reason |\n|---|---:|---|---|\n", out);
  for (i = 0; i < rr->nrejected; i++) {
    fputs("| ", out);
    md(out, rr->rejected[i].source);
    fprintf(out, " | %ld | ", rr->rejected[i].line);
    md(out, rr->rejected[i].value);
    fputs(" | ", out);
    md(out, rr->rejected[i].reason);
    fputs(" |\n", out);
  }
  if (rr->torn_line > 0)
    fprintf(out, "\n> Line %ld of the report was torn by a crash while it "
            "was written and was ignored.\n", rr->torn_line);
  if (a->summary_differs)
    fputs("\n> The summary record's counts differ from the chunk records; "
          "the counts above are the chunk records'.\n", out);
}

static void story_section(FILE *out, const char *title)
{
  fprintf(out, "\n## %s\n\n| Item | Details |\n|---|---|\n", title);
}

static void story_row(FILE *out, const char *name, const char *value)
{
  fputs("| ", out);
  md(out, name);
  fputs(" | ", out);
  md(out, value);
  fputs(" |\n", out);
}

static void story_end(FILE *out)
{
  (void)out;
}

static const struct wr_audit_story_ops story_ops = {
    story_section, story_row, story_end, false, false};

void wr_audit_markdown(const struct wr_audit *a, FILE *out)
{
  const struct wr_rread *rr = a->rr;
  const struct wr_rread_run *run = &rr->run;
  size_t i;

  fputs("# Reboot audit: run ", out);
  md(out, run->run_id);
  fputs("\n\n| Field | Value |\n|---|---|\n", out);
  wr_audit_run_rows(a, row, out);

  fprintf(out, "\n## Desktops\n\n| Status | Desktops |\n|---|---:|\n"
          "| planned | %zu |\n| ok | %zu |\n| failed | %zu |\n"
          "| skipped | %zu |\n| pending | %zu |\n"
          "| rejected input rows | %zu |\n", a->planned, a->ok, a->failed,
          a->skipped, a->pending, rr->nrejected);
  if (a->retry_pending > 0)
    fprintf(out, "| failed, %s | %zu |\n", WR_AUDIT_RETRY_PENDING,
            a->retry_pending);
  if (a->excluded > 0 || a->preflight_calls > 0) {
    fprintf(out, "| excluded by pre-flight (not rebooted) | %zu |\n",
            a->excluded);
    for (i = 0; i < a->nexclusions; i++) {
      fputs("| excluded: ", out);
      md(out, a->exclusions[i].key);
      fprintf(out, " | %zu |\n", a->exclusions[i].desktops);
    }
  }
  if (a->confirmed > 0)
    fprintf(out, "| ok, confirmed after a lost answer | %zu |\n",
            a->confirmed);
  if (a->verify_on)
    fprintf(out, "| Running after the reboot (verify) | %zu |\n"
            "| not Running after the reboot (verify) | %zu |\n"
            "| not verified (resume verifies them) | %zu |\n",
            a->v_running, a->not_running, a->not_verified);
  if (a->retried_chunks > 0)
    fprintf(out, "| failed, re-sent by resume --retry-failed | %zu (%zu now "
            "ok, %zu failed again, %zu other) |\n", a->retried,
            a->retried_ok, a->retried_failed, a->retried_other);
  if (run->duplicates >= 0)
    fprintf(out, "| duplicates (sent once) | %ld |\n", run->duplicates);
  if (a->nregions > 1) {
    fputs("\n| Region | ok | failed | skipped | pending |\n"
          "|---|---:|---:|---:|---:|\n", out);
    for (i = 0; i < a->nregions; i++) {
      fputs("| ", out);
      md(out, a->regions[i].region);
      fprintf(out, " | %zu | %zu | %zu | %zu |\n", a->regions[i].ok,
              a->regions[i].failed, a->regions[i].skipped,
              a->regions[i].pending);
    }
  }
  fprintf(out, "\n## Calls\n\n%zu RebootDesktops call%s, %zu retr%s, %zu "
          "ambiguous attempt%s, %zu split%s", a->calls,
          wr_audit_plural(a->calls), a->retries,
          a->retries == 1 ? "y" : "ies", a->ambiguous,
          wr_audit_plural(a->ambiguous), a->splits,
          wr_audit_plural(a->splits));
  if (a->calls_per_s >= 0)
    fprintf(out, "; on average %.2f calls/s and %.2f desktops/s",
            a->calls_per_s, a->desktops_per_s);
  fputs(".\n", out);
  if (a->preflight_calls > 0)
    fprintf(out, "\nPre-flight: %zu DescribeDesktops call%s (%zu failed); "
            "%zu chunk%s cut into parts.\n", a->preflight_calls,
            wr_audit_plural(a->preflight_calls), a->preflight_errors,
            a->preflight_parts, wr_audit_plural(a->preflight_parts));
  if (a->nambiguous_chunks > 0) {
    fprintf(out, "\nChunks with an ambiguous attempt (a request that may "
            "have reached the service, then retried): %zu", 
            a->nambiguous_chunks);
    for (i = 0; i < a->nambiguous_chunks && i < WR_AUDIT_SAMPLES; i++) {
      fputs(i > 0 ? ", " : ": ", out);
      md(out, a->ambiguous_sample[i]);
    }
    fputs(a->nambiguous_chunks > WR_AUDIT_SAMPLES ? ", ...\n" : "\n", out);
  }
  groups(out, "Failed desktops by error code", "Error code", a->failures,
         a->nfailures);
  groups(out, "Skipped desktops by reason", "Reason", a->skips, a->nskips);
  wr_audit_story(a, &story_ops, out);

  fputs("\n## Chunks\n\nEvery final chunk (split chunks appear as their "
        "parts); `pending` chunks have no final record; `resume` also "
        "re-sends failed chunks marked retry pending.\n\n"
        "| Chunk | Region | Status | Desktops | RequestId | Error code | "
        "Finished | Desktop IDs |\n|---|---|---|---:|---|---|---|---|\n", out);
  wr_audit_each_leaf(rr, chunk_row, out);
  extras(a, out);
}
