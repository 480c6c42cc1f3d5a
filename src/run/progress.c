/* progress: the line a person watches during a run (see progress.h).
 *
 * The rate is desktops sent (ended ok or failed; not those pre-flight
 * excluded or a stop skipped) per second of *sending*: the clock of the rate
 * stops while a wave is pre-flighted or verified, so a ten-minute wait for
 * a wave to come back does not drag the rate down.  It is measured over a
 * sliding window of the last ~10 s of sending, so it follows throttling
 * and recovery, and shown from the first second of sending.
 *
 * The ETA adds up what is left: the desktops not yet sent at that rate
 * (before a second of sending, at --rate times the mean chunk), the
 * pre-flight of the waves to come at the measured time per desktop
 * (before one, a call of 100 per --rate), and one verification per wave
 * still to verify at the measured mean of the waves verified so far
 * (before one, at --verify-timeout: then the ETA is an upper bound,
 * shown "<="). */
#include "progress.h"

#include "log.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#define TTY_EVERY_MS 200
#define LINES_EVERY_MS 5000
#define SAMPLE_EVERY_MS 500
#define NSAMPLES 21          /* 20 intervals of 500 ms: a 10 s window */
#define MIN_SPAN_MS 1000     /* below this the rate is a guess: not shown */
#define LINE_MAX 400
#define SHOW_REASONS 4      /* excluded: the first reasons named */
#define PF_BATCH 100         /* desktops per DescribeDesktops */

enum show { SHOW_TTY, SHOW_LINES, SHOW_LOG, SHOW_NONE };

struct sample {
  int64_t t_ms;              /* on the sending clock */
  size_t sent;
};

struct wr_progress {
  enum show show;
  FILE *out;
  bool drawn;                /* our line is on the screen now */
  bool force;                /* redraw at the next update (after a log) */
  int64_t start_ms;
  int width;                 /* columns, 0: ask the terminal */
  int64_t last_out_ms;       /* last draw or line */
  enum wr_progress_phase phase;
  int wave;
  int64_t phase_ms;          /* when the phase began */
  size_t phase_total;        /* its own count's total, as last seen */
  int64_t send_ms;           /* sending time of the phases ended */
  int64_t pf_ms;             /* pre-flights ended: time and desktops */
  size_t pf_desktops;
  int64_t verify_ms;         /* verifications ended: time and waves */
  size_t verify_waves;
  struct sample samples[NSAMPLES];
  size_t nsamples, head;     /* ring: head is the oldest */
  /* From the plan (set_plan): desktops of each wave, 0..last_wave. */
  size_t *wave_desktops;
  int last_wave;             /* -1: not known */
  bool canary;               /* the plan has a wave 0 */
  double per_call;           /* mean desktops per chunk */
  struct wr_progress_run run;
  /* The desktops answered before this session's first update (a resume's
   * earlier sessions): not this session's rate. */
  size_t sent0;
  bool have_sent0;
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
  if (mode == WR_PROGRESS_NEVER)
    p->show = SHOW_NONE;
  else if (is_tty)
    p->show = SHOW_TTY;
  else
    p->show = mode == WR_PROGRESS_ALWAYS ? SHOW_LINES : SHOW_LOG;
  p->out = stderr;
  p->start_ms = now_ms;
  p->last_out_ms = now_ms;
  p->phase_ms = now_ms;
  p->force = true;
  p->last_wave = -1;
  if (p->show == SHOW_TTY) {
    drawing = p;
    wr_log_set_clear_hook(clear_line);
  }
  *out = p;
  return 0;
}

