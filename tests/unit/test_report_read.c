/* report_read: loading reports back, torn tails, bad lines, splits. */
#define _POSIX_C_SOURCE 200809L
#include "report_read.h"

#include "journal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RUN "{\"type\":\"run\",\"report_version\":1,\"run_id\":\"r-1\"," \
            "\"started_at\":\"2026-11-29T20:00:00.000Z\",\"api\":\"admin\"," \
            "\"rate\":10,\"inputs\":[\"a.csv\"],\"desktops\":4," \
            "\"options\":{\"rate\":10}}\n"
#define PLAN1 "{\"type\":\"plan\",\"chunk\":\"1\",\"wave\":1,\"region\":" \
              "\"cn-hangzhou\",\"desktop_ids\":[\"ecd-a\",\"ecd-b\"]," \
              "\"client_token\":null}\n"
#define PLAN2 "{\"type\":\"plan\",\"chunk\":\"2\",\"wave\":1,\"region\":" \
              "\"cn-beijing\",\"desktop_ids\":[\"ecd-c\",\"ecd-d\"]," \
              "\"client_token\":\"tok-2\"}\n"
#define OK1 "{\"type\":\"chunk\",\"chunk\":\"1\",\"region\":\"cn-hangzhou\"," \
            "\"desktop_ids\":[\"ecd-a\",\"ecd-b\"],\"status\":\"ok\"," \
            "\"request_id\":\"RID-1\",\"attempt_request_ids\":[\"RID-1\"]," \
            "\"http_status\":200,\"attempts\":1,\"ambiguous_attempts\":0," \
            "\"finished_at\":\"2026-11-29T20:00:01.000Z\",\"latency_ms\":80}\n"
#define SUMMARY "{\"type\":\"summary\",\"finished_at\":" \
                "\"2026-11-29T20:00:02.000Z\",\"ok_desktops\":2," \
                "\"exit_code\":0,\"stop_reason\":null}\n"

static char path[64];

static struct wr_rread *load_str(const char *text, int want_rc,
                                 struct wr_err *err)
{
  struct wr_rread *rr = NULL;
  FILE *f;
  int fd, rc;

  strcpy(path, "/tmp/test_report_read.XXXXXX");
  fd = mkstemp(path);
  assert_true(fd >= 0);
  f = fdopen(fd, "w");
  assert_non_null(f);
  assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
  assert_int_equal(fclose(f), 0);
  memset(err, 0, sizeof(*err));
  rc = wr_rread_load(path, &rr, err);
  unlink(path);
  assert_int_equal(rc, want_rc);
  if (rc < 0)
    assert_null(rr);
  else
    assert_non_null(rr);
  return rr;
}

/* The error names the file and the line. */
static void expect_error(const char *text, long line, const char *what)
{
  struct wr_err err;
  char where[96];

  load_str(text, WR_EINPUT, &err);
  snprintf(where, sizeof(where), "%s:%ld: ", path, line);
  if (strstr(err.msg, where) == NULL || strstr(err.msg, what) == NULL)
    fail_msg("expected \"%s...%s\", got \"%s\"", where, what, err.msg);
}

static void test_complete(void **state)
{
  const char *text = RUN PLAN1 PLAN2 OK1
      "{\"type\":\"chunk\",\"chunk\":\"2\",\"region\":\"cn-beijing\","
      "\"desktop_ids\":[\"ecd-d\",\"ecd-c\"],\"client_token\":\"tok-2\","
      "\"status\":\"failed\",\"request_id\":\"RID-3\",\"attempt_request_ids\":"
      "[\"RID-2\",\"RID-3\"],\"http_status\":400,\"error_code\":\"X.Y\","
      "\"error_message\":\"bad, \\\"really\\\"\",\"attempts\":2,"
      "\"ambiguous_attempts\":1,\"latency_ms\":null}\n" SUMMARY;
  struct wr_err err;
  struct wr_rread *rr = load_str(text, 0, &err);
  const struct wr_rread_chunk *c;

  (void)state;
  assert_string_equal(rr->run.run_id, "r-1");
  assert_string_equal(rr->run.api, "admin");
  assert_int_equal(rr->run.ninputs, 1);
  assert_string_equal(rr->run.inputs[0], "a.csv");
  assert_non_null(rr->run.options);
  assert_int_equal(rr->nroots, 2);
  assert_int_equal(rr->nchunks, 2);
  c = &rr->chunks[1];
  assert_int_equal(c->status, WR_RREAD_FAILED);
  assert_string_equal(c->client_token, "tok-2");
  assert_string_equal(c->error_message, "bad, \"really\"");
  assert_int_equal(c->nattempt_request_ids, 2);
  assert_string_equal(c->attempt_request_ids[0], "RID-2");
  assert_int_equal(c->attempts, 2);
  assert_int_equal(c->ambiguous_attempts, 1);
  assert_int_equal(c->latency_ms, -1);
  assert_int_equal(c->http_status, 400);
  assert_int_equal(c->line, 5);
  assert_int_equal(rr->chunks[0].latency_ms, 80);
  assert_true(wr_rread_chunk_done(rr, 0));
  assert_true(rr->has_summary);
  assert_int_equal(rr->summary.exit_code, 0);
  assert_null(rr->summary.stop_reason);
  assert_int_equal(rr->lines, 6);
  assert_int_equal(rr->valid_up_to, strlen(text));
  assert_false(rr->missing_newline);
  assert_int_equal(rr->torn_line, 0);
  assert_int_equal(wr_rread_find(rr, "2"), 1);
  assert_int_equal(wr_rread_find(rr, "3"), -1);
  wr_rread_destroy(&rr);
  assert_null(rr);
}

