/* journal: the report file's writer and its rules (see journal.h).
 *
 * The file only ever grows by whole lines.  `good` is the length of the
 * file up to the end of its last complete line; a write that cannot be
 * completed is cut back to it with ftruncate, so a full disk leaves the
 * journal as it was before the record, never with half a line. */
#include "journal.h"

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

struct wr_journal {
  int fd;
  char *path;
  off_t good;          /* bytes up to the end of the last complete line */
  bool dirty;          /* written since the last fsync */
  bool synced_once;
  int64_t last_sync_ms;
  char *line;          /* reused for every record: no malloc per line */
  size_t line_cap;
  bool batching;       /* between wr_journal_batch_begin and _end */
  char *batch;         /* whole lines not yet written */
  size_t batch_len, batch_cap;
};

static bool blank_char(char c)
{
  return c == ' ' || c == '\t' || c == '\r';
}

/* --- the torn-line rule ------------------------------------------------- */

enum wr_journal_line wr_journal_line_kind(const char *s, size_t len,
                                          cJSON **parsed, size_t *bad_at)
{
  const char *stop = NULL;
  cJSON *o;
  size_t i;

  if (parsed != NULL)
    *parsed = NULL;
  if (bad_at != NULL)
    *bad_at = 0;
  for (i = 0; i < len && blank_char(s[i]); i++)
    ;
  if (i == len)
    return WR_JOURNAL_BLANK;
  o = cJSON_ParseWithLengthOpts(s, len, &stop, false);
  if (o != NULL) {
    for (i = (size_t)(stop - s); i < len && blank_char(s[i]); i++)
      ;
    if (i < len) {
      cJSON_Delete(o);
      o = NULL;
    }
  }
  if (o == NULL) {
    /* On failure cJSON leaves stop where parsing went wrong. */
    if (bad_at != NULL)
      *bad_at = stop != NULL && stop >= s && stop <= s + len
                    ? (size_t)(stop - s) + 1 : len;
    return WR_JOURNAL_BROKEN;
  }
  if (parsed != NULL)
    *parsed = o;
  else
    cJSON_Delete(o);
  return WR_JOURNAL_WHOLE;
}

void wr_journal_tail_add(struct wr_journal_tail *t, enum wr_journal_line kind,
                         uint64_t end, bool has_nl)
{
  switch (kind) {
  case WR_JOURNAL_BLANK:
    /* Blank lines go with the line before them. */
    if (!t->broken)
      t->valid = end;
    break;
  case WR_JOURNAL_WHOLE:
    t->valid = end;
    t->missing_newline = !has_nl;
    t->broken = false;
    break;
  case WR_JOURNAL_BROKEN:
    t->broken = true;
    break;
  }
}

size_t wr_journal_valid_length(const char *buf, size_t len,
                               bool *missing_newline)
{
  struct wr_journal_tail t = {0};
  size_t start = len, pos, end, skip;
  const char *nl;

  /* Back to the start of the last non-blank line: only it decides. */
  while (start > 0 && (buf[start - 1] == '\n' || blank_char(buf[start - 1])))
    start--;
  while (start > 0 && buf[start - 1] != '\n')
    start--;
  t.valid = start;
  for (pos = start; pos < len; pos = end + 1) {
    nl = memchr(buf + pos, '\n', len - pos);
    end = nl != NULL ? (size_t)(nl - buf) : len;
    skip = pos == 0 && end >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3
                                                                       : 0;
    wr_journal_tail_add(&t, wr_journal_line_kind(buf + pos + skip,
                                                 end - pos - skip, NULL,
                                                 NULL),
                        nl != NULL ? end + 1 : end, nl != NULL);
    if (nl == NULL)
      break;
  }
  if (missing_newline != NULL)
    *missing_newline = t.missing_newline;
  return (size_t)t.valid;
}

/* --- the fsync policy --------------------------------------------------- */

