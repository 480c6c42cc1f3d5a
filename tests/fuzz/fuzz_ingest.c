/* fuzz_ingest: libFuzzer target for the CSV and JSONL readers.
 *
 * The first input byte picks the format, the column option and the block
 * size; the rest is the file.  Invariants checked on every row: lines
 * start at 1 and never go back, cells stay within their bounds. */
#include "ingest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct state {
  long last_line;
  enum wr_input_format format;
};

static int check_row(void *ctx, const struct wr_ingest_row *row,
                     struct wr_err *err)
{
  struct state *st = ctx;

  (void)err;
  if (row->line < 1 || row->line < st->last_line)
    abort();
  if (st->format == WR_FORMAT_CSV &&
      (row->id_len > WR_INGEST_CELL_MAX ||
       (row->region != NULL && row->region_len > WR_INGEST_CELL_MAX)))
    abort();
  if (row->id == NULL || (row->id_len > 0 && row->id[0] == '\0' &&
                          row->reason == NULL && st->format == WR_FORMAT_JSONL))
    abort(); /* a JSON string cannot hold a NUL before its end */
  st->last_line = row->line;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const size_t blocks[] = {0, 1, 2, 3, 7, 64, 4096, 65536};
  static const char *const columns[] = {NULL, "2", "RegionId", "1"};
  struct wr_ingest_opts o;
  struct wr_err err;
  struct state st;

  if (size < 1)
    return 0;
  memset(&o, 0, sizeof(o));
  memset(&st, 0, sizeof(st));
  st.format = data[0] & 1 ? WR_FORMAT_JSONL : WR_FORMAT_CSV;
  o.format = st.format;
  o.column = columns[(data[0] >> 1) & 3];
  o.block = blocks[(data[0] >> 3) & 7];
  (void)wr_ingest_mem("fuzz", data + 1, size - 1, &o, check_row, &st, &err);
  return 0;
}
