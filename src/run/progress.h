/* progress: what a person watching a run sees.  On a TTY (--progress auto
 * with stderr a TTY, or always): one line on stderr redrawn in place, at
 * most every 200 ms.  Otherwise, at -v, a log line every few seconds.
 * Time is an argument; the caller's timer drives it. */
#ifndef WR_PROGRESS_H
#define WR_PROGRESS_H

#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct wr_progress_counts {
  size_t chunks_done, chunks_total;
  size_t desktops_done, desktops_total;
  size_t desktops_failed;
  size_t retries;
  size_t in_flight;
};

struct wr_progress;

/* is_tty: whether stderr is a terminal (the caller asks isatty). */
int wr_progress_create(enum wr_progress_mode mode, bool is_tty,
                       int64_t now_ms, struct wr_progress **out);
/* Redraw or log if due.  Cheap when not due. */
void wr_progress_update(struct wr_progress *p, const struct wr_progress_counts *c,
                        int64_t now_ms);
/* Final redraw and newline (TTY), so the summary starts on a clean line. */
void wr_progress_finish(struct wr_progress *p,
                        const struct wr_progress_counts *c, int64_t now_ms);
void wr_progress_destroy(struct wr_progress **pp);

/* Where the TTY line goes (default stderr; tests pass a file). */
void wr_progress_set_output(struct wr_progress *p, FILE *out);
/* The terminal's width in columns; the line is cut to fit, since a line
 * that wraps cannot be redrawn in place.  0: ask the terminal (TIOCGWINSZ)
 * at every redraw, no limit if it cannot say. */
void wr_progress_set_width(struct wr_progress *p, int cols);
/* The line itself, without "\r" or newline: "chunks 40/100  desktops
 * 800/2000  12.3/s  retries 3  failed 0  ETA 0:05".  rate is finished
 * chunks (calls) per second, <= 0 when not known yet (ETA --:--).
 * Returns what snprintf returns. */
int wr_progress_render(const struct wr_progress_counts *c, double rate,
                       char *out, size_t len);

#endif
