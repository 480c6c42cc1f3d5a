/* html_timeline: calls per second by outcome, as an inline SVG.
 *
 * The report does not record when each attempt was sent: a chunk record
 * has its first attempt's start (started_at), its end (finished_at) and
 * its last attempt's latency_ms.  So the first attempt is placed at
 * started_at, the last at finished_at - latency_ms, and the ones between
 * evenly between the two (counted as derived, and the page says so).
 * Sessions (the run, each resume) are drawn side by side, each on its
 * own clock, so the gap before a resume takes no room. */
#include "html.h"

#include "clock.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_WAVE 4096 /* waves shaded per session, beyond: not shaded */
#define MAX_ATTEMPTS 1000 /* more in one record is not a run's: not drawn */

static int64_t wall(const char *s)
{
  int64_t ms;

  return s != NULL && wr_time_parse_rfc3339(s, &ms) == 0 ? ms : -1;
}

static bool throttled(const struct wr_rread_chunk *c)
{
  return c->status == WR_RREAD_FAILED && c->error_code != NULL &&
         strncmp(c->error_code, "Throttling", 10) == 0;
}

/* Attempt k (0-based) of chunk c: when it was sent and its outcome.
 * false: c made no call, or its times are unusable. */
static bool attempt(const struct wr_rread_chunk *c, int k, int64_t *t,
                    int *outcome)
{
  int64_t s = wall(c->started_at), f = wall(c->finished_at), last;

  if (c->line <= 0 || c->attempts <= 0 || c->attempts > MAX_ATTEMPTS ||
      (c->status != WR_RREAD_OK && c->status != WR_RREAD_FAILED &&
       c->status != WR_RREAD_SPLIT))
    return false;
  if (s < 0 && f < 0)
    return false;
  last = f >= 0 ? f - (c->latency_ms > 0 ? c->latency_ms : 0) : s;
  if (s < 0)
    s = last;
  if (last < s)
    last = s;
  if (k == c->attempts - 1) {
    *t = c->attempts == 1 ? s : last;
    *outcome = c->status == WR_RREAD_OK      ? WR_HTML_OK
               : c->status == WR_RREAD_SPLIT ? WR_HTML_RETRIED
               : throttled(c)                ? WR_HTML_THROTTLED
                                             : WR_HTML_FAILED;
  } else {
    *t = s + (int64_t)((double)(last - s) * k / (c->attempts - 1));
    *outcome = throttled(c) ? WR_HTML_THROTTLED : WR_HTML_RETRIED;
  }
  return true;
}

/* The lane (session) a call sent at t belongs to: the last one started
 * by then. */
static size_t lane_of(const struct wr_html_timeline *tl, int64_t t)
{
  size_t i = tl->nlanes;

  while (i-- > 1)
    if (tl->lanes[i].start_ms >= 0 && tl->lanes[i].start_ms <= t)
      return i;
  return 0;
}

static int lanes(const struct wr_audit *a, struct wr_html_timeline *tl)
{
  const struct wr_rread *rr = a->rr;
  size_t i, n = rr->nsessions > 0 ? rr->nsessions : 1;

  tl->lanes = calloc(n, sizeof(*tl->lanes));
  if (tl->lanes == NULL)
    return WR_ENOMEM;
  tl->nlanes = n;
  for (i = 0; i < n; i++) {
    struct wr_html_lane *l = &tl->lanes[i];

    l->start_ms = wall(rr->nsessions > 0 ? rr->sessions[i].started_at
                                         : rr->run.started_at);
    l->end_ms = wall(i < a->nsessions ? a->sessions[i].finished_at
                                      : a->finished_at);
    l->rate_limit = i < a->nsessions ? a->sessions[i].rate_limit
                                     : rr->run.rate;
  }
  return 0;
}

/* Every call stretches its lane to cover it. */
static void stretch(struct wr_html_timeline *tl, const struct wr_rread *rr)
{
  size_t i;
  int k, o;
  int64_t t;

  for (i = 0; i < rr->nchunks; i++) {
    const struct wr_rread_chunk *c = &rr->chunks[i];
    int64_t f = wall(c->finished_at);

    for (k = 0; k < c->attempts; k++) {
      struct wr_html_lane *l;

      if (!attempt(c, k, &t, &o))
        break;
      l = &tl->lanes[lane_of(tl, t)];
      if (l->start_ms < 0 || t < l->start_ms)
        l->start_ms = t;
      if (l->end_ms < t)
        l->end_ms = t;
      if (l->end_ms < f)
        l->end_ms = f;
    }
  }
}

