/* sim_fleet: the simulated desktops, their regions and their state.
 *
 * A desktop is Running; an accepted reboot at time t makes it Stopping
 * for the first half of --reboot-ms and Starting for the second, then
 * Running again.  A "stuck" desktop (--fail-desktops, --stopped-rate) is
 * Stopped for good; an "unknown" one is not in the fleet as far as the API
 * is concerned.  A "connected" desktop (--connected-rate) has a user
 * session (ConnectionStatus Connected) until a reboot drops it.
 * Pure: times are monotonic ms passed in.  Not thread-safe (sim_core.c
 * holds its lock).  The fleet owns every string (init/free). */
#ifndef WR_SIM_FLEET_H
#define WR_SIM_FLEET_H

#include "err.h"

#include <stddef.h>
#include <stdint.h>

#define WR_SIM_FLEET_MAX 10000000 /* desktops */
#define WR_SIM_ID_LEN 64          /* longest desktop ID */

enum wr_sim_fail {
  WR_SIM_FAIL_NONE = 0,
  WR_SIM_FAIL_STUCK,   /* IncorrectDesktopStatus for any reboot */
  WR_SIM_FAIL_UNKNOWN  /* InvalidDesktopId.NotFound */
};

struct wr_sim_desktop {
  char *id;
  uint32_t region;    /* index into fleet.regions */
  uint8_t fail;       /* enum wr_sim_fail */
  uint8_t connected;  /* a user session, until a reboot */
  uint32_t reboots;   /* accepted reboots */
  int64_t reboot_at;  /* last accepted reboot (monotonic ms) */
  int64_t ready_at;   /* Running again from then on */
  char *meta;         /* loaded attributes (sim_meta.c), NULL: generated */
};

/* What DescribeDesktops can select by (sim_meta.c).  Borrowed strings,
 * "" when the desktop has none; lists are joined with ';', tags as
 * "key=value;key2=value2". */
#define WR_SIM_META_LEN 1024
struct wr_sim_meta {
  const char *name, *office_site, *group, *policy, *image, *type, *rgroup;
  const char *users;
  const char *tags;
  char buf[WR_SIM_META_LEN]; /* the generated values live here */
};

struct wr_sim_fleet {
  struct wr_sim_desktop *v;
  size_t n, cap;
  char **regions;
  size_t nregions;
  uint32_t *table;    /* open addressing: desktop index + 1, 0 empty */
  size_t tcap;        /* a power of two, > 2 n */
  size_t **by_region; /* API-visible desktops of each region, fleet order */
  size_t *by_region_n;
  int64_t reboot_ms;
  uint64_t seed;      /* generated attributes are drawn from it */
};

void wr_sim_fleet_init(struct wr_sim_fleet *f, int64_t reboot_ms);
void wr_sim_fleet_free(struct wr_sim_fleet *f);

/* Index of region (added when new). */
int wr_sim_fleet_region(struct wr_sim_fleet *f, const char *region,
                        uint32_t *idx);
/* Add a desktop: WR_EINVAL (err set) when it is there already. */
int wr_sim_fleet_add(struct wr_sim_fleet *f, const char *id,
                     const char *region, struct wr_err *err);
/* n desktops "ecd-" + 17 lowercase hex chars, deterministic from seed and
 * index, regions round-robin. */
int wr_sim_fleet_generate(struct wr_sim_fleet *f, long n,
                          char *const *regions, size_t nregions,
                          uint64_t seed, struct wr_err *err);
/* Desktops from a CSV/JSONL fleet file, read with the project's ingest
 * code (plan.h); rows that name no region go to default_region.  Any
 * rejected row is an error naming file, line and value. */
int wr_sim_fleet_load_file(struct wr_sim_fleet *f, const char *path,
                           const char *default_region, struct wr_err *err);
/* Apply a --fail-desktops file: "ID" or "ID,KIND" a line, KIND stuck
 * (Stopped, the default), unknown or connected
 * ('#' comments and blank lines allowed).  A stuck ID not in the fleet is
 * added in default_region.  err names file, line and value. */
int wr_sim_fleet_load_failures(struct wr_sim_fleet *f, const char *path,
                               const char *default_region,
                               struct wr_err *err);
/* --stopped-rate, --connected-rate: each desktop of the fleet (not one
 * already unknown) becomes Stopped with probability stopped, and the
 * others Connected with probability connected; drawn from seed in fleet
 * order, so the same fleet and seed give the same desktops. */
void wr_sim_fleet_draw_states(struct wr_sim_fleet *f, double stopped,
                              double connected, uint64_t seed);
/* Build the per-region lists; call once after loading. */
int wr_sim_fleet_finish(struct wr_sim_fleet *f);
/* Write the fleet as CSV, "DesktopId,RegionId" and the attribute
 * columns of sim_meta.c (atomically: temp + rename). */
int wr_sim_fleet_write_csv(const struct wr_sim_fleet *f, const char *path,
                           struct wr_err *err);

/* The desktop the API may see, or NULL (absent or "unknown"). */
struct wr_sim_desktop *wr_sim_fleet_find(const struct wr_sim_fleet *f,
                                         const char *id);
/* "Running", "Stopping", "Starting" or "Stopped". */
const char *wr_sim_fleet_status(const struct wr_sim_fleet *f,
                                const struct wr_sim_desktop *d,
                                int64_t now_ms);
/* "Connected" or "Disconnected" (a session only while Running). */
const char *wr_sim_fleet_connection(const struct wr_sim_fleet *f,
                                    const struct wr_sim_desktop *d,
                                    int64_t now_ms);
/* Accept a reboot at now_ms (it ends the user's session). */
void wr_sim_fleet_reboot(struct wr_sim_fleet *f, struct wr_sim_desktop *d,
                         int64_t now_ms);

/* The attributes of d (sim_meta.c): loaded ones, or drawn from the
 * fleet's seed and d's index (office sites per region, a fifth of the
 * desktops pooled, tags env and patch-ring, 0 to 2 end users...). */
void wr_sim_fleet_meta(const struct wr_sim_fleet *f,
                       const struct wr_sim_desktop *d, struct wr_sim_meta *m);
/* Attach the attribute columns of a CSV (header row) or JSONL fleet file
 * to the desktops loaded from it.  err names file, line and value. */
int wr_sim_fleet_load_meta(struct wr_sim_fleet *f, const char *path,
                           struct wr_err *err);
/* The CSV header and the columns of wr_sim_fleet_write_csv(). */
#define WR_SIM_META_COLUMNS \
  "DesktopName,OfficeSiteId,DesktopGroupId,EndUserIds,Tags," \
  "PolicyGroupId,ImageId,DesktopType,ResourceGroupId"

/* splitmix64: the sim's one deterministic generator (faults, IDs). */
uint64_t wr_sim_rand_next(uint64_t *state);

#endif
