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
int wr_cmd_list(const struct wr_config *cfg);

/* --select (cmd_list.c).  Select the fleet of regions ("R1,R2") into sel
 * (wr_select_free() it in every case); an empty selection is WR_EINPUT
 * unless --allow-empty.  Logs what was selected. */
struct wr_selection;
struct wr_creds;
struct wr_plan;
/* The --select values (and, without INPUT, the --keep-columns names:
 * columns of list's CSV) are checked first (a typo is a usage error, not
 * a credentials lookup), then the credentials the selection reads with. */
int wr_cmd_select_creds(const struct wr_config *cfg, struct wr_creds *creds,
                        struct wr_err *err);
int wr_cmd_select(const struct wr_config *cfg, const struct wr_creds *creds,
                  const char *regions, struct wr_selection *sel,
                  struct wr_err *err);
/* Add "selection" (select.h's record) to a run record (a cJSON *) when
 * cfg has --select.  0 or WR_ENOMEM. */
int wr_cmd_add_selection(void *record, const struct wr_config *cfg,
                         const struct wr_selection *sel);
/* The plan of plan and run: from the inputs, or with --select from the
 * API (no INPUT: the --region list; with INPUT: the input's desktops
 * that match).  *empty: the selection left nothing (then 0 and no plan
 * under --allow-empty, else an error). */
#include <stdbool.h>
int wr_cmd_build_plan(const struct wr_config *cfg,
                      const struct wr_creds *creds, struct wr_selection *sel,
                      struct wr_plan **out, bool *empty, struct wr_err *err);

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