/* Pre-flight's records: a split "by":"preflight" into a part sent (ok,
 * confirmed after a lost answer) and an excluded one with its reason; a
 * preflight record per DescribeDesktops call; the summary's counts.  An
 * excluded chunk without a reason is a bad report. */
static void test_preflight_records(void **state)
{
  const char *text = RUN PLAN1
      "{\"type\":\"preflight\",\"wave\":1,\"region\":\"cn-hangzhou\","
      "\"desktops\":2,\"attempt\":1,\"request_id\":\"PF-1\",\"running\":1,"
      "\"excluded\":1,\"not_found\":0,\"error\":null}\n"
      "{\"type\":\"chunk\",\"chunk\":\"1\",\"region\":\"cn-hangzhou\","
      "\"desktop_ids\":[\"ecd-a\",\"ecd-b\"],\"status\":\"split\","
      "\"attempts\":0,\"by\":\"preflight\",\"into\":[{\"chunk\":\"1.1\","
      "\"desktop_ids\":[\"ecd-b\"]},{\"chunk\":\"1.2\",\"desktop_ids\":"
      "[\"ecd-a\"]}]}\n"
      "{\"type\":\"chunk\",\"chunk\":\"1.2\",\"region\":\"cn-hangzhou\","
      "\"desktop_ids\":[\"ecd-a\"],\"status\":\"excluded\","
      "\"reason\":\"status:Stopped\",\"attempts\":0}\n"
      "{\"type\":\"chunk\",\"chunk\":\"1.1\",\"region\":\"cn-hangzhou\","
      "\"desktop_ids\":[\"ecd-b\"],\"status\":\"ok\",\"attempts\":2,"
      "\"ambiguous_attempts\":1,\"confirmed_by\":\"IncorrectDesktopStatus: "
      "ecd-b is Stopping\"}\n"
      "{\"type\":\"summary\",\"ok_desktops\":1,\"excluded_chunks\":1,"
      "\"excluded_desktops\":1,\"excluded_by_reason\":{\"status:Stopped\":1},"
      "\"exit_code\":0}\n";
  struct wr_err err;
  struct wr_rread *rr = load_str(text, 0, &err);
  const struct wr_rread_chunk *c;

  (void)state;
  assert_int_equal(rr->nunknown, 0);
  assert_int_equal(rr->npreflights, 1);
  assert_string_equal(rr->preflights[0].request_id, "PF-1");
  assert_int_equal(rr->preflights[0].excluded, 1);
  assert_null(rr->preflights[0].error);
  assert_int_equal(rr->chunks[0].status, WR_RREAD_SPLIT);
  assert_true(rr->chunks[0].by_preflight);
  c = &rr->chunks[wr_rread_find(rr, "1.2")];
  assert_int_equal(c->status, WR_RREAD_EXCLUDED);
  assert_string_equal(c->reason, "status:Stopped");
  assert_false(wr_rread_chunk_unsent(c));
  assert_string_equal(wr_rread_status_name(c->status), "excluded");
  c = &rr->chunks[wr_rread_find(rr, "1.1")];
  assert_int_equal(c->status, WR_RREAD_OK);
  assert_non_null(strstr(c->confirmed_by, "is Stopping"));
  assert_true(wr_rread_chunk_done(rr, 0));
  assert_int_equal(rr->summary.excluded_desktops, 1);
  wr_rread_destroy(&rr);
  expect_error(RUN PLAN1
      "{\"type\":\"chunk\",\"chunk\":\"1\",\"region\":\"cn-hangzhou\","
      "\"desktop_ids\":[\"ecd-a\",\"ecd-b\"],\"status\":\"excluded\"}\n",
      3, "excluded without a \"reason\"");
}

