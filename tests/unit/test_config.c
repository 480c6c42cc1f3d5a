#include "cli.h"
#include "config_load.h"
#include "config_int.h"
#include "clock.h"
#include "err.h"
#include "log.h"

#include <cjson/cJSON.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARGV_MAX 64

struct args {
  int argc;
  char *argv[ARGV_MAX];
};

static struct wr_config cfg;
static struct wr_err err;
static struct args a;

/* The end of load()'s list: a pointer, as va_arg reads it (NULL may be a
 * plain 0, an int, which a variadic call does not convert). */
#define END ((const char *)NULL)

/* Load a NULL-terminated argument list (copied: getopt permutes argv and
 * secrets are wiped in place). */
static int load(const char *first, ...)
{
  va_list ap;
  const char *s;

  a.argc = 0;
  a.argv[a.argc++] = strdup("wuying-reboot");
  va_start(ap, first);
  for (s = first; s != NULL; s = va_arg(ap, const char *)) {
    assert_true(a.argc < ARGV_MAX - 1);
    a.argv[a.argc++] = strdup(s);
  }
  va_end(ap);
  a.argv[a.argc] = NULL;
  memset(&err, 0, sizeof(err));
  return wr_config_load(&cfg, a.argc, a.argv, &err);
}

static int teardown(void **state)
{
  int i;

  (void)state;
  wr_config_free(&cfg);
  for (i = 0; i < a.argc; i++)
    free(a.argv[i]);
  a.argc = 0;
  wr_log_set_level(WR_LOG_NOTE);
  return 0;
}

static void usage_error(const char *expect)
{
  if (strstr(err.msg, expect) == NULL)
    fail_msg("expected \"%s\" in \"%s\"", expect, err.msg);
  assert_int_equal(err.code, WR_EUSAGE);
}

#define EXPECT_USAGE(expect, ...)                                              \
  do {                                                                         \
    assert_int_equal(load(__VA_ARGS__, END), WR_EUSAGE);                       \
    usage_error(expect);                                                       \
    teardown(NULL);                                                            \
  } while (0)

static void test_defaults(void **state)
{
  (void)state;
  assert_int_equal(load("plan", "fleet.csv", END), 0);
  assert_int_equal(cfg.command, WR_CMD_PLAN);
  assert_int_equal(cfg.ninputs, 1);
  assert_string_equal(cfg.inputs[0], "fleet.csv");
  assert_int_equal(cfg.chunk_size, 20);
  assert_true(cfg.rate == 10);
  assert_int_equal(cfg.concurrency, 16);
  assert_true(cfg.timeout_s == 30);
  assert_int_equal(cfg.retries, 5);
  assert_int_equal(cfg.max_errors, -1);
  assert_true(cfg.max_errors_pct < 0);
  assert_int_equal(cfg.verify_timeout_ms, 15 * 60 * 1000);
  assert_int_equal(cfg.api, WR_API_ADMIN);
  assert_int_equal(cfg.signature, WR_SIG_V3);
  assert_int_equal(cfg.progress, WR_PROGRESS_AUTO);
  assert_int_equal(cfg.verbosity, WR_LOG_NOTE);
  assert_null(cfg.region);
  assert_null(cfg.endpoint);
  assert_string_equal(cfg.report_format, "text");
}

static void test_every_option(void **state)
{
  int64_t before = wr_clock_wall_ms();

  (void)state;
  /* --api admin: --verify needs it (client mode is parsed below). */
  assert_int_equal(load("run", "--region", "cn-shanghai", "--api", "admin",
                        "--chunk-size", "20", "--rate", "2.5", "--concurrency",
                        "4", "--timeout", "1.5", "--retries", "0",
                        "--max-errors", "5%", "--canary", "10", "--wave-size",
                        "100", "--verify", "--verify-timeout", "1h30m",
                        "--deadline", "+30m", "--report", "r.jsonl",
                        "--progress", "never", "--endpoint",
                        "http://127.0.0.1:8080", "--format", "jsonl",
                        "--column", "2", "--strict", "--client-id", "cid",
                        "--client-os", "Linux", "--client-version", "1.0",
                        "--profile", "p1", "--signature", "v1", "-v", "-v",
                        "a.jsonl", "-", END), 0);
  assert_int_equal(cfg.command, WR_CMD_RUN);
  assert_string_equal(cfg.region, "cn-shanghai");
  assert_int_equal(cfg.api, WR_API_ADMIN);
  assert_true(cfg.rate == 2.5);
  assert_int_equal(cfg.concurrency, 4);
  assert_true(cfg.timeout_s == 1.5);
  assert_int_equal(cfg.retries, 0);
  assert_true(cfg.max_errors_pct == 5);
  assert_int_equal(cfg.max_errors, -1);
  assert_int_equal(cfg.canary, 10);
  assert_int_equal(cfg.wave_size, 100);
  assert_true(cfg.verify);
  assert_int_equal(cfg.verify_timeout_ms, 90 * 60 * 1000);
  assert_true(cfg.deadline_wall_ms >= before + 30 * 60 * 1000);
  assert_true(cfg.deadline_wall_ms <= wr_clock_wall_ms() + 30 * 60 * 1000);
  assert_string_equal(cfg.report_path, "r.jsonl");
  assert_int_equal(cfg.progress, WR_PROGRESS_NEVER);
  assert_string_equal(cfg.endpoint, "http://127.0.0.1:8080");
  assert_int_equal(cfg.format, WR_FORMAT_JSONL);
  assert_string_equal(cfg.column, "2");
  assert_true(cfg.strict);
  assert_string_equal(cfg.client_id, "cid");
  assert_string_equal(cfg.client_os, "Linux");
  assert_string_equal(cfg.client_version, "1.0");
  assert_string_equal(cfg.profile, "p1");
  assert_int_equal(cfg.signature, WR_SIG_V1);
  assert_int_equal(cfg.verbosity, WR_LOG_NOTE + 2);
  assert_int_equal(wr_log_level(), WR_LOG_NOTE + 2);
  assert_int_equal(cfg.ninputs, 2);
  assert_string_equal(cfg.inputs[1], "-");
}

