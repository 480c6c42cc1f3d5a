/* html: the audit as one self-contained page, for people who would
 * rather look at a run than read it: a summary first, an inline SVG
 * timeline of calls per second by outcome (html_timeline.c), every
 * failed desktop in one table and the chunks collapsed
 * (html_failures.c), then the story every format tells (who, inputs,
 * safety settings, sessions, waves, verification, ambiguous attempts).
 * Inline style, no script, nothing fetched: it can be mailed or archived
 * as is, and printed (a print stylesheet).  Every value from the report
 * goes through wr_audit_html_text.  Pure: no clock, no environment. */
#ifndef WR_HTML_H
#define WR_HTML_H

#include "audit.h"

#include <stdio.h>

/* Render a in any format f: the page for WR_AUDIT_HTML, wr_audit_write
 * for the others.  0, or WR_EIO (ferror) / WR_ENOMEM with err set. */
int wr_html_audit_write(const struct wr_audit *a, enum wr_audit_format f,
                        FILE *out, struct wr_err *err);

/* The page (html_page.c).  0 or WR_ENOMEM (the timeline's bins). */
int wr_html_page(const struct wr_audit *a, FILE *out);

/* A value as text, an em dash for NULL; with `code` pieces as <code>
 * (our own texts mark commands with backticks). */
void wr_html_text(FILE *out, const char *s);
void wr_html_code(FILE *out, const char *s);

/* --- the timeline (html_timeline.c) ----------------------------------- */

enum wr_html_outcome {
  WR_HTML_OK = 0,     /* the call that ended its chunk ok */
  WR_HTML_RETRIED,    /* a call whose desktops were sent again */
  WR_HTML_THROTTLED,  /* a call of a chunk that ended on Throttling.* */
  WR_HTML_FAILED,     /* the call that ended its chunk failed */
  WR_HTML_OUTCOMES
};

/* Calls binned by when each was sent, one run of bins per session, laid
 * side by side without the gap between a run and its resume. */
struct wr_html_span {
  double from_s, to_s;         /* seconds from the session's start */
  long wave;
  bool canary;
};

struct wr_html_lane {          /* one session */
  int64_t start_ms, end_ms;    /* wall clock */
  size_t first_bin, nbins;
  double rate_limit;           /* -1 unknown, 0 none */
  struct wr_html_span *waves;  /* in order of their start */
  size_t nwaves;
};

struct wr_html_timeline {
  double bin_s;                /* seconds per bin (>= 1) */
  size_t nbins;
  double (*bins)[WR_HTML_OUTCOMES]; /* calls per bin, by outcome */
  struct wr_html_lane *lanes;
  size_t nlanes;
  size_t calls[WR_HTML_OUTCOMES]; /* placed */
  size_t unplaced;             /* attempts without usable times */
  size_t derived;              /* attempts placed between start and last */
  double peak;                 /* highest calls/s of a bin */
};

#define WR_HTML_MAX_BINS 240   /* bins across every session */

/* Compute t from a's chunk records.  0, or WR_ENOMEM (t freed). */
int wr_html_timeline_build(const struct wr_audit *a,
                           struct wr_html_timeline *t);
void wr_html_timeline_free(struct wr_html_timeline *t);
/* The timeline section: the SVG, its legend and how it was derived. */
int wr_html_timeline(const struct wr_audit *a, FILE *out);

/* --- failures and chunks (html_failures.c) ----------------------------- */

/* Every failed desktop, one row each (the first WR_HTML_FAILED_SHOWN
 * shown, the rest collapsed), then the groups by error code. */
#define WR_HTML_FAILED_SHOWN 200
void wr_html_failures(const struct wr_audit *a, FILE *out);
/* The chunks by status, each status collapsed in a <details>, desktop
 * IDs wrapped as text. */
void wr_html_chunks(const struct wr_audit *a, FILE *out);

#endif