/* One shaded span per wave and lane, from its first call to its last
 * chunk's end. */
static int waves(struct wr_html_timeline *tl, const struct wr_audit *a)
{
  const struct wr_rread *rr = a->rr;
  size_t i, li, w, maxw = 0;
  double *lo = NULL, *hi = NULL;
  int rc = WR_ENOMEM;

  for (i = 0; i < rr->nchunks; i++)
    if (rr->chunks[i].wave > 0 && (size_t)rr->chunks[i].wave > maxw)
      maxw = (size_t)rr->chunks[i].wave;
  if (maxw == 0 || maxw > MAX_WAVE)
    return 0;
  lo = malloc(tl->nlanes * (maxw + 1) * sizeof(*lo));
  hi = malloc(tl->nlanes * (maxw + 1) * sizeof(*hi));
  if (lo == NULL || hi == NULL)
    goto out;
  for (i = 0; i < tl->nlanes * (maxw + 1); i++)
    lo[i] = -1, hi[i] = -1;
  for (i = 0; i < rr->nchunks; i++) {
    const struct wr_rread_chunk *c = &rr->chunks[i];
    int64_t t, f = wall(c->finished_at);
    int o;
    double from, to;

    if (c->wave <= 0 || !attempt(c, 0, &t, &o))
      continue;
    li = lane_of(tl, t);
    from = (double)(t - tl->lanes[li].start_ms) / 1000.0;
    to = (double)((f > t ? f : t) - tl->lanes[li].start_ms) / 1000.0;
    w = li * (maxw + 1) + (size_t)c->wave;
    if (lo[w] < 0 || from < lo[w])
      lo[w] = from;
    if (to > hi[w])
      hi[w] = to;
  }
  for (li = 0; li < tl->nlanes; li++) {
    struct wr_html_lane *l = &tl->lanes[li];

    l->waves = calloc(maxw, sizeof(*l->waves));
    if (l->waves == NULL)
      goto out;
    for (w = 1; w <= maxw; w++) {
      size_t k = li * (maxw + 1) + w;

      if (lo[k] < 0)
        continue;
      l->waves[l->nwaves].from_s = lo[k];
      l->waves[l->nwaves].to_s = hi[k];
      l->waves[l->nwaves].wave = (long)w;
      for (i = 0; i < rr->nwaves; i++)
        if (rr->waves[i].wave == (long)w && rr->waves[i].canary)
          l->waves[l->nwaves].canary = true;
      l->nwaves++;
    }
  }
  rc = 0;
out:
  free(lo);
  free(hi);
  return rc;
}

int wr_html_timeline_build(const struct wr_audit *a,
                           struct wr_html_timeline *tl)
{
  const struct wr_rread *rr = a->rr;
  double total = 0;
  size_t i, b;
  int k, o;
  int64_t t;

  memset(tl, 0, sizeof(*tl));
  if (lanes(a, tl) < 0)
    goto nomem;
  stretch(tl, rr);
  for (i = 0; i < tl->nlanes; i++) {
    struct wr_html_lane *l = &tl->lanes[i];

    if (l->start_ms < 0)
      l->start_ms = l->end_ms >= 0 ? l->end_ms : 0;
    if (l->end_ms < l->start_ms + 1000)
      l->end_ms = l->start_ms + 1000;
    total += (double)(l->end_ms - l->start_ms) / 1000.0;
  }
  tl->bin_s = ceil(total / WR_HTML_MAX_BINS);
  if (tl->bin_s < 1)
    tl->bin_s = 1;
  for (i = 0; i < tl->nlanes; i++) {
    struct wr_html_lane *l = &tl->lanes[i];

    l->first_bin = tl->nbins;
    l->nbins = (size_t)ceil((double)(l->end_ms - l->start_ms) / 1000.0 /
                            tl->bin_s);
    if (l->nbins == 0)
      l->nbins = 1;
    tl->nbins += l->nbins;
  }
  tl->bins = calloc(tl->nbins, sizeof(*tl->bins));
  if (tl->bins == NULL || waves(tl, a) < 0)
    goto nomem;
  for (i = 0; i < rr->nchunks; i++) {
    const struct wr_rread_chunk *c = &rr->chunks[i];

    for (k = 0; k < c->attempts; k++) {
      const struct wr_html_lane *l;

      if (!attempt(c, k, &t, &o)) {
        if (c->line > 0 && c->status != WR_RREAD_EXCLUDED &&
            c->status != WR_RREAD_SKIPPED)
          tl->unplaced += (size_t)(c->attempts - k);
        break;
      }
      l = &tl->lanes[lane_of(tl, t)];
      b = t <= l->start_ms ? 0
                           : (size_t)((double)(t - l->start_ms) / 1000.0 /
                                      tl->bin_s);
      if (b >= l->nbins)
        b = l->nbins - 1;
      tl->bins[l->first_bin + b][o] += 1;
      tl->calls[o]++;
      if (k > 0 && k < c->attempts - 1)
        tl->derived++;
    }
  }
  for (b = 0; b < tl->nbins; b++) {
    double sum = 0;

    for (k = 0; k < WR_HTML_OUTCOMES; k++)
      sum += tl->bins[b][k];
    if (sum / tl->bin_s > tl->peak)
      tl->peak = sum / tl->bin_s;
  }
  return 0;
nomem:
  wr_html_timeline_free(tl);
  return WR_ENOMEM;
}

