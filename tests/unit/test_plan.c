#include "plan.h"
#include "err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXF 16
static char paths[MAXF][64];
static int npaths;

/* A temporary input file with the given suffix (".csv", ".jsonl"). */
static char *tmpfile_with(const char *suffix, const char *text)
{
  char *p;
  int fd;

  assert_true(npaths < MAXF);
  p = paths[npaths++];

  snprintf(p, sizeof(paths[0]), "/tmp/wr-test-plan-XXXXXX%s", suffix);
  fd = mkstemps(p, (int)strlen(suffix));
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
  return p;
}

static int cleanup(void **state)
{
  (void)state;
  while (npaths > 0)
    unlink(paths[--npaths]);
  return 0;
}

static void opts_default(struct wr_plan_opts *o)
{
  memset(o, 0, sizeof(*o));
  o->default_region = "cn-hangzhou";
  o->chunk_size = 20;
}

/* n IDs, one a line, no header. */
static char *ids_text(size_t n)
{
  char *t = malloc(n * 32 + 1), *p = t;
  size_t i;

  assert_non_null(t);
  *p = '\0';
  for (i = 0; i < n; i++)
    p += sprintf(p, "ecd-%05zx\n", i);
  return t;
}

static struct wr_plan *plan_of(const struct wr_plan_opts *o, const char *text,
                               const char *suffix)
{
  char *in[1];
  struct wr_plan *plan = NULL;
  struct wr_err err = {0};

  in[0] = tmpfile_with(suffix, text);
  if (wr_plan_build(o, in, 1, &plan, &err) != 0)
    fail_msg("plan: %s", err.msg);
  return plan;
}

/* Every valid ID in exactly one chunk, chunk ids 1..n, no chunk over the
 * size, none mixing regions. */
static void check_chunks(const struct wr_plan *plan, int chunk_size)
{
  size_t i, total = 0;
  char id[WR_CHUNK_ID_LEN];

  for (i = 0; i < plan->nchunks; i++) {
    snprintf(id, sizeof(id), "%zu", i + 1);
    assert_string_equal(plan->chunks[i].id, id);
    assert_true(plan->chunks[i].nids >= 1);
    assert_true(plan->chunks[i].nids <= (size_t)chunk_size);
    total += plan->chunks[i].nids;
  }
  assert_int_equal(total, plan->ndesktops);
}

static void test_chunk_boundaries(void **state)
{
  static const size_t n[] = {1, 19, 20, 21, 40, 41};
  static const size_t chunks[] = {1, 1, 1, 2, 2, 3};
  struct wr_plan_opts o;
  struct wr_plan *plan;
  size_t i;
  char *t;

  (void)state;
  opts_default(&o);
  for (i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
    t = ids_text(n[i]);
    plan = plan_of(&o, t, ".csv");
    assert_int_equal(plan->ndesktops, n[i]);
    assert_int_equal(plan->nchunks, chunks[i]);
    assert_int_equal(plan->chunks[plan->nchunks - 1].nids,
                     n[i] - (chunks[i] - 1) * 20);
    assert_string_equal(plan->chunks[0].ids[0], "ecd-00000");
    assert_string_equal(plan->chunks[0].client_token, "");
    assert_int_equal(plan->nwaves, 1);
    check_chunks(plan, 20);
    wr_plan_destroy(&plan);
    assert_null(plan);
    free(t);
  }
}

static void test_zero_ids_is_an_error(void **state)
{
  struct wr_plan_opts o;
  struct wr_plan *plan = NULL;
  struct wr_err err = {0};
  char *in[1];

  (void)state;
  opts_default(&o);
  in[0] = tmpfile_with(".csv", "");
  assert_int_equal(wr_plan_build(&o, in, 1, &plan, &err), WR_EINPUT);
  assert_null(plan);
  assert_non_null(strstr(err.msg, "no desktop ID"));
  in[0] = tmpfile_with(".csv", "DesktopId\nnope\n");
  assert_int_equal(wr_plan_build(&o, in, 1, &plan, &err), WR_EINPUT);
  assert_non_null(strstr(err.msg, ":2: \"nope\": invalid desktop ID"));
}

