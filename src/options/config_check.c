/* config_check: the checks that involve several options or the outside
 * world (the endpoint policy, the clock), run once every source is
 * applied. */
#include "config_load.h"

#include "cli.h"
#include "clock.h"
#include "config_int.h"
#include "endpoint.h"
#include "log.h"
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* endpoint.h holds the policy, the same for every command and for the
 * requests.  The normal form it gives ("HTTP://127.1:8080/" is
 * "http://127.0.0.1:8080") replaces the value, so that the report, the
 * job a resume reads and the requests all show what is connected to. */
/* --only-region R1,R2: region names, none twice; --all-regions says the
 * opposite. */
static int check_only_regions(const struct wr_config *cfg, struct wr_err *err)
{
  const char *p = cfg->only_regions, *end, *q;
  size_t len;

  if (cfg->all_regions)
    return wr_err_set(err, WR_EUSAGE, "--only-region and --all-regions "
                      "cannot be combined: give one");
  for (;;) {
    end = strchr(p, ',');
    len = end != NULL ? (size_t)(end - p) : strlen(p);
    if (!wr_region_valid(p, len))
      return wr_err_set(err, WR_EUSAGE, "--only-region: \"%.*s\" is not a "
                        "region name (expected e.g. cn-hangzhou,cn-shanghai)",
                        (int)(len > 64 ? 64 : len), p);
    for (q = cfg->only_regions; q < p; q += strcspn(q, ",") + 1)
      if (strcspn(q, ",") == len && memcmp(q, p, len) == 0)
        return wr_err_set(err, WR_EUSAGE, "--only-region: %.*s is given "
                          "twice", (int)len, p);
    if (end == NULL)
      return 0;
    p = end + 1;
  }
}

static int check_endpoint(struct wr_config *cfg, struct wr_err *err)
{
  struct wr_endpoint ep;
  char *base;
  int rc;

  if ((rc = wr_endpoint_parse(cfg->endpoint, cfg->insecure, &ep, err)) < 0)
    return rc;
  if (strcmp(ep.base, cfg->endpoint) == 0)
    return 0;
  if ((base = strdup(ep.base)) == NULL)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  free(cfg->endpoint);
  cfg->endpoint = base;
  return 0;
}

/* Each --notify URL by the endpoint policy (never --insecure: a
 * notification is not worth plain http off this host), kept in the
 * normal form that is then sent. */
static int check_notify(struct wr_config *cfg, struct wr_err *err)
{
  struct wr_endpoint ep;
  const char *rest;
  char *url;
  size_t i, n;
  int rc;

  for (i = 0; i < cfg->nnotify; i++) {
    rc = wr_endpoint_parse_webhook("--notify", cfg->notify[i], &ep, &rest,
                                   err);
    if (rc < 0)
      return rc;
    n = strlen(ep.base) + strlen(rest) + 1;
    if ((url = malloc(n)) == NULL)
      return wr_err_set(err, WR_ENOMEM, "out of memory");
    snprintf(url, n, "%s%s", ep.base, rest);
    free(cfg->notify[i]);
    cfg->notify[i] = url;
  }
  return 0;
}

static int resolve_deadline(struct wr_config *cfg, struct wr_err *err)
{
  int64_t ms;

  if (cfg->deadline[0] == '+') {
    if (wr_config_parse_duration(cfg->deadline + 1, &ms) < 0 || ms <= 0)
      return wr_err_set(err, WR_EUSAGE, "--deadline: \"%s\" is not +DURATION "
                        "(e.g. +30m)", cfg->deadline);
    cfg->deadline_wall_ms = wr_clock_wall_ms() + ms;
  } else if (wr_time_parse_rfc3339(cfg->deadline, &cfg->deadline_wall_ms) < 0) {
    return wr_err_set(err, WR_EUSAGE, "--deadline: \"%s\" is neither an RFC "
                      "3339 time (2026-11-29T22:00:00Z) nor +DURATION",
                      cfg->deadline);
  }
  if (cfg->deadline_wall_ms <= wr_clock_wall_ms() &&
      (cfg->command == WR_CMD_RUN || cfg->command == WR_CMD_RESUME))
    wr_warnf("--deadline %s is in the past: no call will start",
             cfg->deadline);
  return 0;
}

/* --region R1,R2 where regions to select from are meant: names, none
 * twice. */
static int check_region_list(const char *list, struct wr_err *err)
{
  const char *p = list, *end, *q;
  size_t len;

  for (;;) {
    end = strchr(p, ',');
    len = end != NULL ? (size_t)(end - p) : strlen(p);
    if (!wr_region_valid(p, len))
      return wr_err_set(err, WR_EUSAGE, "--region: \"%.*s\" is not a "
                        "region name (expected e.g. cn-hangzhou,cn-shanghai)",
                        (int)(len > 64 ? 64 : len), p);
    for (q = list; q < p; q += strcspn(q, ",") + 1)
      if (strcspn(q, ",") == len && memcmp(q, p, len) == 0)
        return wr_err_set(err, WR_EUSAGE, "--region: %.*s is given twice",
                          (int)len, p);
    if (end == NULL)
      return 0;
    p = end + 1;
  }
}