void wr_html_timeline_free(struct wr_html_timeline *tl)
{
  size_t i;

  for (i = 0; tl->lanes != NULL && i < tl->nlanes; i++)
    free(tl->lanes[i].waves);
  free(tl->lanes);
  free(tl->bins);
  memset(tl, 0, sizeof(*tl));
}

/* --- drawing ------------------------------------------------------------ */

#define W 960.0
#define H 290.0
#define LEFT 52.0
#define RIGHT 16.0
#define TOP 30.0
#define BOTTOM 40.0
#define GAP 30.0 /* between two sessions */
#define MAX_TICKS 20 /* time labels in one lane */

static const char *const fill[WR_HTML_OUTCOMES] = {
    "#2e7d32", "#f9a825", "#7b1fa2", "#c62828"};
static const char *const label[WR_HTML_OUTCOMES] = {
    "ok", "retried", "throttled", "failed"};

/* 1, 2, 5 times a power of ten, at least v. */
static double nice(double v)
{
  double p = pow(10, floor(log10(v > 0 ? v : 1))), m = v / p;

  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/* The chart's top: a round number a little above v, whose quarters are
 * round too (1, 1.2, 1.6, 2, 2.4, 3, 4, 6, 8 times a power of ten). */
static double top_of(double v)
{
  static const double m[] = {1, 1.2, 1.6, 2, 2.4, 3, 4, 6, 8, 10};
  double p = pow(10, floor(log10(v > 0 ? v : 1)));
  size_t i;

  for (i = 0; i < sizeof(m) / sizeof(m[0]) - 1; i++)
    if (m[i] * p >= v)
      break;
  return m[i] * p;
}

static void hms(int64_t ms, char *b, size_t len)
{
  time_t s = (time_t)(ms / 1000);
  struct tm tm;

  if (gmtime_r(&s, &tm) == NULL)
    snprintf(b, len, "?");
  else
    strftime(b, len, "%H:%M:%S", &tm);
}

struct geo {
  double ppb;                  /* pixels per bin */
  double gap;                  /* between two sessions */
  double ymax;
  double bottom;               /* y of 0 calls/s */
};

static double lane_x(const struct wr_html_timeline *tl, const struct geo *g,
                     size_t li)
{
  return LEFT + (double)tl->lanes[li].first_bin * g->ppb + g->gap * (double)li;
}

static double y_of(const struct geo *g, double v)
{
  return g->bottom - v / g->ymax * (H - TOP - BOTTOM);
}

static void draw_waves(FILE *out, const struct wr_html_timeline *tl,
                       const struct geo *g, size_t li)
{
  const struct wr_html_lane *l = &tl->lanes[li];
  double x0 = lane_x(tl, g, li), px = g->ppb / tl->bin_s;
  size_t i;

  for (i = 0; i < l->nwaves; i++) {
    double from = l->waves[i].from_s > 0 ? l->waves[i].from_s : 0,
           x = x0 + from * px, w = (l->waves[i].to_s - from) * px;

    if (w < 1)
      w = 1;
    fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
            " fill=\"%s\"><title>wave %ld%s</title></rect>\n", x, TOP, w,
            g->bottom - TOP, i % 2 == 0 ? "#e3f2fd" : "#fff3e0",
            l->waves[i].wave, l->waves[i].canary ? " (canary)" : "");
    if (w >= 52)
      fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" class=\"wl\">%s%ld</text>\n",
              x + 3, TOP + 11, l->waves[i].canary ? "canary " : "wave ",
              l->waves[i].wave);
    else if (w >= 14)
      fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" class=\"wl\">%ld</text>\n",
              x + 2, TOP + 11, l->waves[i].wave);
  }
}

