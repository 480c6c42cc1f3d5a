/* The HTML page (src/html): the timeline's bins and lanes (when each
 * attempt is placed, its outcome, sessions side by side without the gap
 * between them) and the page's order and folding.  The browser test
 * (tests/integration/test_report_html_browser.sh) looks at it rendered. */
#include "audit.h"
#include "html.h"
#include "report_read.h"
#include "audit_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUN(t, rate)                                                          \
  "{\"type\":\"run\",\"report_version\":1,\"run_id\":\"r1\",\"started_at\":" \
  "\"" t "\",\"tool_version\":\"0.1.0\",\"api\":\"admin\",\"action\":"      \
  "\"RebootDesktops\",\"endpoint\":\"e\",\"rate\":" rate ","                 \
  "\"concurrency\":4,\"chunk_size\":2,\"inputs\":[\"f.csv\"],"                \
  "\"options\":{\"rate\":" rate "}}\n"

/* Two sessions two hours apart: the run (rate 10) with an ok chunk, a
 * chunk ok at its second attempt and one that ran out of retries on
 * throttling (3 attempts over 4 s, the last 1 s long); the resume
 * (rate 2) with a failed chunk and a skipped one. */
static const char two_sessions[] =
    RUN("2026-12-01T10:00:00.000Z", "10")
    "{\"type\":\"plan\",\"chunk\":\"1\",\"wave\":1,\"region\":\"cn-x\","
    "\"desktop_ids\":[\"ecd-a\"],\"client_token\":null}\n"
    "{\"type\":\"plan\",\"chunk\":\"2\",\"wave\":1,\"region\":\"cn-x\","
    "\"desktop_ids\":[\"ecd-b\",\"ecd-c\"],\"client_token\":null}\n"
    "{\"type\":\"plan\",\"chunk\":\"3\",\"wave\":2,\"region\":\"cn-x\","
    "\"desktop_ids\":[\"ecd-d\"],\"client_token\":null}\n"
    "{\"type\":\"plan\",\"chunk\":\"4\",\"wave\":2,\"region\":\"cn-x\","
    "\"desktop_ids\":[\"ecd-e\"],\"client_token\":null}\n"
    "{\"type\":\"plan\",\"chunk\":\"5\",\"wave\":2,\"region\":\"cn-x\","
    "\"desktop_ids\":[\"ecd-f\"],\"client_token\":null}\n"
    "{\"type\":\"chunk\",\"chunk\":\"1\",\"desktop_ids\":[\"ecd-a\"],"
    "\"status\":\"ok\",\"request_id\":\"R1\",\"attempts\":1,\"started_at\":"
    "\"2026-12-01T10:00:00.500Z\",\"finished_at\":"
    "\"2026-12-01T10:00:00.600Z\",\"latency_ms\":100}\n"
    "{\"type\":\"chunk\",\"chunk\":\"2\",\"desktop_ids\":[\"ecd-b\",\"ecd-c\"],"
    "\"status\":\"ok\",\"request_id\":\"R2\",\"attempts\":2,\"started_at\":"
    "\"2026-12-01T10:00:01.000Z\",\"finished_at\":"
    "\"2026-12-01T10:00:02.100Z\",\"latency_ms\":100}\n"
    "{\"type\":\"chunk\",\"chunk\":\"3\",\"desktop_ids\":[\"ecd-d\"],"
    "\"status\":\"failed\",\"request_id\":\"R3\",\"error_code\":"
    "\"Throttling.User\",\"error_message\":\"slow down\",\"attempts\":3,"
    "\"started_at\":\"2026-12-01T10:00:03.000Z\",\"finished_at\":"
    "\"2026-12-01T10:00:07.000Z\",\"latency_ms\":1000}\n"
    "{\"type\":\"summary\",\"finished_at\":\"2026-12-01T10:00:08.000Z\","
    "\"exit_code\":3,\"stop_reason\":\"interrupt\"}\n"
    "{\"type\":\"resume\",\"started_at\":\"2026-12-01T12:00:00.000Z\"}\n"
    "{\"type\":\"session\",\"session\":1,\"kind\":\"resume\",\"started_at\":"
    "\"2026-12-01T12:00:00.000Z\",\"user\":\"bob\",\"host\":\"h\",\"pid\":4,"
    "\"options\":{\"rate\":2},\"option_origins\":{\"rate\":"
    "\"resume override\"}}\n"
    "{\"type\":\"chunk\",\"chunk\":\"4\",\"desktop_ids\":[\"ecd-e\"],"
    "\"status\":\"failed\",\"request_id\":\"R4\",\"error_code\":\"Bad.X\","
    "\"error_message\":\"<b>no</b>\",\"attempts\":1,\"started_at\":"
    "\"2026-12-01T12:00:01.000Z\",\"finished_at\":"
    "\"2026-12-01T12:00:01.200Z\",\"latency_ms\":200}\n"
    "{\"type\":\"chunk\",\"chunk\":\"5\",\"desktop_ids\":[\"ecd-f\"],"
    "\"status\":\"skipped\",\"error_message\":\"deadline\",\"attempts\":0,"
    "\"finished_at\":\"2026-12-01T12:00:03.000Z\"}\n"
    "{\"type\":\"summary\",\"finished_at\":\"2026-12-01T12:00:04.000Z\","
    "\"exit_code\":3,\"stop_reason\":\"deadline\"}\n";

