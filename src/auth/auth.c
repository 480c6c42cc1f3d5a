/* auth: the default chain (auth.h) and the helpers its steps share. */
#include "auth_int.h"

#include "buf.h"
#include "clock.h"
#include "endpoint.h"
#include "log.h"

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NOTE_MAX 110 /* bytes of one step's finding in the final error */

static wr_auth_fetch_fn fetch_fn;
static _Thread_local bool quiet; /* inside wr_auth_refresh */

bool wr_auth_quiet(void)
{
  return quiet;
}

void wr_auth_set_fetch(wr_auth_fetch_fn fn)
{
  fetch_fn = fn;
}

int wr_auth_fetch(const struct wr_fetch_req *req, long *status,
                  struct wr_buf *body, struct wr_err *err)
{
  return (fetch_fn != NULL ? fetch_fn : wr_fetch)(req, status, body, err);
}

const char *wr_auth_env(const char *name)
{
  const char *v = getenv(name);

  return v != NULL && v[0] != '\0' ? v : NULL;
}

bool wr_auth_env_true(const char *name)
{
  const char *v = getenv(name);

  return v != NULL && strcasecmp(v, "true") == 0;
}

int wr_auth_url(const char *url, bool imds, struct wr_buf *out,
                struct wr_err *err)
{
  struct wr_endpoint ep;
  const char *rest;
  char base[WR_ENDPOINT_BASE_MAX + 16];
  size_t n;

  rest = strstr(url, "://");
  rest = rest != NULL ? rest + 3 : url;
  rest += strcspn(rest, "/?#");
  n = (size_t)(rest - url);
  if (n >= sizeof(base))
    return wr_err_set(err, WR_ECREDS, "URL too long");
  memcpy(base, url, n);
  base[n] = '\0';
  /* The metadata service is plain http on a link-local address. */
  if (imds && strcmp(base, "http://100.100.100.200") == 0) {
    wr_buf_reset(out);
    return wr_buf_adds(out, url) < 0 ? WR_ENOMEM : 0;
  }
  if (wr_endpoint_parse(base, false, &ep, err) < 0)
    return WR_ECREDS;
  wr_buf_reset(out);
  if (wr_buf_adds(out, ep.base) < 0 || wr_buf_adds(out, rest) < 0)
    return WR_ENOMEM;
  return 0;
}

static void cleanse(cJSON *item)
{
  for (; item != NULL; item = item->next) {
    if (item->valuestring != NULL)
      OPENSSL_cleanse(item->valuestring, strlen(item->valuestring));
    if (item->string != NULL)
      OPENSSL_cleanse(item->string, strlen(item->string));
    cleanse(item->child);
  }
}

void wr_auth_json_free(void *root)
{
  cleanse(root);
  cJSON_Delete(root);
}

static const char *jstr(const cJSON *obj, const char *key)
{
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

  return cJSON_IsString(it) && it->valuestring[0] != '\0' ? it->valuestring
                                                           : NULL;
}

int wr_auth_take_json(const void *obj, struct wr_creds *out,
                      const char *step, const char *source, const char *what,
                      struct wr_err *err)
{
  const char *id = jstr(obj, "AccessKeyId");
  const char *secret = jstr(obj, "AccessKeySecret");
  const char *token = jstr(obj, "SecurityToken");
  const char *exp = jstr(obj, "Expiration");
  int64_t ms = 0;

  if (id == NULL || secret == NULL || token == NULL || exp == NULL)
    return wr_err_set(err, WR_ECREDS, "%s: the answer has no %s", what,
                      id == NULL ? "AccessKeyId"
                      : secret == NULL ? "AccessKeySecret"
                      : token == NULL ? "SecurityToken" : "Expiration");
  if (wr_time_parse_rfc3339(exp, &ms) < 0)
    return wr_err_set(err, WR_ECREDS, "%s: Expiration is not a UTC time",
                      what);
  if (wr_creds_set(out, id, secret, token, step, "%s", source) < 0)
    return WR_ENOMEM;
  out->expires_ms = ms;
  return 0;
}

