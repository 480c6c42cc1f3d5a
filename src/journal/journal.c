/* report: the JSON Lines journal (see report.h for the contract).
 *
 * The file only ever grows by whole lines.  `good` is the length of the
 * file up to the end of its last complete line; a write that cannot be
 * completed is cut back to it with ftruncate, so a full disk leaves the
 * journal as it was before the record, never with half a line. */
#include "journal.h"

#include "clock.h"
#include "record_json.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reports hold the fleet's desktop ids: readable by the owner (and group,
 * for audit) only. */
#define REPORT_MODE 0640
#define FSYNC_EVERY_MS 1000
#define LINE_START 4096            /* first size of the line buffer */
#define LINE_MAX_BYTES (64u << 20) /* a bound no sane record reaches */
#define BATCH_BYTES (1u << 20)     /* a batch is written at this size */

struct wr_report {
  int fd;
  char *path;
  bool regular;        /* a regular file: ftruncate and fsync apply */
  off_t good;          /* bytes up to the end of the last complete line */
  bool dirty;          /* written since the last fsync */
  bool synced_once;
  int64_t last_sync_ms;
  char *line;          /* reused for every record: no malloc per line */
  size_t line_cap;
  bool batching;       /* between wr_report_batch_begin and _end */
  char *batch;         /* whole lines not yet written */
  size_t batch_len, batch_cap;
};

/* Errors that mean "this file cannot be synced" (a pipe, a terminal,
 * /dev/null), not "the data is lost". */
static bool sync_unsupported(int e)
{
  return e == EINVAL || e == EROFS || e == ENOTSUP;
}

/* Cut a torn tail (a crash mid-record) back to the last newline, so that
 * appended records start on a line of their own. */
static int drop_torn_tail(struct wr_report *r, struct wr_err *err)
{
  struct stat st;
  char tail[4096];
  off_t end, pos;
  ssize_t n;

  if (fstat(r->fd, &st) != 0)
    return wr_err_set(err, WR_EIO, "%s: %s", r->path, strerror(errno));
  r->regular = S_ISREG(st.st_mode);
  if (!r->regular || st.st_size == 0) {
    r->good = r->regular ? st.st_size : 0;
    return 0;
  }
  end = st.st_size;
  while (end > 0) {
    size_t want = end < (off_t)sizeof(tail) ? (size_t)end : sizeof(tail);

    pos = end - (off_t)want;
    n = pread(r->fd, tail, want, pos);
    if (n != (ssize_t)want)
      return wr_err_set(err, WR_EIO, "%s: cannot read: %s", r->path,
                        n < 0 ? strerror(errno) : "short read");
    while (n > 0 && tail[n - 1] != '\n')
      n--;
    if (n > 0) {
      end = pos + n;
      break;
    }
    end = pos;
  }
  if (end == 0)
    return wr_err_set(err, WR_EINPUT, "%s: not a report (no complete line "
                      "in %lld bytes); refusing to append to it", r->path,
                      (long long)st.st_size);
  if (end != st.st_size) {
    wr_warnf("%s: dropping a torn last line (%lld bytes) before appending",
             r->path, (long long)(st.st_size - end));
    if (ftruncate(r->fd, end) != 0)
      return wr_err_set(err, WR_EIO, "%s: cannot truncate a torn last line: "
                        "%s", r->path, strerror(errno));
  }
  r->good = end;
  return 0;
}

int wr_report_open(const char *path, bool append, struct wr_report **out,
                   struct wr_err *err)
{
  struct wr_report *r = NULL;
  int rc = WR_ENOMEM;
  /* O_APPEND for a new file too: after a failed write is cut back with
   * ftruncate, the next one starts at the new end, not past a hole. */
  int flags = O_CLOEXEC | O_APPEND;

  *out = NULL;
  r = calloc(1, sizeof(*r));
  if (r == NULL)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  r->fd = -1;
  r->path = strdup(path);
  if (r->path == NULL) {
    rc = wr_err_set(err, WR_ENOMEM, "out of memory");
    goto out;
  }
  /* Append reads the tail back to find a torn last line. */
  flags |= append ? O_RDWR : O_WRONLY | O_CREAT | O_EXCL;
  r->fd = open(path, flags, REPORT_MODE);
  if (r->fd < 0) {
    if (!append && errno == EEXIST)
      rc = wr_err_set(err, WR_EIO, "%s: the report file exists already; "
                      "refusing to overwrite it (choose another --report, "
                      "or resume it)", path);
    else if (append && errno == ENOENT)
      rc = wr_err_set(err, WR_EIO, "%s: no such report to append to", path);
    else
      rc = wr_err_set(err, WR_EIO, "%s: cannot open the report: %s", path,
                      strerror(errno));
    goto out;
  }
  if (append) {
    rc = drop_torn_tail(r, err);
    if (rc < 0)
      goto out;
  } else {
    struct stat st;

    r->regular = fstat(r->fd, &st) == 0 && S_ISREG(st.st_mode);
  }
  *out = r;
  r = NULL;
  rc = 0;
out:
  if (r != NULL) {
    if (r->fd >= 0)
      close(r->fd);
    free(r->path);
    free(r);
  }
  return rc;
}

