/* report_records: the reusable chunk and plan records print the same
 * bytes as the builders (wr_record_chunk, wr_record_plan) for the same
 * input, however often one template is refilled, with shapes that grow
 * and shrink, and through the report writer as well as cJSON's printer.
 * Run under ASan, the same tests check that nothing leaks or is freed
 * twice. */
#include "journal_records.h"

#include "err.h"
#include "journal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define NSTR 160
#define STRLEN 64
#define MAXIDS 130
#define MAXRIDS 8

/* A deterministic generator (xorshift64), the same on every platform. */
static uint64_t seed = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
  seed ^= seed << 13;
  seed ^= seed >> 7;
  seed ^= seed << 17;
  return (uint32_t)(seed >> 32) % n;
}

/* An outcome and the strings it points at. */
struct gen {
  char s[NSTR][STRLEN];
  size_t ns;
  const char *ids[MAXIDS];
  const char *rids[MAXRIDS];
  struct wr_chunk_outcome o;
};

/* A string that needs every kind of JSON escape now and then: quotes,
 * backslashes, control characters, and UTF-8. */
static const char *rnd_str(struct gen *g)
{
  static const char *const pieces[] = {
    "ecd-", "a", "Z", "0", "9", "\"", "\\", "/", "\b", "\f", "\n", "\r",
    "\t", "\x01", "\x1f", "\x7f", "\xc3\xa9", "\xe4\xb8\xad",
    "\xf0\x9f\x98\x80", " ", "-", "{}", "[]", ":", ","};
  char *p = g->s[g->ns++];
  size_t len = 0, n = rnd(8);

  assert_true(g->ns <= NSTR);
  while (n-- > 0) {
    const char *piece = pieces[rnd(sizeof(pieces) / sizeof(pieces[0]))];

    if (len + strlen(piece) >= STRLEN)
      break;
    memcpy(p + len, piece, strlen(piece));
    len += strlen(piece);
  }
  p[len] = '\0';
  return p;
}

/* NULL one time in four. */
static const char *rnd_str_or_null(struct gen *g)
{
  return rnd(4) == 0 ? NULL : rnd_str(g);
}

static int64_t rnd_time(void)
{
  static const int64_t t[] = {0, -5, 1, 1714550400123LL, 1714550401000LL,
                              253402300799999LL};

  return rnd(3) == 0 ? t[rnd(6)] : 1700000000000LL + rnd(1u << 30);
}

static void rnd_outcome(struct gen *g)
{
  static const char *const status[] = {"ok", "failed", "skipped", NULL};
  static const long http[] = {0, 200, 503, -1, 429, 100000};
  static const int64_t lat[] = {-1, 0, 1, 87, 1LL << 40,
                                123456789012345678LL, -42};
  static const size_t nids[] = {0, 1, 2, 20, 100, MAXIDS};
  size_t i;

  memset(g, 0, sizeof(*g));
  g->o.chunk_id = rnd_str_or_null(g);
  g->o.region = rnd_str_or_null(g);
  g->o.nids = rnd(2) ? nids[rnd(6)] : rnd(5);
  for (i = 0; i < g->o.nids; i++)
    g->ids[i] = rnd(20) == 0 ? NULL
              : g->ns < NSTR - 16 && rnd(4) == 0 ? rnd_str(g) : "ecd-fixed";
  g->o.ids = g->ids;
  g->o.client_token = rnd_str_or_null(g);
  g->o.status = rnd(5) == 0 ? rnd_str(g) : status[rnd(4)];
  g->o.request_id = rnd_str_or_null(g);
  g->o.nattempt_request_ids = rnd(MAXRIDS);
  for (i = 0; i < g->o.nattempt_request_ids; i++)
    g->rids[i] = rnd(8) == 0 ? NULL : rnd_str(g);
  g->o.attempt_request_ids = g->rids;
  g->o.http_status = rnd(2) ? http[rnd(6)] : 100 + (long)rnd(500);
  g->o.error_code = rnd_str_or_null(g);
  g->o.error_message = rnd_str_or_null(g);
  g->o.attempts = rnd(4) == 0 ? INT_MAX : (int)rnd(11);
  g->o.ambiguous_attempts = rnd(4) == 0 ? -1 : (int)rnd(3);
  g->o.started_wall_ms = rnd_time();
  g->o.finished_wall_ms = rnd_time();
  g->o.latency_ms = rnd(2) ? lat[rnd(7)] : (int64_t)rnd(100000);
}