/* ---- the chain --------------------------------------------------------- */

static int step_oidc(struct wr_creds *out, struct wr_err *err)
{
  static const char *const vars[] = {
    "ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
    "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
  };
  struct wr_auth_role r;
  size_t i, set = 0;
  int rc;

  for (i = 0; i < 3; i++)
    set += wr_auth_env(vars[i]) != NULL;
  if (set == 0)
    return 0;
  if (set < 3) {
    for (i = 0; i < 2 && wr_auth_env(vars[i]) != NULL; i++)
      ;
    return wr_err_set(err, WR_ECREDS, "%s is not set (the three OIDC "
                      "variables go together)", vars[i]);
  }
  memset(&r, 0, sizeof(r));
  r.role_arn = wr_auth_env(vars[0]);
  r.provider_arn = wr_auth_env(vars[1]);
  r.token_file = wr_auth_env(vars[2]);
  r.session_name = wr_auth_env("ALIBABA_CLOUD_ROLE_SESSION_NAME");
  rc = wr_auth_assume_role_oidc(&r, out, "OIDC role (ALIBABA_CLOUD_ROLE_ARN)",
                                err);
  if (rc == 0)
    out->step = "oidc";
  return rc < 0 ? rc : 1;
}

static int step_ecs(struct wr_creds *out, struct wr_err *err)
{
  int rc;

  if (wr_auth_env_true("ALIBABA_CLOUD_ECS_METADATA_DISABLED"))
    return wr_err_set(err, WR_ECREDS, "disabled "
                      "(ALIBABA_CLOUD_ECS_METADATA_DISABLED)");
  rc = wr_auth_ecs(wr_auth_env("ALIBABA_CLOUD_ECS_METADATA"), out,
                   "ecs_ram_role", err);
  return rc < 0 ? rc : 1;
}

static int step_uri(struct wr_creds *out, struct wr_err *err)
{
  const char *uri = wr_auth_env("ALIBABA_CLOUD_CREDENTIALS_URI");
  int rc;

  if (uri == NULL)
    return 0;
  rc = wr_auth_uri(uri, out, "credentials_uri", err);
  return rc < 0 ? rc : 1;
}

static int step_env(struct wr_creds *out, struct wr_err *err)
{
  return wr_creds_from_env(out, err);
}

static int step_profile(struct wr_creds *out, struct wr_err *err)
{
  return wr_auth_profile(NULL, out, err);
}

struct step {
  const char *name;     /* in the final error */
  const char *unset;    /* the finding when it returns 0 */
  int (*fn)(struct wr_creds *out, struct wr_err *err);
  bool fatal;           /* an error stops the chain */
};

static const struct step steps[] = {
  /* Half an AccessKey in the environment is a mistake to show, not a
   * reason to pick other credentials. */
  {"environment", "ALIBABA_CLOUD_ACCESS_KEY_ID and _SECRET not set",
   step_env, true},
  {"OIDC", "ALIBABA_CLOUD_ROLE_ARN etc. not set", step_oidc, false},
  {"config.json", "no file", step_profile, false},
  {"credentials file", "no file or section", wr_auth_ini, false},
  {"ECS metadata", "no role", step_ecs, false},
  {"credentials URI", "ALIBABA_CLOUD_CREDENTIALS_URI not set", step_uri,
   false},
};

static int load_admin(const struct wr_config *cfg, struct wr_creds *out,
                      struct wr_err *err)
{
  struct wr_buf notes;
  struct wr_err e;
  size_t i;
  int rc;

