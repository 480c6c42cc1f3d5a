/* report_read: the line reader.  Blocks of BLOCK bytes are cut at '\n';
 * a line lying within a block is parsed in place, one that straddles two
 * blocks is gathered in a bounded wr_buf.  A line that is not JSON is
 * held back: if nothing but blank lines follows it, it is the torn tail
 * of a crash and is dropped (the torn-line rule, journal.h); otherwise
 * it is the error. */
#include "report_read_int.h"

#include "buf.h"
#include "journal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK (256 * 1024)

struct reader {
  struct wr_rread_ctx ctx;
  FILE *f;                     /* the source: a stream, or else */
  int fd;                      /* a file read with pread */
  uint64_t off;                /* offset of the next unread byte */
  struct wr_journal_tail tail; /* the torn-line rule's state */
  struct wr_err held_err;      /* a broken line's, while it may be torn */
  long held_line;
  size_t held_bytes;
};

/* One physical line (without its '\n'); end is the offset just past it.
 * The torn-line rule (journal.h) decides valid_up_to; a broken line is
 * held back until a non-blank line shows it was not the last. */
static int line(struct reader *r, const char *s, size_t len, uint64_t end,
                bool has_nl)
{
  struct wr_rread *rr = r->ctx.rr;
  enum wr_journal_line kind;
  size_t bad_at;
  cJSON *o;
  int rc;

  r->ctx.line = ++rr->lines;
  if (r->ctx.line == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
    s += 3;
    len -= 3;
  }
  kind = wr_journal_line_kind(s, len, &o, &bad_at);
  if (kind != WR_JOURNAL_BLANK && r->tail.broken) {
    cJSON_Delete(o);
    *r->ctx.err = r->held_err;
    return r->held_err.code;
  }
  wr_journal_tail_add(&r->tail, kind, end, has_nl);
  if (kind == WR_JOURNAL_BLANK)
    return 0;
  if (kind == WR_JOURNAL_BROKEN) {
    r->held_line = r->ctx.line;
    r->held_bytes = len + has_nl;
    wr_err_set(&r->held_err, WR_EINPUT, "%s:%ld: not a whole JSON record "
               "(bad near byte %zu of %zu)", rr->path, r->ctx.line, bad_at,
               len);
    return 0;
  }
  rc = wr_rread_record(&r->ctx, o);
  cJSON_Delete(o);
  return rc < 0 ? rc : 0;
}

/* Up to len bytes at r->off; 0 at the end; -1 with errno on an error. */
static ssize_t get_block(struct reader *r, char *blk, size_t len)
{
  ssize_t n;

  if (r->f != NULL) {
    n = (ssize_t)fread(blk, 1, len, r->f);
    return n == 0 && ferror(r->f) ? -1 : n;
  }
  do
    n = pread(r->fd, blk, len, (off_t)r->off);
  while (n < 0 && errno == EINTR);
  return n;
}

static int read_all(struct reader *r, struct wr_err *err)
{
  struct wr_buf part;
  char *blk = malloc(BLOCK);
  const char *p, *end, *nl;
  ssize_t n;
  int rc = WR_ENOMEM;

  wr_buf_init(&part, WR_RREAD_MAX_LINE);
  if (blk == NULL) {
    wr_err_set(err, rc, "out of memory");
    goto out;
  }
  while ((n = get_block(r, blk, BLOCK)) > 0) {
    for (p = blk, end = blk + n; p < end; p = nl + 1) {
      nl = memchr(p, '\n', (size_t)(end - p));
      if (nl == NULL) {
        if ((rc = wr_buf_add(&part, p, (size_t)(end - p))) < 0)
          goto too_long;
        break;
      }
      if (part.len > 0) {
        if ((rc = wr_buf_add(&part, p, (size_t)(nl - p))) < 0)
          goto too_long;
        rc = line(r, part.data, part.len, r->off + (uint64_t)(nl - blk) + 1,
                  true);
        wr_buf_reset(&part);
      } else {
        rc = line(r, p, (size_t)(nl - p), r->off + (uint64_t)(nl - blk) + 1,
                  true);
      }
      if (rc < 0)
        goto out;
    }
    r->off += (uint64_t)n;
  }
  if (n < 0) {
    rc = wr_err_set(err, WR_EIO, "%s: %s", r->ctx.rr->path, strerror(errno));
    goto out;
  }
  rc = part.len > 0 ? line(r, part.data, part.len, r->off, false) : 0;
  goto out;
too_long:
  rc = wr_err_set(err, rc, "%s:%ld: a line longer than %d bytes (not a "
                  "report?)", r->ctx.rr->path, r->ctx.rr->lines + 1,
                  WR_RREAD_MAX_LINE);
out:
  wr_buf_free(&part);
  free(blk);
  return rc;
}

/* The run record's counts against the plan records (report_read.h). */
static int check_plan(struct wr_rread *rr, struct wr_err *err)
{
  const struct wr_rread_run *run = &rr->run;
  size_t i;

  for (i = 0; i < rr->nroots; i++)
    rr->plan_desktops += rr->chunks[i].nids;
  if (run->chunks < 0)           /* not recorded: nothing to compare */
    return 0;
  if (rr->nroots < (size_t)run->chunks) {
    rr->plan_incomplete = true;
    return 0;
  }
  if (rr->nroots > (size_t)run->chunks)
    return wr_err_set(err, WR_EINPUT, "%s: the run record says %ld chunks, "
                      "but %zu plan records follow it", rr->path, run->chunks,
                      rr->nroots);
  if (run->desktops >= 0 && rr->plan_desktops != (size_t)run->desktops)
    return wr_err_set(err, WR_EINPUT, "%s: the run record says %ld desktops, "
                      "but its %zu plan records hold %zu", rr->path,
                      run->desktops, rr->nroots, rr->plan_desktops);
  return 0;
}

