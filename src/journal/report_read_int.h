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
  size_t cap_chunks, cap_rejected, cap_waves, cap_verifies, cap_sessions;
  size_t cap_preflights;
  bool seen_run;
  long resume_line;            /* the last {"type":"resume"}, 0: none */
};

/* Field readers for the record decoders: each fills *out (strings are
 * copied into the arena; NULL or dflt when absent or null) or sets err to
 * "FILE:LINE: <type> record: ..." and returns WR_EINPUT. */
int wr_rr_bad(struct wr_rread_ctx *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int wr_rr_nomem(struct wr_rread_ctx *c);
/* Room for element n of *arr (capacity *cap), doubling. */
int wr_rr_grow(struct wr_rread_ctx *c, void **arr, size_t *cap, size_t n,
               size_t sz);
int wr_rr_str(struct wr_rread_ctx *c, const cJSON *o, const char *type,
              const char *key, bool required, const char **out);
int wr_rr_strs(struct wr_rread_ctx *c, const cJSON *o, const char *type,
               const char *key, bool required, const char ***out, size_t *n);
int wr_rr_long(struct wr_rread_ctx *c, const cJSON *o, const char *type,
               const char *key, bool required, long dflt, long *out);
int wr_rr_int(struct wr_rread_ctx *c, const cJSON *o, const char *type,
              const char *key, int *out);
/* Absent or null: false. */
int wr_rr_bool(struct wr_rread_ctx *c, const cJSON *o, const char *type,
               const char *key, bool *out);

/* Plan and chunk records (report_read_tree.c). */
int wr_rread_plan(struct wr_rread_ctx *c, const cJSON *o);
int wr_rread_chunk_record(struct wr_rread_ctx *c, const cJSON *o);
/* A columns record: kept values of a plan chunk's desktops. */
int wr_rread_columns(struct wr_rread_ctx *c, const cJSON *o);
int wr_rread_retry(struct wr_rread_ctx *c, const cJSON *o);

/* Sessions (report_read_sess.c): a new one at a run or resume record,
 * filled by a session record, counted by chunk records, closed by a
 * summary. */
int wr_rread_session_open(struct wr_rread_ctx *c, const char *kind,
                          const char *started_at);
int wr_rread_session_record(struct wr_rread_ctx *c, const cJSON *o);
void wr_rread_session_chunk(struct wr_rread_ctx *c, const cJSON *o);
/* A "credentials" record (a renewal during the session). */
int wr_rread_session_creds(struct wr_rread_ctx *c, const cJSON *o);
void wr_rread_session_summary(struct wr_rread_ctx *c,
                              const struct wr_rread_summary *s);
int wr_rread_inputs(struct wr_rread_ctx *c, const cJSON *o, const char *type,
                    const char *key, struct wr_rread_input **out, size_t *n);

/* Decode one parsed line into rr.  0, or WR_EINPUT/WR_ENOMEM/WR_ETOOBIG
 * with err set to "FILE:LINE: what". */
int wr_rread_record(struct wr_rread_ctx *c, const cJSON *o);

#endif
