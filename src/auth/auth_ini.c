/* auth_ini: the credentials libraries' INI file.
 *
 * Where the libraries disagree (CREDENTIALS.md 2.4) we take: the path
 * ALIBABA_CLOUD_CREDENTIALS_FILE, else ~/.alibabacloud/credentials
 * (credentials-go), else ~/.alibabacloud/credentials.ini (Java, Python);
 * the section ALIBABA_CLOUD_PROFILE, else [default]; "enable = false"
 * skips the section (Java requires true; Go and Python ignore the key);
 * types access_key, ram_role_arn, ecs_ram_role, oidc_role_arn.  Lines
 * starting with '#' or ';' are comments; a value is taken whole (no
 * inline comments: a secret may hold '#'). */
#include "auth_int.h"

#include "buf.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LINE_MAX_LEN 4096
#define KEYS_MAX 16

struct kv {
  char key[64];
  char *value;
};

struct section {
  struct kv kv[KEYS_MAX];
  size_t n;
};

static void section_free(struct section *s)
{
  size_t i;

  /* Every slot (they start NULL), not only the first n: the values are
   * secrets, and a slot is never set without being counted. */
  for (i = 0; i < KEYS_MAX; i++) {
    if (s->kv[i].value != NULL)
      OPENSSL_cleanse(s->kv[i].value, strlen(s->kv[i].value));
    free(s->kv[i].value);
    s->kv[i].value = NULL;
  }
  s->n = 0;
}

static const char *get(const struct section *s, const char *key)
{
  size_t i;

  for (i = 0; i < s->n; i++)
    if (strcmp(s->kv[i].key, key) == 0 && s->kv[i].value[0] != '\0')
      return s->kv[i].value;
  return NULL;
}

static char *strip(char *s)
{
  char *e;

  while (isspace((unsigned char)*s))
    s++;
  e = s + strlen(s);
  while (e > s && isspace((unsigned char)e[-1]))
    *--e = '\0';
  return s;
}

/* Read section want of path into s: 1 found, 0 not there. */
static int read_section(FILE *f, const char *path, const char *want,
                        struct section *s, struct wr_err *err)
{
  char line[LINE_MAX_LEN];
  bool in = false, found = false;
  long n = 0;
  int rc = 0;

  while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
    char *p = strip(line), *eq;

    n++;
    if (*p == '\0' || *p == '#' || *p == ';')
      continue;
    if (*p == '[') {
      char *end = strchr(p, ']');

      if (end == NULL) {
        rc = wr_err_set(err, WR_ECREDS, "%s:%ld: a section name without "
                        "']'", path, n);
        break;
      }
      *end = '\0';
      in = strcmp(strip(p + 1), want) == 0;
      found = found || in;
      continue;
    }
    if (!in)
      continue;
    eq = strchr(p, '=');
    if (eq == NULL) {
      rc = wr_err_set(err, WR_ECREDS, "%s:%ld: expected key = value", path,
                      n);
      break;
    }
    *eq = '\0';
    if (s->n == KEYS_MAX || strlen(strip(p)) >= sizeof(s->kv[0].key))
      continue; /* not a key we read */
    snprintf(s->kv[s->n].key, sizeof(s->kv[0].key), "%s", strip(p));
    s->kv[s->n].value = strdup(strip(eq + 1));
    if (s->kv[s->n].value == NULL)
      rc = WR_ENOMEM;
    else
      s->n++;
  }
  OPENSSL_cleanse(line, sizeof(line));
  return rc < 0 ? rc : found;
}

static FILE *open_file(struct wr_buf *path, struct wr_err *err, int *rc)
{
  const char *file = wr_auth_env("ALIBABA_CLOUD_CREDENTIALS_FILE");
  const char *home = getenv("HOME");
  FILE *f;

  *rc = 0;
  if (file != NULL) {
    wr_buf_adds(path, file);
    f = fopen(file, "r");
    if (f == NULL)
      *rc = wr_err_set(err, WR_ECREDS, "%s (ALIBABA_CLOUD_CREDENTIALS_FILE): "
                       "cannot open", file);
    return f;
  }
  if (home == NULL || home[0] == '\0')
    return NULL;
  if (wr_buf_addf(path, "%s/.alibabacloud/credentials", home) < 0)
    return NULL;
  f = fopen(wr_buf_str(path), "r");
  if (f != NULL)
    return f;
  wr_buf_adds(path, ".ini");
  return fopen(wr_buf_str(path), "r");
}

