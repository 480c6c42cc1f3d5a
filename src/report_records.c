/* report_records: cJSON owns every child added to a parent
 * (cJSON_AddItemTo* transfers ownership), so each builder deletes only
 * the root on failure. */
#include "report_records.h"

#include "clock.h"

#include <stdbool.h>

static bool add_string_or_null(cJSON *o, const char *key, const char *s)
{
  return s != NULL ? cJSON_AddStringToObject(o, key, s) != NULL
                   : cJSON_AddNullToObject(o, key) != NULL;
}

cJSON *wr_record_run(const struct wr_config *cfg, const struct wr_plan *plan,
                     const char *run_id, int64_t started_wall_ms,
                     const char *endpoint)
{
  char when[WR_TIME_RFC3339_LEN];
  cJSON *o = cJSON_CreateObject(), *a, *r, *opts;
  size_t i;

  if (o == NULL)
    return NULL;
  wr_time_rfc3339_ms(started_wall_ms, when);
  if (cJSON_AddStringToObject(o, "type", "run") == NULL ||
      cJSON_AddNumberToObject(o, "report_version", WR_REPORT_VERSION) == NULL ||
      cJSON_AddStringToObject(o, "run_id", run_id) == NULL ||
      cJSON_AddStringToObject(o, "started_at", when) == NULL ||
      cJSON_AddStringToObject(o, "tool_version", WR_VERSION) == NULL ||
      cJSON_AddStringToObject(o, "api", cfg->api == WR_API_CLIENT
                                            ? "client" : "admin") == NULL ||
      cJSON_AddStringToObject(o, "action", WR_ACTION_REBOOT) == NULL ||
      cJSON_AddStringToObject(o, "endpoint", endpoint != NULL
                                                 ? endpoint
                                                 : WR_ENDPOINT_PER_REGION) ==
          NULL ||
      cJSON_AddNumberToObject(o, "rate", cfg->rate) == NULL ||
      cJSON_AddNumberToObject(o, "concurrency", cfg->concurrency) == NULL ||
      cJSON_AddNumberToObject(o, "chunk_size", cfg->chunk_size) == NULL)
    goto fail;
  a = cJSON_AddArrayToObject(o, "inputs");
  if (a == NULL)
    goto fail;
  for (i = 0; i < cfg->ninputs; i++)
    if (!cJSON_AddItemToArray(a, cJSON_CreateString(cfg->inputs[i])))
      goto fail;
  if (cJSON_AddNumberToObject(o, "desktops", (double)plan->ndesktops) == NULL ||
      cJSON_AddNumberToObject(o, "chunks", (double)plan->nchunks) == NULL ||
      cJSON_AddNumberToObject(o, "rejected", (double)plan->nrejected) == NULL ||
      cJSON_AddNumberToObject(o, "duplicates", (double)plan->nduplicates) ==
          NULL ||
      cJSON_AddNumberToObject(o, "waves", plan->nwaves) == NULL)
    goto fail;
  a = cJSON_AddArrayToObject(o, "regions");
  if (a == NULL)
    goto fail;
  for (i = 0; i < plan->nregions; i++) {
    r = cJSON_CreateObject();
    if (!cJSON_AddItemToArray(a, r) ||
        cJSON_AddStringToObject(r, "region", plan->regions[i].region) == NULL ||
        cJSON_AddNumberToObject(r, "desktops",
                                (double)plan->regions[i].desktops) == NULL)
      goto fail;
  }
  opts = wr_config_to_json(cfg);
  if (opts == NULL || !cJSON_AddItemToObject(o, "options", opts)) {
    cJSON_Delete(opts);
    goto fail;
  }
  return o;
fail:
  cJSON_Delete(o);
  return NULL;
}

cJSON *wr_record_rejected(const struct wr_rejected *r)
{
  cJSON *o = cJSON_CreateObject();

  if (o == NULL)
    return NULL;
  if (cJSON_AddStringToObject(o, "type", "rejected") == NULL ||
      cJSON_AddStringToObject(o, "source", r->source) == NULL ||
      cJSON_AddNumberToObject(o, "line", (double)r->line) == NULL ||
      cJSON_AddStringToObject(o, "value", r->value) == NULL ||
      cJSON_AddStringToObject(o, "reason", r->reason) == NULL) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

cJSON *wr_record_plan(const struct wr_chunk *c)
{
  cJSON *o = cJSON_CreateObject(), *ids;

  if (o == NULL)
    return NULL;
  if (cJSON_AddStringToObject(o, "type", "plan") == NULL ||
      cJSON_AddStringToObject(o, "chunk", c->id) == NULL ||
      cJSON_AddNumberToObject(o, "wave", c->wave) == NULL ||
      cJSON_AddStringToObject(o, "region", c->region) == NULL)
    goto fail;
  ids = cJSON_CreateStringArray(c->ids, (int)c->nids);
  if (ids == NULL || !cJSON_AddItemToObject(o, "desktop_ids", ids)) {
    cJSON_Delete(ids);
    goto fail;
  }
  if (!add_string_or_null(o, "client_token",
                          c->client_token[0] != '\0' ? c->client_token : NULL))
    goto fail;
  return o;
fail:
  cJSON_Delete(o);
  return NULL;
}
