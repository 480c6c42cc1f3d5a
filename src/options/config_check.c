/* config_check: the checks that involve several options or the outside
 * world (a URL parser, the clock), run once every source is applied. */
#include "config_load.h"

#include "cli.h"
#include "clock.h"
#include "config_int.h"
#include "log.h"
#include "plan.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

static bool is_loopback(const char *host)
{
  return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 ||
         strcmp(host, "[::1]") == 0 || strcmp(host, "::1") == 0;
}

/* scheme://host[:port][/] only; plain http only to loopback unless
 * --insecure.  libcurl's URL parser, so we judge what curl will use. */
static int check_endpoint(struct wr_config *cfg, struct wr_err *err)
{
  CURLU *u = curl_url();
  char *scheme = NULL, *host = NULL, *path = NULL, *query = NULL;
  size_t len;
  int rc = WR_EUSAGE;

  if (u == NULL)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  if (curl_url_set(u, CURLUPART_URL, cfg->endpoint, 0) != CURLUE_OK ||
      curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
      curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
    wr_err_set(err, rc, "--endpoint: \"%s\" is not a URL (e.g. "
               "http://127.0.0.1:8080)", cfg->endpoint);
    goto out;
  }
  curl_url_get(u, CURLUPART_PATH, &path, 0);
  curl_url_get(u, CURLUPART_QUERY, &query, 0);
  if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
    wr_err_set(err, rc, "--endpoint: \"%s\": only http and https", cfg->endpoint);
  } else if ((path != NULL && strcmp(path, "/") != 0) || query != NULL) {
    wr_err_set(err, rc, "--endpoint: \"%s\": give scheme, host and port "
               "only, no path or query", cfg->endpoint);
  } else if (strcmp(scheme, "http") == 0 && !is_loopback(host) &&
             !cfg->insecure) {
    wr_err_set(err, rc, "--endpoint: \"%s\": plain http is allowed only to "
               "127.0.0.1/localhost; add --insecure to send credentials "
               "unencrypted", cfg->endpoint);
  } else {
    rc = 0;
    /* "http://127.0.0.1:8080/" -> "http://127.0.0.1:8080": callers append
     * the path themselves */
    len = strlen(cfg->endpoint);
    while (len > 0 && cfg->endpoint[len - 1] == '/')
      cfg->endpoint[--len] = '\0';
  }
out:
  curl_free(scheme);
  curl_free(host);
  curl_free(path);
  curl_free(query);
  curl_url_cleanup(u);
  return rc;
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

/* Checks that involve more than one option, after every source. */
int wr_config_validate(struct wr_config *cfg, struct wr_err *err)
{
  size_t i, nstdin = 0;
  int rc;

  if (cfg->command == WR_CMD_PLAN || cfg->command == WR_CMD_RUN) {
    if (cfg->ninputs == 0)
      return wr_err_set(err, WR_EUSAGE, "%s: no INPUT given (a CSV or JSONL "
                        "file, or - for stdin)",
                        wr_cli_command_name(cfg->command));
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
  if (cfg->region != NULL &&
      !wr_region_valid(cfg->region, strlen(cfg->region)))
    return wr_err_set(err, WR_EUSAGE, "--region: \"%s\" is not a region name "
                      "(e.g. cn-hangzhou)", cfg->region);
  if (cfg->endpoint != NULL && (rc = check_endpoint(cfg, err)) < 0)
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

