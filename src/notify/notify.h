/* notify: tell chat rooms and webhooks how a session ended (--notify).
 *
 * After a run or a resume has closed its report (and also when it
 * stopped early), each --notify URL gets one POST: the outcome, the
 * counts, the exit code, the report's path and the top failure codes,
 * as the --notify-format body (notify_body.c).  The summary is read back
 * from the report itself, as `report` would show it, so the message and
 * the audit never disagree.
 *
 * A notification is a courtesy: one that fails (refused, timed out, a
 * non-2xx answer, DingTalk's errcode) is a warning and changes neither
 * the exit code nor the report.  The URL may hold a token (DingTalk's
 * access_token, a Slack webhook path): messages show scheme and host
 * only, and the URL is never written to the report.  The transfer is
 * net/'s blocking fetch (TLS verified, no redirects, a 10 s bound). */
#ifndef WR_NOTIFY_H
#define WR_NOTIFY_H

#include "config.h"

/* The environment variable holding a DingTalk robot's signing secret
 * ("SEC..."); unset: messages go unsigned. */
#define WR_NOTIFY_DINGTALK_SECRET_ENV "WUYING_REBOOT_DINGTALK_SECRET"

/* Notify every cfg->notify URL that the session kind ("run", "resume")
 * writing report_path ended with exit_code.  Never fails. */
void wr_notify_session(const struct wr_config *cfg, const char *kind,
                       const char *report_path, int exit_code);

#endif
