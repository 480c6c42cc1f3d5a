#include "ingest.h"
#include "err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ingest_rows.h"

/* Every test runs at three block sizes: one byte (every token split),
 * seven bytes (splits inside quotes and CRLF), and the default. */
static const size_t blocks[] = {1, 7, 0};
#define NBLOCKS (sizeof(blocks) / sizeof(blocks[0]))

static void csv_ok(const char *data, const char *column, struct rows *r)
{
  struct wr_err err;
  size_t i;
  struct rows first;

  for (i = 0; i < NBLOCKS; i++) {
    int rc = ingest(data, strlen(data), WR_FORMAT_CSV, column, blocks[i], r,
                    &err);
    if (rc != 0)
      fail_msg("block %zu: rc %d: %s", blocks[i], rc, err.msg);
    if (i == 0) {
      first = *r;
    } else {
      /* the same rows whatever the block size */
      assert_int_equal(r->n, first.n);
      assert_memory_equal(r->line, first.line, sizeof(r->line));
      assert_memory_equal(r->id, first.id, sizeof(r->id));
    }
  }
}

static void csv_err(const char *data, size_t len, const char *column,
                    const char *expect)
{
  struct rows r;
  struct wr_err err;
  size_t i;

  for (i = 0; i < NBLOCKS; i++) {
    int rc = ingest(data, len, WR_FORMAT_CSV, column, blocks[i], &r, &err);
    assert_true(rc < 0);
    if (strstr(err.msg, expect) == NULL)
      fail_msg("expected \"%s\" in \"%s\"", expect, err.msg);
  }
}

static void test_no_header(void **state)
{
  struct rows r;

  (void)state;
  csv_ok("ecd-a1\necd-a2,x\n  ecd-a3  \n", NULL, &r);
  assert_int_equal(r.n, 3);
  assert_string_equal(r.id[0], "ecd-a1");
  assert_string_equal(r.id[2], "ecd-a3"); /* trimmed */
  assert_int_equal(r.line[2], 3);
  assert_string_equal(r.region[1], ""); /* no header: no region column */
}

static void test_header_and_region(void **state)
{
  struct rows r;

  (void)state;
  csv_ok("Name,desktopID,RegionId\nx,ecd-1,cn-hangzhou\ny,ecd-2,\n", NULL, &r);
  assert_int_equal(r.n, 2);
  assert_string_equal(r.id[0], "ecd-1");
  assert_string_equal(r.region[0], "cn-hangzhou");
  assert_int_equal(r.line[0], 2);
  assert_string_equal(r.region[1], "");
  csv_ok("region,DESKTOP_ID\ncn-beijing,ecd-9\n", NULL, &r);
  assert_int_equal(r.n, 1);
  assert_string_equal(r.id[0], "ecd-9");
  assert_string_equal(r.region[0], "cn-beijing");
}

static void test_bom_crlf_quotes(void **state)
{
  struct rows r;

  (void)state;
  csv_ok("\xEF\xBB\xBF" "DesktopId,Notes\r\n"
         "\"ecd-1\",\"a, b\"\r\n"
         "ecd-2,\"say \"\"hi\"\"\"\r\n"
         "\"ecd-3\",\"two\r\nlines\"\r\n"
         "ecd-4,last\r\n", NULL, &r);
  assert_int_equal(r.n, 4);
  assert_string_equal(r.id[0], "ecd-1");
  assert_int_equal(r.line[0], 2);
  assert_int_equal(r.line[1], 3);
  assert_int_equal(r.line[2], 4); /* the record starts on line 4 */
  assert_int_equal(r.line[3], 6); /* and took two lines */
}

static void test_embedded_newline_in_id_field(void **state)
{
  struct rows r;

  (void)state;
  csv_ok("DesktopId\n\"ecd-\n1\"\necd-2\n", NULL, &r);
  assert_int_equal(r.n, 2);
  assert_string_equal(r.id[0], "ecd-\n1"); /* kept: plan rejects it */
  assert_int_equal(r.line[0], 2);
  assert_int_equal(r.line[1], 4);
}

static void test_blank_lines_and_cells(void **state)
{
  struct rows r;

  (void)state;
  csv_ok("\n\nDesktopId,RegionId\n\n   \n,,\necd-1,cn-x\n\n", NULL, &r);
  assert_int_equal(r.n, 1);
  assert_int_equal(r.line[0], 7);
}

static void test_no_trailing_newline(void **state)
{
  struct rows r;

  (void)state;
  csv_ok("ecd-1\necd-2", NULL, &r);
  assert_int_equal(r.n, 2);
  assert_string_equal(r.id[1], "ecd-2");
  assert_int_equal(r.line[1], 2);
}

