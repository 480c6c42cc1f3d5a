/* config: the options struct's own functions, which every room may call:
 * free it, and print it as the report's run.options.  Parsing is in
 * options/ (config_load.h). */
#include "config.h"

#include "clock.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void wr_config_list_free(char ***list, size_t *n)
{
  size_t i;

  for (i = 0; i < *n; i++)
    free((*list)[i]);
  free(*list);
  *list = NULL;
  *n = 0;
}

const char *wr_config_notify_format_name(enum wr_notify_format f)
{
  return f == WR_NOTIFY_DINGTALK ? "dingtalk"
         : f == WR_NOTIFY_SLACK  ? "slack"
                                 : "json";
}

void wr_config_free(struct wr_config *cfg)
{
  size_t i;

  for (i = 0; i < cfg->ninputs; i++)
    free(cfg->inputs[i]);
  free(cfg->inputs);
  free(cfg->job_file);
  free(cfg->region);
  free(cfg->only_regions);
  free(cfg->column);
  free(cfg->endpoint);
  free(cfg->profile);
  free(cfg->ca_bundle);
  free(cfg->client_id);
  free(cfg->client_os);
  free(cfg->client_version);
  free(cfg->deadline);
  free(cfg->report_path);
  free(cfg->report_format);
  free(cfg->output);
  wr_config_list_free(&cfg->notify, &cfg->nnotify);
  wr_config_list_free(&cfg->keep_columns, &cfg->nkeep_columns);
  wr_config_list_free(&cfg->selects, &cfg->nselects);
  for (i = 0; i < cfg->ngiven; i++)
    free(cfg->given[i].value);
  free(cfg->given);
  memset(cfg, 0, sizeof(*cfg));
}

static bool add_str(cJSON *o, const char *key, const char *v)
{
  return v != NULL ? cJSON_AddStringToObject(o, key, v) != NULL
                   : cJSON_AddNullToObject(o, key) != NULL;
}

