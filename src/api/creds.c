/* creds: where the secrets come from (API.md section 7) and how long
 * they live.  Keeping them out of every output is creds_redact.c. */
#include "creds.h"

#include "buf.h"
#include "err.h"
#include "log.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Secret options from the command line or a job file: file-static so
 * config.c never keeps a copy; wiped at process exit.  Only the client
 * API's: the management API's AccessKey has no option (the chain of
 * auth/ finds it; an AccessKey secret on a command line is what the
 * official tools avoid too). */
struct secret_opt {
  const char *name;  /* long option name */
  const char *env;   /* the variable to prefer */
  bool secret;       /* warn when given on the command line */
  char *value;
  bool warned;
};

static struct secret_opt opts[] = {
  {"login-token", "WUYING_LOGIN_TOKEN", true, NULL, false},
  {"session-id", "WUYING_SESSION_ID", true, NULL, false},
  {"session-token", "WUYING_SESSION_TOKEN", true, NULL, false},
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static const char *const env_key_id[] = {
  "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABACLOUD_ACCESS_KEY_ID",
  "ALICLOUD_ACCESS_KEY_ID", "ACCESS_KEY_ID", NULL,
};
static const char *const env_secret[] = {
  "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABACLOUD_ACCESS_KEY_SECRET",
  "ALICLOUD_ACCESS_KEY_SECRET", "ACCESS_KEY_SECRET", NULL,
};
static const char *const env_token[] = {
  "ALIBABA_CLOUD_SECURITY_TOKEN", "ALIBABACLOUD_SECURITY_TOKEN",
  "ALICLOUD_SECURITY_TOKEN", "SECURITY_TOKEN", NULL,
};
/* The aliyun CLI's order (config/configuration.go). */
static const char *const env_profile[] = {
  "ALIBABACLOUD_PROFILE", "ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE", NULL,
};

static void free_secret(char **p)
{
  if (*p != NULL) {
    OPENSSL_cleanse(*p, strlen(*p));
    free(*p);
    *p = NULL;
  }
}

static void wipe_opts(void)
{
  size_t i;

  for (i = 0; i < NOPTS; i++)
    free_secret(&opts[i].value);
}

int wr_creds_set_option(const char *name, const char *value, bool argv)
{
  static bool registered;
  size_t i;

  for (i = 0; i < NOPTS; i++)
    if (strcmp(opts[i].name, name) == 0)
      break;
  if (i == NOPTS || value == NULL)
    return WR_EINVAL;
  if (!registered) {
    if (atexit(wipe_opts) != 0)
      return WR_ENOMEM;
    registered = true;
  }
  free_secret(&opts[i].value);
  opts[i].value = strdup(value);
  if (opts[i].value == NULL)
    return WR_ENOMEM;
  if (argv && opts[i].secret && !opts[i].warned) {
    wr_warnf("--%s given as an option is visible in the process list; "
             "prefer the %s variable", name, opts[i].env);
    opts[i].warned = true;
  }
  return 0;
}

static const char *opt_value(const char *name)
{
  size_t i;

  for (i = 0; i < NOPTS; i++)
    if (strcmp(opts[i].name, name) == 0)
      return opts[i].value != NULL && opts[i].value[0] != '\0'
                 ? opts[i].value : NULL;
  return NULL;
}

/* First non-empty variable of the list; *which gets its name. */
static const char *first_env(const char *const *names, const char **which)
{
  size_t i;

  for (i = 0; names[i] != NULL; i++) {
    const char *v = getenv(names[i]);

    if (v != NULL && v[0] != '\0') {
      if (which != NULL)
        *which = names[i];
      return v;
    }
  }
  return NULL;
}

static int dup_field(char **dst, const char *src)
{
  if (src == NULL)
    return 0;
  *dst = strdup(src);
  return *dst != NULL ? 0 : WR_ENOMEM;
}

/* ---- admin: options and environment (the chain is auth/) ---------- */

int wr_creds_set(struct wr_creds *c, const char *id, const char *secret,
                 const char *token, const char *step, const char *fmt, ...)
{
  char text[1024];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  free_secret(&c->access_key_id);
  free_secret(&c->access_key_secret);
  free_secret(&c->security_token);
  free_secret(&c->source);
  c->step = step;
  if (dup_field(&c->access_key_id, id) < 0 ||
      dup_field(&c->access_key_secret, secret) < 0 ||
      dup_field(&c->security_token, token) < 0 ||
      dup_field(&c->source, text) < 0)
    return WR_ENOMEM;
  return 0;
}

int wr_creds_from_env(struct wr_creds *c, struct wr_err *err)
{
  const char *id_var = env_key_id[0], *secret_var = env_secret[0];
  const char *id, *secret, *token;

  id = first_env(env_key_id, &id_var);
  secret = first_env(env_secret, &secret_var);
  token = first_env(env_token, NULL);
  if (id != NULL && secret != NULL) {
    if (wr_creds_set(c, id, secret, token, "env", "environment (%s, %s)",
                     id_var, secret_var) < 0)
      return WR_ENOMEM;
    return 1;
  }
  if (id != NULL || secret != NULL || token != NULL)
    return wr_err_set(err, WR_ECREDS, "incomplete credentials in the "
                      "environment: %s is set but %s is not",
                      id != NULL ? id_var
                      : secret != NULL ? secret_var
                      : "ALIBABA_CLOUD_SECURITY_TOKEN",
                      id == NULL ? "ALIBABA_CLOUD_ACCESS_KEY_ID"
                                 : "ALIBABA_CLOUD_ACCESS_KEY_SECRET");
  return 0;
}

const char *wr_creds_env_profile(void)
{
  return first_env(env_profile, NULL);
}

static const char *opt_or_env(const char *opt, const char *env)
{
  const char *v = opt != NULL && opt[0] != '\0' ? opt : getenv(env);

  return v != NULL && v[0] != '\0' ? v : NULL;
}

static int load_client(const struct wr_config *cfg, struct wr_creds *c,
                       struct wr_err *err)
{
  const char *id = opt_or_env(cfg->client_id, "WUYING_CLIENT_ID");
  int rc;

