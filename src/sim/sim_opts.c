#include "sim_opts.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_REGIONS "cn-hangzhou,cn-shanghai,ap-southeast-1"

static const char usage[] =
"usage: ecd-sim [options]\n"
"A local ECD endpoint (RebootDesktops 2020-09-30 and 2020-10-02,\n"
"DescribeDesktops 2020-09-30) on 127.0.0.1.  The port is printed as the\n"
"first line of stdout.  SIGTERM/SIGINT stop it cleanly.\n"
"\n"
"Listening:\n"
"  --port N               port on 127.0.0.1; 0 picks a free one (default 0)\n"
"  --port-file FILE       also write the port there (atomically)\n"
"  --threads N            HTTP worker threads (default 2)\n"
"Credentials it accepts:\n"
"  --access-key-id ID     (default testid)\n"
"  --access-key-secret S  (default testsecret)\n"
"  --security-token T     every signed call must carry this STS token\n"
"  --sts SECONDS          also be STS (AssumeRole, AssumeRoleWithOIDC), the\n"
"                         ECS metadata service and a credentials URI;\n"
"                         issued credentials live SECONDS and are accepted\n"
"                         until then (GET /__sts: the counts)\n"
"  --sts-fail N           N AssumeRole calls get 503: the first N, or\n"
"  --sts-fail-after M     those after the first M answered (GET\n"
"                         /__sts?fail=N: the next N, from now)\n"
"  --sts-lie S            the Expiration issued says S seconds later than\n"
"                         the expiry enforced (a client clock behind)\n"
"  --client-id ID, --login-token T, --session-id S\n"
"                         client-API calls must carry these values\n"
"Fleet:\n"
"  --desktops N           generate N desktops (default 100)\n"
"  --regions R1,R2,...    regions, round-robin\n"
"                         (default " DEFAULT_REGIONS ")\n"
"  --fleet FILE           desktops from a CSV/JSONL file instead\n"
"  --write-fleet FILE     write the fleet as CSV DesktopId,RegionId and its\n"
"                         attributes (DesktopName, OfficeSiteId, ...)\n"
"  --fail-desktops FILE   lines \"ID[,stuck|unknown|connected]\"\n"
"                         (default stuck: Stopped for good)\n"
"  --stopped-rate P       this share of the desktops is Stopped for good\n"
"  --connected-rate P     this share of the others has a user session\n"
"                         (ConnectionStatus Connected until rebooted)\n"
"  --reboot-ms N          Stopping then Starting for N ms (default 3000)\n"
"Faults and flow control (seeded):\n"
"  --qps N                calls per second per action, then\n"
"                         Throttling.User, HTTP 400, 429 or 503 (default 0:\n"
"                         unlimited); counted in any sliding second\n"
"  --qps-model M          accepted: only accepted calls count towards\n"
"                         --qps (default); all: throttled ones too\n"
"  --qps-schedule Q@S,... the quota is Q from S seconds after the first\n"
"                         call on (e.g. 50@0,20@30,50@60; Q 0: unlimited);\n"
"                         instead of --qps\n"
"  --retry-after-ms N     send x-acs-retry-after: N when throttling\n"
"  --fail-rate P          500 InternalError / 503 ServiceUnavailable\n"
"  --reset-rate P         close without a response, nothing done\n"
"  --lost-rate P          reboot done, then close without a response\n"
"  --hang-rate P          no answer for --hang-ms, then close\n"
"  --hang-ms N            (default 60000)\n"
"  --garbage-rate P       a non-JSON 502 page\n"
"  --html-ok-rate P       a 200 HTML page, nothing done (a proxy, a portal)\n"
"  --latency-ms N         mean latency, uniform in [N/2, 3N/2]\n"
"  --seed N               (default 1)\n"
"  --describe-fail-page K page K of every DescribeDesktops listing fails\n"
"                         (503, every time)\n"
"  --describe-repeat-token K  from page K on, NextToken repeats\n"
"Observability:\n"
"  --log FILE             one JSON line per request\n"
"  --stats FILE           the /__stats document, written at exit\n"
"  --max-tokens N         ClientTokens remembered (default 1000000)\n"
"  --max-nonces N         nonces per 31-minute generation (default 4000000)\n"
"  -h, --help, -V, --version\n";