  if (cfg->profile != NULL && cfg->profile[0] != '\0') {
    rc = wr_auth_profile(cfg->profile, out, err);
    return rc < 0 ? rc : 0;
  }
  wr_buf_init(&notes, 4096);
  for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
    memset(&e, 0, sizeof(e));
    rc = steps[i].fn(out, &e);
    if (rc == WR_ENOMEM)
      goto out;
    if (rc > 0) {
      rc = 0;
      goto out;
    }
    if (rc < 0 && steps[i].fatal) {
      *err = e;
      goto out;
    }
    if (rc < 0)
      wr_infof("credentials: %s: %s", steps[i].name, e.msg);
    if (wr_buf_addf(&notes, "%s%s: %.*s", i > 0 ? "; " : "", steps[i].name,
                    NOTE_MAX, rc < 0 ? e.msg : steps[i].unset) < 0) {
      rc = WR_ENOMEM;
      goto out;
    }
  }
  rc = wr_err_set(err, WR_ECREDS, "no credentials found (%s)",
                  wr_buf_str(&notes));
out:
  wr_buf_free(&notes);
  return rc;
}

int wr_auth_load(const struct wr_config *cfg, struct wr_creds *out,
                 struct wr_err *err)
{
  int rc;

  if (cfg->api == WR_API_CLIENT)
    return wr_creds_load_client(cfg, out, err);
  memset(out, 0, sizeof(*out));
  rc = load_admin(cfg, out, err);
  if (rc == 0) {
    char mask[WR_CREDS_MASK_LEN], ts[WR_TIME_RFC3339_LEN] = "";

    wr_creds_mask_id(out->access_key_id, mask);
    if (out->expires_ms > 0)
      wr_time_iso_seconds(out->expires_ms, ts);
    wr_infof("credentials: step %s, %s, AccessKey ID %s%s%s", out->step,
             out->source, mask, ts[0] ? ", expires " : "", ts);
  }
  if (rc == WR_ENOMEM)
    wr_err_set(err, WR_ENOMEM, "out of memory loading credentials");
  if (rc < 0)
    wr_creds_free(out);
  return rc;
}

/* ---- renewal ----------------------------------------------------------- */

/* The steps whose credentials can be fetched again. */
static const char *const renewable_steps[] = {
  "oidc", "cli_profile", "ini_profile", "ecs_ram_role", "credentials_uri",
  NULL,
};

bool wr_auth_renewable(const struct wr_creds *c)
{
  size_t i;

  if (c == NULL || c->expires_ms <= 0 || c->step == NULL)
    return false;
  for (i = 0; renewable_steps[i] != NULL; i++)
    if (strcmp(c->step, renewable_steps[i]) == 0)
      return true;
  return false;
}

int wr_auth_refresh(const struct wr_config *cfg, const struct wr_creds *cur,
                    struct wr_creds *out, struct wr_err *err)
{
  const char *step = cur->step != NULL ? cur->step : "";
  int rc;

  memset(out, 0, sizeof(*out));
  if (!wr_auth_renewable(cur))
    return wr_err_set(err, WR_ECREDS, "credentials from step '%s' cannot be "
                      "renewed", step);
  quiet = true;
  if (strcmp(step, "oidc") == 0)
    rc = step_oidc(out, err);
  else if (strcmp(step, "cli_profile") == 0)
    rc = wr_auth_profile(cfg->profile != NULL && cfg->profile[0] != '\0'
                             ? cfg->profile : NULL, out, err);
  else if (strcmp(step, "ini_profile") == 0)
    rc = wr_auth_ini(out, err);
  else if (strcmp(step, "ecs_ram_role") == 0)
    rc = step_ecs(out, err);
  else
    rc = step_uri(out, err);
  quiet = false;
  /* 0: the file or variable that named the step is gone now. */
  if (rc == 0)
    rc = wr_err_set(err, WR_ECREDS, "step '%s' no longer yields "
                    "credentials", step);
  if (rc == WR_ENOMEM)
    wr_err_set(err, WR_ENOMEM, "out of memory renewing the credentials");
  if (rc < 0) {
    wr_creds_free(out);
    return rc;
  }
  return 0;
}