  if (id == NULL)
    return wr_err_set(err, WR_ECREDS, "client API: no ClientId: give "
                      "--client-id or set WUYING_CLIENT_ID");
  if ((rc = dup_field(&c->client_id, id)) < 0 ||
      (rc = dup_field(&c->client_os,
                      opt_or_env(cfg->client_os, "WUYING_CLIENT_OS"))) < 0 ||
      (rc = dup_field(&c->client_version,
                      opt_or_env(cfg->client_version,
                                 "WUYING_CLIENT_VERSION"))) < 0 ||
      (rc = dup_field(&c->login_token,
                      opt_or_env(opt_value("login-token"),
                                 "WUYING_LOGIN_TOKEN"))) < 0 ||
      (rc = dup_field(&c->session_id,
                      opt_or_env(opt_value("session-id"),
                                 "WUYING_SESSION_ID"))) < 0 ||
      (rc = dup_field(&c->session_token,
                      opt_or_env(opt_value("session-token"),
                                 "WUYING_SESSION_TOKEN"))) < 0 ||
      (rc = dup_field(&c->source, "client session")) < 0)
    return rc;
  c->step = "client";
  /* Optional on the current reference page, but a call without either is
   * unlikely to be accepted. */
  if (c->login_token == NULL && c->session_id == NULL)
    wr_warnf("client API: neither WUYING_LOGIN_TOKEN nor WUYING_SESSION_ID "
             "is set; the service may refuse the calls");
  return 0;
}

int wr_creds_load_client(const struct wr_config *cfg, struct wr_creds *out,
                         struct wr_err *err)
{
  int rc;

  memset(out, 0, sizeof(*out));
  rc = load_client(cfg, out, err);
  if (rc == WR_ENOMEM)
    wr_err_set(err, WR_ENOMEM, "out of memory loading credentials");
  if (rc < 0)
    wr_creds_free(out);
  return rc;
}

void wr_creds_free(struct wr_creds *c)
{
  if (c == NULL)
    return;
  free_secret(&c->access_key_id);
  free_secret(&c->access_key_secret);
  free_secret(&c->security_token);
  free_secret(&c->client_id);
  free_secret(&c->client_os);
  free_secret(&c->client_version);
  free_secret(&c->login_token);
  free_secret(&c->session_id);
  free_secret(&c->session_token);
  free_secret(&c->source);
  c->step = NULL;
  c->expires_ms = 0;
}
