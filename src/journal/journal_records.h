/* journal_records: the report's records (CONTRACT.md "The report") as
 * cJSON objects, for the journal (journal.h) to write.  Shared by `plan
 * --json` and the run engine, so that a plan printed today is byte for
 * byte the start of tomorrow's report.  Pure: the run id and the time are
 * arguments.  The caller owns the result (cJSON_Delete); NULL on ENOMEM.
 * The reusable records at the end are the exception. */
#ifndef WR_JOURNAL_RECORDS_H
#define WR_JOURNAL_RECORDS_H

#include "config.h"
#include "plan.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#define WR_REPORT_VERSION 1
#define WR_ACTION_REBOOT "RebootDesktops"
/* The endpoint field when each region uses its own default endpoint. */
#define WR_ENDPOINT_PER_REGION "https://ecd.{region}.aliyuncs.com"

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
  const char *status;            /* "ok" "failed" "skipped" "split"
                                  * "excluded" */
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

/* Desktops excluded by pre-flight, by reason ("status:Stopped",
 * "connected"); reasons past WR_EXCLUDE_REASONS count as "other". */
#define WR_EXCLUDE_REASONS 16
#define WR_EXCLUDE_REASON_LEN 48
struct wr_reason_count {
  char reason[WR_EXCLUDE_REASON_LEN];
  size_t desktops;
};

struct wr_summary {
  int64_t finished_wall_ms;
  size_t ok_chunks, failed_chunks, skipped_chunks;
  size_t ok_desktops, failed_desktops, skipped_desktops;
  /* pre-flight: written only when there are any (older reports have
   * none: 0) */
  size_t excluded_chunks, excluded_desktops;
  struct wr_reason_count excluded_by[WR_EXCLUDE_REASONS];
  size_t nexcluded_by;
  int exit_code;
  const char *stop_reason;       /* NULL, "interrupt", "deadline", ... */
  /* --verify: the ok desktops Running again, not Running in time, and
   * not verified (they add up to ok_desktops); written as "verify" only
   * when set. */
  bool verify;
  size_t verify_running, verify_not_running, verify_not_verified;
};

/* Count n desktops excluded for reason in s. */
void wr_summary_exclude(struct wr_summary *s, const char *reason, size_t n);

/* {"type":"chunk", ...} and {"type":"summary", ...}.  Like the plan
 * record, they borrow the strings of their input (no copies: they are
 * the hot path), so write them before those change or go.  A reusable
 * chunk record for the per-call path is below (wr_chunk_record). */
cJSON *wr_record_chunk(const struct wr_chunk_outcome *o);
cJSON *wr_record_summary(const struct wr_summary *s);

/* {"type":"run", ...}.  endpoint: cfg->endpoint, or NULL for
 * WR_ENDPOINT_PER_REGION.  Adds "waves" and "regions" (an array of
 * {"region","desktops"} in plan order) to the contract's fields. */
cJSON *wr_record_run(const struct wr_config *cfg, const struct wr_plan *plan,
                     const char *run_id, int64_t started_wall_ms,
                     const char *endpoint);
/* Who started a session, for its session record (the caller, which sees
 * the credentials, fills it; never a secret). */
struct wr_session_info {
  const char *kind;              /* "run" or "resume" */
  long session;                  /* 0: the run, 1: its first resume, ... */
  int64_t started_wall_ms;
  const char *user;              /* OS user, NULL: unknown */
  const char *host;
  long pid;
  const char *creds_source;      /* "environment", "profile NAME", ... */
  const char *key_id_masked;     /* masked AccessKey ID or client id */
};

/* {"type":"session","session","kind","started_at","tool_version",
 * "user","host","pid","credentials":{"source","access_key_id_masked"},
 * "inputs":[{"path","bytes","rows","sha256"}] (plan NULL: []),
 * "options":{...},"option_origins":{"rate":"command line",...}}.
 * One at the start of each session; the session ends with the summary
 * that follows it. */
cJSON *wr_record_session(const struct wr_session_info *si,
                         const struct wr_config *cfg,
                         const struct wr_plan *plan);
/* [{"path","bytes","rows","sha256"}] of the plan's inputs. */
cJSON *wr_record_input_files(const struct wr_plan *plan);

/* {"type":"rejected","source","line","value","reason"} */
cJSON *wr_record_rejected(const struct wr_rejected *r);
/* {"type":"plan","chunk","wave","region","desktop_ids","client_token"};
 * client_token is null when the chunk has none (admin mode).  Borrows
 * the chunk's strings: write or print it before the chunk goes. */
cJSON *wr_record_plan(const struct wr_chunk *c);

/* Reusable records, for the hot paths (a plan record per chunk before
 * the first call, a chunk record per call): a tree built once and
 * refilled for each record, which it then returns, borrowed (write or
 * print it, never delete it), valid until the next fill.  Its bytes are
 * those of the builder's tree (wr_record_plan, wr_record_chunk), and it
 * borrows the input's strings the same way.  A fill allocates only when a
 * record has more array elements than any before it; NULL on ENOMEM. */
/* {"type":"columns","chunk","columns":{"Name":[...],...}}: the kept
 * input columns (plan->keep_names) of chunk c's desktops, one array a
 * column in desktop_ids order, null where a row had none.  Written right
 * after the chunk's plan record, only when plan->nkeep > 0. */
cJSON *wr_record_columns(const struct wr_plan *plan, const struct wr_chunk *c);

struct wr_plan_record;
int wr_plan_record_create(struct wr_plan_record **out);
const cJSON *wr_plan_record_fill(struct wr_plan_record *r,
                                 const struct wr_chunk *c);
void wr_plan_record_destroy(struct wr_plan_record **pp);

/* Not for a split record: its `into` needs wr_record_chunk. */
struct wr_chunk_record;
int wr_chunk_record_create(struct wr_chunk_record **out);
const cJSON *wr_chunk_record_fill(struct wr_chunk_record *r,
                                  const struct wr_chunk_outcome *o);
void wr_chunk_record_destroy(struct wr_chunk_record **pp);

#endif