int wr_journal_sync(int fd, const char *path, struct wr_err *err)
{
  int rc;

  do
    rc = fsync(fd);
  while (rc != 0 && errno == EINTR);
  if (rc == 0 || errno == EINVAL || errno == EROFS || errno == ENOTSUP ||
      errno == EOPNOTSUPP)
    return 0;
  return wr_err_set(err, WR_EIO, "%s: cannot sync the report to disk: %s",
                    path, strerror(errno));
}

/* --- the file ----------------------------------------------------------- */

/* All of buf from offset off, or WR_EIO. */
static int read_at(struct wr_journal *r, char *buf, size_t len, off_t off,
                   struct wr_err *err)
{
  size_t done = 0;

  while (done < len) {
    ssize_t n = pread(r->fd, buf + done, len - done, off + (off_t)done);

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return wr_err_set(err, WR_EIO, "%s: cannot read: %s", r->path,
                        n < 0 ? strerror(errno) : "short read");
    done += (size_t)n;
  }
  return 0;
}

/* The torn-line rule over the file's end: *valid is where its valid part
 * ends.  Reads back from the start of its last non-blank line. */
static int valid_end(struct wr_journal *r, off_t size, off_t *valid,
                     bool *missing_newline, struct wr_err *err)
{
  char blk[4096];
  off_t end = size, start = 0;
  bool seen = false;
  char *buf;
  size_t i, len;
  int rc;

  *valid = size;
  *missing_newline = false;
  while (end > 0 && start == 0) {
    size_t want = end < (off_t)sizeof(blk) ? (size_t)end : sizeof(blk);
    off_t pos = end - (off_t)want;

    if ((rc = read_at(r, blk, want, pos, err)) < 0)
      return rc;
    for (i = want; i > 0 && start == 0; i--) {
      if (!seen)
        seen = blk[i - 1] != '\n' && !blank_char(blk[i - 1]);
      else if (blk[i - 1] == '\n')
        start = pos + (off_t)i;
    }
    end = pos;
    if (seen && start == 0 && size - end > (off_t)LINE_MAX_BYTES)
      return wr_err_set(err, WR_EINPUT, "%s: not a report (its last line is "
                        "longer than %u bytes); refusing to append to it",
                        r->path, LINE_MAX_BYTES);
  }
  if (!seen)
    return 0;                    /* empty, or blank lines only */
  len = (size_t)(size - start);
  if (len > 2 * (size_t)LINE_MAX_BYTES)
    return wr_err_set(err, WR_EINPUT, "%s: not a report (%zu bytes after its "
                      "last newline but one); refusing to append to it",
                      r->path, len);
  buf = malloc(len);
  if (buf == NULL)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  rc = read_at(r, buf, len, start, err);
  if (rc == 0)
    *valid = start + (off_t)wr_journal_valid_length(buf, len,
                                                    missing_newline);
  free(buf);
  return rc;
}

static int write_line(struct wr_journal *r, const char *line, size_t len,
                      struct wr_err *err);

/* Appending: cut a torn tail (a crash mid-record) and end a whole last
 * record that lost its '\n', so that appended records start on a line of
 * their own. */
static int repair_tail(struct wr_journal *r, struct wr_err *err)
{
  struct stat st;
  off_t valid;
  bool missing_newline;
  int rc;

  if (fstat(r->fd, &st) != 0)
    return wr_err_set(err, WR_EIO, "%s: %s", r->path, strerror(errno));
  if (st.st_size == 0) {
    r->good = 0;
    return 0;
  }
  if ((rc = valid_end(r, st.st_size, &valid, &missing_newline, err)) < 0)
    return rc;
  if (valid == 0)
    return wr_err_set(err, WR_EINPUT, "%s: not a report (no whole line "
                      "in %lld bytes); refusing to append to it", r->path,
                      (long long)st.st_size);
  if (valid != st.st_size) {
    wr_warnf("%s: dropping a torn last line (%lld bytes) before appending",
             r->path, (long long)(st.st_size - valid));
    if (ftruncate(r->fd, valid) != 0)
      return wr_err_set(err, WR_EIO, "%s: cannot truncate a torn last line: "
                        "%s", r->path, strerror(errno));
    r->dirty = true;
  }
  r->good = valid;
  if (missing_newline) {
    wr_infof("%s: its last record lacks a newline; adding it before "
             "appending", r->path);
    return write_line(r, "\n", 1, err);
  }
  return 0;
}

