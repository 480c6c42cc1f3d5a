#include "sim_store.h"

#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW_MS 1000

static uint64_t hash_str(const char *s)
{
  uint64_t h = 1469598103934665603ULL;

  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  /* Finalise (splitmix) so that nearby nonces spread over the table. */
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

/* ---- window ------------------------------------------------------------ */

void wr_sim_window_init(struct wr_sim_window *w)
{
  memset(w, 0, sizeof(*w));
}

void wr_sim_window_free(struct wr_sim_window *w)
{
  free(w->t);
  wr_sim_window_init(w);
}

size_t wr_sim_window_count(struct wr_sim_window *w, int64_t now_ms)
{
  while (w->n > 0 && w->t[w->head] <= now_ms - WINDOW_MS) {
    w->head = (w->head + 1) % w->cap;
    w->n--;
  }
  return w->n;
}

int wr_sim_window_add(struct wr_sim_window *w, int64_t now_ms,
                      size_t *count)
{
  if (count != NULL)
    *count = 0;
  wr_sim_window_count(w, now_ms);
  if (w->n == w->cap) {
    size_t cap = w->cap ? w->cap * 2 : 1024, i;
    int64_t *t = malloc(cap * sizeof(*t));

    if (t == NULL)
      return WR_ENOMEM;
    for (i = 0; i < w->n; i++)
      t[i] = w->t[(w->head + i) % w->cap];
    free(w->t);
    w->t = t;
    w->cap = cap;
    w->head = 0;
  }
  w->t[(w->head + w->n) % w->cap] = now_ms;
  w->n++;
  if (count != NULL)
    *count = w->n;
  return 0;
}

int64_t wr_sim_window_oldest(const struct wr_sim_window *w)
{
  return w->n > 0 ? w->t[w->head] : -1;
}

/* ---- nonces ------------------------------------------------------------ */

static int gen_has(const struct wr_sim_nonce_gen *g, uint64_t h)
{
  size_t mask, i;

  if (g->cap == 0)
    return 0;
  mask = g->cap - 1;
  for (i = h & mask; g->slots[i] != 0; i = (i + 1) & mask)
    if (g->slots[i] == h)
      return 1;
  return 0;
}

static void gen_put(struct wr_sim_nonce_gen *g, uint64_t h)
{
  size_t mask = g->cap - 1, i;

  for (i = h & mask; g->slots[i] != 0; i = (i + 1) & mask)
    ;
  g->slots[i] = h;
  g->n++;
}

static int gen_grow(struct wr_sim_nonce_gen *g)
{
  struct wr_sim_nonce_gen ng;
  size_t i;

  ng.cap = g->cap ? g->cap * 2 : 4096;
  ng.n = 0;
  ng.started = g->started;
  ng.slots = calloc(ng.cap, sizeof(uint64_t));
  if (ng.slots == NULL)
    return WR_ENOMEM;
  for (i = 0; i < g->cap; i++)
    if (g->slots[i] != 0)
      gen_put(&ng, g->slots[i]);
  free(g->slots);
  *g = ng;
  return 0;
}

int wr_sim_nonces_init(struct wr_sim_nonces *s, size_t max_per_gen,
                       int64_t ttl_ms, int64_t now_ms)
{
  memset(s, 0, sizeof(*s));
  s->max_per_gen = max_per_gen;
  s->ttl_ms = ttl_ms;
  s->gen[0].started = now_ms;
  s->gen[1].started = now_ms;
  return 0;
}

void wr_sim_nonces_free(struct wr_sim_nonces *s)
{
  free(s->gen[0].slots);
  free(s->gen[1].slots);
  memset(s, 0, sizeof(*s));
}

int wr_sim_nonces_check_add(struct wr_sim_nonces *s, const char *nonce,
                            int64_t now_ms)
{
  struct wr_sim_nonce_gen *g = &s->gen[s->cur];
  uint64_t h = hash_str(nonce) | 1; /* never 0, the empty mark */

  /* Everything in the previous generation is at least ttl old once the
   * current one is: drop it and start a new one. */
  if (now_ms - g->started >= s->ttl_ms || g->n >= s->max_per_gen) {
    s->cur ^= 1;
    g = &s->gen[s->cur];
    free(g->slots);
    memset(g, 0, sizeof(*g));
    g->started = now_ms;
  }
  if (gen_has(&s->gen[0], h) || gen_has(&s->gen[1], h))
    return 1;
  if ((g->n + 1) * 2 > g->cap && gen_grow(g) < 0)
    return WR_ENOMEM;
  gen_put(g, h);
  return 0;
}

/* ---- ClientToken idempotency ------------------------------------------- */

int wr_sim_idem_init(struct wr_sim_idem *s, size_t max)
{
  memset(s, 0, sizeof(*s));
  s->max = max ? max : 1;
  s->nbuckets = 1;
  while (s->nbuckets < s->max && s->nbuckets < (1u << 20))
    s->nbuckets <<= 1;
  s->buckets = calloc(s->nbuckets, sizeof(*s->buckets));
  if (s->buckets == NULL)
    return WR_ENOMEM;
  return 0;
}

void wr_sim_idem_free(struct wr_sim_idem *s)
{
  size_t i;

  for (i = 0; i < s->nbuckets && s->buckets != NULL; i++) {
    struct wr_sim_idem_entry *e = s->buckets[i], *next;

    for (; e != NULL; e = next) {
      next = e->next;
      free(e->token);
      free(e);
    }
  }
  free(s->buckets);
  free(s->fifo);
  memset(s, 0, sizeof(*s));
}

static struct wr_sim_idem_entry *find(const struct wr_sim_idem *s,
                                      const char *token)
{
  struct wr_sim_idem_entry *e;

  for (e = s->buckets[hash_str(token) & (s->nbuckets - 1)]; e != NULL;
       e = e->next)
    if (strcmp(e->token, token) == 0)
      return e;
  return NULL;
}

int wr_sim_idem_lookup(const struct wr_sim_idem *s, const char *token,
                       const unsigned char digest[32],
                       char request_id[WR_SIM_REQUEST_ID_LEN])
{
  const struct wr_sim_idem_entry *e = find(s, token);

  if (e == NULL)
    return WR_SIM_IDEM_NEW;
  if (memcmp(e->digest, digest, 32) != 0)
    return WR_SIM_IDEM_MISMATCH;
  memcpy(request_id, e->request_id, WR_SIM_REQUEST_ID_LEN);
  return WR_SIM_IDEM_SAME;
}

static void evict_oldest(struct wr_sim_idem *s)
{
  struct wr_sim_idem_entry *old = s->fifo[s->head], **pp;

  pp = &s->buckets[hash_str(old->token) & (s->nbuckets - 1)];
  while (*pp != old)
    pp = &(*pp)->next;
  *pp = old->next;
  free(old->token);
  free(old);
  s->head = (s->head + 1) % s->max;
  s->n--;
}

int wr_sim_idem_add(struct wr_sim_idem *s, const char *token,
                    const unsigned char digest[32], const char *request_id)
{
  struct wr_sim_idem_entry *e;
  size_t b;

  if (s->fifo == NULL) {
    s->fifo = calloc(s->max, sizeof(*s->fifo));
    if (s->fifo == NULL)
      return WR_ENOMEM;
  }
  if (s->n == s->max)
    evict_oldest(s);
  e = calloc(1, sizeof(*e));
  if (e == NULL)
    return WR_ENOMEM;
  e->token = strdup(token);
  if (e->token == NULL) {
    free(e);
    return WR_ENOMEM;
  }
  memcpy(e->digest, digest, 32);
  snprintf(e->request_id, sizeof(e->request_id), "%s", request_id);
  b = hash_str(token) & (s->nbuckets - 1);
  e->next = s->buckets[b];
  s->buckets[b] = e;
  s->fifo[(s->head + s->n) % s->max] = e;
  s->n++;
  return 0;
}
