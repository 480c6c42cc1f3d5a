/* audit: what a loaded report proves, computed once (wr_audit_build) and
 * rendered in any of five formats (wr_audit_write): text for a terminal,
 * Markdown for a change ticket, CSV with one row per desktop (CONTRACT.md:
 * desktop_id,region,chunk,status,request_id,error_code,error_message,
 * finished_at), or one JSON object; the self-contained HTML page is
 * src/html's, a room above this one (audit/ is at its module limit).
 *
 * Counts come from the chunk records themselves, never from the summary
 * (which a crash may have kept from being written): every desktop of the
 * plan ends in exactly one leaf of the chunk forest, whose status is ok,
 * failed, skipped, or pending (no final record: an interrupted run).
 * A failed leaf marked retry_pending (the stop cut a due retry) counts as
 * failed and, apart, as retry pending: `resume` re-sends it.  A leaf
 * excluded by pre-flight (never sent) counts as excluded, by reason.
 * Split parents are not leaves.  The audit borrows the wr_rread, which
 * must outlive it; renderers write to a FILE and report ferror as WR_EIO.
 * Pure: no clock, no environment. */
#ifndef WR_AUDIT_H
#define WR_AUDIT_H

#include "err.h"
#include "report_read.h"

#include <stdint.h>
#include <stdio.h>

enum wr_audit_format {
  WR_AUDIT_TEXT = 0,
  WR_AUDIT_MARKDOWN,
  WR_AUDIT_CSV,
  WR_AUDIT_JSON,
  WR_AUDIT_HTML
};

#define WR_AUDIT_SAMPLES 5 /* desktop IDs shown per failure group */

/* Desktops that ended alike: failed with one error code, or skipped for
 * one reason. */
struct wr_audit_group {
  const char *key;             /* error code or skip reason, NULL: none */
  const char *message;         /* the first chunk's error message */
  size_t desktops, chunks;
  const char *sample[WR_AUDIT_SAMPLES];
  size_t nsample;
};

/* Desktops of one region, by their leaf's status. */
struct wr_audit_region {
  const char *region;
  size_t ok, failed, skipped, pending, excluded;
};

/* A finished wave (one with a wave record; the last record of a wave
 * that several sessions finished gives its end), its desktops counted by
 * their final leaf like every other count: a wave record counts only its
 * own session's desktops, and a retried failure is the retry's. */
struct wr_audit_wave {
  long wave;
  bool canary;
  size_t ok, failed, excluded;
  const char *finished_at;
};

/* One session (the run, each resume): its own time and rate, never
 * across the gap before a resume. */
struct wr_audit_session {
  const struct wr_rread_session *s; /* borrowed */
  const char *finished_at;     /* its summary's, else its last record's */
  double duration_s;           /* -1: unknown */
  double calls_per_s;          /* -1: unknown */
  double rate_limit;           /* options.rate, -1: unknown */
};