static void test_chunk_sizes_1_and_100(void **state)
{
  struct wr_plan_opts o;
  struct wr_plan *plan;
  char *t = ids_text(101);

  (void)state;
  opts_default(&o);
  o.chunk_size = 1;
  plan = plan_of(&o, t, ".csv");
  assert_int_equal(plan->nchunks, 101);
  assert_string_equal(plan->chunks[100].id, "101");
  check_chunks(plan, 1);
  wr_plan_destroy(&plan);
  o.chunk_size = 100;
  plan = plan_of(&o, t, ".csv");
  assert_int_equal(plan->nchunks, 2);
  assert_int_equal(plan->chunks[0].nids, 100);
  assert_int_equal(plan->chunks[1].nids, 1);
  wr_plan_destroy(&plan);
  free(t);
}

static void test_regions_grouped_in_first_appearance_order(void **state)
{
  struct wr_plan_opts o;
  struct wr_plan *plan;
  char text[8192], *p = text;
  int i;

  (void)state;
  opts_default(&o);
  o.default_region = NULL;
  p += sprintf(p, "DesktopId,RegionId\n");
  for (i = 0; i < 45; i++)
    p += sprintf(p, "ecd-%d,%s\n", i,
                 i % 3 == 0 ? "cn-shanghai" : i % 3 == 1 ? "ap-southeast-1"
                                                         : "cn-beijing");
  plan = plan_of(&o, text, ".csv");
  assert_int_equal(plan->nregions, 3);
  assert_string_equal(plan->regions[0].region, "cn-shanghai");
  assert_string_equal(plan->regions[1].region, "ap-southeast-1");
  assert_string_equal(plan->regions[2].region, "cn-beijing");
  assert_int_equal(plan->regions[0].desktops, 15);
  assert_int_equal(plan->nchunks, 3);
  for (i = 0; i < 3; i++) {
    assert_string_equal(plan->chunks[i].region, plan->regions[i].region);
    assert_int_equal(plan->chunks[i].nids, 15);
  }
  /* input order is kept inside a region */
  assert_string_equal(plan->chunks[0].ids[0], "ecd-0");
  assert_string_equal(plan->chunks[0].ids[1], "ecd-3");
  check_chunks(plan, 20);
  wr_plan_destroy(&plan);
}

static void test_rejections(void **state)
{
  struct wr_plan_opts o;
  struct wr_plan *plan;
  static const char text[] =
    "DesktopId,RegionId\n"
    "ecd-ok1,cn-hangzhou\n"              /* 2 */
    "ECD-UPPER,cn-hangzhou\n"            /* 3 */
    ",cn-hangzhou\n"                     /* 4 */
    "ecd-\x01\xff\xc3\xa9,cn-hangzhou\n" /* 5 */
    "ecd-ok2,\n"                         /* 6: no region */
    "ecd-ok3,Hangzhou\n"                 /* 7 */
    "ecd-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,"
    "cn-x1\n"                            /* 8: 65 chars */
    "ecd-,cn-hangzhou\n"                 /* 9 */
    "ecd-ok1,cn-hangzhou\n";             /* 10: duplicate */

  (void)state;
  opts_default(&o);
  o.default_region = NULL;
  plan = plan_of(&o, text, ".csv");
  assert_int_equal(plan->ndesktops, 1);
  assert_int_equal(plan->nduplicates, 1);
  assert_int_equal(plan->nrejected, 7);
  assert_int_equal(plan->rejected[0].line, 3);
  assert_non_null(strstr(plan->rejected[0].reason, "invalid desktop ID"));
  assert_string_equal(plan->rejected[1].reason, "empty desktop ID");
  assert_int_equal(plan->rejected[1].line, 4);
  /* control and invalid bytes escaped, valid UTF-8 kept */
  assert_string_equal(plan->rejected[2].value, "ecd-\\x01\\xff\xc3\xa9");
  assert_non_null(strstr(plan->rejected[3].reason, "no region"));
  assert_string_equal(plan->rejected[4].value, "Hangzhou");
  assert_non_null(strstr(plan->rejected[4].reason, "invalid region"));
  assert_non_null(strstr(plan->rejected[5].reason, "longer than 64"));
  assert_int_equal(plan->rejected[6].line, 9);
  assert_non_null(strstr(plan->rejected[0].source, "/tmp/wr-test-plan-"));
  wr_plan_destroy(&plan);
}

