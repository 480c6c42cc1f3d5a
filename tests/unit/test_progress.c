/* progress: the phases of the line (pre-flight, sending wave k of n,
 * verifying wave k: n/m Running), desktops/s from the first second of
 * sending and not diluted by the waits, the ETA with pre-flight and
 * verification, the 200 ms redraw pacing on a TTY, the clear-before-log
 * hook, the whole lines of --progress always off a TTY and the 5-s log
 * lines at -v, all with a hand-driven clock. */
#include "progress.h"

#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* 2000 desktops, 20 a chunk: with desktops_done d. */
static struct wr_progress_counts counts(size_t done)
{
  struct wr_progress_counts c = {0};

  c.desktops_done = done;
  c.desktops_total = 2000;
  return c;
}

/* A plan of waves 1 and 2, 1000 desktops in 50 chunks each (canary: a
 * wave 0 of 20 desktops in front). */
static struct wr_chunk chunks[101];

static struct wr_plan two_waves(bool canary)
{
  struct wr_plan plan;
  size_t i, n = 0;

  memset(&plan, 0, sizeof(plan));
  memset(chunks, 0, sizeof(chunks));
  if (canary) {
    chunks[n].wave = 0;
    chunks[n++].nids = 20;
  }
  for (i = 0; i < 100; i++) {
    chunks[n].wave = i < 50 ? 1 : 2;
    chunks[n++].nids = 20;
  }
  plan.chunks = chunks;
  plan.nchunks = n;
  plan.ndesktops = canary ? 2020 : 2000;
  plan.nwaves = canary ? 3 : 2;
  return plan;
}

static const struct wr_progress_run run_opts = {
  .rate = 10, .preflight = true, .verify = true, .verify_timeout_ms = 600000,
};

/* Everything written to f so far, as a string (caller frees). */
static char *contents(FILE *f)
{
  long n;
  char *s;

  assert_int_equal(fflush(f), 0);
  n = ftell(f);
  assert_true(n >= 0);
  s = calloc(1, (size_t)n + 1);
  assert_non_null(s);
  rewind(f);
  assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  return s;
}

static size_t count(const char *hay, const char *needle)
{
  size_t n = 0;

  while ((hay = strstr(hay, needle)) != NULL) {
    n++;
    hay += strlen(needle);
  }
  return n;
}

static const char *render(const struct wr_progress *p,
                          const struct wr_progress_counts *c, int64_t now)
{
  static char line[256];

  wr_progress_render(p, c, now, line, sizeof(line));
  return line;
}

/* A whole run, phase by phase: what each line says, and the ETA that
 * counts the pre-flight and the verification left. */