/* Checks that involve more than one option, after every source. */
int wr_config_validate(struct wr_config *cfg, struct wr_err *err)
{
  size_t i, nstdin = 0;
  int rc;

  /* A selection's --region is the regions to select from (a resume of
   * one reads it back, with the report as its INPUT). */
  bool region_list = cfg->command == WR_CMD_LIST ||
                     (cfg->nselects > 0 &&
                      (cfg->ninputs == 0 || cfg->command == WR_CMD_RESUME));

  if (cfg->command == WR_CMD_LIST) {
    if (cfg->ninputs > 0)
      return wr_err_set(err, WR_EUSAGE, "list takes no INPUT (\"%s\"): it "
                        "lists what the API holds", cfg->inputs[0]);
    if (cfg->region == NULL)
      return wr_err_set(err, WR_EUSAGE, "list: --region R[,R2...] is "
                        "required: the regions to list");
  } else if (cfg->command == WR_CMD_PLAN || cfg->command == WR_CMD_RUN) {
    if (cfg->ninputs == 0 && cfg->nselects == 0)
      return wr_err_set(err, WR_EUSAGE, "%s: no INPUT given (a CSV or JSONL "
                        "file, or - for stdin) and no --select",
                        wr_cli_command_name(cfg->command));
    if (cfg->ninputs == 0 && cfg->region == NULL)
      return wr_err_set(err, WR_EUSAGE, "%s: --select without INPUT needs "
                        "--region R[,R2...]: the regions to select from",
                        wr_cli_command_name(cfg->command));
    if (cfg->nselects > 0 && cfg->api == WR_API_CLIENT)
      return wr_err_set(err, WR_EUSAGE, "--select needs --api admin: "
                        "the client API has no DescribeDesktops");
    for (i = 0; i < cfg->ninputs; i++)
      nstdin += strcmp(cfg->inputs[i], "-") == 0;
    if (nstdin > 1)
      return wr_err_set(err, WR_EUSAGE, "stdin (-) can be read only once");
  } else if (cfg->ninputs != 1) {
    return wr_err_set(err, WR_EUSAGE, "%s: give exactly one REPORT file",
                      wr_cli_command_name(cfg->command));
  }
  if (cfg->api == WR_API_CLIENT && cfg->chunk_size > WR_CHUNK_MAX_CLIENT)
    return wr_err_set(err, WR_EUSAGE, "--chunk-size: %d is more than the "
                      "client API takes in one call (%d)", cfg->chunk_size,
                      WR_CHUNK_MAX_CLIENT);
  if (cfg->verify && cfg->api == WR_API_CLIENT)
    return wr_err_set(err, WR_EUSAGE, "--verify needs --api admin: the client "
                      "API has no DescribeDesktops to check the desktops with");
  if (cfg->skip_connected && cfg->api == WR_API_CLIENT)
    return wr_err_set(err, WR_EUSAGE, "--skip-connected needs --api admin: "
                      "the client API has no DescribeDesktops, so there is "
                      "no pre-flight to see who is connected");
  if (cfg->skip_connected && cfg->no_preflight)
    return wr_err_set(err, WR_EUSAGE, "--skip-connected needs the pre-flight "
                      "state check that --no-preflight turns off");
  if (cfg->region != NULL && region_list) {
    if ((rc = check_region_list(cfg->region, err)) < 0)
      return rc;
  } else if (cfg->region != NULL &&
             !wr_region_valid(cfg->region, strlen(cfg->region)))
    return wr_err_set(err, WR_EUSAGE, "--region: \"%s\" is not a region name "
                      "(e.g. cn-hangzhou)", cfg->region);
  if (cfg->only_regions != NULL && (rc = check_only_regions(cfg, err)) < 0)
    return rc;
  if (cfg->endpoint != NULL && (rc = check_endpoint(cfg, err)) < 0)
    return rc;
  if ((rc = check_notify(cfg, err)) < 0)
    return rc;
  if (cfg->deadline != NULL && (rc = resolve_deadline(cfg, err)) < 0)
    return rc;
  if (cfg->json && cfg->show_requests > 0)
    return wr_err_set(err, WR_EUSAGE, "--show-requests and --json cannot be "
                      "combined (--json keeps stdout pure JSON Lines)");
  if (cfg->report_format == NULL &&
      (cfg->report_format = strdup("text")) == NULL)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  return 0;
}

