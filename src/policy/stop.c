#include "stop.h"

#include <stdio.h>
#include <string.h>

void wr_stop_init(struct wr_stop *s, const struct wr_stop_opts *o)
{
  memset(s, 0, sizeof(*s));
  s->o = *o;
}

void wr_stop_set_base(struct wr_stop *s, size_t failed_desktops)
{
  s->failed_desktops = failed_desktops;
}

static bool begin(struct wr_stop *s, const char *reason)
{
  if (s->reason != NULL)
    return false;
  s->reason = reason;
  return true;
}

bool wr_stop_outcome(struct wr_stop *s, int wave, bool failed, size_t nids)
{
  bool began = false;

  if (!failed)
    return false;
  s->failed_desktops += nids;
  if (s->o.canary && wave == 0)
    began |= begin(s, "canary");
  if (s->o.max_errors >= 0 && s->failed_desktops > (size_t)s->o.max_errors)
    began |= begin(s, "max-errors");
  if (s->o.max_errors_pct >= 0 &&
      (double)s->failed_desktops * 100.0 >
          s->o.max_errors_pct * (double)s->o.ndesktops)
    began |= begin(s, "max-errors");
  return began;
}

bool wr_stop_clock(struct wr_stop *s, int64_t wall_ms)
{
  if (s->o.deadline_wall_ms > 0 && wall_ms >= s->o.deadline_wall_ms)
    return begin(s, "deadline");
  return false;
}

bool wr_stop_fatal(struct wr_stop *s, const char *reason,
                   const struct wr_err *err)
{
  s->err = *err;
  return begin(s, reason);
}

bool wr_stop_credentials(struct wr_stop *s, const char *code,
                         const char *message)
{
  if (s->auth_code[0] == '\0') {
    snprintf(s->auth_code, sizeof(s->auth_code), "%s",
             code != NULL && code[0] != '\0' ? code : "error");
    snprintf(s->auth_message, sizeof(s->auth_message), "%s",
             message != NULL ? message : "");
  }
  return begin(s, "credentials");
}

static bool unreachable(struct wr_stop *s, const char *detail)
{
  if (s->reason != NULL)
    return false;
  wr_err_set(&s->err, WR_EIO, "the endpoint is unreachable: %zu call(s) in "
             "a row were never sent (last: %s)", s->unsent_run,
             detail != NULL && detail[0] != '\0' ? detail
                                                 : "connection failed");
  return begin(s, "unreachable");
}

bool wr_stop_attempt(struct wr_stop *s, bool not_sent, const char *detail)
{
  if (!not_sent) {
    s->unsent_run = 0;
    return false;
  }
  s->unsent_run++;
  if (s->o.unsent_max == 0 || s->unsent_run < s->o.unsent_max)
    return false;
  return unreachable(s, detail);
}

bool wr_stop_unreachable(struct wr_stop *s, const char *detail)
{
  return unreachable(s, detail);
}

enum wr_stop_signal wr_stop_signal(struct wr_stop *s, bool finished,
                                   bool *began)
{
  s->signals++;
  *began = begin(s, "interrupt");
  if (s->signals == 1 && !finished)
    return WR_STOP_GRACEFUL;
  s->abort = true;
  return WR_STOP_ABORT;
}

int wr_stop_exit_code(const struct wr_stop *s, bool failures)
{
  if (s->reason != NULL)
    return WR_EXIT_STOPPED;
  return failures ? WR_EXIT_FAILED : WR_EXIT_OK;
}
