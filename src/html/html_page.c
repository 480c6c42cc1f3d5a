/* audit_html: the audit as one self-contained page (inline style, no
 * script, no external resource), so it can be mailed or archived as is.
 * Every value from the report goes through wr_audit_html_text. */
#include "audit.h"

#include <stdbool.h>
#include <string.h>

static const char head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<title>Reboot audit: run ";
static const char style[] =
    "</title>\n<style>\n"
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\n"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}\n"
    "th,td{border:1px solid #bbb;padding:.25em .6em;text-align:left;"
    "vertical-align:top}\n"
    "th{background:#eee}td.n{text-align:right}\n"
    "code{font-size:90%}.ok{color:#060}.failed{color:#a00}"
    ".skipped,.pending{color:#a60}\n"
    "@media print{body{margin:0;font-size:9pt}table{width:100%}"
    "tr,th,td{page-break-inside:avoid}h2{page-break-after:avoid}}\n"
    "</style>\n</head>\n<body>\n";

static void h(FILE *out, const char *s)
{
  wr_audit_html_text(out, s != NULL ? s : "\xE2\x80\x94");
}

/* Our own texts mark commands with backticks (Markdown): a page shows
 * them as <code>, never as literal backticks.  Escaped piece by piece. */
static void h_code(FILE *out, const char *s)
{
  char piece[256];
  bool code = false;
  size_t n;

  if (s == NULL || strchr(s, '`') == NULL) {
    h(out, s);
    return;
  }
  while (*s != '\0') {
    n = strcspn(s, "`");
    while (n > 0) {
      size_t k = n < sizeof(piece) - 1 ? n : sizeof(piece) - 1;

      memcpy(piece, s, k);
      piece[k] = '\0';
      wr_audit_html_text(out, piece);
      s += k;
      n -= k;
    }
    if (*s == '`') {
      fputs(code ? "</code>" : "<code>", out);
      code = !code;
      s++;
    }
  }
  if (code)
    fputs("</code>", out);
}

static void row(FILE *out, const char *name, const char *value)
{
  fprintf(out, "<tr><th>%s</th><td>", name);
  h_code(out, value);
  fputs("</td></tr>\n", out);
}

static void count(FILE *out, const char *name, size_t n)
{
  fprintf(out, "<tr><th>%s</th><td class=\"n\">%zu</td></tr>\n", name, n);
}

static void groups(FILE *out, const char *title, const char *keyname,
                   const struct wr_audit_group *g, size_t n)
{
  size_t i, k;

  if (n == 0)
    return;
  fprintf(out, "<h2>%s</h2>\n<table>\n<tr><th>%s</th><th>Desktops</th>"
          "<th>Chunks</th><th>Message</th><th>Desktop IDs (first %d)</th>"
          "</tr>\n", title, keyname, WR_AUDIT_SAMPLES);
  for (i = 0; i < n; i++) {
    fputs("<tr><td>", out);
    h(out, g[i].key);
    fprintf(out, "</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td><td>",
            g[i].desktops, g[i].chunks);
    h(out, g[i].message);
    fputs("</td><td>", out);
    for (k = 0; k < g[i].nsample; k++) {
      fputs(k > 0 ? " " : "", out);
      h(out, g[i].sample[k]);
    }
    fputs("</td></tr>\n", out);
  }
  fputs("</table>\n", out);
}

static int chunk_row(const struct wr_rread_chunk *c, void *ud)
{
  FILE *out = ud;
  const char *st = wr_rread_status_name(c->status);
  size_t i;

  fputs("<tr><td>", out);
  h(out, c->id);
  fputs("</td><td>", out);
  h(out, c->region);
  fprintf(out, "</td><td class=\"%s\">%s", st, st);
  if (c->retry_pending) {
    fputs(", ", out);
    h_code(out, WR_AUDIT_RETRY_PENDING);
  }
  fprintf(out, "</td><td class=\"n\">%zu</td><td><code>", c->nids);
  h(out, c->request_id);
  fputs("</code></td><td>", out);
  h(out, c->error_code);
  fputs("</td><td>", out);
  h(out, c->finished_at);
  fputs("</td><td><code>", out);
  for (i = 0; i < c->nids; i++) {
    fputs(i > 0 ? " " : "", out);
    h(out, c->ids[i]);
  }
  fputs("</code></td></tr>\n", out);
  return 0;
}

static void rejected(const struct wr_rread *rr, FILE *out)
{
  size_t i;

  if (rr->nrejected == 0)
    return;
  fputs("<h2>Rejected input rows (never sent)</h2>\n<table>\n<tr><th>Source"
        "</th><th>Line</th><th>Value</th><th>Reason</th></tr>\n", out);
  for (i = 0; i < rr->nrejected; i++) {
    fputs("<tr><td>", out);
    h(out, rr->rejected[i].source);
    fprintf(out, "</td><td class=\"n\">%ld</td><td><code>",
            rr->rejected[i].line);
    h(out, rr->rejected[i].value);
    fputs("</code></td><td>", out);
    h(out, rr->rejected[i].reason);
    fputs("</td></tr>\n", out);
  }
  fputs("</table>\n", out);
}