/* A write that failed after writing part of the line: cut the file back
 * to the last complete line so no half record stays behind. */
static int undo_partial(struct wr_report *r, size_t written, int e,
                        struct wr_err *err)
{
  const char *why = e == ENOSPC ? "the disk is full" : strerror(e);

  if (written == 0)
    return wr_err_set(err, WR_EIO, "%s: cannot write the report: %s",
                      r->path, why);
  if (r->regular && ftruncate(r->fd, r->good) == 0)
    return wr_err_set(err, WR_EIO, "%s: cannot write the report: %s (the "
                      "partly written record was removed)", r->path, why);
  return wr_err_set(err, WR_EIO, "%s: cannot write the report: %s; its last "
                    "line is torn (%zu bytes) and will be ignored on resume",
                    r->path, why, written);
}

static int write_line(struct wr_report *r, const char *line, size_t len,
                      struct wr_err *err)
{
  size_t done = 0;

  while (done < len) {
    ssize_t n = write(r->fd, line + done, len - done);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return undo_partial(r, done, errno, err);
    if (n == 0)
      return undo_partial(r, done, ENOSPC, err);
    done += (size_t)n;
  }
  r->good += (off_t)len;
  r->dirty = true;
  return 0;
}

/* cJSON 1.7.15 prints every number with "%1.15g" and reads it back with
 * sscanf to check it: a few microseconds per record, most of the cost of
 * printing one.  Our records hold integers, for which "%1.15g" is the
 * plain decimal (below 1e15); so for the print, each integral number at
 * the top level is shown to cJSON as raw text with those same digits, and
 * put back after.  The bytes written are the same. */
#define RAW_INTS 32

struct raw_int {
  cJSON *item;
  char text[24];
};

static size_t ints_as_raw(const cJSON *record, struct raw_int *ri)
{
  cJSON *it;
  size_t n = 0;

  for (it = record->child; it != NULL && n < RAW_INTS; it = it->next) {
    double d = it->valuedouble;
    unsigned long long u;
    char digits[24];
    size_t k = 0, j = 0;

    if ((it->type & 0xff) != cJSON_Number || it->valuestring != NULL ||
        d >= 1e15 || d <= -1e15 || d != (double)(long long)d ||
        (d == 0 && signbit(d)))
      continue;
    u = d < 0 ? (unsigned long long)-(long long)d : (unsigned long long)d;
    do {
      digits[k++] = (char)('0' + u % 10);
      u /= 10;
    } while (u > 0);
    if (d < 0)
      ri[n].text[j++] = '-';
    while (k > 0)
      ri[n].text[j++] = digits[--k];
    ri[n].text[j] = '\0';
    ri[n].item = it;
    it->type = (it->type & ~0xff) | cJSON_Raw;
    it->valuestring = ri[n].text;
    n++;
  }
  return n;
}

static void raw_back(struct raw_int *ri, size_t n)
{
  while (n-- > 0) {
    ri[n].item->type = (ri[n].item->type & ~0xff) | cJSON_Number;
    ri[n].item->valuestring = NULL;
  }
}

static int print_line(struct wr_report *r, const cJSON *record, size_t *len,
                      struct wr_err *err);

/* Serialise record into r->line followed by "\n"; *len set to the bytes
 * of the whole line.  cJSON prints into the reused buffer, which doubles
 * until the record fits. */
static int serialise(struct wr_report *r, const cJSON *record, size_t *len,
                     struct wr_err *err)
{
  struct raw_int ri[RAW_INTS];
  size_t nri = ints_as_raw(record, ri);
  int rc = print_line(r, record, len, err);

  raw_back(ri, nri);
  return rc;
}

