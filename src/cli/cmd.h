/* cmd: one entry point per command.  Each returns a process exit code
 * (enum wr_exit) and prints its own messages. */
#ifndef WR_CMD_H
#define WR_CMD_H

#include "config.h"
#include "err.h"

int wr_cmd_plan(const struct wr_config *cfg);
int wr_cmd_run(const struct wr_config *cfg);
int wr_cmd_resume(const struct wr_config *cfg);
int wr_cmd_report(const struct wr_config *cfg);

/* Add "credentials": {"step", "source", "access_key_id" (masked),
 * "expires_at"} to a run or resume record (a cJSON *): where they came
 * from, never a secret.  0 or WR_ENOMEM. */
struct wr_creds;
int wr_cmd_add_provenance(void *record, const struct wr_creds *c);
/* Before a run of `calls` calls at --rate (cmd_run.c): warn when the
 * credentials c expire before its estimated end and cannot be renewed;
 * c NULL (`plan`, which loads none): an STS token in the environment,
 * whose expiry is unknown, when the run may outlast it. */
void wr_cmd_warn_expiry(const struct wr_config *cfg, size_t calls,
                        const struct wr_creds *c);
struct wr_journal;
struct wr_plan;
/* Write the session record (cmd_session.c); plan NULL: no inputs read
 * (resume).  0 or a negative WR_E* code with err set. */
int wr_cmd_write_session(struct wr_journal *r, const char *kind,
                         long session, const struct wr_config *cfg,
                         const struct wr_plan *plan,
                         const struct wr_creds *creds, struct wr_err *err);

#endif
