/* html_page: the page itself: its style, the summary first, then the
 * timeline, the failures, the story every format tells, and the chunks
 * folded.  Inline style, no script, no external resource. */
#include "html.h"

#include <stdbool.h>
#include <string.h>

#define OPEN_WAVES 10 /* more waves than this: their table folded */

static const char head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
    /* nothing to fetch, nothing to run: even a value that escaped its
     * escaping could not load or execute anything */
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
    "'none'; style-src 'unsafe-inline'\">\n"
    "<title>Reboot audit: run ";
static const char style[] =
    "</title>\n<style>\n"
    "body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:"
    "1200px;padding:0 1em;color:#222;line-height:1.35}\n"
    "h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;margin:1.2em 0 .4em;"
    "border-bottom:1px solid #ddd}h3{font-size:1em;margin:1em 0 .3em}\n"
    "table{border-collapse:collapse;margin:.3em 0 .8em;font-size:90%}\n"
    "th,td{border:1px solid #ccc;padding:.15em .45em;text-align:left;"
    "vertical-align:top}\n"
    "th{background:#f0f0f0;font-weight:600}td.n{text-align:right}\n"
    "code,.id,.rid,.ids{font-family:ui-monospace,monospace;font-size:90%}\n"
    "td.ids{overflow-wrap:anywhere;min-width:24em;max-width:40em}\n"
    "table.fail td{white-space:nowrap}table.fail .msg{display:block;"
    "max-width:16em;overflow:hidden;text-overflow:ellipsis}\n"
    "table.fail{font-size:85%}.scroll{overflow-x:auto}\n"
    ".ok{color:#1b5e20}.failed{color:#b71c1c}.skipped,.pending,.excluded"
    "{color:#a65c00}\n"
    ".outcome{font-size:1.15em;font-weight:600;padding:.4em .7em;"
    "border-left:6px solid #2e7d32;background:#f1f8e9}\n"
    ".outcome.bad{border-color:#c62828;background:#ffebee}\n"
    ".cards{display:flex;flex-wrap:wrap;gap:.5em;margin:.6em 0}\n"
    ".card{border:1px solid #ddd;border-radius:4px;padding:.3em .8em;"
    "min-width:6.5em}.card b{display:block;font-size:1.4em}\n"
    ".grid{display:grid;grid-template-columns:repeat(auto-fit,minmax("
    "480px,1fr));gap:0 1.5em}\n"
    ".grid section table{width:100%}.grid td{overflow-wrap:anywhere}\n"
    "svg{width:100%;max-width:960px;height:auto;display:block}\n"
    ".legend{font-size:90%}.sw{display:inline-block;width:.9em;height:.9em;"
    "vertical-align:middle;margin-right:.3em;border:1px solid #999}\n"
    ".sw.rl{border:0;border-top:2px dashed #d32f2f;height:0;width:1.4em}\n"
    ".sw.sb{border:0;border-left:2px dashed #455a64;background:#eceff1;"
    "width:.7em}\n"
    ".note{font-size:85%;color:#555;max-width:60em}\n"
    "details{margin:.3em 0}summary{cursor:pointer}\n"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
    "@media print{body{margin:0;max-width:none;font-size:9pt}"
    "table{width:100%}tr,th,td,svg{page-break-inside:avoid}"
    "h2,h3{page-break-after:avoid}.grid{display:block}"
    "table.fail td,table.fail .msg{white-space:normal;max-width:none}"
    ".scroll{overflow:visible}"
    "summary{list-style:none}}\n"
    "</style>\n</head>\n<body>\n";

void wr_html_text(FILE *out, const char *s)
{
  wr_audit_html_text(out, s != NULL ? s : "\xE2\x80\x94");
}

/* Our own texts mark commands with backticks (Markdown): a page shows
 * them as <code>, never as literal backticks.  Escaped piece by piece. */
