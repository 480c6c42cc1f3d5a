#include "idset.h"
#include "err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_add_find(void **state)
{
  struct wr_idset *set = NULL;
  size_t idx = 99;

  (void)state;
  assert_int_equal(wr_idset_create(0, &set), 0);
  assert_int_equal(wr_idset_add(set, "ecd-a", 5, &idx), 1);
  assert_int_equal(idx, 0);
  assert_int_equal(wr_idset_add(set, "ecd-b", 5, &idx), 1);
  assert_int_equal(idx, 1);
  assert_int_equal(wr_idset_add(set, "ecd-a", 5, &idx), 0);
  assert_int_equal(idx, 0);
  /* prefixes and extensions are different keys */
  assert_int_equal(wr_idset_add(set, "ecd-ab", 6, NULL), 1);
  assert_int_equal(wr_idset_add(set, "ecd-", 4, NULL), 1);
  assert_int_equal(wr_idset_find(set, "ecd-ab", 6), 2);
  assert_int_equal(wr_idset_find(set, "ecd-abc", 7), -1);
  assert_int_equal(wr_idset_find(set, "ecd-a", 4), 3); /* "ecd-" */
  assert_int_equal(wr_idset_count(set), 4);
  assert_string_equal(wr_idset_key(set, 1), "ecd-b");
  assert_null(wr_idset_key(set, 4));
  wr_idset_destroy(&set);
  assert_null(set);
  wr_idset_destroy(&set); /* safe on NULL */
}

static void test_many_keys_grow(void **state)
{
  struct wr_idset *set = NULL;
  char key[32];
  size_t i, idx;
  int n;

  (void)state;
  assert_int_equal(wr_idset_create(0, &set), 0);
  for (i = 0; i < 200000; i++) {
    n = snprintf(key, sizeof(key), "ecd-%zx", i * 2654435761u);
    assert_int_equal(wr_idset_add(set, key, (size_t)n, &idx), 1);
    assert_int_equal(idx, i);
  }
  for (i = 0; i < 200000; i += 7) {
    n = snprintf(key, sizeof(key), "ecd-%zx", i * 2654435761u);
    assert_int_equal(wr_idset_add(set, key, (size_t)n, &idx), 0);
    assert_int_equal(idx, i);
    assert_string_equal(wr_idset_key(set, i), key);
  }
  assert_int_equal(wr_idset_count(set), 200000);
  wr_idset_destroy(&set);
}

static void test_hint_and_hashed(void **state)
{
  struct wr_idset *set = NULL;
  uint32_t h = wr_idset_hash("ecd-x", 5);
  size_t idx;

  (void)state;
  assert_int_equal(wr_idset_create(100000, &set), 0);
  wr_idset_prefetch(set, h);
  assert_int_equal(wr_idset_add_hashed(set, "ecd-x", 5, h, &idx), 1);
  assert_int_equal(wr_idset_add(set, "ecd-x", 5, &idx), 0);
  assert_int_equal(idx, 0);
  wr_idset_destroy(&set);
}

/* A hint that is no power of two sizes a table of that size: fill it past
 * 70% (it grows), check every key, then seal and drop the index: the key
 * pointers handed out stay valid. */
static void test_odd_size_seal_drop(void **state)
{
  struct wr_idset *set = NULL;
  const char *keep[3];
  char key[32];
  size_t i, idx;
  int n;

  (void)state;
  assert_int_equal(wr_idset_create(1234, &set), 0);
  for (i = 0; i < 5000; i++) {
    n = snprintf(key, sizeof(key), "ecd-%zx", i * 40503u);
    assert_int_equal(wr_idset_add(set, key, (size_t)n, &idx), 1);
    assert_int_equal(idx, i);
  }
  for (i = 0; i < 5000; i++) {
    n = snprintf(key, sizeof(key), "ecd-%zx", i * 40503u);
    assert_int_equal(wr_idset_find(set, key, (size_t)n), (long)i);
  }
  assert_int_equal(wr_idset_find(set, "ecd-none", 8), -1);
  wr_idset_seal(set);
  assert_int_equal(wr_idset_count(set), 5000);
  keep[0] = wr_idset_key(set, 0);
  keep[1] = wr_idset_key(set, 2500);
  keep[2] = wr_idset_key(set, 4999);
  assert_string_equal(keep[1], "ecd-609111c");   /* 2500 * 40503 */
  wr_idset_drop_index(set);
  assert_int_equal(wr_idset_count(set), 0);
  assert_null(wr_idset_key(set, 0));
  assert_string_equal(keep[0], "ecd-0");
  assert_string_equal(keep[1], "ecd-609111c");
  assert_string_equal(keep[2], "ecd-c118401");   /* 4999 * 40503 */
  wr_idset_destroy(&set);
  assert_null(set);
}

static void test_arena(void **state)
{
  struct wr_arena a;
  char *s, *big;
  void *p;

  (void)state;
  wr_arena_init(&a);
  s = wr_arena_strndup(&a, "hello world", 5);
  assert_string_equal(s, "hello");
  p = wr_arena_alloc(&a, 24);
  assert_int_equal((uintptr_t)p % 16, 0);
  big = wr_arena_alloc(&a, 3 * 1024 * 1024); /* larger than a block */
  assert_non_null(big);
  memset(big, 1, 3 * 1024 * 1024);
  assert_string_equal(s, "hello"); /* earlier memory stays put */
  wr_arena_free(&a);
  assert_null(a.head);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_add_find),
    cmocka_unit_test(test_many_keys_grow),
    cmocka_unit_test(test_hint_and_hashed),
    cmocka_unit_test(test_odd_size_seal_drop),
    cmocka_unit_test(test_arena),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
