/* journal: the report file's writer, its torn-line rule and its fsync
 * policy.
 *
 * Write failures are real ones: /dev/full gives ENOSPC, and RLIMIT_FSIZE
 * makes the kernel accept part of a line and then refuse the rest, which
 * is the torn-record case the writer must undo. */
#include "journal.h"

#include "err.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Interposed over libc's fsync and write for this executable (the static
 * wr_core resolves to them): fsync is counted and can fail; writes to
 * files (fd > 2) can be cut short or interrupted, to drive the writer's
 * loop.  Off by default, so everything else behaves as usual. */
static int fsync_calls;
static int fsync_errno;       /* 0: sync for real */
static int fsync_eintr;       /* this many fsyncs fail with EINTR first */
static size_t write_chunk;    /* 0: whole writes; else at most this much */
static int write_eintr;       /* this many writes fail with EINTR first */
static int write_calls;

int fsync(int fd)
{
  fsync_calls++;
  if (fsync_eintr > 0) {
    fsync_eintr--;
    errno = EINTR;
    return -1;
  }
  if (fsync_errno != 0) {
    errno = fsync_errno;
    return -1;
  }
  return (int)syscall(SYS_fsync, fd);
}

ssize_t write(int fd, const void *buf, size_t len)
{
  if (fd > 2) {
    write_calls++;
    if (write_eintr > 0) {
      write_eintr--;
      errno = EINTR;
      return -1;
    }
    if (write_chunk > 0 && len > write_chunk)
      len = write_chunk;
  }
  return (ssize_t)syscall(SYS_write, fd, buf, len);
}

static char dir[] = "/tmp/test_report.XXXXXX";

static int setup(void **state)
{
  (void)state;
  return mkdtemp(dir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
  char cmd[128];

  (void)state;
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

static void path_of(char *out, size_t len, const char *name)
{
  snprintf(out, len, "%s/%s", dir, name);
}

static char *slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  char *data;
  long n;

  assert_non_null(f);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  n = ftell(f);
  assert_true(n >= 0);
  rewind(f);
  data = malloc((size_t)n + 1);
  assert_non_null(data);
  assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
  data[n] = '\0';
  fclose(f);
  *len = (size_t)n;
  return data;
}

static void spit(const char *path, const char *text)
{
  FILE *f = fopen(path, "wb");

  assert_non_null(f);
  assert_int_equal(fputs(text, f) >= 0, 1);
  assert_int_equal(fclose(f), 0);
}

static cJSON *small_record(int i)
{
  cJSON *o = cJSON_CreateObject();

  assert_non_null(o);
  assert_non_null(cJSON_AddStringToObject(o, "type", "test"));
  assert_non_null(cJSON_AddNumberToObject(o, "i", i));
  return o;
}

static void write_small(struct wr_journal *r, int i, int64_t now_ms)
{
  struct wr_err err = {0};
  cJSON *o = small_record(i);

  assert_int_equal(wr_journal_write(r, o, now_ms, &err), 0);
  cJSON_Delete(o);
}

static size_t count_lines(const char *text)
{
  size_t n = 0;

  for (; *text != '\0'; text++)
    n += *text == '\n';
  return n;
}

static void test_new_file_lines(void **state)
{
  char path[256], *text, *line, *save = NULL;
  struct wr_journal *r = NULL;
  struct wr_err err = {0};
  struct stat st;
  size_t len;
  int i;

  (void)state;
  path_of(path, sizeof(path), "new.jsonl");
  assert_int_equal(wr_journal_open(path, false, &r, &err), 0);
  assert_string_equal(wr_journal_path(r), path);
  for (i = 0; i < 5; i++)
    write_small(r, i, 1000 + i);
  /* A builder that ran out of memory: an error naming the file, no line. */
  assert_int_equal(wr_journal_write(r, NULL, 1006, &err), WR_ENOMEM);
  assert_non_null(strstr(err.msg, path));
  assert_non_null(strstr(err.msg, "out of memory building a record"));
  assert_int_equal(wr_journal_close(&r, &err), 0);
  assert_null(r);

  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0027, 0); /* no group write, no others */
  text = slurp(path, &len);
  assert_int_equal(count_lines(text), 5);
  assert_int_equal(text[len - 1], '\n');
  i = 0;
  for (line = strtok_r(text, "\n", &save); line != NULL;
       line = strtok_r(NULL, "\n", &save), i++) {
    cJSON *o = cJSON_Parse(line);

    assert_non_null(o);
    assert_int_equal(cJSON_GetObjectItem(o, "i")->valueint, i);
    cJSON_Delete(o);
  }
  assert_int_equal(i, 5);
  free(text);
}

