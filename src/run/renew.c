/* renew: temporary credentials renewed during a run (see renew.h). */
#include "renew.h"

#include "auth.h"
#include "clock.h"
#include "creds.h"
#include "journal.h"
#include "log.h"

#include <cjson/cJSON.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

/* One renewal on the thread pool.  The worker reads only what is copied
 * here (and cfg, which outlives the loop); rn is NULL once the renewer
 * is gone, and the work then frees itself. */
struct work {
  uv_work_t req;
  struct wr_renewer *rn;
  const struct wr_config *cfg;
  struct wr_creds probe;   /* step and expiry of the credentials renewed */
  struct wr_creds out;     /* the new ones (owned until taken) */
  struct wr_err err;
  int rc;
};

struct wr_renewer {
  uv_loop_t *loop;
  const struct wr_config *cfg;
  struct wr_journal *report;
  const struct wr_creds *initial;  /* borrowed */
  struct wr_creds gen[2];          /* renewed ones: current and previous */
  const struct wr_creds *cur, *prev;
  unsigned generation, renewals;
  int64_t obtained_ms;             /* wall clock when cur came */
  bool renewable, gave_up;
  bool refused;                    /* the server refused cur as expired */
  int failures;                    /* in a row */
  int failures_expired;            /* of them, after the expiry */
  uv_timer_t timer;
  struct work *work;               /* in flight, or NULL */
  wr_renew_cb *cb;
  void *ud;
  bool (*gate)(void *ud);
  void *gate_ud;
};

int64_t wr_renew_margin_ms(int64_t life_ms)
{
  int64_t quarter = life_ms / 4, m;

  if (quarter > WR_RENEW_MARGIN_MAX_MS)
    quarter = WR_RENEW_MARGIN_MAX_MS;
  m = quarter > WR_RENEW_MARGIN_MIN_MS ? quarter : WR_RENEW_MARGIN_MIN_MS;
  return m < life_ms / 2 ? m : life_ms / 2;
}

static bool expired_now(const struct wr_renewer *rn, int64_t wall)
{
  return rn->refused || wall >= rn->cur->expires_ms;
}

/* ---- scheduling -------------------------------------------------------- */

static void on_timer(uv_timer_t *h);

/* 1, 2, 4 ... 60 s after n failures, half to all of it at random. */
static int64_t backoff_ms(int n)
{
  int64_t base = 1000;
  uint32_t r = 0;

  while (--n > 0 && base < WR_RENEW_BACKOFF_MAX_MS)
    base *= 2;
  if (base > WR_RENEW_BACKOFF_MAX_MS)
    base = WR_RENEW_BACKOFF_MAX_MS;
  if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
    r = 0;
  return base / 2 + (int64_t)(r % (uint32_t)(base / 2 + 1));
}

/* When to try next, by the wall clock (the expiry is a wall time). */
static void schedule(struct wr_renewer *rn)
{
  int64_t wall = wr_clock_wall_ms(), at, life;

  if (!rn->renewable || rn->gave_up || rn->work != NULL)
    return;
  life = rn->cur->expires_ms - rn->obtained_ms;
  if (rn->failures == 0) {
    at = rn->cur->expires_ms - wr_renew_margin_ms(life > 0 ? life : 0);
  } else if (expired_now(rn, wall)) {
    /* Calls wait meanwhile: a few quick tries, then give up. */
    at = wall + 1000 * (int64_t)(rn->failures_expired > 0
                                     ? rn->failures_expired : 1);
  } else {
    at = wall + backoff_ms(rn->failures);
    /* One try at the expiry itself, before the calls must wait. */
    if (wall < rn->cur->expires_ms && at > rn->cur->expires_ms)
      at = rn->cur->expires_ms;
  }
  if (expired_now(rn, wall) && rn->failures == 0)
    at = wall;
  uv_timer_start(&rn->timer, on_timer, at > wall ? (uint64_t)(at - wall) : 0,
                 0);
}

/* ---- the work ------------------------------------------------------------ */

static void work_run(uv_work_t *req)
{
  struct work *w = req->data;

  w->rc = wr_auth_refresh(w->cfg, &w->probe, &w->out, &w->err);
}