static void story_section(FILE *out, const char *title)
{
  fputs("<h2>", out);
  h(out, title);
  fputs("</h2>\n<table>\n", out);
}

static void story_row(FILE *out, const char *name, const char *value)
{
  fputs("<tr><th>", out);
  h(out, name);
  fputs("</th><td>", out);
  h(out, value);
  fputs("</td></tr>\n", out);
}

static void story_end(FILE *out)
{
  fputs("</table>\n", out);
}

static const struct wr_audit_story_ops story_ops = {
    story_section, story_row, story_end, false};

void wr_audit_html(const struct wr_audit *a, FILE *out)
{
  const struct wr_rread *rr = a->rr;
  const struct wr_rread_run *run = &rr->run;
  size_t i;

  fputs(head, out);
  h(out, run->run_id);
  fputs(style, out);
  fputs("<h1>Reboot audit: run <code>", out);
  h(out, run->run_id);
  fputs("</code></h1>\n<table>\n", out);
  wr_audit_run_rows(a, row, out);
  fputs("</table>\n<h2>Desktops</h2>\n<table>\n", out);
  count(out, "planned", a->planned);
  count(out, "ok", a->ok);
  count(out, "failed", a->failed);
  if (a->retry_pending > 0) {
    fputs("<tr><th>failed, ", out);
    h_code(out, WR_AUDIT_RETRY_PENDING);
    fprintf(out, "</th><td class=\"n\">%zu</td></tr>\n", a->retry_pending);
  }
  count(out, "skipped", a->skipped);
  count(out, "pending", a->pending);
  count(out, "rejected input rows", rr->nrejected);
  if (a->excluded > 0 || a->preflight_calls > 0) {
    size_t k;

    count(out, "excluded by pre-flight (not rebooted)", a->excluded);
    for (k = 0; k < a->nexclusions; k++) {
      fputs("<tr><th>excluded: ", out);
      wr_audit_html_text(out, a->exclusions[k].key);
      fprintf(out, "</th><td class=\"n\">%zu</td></tr>\n",
              a->exclusions[k].desktops);
    }
  }
  if (a->confirmed > 0)
    count(out, "ok, confirmed after a lost answer", a->confirmed);
  if (rr->nverifies > 0)
    count(out, "not Running after the reboot (verify)", a->not_running);
  count(out, "RebootDesktops calls", a->calls);
  count(out, "retries", a->retries);
  count(out, "ambiguous attempts", a->ambiguous);
  count(out, "splits", a->splits);
  if (a->preflight_calls > 0)
    count(out, "pre-flight DescribeDesktops calls", a->preflight_calls);
  count(out, "chunks with an ambiguous attempt", a->nambiguous_chunks);
  fputs("</table>\n", out);
  if (a->nregions > 1) {
    fputs("<h2>Regions</h2>\n<table>\n<tr><th>Region</th><th>ok</th><th>"
          "failed</th><th>skipped</th><th>pending</th></tr>\n", out);
    for (i = 0; i < a->nregions; i++) {
      fputs("<tr><td>", out);
      h(out, a->regions[i].region);
      fprintf(out, "</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td>"
              "<td class=\"n\">%zu</td><td class=\"n\">%zu</td></tr>\n",
              a->regions[i].ok, a->regions[i].failed, a->regions[i].skipped,
              a->regions[i].pending);
    }
    fputs("</table>\n", out);
  }
  groups(out, "Failed desktops by error code", "Error code", a->failures,
         a->nfailures);
  groups(out, "Skipped desktops by reason", "Reason", a->skips, a->nskips);
  wr_audit_story(a, &story_ops, out);
  fputs("<h2>Chunks</h2>\n<table>\n<tr><th>Chunk</th><th>Region</th>"
        "<th>Status</th><th>Desktops</th><th>RequestId</th><th>Error code"
        "</th><th>Finished</th><th>Desktop IDs</th></tr>\n", out);
  wr_audit_each_leaf(rr, chunk_row, out);
  fputs("</table>\n", out);
  rejected(rr, out);
  if (rr->torn_line > 0)
    fprintf(out, "<p>Line %ld of the report was torn by a crash while it "
            "was written and was ignored.</p>\n", rr->torn_line);
  if (a->summary_differs)
    fputs("<p>The summary record's counts differ from the chunk records; "
          "the counts above are the chunk records'.</p>\n", out);
  fputs("</body>\n</html>\n", out);
}