/* Records of every size: the reused line buffer grows as needed, and a
 * small record after a big one is written whole (no stale tail). */
static void test_record_sizes(void **state)
{
  static const size_t sizes[] = {1, 4000, 4093, 4094, 4095, 4096, 100000, 3};
  char path[256], *text, *line, *save = NULL;
  struct wr_journal *r = NULL;
  struct wr_err err = {0};
  size_t i, len;

  (void)state;
  path_of(path, sizeof(path), "sizes.jsonl");
  assert_int_equal(wr_journal_open(path, false, &r, &err), 0);
  for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
    char *pad = malloc(sizes[i] + 1);
    cJSON *o = cJSON_CreateObject();

    assert_non_null(pad);
    memset(pad, 'a' + (int)i, sizes[i]);
    pad[sizes[i]] = '\0';
    assert_non_null(cJSON_AddStringToObject(o, "pad", pad));
    assert_int_equal(wr_journal_write(r, o, 0, &err), 0);
    cJSON_Delete(o);
    free(pad);
  }
  assert_int_equal(wr_journal_close(&r, &err), 0);
  text = slurp(path, &len);
  assert_int_equal(count_lines(text), sizeof(sizes) / sizeof(sizes[0]));
  i = 0;
  for (line = strtok_r(text, "\n", &save); line != NULL;
       line = strtok_r(NULL, "\n", &save), i++) {
    cJSON *o = cJSON_Parse(line);

    assert_non_null(o);
    assert_int_equal(strlen(cJSON_GetObjectItem(o, "pad")->valuestring),
                     sizes[i]);
    cJSON_Delete(o);
  }
  free(text);
}

/* The kernel may take part of a line, or be interrupted: the writer goes
 * on until the line is whole. */
static void test_short_writes_and_eintr(void **state)
{
  char path[256], *text;
  struct wr_journal *r = NULL;
  struct wr_err err = {0};
  size_t len;

  (void)state;
  path_of(path, sizeof(path), "short.jsonl");
  assert_int_equal(wr_journal_open(path, false, &r, &err), 0);
  write_calls = 0;
  write_chunk = 5;          /* {"type":"test","i":1}\n is 22 bytes */
  write_small(r, 1, 0);
  assert_int_equal(write_calls, 5);
  write_chunk = 0;
  write_eintr = 2;
  write_calls = 0;
  write_small(r, 2, 0);
  assert_int_equal(write_calls, 3);
  write_calls = 0;
  write_small(r, 3, 0);     /* one record, one write */
  assert_int_equal(write_calls, 1);
  assert_int_equal(wr_journal_close(&r, &err), 0);
  text = slurp(path, &len);
  assert_string_equal(text, "{\"type\":\"test\",\"i\":1}\n"
                            "{\"type\":\"test\",\"i\":2}\n"
                            "{\"type\":\"test\",\"i\":3}\n");
  free(text);
}