static void test_help_and_version(void **state)
{
  (void)state;
  assert_int_equal(load("--version", END), 0);
  assert_int_equal(cfg.command, WR_CMD_NONE);
  teardown(NULL);
  assert_int_equal(load("--help", END), 0);
  assert_int_equal(cfg.command, WR_CMD_NONE);
  teardown(NULL);
  /* --help wins over anything wrong after it */
  assert_int_equal(load("plan", "--help", "--rate", "x", END), 0);
  assert_int_equal(cfg.command, WR_CMD_NONE);
  teardown(NULL);
  assert_int_equal(load("report", "-h", END), 0);
  assert_int_equal(cfg.command, WR_CMD_NONE);
}

static void test_usage_errors(void **state)
{
  (void)state;
  assert_int_equal(load(NULL, END), WR_EUSAGE);
  usage_error("missing COMMAND");
  teardown(NULL);
  EXPECT_USAGE("unknown command \"reboot\"", "reboot", "x.csv");
  EXPECT_USAGE("unknown option \"--bogus\"", "plan", "--bogus", "x.csv");
  EXPECT_USAGE("unknown option \"-z\"", "plan", "-z", "x.csv");
  EXPECT_USAGE("\"--rate\" needs a value", "plan", "x.csv", "--rate");
  EXPECT_USAGE("--json is not an option of run", "run", "--json", "x.csv");
  EXPECT_USAGE("--output is not an option of plan", "plan", "-o", "f", "x");
  EXPECT_USAGE("no INPUT given", "plan", "--region", "cn-hangzhou");
  EXPECT_USAGE("stdin (-) can be read only once", "plan", "-", "-");
  EXPECT_USAGE("exactly one REPORT", "resume", "a.jsonl", "b.jsonl");
  EXPECT_USAGE("exactly one REPORT", "report");
}