static void test_phases_and_eta(void **state)
{
  struct wr_progress *p = NULL;
  struct wr_plan plan = two_waves(false);
  struct wr_progress_counts c = counts(0);
  int64_t t;
  bool upper;

  (void)state;
  assert_int_equal(wr_progress_create(WR_PROGRESS_NEVER, false, 0, &p), 0);
  assert_int_equal(wr_progress_set_plan(p, &plan, &run_opts), 0);
  assert_string_equal(render(p, &c, 0), "starting  0/2,000 desktops  "
                      "ETA --:--  failed 0  excluded 0  retries 0");

  /* Pre-flight of wave 1.  Nothing measured: 2000 desktops at --rate 10
   * x 20 a call (10 s), 2000 to check at a call of 100 per 0.1 s (2 s),
   * two waves to verify at the 600 s timeout: an upper bound. */
  c.phase_total = 1000;
  wr_progress_phase(p, WR_PHASE_PREFLIGHT, 1, &c, 0);
  assert_string_equal(render(p, &c, 0), "pre-flight wave 1 of 2: 0/1,000 "
                      "checked  0/2,000 desktops  ETA <=20:12  failed 0  "
                      "excluded 0  retries 0");
  assert_true(wr_progress_eta(p, &c, 0, &upper) > 1211.99 &&
              wr_progress_eta(p, &c, 0, &upper) < 1212.01);
  assert_true(upper);

  /* It took 2 s (2 ms a desktop); 5 excluded.  Sending: 100 desktops/s,
   * no rate shown before a second of sending, then in desktops/s.  (When
   * the check has ended, dispatch no longer has its count.) */
  c.phase_done = 500;
  wr_progress_update(p, &c, 1000);
  c = counts(5);
  c.desktops_excluded = 5;
  wr_progress_phase(p, WR_PHASE_SENDING, 1, &c, 2000);
  assert_non_null(strstr(render(p, &c, 2000), "sending wave 1 of 2: 5/2,000 "
                         "desktops  -- desktops/s  ETA <=20:"));
  for (t = 2500; t <= 12000; t += 500) {
    c = counts((size_t)(t - 2000) / 10 + 5);
    c.desktops_excluded = 5;
    wr_progress_update(p, &c, t);
    if (t == 2500)
      assert_non_null(strstr(render(p, &c, t), "-- desktops/s"));
    if (t == 3000) /* the first second: 100 sent */
      assert_string_equal(render(p, &c, t), "sending wave 1 of 2: 105/2,000 "
                          "desktops  100.0 desktops/s  ETA <=20:21  "
                          "failed 0  excluded 5  retries 0");
  }
  /* Verifying wave 1: 812 of its 995 back after a minute: the rest of the
   * timeout for it, and 600 s for wave 2's. */
  c.phase_done = 0;
  c.phase_total = 995;
  wr_progress_phase(p, WR_PHASE_VERIFYING, 1, &c, 12000);
  c.phase_done = 812;
  assert_string_equal(render(p, &c, 72000), "verifying wave 1 of 2: 812/995 "
                      "Running  1,005/2,000 desktops  ETA <=19:12  failed 0  "
                      "excluded 5  retries 0");

  /* It took 120 s: now the ETA counts that, no longer the timeout. */
  c.phase_done = 0;
  c.phase_total = 1000;
  wr_progress_phase(p, WR_PHASE_PREFLIGHT, 2, &c, 132000);
  /* 995 left at 100/s, 1000 to check at 2 ms, one wave at 120 s */
  assert_true(wr_progress_eta(p, &c, 132000, &upper) > 131.94 &&
              wr_progress_eta(p, &c, 132000, &upper) < 131.96);
  assert_false(upper);
  assert_non_null(strstr(render(p, &c, 132000), "pre-flight wave 2 of 2: "
                         "0/1,000 checked  1,005/2,000 desktops  ETA 2:12"));

  /* Sending again: the rate is the one of the sending so far, not diluted
   * by two minutes of verification. */
  c.phase_done = c.phase_total = 0;
  wr_progress_phase(p, WR_PHASE_SENDING, 2, &c, 134000);
  assert_non_null(strstr(render(p, &c, 134000), "sending wave 2 of 2: "
                         "1,005/2,000 desktops  100.0 desktops/s  ETA 2:10"));
  c = counts(2000);
  c.desktops_excluded = 5;
  wr_progress_phase(p, WR_PHASE_VERIFYING, 2, &c, 144000);
  assert_non_null(strstr(render(p, &c, 144000), "verifying wave 2 of 2: "));
  assert_non_null(strstr(render(p, &c, 144000), "ETA 2:00"));
  /* Past the mean, the timeout bounds it. */
  assert_non_null(strstr(render(p, &c, 294000), "ETA <=7:30"));
  wr_progress_phase(p, WR_PHASE_STOPPING, 2, &c, 300000);
  c.in_flight = 3;
  assert_string_equal(render(p, &c, 300000), "stopping: 3 call(s) in "
                      "flight  2,000/2,000 desktops  failed 0  excluded 5  "
                      "skipped 0  retries 0");
  /* 1995 sent in 20 s of sending. */
  wr_progress_finish(p, &c, 301000);
  assert_string_equal(render(p, &c, 301000), "finished: 2,000/2,000 "
                      "desktops  99.8 desktops/s  in 5:01  failed 0  "
                      "excluded 5  skipped 0  retries 0");
  wr_progress_destroy(&p);
}