/* A failed fsync means data may be lost: a clear error, not silence. */
static void test_fsync_error(void **state)
{
  char path[256];
  struct wr_journal *r = NULL;
  struct wr_err err = {0};
  cJSON *o = small_record(1);

  (void)state;
  path_of(path, sizeof(path), "fsyncerr.jsonl");
  assert_int_equal(wr_journal_open(path, false, &r, &err), 0);
  fsync_errno = EIO;
  assert_int_equal(wr_journal_write(r, o, 0, &err), WR_EIO);
  assert_non_null(strstr(err.msg, path));
  assert_non_null(strstr(err.msg, "cannot sync"));
  assert_int_equal(wr_journal_close(&r, &err), WR_EIO);
  assert_null(r);
  /* A file that cannot be synced at all (EINVAL) is not an error. */
  fsync_errno = EINVAL;
  path_of(path, sizeof(path), "fsyncinval.jsonl");
  assert_int_equal(wr_journal_open(path, false, &r, &err), 0);
  assert_int_equal(wr_journal_write(r, o, 0, &err), 0);
  assert_int_equal(wr_journal_close(&r, &err), 0);
  fsync_errno = 0;
  cJSON_Delete(o);
}

static void test_refuses_overwrite(void **state)
{
  char path[256], *text;
  struct wr_journal *r = NULL;
  struct wr_err err = {0};
  size_t len;

  (void)state;
  path_of(path, sizeof(path), "exists.jsonl");
  spit(path, "{\"type\":\"run\"}\n");
  assert_int_equal(wr_journal_open(path, false, &r, &err), WR_EIO);
  assert_null(r);
  assert_non_null(strstr(err.msg, path));
  assert_non_null(strstr(err.msg, "refusing to overwrite"));
  text = slurp(path, &len);
  assert_string_equal(text, "{\"type\":\"run\"}\n");
  free(text);
}

static void test_append_missing(void **state)
{
  char path[256];
  struct wr_journal *r = NULL;
  struct wr_err err = {0};

  (void)state;
  path_of(path, sizeof(path), "missing.jsonl");
  assert_int_equal(wr_journal_open(path, true, &r, &err), WR_EIO);
  assert_null(r);
  assert_non_null(strstr(err.msg, path));
  assert_non_null(strstr(err.msg, "no such report"));
}

static void test_append_drops_torn_tail(void **state)
{
  char path[256], *text;
  struct wr_journal *r = NULL;
  struct wr_err err = {0};
  size_t len;

  (void)state;
  path_of(path, sizeof(path), "torn.jsonl");
  spit(path, "{\"a\":1}\n{\"b\":2}\n{\"type\":\"chu");
  assert_int_equal(wr_journal_open(path, true, &r, &err), 0);
  write_small(r, 7, 0);
  assert_int_equal(wr_journal_close(&r, &err), 0);
  text = slurp(path, &len);
  assert_string_equal(text, "{\"a\":1}\n{\"b\":2}\n{\"type\":\"test\",\"i\":7}\n");
  free(text);

  /* An intact file is left as it is. */
  assert_int_equal(wr_journal_open(path, true, &r, &err), 0);
  write_small(r, 8, 0);
  assert_int_equal(wr_journal_close(&r, &err), 0);
  text = slurp(path, &len);
  assert_int_equal(count_lines(text), 4);
  free(text);
}

static void test_append_not_a_report(void **state)
{
  char path[256], *text;
  struct wr_journal *r = NULL;
  struct wr_err err = {0};
  size_t len;

  (void)state;
  path_of(path, sizeof(path), "binary.bin");
  spit(path, "no newline anywhere in here");
  assert_int_equal(wr_journal_open(path, true, &r, &err), WR_EINPUT);
  assert_null(r);
  assert_non_null(strstr(err.msg, "not a report"));
  text = slurp(path, &len);
  assert_string_equal(text, "no newline anywhere in here");
  free(text);
}

static void test_disk_full(void **state)
{
  struct wr_journal *r = NULL;
  struct wr_err err = {0};
  cJSON *o = small_record(1);

  (void)state;
  if (access("/dev/full", W_OK) != 0) {
    cJSON_Delete(o);
    skip();
  }
  assert_int_equal(wr_journal_open("/dev/full", true, &r, &err), 0);
  assert_int_equal(wr_journal_write(r, o, 0, &err), WR_EIO);
  assert_int_equal(err.code, WR_EIO);
  assert_non_null(strstr(err.msg, "/dev/full"));
  assert_non_null(strstr(err.msg, "disk is full"));
  assert_int_equal(wr_journal_close(&r, &err), 0);
  cJSON_Delete(o);
}

