#include "ingest.h"
#include "err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_rows.h"

static const size_t blocks[] = {1, 5, 0};
#define NBLOCKS (sizeof(blocks) / sizeof(blocks[0]))

static void jsonl_ok(const char *data, struct rows *r)
{
  struct wr_err err;
  struct rows first;
  size_t i;

  for (i = 0; i < NBLOCKS; i++) {
    int rc = ingest(data, strlen(data), WR_FORMAT_JSONL, NULL, blocks[i], r,
                    &err);
    if (rc != 0)
      fail_msg("block %zu: rc %d: %s", blocks[i], rc, err.msg);
    if (i == 0) {
      first = *r;
    } else {
      assert_int_equal(r->n, first.n);
      assert_memory_equal(r->line, first.line, sizeof(r->line));
      assert_memory_equal(r->id, first.id, sizeof(r->id));
      assert_memory_equal(r->region, first.region, sizeof(r->region));
    }
  }
}

static void test_forms(void **state)
{
  struct rows r;

  (void)state;
  jsonl_ok("{\"DesktopId\": \"ecd-1\", \"RegionId\": \"cn-hangzhou\"}\n"
           "{\"desktop_id\": \" ecd-2 \", \"region\": \"cn-beijing\", \"x\": 1}\n"
           "\"ecd-3\"\n"
           "{\"DesktopId\": \"ecd-4\", \"RegionId\": null}\n", &r);
  assert_int_equal(r.n, 4);
  assert_string_equal(r.id[0], "ecd-1");
  assert_string_equal(r.region[0], "cn-hangzhou");
  assert_string_equal(r.id[1], "ecd-2"); /* trimmed */
  assert_string_equal(r.region[1], "cn-beijing");
  assert_string_equal(r.id[2], "ecd-3");
  assert_string_equal(r.region[2], "");
  assert_string_equal(r.region[3], "");
  assert_int_equal(r.line[3], 4);
  assert_null(r.reason[3]);
}

static void test_blank_lines_crlf_bom(void **state)
{
  struct rows r;

  (void)state;
  jsonl_ok("\xEF\xBB\xBF\"ecd-1\"\r\n\r\n   \n\t\n\"ecd-2\"\r\n\"ecd-3\"", &r);
  assert_int_equal(r.n, 3);
  assert_int_equal(r.line[0], 1);
  assert_int_equal(r.line[1], 5);
  assert_int_equal(r.line[2], 6); /* no newline at the end */
  assert_string_equal(r.id[2], "ecd-3");
}

static void test_broken_lines(void **state)
{
  struct rows r;

  (void)state;
  jsonl_ok("{\"DesktopId\": \"ecd-1\"\n"     /* unterminated object */
           "not json at all\n"
           "42\n"
           "[\"ecd-1\"]\n"
           "{\"Name\": \"x\"}\n"
           "{\"DesktopId\": 7}\n"
           "{\"DesktopId\": \"ecd-2\", \"RegionId\": 5}\n"
           "\"ecd-3\" \"ecd-4\"\n"
           "\"ecd-5\"\n", &r);
  assert_int_equal(r.n, 9);
  assert_string_equal(r.reason[0], "not valid JSON");
  assert_int_equal(r.line[0], 1);
  assert_string_equal(r.id[0], "{\"DesktopId\": \"ecd-1\"");
  assert_string_equal(r.reason[1], "not valid JSON");
  assert_string_equal(r.reason[2], "neither a JSON object nor a string");
  assert_string_equal(r.reason[3], "neither a JSON object nor a string");
  assert_string_equal(r.reason[4], "the object has no DesktopId");
  assert_string_equal(r.reason[5], "DesktopId is not a string");
  assert_string_equal(r.reason[6], "RegionId is not a string");
  assert_string_equal(r.reason[7], "more than one JSON value on the line");
  assert_null(r.reason[8]);
  assert_int_equal(r.line[8], 9);
}

static void test_long_line_skipped(void **state)
{
  size_t n = 3 * 1024 * 1024, i, k;
  char *data = malloc(n + 64);
  struct rows r;
  struct wr_err err;
  static const size_t sizes[] = {0, 4096};

  (void)state;
  assert_non_null(data);
  memcpy(data, "\"ecd-1\"\n\"", 9);
  for (i = 9; i < n; i++)
    data[i] = 'a';
  memcpy(data + n, "\"\n\"ecd-2\"\n", 10);
  for (k = 0; k < 2; k++) {
    assert_int_equal(ingest(data, n + 10, WR_FORMAT_JSONL, NULL, sizes[k], &r,
                            &err), 0);
    assert_int_equal(r.n, 3);
    assert_non_null(strstr(r.reason[1], "line longer than"));
    assert_int_equal(r.line[1], 2);
    assert_string_equal(r.id[2], "ecd-2");
    assert_int_equal(r.line[2], 3);
  }
  free(data);
}

static void test_nul_byte(void **state)
{
  static const char data[] = "\"ecd-1\"\n\"ecd\0\"\n";
  struct rows r;
  struct wr_err err;

  (void)state;
  assert_int_equal(ingest(data, sizeof(data) - 1, WR_FORMAT_JSONL, NULL, 0,
                          &r, &err), WR_EINPUT);
  assert_non_null(strstr(err.msg, "t.csv:2: NUL byte"));
}

/* An escaped NUL (\u0000) would cut the decoded C string short: the
 * line is rejected, whichever string holds it, key or value. */