struct wr_audit {
  const struct wr_rread *rr;   /* borrowed */
  size_t planned;              /* desktops in the plan records */
  size_t ok, failed, skipped, pending; /* desktops, by their leaf */
  size_t ok_chunks, failed_chunks, skipped_chunks, pending_chunks; /* leaves */
  size_t retry_pending;        /* failed desktops resume re-sends */
  size_t retry_pending_chunks;
  const char *retry_pending_sample[WR_AUDIT_SAMPLES]; /* chunk ids */
  size_t nretry_pending_sample;
  size_t splits;               /* split records (calls that were split) */
  size_t excluded, excluded_chunks; /* pre-flight: never sent */
  struct wr_audit_group *exclusions; /* by reason, most desktops first */
  size_t nexclusions;
  size_t preflight_calls;      /* pre-flight DescribeDesktops calls */
  size_t preflight_errors;     /* of which failed */
  size_t preflight_parts;      /* chunks pre-flight cut into parts */
  size_t confirmed, confirmed_chunks; /* ok on the evidence that an attempt
                                       * whose answer was lost landed */
  size_t not_running;          /* verified desktops not Running in time */
  size_t calls;                /* attempts over every final record */
  size_t retries;              /* attempts after each chunk's first */
  size_t ambiguous;            /* ambiguous attempts */
  const char *finished_at;     /* the summary's, else the last record's */
  double duration_s;           /* run start to finish, -1: unknown */
  double calls_per_s;          /* calls / duration, -1: unknown */
  double desktops_per_s;       /* ok + failed / duration, -1: unknown */
  int exit_code;               /* the summary's, -1: no summary */
  bool complete;               /* a summary, nothing left to re-send */
  bool summary_differs;        /* its counts disagree with the records */
  struct wr_audit_group *failures; /* most desktops first */
  size_t nfailures;
  struct wr_audit_group *skips;
  size_t nskips;
  const char *pending_sample[WR_AUDIT_SAMPLES]; /* chunk ids */
  size_t npending_sample;
  struct wr_audit_region *regions; /* in plan order */
  size_t nregions;
  struct wr_audit_wave *waves;  /* finished waves, by wave number */
  size_t nwaves;
  /* Chunks with an ambiguous attempt (admin mode: a desktop may have
   * been asked to reboot twice), in report order. */
  const char *ambiguous_sample[WR_AUDIT_SAMPLES];
  size_t nambiguous_chunks;

  /* Provenance (audit_story.c). */
  struct wr_audit_session *sessions;
  size_t nsessions;
  bool verify_on;              /* the run asked for --verify */
  size_t verified;             /* ok desktops verified: Running or not */
  size_t not_verified;         /* ok desktops never checked (verify_on) */
  /* With verify_on, every ok desktop is exactly one of v_running,
   * not_running, not_verified (the last word of the verify records that
   * name it; none: not verified). */
  size_t v_running;
  uint8_t *vstat;              /* per rr->desktops index: enum
                                * wr_audit_vstatus */
  const char **vat;            /* ... and the verify record's finished_at */

  /* resume --retry-failed: failed leaves re-sent by a retry chunk. */
  size_t retried, retried_chunks; /* desktops, chunks re-sent */
  size_t retried_ok;           /* ... of which now ok */
  size_t retried_failed;       /* ... failed again */
  size_t retried_other;        /* ... excluded, skipped or pending */
};

enum wr_audit_vstatus {
  WR_AUDIT_V_NONE = 0,         /* not ok, or no verify record names it */
  WR_AUDIT_V_RUNNING,
  WR_AUDIT_V_NOT_RUNNING,
  WR_AUDIT_V_NOT_VERIFIED
};

/* The verification of desktop id of an ok leaf: Running, not Running or
 * not verified (NONE when --verify was off or the desktop is not ok);
 * *at: the verify record's finished_at (NULL: none). */
enum wr_audit_vstatus wr_audit_verify_of(const struct wr_audit *a,
                                         const char *id, const char **at);
/* "Running", "not Running", "not verified", or "" (NONE). */
const char *wr_audit_vstatus_name(enum wr_audit_vstatus s);

/* What every table-shaped format shows the same way (audit_story.c):
 * who, inputs, safety options, sessions, waves, verification, ambiguous
 * attempts and every failed desktop.  A format gives its own section
 * start and row; a section with nothing to say is left out. */
/* One "name: value" row of a table-shaped format (value NULL: none). */
typedef void wr_audit_row_fn(FILE *out, const char *name, const char *value);

struct wr_audit_story_ops {
  void (*section)(FILE *out, const char *title);
  wr_audit_row_fn *row;
  void (*end)(FILE *out);
  bool skip_waves;             /* the format has its own Waves section */
  bool skip_failed;            /* ... and its own failed-desktop table */
};
int wr_audit_story_build(struct wr_audit *a);
void wr_audit_story(const struct wr_audit *a,
                    const struct wr_audit_story_ops *ops, FILE *out);
/* The option name's effective value as text ("-" when absent) and its
 * origin ("command line", ... or NULL when unknown), from the last
 * session that recorded options, else run.options. */
