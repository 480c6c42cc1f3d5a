/* run_session: one session of calls on a fresh event loop, shared by `run`
 * and `resume`: the HTTP sender, the dispatch, the loop, and the ordered
 * teardown of STYLE.md section 6 (the sender first, so no completion can
 * reach a dispatch that is gone; then the loop runs until every close
 * callback fired and uv_loop_close() returns 0).  The report stays open:
 * the caller closes it (fsync). */
#ifndef WR_RUN_SESSION_H
#define WR_RUN_SESSION_H

#include "config.h"
#include "dispatch.h"
#include "plan.h"

struct wr_creds;
struct wr_journal;
struct wr_summary;

/* Send plan's chunks.  base: the earlier sessions' totals (resume), or
 * NULL; earlier: their ok desktops left unverified, checked first with
 * --verify (resume), or NULL.  Returns 0 with *st filled when the session ran (stopped or not),
 * or a negative WR_E* code, already logged, when it could not start. */
int wr_run_session(const struct wr_config *cfg, const struct wr_plan *plan,
                   const struct wr_summary *base,
                   const struct wr_dispatch_earlier *earlier,
                   const struct wr_creds *creds, struct wr_journal *report,
                   struct wr_dispatch_stats *st);

/* The pre-flight exclusions (by reason), the chunks confirmed ok after a
 * lost answer and, with --verify, the ok desktops Running, not Running
 * and not verified, as notes on stderr (wr_run_session does it). */
void wr_run_session_notes(const struct wr_dispatch_stats *st);

#endif