static void draw_bars(FILE *out, const struct wr_html_timeline *tl,
                      const struct geo *g, size_t li)
{
  const struct wr_html_lane *l = &tl->lanes[li];
  double x0 = lane_x(tl, g, li), bw = g->ppb > 3 ? g->ppb - 1 : g->ppb;
  size_t b;
  int o;

  for (b = 0; b < l->nbins; b++) {
    double y = g->bottom;

    for (o = 0; o < WR_HTML_OUTCOMES; o++) {
      double v = tl->bins[l->first_bin + b][o], h;

      if (v <= 0)
        continue;
      h = g->bottom - y_of(g, v / tl->bin_s);
      y -= h;
      fprintf(out, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" "
              "width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
              x0 + (double)b * g->ppb, y, bw, h, fill[o]);
    }
  }
}

static void draw_lane_frame(FILE *out, const struct wr_html_timeline *tl,
                            const struct geo *g, size_t li)
{
  const struct wr_html_lane *l = &tl->lanes[li];
  double x0 = lane_x(tl, g, li), x1 = x0 + (double)l->nbins * g->ppb,
         step, px = g->ppb / tl->bin_s;
  char t[32], d[32];
  int k;

  if (li > 0) { /* the boundary: a shaded break, not the gap's length */
    fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
            " fill=\"#eceff1\"><title>between sessions</title></rect>\n",
            x0 - g->gap, TOP - 14, g->gap, g->bottom - TOP + 14);
    fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
            "stroke=\"#455a64\" stroke-width=\"1.5\" "
            "stroke-dasharray=\"3 3\"/>\n", x0 - g->gap / 2, TOP - 14,
            x0 - g->gap / 2, g->bottom);
    wr_audit_duration((double)(l->start_ms - tl->lanes[li - 1].end_ms) /
                          1000.0, d, sizeof(d));
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" class=\"sl\">resume %zu, "
            "%s later</text>\n", x0 + 2, TOP - 6, li, d);
  } else {
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" class=\"sl\">run</text>\n",
            x0 + 2, TOP - 6);
  }
  if (l->rate_limit > 0) {
    double y = y_of(g, l->rate_limit);

    fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
            "stroke=\"#d32f2f\" stroke-width=\"1.5\" "
            "stroke-dasharray=\"6 4\"/>\n<text x=\"%.1f\" y=\"%.1f\" "
            "class=\"rl\" text-anchor=\"end\">rate limit %g/s</text>\n",
            x0, y, x1, y, x1 - 2, y - 4, l->rate_limit);
  }
  /* wall-clock ticks (UTC), about every 110 px, the lane's start first */
  step = nice(110.0 / px);
  for (k = 0; k <= MAX_TICKS; k++) {
    double s = (double)k * step, x = x0 + s * px;

    if (s * px > x1 - x0 + 0.5)
      break;
    if (s > 0 && x1 - x < 20)
      break;
    hms(l->start_ms + (int64_t)(s * 1000), t, sizeof(t));
    fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
            "stroke=\"#555\"/>\n<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" "
            "text-anchor=\"%s\">%s</text>\n", x, g->bottom, x,
            g->bottom + 4, x, g->bottom + 16, k == 0 ? "start" : "middle",
            t);
  }
  fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
          "stroke=\"#555\"/>\n", x0, g->bottom, x1, g->bottom);
}