static void test_torn_tail(void **state)
{
  const char *good = RUN PLAN1 PLAN2 OK1;
  char text[4096];
  struct wr_err err;
  struct wr_rread *rr;

  (void)state;
  /* A crash mid-write: half a record, no newline. */
  snprintf(text, sizeof(text), "%s%s", good,
           "{\"type\":\"chunk\",\"chunk\":\"2\",\"regi");
  rr = load_str(text, 0, &err);
  assert_int_equal(rr->torn_line, 5);
  assert_int_equal(rr->torn_bytes, strlen("{\"type\":\"chunk\",\"chunk\":\"2\","
                                          "\"regi"));
  assert_int_equal(rr->valid_up_to, strlen(good));
  assert_int_equal(rr->chunks[1].status, WR_RREAD_PENDING);
  assert_false(rr->has_summary);
  assert_false(wr_rread_chunk_done(rr, 1));
  wr_rread_destroy(&rr);

  /* Zeros from a lost block, then a newline and blank lines: still the
   * last line, still not fatal. */
  snprintf(text, sizeof(text), "%s%s", good, "\x01\x01\x01\n\n  \n");
  rr = load_str(text, 0, &err);
  assert_int_equal(rr->torn_line, 5);
  assert_int_equal(rr->valid_up_to, strlen(good));
  wr_rread_destroy(&rr);

  /* A whole last record without its newline is kept, and said so. */
  snprintf(text, sizeof(text), "%s%s", good, "{\"type\":\"summary\"}");
  rr = load_str(text, 0, &err);
  assert_int_equal(rr->torn_line, 0);
  assert_true(rr->has_summary);
  assert_true(rr->missing_newline);
  assert_int_equal(rr->valid_up_to, strlen(text));
  wr_rread_destroy(&rr);
}

/* The reader's valid_up_to and missing_newline are the torn-line rule's
 * (journal.h), which the writer applies when resume appends. */
static void test_reader_follows_rule(void **state)
{
  static const char *tails[] = {
    "",
    "{\"type\":\"chunk\",\"chunk\":\"2\",\"regi",
    "\x01\x01\x01\n\n  \n",
    "{\"type\":\"summary\"}",
    "{\"type\":\"summary\"}\r\n",
    "{\"type\":\"summary\"}\r",
    "\n \n",
    "{\"type\":\"summary\"} x\n",
    "{",
  };
  char text[4096];
  struct wr_err err;
  struct wr_rread *rr;
  size_t i;
  bool mnl;

  (void)state;
  for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
    snprintf(text, sizeof(text), "%s%s", RUN PLAN1 PLAN2 OK1, tails[i]);
    rr = load_str(text, 0, &err);
    assert_int_equal(rr->valid_up_to,
                     wr_journal_valid_length(text, strlen(text), &mnl));
    assert_int_equal(rr->missing_newline, mnl);
    wr_rread_destroy(&rr);
  }
}

/* What resume does: truncate at valid_up_to, append, and the file reads
 * back clean. */
static void test_truncate_and_append(void **state)
{
  const char *good = RUN PLAN1 PLAN2 OK1;
  char text[4096], *buf = NULL;
  struct wr_err err;
  struct wr_rread *rr;
  size_t len = 0;
  FILE *f;

  (void)state;
  snprintf(text, sizeof(text), "%s%s", good, "{\"type\":\"chunk\",\"ch");
  rr = load_str(text, 0, &err);
  assert_int_equal(rr->torn_line, 5);
  f = open_memstream(&buf, &len);
  assert_non_null(f);
  fwrite(text, 1, (size_t)rr->valid_up_to, f);
  fputs("{\"type\":\"resume\"}\n" SUMMARY, f);
  assert_int_equal(fclose(f), 0);
  wr_rread_destroy(&rr);
  rr = load_str(buf, 0, &err);
  assert_int_equal(rr->torn_line, 0);
  assert_int_equal(rr->nresumes, 1);
  assert_true(rr->has_summary);
  assert_int_equal(rr->valid_up_to, len);
  wr_rread_destroy(&rr);
  free(buf);
}

