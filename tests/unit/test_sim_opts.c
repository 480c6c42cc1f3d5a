/* ecd-sim's command line: defaults, values, and errors that name the
 * option and the value. */
#include "sim_opts.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static int parse(struct wr_sim_opts *o, struct wr_err *err, int argc,
                 char **argv)
{
  memset(err, 0, sizeof(*err));
  return wr_sim_opts_parse(o, argc, argv, err);
}

static void test_defaults(void **state)
{
  char *argv[] = {"ecd-sim"};
  struct wr_sim_opts o;
  struct wr_err err;

  (void)state;
  assert_int_equal(parse(&o, &err, 1, argv), 0);
  assert_string_equal(o.access_key_id, "testid");
  assert_string_equal(o.access_key_secret, "testsecret");
  assert_null(o.security_token);
  assert_null(o.login_token);
  assert_int_equal(o.port, 0);
  assert_int_equal(o.desktops, 100);
  assert_int_equal(o.nregions, 3);
  assert_string_equal(o.regions[0], "cn-hangzhou");
  assert_string_equal(o.regions[2], "ap-southeast-1");
  assert_int_equal(o.reboot_ms, 3000);
  assert_int_equal(o.seed, 1);
  assert_true(o.qps == 0 && o.fail_rate == 0 && o.latency_ms == 0);
  wr_sim_opts_free(&o);
}

static void test_values(void **state)
{
  char *argv[] = {"ecd-sim", "--port", "8080", "--qps", "2.5",
                  "--regions", "eu-central-1,us-east-1", "--seed", "99",
                  "--lost-rate", "0.25", "--security-token", "tok",
                  "--desktops", "0", "--hang-ms", "10"};
  struct wr_sim_opts o;
  struct wr_err err;

  (void)state;
  assert_int_equal(parse(&o, &err, 17, argv), 0);
  assert_int_equal(o.port, 8080);
  assert_true(o.qps == 2.5);
  assert_int_equal(o.nregions, 2);
  assert_string_equal(o.regions[1], "us-east-1");
  assert_int_equal(o.seed, 99);
  assert_true(o.lost_rate == 0.25);
  assert_string_equal(o.security_token, "tok");
  assert_int_equal(o.desktops, 0);
  assert_int_equal(o.hang_ms, 10);
  wr_sim_opts_free(&o);
}

static void test_errors(void **state)
{
  static const struct {
    int argc;
    char *argv[5];
    const char *msg;
  } cases[] = {
    {3, {"ecd-sim", "--port", "65536"}, "--port: \"65536\""},
    {3, {"ecd-sim", "--qps", "0.5"}, "--qps: 0.5 is below 1"},
    {3, {"ecd-sim", "--fail-rate", "1.5"}, "--fail-rate: \"1.5\""},
    {3, {"ecd-sim", "--reboot-ms", "2.5"}, "not a whole number"},
    {3, {"ecd-sim", "--desktops", "x"}, "--desktops: \"x\""},
    {3, {"ecd-sim", "--regions", "a,,b"}, "--regions"},
    {2, {"ecd-sim", "--nope"}, "unknown option \"--nope\""},
    {2, {"ecd-sim", "--seed"}, "needs a value"},
    {5, {"ecd-sim", "--fail-rate", "0.6", "--reset-rate", "0.6"},
     "add up to more than 1"},
    {5, {"ecd-sim", "--desktops", "3", "--fleet", "f.csv"},
     "exclude each other"},
    {3, {"ecd-sim", "--qps-model", "some"}, "--qps-model: \"some\""},
    {3, {"ecd-sim", "--qps-schedule", "50@1"}, "--qps-schedule: \"50@1\""},
    {3, {"ecd-sim", "--qps-schedule", "50@0,20@0"}, "SECONDS increasing"},
    {3, {"ecd-sim", "--qps-schedule", "50@0,0.5@3"}, "QPS 0 or at least 1"},
    {3, {"ecd-sim", "--qps-schedule", "50@0,"}, "--qps-schedule"},
    {3, {"ecd-sim", "--qps-schedule", "50"}, "--qps-schedule"},
    {5, {"ecd-sim", "--qps", "3", "--qps-schedule", "5@0"},
     "--qps and --qps-schedule exclude each other"},
  };
  struct wr_sim_opts o;
  struct wr_err err;
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char *argv[5];

    memcpy(argv, cases[i].argv, sizeof(argv));
    assert_int_equal(parse(&o, &err, cases[i].argc, argv), WR_EUSAGE);
    if (strstr(err.msg, cases[i].msg) == NULL)
      fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.msg, cases[i].msg);
    wr_sim_opts_free(&o);
  }
}

static void test_qps_options(void **state)
{
  char *argv[] = {"ecd-sim", "--qps-model", "all", "--qps-schedule",
                  "50@0,20@10.5,0@25,50@30"};
  char *argv2[] = {"ecd-sim", "--qps-model", "accepted"};
  struct wr_sim_opts o;
  struct wr_err err;

  (void)state;
  assert_int_equal(parse(&o, &err, 5, argv), 0);
  assert_int_equal(o.qps_model, WR_SIM_QPS_ALL);
  assert_int_equal(o.nqps_schedule, 4);
  assert_true(o.qps_schedule[0].qps == 50 && o.qps_schedule[0].at_ms == 0);
  assert_true(o.qps_schedule[1].qps == 20 &&
              o.qps_schedule[1].at_ms == 10500);
  assert_true(o.qps_schedule[2].qps == 0 && o.qps_schedule[2].at_ms == 25000);
  assert_true(o.qps_schedule[3].qps == 50 &&
              o.qps_schedule[3].at_ms == 30000);
  wr_sim_opts_free(&o);
  assert_null(o.qps_schedule);
  assert_int_equal(parse(&o, &err, 3, argv2), 0);
  assert_int_equal(o.qps_model, WR_SIM_QPS_ACCEPTED);
  assert_null(o.qps_schedule);
  wr_sim_opts_free(&o);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_defaults),
    cmocka_unit_test(test_values),
    cmocka_unit_test(test_errors),
    cmocka_unit_test(test_qps_options),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