enum {
  O_PORT = 256, O_PORT_FILE, O_THREADS, O_AKID, O_AKSECRET, O_STS,
  O_CLIENT_ID, O_LOGIN_TOKEN, O_SESSION_ID, O_DESKTOPS, O_REGIONS, O_FLEET,
  O_WRITE_FLEET, O_FAIL_DESKTOPS, O_REBOOT_MS, O_QPS, O_RETRY_AFTER,
  O_FAIL_RATE, O_RESET_RATE, O_LOST_RATE, O_HANG_RATE, O_HANG_MS,
  O_GARBAGE_RATE, O_HTML_OK_RATE, O_LATENCY_MS, O_SEED, O_LOG, O_STATS,
  O_MAX_TOKENS, O_MAX_NONCES, O_QPS_MODEL, O_QPS_SCHEDULE, O_STOPPED_RATE,
  O_CONNECTED_RATE, O_STS_LIFE, O_STS_FAIL, O_STS_FAIL_AFTER, O_STS_LIE,
  O_DESCRIBE_FAIL_PAGE, O_DESCRIBE_REPEAT_TOKEN
};

static const struct option longopts[] = {
  {"port", required_argument, NULL, O_PORT},
  {"port-file", required_argument, NULL, O_PORT_FILE},
  {"threads", required_argument, NULL, O_THREADS},
  {"access-key-id", required_argument, NULL, O_AKID},
  {"access-key-secret", required_argument, NULL, O_AKSECRET},
  {"security-token", required_argument, NULL, O_STS},
  {"client-id", required_argument, NULL, O_CLIENT_ID},
  {"login-token", required_argument, NULL, O_LOGIN_TOKEN},
  {"session-id", required_argument, NULL, O_SESSION_ID},
  {"desktops", required_argument, NULL, O_DESKTOPS},
  {"regions", required_argument, NULL, O_REGIONS},
  {"fleet", required_argument, NULL, O_FLEET},
  {"write-fleet", required_argument, NULL, O_WRITE_FLEET},
  {"fail-desktops", required_argument, NULL, O_FAIL_DESKTOPS},
  {"reboot-ms", required_argument, NULL, O_REBOOT_MS},
  {"stopped-rate", required_argument, NULL, O_STOPPED_RATE},
  {"connected-rate", required_argument, NULL, O_CONNECTED_RATE},
  {"qps", required_argument, NULL, O_QPS},
  {"qps-model", required_argument, NULL, O_QPS_MODEL},
  {"qps-schedule", required_argument, NULL, O_QPS_SCHEDULE},
  {"retry-after-ms", required_argument, NULL, O_RETRY_AFTER},
  {"fail-rate", required_argument, NULL, O_FAIL_RATE},
  {"reset-rate", required_argument, NULL, O_RESET_RATE},
  {"lost-rate", required_argument, NULL, O_LOST_RATE},
  {"hang-rate", required_argument, NULL, O_HANG_RATE},
  {"hang-ms", required_argument, NULL, O_HANG_MS},
  {"garbage-rate", required_argument, NULL, O_GARBAGE_RATE},
  {"html-ok-rate", required_argument, NULL, O_HTML_OK_RATE},
  {"latency-ms", required_argument, NULL, O_LATENCY_MS},
  {"seed", required_argument, NULL, O_SEED},
  {"log", required_argument, NULL, O_LOG},
  {"stats", required_argument, NULL, O_STATS},
  {"max-tokens", required_argument, NULL, O_MAX_TOKENS},
  {"max-nonces", required_argument, NULL, O_MAX_NONCES},
  {"sts", required_argument, NULL, O_STS_LIFE},
  {"sts-fail", required_argument, NULL, O_STS_FAIL},
  {"sts-fail-after", required_argument, NULL, O_STS_FAIL_AFTER},
  {"sts-lie", required_argument, NULL, O_STS_LIE},
  {"describe-fail-page", required_argument, NULL, O_DESCRIBE_FAIL_PAGE},
  {"describe-repeat-token", required_argument, NULL,
   O_DESCRIBE_REPEAT_TOKEN},
  {"help", no_argument, NULL, 'h'},
  {"version", no_argument, NULL, 'V'},
  {NULL, 0, NULL, 0}
};

