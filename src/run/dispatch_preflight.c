/* The pre-flight of each wave (see preflight.h): before a wave's first
 * call its desktops are checked; a plan chunk with desktops not to send
 * is split by verdict ("<id>.1", ...), the part to send replaces the
 * chunk in the plan (struct pf_chunk, d->over), the others end at once,
 * excluded or failed. */
#include "dispatch_int.h"

#include "clock.h"
#include "log.h"
#include "preflight.h"

#include <stdlib.h>
#include <string.h>

/* ---- pre-flight: its io and its end ------------------------------------ */

void dsp_on_preflight_record(void *ud, const cJSON *rec)
{
  struct wr_dispatch *d = ud;

  d->pf_calls++;
  dsp_write_record(d, rec);
}

/* Before the first call of a wave: check its desktops.  true while the
 * check runs (pump waits). */
bool dsp_preflight_wave(struct wr_dispatch *d)
{
  size_t i, k;
  int rc = 0;

  if (d->pf == NULL || d->pf_wave == d->cur_wave || !dsp_plan_ready(d))
    return false;
  d->pf_wave = d->cur_wave;
  wr_preflight_reset(d->pf);
  for (i = d->next_chunk; rc == 0 && i < d->plan->nchunks &&
       d->plan->chunks[i].wave == d->cur_wave; i++)
    for (k = 0; rc == 0 && k < d->plan->chunks[i].nids; k++)
      rc = wr_preflight_add(d->pf, d->plan->chunks[i].ids[k],
                            d->plan->chunks[i].region);
  if (rc < 0) {
    struct wr_err err;

    wr_err_set(&err, WR_ENOMEM, "out of memory");
    dsp_fatal(d, "out of memory", &err);
    return false;
  }
  d->preflighting = wr_preflight_start(d->pf, d->cur_wave) == 1;
  if (d->preflighting)
    dsp_show_phase(d, WR_PHASE_PREFLIGHT);
  return d->preflighting;
}

/* A part of plan chunk c that is not sent, as a task ended at once:
 * excluded (note: the reason) or failed (code, message). */
static void pf_final(struct wr_dispatch *d, const struct wr_chunk *c,
                     const char *id, const char **ids, size_t n,
                     const char *status, const char *note, const char *code,
                     const char *message)
{
  struct task *t = wr_task_new(&d->q, d, id, c->region, ids, n,
                               c->client_token, c->wave);

  if (t == NULL) {
    struct wr_err err;

    wr_err_set(&err, WR_ENOMEM, "out of memory");
    dsp_fatal(d, "out of memory", &err);
    return;
  }
  t->code = code != NULL ? strdup(code) : NULL;
  t->message = message != NULL ? strdup(message) : NULL;
  dsp_task_final(d, t, status, note);
}

/* Keep block (the IDs of a part) until the dispatch goes. */
static int pf_keep(struct wr_dispatch *d, const char **block)
{
  const char ***v = realloc(d->pf_blocks, (d->npf_blocks + 1) * sizeof(*v));

  if (v == NULL)
    return WR_ENOMEM;
  d->pf_blocks = v;
  v[d->npf_blocks++] = block;
  return 0;
}

/* The part a desktop with verdict v (and reason why) goes to among the
 * nparts found so far: one part a verdict, and for EXCLUDED one a
 * reason; nparts when it needs a new one. */
static size_t pf_part_of(const enum wr_pf_verdict *kind,
                         const char *const *reasons, size_t nparts,
                         enum wr_pf_verdict v, const char *why)
{
  size_t p;

  for (p = 0; p < nparts; p++)
    if (kind[p] == v && (v != WR_PF_EXCLUDED || strcmp(reasons[p], why) == 0))
      break;
  return p;
}

/* Plan chunk ci, whose desktops are verdicts [at, at + nids): its parts,
 * when not every desktop is to be sent.  0, or WR_ENOMEM. */