/* The kernel writes up to the file size limit, then fails with EFBIG: a
 * genuine short write in the middle of a line. */
static void test_partial_write_undone(void **state)
{
  char path[256], *text, big[600];
  struct wr_journal *r = NULL;
  struct wr_err err = {0};
  struct rlimit old, lim;
  void (*old_xfsz)(int);
  size_t len, before;
  cJSON *o;

  (void)state;
  path_of(path, sizeof(path), "fsize.jsonl");
  assert_int_equal(wr_journal_open(path, false, &r, &err), 0);
  write_small(r, 1, 0);
  write_small(r, 2, 0);
  text = slurp(path, &len);
  before = len;
  free(text);

  memset(big, 'x', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  o = cJSON_CreateObject();
  assert_non_null(cJSON_AddStringToObject(o, "pad", big));

  assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
  old_xfsz = signal(SIGXFSZ, SIG_IGN);
  lim = old;
  lim.rlim_cur = before + 100; /* the record is ~610 bytes */
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
  assert_int_equal(wr_journal_write(r, o, 0, &err), WR_EIO);
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
  signal(SIGXFSZ, old_xfsz);
  assert_non_null(strstr(err.msg, path));
  assert_non_null(strstr(err.msg, "removed"));

  /* Nothing of the failed record is left; the next write goes on. */
  text = slurp(path, &len);
  assert_int_equal(len, before);
  free(text);
  write_small(r, 3, 0);
  assert_int_equal(wr_journal_close(&r, &err), 0);
  text = slurp(path, &len);
  assert_string_equal(text, "{\"type\":\"test\",\"i\":1}\n"
                            "{\"type\":\"test\",\"i\":2}\n"
                            "{\"type\":\"test\",\"i\":3}\n");
  free(text);
  cJSON_Delete(o);
}

/* A batch (the run's preamble): 20,000 records in a few write(2)s of
 * whole lines, each in order, and one fsync when it ends; afterwards each
 * record is its own write again. */
static void test_batch(void **state)
{
  char path[256], *text, *line, *save = NULL;
  struct wr_journal *r = NULL;
  struct wr_err err = {0};
  size_t len;
  int i;

  (void)state;
  path_of(path, sizeof(path), "batch.jsonl");
  assert_int_equal(wr_journal_open(path, false, &r, &err), 0);
  fsync_calls = 0;
  write_calls = 0;
  wr_journal_batch_begin(r);
  for (i = 0; i < 20000; i++)
    write_small(r, i, 0);
  assert_int_equal(fsync_calls, 0);
  assert_int_equal(wr_journal_batch_end(r, 0, &err), 0);
  assert_int_equal(fsync_calls, 1);
  /* ~25 bytes a line: 500 KB in one write (batches are 1 MiB). */
  assert_in_range(write_calls, 1, 2);
  write_calls = 0;
  write_small(r, 20000, 10);
  assert_int_equal(write_calls, 1);
  assert_int_equal(wr_journal_close(&r, &err), 0);
  text = slurp(path, &len);
  assert_int_equal(count_lines(text), 20001);
  i = 0;
  for (line = strtok_r(text, "\n", &save); line != NULL;
       line = strtok_r(NULL, "\n", &save), i++) {
    cJSON *o = cJSON_Parse(line);

    assert_non_null(o);
    assert_int_equal(cJSON_GetObjectItem(o, "i")->valueint, i);
    cJSON_Delete(o);
  }
  free(text);
}

/* The run's turns: records held in a batch that stays open, each flush
 * one write(2) of the lines so far (none when there are none), the tick
 * flushing too before its once-a-second fsync, and close the rest. */
static void test_flush_keeps_batching(void **state)
{
  char path[256], *text;
  struct wr_journal *r = NULL;
  struct wr_err err = {0};
  size_t len;

  (void)state;
  path_of(path, sizeof(path), "flush.jsonl");
  assert_int_equal(wr_journal_open(path, false, &r, &err), 0);
  fsync_calls = 0;
  write_calls = 0;
  wr_journal_batch_begin(r);
  write_small(r, 0, 1000);
  write_small(r, 1, 1000);
  write_small(r, 2, 1000);
  assert_int_equal(write_calls, 0);
  text = slurp(path, &len);
  assert_int_equal(len, 0);
  free(text);
  assert_int_equal(wr_journal_flush(r, 1000, &err), 0);
  assert_int_equal(write_calls, 1);
  assert_int_equal(fsync_calls, 1);   /* the first sync is at once */
  text = slurp(path, &len);
  assert_int_equal(count_lines(text), 3);
  free(text);
  assert_int_equal(wr_journal_flush(r, 1100, &err), 0);
  assert_int_equal(write_calls, 1);   /* nothing held: no write */
  write_small(r, 3, 1200);
  write_small(r, 4, 1200);
  assert_int_equal(wr_journal_flush(r, 1200, &err), 0);
  assert_int_equal(write_calls, 2);
  assert_int_equal(fsync_calls, 1);   /* not a second yet */
  write_small(r, 5, 2100);
  assert_int_equal(wr_journal_tick(r, 2100, &err), 0);
  assert_int_equal(write_calls, 3);
  assert_int_equal(fsync_calls, 2);
  write_small(r, 6, 2200);
  assert_int_equal(write_calls, 3);
  assert_int_equal(wr_journal_close(&r, &err), 0);
  assert_int_equal(write_calls, 4);
  assert_int_equal(fsync_calls, 3);
  text = slurp(path, &len);
  assert_int_equal(count_lines(text), 7);
  free(text);
}

/* A batch that cannot be written whole is cut back to the last complete
 * line before it, as a single record is. */
static void test_batch_partial_write_undone(void **state)
{
  char path[256], *text;
  struct wr_journal *r = NULL;
  struct wr_err err = {0};
  struct rlimit old, lim;
  void (*old_xfsz)(int);
  size_t len, before;
  int i;

  (void)state;
  path_of(path, sizeof(path), "batchfsize.jsonl");
  assert_int_equal(wr_journal_open(path, false, &r, &err), 0);
  write_small(r, 1, 0);
  text = slurp(path, &len);
  before = len;
  free(text);
  wr_journal_batch_begin(r);
  for (i = 0; i < 100; i++)
    write_small(r, i, 0);
  assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
  old_xfsz = signal(SIGXFSZ, SIG_IGN);
  lim = old;
  lim.rlim_cur = before + 1000; /* the batch is ~2,500 bytes */
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
  assert_int_equal(wr_journal_batch_end(r, 0, &err), WR_EIO);
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
  signal(SIGXFSZ, old_xfsz);
  assert_non_null(strstr(err.msg, "removed"));
  text = slurp(path, &len);
  assert_int_equal(len, before);
  free(text);
  assert_int_equal(wr_journal_close(&r, &err), 0);
}

/* The line written is exactly what cJSON prints, numbers included (the
 * writer prints integers itself). */
static void test_numbers_as_cjson_prints(void **state)
{
  static const double v[] = {0, 1, -1, 7, 200, 4096, -12345, 87.5, 1e15,
                             999999999999999.0, -1e15, 1e20, 0.1, -0.0,
                             2147483648.0, 1714550400123.0};
  char path[256], *text, *want;
  struct wr_journal *r = NULL;
  struct wr_err err = {0};
  cJSON *o = cJSON_CreateObject();
  size_t i, len;

  (void)state;
  assert_non_null(o);
  assert_non_null(cJSON_AddStringToObject(o, "type", "test"));
  for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
    char name[8];

    snprintf(name, sizeof(name), "n%zu", i);
    assert_non_null(cJSON_AddNumberToObject(o, name, v[i]));
  }
  assert_non_null(cJSON_AddNullToObject(o, "z"));
  path_of(path, sizeof(path), "numbers.jsonl");
  assert_int_equal(wr_journal_open(path, false, &r, &err), 0);
  assert_int_equal(wr_journal_write(r, o, 0, &err), 0);
  assert_int_equal(wr_journal_close(&r, &err), 0);
  want = cJSON_PrintUnformatted(o);
  assert_non_null(want);
  text = slurp(path, &len);
  assert_int_equal(len, strlen(want) + 1);
  assert_memory_equal(text, want, strlen(want));
  /* The record is as it was: numbers again, not raw text. */
  assert_true(cJSON_IsNumber(cJSON_GetObjectItem(o, "n4")));
  assert_int_equal(cJSON_GetObjectItem(o, "n4")->valueint, 200);
  free(text);
  cJSON_free(want);
  cJSON_Delete(o);
}

