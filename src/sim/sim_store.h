/* sim_store: the sim's bounded memories, all pure and single-threaded
 * (sim_core.c holds the lock; times are monotonic ms passed in).
 *
 * - wr_sim_window: arrivals in the last 1000 ms (a sliding log), for the
 *   "most calls in any 1-second window" statistic and for --qps.
 * - wr_sim_nonces: SignatureNonces seen, remembered at least `ttl_ms`
 *   (31 minutes: a replay must carry a timestamp within 15 minutes of
 *   both arrivals) in two generations of 64-bit hashes; a generation
 *   that fills up rotates early, so memory stays bounded.
 * - wr_sim_idem: ClientToken -> (digest of the parameters, RequestId) of
 *   the first accepted call, at most `max` tokens (oldest forgotten). */
#ifndef WR_SIM_STORE_H
#define WR_SIM_STORE_H

#include "sim.h"

#include <stddef.h>
#include <stdint.h>

struct wr_sim_window {
  int64_t *t;       /* ring of arrival times */
  size_t head, n, cap;
};

void wr_sim_window_init(struct wr_sim_window *w);
void wr_sim_window_free(struct wr_sim_window *w);
/* Forget arrivals at or before now_ms - 1000; return how many remain. */
size_t wr_sim_window_count(struct wr_sim_window *w, int64_t now_ms);
/* Record an arrival (expiring old ones first); return the count after. */
int wr_sim_window_add(struct wr_sim_window *w, int64_t now_ms,
                      size_t *count);
/* The oldest arrival still in the window (-1 when empty). */
int64_t wr_sim_window_oldest(const struct wr_sim_window *w);

struct wr_sim_nonce_gen {
  uint64_t *slots;  /* open addressing, 0 = empty */
  size_t cap, n;
  int64_t started;
};

struct wr_sim_nonces {
  struct wr_sim_nonce_gen gen[2];
  int cur;
  size_t max_per_gen;
  int64_t ttl_ms;
};

int wr_sim_nonces_init(struct wr_sim_nonces *s, size_t max_per_gen,
                       int64_t ttl_ms, int64_t now_ms);
void wr_sim_nonces_free(struct wr_sim_nonces *s);
/* 1 when nonce was seen already (not recorded again), 0 when it is new
 * (now recorded), WR_ENOMEM. */
int wr_sim_nonces_check_add(struct wr_sim_nonces *s, const char *nonce,
                            int64_t now_ms);

struct wr_sim_idem_entry {
  char *token;
  unsigned char digest[32];
  char request_id[WR_SIM_REQUEST_ID_LEN];
  struct wr_sim_idem_entry *next; /* hash chain */
};

struct wr_sim_idem {
  struct wr_sim_idem_entry **buckets;
  size_t nbuckets;
  struct wr_sim_idem_entry **fifo; /* insertion order, for eviction */
  size_t head, n, max;
};

int wr_sim_idem_init(struct wr_sim_idem *s, size_t max);
void wr_sim_idem_free(struct wr_sim_idem *s);

enum wr_sim_idem_result {
  WR_SIM_IDEM_NEW = 0,   /* token never seen */
  WR_SIM_IDEM_SAME,      /* same parameters: request_id filled */
  WR_SIM_IDEM_MISMATCH   /* other parameters */
};

int wr_sim_idem_lookup(const struct wr_sim_idem *s, const char *token,
                       const unsigned char digest[32],
                       char request_id[WR_SIM_REQUEST_ID_LEN]);
int wr_sim_idem_add(struct wr_sim_idem *s, const char *token,
                    const unsigned char digest[32], const char *request_id);

#endif
