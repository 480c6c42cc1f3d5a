/* report_records: cJSON owns every child added to a parent
 * (cJSON_AddItemTo* transfers ownership), so each builder deletes only
 * the root on failure. */
#include "report_records.h"

#include "clock.h"

#include <stdbool.h>

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

/* Add v under the literal key name ("CS": not copied); v is deleted if
 * it cannot be added. */
static bool put(cJSON *o, const char *name, cJSON *v)
{
  if (v == NULL)
    return false;
  if (!cJSON_AddItemToObjectCS(o, name, v)) {
    cJSON_Delete(v);
    return false;
  }
  return true;
}

static bool put_ref_or_null(cJSON *o, const char *name, const char *s)
{
  return put(o, name, s != NULL ? cJSON_CreateStringReference(s)
                                : cJSON_CreateNull());
}

/* A run writes one per chunk before its first call, so, like the chunk
 * records (report.c), it copies nothing: literal keys, and references to
 * the chunk's strings, which the plan keeps. */
cJSON *wr_record_plan(const struct wr_chunk *c)
{
  cJSON *o = cJSON_CreateObject(), *ids;
  size_t i;

  if (o == NULL)
    return NULL;
  if (!put_ref_or_null(o, "type", "plan") ||
      !put_ref_or_null(o, "chunk", c->id) ||
      !put(o, "wave", cJSON_CreateNumber(c->wave)) ||
      !put_ref_or_null(o, "region", c->region))
    goto fail;
  ids = cJSON_CreateArray();
  if (!put(o, "desktop_ids", ids))
    goto fail;
  for (i = 0; i < c->nids; i++) {
    cJSON *id = cJSON_CreateStringReference(c->ids[i]);

    if (id == NULL || !cJSON_AddItemToArray(ids, id)) {
      cJSON_Delete(id);
      goto fail;
    }
  }
  if (!put_ref_or_null(o, "client_token",
                       c->client_token[0] != '\0' ? c->client_token : NULL))
    goto fail;
  return o;
fail:
  cJSON_Delete(o);
  return NULL;
}