static void test_value_errors(void **state)
{
  (void)state;
  EXPECT_USAGE("--rate: \"abc\" is not a number", "plan", "--rate", "abc", "x");
  EXPECT_USAGE("--rate: \"-1\" is not a number", "plan", "--rate", "-1", "x");
  EXPECT_USAGE("--rate: \"1e9x\" is not a number", "plan", "--rate", "1e9x",
               "x");
  EXPECT_USAGE("--rate: 20000 is out of range", "plan", "--rate", "20000", "x");
  EXPECT_USAGE("--concurrency: 0 is out of range", "plan", "--concurrency",
               "0", "x");
  EXPECT_USAGE("--concurrency: \"4.5\" is not a whole number", "plan",
               "--concurrency", "4.5", "x");
  EXPECT_USAGE("--timeout: 0 is out of range", "plan", "--timeout", "0", "x");
  EXPECT_USAGE("--chunk-size: 101 is out of range", "plan", "--chunk-size",
               "101", "x");
  EXPECT_USAGE("--chunk-size: 21 is more than the client API", "plan", "--api",
               "client", "--chunk-size", "21", "x");
  EXPECT_USAGE("--chunk-size: 30 is more than the client API", "plan",
               "--chunk-size", "30", "--api", "client", "x");
  EXPECT_USAGE("--api: \"root\" is not one of admin|client", "plan", "--api",
               "root", "x");
  EXPECT_USAGE("--signature: \"v2\" is not one of v3|v1", "plan",
               "--signature", "v2", "x");
  EXPECT_USAGE("--format: \"xml\" is not one of csv|jsonl", "plan", "--format",
               "xml", "x");
  EXPECT_USAGE("--format: \"pdf\" is not one of text|markdown", "report",
               "r.jsonl", "--format", "pdf");
  EXPECT_USAGE("--progress: \"sometimes\"", "run", "--progress", "sometimes",
               "x");
  EXPECT_USAGE("--max-errors: \"lots\" is not a whole number", "run",
               "--max-errors", "lots", "x");
  EXPECT_USAGE("--max-errors: 101 is out of range", "run", "--max-errors",
               "101%", "x");
  EXPECT_USAGE("--verify-timeout: \"15x\" is not a duration", "run",
               "--verify-timeout", "15x", "x");
  EXPECT_USAGE("--verify-timeout: \"0s\" is not a duration", "run",
               "--verify-timeout", "0s", "x");
  EXPECT_USAGE("--verify needs --api admin", "run", "--api", "client",
               "--client-id", "c", "--verify", "x");
  EXPECT_USAGE("--deadline: \"tomorrow\" is neither", "run", "--deadline",
               "tomorrow", "x");
  EXPECT_USAGE("--deadline: \"+soon\" is not +DURATION", "run", "--deadline",
               "+soon", "x");
  EXPECT_USAGE("--region: \"Hangzhou\" is not a region name", "plan",
               "--region", "Hangzhou", "x");
  EXPECT_USAGE("--region: the value is empty", "plan", "--region", "", "x");
  EXPECT_USAGE("--column: 0 is out of range", "plan", "--column", "0", "x");
  EXPECT_USAGE("--show-requests and --json cannot be combined", "plan",
               "--json", "--show-requests", "2", "x");
}

/* Lax values that used to pass (issue 13, item 9). */
static void test_lax_values_rejected(void **state)
{
  (void)state;
  EXPECT_USAGE("--rate: \"0x10\" is not a number", "plan", "--rate", "0x10",
               "x");
  EXPECT_USAGE("--rate: \"inf\" is not a number", "plan", "--rate", "inf",
               "x");
  EXPECT_USAGE("--rate: 1e-300 is below the minimum of 0.01 calls per second "
               "(0 means unlimited)", "plan", "--rate", "1e-300", "x");
  EXPECT_USAGE("--rate: 0.009 is below the minimum of 0.01", "run", "--rate",
               "0.009", "x");
  EXPECT_USAGE("--timeout: \"0x1p3\" is not a number", "run", "--timeout",
               "0x1p3", "x");
  EXPECT_USAGE("--verify-timeout: \"1h1h\" is not a duration", "run",
               "--verify-timeout", "1h1h", "x");
  EXPECT_USAGE("--verify-timeout: \"30m1h\" is not a duration", "run",
               "--verify-timeout", "30m1h", "x");
  EXPECT_USAGE("--verify-timeout: \"1s500ms5s\" is not a duration", "run",
               "--verify-timeout", "1s500ms5s", "x");
  EXPECT_USAGE("--deadline: \"2026-02-30T00:00:00Z\" is neither", "run",
               "--deadline", "2026-02-30T00:00:00Z", "x");
  EXPECT_USAGE("--deadline: \"2026-03-01T00:00:00+99:99\" is neither", "run",
               "--deadline", "2026-03-01T00:00:00+99:99", "x");
}

static void test_numbers_and_durations(void **state)
{
  int64_t ms;

  (void)state;
  assert_int_equal(load("run", "--max-errors", "7", "--rate", "0",
                        "--deadline", "2026-11-29T22:00:00Z", "x", END), 0);
  assert_int_equal(cfg.max_errors, 7);
  assert_true(cfg.max_errors_pct < 0);
  assert_true(cfg.rate == 0);
  assert_int_equal(cfg.deadline_wall_ms, 1795989600000LL);
  assert_int_equal(wr_config_parse_duration("90s", &ms), 0);
  assert_int_equal(ms, 90000);
  assert_int_equal(wr_config_parse_duration("15m", &ms), 0);
  assert_int_equal(ms, 900000);
  assert_int_equal(wr_config_parse_duration("2h", &ms), 0);
  assert_int_equal(ms, 7200000);
  assert_int_equal(wr_config_parse_duration("500ms", &ms), 0);
  assert_int_equal(ms, 500);
  assert_int_equal(wr_config_parse_duration("45", &ms), 0);
  assert_int_equal(ms, 45000);
  assert_int_equal(wr_config_parse_duration("1h30m15s", &ms), 0);
  assert_int_equal(ms, 5415000);
  assert_int_equal(wr_config_parse_duration("1d2h3m4s5ms", &ms), 0);
  assert_int_equal(ms, 93784005LL);
  assert_int_equal(wr_config_parse_duration("1h1h", &ms), WR_EINVAL);
  assert_int_equal(wr_config_parse_duration("1m1h", &ms), WR_EINVAL);
  assert_int_equal(wr_config_parse_duration("5ms1s", &ms), WR_EINVAL);
  assert_int_equal(wr_config_parse_duration("1s1ms1ms", &ms), WR_EINVAL);
  assert_int_equal(wr_config_parse_duration("", &ms), WR_EINVAL);
  assert_int_equal(wr_config_parse_duration("m", &ms), WR_EINVAL);
  assert_int_equal(wr_config_parse_duration("5 m", &ms), WR_EINVAL);
  assert_int_equal(wr_config_parse_duration("-5m", &ms), WR_EINVAL);
  assert_int_equal(wr_config_parse_duration("99999999999h", &ms), WR_EINVAL);
  /* An out-parameter is written on entry: no stale value after an error. */
  ms = 123;
  assert_int_equal(wr_config_parse_duration("5x", &ms), WR_EINVAL);
  assert_int_equal(ms, 0);
}

