/* progress: what a person watching a run sees: the phase (pre-flight,
 * sending wave k of n, verifying wave k: 812/1,000 Running), desktops done,
 * desktops per second and an ETA that counts pre-flight and verification.
 *
 * Three ways to show it:
 *   TTY   (--progress auto with stderr a TTY, or always on a TTY): one line
 *         redrawn in place, at most every 200 ms and at each phase change;
 *   LINES (--progress always, stderr not a TTY): a whole line
 *         "wuying-reboot: progress: ..." every 5 s and at each phase
 *         change, no "\r" or escapes, for a file or a pipe;
 *   LOG   (--progress auto, not a TTY): the same lines as log messages,
 *         at -v only.
 * Time is an argument; the caller's timer drives it. */
#ifndef WR_PROGRESS_H
#define WR_PROGRESS_H

#include "config.h"
#include "journal_records.h"
#include "plan.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum wr_progress_phase {
  WR_PHASE_START = 0,  /* nothing started yet */
  WR_PHASE_PREFLIGHT,  /* a wave's state check (DescribeDesktops) */
  WR_PHASE_SENDING,    /* a wave's RebootDesktops calls */
  WR_PHASE_VERIFYING,  /* --verify: waiting for a wave to run again */
  WR_PHASE_STOPPING,   /* the run stops: calls in flight finish */
  WR_PHASE_DONE        /* wr_progress_finish() was called */
};

struct wr_progress_counts {
  size_t desktops_done, desktops_total; /* final (any state) of the plan */
  size_t desktops_failed;
  size_t desktops_excluded;             /* by pre-flight; never sent */
  size_t desktops_skipped;              /* never sent: the run stopped */
  /* The excluded by reason (borrowed; the summary's), may be NULL. */
  const struct wr_reason_count *excluded_by;
  size_t nexcluded_by;
  size_t retries;
  size_t in_flight;
  /* The phase's own count: pre-flight: desktops checked of the wave's;
   * verifying: desktops Running again of the wave's rebooted ones. */
  size_t phase_done, phase_total;
};

/* What the ETA needs to know of the run besides the plan. */
struct wr_progress_run {
  double rate;               /* --rate, calls/s; 0: no limit */
  bool preflight;            /* a state check before each wave */
  bool verify;
  int64_t verify_timeout_ms;
};

struct wr_progress;

/* is_tty: whether stderr is a terminal (the caller asks isatty). */
int wr_progress_create(enum wr_progress_mode mode, bool is_tty,
                       int64_t now_ms, struct wr_progress **out);
/* The plan's waves (their numbers and sizes) and the run's settings, for
 * the wave labels and the ETA.  plan is read now, not kept.  0 or
 * WR_ENOMEM (the line then goes without the waves' count). */
int wr_progress_set_plan(struct wr_progress *p, const struct wr_plan *plan,
                         const struct wr_progress_run *run);
/* The run enters phase for wave (a no-op if it is in it already): shown
 * at once; the time spent in each phase feeds the rate and the ETA. */
void wr_progress_phase(struct wr_progress *p, enum wr_progress_phase phase,
                       int wave, const struct wr_progress_counts *c,
                       int64_t now_ms);
/* Redraw or log if due.  Cheap when not due. */
void wr_progress_update(struct wr_progress *p,
                        const struct wr_progress_counts *c, int64_t now_ms);
/* The last line ("finished: ..."; on a TTY ended with a newline, so the
 * summary starts on a clean line). */
void wr_progress_finish(struct wr_progress *p,
                        const struct wr_progress_counts *c, int64_t now_ms);
void wr_progress_destroy(struct wr_progress **pp);

/* Where the line goes (default stderr; tests pass a file). */
void wr_progress_set_output(struct wr_progress *p, FILE *out);
/* The terminal's width in columns; the line is cut to fit, since a line
 * that wraps cannot be redrawn in place.  0: ask the terminal (TIOCGWINSZ)
 * at every redraw, no limit if it cannot say. */
void wr_progress_set_width(struct wr_progress *p, int cols);
/* The line itself at now_ms, without "\r", prefix or newline, e.g.
 * "sending wave 1 of 2: 412/1,000 desktops  38.2 desktops/s  ETA 1:05
 * failed 0  excluded 5  retries 3".  Returns what snprintf returns. */
int wr_progress_render(const struct wr_progress *p,
                       const struct wr_progress_counts *c, int64_t now_ms,
                       char *out, size_t len);
/* The ETA in seconds at now_ms, < 0 when it cannot be told yet; *upper:
 * verification is counted at its timeout (no wave measured yet). */
double wr_progress_eta(const struct wr_progress *p,
                       const struct wr_progress_counts *c, int64_t now_ms,
                       bool *upper);

#endif
