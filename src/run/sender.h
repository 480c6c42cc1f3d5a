/* sender: the real sender of dispatch.h.  Each attempt is built and
 * signed afresh by api.c (new nonce from OpenSSL, new timestamp, the
 * chunk's ClientToken), sent through httppool, and the response or
 * transport failure is judged by api.c and its server texts redacted
 * (the sender holds the credentials) before dispatch sees it.
 */
#ifndef WR_SENDER_H
#define WR_SENDER_H

#include "config.h"
#include "dispatch.h"
#include "api.h"
#include "err.h"

#include <stdbool.h>

struct uv_loop_s;
struct wr_creds;
struct wr_renewer;
struct wr_sender;

/* cfg and creds are borrowed and must outlive the sender. */
int wr_sender_create(struct uv_loop_s *loop, const struct wr_config *cfg,
                     const struct wr_creds *creds, struct wr_sender **out,
                     struct wr_err *err);
/* Sign with rn's credentials from now on (renew.h): a call refused with
 * an expired-token code goes again, same ClientToken, once they are
 * renewed, and never reaches dispatch as a failure; while they are
 * expired, calls wait.  rn must outlive the sender. */
void wr_sender_set_renewer(struct wr_sender *s, struct wr_renewer *rn);
/* The dispatch.h view of it. */
void wr_sender_bind(struct wr_sender *s, struct wr_dispatch_sender *out);
/* Every server text of r (code, message, host id, recommendation) with each secret of creds masked, in place; a text that
 * cannot be masked becomes "(message withheld)".  The sender does this to
 * each answer before its callback; creds NULL: nothing to mask. */
void wr_sender_redact(const struct wr_creds *creds, struct wr_api_result *r);
/* Aborts what is in flight (no callbacks) and closes the HTTP pool; run
 * the loop afterwards.  *pp set to NULL; safe on NULL. */
void wr_sender_destroy(struct wr_sender **pp);

#endif