static void record(struct wr_renewer *rn, int64_t wall)
{
  char mask[WR_CREDS_MASK_LEN], at[WR_TIME_RFC3339_LEN],
      exp[WR_TIME_RFC3339_LEN];
  struct wr_err err = {0};
  cJSON *o;

  if (rn->report == NULL || (rn->gate != NULL && !rn->gate(rn->gate_ud)))
    return;
  wr_creds_mask_id(rn->cur->access_key_id, mask);
  wr_time_rfc3339_ms(wall, at);
  wr_time_iso_seconds(rn->cur->expires_ms, exp);
  o = cJSON_CreateObject();
  if (o == NULL || cJSON_AddStringToObject(o, "type", "credentials") == NULL ||
      cJSON_AddStringToObject(o, "event", "renewed") == NULL ||
      cJSON_AddNumberToObject(o, "renewal", rn->renewals) == NULL ||
      cJSON_AddStringToObject(o, "renewed_at", at) == NULL ||
      cJSON_AddStringToObject(o, "step", rn->cur->step) == NULL ||
      cJSON_AddStringToObject(o, "access_key_id", mask) == NULL ||
      cJSON_AddStringToObject(o, "expires_at", exp) == NULL) {
    cJSON_Delete(o);
    wr_warnf("credentials renewed, but out of memory for its record");
    return;
  }
  /* A write error shows again at the run's next record, which stops it. */
  if (wr_journal_write(rn->report, o, wr_clock_now_ms(), &err) < 0)
    wr_warnf("%s", err.msg);
  cJSON_Delete(o);
}

/* The new credentials w->out become the current ones. */
static void take(struct wr_renewer *rn, struct work *w, int64_t wall)
{
  struct wr_creds *slot = rn->cur == &rn->gen[0] ? &rn->gen[1] : &rn->gen[0];
  char mask[WR_CREDS_MASK_LEN], exp[WR_TIME_RFC3339_LEN];
  int tried = rn->failures;

  /* The slot held the generation before the previous one, wiped now: a
   * call signed with it that is still on the way has its own signed copy;
   * its answer is masked with the two newest (no server echoes a secret,
   * the masking is a second line). */
  wr_creds_free(slot);
  *slot = w->out;
  memset(&w->out, 0, sizeof(w->out));
  rn->prev = rn->cur;
  rn->cur = slot;
  rn->generation++;
  rn->renewals++;
  rn->obtained_ms = wall;
  rn->refused = false;
  rn->failures = rn->failures_expired = 0;
  /* A profile now without an expiry (AK mode) needs no more renewal. */
  rn->renewable = wr_auth_renewable(rn->cur);
  wr_creds_mask_id(rn->cur->access_key_id, mask);
  wr_time_iso_seconds(rn->cur->expires_ms, exp);
  if (tried > 0)
    wr_notef("credentials renewed after %d failed attempt(s): step %s, "
             "AccessKey ID %s, expires %s", tried, rn->cur->step, mask,
             rn->cur->expires_ms > 0 ? exp : "never");
  else
    wr_infof("credentials renewed: step %s, AccessKey ID %s, expires %s",
             rn->cur->step, mask, rn->cur->expires_ms > 0 ? exp : "never");
  record(rn, wall);
}

static void work_done(uv_work_t *req, int status)
{
  struct work *w = req->data;
  struct wr_renewer *rn = w->rn;
  char exp[WR_TIME_RFC3339_LEN];
  int64_t wall = wr_clock_wall_ms();

  if (rn == NULL || status == UV_ECANCELED) {
    if (rn != NULL)
      rn->work = NULL;
    wr_creds_free(&w->out);
    free(w);
    return;
  }
  rn->work = NULL;
  if (w->rc == 0 && w->out.expires_ms > 0 && w->out.expires_ms <= wall) {
    w->rc = WR_ECREDS;
    wr_err_set(&w->err, WR_ECREDS, "the new credentials are already "
               "expired (check the clock)");
  }
  if (w->rc == 0) {
    take(rn, w, wall);
    free(w);
    schedule(rn);
    if (rn->cb != NULL)
      rn->cb(rn->ud, true);
    return;
  }
  wr_creds_free(&w->out);
  rn->failures++;
  wr_time_iso_seconds(rn->cur->expires_ms, exp);
  if (!expired_now(rn, wall)) {
    wr_warnf("renewing the credentials failed (%s); the current ones stay "
             "in use until %s; trying again", w->err.msg, exp);
    free(w);
    schedule(rn);
    return;
  }
  if (++rn->failures_expired < WR_RENEW_EXPIRED_TRIES) {
    wr_warnf("renewing the credentials failed (%s); they expired at %s: "
             "calls wait; trying again", w->err.msg, exp);
    free(w);
    schedule(rn);
    return;
  }
  wr_errorf("the temporary credentials expired at %s and could not be "
            "renewed (%s, %d attempts)", exp, w->err.msg, rn->failures);
  free(w);
  rn->gave_up = true;
  if (rn->cb != NULL)
    rn->cb(rn->ud, false);
}