/* The canary wave has its own name; without --verify and pre-flight the
 * ETA is the sending alone, and without --rate it waits for a measure. */
static void test_canary_and_no_verify(void **state)
{
  struct wr_progress *p = NULL;
  struct wr_plan plan = two_waves(true);
  struct wr_progress_run r = {0};
  struct wr_progress_counts c = counts(0);
  bool upper;

  (void)state;
  c.desktops_total = 2020;
  assert_int_equal(wr_progress_create(WR_PROGRESS_NEVER, false, 0, &p), 0);
  assert_int_equal(wr_progress_set_plan(p, &plan, &r), 0);
  wr_progress_phase(p, WR_PHASE_SENDING, 0, &c, 0);
  assert_non_null(strstr(render(p, &c, 0), "sending canary wave: 0/2,020 "
                         "desktops  -- desktops/s  ETA --:--"));
  c.desktops_done = 20;
  wr_progress_update(p, &c, 1000);
  assert_non_null(strstr(render(p, &c, 1000), "20.0 desktops/s  ETA 1:40"));
  assert_true(wr_progress_eta(p, &c, 1000, &upper) == 100.0);
  assert_false(upper);
  wr_progress_phase(p, WR_PHASE_SENDING, 1, &c, 1000);
  assert_non_null(strstr(render(p, &c, 1000), "sending wave 1 of 2: "));
  wr_progress_destroy(&p);
}

/* A run stopped early: the desktops it skipped were never sent, so they
 * are not in the rate. */
static void test_stopped_rate(void **state)
{
  struct wr_progress *p = NULL;
  struct wr_progress_counts c = counts(0);

  (void)state;
  assert_int_equal(wr_progress_create(WR_PROGRESS_NEVER, false, 0, &p), 0);
  wr_progress_phase(p, WR_PHASE_SENDING, 1, &c, 0);
  c.desktops_done = 100;
  wr_progress_update(p, &c, 1000);
  c.in_flight = 2;
  wr_progress_phase(p, WR_PHASE_STOPPING, 1, &c, 1000);
  c.desktops_done = 2000;
  c.desktops_skipped = 1860;
  c.in_flight = 0;
  wr_progress_finish(p, &c, 4000);
  /* 140 answered (100 before the stop, 40 in flight) in 1 s of sending */
  assert_string_equal(render(p, &c, 4000), "finished: 2,000/2,000 desktops  "
                      "140.0 desktops/s  in 0:04  failed 0  excluded 0  "
                      "skipped 1860  retries 0");
  wr_progress_destroy(&p);
}

/* Excluded desktops by reason, the first four named. */
static void test_excluded_reasons(void **state)
{
  static const struct wr_reason_count why[5] = {
    {"status:Stopped", 60}, {"connected", 2}, {"status:Starting", 1},
    {"status:Expired", 1}, {"status:Deleting", 1},
  };
  struct wr_progress *p = NULL;
  struct wr_progress_counts c = counts(100);

  (void)state;
  assert_int_equal(wr_progress_create(WR_PROGRESS_NEVER, false, 0, &p), 0);
  wr_progress_phase(p, WR_PHASE_SENDING, 1, &c, 0);
  c.desktops_excluded = 62;
  c.excluded_by = why;
  c.nexcluded_by = 2;
  assert_non_null(strstr(render(p, &c, 0), "  failed 0  excluded 62 "
                         "(status:Stopped 60, connected 2)  retries 0"));
  c.desktops_excluded = 65;
  c.nexcluded_by = 5;
  assert_non_null(strstr(render(p, &c, 0), "  excluded 65 (status:Stopped "
                         "60, connected 2, status:Starting 1, status:Expired "
                         "1, +1 more)  retries 0"));
  wr_progress_destroy(&p);
}

