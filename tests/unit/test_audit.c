/* audit: counts from the chunk forest, exact CSV, escaping in every
 * format. */
#define _POSIX_C_SOURCE 200809L
#include "audit.h"
#include "html.h"
#include "report_read.h"
#include "audit_fixture.h"

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

/* An interrupted run: chunk 1 ok, chunk 2 split (2.1 failed, 2.2 never
 * finished), chunk 3 skipped, no summary. */
static const char report[] =
    "{\"type\":\"run\",\"report_version\":1,\"run_id\":\"r-<1>\","
    "\"started_at\":\"2026-11-29T20:00:00.000Z\",\"tool_version\":\"0.1.0\","
    "\"api\":\"admin\",\"action\":\"RebootDesktops\",\"endpoint\":"
    "\"http://127.0.0.1:1\",\"rate\":10,\"concurrency\":4,\"chunk_size\":3,"
    "\"inputs\":[\"a|b.csv\"],\"desktops\":6,\"duplicates\":1}\n"
    "{\"type\":\"rejected\",\"source\":\"a|b.csv\",\"line\":7,\"value\":"
    "\"<script>alert('x')</script>\",\"reason\":\"bad | *id*\"}\n"
    "{\"type\":\"plan\",\"chunk\":\"1\",\"wave\":1,\"region\":\"cn-x\","
    "\"desktop_ids\":[\"ecd-a\",\"ecd-b\"],\"client_token\":null}\n"
    "{\"type\":\"plan\",\"chunk\":\"2\",\"wave\":1,\"region\":\"cn-y\","
    "\"desktop_ids\":[\"ecd-c\",\"ecd-d\",\"ecd-e\"],\"client_token\":null}\n"
    "{\"type\":\"plan\",\"chunk\":\"3\",\"wave\":1,\"region\":\"cn-y\","
    "\"desktop_ids\":[\"ecd-f\"],\"client_token\":null}\n"
    "{\"type\":\"chunk\",\"chunk\":\"1\",\"desktop_ids\":[\"ecd-a\",\"ecd-b\"],"
    "\"status\":\"ok\",\"request_id\":\"RID-1\",\"attempts\":1,"
    "\"finished_at\":\"2026-11-29T20:00:01.000Z\"}\n"
    "{\"type\":\"chunk\",\"chunk\":\"2\",\"desktop_ids\":[\"ecd-c\",\"ecd-d\","
    "\"ecd-e\"],\"status\":\"split\",\"request_id\":\"RID-2\",\"error_code\":"
    "\"X.Y\",\"attempts\":1,\"finished_at\":\"2026-11-29T20:00:02.000Z\","
    "\"into\":[{\"chunk\":\"2.1\",\"desktop_ids\":[\"ecd-c\"]},{\"chunk\":"
    "\"2.2\",\"desktop_ids\":[\"ecd-d\",\"ecd-e\"]}]}\n"
    "{\"type\":\"chunk\",\"chunk\":\"2.1\",\"desktop_ids\":[\"ecd-c\"],"
    "\"status\":\"failed\",\"request_id\":\"RID-3\",\"error_code\":\"X.Y\","
    "\"error_message\":\"bad, \\\"quoted\\\"\\nline | <b>\",\"attempts\":3,"
    "\"attempt_request_ids\":[\"RID-3a\",\"RID-3\"],"
    "\"ambiguous_attempts\":1,\"finished_at\":\"2026-11-29T20:00:03.000Z\"}\n"
    "{\"type\":\"chunk\",\"chunk\":\"3\",\"desktop_ids\":[\"ecd-f\"],"
    "\"status\":\"skipped\",\"error_message\":\"deadline\",\"attempts\":0,"
    "\"finished_at\":\"2026-11-29T20:00:04.000Z\"}\n";

static int teardown(void **state)
{
  struct fixture *fx = *state;

  unload(fx);
  free(fx);
  return 0;
}

static int setup(void **state)
{
  struct fixture *fx = calloc(1, sizeof(*fx));

  if (fx == NULL)
    return -1;
  *state = fx;
  /* cmocka runs no teardown after a failed setup. */
  if (load(report, fx) < 0) {
    teardown(state);
    return -1;
  }
  return 0;
}

/* Render a in format f into a string (free it). */
static char *render(const struct wr_audit *a, enum wr_audit_format f)
{
  struct wr_err err = {0};
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);

  assert_non_null(out);
  assert_int_equal(wr_html_audit_write(a, f, out, &err), 0);
  assert_int_equal(fclose(out), 0);
  return text;
}

/* Run an escaper on s into a string (free it). */
static char *esc(void (*fn)(FILE *, const char *), const char *s)
{
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);

  assert_non_null(out);
  fn(out, s);
  assert_int_equal(fclose(out), 0);
  return text;
}

static void test_counts(void **state)
{
  struct fixture *fx = *state;
  const struct wr_audit *a = &fx->a;
  char buf[160];

  assert_int_equal(a->planned, 6);
  assert_int_equal(a->ok, 2);
  assert_int_equal(a->failed, 1);
  assert_int_equal(a->skipped, 1);
  assert_int_equal(a->pending, 2);
  assert_int_equal(a->pending_chunks, 1);
  assert_string_equal(a->pending_sample[0], "2.2");
  assert_int_equal(a->splits, 1);
  assert_int_equal(a->calls, 5);
  assert_int_equal(a->retries, 2);
  assert_int_equal(a->ambiguous, 1);
  assert_int_equal(a->exit_code, -1);
  assert_false(a->complete);
  /* No summary: the run ends with its last record. */
  assert_string_equal(a->finished_at, "2026-11-29T20:00:04.000Z");
  assert_true(a->duration_s > 3.999 && a->duration_s < 4.001);
  assert_true(a->calls_per_s > 1.249 && a->calls_per_s < 1.251);
  assert_int_equal(a->nfailures, 1);
  assert_string_equal(a->failures[0].key, "X.Y");
  assert_int_equal(a->failures[0].desktops, 1);
  assert_string_equal(a->failures[0].sample[0], "ecd-c");
  assert_int_equal(a->nskips, 1);
  assert_string_equal(a->skips[0].key, "deadline");
  assert_null(a->skips[0].message);
  assert_int_equal(a->nregions, 2);
  assert_string_equal(a->regions[0].region, "cn-x");
  assert_int_equal(a->regions[0].ok, 2);
  assert_string_equal(a->regions[1].region, "cn-y");
  assert_int_equal(a->regions[1].pending, 2);
  assert_int_equal(a->nambiguous_chunks, 1);
  assert_string_equal(a->ambiguous_sample[0], "2.1");
  assert_non_null(strstr(wr_audit_outcome(a, buf, sizeof(buf)),
                         "interrupted: no summary record"));
}