static void test_fsync_once_a_second(void **state)
{
  char path[256];
  struct wr_journal *r = NULL;
  struct wr_err err = {0};

  (void)state;
  path_of(path, sizeof(path), "sync.jsonl");
  assert_int_equal(wr_journal_open(path, false, &r, &err), 0);
  fsync_calls = 0;
  write_small(r, 0, 10000);     /* the first record is synced at once */
  assert_int_equal(fsync_calls, 1);
  write_small(r, 1, 10100);
  write_small(r, 2, 10999);
  assert_int_equal(fsync_calls, 1);
  assert_int_equal(wr_journal_tick(r, 10500, &err), 0);
  assert_int_equal(fsync_calls, 1);
  assert_int_equal(wr_journal_tick(r, 11000, &err), 0);
  assert_int_equal(fsync_calls, 2);
  /* Nothing new: no sync however late. */
  assert_int_equal(wr_journal_tick(r, 50000, &err), 0);
  assert_int_equal(fsync_calls, 2);
  write_small(r, 3, 50001);     /* a second since the last sync */
  assert_int_equal(fsync_calls, 3);
  write_small(r, 4, 50002);
  assert_int_equal(fsync_calls, 3);
  assert_int_equal(wr_journal_close(&r, &err), 0);
  assert_int_equal(fsync_calls, 4); /* and at close */
  assert_int_equal(wr_journal_close(&r, &err), 0); /* NULL is fine */
}

