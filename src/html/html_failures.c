/* html_failures: what went wrong, desktop by desktop, and the chunks by
 * status.  Failed desktops are shown; the chunks, by status, are
 * collapsed in a <details> so a page for thousands of ok desktops stays a few screens
 * tall until it is opened.  Desktop IDs of a chunk are one wrapped line
 * of text, not one line each. */
#include "html.h"

#include <string.h>

struct fail_ctx {
  FILE *out;
  size_t rows;
};

/* A wide table scrolls on its own: the page never does. */
static void fail_head(FILE *out)
{
  fputs("<div class=\"scroll\"><table class=\"fail\">\n<tr><th>Desktop</th><th>Region</th>"
        "<th>Chunk</th><th>Wave</th><th>Error code</th><th>Attempts</th>"
        "<th>RequestId</th><th>Finished</th><th>Message</th></tr>\n", out);
}

static int fail_rows(const struct wr_rread_chunk *c, void *ud)
{
  struct fail_ctx *f = ud;
  size_t k;

  if (c->status != WR_RREAD_FAILED)
    return 0;
  for (k = 0; k < c->nids; k++) {
    if (f->rows == WR_HTML_FAILED_SHOWN) {
      fputs("</table></div>\n<details><summary>the other failed desktops"
            "</summary>\n", f->out);
      fail_head(f->out);
    }
    f->rows++;
    fputs("<tr><td class=\"id\">", f->out);
    wr_html_text(f->out, c->ids[k]);
    fputs("</td><td>", f->out);
    wr_html_text(f->out, c->region);
    fputs("</td><td>", f->out);
    wr_html_text(f->out, c->id);
    fprintf(f->out, "</td><td class=\"n\">%d</td><td class=\"failed\">",
            c->wave);
    wr_html_text(f->out, c->error_code);
    if (c->retry_pending) {
      fputs(", ", f->out);
      wr_html_code(f->out, WR_AUDIT_RETRY_PENDING);
    }
    fputs("</td><td class=\"n\">", f->out);
    fprintf(f->out, "%d</td><td class=\"rid\">", c->attempts);
    wr_html_text(f->out, c->request_id);
    fputs("</td><td>", f->out);
    wr_html_text(f->out, c->finished_at);
    /* one line a desktop on screen: the message cut, whole on hover and
     * in print */
    fputs("</td><td><span class=\"msg\" title=\"", f->out);
    wr_html_text(f->out, c->error_message);
    fputs("\">", f->out);
    wr_html_text(f->out, c->error_message);
    fputs("</span></td></tr>\n", f->out);
  }
  return 0;
}

static void groups(FILE *out, const char *title, const char *keyname,
                   const struct wr_audit_group *g, size_t n)
{
  size_t i, k;

  if (n == 0)
    return;
  fprintf(out, "<h3>%s</h3>\n<table>\n<tr><th>%s</th><th>Desktops</th>"
          "<th>Chunks</th><th>Message</th><th>Desktop IDs (first %d)</th>"
          "</tr>\n", title, keyname, WR_AUDIT_SAMPLES);
  for (i = 0; i < n; i++) {
    fputs("<tr><td>", out);
    wr_html_text(out, g[i].key);
    fprintf(out, "</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td><td>",
            g[i].desktops, g[i].chunks);
    wr_html_text(out, g[i].message);
    fputs("</td><td class=\"ids\">", out);
    for (k = 0; k < g[i].nsample; k++) {
      fputs(k > 0 ? " " : "", out);
      wr_html_text(out, g[i].sample[k]);
    }
    fputs("</td></tr>\n", out);
  }
  fputs("</table>\n", out);
}

