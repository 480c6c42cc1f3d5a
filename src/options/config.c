/* config: argv and the --job file -> struct wr_config.
 *
 * One table describes every option: its name, the commands that take it,
 * and the JSON type a job file must give it.  Both sources are turned into
 * (option, text) pairs and go through the same apply(), so a value is
 * validated the same way wherever it comes from.  Order: defaults, then
 * the job file, then the command line (which therefore wins), then the
 * checks that involve several options. */
#include "config_load.h"

#include "cli.h"
#include "config_int.h"
#include "clock.h"
#include "creds.h"
#include "log.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <openssl/crypto.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct wr_opt_def wr_opts_table[] = {
  {"region", O_REGION, 1, C_PR | C_LIST, J_STR},
  {"select", O_SELECT, 1, C_PR | C_LIST, J_LIST},
  {"allow-empty", O_ALLOW_EMPTY, 0, C_PR | C_LIST, J_FLAG},
  {"only-region", O_ONLY_REGION, 1, C_PR, J_STR},
  {"all-regions", O_ALL_REGIONS, 0, C_PR, J_FLAG},
  {"column", O_COLUMN, 1, C_PR, J_STRNUM},
  {"format", O_FORMAT, 1, C_PR | C_REPORT | C_LIST, J_STR},
  {"strict", O_STRICT, 0, C_PR, J_FLAG},
  {"chunk-size", O_CHUNK_SIZE, 1, C_PR, J_NUM},
  {"canary", O_CANARY, 1, C_PR, J_NUM},
  {"wave-size", O_WAVE_SIZE, 1, C_PR, J_NUM},
  {"json", O_JSON, 0, C_PLAN, J_NO},
  {"show-requests", O_SHOW_REQUESTS, 1, C_PLAN, J_NO},
  {"api", O_API, 1, C_PR, J_STR},
  {"signature", O_SIGNATURE, 1, C_PR | C_LIST, J_STR},
  {"endpoint", O_ENDPOINT, 1, C_PRS | C_LIST, J_STR},
  {"insecure", O_INSECURE, 0, C_PRS | C_LIST, J_FLAG},
  {"ca-bundle", O_CA_BUNDLE, 1, C_PRS | C_LIST, J_STR},
  {"profile", O_PROFILE, 1, C_PRS | C_LIST, J_STR},
  {"client-id", O_CLIENT_ID, 1, C_PR, J_STR},
  {"client-os", O_CLIENT_OS, 1, C_PR, J_STR},
  {"client-version", O_CLIENT_VERSION, 1, C_PR, J_STR},
  {"login-token", O_LOGIN_TOKEN, 1, C_PRS, J_STR},
  {"session-id", O_SESSION_ID, 1, C_PRS, J_STR},
  {"session-token", O_SESSION_TOKEN, 1, C_PRS, J_STR},
  {"rate", O_RATE, 1, C_PRS | C_LIST, J_NUM},
  {"concurrency", O_CONCURRENCY, 1, C_PRS, J_NUM},
  {"timeout", O_TIMEOUT, 1, C_PRS | C_LIST, J_NUM},
  {"retries", O_RETRIES, 1, C_PRS | C_LIST, J_NUM},
  {"max-errors", O_MAX_ERRORS, 1, C_PRS, J_STRNUM},
  {"verify", O_VERIFY, 0, C_PRS, J_FLAG},
  {"verify-timeout", O_VERIFY_TIMEOUT, 1, C_PRS, J_STRNUM},
  {"no-preflight", O_NO_PREFLIGHT, 0, C_PRS, J_FLAG},
  {"skip-connected", O_SKIP_CONNECTED, 0, C_PRS, J_FLAG},
  {"retry-failed", O_RETRY_FAILED, 0, C_RESUME, J_NO},
  {"deadline", O_DEADLINE, 1, C_PRS, J_STR},
  {"report", O_REPORT, 1, C_PR, J_STR},
  {"keep-columns", O_KEEP_COLUMNS, 1, C_PR, J_LIST},
  {"notify", O_NOTIFY, 1, C_PRS, J_LIST},
  {"notify-format", O_NOTIFY_FORMAT, 1, C_PRS, J_STR},
  {"progress", O_PROGRESS, 1, C_PRS, J_STR},
  {"job", O_JOB, 1, C_PR | C_LIST, J_NO},
  {"output", O_OUTPUT, 1, C_REPORT | C_LIST, J_NO},
  {"verbose", O_VERBOSE, 0, C_ALL, J_COUNT},
  {"quiet", O_QUIET, 0, C_ALL, J_FLAG},
  {"help", O_HELP, 0, C_ALL, J_NO},
  {"version", O_VERSION, 0, C_ALL, J_NO},
};
const size_t wr_opts_count = sizeof(wr_opts_table) / sizeof(wr_opts_table[0]);
#define NOPTS wr_opts_count
/* The lowest --rate but 0 (unlimited), in calls per second. */
#define WR_RATE_MIN 0.01

