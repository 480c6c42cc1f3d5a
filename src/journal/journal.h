/* report: the run's JSON Lines journal (CONTRACT.md "The report").
 *
 * Each record is serialised with cJSON and written whole with one write(2)
 * as it happens (or, in a batch, with the other whole lines of its batch),
 * so a crash loses nothing and never leaves half a line but the torn tail
 * of the write in progress.  fsync at least once a
 * second (wr_report_tick) and at close.  A write error or a full disk is
 * returned as WR_EIO with a message naming the file; the caller stops the
 * run cleanly.  Runs on the loop thread only. */
#ifndef WR_REPORT_H
#define WR_REPORT_H

#include "err.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wr_report;

/* Open path for writing: a new file (refuses to overwrite an existing one)
 * or, with append, an existing report (resume).  *out set on success. */
int wr_report_open(const char *path, bool append, struct wr_report **out,
                   struct wr_err *err);
/* Write one record (a cJSON object; borrowed) as one line; a NULL record
 * (a builder out of memory) is WR_ENOMEM, naming the file.  now_ms
 * (monotonic) drives the once-a-second fsync.  Within a batch the line is
 * only added to it (see below). */
int wr_report_write(struct wr_report *r, const cJSON *record, int64_t now_ms,
                    struct wr_err *err);
/* Batch: the records written from begin to end go out together, in
 * write(2)s of up to 1 MiB of whole lines, then one fsync at end (so they
 * are durable when it returns 0).  For the run's preamble: thousands of
 * plan records before the first call.  A failed write cuts the file back
 * to its last complete line, as for a single record. */
void wr_report_batch_begin(struct wr_report *r);
int wr_report_batch_end(struct wr_report *r, int64_t now_ms,
                        struct wr_err *err);
/* Write what is batched so far, whole lines in one write(2), and keep
 * batching; fsync if the last one is a second old.  The run batches the
 * records decided between two waits of its event loop and flushes before
 * each wait: one write(2) for the dozens of calls a wake-up completes. */
int wr_report_flush(struct wr_report *r, int64_t now_ms, struct wr_err *err);
/* Flush any batch, then fsync if the last one is a second old or more. */
int wr_report_tick(struct wr_report *r, int64_t now_ms, struct wr_err *err);
/* fsync and close; *pp set to NULL.  Safe on NULL. */
int wr_report_close(struct wr_report **pp, struct wr_err *err);
const char *wr_report_path(const struct wr_report *r);

/* One part of a split chunk. */
struct wr_split_part {
  const char *chunk_id;          /* "17.1" */
  const char *const *ids;
  size_t nids;
  const char *client_token;      /* NULL in admin mode */
};

/* The final state of a chunk (or of a part of a split chunk). */
struct wr_chunk_outcome {
  const char *chunk_id;
  const char *region;
  const char *const *ids;
  size_t nids;
  const char *client_token;      /* NULL in admin mode */
  const char *status;            /* "ok" "failed" "skipped" "split" */
  const char *request_id;        /* NULL if none */
  const char *const *attempt_request_ids; /* every attempt's, in order */
  size_t nattempt_request_ids;
  long http_status;              /* 0: none */
  const char *error_code;        /* NULL if none */
  const char *error_message;     /* NULL if none */
  int attempts;
  int ambiguous_attempts;
  int64_t started_wall_ms;       /* 0: never started (null) */
  int64_t finished_wall_ms;
  int64_t latency_ms;            /* last attempt's, -1: none */
  const struct wr_split_part *into; /* status "split" only */
  size_t ninto;
};

struct wr_summary {
  int64_t finished_wall_ms;
  size_t ok_chunks, failed_chunks, skipped_chunks;
  size_t ok_desktops, failed_desktops, skipped_desktops;
  int exit_code;
  const char *stop_reason;       /* NULL, "interrupt", "deadline", ... */
};

/* Record builders (caller frees with cJSON_Delete; NULL on ENOMEM).  A
 * record borrows the strings of its input (no copies: they are the hot
 * path), so write it before they change or go.  The run, rejected and
 * plan records are in report_records.h, and so is a reusable chunk
 * record (wr_chunk_record) for the per-call hot path. */
cJSON *wr_record_chunk(const struct wr_chunk_outcome *o);
cJSON *wr_record_summary(const struct wr_summary *s);

#endif
