/* report_read internals: the load context shared by the line reader
 * (report_read.c) and the record decoders (report_read_rec.c). */
#ifndef WR_REPORT_READ_INT_H
#define WR_REPORT_READ_INT_H

#include "idset.h"
#include "report_read.h"

struct wr_rread_ctx {
  struct wr_rread *rr;
  struct wr_arena *arena;      /* the index's: lives as long as rr */
  struct wr_err *err;
  long line;                   /* the line being decoded, 1-based */
  size_t cap_chunks, cap_rejected, cap_waves, cap_verifies;
  bool seen_run;
};

/* Decode one parsed line into rr.  0, or WR_EINPUT/WR_ENOMEM/WR_ETOOBIG
 * with err set to "FILE:LINE: what". */
int wr_rread_record(struct wr_rread_ctx *c, const cJSON *o);

#endif