struct parser {
  struct wr_config *cfg;
  struct wr_err *err;
  bool argv;             /* the value is from the command line */
};

static const struct wr_opt_def *find_opt(int id)
{
  size_t i;

  for (i = 0; i < NOPTS; i++)
    if (wr_opts_table[i].id == id)
      return &wr_opts_table[i];
  return NULL;
}

const struct wr_opt_def *wr_opt_find_name(const char *name)
{
  size_t i;

  for (i = 0; i < NOPTS; i++)
    if (strcmp(wr_opts_table[i].name, name) == 0)
      return &wr_opts_table[i];
  return NULL;
}

static int set_str(struct parser *ps, char **dst, const char *v,
                   const char *src)
{
  char *copy;

  if (*v == '\0')
    return wr_err_set(ps->err, WR_EUSAGE, "%s: the value is empty", src);
  copy = strdup(v);
  if (copy == NULL)
    return wr_err_set(ps->err, WR_ENOMEM, "out of memory");
  free(*dst);
  *dst = copy;
  return 0;
}

/* --select KEY=VALUE, repeatable: kept in order; the keys are the select
 * room's to judge (select.h), when the command starts. */
static int add_select(struct parser *ps, const char *v, const char *src)
{
  struct wr_config *cfg = ps->cfg;
  char **s;

  if (*v == '\0' || strchr(v, '=') == NULL)
    return wr_err_set(ps->err, WR_EUSAGE, "%s: \"%s\" is not KEY=VALUE "
                      "(e.g. office-site=cn-hangzhou+dir-1, tag:env=prod)",
                      src, v);
  if (cfg->nselects >= 1000)
    return wr_err_set(ps->err, WR_EUSAGE, "%s: more than 1000 selections",
                      src);
  s = realloc(cfg->selects, (cfg->nselects + 1) * sizeof(*s));
  if (s == NULL)
    return wr_err_set(ps->err, WR_ENOMEM, "out of memory");
  cfg->selects = s;
  if ((s[cfg->nselects] = strdup(v)) == NULL)
    return wr_err_set(ps->err, WR_ENOMEM, "out of memory");
  cfg->nselects++;
  return 0;
}

static int parse_long(struct parser *ps, const char *v, long min, long max,
                      long *out, const char *src)
{
  char *end;
  long n;

  *out = 0;
  errno = 0;
  n = strtol(v, &end, 10);
  if (*v < '0' || *v > '9' || *end != '\0' || errno != 0)
    return wr_err_set(ps->err, WR_EUSAGE,
                      "%s: \"%s\" is not a whole number", src, v);
  if (n < min || n > max)
    return wr_err_set(ps->err, WR_EUSAGE,
                      "%s: %ld is out of range (%ld to %ld)", src, n, min,
                      max);
  *out = n;
  return 0;
}

