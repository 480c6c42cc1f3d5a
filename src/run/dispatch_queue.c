/* dispatch_queue: a chunk in progress (struct task) and where it waits:
 * the ready queue (split parts, due retries), the in-flight list and the
 * retry min-heap on due time. */
#include "dispatch_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void wr_task_free(struct task *t)
{
  size_t i;

  for (i = 0; i < t->nrids; i++)
    free(t->rids[i]);
  free(t->rids);
  free(t->code);
  free(t->message);
  free(t->request_id);
  free(t);
}

struct task *wr_task_new(struct wr_dispatch *d, const char *id,
                             const char *region, const char *const *ids,
                             size_t nids, const char *token, int wave)
{
  struct task *t = calloc(1, sizeof(*t));

  if (t == NULL)
    return NULL;
  t->d = d;
  snprintf(t->id, sizeof(t->id), "%s", id);
  t->region = region;
  t->ids = ids;
  t->nids = nids;
  snprintf(t->token, sizeof(t->token), "%s", token != NULL ? token : "");
  t->wave = wave;
  t->latency_ms = -1;
  d->alive++;
  return t;
}

void wr_ready_push(struct wr_dispatch *d, struct task *t, bool front)
{
  t->prev = NULL;
  if (front) {
    t->next = d->ready_head;
    d->ready_head = t;
    if (d->ready_tail == NULL)
      d->ready_tail = t;
    return;
  }
  t->next = NULL;
  if (d->ready_tail != NULL)
    d->ready_tail->next = t;
  else
    d->ready_head = t;
  d->ready_tail = t;
}

struct task *wr_ready_pop(struct wr_dispatch *d)
{
  struct task *t = d->ready_head;

  if (t != NULL) {
    d->ready_head = t->next;
    if (d->ready_head == NULL)
      d->ready_tail = NULL;
    t->next = NULL;
  }
  return t;
}

void wr_inflight_link(struct wr_dispatch *d, struct task *t)
{
  t->prev = NULL;
  t->next = d->inflight_head;
  if (d->inflight_head != NULL)
    d->inflight_head->prev = t;
  d->inflight_head = t;
  d->inflight++;
}

void wr_inflight_unlink(struct wr_dispatch *d, struct task *t)
{
  if (t->prev != NULL)
    t->prev->next = t->next;
  else
    d->inflight_head = t->next;
  if (t->next != NULL)
    t->next->prev = t->prev;
  t->next = t->prev = NULL;
  d->inflight--;
}

int wr_heap_push(struct wr_dispatch *d, struct task *t)
{
  struct task **h, *tmp;
  size_t i, p;

  if (d->nheap == d->capheap) {
    size_t cap = d->capheap ? d->capheap * 2 : 64;

    h = realloc(d->heap, cap * sizeof(*h));
    if (h == NULL)
      return WR_ENOMEM;
    d->heap = h;
    d->capheap = cap;
  }
  h = d->heap;
  i = d->nheap++;
  h[i] = t;
  while (i > 0) {
    p = (i - 1) / 2;
    if (h[p]->due_ms <= h[i]->due_ms)
      break;
    tmp = h[p];
    h[p] = h[i];
    h[i] = tmp;
    i = p;
  }
  return 0;
}

struct task *wr_heap_pop(struct wr_dispatch *d)
{
  struct task **h = d->heap, *top, *tmp;
  size_t i = 0, l, r, m;

  if (d->nheap == 0)
    return NULL;
  top = h[0];
  h[0] = h[--d->nheap];
  for (;;) {
    l = 2 * i + 1;
    r = l + 1;
    m = i;
    if (l < d->nheap && h[l]->due_ms < h[m]->due_ms)
      m = l;
    if (r < d->nheap && h[r]->due_ms < h[m]->due_ms)
      m = r;
    if (m == i)
      break;
    tmp = h[m];
    h[m] = h[i];
    h[i] = tmp;
    i = m;
  }
  return top;
}
