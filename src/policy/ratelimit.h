/* ratelimit: when may the next call start?  A token bucket plus a sliding
 * log of recent starts, and a controller that finds an unknown server
 * quota; pure (no clock, no I/O): every function takes the monotonic time
 * now_ms, so tests drive it with a hand-made clock.
 *
 * The guarantee (`--rate R`): no window [t, t+1000 ms) ever holds more
 * than ceil(R) starts, and a long run starts R calls a second.
 *
 * - Tokens accrue at the effective rate cur (<= R) and are capped at
 *   WR_RL_BURST (1.5): a timer that fires a millisecond late loses no
 *   throughput, but no burst can form.  Example at R = 200: one token
 *   every 5 ms; a timer firing at 6 ms finds 1.2 tokens, starts one, and
 *   the 0.2 left makes the next start due at 10 ms, not 11.
 * - The log remembers the last ceil(R) start times; a start is allowed
 *   only when the ceil(cur)-th newest of them is WR_RL_WINDOW_MS (1 s +
 *   10 ms) old.  That makes the bound exact whatever the tokens say (the
 *   margin keeps it when requests reach the server a little unevenly),
 *   and it shapes the starts to the sliding second a server's quota
 *   counts in: at cur <= Q, no second at the server holds more than Q.
 *
 * The controller.  A server that accepts Q calls in any sliding second
 * (Q unknown) throttles only when cur > Q, so:
 * - Estimate: wr_ratelimit_accepted() is told of every answer that was
 *   not a throttle; at a throttle, the answers accepted in the last
 *   second, est, are what the server let through at its limit: about Q.
 *   The level L = min(est, cur) (the sending rate bounds Q too).  When
 *   nothing was accepted in that second (a server that counts throttled
 *   calls too locks a client out while it sends above Q), L = cur / 2.
 *   A throttle past K (below) with est a call or so under the last level
 *   (est >= BETA x level - 1) keeps that level: the rate sat at or above
 *   it without complaint, so the shortfall is the count's jitter (one
 *   call is 10% of a quota of 10).
 * - Decrease: cur = WR_RL_BETA (0.97) x L, not below a floor of
 *   min(R, 1)/s: just under the quota instead of half of it.
 * - One event per volley: throttles within WR_RL_HOLD_MS (1 s) of the
 *   last decrease answer calls sent before it, at the old rate; they
 *   change nothing (retry-after still applies).
 * - Probe, CUBIC-like, t seconds after the decrease: concave back to L
 *   over K = WR_RL_PROBE_CALLS / L seconds (clamped to 2..10 s), so the
 *   rate stays within 1% of L for two thirds of K:
 *     cur = L (1 - (1 - BETA) (1 - t/K)^3),            t <= K
 *   then convex beyond L, gently at first, fast later, to find a quota
 *   that rose (x 2.5 within 7 s):
 *     cur = L (1 + WR_RL_GROW (t - K)^3),              t > K
 *   never above R.  At a steady quota a cycle is K plus a second or so:
 *   at least WR_RL_PROBE_CALLS calls for one or two throttled ones, at
 *   about 0.97 Q on average (the estimate may be a call off, and the
 *   log's 10 ms margin costs 1%); see tests/bench/README.md, "quota".
 * - Answers of other actions count alike (verify's DescribeDesktops
 *   share the limiter with the reboots).
 * - x-acs-retry-after: wr_ratelimit_throttled() pauses every start until
 *   it has passed (capped at WR_RL_PAUSE_MAX_MS).
 *
 * R = 0 means no limit: avail is always large and wait_ms 0. */
#ifndef WR_RATELIMIT_H
#define WR_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#define WR_RL_BURST 1.5          /* token cap */
#define WR_RL_BETA 0.97          /* cur = BETA x level on a throttle */
#define WR_RL_HOLD_MS 1000       /* throttles this soon: the same event */
#define WR_RL_PROBE_CALLS 100.0  /* K = this many calls at the level... */
#define WR_RL_K_MIN_MS 2000      /* ...but 2 s at least */
#define WR_RL_K_MAX_MS 10000     /* and 10 s at most */
#define WR_RL_GROW 0.004         /* convex probe: L x (1 + GROW s^-3 t^3) */
#define WR_RL_EST_MS 1000        /* accepted answers counted over 1 s */
#define WR_RL_ACC_MAX 65536      /* their log's size at most */
#define WR_RL_LOG_MAX 1000000    /* above this rate the log is not kept */
#define WR_RL_PAUSE_MAX_MS 120000 /* retry-after is capped (SDK maxDelay) */
#define WR_RL_WINDOW_MS 1010     /* the log's window: 1 s plus a margin for
                                    the jitter between the start and its
                                    arrival at the server */

struct wr_ratelimit {
  double rate;          /* configured calls/s, 0: unlimited */
  double cur;           /* effective calls/s, floor..rate */
  double floor;
  double level;         /* the estimated quota at the last event, 0: none */
  double k_ms;          /* the concave probe's length */
  double tokens;        /* 0..WR_RL_BURST */
  int64_t last_ms;      /* last refill */
  int64_t paused_until; /* no start before this (retry-after) */
  int64_t decreased_ms; /* last decrease (event) */
  int64_t *log;         /* ring of the last nlog start times */
  size_t nlog, head, used;
  int64_t *acc;         /* ring of the last nacc accepted answers */
  size_t nacc, acc_head, acc_used;
  size_t throttles;     /* decreases so far (for progress and tests) */
};

/* Set up for rate calls/s (0: unlimited) at now_ms, starting with one
 * token.  0, or WR_ENOMEM (the logs), or WR_EINVAL (negative rate). */
int wr_ratelimit_init(struct wr_ratelimit *rl, double rate, int64_t now_ms);
void wr_ratelimit_free(struct wr_ratelimit *rl);

/* How many starts are allowed right now (0 or more). */
size_t wr_ratelimit_avail(struct wr_ratelimit *rl, int64_t now_ms);
/* Record n starts at now_ms (call after avail said so). */
void wr_ratelimit_drain(struct wr_ratelimit *rl, size_t n, int64_t now_ms);
/* Milliseconds until the next start is allowed (0: now). */
int64_t wr_ratelimit_wait_ms(struct wr_ratelimit *rl, int64_t now_ms);

/* The server answered a call and did not throttle it (any answer with
 * an HTTP status counts, errors too: the server let the call through). */
void wr_ratelimit_accepted(struct wr_ratelimit *rl, int64_t now_ms);
/* The server said "too fast": slow down, and start nothing for
 * retry_after_ms (< 0: the server gave no hint). */
void wr_ratelimit_throttled(struct wr_ratelimit *rl, int64_t now_ms,
                            int64_t retry_after_ms);
/* The effective rate now (calls/s, 0: unlimited). */
double wr_ratelimit_rate(struct wr_ratelimit *rl, int64_t now_ms);

#endif
