/* stop: the stop policy alone, without a loop: each event, which reason
 * it gives, that the first reason wins, and the exit codes. */
#include "stop.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static void opts(struct wr_stop_opts *o)
{
  memset(o, 0, sizeof(*o));
  o->max_errors = -1;
  o->max_errors_pct = -1;
  o->ndesktops = 100;
}

static void test_runs_on(void **state)
{
  struct wr_stop_opts o;
  struct wr_stop s;

  (void)state;
  opts(&o);
  wr_stop_init(&s, &o);
  assert_false(wr_stop_outcome(&s, 0, true, 5));
  assert_false(wr_stop_outcome(&s, 1, false, 5));
  assert_false(wr_stop_clock(&s, INT64_MAX));
  assert_false(wr_stop_stopping(&s));
  assert_null(s.reason);
  assert_int_equal(wr_stop_exit_code(&s, false), WR_EXIT_OK);
  assert_int_equal(wr_stop_exit_code(&s, true), WR_EXIT_FAILED);
}

static void test_canary(void **state)
{
  struct wr_stop_opts o;
  struct wr_stop s;

  (void)state;
  opts(&o);
  o.canary = true;
  wr_stop_init(&s, &o);
  assert_false(wr_stop_outcome(&s, 0, false, 3));  /* ok in the canary */
  assert_false(wr_stop_outcome(&s, 1, true, 3));   /* failed later */
  assert_true(wr_stop_outcome(&s, 0, true, 1));
  assert_string_equal(s.reason, "canary");
  assert_int_equal(wr_stop_exit_code(&s, true), WR_EXIT_STOPPED);
  /* Later events keep the first reason and do not begin again. */
  assert_false(wr_stop_outcome(&s, 0, true, 1));
  assert_false(wr_stop_clock(&s, 1));
  assert_string_equal(s.reason, "canary");
}

/* A canary failure that also passes --max-errors: canary. */
static void test_canary_before_max_errors(void **state)
{
  struct wr_stop_opts o;
  struct wr_stop s;

  (void)state;
  opts(&o);
  o.canary = true;
  o.max_errors = 0;
  wr_stop_init(&s, &o);
  assert_true(wr_stop_outcome(&s, 0, true, 1));
  assert_string_equal(s.reason, "canary");
}

static void test_max_errors(void **state)
{
  struct wr_stop_opts o;
  struct wr_stop s;

  (void)state;
  opts(&o);
  o.max_errors = 5;
  wr_stop_init(&s, &o);
  assert_false(wr_stop_outcome(&s, 1, true, 3));
  assert_false(wr_stop_outcome(&s, 1, true, 2));   /* 5: allowed */
  assert_false(wr_stop_outcome(&s, 1, false, 50)); /* ok: not counted */
  assert_true(wr_stop_outcome(&s, 1, true, 1));    /* 6 > 5 */
  assert_string_equal(s.reason, "max-errors");
  /* resume: the earlier sessions' failures count. */
  wr_stop_init(&s, &o);
  wr_stop_set_base(&s, 5);
  assert_true(wr_stop_outcome(&s, 2, true, 1));
  assert_string_equal(s.reason, "max-errors");
}

static void test_max_errors_pct(void **state)
{
  struct wr_stop_opts o;
  struct wr_stop s;

  (void)state;
  opts(&o);
  o.max_errors_pct = 10;   /* of 100 desktops */
  wr_stop_init(&s, &o);
  assert_false(wr_stop_outcome(&s, 1, true, 10));
  assert_true(wr_stop_outcome(&s, 1, true, 1));
  assert_string_equal(s.reason, "max-errors");
}

static void test_deadline(void **state)
{
  struct wr_stop_opts o;
  struct wr_stop s;

  (void)state;
  opts(&o);
  o.deadline_wall_ms = 1000;
  wr_stop_init(&s, &o);
  assert_false(wr_stop_clock(&s, 999));
  assert_true(wr_stop_clock(&s, 1000));
  assert_string_equal(s.reason, "deadline");
  assert_false(wr_stop_clock(&s, 2000));
}

static void test_signals(void **state)
{
  struct wr_stop_opts o;
  struct wr_stop s;
  bool began;

  (void)state;
  opts(&o);
  wr_stop_init(&s, &o);
  assert_int_equal(wr_stop_signal(&s, false, &began), WR_STOP_GRACEFUL);
  assert_true(began);
  assert_string_equal(s.reason, "interrupt");
  assert_false(s.abort);
  assert_int_equal(wr_stop_signal(&s, false, &began), WR_STOP_ABORT);
  assert_false(began);
  assert_true(s.abort);
  /* Already stopping (deadline): the first signal keeps that reason. */
  o.deadline_wall_ms = 1;
  wr_stop_init(&s, &o);
  assert_true(wr_stop_clock(&s, 5));
  assert_int_equal(wr_stop_signal(&s, false, &began), WR_STOP_GRACEFUL);
  assert_false(began);
  assert_string_equal(s.reason, "deadline");
  /* A signal after the run finished aborts at once. */
  opts(&o);
  wr_stop_init(&s, &o);
  assert_int_equal(wr_stop_signal(&s, true, &began), WR_STOP_ABORT);
  assert_true(s.abort);
  assert_string_equal(s.reason, "interrupt");
}