void wr_html_failures(const struct wr_audit *a, FILE *out)
{
  struct fail_ctx f = {out, 0};

  fprintf(out, "<section id=\"failures\">\n<h2>Failed desktops (%zu)</h2>\n",
          a->failed);
  if (a->failed == 0) {
    fputs("<p>No desktop failed.</p>\n", out);
  } else {
    fail_head(out);
    wr_audit_each_leaf(a->rr, fail_rows, &f);
    fputs(f.rows > WR_HTML_FAILED_SHOWN ? "</table></div>\n</details>\n"
                                        : "</table></div>\n", out);
  }
  groups(out, "Failed desktops by error code", "Error code", a->failures,
         a->nfailures);
  groups(out, "Skipped desktops by reason", "Reason", a->skips, a->nskips);
  groups(out, "Excluded by pre-flight, by reason", "Reason", a->exclusions,
         a->nexclusions);
  fputs("</section>\n", out);
}

/* --- chunks by status --------------------------------------------------- */

struct chunk_ctx {
  FILE *out;
  enum wr_rread_status status;
  size_t chunks, desktops;
  bool write;
};

static int chunk_row(const struct wr_rread_chunk *c, void *ud)
{
  struct chunk_ctx *x = ud;
  const char *st = wr_rread_status_name(c->status);
  size_t i;

  if (c->status != x->status)
    return 0;
  x->chunks++;
  x->desktops += c->nids;
  if (!x->write)
    return 0;
  fputs("<tr><td>", x->out);
  wr_html_text(x->out, c->id);
  fputs("</td><td>", x->out);
  wr_html_text(x->out, c->region);
  fprintf(x->out, "</td><td class=\"n\">%d</td><td class=\"%s\">%s", c->wave,
          st, st);
  if (c->retry_pending) {
    fputs(", ", x->out);
    wr_html_code(x->out, WR_AUDIT_RETRY_PENDING);
  }
  if (c->reason != NULL) {
    fputs(": ", x->out);
    wr_html_text(x->out, c->reason);
  }
  fprintf(x->out, "</td><td class=\"n\">%d</td><td class=\"rid\">",
          c->attempts);
  wr_html_text(x->out, c->request_id);
  fputs("</td><td>", x->out);
  wr_html_text(x->out, c->error_code);
  fputs("</td><td>", x->out);
  wr_html_text(x->out, c->finished_at);
  fprintf(x->out, "</td><td class=\"n\">%zu</td><td class=\"ids\">",
          c->nids);
  for (i = 0; i < c->nids; i++) {
    fputs(i > 0 ? " " : "", x->out);
    wr_html_text(x->out, c->ids[i]);
  }
  fputs("</td></tr>\n", x->out);
  return 0;
}

static void status_block(const struct wr_audit *a, FILE *out,
                         enum wr_rread_status st)
{
  struct chunk_ctx x = {out, st, 0, 0, false};

  wr_audit_each_leaf(a->rr, chunk_row, &x);
  if (x.chunks == 0)
    return;
  fprintf(out, "<details class=\"chunks\"><summary><span class=\"%s\">%s"
          "</span>: %zu chunk%s, %zu desktop%s</summary>\n<table>\n<tr><th>"
          "Chunk</th><th>Region</th><th>Wave</th><th>Status</th><th>Attempts"
          "</th><th>RequestId</th><th>Error code</th><th>Finished</th><th>"
          "Desktops</th><th>Desktop IDs</th></tr>\n",
          wr_rread_status_name(st), wr_rread_status_name(st), x.chunks,
          wr_audit_plural(x.chunks), x.desktops, wr_audit_plural(x.desktops));
  x.chunks = x.desktops = 0;
  x.write = true;
  wr_audit_each_leaf(a->rr, chunk_row, &x);
  fputs("</table>\n</details>\n", out);
}

void wr_html_chunks(const struct wr_audit *a, FILE *out)
{
  static const enum wr_rread_status order[] = {
      WR_RREAD_FAILED, WR_RREAD_PENDING, WR_RREAD_SKIPPED, WR_RREAD_EXCLUDED,
      WR_RREAD_OK};
  size_t i;

  fputs("<section id=\"chunks\">\n<h2>Chunks</h2>\n<p class=\"note\">Each "
        "status folded; open one to see its chunks, their RequestIds and "
        "desktop IDs.</p>\n", out);
  for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
    status_block(a, out, order[i]);
  fputs("</section>\n", out);
}