static void test_endpoint(void **state)
{
  (void)state;
  assert_int_equal(load("run", "--endpoint", "http://localhost:9000/", "x",
                        END), 0);
  assert_string_equal(cfg.endpoint, "http://localhost:9000");
  teardown(NULL);
  assert_int_equal(load("run", "--endpoint", "https://ecd.cn-x.example.com",
                        "x", END), 0);
  teardown(NULL);
  assert_int_equal(load("run", "--endpoint", "http://10.0.0.5:80", "--insecure",
                        "x", END), 0);
  teardown(NULL);
  EXPECT_USAGE("plain http is allowed only to a loopback host", "run",
               "--endpoint", "http://10.0.0.5:80", "x");
  EXPECT_USAGE("only https", "run", "--endpoint", "ftp://127.0.0.1", "x");
  EXPECT_USAGE("no path, query or fragment", "run", "--endpoint",
               "http://127.0.0.1:1/api?x=1", "x");
  EXPECT_USAGE("no host", "run", "--endpoint", "http://", "x");
  /* One policy (endpoint.c) for every command: a DNS name that starts
   * with 127. is not loopback, for plan as for run and resume. */
  EXPECT_USAGE("--endpoint: \"http://127.evil.com\": plain http", "plan",
               "--endpoint", "http://127.evil.com", "x");
  EXPECT_USAGE("--endpoint: \"http://127.evil.com\": plain http", "run",
               "--endpoint", "http://127.evil.com", "x");
  EXPECT_USAGE("--endpoint: \"http://127.evil.com\": plain http", "resume",
               "--endpoint", "http://127.evil.com", "r.jsonl");
  EXPECT_USAGE("--endpoint: \"https://***@ecd.example.com\": a user name",
               "plan", "--endpoint", "https://u:pw@ecd.example.com", "x");
  /* The value kept is the normal form, the one the report and the
   * requests show. */
  assert_int_equal(load("plan", "--endpoint", "HTTP://LocalHost:8080/", "x",
                        END), 0);
  assert_string_equal(cfg.endpoint, "http://localhost:8080");
  teardown(NULL);
  assert_int_equal(load("run", "--endpoint", "http://0x7f.1:08080", "x",
                        END), 0);
  assert_string_equal(cfg.endpoint, "http://127.0.0.1:8080");
  teardown(NULL);
  assert_int_equal(load("run", "--endpoint", "https://ecd.example.com:443/",
                        "x", END), 0);
  assert_string_equal(cfg.endpoint, "https://ecd.example.com");
}

static void test_secrets_are_wiped_from_argv(void **state)
{
  (void)state;
  assert_int_equal(load("plan", "--api", "client", "--login-token",
                        "LT-SECRET", "--session-id", "SID-SECRET", "x", END),
                   0);
  /* getopt permutes argv; search it all */
  for (int i = 0; i < a.argc; i++) {
    assert_null(strstr(a.argv[i], "LT-SECRET"));
    assert_null(strstr(a.argv[i], "SID-SECRET"));
  }
  teardown(NULL);
  EXPECT_USAGE("--login-token: the value is empty", "plan", "--login-token",
               "", "x");
}

static void test_verbosity(void **state)
{
  (void)state;
  assert_int_equal(load("plan", "-vvv", "-v", "x", END), 0);
  assert_int_equal(cfg.verbosity, WR_LOG_TRACE);
  teardown(NULL);
  assert_int_equal(load("plan", "-q", "x", END), 0);
  assert_int_equal(cfg.verbosity, WR_LOG_ERROR);
  assert_int_equal(wr_log_level(), WR_LOG_ERROR);
}

static char job_path[64];

static const char *write_job(const char *text)
{
  int fd;

  snprintf(job_path, sizeof(job_path), "/tmp/wr-test-job-XXXXXX");
  fd = mkstemp(job_path);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
  return job_path;
}