static void test_column_by_name_and_number(void **state)
{
  struct rows r;

  (void)state;
  csv_ok("Host,Machine\nh1,ecd-1\nh2,ecd-2\n", "machine", &r);
  assert_int_equal(r.n, 2);
  assert_string_equal(r.id[1], "ecd-2");
  csv_ok("h1,ecd-1\nh2,ecd-2\n", "2", &r);
  assert_int_equal(r.n, 2);
  assert_string_equal(r.id[0], "ecd-1");
  assert_int_equal(r.line[0], 1);
  /* a number with a header: the header is still recognised */
  csv_ok("Name,DesktopId,Other\nx,ecd-1,ecd-9\n", "3", &r);
  assert_int_equal(r.n, 1);
  assert_string_equal(r.id[0], "ecd-9");
  csv_err("Host,Other\nh1,ecd-1\n", 19, "Machine",
          "t.csv:1: no column named \"Machine\"");
}

static void test_header_without_id_column(void **state)
{
  (void)state;
  csv_err("Name,RegionId\nx,cn-a\n", 21, NULL,
          "header row names no DesktopId column");
}

static void test_short_row(void **state)
{
  struct rows r;

  (void)state;
  csv_ok("Name,DesktopId\nalone\nx,ecd-1\n", NULL, &r);
  assert_int_equal(r.n, 2);
  assert_non_null(r.reason[0]);
  assert_string_equal(r.id[0], "alone"); /* shown, so the row can be found */
  assert_int_equal(r.line[0], 2);
  assert_null(r.reason[1]);
}

static void test_unterminated_quote(void **state)
{
  static const char data[] = "DesktopId\necd-1\n\"ecd-2\nmore\n";

  (void)state;
  csv_err(data, sizeof(data) - 1, NULL, "t.csv:3: unterminated quoted field");
}

static void test_nul_byte(void **state)
{
  static const char data[] = "ecd-1\necd-\0002\n";

  (void)state;
  csv_err(data, sizeof(data) - 1, NULL, "t.csv:2: NUL byte");
}

static void test_huge_line(void **state)
{
  size_t n = 10 * 1024 * 1024, i;
  char *data = malloc(n + 16);
  struct rows r;
  struct wr_err err;

  (void)state;
  assert_non_null(data);
  memcpy(data, "ecd-1\n", 6);
  for (i = 6; i < n; i++)
    data[i] = 'x';
  data[n] = '\n';
  assert_true(ingest(data, n + 1, WR_FORMAT_CSV, NULL, 0, &r, &err) ==
              WR_EINPUT);
  assert_non_null(strstr(err.msg, "t.csv:2: a field longer than"));
  assert_int_equal(r.n, 1); /* the row before was read */
  free(data);
}

static void test_long_cell_truncated(void **state)
{
  char data[2000];
  struct rows r;

  (void)state;
  memset(data, 'a', sizeof(data));
  memcpy(data, "ecd-", 4);
  data[sizeof(data) - 1] = '\0';
  csv_ok(data, NULL, &r);
  assert_int_equal(r.n, 1);
  assert_true(r.truncated[0]);
  assert_int_equal(strlen(r.id[0]), WR_INGEST_CELL_MAX);
}

static void test_garbage(void **state)
{
  unsigned char data[4096];
  struct rows r;
  struct wr_err err;
  unsigned x = 12345;
  size_t i;

  (void)state;
  /* pseudo-random bytes without NUL: must end cleanly either way */
  for (i = 0; i < sizeof(data); i++) {
    x = x * 1103515245u + 12345u;
    data[i] = (unsigned char)(1 + (x >> 16) % 255);
  }
  (void)ingest((char *)data, sizeof(data), WR_FORMAT_CSV, NULL, 0, &r, &err);
  (void)ingest((char *)data, sizeof(data), WR_FORMAT_CSV, NULL, 1, &r, &err);
}

/* The input ends exactly at a PROT_NONE page: a read past it crashes. */
static void test_guard_page(void **state)
{
  static const char text[] = "DesktopId,RegionId\r\n\"ecd-1\",cn-a1\r\necd-2";
  long page = sysconf(_SC_PAGESIZE);
  char *mem, *at;
  struct rows r;
  struct wr_err err;
  size_t i;

  (void)state;
  mem = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE,
             /* cppcheck-suppress invalidFunctionArg ; an anonymous map
              * takes no file: fd -1 is what POSIX and Linux ask for */
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  assert_true(mem != MAP_FAILED);
  assert_int_equal(mprotect(mem + page, (size_t)page, PROT_NONE), 0);
  at = mem + page - (sizeof(text) - 1);
  memcpy(at, text, sizeof(text) - 1);
  for (i = 0; i < NBLOCKS; i++) {
    assert_int_equal(ingest(at, sizeof(text) - 1, WR_FORMAT_CSV, NULL,
                            blocks[i], &r, &err), 0);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.id[1], "ecd-2");
    assert_int_equal(r.line[1], 3);
  }
  munmap(mem, (size_t)page * 2);
}

