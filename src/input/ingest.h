/* ingest: one input (a file, or "-" for stdin) -> rows of desktop ID,
 * region and the physical line where the record starts.
 *
 * CSV goes through libcsv and JSONL through cJSON, both fed blocks of at
 * most 1 MiB as they are read, so memory is bounded by the longest field
 * (WR_INGEST_FIELD_MAX), never by the file.  A UTF-8 BOM is dropped.
 * Ingest only knows formats: it hands every record to the caller's
 * callback, which validates IDs and regions (plan.c).  A record the format
 * itself cannot read (a JSONL line that is not JSON, a CSV row without the
 * ID column) arrives with `reason` set.  Errors that make the rest of the
 * input unreadable (I/O, NUL bytes, an unterminated quote, a field over the
 * bound) end the input with WR_EINPUT/WR_EIO and "file:line: why" in err. */
#ifndef WR_INGEST_H
#define WR_INGEST_H

#include "config.h"
#include "err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WR_INGEST_CELL_MAX 320            /* bytes of a cell kept */
#define WR_INGEST_FIELD_MAX (1024 * 1024) /* longest CSV field/JSONL line */
#define WR_INGEST_BLOCK (1024 * 1024)     /* read size */

struct wr_ingest_row {
  long line;              /* physical line where the record starts */
  const char *id;         /* trimmed ID cell, not NUL-terminated */
  size_t id_len;
  bool id_truncated;      /* the cell was longer than WR_INGEST_CELL_MAX */
  const char *region;     /* trimmed region cell, NULL when none */
  size_t region_len;
  bool region_truncated;
  const char *reason;     /* non-NULL: the format rejected the record and
                             id holds the raw value */
  const char *const *kept; /* opts->nkeep cells of the --keep-columns, in
                              their order, not NUL-terminated (kept_len);
                              NULL where the row has none */
  const size_t *kept_len;
};

/* Called for every record; a negative return stops the input with that
 * code (err filled by the callback). */
typedef int wr_ingest_row_cb(void *ctx, const struct wr_ingest_row *row,
                             struct wr_err *err);

/* What identifies an input in the report: its bytes as read (a BOM
 * included), hashed as they stream by, so stdin gets one too. */
struct wr_ingest_digest {
  uint64_t bytes;
  char sha256[65];             /* lowercase hex, "" until the input ends */
};

struct wr_ingest_opts {
  enum wr_input_format format; /* AUTO: .jsonl/.ndjson, else sniffed */
  const char *column;          /* --column NAME|N (1-based), NULL: auto */
  size_t block;                /* read size, 0: WR_INGEST_BLOCK (tests
                                  use 1 to split every token) */
  struct wr_ingest_digest *digest; /* NULL: not wanted */
  const char *const *keep;     /* --keep-columns: CSV header names (ASCII
                                  case ignored, like --column) or JSONL
                                  keys, each row's cells handed over in
                                  row.kept; a name the input does not have
                                  is WR_EINPUT naming it and the columns
                                  there are */
  size_t nkeep;
};

/* Read path ("-": stdin) to its end.  Returns 0 or a negative WR_E* code
 * with err naming the file and line. */
int wr_ingest_file(const char *path, const struct wr_ingest_opts *opts,
                   wr_ingest_row_cb *cb, void *ctx, struct wr_err *err);
/* The same over a memory buffer; name is used in messages. */
int wr_ingest_mem(const char *name, const void *data, size_t len,
                  const struct wr_ingest_opts *opts, wr_ingest_row_cb *cb,
                  void *ctx, struct wr_err *err);

/* The format of a path from its extension (AUTO when it says nothing). */
enum wr_input_format wr_ingest_format_of(const char *path);

#endif
