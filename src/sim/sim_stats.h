/* sim_stats: what the sim saw, for GET /__stats, --stats FILE and the
 * --log FILE request log (JSON shapes in README.md ("ecd-sim")).  Not thread-safe:
 * sim_core.c calls it under its lock.  Times are monotonic ms passed in. */
#ifndef WR_SIM_STATS_H
#define WR_SIM_STATS_H

#include "sim.h"
#include "sim_fleet.h"
#include "sim_store.h"

#include <stdint.h>
#include <stdio.h>

struct wr_sim_stats {
  uint64_t calls_total;
  uint64_t calls[WR_SIM_ACTION_COUNT][WR_SIM_OUTCOME_COUNT];
  uint64_t violations[WR_SIM_V_COUNT];
  struct wr_sim_window win_all;
  struct wr_sim_window win[WR_SIM_ACTION_COUNT];
  size_t max_all;
  size_t max[WR_SIM_ACTION_COUNT];
};

void wr_sim_stats_init(struct wr_sim_stats *st);
void wr_sim_stats_free(struct wr_sim_stats *st);
/* A request arrived (every call, throttled ones too). */
int wr_sim_stats_arrival(struct wr_sim_stats *st, int action, int64_t now_ms);
/* Its outcome, and the violation it was (WR_SIM_V_NONE if none). */
void wr_sim_stats_outcome(struct wr_sim_stats *st, int action, int outcome,
                          int violation);
/* The /__stats document (malloc'd, NULL on ENOMEM). */
char *wr_sim_stats_json(const struct wr_sim_stats *st,
                        const struct wr_sim_fleet *fleet);

struct wr_sim_log_entry {
  int64_t wall_ms;
  const char *action;      /* as requested, "" when absent */
  int auth;                /* enum wr_sim_auth */
  const char *region;      /* NULL: null */
  const char *const *ids;
  size_t nids;
  const char *client_token; /* NULL: null */
  int outcome;
  int status;
  const char *code;         /* NULL: null */
  const char *request_id;
};

/* One JSON line, flushed.  WR_EIO / WR_ENOMEM. */
int wr_sim_log_write(FILE *fp, const struct wr_sim_log_entry *e);

#endif
