#include "journal_records.h"
#include "config.h"
#include "err.h"
#include "plan.h"

#include <cjson/cJSON.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

static char *print(cJSON *o)
{
  char *t;

  assert_non_null(o);
  t = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  assert_non_null(t);
  return t;
}

static void test_plan_record(void **state)
{
  const char *ids[] = {"ecd-1", "ecd-2"};
  struct wr_chunk c;
  char *t;

  (void)state;
  memset(&c, 0, sizeof(c));
  strcpy(c.id, "17");
  c.region = "cn-hangzhou";
  c.ids = ids;
  c.nids = 2;
  c.wave = 1;
  t = print(wr_record_plan(&c));
  assert_string_equal(t, "{\"type\":\"plan\",\"chunk\":\"17\",\"wave\":1,"
                         "\"region\":\"cn-hangzhou\",\"desktop_ids\":"
                         "[\"ecd-1\",\"ecd-2\"],\"client_token\":null}");
  cJSON_free(t);
  strcpy(c.client_token, "0b8f6a36-8f5e-4b53-9d3c-2b3c4d5e6f70");
  t = print(wr_record_plan(&c));
  assert_non_null(strstr(t, "\"client_token\":"
                            "\"0b8f6a36-8f5e-4b53-9d3c-2b3c4d5e6f70\""));
  cJSON_free(t);
}

static void test_rejected_record(void **state)
{
  struct wr_rejected r = {"fleet.csv", 7, "ECD-\"X\"", "invalid desktop ID"};
  char *t;

  (void)state;
  t = print(wr_record_rejected(&r));
  assert_string_equal(t, "{\"type\":\"rejected\",\"source\":\"fleet.csv\","
                         "\"line\":7,\"value\":\"ECD-\\\"X\\\"\","
                         "\"reason\":\"invalid desktop ID\"}");
  cJSON_free(t);
}

static void test_run_record(void **state)
{
  struct wr_config cfg;
  struct wr_plan plan;
  struct wr_region_count regions[2] = {{"cn-a1", 3}, {"cn-b2", 1}};
  char *inputs[] = {"a.csv", "-"};
  cJSON *o, *opts;
  char *t;

  (void)state;
  memset(&cfg, 0, sizeof(cfg));
  memset(&plan, 0, sizeof(plan));
  cfg.command = WR_CMD_RUN;
  cfg.inputs = inputs;
  cfg.ninputs = 2;
  cfg.chunk_size = 20;
  cfg.rate = 2.5;
  cfg.concurrency = 16;
  cfg.api = WR_API_CLIENT;
  cfg.max_errors = -1;
  cfg.max_errors_pct = -1;
  cfg.verify_timeout_ms = 900000;
  plan.ndesktops = 4;
  plan.nchunks = 2;
  plan.nrejected = 1;
  plan.nduplicates = 5;
  plan.nwaves = 1;
  plan.regions = regions;
  plan.nregions = 2;
  o = wr_record_run(&cfg, &plan, "6f1c8a52-1b9e-4c8a-9f3e-0a1b2c3d4e5f",
                    1796076000123LL, NULL);
  assert_non_null(o);
  assert_string_equal(cJSON_GetObjectItem(o, "type")->valuestring, "run");
  assert_int_equal(cJSON_GetObjectItem(o, "report_version")->valueint, 1);
  assert_string_equal(cJSON_GetObjectItem(o, "started_at")->valuestring,
                      "2026-11-30T22:00:00.123Z");
  assert_string_equal(cJSON_GetObjectItem(o, "api")->valuestring, "client");
  assert_string_equal(cJSON_GetObjectItem(o, "action")->valuestring,
                      "RebootDesktops");
  assert_string_equal(cJSON_GetObjectItem(o, "endpoint")->valuestring,
                      "https://ecd.{region}.aliyuncs.com");
  assert_true(cJSON_GetObjectItem(o, "rate")->valuedouble == 2.5);
  assert_int_equal(cJSON_GetObjectItem(o, "desktops")->valueint, 4);
  assert_int_equal(cJSON_GetObjectItem(o, "duplicates")->valueint, 5);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "inputs")), 2);
  assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "regions"), 1)
                          ->child->valuestring, "cn-b2");
  opts = cJSON_GetObjectItem(o, "options");
  assert_true(cJSON_IsObject(opts));
  assert_string_equal(cJSON_GetObjectItem(opts, "api")->valuestring, "client");
  assert_true(cJSON_IsNull(cJSON_GetObjectItem(opts, "max-errors")));
  t = print(o);
  /* the contract's keys, in the contract's order */
  assert_non_null(strstr(t, "{\"type\":\"run\",\"report_version\":1,\"run_id\":"
                            "\"6f1c8a52-1b9e-4c8a-9f3e-0a1b2c3d4e5f\","
                            "\"started_at\":"));
  assert_non_null(strstr(t, "\"desktops\":4,\"chunks\":2,\"rejected\":1,"
                            "\"duplicates\":5"));
  cJSON_free(t);
  t = print(wr_record_run(&cfg, &plan, "x", 0, "http://127.0.0.1:8080"));
  assert_non_null(strstr(t, "\"endpoint\":\"http://127.0.0.1:8080\""));
  cJSON_free(t);
}

