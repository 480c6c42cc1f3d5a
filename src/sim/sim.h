/* sim: the vocabulary shared by every ecd-sim module.
 *
 * ecd-sim answers ECD API calls on loopback.  A request goes through two
 * phases: sim_check.c (pure, no shared state: parameters, authentication,
 * operation parameters) and sim_core.c (under the one state lock: arrival,
 * throttling, faults, nonce replay, the desktops, idempotency, stats).
 * Names here are the ones the log and /__stats print, so tests and the
 * run engine can rely on them (README.md, "ecd-sim"). */
#ifndef WR_SIM_H
#define WR_SIM_H

#include <stdint.h>

enum wr_sim_outcome {
  WR_SIM_OK = 0,    /* accepted (reboots done / page returned) */
  WR_SIM_REPLAYED,  /* same ClientToken, same parameters: first RequestId */
  WR_SIM_THROTTLED, /* --qps exceeded: Throttling.User */
  WR_SIM_ERROR,     /* an error response (protocol, business or injected) */
  WR_SIM_RESET,     /* closed without a response, nothing done */
  WR_SIM_LOST,      /* done, then closed without a response */
  WR_SIM_HANG,      /* no answer for --hang-ms, then closed, nothing done */
  WR_SIM_GARBAGE,   /* a non-JSON 502 page, nothing done */
  WR_SIM_HTML_OK,   /* a 200 HTML page (a proxy, a portal), nothing done */
  WR_SIM_OUTCOME_COUNT
};

/* Protocol violations: a request the real service would reject because
 * the client got something wrong (never an injected fault). */
enum wr_sim_violation {
  WR_SIM_V_NONE = -1,
  WR_SIM_V_BAD_SIGNATURE = 0,
  WR_SIM_V_TOO_MANY_IDS,
  WR_SIM_V_NONCE_REUSED,
  WR_SIM_V_MISSING_PARAMETER,
  WR_SIM_V_EXPIRED_TIMESTAMP,
  WR_SIM_V_UNKNOWN_ACCESS_KEY,
  WR_SIM_V_BAD_CLIENT_SESSION,
  WR_SIM_V_TOKEN_MISMATCH,
  WR_SIM_V_OTHER,
  WR_SIM_V_COUNT
};

enum wr_sim_auth {
  WR_SIM_AUTH_NONE = 0,
  WR_SIM_AUTH_V3,
  WR_SIM_AUTH_V1,
  WR_SIM_AUTH_CLIENT
};

enum wr_sim_action {
  WR_SIM_REBOOT = 0,
  WR_SIM_DESCRIBE,
  WR_SIM_OTHER_ACTION, /* unknown action or path */
  WR_SIM_ACTION_COUNT
};

#define WR_SIM_MSG_LEN 256

/* An error response in the real shape (the body adds RequestId, HostId,
 * Recommend). */
struct wr_sim_error {
  int status;          /* HTTP status */
  const char *code;    /* static, e.g. "SignatureDoesNotMatch" */
  char message[WR_SIM_MSG_LEN];
  int violation;       /* enum wr_sim_violation, WR_SIM_V_NONE if none */
};

/* Fill e; returns WR_EPROTO so that checks can `return fail(...)`. */
int wr_sim_error_set(struct wr_sim_error *e, int status, const char *code,
                     int violation, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

const char *wr_sim_outcome_name(int outcome);
const char *wr_sim_violation_name(int violation);
const char *wr_sim_auth_name(int auth);
const char *wr_sim_action_name(int action);

#define WR_SIM_VERSION_ADMIN "2020-09-30"
#define WR_SIM_VERSION_CLIENT "2020-10-02"
#define WR_SIM_MAX_IDS_ADMIN 100
#define WR_SIM_MAX_IDS_CLIENT 20
#define WR_SIM_TIME_WINDOW_MS (15 * 60 * 1000)
#define WR_SIM_REQUEST_ID_LEN 37

#endif