/* --- the torn-line rule ------------------------------------------------ */

struct rule_case {
  const char *name;
  const char *text;
  size_t valid;                /* (size_t)-1: the whole text */
  bool missing_newline;
};

#define ALL ((size_t)-1)

static const struct rule_case rule_cases[] = {
  {"empty", "", 0, false},
  {"no newline at all", "no newline anywhere in here", 0, false},
  {"a whole last line", "{\"a\":1}\n{\"b\":2}\n", ALL, false},
  {"a torn last line", "{\"a\":1}\n{\"b\":2}\n{\"type\":\"chu", 16, false},
  {"torn at its first byte", "{\"a\":1}\n{", 8, false},
  {"a whole record without its newline", "{\"a\":1}\n{\"b\":2}", ALL, true},
  {"the only line, without its newline", "{\"a\":1}", ALL, true},
  {"CRLF, whole", "{\"a\":1}\r\n{\"b\":2}\r\n", ALL, false},
  {"CRLF, torn", "{\"a\":1}\r\n{\"b\"\r\n", 9, false},
  {"CRLF, whole without its LF", "{\"a\":1}\r\n{\"b\":2}\r", ALL, true},
  {"blank lines after a whole line", "{\"a\":1}\n\n \t\n", ALL, false},
  {"blank lines after a torn line", "{\"a\":1}\n\x01\x01\x01\n\n  \n", 8,
   false},
  {"blank lines only", "\n \n\n", ALL, false},
  {"text after the value", "{\"a\":1}\n{\"b\":2} x\n", 8, false},
  {"only the last line decides", "junk\n{\"a\":1}\n", ALL, false},
  {"a BOM at the start", "\xEF\xBB\xBF{\"a\":1}", ALL, true},
};