static int print_line(struct wr_report *r, const cJSON *record, size_t *len,
                      struct wr_err *err)
{
  *len = 0;
  for (;;) {
    size_t cap;
    char *p;

    if (r->line_cap > 0 &&
        cJSON_PrintPreallocated((cJSON *)record, r->line, (int)r->line_cap - 1,
                                false)) {
      *len = strlen(r->line);
      r->line[*len] = '\n';
      *len += 1;
      return 0;
    }
    cap = r->line_cap > 0 ? r->line_cap * 2 : LINE_START;
    if (cap > LINE_MAX_BYTES)
      return wr_err_set(err, WR_ETOOBIG, "%s: a record is larger than %u "
                        "bytes", r->path, LINE_MAX_BYTES);
    p = realloc(r->line, cap);
    if (p == NULL)
      return wr_err_set(err, WR_ENOMEM, "out of memory serialising a record");
    r->line = p;
    r->line_cap = cap;
  }
}

static int sync_now(struct wr_report *r, int64_t now_ms, struct wr_err *err);

/* Write the batched lines (one write(2)); a failure cuts them all. */
static int flush_batch(struct wr_report *r, struct wr_err *err)
{
  int rc = 0;

  if (r->batch_len > 0)
    rc = write_line(r, r->batch, r->batch_len, err);
  r->batch_len = 0;
  return rc;
}

/* Add the line in r->line to the batch, flushing first if it is full. */
static int batch_line(struct wr_report *r, size_t len, struct wr_err *err)
{
  int rc;

  if (r->batch_len + len > BATCH_BYTES && (rc = flush_batch(r, err)) < 0)
    return rc;
  if (len > BATCH_BYTES)
    return write_line(r, r->line, len, err);
  if (r->batch_cap == 0) {
    r->batch = malloc(BATCH_BYTES);
    if (r->batch == NULL)
      return wr_err_set(err, WR_ENOMEM, "out of memory batching records");
    r->batch_cap = BATCH_BYTES;
  }
  memcpy(r->batch + r->batch_len, r->line, len);
  r->batch_len += len;
  return 0;
}

void wr_report_batch_begin(struct wr_report *r)
{
  if (r != NULL)
    r->batching = true;
}

int wr_report_batch_end(struct wr_report *r, int64_t now_ms,
                        struct wr_err *err)
{
  int rc = flush_batch(r, err);

  r->batching = false;
  free(r->batch);
  r->batch = NULL;
  r->batch_cap = 0;
  if (rc < 0)
    return rc;
  return r->dirty ? sync_now(r, now_ms, err) : 0;
}

int wr_report_write(struct wr_report *r, const cJSON *record, int64_t now_ms,
                    struct wr_err *err)
{
  size_t len = 0;
  int rc;

  if (r == NULL)
    return wr_err_set(err, WR_EINVAL, "no report");
  /* A builder's NULL: what failed was the memory for the record. */
  if (record == NULL)
    return wr_err_set(err, WR_ENOMEM, "%s: out of memory building a record",
                      r->path);
  rc = serialise(r, record, &len, err);
  if (rc < 0)
    return rc;
  if (r->batching)
    return batch_line(r, len, err);
  /* One write(2) for the whole line, newline included. */
  rc = write_line(r, r->line, len, err);
  if (rc < 0)
    return rc;
  return wr_report_tick(r, now_ms, err);
}

static int sync_now(struct wr_report *r, int64_t now_ms, struct wr_err *err)
{
  if (r->regular && fsync(r->fd) != 0 && !sync_unsupported(errno))
    return wr_err_set(err, WR_EIO, "%s: cannot sync the report to disk: %s",
                      r->path, strerror(errno));
  r->dirty = false;
  r->synced_once = true;
  r->last_sync_ms = now_ms;
  return 0;
}

int wr_report_flush(struct wr_report *r, int64_t now_ms, struct wr_err *err)
{
  int rc;

  if (r == NULL)
    return 0;
  rc = flush_batch(r, err);
  if (rc < 0)
    return rc;
  return wr_report_tick(r, now_ms, err);
}

int wr_report_tick(struct wr_report *r, int64_t now_ms, struct wr_err *err)
{
  int rc;

  if (r == NULL)
    return 0;
  if (r->batching && (rc = flush_batch(r, err)) < 0)
    return rc;
  if (!r->dirty)
    return 0;
  if (r->synced_once && now_ms - r->last_sync_ms < FSYNC_EVERY_MS)
    return 0;
  return sync_now(r, now_ms, err);
}