static void test_bad_middle_line(void **state)
{
  (void)state;
  expect_error(RUN PLAN1 "{\"type\":\"plan\",\"chunk\":\"2\",\n" PLAN2,
               3, "not a whole JSON record");
  expect_error(RUN PLAN1 "{\"type\":\"plan\",x}\n" PLAN2, 3,
               "not a whole JSON record (bad near byte 17 of 17)");
  expect_error(RUN PLAN1 "[1,2]\n" PLAN2, 3, "not a JSON object");
  expect_error(RUN PLAN1 "{\"type\":\"plan\"} trailing\n" PLAN2, 3,
               "not a whole JSON record");
  expect_error(RUN PLAN1 "{\"kind\":\"plan\"}\n", 3, "without a \"type\"");
  expect_error(RUN "{\"type\":\"plan\",\"chunk\":\"1\",\"region\":\"r\","
               "\"desktop_ids\":[\"ecd-a\",7]}\n", 2,
               "\"desktop_ids\"[1] is not a string");
  expect_error(RUN PLAN1 "{\"type\":\"chunk\",\"chunk\":\"1\",\"desktop_ids\":"
               "[\"ecd-a\",\"ecd-b\"],\"status\":\"ok\",\"attempts\":\"1\"}\n",
               3, "\"attempts\" is not a number");
}

static void test_unknown_type(void **state)
{
  struct wr_err err;
  struct wr_rread *rr = load_str(RUN "{\"type\":\"heartbeat\",\"n\":1}\n"
                                 PLAN1 "{\"type\":\"heartbeat\"}\n" OK1,
                                 0, &err);

  (void)state;
  assert_int_equal(rr->nunknown, 2);
  assert_string_equal(rr->first_unknown, "heartbeat");
  assert_int_equal(rr->chunks[0].status, WR_RREAD_OK);
  wr_rread_destroy(&rr);
}

/* resume appends a session: its own records and a second summary. */
static void test_resumed(void **state)
{
  struct wr_err err;
  struct wr_rread *rr = load_str(
      RUN PLAN1 PLAN2 OK1 "{\"type\":\"summary\",\"exit_code\":3,"
      "\"stop_reason\":\"interrupt\"}\n{\"type\":\"resume\","
      "\"started_at\":\"2026-11-29T21:00:00.000Z\"}\n"
      "{\"type\":\"chunk\",\"chunk\":\"2\",\"desktop_ids\":[\"ecd-c\","
      "\"ecd-d\"],\"status\":\"ok\",\"attempts\":1}\n" SUMMARY, 0, &err);

  (void)state;
  assert_int_equal(rr->nresumes, 1);
  assert_string_equal(rr->last_resumed_at, "2026-11-29T21:00:00.000Z");
  assert_int_equal(rr->nsummaries, 2);
  assert_int_equal(rr->summary.exit_code, 0);
  assert_null(rr->summary.stop_reason);
  assert_int_equal(rr->nunknown, 0);
  assert_true(wr_rread_chunk_done(rr, 1));
  wr_rread_destroy(&rr);
}

#define SKIP2 "{\"type\":\"chunk\",\"chunk\":\"2\",\"desktop_ids\":" \
              "[\"ecd-c\",\"ecd-d\"],\"status\":\"skipped\"," \
              "\"error_message\":\"interrupt\",\"attempts\":0}\n"
#define RESUME "{\"type\":\"resume\",\"started_at\":" \
               "\"2026-11-29T21:00:00.000Z\"}\n"

/* A chunk skipped by one session is sent by the next: its new record
 * replaces the skipped one.  Only after a resume record, and only a
 * skipped one. */
static void test_skipped_resent(void **state)
{
  struct wr_err err;
  struct wr_rread *rr = load_str(
      RUN PLAN1 PLAN2 OK1 SKIP2 RESUME
      "{\"type\":\"chunk\",\"chunk\":\"2\",\"desktop_ids\":[\"ecd-c\","
      "\"ecd-d\"],\"status\":\"ok\",\"request_id\":\"RID-2\","
      "\"attempts\":1}\n" SUMMARY, 0, &err);
  long i;

  (void)state;
  i = wr_rread_find(rr, "2");
  assert_int_equal(i, 1);
  assert_int_equal(rr->chunks[i].status, WR_RREAD_OK);
  assert_string_equal(rr->chunks[i].request_id, "RID-2");
  assert_null(rr->chunks[i].error_message);
  assert_int_equal(rr->chunks[i].line, 7);
  wr_rread_destroy(&rr);
  /* still pending after the resume record: resume sends it again */
  rr = load_str(RUN PLAN1 PLAN2 OK1 SKIP2 RESUME, 0, &err);
  assert_int_equal(rr->chunks[1].status, WR_RREAD_SKIPPED);
  wr_rread_destroy(&rr);
  expect_error(RUN PLAN1 PLAN2 OK1 SKIP2 SKIP2, 6,
               "chunk \"2\" has a final record already (line 5)");
  expect_error(RUN PLAN1 PLAN2 OK1 SKIP2 RESUME SKIP2 SKIP2, 8,
               "chunk \"2\" has a final record already (line 7)");
  expect_error(RUN PLAN1 PLAN2 OK1 RESUME OK1, 6,
               "chunk \"1\" has a final record already (line 4)");
}