static int load(FILE *f, int fd, const char *name, struct wr_rread **out,
                struct wr_err *err)
{
  struct reader r;
  struct wr_rread *rr = NULL;
  int rc = WR_ENOMEM;

  *out = NULL;
  memset(&r, 0, sizeof(r));
  r.f = f;
  r.fd = fd;
  rr = calloc(1, sizeof(*rr));
  if (rr == NULL || wr_idset_create(1024, &rr->index) < 0 ||
      wr_idset_create(16384, &rr->desktops) < 0 ||
      (rr->path = wr_arena_strndup(wr_idset_arena(rr->index), name,
                                   strlen(name))) == NULL) {
    wr_err_set(err, rc, "out of memory");
    goto out;
  }
  r.ctx.rr = rr;
  r.ctx.arena = wr_idset_arena(rr->index);
  r.ctx.err = err;
  if ((rc = read_all(&r, err)) < 0)
    goto out;
  rr->valid_up_to = r.tail.valid;
  rr->missing_newline = r.tail.missing_newline;
  if (r.tail.broken) {
    rr->torn_line = r.held_line;
    rr->torn_bytes = r.held_bytes;
  }
  if (!r.ctx.seen_run) {
    rc = wr_err_set(err, WR_EINPUT, "%s: no run record: empty, or not a "
                    "wuying-reboot report", rr->path);
    goto out;
  }
  if ((rc = check_plan(rr, err)) < 0)
    goto out;
  *out = rr;
  rr = NULL;
  rc = 0;
out:
  wr_rread_destroy(&rr);
  return rc;
}

int wr_rread_load_stream(FILE *f, const char *name, struct wr_rread **out,
                         struct wr_err *err)
{
  return load(f, -1, name, out, err);
}

int wr_rread_load_fd(int fd, const char *name, struct wr_rread **out,
                     struct wr_err *err)
{
  return load(NULL, fd, name, out, err);
}

int wr_rread_load(const char *path, struct wr_rread **out,
                  struct wr_err *err)
{
  bool is_stdin = strcmp(path, "-") == 0;
  FILE *f = is_stdin ? stdin : fopen(path, "rb");
  int rc;

  *out = NULL;
  if (f == NULL)
    return wr_err_set(err, WR_EIO, "%s: %s", path, strerror(errno));
  rc = wr_rread_load_stream(f, is_stdin ? "(stdin)" : path, out, err);
  if (!is_stdin)
    fclose(f);
  return rc;
}

void wr_rread_destroy(struct wr_rread **pp)
{
  struct wr_rread *rr = *pp;

  if (rr == NULL)
    return;
  cJSON_Delete(rr->run.options);
  cJSON_Delete(rr->run.selection);
  for (size_t i = 0; i < rr->nsessions; i++) {
    cJSON_Delete(rr->sessions[i].options);
    cJSON_Delete(rr->sessions[i].origins);
  }
  free(rr->sessions);
  free(rr->kept);
  free(rr->rejected);
  free(rr->chunks);
  free(rr->waves);
  free(rr->verifies);
  free(rr->preflights);
  wr_idset_destroy(&rr->index);
  wr_idset_destroy(&rr->desktops);
  free(rr);
  *pp = NULL;
}

long wr_rread_find(const struct wr_rread *rr, const char *id)
{
  return wr_idset_find(rr->index, id, strlen(id));
}

const struct wr_rread_chunk *wr_rread_newest(const struct wr_rread *rr,
                                             const struct wr_rread_chunk *c)
{
  while (c->retried_by >= 0)
    c = &rr->chunks[c->retried_by];
  return c;
}

bool wr_rread_chunk_done(const struct wr_rread *rr, size_t i)
{
  const struct wr_rread_chunk *c = &rr->chunks[i];
  size_t k;

  if (c->status == WR_RREAD_PENDING)
    return false;
  if (c->retried_by >= 0)
    return wr_rread_chunk_done(rr, (size_t)c->retried_by);
  for (k = 0; k < c->nchildren; k++)
    if (!wr_rread_chunk_done(rr, c->first_child + k))
      return false;
  return true;
}

bool wr_rread_chunk_unsent(const struct wr_rread_chunk *c)
{
  return c->status == WR_RREAD_PENDING || c->status == WR_RREAD_SKIPPED ||
         (c->status == WR_RREAD_FAILED && c->retry_pending);
}

const char *wr_rread_status_name(enum wr_rread_status s)
{
  switch (s) {
  case WR_RREAD_OK: return "ok";
  case WR_RREAD_FAILED: return "failed";
  case WR_RREAD_SKIPPED: return "skipped";
  case WR_RREAD_SPLIT: return "split";
  case WR_RREAD_EXCLUDED: return "excluded";
  case WR_RREAD_PENDING: break;
  }
  return "pending";
}