static void test_rule_valid_length(void **state)
{
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(rule_cases) / sizeof(rule_cases[0]); i++) {
    const struct rule_case *c = &rule_cases[i];
    size_t len = strlen(c->text), want = c->valid == ALL ? len : c->valid;
    bool mnl = !c->missing_newline;

    print_message("%s\n", c->name);
    assert_int_equal(wr_journal_valid_length(c->text, len, &mnl), want);
    assert_int_equal(mnl, c->missing_newline);
    assert_int_equal(wr_journal_valid_length(c->text, len, NULL), want);
  }
}

static void test_rule_line_kind(void **state)
{
  cJSON *o = NULL;
  size_t bad = 0;

  (void)state;
  assert_int_equal(wr_journal_line_kind("", 0, &o, &bad), WR_JOURNAL_BLANK);
  assert_int_equal(wr_journal_line_kind(" \t\r", 3, &o, &bad),
                   WR_JOURNAL_BLANK);
  assert_null(o);
  assert_int_equal(wr_journal_line_kind("{\"a\":1} \r", 9, &o, &bad),
                   WR_JOURNAL_WHOLE);
  assert_non_null(o);
  assert_int_equal(cJSON_GetObjectItem(o, "a")->valueint, 1);
  cJSON_Delete(o);
  /* Only len bytes count: what follows is the next line. */
  assert_int_equal(wr_journal_line_kind("{\"a\":1}\n{", 7, NULL, NULL),
                   WR_JOURNAL_WHOLE);
  assert_int_equal(wr_journal_line_kind("{\"a\":1", 6, &o, &bad),
                   WR_JOURNAL_BROKEN);
  assert_null(o);
  assert_true(bad >= 1 && bad <= 7);
  assert_int_equal(wr_journal_line_kind("{\"a\":1} x", 9, &o, &bad),
                   WR_JOURNAL_BROKEN);
  assert_null(o);
}

/* The rule fed line by line, as the reader does. */
static void test_rule_tail_add(void **state)
{
  struct wr_journal_tail t = {0};

  (void)state;
  wr_journal_tail_add(&t, WR_JOURNAL_WHOLE, 10, true);
  wr_journal_tail_add(&t, WR_JOURNAL_BLANK, 11, true);
  assert_int_equal(t.valid, 11);
  wr_journal_tail_add(&t, WR_JOURNAL_BROKEN, 20, true);
  wr_journal_tail_add(&t, WR_JOURNAL_BLANK, 21, true);
  assert_int_equal(t.valid, 11);
  assert_true(t.broken);
  /* A whole line after it: the broken one was not the last (the reader
   * refuses such a file; the rule looks at the tail only). */
  wr_journal_tail_add(&t, WR_JOURNAL_WHOLE, 30, false);
  assert_int_equal(t.valid, 30);
  assert_false(t.broken);
  assert_true(t.missing_newline);
}

/* Appending applies the rule: each case's file, opened for appending,
 * keeps its valid part, gains a missing newline, and takes a record. */
static void test_append_follows_rule(void **state)
{
  char path[256], *text, want[256];
  struct wr_journal *r = NULL;
  struct wr_err err = {0};
  size_t i, len;

  (void)state;
  path_of(path, sizeof(path), "rule.jsonl");
  for (i = 0; i < sizeof(rule_cases) / sizeof(rule_cases[0]); i++) {
    const struct rule_case *c = &rule_cases[i];
    size_t n = c->valid == ALL ? strlen(c->text) : c->valid;

    if (n == 0 && c->text[0] != '\0')
      continue;                 /* refused: test_append_not_a_report */
    print_message("%s\n", c->name);
    spit(path, c->text);
    assert_int_equal(wr_journal_open(path, true, &r, &err), 0);
    write_small(r, 7, 0);
    assert_int_equal(wr_journal_close(&r, &err), 0);
    snprintf(want, sizeof(want), "%.*s%s{\"type\":\"test\",\"i\":7}\n",
             (int)n, c->text, c->missing_newline ? "\n" : "");
    text = slurp(path, &len);
    assert_string_equal(text, want);
    free(text);
    assert_int_equal(unlink(path), 0);
  }
}

