/* sim_opts: ecd-sim's command line (getopt_long), its defaults and its
 * --help text.  Strings are owned by the struct (wr_sim_opts_free). */
#ifndef WR_SIM_OPTS_H
#define WR_SIM_OPTS_H

#include "err.h"

#include <stddef.h>
#include <stdint.h>

/* What --qps counts: the calls it accepted (a throttled call costs
 * nothing), or every arrival (a client above the quota is locked out
 * until it slows below it). */
enum wr_sim_qps_model { WR_SIM_QPS_ACCEPTED = 0, WR_SIM_QPS_ALL };

/* --qps-schedule: from at_ms after the first call on, the quota is qps. */
struct wr_sim_qps_step {
  int64_t at_ms;
  double qps;
};

struct wr_sim_opts {
  int port;                 /* 0: a free port */
  char *port_file;
  char *access_key_id;      /* "testid" */
  char *access_key_secret;  /* "testsecret" */
  char *security_token;     /* NULL: calls must carry none */
  int64_t sts_life_ms;      /* --sts SECONDS: the fake STS, metadata
                               service and URI (sim_sts.h), 0: off */
  long sts_fail;            /* --sts-fail N: N AssumeRole get 503 */
  long sts_fail_after;      /* --sts-fail-after M: those after M ok */
  int64_t sts_lie_ms;       /* --sts-lie S: Expiration S later than
                               the expiry the sim enforces */
  char *client_id;          /* NULL: any */
  char *login_token;
  char *session_id;
  long desktops;            /* generated fleet size, 100 */
  char **regions;           /* --regions, split */
  size_t nregions;
  char *fleet;              /* --fleet FILE (CSV/JSONL) */
  char *write_fleet;
  char *fail_desktops;
  int64_t reboot_ms;        /* Stopping + Starting time, 3000 */
  double stopped_rate;      /* share of desktops Stopped for good */
  double connected_rate;    /* share of the others with a user session */
  double qps;               /* per action, 0: unlimited */
  int qps_model;            /* enum wr_sim_qps_model */
  struct wr_sim_qps_step *qps_schedule; /* --qps-schedule, NULL: none */
  size_t nqps_schedule;
  int64_t retry_after_ms;   /* x-acs-retry-after on throttling, 0: none */
  double fail_rate, reset_rate, lost_rate, hang_rate, garbage_rate;
  double html_ok_rate;
  int64_t hang_ms;          /* 60000 */
  int64_t latency_ms;       /* mean, 0: none */
  uint64_t seed;            /* 1 */
  char *log;
  char *stats;
  int threads;              /* HTTP worker threads, 2 */
  long max_tokens;          /* ClientTokens remembered, 1000000 */
  long max_nonces;
  long describe_fail_page;  /* this page of every listing fails, 0: none */
  long describe_repeat_token; /* from this page on NextToken repeats */          /* nonces per 31-minute generation, 4000000 */
};

/* 0: run; 1: --help/--version printed; WR_EUSAGE with err set. */
int wr_sim_opts_parse(struct wr_sim_opts *o, int argc, char **argv,
                      struct wr_err *err);
void wr_sim_opts_free(struct wr_sim_opts *o);

#endif