#define CUT2 "{\"type\":\"chunk\",\"chunk\":\"2\",\"desktop_ids\":" \
             "[\"ecd-c\",\"ecd-d\"],\"status\":\"failed\"," \
             "\"error_code\":\"Throttling\",\"error_message\":\"slow " \
             "down (not retried: the run stopped)\",\"attempts\":2," \
             "\"ambiguous_attempts\":1,\"retry_pending\":true}\n"
#define FAIL2 "{\"type\":\"chunk\",\"chunk\":\"2\",\"desktop_ids\":" \
              "[\"ecd-c\",\"ecd-d\"],\"status\":\"failed\"," \
              "\"error_code\":\"Forbidden\",\"attempts\":1}\n"
#define OK2 "{\"type\":\"chunk\",\"chunk\":\"2\",\"desktop_ids\":[\"ecd-c\"," \
            "\"ecd-d\"],\"status\":\"ok\",\"request_id\":\"RID-2\"," \
            "\"attempts\":1}\n"

/* A chunk whose retry the stop cut (failed, retry_pending) is re-sent
 * by resume and replaced under the rule of a skipped one; a plain
 * failed record is final. */
static void test_retry_pending_resent(void **state)
{
  struct wr_err err;
  struct wr_rread *rr = load_str(RUN PLAN1 PLAN2 OK1 CUT2, 0, &err);

  (void)state;
  assert_non_null(rr);
  assert_int_equal(rr->chunks[1].status, WR_RREAD_FAILED);
  assert_true(rr->chunks[1].retry_pending);
  assert_int_equal(rr->chunks[1].ambiguous_attempts, 1);
  assert_true(wr_rread_chunk_unsent(&rr->chunks[1]));
  assert_true(wr_rread_chunk_done(rr, 1));
  assert_false(rr->chunks[0].retry_pending);
  wr_rread_destroy(&rr);
  /* replaced after a resume record */
  rr = load_str(RUN PLAN1 PLAN2 OK1 CUT2 RESUME OK2 SUMMARY, 0, &err);
  assert_non_null(rr);
  assert_int_equal(rr->chunks[1].status, WR_RREAD_OK);
  assert_false(rr->chunks[1].retry_pending);
  assert_false(wr_rread_chunk_unsent(&rr->chunks[1]));
  assert_int_equal(rr->chunks[1].ambiguous_attempts, 0);
  assert_string_equal(rr->chunks[1].request_id, "RID-2");
  assert_int_equal(rr->chunks[1].line, 7);
  wr_rread_destroy(&rr);
  /* cut again by the next session, then done by a third */
  rr = load_str(RUN PLAN1 PLAN2 OK1 CUT2 RESUME CUT2 RESUME OK2, 0, &err);
  assert_non_null(rr);
  assert_int_equal(rr->chunks[1].status, WR_RREAD_OK);
  wr_rread_destroy(&rr);
  /* not without a resume record between them */
  expect_error(RUN PLAN1 PLAN2 OK1 CUT2 OK2, 6,
               "chunk \"2\" has a final record already (line 5)");
  expect_error(RUN PLAN1 PLAN2 OK1 RESUME CUT2 OK2, 7,
               "chunk \"2\" has a final record already (line 6)");
  /* a failed record without the flag is final */
  expect_error(RUN PLAN1 PLAN2 OK1 FAIL2 RESUME OK2, 7,
               "chunk \"2\" has a final record already (line 5)");
  rr = load_str(RUN PLAN1 PLAN2 OK1 FAIL2, 0, &err);
  assert_non_null(rr);
  assert_false(wr_rread_chunk_unsent(&rr->chunks[1]));
  wr_rread_destroy(&rr);
  /* the flag is a boolean */
  expect_error(RUN PLAN1 PLAN2 OK1
               "{\"type\":\"chunk\",\"chunk\":\"2\",\"desktop_ids\":"
               "[\"ecd-c\",\"ecd-d\"],\"status\":\"failed\","
               "\"retry_pending\":\"yes\"}\n", 5,
               "\"retry_pending\" is not true or false");
}