static void test_empty(void **state)
{
  struct rows r;
  struct wr_err err;

  (void)state;
  assert_int_equal(ingest("", 0, WR_FORMAT_CSV, NULL, 0, &r, &err), 0);
  assert_int_equal(r.n, 0);
  assert_int_equal(ingest("\xEF\xBB\xBF", 3, WR_FORMAT_CSV, NULL, 0, &r, &err),
                   0);
  assert_int_equal(r.n, 0);
}

static void test_format_detection(void **state)
{
  (void)state;
  assert_int_equal(wr_ingest_format_of("a/b.csv"), WR_FORMAT_CSV);
  assert_int_equal(wr_ingest_format_of("a.JSONL"), WR_FORMAT_JSONL);
  assert_int_equal(wr_ingest_format_of("a.ndjson"), WR_FORMAT_JSONL);
  assert_int_equal(wr_ingest_format_of("a.txt"), WR_FORMAT_AUTO);
  assert_int_equal(wr_ingest_format_of("dir.d/file"), WR_FORMAT_AUTO);
  assert_int_equal(wr_ingest_format_of("-"), WR_FORMAT_AUTO);
}

static void test_files(void **state)
{
  struct wr_ingest_opts o;
  struct rows r;
  struct wr_err err;

  (void)state;
  memset(&o, 0, sizeof(o));
  memset(&r, 0, sizeof(r));
  assert_int_equal(wr_ingest_file("/nonexistent/x.csv", &o, rows_cb, &r, &err),
                   WR_EIO);
  assert_non_null(strstr(err.msg, "/nonexistent/x.csv: cannot open"));
  assert_int_equal(wr_ingest_file("/tmp", &o, rows_cb, &r, &err), WR_EIO);
  assert_non_null(strstr(err.msg, "is a directory"));
  assert_int_equal(wr_ingest_file(WR_SOURCE_DIR "/samples/messy.csv", &o,
                                  rows_cb, &r, &err), 0);
  assert_int_equal(r.n, 15);
  assert_int_equal(r.line[2], 4);  /* carol: a two-line record */
  assert_string_equal(r.id[2], "ecd-0a1b2c3d4e5f60003");
  assert_string_equal(r.region[2], "cn-shanghai");
}

/* Issue 12: the bytes as read are hashed (a BOM included), whatever the
 * block size; sha256sum of the same bytes. */
static void test_digest(void **state)
{
  static const char data[] = "\xEF\xBB\xBF" "ecd-aaaa1,cn-hangzhou\n";
  struct wr_ingest_digest dg;
  struct wr_ingest_opts o;
  struct rows r;
  struct wr_err err = {0};
  size_t sizes[] = {1, 2, 1024}, i;

  (void)state;
  for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
    memset(&o, 0, sizeof(o));
    memset(&r, 0, sizeof(r));
    o.block = sizes[i];
    o.digest = &dg;
    assert_int_equal(wr_ingest_mem("t.csv", data, sizeof(data) - 1, &o,
                                   rows_cb, &r, &err), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(dg.bytes, sizeof(data) - 1);
    assert_string_equal(dg.sha256, "ead62da7fdb82fb9f8314623093c13d3a9c28240"
                                   "df0a3983574d09952fbf4749");
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_no_header),
    cmocka_unit_test(test_header_and_region),
    cmocka_unit_test(test_bom_crlf_quotes),
    cmocka_unit_test(test_embedded_newline_in_id_field),
    cmocka_unit_test(test_blank_lines_and_cells),
    cmocka_unit_test(test_no_trailing_newline),
    cmocka_unit_test(test_column_by_name_and_number),
    cmocka_unit_test(test_header_without_id_column),
    cmocka_unit_test(test_short_row),
    cmocka_unit_test(test_unterminated_quote),
    cmocka_unit_test(test_nul_byte),
    cmocka_unit_test(test_huge_line),
    cmocka_unit_test(test_long_cell_truncated),
    cmocka_unit_test(test_garbage),
    cmocka_unit_test(test_guard_page),
    cmocka_unit_test(test_empty),
    cmocka_unit_test(test_format_detection),
    cmocka_unit_test(test_files),
    cmocka_unit_test(test_digest),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
