/* sim_names: the printed names of sim.h's enums, and the error setter. */
#include "sim.h"

#include "err.h"

#include <stdarg.h>
#include <stdio.h>

int wr_sim_error_set(struct wr_sim_error *e, int status, const char *code,
                     int violation, const char *fmt, ...)
{
  va_list ap;

  e->status = status;
  e->code = code;
  e->violation = violation;
  va_start(ap, fmt);
  vsnprintf(e->message, sizeof(e->message), fmt, ap);
  va_end(ap);
  return WR_EPROTO;
}

const char *wr_sim_outcome_name(int outcome)
{
  static const char *const names[WR_SIM_OUTCOME_COUNT] = {
    "ok", "replayed", "throttled", "error", "reset", "lost", "hang",
    "garbage", "html_ok"
  };

  if (outcome < 0 || outcome >= WR_SIM_OUTCOME_COUNT)
    return "error";
  return names[outcome];
}

const char *wr_sim_violation_name(int violation)
{
  static const char *const names[WR_SIM_V_COUNT] = {
    "bad_signature", "too_many_ids", "nonce_reused", "missing_parameter",
    "expired_timestamp", "unknown_access_key", "bad_client_session",
    "token_mismatch", "other"
  };

  if (violation < 0 || violation >= WR_SIM_V_COUNT)
    return "other";
  return names[violation];
}

const char *wr_sim_auth_name(int auth)
{
  switch (auth) {
  case WR_SIM_AUTH_V3: return "v3";
  case WR_SIM_AUTH_V1: return "v1";
  case WR_SIM_AUTH_CLIENT: return "client";
  default: return "none";
  }
}

const char *wr_sim_action_name(int action)
{
  switch (action) {
  case WR_SIM_REBOOT: return "RebootDesktops";
  case WR_SIM_DESCRIBE: return "DescribeDesktops";
  default: return "Other";
  }
}
