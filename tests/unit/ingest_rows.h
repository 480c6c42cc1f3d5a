/* ingest_rows: a test helper that records every row ingest hands over,
 * so a test can compare them with what it expects. */
#ifndef WR_TEST_INGEST_ROWS_H
#define WR_TEST_INGEST_ROWS_H

#include "ingest.h"

#include <stdio.h>
#include <string.h>

#define ROWS_MAX 64

struct rows {
  size_t n;
  long line[ROWS_MAX];
  char id[ROWS_MAX][400];
  char region[ROWS_MAX][400];
  const char *reason[ROWS_MAX];
  bool truncated[ROWS_MAX];
};

static int rows_cb(void *ctx, const struct wr_ingest_row *row,
                   struct wr_err *err)
{
  struct rows *r = ctx;

  (void)err;
  if (r->n == ROWS_MAX)
    return WR_ETOOBIG;
  r->line[r->n] = row->line;
  snprintf(r->id[r->n], sizeof(r->id[0]), "%.*s", (int)row->id_len, row->id);
  snprintf(r->region[r->n], sizeof(r->region[0]), "%.*s",
           row->region ? (int)row->region_len : 0,
           row->region ? row->region : "");
  r->reason[r->n] = row->reason;
  r->truncated[r->n] = row->id_truncated;
  r->n++;
  return 0;
}

/* Ingest data as the given format, in blocks of `block` bytes. */
static int ingest(const char *data, size_t len, enum wr_input_format format,
                  const char *column, size_t block, struct rows *out,
                  struct wr_err *err)
{
  struct wr_ingest_opts o;

  memset(out, 0, sizeof(*out));
  memset(err, 0, sizeof(*err));
  memset(&o, 0, sizeof(o));
  o.format = format;
  o.column = column;
  o.block = block;
  return wr_ingest_mem("t.csv", data, len, &o, rows_cb, out, err);
}

#endif
