/* journal: the report file (CONTRACT.md "The report") as the run's
 * journal of JSON Lines: opening, writing, syncing and closing it, and
 * the two rules that every code path touching the file shares: where its
 * valid part ends (the torn-line rule) and which fsync errors matter.
 * Building the records is journal_records.h, reading them back
 * report_read.h.  Runs on the loop thread only.
 *
 * Durability.  Each record is serialised with cJSON into one line.  The
 * run batches the records decided between two waits of its event loop
 * and writes them, whole lines only, in one write(2) (more only past
 * 1 MiB) before the loop waits again (a uv_prepare handle calls
 * wr_journal_flush); the plan records before the first call are one
 * batch too.  fsync follows once a second while something is unsynced
 * (wr_journal_tick, from the run's 200 ms timer), at the end of an
 * explicit batch (wr_journal_batch_end) and at close.  So:
 *  - kill -9, or a crash of the tool, loses the records decided since
 *    the loop last waited (a write(2) cut short can also leave a torn
 *    last line).  Their calls may have been made; resume finds those
 *    chunks without a final record and sends them again with their
 *    ClientTokens, which the service replays instead of rebooting twice
 *    (the admin API has none: resume warns).  Records already written
 *    are in the kernel and survive.
 *  - a power loss or a kernel crash can lose what was not yet synced, up
 *    to about a second of records (the tick's 200 ms included), and tear
 *    the last line; resume handles that the same way.
 * A write error or a full disk is WR_EIO naming the file; the write is
 * cut back to the last whole line and the caller stops the run cleanly.
 *
 * The torn-line rule.  A journal is lines, each one JSON record ended by
 * '\n' (a '\r' before it and blank lines are allowed).  Its last
 * non-blank line decides where the valid part ends:
 *  - if it is whole (one JSON value and nothing after it but blanks), at
 *    the end of the file; when that line lacks its '\n', the record is
 *    kept and the '\n' is written before anything is appended;
 *  - if not, it is a torn line, and the valid part ends where it starts:
 *    it and the blank lines after it are ignored by the reader and cut
 *    off before anything is appended.
 * A line that is not whole and is followed by a non-blank line is not a
 * torn one: the reader refuses the file.  The reader (valid_up_to,
 * torn_line) and the writer appending (which is how resume repairs the
 * file) apply the rule with the functions at the end of this header;
 * from there the writer keeps the file valid: it writes whole lines
 * only, and cuts a write that fails back to the end of the last whole
 * line before it. */
#ifndef WR_JOURNAL_H
#define WR_JOURNAL_H

#include "err.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wr_journal;

/* Open path for writing: a new file (refuses to overwrite an existing one)
 * or, with append, an existing report (resume).  Appending applies the
 * torn-line rule first: a torn tail is cut off (with a warning) and a
 * missing last '\n' written; a file with no whole line at all is refused
 * (WR_EINPUT) and left as it is.  *out set on success. */
int wr_journal_open(const char *path, bool append, struct wr_journal **out,
                    struct wr_err *err);
/* Write one record (a cJSON object; borrowed) as one line; a NULL record
 * (a builder out of memory) is WR_ENOMEM, naming the file.  now_ms
 * (monotonic) drives the once-a-second fsync.  Within a batch the line is
 * only added to it (see below). */
int wr_journal_write(struct wr_journal *r, const cJSON *record,
                     int64_t now_ms, struct wr_err *err);
/* Batch: the records written from begin to end go out together, in
 * write(2)s of up to 1 MiB of whole lines, then one fsync at end (so they
 * are durable when it returns 0).  For the run's preamble: thousands of
 * plan records before the first call.  A failed write cuts the file back
 * to its last complete line, as for a single record. */
void wr_journal_batch_begin(struct wr_journal *r);
int wr_journal_batch_end(struct wr_journal *r, int64_t now_ms,
                         struct wr_err *err);
/* Write what is batched so far, whole lines in one write(2), and keep
 * batching; fsync if the last one is a second old.  The run batches the
 * records decided between two waits of its event loop and flushes before
 * each wait: one write(2) for the dozens of calls a wake-up completes. */
int wr_journal_flush(struct wr_journal *r, int64_t now_ms, struct wr_err *err);
/* Flush any batch, then fsync if the last one is a second old or more. */
int wr_journal_tick(struct wr_journal *r, int64_t now_ms, struct wr_err *err);
/* fsync and close; *pp set to NULL.  Safe on NULL. */
int wr_journal_close(struct wr_journal **pp, struct wr_err *err);
const char *wr_journal_path(const struct wr_journal *r);

/* The fsync policy: fsync(fd), again on EINTR.  EINVAL, EROFS and
 * ENOTSUP/EOPNOTSUPP say that this file cannot be synced at all (its file
 * system has no fsync), not that data was lost: they count as success,
 * as on a file that was synced.  Any other error (EIO, ENOSPC, EDQUOT,
 * ...) means records written may not be on disk: WR_EIO, "PATH: cannot
 * sync the report to disk: ...". */
int wr_journal_sync(int fd, const char *path, struct wr_err *err);

/* --- the torn-line rule (see the top of this header) ------------------- */

enum wr_journal_line {
  WR_JOURNAL_BLANK,   /* only spaces, tabs and '\r' */
  WR_JOURNAL_WHOLE,   /* one JSON value, then only blanks */
  WR_JOURNAL_BROKEN   /* anything else: torn if it is the last non-blank */
};

/* What s[0..len), one line without its '\n', is.  For a whole line
 * *parsed (if parsed is not NULL) gets the value (the caller deletes it);
 * for a broken one *bad_at (if not NULL) the 1-based byte near which it
 * went wrong. */
enum wr_journal_line wr_journal_line_kind(const char *s, size_t len,
                                          cJSON **parsed, size_t *bad_at);

/* The rule's state, fed the lines of a journal in order. */
struct wr_journal_tail {
  uint64_t valid;          /* offset just past the valid part */
  bool missing_newline;    /* the valid part ends in a whole line without
                            * its '\n' (the end of the file) */
  bool broken;             /* the last non-blank line so far is broken */
};

/* The next line: its kind and the offset just past it (past its '\n'
 * when has_nl).  Start from a zeroed struct at offset 0. */
void wr_journal_tail_add(struct wr_journal_tail *t, enum wr_journal_line kind,
                         uint64_t end, bool has_nl);

/* The rule over buf[0..len), which starts at the start of a line (a UTF-8
 * BOM there is skipped, as the reader skips one on line 1): the length
 * of its valid part.  Only the last non-blank line is examined.
 * *missing_newline (if not NULL) as in struct wr_journal_tail. */
size_t wr_journal_valid_length(const char *buf, size_t len,
                               bool *missing_newline);

#endif