static int parse_double(struct parser *ps, const char *v, double min,
                        double max, bool min_open, double *out,
                        const char *src)
{
  char *end;
  double d;

  *out = 0;
  /* Plain decimal (an exponent allowed): strtod alone would also take
   * hex ("0x10"), "inf" and "nan". */
  errno = 0;
  d = strtod(v, &end);
  if (!((*v >= '0' && *v <= '9') || *v == '.') ||
      v[strspn(v, "0123456789.eE+-")] != '\0' || *end != '\0' ||
      errno != 0 || !isfinite(d))
    return wr_err_set(ps->err, WR_EUSAGE, "%s: \"%s\" is not a number", src,
                      v);
  if (d < min || d > max || (min_open && d == min))
    return wr_err_set(ps->err, WR_EUSAGE,
                      "%s: %s is out of range (%s%g to %g)", src, v,
                      min_open ? "more than " : "", min, max);
  *out = d;
  return 0;
}

/* "90s", "15m", "2h", "1h30m", "500ms"; a bare number is seconds.  Each
 * unit once, largest first ("1h1h" and "30m1h" are typing errors). */
int wr_config_parse_duration(const char *v, int64_t *ms)
{
  const char *p = v;
  int64_t total = 0, n, unit, last = INT64_MAX;
  char *end;

  *ms = 0;
  if (*v == '\0')
    return WR_EINVAL;
  if (v[strspn(v, "0123456789")] == '\0') {
    n = strtoll(v, &end, 10);
    if (n > 365 * 86400LL)
      return WR_EINVAL;
    *ms = n * 1000;
    return 0;
  }
  while (*p != '\0') {
    if (*p < '0' || *p > '9')
      return WR_EINVAL;
    errno = 0;
    n = strtoll(p, &end, 10);
    if (errno != 0 || n > 1000000000LL)
      return WR_EINVAL;
    p = end;
    if (strncmp(p, "ms", 2) == 0) {
      unit = 1;
      p++;
    } else if (*p == 's') {
      unit = 1000;
    } else if (*p == 'm') {
      unit = 60000;
    } else if (*p == 'h') {
      unit = 3600000;
    } else if (*p == 'd') {
      unit = 86400000;
    } else {
      return WR_EINVAL;
    }
    if (unit >= last)
      return WR_EINVAL;
    last = unit;
    p++;
    total += n * unit;
    if (total > 365 * 86400000LL)
      return WR_EINVAL;
  }
  *ms = total;
  return 0;
}

static int parse_duration(struct parser *ps, const char *v, int64_t *ms,
                          const char *src)
{
  if (wr_config_parse_duration(v, ms) < 0 || *ms <= 0)
    return wr_err_set(ps->err, WR_EUSAGE,
                      "%s: \"%s\" is not a duration (e.g. 90s, 15m, 2h, "
                      "1h30m)", src, v);
  return 0;
}

static int parse_enum(struct parser *ps, const char *v,
                      const char *const *names, int *out, const char *src)
{
  int i;

  for (i = 0; names[i] != NULL; i++) {
    if (strcmp(v, names[i]) == 0) {
      *out = i;
      return 0;
    }
  }
  return wr_err_set(ps->err, WR_EUSAGE, "%s: \"%s\" is not one of %s", src,
                    v, names[-1]);
}

/* Each list starts with its own description, for messages. */
static const char *const api_names[] = {"admin|client", "admin", "client",
                                        NULL};
static const char *const sig_names[] = {"v3|v1", "v3", "v1", NULL};
static const char *const fmt_names[] = {"csv|jsonl", "auto", "csv", "jsonl",
                                        NULL};
static const char *const progress_names[] = {"auto|always|never", "auto",
                                             "always", "never", NULL};
static const char *const report_fmt_names[] = {
  "text|markdown|csv|json|html", "text", "markdown", "csv", "json", "html",
  NULL};

static const char *const notify_fmt_names[] = {"json|dingtalk|slack", "json",
                                               "dingtalk", "slack", NULL};

#define NOTIFY_MAX 16
#define KEEP_MAX 32
#define KEEP_NAME_MAX 128