static void test_default_region_and_duplicates_across_inputs(void **state)
{
  struct wr_plan_opts o;
  struct wr_plan *plan = NULL;
  struct wr_err err = {0};
  char *in[2];

  (void)state;
  opts_default(&o);
  o.all_regions = true;
  in[0] = tmpfile_with(".csv", "ecd-1\necd-2\n");
  in[1] = tmpfile_with(".jsonl",
                       "\"ecd-2\"\n{\"DesktopId\":\"ecd-3\",\"region\":\"cn-x\"}\n");
  assert_int_equal(wr_plan_build(&o, in, 2, &plan, &err), 0);
  assert_int_equal(plan->ndesktops, 3);
  assert_int_equal(plan->nduplicates, 1);
  assert_int_equal(plan->nregions, 2);
  assert_string_equal(plan->regions[0].region, "cn-hangzhou");
  assert_string_equal(plan->regions[1].region, "cn-x");
  wr_plan_destroy(&plan);
}

static void test_duplicate_in_another_region(void **state)
{
  struct wr_plan_opts o;
  struct wr_plan *plan;

  (void)state;
  opts_default(&o);
  o.all_regions = true;
  plan = plan_of(&o, "DesktopId,RegionId\necd-1,cn-a1\necd-2,cn-b2\n"
                     "ecd-1,cn-b2\necd-1,cn-a1\n", ".csv");
  assert_int_equal(plan->ndesktops, 2);
  assert_int_equal(plan->nduplicates, 2);
  assert_int_equal(plan->regions[0].desktops, 1); /* the first row wins */
  assert_string_equal(plan->chunks[0].ids[0], "ecd-1");
  assert_string_equal(plan->chunks[0].region, "cn-a1");
  wr_plan_destroy(&plan);
}

/* --region is not a filter: rows of other regions too refuse the plan,
 * naming every region and its desktops, unless --only-region or
 * --all-regions says which are meant (issue 10 item 4). */
static void test_regions_explicit(void **state)
{
  static const char text[] =
      "DesktopId,RegionId\necd-1,cn-a1\necd-2,\necd-3,cn-b2\n"
      "ecd-4,cn-b2\necd-5,cn-hangzhou\n";
  struct wr_plan_opts o;
  struct wr_plan *plan = NULL;
  struct wr_err err = {0};
  char *in[1];

  (void)state;
  opts_default(&o);
  in[0] = tmpfile_with(".csv", text);
  assert_int_equal(wr_plan_build(&o, in, 1, &plan, &err), WR_EUSAGE);
  assert_null(plan);
  assert_non_null(strstr(err.msg, "--region cn-hangzhou"));
  assert_non_null(strstr(err.msg, "--only-region"));
  assert_non_null(strstr(err.msg, "--all-regions"));
  assert_non_null(strstr(err.msg, "cn-a1 1, cn-hangzhou 2, cn-b2 2"));

  /* --all-regions: every row, as before. */
  o.all_regions = true;
  assert_int_equal(wr_plan_build(&o, in, 1, &plan, &err), 0);
  assert_int_equal(plan->ndesktops, 5);
  assert_int_equal(plan->nregions, 3);
  assert_int_equal(plan->nrejected, 0);
  wr_plan_destroy(&plan);

  /* --only-region: the rows of other regions are rejected, with the
   * region in the reason, and not fatal under --strict. */
  o.all_regions = false;
  o.only_regions = "cn-hangzhou,cn-b2";
  o.strict = true;
  assert_int_equal(wr_plan_build(&o, in, 1, &plan, &err), 0);
  assert_int_equal(plan->ndesktops, 4);
  assert_int_equal(plan->nregions, 2);
  assert_int_equal(plan->nrejected, 1);
  assert_string_equal(plan->rejected[0].value, "ecd-1");
  assert_int_equal(plan->rejected[0].line, 2);
  assert_string_equal(plan->rejected[0].reason,
                      "region cn-a1 not selected (--only-region)");
  wr_plan_destroy(&plan);

  /* The default region itself may be left out: its rows go too. */
  o.only_regions = "cn-b2";
  assert_int_equal(wr_plan_build(&o, in, 1, &plan, &err), 0);
  assert_int_equal(plan->ndesktops, 2);
  assert_int_equal(plan->nrejected, 3);
  assert_string_equal(plan->rejected[1].reason,
                      "region cn-hangzhou not selected (--only-region)");
  /* One text a region, shared by its rows. */
  assert_ptr_equal(plan->rejected[1].reason, plan->rejected[2].reason);
  wr_plan_destroy(&plan);

  /* Nothing left: the usual error. */
  o.only_regions = "cn-zz9";
  assert_int_equal(wr_plan_build(&o, in, 1, &plan, &err), WR_EINPUT);
  assert_non_null(strstr(err.msg, "nothing to plan"));

  /* One region only, or no --region: nothing to say. */
  o.only_regions = NULL;
  o.strict = false;
  in[0] = tmpfile_with(".csv", "DesktopId,RegionId\necd-1,cn-hangzhou\n"
                               "ecd-2,\n");
  assert_int_equal(wr_plan_build(&o, in, 1, &plan, &err), 0);
  assert_int_equal(plan->ndesktops, 2);
  wr_plan_destroy(&plan);
  o.default_region = NULL;
  in[0] = tmpfile_with(".csv", "DesktopId,RegionId\necd-1,cn-a1\n"
                               "ecd-2,cn-b2\n");
  assert_int_equal(wr_plan_build(&o, in, 1, &plan, &err), 0);
  assert_int_equal(plan->nregions, 2);
  wr_plan_destroy(&plan);
}

