/* report_records: the report's run, rejected and plan records
 * (CONTRACT.md "The report") as cJSON objects, shared by `plan --json`
 * and the run engine so that a plan printed today is byte for byte the
 * start of tomorrow's report.  Pure: the run id and the time are
 * arguments.  The caller owns the result (cJSON_Delete); NULL on ENOMEM.
 * The reusable records at the end are the exception. */
#ifndef WR_REPORT_RECORDS_H
#define WR_REPORT_RECORDS_H

#include "config.h"
#include "plan.h"
#include "journal.h"

#include <cjson/cJSON.h>
#include <stdint.h>

#define WR_REPORT_VERSION 1
#define WR_ACTION_REBOOT "RebootDesktops"
/* The endpoint field when each region uses its own default endpoint. */
#define WR_ENDPOINT_PER_REGION "https://ecd.{region}.aliyuncs.com"

/* {"type":"run", ...}.  endpoint: cfg->endpoint, or NULL for
 * WR_ENDPOINT_PER_REGION.  Adds "waves" and "regions" (an array of
 * {"region","desktops"} in plan order) to the contract's fields. */
cJSON *wr_record_run(const struct wr_config *cfg, const struct wr_plan *plan,
                     const char *run_id, int64_t started_wall_ms,
                     const char *endpoint);
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