static void test_escaped_nul(void **state)
{
  struct rows r;

  (void)state;
  jsonl_ok("{\"DesktopId\": \"ecd-abc\\u0000; DROP\"}\n"
           "\"ecd-abc\\u0000x\"\n"
           "{\"DesktopId\": \"ecd-1\", \"RegionId\": \"cn\\u0000x\"}\n"
           "{\"DesktopId\\u0000x\": \"ecd-2\", \"DesktopId\": \"ecd-3\"}\n"
           "{\"DesktopId\": \"ecd-4\", \"note\": \"\\u0000\"}\n"
           "\"ecd-5\\\\u0000\"\n" /* an escaped backslash, then text */
           "{\"DesktopId\": \"ecd-6\\\"\\u0000\"}\n"
           "{\"DesktopId\": \"ecd-7\\U0000\"}\n" /* not an escape */
           "\"ecd-8\"\n", &r);
  assert_int_equal(r.n, 9);
  assert_string_equal(r.reason[0], "a string holds a NUL character (\\u0000)");
  assert_int_equal(r.line[0], 1);
  assert_non_null(strstr(r.id[0], "ecd-abc\\u0000; DROP"));
  assert_string_equal(r.reason[1], r.reason[0]);
  assert_string_equal(r.reason[2], r.reason[0]);
  assert_string_equal(r.reason[3], r.reason[0]);
  assert_string_equal(r.reason[4], r.reason[0]);
  assert_null(r.reason[5]);
  assert_string_equal(r.id[5], "ecd-5\\u0000");
  assert_string_equal(r.reason[6], r.reason[0]);
  assert_int_equal(r.line[6], 7);
  assert_string_equal(r.reason[7], "not valid JSON");
  assert_null(r.reason[8]);
  assert_string_equal(r.id[8], "ecd-8");
}

/* A key given twice, or both spellings of a key with different values:
 * which one was meant is unknown, so the line is rejected. */
static void test_duplicate_keys(void **state)
{
  struct rows r;

  (void)state;
  jsonl_ok("{\"DesktopId\": \"ecd-1\", \"DesktopId\": \"ecd-2\"}\n"
           "{\"DesktopId\": \"ecd-1\", \"desktop_id\": \"ecd-2\"}\n"
           "{\"DesktopId\": \"ecd-3\", \"desktop_id\": \"ecd-3\"}\n"
           "{\"DesktopId\": \"ecd-4\", \"RegionId\": \"a\", "
           "\"region\": \"b\"}\n"
           "{\"DesktopId\": \"ecd-5\", \"x\": 1, \"y\": 2, \"x\": 1}\n"
           "{\"DesktopId\": \"ecd-6\", \"desktop_id\": 6}\n"
           "{\"DesktopId\": \"ecd-7\", \"RegionId\": \"a\", "
           "\"region\": \"a\"}\n",
           &r);
  assert_int_equal(r.n, 7);
  assert_string_equal(r.reason[0], "a key is given twice in the object");
  assert_int_equal(r.line[0], 1);
  assert_string_equal(r.reason[1],
                      "DesktopId and desktop_id given with different values");
  assert_int_equal(r.line[1], 2);
  assert_null(r.reason[2]);
  assert_string_equal(r.id[2], "ecd-3");
  assert_string_equal(r.reason[3],
                      "RegionId and region given with different values");
  assert_string_equal(r.reason[4], "a key is given twice in the object");
  assert_int_equal(r.line[4], 5);
  assert_string_equal(r.reason[5],
                      "DesktopId and desktop_id given with different values");
  assert_null(r.reason[6]);
  assert_string_equal(r.region[6], "a");
}

static void test_invalid_utf8_passes_through(void **state)
{
  struct rows r;

  (void)state;
  jsonl_ok("\"ecd-\xff\xfe\"\n", &r);
  assert_int_equal(r.n, 1);
  assert_null(r.reason[0]); /* the ID check in plan rejects it */
  assert_string_equal(r.id[0], "ecd-\xff\xfe");
}

static void test_sniffed_from_content(void **state)
{
  static const char data[] = "  {\"DesktopId\": \"ecd-1\"}\n";
  struct wr_ingest_opts o;
  struct rows r;
  struct wr_err err;

  (void)state;
  memset(&o, 0, sizeof(o));
  memset(&r, 0, sizeof(r));
  /* stdin has no extension: the first byte decides */
  assert_int_equal(wr_ingest_mem("-", data, sizeof(data) - 1, &o, rows_cb, &r,
                                 &err), 0);
  assert_int_equal(r.n, 1);
  assert_string_equal(r.id[0], "ecd-1");
  memset(&r, 0, sizeof(r));
  assert_int_equal(wr_ingest_mem("-", "ecd-1,x\n", 8, &o, rows_cb, &r, &err),
                   0);
  assert_string_equal(r.id[0], "ecd-1");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_forms),
    cmocka_unit_test(test_blank_lines_crlf_bom),
    cmocka_unit_test(test_broken_lines),
    cmocka_unit_test(test_long_line_skipped),
    cmocka_unit_test(test_nul_byte),
    cmocka_unit_test(test_escaped_nul),
    cmocka_unit_test(test_duplicate_keys),
    cmocka_unit_test(test_invalid_utf8_passes_through),
    cmocka_unit_test(test_sniffed_from_content),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