static int num(const char *name, const char *s, double lo, double hi,
               double *out, struct wr_err *err)
{
  char *end;
  double v;

  *out = 0;
  errno = 0;
  v = strtod(s, &end);
  if (*s == '\0' || *end != '\0' || errno != 0 || isnan(v) || v < lo ||
      v > hi)
    return wr_err_set(err, WR_EUSAGE, "--%s: \"%s\" is not a number in "
                      "[%g, %g]", name, s, lo, hi);
  *out = v;
  return 0;
}

static int integer(const char *name, const char *s, double lo, double hi,
                   int64_t *out, struct wr_err *err)
{
  double v;
  int rc;

  *out = 0;
  rc = num(name, s, lo, hi, &v, err);
  if (rc < 0)
    return rc;
  if (v != floor(v))
    return wr_err_set(err, WR_EUSAGE, "--%s: \"%s\" is not a whole number",
                      name, s);
  *out = (int64_t)v;
  return 0;
}

static int set_str(char **dst, const char *s, struct wr_err *err)
{
  free(*dst);
  *dst = strdup(s);
  return *dst ? 0 : wr_err_set(err, WR_ENOMEM, "out of memory");
}

static void free_regions(struct wr_sim_opts *o)
{
  size_t i;

  for (i = 0; i < o->nregions; i++)
    free(o->regions[i]);
  free(o->regions);
  o->regions = NULL;
  o->nregions = 0;
}

static int set_regions(struct wr_sim_opts *o, const char *s,
                       struct wr_err *err)
{
  const char *p = s;

  free_regions(o);
  while (*p) {
    const char *c = strchr(p, ',');
    size_t len = c ? (size_t)(c - p) : strlen(p);
    char **v;

    if (len == 0 || len > 64)
      return wr_err_set(err, WR_EUSAGE, "--regions: \"%s\" has an empty "
                        "or too long region", s);
    v = realloc(o->regions, (o->nregions + 1) * sizeof(*v));
    if (v == NULL)
      return wr_err_set(err, WR_ENOMEM, "out of memory");
    o->regions = v;
    v[o->nregions] = strndup(p, len);
    if (v[o->nregions] == NULL)
      return wr_err_set(err, WR_ENOMEM, "out of memory");
    o->nregions++;
    p = c ? c + 1 : p + len;
  }
  if (o->nregions == 0)
    return wr_err_set(err, WR_EUSAGE, "--regions: no region given");
  return 0;
}

/* "Q@S,Q@S,...": quotas (0 or >= 1) from S seconds on, S increasing from
 * 0. */
static int set_schedule(struct wr_sim_opts *o, const char *s,
                        struct wr_err *err)
{
  const char *p = s;
  struct wr_sim_qps_step *v;
  double q, at;
  char *end;

  free(o->qps_schedule);
  o->qps_schedule = NULL;
  o->nqps_schedule = 0;
  for (;;) {
    errno = 0;
    q = strtod(p, &end);
    if (end == p || *end != '@' || errno != 0 || !(q == 0 || q >= 1) ||
        q > 1e9)
      goto bad;
    p = end + 1;
    at = strtod(p, &end);
    if (end == p || (*end != ',' && *end != '\0') || errno != 0 ||
        !(at >= 0) || at > 1e6 ||
        (o->nqps_schedule == 0 && at != 0) ||
        (o->nqps_schedule > 0 &&
         at * 1000 <= (double)o->qps_schedule[o->nqps_schedule - 1].at_ms))
      goto bad;
    v = realloc(o->qps_schedule, (o->nqps_schedule + 1) * sizeof(*v));
    if (v == NULL)
      return wr_err_set(err, WR_ENOMEM, "out of memory");
    o->qps_schedule = v;
    v[o->nqps_schedule].qps = q;
    v[o->nqps_schedule].at_ms = (int64_t)llround(at * 1000);
    o->nqps_schedule++;
    if (*end == '\0')
      return 0;
    p = end + 1;
  }
bad:
  return wr_err_set(err, WR_EUSAGE, "--qps-schedule: \"%s\" is not a list "
                    "QPS@SECONDS,... with QPS 0 or at least 1 and SECONDS "
                    "increasing from 0", s);
}

