/* renew: temporary credentials renewed during a run, off the loop thread.
 *
 * Credentials with an expiry from a step that can fetch them again
 * (auth.h wr_auth_renewable: OIDC, a role profile, the ECS role, a
 * credentials URI) are renewed when less than the margin of their
 * lifetime L remains:
 *
 *   margin = min(L / 2, max(180 s, min(L / 4, 15 min)))
 *
 * 15 min before the end of the default 1 h (as the Java and Python
 * libraries), 225 s before the end of the shortest 15 min, and half-way
 * for the very short ones of the tests.  The renewal is the blocking
 * wr_auth_refresh() on libuv's thread pool (uv_queue_work): the loop goes
 * on sending with the current credentials meanwhile; the new ones are
 * swapped in on the loop thread, where every call is signed, so a call
 * is signed with one generation or the next, never a mix.
 *
 * A renewal that fails while the credentials are valid: they stay in
 * use, the failure is logged (no secret) and the renewal is tried again
 * after 1, 2, 4 ... 60 s (half to all of it, at random), never later
 * than the expiry itself.  Once they have expired (by the local clock,
 * or because the server refused a call with InvalidSecurityToken.Expired:
 * wr_renewer_expired), calls wait (the sender parks them) and the renewal
 * is tried at once, then 1 s and 2 s later; after WR_RENEW_EXPIRED_TRIES
 * failures past the expiry it gives up: the listener hears it, and the run stops
 * ("credentials expired", exit 3, resumable).
 *
 * Each renewal is a "credentials" record in the report (when, the step,
 * the masked AccessKey ID, expires_at; never a secret).  Loop thread
 * only, except the work itself. */
#ifndef WR_RENEW_H
#define WR_RENEW_H

#include "config.h"
#include "err.h"

#include <stdbool.h>
#include <stdint.h>

struct uv_loop_s;
struct wr_creds;
struct wr_journal;
struct wr_renewer;

#define WR_RENEW_MARGIN_MIN_MS (180 * 1000)
#define WR_RENEW_MARGIN_MAX_MS (15 * 60 * 1000)
#define WR_RENEW_BACKOFF_MAX_MS (60 * 1000)
#define WR_RENEW_EXPIRED_TRIES 3

/* The margin for credentials that live life_ms (formula above). */
int64_t wr_renew_margin_ms(int64_t life_ms);

/* renewed: new credentials are in use; else the renewer gave up (they
 * expired and could not be renewed). */
typedef void wr_renew_cb(void *ud, bool renewed);

/* initial is borrowed (it must outlive the renewer); cfg too (and it
 * must outlive the loop: a renewal in flight reads it until it ends).
 * report (may be NULL) gets the records.  Renewal starts with
 * wr_renewer_start(); credentials that cannot be renewed just stay. */
int wr_renewer_create(struct uv_loop_s *loop, const struct wr_config *cfg,
                      const struct wr_creds *initial,
                      struct wr_journal *report, struct wr_renewer **out,
                      struct wr_err *err);
void wr_renewer_listen(struct wr_renewer *rn, wr_renew_cb *cb, void *ud);
/* Records only while gate(ud) says so (the run's summary is not yet
 * written); NULL: always. */
void wr_renewer_gate(struct wr_renewer *rn, bool (*gate)(void *ud),
                     void *ud);
void wr_renewer_start(struct wr_renewer *rn);

/* The credentials to sign with now, and the ones before them (NULL if
 * none; answers to calls signed with them may still arrive). */
const struct wr_creds *wr_renewer_creds(const struct wr_renewer *rn);
const struct wr_creds *wr_renewer_previous(const struct wr_renewer *rn);
/* Bumped at each renewal (0: the initial credentials). */
unsigned wr_renewer_generation(const struct wr_renewer *rn);
/* The renewer can still renew (renewable credentials, not given up). */
bool wr_renewer_active(const struct wr_renewer *rn);
/* Calls must wait: the current credentials expired and a renewal is
 * under way. */
bool wr_renewer_waiting(struct wr_renewer *rn);
/* The server refused a call signed with generation gen as expired. */
void wr_renewer_expired(struct wr_renewer *rn, unsigned gen);
/* Renewals done. */
unsigned wr_renewer_count(const struct wr_renewer *rn);

/* Closes its timer (run the loop afterwards; a renewal in flight ends
 * there and is dropped).  *pp NULL; safe on NULL. */
void wr_renewer_destroy(struct wr_renewer **pp);

#endif
