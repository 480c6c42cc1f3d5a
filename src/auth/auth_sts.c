#define _GNU_SOURCE /* strcasestr */
/* auth_sts: STS 2015-04-01 AssumeRole (RPC, signature V1, POST with the
 * common parameters in the query and the operation's in a form body, as
 * credentials-go and the generated SDK send it) and AssumeRoleWithOIDC
 * (the same, anonymous).  The host: an explicit endpoint, else
 * sts[-vpc].<region>.aliyuncs.com, else sts.aliyuncs.com; https, or http
 * to loopback only (the test servers). */
#include "auth_int.h"

#include "buf.h"
#include "clock.h"
#include "sign.h"
#include "uuid.h"

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STS_VERSION "2015-04-01"
#define CONNECT_MS 5000
#define TIMEOUT_MS 15000     /* connect 5 s + read 10 s, as the SDKs */
#define OIDC_TOKEN_MAX 20000 /* the API's bound */
#define PARAMS_MAX 16

/* The STS base URL of r into out. */
static int sts_url(const struct wr_auth_role *r, struct wr_buf *out,
                   struct wr_err *err)
{
  const char *ep = r->sts_endpoint, *region = r->sts_region;
  bool vpc = r->vpc || wr_auth_env_true("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED");
  struct wr_buf url;
  int rc;

  wr_buf_init(&url, 1024);
  if (ep == NULL)
    ep = wr_auth_env("ALIBABA_CLOUD_STS_ENDPOINT");
  if (region == NULL)
    region = wr_auth_env("ALIBABA_CLOUD_STS_REGION");
  if (ep != NULL)
    rc = wr_buf_addf(&url, "%s%s", strstr(ep, "://") ? "" : "https://", ep);
  else if (region != NULL)
    rc = wr_buf_addf(&url, "https://%s.%s.aliyuncs.com",
                     vpc ? "sts-vpc" : "sts", region);
  else
    rc = wr_buf_adds(&url, "https://sts.aliyuncs.com");
  if (rc < 0) {
    wr_buf_free(&url);
    return wr_err_set(err, WR_ECREDS, "STS endpoint too long");
  }
  /* A trailing "/" is allowed; a path is not. */
  if (url.len > 8 && wr_buf_str(&url)[url.len - 1] == '/')
    url.data[--url.len] = '\0';
  rc = wr_auth_url(wr_buf_str(&url), false, out, err);
  if (rc == 0 && strchr(strstr(wr_buf_str(out), "://") + 3, '/') != NULL)
    rc = wr_err_set(err, WR_ECREDS, "STS endpoint %s: a path is not "
                    "allowed", wr_buf_str(&url));
  wr_buf_free(&url);
  return rc;
}

static void add(struct wr_param *p, size_t *n, const char *name,
                const char *value)
{
  if (value != NULL && *n < PARAMS_MAX) {
    p[*n].name = name;
    p[*n].value = value;
    (*n)++;
  }
}

/* Why STS said no: Code and Message, with src's secrets masked. */
static int sts_error(const struct wr_creds *src, const char *oidc_token,
                     long status, const struct wr_buf *body,
                     const char *action, struct wr_err *err)
{
  cJSON *root = cJSON_ParseWithLength(body->data ? body->data : "",
                                      body->len);
  const cJSON *code = cJSON_GetObjectItemCaseSensitive(root, "Code");
  const cJSON *msg = cJSON_GetObjectItemCaseSensitive(root, "Message");
  struct wr_buf safe;
  struct wr_creds none;

  memset(&none, 0, sizeof(none));
  none.security_token = (char *)oidc_token;
  wr_buf_init(&safe, 4096);
  if (cJSON_IsString(msg)) {
    /* A signature error quotes the string to sign, which holds the
     * SecurityToken encoded twice: never past that point. */
    char *cut = strcasestr(msg->valuestring, "string to sign");

    if (cut != NULL)
      *cut = '\0';
    if (wr_creds_redact(src != NULL ? src : &none, msg->valuestring,
                        &safe) < 0)
      wr_buf_reset(&safe);
  }
  wr_err_set(err, WR_ECREDS, "STS %s: HTTP %ld %s%s%.200s", action, status,
             cJSON_IsString(code) ? code->valuestring : "(no error code)",
             safe.len > 0 ? ": " : "", wr_buf_str(&safe));
  wr_buf_free_secret(&safe);
  cJSON_Delete(root);
  return WR_ECREDS;
}

