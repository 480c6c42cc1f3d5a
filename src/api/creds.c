/* creds: where the secrets come from (API.md section 7) and how long
 * they live.  Keeping them out of every output is creds_redact.c. */
#include "creds.h"

#include "buf.h"
#include "err.h"
#include "log.h"

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define CONFIG_MAX (1 << 20) /* ~/.aliyun/config.json */

/* Secret options from the command line or a job file: file-static so
 * config.c never keeps a copy; wiped at process exit. */
struct secret_opt {
  const char *name;  /* long option name */
  const char *env;   /* the variable to prefer */
  bool secret;       /* warn when given on the command line */
  char *value;
  bool warned;
};

static struct secret_opt opts[] = {
  {"access-key-id", "ALIBABA_CLOUD_ACCESS_KEY_ID", false, NULL, false},
  {"access-key-secret", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", true, NULL, false},
  {"security-token", "ALIBABA_CLOUD_SECURITY_TOKEN", true, NULL, false},
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

static int set_source(struct wr_creds *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int set_source(struct wr_creds *c, const char *fmt, ...)
{
  char text[1024];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  c->source = strdup(text);
  return c->source != NULL ? 0 : WR_ENOMEM;
}

/* ---- ~/.aliyun/config.json ---------------------------------------------- */

/* Wipe every string of a parsed tree before cJSON frees it. */
static void cleanse_json(cJSON *item)
{
  for (; item != NULL; item = item->next) {
    if (item->valuestring != NULL)
      OPENSSL_cleanse(item->valuestring, strlen(item->valuestring));
    cleanse_json(item->child);
  }
}

static int read_file(const char *path, char **text, size_t *len,
                     struct wr_err *err)
{
  FILE *f = fopen(path, "rb");
  struct wr_buf b;
  char chunk[4096];
  size_t n;
  int rc = 0;

  *text = NULL;
  *len = 0;
  wr_buf_init(&b, CONFIG_MAX);
  if (f == NULL)
    return wr_err_set(err, WR_ECREDS, "%s: cannot open", path);
  while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    rc = wr_buf_add(&b, chunk, n);
  if (rc == 0 && ferror(f))
    rc = WR_EIO;
  OPENSSL_cleanse(chunk, sizeof(chunk));
  fclose(f);
  if (rc < 0) {
    wr_buf_free_secret(&b);
    return wr_err_set(err, WR_ECREDS, "%s: cannot read (%s)", path,
                      wr_strerror(rc));
  }
  *len = b.len;
  *text = wr_buf_take(&b);
  return 0;
}

static const char *json_str(const cJSON *obj, const char *key)
{
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

  return cJSON_IsString(item) && item->valuestring[0] != '\0'
             ? item->valuestring : NULL;
}

static int load_profile(const char *path, const char *name,
                        struct wr_creds *c, struct wr_err *err)
{
  struct stat st;
  char *text = NULL;
  size_t len = 0;
  cJSON *root = NULL, *profile = NULL, *it;
  const char *mode, *id, *secret, *token = NULL;
  int rc;

  if (stat(path, &st) != 0)
    return wr_err_set(err, WR_ECREDS, "%s: no such file (needed for "
                      "profile '%s')", path, name != NULL ? name : "current");
  if ((st.st_mode & (S_IRGRP | S_IROTH)) != 0)
    wr_warnf("%s is readable by other users; run: chmod 600 %s", path,
             path);
  rc = read_file(path, &text, &len, err);
  if (rc < 0)
    goto out;
  root = cJSON_ParseWithLength(text, len);
  if (!cJSON_IsObject(root)) {
    const char *at = cJSON_GetErrorPtr();
    long line = 1;
    const char *p;

    /* cJSON points just past the bad spot; count lines up to it. */
    if (root == NULL && at != NULL && at >= text && at <= text + len)
      for (p = text; p < at; p++)
        line += *p == '\n';
    rc = wr_err_set(err, WR_ECREDS, "%s:%ld: not a valid aliyun CLI config "
                    "file (JSON object expected)", path, line);
    goto out;
  }
  if (name == NULL && (name = json_str(root, "current")) == NULL) {
    rc = wr_err_set(err, WR_ECREDS, "%s: no \"current\" profile; choose "
                    "one with --profile NAME", path);
    goto out;
  }
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(root, "profiles")) {
    const char *n = json_str(it, "name");

    if (n != NULL && strcmp(n, name) == 0) {
      profile = it;
      break;
    }
  }
  if (profile == NULL) {
    rc = wr_err_set(err, WR_ECREDS, "%s: no profile named '%s'", path, name);
    goto out;
  }
  mode = json_str(profile, "mode");
  if (mode == NULL)
    mode = "AK";
  if (strcasecmp(mode, "AK") != 0 && strcasecmp(mode, "StsToken") != 0) {
    rc = wr_err_set(err, WR_ECREDS, "%s: profile '%s' uses mode %s, which "
                    "is not supported yet (supported: AK, StsToken)", path,
                    name, mode);
    goto out;
  }
  id = json_str(profile, "access_key_id");
  secret = json_str(profile, "access_key_secret");
  if (strcasecmp(mode, "StsToken") == 0)
    token = json_str(profile, "sts_token");
  if (id == NULL || secret == NULL ||
      (strcasecmp(mode, "StsToken") == 0 && token == NULL)) {
    rc = wr_err_set(err, WR_ECREDS, "%s: profile '%s' (mode %s) has no %s",
                    path, name, mode,
                    id == NULL ? "access_key_id"
                    : secret == NULL ? "access_key_secret" : "sts_token");
    goto out;
  }
  if ((rc = dup_field(&c->access_key_id, id)) < 0 ||
      (rc = dup_field(&c->access_key_secret, secret)) < 0 ||
      (rc = dup_field(&c->security_token, token)) < 0 ||
      (rc = set_source(c, "profile '%s' in %s", name, path)) < 0)
    goto out;
  rc = 0;
out:
  if (root != NULL) {
    cleanse_json(root);
    cJSON_Delete(root);
  }
  if (text != NULL) {
    OPENSSL_cleanse(text, len);
    free(text);
  }
  return rc;
}

static int config_path(struct wr_buf *path, struct wr_err *err)
{
  const char *home = getenv("HOME");

  if (home == NULL || home[0] == '\0')
    return wr_err_set(err, WR_ECREDS, "no credentials: set "
                      "ALIBABA_CLOUD_ACCESS_KEY_ID and "
                      "ALIBABA_CLOUD_ACCESS_KEY_SECRET (HOME is not set, so "
                      "there is no ~/.aliyun/config.json)");
  if (wr_buf_addf(path, "%s/.aliyun/config.json", home) < 0)
    return wr_err_set(err, WR_ECREDS, "HOME is too long");
  return 0;
}

/* ---- admin and client --------------------------------------------------- */

static int load_admin(const struct wr_config *cfg, struct wr_creds *c,
                      struct wr_err *err)
{
  const char *id_var = env_key_id[0], *secret_var = env_secret[0];
  const char *id, *secret, *token, *profile, *ignore;
  struct wr_buf path;
  struct stat st;
  int rc;

  wr_buf_init(&path, 4096);
  /* 1. Options (command line or job file). */
  if (opt_value("access-key-secret") != NULL) {
    id = opt_value("access-key-id");
    if (id == NULL)
      id = first_env(env_key_id, NULL);
    if (id == NULL) {
      rc = wr_err_set(err, WR_ECREDS, "--access-key-secret is given but no "
                      "AccessKey ID: set ALIBABA_CLOUD_ACCESS_KEY_ID");
      goto out;
    }
    token = opt_value("security-token");
    if (token == NULL)
      token = first_env(env_token, NULL);
    if ((rc = dup_field(&c->access_key_id, id)) < 0 ||
        (rc = dup_field(&c->access_key_secret,
                        opt_value("access-key-secret"))) < 0 ||
        (rc = dup_field(&c->security_token, token)) < 0 ||
        (rc = set_source(c, "options")) < 0)
      goto out;
    goto out; /* rc is 0 */
  }
  /* 2. An explicit --profile. */
  if (cfg->profile != NULL && cfg->profile[0] != '\0') {
    if ((rc = config_path(&path, err)) == 0)
      rc = load_profile(wr_buf_str(&path), cfg->profile, c, err);
    goto out;
  }
  /* 3. The environment. */
  id = first_env(env_key_id, &id_var);
  secret = first_env(env_secret, &secret_var);
  token = first_env(env_token, NULL);
  if (id != NULL && secret != NULL) {
    if ((rc = dup_field(&c->access_key_id, id)) < 0 ||
        (rc = dup_field(&c->access_key_secret, secret)) < 0 ||
        (rc = dup_field(&c->security_token, token)) < 0 ||
        (rc = set_source(c, "environment (%s, %s)", id_var,
                         secret_var)) < 0)
      goto out;
    goto out; /* rc is 0 */
  }
  if (id != NULL || secret != NULL || token != NULL) {
    rc = wr_err_set(err, WR_ECREDS, "incomplete credentials in the "
                    "environment: %s is set but %s is not",
                    id != NULL ? id_var
                    : secret != NULL ? secret_var
                    : "ALIBABA_CLOUD_SECURITY_TOKEN",
                    id == NULL ? "ALIBABA_CLOUD_ACCESS_KEY_ID"
                               : "ALIBABA_CLOUD_ACCESS_KEY_SECRET");
    goto out;
  }
  /* 4. The aliyun CLI config file: env-named profile, else "current". */
  ignore = getenv("ALIBABA_CLOUD_IGNORE_PROFILE");
  if (ignore != NULL && strcasecmp(ignore, "TRUE") == 0) {
    rc = wr_err_set(err, WR_ECREDS, "no credentials: set "
                    "ALIBABA_CLOUD_ACCESS_KEY_ID and "
                    "ALIBABA_CLOUD_ACCESS_KEY_SECRET "
                    "(ALIBABA_CLOUD_IGNORE_PROFILE=TRUE skips the aliyun "
                    "CLI config file)");
    goto out;
  }
  if ((rc = config_path(&path, err)) < 0)
    goto out;
  profile = first_env(env_profile, NULL);
  if (profile == NULL && stat(wr_buf_str(&path), &st) != 0) {
    rc = wr_err_set(err, WR_ECREDS, "no credentials: set "
                    "ALIBABA_CLOUD_ACCESS_KEY_ID and "
                    "ALIBABA_CLOUD_ACCESS_KEY_SECRET, or configure a profile "
                    "in %s (aliyun configure)", wr_buf_str(&path));
    goto out;
  }
  rc = load_profile(wr_buf_str(&path), profile, c, err);
out:
  wr_buf_free(&path);
  return rc;
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
      (rc = set_source(c, "client session")) < 0)
    return rc;
  /* Optional on the current reference page, but a call without either is
   * unlikely to be accepted. */
  if (c->login_token == NULL && c->session_id == NULL)
    wr_warnf("client API: neither WUYING_LOGIN_TOKEN nor WUYING_SESSION_ID "
             "is set; the service may refuse the calls");
  return 0;
}

int wr_creds_load(const struct wr_config *cfg, struct wr_creds *out,
                  struct wr_err *err)
{
  int rc;

  memset(out, 0, sizeof(*out));
  if (cfg->api == WR_API_CLIENT)
    rc = load_client(cfg, out, err);
  else
    rc = load_admin(cfg, out, err);
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
}
