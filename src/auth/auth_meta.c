/* auth_meta: the ECS metadata service (the instance's RAM role) and a
 * credentials URI.
 *
 * Metadata, as credentials-go/java/python: PUT /latest/api/token (TTL
 * 21600 s), then GET the role name (unless given) and the credentials
 * with X-aliyun-ecs-metadata-token; without a token (IMDSv1) when the PUT
 * is refused, unless ALIBABA_CLOUD_IMDSV1_DISABLED=true.  1 s to connect
 * and 1 s to read each, so a machine off ECS moves on at once.  When the
 * PUT gets no answer at all the service is not there: we stop there
 * instead of a second timeout.  WUYING_REBOOT_TEST_METADATA_URL (loopback
 * only) points it at a test server. */
#include "auth_int.h"

#include "buf.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#define IMDS_BASE "http://100.100.100.200"
#define IMDS_MS 1000
#define ROLE_PATH "/latest/meta-data/ram/security-credentials/"
#define TOKEN_HDR "X-aliyun-ecs-metadata-token: "
#define URI_CONNECT_MS 5000
#define URI_TIMEOUT_MS 15000

static void trim(struct wr_buf *b)
{
  while (b->len > 0 && strchr(" \t\r\n", b->data[b->len - 1]) != NULL)
    b->data[--b->len] = '\0';
}

/* One metadata request; token NULL: none. */
static int imds(const char *base, const char *method, const char *path,
                const char *token, long *status, struct wr_buf *body,
                struct wr_err *err)
{
  const char *hdrs[2] = {NULL, NULL};
  struct wr_buf url, hdr;
  struct wr_fetch_req req;
  int rc;

  wr_buf_init(&url, 4096);
  wr_buf_init(&hdr, 4096);
  if (strcmp(method, "PUT") == 0)
    rc = wr_buf_adds(&hdr, "X-aliyun-ecs-metadata-token-ttl-seconds: 21600");
  else if (token != NULL)
    rc = wr_buf_addf(&hdr, TOKEN_HDR "%s", token);
  else
    rc = 0;
  if (rc == 0)
    rc = wr_buf_addf(&url, "%s%s", base, path);
  if (rc < 0) {
    rc = wr_err_set(err, WR_ECREDS, "metadata request too long");
    goto out;
  }
  hdrs[0] = hdr.len > 0 ? wr_buf_str(&hdr) : NULL;
  memset(&req, 0, sizeof(req));
  req.method = method;
  req.url = wr_buf_str(&url);
  req.headers = hdrs;
  req.connect_timeout_ms = IMDS_MS;
  req.timeout_ms = 2 * IMDS_MS;
  req.direct = 1;
  rc = wr_auth_fetch(&req, status, body, err);
out:
  wr_buf_free(&url);
  wr_buf_free_secret(&hdr);
  return rc;
}

/* GET path with the token, or without when v1 is allowed and it fails. */
static int imds_get(const char *base, const char *path, const char *token,
                    bool v1, struct wr_buf *body, struct wr_err *err)
{
  long status = 0;
  int rc = imds(base, "GET", path, token, &status, body, err);

  if ((rc < 0 || status != 200) && token != NULL && v1) {
    wr_buf_free_secret(body);
    rc = imds(base, "GET", path, NULL, &status, body, err);
  }
  if (rc < 0)
    return WR_ECREDS;
  if (status != 200) {
    wr_buf_free_secret(body);
    return wr_err_set(err, WR_ECREDS, "metadata GET %s: HTTP %ld%s",
                      path, status, status == 404
                      ? " (no such RAM role on this instance)" : "");
  }
  trim(body);
  return 0;
}

int wr_auth_ecs(const char *role, struct wr_creds *out, const char *step,
                struct wr_err *err)
{
  const char *test = wr_auth_env("WUYING_REBOOT_TEST_METADATA_URL");
  bool v1 = !wr_auth_env_true("ALIBABA_CLOUD_IMDSV1_DISABLED");
  struct wr_buf base, token, name, path, body;
  char source[256];
  cJSON *root = NULL;
  const cJSON *code;
  long status = 0;
  int rc;