static int pf_partition(struct wr_dispatch *d, size_t ci, size_t at)
{
  const struct wr_chunk *c = &d->plan->chunks[ci];
  struct wr_split_part into[WR_EXCLUDE_REASONS + 3];
  const char *why, *reasons[WR_EXCLUDE_REASONS + 3];
  char pid[WR_EXCLUDE_REASONS + 3][WR_CHUNK_ID_LEN];
  enum wr_pf_verdict kind[WR_EXCLUDE_REASONS + 3], v;
  struct wr_chunk_outcome o;
  const char **block;
  size_t nparts = 0, i, p, off;
  cJSON *rec;
  int n;

  for (i = 0; i < c->nids; i++)
    if (wr_preflight_verdict(d->pf, at + i, &why) != WR_PF_SEND)
      break;
  if (i == c->nids)
    return 0;
  /* The parts, numbered like split parts ("17.1", "17.2", ...) in the
   * order their first desktop comes. */
  memset(into, 0, sizeof(into));
  for (i = 0; i < c->nids; i++) {
    v = wr_preflight_verdict(d->pf, at + i, &why);
    if (why == NULL)
      why = "";
    p = pf_part_of(kind, reasons, nparts, v, why);
    if (p == nparts) {
      /* More distinct reasons than DesktopStatus has values: stop rather
       * than send a desktop with the wrong part. */
      if (nparts == sizeof(into) / sizeof(into[0]))
        return WR_EINVAL;
      else {
        kind[p] = v;
        reasons[p] = why;
        n = snprintf(pid[p], sizeof(pid[p]), "%s.%zu", c->id, p + 1);
        if (n < 0 || (size_t)n >= sizeof(pid[p]))
          return WR_EINVAL; /* plan IDs are short: never in practice */
        into[p].chunk_id = pid[p];
        nparts++;
      }
    }
    into[p].nids++;
  }
  block = malloc(c->nids * sizeof(*block));
  if (block == NULL || pf_keep(d, block) < 0) {
    free(block);
    return WR_ENOMEM;
  }
  for (p = 0, off = 0; p < nparts; p++) {
    into[p].ids = block + off;
    off += into[p].nids;
    into[p].nids = 0;
  }
  for (i = 0; i < c->nids; i++) {
    v = wr_preflight_verdict(d->pf, at + i, &why);
    if (why == NULL)
      why = "";
    p = pf_part_of(kind, reasons, nparts, v, why);
    if (p == nparts)
      return WR_EINVAL; /* the first pass made a part for every verdict */
    ((const char **)into[p].ids)[into[p].nids++] = c->ids[i];
  }
  /* The split record first: the parts' records follow it. */
  memset(&o, 0, sizeof(o));
  o.chunk_id = c->id;
  o.region = c->region;
  o.ids = (const char *const *)c->ids;
  o.nids = c->nids;
  o.status = "split";
  o.finished_wall_ms = wr_clock_wall_ms();
  o.latency_ms = -1;
  o.into = into;
  o.ninto = nparts;
  rec = wr_record_chunk(&o);
  if (rec != NULL && cJSON_AddStringToObject(rec, "by", "preflight") == NULL) {
    cJSON_Delete(rec);
    rec = NULL;
  }
  dsp_write_record(d, rec);
  cJSON_Delete(rec);
  d->pf_parts += nparts - 1;
  d->over[ci].set = true;
  for (p = 0; p < nparts; p++) {
    const char **ids = (const char **)into[p].ids;

    switch (kind[p]) {
    case WR_PF_SEND:
      snprintf(d->over[ci].id, sizeof(d->over[ci].id), "%s", pid[p]);
      d->over[ci].ids = ids;
      d->over[ci].nids = into[p].nids;
      break;
    case WR_PF_EXCLUDED:
      pf_final(d, c, pid[p], ids, into[p].nids, "excluded", reasons[p], NULL,
               NULL);
      break;
    case WR_PF_NOT_FOUND:
      pf_final(d, c, pid[p], ids, into[p].nids, "failed", NULL,
               "InvalidDesktopId.NotFound", "pre-flight: DescribeDesktops "
               "does not know these desktops; not rebooted");
      break;
    default:
      pf_final(d, c, pid[p], ids, into[p].nids, "failed", NULL, reasons[p],
               "pre-flight could not check the state of these desktops "
               "(DescribeDesktops failed); not rebooted");
      break;
    }
  }
  return 0;
}

/* The wave's desktops have their verdicts: the plan chunks become what
 * is to be sent, the rest is recorded; then on with the wave. */
void dsp_on_preflight_done(void *ud)
{
  struct wr_dispatch *d = ud;
  size_t i, at = 0, before = d->sum.excluded_desktops;

  d->preflighting = false;
  if (d->over == NULL)
    d->over = calloc(d->plan->nchunks, sizeof(*d->over));
  if (d->over == NULL) {
    struct wr_err err;

    wr_err_set(&err, WR_ENOMEM, "out of memory");
    dsp_fatal(d, "out of memory", &err);
    dsp_pump(d);
    return;
  }
  for (i = d->next_chunk; i < d->plan->nchunks &&
       d->plan->chunks[i].wave == d->cur_wave; i++) {
    int rc = pf_partition(d, i, at);

    if (rc < 0) {
      struct wr_err err;

      wr_err_set(&err, rc, rc == WR_ENOMEM ? "out of memory"
                 : "pre-flight: a chunk ID too long or too many states");
      dsp_fatal(d, "out of memory", &err);
      break;
    }
    at += d->plan->chunks[i].nids;
  }
  if (d->sum.excluded_desktops > before)
    wr_notef("pre-flight: wave %d: %zu desktop(s) excluded (not Running%s)",
             d->cur_wave, d->sum.excluded_desktops - before,
             d->o.skip_connected ? " or a user connected" : "");
  dsp_pump(d);
}