static void test_strict(void **state)
{
  struct wr_plan_opts o;
  struct wr_plan *plan = NULL;
  struct wr_err err = {0};
  char *in[1];

  (void)state;
  opts_default(&o);
  o.strict = true;
  in[0] = tmpfile_with(".csv", "ecd-1\necd-2\nbad\necd-3\n");
  assert_int_equal(wr_plan_build(&o, in, 1, &plan, &err), WR_EINPUT);
  assert_null(plan);
  assert_non_null(strstr(err.msg, ":3: \"bad\": invalid desktop ID"));
  assert_non_null(strstr(err.msg, "--strict"));
}

static void test_missing_file(void **state)
{
  struct wr_plan_opts o;
  struct wr_plan *plan = NULL;
  struct wr_err err = {0};
  char *in[1] = {"/nonexistent/fleet.csv"};

  (void)state;
  opts_default(&o);
  assert_int_equal(wr_plan_build(&o, in, 1, &plan, &err), WR_EIO);
  assert_non_null(strstr(err.msg, "/nonexistent/fleet.csv"));
}

static void test_waves(void **state)
{
  struct wr_plan_opts o;
  struct wr_plan *plan;
  char *t = ids_text(20);
  static const size_t sizes[] = {3, 5, 5, 5, 2};
  size_t i;

  (void)state;
  opts_default(&o);
  o.canary = 3;
  o.wave_size = 5;
  plan = plan_of(&o, t, ".csv");
  assert_int_equal(plan->nchunks, 5);
  assert_int_equal(plan->nwaves, 5);
  for (i = 0; i < 5; i++) {
    assert_int_equal(plan->chunks[i].nids, sizes[i]);
    assert_int_equal(plan->chunks[i].wave, (int)i);
  }
  wr_plan_destroy(&plan);
  /* waves without a canary start at 1; a chunk is cut at a wave end */
  o.canary = 0;
  o.wave_size = 30;
  o.chunk_size = 20;
  free(t);
  t = ids_text(70);
  plan = plan_of(&o, t, ".csv");
  assert_int_equal(plan->nwaves, 3);
  assert_int_equal(plan->nchunks, 5); /* 20+10 | 20+10 | 10 */
  assert_int_equal(plan->chunks[1].nids, 10);
  assert_int_equal(plan->chunks[1].wave, 1);
  assert_int_equal(plan->chunks[2].wave, 2);
  assert_int_equal(plan->chunks[4].wave, 3);
  check_chunks(plan, 20);
  wr_plan_destroy(&plan);
  /* a canary larger than the fleet: everything in wave 0 */
  o.canary = 1000;
  o.wave_size = 0;
  plan = plan_of(&o, t, ".csv");
  assert_int_equal(plan->nwaves, 1);
  assert_int_equal(plan->chunks[3].wave, 0);
  wr_plan_destroy(&plan);
  free(t);
}