/* Send the call; params[0..nq) go in the query, the rest in the body. */
static int sts_call(const struct wr_creds *src, const struct wr_auth_role *r,
                    struct wr_param *q, size_t nq, struct wr_param *b,
                    size_t nb, struct wr_creds *out, const char *source,
                    const char *action, struct wr_err *err)
{
  static const char *const hdrs[] = {
    "Content-Type: application/x-www-form-urlencoded",
    "Accept: application/json", "Accept-Encoding: identity", NULL,
  };
  struct wr_param all[2 * PARAMS_MAX];
  struct wr_buf url, body, sig, resp, enc;
  struct wr_fetch_req req;
  cJSON *root = NULL;
  long status = 0;
  size_t i;
  int rc;

  wr_buf_init(&url, 64 * 1024);
  wr_buf_init(&body, 64 * 1024);
  wr_buf_init(&sig, 256);
  wr_buf_init(&enc, 1024);
  wr_buf_init(&resp, 1);
  if ((rc = sts_url(r, &url, err)) < 0)
    goto out;
  if (src != NULL) {
    /* V1 signs the union of query and body. */
    for (i = 0; i < nq; i++)
      all[i] = q[i];
    for (i = 0; i < nb; i++)
      all[nq + i] = b[i];
    rc = wr_sign_v1("POST", all, nq + nb, src->access_key_secret, &sig,
                    NULL);
    if (rc == 0)
      rc = wr_percent_encode(sig.data, sig.len, &enc);
  }
  if (rc == 0)
    rc = wr_buf_adds(&url, "/?");
  if (rc == 0)
    rc = wr_canonical_query(q, nq, &url);
  if (rc == 0 && src != NULL)
    rc = wr_buf_addf(&url, "&Signature=%s", wr_buf_str(&enc));
  if (rc == 0)
    rc = wr_canonical_query(b, nb, &body);
  if (rc < 0) {
    rc = wr_err_set(err, WR_ENOMEM, "out of memory");
    goto out;
  }
  memset(&req, 0, sizeof(req));
  req.method = "POST";
  req.url = wr_buf_str(&url);
  req.headers = hdrs;
  req.body = wr_buf_str(&body);
  req.body_len = body.len;
  req.connect_timeout_ms = CONNECT_MS;
  req.timeout_ms = TIMEOUT_MS;
  rc = wr_auth_fetch(&req, &status, &resp, err);
  if (rc < 0) {
    char msg[WR_ERR_LEN];

    snprintf(msg, sizeof(msg), "%s", err != NULL ? err->msg : "");
    rc = wr_err_set(err, WR_ECREDS, "STS %s: %s", action, msg);
    goto out;
  }
  if (status != 200) {
    for (i = 0; i < nb && strcmp(b[i].name, "OIDCToken") != 0; i++)
      ;
    rc = sts_error(src, i < nb ? b[i].value : NULL, status, &resp, action,
                   err);
    goto out;
  }
  root = cJSON_ParseWithLength(resp.data ? resp.data : "", resp.len);
  if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root,
                                                       "Credentials"))) {
    rc = wr_err_set(err, WR_ECREDS, "STS %s: HTTP 200 without Credentials",
                    action);
    goto out;
  }
  rc = wr_auth_take_json(cJSON_GetObjectItemCaseSensitive(root,
                                                          "Credentials"),
                         out, "", source, action, err);
out:
  wr_auth_json_free(root);
  if (rc < 0 && rc != WR_ENOMEM && err != NULL) {
    char msg[WR_ERR_LEN];

    snprintf(msg, sizeof(msg), "%s", err->msg);
    wr_err_set(err, rc, "%.200s: %s", source, msg);
  }
  wr_buf_free_secret(&url);
  wr_buf_free_secret(&body);
  wr_buf_free_secret(&sig);
  wr_buf_free_secret(&enc);
  wr_buf_free_secret(&resp);
  return rc;
}

/* The parameters both calls share. */
struct common {
  char ts[WR_TIME_RFC3339_LEN];
  char nonce[WR_UUID_LEN];
  char duration[24];
  char session[64];
};

static int fill_common(const struct wr_auth_role *r, struct common *c,
                       struct wr_err *err)
{
  long d = r->duration_s > 0 ? r->duration_s : 3600;

