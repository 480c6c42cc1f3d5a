/* auth_profile: a profile of the aliyun CLI's ~/.aliyun/config.json
 * (ALIBABA_CLOUD_CONFIG_FILE names another file, as credentials-go).
 * Modes (any case, as the CLI): AK, StsToken, RamRoleArn,
 * ChainableRamRoleArn (source_profile, resolved recursively with a cycle
 * guard), EcsRamRole, OIDC, CredentialsURI.  External (process_command)
 * is refused: wuying-reboot runs no command from a config file. */
#include "auth_int.h"

#include "buf.h"
#include "log.h"

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define CONFIG_MAX (1 << 20)
#define CHAIN_MAX 8 /* source_profile hops */

static int read_file(const char *path, struct wr_buf *b, struct wr_err *err)
{
  FILE *f = fopen(path, "rb");
  char chunk[4096];
  size_t n;
  int rc = 0;

  if (f == NULL)
    return wr_err_set(err, WR_ECREDS, "%s: cannot open", path);
  while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    rc = wr_buf_add(b, chunk, n);
  if (rc == 0 && ferror(f))
    rc = WR_EIO;
  OPENSSL_cleanse(chunk, sizeof(chunk));
  fclose(f);
  if (rc < 0)
    return wr_err_set(err, WR_ECREDS, "%s: cannot read (%s)", path,
                      wr_strerror(rc));
  return 0;
}

static const char *str(const cJSON *obj, const char *key)
{
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

  return cJSON_IsString(item) && item->valuestring[0] != '\0'
             ? item->valuestring : NULL;
}

static long num(const cJSON *obj, const char *key)
{
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

  if (cJSON_IsNumber(item))
    return (long)item->valuedouble;
  if (cJSON_IsString(item))
    return strtol(item->valuestring, NULL, 10);
  return 0;
}

static bool flag(const cJSON *obj, const char *key)
{
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

  return cJSON_IsTrue(item) ||
         (cJSON_IsString(item) && strcasecmp(item->valuestring, "true") == 0);
}

static const cJSON *find(const cJSON *root, const char *name)
{
  const cJSON *it;

  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(root, "profiles")) {
    const char *n = str(it, "name");

    if (n != NULL && strcmp(n, name) == 0)
      return it;
  }
  return NULL;
}

struct ctx {
  const char *path;
  const cJSON *root;
  const char *seen[CHAIN_MAX + 1]; /* the profiles on the way here */
  int depth;
};

static void role_of(const cJSON *p, struct wr_auth_role *r)
{
  memset(r, 0, sizeof(*r));
  r->role_arn = str(p, "ram_role_arn");
  r->session_name = str(p, "ram_session_name");
  if (r->session_name == NULL)
    r->session_name = str(p, "role_session_name"); /* credentials-python */
  r->external_id = str(p, "external_id");
  r->policy = str(p, "policy");
  r->sts_region = str(p, "sts_region");
  r->sts_endpoint = str(p, "sts_endpoint");
  r->vpc = flag(p, "enable_vpc");
  r->duration_s = num(p, "expired_seconds");
}

static int resolve(struct ctx *x, const char *name, struct wr_creds *out,
                   struct wr_err *err);

static int need(const char *v, struct ctx *x, const char *name,
                const char *mode, const char *key, struct wr_err *err)
{
  if (v != NULL)
    return 0;
  return wr_err_set(err, WR_ECREDS, "%s: profile '%s' (mode %s) has no %s",
                    x->path, name, mode, key);
}

static int resolve_mode(struct ctx *x, const cJSON *p, const char *name,
                        const char *mode, struct wr_creds *out,
                        struct wr_err *err)
{
  const char *id = str(p, "access_key_id");
  const char *secret = str(p, "access_key_secret");
  char source[512];
  struct wr_auth_role r;
  struct wr_creds src;
  int rc;

