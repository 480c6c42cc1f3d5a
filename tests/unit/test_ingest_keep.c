/* --keep-columns in ingest and the plan: each row's named cells (CSV
 * header names, JSONL keys), whatever the block size; unknown names
 * refused with the file, the name and what there is; the plan keeps a
 * desktop's first row's values in plan order. */
#include "ingest.h"
#include "plan.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N 8

struct kept {
  size_t n;
  char v[N][2][64];  /* "-" for none */
};

static int cb(void *ctx, const struct wr_ingest_row *row, struct wr_err *err)
{
  struct kept *k = ctx;
  size_t i;

  (void)err;
  assert_true(k->n < N);
  for (i = 0; i < 2; i++) {
    const char *v = row->kept != NULL ? row->kept[i] : NULL;

    snprintf(k->v[k->n][i], sizeof(k->v[0][0]), "%.*s",
             v != NULL ? (int)row->kept_len[i] : 1, v != NULL ? v : "-");
  }
  k->n++;
  return 0;
}

static int run(const char *data, enum wr_input_format f, size_t block,
               const char *const *names, struct kept *k, struct wr_err *err)
{
  struct wr_ingest_opts o;

  memset(k, 0, sizeof(*k));
  memset(err, 0, sizeof(*err));
  memset(&o, 0, sizeof(o));
  o.format = f;
  o.block = block;
  o.keep = names;
  o.nkeep = 2;
  return wr_ingest_mem(f == WR_FORMAT_CSV ? "t.csv" : "t.jsonl", data,
                       strlen(data), &o, cb, k, err);
}

static void test_csv(void **state)
{
  static const char *const names[] = {"owner", "Name"};
  static const char csv[] =
      "DesktopId,Name,RegionId,Owner\r\n"
      "ecd-a1,\"Desk 1, floor 2\",cn-hangzhou,alice\r\n"
      "ecd-a2,,cn-hangzhou\r\n"
      "ecd-a3,  Desk 3  ,cn-hangzhou,=1+1\r\n";
  static const size_t blocks[] = {0, 1, 7};
  struct kept k;
  struct wr_err err;
  size_t b;

  (void)state;
  for (b = 0; b < 3; b++) {
    assert_int_equal(run(csv, WR_FORMAT_CSV, blocks[b], names, &k, &err), 0);
    assert_int_equal(k.n, 3);
    assert_string_equal(k.v[0][0], "alice");
    assert_string_equal(k.v[0][1], "Desk 1, floor 2");
    assert_string_equal(k.v[1][0], "-"); /* a short row */
    assert_string_equal(k.v[1][1], "-"); /* an empty cell */
    assert_string_equal(k.v[2][0], "=1+1");
    assert_string_equal(k.v[2][1], "Desk 3");
  }
  assert_int_equal(run("DesktopId,Name\necd-a1,x\n", WR_FORMAT_CSV, 0, names,
                       &k, &err), WR_EINPUT);
  assert_string_equal(err.msg, "t.csv:1: --keep-columns: no column "
                               "\"owner\"; the header names: DesktopId, "
                               "Name");
  assert_int_equal(run("ecd-a1\n", WR_FORMAT_CSV, 0, names, &k, &err),
                   WR_EINPUT);
  assert_non_null(strstr(err.msg, "needs a header row"));
}

static void test_jsonl(void **state)
{
  static const char *const names[] = {"Owner", "Users"};
  static const char jsonl[] =
      "{\"DesktopId\":\"ecd-a1\",\"Owner\":\"al\\\"ice\",\"Users\":[\"u\",1]}\n"
      "\"ecd-a2\"\n"
      "{\"DesktopId\":\"ecd-a3\",\"Owner\":null,\"Users\":7}\n";
  static const size_t blocks[] = {0, 1, 5};
  struct kept k;
  struct wr_err err;
  size_t b;

  (void)state;
  for (b = 0; b < 3; b++) {
    assert_int_equal(run(jsonl, WR_FORMAT_JSONL, blocks[b], names, &k, &err),
                     0);
    assert_int_equal(k.n, 3);
    assert_string_equal(k.v[0][0], "al\"ice");
    assert_string_equal(k.v[0][1], "[\"u\",1]");
    assert_string_equal(k.v[1][0], "-"); /* a string line: no columns */
    assert_string_equal(k.v[2][0], "-");
    assert_string_equal(k.v[2][1], "7");
  }
  /* a key no line has */
  assert_int_equal(run("{\"DesktopId\":\"ecd-a1\",\"Owner\":\"x\"}\n",
                       WR_FORMAT_JSONL, 0, names, &k, &err), WR_EINPUT);
  assert_string_equal(err.msg, "t.jsonl: --keep-columns: no object has the "
                               "key \"Users\"; the keys of line 1: "
                               "DesktopId, Owner");
}

static void test_plan(void **state)
{
  static const char *const names[] = {"Name", "Owner"};
  char path[] = "/tmp/wr-keep-XXXXXX";
  const char *data = "DesktopId,RegionId,Name,Owner\n"
                     "ecd-b1,cn-shanghai,one,o1\n"
                     "ecd-a1,cn-hangzhou,two,\n"
                     "ecd-b1,cn-shanghai,again,o9\n"
                     "ecd-b2,cn-shanghai,three,o3\n";
  char *inputs[1] = {path};
  struct wr_plan_opts po;
  struct wr_plan *plan = NULL;
  struct wr_err err = {0};
  const struct wr_chunk *c;
  int fd = mkstemp(path);

  (void)state;
  assert_true(fd >= 0);
  assert_int_equal(write(fd, data, strlen(data)), (ssize_t)strlen(data));
  close(fd);
  memset(&po, 0, sizeof(po));
  po.format = WR_FORMAT_CSV;
  po.chunk_size = 20;
  po.keep = names;
  po.nkeep = 2;
  assert_int_equal(wr_plan_build(&po, inputs, 1, &plan, &err), 0);
  unlink(path);
  assert_int_equal(plan->nkeep, 2);
  assert_string_equal(plan->keep_names[1], "Owner");
  assert_int_equal(plan->nchunks, 2);
  c = &plan->chunks[0]; /* cn-shanghai first: ecd-b1, ecd-b2 */
  assert_string_equal(c->ids[1], "ecd-b2");
  assert_string_equal(c->kept[0], "one");   /* the first row's */
  assert_string_equal(c->kept[1], "o1");
  assert_string_equal(c->kept[2], "three");
  assert_string_equal(c->kept[3], "o3");
  c = &plan->chunks[1];
  assert_string_equal(c->kept[0], "two");
  assert_null(c->kept[1]);
  wr_plan_destroy(&plan);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_csv),
      cmocka_unit_test(test_jsonl),
      cmocka_unit_test(test_plan),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