static void test_csv_exact(void **state)
{
  struct fixture *fx = *state;
  char *t = render(&fx->a, WR_AUDIT_CSV);

  /* Issue 12 changed this contract on purpose: the original eight
   * columns keep their order and the new ones follow them. */
  assert_string_equal(t,
      "desktop_id,region,chunk,status,request_id,error_code,error_message,"
      "finished_at,wave,attempts,attempt_request_ids,ambiguous_attempts,"
      "confirmed,started_at,verify_status,verified_at\n"
      "ecd-a,cn-x,1,ok,RID-1,,,2026-11-29T20:00:01.000Z,1,1,,0,yes,,,\n"
      "ecd-b,cn-x,1,ok,RID-1,,,2026-11-29T20:00:01.000Z,1,1,,0,yes,,,\n"
      "ecd-c,cn-y,2.1,failed,RID-3,X.Y,\"bad, \"\"quoted\"\"\nline | <b>\","
      "2026-11-29T20:00:03.000Z,1,3,RID-3a;RID-3,1,no,,,\n"
      "ecd-d,cn-y,2.2,pending,,,,,1,0,,0,,,,\n"
      "ecd-e,cn-y,2.2,pending,,,,,1,0,,0,,,,\n"
      "ecd-f,cn-y,3,skipped,,,deadline,2026-11-29T20:00:04.000Z,1,0,,0,,,,\n");
  free(t);
}

static void test_escapers(void **state)
{
  char *t;

  (void)state;
  t = esc(wr_audit_csv_field, "plain value");
  assert_string_equal(t, "plain value");
  free(t);
  t = esc(wr_audit_csv_field, "a,\"b\"\r\nc");
  assert_string_equal(t, "\"a,\"\"b\"\"\r\nc\"");
  free(t);
  t = esc(wr_audit_csv_field, NULL);
  assert_string_equal(t, "");
  free(t);
  t = esc(wr_audit_html_text, "<a href=\"x\">'&'</a>");
  assert_string_equal(t, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a"
                         "&gt;");
  free(t);
  t = esc(wr_audit_md_text, "a|b *c* _d_ `e` [f](g) <h> \\ #1\nx");
  assert_string_equal(t, "a\\|b \\*c\\* \\_d\\_ \\`e\\` \\[f\\](g) \\<h\\> "
                         "\\\\ \\#1 x");
  free(t);
  t = esc(wr_audit_tty_text, "ok\x1b[31mred\x7f");
  assert_string_equal(t, "ok\\x1b[31mred\\x7f");
  free(t);
}

/* Control bytes and CSV formulas (issue 13, item 10). */
static void test_escapers_hostile(void **state)
{
  char *t;

  (void)state;
  t = esc(wr_audit_csv_field, "a\x1b[31mb\x07" "c\x7f");
  assert_string_equal(t, "a\\x1b[31mb\\x07c\\x7f");
  free(t);
  t = esc(wr_audit_csv_field, "=HYPERLINK(\"http://x\")");
  assert_string_equal(t, "\"'=HYPERLINK(\"\"http://x\"\")\"");
  free(t);
  t = esc(wr_audit_csv_field, "+1");
  assert_string_equal(t, "'+1");
  free(t);
  t = esc(wr_audit_csv_field, "-1+2");
  assert_string_equal(t, "'-1+2");
  free(t);
  t = esc(wr_audit_csv_field, "@SUM(A1)");
  assert_string_equal(t, "'@SUM(A1)");
  free(t);
  t = esc(wr_audit_csv_field, "\t=1");
  assert_string_equal(t, "'\\x09=1");
  free(t);
  t = esc(wr_audit_csv_field, "\r=1");
  assert_string_equal(t, "\"'\r=1\"");
  free(t);
  t = esc(wr_audit_csv_field, "a=b-c");
  assert_string_equal(t, "a=b-c");
  free(t);
  t = esc(wr_audit_md_text, "a\x1b[2Jb\x07\tc");
  assert_string_equal(t, "a\\x1b\\[2Jb\\x07 c");
  free(t);
  t = esc(wr_audit_html_text, "a\x1b[2Jb\x07<\n");
  assert_string_equal(t, "a\\x1b[2Jb\\x07&lt;\n");
  free(t);
}

/* A server message with ESC and BEL reaches no audit raw. */
static void test_hostile_message(void **state)
{
  static const char text[] =
      "{\"type\":\"run\",\"report_version\":1,\"run_id\":\"r\","
      "\"started_at\":\"2026-11-29T20:00:00.000Z\",\"tool_version\":\"0.1.0\","
      "\"api\":\"admin\",\"action\":\"RebootDesktops\",\"endpoint\":"
      "\"http://127.0.0.1:1\",\"rate\":10,\"concurrency\":4,\"chunk_size\":3,"
      "\"inputs\":[\"a.csv\"],\"desktops\":1}\n"
      "{\"type\":\"plan\",\"chunk\":\"1\",\"wave\":1,\"region\":\"cn-x\","
      "\"desktop_ids\":[\"ecd-a\"],\"client_token\":null}\n"
      "{\"type\":\"chunk\",\"chunk\":\"1\",\"desktop_ids\":[\"ecd-a\"],"
      "\"status\":\"failed\",\"request_id\":\"R\",\"error_code\":\"@X\","
      "\"error_message\":\"=cmd()\\u001b]0;pwned\\u0007\\u001b[2J\","
      "\"attempts\":1,\"finished_at\":\"2026-11-29T20:00:03.000Z\"}\n";
  static const enum wr_audit_format formats[] = {
    WR_AUDIT_TEXT, WR_AUDIT_MARKDOWN, WR_AUDIT_HTML, WR_AUDIT_CSV,
  };
  struct fixture fx;
  size_t i;
  char *t;

  (void)state;
  memset(&fx, 0, sizeof(fx));
  assert_int_equal(load(text, &fx), 0);
  for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
    print_message("format %d\n", (int)formats[i]);
    t = render(&fx.a, formats[i]);
    assert_null(strchr(t, '\x1b'));
    assert_null(strchr(t, '\x07'));
    assert_non_null(strstr(t, "\\x07\\x1b"));
    free(t);
  }
  t = render(&fx.a, WR_AUDIT_CSV);
  assert_non_null(strstr(t, "ecd-a,cn-x,1,failed,R,'@X,'=cmd()\\x1b]0;pwned"
                            "\\x07\\x1b[2J,2026"));
  free(t);
  unload(&fx);
}

