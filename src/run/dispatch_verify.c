/* The --verify glue of the run loop (see verify.h): a wave's check and
 * its end, the earlier sessions' unverified desktops on resume, the
 * counts at the end of the run, and the rate interface the describe
 * calls of --verify and pre-flight share with the reboots. */
#include "dispatch_int.h"

#include "log.h"
#include "verify.h"

/* ---- --verify: its io and its end ------------------------------------- */

/* A check's records (an array; NULL: out of memory building them), each
 * written, then freed. */
static void verify_write(struct wr_dispatch *d, cJSON *recs)
{
  const cJSON *r;

  if (recs == NULL)
    dsp_write_record(d, NULL);
  cJSON_ArrayForEach(r, recs) {
    dsp_write_record(d, r);
  }
  cJSON_Delete(recs);
}

/* The wave's check ended: its record, then on with the next wave. */
void dsp_on_verified(void *ud, cJSON *rec, size_t running,
                     size_t not_running)
{
  struct wr_dispatch *d = ud;

  verify_write(d, rec);
  d->verify_running += running;
  d->verify_failed += not_running;
  d->verifying = false;
  if (wr_stop_stopping(&d->stop) || dsp_next_wave(d))
    dsp_pump(d);
}

/* Describe calls draw on the run's rate budget: --rate holds across
 * reboots and describes. */
bool dsp_verify_may_call(void *ud, int64_t now, int64_t *wait_ms)
{
  struct wr_dispatch *d = ud;

  if (wr_ratelimit_avail(&d->rl, now) == 0) {
    *wait_ms = wr_ratelimit_wait_ms(&d->rl, now);
    return false;
  }
  wr_ratelimit_drain(&d->rl, 1, now);
  return true;
}

/* A describe answer (pre-flight or verify).  A throttle slows the run's
 * calls down, but an accepted describe is not fed to the limiter's quota
 * estimate: the service counts its quota per action, and describes counted
 * as accepted reboots would make the estimate too high (the rate would then
 * sit above the RebootDesktops quota).  An answer about the caller stops
 * the run as a reboot's does (task_auth); the desktops of a wave whose
 * pre-flight it ends were never sent, so they end skipped and resume sends
 * them. */
void dsp_verify_answered(void *ud, int64_t now,
                         const struct wr_api_result *r)
{
  struct wr_dispatch *d = ud;

  if (r->outcome == WR_OUTCOME_THROTTLED)
    wr_ratelimit_throttled(&d->rl, now, r->retry_after_ms);
  /* As a reboot's: expired for good is its own stop (complete()). */
  if (wr_api_code_token_expired(r->code)) {
    dsp_expired(d, r->code);
    dsp_pump(d);
    return;
  }
  if (!r->fatal_auth || !wr_stop_credentials(&d->stop, r->code, r->message))
    return;
  dsp_auth_stopped(d, "DescribeDesktops");
  dsp_pump(d);
}

/* --verify: the desktops whose check the stop cut short get a record
 * naming them not verified; then the whole run's three counts, which add
 * up to its ok desktops. */
void dsp_verify_cut(struct wr_dispatch *d, const char *reason)
{
  size_t running = 0, nv = 0, judged;
  cJSON *rec;

  if (d->verify == NULL)
    return;
  rec = wr_verify_cut(d->verify, d->cur_wave, reason, &running, &nv);
  if (rec != NULL || nv > 0)
    verify_write(d, rec);
  d->verify_running += running;
  d->sum.verify = true;
  d->sum.verify_running += d->verify_running;
  d->sum.verify_not_running += d->verify_failed;
  judged = d->sum.verify_running + d->sum.verify_not_running;
  d->sum.verify_not_verified = d->sum.ok_desktops > judged
                               ? d->sum.ok_desktops - judged : 0;
}

void wr_dispatch_verify_earlier(struct wr_dispatch *d,
                                const struct wr_dispatch_earlier *e)
{
  d->earlier = *e;
}

/* resume --verify: first check the ok desktops an earlier session left
 * unverified (Running at the first look is back); then the plan's waves.
 * true while that check runs. */
bool dsp_verify_earlier(struct wr_dispatch *d)
{
  size_t i;

  if (d->verify == NULL || d->earlier.n == 0)
    return false;
  for (i = 0; i < d->earlier.n; i++)
    if (wr_verify_add(d->verify, d->earlier.ids[i], d->earlier.regions[i],
                      WR_VERIFY_LONG_AGO) < 0) {
      wr_warnf("--verify: out of memory; %s will not be checked",
               d->earlier.ids[i]);
      break;
    }
  wr_notef("verify: %zu desktop(s) rebooted by an earlier session were "
           "never verified; checking them first", d->earlier.n);
  d->verifying = wr_verify_start_wave(d->verify, d->earlier.wave) == 1;
  return d->verifying;
}