static void test_fatal(void **state)
{
  struct wr_stop_opts o;
  struct wr_stop s;
  struct wr_err e;

  (void)state;
  opts(&o);
  wr_stop_init(&s, &o);
  wr_err_set(&e, WR_EIO, "report.jsonl: write failed");
  assert_true(wr_stop_fatal(&s, "report", &e));
  assert_string_equal(s.reason, "report");
  assert_int_equal(s.err.code, WR_EIO);
  assert_string_equal(s.err.msg, "report.jsonl: write failed");
  assert_int_equal(wr_stop_exit_code(&s, false), WR_EXIT_STOPPED);
  /* A later fatal error is kept, the first reason stays. */
  wr_err_set(&e, WR_ENOMEM, "out of memory");
  assert_false(wr_stop_fatal(&s, "out of memory", &e));
  assert_string_equal(s.reason, "report");
  assert_int_equal(s.err.code, WR_ENOMEM);
}

/* The first answer no retry can fix stops the run: reason
 * "credentials", its code and message kept; the first one wins. */
static void test_credentials(void **state)
{
  struct wr_stop_opts o;
  struct wr_stop s;

  (void)state;
  opts(&o);
  wr_stop_init(&s, &o);
  assert_string_equal(s.auth_code, "");
  assert_true(wr_stop_credentials(&s, "SignatureDoesNotMatch",
                                  "The signature does not match."));
  assert_true(wr_stop_stopping(&s));
  assert_string_equal(s.reason, "credentials");
  assert_string_equal(s.auth_code, "SignatureDoesNotMatch");
  assert_string_equal(s.auth_message, "The signature does not match.");
  assert_int_equal(wr_stop_exit_code(&s, true), WR_EXIT_STOPPED);
  assert_int_equal(wr_stop_exit_code(&s, false), WR_EXIT_STOPPED);
  /* Another chunk in flight answers the same: nothing begins again. */
  assert_false(wr_stop_credentials(&s, "Forbidden.RAM", "no"));
  assert_string_equal(s.auth_code, "SignatureDoesNotMatch");
  assert_false(wr_stop_outcome(&s, 0, true, 3));
  assert_string_equal(s.reason, "credentials");

  /* After another reason began, the code is still kept for the user,
   * the first reason stays. */
  o.deadline_wall_ms = 10;
  wr_stop_init(&s, &o);
  assert_true(wr_stop_clock(&s, 10));
  assert_false(wr_stop_credentials(&s, NULL, NULL));
  assert_string_equal(s.reason, "deadline");
  assert_string_equal(s.auth_code, "error");
  assert_string_equal(s.auth_message, "");
}

/* Connection-level failures with nothing sent: unsent_max in a row stop
 * the run as "unreachable", naming the last error; anything that may have
 * reached the server starts the count again. */
static void test_unreachable(void **state)
{
  struct wr_stop_opts o;
  struct wr_stop s;
  int i;

  (void)state;
  opts(&o);
  o.unsent_max = 4;
  wr_stop_init(&s, &o);
  for (i = 0; i < 3; i++)
    assert_false(wr_stop_attempt(&s, true, "connection refused"));
  assert_false(wr_stop_attempt(&s, false, NULL));
  for (i = 0; i < 3; i++)
    assert_false(wr_stop_attempt(&s, true, "connection refused"));
  assert_false(wr_stop_stopping(&s));
  assert_true(wr_stop_attempt(&s, true, "Could not resolve host: x"));
  assert_string_equal(s.reason, "unreachable");
  assert_non_null(strstr(s.err.msg, "unreachable"));
  assert_non_null(strstr(s.err.msg, "4 call(s)"));
  assert_non_null(strstr(s.err.msg, "Could not resolve host: x"));
  assert_int_equal(wr_stop_exit_code(&s, false), WR_EXIT_STOPPED);
  /* Began once; later events change nothing. */
  assert_false(wr_stop_attempt(&s, true, "again"));
  assert_false(wr_stop_unreachable(&s, "again"));
  assert_null(strstr(s.err.msg, "again"));
}

/* A chunk out of retries with nothing sent stops at once; a limit of 0
 * counts nothing; an earlier reason wins. */
static void test_unreachable_chunk(void **state)
{
  struct wr_stop_opts o;
  struct wr_stop s;
  int i;

  (void)state;
  opts(&o);
  wr_stop_init(&s, &o);
  for (i = 0; i < 1000; i++)
    assert_false(wr_stop_attempt(&s, true, "connection refused"));
  assert_true(wr_stop_unreachable(&s, "connection refused"));
  assert_string_equal(s.reason, "unreachable");
  assert_non_null(strstr(s.err.msg, "connection refused"));

  o.deadline_wall_ms = 5;
  o.unsent_max = 1;
  wr_stop_init(&s, &o);
  assert_true(wr_stop_clock(&s, 10));
  assert_false(wr_stop_attempt(&s, true, "connection refused"));
  assert_string_equal(s.reason, "deadline");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_runs_on),
    cmocka_unit_test(test_canary),
    cmocka_unit_test(test_canary_before_max_errors),
    cmocka_unit_test(test_max_errors),
    cmocka_unit_test(test_max_errors_pct),
    cmocka_unit_test(test_deadline),
    cmocka_unit_test(test_signals),
    cmocka_unit_test(test_fatal),
    cmocka_unit_test(test_credentials),
    cmocka_unit_test(test_unreachable),
    cmocka_unit_test(test_unreachable_chunk),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