static void test_job_file(void **state)
{
  const char *job;

  (void)state;
  job = write_job("{\"region\": \"cn-beijing\", \"rate\": 20, \"concurrency\": 8,\n"
                  " \"inputs\": [\"a.csv\", \"b.jsonl\"], \"verify\": true,\n"
                  " \"max-errors\": \"2%\", \"verify-timeout\": \"10m\",\n"
                  " \"canary\": 5, \"verbose\": 1, \"strict\": false,\n"
                  " \"endpoint\": null}");
  assert_int_equal(load("run", "--job", job, "--rate", "5", END), 0);
  assert_string_equal(cfg.region, "cn-beijing");
  assert_true(cfg.rate == 5); /* the command line wins */
  assert_int_equal(cfg.concurrency, 8);
  assert_int_equal(cfg.ninputs, 2);
  assert_string_equal(cfg.inputs[1], "b.jsonl");
  assert_true(cfg.verify);
  assert_true(cfg.max_errors_pct == 2);
  assert_int_equal(cfg.verify_timeout_ms, 600000);
  assert_int_equal(cfg.canary, 5);
  assert_int_equal(cfg.verbosity, WR_LOG_NOTE + 1);
  assert_string_equal(cfg.job_file, job);
  teardown(NULL);
  /* inputs on the command line replace the job's; -q beats its verbose */
  assert_int_equal(load("plan", "-q", "--job", job, "c.csv", END), 0);
  assert_int_equal(cfg.ninputs, 1);
  assert_string_equal(cfg.inputs[0], "c.csv");
  assert_int_equal(cfg.verbosity, WR_LOG_ERROR);
  teardown(NULL);
  unlink(job);
}

static void job_error(const char *text, const char *expect)
{
  const char *job = write_job(text);

  assert_int_equal(load("plan", "--job", job, "x.csv", END), WR_EUSAGE);
  usage_error(expect);
  assert_non_null(strstr(err.msg, job));
  teardown(NULL);
  unlink(job);
}

static void test_job_file_errors(void **state)
{
  (void)state;
  job_error("{\"regoin\": \"cn-x\"}", "unknown key \"regoin\"");
  job_error("{\"rate\": \"fast\"}", "key \"rate\": expected a number");
  job_error("{\"strict\": 1}", "key \"strict\": expected true or false");
  job_error("{\"region\": 5}", "key \"region\": expected a string");
  job_error("{\"inputs\": \"a.csv\"}", "key \"inputs\": expected an array");
  job_error("{\"inputs\": [1]}", "key \"inputs\": expected an array");
  job_error("{\"rate\": -3}", "key \"rate\": \"-3\" is not a number");
  job_error("{\"chunk-size\": 2.5}", "key \"chunk-size\": \"2.5\" is not a "
            "whole number");
  job_error("{\"output\": \"x\"}", "unknown key \"output\"");
  job_error("{\"show-requests\": 3}", "unknown key \"show-requests\"");
  job_error("{\"job\": \"x\"}", "unknown key \"job\"");
  job_error("[1, 2]", "expected a JSON object");
  job_error("{\"region\": \"cn-x\",\n\n \"rate\": }", ":3: not valid JSON");
  job_error("{\"region\": \"cn-x\"}\n{\"rate\": 1}\n",
            ":2: text after the JSON object");
  job_error("{\"region\": \"cn-x\"} x", ":1: text after the JSON object");
  job_error("{\"rate\": 5, \"region\": \"cn-x\", \"rate\": 1}",
            "key \"rate\" is given twice");
  job_error("{\"rate\": 0.001}", "key \"rate\": 0.001 is below the minimum");
  assert_int_equal(load("plan", "--job", "/nonexistent/job.json", "x", END),
                   WR_EUSAGE);
  usage_error("/nonexistent/job.json");
}

static void test_sample_jobs_load(void **state)
{
  (void)state;
  assert_int_equal(load("plan", "--job",
                        WR_SOURCE_DIR "/jobs/maintenance-window.json", END),
                   0);
  assert_true(cfg.ninputs >= 1);
  teardown(NULL);
  assert_int_equal(load("run", "--job",
                        WR_SOURCE_DIR "/jobs/canary-rollout.json", END), 0);
  assert_true(cfg.canary > 0);
}

