/* config: every option of every command, parsed once (options/,
 * config_load.h) and read by every room.
 *
 * wr_config_load() reads argv (getopt_long), then the --job file (JSON,
 * long option names as keys; the command line wins), applies the defaults
 * (one table, CONTRACT.md) and validates.  Strings are owned by the config
 * and freed by wr_config_free().  Secrets given as options are copied
 * into the creds module and never kept here. */
#ifndef WR_CONFIG_H
#define WR_CONFIG_H

#include "err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum wr_command {
  WR_CMD_NONE = 0, /* --help / --version handled, nothing to do */
  WR_CMD_PLAN,
  WR_CMD_RUN,
  WR_CMD_RESUME,
  WR_CMD_REPORT,
  WR_CMD_LIST      /* list the desktops a selection matches */
};

enum wr_api_mode { WR_API_ADMIN = 0, WR_API_CLIENT };
enum wr_sig_version { WR_SIG_V3 = 0, WR_SIG_V1 };
enum wr_input_format { WR_FORMAT_AUTO = 0, WR_FORMAT_CSV, WR_FORMAT_JSONL };
enum wr_progress_mode { WR_PROGRESS_AUTO = 0, WR_PROGRESS_ALWAYS,
                        WR_PROGRESS_NEVER };
enum wr_notify_format { WR_NOTIFY_JSON = 0, WR_NOTIFY_DINGTALK,
                        WR_NOTIFY_SLACK };

#define WR_CHUNK_MAX_ADMIN 100
#define WR_CHUNK_MAX_CLIENT 20

/* Where an option's value came from (the report's option_origins). */
enum wr_opt_origin {
  WR_ORIGIN_DEFAULT = 0,
  WR_ORIGIN_CLI,           /* the command line */
  WR_ORIGIN_JOB,           /* the --job file */
  WR_ORIGIN_REPORT,        /* resume: the run's options, from its report */
  WR_ORIGIN_RESUME         /* resume: given again on its command line */
};

#define WR_CONFIG_ORIGINS 48 /* more than the option table holds */

struct wr_config_origin {
  const char *name;        /* long option name (static) */
  enum wr_opt_origin origin;
};

struct wr_config {
  enum wr_command command;
  char **inputs;           /* INPUT... ("-" is stdin); resume and report:
                              inputs[0] is REPORT (and resume sets
                              report_path to it) */
  size_t ninputs;
  char *job_file;          /* --job, NULL if none */

  /* input and plan */
  char *region;            /* --region default, NULL: rows need one */
  char *only_regions;      /* --only-region R1,R2: the regions meant */
  bool all_regions;        /* --all-regions: every region is meant */
  char *column;            /* --column NAME|N, NULL: auto */
  enum wr_input_format format; /* --format csv|jsonl */
  bool strict;             /* --strict */
  int chunk_size;          /* --chunk-size, 20 */
  long canary;             /* --canary N desktops, 0 */
  long wave_size;          /* --wave-size N desktops, 0: one wave */
  bool json;               /* plan --json */
  long show_requests;      /* plan --show-requests N, 0 */
  char **selects;          /* --select KEY=VALUE, in the order given */
  size_t nselects;
  bool allow_empty;        /* --allow-empty: a selection may match none */

  /* API */
  enum wr_api_mode api;    /* --api admin|client */
  enum wr_sig_version signature; /* --signature v3|v1 */
  char *endpoint;          /* --endpoint URL, NULL: per-region default */
  bool insecure;           /* --insecure: allow plain http off loopback */
  char *profile;           /* --profile NAME */
  char *ca_bundle;         /* --ca-bundle FILE: CAs trusted besides the
                              system's, NULL: none */
  char *client_id;         /* --client-id */
  char *client_os;         /* --client-os */
  char *client_version;    /* --client-version */

  /* run */
  double rate;             /* --rate calls/s, 10; 0: unlimited */
  int concurrency;         /* --concurrency, 16 */
  double timeout_s;        /* --timeout seconds per attempt, 30 */
  int retries;             /* --retries, 5 */
  long max_errors;         /* --max-errors N, -1: unlimited */
  double max_errors_pct;   /* --max-errors P%, -1: not a percentage */
  bool verify;             /* --verify */
  int64_t verify_timeout_ms; /* --verify-timeout, 15m */
  bool no_preflight;       /* --no-preflight: no state check (admin API) */
  bool skip_connected;     /* --skip-connected: pre-flight also excludes
                            * desktops with a user connected */
  bool retry_failed;       /* resume --retry-failed: re-send the failed */
  char *deadline;          /* --deadline as given, NULL: none */
  int64_t deadline_wall_ms; /* resolved deadline, 0: none */
  char *report_path;       /* --report, NULL: wuying-reboot-<UTC>.jsonl */
  char **notify;           /* --notify URL..., POSTed when a session ends;
                              never in the report (a URL may hold a token) */
  size_t nnotify;
  enum wr_notify_format notify_format; /* --notify-format */
  char **keep_columns;     /* --keep-columns: input columns carried into
                              the report, in order, none twice */
  size_t nkeep_columns;
  enum wr_progress_mode progress; /* --progress */
  int verbosity;           /* wr_log level after -v/-q */

  /* report command */
  char *report_format;     /* --format for `report`, "text" */
  char *output;            /* -o FILE */

  /* resume: the command line's options in order (secrets left out), so
   * that wr_config_resume() can apply them over the report's options */
  struct wr_config_given *given;
  size_t ngiven;

  /* Options set other than by default, the last setting winning;
   * filled by the parser (wr_config_set_origin). */
  struct wr_config_origin origins[WR_CONFIG_ORIGINS];
  size_t norigins;
};

struct wr_config_given {
  const char *name;        /* long option name (static) */
  char *value;             /* "" for a flag */
};

/* Record that option name (static) was last set from origin. */
void wr_config_set_origin(struct wr_config *cfg, const char *name,
                          enum wr_opt_origin origin);
/* "default" "command line" "job file" "run" "resume override". */
const char *wr_config_origin_name(enum wr_opt_origin o);
/* {"rate":"command line", ...}: the origin of every option
 * wr_config_to_json writes (as `void *`, a cJSON object); NULL: ENOMEM. */
void *wr_config_origins_to_json(const struct wr_config *cfg);

/* Free a list of strings (--notify, --keep-columns) and zero it. */
void wr_config_list_free(char ***list, size_t *n);
/* "json" "dingtalk" "slack". */
const char *wr_config_notify_format_name(enum wr_notify_format f);

/* Free every string of cfg and zero it; safe on a zeroed config. */
void wr_config_free(struct wr_config *cfg);

/* Serialise every non-secret option in effect as a cJSON object (the
 * report's run.options), returned as `void *` to keep cJSON out of this
 * header; NULL on ENOMEM. */
void *wr_config_to_json(const struct wr_config *cfg);

#endif