static const char *chunk_ids[] = {"ecd-aaaa", "ecd-bbbb", "ecd-cccc"};
static const char *chunk_attempts[] = {"REQ-1", "REQ-2"};

static void test_chunk_record_ok(void **state)
{
  struct wr_chunk_outcome c = {0};
  char *text;
  cJSON *o, *back, *a;

  (void)state;
  c.chunk_id = "17";
  c.region = "cn-hangzhou";
  c.ids = chunk_ids;
  c.nids = 3;
  c.client_token = "tok-17";
  c.status = "ok";
  c.request_id = "REQ-2";
  c.attempt_request_ids = chunk_attempts;
  c.nattempt_request_ids = 2;
  c.http_status = 200;
  c.attempts = 2;
  c.ambiguous_attempts = 1;
  c.started_wall_ms = 1714550400123LL;
  c.finished_wall_ms = 1714550401000LL;
  c.latency_ms = 87;
  o = wr_record_chunk(&c);
  assert_non_null(o);
  text = cJSON_PrintUnformatted(o);
  back = cJSON_Parse(text);
  assert_non_null(back);
  assert_true(cJSON_Compare(o, back, true));
  assert_string_equal(text,
    "{\"type\":\"chunk\",\"chunk\":\"17\",\"region\":\"cn-hangzhou\","
    "\"desktop_ids\":[\"ecd-aaaa\",\"ecd-bbbb\",\"ecd-cccc\"],"
    "\"client_token\":\"tok-17\",\"status\":\"ok\",\"request_id\":\"REQ-2\","
    "\"attempt_request_ids\":[\"REQ-1\",\"REQ-2\"],\"http_status\":200,"
    "\"error_code\":null,\"error_message\":null,\"attempts\":2,"
    "\"ambiguous_attempts\":1,\"started_at\":\"2024-05-01T08:00:00.123Z\","
    "\"finished_at\":\"2024-05-01T08:00:01.000Z\",\"latency_ms\":87}");
  a = cJSON_GetObjectItem(back, "into");
  assert_null(a);
  cJSON_free(text);
  cJSON_Delete(back);
  cJSON_Delete(o);
}

static void test_chunk_record_nulls(void **state)
{
  struct wr_chunk_outcome c = {0};
  cJSON *o;

  (void)state;
  c.chunk_id = "3";
  c.region = "cn-shanghai";
  c.ids = chunk_ids;
  c.nids = 1;
  c.status = "skipped";
  c.latency_ms = -1;
  o = wr_record_chunk(&c);
  assert_non_null(o);
  assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "client_token")));
  assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "request_id")));
  assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "http_status")));
  assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "error_code")));
  assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "started_at")));
  assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "finished_at")));
  assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "latency_ms")));
  assert_int_equal(
    cJSON_GetArraySize(cJSON_GetObjectItem(o, "attempt_request_ids")), 0);
  assert_int_equal(cJSON_GetObjectItem(o, "attempts")->valueint, 0);
  cJSON_Delete(o);
}