/* The builder's text for o. */
static char *built(const struct wr_chunk_outcome *o)
{
  cJSON *rec = wr_record_chunk(o);
  char *t;

  assert_non_null(rec);
  t = cJSON_PrintUnformatted(rec);
  cJSON_Delete(rec);
  assert_non_null(t);
  return t;
}

static void assert_same_chunk(struct wr_chunk_record *r,
                              const struct wr_chunk_outcome *o)
{
  const cJSON *tpl = wr_chunk_record_fill(r, o);
  char *want = built(o), *got;

  assert_non_null(tpl);
  got = cJSON_PrintUnformatted(tpl);
  assert_non_null(got);
  assert_string_equal(got, want);
  cJSON_free(got);
  cJSON_free(want);
}

static void test_chunk_edge_cases(void **state)
{
  static const char *const ids[] = {"ecd-aaaa", NULL, "ecd-\"q\"",
                                    "ecd-\\", "\xe4\xb8\xad\n\x01"};
  static const char *const rids[] = {"REQ-1", NULL, "REQ-3", "", "\t",
                                     "REQ-6", "REQ-7"};
  static const char *many[100];
  struct wr_chunk_record *r = NULL;
  struct wr_chunk_outcome o;
  size_t i, k;

  (void)state;
  for (i = 0; i < 100; i++)
    many[i] = i % 2 ? "ecd-odd" : "ecd-even";
  assert_int_equal(wr_chunk_record_create(&r), 0);
  assert_non_null(r);
  /* Everything NULL, no element, no time: all nulls and empty arrays. */
  memset(&o, 0, sizeof(o));
  assert_same_chunk(r, &o);
  o.latency_ms = -1;
  assert_same_chunk(r, &o);
  /* Grow, shrink, grow: 0..7 attempt ids with 0/1/5/100 desktops. */
  for (k = 0; k < 3; k++)
    for (i = 0; i <= 7; i++) {
      o.chunk_id = i % 2 ? "17" : NULL;
      o.region = "cn-hangzhou";
      o.ids = i == 3 ? many : ids;
      o.nids = i == 3 ? 100 : i % 3 == 0 ? 0 : i % 3 == 1 ? 1 : 5;
      o.client_token = i % 2 ? NULL : "tok-\"17\"";
      o.status = i % 2 ? "failed" : "ok";
      o.request_id = i > 0 ? rids[i - 1] : NULL;
      o.attempt_request_ids = rids;
      o.nattempt_request_ids = (k == 1 ? 7 - i : i);
      o.http_status = i % 3 == 0 ? 0 : i % 3 == 1 ? 200 : 503;
      o.error_code = i % 2 ? "Throttling\\x" : NULL;
      o.error_message = i % 2 ? "quote \" slash \\ nl \n ctl \x1f \xc3\xa9"
                              : NULL;
      o.attempts = (int)i;
      o.ambiguous_attempts = (int)(i / 2);
      o.started_wall_ms = i % 2 ? 1714550400123LL : 0;
      o.finished_wall_ms = i % 3 ? 1714550401000LL : 0;
      o.latency_ms = i % 3 == 0 ? -1 : i % 3 == 1 ? 0 : 999999999999LL;
      assert_same_chunk(r, &o);
    }
  wr_chunk_record_destroy(&r);
  assert_null(r);
  wr_chunk_record_destroy(&r);   /* safe on NULL */
}

static void test_chunk_random(void **state)
{
  struct wr_chunk_record *r = NULL;
  struct gen *g = malloc(sizeof(*g));
  int i;

  (void)state;
  assert_non_null(g);
  assert_int_equal(wr_chunk_record_create(&r), 0);
  for (i = 0; i < 3000; i++) {
    rnd_outcome(g);
    assert_same_chunk(r, &g->o);
  }
  wr_chunk_record_destroy(&r);
  free(g);
}

/* A template destroyed without a fill, or after only empty ones. */
static void test_create_destroy(void **state)
{
  struct wr_chunk_record *r = NULL;
  struct wr_plan_record *p = NULL;
  struct wr_chunk_outcome o;
  struct wr_chunk c;

  (void)state;
  assert_int_equal(wr_chunk_record_create(&r), 0);
  wr_chunk_record_destroy(&r);
  assert_int_equal(wr_plan_record_create(&p), 0);
  wr_plan_record_destroy(&p);
  assert_null(p);
  wr_plan_record_destroy(&p);
  memset(&o, 0, sizeof(o));
  memset(&c, 0, sizeof(c));
  assert_int_equal(wr_chunk_record_create(&r), 0);
  assert_non_null(wr_chunk_record_fill(r, &o));
  wr_chunk_record_destroy(&r);
  assert_int_equal(wr_plan_record_create(&p), 0);
  assert_non_null(wr_plan_record_fill(p, &c));
  wr_plan_record_destroy(&p);
}