static void test_tty_redraw_pacing(void **state)
{
  struct wr_progress *p = NULL;
  struct wr_progress_counts c;
  FILE *f = tmpfile();
  char *s;
  int64_t t;

  (void)state;
  assert_non_null(f);
  assert_int_equal(wr_progress_create(WR_PROGRESS_AUTO, true, 0, &p), 0);
  wr_progress_set_output(p, f);
  c = counts(0);
  wr_progress_phase(p, WR_PHASE_SENDING, 1, &c, 0); /* drawn at once */
  c = counts(20);
  wr_progress_update(p, &c, 100);    /* not due */
  wr_progress_update(p, &c, 199);    /* not due */
  s = contents(f);
  assert_int_equal(count(s, "\r"), 1);
  assert_int_equal(count(s, "\033[K"), 1);
  assert_non_null(strstr(s, "sending wave 1: 0/2,000 desktops"));
  free(s);
  wr_progress_update(p, &c, 200);    /* due */
  s = contents(f);
  assert_int_equal(count(s, "\r"), 2);
  assert_non_null(strstr(s, "\rsending wave 1: 20/2,000 desktops"));
  assert_null(strchr(s, '\n'));      /* redrawn in place */
  free(s);

  /* 200 desktops every 500 ms for 5 s: 400 desktops/s over the window. */
  for (t = 500; t <= 5000; t += 500) {
    c = counts((size_t)(t / 500) * 200);
    wr_progress_update(p, &c, t);
  }
  s = contents(f);
  assert_non_null(strstr(s, "2,000/2,000 desktops"));
  assert_non_null(strstr(s, "800/2,000 desktops  400.0 desktops/s  ETA 0:03"));
  assert_int_equal(count(s, "\r"), 12);
  free(s);
  /* A phase change is drawn at once. */
  wr_progress_phase(p, WR_PHASE_VERIFYING, 1, &c, 5050);
  s = contents(f);
  assert_int_equal(count(s, "\r"), 13);
  assert_non_null(strstr(s, "\rverifying wave 1: 0/0 Running"));
  free(s);

  wr_progress_finish(p, &c, 5100);
  s = contents(f);
  assert_int_equal(s[strlen(s) - 1], '\n');
  assert_int_equal(count(s, "\n"), 1);
  /* The last line: the average over the sending time. */
  assert_non_null(strstr(s, "\rfinished: 2,000/2,000 desktops  396.0 "
                            "desktops/s  in 0:05  failed 0  excluded 0  "
                            "skipped 0  retries 0\033[K\n"));
  free(s);
  wr_progress_destroy(&p);
  assert_null(p);
  wr_progress_destroy(&p);           /* NULL is fine */
  fclose(f);
}

/* A log message first clears the line, and the line is redrawn at the
 * next update even if a redraw is not due yet. */
static void test_tty_clear_before_log(void **state)
{
  struct wr_progress *p = NULL;
  struct wr_progress_counts c = counts(100);
  FILE *f = tmpfile();
  int saved = dup(2);
  char *s;

  (void)state;
  assert_non_null(f);
  assert_true(saved >= 0);
  assert_int_equal(wr_progress_create(WR_PROGRESS_ALWAYS, true, 0, &p), 0);
  wr_progress_set_output(p, f);
  wr_progress_phase(p, WR_PHASE_SENDING, 1, &c, 0);
  assert_int_equal(dup2(fileno(f), 2), 2); /* the log goes to f too */
  wr_log_set_level(WR_LOG_NOTE);
  wr_notef("a message");
  fflush(stderr);
  assert_int_equal(dup2(saved, 2), 2);
  close(saved);
  wr_progress_update(p, &c, 50);
  s = contents(f);
  assert_non_null(strstr(s, "retries 0\033[K\r\033[Kwuying-reboot: a message\n"
                            "\rsending wave 1: 100/2,000"));
  free(s);
  wr_progress_destroy(&p);
  fclose(f);
}

/* A line wider than the terminal would wrap and could not be redrawn in
 * place: it is cut to the width, less the last column. */