static void defaults(struct wr_sim_opts *o)
{
  memset(o, 0, sizeof(*o));
  o->desktops = -1;
  o->reboot_ms = 3000;
  o->hang_ms = 60000;
  o->seed = 1;
  o->threads = 2;
  o->max_tokens = 1000000;
  o->max_nonces = 4000000;
}

static int one(struct wr_sim_opts *o, int c, const char *name,
               const char *arg, struct wr_err *err)
{
  int64_t i = 0;
  int rc = 0;

  switch (c) {
  case O_PORT:
    rc = integer(name, arg, 0, 65535, &i, err);
    o->port = (int)i;
    break;
  case O_THREADS:
    rc = integer(name, arg, 1, 64, &i, err);
    o->threads = (int)i;
    break;
  case O_PORT_FILE: return set_str(&o->port_file, arg, err);
  case O_AKID: return set_str(&o->access_key_id, arg, err);
  case O_AKSECRET: return set_str(&o->access_key_secret, arg, err);
  case O_STS: return set_str(&o->security_token, arg, err);
  case O_CLIENT_ID: return set_str(&o->client_id, arg, err);
  case O_LOGIN_TOKEN: return set_str(&o->login_token, arg, err);
  case O_SESSION_ID: return set_str(&o->session_id, arg, err);
  case O_FLEET: return set_str(&o->fleet, arg, err);
  case O_WRITE_FLEET: return set_str(&o->write_fleet, arg, err);
  case O_FAIL_DESKTOPS: return set_str(&o->fail_desktops, arg, err);
  case O_LOG: return set_str(&o->log, arg, err);
  case O_STATS: return set_str(&o->stats, arg, err);
  case O_REGIONS: return set_regions(o, arg, err);
  case O_DESKTOPS:
    rc = integer(name, arg, 0, 10000000, &i, err);
    o->desktops = (long)i;
    break;
  case O_REBOOT_MS: return integer(name, arg, 0, 86400000, &o->reboot_ms, err);
  case O_RETRY_AFTER:
    return integer(name, arg, 0, 3600000, &o->retry_after_ms, err);
  case O_HANG_MS: return integer(name, arg, 0, 86400000, &o->hang_ms, err);
  case O_LATENCY_MS:
    return integer(name, arg, 0, 600000, &o->latency_ms, err);
  case O_QPS: return num(name, arg, 0, 1e9, &o->qps, err);
  case O_QPS_MODEL:
    if (strcmp(arg, "accepted") == 0)
      o->qps_model = WR_SIM_QPS_ACCEPTED;
    else if (strcmp(arg, "all") == 0)
      o->qps_model = WR_SIM_QPS_ALL;
    else
      rc = wr_err_set(err, WR_EUSAGE, "--qps-model: \"%s\" is neither "
                      "\"accepted\" nor \"all\"", arg);
    break;
  case O_QPS_SCHEDULE: return set_schedule(o, arg, err);
  case O_FAIL_RATE: return num(name, arg, 0, 1, &o->fail_rate, err);
  case O_RESET_RATE: return num(name, arg, 0, 1, &o->reset_rate, err);
  case O_STOPPED_RATE: return num(name, arg, 0, 1, &o->stopped_rate, err);
  case O_CONNECTED_RATE:
    return num(name, arg, 0, 1, &o->connected_rate, err);
  case O_LOST_RATE: return num(name, arg, 0, 1, &o->lost_rate, err);
  case O_HANG_RATE: return num(name, arg, 0, 1, &o->hang_rate, err);
  case O_GARBAGE_RATE: return num(name, arg, 0, 1, &o->garbage_rate, err);
  case O_HTML_OK_RATE: return num(name, arg, 0, 1, &o->html_ok_rate, err);
  case O_SEED:
    rc = integer(name, arg, 0, 9007199254740992.0, &i, err);
    o->seed = (uint64_t)i;
    break;
  case O_MAX_TOKENS:
    rc = integer(name, arg, 1, 100000000, &i, err);
    o->max_tokens = (long)i;
    break;
  case O_STS_LIFE:
    rc = integer(name, arg, 1, 86400, &i, err);
    o->sts_life_ms = (int64_t)i * 1000;
    break;
  case O_STS_FAIL:
    rc = integer(name, arg, 0, 1000000, &i, err);
    o->sts_fail = (long)i;
    break;
  case O_STS_FAIL_AFTER:
    rc = integer(name, arg, 0, 1000000, &i, err);
    o->sts_fail_after = (long)i;
    break;
  case O_STS_LIE:
    rc = integer(name, arg, 0, 86400, &i, err);
    o->sts_lie_ms = (int64_t)i * 1000;
    break;
  case O_MAX_NONCES:
    rc = integer(name, arg, 1, 100000000, &i, err);
    o->max_nonces = (long)i;
    break;
  case O_DESCRIBE_FAIL_PAGE:
    rc = integer(name, arg, 1, 100000000, &i, err);
    o->describe_fail_page = (long)i;
    break;
  case O_DESCRIBE_REPEAT_TOKEN:
    rc = integer(name, arg, 2, 100000000, &i, err);
    o->describe_repeat_token = (long)i;
    break;
  default:
    rc = wr_err_set(err, WR_EUSAGE, "unknown option");
  }
  return rc;
}