/* What resume must send: pending and skipped chunks, not ok/failed. */
static void test_unsent(void **state)
{
  struct wr_err err;
  struct wr_rread *rr = load_str(RUN PLAN1 PLAN2 OK1 SKIP2, 0, &err);

  (void)state;
  assert_true(wr_rread_chunk_done(rr, 1));
  assert_true(wr_rread_chunk_unsent(&rr->chunks[1]));
  assert_false(wr_rread_chunk_unsent(&rr->chunks[0]));
  wr_rread_destroy(&rr);
  rr = load_str(RUN PLAN1 PLAN2, 0, &err);
  assert_true(wr_rread_chunk_unsent(&rr->chunks[0]));
  assert_false(wr_rread_chunk_done(rr, 0));
  wr_rread_destroy(&rr);
}

static void test_version_and_first_record(void **state)
{
  (void)state;
  expect_error("{\"type\":\"run\",\"report_version\":2,\"run_id\":\"x\"}\n", 1,
               "report_version 2 is not supported");
  expect_error("{\"type\":\"run\",\"run_id\":\"x\"}\n", 1,
               "without \"report_version\"");
  expect_error(PLAN1 RUN, 1, "the first record is \"plan\", not \"run\"");
  expect_error(RUN RUN, 2, "a second run record");
}

/* The run record's chunks/desktops against the plan records: fewer plan
 * records is a plan cut short (loaded, flagged); more, or other desktops,
 * is an error. */
#define RUN2(chunks, desktops) \
  "{\"type\":\"run\",\"report_version\":1,\"run_id\":\"r-2\",\"api\":" \
  "\"admin\",\"inputs\":[\"a.csv\"],\"chunks\":" #chunks ",\"desktops\":" \
  #desktops ",\"options\":{\"rate\":10}}\n"

static void test_plan_counts(void **state)
{
  struct wr_err err;
  struct wr_rread *rr;

  (void)state;
  rr = load_str(RUN2(2, 4) PLAN1 PLAN2 OK1, 0, &err);
  assert_false(rr->plan_incomplete);
  assert_int_equal(rr->plan_desktops, 4);
  wr_rread_destroy(&rr);
  rr = load_str(RUN2(3, 6) PLAN1 PLAN2, 0, &err);
  assert_true(rr->plan_incomplete);
  assert_int_equal(rr->nroots, 2);
  assert_int_equal(rr->plan_desktops, 4);
  wr_rread_destroy(&rr);
  /* Only the run record made it. */
  rr = load_str(RUN2(2, 4), 0, &err);
  assert_true(rr->plan_incomplete);
  wr_rread_destroy(&rr);
  load_str(RUN2(1, 2) PLAN1 PLAN2, WR_EINPUT, &err);
  assert_non_null(strstr(err.msg, "the run record says 1 chunks, but 2 plan"));
  assert_non_null(strstr(err.msg, path));
  load_str(RUN2(2, 5) PLAN1 PLAN2, WR_EINPUT, &err);
  assert_non_null(strstr(err.msg, "says 5 desktops, but its 2 plan records "
                                  "hold 4"));
}

static void test_empty(void **state)
{
  struct wr_err err;

  (void)state;
  load_str("", WR_EINPUT, &err);
  assert_non_null(strstr(err.msg, "no run record"));
  /* A crash during the very first write. */
  load_str("{\"type\":\"ru", WR_EINPUT, &err);
  assert_non_null(strstr(err.msg, "no run record"));
}

