/* progress: the rendered line, the 200 ms redraw pacing on a TTY, the
 * clear-before-log hook, and the every-5-s log lines off a TTY, all with a
 * hand-driven clock. */
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

static struct wr_progress_counts counts(size_t chunks_done)
{
  struct wr_progress_counts c = {0};

  c.chunks_done = chunks_done;
  c.chunks_total = 100;
  c.desktops_done = chunks_done * 20;
  c.desktops_total = 2000;
  return c;
}

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

static void test_render(void **state)
{
  struct wr_progress_counts c = counts(40);
  char line[200];

  (void)state;
  c.retries = 3;
  wr_progress_render(&c, 12.3, line, sizeof(line));
  /* 60 chunks left at 12.3/s: 4.9 s. */
  assert_string_equal(line, "chunks 40/100  desktops 800/2000  12.3/s  "
                            "retries 3  failed 0  ETA 0:05");
  wr_progress_render(&c, -1, line, sizeof(line));
  assert_non_null(strstr(line, "0.0/s"));
  assert_non_null(strstr(line, "ETA --:--"));
  c.chunks_total = 100000;
  c.desktops_failed = 7;
  wr_progress_render(&c, 2, line, sizeof(line));
  assert_non_null(strstr(line, "failed 7"));
  assert_non_null(strstr(line, "ETA 13:53:00"));
  wr_progress_render(&c, 0.0001, line, sizeof(line));
  assert_non_null(strstr(line, "ETA >99h"));
  c = counts(100);
  wr_progress_render(&c, -1, line, sizeof(line));
  assert_non_null(strstr(line, "ETA 0:00"));
  /* A short buffer truncates, never overflows. */
  assert_true(wr_progress_render(&c, 1, line, 10) > 10);
  assert_int_equal(strlen(line), 9);
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
  wr_progress_update(p, &c, 0);      /* drawn at once */
  c = counts(1);
  wr_progress_update(p, &c, 100);    /* not due */
  wr_progress_update(p, &c, 199);    /* not due */
  s = contents(f);
  assert_int_equal(count(s, "\r"), 1);
  assert_int_equal(count(s, "\033[K"), 1);
  assert_non_null(strstr(s, "chunks 0/100"));
  free(s);
  wr_progress_update(p, &c, 200);    /* due */
  s = contents(f);
  assert_int_equal(count(s, "\r"), 2);
  assert_non_null(strstr(s, "\rchunks 1/100  desktops 20/2000"));
  assert_null(strchr(s, '\n'));      /* redrawn in place */
  free(s);

  /* 10 chunks every 500 ms for 5 s: 20 chunks/s over the window. */
  for (t = 500; t <= 5000; t += 500) {
    c = counts((size_t)(t / 50));
    wr_progress_update(p, &c, t);
  }
  s = contents(f);
  assert_non_null(strstr(s, "chunks 100/100"));
  assert_non_null(strstr(s, "chunks 40/100  desktops 800/2000  20.0/s"));
  assert_non_null(strstr(s, "ETA 0:03")); /* 60 left at 20/s */
  assert_int_equal(count(s, "\r"), 12);
  free(s);

  wr_progress_finish(p, &c, 5001);
  s = contents(f);
  assert_int_equal(s[strlen(s) - 1], '\n');
  assert_int_equal(count(s, "\n"), 1);
  /* The last line shows the whole run's average rate. */
  assert_non_null(strstr(s, "\rchunks 100/100  desktops 2000/2000  20.0/s  "
                            "retries 0  failed 0  ETA 0:00\033[K\n"));
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
  struct wr_progress_counts c = counts(5);
  FILE *f = tmpfile();
  int saved = dup(2);
  char *s;

  (void)state;
  assert_non_null(f);
  assert_true(saved >= 0);
  assert_int_equal(wr_progress_create(WR_PROGRESS_ALWAYS, false, 0, &p), 0);
  wr_progress_set_output(p, f);
  wr_progress_update(p, &c, 0);
  assert_int_equal(dup2(fileno(f), 2), 2); /* the log goes to f too */
  wr_log_set_level(WR_LOG_NOTE);
  wr_notef("a message");
  fflush(stderr);
  assert_int_equal(dup2(saved, 2), 2);
  close(saved);
  wr_progress_update(p, &c, 50);
  s = contents(f);
  assert_non_null(strstr(s, "ETA --:--\033[K\r\033[Kwuying-reboot: a message\n"
                            "\rchunks 5/100"));
  free(s);
  wr_progress_destroy(&p);
  fclose(f);
}

/* A run shorter than the rate window still ends with a real rate. */
static void test_short_run_final_rate(void **state)
{
  struct wr_progress *p = NULL;
  struct wr_progress_counts c = counts(0);
  FILE *f = tmpfile();
  char *s;

  (void)state;
  assert_non_null(f);
  assert_int_equal(wr_progress_create(WR_PROGRESS_ALWAYS, false, 1000, &p),
                   0);
  wr_progress_set_output(p, f);
  wr_progress_update(p, &c, 1000);
  c = counts(6);
  c.chunks_total = 6;
  wr_progress_update(p, &c, 1250);
  wr_progress_finish(p, &c, 1300);
  s = contents(f);
  assert_non_null(strstr(s, "chunks 6/6  desktops 120/2000  20.0/s"));
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
  assert_int_equal(wr_progress_create(WR_PROGRESS_ALWAYS, false, 0, &p), 0);
  wr_progress_set_output(p, f);
  wr_progress_set_width(p, 20);
  wr_progress_update(p, &c, 0);
  s = contents(f);
  assert_string_equal(s, "\rchunks 5/100  deskt\033[K");
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
  wr_progress_update(p, &c, 0);
  wr_progress_update(p, &c, 10000);
  wr_progress_finish(p, &c, 20000);
  wr_progress_destroy(&p);
  assert_int_equal(wr_progress_create(WR_PROGRESS_AUTO, false, 0, &p), 0);
  wr_progress_set_output(p, f);
  wr_progress_update(p, &c, 10000);
  wr_progress_destroy(&p);
  s = contents(f);
  assert_string_equal(s, "");
  free(s);
  fclose(f);
}

/* Off a TTY, -v logs a progress line every 5 s (on stderr). */
static void test_log_mode(void **state)
{
  struct wr_progress *p = NULL;
  struct wr_progress_counts c;
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
  for (t = 0; t <= 12000; t += 100) {
    c = counts((size_t)(t / 200));
    wr_progress_update(p, &c, t);    /* logs at 5000 and 10000 */
  }
  wr_progress_finish(p, &c, 12000);  /* and a last one */
  wr_progress_destroy(&p);
  fflush(stderr);
  assert_int_equal(dup2(saved, 2), 2);
  close(saved);
  wr_log_set_level(WR_LOG_NOTE);
  s = contents(f);
  assert_int_equal(count(s, "wuying-reboot: progress: chunks "), 3);
  assert_non_null(strstr(s, "progress: chunks 25/100  desktops 500/2000  "
                            "5.0/s"));
  assert_non_null(strstr(s, "progress: chunks 60/100  desktops 1200/2000  "
                            "5.0/s"));
  assert_null(strchr(s, '\r'));
  assert_null(strstr(s, "\033["));
  free(s);
  fclose(f);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_render),
    cmocka_unit_test(test_tty_redraw_pacing),
    cmocka_unit_test(test_tty_clear_before_log),
    cmocka_unit_test(test_short_run_final_rate),
    cmocka_unit_test(test_cut_to_width),
    cmocka_unit_test(test_never_draws),
    cmocka_unit_test(test_log_mode),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
