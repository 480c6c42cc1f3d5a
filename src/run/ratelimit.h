/* ratelimit: when may the next call start?  A token bucket plus a sliding
 * log of recent starts; pure (no clock, no I/O): every function takes the
 * monotonic time now_ms, so tests drive it with a hand-made clock.
 *
 * The guarantee (`--rate R`): no window [t, t+1000 ms) ever holds more
 * than ceil(R) starts, and a long run starts R calls a second.
 *
 * - Tokens accrue at the effective rate and are capped at WR_RL_BURST
 *   (1.5): a timer that fires a millisecond late loses no throughput, but
 *   no burst can form.  Example at R = 200: one token every 5 ms; a timer
 *   firing at 6 ms finds 1.2 tokens, starts one, and the 0.2 left makes
 *   the next start due at 10 ms, not 11.
 * - The log remembers the last ceil(R) start times; a start is allowed
 *   only when the oldest of them is WR_RL_WINDOW_MS (1 s + 10 ms) old.
 *   That is what makes the bound exact whatever the tokens say, and the
 *   margin keeps it when requests reach the server a little unevenly.
 * - Adaptive: wr_ratelimit_throttled() halves the effective rate (at most
 *   once a second, never below a floor of R/10) and pauses every start
 *   until the server's retry-after has passed; the rate then recovers
 *   linearly by R/10 a second, never above R.
 *
 * R = 0 means no limit: avail is always large and wait_ms 0. */
#ifndef WR_RATELIMIT_H
#define WR_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#define WR_RL_BURST 1.5          /* token cap */
#define WR_RL_DECREASE 0.5       /* effective rate factor on throttling */
#define WR_RL_FLOOR_DIV 10.0     /* floor = R / 10 */
#define WR_RL_RECOVER_DIV 10.0   /* recovery: R / 10 per second */
#define WR_RL_HOLD_MS 1000       /* one decrease a second at most */
#define WR_RL_LOG_MAX 1000000    /* above this rate the log is not kept */
#define WR_RL_PAUSE_MAX_MS 120000 /* retry-after is capped (SDK maxDelay) */
#define WR_RL_WINDOW_MS 1010     /* the log's window: 1 s plus a margin for
                                    the jitter between the start and its
                                    arrival at the server */

struct wr_ratelimit {
  double rate;          /* configured calls/s, 0: unlimited */
  double cur;           /* effective calls/s, floor..rate */
  double floor;
  double tokens;        /* 0..WR_RL_BURST */
  int64_t last_ms;      /* last refill */
  int64_t paused_until; /* no start before this (retry-after) */
  int64_t decreased_ms; /* last decrease, for the hold */
  int64_t *log;         /* ring of the last nlog start times */
  size_t nlog, head, used;
  size_t throttles;     /* decreases so far (for progress and tests) */
};

/* Set up for rate calls/s (0: unlimited) at now_ms, starting with one
 * token.  0, or WR_ENOMEM (the log), or WR_EINVAL (negative rate). */
int wr_ratelimit_init(struct wr_ratelimit *rl, double rate, int64_t now_ms);
void wr_ratelimit_free(struct wr_ratelimit *rl);

/* How many starts are allowed right now (0 or more). */
size_t wr_ratelimit_avail(struct wr_ratelimit *rl, int64_t now_ms);
/* Record n starts at now_ms (call after avail said so). */
void wr_ratelimit_drain(struct wr_ratelimit *rl, size_t n, int64_t now_ms);
/* Milliseconds until the next start is allowed (0: now). */
int64_t wr_ratelimit_wait_ms(struct wr_ratelimit *rl, int64_t now_ms);

/* The server said "too fast": slow down, and start nothing for
 * retry_after_ms (< 0: the server gave no hint). */
void wr_ratelimit_throttled(struct wr_ratelimit *rl, int64_t now_ms,
                            int64_t retry_after_ms);
/* The effective rate now (calls/s, 0: unlimited). */
double wr_ratelimit_rate(struct wr_ratelimit *rl, int64_t now_ms);

#endif