static void assert_same_plan(struct wr_plan_record *p,
                             const struct wr_chunk *c)
{
  const cJSON *tpl = wr_plan_record_fill(p, c);
  cJSON *rec = wr_record_plan(c);
  char *want, *got;

  assert_non_null(tpl);
  assert_non_null(rec);
  want = cJSON_PrintUnformatted(rec);
  got = cJSON_PrintUnformatted(tpl);
  assert_non_null(want);
  assert_non_null(got);
  assert_string_equal(got, want);
  cJSON_free(got);
  cJSON_free(want);
  cJSON_Delete(rec);
}

static void test_plan_records(void **state)
{
  static const int waves[] = {0, 1, 2, 7, 1000000};
  struct wr_plan_record *p = NULL;
  struct gen *g = malloc(sizeof(*g));
  struct wr_chunk c;
  const char *s;
  int i;

  (void)state;
  assert_non_null(g);
  assert_int_equal(wr_plan_record_create(&p), 0);
  memset(&c, 0, sizeof(c));
  assert_same_plan(p, &c);       /* no region, no ids, no token */
  for (i = 0; i < 2000; i++) {
    rnd_outcome(g);              /* for its strings and ids */
    memset(&c, 0, sizeof(c));
    s = rnd_str(g);
    snprintf(c.id, sizeof(c.id), "%s", i % 3 ? s : "17.1.2");
    c.region = rnd(4) == 0 ? NULL : rnd_str(g);
    c.ids = g->ids;
    c.nids = g->o.nids;
    c.wave = waves[rnd(5)];
    if (rnd(2))
      snprintf(c.client_token, sizeof(c.client_token), "%s",
               i % 5 ? "0b8f6a36-8f5e-4b53-9d3c-2b3c4d5e6f70" : rnd_str(g));
    assert_same_plan(p, &c);
  }
  wr_plan_record_destroy(&p);
  free(g);
}

/* Through the writer (which prints integers itself and puts them back):
 * the builder's line and the template's line, alternately, are equal, and
 * the template refilled after a write still prints right. */
static void test_through_writer(void **state)
{
  char dir[] = "/tmp/test_report_template.XXXXXX", path[64], cmd[96];
  struct wr_chunk_record *r = NULL;
  struct wr_journal *rep = NULL;
  struct wr_err err = {0};
  struct gen *g = malloc(sizeof(*g));
  char *a = NULL, *b = NULL;
  size_t ca = 0, cb = 0;
  FILE *f;
  int i;

  (void)state;
  assert_non_null(g);
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/r.jsonl", dir);
  assert_int_equal(wr_journal_open(path, false, &rep, &err), 0);
  assert_int_equal(wr_chunk_record_create(&r), 0);
  for (i = 0; i < 500; i++) {
    cJSON *rec;

    rnd_outcome(g);
    rec = wr_record_chunk(&g->o);
    assert_non_null(rec);
    assert_int_equal(wr_journal_write(rep, rec, 0, &err), 0);
    cJSON_Delete(rec);
    assert_int_equal(wr_journal_write(rep, wr_chunk_record_fill(r, &g->o), 0,
                                      &err), 0);
    assert_same_chunk(r, &g->o);
  }
  wr_chunk_record_destroy(&r);
  assert_int_equal(wr_journal_close(&rep, &err), 0);
  f = fopen(path, "r");
  assert_non_null(f);
  for (i = 0; i < 500; i++) {
    assert_true(getline(&a, &ca, f) > 0);
    assert_true(getline(&b, &cb, f) > 0);
    assert_string_equal(b, a);
  }
  assert_true(getline(&a, &ca, f) < 0);
  fclose(f);
  free(a);
  free(b);
  free(g);
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_chunk_edge_cases),
    cmocka_unit_test(test_chunk_random),
    cmocka_unit_test(test_create_destroy),
    cmocka_unit_test(test_plan_records),
    cmocka_unit_test(test_through_writer),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