static void test_text(void **state)
{
  struct fixture *fx = *state;
  char *t = render(&fx->a, WR_AUDIT_TEXT);

  assert_non_null(strstr(t, "Run r-<1> ("));
  assert_non_null(strstr(t, "interrupted: no summary record"));
  assert_non_null(strstr(t, "  ok           2\n"));
  assert_non_null(strstr(t, "  pending      2 (no final record"));
  assert_non_null(strstr(t, "X.Y: 1 desktop in 1 chunk: ecd-c\n"));
  /* The message's newline must not break the layout. */
  assert_non_null(strstr(t, "bad, \"quoted\"\\x0aline | <b>"));
  assert_non_null(strstr(t, "Pending: 2 desktops in 1 chunk: 2.2\n"));
  assert_non_null(strstr(t, "5 RebootDesktops calls, 2 retries, 1 "
                            "ambiguous, 1 split\n"));
  assert_non_null(strstr(t, "ambiguous in 1 chunk (may have been sent "
                            "twice): 2.1\n"));
  assert_non_null(strstr(t, "  cn-y: 0 ok, 1 failed, 1 skipped, 2 "
                            "pending\n"));
  free(t);
}

static void test_markdown(void **state)
{
  struct fixture *fx = *state;
  char *t = render(&fx->a, WR_AUDIT_MARKDOWN);

  assert_non_null(strstr(t, "# Reboot audit: run r-\\<1\\>\n"));
  assert_non_null(strstr(t, "| Inputs | a\\|b.csv |"));
  assert_non_null(strstr(t, "| 2.1 | cn-y | failed | 1 | RID-3 | X.Y |"));
  assert_non_null(strstr(t, "| 2.2 | cn-y | pending | 2 |"));
  assert_non_null(strstr(t, "bad, \"quoted\" line \\| \\<b\\>"));
  assert_non_null(strstr(t, "| a\\|b.csv | 7 | \\<script\\>alert('x')\\</"
                            "script\\> | bad \\| \\*id\\* |"));
  assert_null(strstr(t, "<script>"));
  free(t);
}

static void test_html(void **state)
{
  struct fixture *fx = *state;
  char *t = render(&fx->a, WR_AUDIT_HTML);

  assert_true(strncmp(t, "<!DOCTYPE html>", 15) == 0);
  assert_non_null(strstr(t, "<title>Reboot audit: run r-&lt;1&gt;</title>"));
  assert_null(strstr(t, "<script>"));
  assert_non_null(strstr(t, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script"
                            "&gt;"));
  assert_non_null(strstr(t, "line | &lt;b&gt;"));
  assert_non_null(strstr(t, "<td class=\"pending\">pending</td>"));
  /* the Outcome's command as code, never as literal Markdown */
  assert_non_null(strstr(t, "can be resumed (<code>resume</code> re-sends"));
  assert_null(strchr(t, '`'));
  assert_non_null(strstr(t, "@media print{"));
  assert_non_null(strstr(t, "</html>\n"));
  free(t);
}

static void test_json(void **state)
{
  struct fixture *fx = *state;
  char *t = render(&fx->a, WR_AUDIT_JSON);
  cJSON *o = cJSON_Parse(t), *d, *p;

  assert_non_null(o);
  assert_string_equal(cJSON_GetObjectItem(o, "run_id")->valuestring, "r-<1>");
  assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "exit_code")));
  assert_true(cJSON_IsFalse(cJSON_GetObjectItem(o, "has_summary")));
  d = cJSON_GetObjectItem(o, "desktops");
  assert_int_equal(cJSON_GetObjectItem(d, "pending")->valueint, 2);
  assert_int_equal(cJSON_GetObjectItem(d, "rejected")->valueint, 1);
  assert_int_equal(cJSON_GetObjectItem(d, "duplicates")->valueint, 1);
  p = cJSON_GetObjectItem(o, "pending_chunks");
  assert_int_equal(cJSON_GetArraySize(p), 1);
  assert_string_equal(cJSON_GetArrayItem(p, 0)->valuestring, "2.2");
  p = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "failures"), 0);
  assert_string_equal(cJSON_GetObjectItem(p, "error_message")->valuestring,
                      "bad, \"quoted\"\nline | <b>");
  assert_int_equal(cJSON_GetObjectItem(o, "calls")->valueint, 5);
  assert_true(cJSON_GetObjectItem(o, "calls_per_s")->valuedouble == 1.25);
  p = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "regions"), 1);
  assert_string_equal(cJSON_GetObjectItem(p, "region")->valuestring, "cn-y");
  assert_int_equal(cJSON_GetObjectItem(p, "skipped")->valueint, 1);
  p = cJSON_GetObjectItem(o, "ambiguous_chunks");
  assert_int_equal(cJSON_GetArraySize(p), 1);
  assert_string_equal(cJSON_GetArrayItem(p, 0)->valuestring, "2.1");
  cJSON_Delete(o);
  free(t);
}

static void test_durations(void **state)
{
  char b[64];

  (void)state;
  assert_string_equal(wr_audit_duration(-1, b, sizeof(b)), "unknown");
  assert_string_equal(wr_audit_duration(4.25, b, sizeof(b)), "4.2s");
  assert_string_equal(wr_audit_duration(366.3, b, sizeof(b)), "6m 6.3s");
  assert_string_equal(wr_audit_duration(7384, b, sizeof(b)), "2h 3m 4s");
  /* Times from a damaged report: no overflow. */
  assert_string_equal(wr_audit_duration(6.39344e10, b, sizeof(b)),
                      "17759555h 33m 20s");
  assert_string_equal(wr_audit_duration(1e300, b, sizeof(b)), "1e+300s");
  assert_string_equal(wr_audit_rate(0, b, sizeof(b)), "no limit");
  assert_string_equal(wr_audit_rate(2.5, b, sizeof(b)), "2.5/s");
}