int wr_auth_ini(struct wr_creds *out, struct wr_err *err)
{
  const char *want = wr_creds_env_profile();
  const char *type, *enable;
  struct wr_buf path;
  struct section s;
  struct wr_auth_role r;
  struct wr_creds src;
  char source[512];
  FILE *f;
  int rc;

  if (want == NULL)
    want = "default";
  memset(&s, 0, sizeof(s));
  wr_buf_init(&path, 4096);
  f = open_file(&path, err, &rc);
  if (f == NULL)
    goto out; /* rc: 0 (no file) or the named file's error */
  rc = read_section(f, wr_buf_str(&path), want, &s, err);
  fclose(f);
  if (rc <= 0)
    goto out;
  snprintf(source, sizeof(source), "%.300s [%.64s]", wr_buf_str(&path),
           want);
  enable = get(&s, "enable");
  if (enable != NULL && strcasecmp(enable, "false") == 0) {
    rc = wr_err_set(err, WR_ECREDS, "%s: [%s] has enable = false",
                    wr_buf_str(&path), want);
    goto out;
  }
  type = get(&s, "type");
  memset(&r, 0, sizeof(r));
  r.role_arn = get(&s, "role_arn");
  r.session_name = get(&s, "role_session_name");
  r.policy = get(&s, "policy");
  r.sts_region = get(&s, "sts_region");
  if (type == NULL || strcmp(type, "access_key") == 0 ||
      strcmp(type, "ram_role_arn") == 0) {
    const char *id = get(&s, "access_key_id");
    const char *secret = get(&s, "access_key_secret");

    if (id == NULL || secret == NULL) {
      rc = wr_err_set(err, WR_ECREDS, "%s: [%s] has no %s",
                      wr_buf_str(&path), want,
                      id == NULL ? "access_key_id" : "access_key_secret");
      goto out;
    }
    if (type != NULL && strcmp(type, "ram_role_arn") == 0) {
      if (r.role_arn == NULL) {
        rc = wr_err_set(err, WR_ECREDS, "%s: [%s] has no role_arn",
                        wr_buf_str(&path), want);
        goto out;
      }
      memset(&src, 0, sizeof(src));
      src.access_key_id = (char *)id;
      src.access_key_secret = (char *)secret;
      rc = wr_auth_assume_role(&src, &r, out, source, err);
    } else {
      rc = wr_creds_set(out, id, secret, NULL, "ini_profile", "%s",
                        source) < 0 ? WR_ENOMEM : 0;
    }
  } else if (strcmp(type, "ecs_ram_role") == 0) {
    rc = wr_auth_ecs(get(&s, "role_name"), out, "ini_profile", err);
  } else if (strcmp(type, "oidc_role_arn") == 0) {
    r.provider_arn = get(&s, "oidc_provider_arn");
    r.token_file = get(&s, "oidc_token_file_path");
    if (r.role_arn == NULL || r.provider_arn == NULL ||
        r.token_file == NULL) {
      rc = wr_err_set(err, WR_ECREDS, "%s: [%s] (oidc_role_arn) needs "
                      "role_arn, oidc_provider_arn and oidc_token_file_path",
                      wr_buf_str(&path), want);
      goto out;
    }
    rc = wr_auth_assume_role_oidc(&r, out, source, err);
  } else {
    rc = wr_err_set(err, WR_ECREDS, "%s: [%s] has the unknown type "
                    "'%.40s' (supported: access_key, ram_role_arn, "
                    "ecs_ram_role, oidc_role_arn)", wr_buf_str(&path), want,
                    type);
  }
  if (rc == 0) {
    out->step = "ini_profile";
    rc = 1;
  }
out:
  section_free(&s);
  wr_buf_free(&path);
  return rc;
}
