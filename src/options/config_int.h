/* config_int: what config.c shares with config_json.c (the option table
 * and the one function that applies a value). */
#ifndef WR_CONFIG_INT_H
#define WR_CONFIG_INT_H

#include "config_load.h"

enum opt_id {
  O_REGION = 256, O_COLUMN, O_FORMAT, O_STRICT, O_CHUNK_SIZE, O_CANARY,
  O_WAVE_SIZE, O_JSON, O_SHOW_REQUESTS, O_API, O_SIGNATURE, O_ENDPOINT,
  O_INSECURE, O_CA_BUNDLE, O_PROFILE, O_CLIENT_ID, O_CLIENT_OS, O_CLIENT_VERSION,
  O_LOGIN_TOKEN, O_SESSION_ID, O_SESSION_TOKEN, O_RATE, O_CONCURRENCY,
  O_TIMEOUT, O_RETRIES, O_MAX_ERRORS, O_VERIFY, O_VERIFY_TIMEOUT,
  O_NO_PREFLIGHT, O_SKIP_CONNECTED, O_RETRY_FAILED, O_DEADLINE, O_REPORT,
  O_PROGRESS, O_JOB, O_VERSION, O_ONLY_REGION, O_ALL_REGIONS, O_NOTIFY,
  O_NOTIFY_FORMAT, O_KEEP_COLUMNS,
  O_SELECT, O_ALLOW_EMPTY,
  O_VERBOSE = 'v', O_QUIET = 'q', O_OUTPUT = 'o', O_HELP = 'h'
};

/* Commands that take an option. */
#define C_PLAN (1u << WR_CMD_PLAN)
#define C_RUN (1u << WR_CMD_RUN)
#define C_RESUME (1u << WR_CMD_RESUME)
#define C_REPORT (1u << WR_CMD_REPORT)
#define C_LIST (1u << WR_CMD_LIST)
#define C_PR (C_PLAN | C_RUN)
#define C_PRS (C_PLAN | C_RUN | C_RESUME)
#define C_ALL (C_PRS | C_REPORT | C_LIST)

/* What a job file must give (the command line always gives text). */
enum jtype {
  J_NO,     /* not allowed in a job file */
  J_FLAG,   /* true/false */
  J_STR,    /* string */
  J_NUM,    /* number */
  J_STRNUM, /* string or number (durations, --max-errors, --column) */
  J_COUNT,  /* --verbose: a number of levels, or true */
  J_LIST    /* a string, or an array of strings each applied in turn
               (repeatable options: --notify, --keep-columns, --select) */
};

struct wr_opt_def {
  const char *name;
  int id;
  int has_arg;
  unsigned cmds;
  enum jtype jtype;
};

extern const struct wr_opt_def wr_opts_table[];
extern const size_t wr_opts_count;

const struct wr_opt_def *wr_opt_find_name(const char *name);
/* Apply one value; src names where it came from ("--rate" or
 * "job.json: key \"rate\"") for messages.  v may be wiped (secrets). */
int wr_config_apply(struct wr_config *cfg, const struct wr_opt_def *d,
                    char *v, const char *src, struct wr_err *err);
/* Turn a flag off (a job file's false). */
void wr_config_unset_flag(struct wr_config *cfg, const struct wr_opt_def *d);

/* Every default (one table, CONTRACT.md); cfg is overwritten. */
void wr_config_defaults(struct wr_config *cfg);

/* Cross-option checks; resolves --deadline with the wall clock. */
int wr_config_validate(struct wr_config *cfg, struct wr_err *err);

#endif