const char *wr_audit_option(const struct wr_audit *a, const char *name,
                            char *buf, size_t len, const char **origin);
/* The same story as fields of the JSON audit (audit_story_json.c);
 * o is a cJSON object.  false: out of memory. */
bool wr_audit_json_story(cJSON *o, const struct wr_audit *a);
/* The safety options, in the order every format shows them. */
extern const char *const wr_audit_safety_options[];

/* "text" "markdown" "csv" "json" "html" -> *f; WR_EINVAL otherwise. */
int wr_audit_format_parse(const char *name, enum wr_audit_format *f);

/* Compute a (embedded by value; free with wr_audit_free, also after a
 * failure).  0 or WR_ENOMEM. */
int wr_audit_build(const struct wr_rread *rr, struct wr_audit *a,
                   struct wr_err *err);
void wr_audit_free(struct wr_audit *a);

/* Render in format f.  0, or WR_EIO (ferror) / WR_ENOMEM; WR_EINVAL for
 * WR_AUDIT_HTML, whose page lives in src/html (wr_html_audit_write
 * renders every format). */
int wr_audit_write(const struct wr_audit *a, enum wr_audit_format f,
                   FILE *out, struct wr_err *err);

/* Visit every leaf (ok/failed/skipped/pending chunk) in plan order, split
 * parts in place of their parent, and a failed leaf retried by resume
 * --retry-failed through its newest retry (the desktops' final state).  A negative return from cb stops the
 * walk and is returned. */
typedef int wr_audit_leaf_cb(const struct wr_rread_chunk *leaf, void *ud);
int wr_audit_each_leaf(const struct wr_rread *rr, wr_audit_leaf_cb *cb,
                       void *ud);

/* One line saying how the run ended ("complete", "stopped early
 * (deadline)", "interrupted: no summary record", "plan incomplete: ..."),
 * and, when something is left, that the run can be resumed (never with
 * an incomplete plan, which is never complete either). */
const char *wr_audit_outcome(const struct wr_audit *a, char *buf,
                             size_t len);

/* "366.3 s" or "6m 6.3s" or "unknown" (s < 0). */
const char *wr_audit_duration(double s, char *buf, size_t len);
/* "s" unless n is 1, for "%zu desktop%s". */
const char *wr_audit_plural(size_t n);
/* "10/s", "no limit" (0) or "unknown" (< 0). */
const char *wr_audit_rate(double rate, char *buf, size_t len);
/* "selected 4,812 desktops in office site X with tag env=prod at
 * 21:58:03 UTC on 2026-12-04 (cn-hangzhou; 49 pages)" from the run's
 * selection record; "" when the run selected nothing from the API. */
const char *wr_audit_selection(const struct wr_rread_run *run, char *buf,
                               size_t len);

/* The run's own fields (outcome, exit code, times, resumes, tool, API,
 * endpoint, inputs, rate, report file) as rows, in the same order for
 * every format that shows them as a table. */
void wr_audit_run_rows(const struct wr_audit *a, wr_audit_row_fn *row,
                       FILE *out);

/* The text shown for a failed chunk that resume re-sends. */
#define WR_AUDIT_RETRY_PENDING "retry pending: `resume` re-sends"

/* Escapers, exposed for tests.  s may be NULL (written as nothing). */
void wr_audit_csv_field(FILE *out, const char *s); /* RFC 4180 */
void wr_audit_html_text(FILE *out, const char *s); /* & < > " ' */
void wr_audit_md_text(FILE *out, const char *s);   /* inline, table-safe */
void wr_audit_tty_text(FILE *out, const char *s);  /* control bytes as \xNN */

/* The renderers behind wr_audit_write. */
void wr_audit_text(const struct wr_audit *a, FILE *out);
void wr_audit_markdown(const struct wr_audit *a, FILE *out);
void wr_audit_csv(const struct wr_audit *a, FILE *out);
int wr_audit_json(const struct wr_audit *a, FILE *out);

#endif