static int list_add(struct parser *ps, char ***list, size_t *n, size_t max,
                    const char *v, size_t len, const char *src)
{
  char **l, *copy;

  if (*n >= max)
    return wr_err_set(ps->err, WR_EUSAGE, "%s: more than %zu values", src,
                      max);
  copy = strndup(v, len);
  l = realloc(*list, (*n + 1) * sizeof(*l));
  if (copy == NULL || l == NULL) {
    free(copy);
    if (l != NULL)
      *list = l;
    return wr_err_set(ps->err, WR_ENOMEM, "out of memory");
  }
  *list = l;
  l[(*n)++] = copy;
  return 0;
}

/* "Name,Owner": column names (CSV header names, JSONL keys) as written,
 * none empty, none twice. */
static int keep_columns(struct parser *ps, const char *v, const char *src)
{
  struct wr_config *cfg = ps->cfg;
  const char *p = v;
  size_t len, i;
  int rc;

  for (;;) {
    len = strcspn(p, ",");
    if (len == 0 || len > KEEP_NAME_MAX)
      return wr_err_set(ps->err, WR_EUSAGE, "%s: \"%s\": a column name is "
                        "empty or longer than %d bytes (give NAME[,NAME...])",
                        src, v, KEEP_NAME_MAX);
    for (i = 0; i < cfg->nkeep_columns; i++)
      if (strlen(cfg->keep_columns[i]) == len &&
          memcmp(cfg->keep_columns[i], p, len) == 0)
        return wr_err_set(ps->err, WR_EUSAGE, "%s: column \"%.*s\" is "
                          "given twice", src, (int)len, p);
    rc = list_add(ps, &cfg->keep_columns, &cfg->nkeep_columns, KEEP_MAX, p,
                  len, src);
    if (rc < 0 || p[len] == '\0')
      return rc;
    p += len + 1;
  }
}

static int secret(struct parser *ps, const struct wr_opt_def *d, char *v,
                  const char *src)
{
  int rc;

  if (*v == '\0')
    return wr_err_set(ps->err, WR_EUSAGE, "%s: the value is empty", src);
  /* creds keeps the copy and warns that an option shows in ps; a job
   * file's mode is checked by wr_config_load_job */
  rc = wr_creds_set_option(d->name, v, ps->argv);
  if (rc < 0)
    return wr_err_set(ps->err, rc, "%s: cannot keep the secret", src);
  return 0;
}