static void test_format_names(void **state)
{
  enum wr_audit_format f;

  (void)state;
  assert_int_equal(wr_audit_format_parse("markdown", &f), 0);
  assert_int_equal(f, WR_AUDIT_MARKDOWN);
  assert_int_equal(wr_audit_format_parse("html", &f), 0);
  assert_int_equal(f, WR_AUDIT_HTML);
  assert_int_equal(wr_audit_format_parse("pdf", &f), WR_EINVAL);
}

static void test_write_error(void **state)
{
  struct fixture *fx = *state;
  struct wr_err err = {0};
  FILE *full = fopen("/dev/full", "w");

  if (full == NULL)
    skip();
  assert_int_equal(wr_html_audit_write(&fx->a, WR_AUDIT_CSV, full, &err),
                   WR_EIO);
  fclose(full);
}

/* Every chunk ok, but --verify found a desktop not Running: exit 1. */
static void test_outcomes(void **state)
{
  static const char verified[] =
      "{\"type\":\"run\",\"report_version\":1,\"run_id\":\"v\"}\n"
      "{\"type\":\"plan\",\"chunk\":\"1\",\"region\":\"cn-x\","
      "\"desktop_ids\":[\"ecd-a\",\"ecd-b\"]}\n"
      "{\"type\":\"chunk\",\"chunk\":\"1\",\"desktop_ids\":[\"ecd-a\","
      "\"ecd-b\"],\"status\":\"ok\",\"attempts\":1}\n"
      "{\"type\":\"verify\",\"wave\":1,\"desktops\":2,\"running\":1,"
      "\"timed_out\":true,\"not_running\":[\"ecd-b\"]}\n"
      "{\"type\":\"summary\",\"ok_desktops\":2,\"exit_code\":1}\n";
  struct fixture fx;
  char buf[160], *t;

  (void)state;
  memset(&fx, 0, sizeof(fx));
  assert_int_equal(load(verified, &fx), 0);
  assert_int_equal(fx.a.not_running, 1);
  assert_true(fx.a.complete);
  assert_string_equal(wr_audit_outcome(&fx.a, buf, sizeof(buf)),
                      "complete, but 1 desktop not Running again in time");
  t = render(&fx.a, WR_AUDIT_TEXT);
  assert_non_null(strstr(t, "  not Running  1 after the reboot"));
  assert_non_null(strstr(t, "wave 1: 1 of 2 Running (timed out)"));
  assert_non_null(strstr(t, "not Running: ecd-b\n"));
  free(t);
  unload(&fx);
}

/* The probe's case: a plan cut short (2 of 3 chunks recorded), whose
 * recorded chunks an older resume then finished with a summary.  The
 * missing chunk was never sent: "plan incomplete", never complete, and
 * not resumable. */
static void test_plan_incomplete(void **state)
{
  static const char cut[] =
      "{\"type\":\"run\",\"report_version\":1,\"run_id\":\"p\",\"chunks\":3,"
      "\"desktops\":4}\n"
      "{\"type\":\"plan\",\"chunk\":\"1\",\"region\":\"cn-x\","
      "\"desktop_ids\":[\"ecd-a\",\"ecd-b\"]}\n"
      "{\"type\":\"plan\",\"chunk\":\"2\",\"region\":\"cn-x\","
      "\"desktop_ids\":[\"ecd-c\"]}\n"
      "{\"type\":\"resume\",\"started_at\":\"2026-11-29T20:00:00.000Z\"}\n"
      "{\"type\":\"chunk\",\"chunk\":\"1\",\"desktop_ids\":[\"ecd-a\","
      "\"ecd-b\"],\"status\":\"ok\",\"attempts\":1}\n"
      "{\"type\":\"chunk\",\"chunk\":\"2\",\"desktop_ids\":[\"ecd-c\"],"
      "\"status\":\"ok\",\"attempts\":1}\n"
      "{\"type\":\"summary\",\"ok_desktops\":3,\"exit_code\":0}\n";
  struct fixture fx;
  char buf[160], *t;

  (void)state;
  memset(&fx, 0, sizeof(fx));
  assert_int_equal(load(cut, &fx), 0);
  assert_false(fx.a.complete);
  assert_string_equal(wr_audit_outcome(&fx.a, buf, sizeof(buf)),
                      "plan incomplete: 2 of 3 chunks recorded (the run "
                      "stopped while writing its plan); not resumable: start "
                      "a new run from its inputs");
  t = render(&fx.a, WR_AUDIT_JSON);
  {
    cJSON *o = cJSON_Parse(t);

    assert_non_null(o);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(o, "complete")));
    assert_non_null(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(o,
                                                "outcome")),
                           "plan incomplete"));
    cJSON_Delete(o);
  }
  free(t);
  t = render(&fx.a, WR_AUDIT_TEXT);
  assert_non_null(strstr(t, "plan incomplete"));
  assert_null(strstr(t, "can be resumed"));
  free(t);
  unload(&fx);
}

/* A failed chunk whose retry the stop cut: failed, and apart as retry
 * pending in every format; CSV keeps "failed"; the run can be resumed. */