  snprintf(source, sizeof(source), "profile '%.64s' in %.300s (mode %s)",
           name, x->path, mode);
  role_of(p, &r);
  if (strcasecmp(mode, "AK") == 0 || strcasecmp(mode, "StsToken") == 0) {
    bool sts = strcasecmp(mode, "StsToken") == 0;
    const char *token = sts ? str(p, "sts_token") : NULL;

    if ((rc = need(id, x, name, mode, "access_key_id", err)) < 0 ||
        (rc = need(secret, x, name, mode, "access_key_secret", err)) < 0 ||
        (sts && (rc = need(token, x, name, mode, "sts_token", err)) < 0))
      return rc;
    /* The first, which the report and older tests name. */
    snprintf(source, sizeof(source), "profile '%.64s' in %.300s", name,
             x->path);
    return wr_creds_set(out, id, secret, token, "cli_profile", "%s",
                        source) < 0 ? WR_ENOMEM : 0;
  }
  if (strcasecmp(mode, "RamRoleArn") == 0) {
    if ((rc = need(id, x, name, mode, "access_key_id", err)) < 0 ||
        (rc = need(secret, x, name, mode, "access_key_secret", err)) < 0 ||
        (rc = need(r.role_arn, x, name, mode, "ram_role_arn", err)) < 0)
      return rc;
    memset(&src, 0, sizeof(src));
    src.access_key_id = (char *)id;
    src.access_key_secret = (char *)secret;
    src.security_token = (char *)str(p, "sts_token");
    return wr_auth_assume_role(&src, &r, out, source, err);
  }
  if (strcasecmp(mode, "ChainableRamRoleArn") == 0) {
    const char *from = str(p, "source_profile");

    if ((rc = need(from, x, name, mode, "source_profile", err)) < 0 ||
        (rc = need(r.role_arn, x, name, mode, "ram_role_arn", err)) < 0)
      return rc;
    memset(&src, 0, sizeof(src));
    rc = resolve(x, from, &src, err);
    if (rc == 0)
      rc = wr_auth_assume_role(&src, &r, out, source, err);
    wr_creds_free(&src);
    return rc;
  }
  if (strcasecmp(mode, "EcsRamRole") == 0)
    return wr_auth_ecs(str(p, "ram_role_name"), out, "cli_profile", err);
  if (strcasecmp(mode, "OIDC") == 0) {
    r.provider_arn = str(p, "oidc_provider_arn");
    r.token_file = str(p, "oidc_token_file");
    if ((rc = need(r.provider_arn, x, name, mode, "oidc_provider_arn",
                   err)) < 0 ||
        (rc = need(r.token_file, x, name, mode, "oidc_token_file", err)) < 0 ||
        (rc = need(r.role_arn, x, name, mode, "ram_role_arn", err)) < 0)
      return rc;
    return wr_auth_assume_role_oidc(&r, out, source, err);
  }
  if (strcasecmp(mode, "CredentialsURI") == 0) {
    const char *uri = str(p, "credentials_uri");

    if (uri == NULL)
      uri = wr_auth_env("ALIBABA_CLOUD_CREDENTIALS_URI");
    if ((rc = need(uri, x, name, mode, "credentials_uri", err)) < 0)
      return rc;
    return wr_auth_uri(uri, out, "cli_profile", err);
  }
  if (strcasecmp(mode, "External") == 0)
    return wr_err_set(err, WR_ECREDS, "%s: profile '%s' uses mode External: "
                      "wuying-reboot does not run its process_command; "
                      "use another mode, or export the command's "
                      "credentials as ALIBABA_CLOUD_ACCESS_KEY_ID etc.",
                      x->path, name);
  return wr_err_set(err, WR_ECREDS, "%s: profile '%s' has the unknown mode "
                    "'%.40s' (supported: AK, StsToken, RamRoleArn, "
                    "ChainableRamRoleArn, EcsRamRole, OIDC, CredentialsURI)",
                    x->path, name, mode);
}

static int resolve(struct ctx *x, const char *name, struct wr_creds *out,
                   struct wr_err *err)
{
  const cJSON *p = find(x->root, name);
  const char *mode;
  int i, rc;

