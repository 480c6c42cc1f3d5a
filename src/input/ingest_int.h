/* ingest_int: what ingest.c shares with its two format parsers.  Each
 * parser is pushed blocks of bytes (BOM already removed) and then told
 * the input ended; it owns no file and reads no clock. */
#ifndef WR_INGEST_INT_H
#define WR_INGEST_INT_H

#include "ingest.h"

struct wr_ingest_ctx {
  const char *name;                  /* for messages */
  const struct wr_ingest_opts *opts;
  wr_ingest_row_cb *cb;
  void *ud;
  struct wr_err *err;
};

struct wr_csv;
int wr_csv_create(const struct wr_ingest_ctx *ctx, struct wr_csv **out);
int wr_csv_feed(struct wr_csv *c, const char *data, size_t len);
int wr_csv_finish(struct wr_csv *c);
void wr_csv_destroy(struct wr_csv **pp);

struct wr_jsonl;
int wr_jsonl_create(const struct wr_ingest_ctx *ctx, struct wr_jsonl **out);
int wr_jsonl_feed(struct wr_jsonl *j, const char *data, size_t len);
int wr_jsonl_finish(struct wr_jsonl *j);
void wr_jsonl_destroy(struct wr_jsonl **pp);

/* Trim ASCII white space (space, tab, CR, LF, VT, FF) on both sides. */
void wr_ingest_trim(const char **s, size_t *len);

#endif