void *wr_config_to_json(const struct wr_config *cfg)
{
  static const char *const fmt[] = {"auto", "csv", "jsonl"};
  static const char *const progress[] = {"auto", "always", "never"};
  char buf[WR_TIME_RFC3339_LEN];
  cJSON *o = cJSON_CreateObject();
  bool ok;

  if (o == NULL)
    return NULL;
  ok = add_str(o, "region", cfg->region) &&
       add_str(o, "only-region", cfg->only_regions) &&
       cJSON_AddBoolToObject(o, "all-regions", cfg->all_regions) &&
       add_str(o, "column", cfg->column) &&
       add_str(o, "format", fmt[cfg->format]) &&
       cJSON_AddBoolToObject(o, "strict", cfg->strict) &&
       cJSON_AddNumberToObject(o, "chunk-size", cfg->chunk_size) &&
       cJSON_AddNumberToObject(o, "canary", (double)cfg->canary) &&
       cJSON_AddNumberToObject(o, "wave-size", (double)cfg->wave_size) &&
       add_str(o, "api", cfg->api == WR_API_CLIENT ? "client" : "admin") &&
       add_str(o, "signature", cfg->signature == WR_SIG_V1 ? "v1" : "v3") &&
       add_str(o, "endpoint", cfg->endpoint) &&
       cJSON_AddBoolToObject(o, "insecure", cfg->insecure) &&
       add_str(o, "profile", cfg->profile) &&
       add_str(o, "client-id", cfg->client_id) &&
       add_str(o, "client-os", cfg->client_os) &&
       add_str(o, "client-version", cfg->client_version) &&
       cJSON_AddNumberToObject(o, "rate", cfg->rate) &&
       cJSON_AddNumberToObject(o, "concurrency", cfg->concurrency) &&
       cJSON_AddNumberToObject(o, "timeout", cfg->timeout_s) &&
       cJSON_AddNumberToObject(o, "retries", cfg->retries);
  if (ok && cfg->ca_bundle != NULL) /* older reports have no such key */
    ok = add_str(o, "ca-bundle", cfg->ca_bundle);
  /* Only when set: older reports have no such keys, and plan --json
   * stays as it was.  The --notify URLs themselves never: a webhook URL
   * holds its token (a resume is given them again). */
  if (ok && cfg->nkeep_columns > 0) {
    cJSON *a = cJSON_AddArrayToObject(o, "keep-columns");
    size_t i;

    ok = a != NULL;
    for (i = 0; ok && i < cfg->nkeep_columns; i++)
      ok = cJSON_AddItemToArray(a, cJSON_CreateString(cfg->keep_columns[i]));
  }
  if (ok && cfg->nnotify > 0)
    ok = add_str(o, "notify-format",
                 wr_config_notify_format_name(cfg->notify_format));
  if (ok && cfg->nselects > 0) { /* nor these */
    cJSON *a = cJSON_AddArrayToObject(o, "select");
    size_t i;

    ok = a != NULL;
    for (i = 0; ok && i < cfg->nselects; i++) {
      cJSON *s = cJSON_CreateString(cfg->selects[i]);

      ok = s != NULL && cJSON_AddItemToArray(a, s);
    }
  }
  if (ok && cfg->allow_empty)
    ok = cJSON_AddBoolToObject(o, "allow-empty", true) != NULL;
  if (ok && cfg->max_errors_pct >= 0) {
    snprintf(buf, sizeof(buf), "%g%%", cfg->max_errors_pct);
    ok = add_str(o, "max-errors", buf);
  } else if (ok) {
    ok = cfg->max_errors >= 0
             ? cJSON_AddNumberToObject(o, "max-errors",
                                       (double)cfg->max_errors) != NULL
             : cJSON_AddNullToObject(o, "max-errors") != NULL;
  }
  if (cfg->verify_timeout_ms % 1000 == 0)
    snprintf(buf, sizeof(buf), "%llds",
             (long long)(cfg->verify_timeout_ms / 1000));
  else
    snprintf(buf, sizeof(buf), "%lldms", (long long)cfg->verify_timeout_ms);
  ok = ok && cJSON_AddBoolToObject(o, "verify", cfg->verify) &&
       cJSON_AddBoolToObject(o, "no-preflight", cfg->no_preflight) &&
       cJSON_AddBoolToObject(o, "skip-connected", cfg->skip_connected) &&
       add_str(o, "verify-timeout", buf);
  /* resume only: in its session record, never in run.options */
  if (ok && cfg->retry_failed)
    ok = cJSON_AddBoolToObject(o, "retry-failed", true) != NULL;
  /* the resolved deadline: "+30m" must not move when a run is resumed */
  if (cfg->deadline != NULL)
    wr_time_rfc3339_ms(cfg->deadline_wall_ms, buf);
  ok = ok && add_str(o, "deadline", cfg->deadline != NULL ? buf : NULL) &&
       add_str(o, "report", cfg->report_path) &&
       add_str(o, "progress", progress[cfg->progress]);
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

void wr_config_set_origin(struct wr_config *cfg, const char *name,
                          enum wr_opt_origin origin)
{
  size_t i;

  for (i = 0; i < cfg->norigins; i++)
    if (strcmp(cfg->origins[i].name, name) == 0) {
      cfg->origins[i].origin = origin;
      return;
    }
  if (cfg->norigins < WR_CONFIG_ORIGINS) {
    cfg->origins[cfg->norigins].name = name;
    cfg->origins[cfg->norigins++].origin = origin;
  }
}

const char *wr_config_origin_name(enum wr_opt_origin o)
{
  switch (o) {
  case WR_ORIGIN_CLI: return "command line";
  case WR_ORIGIN_JOB: return "job file";
  case WR_ORIGIN_REPORT: return "run";
  case WR_ORIGIN_RESUME: return "resume override";
  default: return "default";
  }
}

void *wr_config_origins_to_json(const struct wr_config *cfg)
{
  cJSON *opts = wr_config_to_json(cfg), *o = cJSON_CreateObject(), *it;
  enum wr_opt_origin origin;
  size_t i;

  if (opts == NULL || o == NULL)
    goto fail;
  cJSON_ArrayForEach(it, opts) {
    origin = WR_ORIGIN_DEFAULT;
    for (i = 0; i < cfg->norigins; i++)
      if (strcmp(cfg->origins[i].name, it->string) == 0)
        origin = cfg->origins[i].origin;
    if (cJSON_AddStringToObject(o, it->string,
                                wr_config_origin_name(origin)) == NULL)
      goto fail;
  }
  cJSON_Delete(opts);
  return o;
fail:
  cJSON_Delete(opts);
  cJSON_Delete(o);
  return NULL;
}