  for (i = 0; i < x->depth; i++)
    if (strcmp(x->seen[i], name) == 0)
      return wr_err_set(err, WR_ECREDS, "%s: profile '%s': source_profile "
                        "chain loops back to '%s'", x->path, x->seen[0],
                        name);
  if (x->depth == CHAIN_MAX)
    return wr_err_set(err, WR_ECREDS, "%s: profile '%s': source_profile "
                      "chain longer than %d", x->path, x->seen[0], CHAIN_MAX);
  if (p == NULL)
    return wr_err_set(err, WR_ECREDS, "%s: no profile named '%s'", x->path,
                      name);
  x->seen[x->depth++] = name;
  mode = str(p, "mode");
  rc = resolve_mode(x, p, name, mode != NULL ? mode : "AK", out, err);
  x->depth--;
  if (rc == 0)
    out->step = "cli_profile";
  return rc;
}

static int config_path(struct wr_buf *path, struct wr_err *err)
{
  const char *file = wr_auth_env("ALIBABA_CLOUD_CONFIG_FILE");
  const char *home = getenv("HOME");

  if (file != NULL)
    return wr_buf_adds(path, file) < 0
               ? wr_err_set(err, WR_ECREDS, "ALIBABA_CLOUD_CONFIG_FILE is "
                            "too long") : 0;
  if (home == NULL || home[0] == '\0')
    return wr_err_set(err, WR_ECREDS, "HOME is not set, so there is no "
                      "~/.aliyun/config.json");
  if (wr_buf_addf(path, "%s/.aliyun/config.json", home) < 0)
    return wr_err_set(err, WR_ECREDS, "HOME is too long");
  return 0;
}

int wr_auth_profile(const char *name, struct wr_creds *out,
                    struct wr_err *err)
{
  struct wr_buf path, text;
  struct stat st;
  struct ctx x;
  cJSON *root = NULL;
  int rc;

  wr_buf_init(&path, 4096);
  wr_buf_init(&text, CONFIG_MAX);
  if (name == NULL) {
    if (wr_auth_env_true("ALIBABA_CLOUD_IGNORE_PROFILE") ||
        wr_auth_env_true("ALIBABA_CLOUD_CLI_PROFILE_DISABLED")) {
      rc = wr_err_set(err, WR_ECREDS, "skipped (%s=TRUE)",
                      wr_auth_env_true("ALIBABA_CLOUD_IGNORE_PROFILE")
                          ? "ALIBABA_CLOUD_IGNORE_PROFILE"
                          : "ALIBABA_CLOUD_CLI_PROFILE_DISABLED");
      goto out;
    }
    name = wr_creds_env_profile();
  }
  if ((rc = config_path(&path, err)) < 0)
    goto out;
  if (stat(wr_buf_str(&path), &st) != 0) {
    rc = name == NULL ? 0
         : wr_err_set(err, WR_ECREDS, "%s: no such file (needed for "
                      "profile '%s')", wr_buf_str(&path), name);
    goto out;
  }
  if ((st.st_mode & (S_IRGRP | S_IROTH)) != 0 && !wr_auth_quiet())
    wr_warnf("%s is readable by other users; run: chmod 600 %s",
             wr_buf_str(&path), wr_buf_str(&path));
  if ((rc = read_file(wr_buf_str(&path), &text, err)) < 0)
    goto out;
  root = cJSON_ParseWithLength(text.data ? text.data : "", text.len);
  if (!cJSON_IsObject(root)) {
    const char *at = cJSON_GetErrorPtr(), *p;
    long line = 1;

    /* cJSON points just past the bad spot; count lines up to it. */
    if (root == NULL && at != NULL && text.data != NULL && at >= text.data &&
        at <= text.data + text.len)
      for (p = text.data; p < at; p++)
        line += *p == '\n';
    rc = wr_err_set(err, WR_ECREDS, "%s:%ld: not a valid aliyun CLI config "
                    "file (JSON object expected)", wr_buf_str(&path), line);
    goto out;
  }
  if (name == NULL && (name = str(root, "current")) == NULL) {
    rc = wr_err_set(err, WR_ECREDS, "%s: no \"current\" profile; choose "
                    "one with --profile NAME", wr_buf_str(&path));
    goto out;
  }
  memset(&x, 0, sizeof(x));
  x.path = wr_buf_str(&path);
  x.root = root;
  rc = resolve(&x, name, out, err);
  if (rc == 0)
    rc = 1;
out:
  wr_auth_json_free(root);
  wr_buf_free_secret(&text);
  wr_buf_free(&path);
  return rc;
}