static void test_chunk_record_failed_and_split(void **state)
{
  static const char *left[] = {"ecd-aaaa"};
  static const char *right[] = {"ecd-bbbb", "ecd-cccc"};
  struct wr_split_part parts[2] = {
    {"17.1", left, 1, NULL},
    {"17.2", right, 2, NULL},
  };
  struct wr_chunk_outcome c = {0};
  cJSON *o, *into, *p;
  char *text;

  (void)state;
  c.chunk_id = "17";
  c.region = "cn-hangzhou";
  c.ids = chunk_ids;
  c.nids = 3;
  c.status = "split";
  c.http_status = 400;
  c.error_code = "InvalidDesktopId.NotFound";
  c.error_message = "The \"desktop\" was not found.";
  c.attempts = 1;
  c.finished_wall_ms = 1714550401000LL;
  c.latency_ms = 5;
  c.into = parts;
  c.ninto = 2;
  o = wr_record_chunk(&c);
  assert_non_null(o);
  into = cJSON_GetObjectItem(o, "into");
  assert_int_equal(cJSON_GetArraySize(into), 2);
  p = cJSON_GetArrayItem(into, 1);
  assert_string_equal(cJSON_GetObjectItem(p, "chunk")->valuestring, "17.2");
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(p, "desktop_ids")),
                   2);
  assert_true(cJSON_IsNull(cJSON_GetObjectItem(p, "client_token")));
  text = cJSON_PrintUnformatted(o);
  /* The message's quotes are escaped, the line stays one JSON object. */
  assert_non_null(strstr(text, "\"error_message\":\"The \\\"desktop\\\" was "
                               "not found.\""));
  assert_null(strchr(text, '\n'));
  cJSON_free(text);
  cJSON_Delete(o);

  /* `into` belongs to split records only. */
  c.status = "failed";
  o = wr_record_chunk(&c);
  assert_non_null(o);
  assert_null(cJSON_GetObjectItem(o, "into"));
  assert_string_equal(cJSON_GetObjectItem(o, "error_code")->valuestring,
                      "InvalidDesktopId.NotFound");
  cJSON_Delete(o);
}

static void test_summary_record(void **state)
{
  struct wr_summary s = {0};
  char *text;
  cJSON *o;

  (void)state;
  s.finished_wall_ms = 1714550400123LL;
  s.ok_chunks = 90;
  s.failed_chunks = 1;
  s.skipped_chunks = 9;
  s.ok_desktops = 1799;
  s.failed_desktops = 1;
  s.skipped_desktops = 180;
  s.exit_code = 3;
  s.stop_reason = "interrupt";
  o = wr_record_summary(&s);
  assert_non_null(o);
  text = cJSON_PrintUnformatted(o);
  assert_string_equal(text,
    "{\"type\":\"summary\",\"finished_at\":\"2024-05-01T08:00:00.123Z\","
    "\"ok_chunks\":90,\"failed_chunks\":1,\"skipped_chunks\":9,"
    "\"ok_desktops\":1799,\"failed_desktops\":1,\"skipped_desktops\":180,"
    "\"exit_code\":3,\"stop_reason\":\"interrupt\"}");
  cJSON_free(text);
  cJSON_Delete(o);

  s.stop_reason = NULL;
  o = wr_record_summary(&s);
  assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "stop_reason")));
  cJSON_Delete(o);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_plan_record),
    cmocka_unit_test(test_rejected_record),
    cmocka_unit_test(test_run_record),
    cmocka_unit_test(test_chunk_record_ok),
    cmocka_unit_test(test_chunk_record_nulls),
    cmocka_unit_test(test_chunk_record_failed_and_split),
    cmocka_unit_test(test_summary_record),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
