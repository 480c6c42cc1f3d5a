/* progress: the line a person watches during a run (see progress.h).
 *
 * The rate is measured over a sliding window of the last ~10 seconds, so
 * it follows throttling and recovery instead of averaging the whole run;
 * the ETA is the chunks left at that rate. */
#include "progress.h"

#include "log.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#define TTY_EVERY_MS 200
#define LOG_EVERY_MS 5000
#define SAMPLE_EVERY_MS 500
#define NSAMPLES 21          /* 20 intervals of 500 ms: a 10 s window */
#define MIN_SPAN_MS 1000     /* below this the rate is a guess: not shown */
#define LINE_MAX 160

struct sample {
  int64_t t_ms;
  size_t chunks;
};

struct wr_progress {
  bool tty;                  /* draw a line in place; else log at -v */
  FILE *out;
  bool drawn;                /* our line is on the screen now */
  bool force;                /* redraw at the next update (after a log) */
  int64_t start_ms;
  int width;                 /* columns, 0: ask the terminal */
  int64_t last_out_ms;       /* last draw or log */
  struct sample samples[NSAMPLES];
  size_t nsamples, head;     /* ring: head is the oldest */
};

/* The log's clear hook takes no argument: the one progress that draws. */
static struct wr_progress *drawing;

static void clear_line(void)
{
  if (drawing != NULL && drawing->drawn) {
    fputs("\r\033[K", drawing->out);
    fflush(drawing->out);
    drawing->drawn = false;
    drawing->force = true;
  }
}

int wr_progress_create(enum wr_progress_mode mode, bool is_tty,
                       int64_t now_ms, struct wr_progress **out)
{
  struct wr_progress *p = calloc(1, sizeof(*p));

  *out = NULL;
  if (p == NULL)
    return WR_ENOMEM;
  p->tty = mode == WR_PROGRESS_ALWAYS || (mode == WR_PROGRESS_AUTO && is_tty);
  p->out = stderr;
  p->start_ms = now_ms;
  p->last_out_ms = now_ms;
  p->force = true;
  if (p->tty) {
    drawing = p;
    wr_log_set_clear_hook(clear_line);
  }
  *out = p;
  return 0;
}

void wr_progress_set_output(struct wr_progress *p, FILE *out)
{
  p->out = out;
}

void wr_progress_set_width(struct wr_progress *p, int cols)
{
  p->width = cols;
}

static int columns(const struct wr_progress *p)
{
  struct winsize ws;

  if (p->width > 0)
    return p->width;
  if (ioctl(fileno(p->out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  return 0;
}

static void add_sample(struct wr_progress *p, size_t chunks, int64_t now_ms)
{
  size_t last;

  if (p->nsamples > 0) {
    last = (p->head + p->nsamples - 1) % NSAMPLES;
    if (now_ms - p->samples[last].t_ms < SAMPLE_EVERY_MS)
      return;
  }
  if (p->nsamples == NSAMPLES) {
    p->head = (p->head + 1) % NSAMPLES;
    p->nsamples--;
  }
  last = (p->head + p->nsamples) % NSAMPLES;
  p->samples[last].t_ms = now_ms;
  p->samples[last].chunks = chunks;
  p->nsamples++;
}

static double window_rate(const struct wr_progress *p, size_t chunks,
                          int64_t now_ms)
{
  const struct sample *old;
  int64_t span;

  if (p->nsamples == 0)
    return -1;
  old = &p->samples[p->head];
  span = now_ms - old->t_ms;
  if (span < MIN_SPAN_MS || chunks < old->chunks)
    return -1;
  return (double)(chunks - old->chunks) * 1000.0 / (double)span;
}

static void format_eta(const struct wr_progress_counts *c, double rate,
                       char *out, size_t len)
{
  size_t left = c->chunks_total > c->chunks_done
                    ? c->chunks_total - c->chunks_done : 0;
  double secs;
  long s;

  if (left == 0) {
    snprintf(out, len, "0:00");
    return;
  }
  if (rate <= 0) {
    snprintf(out, len, "--:--");
    return;
  }
  secs = (double)left / rate + 0.5;
  if (secs > 99.0 * 3600) {
    snprintf(out, len, ">99h");
    return;
  }
  s = (long)secs;
  if (s >= 3600)
    snprintf(out, len, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    snprintf(out, len, "%ld:%02ld", s / 60, s % 60);
}

int wr_progress_render(const struct wr_progress_counts *c, double rate,
                       char *out, size_t len)
{
  char eta[32];

  format_eta(c, rate, eta, sizeof(eta));
  return snprintf(out, len,
                  "chunks %zu/%zu  desktops %zu/%zu  %.1f/s  retries %zu  "
                  "failed %zu  ETA %s",
                  c->chunks_done, c->chunks_total, c->desktops_done,
                  c->desktops_total, rate > 0 ? rate : 0.0, c->retries,
                  c->desktops_failed, eta);
}

/* The last line shows the whole run's average: the window would say little
 * about a run shorter than it. */
static double run_rate(const struct wr_progress *p, size_t chunks,
                       int64_t now_ms)
{
  int64_t span = now_ms - p->start_ms;

  return span > 0 ? (double)chunks * 1000.0 / (double)span : -1;
}

static void emit(struct wr_progress *p, const struct wr_progress_counts *c,
                 int64_t now_ms, bool last)
{
  char line[LINE_MAX];
  double rate = last ? run_rate(p, c->chunks_done, now_ms)
                     : window_rate(p, c->chunks_done, now_ms);

  wr_progress_render(c, rate, line, sizeof(line));
  p->last_out_ms = now_ms;
  p->force = false;
  if (p->tty) {
    int cols = columns(p);

    /* Keep the last column free: writing into it wraps on some
     * terminals. */
    if (cols > 1 && strlen(line) > (size_t)cols - 1)
      line[cols - 1] = '\0';
    fprintf(p->out, "\r%s\033[K", line);
    fflush(p->out);
    p->drawn = true;
  } else {
    wr_infof("progress: %s", line);
  }
}

void wr_progress_update(struct wr_progress *p, const struct wr_progress_counts *c,
                        int64_t now_ms)
{
  if (p == NULL)
    return;
  add_sample(p, c->chunks_done, now_ms);
  if (p->tty) {
    if (p->force || now_ms - p->last_out_ms >= TTY_EVERY_MS)
      emit(p, c, now_ms, false);
    return;
  }
  if (wr_log_level() >= WR_LOG_INFO && now_ms - p->last_out_ms >= LOG_EVERY_MS)
    emit(p, c, now_ms, false);
}

void wr_progress_finish(struct wr_progress *p,
                        const struct wr_progress_counts *c, int64_t now_ms)
{
  if (p == NULL)
    return;
  add_sample(p, c->chunks_done, now_ms);
  if (p->tty) {
    emit(p, c, now_ms, true);
    fputc('\n', p->out);
    fflush(p->out);
    p->drawn = false;
  } else if (wr_log_level() >= WR_LOG_INFO) {
    emit(p, c, now_ms, true);
  }
}

void wr_progress_destroy(struct wr_progress **pp)
{
  struct wr_progress *p = pp != NULL ? *pp : NULL;

  if (p == NULL)
    return;
  *pp = NULL;
  if (drawing == p) {
    clear_line();
    drawing = NULL;
    wr_log_set_clear_hook(NULL);
  }
  free(p);
}
