/* sim_check: phase one of a request, pure and lock-free.  It parses the
 * parameters, authenticates the call (V3 Authorization, V1 Signature or
 * the anonymous client API's session values), checks the timestamp window
 * and the operation's parameters, and says what the call asks for.
 *
 * The nonce replay check needs shared memory, so it is left to sim_core.c:
 * auth_ok says the call authenticated and its nonce must be checked and
 * remembered.  The call owns its parameters (wr_sim_call_free). */
#ifndef WR_SIM_CHECK_H
#define WR_SIM_CHECK_H

#include "sim.h"
#include "sim_params.h"
#include "sim_select.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wr_sim_header {
  const char *name;   /* any case */
  const char *value;
};

struct wr_sim_request {
  const char *method;
  const char *path;          /* without the query */
  const char *query;         /* raw, after '?', "" when none */
  const struct wr_sim_header *headers;
  size_t nheaders;
  const char *body;
  size_t body_len;
};

/* What the sim accepts (borrowed strings; NULL: not checked). */
struct wr_sim_creds {
  const char *access_key_id;
  const char *access_key_secret;
  const char *security_token; /* every signed call must carry it */
  const char *client_id;
  const char *login_token;
  const char *session_id;
};

struct wr_sim_call {
  struct wr_sim_params params; /* query first (nquery), then form body */
  size_t nquery;
  int auth;                    /* enum wr_sim_auth */
  int action;                  /* enum wr_sim_action */
  const char *action_str;      /* as requested, NULL when absent */
  const char *version;
  const char *region;          /* NULL when absent */
  const char *nonce;
  const char *client_token;    /* client API RebootDesktops */
  const char **ids;            /* DesktopId.1..N (array owned) */
  size_t nids;
  long max_results;            /* DescribeDesktops, default 10 */
  const char *next_token;
  const char *desktop_status;
  struct wr_sim_select sel;    /* DescribeDesktops filters (sim_select.h) */
  bool auth_ok;                /* authenticated: check the nonce */
  bool failed;                 /* err says why */
  struct wr_sim_error err;
  unsigned char digest[32];    /* idempotency key of the parameters */
};

/* Judge req at wall-clock time wall_ms.  0, or WR_ENOMEM. */
int wr_sim_check(const struct wr_sim_creds *creds,
                 const struct wr_sim_request *req, int64_t wall_ms,
                 struct wr_sim_call *call);
void wr_sim_call_free(struct wr_sim_call *call);

/* First value of a header (case-insensitive name), or NULL. */
const char *wr_sim_header_get(const struct wr_sim_request *req,
                              const char *name);

#endif