static bool is_uuid4(const char *s)
{
  size_t i;

  if (strlen(s) != 36 || s[14] != '4' || strchr("89ab", s[19]) == NULL)
    return false;
  for (i = 0; i < 36; i++) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-')
        return false;
    } else if (strchr("0123456789abcdef", s[i]) == NULL) {
      return false;
    }
  }
  return true;
}

static void test_client_tokens(void **state)
{
  struct wr_plan_opts o;
  struct wr_plan *plan;
  char *t = ids_text(60), u[WR_CLIENT_TOKEN_LEN];
  size_t i, j;

  (void)state;
  opts_default(&o);
  o.client_tokens = true;
  plan = plan_of(&o, t, ".csv");
  assert_int_equal(plan->nchunks, 3);
  for (i = 0; i < plan->nchunks; i++) {
    assert_true(is_uuid4(plan->chunks[i].client_token));
    for (j = 0; j < i; j++)
      assert_string_not_equal(plan->chunks[i].client_token,
                              plan->chunks[j].client_token);
  }
  wr_plan_destroy(&plan);
  free(t);
  assert_int_equal(wr_uuid4(u), 0);
  assert_true(is_uuid4(u));
}

static void test_syntax(void **state)
{
  (void)state;
  assert_true(wr_desktop_id_valid("ecd-49fa0f9d345172da1", 21));
  assert_false(wr_desktop_id_valid("ecd-", 4));
  assert_false(wr_desktop_id_valid("ecd-A", 5));
  assert_false(wr_desktop_id_valid("ecs-abc", 7));
  assert_false(wr_desktop_id_valid("ecd-a b", 7));
  assert_true(wr_region_valid("cn-hangzhou", 11));
  assert_true(wr_region_valid("ap-southeast-1", 14));
  assert_true(wr_region_valid("cn-shanghai-finance-1", 21));
  assert_false(wr_region_valid("hangzhou", 8));
  assert_false(wr_region_valid("cn--x", 5));
  assert_false(wr_region_valid("cn-x-", 5));
  assert_false(wr_region_valid("CN-x", 4));
  assert_false(wr_region_valid("1n-x", 4));
}

static void test_opts_validated(void **state)
{
  struct wr_plan_opts o;
  struct wr_plan *plan = NULL;
  struct wr_err err = {0};
  char *in[1] = {"x.csv"};

  (void)state;
  opts_default(&o);
  o.chunk_size = 101;
  assert_int_equal(wr_plan_build(&o, in, 1, &plan, &err), WR_EINVAL);
  opts_default(&o);
  o.default_region = "nope";
  assert_int_equal(wr_plan_build(&o, in, 1, &plan, &err), WR_EINVAL);
  opts_default(&o);
  assert_int_equal(wr_plan_build(&o, in, 0, &plan, &err), WR_EINPUT);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_teardown(test_chunk_boundaries, cleanup),
    cmocka_unit_test_teardown(test_zero_ids_is_an_error, cleanup),
    cmocka_unit_test_teardown(test_chunk_sizes_1_and_100, cleanup),
    cmocka_unit_test_teardown(test_regions_grouped_in_first_appearance_order,
                              cleanup),
    cmocka_unit_test_teardown(test_rejections, cleanup),
    cmocka_unit_test_teardown(test_default_region_and_duplicates_across_inputs,
                              cleanup),
    cmocka_unit_test_teardown(test_duplicate_in_another_region, cleanup),
    cmocka_unit_test_teardown(test_regions_explicit, cleanup),
    cmocka_unit_test_teardown(test_strict, cleanup),
    cmocka_unit_test_teardown(test_missing_file, cleanup),
    cmocka_unit_test_teardown(test_waves, cleanup),
    cmocka_unit_test_teardown(test_client_tokens, cleanup),
    cmocka_unit_test(test_syntax),
    cmocka_unit_test(test_opts_validated),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