static void test_split_tree(void **state)
{
  const char *text = RUN
      "{\"type\":\"plan\",\"chunk\":\"1\",\"wave\":2,\"region\":\"cn-x\","
      "\"desktop_ids\":[\"ecd-a\",\"ecd-b\",\"ecd-c\"],\"client_token\":\"t\"}\n"
      "{\"type\":\"chunk\",\"chunk\":\"1\",\"desktop_ids\":[\"ecd-a\","
      "\"ecd-b\",\"ecd-c\"],\"status\":\"split\",\"error_code\":\"NotFound\","
      "\"attempts\":1,\"into\":[{\"chunk\":\"1.1\",\"desktop_ids\":[\"ecd-a\","
      "\"ecd-b\"],\"client_token\":\"t1\"},{\"chunk\":\"1.2\",\"desktop_ids\":"
      "[\"ecd-c\"],\"client_token\":\"t2\"}]}\n"
      "{\"type\":\"chunk\",\"chunk\":\"1.1\",\"desktop_ids\":[\"ecd-a\","
      "\"ecd-b\"],\"status\":\"split\",\"attempts\":1,\"into\":[{\"chunk\":"
      "\"1.1.1\",\"desktop_ids\":[\"ecd-a\"]},{\"chunk\":\"1.1.2\","
      "\"desktop_ids\":[\"ecd-b\"]}]}\n"
      "{\"type\":\"chunk\",\"chunk\":\"1.1.2\",\"desktop_ids\":[\"ecd-b\"],"
      "\"status\":\"failed\",\"error_code\":\"NotFound\",\"attempts\":1}\n"
      "{\"type\":\"chunk\",\"chunk\":\"1.2\",\"desktop_ids\":[\"ecd-c\"],"
      "\"status\":\"ok\",\"request_id\":\"R\",\"attempts\":1}\n";
  struct wr_err err;
  struct wr_rread *rr = load_str(text, 0, &err);
  const struct wr_rread_chunk *c, *p;
  long i;

  (void)state;
  assert_int_equal(rr->nroots, 1);
  assert_int_equal(rr->nchunks, 5);
  c = &rr->chunks[0];
  assert_int_equal(c->status, WR_RREAD_SPLIT);
  assert_int_equal(c->nchildren, 2);
  assert_string_equal(rr->chunks[c->first_child].id, "1.1");
  assert_string_equal(rr->chunks[c->first_child + 1].id, "1.2");
  i = wr_rread_find(rr, "1.1.1");
  assert_true(i > 0);
  p = &rr->chunks[i];
  assert_int_equal(p->status, WR_RREAD_PENDING);
  assert_int_equal(p->nids, 1);
  assert_string_equal(p->ids[0], "ecd-a");
  assert_string_equal(p->region, "cn-x");
  assert_int_equal(p->wave, 2);
  assert_null(p->client_token);
  assert_int_equal(p->plan_line, 4);
  assert_string_equal(rr->chunks[p->parent].id, "1.1");
  assert_string_equal(rr->chunks[wr_rread_find(rr, "1.2")].client_token, "t2");
  /* The pending part keeps the whole plan chunk from being done. */
  assert_false(wr_rread_chunk_done(rr, 0));
  assert_true(wr_rread_chunk_done(rr, (size_t)wr_rread_find(rr, "1.2")));
  wr_rread_destroy(&rr);
}

static void test_forest_errors(void **state)
{
  (void)state;
  expect_error(RUN PLAN1 "{\"type\":\"chunk\",\"chunk\":\"9\",\"desktop_ids\":"
               "[\"ecd-a\"],\"status\":\"ok\"}\n", 3,
               "chunk \"9\" is in no plan or split record");
  expect_error(RUN PLAN1 OK1 OK1, 4,
               "chunk \"1\" has a final record already (line 3)");
  expect_error(RUN PLAN1 PLAN1, 3, "chunk \"1\" is declared twice");
  expect_error(RUN PLAN1 "{\"type\":\"plan\",\"chunk\":\"2\",\"region\":\"r\","
               "\"desktop_ids\":[\"ecd-c\",\"ecd-b\"]}\n", 3,
               "desktop ecd-b is planned twice (again in chunk \"2\")");
  expect_error(RUN PLAN1 "{\"type\":\"chunk\",\"chunk\":\"1\",\"desktop_ids\":"
               "[\"ecd-a\",\"ecd-a\"],\"status\":\"ok\"}\n", 3,
               "ecd-a is listed twice");
  expect_error(RUN PLAN1 "{\"type\":\"chunk\",\"chunk\":\"1\",\"desktop_ids\":"
               "[\"ecd-a\",\"ecd-z\"],\"status\":\"ok\"}\n", 3,
               "ecd-z was not planned there");
  expect_error(RUN PLAN1 "{\"type\":\"chunk\",\"chunk\":\"1\",\"desktop_ids\":"
               "[\"ecd-a\"],\"status\":\"ok\"}\n", 3, "1 desktops, 2 planned");
  expect_error(RUN PLAN1 "{\"type\":\"chunk\",\"chunk\":\"1\",\"desktop_ids\":"
               "[\"ecd-a\",\"ecd-b\"],\"status\":\"done\"}\n", 3,
               "unknown status \"done\"");
  expect_error(RUN PLAN1 "{\"type\":\"chunk\",\"chunk\":\"1\",\"desktop_ids\":"
               "[\"ecd-a\",\"ecd-b\"],\"status\":\"split\",\"into\":[{\"chunk\":"
               "\"1.1\",\"desktop_ids\":[\"ecd-a\"]}]}\n", 3,
               "hold 1 desktops, the chunk 2");
  expect_error(RUN PLAN1 "{\"type\":\"chunk\",\"chunk\":\"1\",\"desktop_ids\":"
               "[\"ecd-a\",\"ecd-b\"],\"status\":\"split\"}\n", 3,
               "without its parts");
  expect_error(RUN PLAN1 "{\"type\":\"chunk\",\"chunk\":\"1\",\"desktop_ids\":"
               "[\"ecd-a\",\"ecd-b\"],\"status\":\"split\",\"into\":[{\"chunk\":"
               "\"1.1\",\"desktop_ids\":[\"ecd-a\"]},{\"chunk\":\"1.2\","
               "\"desktop_ids\":[\"ecd-a\"]}]}\n", 3,
               "ecd-a is in both split parts \"1.1\" and \"1.2\"");
}

