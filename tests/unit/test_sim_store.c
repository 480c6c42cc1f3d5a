/* ecd-sim's pure parts: parameters, fleet and state machine, the sliding
 * window, the nonce memory and the ClientToken memory. */
#include "sim_fleet.h"
#include "sim_params.h"
#include "sim_store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_params_decode(void **state)
{
  struct wr_sim_params p;
  const char *bad = NULL;
  const char q[] = "Timestamp=2024-05-01T12%3A34%3A56Z&a+b=c+d&E=&F&"
                   "X=%E4%B8%AD&&Y=%2B";

  (void)state;
  wr_sim_params_init(&p);
  assert_int_equal(wr_sim_params_parse(&p, q, strlen(q), &bad), 0);
  assert_string_equal(wr_sim_params_get(&p, "Timestamp"),
                      "2024-05-01T12:34:56Z");
  assert_string_equal(wr_sim_params_get(&p, "a b"), "c d");
  assert_string_equal(wr_sim_params_get(&p, "E"), "");
  assert_string_equal(wr_sim_params_get(&p, "F"), "");
  assert_string_equal(wr_sim_params_get(&p, "X"), "\xe4\xb8\xad");
  assert_string_equal(wr_sim_params_get(&p, "Y"), "+");
  assert_null(wr_sim_params_get(&p, "Z"));
  assert_int_equal(p.n, 6);
  wr_sim_params_free(&p);
}

static void test_params_errors(void **state)
{
  static const char *const bad_inputs[] = {
    "a=%zz", "a=%4", "a=1&a=2", "=x", "a=%"
  };
  struct wr_sim_params p;
  const char *bad;
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++) {
    wr_sim_params_init(&p);
    bad = NULL;
    assert_int_equal(wr_sim_params_parse(&p, bad_inputs[i],
                                         strlen(bad_inputs[i]), &bad),
                     WR_EINVAL);
    assert_non_null(bad);
    wr_sim_params_free(&p);
  }
}

static void test_params_list(void **state)
{
  struct wr_sim_params p;
  const char **ids = NULL;
  const char q1[] = "DesktopId.2=b&DesktopId.1=a&DesktopId.3=c&Other.1=x";
  const char q2[] = "DesktopId.1=a&DesktopId.3=c";
  size_t n = 0;

  (void)state;
  wr_sim_params_init(&p);
  assert_int_equal(wr_sim_params_parse(&p, q1, strlen(q1), NULL), 0);
  assert_int_equal(wr_sim_params_list(&p, "DesktopId", 100, &ids, &n), 0);
  assert_int_equal(n, 3);
  assert_string_equal(ids[0], "a");
  assert_string_equal(ids[2], "c");
  free(ids);
  assert_int_equal(wr_sim_params_list(&p, "DesktopId", 2, &ids, &n),
                   WR_ETOOBIG);
  assert_int_equal(n, 3);
  assert_null(ids);
  wr_sim_params_free(&p);
  wr_sim_params_init(&p);
  assert_int_equal(wr_sim_params_parse(&p, q2, strlen(q2), NULL), 0);
  assert_int_equal(wr_sim_params_list(&p, "DesktopId", 100, &ids, &n),
                   WR_EINVAL);
  wr_sim_params_free(&p);
}

static void test_fleet_generate_and_state(void **state)
{
  char *regions[] = {"cn-hangzhou", "cn-shanghai"};
  struct wr_sim_fleet f, g;
  struct wr_sim_desktop *d;
  struct wr_err err = {0};
  size_t i;

  (void)state;
  wr_sim_fleet_init(&f, 1000);
  wr_sim_fleet_init(&g, 1000);
  assert_int_equal(wr_sim_fleet_generate(&f, 500, regions, 2, 7, &err), 0);
  assert_int_equal(wr_sim_fleet_generate(&g, 500, regions, 2, 7, &err), 0);
  assert_int_equal(wr_sim_fleet_finish(&f), 0);
  assert_int_equal(f.n, 500);
  for (i = 0; i < f.n; i++) {
    assert_int_equal(strlen(f.v[i].id), 21);
    assert_memory_equal(f.v[i].id, "ecd-", 4);
    assert_string_equal(f.v[i].id, g.v[i].id); /* deterministic */
    assert_int_equal(f.v[i].region, i % 2);     /* round-robin */
    assert_true(wr_sim_fleet_find(&f, f.v[i].id) == &f.v[i]);
  }
  assert_int_equal(f.by_region_n[0], 250);
  assert_null(wr_sim_fleet_find(&f, "ecd-nope"));
  d = &f.v[3];
  assert_string_equal(wr_sim_fleet_status(&f, d, 5000), "Running");
  wr_sim_fleet_reboot(&f, d, 5000);
  assert_string_equal(wr_sim_fleet_status(&f, d, 5000), "Stopping");
  assert_string_equal(wr_sim_fleet_status(&f, d, 5499), "Stopping");
  assert_string_equal(wr_sim_fleet_status(&f, d, 5500), "Starting");
  assert_string_equal(wr_sim_fleet_status(&f, d, 5999), "Starting");
  assert_string_equal(wr_sim_fleet_status(&f, d, 6000), "Running");
  assert_int_equal(d->reboots, 1);
  assert_int_equal(wr_sim_fleet_add(&f, f.v[0].id, "cn-hangzhou", &err),
                   WR_EINVAL);
  wr_sim_fleet_free(&f);
  wr_sim_fleet_free(&g);
}