static void test_retry_pending(void **state)
{
  static const char cut[] =
      "{\"type\":\"run\",\"report_version\":1,\"run_id\":\"p\"}\n"
      "{\"type\":\"plan\",\"chunk\":\"1\",\"region\":\"cn-x\","
      "\"desktop_ids\":[\"ecd-a\",\"ecd-b\"]}\n"
      "{\"type\":\"plan\",\"chunk\":\"2\",\"region\":\"cn-x\","
      "\"desktop_ids\":[\"ecd-c\"]}\n"
      "{\"type\":\"plan\",\"chunk\":\"3\",\"region\":\"cn-x\","
      "\"desktop_ids\":[\"ecd-d\"]}\n"
      "{\"type\":\"chunk\",\"chunk\":\"1\",\"desktop_ids\":[\"ecd-a\","
      "\"ecd-b\"],\"status\":\"failed\",\"error_code\":\"Throttling\","
      "\"error_message\":\"slow (not retried: the run stopped)\","
      "\"attempts\":1,\"retry_pending\":true}\n"
      "{\"type\":\"chunk\",\"chunk\":\"2\",\"desktop_ids\":[\"ecd-c\"],"
      "\"status\":\"failed\",\"error_code\":\"Forbidden\",\"attempts\":1}\n"
      "{\"type\":\"chunk\",\"chunk\":\"3\",\"desktop_ids\":[\"ecd-d\"],"
      "\"status\":\"ok\",\"attempts\":1}\n"
      "{\"type\":\"summary\",\"ok_desktops\":1,\"failed_desktops\":3,"
      "\"exit_code\":3,\"stop_reason\":\"interrupt\"}\n";
  struct fixture fx;
  char buf[160], *t;
  cJSON *j;

  (void)state;
  memset(&fx, 0, sizeof(fx));
  assert_int_equal(load(cut, &fx), 0);
  assert_int_equal(fx.a.failed, 3);
  assert_int_equal(fx.a.retry_pending, 2);
  assert_int_equal(fx.a.retry_pending_chunks, 1);
  assert_string_equal(fx.a.retry_pending_sample[0], "1");
  assert_false(fx.a.complete);
  assert_false(fx.a.summary_differs);
  assert_string_equal(wr_audit_outcome(&fx.a, buf, sizeof(buf)),
                      "stopped early (interrupt); can be resumed (`resume` "
                      "re-sends 2 desktops)");
  t = render(&fx.a, WR_AUDIT_TEXT);
  assert_non_null(strstr(t, "  failed       3 (2 retry pending: `resume` "
                            "re-sends them)\n"));
  assert_non_null(strstr(t, "Failed with a retry pending (`resume` re-sends "
                            "them): 2 desktops in 1 chunk"));
  free(t);
  t = render(&fx.a, WR_AUDIT_MARKDOWN);
  assert_non_null(strstr(t, "| failed, retry pending: `resume` re-sends "
                            "| 2 |"));
  assert_non_null(strstr(t, "| 1 | cn-x | failed, retry pending"));
  assert_null(strstr(t, "| 2 | cn-x | failed, retry"));
  free(t);
  t = render(&fx.a, WR_AUDIT_HTML);
  /* issue 12: a page shows the command as code, not literal Markdown */
  assert_non_null(strstr(t, "failed, retry pending: <code>resume</code> "
                            "re-sends</td>"));
  assert_null(strchr(t, '`'));
  free(t);
  t = render(&fx.a, WR_AUDIT_CSV);
  assert_non_null(strstr(t, "ecd-a,cn-x,1,failed,"));
  assert_null(strstr(t, "retry"));
  free(t);
  t = render(&fx.a, WR_AUDIT_JSON);
  j = cJSON_Parse(t);
  assert_non_null(j);
  assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "desktops"),
                                       "retry_pending")->valueint, 2);
  assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "chunks"),
                                       "retry_pending")->valueint, 1);
  assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(
                          j, "retry_pending_chunks"), 0)->valuestring, "1");
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(
                       j, "retry_pending_chunks")), 1);
  cJSON_Delete(j);
  free(t);
  unload(&fx);
}

/* Issue 12: a run with waves, verification, a failure and a resume that
 * overrides --rate; every format must tell the same key facts. */
