/* config_load: fill a struct wr_config (config.h) from argv, a --job file
 * or a report's run.options, and validate it. */
#ifndef WR_CONFIG_LOAD_H
#define WR_CONFIG_LOAD_H

#include "config.h"
#include "err.h"

#include <stdint.h>

/* Parse argv into cfg.  Returns 0 (cfg->command says what to do; WR_CMD_NONE
 * when --help/--version was printed) or WR_EUSAGE with err set.  Reads the
 * --job file and secret options (handed to creds.h).  cfg must be freed
 * with wr_config_free() in every case. */
int wr_config_load(struct wr_config *cfg, int argc, char **argv,
                   struct wr_err *err);

/* Apply a job file (path) or a parsed job object (a cJSON object, e.g. a
 * report's run.options when resuming) to cfg: keys are long option names,
 * "inputs" an array of paths, null leaves a default.  An unknown key or a
 * wrong type is WR_EUSAGE naming source and key. */
int wr_config_load_job(struct wr_config *cfg, const char *path,
                       struct wr_err *err);
int wr_config_apply_json(struct wr_config *cfg, const void *obj,
                         const char *source, struct wr_err *err);

/* resume: a new config (*out, free with wr_config_free()) made of the
 * defaults, then options (a report's run.options, a cJSON object), then
 * the options cli's command line gave; REPORT stays cli's.  Validated
 * (a relative --deadline counts from now).  WR_EUSAGE naming source or
 * the option.  *out must be freed with wr_config_free() in every case. */
int wr_config_resume(const struct wr_config *cli, const void *options,
                     const char *source, struct wr_config *out,
                     struct wr_err *err);

/* "90s", "15m", "2h", "1h30m", "500ms" or bare seconds -> ms.  0 or
 * WR_EINVAL. */
int wr_config_parse_duration(const char *v, int64_t *ms);

#endif