static void test_cut_to_width(void **state)
{
  struct wr_progress *p = NULL;
  struct wr_progress_counts c = counts(5);
  FILE *f = tmpfile();
  char *s;

  (void)state;
  assert_non_null(f);
  assert_int_equal(wr_progress_create(WR_PROGRESS_AUTO, true, 0, &p), 0);
  wr_progress_set_output(p, f);
  wr_progress_set_width(p, 20);
  wr_progress_phase(p, WR_PHASE_SENDING, 1, &c, 0);
  s = contents(f);
  assert_string_equal(s, "\rsending wave 1: 5/2\033[K");
  free(s);
  wr_progress_destroy(&p);
  fclose(f);
}

static void test_never_draws(void **state)
{
  struct wr_progress *p = NULL;
  struct wr_progress_counts c = counts(5);
  FILE *f = tmpfile();
  char *s;

  (void)state;
  assert_non_null(f);
  wr_log_set_level(WR_LOG_NOTE);
  assert_int_equal(wr_progress_create(WR_PROGRESS_NEVER, true, 0, &p), 0);
  wr_progress_set_output(p, f);
  wr_progress_phase(p, WR_PHASE_SENDING, 1, &c, 0);
  wr_progress_update(p, &c, 10000);
  wr_progress_finish(p, &c, 20000);
  wr_progress_destroy(&p);
  /* auto off a TTY, not -v: nothing either */
  assert_int_equal(wr_progress_create(WR_PROGRESS_AUTO, false, 0, &p), 0);
  wr_progress_set_output(p, f);
  wr_progress_phase(p, WR_PHASE_SENDING, 1, &c, 0);
  wr_progress_update(p, &c, 10000);
  wr_progress_destroy(&p);
  s = contents(f);
  assert_string_equal(s, "");
  free(s);
  fclose(f);
}

/* --progress always off a TTY: whole lines, every 5 s and at each phase
 * change, without "\r" or escapes, whatever the log level. */
static void test_lines_mode(void **state)
{
  struct wr_progress *p = NULL;
  struct wr_plan plan = two_waves(false);
  struct wr_progress_counts c = counts(0);
  FILE *f = tmpfile();
  int64_t t;
  char *s;

  (void)state;
  assert_non_null(f);
  wr_log_set_level(WR_LOG_NOTE);
  assert_int_equal(wr_progress_create(WR_PROGRESS_ALWAYS, false, 0, &p), 0);
  assert_int_equal(wr_progress_set_plan(p, &plan, &run_opts), 0);
  wr_progress_set_output(p, f);
  c.phase_total = 1000;
  wr_progress_phase(p, WR_PHASE_PREFLIGHT, 1, &c, 0);
  wr_progress_phase(p, WR_PHASE_PREFLIGHT, 1, &c, 10);  /* the same: no line */
  wr_progress_phase(p, WR_PHASE_SENDING, 1, &c, 100);
  for (t = 100; t <= 12100; t += 100) {
    c = counts((size_t)(t - 100) / 10);
    if (c.desktops_done > 1000)
      c.desktops_done = 1000;
    wr_progress_update(p, &c, t);      /* lines at 5100 and 10100 */
  }
  wr_progress_phase(p, WR_PHASE_VERIFYING, 1, &c, 12100);
  wr_progress_finish(p, &c, 13000);
  s = contents(f);
  assert_int_equal(count(s, "\n"), 6);
  assert_int_equal(count(s, "wuying-reboot: progress: "), 6);
  assert_non_null(strstr(s, "wuying-reboot: progress: pre-flight wave 1 of "
                            "2: 0/1,000 checked  0/2,000 desktops  ETA <="));
  assert_non_null(strstr(s, "\nwuying-reboot: progress: sending wave 1 of 2: "
                            "0/2,000 desktops  -- desktops/s"));
  assert_non_null(strstr(s, "\nwuying-reboot: progress: sending wave 1 of 2: "
                            "500/2,000 desktops  100.0 desktops/s"));
  assert_non_null(strstr(s, "\nwuying-reboot: progress: verifying wave 1 of "
                            "2: "));
  assert_non_null(strstr(s, "\nwuying-reboot: progress: finished: "));
  assert_true(strstr(s, "pre-flight") < strstr(s, "sending") &&
              strstr(s, "sending") < strstr(s, "verifying"));
  assert_null(strchr(s, '\r'));
  assert_null(strstr(s, "\033["));
  free(s);
  wr_progress_destroy(&p);
  fclose(f);
}

