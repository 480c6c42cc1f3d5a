#include "sim_delay.h"

#include "err.h"

#include <microhttpd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <uv.h>

struct item {
  uv_timer_t timer;           /* first: the handle is the item */
  struct MHD_Connection *conn;
  uint64_t ms;
  struct item *next;
};

struct wr_sim_delay {
  uv_loop_t loop;
  uv_async_t async;
  uv_thread_t thread;
  uv_mutex_t lock;
  struct item *pending;       /* handed over, not yet timed */
  bool stopping;
};

static void free_item(uv_handle_t *h)
{
  free(h);
}

static void on_timer(uv_timer_t *t)
{
  struct item *it = (struct item *)t;

  MHD_resume_connection(it->conn);
  uv_close((uv_handle_t *)t, free_item);
}

static void flush_one(uv_handle_t *h, void *arg)
{
  (void)arg;
  if (h->type == UV_TIMER && !uv_is_closing(h))
    on_timer((uv_timer_t *)h);
}

static void on_async(uv_async_t *a)
{
  struct wr_sim_delay *d = a->data;
  struct item *list, *next;
  bool stopping;

  uv_mutex_lock(&d->lock);
  list = d->pending;
  d->pending = NULL;
  stopping = d->stopping;
  uv_mutex_unlock(&d->lock);
  for (; list != NULL; list = next) {
    next = list->next;
    uv_timer_init(&d->loop, &list->timer);
    uv_timer_start(&list->timer, on_timer, stopping ? 0 : list->ms, 0);
  }
  if (stopping) {
    uv_walk(&d->loop, flush_one, NULL);
    uv_close((uv_handle_t *)&d->async, NULL);
  }
}

static void run(void *arg)
{
  struct wr_sim_delay *d = arg;

  uv_run(&d->loop, UV_RUN_DEFAULT);
}

int wr_sim_delay_start(struct wr_sim_delay **out)
{
  struct wr_sim_delay *d = calloc(1, sizeof(*d));

  *out = NULL;
  if (d == NULL)
    return WR_ENOMEM;
  if (uv_loop_init(&d->loop) != 0)
    goto fail_loop;
  if (uv_mutex_init(&d->lock) != 0)
    goto fail_mutex;
  if (uv_async_init(&d->loop, &d->async, on_async) != 0)
    goto fail_async;
  d->async.data = d;
  if (uv_thread_create(&d->thread, run, d) != 0)
    goto fail_thread;
  *out = d;
  return 0;
fail_thread:
  uv_close((uv_handle_t *)&d->async, NULL);
  uv_run(&d->loop, UV_RUN_DEFAULT);
fail_async:
  uv_mutex_destroy(&d->lock);
fail_mutex:
  uv_loop_close(&d->loop);
fail_loop:
  free(d);
  return WR_ENOMEM;
}

int wr_sim_delay_add(struct wr_sim_delay *d, struct MHD_Connection *conn,
                     int64_t ms)
{
  struct item *it;

  it = calloc(1, sizeof(*it));
  if (it == NULL)
    return WR_ENOMEM;
  it->conn = conn;
  it->ms = (uint64_t)(ms > 0 ? ms : 0);
  uv_mutex_lock(&d->lock);
  if (d->stopping) {
    uv_mutex_unlock(&d->lock);
    free(it);
    return WR_ESTATE;
  }
  it->next = d->pending;
  d->pending = it;
  uv_mutex_unlock(&d->lock);
  uv_async_send(&d->async);
  return 0;
}

void wr_sim_delay_stop(struct wr_sim_delay *d)
{
  bool was;

  uv_mutex_lock(&d->lock);
  was = d->stopping;
  d->stopping = true;
  uv_mutex_unlock(&d->lock);
  if (was)
    return;
  uv_async_send(&d->async);
  uv_thread_join(&d->thread);
}

void wr_sim_delay_destroy(struct wr_sim_delay **pp)
{
  struct wr_sim_delay *d = *pp;

  if (d == NULL)
    return;
  *pp = NULL;
  wr_sim_delay_stop(d);
  uv_loop_close(&d->loop);
  uv_mutex_destroy(&d->lock);
  free(d);
}
