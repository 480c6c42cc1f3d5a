/* dispatch_queue: a chunk in progress (struct task) and where it waits
 * (struct wr_queue): the ready queue (split parts, due retries), the
 * in-flight list and the retry min-heap on due time.  Knows nothing of
 * the run: a task's struct wr_dispatch is only carried for its owner. */
#include "dispatch_int.h"

#include "uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void wr_task_free(struct wr_queue *q, struct task *t)
{
  size_t i;

  q->alive--;
  for (i = 0; i < t->nrids; i++)
    free(t->rids[i]);
  free(t->rids);
  free(t->code);
  free(t->confirmed_by);
  free(t->message);
  free(t->request_id);
  free(t);
}

struct task *wr_task_new(struct wr_queue *q, struct wr_dispatch *d,
                         const char *id, const char *region,
                         const char *const *ids, size_t nids,
                         const char *token, int wave)
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
  q->alive++;
  return t;
}

int wr_task_halves(struct wr_queue *q, const struct task *t, bool tokens,
                   struct task *p[2])
{
  size_t half = (t->nids + 1) / 2, i;
  char id[2][WR_CHUNK_ID_LEN];

  p[0] = p[1] = NULL;
  for (i = 0; i < 2; i++)
    if ((size_t)snprintf(id[i], sizeof(id[i]), "%s.%zu", t->id, i + 1) >=
        sizeof(id[i]))
      return WR_EINVAL;
  p[0] = wr_task_new(q, t->d, id[0], t->region, t->ids, half, NULL, t->wave);
  p[1] = wr_task_new(q, t->d, id[1], t->region, t->ids + half,
                     t->nids - half, NULL, t->wave);
  for (i = 0; i < 2; i++)
    if (p[i] != NULL && tokens && wr_uuid4(p[i]->token) < 0) {
      wr_task_free(q, p[i]);
      p[i] = NULL;
    }
  if (p[0] == NULL || p[1] == NULL) {
    for (i = 0; i < 2; i++)
      if (p[i] != NULL) {
        wr_task_free(q, p[i]);
        p[i] = NULL;
      }
    return WR_ENOMEM;
  }
  return 0;
}

void wr_ready_push(struct wr_queue *q, struct task *t, bool front)
{
  t->prev = NULL;
  if (front) {
    t->next = q->ready_head;
    q->ready_head = t;
    if (q->ready_tail == NULL)
      q->ready_tail = t;
    return;
  }
  t->next = NULL;
  if (q->ready_tail != NULL)
    q->ready_tail->next = t;
  else
    q->ready_head = t;
  q->ready_tail = t;
}

struct task *wr_ready_pop(struct wr_queue *q)
{
  struct task *t = q->ready_head;

  if (t != NULL) {
    q->ready_head = t->next;
    if (q->ready_head == NULL)
      q->ready_tail = NULL;
    t->next = NULL;
  }
  return t;
}

void wr_inflight_link(struct wr_queue *q, struct task *t)
{
  t->prev = NULL;
  t->next = q->inflight_head;
  if (q->inflight_head != NULL)
    q->inflight_head->prev = t;
  q->inflight_head = t;
  q->inflight++;
}

void wr_inflight_unlink(struct wr_queue *q, struct task *t)
{
  if (t->prev != NULL)
    t->prev->next = t->next;
  else
    q->inflight_head = t->next;
  if (t->next != NULL)
    t->next->prev = t->prev;
  t->next = t->prev = NULL;
  q->inflight--;
}

int wr_heap_push(struct wr_queue *q, struct task *t)
{
  struct task **h, *tmp;
  size_t i, p;

  if (q->nheap == q->capheap) {
    size_t cap = q->capheap ? q->capheap * 2 : 64;

    h = realloc(q->heap, cap * sizeof(*h));
    if (h == NULL)
      return WR_ENOMEM;
    q->heap = h;
    q->capheap = cap;
  }
  h = q->heap;
  i = q->nheap++;
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

struct task *wr_heap_pop(struct wr_queue *q)
{
  struct task **h = q->heap, *top, *tmp;
  size_t i = 0, l, r, m;

  if (q->nheap == 0)
    return NULL;
  top = h[0];
  h[0] = h[--q->nheap];
  for (;;) {
    l = 2 * i + 1;
    r = l + 1;
    m = i;
    if (l < q->nheap && h[l]->due_ms < h[m]->due_ms)
      m = l;
    if (r < q->nheap && h[r]->due_ms < h[m]->due_ms)
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

void wr_queue_free(struct wr_queue *q)
{
  struct task *t, *next;

  while ((t = wr_ready_pop(q)) != NULL)
    wr_task_free(q, t);
  while ((t = wr_heap_pop(q)) != NULL)
    wr_task_free(q, t);
  /* The whole list goes: walk it rather than unlink task by task. */
  for (t = q->inflight_head; t != NULL; t = next) {
    next = t->next;
    wr_task_free(q, t);
  }
  q->inflight_head = NULL;
  q->inflight = 0;
  free(q->heap);
  q->heap = NULL;
  q->nheap = q->capheap = 0;
}