static int apply(struct parser *ps, const struct wr_opt_def *d, char *v,
                 const char *src)
{
  struct wr_config *cfg = ps->cfg;
  long n = 0;
  int e = 0, rc = 0;

  switch (d->id) {
  case O_REGION: rc = set_str(ps, &cfg->region, v, src); break;
  case O_SELECT: rc = add_select(ps, v, src); break;
  case O_ALLOW_EMPTY: cfg->allow_empty = true; break;
  case O_ONLY_REGION: rc = set_str(ps, &cfg->only_regions, v, src); break;
  case O_ALL_REGIONS: cfg->all_regions = true; break;
  case O_COLUMN:
    if (*v >= '0' && *v <= '9')
      rc = parse_long(ps, v, 1, 100000, &n, src);
    if (rc == 0)
      rc = set_str(ps, &cfg->column, v, src);
    break;
  case O_FORMAT:
    if (cfg->command == WR_CMD_REPORT) {
      rc = parse_enum(ps, v, report_fmt_names + 1, &e, src);
      if (rc == 0)
        rc = set_str(ps, &cfg->report_format, v, src);
    } else {
      rc = parse_enum(ps, v, fmt_names + 1, &e, src);
      if (rc == 0)
        cfg->format = (enum wr_input_format)e;
    }
    break;
  case O_STRICT: cfg->strict = true; break;
  case O_CHUNK_SIZE:
    rc = parse_long(ps, v, 1, WR_CHUNK_MAX_ADMIN, &n, src);
    if (rc == 0)
      cfg->chunk_size = (int)n;
    break;
  case O_CANARY: rc = parse_long(ps, v, 0, 100000000, &cfg->canary, src); break;
  case O_WAVE_SIZE:
    rc = parse_long(ps, v, 0, 100000000, &cfg->wave_size, src);
    break;
  case O_JSON: cfg->json = true; break;
  case O_SHOW_REQUESTS:
    rc = parse_long(ps, v, 0, 100000, &cfg->show_requests, src);
    break;
  case O_API:
    rc = parse_enum(ps, v, api_names + 1, &e, src);
    if (rc == 0)
      cfg->api = (enum wr_api_mode)e;
    break;
  case O_SIGNATURE:
    rc = parse_enum(ps, v, sig_names + 1, &e, src);
    if (rc == 0)
      cfg->signature = (enum wr_sig_version)e;
    break;
  case O_ENDPOINT: rc = set_str(ps, &cfg->endpoint, v, src); break;
  case O_INSECURE: cfg->insecure = true; break;
  case O_PROFILE: rc = set_str(ps, &cfg->profile, v, src); break;
  case O_CA_BUNDLE: rc = set_str(ps, &cfg->ca_bundle, v, src); break;
  case O_CLIENT_ID: rc = set_str(ps, &cfg->client_id, v, src); break;
  case O_CLIENT_OS: rc = set_str(ps, &cfg->client_os, v, src); break;
  case O_CLIENT_VERSION: rc = set_str(ps, &cfg->client_version, v, src); break;
  case O_LOGIN_TOKEN:
  case O_SESSION_ID:
  case O_SESSION_TOKEN: rc = secret(ps, d, v, src); break;
  case O_RATE:
    rc = parse_double(ps, v, 0, 10000, false, &cfg->rate, src);
    /* Below it a run would wait for hours between calls (1e-300: forever). */
    if (rc == 0 && cfg->rate > 0 && cfg->rate < WR_RATE_MIN)
      rc = wr_err_set(ps->err, WR_EUSAGE, "%s: %s is below the minimum of "
                      "%g calls per second (0 means unlimited)", src, v,
                      WR_RATE_MIN);
    break;
  case O_CONCURRENCY:
    rc = parse_long(ps, v, 1, 4096, &n, src);
    if (rc == 0)
      cfg->concurrency = (int)n;
    break;
  case O_TIMEOUT:
    rc = parse_double(ps, v, 0, 3600, true, &cfg->timeout_s, src);
    break;
  case O_RETRIES:
    rc = parse_long(ps, v, 0, 100, &n, src);
    if (rc == 0)
      cfg->retries = (int)n;
    break;
  case O_MAX_ERRORS:
    if (*v != '\0' && v[strlen(v) - 1] == '%') {
      char num[64];

      snprintf(num, sizeof(num), "%.*s", (int)strlen(v) - 1, v);
      rc = parse_double(ps, num, 0, 100, false, &cfg->max_errors_pct, src);
      if (rc == 0)
        cfg->max_errors = -1;
    } else {
      rc = parse_long(ps, v, 0, LONG_MAX, &cfg->max_errors, src);
      if (rc == 0)
        cfg->max_errors_pct = -1;
    }
    break;
  case O_VERIFY: cfg->verify = true; break;
  case O_NO_PREFLIGHT: cfg->no_preflight = true; break;
  case O_SKIP_CONNECTED: cfg->skip_connected = true; break;
  case O_RETRY_FAILED: cfg->retry_failed = true; break;
  case O_VERIFY_TIMEOUT:
    rc = parse_duration(ps, v, &cfg->verify_timeout_ms, src);
    break;
  case O_DEADLINE:
    rc = set_str(ps, &cfg->deadline, v, src);
    break;
  case O_REPORT: rc = set_str(ps, &cfg->report_path, v, src); break;
  case O_KEEP_COLUMNS: rc = keep_columns(ps, v, src); break;
  case O_NOTIFY:
    /* checked by wr_config_validate (the endpoint policy) */
    if (*v == '\0')
      rc = wr_err_set(ps->err, WR_EUSAGE, "%s: the value is empty", src);
    else
      rc = list_add(ps, &cfg->notify, &cfg->nnotify, NOTIFY_MAX, v,
                    strlen(v), src);
    break;
  case O_NOTIFY_FORMAT:
    rc = parse_enum(ps, v, notify_fmt_names + 1, &e, src);
    if (rc == 0)
      cfg->notify_format = (enum wr_notify_format)e;
    break;
  case O_PROGRESS:
    rc = parse_enum(ps, v, progress_names + 1, &e, src);
    if (rc == 0)
      cfg->progress = (enum wr_progress_mode)e;
    break;
  case O_OUTPUT: rc = set_str(ps, &cfg->output, v, src); break;
  case O_JOB: rc = set_str(ps, &cfg->job_file, v, src); break;
  case O_VERBOSE:
    if (cfg->verbosity < WR_LOG_TRACE)
      cfg->verbosity++;
    break;
  case O_QUIET: cfg->verbosity = WR_LOG_ERROR; break;
  }
  return rc;
}

