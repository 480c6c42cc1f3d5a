/* report: the run's JSON Lines journal (CONTRACT.md "The report").
 *
 * Each record is serialised with cJSON and written whole with one write(2)
 * as it happens (or, in a batch, with the other whole lines of its batch),
 * so a crash loses nothing and never leaves half a line but the torn tail
 * of the write in progress.  fsync at least once a
 * second (wr_journal_tick) and at close.  A write error or a full disk is
 * returned as WR_EIO with a message naming the file; the caller stops the
 * run cleanly.  Runs on the loop thread only. */
#ifndef WR_JOURNAL_H
#define WR_JOURNAL_H

#include "err.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wr_journal;

/* Open path for writing: a new file (refuses to overwrite an existing one)
 * or, with append, an existing report (resume).  *out set on success. */
int wr_journal_open(const char *path, bool append, struct wr_journal **out,
                   struct wr_err *err);
/* Write one record (a cJSON object; borrowed) as one line; a NULL record
 * (a builder out of memory) is WR_ENOMEM, naming the file.  now_ms
 * (monotonic) drives the once-a-second fsync.  Within a batch the line is
 * only added to it (see below). */
int wr_journal_write(struct wr_journal *r, const cJSON *record, int64_t now_ms,
                    struct wr_err *err);
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

#endif
