/* plan: desktop IDs from every input -> validated, de-duplicated, grouped
 * by region (regions in order of first appearance) and cut into chunks of
 * at most chunk_size IDs.  Chunk ids are "1", "2", ... in plan order.
 *
 * The plan owns every string it points to; wr_plan_destroy() frees it.
 * Deterministic apart from the client tokens (UUID v4 from OpenSSL's
 * CSPRNG, client mode only).  Memory is bounded by the number of distinct
 * IDs, not by line length or file size. */
#ifndef WR_PLAN_H
#define WR_PLAN_H

#include "config.h"
#include "err.h"
#include "uuid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wr_rejected {
  const char *source; /* input path as given, "-" for stdin */
  long line;          /* physical line where the record starts, 1-based */
  char *value;        /* the offending value (truncated to 256 bytes) */
  const char *reason; /* static text, e.g. "invalid desktop ID syntax" */
};

#define WR_CHUNK_ID_LEN 32
#define WR_CLIENT_TOKEN_LEN WR_UUID_LEN /* a UUID v4 (uuid.h) */

struct wr_chunk {
  char id[WR_CHUNK_ID_LEN];   /* "17" */
  const char *region;         /* points into the plan's region table */
  const char **ids;           /* nids desktop IDs, owned by the plan */
  size_t nids;
  int wave;                   /* 0: canary wave (if any), then 1, 2, ... */
  char client_token[WR_CLIENT_TOKEN_LEN]; /* "" in admin mode */
  const char **kept;          /* nids x plan->nkeep values (desktop i's
                                 column k at [i * nkeep + k]; NULL: the
                                 row had none), owned by the plan; NULL
                                 when nothing is kept */
};

struct wr_region_count {
  const char *region;
  size_t desktops;
};

/* One input as read: the report's provenance of the plan. */
struct wr_plan_input {
  const char *path;            /* as given, "-" for stdin */
  uint64_t bytes;
  size_t rows;                 /* records handed over, rejected included */
  char sha256[65];             /* lowercase hex */
};

struct wr_plan {
  struct wr_plan_input *inputs; /* one per input, in order */
  size_t ninputs;
  struct wr_chunk *chunks;
  size_t nchunks;
  struct wr_region_count *regions; /* in order of first appearance */
  size_t nregions;
  struct wr_rejected *rejected;
  size_t nrejected;
  size_t ndesktops;   /* distinct valid IDs */
  size_t nduplicates; /* valid IDs seen again after their first time */
  int nwaves;
  int last_wave;      /* the highest wave number of the whole plan (of a
                         resume's too, whose chunks may not reach it) */
  /* Columns carried into the report for each desktop (--keep-columns,
   * or a selection's own), in order; each chunk's kept holds the values.
   * A desktop's values are those of its first row. */
  const char **keep_names;
  size_t nkeep;
};

struct wr_plan_opts {
  const char *default_region;  /* --region, NULL: rows must name one */
  const char *column;          /* --column NAME|N, NULL: auto */
  enum wr_input_format format; /* AUTO: from the extension */
  bool strict;                 /* any rejection is fatal */
  int chunk_size;              /* 1..100 */
  bool client_tokens;          /* give every chunk a ClientToken */
  long canary;                 /* first N desktops form wave 0 */
  long wave_size;              /* then waves of N desktops, 0: one wave */
  const char *only_regions;    /* --only-region "R1,R2": rows of other
                                  regions are rejected (not selected);
                                  NULL: every region */
  bool all_regions;            /* --all-regions: other regions than
                                  default_region are meant */
  const char *const *keep;     /* --keep-columns (ingest.h), NULL: none */
  size_t nkeep;
};

/* Read every input and build the plan.  Returns 0, or WR_EINPUT/WR_EIO
 * (err names file, line and value) when nothing can be planned, including
 * any rejection under strict.  *out is set only on success.
 *
 * Regions are explicit: when default_region is set and rows also name
 * other regions, the plan is refused (WR_EUSAGE, err lists every region
 * and its desktops) unless only_regions or all_regions says which are
 * meant.  Rows of regions only_regions does not name are rejected with
 * the reason "region R not selected (--only-region)"; --strict does not
 * make those fatal (they are a choice, not bad input). */
int wr_plan_build(const struct wr_plan_opts *opts, char *const *inputs,
                  size_t ninputs, struct wr_plan **out, struct wr_err *err);
void wr_plan_destroy(struct wr_plan **pp);

/* Fill opts from a loaded config. */
void wr_plan_opts_from_config(const struct wr_config *cfg,
                              struct wr_plan_opts *opts);


/* true when s is a region name: "cn-hangzhou", "ap-southeast-1" (letters
 * and digits in two or more parts joined by '-', at most 32 chars). */
bool wr_region_valid(const char *s, size_t len);

/* true when s is a valid desktop ID: "ecd-" + [a-z0-9]+, <= 64 chars. */
bool wr_desktop_id_valid(const char *s, size_t len);

#endif