static char *page(const struct wr_audit *a)
{
  struct wr_err err = {0};
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);

  assert_non_null(out);
  assert_int_equal(wr_html_audit_write(a, WR_AUDIT_HTML, out, &err), 0);
  assert_int_equal(fclose(out), 0);
  return text;
}

static double bin(const struct wr_html_timeline *t, size_t lane, size_t b,
                  int o)
{
  assert_true(b < t->lanes[lane].nbins);
  return t->bins[t->lanes[lane].first_bin + b][o];
}

static void test_timeline_bins(void **state)
{
  struct fixture fx = {0};
  struct wr_html_timeline t;

  (void)state;
  assert_int_equal(load(two_sessions, &fx), 0);
  assert_int_equal(wr_html_timeline_build(&fx.a, &t), 0);
  /* two lanes, each on its own clock: 8 s and 4 s, never the 2 hours */
  assert_int_equal(t.nlanes, 2);
  assert_true(t.bin_s == 1.0);
  assert_int_equal(t.lanes[0].nbins, 8);
  assert_int_equal(t.lanes[1].nbins, 4);
  assert_int_equal(t.nbins, 12);
  assert_true(t.lanes[0].rate_limit == 10.0);
  assert_true(t.lanes[1].rate_limit == 2.0);
  /* chunk 1: one ok call at its start */
  assert_true(bin(&t, 0, 0, WR_HTML_OK) == 1);
  /* chunk 2: retried at its start (1.0 s), ok at end - latency (2.0 s) */
  assert_true(bin(&t, 0, 1, WR_HTML_RETRIED) == 1);
  assert_true(bin(&t, 0, 2, WR_HTML_OK) == 1);
  /* chunk 3: throttled at 3 s, 4.5 s (derived) and 6 s */
  assert_true(bin(&t, 0, 3, WR_HTML_THROTTLED) == 1);
  assert_true(bin(&t, 0, 4, WR_HTML_THROTTLED) == 1);
  assert_true(bin(&t, 0, 6, WR_HTML_THROTTLED) == 1);
  assert_int_equal(t.derived, 1);
  /* the resume: chunk 4 failed at 1 s of its lane; chunk 5 made no call */
  assert_true(bin(&t, 1, 1, WR_HTML_FAILED) == 1);
  assert_int_equal(t.calls[WR_HTML_OK], 2);
  assert_int_equal(t.calls[WR_HTML_RETRIED], 1);
  assert_int_equal(t.calls[WR_HTML_THROTTLED], 3);
  assert_int_equal(t.calls[WR_HTML_FAILED], 1);
  assert_int_equal(t.unplaced, 0);
  assert_true(t.peak == 1.0);
  /* waves shaded from their first call to their last chunk's end */
  assert_int_equal(t.lanes[0].nwaves, 2);
  assert_true(t.lanes[0].waves[0].from_s == 0.5);
  assert_true(t.lanes[0].waves[0].to_s == 2.1);
  assert_int_equal(t.lanes[1].nwaves, 1);
  assert_int_equal(t.lanes[1].waves[0].wave, 2);
  wr_html_timeline_free(&t);
  unload(&fx);
}

static const char *after(const char *t, const char *what)
{
  const char *p = strstr(t, what);

  if (p == NULL)
    fail_msg("\"%s\" missing", what);
  return p;
}