static void test_options_json_round_trip(void **state)
{
  struct wr_config again;
  cJSON *o, *o2;
  char *t1, *t2;

  (void)state;
  assert_int_equal(load("run", "--region", "cn-shanghai", "--rate", "2.5",
                        "--max-errors", "3", "--deadline",
                        "2026-11-29T22:00:00.250Z", "--verify-timeout", "90s",
                        "--api", "client", "--client-id", "c1",
                        "--login-token", "NOT-IN-JSON", "x.csv", END), 0);
  o = wr_config_to_json(&cfg);
  assert_non_null(o);
  t1 = cJSON_PrintUnformatted(o);
  assert_null(strstr(t1, "NOT-IN-JSON"));
  assert_null(cJSON_GetObjectItem(o, "login-token"));
  assert_string_equal(cJSON_GetObjectItem(o, "deadline")->valuestring,
                      "2026-11-29T22:00:00.250Z");
  /* a report's options are a job file: applying them gives the same */
  memset(&again, 0, sizeof(again));
  again.command = WR_CMD_RESUME;
  again.chunk_size = 20;
  assert_int_equal(wr_config_apply_json(&again, o, "report", &err), 0);
  again.deadline_wall_ms = cfg.deadline_wall_ms; /* resolved by validate */
  o2 = wr_config_to_json(&again);
  t2 = cJSON_PrintUnformatted(o2);
  assert_string_equal(t1, t2);
  assert_true(again.rate == 2.5);
  assert_int_equal(again.api, WR_API_CLIENT);
  cJSON_free(t1);
  cJSON_free(t2);
  cJSON_Delete(o);
  cJSON_Delete(o2);
  wr_config_free(&again);
}

/* --only-region and --all-regions (issue 10 item 4): checked names, one
 * or the other, from a job file too, kept in the report's options, and
 * refused by resume (the plan is recorded). */
static void test_region_selection(void **state)
{
  const char *job;
  cJSON *o;

  (void)state;
  assert_int_equal(load("run", "--region", "cn-hangzhou", "--only-region",
                        "cn-hangzhou,ap-southeast-1", "x.csv", (const char *)NULL), 0);
  assert_string_equal(cfg.only_regions, "cn-hangzhou,ap-southeast-1");
  assert_false(cfg.all_regions);
  o = wr_config_to_json(&cfg);
  assert_non_null(o);
  assert_string_equal(cJSON_GetObjectItem(o, "only-region")->valuestring,
                      "cn-hangzhou,ap-southeast-1");
  assert_true(cJSON_IsFalse(cJSON_GetObjectItem(o, "all-regions")));
  cJSON_Delete(o);
  teardown(NULL);
  assert_int_equal(load("plan", "--all-regions", "x.csv", (const char *)NULL), 0);
  assert_true(cfg.all_regions);
  assert_null(cfg.only_regions);
  teardown(NULL);
  EXPECT_USAGE("--only-region and --all-regions cannot be combined", "plan",
               "--only-region", "cn-x1", "--all-regions", "x");
  EXPECT_USAGE("--only-region: \"Hangzhou\" is not a region name", "plan",
               "--only-region", "cn-x1,Hangzhou", "x");
  EXPECT_USAGE("--only-region: \"\" is not a region name", "plan",
               "--only-region", "cn-x1,", "x");
  EXPECT_USAGE("--only-region: cn-x1 is given twice", "plan",
               "--only-region", "cn-x1,cn-y2,cn-x1", "x");
  EXPECT_USAGE("--only-region: the value is empty", "plan", "--only-region",
               "", "x");
  EXPECT_USAGE("--only-region cannot be given to resume", "resume", "r.jsonl",
               "--only-region", "cn-x1");
  EXPECT_USAGE("--all-regions cannot be given to resume", "resume",
               "r.jsonl", "--all-regions");
  /* A job file: the same keys; the command line wins. */
  job = write_job("{\"region\": \"cn-beijing\", \"only-region\": "
                  "\"cn-beijing,cn-x1\", \"inputs\": [\"a.csv\"]}");
  assert_int_equal(load("plan", "--job", job, (const char *)NULL), 0);
  assert_string_equal(cfg.only_regions, "cn-beijing,cn-x1");
  teardown(NULL);
  unlink(job);
  job = write_job("{\"all-regions\": true, \"inputs\": [\"a.csv\"]}");
  assert_int_equal(load("plan", "--job", job, (const char *)NULL), 0);
  assert_true(cfg.all_regions);
  teardown(NULL);
  unlink(job);
  job = write_job("{\"all-regions\": true, \"only-region\": \"cn-x1\", "
                  "\"inputs\": [\"a.csv\"]}");
  assert_int_equal(load("plan", "--job", job, (const char *)NULL), WR_EUSAGE);
  usage_error("cannot be combined");
  teardown(NULL);
  unlink(job);
}

/* --notify and --keep-columns: repeatable, lists in a job file, the
 * command line's list replacing the job file's; the URLs checked by the
 * endpoint policy, never kept in run.options. */