int wr_config_apply(struct wr_config *cfg, const struct wr_opt_def *d,
                    char *v, const char *src, struct wr_err *err)
{
  struct parser ps = {cfg, err, false};
  int rc = apply(&ps, d, v, src);

  /* Callers other than the command line: a job file, or a report's
   * options (config_resume.c corrects the origin). */
  if (rc == 0)
    wr_config_set_origin(cfg, d->name, WR_ORIGIN_JOB);
  return rc;
}

void wr_config_unset_flag(struct wr_config *cfg, const struct wr_opt_def *d)
{
  switch (d->id) {
  case O_STRICT: cfg->strict = false; break;
  case O_ALL_REGIONS: cfg->all_regions = false; break;
  case O_INSECURE: cfg->insecure = false; break;
  case O_VERIFY: cfg->verify = false; break;
  case O_NO_PREFLIGHT: cfg->no_preflight = false; break;
  case O_SKIP_CONNECTED: cfg->skip_connected = false; break;
  case O_ALLOW_EMPTY: cfg->allow_empty = false; break;
  default: return;
  }
  wr_config_set_origin(cfg, d->name, WR_ORIGIN_JOB);
}

void wr_config_defaults(struct wr_config *cfg)
{
  memset(cfg, 0, sizeof(*cfg));
  cfg->chunk_size = 20;
  cfg->rate = 10;
  cfg->concurrency = 16;
  cfg->timeout_s = 30;
  cfg->retries = 5;
  cfg->max_errors = -1;
  cfg->max_errors_pct = -1;
  cfg->verify_timeout_ms = 15 * 60 * 1000;
  cfg->verbosity = WR_LOG_NOTE;
}

static enum wr_command command_of(const char *s)
{
  if (strcmp(s, "plan") == 0)
    return WR_CMD_PLAN;
  if (strcmp(s, "run") == 0)
    return WR_CMD_RUN;
  if (strcmp(s, "resume") == 0)
    return WR_CMD_RESUME;
  if (strcmp(s, "report") == 0)
    return WR_CMD_REPORT;
  if (strcmp(s, "list") == 0)
    return WR_CMD_LIST;
  return WR_CMD_NONE;
}

static int set_inputs(struct wr_config *cfg, char **v, size_t n,
                      struct wr_err *err)
{
  size_t i;

  for (i = 0; i < cfg->ninputs; i++)
    free(cfg->inputs[i]);
  free(cfg->inputs);
  cfg->ninputs = 0;
  cfg->inputs = calloc(n ? n : 1, sizeof(*cfg->inputs));
  if (cfg->inputs == NULL)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  for (i = 0; i < n; i++) {
    cfg->inputs[i] = strdup(v[i]);
    if (cfg->inputs[i] == NULL)
      return wr_err_set(err, WR_ENOMEM, "out of memory");
    cfg->ninputs++;
  }
  return 0;
}