/* Off a TTY with --progress auto, -v logs a progress line every 5 s (on
 * stderr). */
static void test_log_mode(void **state)
{
  struct wr_progress *p = NULL;
  struct wr_progress_counts c = counts(0);
  FILE *f = tmpfile();
  int saved = dup(2);
  int64_t t;
  char *s;

  (void)state;
  assert_non_null(f);
  assert_true(saved >= 0);
  assert_int_equal(dup2(fileno(f), 2), 2);
  wr_log_set_level(WR_LOG_INFO);
  assert_int_equal(wr_progress_create(WR_PROGRESS_AUTO, false, 0, &p), 0);
  wr_progress_phase(p, WR_PHASE_SENDING, 1, &c, 0);  /* a line */
  for (t = 0; t <= 12000; t += 100) {
    c = counts((size_t)(t / 10));
    wr_progress_update(p, &c, t);    /* lines at 5000 and 10000 */
  }
  wr_progress_finish(p, &c, 12000);  /* and a last one */
  wr_progress_destroy(&p);
  fflush(stderr);
  assert_int_equal(dup2(saved, 2), 2);
  close(saved);
  wr_log_set_level(WR_LOG_NOTE);
  s = contents(f);
  assert_int_equal(count(s, "wuying-reboot: progress: "), 4);
  assert_non_null(strstr(s, "progress: sending wave 1: 500/2,000 desktops  "
                            "100.0 desktops/s"));
  assert_non_null(strstr(s, "progress: sending wave 1: 1,000/2,000 desktops  "
                            "100.0 desktops/s"));
  assert_null(strchr(s, '\r'));
  assert_null(strstr(s, "\033["));
  free(s);
  fclose(f);
}

/* A resume: 1,600 desktops answered by the earlier sessions, what is left
 * stops at wave 2 of a plan of 6.  The rate is this session's (100 in its
 * 2 s of sending: 50/s, not 1,700 / 2 s), the waves are the plan's. */
static void test_resume_rate_and_waves(void **state)
{
  struct wr_progress *p = NULL;
  struct wr_plan plan = two_waves(false);
  struct wr_progress_counts c = counts(1600);
  int64_t t;

  (void)state;
  plan.nchunks = 20; /* 400 desktops left, all of wave 1 */
  plan.last_wave = 6;
  assert_int_equal(wr_progress_create(WR_PROGRESS_NEVER, false, 0, &p), 0);
  assert_int_equal(wr_progress_set_plan(p, &plan, &run_opts), 0);
  wr_progress_phase(p, WR_PHASE_SENDING, 1, &c, 0);
  for (t = 500; t <= 2000; t += 500) {
    c = counts(1600 + (size_t)t / 20);
    wr_progress_update(p, &c, t);
  }
  assert_non_null(strstr(render(p, &c, 2000), "sending wave 1 of 6: "
                         "1,700/2,000 desktops  50.0 desktops/s"));
  wr_progress_finish(p, &c, 2000);
  assert_non_null(strstr(render(p, &c, 2000), "finished: 1,700/2,000 "
                         "desktops  50.0 desktops/s"));
  wr_progress_destroy(&p);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_phases_and_eta),
    cmocka_unit_test(test_resume_rate_and_waves),
    cmocka_unit_test(test_canary_and_no_verify),
    cmocka_unit_test(test_stopped_rate),
    cmocka_unit_test(test_excluded_reasons),
    cmocka_unit_test(test_tty_redraw_pacing),
    cmocka_unit_test(test_tty_clear_before_log),
    cmocka_unit_test(test_cut_to_width),
    cmocka_unit_test(test_never_draws),
    cmocka_unit_test(test_lines_mode),
    cmocka_unit_test(test_log_mode),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