static void test_long_lines(void **state)
{
  size_t big = 300 * 1024, n;
  char *text, *p;
  struct wr_err err;
  struct wr_rread *rr;

  (void)state;
  /* A record straddling the reader's blocks is read whole. */
  text = malloc(big + 4096);
  assert_non_null(text);
  p = text + sprintf(text, "%s{\"type\":\"rejected\",\"source\":\"a.csv\","
                     "\"line\":3,\"value\":\"", RUN);
  memset(p, 'x', big);
  p += big;
  sprintf(p, "\",\"reason\":\"long\"}\n%s", PLAN1);
  rr = load_str(text, 0, &err);
  assert_int_equal(rr->nrejected, 1);
  assert_int_equal(strlen(rr->rejected[0].value), big);
  assert_int_equal(rr->nroots, 1);
  wr_rread_destroy(&rr);
  free(text);

  /* Past the line bound: an error naming the line, not a huge buffer. */
  n = WR_RREAD_MAX_LINE + 10;
  text = malloc(strlen(RUN) + n + 2);
  assert_non_null(text);
  strcpy(text, RUN);
  memset(text + strlen(RUN), ' ', n);
  strcpy(text + strlen(RUN) + n, "\n");
  load_str(text, WR_ETOOBIG, &err);
  assert_non_null(strstr(err.msg, ":2: a line longer than"));
  free(text);
}

static void test_bom_crlf_blank(void **state)
{
  struct wr_err err;
  struct wr_rread *rr = load_str("\xEF\xBB\xBF{\"type\":\"run\","
                                 "\"report_version\":1,\"run_id\":\"r\"}\r\n"
                                 "\r\n" PLAN1, 0, &err);

  (void)state;
  assert_int_equal(rr->nroots, 1);
  assert_int_equal(rr->lines, 3);
  wr_rread_destroy(&rr);
}

static void test_missing_file(void **state)
{
  struct wr_err err = {0};
  struct wr_rread *rr = NULL;

  (void)state;
  assert_int_equal(wr_rread_load("/nonexistent/report.jsonl", &rr, &err),
                   WR_EIO);
  assert_null(rr);
  assert_non_null(strstr(err.msg, "/nonexistent/report.jsonl: "));
  wr_rread_destroy(&rr);
}

static void test_sample_report(void **state)
{
  struct wr_err err = {0};
  struct wr_rread *rr = NULL;

  (void)state;
  assert_int_equal(wr_rread_load(WR_SOURCE_DIR "/samples/sample-report.jsonl",
                                 &rr, &err), 0);
  assert_true(rr->has_summary);
  assert_int_equal(rr->summary.exit_code, 3);
  assert_int_equal(rr->nroots, 14);
  assert_int_equal(rr->nwaves, 3);
  assert_int_equal(rr->nverifies, 2);
  assert_int_equal(rr->nrejected, 4);
  assert_string_equal(wr_rread_status_name(
                          rr->chunks[wr_rread_find(rr, "4.2.2.2")].status),
                      "failed");
  wr_rread_destroy(&rr);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_complete),
    cmocka_unit_test(test_preflight_records),
    cmocka_unit_test(test_torn_tail),
    cmocka_unit_test(test_reader_follows_rule),
    cmocka_unit_test(test_truncate_and_append),
    cmocka_unit_test(test_bad_middle_line),
    cmocka_unit_test(test_unknown_type),
    cmocka_unit_test(test_resumed),
    cmocka_unit_test(test_skipped_resent),
    cmocka_unit_test(test_unsent),
    cmocka_unit_test(test_retry_pending_resent),
    cmocka_unit_test(test_version_and_first_record),
    cmocka_unit_test(test_empty),
    cmocka_unit_test(test_plan_counts),
    cmocka_unit_test(test_split_tree),
    cmocka_unit_test(test_forest_errors),
    cmocka_unit_test(test_long_lines),
    cmocka_unit_test(test_bom_crlf_blank),
    cmocka_unit_test(test_missing_file),
    cmocka_unit_test(test_sample_report),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