  wr_buf_init(&base, 1024);
  wr_buf_init(&token, 4096);
  wr_buf_init(&name, 256);
  wr_buf_init(&path, 1024);
  wr_buf_init(&body, 1);
  if (test != NULL) {
    struct wr_buf u;

    /* Test servers only: loopback, never another host. */
    wr_buf_init(&u, 1024);
    rc = wr_auth_url(test, false, &u, err);
    if (rc == 0 && strstr(wr_buf_str(&u), "://127.") == NULL &&
        strstr(wr_buf_str(&u), "://localhost") == NULL &&
        strstr(wr_buf_str(&u), "://[::1]") == NULL)
      rc = wr_err_set(err, WR_ECREDS, "WUYING_REBOOT_TEST_METADATA_URL "
                      "must name a loopback host");
    if (rc == 0)
      rc = wr_buf_adds(&base, wr_buf_str(&u)) < 0 ? WR_ENOMEM : 0;
    wr_buf_free(&u);
    if (rc < 0)
      goto out;
  } else if (wr_buf_adds(&base, IMDS_BASE) < 0) {
    rc = WR_ENOMEM;
    goto out;
  }
  if (base.len > 0 && base.data[base.len - 1] == '/')
    base.data[--base.len] = '\0';
  /* The token: refused is IMDSv1, no answer is no metadata service. */
  rc = imds(wr_buf_str(&base), "PUT", "/latest/api/token", NULL, &status,
            &token, err);
  if (rc < 0) {
    rc = wr_err_set(err, WR_ECREDS, "metadata service %s: no answer "
                    "(not on ECS?)", wr_buf_str(&base));
    goto out;
  }
  trim(&token);
  if (status != 200 || token.len == 0) {
    wr_buf_free_secret(&token);
    if (!v1) {
      rc = wr_err_set(err, WR_ECREDS, "metadata token refused (HTTP %ld) "
                      "and ALIBABA_CLOUD_IMDSV1_DISABLED is true", status);
      goto out;
    }
  }
  if (role == NULL) {
    rc = imds_get(wr_buf_str(&base), ROLE_PATH,
                  token.len > 0 ? wr_buf_str(&token) : NULL, v1, &name, err);
    if (rc < 0)
      goto out;
    if (name.len == 0 || strpbrk(wr_buf_str(&name), "/\n ?#") != NULL) {
      rc = wr_err_set(err, WR_ECREDS, "the metadata service names no "
                      "usable RAM role");
      goto out;
    }
    role = wr_buf_str(&name);
  }
  if (wr_buf_addf(&path, ROLE_PATH "%s", role) < 0) {
    rc = wr_err_set(err, WR_ECREDS, "role name too long");
    goto out;
  }
  rc = imds_get(wr_buf_str(&base), wr_buf_str(&path),
                token.len > 0 ? wr_buf_str(&token) : NULL, v1, &body, err);
  if (rc < 0)
    goto out;
  root = cJSON_ParseWithLength(body.data ? body.data : "", body.len);
  code = cJSON_GetObjectItemCaseSensitive(root, "Code");
  if (!cJSON_IsString(code) || strcmp(code->valuestring, "Success") != 0) {
    rc = wr_err_set(err, WR_ECREDS, "metadata credentials of role '%.64s': "
                    "Code is not \"Success\"", role);
    goto out;
  }
  snprintf(source, sizeof(source), "ECS RAM role '%.64s' (metadata %s)",
           role, token.len > 0 ? "with token" : "v1");
  rc = wr_auth_take_json(root, out, step, source, "metadata credentials",
                         err);
out:
  wr_auth_json_free(root);
  wr_buf_free(&base);
  wr_buf_free_secret(&token);
  wr_buf_free(&name);
  wr_buf_free(&path);
  wr_buf_free_secret(&body);
  return rc;
}

int wr_auth_uri(const char *uri, struct wr_creds *out, const char *step,
                struct wr_err *err)
{
  struct wr_buf url, body;
  struct wr_fetch_req req;
  const cJSON *code;
  cJSON *root = NULL;
  char source[300];
  long status = 0;
  int rc;

  wr_buf_init(&url, 4096);
  wr_buf_init(&body, 1);
  if ((rc = wr_auth_url(uri, false, &url, err)) < 0)
    goto out;
  memset(&req, 0, sizeof(req));
  req.method = "GET";
  req.url = wr_buf_str(&url);
  req.connect_timeout_ms = URI_CONNECT_MS;
  req.timeout_ms = URI_TIMEOUT_MS;
  if (wr_auth_fetch(&req, &status, &body, err) < 0) {
    rc = WR_ECREDS;
    goto out;
  }
  if (status != 200) {
    rc = wr_err_set(err, WR_ECREDS, "credentials URI: HTTP %ld", status);
    goto out;
  }
  root = cJSON_ParseWithLength(body.data ? body.data : "", body.len);
  code = cJSON_GetObjectItemCaseSensitive(root, "Code");
  if (!cJSON_IsString(code) || strcmp(code->valuestring, "Success") != 0) {
    rc = wr_err_set(err, WR_ECREDS, "credentials URI: Code is not "
                    "\"Success\"");
    goto out;
  }
  /* The host only: a URI's path or query may carry a key. */
  snprintf(source, sizeof(source), "credentials URI %.*s",
           (int)(strcspn(wr_buf_str(&url) + strcspn(wr_buf_str(&url), ":") +
                         3, "/?#") + strcspn(wr_buf_str(&url), ":") + 3),
           wr_buf_str(&url));
  rc = wr_auth_take_json(root, out, step, source, "credentials URI", err);
out:
  wr_auth_json_free(root);
  wr_buf_free(&url);
  wr_buf_free_secret(&body);
  return rc;
}
