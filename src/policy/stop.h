/* stop: the one place that decides when a run stops, and why.  A pure
 * policy object (no libuv, no I/O): dispatch feeds it events (a chunk's
 * final outcome, the wall clock, a signal, a fatal error) and each call
 * answers whether that event began the stop.  What stopping does (no new
 * calls, a note, ending a --verify check) is dispatch's business.
 *
 * The reasons are the report's "stop_reason" texts (CONTRACT.md):
 * "canary", "max-errors", "deadline", "interrupt", "report",
 * "out of memory", "credentials", "credentials expired", "unreachable".
 * The first reason wins; later events change nothing.
 * A stopped run exits WR_EXIT_STOPPED. */
#ifndef WR_STOP_H
#define WR_STOP_H

#include "err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wr_stop_opts {
  bool canary;              /* wave 0 is a canary wave: a failure stops */
  long max_errors;          /* failed desktops allowed, -1: unlimited */
  double max_errors_pct;    /* percent of ndesktops, -1: not used */
  size_t ndesktops;         /* the whole run's (resume included) */
  int64_t deadline_wall_ms; /* 0: none */
  size_t unsent_max;        /* attempts in a row never sent that mean the
                               endpoint is unreachable; 0: no limit */
};

struct wr_stop {
  struct wr_stop_opts o;
  size_t failed_desktops;   /* earlier sessions' included */
  int signals;
  const char *reason;       /* NULL while the run goes on */
  bool abort;               /* stop the loop at once (second signal) */
  struct wr_err err;        /* the last fatal error, code 0 if none */
  char auth_code[128];      /* the first answer no retry can fix, "" */
  char auth_message[256];
  size_t unsent_run;        /* attempts in a row that were never sent */
};

/* The smallest unsent_max: a handful of refused connections is a blip,
 * not an outage.  dispatch uses max(this, 2 x concurrency): every call
 * in flight failed twice over. */
#define WR_STOP_UNSENT_MIN 10

void wr_stop_init(struct wr_stop *s, const struct wr_stop_opts *o);
/* resume: desktops that failed in the earlier sessions. */
void wr_stop_set_base(struct wr_stop *s, size_t failed_desktops);

/* Each returns true when this event began the stop. */

/* A chunk of nids desktops ended (failed: its final status is failed)
 * in wave `wave`.  Canary, then --max-errors. */
bool wr_stop_outcome(struct wr_stop *s, int wave, bool failed, size_t nids);
/* The wall clock now: --deadline. */
bool wr_stop_clock(struct wr_stop *s, int64_t wall_ms);
/* A fatal error (reason "report", "out of memory" or "credentials
 * expired"); err is kept. */
bool wr_stop_fatal(struct wr_stop *s, const char *reason,
                   const struct wr_err *err);

/* An answer no retry can fix because it is about the caller: the
 * credentials, the clock, a permission, the account (api.h fatal_auth).
 * Every later call would fail the same way, so the first one stops the
 * run (reason "credentials"); its code and message (already redacted)
 * are kept for the user.  Later ones keep the first. */
bool wr_stop_credentials(struct wr_stop *s, const char *code,
                         const char *message);

/* An attempt was answered (not_sent false: a response, or a failure that
 * may have reached the server) or certainly never sent (connection
 * refused, DNS, TLS handshake: detail says which).  unsent_max attempts
 * in a row never sent stop the run as "unreachable"; err holds the
 * count and the last detail. */
bool wr_stop_attempt(struct wr_stop *s, bool not_sent, const char *detail);
/* A chunk ran out of retries and none of its attempts was sent: the
 * endpoint is as unreachable as it gets ("unreachable" at once). */
bool wr_stop_unreachable(struct wr_stop *s, const char *detail);

/* SIGINT/SIGTERM.  The first, while the run is not finished, stops it
 * gracefully (WR_STOP_GRACEFUL; *began: this signal began the stop); any
 * other aborts (WR_STOP_ABORT: stop the loop now, no summary). */
enum wr_stop_signal { WR_STOP_GRACEFUL, WR_STOP_ABORT };
enum wr_stop_signal wr_stop_signal(struct wr_stop *s, bool finished,
                                   bool *began);

static inline bool wr_stop_stopping(const struct wr_stop *s)
{
  return s->reason != NULL;
}

/* The exit code: stopped, else failures (failed or not verified
 * desktops), else ok. */
int wr_stop_exit_code(const struct wr_stop *s, bool failures);

#endif