#define SHA "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
static const char story_report[] =
    "{\"type\":\"run\",\"report_version\":1,\"run_id\":\"r-story\","
    "\"started_at\":\"2026-12-01T10:00:00.000Z\",\"tool_version\":\"0.1.0\","
    "\"api\":\"admin\",\"action\":\"RebootDesktops\",\"endpoint\":\"e\","
    "\"rate\":10,\"concurrency\":4,\"chunk_size\":2,\"inputs\":[\"f.csv\"],"
    "\"input_files\":[{\"path\":\"f.csv\",\"bytes\":120,\"rows\":5,"
    "\"sha256\":\"" SHA "\"}],\"desktops\":5,\"chunks\":4,\"waves\":3,"
    "\"options\":{\"canary\":1,\"wave-size\":2,\"verify\":true,"
    "\"verify-timeout\":\"60s\",\"max-errors\":3,\"deadline\":null,"
    "\"rate\":10}}\n"
    "{\"type\":\"plan\",\"chunk\":\"1\",\"wave\":0,\"region\":\"cn-x\","
    "\"desktop_ids\":[\"ecd-a\"],\"client_token\":null}\n"
    "{\"type\":\"plan\",\"chunk\":\"2\",\"wave\":1,\"region\":\"cn-x\","
    "\"desktop_ids\":[\"ecd-b\",\"ecd-c\"],\"client_token\":null}\n"
    "{\"type\":\"plan\",\"chunk\":\"3\",\"wave\":2,\"region\":\"cn-x\","
    "\"desktop_ids\":[\"ecd-d\"],\"client_token\":null}\n"
    "{\"type\":\"plan\",\"chunk\":\"4\",\"wave\":2,\"region\":\"cn-x\","
    "\"desktop_ids\":[\"ecd-e\"],\"client_token\":null}\n"
    "{\"type\":\"session\",\"session\":0,\"kind\":\"run\",\"started_at\":"
    "\"2026-12-01T10:00:00.000Z\",\"tool_version\":\"0.1.0\",\"user\":"
    "\"alice\",\"host\":\"ops-1\",\"pid\":42,\"credentials\":{\"source\":"
    "\"profile prod\",\"access_key_id_masked\":\"LTAI***abcd\"},"
    "\"inputs\":[],\"options\":{\"canary\":1,\"rate\":10,\"verify\":true},"
    "\"option_origins\":{\"canary\":\"command line\",\"rate\":\"job file\","
    "\"verify\":\"command line\"}}\n"
    "{\"type\":\"chunk\",\"chunk\":\"1\",\"desktop_ids\":[\"ecd-a\"],"
    "\"status\":\"ok\",\"request_id\":\"R1\",\"attempts\":1,\"started_at\":"
    "\"2026-12-01T10:00:01.000Z\",\"finished_at\":\"2026-12-01T10:00:02.000Z\"}\n"
    "{\"type\":\"wave\",\"wave\":0,\"canary\":true,\"ok_desktops\":1,"
    "\"failed_desktops\":0,\"finished_at\":\"2026-12-01T10:00:02.000Z\"}\n"
    "{\"type\":\"verify\",\"wave\":0,\"desktops\":1,\"running\":1,"
    "\"calls\":1,\"errors\":0,\"not_running\":[],\"finished_at\":"
    "\"2026-12-01T10:00:05.000Z\"}\n"
    "{\"type\":\"chunk\",\"chunk\":\"2\",\"desktop_ids\":[\"ecd-b\",\"ecd-c\"],"
    "\"status\":\"ok\",\"request_id\":\"R2\",\"attempts\":2,"
    "\"ambiguous_attempts\":1,\"attempt_request_ids\":[\"R2a\",\"R2\"],"
    "\"finished_at\":\"2026-12-01T10:00:06.000Z\"}\n"
    "{\"type\":\"wave\",\"wave\":1,\"canary\":false,\"ok_desktops\":2,"
    "\"failed_desktops\":0,\"finished_at\":\"2026-12-01T10:00:06.000Z\"}\n"
    "{\"type\":\"verify\",\"wave\":1,\"desktops\":2,\"running\":1,"
    "\"timed_out\":true,\"calls\":3,\"errors\":0,\"not_running\":[\"ecd-c\"],"
    "\"finished_at\":\"2026-12-01T10:00:09.000Z\"}\n"
    "{\"type\":\"summary\",\"finished_at\":\"2026-12-01T10:00:10.000Z\","
    "\"ok_desktops\":3,\"exit_code\":4,\"stop_reason\":\"interrupt\"}\n"
    "{\"type\":\"resume\",\"started_at\":\"2026-12-01T12:00:00.000Z\"}\n"
    "{\"type\":\"session\",\"session\":1,\"kind\":\"resume\",\"started_at\":"
    "\"2026-12-01T12:00:00.000Z\",\"user\":\"bob\",\"host\":\"ops-2\","
    "\"pid\":43,\"options\":{\"canary\":1,\"rate\":2,\"verify\":true},"
    "\"option_origins\":{\"canary\":\"run\",\"rate\":\"resume override\","
    "\"verify\":\"run\"}}\n"
    "{\"type\":\"chunk\",\"chunk\":\"3\",\"desktop_ids\":[\"ecd-d\"],"
    "\"status\":\"failed\",\"request_id\":\"R3\",\"http_status\":400,"
    "\"error_code\":\"Bad.Code\",\"attempts\":1,"
    "\"finished_at\":\"2026-12-01T12:00:01.000Z\"}\n"
    "{\"type\":\"chunk\",\"chunk\":\"4\",\"desktop_ids\":[\"ecd-e\"],"
    "\"status\":\"ok\",\"request_id\":\"R4\",\"attempts\":1,"
    "\"finished_at\":\"2026-12-01T12:00:02.000Z\"}\n"
    "{\"type\":\"summary\",\"finished_at\":\"2026-12-01T12:00:04.000Z\","
    "\"ok_desktops\":4,\"failed_desktops\":1,\"exit_code\":4,"
    "\"stop_reason\":\"interrupt\"}\n";

static void has(const char *t, const char *what, const char *fmt)
{
  if (strstr(t, what) == NULL)
    fail_msg("%s: \"%s\" missing", fmt, what);
}

static void test_story_every_format(void **state)
{
  struct fixture fx = {0};
  static const char *const fmts[] = {"text", "markdown", "html"};
  /* per format: the not-verified count, the wave count */
  static const char *const nv[] = {"Not verified: 1",
                                   "| Not verified | 1 |",
                                   "<th>Not verified</th><td>1</td>"};
  static const char *const wv[] = {"wave 1: 2 ok, 0 failed",
                                   "| Waves finished | 2 |",
                                   "<th>Waves finished</th><td>2</td>"};
  enum wr_audit_format f;
  cJSON *j, *v;
  size_t i;
  char *t;

  (void)state;
  assert_int_equal(load(story_report, &fx), 0);
  assert_int_equal(fx.a.ok, 4);
  assert_int_equal(fx.a.failed, 1);
  assert_int_equal(fx.a.not_verified, 1);
  assert_int_equal(fx.a.nsessions, 2);
  if (fx.a.sessions == NULL) {   /* (the analyzer cannot see that the */
    fail_msg("no sessions");    /* assert above ends the test) */
    return;
  }
  /* per session, never across the two hours between them */
  assert_true(fx.a.sessions[0].duration_s == 10.0);
  assert_true(fx.a.sessions[1].duration_s == 4.0);
  assert_true(fx.a.duration_s == 14.0);
  assert_true(fx.a.sessions[1].rate_limit == 2.0);
  for (i = 0; i < 3; i++) {
    assert_int_equal(wr_audit_format_parse(fmts[i], &f), 0);
    t = render(&fx.a, f);
    has(t, "alice", fmts[i]);
    has(t, "bob", fmts[i]);
    has(t, "profile prod", fmts[i]);
    has(t, SHA, fmts[i]);
    has(t, "ecd-d", fmts[i]);
    has(t, "Bad.Code", fmts[i]);
    has(t, nv[i], fmts[i]);
    has(t, wv[i], fmts[i]);
    has(t, "--rate 2", fmts[i]);            /* the resume's override */
    has(t, "10.0s, 3 calls, 0.30 calls/s", fmts[i]); /* the run's session */
    has(t, "Chunk 2", fmts[i]);             /* its ambiguous attempt */
    has(t, "verify-timeout", fmts[i]);
    free(t);
  }
  /* json: the same facts, structured */
  t = render(&fx.a, WR_AUDIT_JSON);
  j = cJSON_Parse(t);
  assert_non_null(j);
  v = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "desktops"), "failed");
  assert_true(cJSON_IsNumber(v) && v->valuedouble == 1);
  v = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "failed_desktops"), 0);
  assert_string_equal(cJSON_GetObjectItem(v, "desktop_id")->valuestring,
                      "ecd-d");
  assert_string_equal(cJSON_GetObjectItem(v, "error_code")->valuestring,
                      "Bad.Code");
  v = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "sessions"), 0);
  assert_string_equal(cJSON_GetObjectItem(v, "user")->valuestring, "alice");
  v = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "input_files"), 0);
  assert_string_equal(cJSON_GetObjectItem(v, "sha256")->valuestring, SHA);
  assert_true(cJSON_GetObjectItem(j, "waves_finished")->valuedouble == 2);
  v = cJSON_GetObjectItem(j, "verification");
  assert_true(cJSON_GetObjectItem(v, "not_verified")->valuedouble == 1);
  v = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "safety"), "canary");
  assert_string_equal(cJSON_GetObjectItem(v, "origin")->valuestring, "run");
  cJSON_Delete(j);
  free(t);
  /* csv, per desktop: the counts, the failed desktop and its code, the
   * waves, the one ok desktop never verified (who and the inputs are
   * run facts, not desktop facts: the other formats carry them) */
  t = render(&fx.a, WR_AUDIT_CSV);
  has(t, "\necd-d,cn-x,3,failed,R3,Bad.Code,,2026-12-01T12:00:01.000Z,2,1,,"
         "0,yes,,,\n", "csv");
  has(t, "\necd-c,cn-x,2,ok,R2,,,2026-12-01T10:00:06.000Z,1,2,R2a;R2,1,yes,"
         ",not Running,2026-12-01T10:00:09.000Z\n", "csv");
  has(t, "\necd-e,cn-x,4,ok,R4,,,2026-12-01T12:00:02.000Z,2,1,,0,yes,,"
         "not verified,\n", "csv");
  has(t, "\necd-a,cn-x,1,ok,R1,,,2026-12-01T10:00:02.000Z,0,1,,0,yes,"
         "2026-12-01T10:00:01.000Z,Running,2026-12-01T10:00:05.000Z\n", "csv");
  free(t);
  unload(&fx);
}