int wr_report_close(struct wr_report **pp, struct wr_err *err)
{
  struct wr_report *r = pp != NULL ? *pp : NULL;
  int rc = 0;

  if (r == NULL)
    return 0;
  *pp = NULL;
  if (r->batching)
    rc = wr_report_batch_end(r, r->last_sync_ms, err);
  if (rc == 0 && r->dirty)
    rc = sync_now(r, r->last_sync_ms, err);
  if (close(r->fd) != 0 && rc == 0 && errno != EINTR)
    rc = wr_err_set(err, WR_EIO, "%s: cannot close the report: %s", r->path,
                    strerror(errno));
  free(r->line);
  free(r->path);
  free(r);
  return rc;
}

const char *wr_report_path(const struct wr_report *r)
{
  return r != NULL ? r->path : NULL;
}

/* --- record builders ---------------------------------------------------- */

static bool add_time_or_null(cJSON *o, const char *name, int64_t wall_ms)
{
  char t[WR_TIME_RFC3339_LEN];

  if (wall_ms <= 0)
    return wr_record_put(o, name, cJSON_CreateNull());
  wr_time_rfc3339_ms(wall_ms, t);
  return wr_record_put(o, name, cJSON_CreateString(t));
}

static bool add_num_or_null(cJSON *o, const char *name, double v, bool null)
{
  return wr_record_put(o, name, null ? cJSON_CreateNull()
                                     : cJSON_CreateNumber(v));
}

static bool add_num(cJSON *o, const char *name, double v)
{
  return wr_record_put(o, name, cJSON_CreateNumber(v));
}

static bool add_into(cJSON *o, const struct wr_split_part *into, size_t n)
{
  cJSON *a = cJSON_CreateArray();
  size_t i;

  if (!wr_record_put(o, "into", a))
    return false;
  for (i = 0; i < n; i++) {
    cJSON *part = cJSON_CreateObject();

    if (part == NULL || !cJSON_AddItemToArray(a, part)) {
      cJSON_Delete(part);
      return false;
    }
    if (!wr_record_put_str(part, "chunk", into[i].chunk_id) ||
        !wr_record_put_strs(part, "desktop_ids", into[i].ids, into[i].nids) ||
        !wr_record_put_str(part, "client_token", into[i].client_token))
      return false;
  }
  return true;
}

cJSON *wr_record_chunk(const struct wr_chunk_outcome *c)
{
  cJSON *o = cJSON_CreateObject();
  bool ok;

  if (o == NULL)
    return NULL;
  ok = wr_record_put_str(o, "type", "chunk") &&
       wr_record_put_str(o, "chunk", c->chunk_id) &&
       wr_record_put_str(o, "region", c->region) &&
       wr_record_put_strs(o, "desktop_ids", c->ids, c->nids) &&
       wr_record_put_str(o, "client_token", c->client_token) &&
       wr_record_put_str(o, "status", c->status) &&
       wr_record_put_str(o, "request_id", c->request_id) &&
       wr_record_put_strs(o, "attempt_request_ids", c->attempt_request_ids,
                     c->nattempt_request_ids) &&
       add_num_or_null(o, "http_status", (double)c->http_status,
                       c->http_status <= 0) &&
       wr_record_put_str(o, "error_code", c->error_code) &&
       wr_record_put_str(o, "error_message", c->error_message) &&
       add_num(o, "attempts", c->attempts) &&
       add_num(o, "ambiguous_attempts", c->ambiguous_attempts) &&
       add_time_or_null(o, "started_at", c->started_wall_ms) &&
       add_time_or_null(o, "finished_at", c->finished_wall_ms) &&
       add_num_or_null(o, "latency_ms", (double)c->latency_ms,
                       c->latency_ms < 0);
  /* `into` only on a split record (CONTRACT.md). */
  if (ok && c->status != NULL && strcmp(c->status, "split") == 0)
    ok = add_into(o, c->into, c->ninto);
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

cJSON *wr_record_summary(const struct wr_summary *s)
{
  cJSON *o = cJSON_CreateObject();
  bool ok;

  if (o == NULL)
    return NULL;
  ok = wr_record_put_str(o, "type", "summary") &&
       add_time_or_null(o, "finished_at", s->finished_wall_ms) &&
       add_num(o, "ok_chunks", (double)s->ok_chunks) &&
       add_num(o, "failed_chunks", (double)s->failed_chunks) &&
       add_num(o, "skipped_chunks", (double)s->skipped_chunks) &&
       add_num(o, "ok_desktops", (double)s->ok_desktops) &&
       add_num(o, "failed_desktops", (double)s->failed_desktops) &&
       add_num(o, "skipped_desktops", (double)s->skipped_desktops) &&
       add_num(o, "exit_code", s->exit_code) &&
       wr_record_put_str(o, "stop_reason", s->stop_reason);
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}