  if (d < 900)
    return wr_err_set(err, WR_ECREDS, "the role session lasts %ld s; STS "
                      "needs at least 900", d);
  if (r->role_arn == NULL)
    return wr_err_set(err, WR_ECREDS, "no role ARN");
  wr_time_iso_seconds(wr_clock_wall_ms(), c->ts);
  if (wr_uuid4(c->nonce) < 0)
    return wr_err_set(err, WR_EIO, "cannot make a nonce");
  snprintf(c->duration, sizeof(c->duration), "%ld", d);
  if (r->session_name != NULL)
    snprintf(c->session, sizeof(c->session), "%s", r->session_name);
  else
    snprintf(c->session, sizeof(c->session), "wuying-reboot-%lld",
             (long long)(wr_clock_wall_ms() / 1000));
  return 0;
}

int wr_auth_assume_role(const struct wr_creds *src,
                        const struct wr_auth_role *r, struct wr_creds *out,
                        const char *source, struct wr_err *err)
{
  struct wr_param q[PARAMS_MAX], b[PARAMS_MAX];
  struct common c;
  size_t nq = 0, nb = 0;
  int rc;

  if ((rc = fill_common(r, &c, err)) < 0)
    return rc;
  add(q, &nq, "Action", "AssumeRole");
  add(q, &nq, "Version", STS_VERSION);
  add(q, &nq, "Format", "JSON");
  add(q, &nq, "Timestamp", c.ts);
  add(q, &nq, "SignatureMethod", "HMAC-SHA1");
  add(q, &nq, "SignatureVersion", "1.0");
  add(q, &nq, "SignatureNonce", c.nonce);
  add(q, &nq, "AccessKeyId", src->access_key_id);
  add(q, &nq, "SecurityToken", src->security_token);
  add(b, &nb, "RoleArn", r->role_arn);
  add(b, &nb, "RoleSessionName", c.session);
  add(b, &nb, "DurationSeconds", c.duration);
  add(b, &nb, "Policy", r->policy);
  add(b, &nb, "ExternalId", r->external_id);
  return sts_call(src, r, q, nq, b, nb, out, source, "AssumeRole", err);
}

/* The token file, read now (it rotates). */
static int read_token(const char *path, struct wr_buf *out,
                      struct wr_err *err)
{
  FILE *f = fopen(path, "rb");
  char chunk[4096];
  size_t n;
  int rc = 0;

  if (f == NULL)
    return wr_err_set(err, WR_ECREDS, "OIDC token file %s: cannot open",
                      path);
  while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    rc = wr_buf_add(out, chunk, n);
  OPENSSL_cleanse(chunk, sizeof(chunk));
  fclose(f);
  while (rc == 0 && out->len > 0 &&
         strchr(" \t\r\n", out->data[out->len - 1]) != NULL)
    out->data[--out->len] = '\0';
  if (rc < 0 || out->len < 4)
    return wr_err_set(err, WR_ECREDS, "OIDC token file %s: %s", path,
                      rc < 0 ? "too big (20,000 bytes at most)" : "empty");
  return 0;
}

int wr_auth_assume_role_oidc(const struct wr_auth_role *r,
                             struct wr_creds *out, const char *source,
                             struct wr_err *err)
{
  struct wr_param q[PARAMS_MAX], b[PARAMS_MAX];
  struct wr_buf token;
  struct common c;
  size_t nq = 0, nb = 0;
  int rc;

  if ((rc = fill_common(r, &c, err)) < 0)
    return rc;
  if (r->provider_arn == NULL || r->token_file == NULL)
    return wr_err_set(err, WR_ECREDS, "OIDC needs a provider ARN and a "
                      "token file");
  wr_buf_init(&token, OIDC_TOKEN_MAX);
  if ((rc = read_token(r->token_file, &token, err)) < 0)
    goto out;
  add(q, &nq, "Action", "AssumeRoleWithOIDC");
  add(q, &nq, "Version", STS_VERSION);
  add(q, &nq, "Format", "JSON");
  add(q, &nq, "Timestamp", c.ts);
  add(b, &nb, "RoleArn", r->role_arn);
  add(b, &nb, "OIDCProviderArn", r->provider_arn);
  add(b, &nb, "OIDCToken", wr_buf_str(&token));
  add(b, &nb, "RoleSessionName", c.session);
  add(b, &nb, "DurationSeconds", c.duration);
  add(b, &nb, "Policy", r->policy);
  rc = sts_call(NULL, r, q, nq, b, nb, out, source, "AssumeRoleWithOIDC",
                err);
out:
  wr_buf_free_secret(&token);
  return rc;
}
