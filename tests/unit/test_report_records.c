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

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_plan_record),
    cmocka_unit_test(test_rejected_record),
    cmocka_unit_test(test_run_record),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