static void test_lists(void **state)
{
  const char *job;
  cJSON *o;

  (void)state;
  assert_int_equal(load("run", "--notify", "HTTPS://Hooks.Example.com/T/x?a=1",
                        "--notify", "http://127.0.0.1:9/h",
                        "--notify-format", "dingtalk", "--keep-columns",
                        "Name,Owner", "--keep-columns", "Site", "x.csv", END),
                   0);
  assert_int_equal(cfg.nnotify, 2);
  assert_string_equal(cfg.notify[0], "https://hooks.example.com/T/x?a=1");
  assert_string_equal(cfg.notify[1], "http://127.0.0.1:9/h");
  assert_int_equal(cfg.notify_format, WR_NOTIFY_DINGTALK);
  assert_int_equal(cfg.nkeep_columns, 3);
  assert_string_equal(cfg.keep_columns[2], "Site");
  o = wr_config_to_json(&cfg);
  assert_non_null(o);
  assert_null(cJSON_GetObjectItem(o, "notify"));
  assert_string_equal(cJSON_GetObjectItem(o, "notify-format")->valuestring,
                      "dingtalk");
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "keep-columns")),
                   3);
  cJSON_Delete(o);
  teardown(NULL);
  job = write_job("{\"notify\": [\"https://a.example/1\", "
                  "\"https://b.example/2\"], \"keep-columns\": \"A,B\", "
                  "\"inputs\": [\"a.csv\"]}");
  assert_int_equal(load("run", "--job", job, END), 0);
  assert_int_equal(cfg.nnotify, 2);
  assert_int_equal(cfg.nkeep_columns, 2);
  teardown(NULL);
  assert_int_equal(load("run", "--job", job, "--notify", "https://c.example/3",
                        "--keep-columns", "C", END), 0);
  assert_int_equal(cfg.nnotify, 1);
  assert_string_equal(cfg.notify[0], "https://c.example/3");
  assert_int_equal(cfg.nkeep_columns, 1);
  assert_string_equal(cfg.keep_columns[0], "C");
  teardown(NULL);
  unlink(job);
  EXPECT_USAGE("--notify: \"http://example.com...\": plain http", "run",
               "--notify", "http://example.com/tok", "x");
  EXPECT_USAGE("--notify: \"http://example.com...\": plain http", "run",
               "--insecure", "--notify", "http://example.com/tok", "x");
  EXPECT_USAGE("is not one of json|dingtalk|slack", "run", "--notify-format",
               "teams", "x");
  EXPECT_USAGE("column \"A\" is given twice", "plan", "--keep-columns",
               "A,B,A", "x");
  EXPECT_USAGE("a column name is empty", "plan", "--keep-columns", "A,,B",
               "x");
  EXPECT_USAGE("--keep-columns cannot be given to resume", "resume",
               "r.jsonl", "--keep-columns", "A");
}

static void test_resume_and_report(void **state)
{
  (void)state;
  assert_int_equal(load("resume", "r.jsonl", "--rate", "3", END), 0);
  assert_int_equal(cfg.command, WR_CMD_RESUME);
  assert_string_equal(cfg.inputs[0], "r.jsonl");
  assert_string_equal(cfg.report_path, "r.jsonl");
  teardown(NULL);
  assert_int_equal(load("report", "r.jsonl", "--format", "html", "-o", "x.html",
                        END), 0);
  assert_string_equal(cfg.report_format, "html");
  assert_string_equal(cfg.output, "x.html");
  teardown(NULL);
  EXPECT_USAGE("--region cannot be given to resume", "resume", "r.jsonl",
               "--region", "cn-x");
  EXPECT_USAGE("--chunk-size cannot be given to resume", "resume", "r.jsonl",
               "--chunk-size", "5");
  EXPECT_USAGE("--json is not an option of resume", "resume", "r.jsonl",
               "--json");
}

