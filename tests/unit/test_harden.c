/* harden: once called, the process writes no core file and is not
 * dumpable (no core, no ptrace or /proc/PID/environ for other processes
 * of the user), so secrets in its memory or environment stay in it. */
#define _GNU_SOURCE
#include "harden.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/prctl.h>
#include <sys/resource.h>

static void test_no_core_not_dumpable(void **state)
{
  struct rlimit rl;

  (void)state;
  /* The starting point, else the test proves nothing. */
  rl.rlim_cur = 4096;
  rl.rlim_max = RLIM_INFINITY;
  if (getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_max > 4096)
    rl.rlim_max = 4096;
  rl.rlim_cur = rl.rlim_max;
  assert_int_equal(setrlimit(RLIMIT_CORE, &rl), 0);
  assert_int_equal(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
  assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);

  assert_int_equal(wr_harden_process(), 0);
  assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
  assert_int_equal(getrlimit(RLIMIT_CORE, &rl), 0);
  assert_int_equal(rl.rlim_cur, 0);
  assert_int_equal(rl.rlim_max, 0); /* cannot be raised again */
  /* Idempotent. */
  assert_int_equal(wr_harden_process(), 0);
  assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_no_core_not_dumpable),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