/* Records written to a pipe or a device are lost (and fsync fails with
 * EINVAL, which the policy tolerates): a report is a regular file. */
static int not_regular(const char *path, mode_t mode, struct wr_err *err)
{
  const char *what = S_ISDIR(mode) ? "a directory" : S_ISFIFO(mode) ? "a FIFO "
                     "or pipe" : S_ISCHR(mode) || S_ISBLK(mode) ? "a device"
                     : S_ISSOCK(mode) ? "a socket" : "something else";

  return wr_err_set(err, WR_EINPUT, "%s: not a regular file (%s); the report "
                    "must be one", path, what);
}

/* One writer per report: a POSIX record lock on the whole file, held
 * until it is closed.  F_SETLK fails at once when another process holds
 * it, and F_GETLK names that process (flock and OFD locks cannot).  Such
 * a lock belongs to the process and goes when the process closes ANY
 * descriptor of the file, so the journal's is the only one opened while
 * it matters: resume reads the report through it (wr_rread_load_fd). */
static int lock_file(struct wr_journal *r, struct wr_err *err)
{
  struct flock fl;
  int tries;

  for (tries = 0; tries < 3; tries++) {
    memset(&fl, 0, sizeof(fl));
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(r->fd, F_SETLK, &fl) == 0)
      return 0;
    if (errno != EAGAIN && errno != EACCES) {
      /* A file system without locks (some network ones): go on, as the
       * tool did before it locked. */
      wr_warnf("%s: cannot lock the report (%s): nothing stops a second "
               "run or resume from writing it at the same time", r->path,
               strerror(errno));
      return 0;
    }
    memset(&fl, 0, sizeof(fl));
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    /* F_UNLCK: the holder let go in between; try again. */
    if (fcntl(r->fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK &&
        fl.l_pid > 0)
      return wr_err_set(err, WR_ESTATE, "%s: the report is in use by another "
                        "process (pid %ld, a run or resume writing it); wait "
                        "for it to end or stop it, then resume", r->path,
                        (long)fl.l_pid);
  }
  return wr_err_set(err, WR_ESTATE, "%s: the report is in use by another "
                    "process (a run or resume writing it); wait for it to end "
                    "or stop it, then resume", r->path);
}

static void free_journal(struct wr_journal *r)
{
  if (r->fd >= 0)
    close(r->fd);
  free(r->path);
  free(r);
}

/* Open and check, nothing written: a new file, or an existing one (its
 * tail not repaired yet). */
static int open_file(const char *path, bool append, struct wr_journal **out,
                     struct wr_err *err)
{
  struct wr_journal *r = NULL;
  struct stat st;
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
  /* Append reads the file back (the torn-line rule, resume's reader).
   * O_NONBLOCK: a FIFO is refused below instead of waiting for a writer
   * (a regular file ignores the flag). */
  flags |= append ? O_RDWR : O_WRONLY | O_CREAT | O_EXCL;
  r->fd = open(path, flags | O_NONBLOCK, REPORT_MODE);
  if (r->fd < 0) {
    if (errno == EISDIR)
      rc = not_regular(path, S_IFDIR, err);
    else if (!append && errno == EEXIST)
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
  if (fstat(r->fd, &st) != 0) {
    rc = wr_err_set(err, WR_EIO, "%s: %s", path, strerror(errno));
    goto out;
  }
  if (!S_ISREG(st.st_mode)) {
    rc = not_regular(path, st.st_mode, err);
    goto out;
  }
  if ((rc = lock_file(r, err)) < 0)
    goto out;
  r->good = st.st_size;
  *out = r;
  r = NULL;
  rc = 0;
out:
  if (r != NULL)
    free_journal(r);
  return rc;
}

int wr_journal_open(const char *path, bool append, struct wr_journal **out,
                    struct wr_err *err)
{
  int rc = open_file(path, append, out, err);