/* resume: the report's run.options, then the resume command line. */
static void test_resume_config(void **state)
{
  struct wr_config r;
  cJSON *o = cJSON_Parse(
      "{\"region\":\"cn-shanghai\",\"chunk-size\":7,\"api\":\"client\","
      "\"rate\":20,\"concurrency\":4,\"retries\":2,\"verify\":false,"
      "\"deadline\":\"2099-01-01T00:00:00.000Z\",\"report\":\"old.jsonl\","
      "\"inputs\":[\"fleet.csv\"],\"client-id\":\"cid\","
      "\"max-errors\":null}");

  (void)state;
  assert_non_null(o);
  assert_int_equal(load("resume", "now.jsonl", "--rate", "3", "--deadline",
                        "+30m", "-v", END), 0);
  assert_int_equal(wr_config_resume(&cfg, o, "now.jsonl: run.options", &r,
                                    &err), 0);
  assert_int_equal(r.command, WR_CMD_RESUME);
  assert_string_equal(r.region, "cn-shanghai");
  assert_int_equal(r.chunk_size, 7);
  assert_int_equal(r.api, WR_API_CLIENT);
  assert_string_equal(r.client_id, "cid");
  assert_true(r.rate == 3);            /* the command line wins */
  assert_int_equal(r.concurrency, 4);  /* the report's */
  assert_int_equal(r.retries, 2);
  assert_int_equal(r.max_errors, -1);
  assert_string_equal(r.deadline, "+30m");
  assert_true(r.deadline_wall_ms > wr_clock_wall_ms() + 29 * 60 * 1000);
  assert_true(r.deadline_wall_ms < wr_clock_wall_ms() + 31 * 60 * 1000);
  assert_int_equal(r.ninputs, 1);
  assert_string_equal(r.inputs[0], "now.jsonl");
  assert_string_equal(r.report_path, "now.jsonl");
  assert_int_equal(r.verbosity, cfg.verbosity);
  wr_config_free(&r);
  cJSON_Delete(o);
  /* a bad key in the report is a usage error naming it */
  o = cJSON_Parse("{\"rate\":\"fast\"}");
  assert_int_equal(wr_config_resume(&cfg, o, "now.jsonl: run.options", &r,
                                    &err), WR_EUSAGE);
  assert_non_null(strstr(err.msg, "now.jsonl: run.options"));
  wr_config_free(&r);
  cJSON_Delete(o);
}

/* A rejected value leaves the option as it was (found by fuzz_job). */
static void test_rejected_value_changes_nothing(void **state)
{
  struct wr_config c;
  cJSON *o = cJSON_Parse("{\"progress\": \"loud\", \"api\": \"x\"}");
  cJSON *o2 = cJSON_Parse("{\"max-errors\": \"lots%\"}");

  (void)state;
  memset(&c, 0, sizeof(c));
  c.command = WR_CMD_RUN;
  c.progress = WR_PROGRESS_NEVER;
  c.max_errors = 3;
  c.max_errors_pct = -1;
  assert_int_equal(wr_config_apply_json(&c, o, "j", &err), WR_EUSAGE);
  assert_int_equal(c.progress, WR_PROGRESS_NEVER);
  assert_int_equal(wr_config_apply_json(&c, o2, "j", &err), WR_EUSAGE);
  assert_int_equal(c.max_errors, 3);
  cJSON_Delete(o);
  cJSON_Delete(o2);
  wr_config_free(&c);
}

/* Every option a command takes is in that command's --help. */
static void test_help_lists_every_option(void **state)
{
  static const enum wr_command cmds[] = {WR_CMD_PLAN, WR_CMD_RUN,
                                         WR_CMD_RESUME, WR_CMD_REPORT};
  char *text = NULL, want[64];
  size_t len = 0, i, k;
  FILE *f;

  (void)state;
  for (k = 0; k < 4; k++) {
    f = open_memstream(&text, &len);
    assert_non_null(f);
    wr_cli_help(cmds[k], f);
    fclose(f);
    for (i = 0; i < wr_opts_count; i++) {
      if (!(wr_opts_table[i].cmds & (1u << cmds[k])) ||
          wr_opts_table[i].id == O_VERSION)
        continue;
      snprintf(want, sizeof(want), "--%s", wr_opts_table[i].name);
      if (strstr(text, want) == NULL)
        fail_msg("%s --help does not mention %s",
                 wr_cli_command_name(cmds[k]), want);
    }
    free(text);
    text = NULL;
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_teardown(test_defaults, teardown),
    cmocka_unit_test_teardown(test_every_option, teardown),
    cmocka_unit_test_teardown(test_help_and_version, teardown),
    cmocka_unit_test_teardown(test_usage_errors, teardown),
    cmocka_unit_test_teardown(test_value_errors, teardown),
    cmocka_unit_test_teardown(test_numbers_and_durations, teardown),
    cmocka_unit_test_teardown(test_lax_values_rejected, teardown),
    cmocka_unit_test_teardown(test_endpoint, teardown),
    cmocka_unit_test_teardown(test_secrets_are_wiped_from_argv, teardown),
    cmocka_unit_test_teardown(test_verbosity, teardown),
    cmocka_unit_test_teardown(test_job_file, teardown),
    cmocka_unit_test_teardown(test_job_file_errors, teardown),
    cmocka_unit_test_teardown(test_sample_jobs_load, teardown),
    cmocka_unit_test_teardown(test_options_json_round_trip, teardown),
    cmocka_unit_test_teardown(test_region_selection, teardown),
    cmocka_unit_test_teardown(test_resume_and_report, teardown),
    cmocka_unit_test_teardown(test_resume_config, teardown),
    cmocka_unit_test(test_help_lists_every_option),
    cmocka_unit_test_teardown(test_lists, teardown),
    cmocka_unit_test(test_rejected_value_changes_nothing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