/* resume --retry-failed and the newer verify records: chunk 2 failed in
 * the run, its retry 2.r1 was ok in the resume; chunk 1's check was cut
 * by the interrupt (ecd-b never judged), and the resume's check of what
 * was left found ecd-b Running.  Every count takes the newest word. */
static const char retry_report[] =
    "{\"type\":\"run\",\"report_version\":1,\"run_id\":\"r\",\"options\":"
    "{\"verify\":true}}\n"
    "{\"type\":\"plan\",\"chunk\":\"1\",\"wave\":1,\"region\":\"cn-x\","
    "\"desktop_ids\":[\"ecd-a\",\"ecd-b\"]}\n"
    "{\"type\":\"plan\",\"chunk\":\"2\",\"wave\":1,\"region\":\"cn-x\","
    "\"desktop_ids\":[\"ecd-c\",\"ecd-d\"]}\n"
    "{\"type\":\"chunk\",\"chunk\":\"1\",\"desktop_ids\":[\"ecd-a\","
    "\"ecd-b\"],\"status\":\"ok\",\"attempts\":1}\n"
    "{\"type\":\"chunk\",\"chunk\":\"2\",\"desktop_ids\":[\"ecd-c\","
    "\"ecd-d\"],\"status\":\"failed\",\"error_code\":\"InternalError\","
    "\"attempts\":1,\"ambiguous_attempts\":1}\n"
    "{\"type\":\"verify\",\"wave\":1,\"desktops\":2,\"running\":1,"
    "\"timed_out\":false,\"not_running\":[],\"not_verified\":[\"ecd-b\"],"
    "\"interrupted\":\"interrupt\",\"desktop_ids\":[\"ecd-a\",\"ecd-b\"],"
    "\"finished_at\":\"2026-12-01T10:00:05.000Z\"}\n"
    "{\"type\":\"wave\",\"wave\":1,\"ok_desktops\":2,\"failed_desktops\":2,"
    "\"finished_at\":\"2026-12-01T10:00:04.000Z\"}\n"
    "{\"type\":\"summary\",\"ok_desktops\":2,\"failed_desktops\":2,"
    "\"exit_code\":3,\"stop_reason\":\"interrupt\"}\n"
    "{\"type\":\"resume\",\"started_at\":\"2026-12-01T11:00:00.000Z\"}\n"
    "{\"type\":\"retry\",\"chunk\":\"2.r1\",\"retry_of\":\"2\",\"wave\":1,"
    "\"region\":\"cn-x\",\"desktop_ids\":[\"ecd-c\",\"ecd-d\"],"
    "\"client_token\":null}\n"
    "{\"type\":\"verify\",\"wave\":1,\"desktops\":1,\"running\":1,"
    "\"timed_out\":false,\"not_running\":[],\"earlier_sessions\":true,"
    "\"desktop_ids\":[\"ecd-b\"],\"finished_at\":"
    "\"2026-12-01T11:00:02.000Z\"}\n"
    "{\"type\":\"chunk\",\"chunk\":\"2.r1\",\"desktop_ids\":[\"ecd-c\","
    "\"ecd-d\"],\"status\":\"ok\",\"attempts\":1}\n"
    "{\"type\":\"verify\",\"wave\":1,\"desktops\":2,\"running\":1,"
    "\"timed_out\":true,\"not_running\":[\"ecd-d\"],"
    "\"desktop_ids\":[\"ecd-c\",\"ecd-d\"],\"finished_at\":"
    "\"2026-12-01T11:00:09.000Z\"}\n"
    "{\"type\":\"wave\",\"wave\":1,\"ok_desktops\":2,\"failed_desktops\":0,"
    "\"finished_at\":\"2026-12-01T11:00:08.000Z\"}\n"
    "{\"type\":\"summary\",\"ok_desktops\":4,\"exit_code\":1}\n";