/* resume re-applies these over the report's options. */
static int keep_given(struct wr_config *cfg, const struct wr_opt_def *d,
                      const char *arg, struct wr_err *err)
{
  struct wr_config_given *g;

  g = realloc(cfg->given, (cfg->ngiven + 1) * sizeof(*g));
  if (g == NULL)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  cfg->given = g;
  g[cfg->ngiven].name = d->name;
  g[cfg->ngiven].value = strdup(arg != NULL ? arg : "");
  if (g[cfg->ngiven].value == NULL)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  cfg->ngiven++;
  return 0;
}

struct pending {
  const struct wr_opt_def *d;
  char *arg;
};

int wr_config_load(struct wr_config *cfg, int argc, char **argv,
                   struct wr_err *err)
{
  struct option longopts[sizeof(wr_opts_table) / sizeof(wr_opts_table[0]) + 1];
  struct pending *pend = NULL;
  const struct wr_opt_def *d;
  const char *job = NULL;
  size_t i, npend = 0;
  bool help = false, version = false, cli_verbosity = false;
  bool cli_notify = false, cli_keep = false, cli_select = false;
  char src[96];
  int c, rc = WR_EUSAGE;

  wr_config_defaults(cfg);
  if (argc < 2)
    return wr_err_set(err, WR_EUSAGE, "missing COMMAND (plan, run, resume, "
                      "report or list); see wuying-reboot --help");
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
      strcmp(argv[1], "help") == 0) {
    wr_cli_help(WR_CMD_NONE, stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("wuying-reboot %s\n", WR_VERSION);
    return 0;
  }
  cfg->command = command_of(argv[1]);
  if (cfg->command == WR_CMD_NONE)
    return wr_err_set(err, WR_EUSAGE, "unknown command \"%s\" (plan, run, "
                      "resume, report, list); see wuying-reboot --help", argv[1]);
  for (i = 0; i < NOPTS; i++) {
    longopts[i].name = wr_opts_table[i].name;
    longopts[i].has_arg = wr_opts_table[i].has_arg ? required_argument
                                                   : no_argument;
    longopts[i].flag = NULL;
    longopts[i].val = wr_opts_table[i].id;
  }
  memset(&longopts[NOPTS], 0, sizeof(longopts[NOPTS]));
  /* getopt_long accepts any unique prefix (--rat for --rate); we do not,
   * so a job script never changes meaning when an option is added. */
  for (i = 2; i < (size_t)argc && strcmp(argv[i], "--") != 0; i++) {
    size_t len;

    if (strncmp(argv[i], "--", 2) != 0)
      continue;
    len = strcspn(argv[i] + 2, "=");
    for (c = 0; c < (int)NOPTS; c++)
      if (strlen(wr_opts_table[c].name) == len &&
          strncmp(wr_opts_table[c].name, argv[i] + 2, len) == 0)
        break;
    if (c == (int)NOPTS)
      return wr_err_set(err, WR_EUSAGE, "unknown option \"%.*s\"; see "
                        "wuying-reboot %s --help", (int)len + 2, argv[i],
                        wr_cli_command_name(cfg->command));
  }
  pend = calloc((size_t)argc, sizeof(*pend));
  if (pend == NULL)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  optind = 0; /* glibc: a full re-initialisation, so tests can call again */
  opterr = 0;
  while ((c = getopt_long(argc - 1, argv + 1, ":vqho:", longopts, NULL)) != -1) {
    if (c == '?' || c == ':') {
      /* getopt saw argv + 1, so its optind - 1 is our optind */
      if (c == ':')
        wr_err_set(err, WR_EUSAGE, "option \"%s\" needs a value",
                   argv[optind]);
      else if (optopt != 0)
        wr_err_set(err, WR_EUSAGE, "unknown option \"-%c\"; see "
                   "wuying-reboot %s --help", optopt,
                   wr_cli_command_name(cfg->command));
      else
        wr_err_set(err, WR_EUSAGE, "unknown option \"%s\"; see "
                   "wuying-reboot %s --help", argv[optind],
                   wr_cli_command_name(cfg->command));
      goto out;
    }
    d = find_opt(c);
    if (d == NULL) { /* getopt returns only our ids; be safe anyway */
      wr_err_set(err, WR_EUSAGE, "unknown option");
      goto out;
    }
    if (cfg->command == WR_CMD_RESUME && !(d->cmds & C_RESUME) &&
        (d->cmds & C_RUN)) {
      wr_err_set(err, WR_EUSAGE, "--%s cannot be given to resume: the run's "
                 "plan and API settings come from the report and must not "
                 "change (start a new run to change them)", d->name);
      goto out;
    }
    if (!(d->cmds & (1u << cfg->command))) {
      wr_err_set(err, WR_EUSAGE, "--%s is not an option of %s; see "
                 "wuying-reboot %s --help", d->name,
                 wr_cli_command_name(cfg->command),
                 wr_cli_command_name(cfg->command));
      goto out;
    }
    help |= d->id == O_HELP;
    version |= d->id == O_VERSION;
    if (d->id == O_JOB)
      job = optarg;
    pend[npend].d = d;
    pend[npend].arg = optarg;
    npend++;
  }
  if (help || version) {
    if (help)
      wr_cli_help(cfg->command, stdout);
    else
      printf("wuying-reboot %s\n", WR_VERSION);
    cfg->command = WR_CMD_NONE;
    rc = 0;
    goto out;
  }
  if (job != NULL && (rc = wr_config_load_job(cfg, job, err)) < 0)
    goto out;
  for (i = 0; i < npend; i++) {
    d = pend[i].d;
    if ((d->id == O_VERBOSE || d->id == O_QUIET) && !cli_verbosity) {
      cfg->verbosity = WR_LOG_NOTE; /* the command line's -v/-q win */
      cli_verbosity = true;
    }
    /* A list on the command line replaces the job file's. */
    if (d->id == O_NOTIFY && !cli_notify) {
      wr_config_list_free(&cfg->notify, &cfg->nnotify);
      cli_notify = true;
    }
    if (d->id == O_KEEP_COLUMNS && !cli_keep) {
      wr_config_list_free(&cfg->keep_columns, &cfg->nkeep_columns);
      cli_keep = true;
    }
    if (d->id == O_SELECT && !cli_select) {
      wr_config_list_free(&cfg->selects, &cfg->nselects);
      cli_select = true;
    }
    if (d->id > 255)
      snprintf(src, sizeof(src), "--%s", d->name);
    else
      snprintf(src, sizeof(src), "-%c", d->id);
    rc = apply(&(struct parser){cfg, err, true}, d,
               pend[i].arg ? pend[i].arg : "", src);
    if (rc < 0)
      goto out;
    wr_config_set_origin(cfg, d->name, WR_ORIGIN_CLI);
    if (d->id == O_LOGIN_TOKEN || d->id == O_SESSION_ID ||
        d->id == O_SESSION_TOKEN)
      OPENSSL_cleanse(pend[i].arg, strlen(pend[i].arg)); /* hide from ps */
    else if (cfg->command == WR_CMD_RESUME &&
             (rc = keep_given(cfg, d, pend[i].arg, err)) < 0)
      goto out;
  }
  if (optind < argc - 1 &&
      (rc = set_inputs(cfg, argv + 1 + optind, (size_t)(argc - 1 - optind),
                       err)) < 0)
    goto out;
  rc = wr_config_validate(cfg, err);
  if (rc < 0)
    goto out;
  wr_log_set_level(cfg->verbosity);
  if (cfg->command == WR_CMD_RESUME && cfg->report_path == NULL &&
      (cfg->report_path = strdup(cfg->inputs[0])) == NULL)
    rc = wr_err_set(err, WR_ENOMEM, "out of memory");
out:
  free(pend);
  return rc;
}