/* A last line longer than the block the writer reads back with. */
static void test_append_long_last_line(void **state)
{
  char path[256], *text, *body;
  struct wr_journal *r = NULL;
  struct wr_err err = {0};
  size_t len, n = 20000, head;

  (void)state;
  path_of(path, sizeof(path), "long.jsonl");
  body = malloc(2 * n + 64);
  assert_non_null(body);
  /* A whole long line, then a torn one just as long. */
  len = (size_t)sprintf(body, "{\"a\":1}\n{\"pad\":\"");
  memset(body + len, 'x', n);
  len += n;
  len += (size_t)sprintf(body + len, "\"}\n");
  head = len;
  len += (size_t)sprintf(body + len, "{\"pad\":\"");
  memset(body + len, 'y', n);
  body[len + n] = '\0';
  spit(path, body);
  assert_int_equal(wr_journal_open(path, true, &r, &err), 0);
  assert_int_equal(wr_journal_close(&r, &err), 0);
  text = slurp(path, &len);
  assert_int_equal(len, head);
  assert_memory_equal(text, body, head);
  free(text);
  /* The long whole line without its newline: kept, and ended. */
  body[head - 1] = '\0';
  spit(path, body);
  assert_int_equal(wr_journal_open(path, true, &r, &err), 0);
  assert_int_equal(wr_journal_close(&r, &err), 0);
  text = slurp(path, &len);
  assert_int_equal(len, head);
  assert_int_equal(text[head - 1], '\n');
  free(text);
  free(body);
}

/* --- the fsync policy -------------------------------------------------- */

static void test_sync_policy(void **state)
{
  static const int tolerated[] = {EINVAL, EROFS, ENOTSUP, EOPNOTSUPP};
  static const int fatal[] = {EIO, ENOSPC, EDQUOT, EBADF};
  char path[256];
  struct wr_err err = {0};
  size_t i;
  int fd;

  (void)state;
  path_of(path, sizeof(path), "sync.jsonl");
  fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  assert_true(fd >= 0);
  assert_int_equal(wr_journal_sync(fd, path, &err), 0);
  /* Interrupted: tried again. */
  fsync_calls = 0;
  fsync_eintr = 2;
  assert_int_equal(wr_journal_sync(fd, path, &err), 0);
  assert_int_equal(fsync_calls, 3);
  for (i = 0; i < sizeof(tolerated) / sizeof(tolerated[0]); i++) {
    fsync_errno = tolerated[i];
    assert_int_equal(wr_journal_sync(fd, path, &err), 0);
  }
  for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++) {
    fsync_errno = fatal[i];
    memset(&err, 0, sizeof(err));
    assert_int_equal(wr_journal_sync(fd, path, &err), WR_EIO);
    assert_int_equal(err.code, WR_EIO);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "cannot sync"));
    assert_non_null(strstr(err.msg, strerror(fatal[i])));
  }
  fsync_errno = 0;
  assert_int_equal(close(fd), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_new_file_lines),
    cmocka_unit_test(test_record_sizes),
    cmocka_unit_test(test_short_writes_and_eintr),
    cmocka_unit_test(test_fsync_error),
    cmocka_unit_test(test_refuses_overwrite),
    cmocka_unit_test(test_append_missing),
    cmocka_unit_test(test_append_drops_torn_tail),
    cmocka_unit_test(test_append_not_a_report),
    cmocka_unit_test(test_disk_full),
    cmocka_unit_test(test_partial_write_undone),
    cmocka_unit_test(test_batch),
    cmocka_unit_test(test_batch_partial_write_undone),
    cmocka_unit_test(test_flush_keeps_batching),
    cmocka_unit_test(test_numbers_as_cjson_prints),
    cmocka_unit_test(test_fsync_once_a_second),
    cmocka_unit_test(test_rule_valid_length),
    cmocka_unit_test(test_rule_line_kind),
    cmocka_unit_test(test_rule_tail_add),
    cmocka_unit_test(test_append_follows_rule),
    cmocka_unit_test(test_append_long_last_line),
    cmocka_unit_test(test_sync_policy),
  };

  return cmocka_run_group_tests(tests, setup, teardown);
}