int wr_sim_opts_parse(struct wr_sim_opts *o, int argc, char **argv,
                      struct wr_err *err)
{
  int c, idx, rc = 0;

  defaults(o);
  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, ":hV", longopts, &idx)) != -1) {
    if (c == 'h') {
      fputs(usage, stdout);
      return 1;
    }
    if (c == 'V') {
      printf("ecd-sim %s\n", WR_VERSION);
      return 1;
    }
    if (c == '?')
      return wr_err_set(err, WR_EUSAGE, "unknown option \"%s\" (see "
                        "--help)", argv[optind - 1]);
    if (c == ':')
      return wr_err_set(err, WR_EUSAGE, "option \"%s\" needs a value",
                        argv[optind - 1]);
    rc = one(o, c, longopts[idx].name, optarg, err);
    if (rc < 0)
      return rc == WR_ENOMEM ? rc : WR_EUSAGE;
  }
  if (optind < argc)
    return wr_err_set(err, WR_EUSAGE, "unexpected argument \"%s\"",
                      argv[optind]);
  if ((o->access_key_id == NULL &&
       set_str(&o->access_key_id, "testid", err) < 0) ||
      (o->access_key_secret == NULL &&
       set_str(&o->access_key_secret, "testsecret", err) < 0) ||
      (o->nregions == 0 && set_regions(o, DEFAULT_REGIONS, err) < 0))
    return WR_ENOMEM;
  if (o->fleet != NULL && o->desktops >= 0)
    return wr_err_set(err, WR_EUSAGE, "--fleet and --desktops exclude "
                      "each other");
  if (o->fleet == NULL && o->desktops < 0)
    o->desktops = 100;
  /* A sliding 1-second window cannot hold less than one call. */
  if (o->qps > 0 && o->qps < 1)
    return wr_err_set(err, WR_EUSAGE, "--qps: %g is below 1 (0 turns "
                      "throttling off)", o->qps);
  if (o->qps > 0 && o->qps_schedule != NULL)
    return wr_err_set(err, WR_EUSAGE, "--qps and --qps-schedule exclude "
                      "each other");
  if (o->fail_rate + o->reset_rate + o->hang_rate + o->garbage_rate +
      o->html_ok_rate > 1.0)
    return wr_err_set(err, WR_EUSAGE, "--fail-rate, --reset-rate, "
                      "--hang-rate, --garbage-rate and --html-ok-rate add "
                      "up to more than 1");
  return 0;
}

void wr_sim_opts_free(struct wr_sim_opts *o)
{
  char **s[] = {
    &o->port_file, &o->access_key_id, &o->access_key_secret,
    &o->security_token, &o->client_id, &o->login_token, &o->session_id,
    &o->fleet, &o->write_fleet, &o->fail_desktops, &o->log, &o->stats
  };
  char *secrets[] = {
    o->access_key_secret, o->security_token, o->login_token, o->session_id
  };
  size_t i;

  free(o->qps_schedule);
  o->qps_schedule = NULL;
  o->nqps_schedule = 0;
  for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
    if (secrets[i] != NULL)
      OPENSSL_cleanse(secrets[i], strlen(secrets[i]));
  for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
    free(*s[i]);
    *s[i] = NULL;
  }
  free_regions(o);
}