static void renew_now(struct wr_renewer *rn)
{
  struct work *w;

  if (!rn->renewable || rn->gave_up || rn->work != NULL)
    return;
  uv_timer_stop(&rn->timer);
  w = calloc(1, sizeof(*w));
  if (w == NULL) {
    rn->failures++;
    schedule(rn);
    return;
  }
  w->req.data = w;
  w->rn = rn;
  w->cfg = rn->cfg;
  w->probe.step = rn->cur->step;
  w->probe.expires_ms = rn->cur->expires_ms;
  wr_debugf("renewing the credentials (step %s)", rn->cur->step);
  if (uv_queue_work(rn->loop, &w->req, work_run, work_done) != 0) {
    free(w);
    rn->failures++;
    schedule(rn);
    return;
  }
  rn->work = w;
}

static void on_timer(uv_timer_t *h)
{
  renew_now(h->data);
}

/* ---- the interface -------------------------------------------------------- */

int wr_renewer_create(struct uv_loop_s *loop, const struct wr_config *cfg,
                      const struct wr_creds *initial,
                      struct wr_journal *report, struct wr_renewer **out,
                      struct wr_err *err)
{
  struct wr_renewer *rn = calloc(1, sizeof(*rn));

  *out = NULL;
  if (rn == NULL)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  rn->loop = loop;
  rn->cfg = cfg;
  rn->report = report;
  rn->initial = rn->cur = initial;
  rn->renewable = cfg->api == WR_API_ADMIN && wr_auth_renewable(initial);
  /* When they came is not known: now is close (they were fetched just
   * before the run), and an earlier renewal is the safe side. */
  rn->obtained_ms = wr_clock_wall_ms();
  uv_timer_init(loop, &rn->timer);
  rn->timer.data = rn;
  *out = rn;
  return 0;
}

void wr_renewer_listen(struct wr_renewer *rn, wr_renew_cb *cb, void *ud)
{
  rn->cb = cb;
  rn->ud = ud;
}

void wr_renewer_gate(struct wr_renewer *rn, bool (*gate)(void *ud),
                     void *ud)
{
  rn->gate = gate;
  rn->gate_ud = ud;
}

void wr_renewer_start(struct wr_renewer *rn)
{
  if (rn->renewable) {
    char exp[WR_TIME_RFC3339_LEN];
    int64_t life = rn->cur->expires_ms - rn->obtained_ms;

    wr_time_iso_seconds(rn->cur->expires_ms, exp);
    wr_infof("temporary credentials (step %s) expire %s: renewed %lld s "
             "before they expire", rn->cur->step, exp,
             (long long)(wr_renew_margin_ms(life > 0 ? life : 0) / 1000));
  }
  schedule(rn);
}

const struct wr_creds *wr_renewer_creds(const struct wr_renewer *rn)
{
  return rn->cur;
}

const struct wr_creds *wr_renewer_previous(const struct wr_renewer *rn)
{
  return rn->prev;
}

unsigned wr_renewer_generation(const struct wr_renewer *rn)
{
  return rn->generation;
}

unsigned wr_renewer_count(const struct wr_renewer *rn)
{
  return rn->renewals;
}

bool wr_renewer_active(const struct wr_renewer *rn)
{
  return rn->renewable && !rn->gave_up;
}

bool wr_renewer_waiting(struct wr_renewer *rn)
{
  if (!wr_renewer_active(rn) || !expired_now(rn, wr_clock_wall_ms()))
    return false;
  /* Past the expiry by the clock before the timer said so: renew now;
   * after a failed try past it, the timer paces the next. */
  if (rn->failures_expired == 0)
    renew_now(rn);
  return true;
}

void wr_renewer_expired(struct wr_renewer *rn, unsigned gen)
{
  if (!wr_renewer_active(rn) || gen != rn->generation)
    return;
  if (rn->refused)
    return; /* renewing already, or paced by the timer */
  wr_infof("the server refused the credentials as expired: renewing them "
           "now");
  rn->refused = true;
  renew_now(rn);
}

static void on_closed(uv_handle_t *h)
{
  free(h->data);
}

void wr_renewer_destroy(struct wr_renewer **pp)
{
  struct wr_renewer *rn = *pp;

  if (rn == NULL)
    return;
  *pp = NULL;
  if (rn->work != NULL) {
    /* Not started: cancelled; else it ends on the pool and frees
     * itself (the loop runs until it has). */
    rn->work->rn = NULL;
    (void)uv_cancel((uv_req_t *)&rn->work->req);
    rn->work = NULL;
  }
  wr_creds_free(&rn->gen[0]);
  wr_creds_free(&rn->gen[1]);
  uv_close((uv_handle_t *)&rn->timer, on_closed);
}