int wr_progress_set_plan(struct wr_progress *p, const struct wr_plan *plan,
                         const struct wr_progress_run *run)
{
  size_t i, n = 0;
  int last = 0;

  p->run = *run;
  if (plan->nchunks == 0)
    return 0; /* nothing to send: no waves to name */
  for (i = 0; i < plan->nchunks; i++) {
    if (plan->chunks[i].wave > last)
      last = plan->chunks[i].wave;
    n += plan->chunks[i].nids;
  }
  /* A resume names the waves as the plan does: "wave 2 of 6", even when
   * what is left stops at wave 2. */
  if (plan->last_wave > last)
    last = plan->last_wave;
  p->per_call = plan->nchunks > 0 ? (double)n / (double)plan->nchunks : 0;
  free(p->wave_desktops);
  p->last_wave = -1;
  p->wave_desktops = calloc((size_t)last + 1, sizeof(*p->wave_desktops));
  if (p->wave_desktops == NULL)
    return WR_ENOMEM;
  for (i = 0; i < plan->nchunks; i++)
    if (plan->chunks[i].wave >= 0)
      p->wave_desktops[plan->chunks[i].wave] += plan->chunks[i].nids;
  p->canary = p->wave_desktops[0] > 0;
  p->last_wave = last;
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

/* ---- the rate ------------------------------------------------------------ */

/* Desktops whose reboot was answered (ok or failed), all sessions'. */
static size_t answered(const struct wr_progress_counts *c)
{
  size_t unsent = c->desktops_excluded + c->desktops_skipped;

  return c->desktops_done > unsent ? c->desktops_done - unsent : 0;
}

/* ... of this session: a resume's rate is not its earlier sessions'. */
static size_t sent_of(const struct wr_progress *p,
                      const struct wr_progress_counts *c)
{
  size_t n = answered(c);

  return n > p->sent0 ? n - p->sent0 : 0;
}

static void take_sent0(struct wr_progress *p,
                       const struct wr_progress_counts *c)
{
  if (!p->have_sent0) {
    p->sent0 = answered(c);
    p->have_sent0 = true;
  }
}

/* The sending clock: time spent in the sending phase so far. */
static int64_t send_clock(const struct wr_progress *p, int64_t now_ms)
{
  return p->send_ms +
         (p->phase == WR_PHASE_SENDING && now_ms > p->phase_ms
              ? now_ms - p->phase_ms : 0);
}

static void add_sample(struct wr_progress *p, size_t sent, int64_t now_ms)
{
  int64_t t = send_clock(p, now_ms);
  size_t last;

  if (p->nsamples > 0) {
    last = (p->head + p->nsamples - 1) % NSAMPLES;
    if (t - p->samples[last].t_ms < SAMPLE_EVERY_MS)
      return;
  }
  if (p->nsamples == NSAMPLES) {
    p->head = (p->head + 1) % NSAMPLES;
    p->nsamples--;
  }
  last = (p->head + p->nsamples) % NSAMPLES;
  p->samples[last].t_ms = t;
  p->samples[last].sent = sent;
  p->nsamples++;
}

/* Desktops/s over the window; < 0 before a second of sending. */
static double window_rate(const struct wr_progress *p, size_t sent,
                          int64_t now_ms)
{
  const struct sample *old;
  int64_t span;

  if (p->nsamples == 0)
    return -1;
  old = &p->samples[p->head];
  span = send_clock(p, now_ms) - old->t_ms;
  if (span < MIN_SPAN_MS || sent < old->sent)
    return -1;
  return (double)(sent - old->sent) * 1000.0 / (double)span;
}

/* The whole run's: desktops sent per second of sending. */
static double run_rate(const struct wr_progress *p, size_t sent,
                       int64_t now_ms)
{
  int64_t span = send_clock(p, now_ms);

  return span > 0 && sent > 0 ? (double)sent * 1000.0 / (double)span : -1;
}

/* ---- the ETA -------------------------------------------------------------- */

double wr_progress_eta(const struct wr_progress *p,
                       const struct wr_progress_counts *c, int64_t now_ms,
                       bool *upper)
{
  size_t left = c->desktops_total > c->desktops_done
                    ? c->desktops_total - c->desktops_done : 0;
  size_t future_desktops = 0, future_waves = 0;
  double speed = window_rate(p, sent_of(p, c), now_ms);
  double secs = 0, pf_per, per, el;
  int w;

  *upper = false;
  if (p->phase == WR_PHASE_START || p->phase == WR_PHASE_STOPPING)
    return -1;
  if (p->phase == WR_PHASE_DONE)
    return 0;
  if (speed <= 0 && p->run.rate > 0 && p->per_call > 0)
    speed = p->run.rate * p->per_call;
  if (left > 0) {
    if (speed <= 0)
      return -1;
    secs += (double)left / speed;
  }
  for (w = p->wave + 1; p->wave_desktops != NULL && w <= p->last_wave; w++)
    if (p->wave_desktops[w] > 0) {
      future_waves++;
      future_desktops += p->wave_desktops[w];
    }
  if (p->run.preflight) {
    if (p->pf_desktops > 0)
      pf_per = (double)p->pf_ms / 1000.0 / (double)p->pf_desktops;
    else
      pf_per = p->run.rate > 0 ? 1.0 / (p->run.rate * PF_BATCH) : 0;
    secs += (double)future_desktops * pf_per;
    if (p->phase == WR_PHASE_PREFLIGHT && c->phase_total > c->phase_done)
      secs += (double)(c->phase_total - c->phase_done) * pf_per;
  }
  if (p->run.verify) {
    double timeout = (double)p->run.verify_timeout_ms / 1000.0;

    if (p->verify_waves > 0) {
      per = (double)p->verify_ms / 1000.0 / (double)p->verify_waves;
    } else {
      per = timeout;
      *upper = true;
    }
    secs += (double)future_waves * per;
    if (p->phase != WR_PHASE_VERIFYING) {
      secs += per;
    } else {
      el = (double)(now_ms - p->phase_ms) / 1000.0;
      /* Past the mean, only the timeout bounds it. */
      if (p->verify_waves == 0 || per - el <= 0) {
        per = timeout;
        *upper = true;
      }
      if (per > el)
        secs += per - el;
    }
  }
  return secs;
}

/* ---- the line ------------------------------------------------------------- */

/* 1234567 -> "1,234,567" */
static const char *num(size_t n, char *buf, size_t len)
{
  char tmp[32];
  size_t k, i, j = 0;
  int m = snprintf(tmp, sizeof(tmp), "%zu", n);

  k = m > 0 ? (size_t)m : 0;
  for (i = 0; i < k && j + 2 < len; i++) {
    if (i > 0 && (k - i) % 3 == 0)
      buf[j++] = ',';
    buf[j++] = tmp[i];
  }
  buf[j] = '\0';
  return buf;
}

static void fmt_secs(double secs, char *out, size_t len)
{
  long s;

  if (secs > 99.0 * 3600) {
    snprintf(out, len, ">99h");
    return;
  }
  s = (long)(secs + 0.5);
  if (s >= 3600)
    snprintf(out, len, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    snprintf(out, len, "%ld:%02ld", s / 60, s % 60);
}

static void fmt_eta(const struct wr_progress *p,
                    const struct wr_progress_counts *c, int64_t now_ms,
                    char *out, size_t len)
{
  bool upper;
  double secs = wr_progress_eta(p, c, now_ms, &upper);
  char t[24];

  if (secs < 0) {
    snprintf(out, len, "ETA --:--");
    return;
  }
  fmt_secs(secs, t, sizeof(t));
  snprintf(out, len, "ETA %s%s", upper && secs > 0 ? "<=" : "", t);
}

static void fmt_rate(double rate, char *out, size_t len)
{
  if (rate < 0)
    snprintf(out, len, "-- desktops/s");
  else
    snprintf(out, len, "%.1f desktops/s", rate);
}

/* "excluded 62 (status:Stopped 60, connected 2)": the first reasons. */
static void fmt_excluded(const struct wr_progress_counts *c, char *out,
                         size_t len)
{
  size_t i, at;
  int n = snprintf(out, len, "excluded %zu", c->desktops_excluded);

  if (c->desktops_excluded == 0 || c->excluded_by == NULL ||
      c->nexcluded_by == 0 || n < 0 || (size_t)n >= len)
    return;
  at = (size_t)n;
  for (i = 0; i < c->nexcluded_by && i < SHOW_REASONS && at < len; i++) {
    n = snprintf(out + at, len - at, "%s%s %zu", i == 0 ? " (" : ", ",
                 c->excluded_by[i].reason, c->excluded_by[i].desktops);
    if (n < 0)
      return;
    at += (size_t)n;
  }
  if (at < len && c->nexcluded_by > SHOW_REASONS)
    at += (size_t)snprintf(out + at, len - at, ", +%zu more",
                           c->nexcluded_by - SHOW_REASONS);
  if (at < len)
    snprintf(out + at, len - at, ")");
}

/* "canary wave", "wave 2 of 5", or "wave 2" without a plan. */
static void fmt_wave(const struct wr_progress *p, char *out, size_t len)
{
  if (p->wave == 0 && p->canary)
    snprintf(out, len, "canary wave");
  else if (p->last_wave >= p->wave)
    snprintf(out, len, "wave %d of %d", p->wave, p->last_wave);
  else
    snprintf(out, len, "wave %d", p->wave);
}

int wr_progress_render(const struct wr_progress *p,
                       const struct wr_progress_counts *c, int64_t now_ms,
                       char *out, size_t len)
{
  char wave[40], head[160], done[24], total[24], a[24], b[24], eta[32];
  char rate[32], tail[256], ex[192];

  fmt_wave(p, wave, sizeof(wave));
  num(c->desktops_done, done, sizeof(done));
  num(c->desktops_total, total, sizeof(total));
  num(c->phase_done, a, sizeof(a));
  num(c->phase_total, b, sizeof(b));
  fmt_eta(p, c, now_ms, eta, sizeof(eta));
  fmt_excluded(c, ex, sizeof(ex));
  /* Skipped desktops exist only once the run stops. */
  if (p->phase == WR_PHASE_STOPPING || p->phase == WR_PHASE_DONE)
    snprintf(tail, sizeof(tail), "failed %zu  %s  skipped %zu  retries %zu",
             c->desktops_failed, ex, c->desktops_skipped, c->retries);
  else
    snprintf(tail, sizeof(tail), "failed %zu  %s  retries %zu",
             c->desktops_failed, ex, c->retries);
  switch (p->phase) {
  case WR_PHASE_PREFLIGHT:
    snprintf(head, sizeof(head), "pre-flight %s: %s/%s checked", wave, a, b);
    break;
  case WR_PHASE_SENDING:
    fmt_rate(window_rate(p, sent_of(p, c), now_ms), rate, sizeof(rate));
    return snprintf(out, len, "sending %s: %s/%s desktops  %s  %s  %s",
                    wave, done, total, rate, eta, tail);
  case WR_PHASE_VERIFYING:
    snprintf(head, sizeof(head), "verifying %s: %s/%s Running", wave, a, b);
    break;
  case WR_PHASE_STOPPING:
    return snprintf(out, len, "stopping: %zu call(s) in flight  %s/%s "
                    "desktops  %s", c->in_flight, done, total, tail);
  case WR_PHASE_DONE:
    fmt_rate(run_rate(p, sent_of(p, c), now_ms), rate, sizeof(rate));
    fmt_secs((double)(now_ms - p->start_ms) / 1000.0, a, sizeof(a));
    return snprintf(out, len, "finished: %s/%s desktops  %s  in %s  %s",
                    done, total, rate, a, tail);
  default:
    snprintf(head, sizeof(head), "starting");
    break;
  }
  return snprintf(out, len, "%s  %s/%s desktops  %s  %s", head, done, total,
                  eta, tail);
}

static void emit(struct wr_progress *p, const struct wr_progress_counts *c,
                 int64_t now_ms)
{
  char line[LINE_MAX];

  wr_progress_render(p, c, now_ms, line, sizeof(line));
  p->last_out_ms = now_ms;
  p->force = false;
  switch (p->show) {
  case SHOW_TTY: {
    int cols = columns(p);

    /* Keep the last column free: writing into it wraps on some
     * terminals. */
    if (cols > 1 && strlen(line) > (size_t)cols - 1)
      line[cols - 1] = '\0';
    fprintf(p->out, "\r%s\033[K", line);
    fflush(p->out);
    p->drawn = true;
    break;
  }
  case SHOW_LINES:
    fprintf(p->out, "wuying-reboot: progress: %s\n", line);
    fflush(p->out);
    break;
  case SHOW_LOG:
    if (wr_log_level() >= WR_LOG_INFO)
      wr_infof("progress: %s", line);
    break;
  default:
    break;
  }
}

/* ---- driving it ------------------------------------------------------------ */

void wr_progress_phase(struct wr_progress *p, enum wr_progress_phase phase,
                       int wave, const struct wr_progress_counts *c,
                       int64_t now_ms)
{
  int64_t spent;

  if (p == NULL || p->phase == WR_PHASE_DONE ||
      (p->phase == phase && (p->wave == wave || phase == WR_PHASE_STOPPING)))
    return;
  take_sent0(p, c);
  spent = now_ms > p->phase_ms ? now_ms - p->phase_ms : 0;
  switch (p->phase) {
  case WR_PHASE_SENDING:
    add_sample(p, sent_of(p, c), now_ms);
    p->send_ms += spent;
    break;
  case WR_PHASE_PREFLIGHT:
    /* The owner's count may be gone already (the check has ended). */
    p->pf_ms += spent;
    p->pf_desktops += c->phase_total > 0 ? c->phase_total : p->phase_total;
    break;
  case WR_PHASE_VERIFYING:
    p->verify_ms += spent;
    p->verify_waves++;
    break;
  default:
    break;
  }
  p->phase = phase;
  p->wave = wave;
  p->phase_ms = now_ms;
  p->phase_total = c->phase_total;
  if (phase == WR_PHASE_SENDING)
    add_sample(p, sent_of(p, c), now_ms);
  if (p->show != SHOW_NONE)
    emit(p, c, now_ms);
}

void wr_progress_update(struct wr_progress *p,
                        const struct wr_progress_counts *c, int64_t now_ms)
{
  if (p == NULL)
    return;
  take_sent0(p, c);
  if (p->phase == WR_PHASE_SENDING)
    add_sample(p, sent_of(p, c), now_ms);
  if (c->phase_total > 0)
    p->phase_total = c->phase_total;
  switch (p->show) {
  case SHOW_TTY:
    if (p->force || now_ms - p->last_out_ms >= TTY_EVERY_MS)
      emit(p, c, now_ms);
    break;
  case SHOW_LINES:
  case SHOW_LOG:
    if (now_ms - p->last_out_ms >= LINES_EVERY_MS)
      emit(p, c, now_ms);
    break;
  default:
    break;
  }
}

void wr_progress_finish(struct wr_progress *p,
                        const struct wr_progress_counts *c, int64_t now_ms)
{
  if (p == NULL)
    return;
  take_sent0(p, c);
  if (p->phase == WR_PHASE_SENDING) {
    add_sample(p, sent_of(p, c), now_ms);
    p->send_ms += now_ms > p->phase_ms ? now_ms - p->phase_ms : 0;
  }
  p->phase = WR_PHASE_DONE;
  p->phase_ms = now_ms;
  if (p->show == SHOW_NONE)
    return;
  emit(p, c, now_ms);
  if (p->show == SHOW_TTY) {
    fputc('\n', p->out);
    fflush(p->out);
    p->drawn = false;
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
  free(p->wave_desktops);
  free(p);
}