void wr_html_code(FILE *out, const char *s)
{
  char piece[256];
  bool code = false;
  size_t n;

  if (s == NULL || strchr(s, '`') == NULL) {
    wr_html_text(out, s);
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
  fputs("<tr><th>", out);
  wr_html_text(out, name);
  fputs("</th><td>", out);
  wr_html_code(out, value);
  fputs("</td></tr>\n", out);
}

static void count(FILE *out, const char *name, size_t n)
{
  fprintf(out, "<tr><th>%s</th><td class=\"n\">%zu</td></tr>\n", name, n);
}

static void card(FILE *out, const char *cls, const char *name, size_t n)
{
  fprintf(out, "<div class=\"card %s\"><b>%zu</b>%s</div>\n", cls, n, name);
}

static void card_text(FILE *out, const char *name, const char *v)
{
  fputs("<div class=\"card\"><b>", out);
  wr_html_text(out, v);
  fprintf(out, "</b>%s</div>\n", name);
}

/* The answer first: how it ended, the counts, who, when. */
static void summary(const struct wr_audit *a, FILE *out)
{
  const struct wr_rread *rr = a->rr;
  char b[512];
  bool bad = !a->complete || a->failed > 0 || a->not_running > 0;

  fputs("<section id=\"summary\">\n<h1>Reboot audit: run <code>", out);
  wr_html_text(out, rr->run.run_id);
  fprintf(out, "</code></h1>\n<p class=\"outcome%s\">", bad ? " bad" : "");
  wr_html_code(out, wr_audit_outcome(a, b, sizeof(b)));
  if (a->exit_code >= 0)
    fprintf(out, "; exit code %d", a->exit_code);
  fputs("</p>\n<div class=\"cards\">\n", out);
  card(out, "", "desktops planned", a->planned);
  card(out, "ok", "ok", a->ok);
  card(out, "failed", "failed", a->failed);
  if (a->excluded > 0)
    card(out, "excluded", "excluded (pre-flight)", a->excluded);
  if (a->skipped > 0)
    card(out, "skipped", "skipped", a->skipped);
  if (a->pending > 0)
    card(out, "pending", "pending", a->pending);
  if (a->verify_on) {
    card(out, a->not_running > 0 ? "failed" : "", "not Running (verify)",
         a->not_running);
    card(out, "", "not verified", a->not_verified);
  }
  card(out, "", "calls", a->calls);
  card(out, "", "retries", a->retries);
  card(out, "", "waves finished", rr->nwaves);
  card(out, "", a->nsessions == 1 ? "session" : "sessions", a->nsessions);
  card_text(out, "duration", wr_audit_duration(a->duration_s, b, sizeof(b)));
  if (a->calls_per_s >= 0)
    snprintf(b, sizeof(b), "%.1f/s", a->calls_per_s);
  card_text(out, "average calls", a->calls_per_s >= 0 ? b : "unknown");
  fputs("</div>\n", out);
  if (a->nsessions > 0 && a->sessions[0].s->has_record) {
    const struct wr_rread_session *s = a->sessions[0].s;

    fputs("<p>Run by <b>", out);
    wr_html_text(out, s->user);
    fputs("</b> on <b>", out);
    wr_html_text(out, s->host);
    fputs("</b> with credentials from ", out);
    wr_html_text(out, s->creds_source);
    fputs(a->rr->run.api != NULL && strcmp(a->rr->run.api, "client") == 0
              ? " (client id " : " (key ", out);
    wr_html_text(out, s->key_id_masked);
    fputs("), started ", out);
    wr_html_text(out, s->started_at);
    fputs(", finished ", out);
    wr_html_text(out, a->finished_at);
    fputs(".</p>\n", out);
  }
  fputs("</section>\n", out);
}

static void desktops(const struct wr_audit *a, FILE *out)
{
  const struct wr_rread *rr = a->rr;
  size_t k;

  fputs("<section>\n<h2>Desktops</h2>\n<table>\n", out);
  count(out, "planned", a->planned);
  count(out, "ok", a->ok);
  count(out, "failed", a->failed);
  if (a->retry_pending > 0) {
    fputs("<tr><th>failed, ", out);
    wr_html_code(out, WR_AUDIT_RETRY_PENDING);
    fprintf(out, "</th><td class=\"n\">%zu</td></tr>\n", a->retry_pending);
  }
  count(out, "skipped", a->skipped);
  count(out, "pending", a->pending);
  count(out, "rejected input rows", rr->nrejected);
  if (a->excluded > 0 || a->preflight_calls > 0) {
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
  fputs("</table>\n</section>\n", out);
}

static void regions(const struct wr_audit *a, FILE *out)
{
  size_t i;

  if (a->nregions < 2)
    return;
  fputs("<section>\n<h2>Regions</h2>\n<table>\n<tr><th>Region</th><th>ok"
        "</th><th>failed</th><th>skipped</th><th>pending</th><th>excluded"
        "</th></tr>\n", out);
  for (i = 0; i < a->nregions; i++) {
    fputs("<tr><td>", out);
    wr_html_text(out, a->regions[i].region);
    fprintf(out, "</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td>"
            "<td class=\"n\">%zu</td><td class=\"n\">%zu</td>"
            "<td class=\"n\">%zu</td></tr>\n", a->regions[i].ok,
            a->regions[i].failed, a->regions[i].skipped,
            a->regions[i].pending, a->regions[i].excluded);
  }
  fputs("</table>\n</section>\n", out);
}

/* Many waves make a long table: folded beyond OPEN_WAVES. */
static void waves(const struct wr_audit *a, FILE *out)
{
  size_t i;

  fprintf(out, "<section>\n<h2>Waves</h2>\n<table>\n<tr><th>Waves finished"
          "</th><td>%zu</td></tr>\n</table>\n", a->nwaves);
  if (a->nwaves == 0) {
    fputs("</section>\n", out);
    return;
  }
  if (a->nwaves > OPEN_WAVES)
    fputs("<details><summary>every wave</summary>\n", out);
  fputs("<table>\n<tr><th>Wave</th><th>ok</th><th>failed</th><th>Ended"
        "</th></tr>\n", out);
  for (i = 0; i < a->nwaves; i++) {
    fprintf(out, "<tr><td>%ld%s</td><td class=\"n\">%zu</td>"
            "<td class=\"n\">%zu</td><td>", a->waves[i].wave,
            a->waves[i].canary ? " (canary)" : "", a->waves[i].ok,
            a->waves[i].failed);
    wr_html_text(out, a->waves[i].finished_at);
    fputs("</td></tr>\n", out);
  }
  fputs(a->nwaves > OPEN_WAVES ? "</table>\n</details>\n</section>\n"
                                : "</table>\n</section>\n", out);
}

static void rejected(const struct wr_rread *rr, FILE *out)
{
  size_t i;

  if (rr->nrejected == 0)
    return;
  fprintf(out, "<section id=\"rejected\">\n<h2>Rejected input rows (never "
          "sent)</h2>\n<details%s><summary>%zu row%s</summary>\n<table>\n"
          "<tr><th>Source</th><th>Line</th><th>Value</th><th>Reason</th>"
          "</tr>\n", rr->nrejected <= 10 ? " open" : "", rr->nrejected,
          wr_audit_plural(rr->nrejected));
  for (i = 0; i < rr->nrejected; i++) {
    fputs("<tr><td>", out);
    wr_html_text(out, rr->rejected[i].source);
    fprintf(out, "</td><td class=\"n\">%ld</td><td><code>",
            rr->rejected[i].line);
    wr_html_text(out, rr->rejected[i].value);
    fputs("</code></td><td>", out);
    wr_html_text(out, rr->rejected[i].reason);
    fputs("</td></tr>\n", out);
  }
  fputs("</table>\n</details>\n</section>\n", out);
}

static void story_section(FILE *out, const char *title)
{
  fputs("<section>\n<h2>", out);
  wr_html_text(out, title);
  fputs("</h2>\n<table>\n", out);
}

static void story_end(FILE *out)
{
  fputs("</table>\n</section>\n", out);
}

/* Waves and failed desktops have sections of their own here. */
static const struct wr_audit_story_ops story_ops = {
    story_section, row, story_end, true, true};

int wr_html_page(const struct wr_audit *a, FILE *out)
{
  const struct wr_rread *rr = a->rr;
  int rc;

  fputs(head, out);
  wr_html_text(out, rr->run.run_id);
  fputs(style, out);
  summary(a, out);
  rc = wr_html_timeline(a, out);
  if (rc < 0)
    return rc;
  wr_html_failures(a, out);
  fputs("<div class=\"grid\" id=\"details\">\n<section>\n<h2>Run</h2>\n"
        "<table>\n", out);
  wr_audit_run_rows(a, row, out);
  fputs("</table>\n</section>\n", out);
  desktops(a, out);
  wr_audit_story(a, &story_ops, out);
  waves(a, out);
  regions(a, out);
  fputs("</div>\n", out);
  wr_html_chunks(a, out);
  rejected(rr, out);
  if (rr->torn_line > 0)
    fprintf(out, "<p>Line %ld of the report was torn by a crash while it "
            "was written and was ignored.</p>\n", rr->torn_line);
  if (a->summary_differs)
    fputs("<p>The summary record's counts differ from the chunk records; "
          "the counts above are the chunk records'.</p>\n", out);
  fputs("</body>\n</html>\n", out);
  return 0;
}

int wr_html_audit_write(const struct wr_audit *a, enum wr_audit_format f,
                        FILE *out, struct wr_err *err)
{
  if (f != WR_AUDIT_HTML)
    return wr_audit_write(a, f, out, err);
  if (wr_html_page(a, out) < 0)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  if (fflush(out) != 0 || ferror(out))
    return wr_err_set(err, WR_EIO, "cannot write the audit");
  return 0;
}
