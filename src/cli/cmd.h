/* cmd: one entry point per command.  Each returns a process exit code
 * (enum wr_exit) and prints its own messages. */
#ifndef WR_CMD_H
#define WR_CMD_H

#include "config.h"

int wr_cmd_plan(const struct wr_config *cfg);
int wr_cmd_run(const struct wr_config *cfg);
int wr_cmd_resume(const struct wr_config *cfg);
int wr_cmd_report(const struct wr_config *cfg);

/* Add "credentials": {"step", "source", "access_key_id" (masked),
 * "expires_at"} to a run or resume record (a cJSON *): where they came
 * from, never a secret.  0 or WR_ENOMEM. */
struct wr_creds;
int wr_cmd_add_provenance(void *record, const struct wr_creds *c);

#endif