  if (rc < 0 || !append || *out == NULL)
    return rc;
  rc = repair_tail(*out, err);
  if (rc < 0) {
    free_journal(*out);
    *out = NULL;
  }
  return rc;
}

int wr_journal_open_existing(const char *path, struct wr_journal **out,
                             struct wr_err *err)
{
  return open_file(path, true, out, err);
}

int wr_journal_repair(struct wr_journal *r, struct wr_err *err)
{
  return repair_tail(r, err);
}

int wr_journal_fd(const struct wr_journal *r)
{
  return r->fd;
}

/* A write that failed after writing part of the line: cut the file back
 * to the last complete line so no half record stays behind. */
static int undo_partial(struct wr_journal *r, size_t written, int e,
                        struct wr_err *err)
{
  const char *why = e == ENOSPC ? "the disk is full" : strerror(e);

  if (written == 0)
    return wr_err_set(err, WR_EIO, "%s: cannot write the report: %s",
                      r->path, why);
  if (ftruncate(r->fd, r->good) == 0)
    return wr_err_set(err, WR_EIO, "%s: cannot write the report: %s (the "
                      "partly written record was removed)", r->path, why);
  return wr_err_set(err, WR_EIO, "%s: cannot write the report: %s; its last "
                    "line is torn (%zu bytes) and will be ignored on resume",
                    r->path, why, written);
}

static int write_line(struct wr_journal *r, const char *line, size_t len,
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

static int print_line(struct wr_journal *r, const cJSON *record, size_t *len,
                      struct wr_err *err);

/* Serialise record into r->line followed by "\n"; *len set to the bytes
 * of the whole line.  cJSON prints into the reused buffer, which doubles
 * until the record fits. */
static int serialise(struct wr_journal *r, const cJSON *record, size_t *len,
                     struct wr_err *err)
{
  struct raw_int ri[RAW_INTS];
  size_t nri = ints_as_raw(record, ri);
  int rc = print_line(r, record, len, err);

  raw_back(ri, nri);
  return rc;
}

static int print_line(struct wr_journal *r, const cJSON *record, size_t *len,
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

static int sync_now(struct wr_journal *r, int64_t now_ms, struct wr_err *err);

/* Write the batched lines (one write(2)); a failure cuts them all. */
static int flush_batch(struct wr_journal *r, struct wr_err *err)
{
  int rc = 0;

  if (r->batch_len > 0)
    rc = write_line(r, r->batch, r->batch_len, err);
  r->batch_len = 0;
  return rc;
}

/* Add the line in r->line to the batch, flushing first if it is full. */
static int batch_line(struct wr_journal *r, size_t len, struct wr_err *err)
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

void wr_journal_batch_begin(struct wr_journal *r)
{
  if (r != NULL)
    r->batching = true;
}

int wr_journal_batch_end(struct wr_journal *r, int64_t now_ms,
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

int wr_journal_write(struct wr_journal *r, const cJSON *record,
                     int64_t now_ms, struct wr_err *err)
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
  return wr_journal_tick(r, now_ms, err);
}

static int sync_now(struct wr_journal *r, int64_t now_ms, struct wr_err *err)
{
  int rc;

  if ((rc = wr_journal_sync(r->fd, r->path, err)) < 0)
    return rc;
  r->dirty = false;
  r->synced_once = true;
  r->last_sync_ms = now_ms;
  return 0;
}

int wr_journal_flush(struct wr_journal *r, int64_t now_ms, struct wr_err *err)
{
  int rc;

  if (r == NULL)
    return 0;
  rc = flush_batch(r, err);
  if (rc < 0)
    return rc;
  return wr_journal_tick(r, now_ms, err);
}

int wr_journal_tick(struct wr_journal *r, int64_t now_ms, struct wr_err *err)
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

int wr_journal_close(struct wr_journal **pp, struct wr_err *err)
{
  struct wr_journal *r = pp != NULL ? *pp : NULL;
  int rc = 0;

  if (r == NULL)
    return 0;
  *pp = NULL;
  if (r->batching)
    rc = wr_journal_batch_end(r, r->last_sync_ms, err);
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

const char *wr_journal_path(const struct wr_journal *r)
{
  return r != NULL ? r->path : NULL;
}