static void draw(FILE *out, const struct wr_html_timeline *tl)
{
  struct geo g;
  double top = tl->peak, plot_w = W - LEFT - RIGHT;
  int q;
  size_t li;

  for (li = 0; li < tl->nlanes; li++)
    if (tl->lanes[li].rate_limit > top)
      top = tl->lanes[li].rate_limit;
  g.ymax = top_of(top * 1.1);
  g.bottom = H - BOTTOM;
  /* many resumes: narrower gaps, so the bars keep half the width */
  g.gap = GAP;
  if (g.gap * (double)(tl->nlanes - 1) > plot_w / 2)
    g.gap = plot_w / 2 / (double)(tl->nlanes - 1);
  g.ppb = (plot_w - g.gap * (double)(tl->nlanes - 1)) / (double)tl->nbins;
  if (g.ppb < 0.2)
    g.ppb = 0.2;
  fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"timeline-svg\""
          " viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
          "aria-labelledby=\"timeline-title\">\n<title id=\"timeline-title\">"
          "Calls per second by outcome</title>\n"
          "<style>.ax,.wl,.sl,.rl{font:11px system-ui,sans-serif;fill:#333}"
          ".sl{font-weight:bold}.rl{fill:#d32f2f}.wl{fill:#546e7a}</style>\n",
          W, H);
  for (li = 0; li < tl->nlanes; li++)
    draw_waves(out, tl, &g, li);
  for (q = 0; q <= 4; q++) {
    double v = g.ymax * q / 4, y = y_of(&g, v);

    fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
            "stroke=\"#ccc\" stroke-width=\"0.5\"/>\n<text x=\"%.1f\" "
            "y=\"%.1f\" class=\"ax\" text-anchor=\"end\">%g</text>\n",
            LEFT, y, W - RIGHT, y, LEFT - 4, y + 4, v);
  }
  fprintf(out, "<text x=\"12\" y=\"%.1f\" class=\"ax\" transform=\"rotate"
          "(-90 12 %.1f)\" text-anchor=\"middle\">calls/s</text>\n",
          (TOP + g.bottom) / 2, (TOP + g.bottom) / 2);
  for (li = 0; li < tl->nlanes; li++) {
    draw_bars(out, tl, &g, li);
    draw_lane_frame(out, tl, &g, li);
  }
  fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" "
          "text-anchor=\"end\">time (UTC)</text>\n</svg>\n", W - RIGHT,
          H - 6);
}

int wr_html_timeline(const struct wr_audit *a, FILE *out)
{
  struct wr_html_timeline tl;
  size_t total = 0;
  int o;

  fputs("<section id=\"timeline\">\n<h2>Timeline</h2>\n", out);
  if (wr_html_timeline_build(a, &tl) < 0)
    return WR_ENOMEM;
  for (o = 0; o < WR_HTML_OUTCOMES; o++)
    total += tl.calls[o];
  if (total == 0) {
    if (tl.unplaced == 0)
      fputs("<p>No call was recorded: nothing to draw.</p>\n", out);
    else
      fprintf(out, "<p>%zu attempt%s could not be placed (no usable times, "
              "or more than %d in one record): nothing to draw.</p>\n",
              tl.unplaced, wr_audit_plural(tl.unplaced), MAX_ATTEMPTS);
    fputs("</section>\n", out);
    wr_html_timeline_free(&tl);
    return 0;
  }
  draw(out, &tl);
  fputs("<p class=\"legend\">", out);
  for (o = 0; o < WR_HTML_OUTCOMES; o++)
    fprintf(out, "<span class=\"sw\" style=\"background:%s\"></span>%s "
            "%zu &ensp;", fill[o], label[o], tl.calls[o]);
  fputs("<span class=\"sw rl\"></span>rate limit &ensp;"
        "<span class=\"sw\" style=\"background:#e3f2fd\"></span>"
        "<span class=\"sw\" style=\"background:#fff3e0\"></span>waves "
        "&ensp;<span class=\"sw sb\"></span>between sessions</p>\n", out);
  fprintf(out, "<p class=\"note\">Calls per second (bars of %g s, UTC), "
          "each session on its own clock: the time between a run and its "
          "resume is left out. <b>ok</b>: the call that ended its chunk ok; "
          "<b>retried</b>: a call whose desktops were sent again (a retry, "
          "or a split into parts); <b>throttled</b>: the calls of a chunk "
          "that ended on a Throttling error; <b>failed</b>: the call that "
          "ended its chunk failed. The report keeps each chunk's start, end "
          "and last latency, not each attempt's time or error: the first "
          "attempt is drawn at the chunk's start, the last at its end less "
          "its latency", tl.bin_s);
  if (tl.derived > 0)
    fprintf(out, ", and the %zu attempt%s between them evenly spaced "
            "(derived)", tl.derived, wr_audit_plural(tl.derived));
  fputs(".", out);
  if (tl.unplaced > 0)
    fprintf(out, " %zu attempt%s could not be placed (no usable times, "
            "or more than %d in one record) and %s not drawn.", tl.unplaced,
            wr_audit_plural(tl.unplaced), MAX_ATTEMPTS,
            tl.unplaced == 1 ? "is" : "are");
  fputs("</p>\n</section>\n", out);
  wr_html_timeline_free(&tl);
  return 0;
}