static void test_page(void **state)
{
  struct fixture fx = {0};
  const char *p;
  char *t;

  (void)state;
  assert_int_equal(load(two_sessions, &fx), 0);
  t = page(&fx.a);
  /* self-contained: a policy that fetches nothing, runs nothing */
  after(t, "content=\"default-src 'none'; style-src 'unsafe-inline'\"");
  assert_null(strstr(t, "<script"));
  assert_null(strstr(t, "src="));
  assert_null(strstr(t, "href="));
  assert_null(strchr(t, '`'));         /* never literal Markdown */
  /* the summary first, then the timeline, the failures, the chunks */
  p = after(t, "<section id=\"summary\">");
  p = after(p, "<section id=\"timeline\">");
  p = after(p, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"timeline-svg\"");
  p = after(p, "<rect class=\"bar\" ");
  p = after(p, "rate limit 10/s");
  p = after(p, "resume 1, ");
  p = after(p, "rate limit 2/s");
  p = after(p, "</svg>");
  p = after(p, "ok 2 &ensp;");
  p = after(p, "throttled 3 &ensp;");
  p = after(p, "the 1 attempt between them evenly spaced (derived)");
  p = after(p, "<section id=\"failures\">\n<h2>Failed desktops (2)</h2>");
  p = after(p, "<td class=\"id\">ecd-d</td>");
  p = after(p, "<td class=\"id\">ecd-e</td>");
  /* a server's text is escaped */
  p = after(p, "Bad.X");
  p = after(p, "&lt;b&gt;no&lt;/b&gt;");
  p = after(p, "<div class=\"grid\" id=\"details\">");
  p = after(p, "Safety settings");
  p = after(p, "<section id=\"chunks\">");
  /* folded: no <details open> among the chunks */
  assert_null(strstr(p, "<details class=\"chunks\" open"));
  p = after(p, "<details class=\"chunks\"><summary><span class=\"failed\">"
               "failed</span>: 2 chunks, 2 desktops</summary>");
  p = after(p, "<summary><span class=\"skipped\">skipped</span>: 1 chunk, "
               "1 desktop</summary>");
  /* IDs of a chunk on one wrapped line, not one per line */
  after(p, "<td class=\"ids\">ecd-b ecd-c</td>");
  free(t);
  unload(&fx);
}

/* No call at all: the timeline says so instead of an empty chart. */
static void test_no_calls(void **state)
{
  static const char none[] =
      RUN("2026-12-01T10:00:00.000Z", "0")
      "{\"type\":\"plan\",\"chunk\":\"1\",\"wave\":1,\"region\":\"cn-x\","
      "\"desktop_ids\":[\"ecd-a\"],\"client_token\":null}\n";
  struct fixture fx = {0};
  char *t;

  (void)state;
  assert_int_equal(load(none, &fx), 0);
  t = page(&fx.a);
  after(t, "<p>No call was recorded: nothing to draw.</p>");
  assert_null(strstr(t, "<svg"));
  after(t, "<span class=\"pending\">pending</span>: 1 chunk, 1 desktop");
  free(t);
  unload(&fx);
}

/* A record claiming two billion attempts is not looped over: counted,
 * not drawn. */
static void test_implausible_attempts(void **state)
{
  static const char big[] =
      RUN("2026-12-01T10:00:00.000Z", "10")
      "{\"type\":\"plan\",\"chunk\":\"1\",\"wave\":1,\"region\":\"cn-x\","
      "\"desktop_ids\":[\"ecd-a\"],\"client_token\":null}\n"
      "{\"type\":\"chunk\",\"chunk\":\"1\",\"desktop_ids\":[\"ecd-a\"],"
      "\"status\":\"ok\",\"request_id\":\"R1\",\"attempts\":2000000000,"
      "\"started_at\":\"2026-12-01T10:00:00.500Z\",\"finished_at\":"
      "\"2026-12-01T10:00:00.600Z\"}\n";
  struct fixture fx = {0};
  struct wr_html_timeline t;
  char *p;

  (void)state;
  assert_int_equal(load(big, &fx), 0);
  assert_int_equal(wr_html_timeline_build(&fx.a, &t), 0);
  assert_int_equal(t.unplaced, 2000000000);
  assert_int_equal(t.calls[WR_HTML_OK], 0);
  wr_html_timeline_free(&t);
  p = page(&fx.a);
  after(p, "2000000000 attempts could not be placed");
  free(p);
  unload(&fx);
}

/* Other formats go through wr_audit_write, which refuses html itself. */
static void test_formats(void **state)
{
  struct fixture fx = {0};
  struct wr_err err = {0};
  char *text = NULL;
  size_t len = 0;
  FILE *out;

  (void)state;
  assert_int_equal(load(two_sessions, &fx), 0);
  out = open_memstream(&text, &len);
  assert_non_null(out);
  assert_int_equal(wr_html_audit_write(&fx.a, WR_AUDIT_CSV, out, &err), 0);
  assert_int_equal(wr_audit_write(&fx.a, WR_AUDIT_HTML, out, &err),
                   WR_EINVAL);
  assert_int_equal(fclose(out), 0);
  assert_true(strncmp(text, "desktop_id,region,chunk,", 24) == 0);
  free(text);
  unload(&fx);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_timeline_bins),
      cmocka_unit_test(test_page),
      cmocka_unit_test(test_no_calls),
      cmocka_unit_test(test_implausible_attempts),
      cmocka_unit_test(test_formats),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