static void test_retry_and_verify(void **state)
{
  struct fixture fx = {0};
  const char *at;
  cJSON *j, *v;
  char *t;

  (void)state;
  assert_int_equal(load(retry_report, &fx), 0);
  assert_int_equal(fx.a.retried_chunks, 1);
  /* the newest attempt: 4 ok, none failed; the failure is history */
  assert_int_equal(fx.a.ok, 4);
  assert_int_equal(fx.a.failed, 0);
  assert_int_equal(fx.a.nfailures, 0);
  assert_int_equal(fx.a.retried, 2);
  assert_int_equal(fx.a.retried_ok, 2);
  assert_int_equal(fx.a.calls, 3);
  /* one wave, finished by both sessions: its four desktops by their final
   * leaf (each wave record counts only its own session's), the last end */
  assert_int_equal(fx.a.nwaves, 1);
  if (fx.a.waves == NULL)
    return; /* the assert above ends the test: the analyzer cannot see it */
  assert_int_equal(fx.a.waves[0].ok, 4);
  assert_int_equal(fx.a.waves[0].failed, 0);
  assert_string_equal(fx.a.waves[0].finished_at, "2026-12-01T11:00:08.000Z");
  /* verified: a, b (by the resume), c Running; d not Running */
  assert_int_equal(fx.a.v_running, 3);
  assert_int_equal(fx.a.not_running, 1);
  assert_int_equal(fx.a.not_verified, 0);
  assert_int_equal(wr_audit_verify_of(&fx.a, "ecd-b", &at),
                   WR_AUDIT_V_RUNNING);
  assert_string_equal(at, "2026-12-01T11:00:02.000Z");
  t = render(&fx.a, WR_AUDIT_CSV);
  has(t, "\necd-c,cn-x,2.r1,ok,", "csv");
  has(t, ",Running,2026-12-01T11:00:02.000Z\n", "csv");
  has(t, ",not Running,2026-12-01T11:00:09.000Z\n", "csv");
  free(t);
  t = render(&fx.a, WR_AUDIT_TEXT);
  has(t, "  not verified 0 of the ok", "text");
  has(t, "Chunk 2.r1: retry of 2 (failed InternalError), 2 desktops: ok",
      "text");
  has(t, "wave 1: 1 of 2 Running, 1 not verified (cut short: interrupt)",
      "text");
  has(t, "wave 1 (left by an earlier session): 1 of 1 Running", "text");
  has(t, "  wave 1: 4 ok, 0 failed, ended 2026-12-01T11:00:08.000Z\n", "text");
  assert_null(strstr(t, "2 ok, 2 failed"));
  /* an ambiguous failure that a retry then rebooted says so */
  has(t, "Chunk 2: 1 ambiguous of 1 attempts; failed InternalError, then "
      "retried as chunk 2.r1: ok", "text");
  assert_null(strstr(t, "Failed desktops, by error code"));
  free(t);
  t = render(&fx.a, WR_AUDIT_JSON);
  j = cJSON_Parse(t);
  assert_non_null(j);
  v = cJSON_GetObjectItem(j, "retried");
  assert_true(cJSON_GetObjectItem(v, "now_ok")->valuedouble == 2);
  v = cJSON_GetArrayItem(cJSON_GetObjectItem(v, "links"), 0);
  assert_string_equal(cJSON_GetObjectItem(v, "retry_of")->valuestring, "2");
  v = cJSON_GetObjectItem(j, "verification");
  assert_true(cJSON_GetObjectItem(v, "running")->valuedouble == 3);
  assert_true(cJSON_GetObjectItem(v, "not_running")->valuedouble == 1);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "failures")), 0);
  cJSON_Delete(j);
  free(t);
  unload(&fx);
}

/* A retry record must follow a resume record, retry a failed chunk, with
 * its desktops, once. */
static void test_retry_refused(void **state)
{
  static const char head[] =
      "{\"type\":\"run\",\"report_version\":1,\"run_id\":\"r\"}\n"
      "{\"type\":\"plan\",\"chunk\":\"1\",\"region\":\"cn-x\","
      "\"desktop_ids\":[\"ecd-a\"]}\n"
      "{\"type\":\"plan\",\"chunk\":\"2\",\"region\":\"cn-x\","
      "\"desktop_ids\":[\"ecd-b\"]}\n"
      "{\"type\":\"chunk\",\"chunk\":\"1\",\"desktop_ids\":[\"ecd-a\"],"
      "\"status\":\"failed\",\"attempts\":1}\n"
      "{\"type\":\"chunk\",\"chunk\":\"2\",\"desktop_ids\":[\"ecd-b\"],"
      "\"status\":\"ok\",\"attempts\":1}\n";
  static const char *const tails[] = {
      /* before any resume */
      "{\"type\":\"retry\",\"chunk\":\"1.r1\",\"retry_of\":\"1\","
      "\"desktop_ids\":[\"ecd-a\"]}\n",
      /* of an ok chunk */
      "{\"type\":\"resume\"}\n{\"type\":\"retry\",\"chunk\":\"2.r1\","
      "\"retry_of\":\"2\",\"desktop_ids\":[\"ecd-b\"]}\n",
      /* other desktops */
      "{\"type\":\"resume\"}\n{\"type\":\"retry\",\"chunk\":\"1.r1\","
      "\"retry_of\":\"1\",\"desktop_ids\":[\"ecd-b\"]}\n",
      /* twice */
      "{\"type\":\"resume\"}\n{\"type\":\"retry\",\"chunk\":\"1.r1\","
      "\"retry_of\":\"1\",\"desktop_ids\":[\"ecd-a\"]}\n"
      "{\"type\":\"retry\",\"chunk\":\"1.r2\",\"retry_of\":\"1\","
      "\"desktop_ids\":[\"ecd-a\"]}\n",
  };
  char buf[2048];
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
    struct fixture fx = {0};

    snprintf(buf, sizeof(buf), "%s%s", head, tails[i]);
    if (load(buf, &fx) == 0)
      fail_msg("tail %zu was accepted", i);
    unload(&fx);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_counts),
    cmocka_unit_test(test_csv_exact),
    cmocka_unit_test(test_escapers),
    cmocka_unit_test(test_escapers_hostile),
    cmocka_unit_test(test_hostile_message),
    cmocka_unit_test(test_text),
    cmocka_unit_test(test_markdown),
    cmocka_unit_test(test_html),
    cmocka_unit_test(test_json),
    cmocka_unit_test(test_durations),
    cmocka_unit_test(test_format_names),
    cmocka_unit_test(test_write_error),
    cmocka_unit_test(test_outcomes),
    cmocka_unit_test(test_plan_incomplete),
    cmocka_unit_test(test_retry_pending),
    cmocka_unit_test(test_story_every_format),
    cmocka_unit_test(test_retry_and_verify),
    cmocka_unit_test(test_retry_refused),
  };

  return cmocka_run_group_tests(tests, setup, teardown);
}
