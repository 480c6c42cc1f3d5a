#include "sim_stats.h"

#include "clock.h"
#include "err.h"

#include <cjson/cJSON.h>
#include <string.h>

void wr_sim_stats_init(struct wr_sim_stats *st)
{
  int i;

  memset(st, 0, sizeof(*st));
  wr_sim_window_init(&st->win_all);
  for (i = 0; i < WR_SIM_ACTION_COUNT; i++)
    wr_sim_window_init(&st->win[i]);
}

void wr_sim_stats_free(struct wr_sim_stats *st)
{
  int i;

  wr_sim_window_free(&st->win_all);
  for (i = 0; i < WR_SIM_ACTION_COUNT; i++)
    wr_sim_window_free(&st->win[i]);
}

int wr_sim_stats_arrival(struct wr_sim_stats *st, int action, int64_t now_ms)
{
  size_t n;

  st->calls_total++;
  if (wr_sim_window_add(&st->win_all, now_ms, &n) < 0)
    return WR_ENOMEM;
  if (n > st->max_all)
    st->max_all = n;
  if (wr_sim_window_add(&st->win[action], now_ms, &n) < 0)
    return WR_ENOMEM;
  if (n > st->max[action])
    st->max[action] = n;
  return 0;
}

void wr_sim_stats_outcome(struct wr_sim_stats *st, int action, int outcome,
                          int violation)
{
  st->calls[action][outcome]++;
  if (violation >= 0 && violation < WR_SIM_V_COUNT)
    st->violations[violation]++;
}

static int add_num(cJSON *o, const char *k, double v)
{
  return cJSON_AddNumberToObject(o, k, v) ? 0 : WR_ENOMEM;
}

static cJSON *calls_json(const struct wr_sim_stats *st)
{
  cJSON *calls = cJSON_CreateObject();
  int a, o;

  if (calls == NULL)
    return NULL;
  for (a = 0; a < WR_SIM_ACTION_COUNT; a++) {
    cJSON *one;
    uint64_t sum = 0;

    for (o = 0; o < WR_SIM_OUTCOME_COUNT; o++)
      sum += st->calls[a][o];
    if (a == WR_SIM_OTHER_ACTION && sum == 0)
      continue;
    one = cJSON_AddObjectToObject(calls, wr_sim_action_name(a));
    if (one == NULL)
      goto fail;
    for (o = 0; o < WR_SIM_OUTCOME_COUNT; o++)
      if (add_num(one, wr_sim_outcome_name(o), (double)st->calls[a][o]) < 0)
        goto fail;
  }
  return calls;
fail:
  cJSON_Delete(calls);
  return NULL;
}

char *wr_sim_stats_json(const struct wr_sim_stats *st,
                        const struct wr_sim_fleet *fleet)
{
  cJSON *root = cJSON_CreateObject(), *calls, *reboots, *byact, *viol;
  uint64_t total = 0, vtotal = 0;
  size_t i, rebooted = 0, maxr = 0;
  char *out = NULL;
  int a, v;

  if (root == NULL)
    return NULL;
  if (add_num(root, "calls_total", (double)st->calls_total) < 0)
    goto out;
  calls = calls_json(st);
  if (calls == NULL)
    goto out;
  cJSON_AddItemToObject(root, "calls", calls);
  reboots = cJSON_CreateObject();
  if (reboots == NULL)
    goto out;
  for (i = 0; i < fleet->n; i++) {
    const struct wr_sim_desktop *d = &fleet->v[i];

    if (d->reboots == 0)
      continue;
    total += d->reboots;
    rebooted++;
    if (d->reboots > maxr)
      maxr = d->reboots;
    if (add_num(reboots, d->id, d->reboots) < 0) {
      cJSON_Delete(reboots);
      goto out;
    }
  }
  if (add_num(root, "reboots_total", (double)total) < 0 ||
      add_num(root, "desktops_rebooted", (double)rebooted) < 0 ||
      add_num(root, "max_reboots_per_desktop", (double)maxr) < 0) {
    cJSON_Delete(reboots);
    goto out;
  }
  cJSON_AddItemToObject(root, "reboots", reboots);
  if (add_num(root, "max_calls_per_second", (double)st->max_all) < 0)
    goto out;
  byact = cJSON_AddObjectToObject(root, "max_calls_per_second_by_action");
  if (byact == NULL)
    goto out;
  for (a = 0; a < WR_SIM_ACTION_COUNT; a++)
    if ((a != WR_SIM_OTHER_ACTION || st->max[a] > 0) &&
        add_num(byact, wr_sim_action_name(a), (double)st->max[a]) < 0)
      goto out;
  for (v = 0; v < WR_SIM_V_COUNT; v++)
    vtotal += st->violations[v];
  if (add_num(root, "violations_total", (double)vtotal) < 0)
    goto out;
  viol = cJSON_AddObjectToObject(root, "violations");
  if (viol == NULL)
    goto out;
  for (v = 0; v < WR_SIM_V_COUNT; v++)
    if (add_num(viol, wr_sim_violation_name(v), (double)st->violations[v]) < 0)
      goto out;
  out = cJSON_PrintUnformatted(root);
out:
  cJSON_Delete(root);
  return out;
}

static cJSON *str_or_null(const char *s)
{
  return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

int wr_sim_log_write(FILE *fp, const struct wr_sim_log_entry *e)
{
  cJSON *o = cJSON_CreateObject(), *ids;
  char when[WR_TIME_RFC3339_LEN];
  char *line = NULL;
  size_t i;
  int rc = WR_ENOMEM;

  if (o == NULL)
    return WR_ENOMEM;
  wr_time_rfc3339_ms(e->wall_ms, when);
  if (!cJSON_AddStringToObject(o, "time", when) ||
      !cJSON_AddStringToObject(o, "action", e->action ? e->action : "") ||
      !cJSON_AddStringToObject(o, "auth", wr_sim_auth_name(e->auth)))
    goto out;
  cJSON_AddItemToObject(o, "region", str_or_null(e->region));
  ids = cJSON_AddArrayToObject(o, "desktop_ids");
  if (ids == NULL)
    goto out;
  for (i = 0; i < e->nids; i++)
    cJSON_AddItemToArray(ids, cJSON_CreateString(e->ids[i]));
  cJSON_AddItemToObject(o, "client_token", str_or_null(e->client_token));
  if (!cJSON_AddStringToObject(o, "outcome", wr_sim_outcome_name(e->outcome))
      || !cJSON_AddNumberToObject(o, "http_status", e->status))
    goto out;
  cJSON_AddItemToObject(o, "code", str_or_null(e->code));
  if (!cJSON_AddStringToObject(o, "request_id", e->request_id))
    goto out;
  line = cJSON_PrintUnformatted(o);
  if (line == NULL)
    goto out;
  rc = 0;
  if (fputs(line, fp) == EOF || fputc('\n', fp) == EOF || fflush(fp) != 0)
    rc = WR_EIO;
out:
  cJSON_free(line);
  cJSON_Delete(o);
  return rc;
}