static void test_fleet_failures_file(void **state)
{
  char *regions[] = {"cn-hangzhou"};
  char path[] = "/tmp/test_sim_failXXXXXX";
  struct wr_sim_fleet f;
  struct wr_err err = {0};
  FILE *fp;
  int fd;

  (void)state;
  wr_sim_fleet_init(&f, 1000);
  assert_int_equal(wr_sim_fleet_generate(&f, 3, regions, 1, 1, &err), 0);
  fd = mkstemp(path);
  assert_true(fd >= 0);
  fp = fdopen(fd, "w");
  fprintf(fp, "# stuck and unknown\n%s\n%s,unknown\necd-extra1, stuck\n\n",
          f.v[0].id, f.v[1].id);
  fclose(fp);
  assert_int_equal(wr_sim_fleet_load_failures(&f, path, "cn-hangzhou",
                                              &err), 0);
  assert_int_equal(wr_sim_fleet_finish(&f), 0);
  assert_string_equal(wr_sim_fleet_status(&f, &f.v[0], 0), "Stopped");
  assert_null(wr_sim_fleet_find(&f, f.v[1].id));
  assert_non_null(wr_sim_fleet_find(&f, "ecd-extra1"));
  assert_int_equal(f.by_region_n[0], 3); /* 4 desktops, 1 unknown */
  fp = fopen(path, "w");
  fprintf(fp, "ecd-a,broken\n");
  fclose(fp);
  assert_int_equal(wr_sim_fleet_load_failures(&f, path, "cn-hangzhou",
                                              &err), WR_EINPUT);
  assert_non_null(strstr(err.msg, ":1:"));
  assert_non_null(strstr(err.msg, "broken"));
  unlink(path);
  wr_sim_fleet_free(&f);
}

static void test_window_sliding(void **state)
{
  struct wr_sim_window w;
  size_t n;
  int i;

  (void)state;
  wr_sim_window_init(&w);
  for (i = 0; i < 3000; i++)       /* grows past the first allocation */
    assert_int_equal(wr_sim_window_add(&w, 100, &n), 0);
  assert_int_equal(n, 3000);
  assert_int_equal(wr_sim_window_count(&w, 1099), 3000);
  assert_int_equal(wr_sim_window_count(&w, 1100), 0); /* [t, t+1000) */
  assert_int_equal(wr_sim_window_add(&w, 2000, &n), 0);
  assert_int_equal(wr_sim_window_add(&w, 2999, &n), 0);
  assert_int_equal(n, 2);
  assert_int_equal(wr_sim_window_oldest(&w), 2000);
  assert_int_equal(wr_sim_window_add(&w, 3000, &n), 0);
  assert_int_equal(n, 2);
  wr_sim_window_free(&w);
}

static void test_nonces(void **state)
{
  struct wr_sim_nonces s;
  char nonce[32];
  int i;

  (void)state;
  wr_sim_nonces_init(&s, 100000, 31 * 60000, 0);
  assert_int_equal(wr_sim_nonces_check_add(&s, "abc", 0), 0);
  assert_int_equal(wr_sim_nonces_check_add(&s, "abc", 1), 1);
  for (i = 0; i < 20000; i++) {
    snprintf(nonce, sizeof(nonce), "n%d", i);
    assert_int_equal(wr_sim_nonces_check_add(&s, nonce, 10), 0);
  }
  assert_int_equal(wr_sim_nonces_check_add(&s, "n19999", 11), 1);
  /* Still remembered 31 minutes later (previous generation)... */
  assert_int_equal(wr_sim_nonces_check_add(&s, "abc", 31 * 60000), 1);
  assert_int_equal(wr_sim_nonces_check_add(&s, "late", 31 * 60000), 0);
  /* ...and forgotten after two generations. */
  assert_int_equal(wr_sim_nonces_check_add(&s, "abc", 62 * 60000), 0);
  assert_int_equal(wr_sim_nonces_check_add(&s, "late", 62 * 60000 + 1), 1);
  wr_sim_nonces_free(&s);
}

static void test_idem(void **state)
{
  struct wr_sim_idem s;
  unsigned char d1[32] = {1}, d2[32] = {2};
  char rid[WR_SIM_REQUEST_ID_LEN];
  char tok[16];
  int i;

  (void)state;
  assert_int_equal(wr_sim_idem_init(&s, 4), 0);
  assert_int_equal(wr_sim_idem_lookup(&s, "t1", d1, rid), WR_SIM_IDEM_NEW);
  assert_int_equal(wr_sim_idem_add(&s, "t1", d1, "RID-1"), 0);
  assert_int_equal(wr_sim_idem_lookup(&s, "t1", d1, rid), WR_SIM_IDEM_SAME);
  assert_string_equal(rid, "RID-1");
  assert_int_equal(wr_sim_idem_lookup(&s, "t1", d2, rid),
                   WR_SIM_IDEM_MISMATCH);
  assert_int_equal(wr_sim_idem_lookup(&s, "T1", d1, rid), WR_SIM_IDEM_NEW);
  for (i = 2; i <= 5; i++) {      /* the bound evicts the oldest */
    snprintf(tok, sizeof(tok), "t%d", i);
    assert_int_equal(wr_sim_idem_add(&s, tok, d1, "RID"), 0);
  }
  assert_int_equal(wr_sim_idem_lookup(&s, "t1", d1, rid), WR_SIM_IDEM_NEW);
  assert_int_equal(wr_sim_idem_lookup(&s, "t5", d1, rid), WR_SIM_IDEM_SAME);
  wr_sim_idem_free(&s);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_params_decode),
    cmocka_unit_test(test_params_errors),
    cmocka_unit_test(test_params_list),
    cmocka_unit_test(test_fleet_generate_and_state),
    cmocka_unit_test(test_fleet_failures_file),
    cmocka_unit_test(test_window_sliding),
    cmocka_unit_test(test_nonces),
    cmocka_unit_test(test_idem),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
