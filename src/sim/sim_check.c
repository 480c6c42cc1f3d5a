#include "sim_check.h"

#include "buf.h"
#include "clock.h"
#include "err.h"
#include "sign.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MSG_MISSING "The input parameter \"%s\" that is mandatory for " \
                    "processing this request is not supplied."
#define MSG_SIGNATURE "Specified signature does not match our calculation."

const char *wr_sim_header_get(const struct wr_sim_request *req,
                              const char *name)
{
  size_t i;

  for (i = 0; i < req->nheaders; i++)
    if (strcasecmp(req->headers[i].name, name) == 0)
      return req->headers[i].value;
  return NULL;
}

void wr_sim_call_free(struct wr_sim_call *call)
{
  wr_sim_params_free(&call->params);
  free(call->ids);
  call->ids = NULL;
  wr_sim_select_free(&call->sel);
}

static int fail(struct wr_sim_call *call, int status, const char *code,
                int violation, const char *msg, const char *arg)
{
  call->failed = true;
  return wr_sim_error_set(&call->err, status, code, violation, msg,
                          arg ? arg : "");
}

static int missing(struct wr_sim_call *call, const char *name)
{
  return fail(call, 400, "MissingParameter", WR_SIM_V_MISSING_PARAMETER,
              MSG_MISSING, name);
}

static bool secret_eq(const char *a, const char *b)
{
  size_t la = strlen(a);

  return la == strlen(b) && CRYPTO_memcmp(a, b, la) == 0;
}

static int check_time(struct wr_sim_call *call, const char *ts,
                      int64_t wall_ms)
{
  int64_t t;

  if (wr_time_parse_rfc3339(ts, &t) < 0)
    return fail(call, 400, "InvalidTimeStamp.Format", WR_SIM_V_OTHER,
                "Specified time stamp or date value is not well "
                "formatted: %s.", ts);
  if (t < wall_ms - WR_SIM_TIME_WINDOW_MS ||
      t > wall_ms + WR_SIM_TIME_WINDOW_MS)
    return fail(call, 400, "InvalidTimeStamp.Expired",
                WR_SIM_V_EXPIRED_TIMESTAMP,
                "Specified time stamp or date value is expired.%s", NULL);
  return 0;
}

static int check_token(struct wr_sim_call *call,
                       const struct wr_sim_creds *creds, const char *token)
{
  if (creds->security_token == NULL && token == NULL)
    return 0;
  if (creds->security_token == NULL || token == NULL ||
      !secret_eq(token, creds->security_token))
    return fail(call, 400, "InvalidSecurityToken.MismatchWithAccessKey",
                WR_SIM_V_UNKNOWN_ACCESS_KEY,
                "The security token is missing or does not match the "
                "access key.%s", NULL);
  return 0;
}

static int unknown_key(struct wr_sim_call *call)
{
  return fail(call, 404, "InvalidAccessKeyId.NotFound",
              WR_SIM_V_UNKNOWN_ACCESS_KEY,
              "Specified access key is not found.%s", NULL);
}

/* Value of key=... inside "A=x,B=y" (spaces allowed around commas). */
static char *auth_part(const char *s, const char *key)
{
  size_t klen = strlen(key);

  while (*s) {
    const char *end;

    while (*s == ' ' || *s == ',')
      s++;
    end = strchr(s, ',');
    if (end == NULL)
      end = s + strlen(s);
    if (strncmp(s, key, klen) == 0 && s[klen] == '=')
      return strndup(s + klen + 1, (size_t)(end - s - klen - 1));
    s = end;
  }
  return NULL;
}

static bool in_list(const char *list, const char *name)
{
  size_t n = strlen(name);
  const char *p = list;

  while (p && *p) {
    const char *semi = strchr(p, ';');
    size_t len = semi ? (size_t)(semi - p) : strlen(p);

    if (len == n && strncasecmp(p, name, n) == 0)
      return true;
    p = semi ? semi + 1 : NULL;
  }
  return false;
}

static int check_v3(struct wr_sim_call *call,
                    const struct wr_sim_creds *creds,
                    const struct wr_sim_request *req, const char *authz,
                    int64_t wall_ms)
{
  static const char *const need[] = {
    "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"
  };
  char *cred = NULL, *signed_h = NULL, *sig = NULL;
  struct wr_param *q = NULL, *h = NULL;
  struct wr_buf mine;
  struct wr_v3_input in;
  char body_hash[65];
  const char *p;
  size_t i, nh = 0;
  int rc = WR_EPROTO;

  wr_buf_init(&mine, 256);
  call->auth = WR_SIM_AUTH_V3;
  if (strncmp(authz, "ACS3-HMAC-SHA256 ", 17) != 0) {
    fail(call, 400, "IncompleteSignature", WR_SIM_V_BAD_SIGNATURE,
         "The request signature does not conform to Aliyun standards: "
         "unsupported algorithm.%s", NULL);
    goto out;
  }
  cred = auth_part(authz + 17, "Credential");
  signed_h = auth_part(authz + 17, "SignedHeaders");
  sig = auth_part(authz + 17, "Signature");
  if (cred == NULL || signed_h == NULL || sig == NULL) {
    fail(call, 400, "IncompleteSignature", WR_SIM_V_BAD_SIGNATURE,
         "The request signature does not conform to Aliyun standards: "
         "Authorization lacks %s.",
         cred == NULL ? "Credential"
                      : signed_h == NULL ? "SignedHeaders" : "Signature");
    goto out;
  }
  if (strcmp(cred, creds->access_key_id) != 0) {
    unknown_key(call);
    goto out;
  }
  for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
    if (wr_sim_header_get(req, need[i]) == NULL) {
      missing(call, need[i]);
      goto out;
    }
  if (check_time(call, wr_sim_header_get(req, "x-acs-date"), wall_ms) < 0 ||
      check_token(call, creds,
                  wr_sim_header_get(req, "x-acs-security-token")) < 0)
    goto out;
  if (!in_list(signed_h, "host")) {
    fail(call, 400, "IncompleteSignature", WR_SIM_V_BAD_SIGNATURE,
         "The request signature does not conform to Aliyun standards: "
         "host is not signed.%s", NULL);
    goto out;
  }
  for (i = 0; i < req->nheaders; i++)
    if (strncasecmp(req->headers[i].name, "x-acs-", 6) == 0 &&
        !in_list(signed_h, req->headers[i].name)) {
      fail(call, 400, "IncompleteSignature", WR_SIM_V_BAD_SIGNATURE,
           "The request signature does not conform to Aliyun standards: "
           "header %s is sent but not signed.", req->headers[i].name);
      goto out;
    }
  for (p = signed_h; p && *p;) {
    const char *semi = strchr(p, ';');
    size_t len = semi ? (size_t)(semi - p) : strlen(p);
    bool found = false;

    for (i = 0; i < req->nheaders; i++)
      if (strlen(req->headers[i].name) == len &&
          strncasecmp(req->headers[i].name, p, len) == 0)
        found = true;
    if (!found) {
      fail(call, 400, "IncompleteSignature", WR_SIM_V_BAD_SIGNATURE,
           "The request signature does not conform to Aliyun standards: "
           "a signed header is not sent.%s", NULL);
      goto out;
    }
    p = semi ? semi + 1 : NULL;
  }
  if (wr_sha256_hex(req->body ? req->body : "", req->body_len, body_hash) < 0)
    goto nomem;
  if (strcmp(body_hash, wr_sim_header_get(req, "x-acs-content-sha256")) != 0) {
    fail(call, 400, "SignatureDoesNotMatch", WR_SIM_V_BAD_SIGNATURE,
         "x-acs-content-sha256 does not match the request body.%s", NULL);
    goto out;
  }
  q = calloc(call->nquery + 1, sizeof(*q));
  h = calloc(req->nheaders + 1, sizeof(*h));
  if (q == NULL || h == NULL)
    goto nomem;
  for (i = 0; i < call->nquery; i++) {
    q[i].name = call->params.v[i].name;
    q[i].value = call->params.v[i].value;
  }
  for (i = 0; i < req->nheaders; i++)
    if (in_list(signed_h, req->headers[i].name)) {
      h[nh].name = req->headers[i].name;
      h[nh++].value = req->headers[i].value;
    }
  in.method = req->method;
  in.path = req->path;
  in.query = q;
  in.nquery = call->nquery;
  in.headers = h;
  in.nheaders = nh;
  in.payload_hash_hex = body_hash;
  if (wr_sign_v3(&in, creds->access_key_secret, &mine, NULL, NULL, NULL) < 0)
    goto nomem;
  if (!secret_eq(sig, wr_buf_str(&mine))) {
    fail(call, 400, "SignatureDoesNotMatch", WR_SIM_V_BAD_SIGNATURE,
         MSG_SIGNATURE "%s", NULL);
    goto out;
  }
  call->nonce = wr_sim_header_get(req, "x-acs-signature-nonce");
  rc = 0;
  goto out;
nomem:
  rc = WR_ENOMEM;
out:
  free(cred);
  free(signed_h);
  free(sig);
  free(q);
  free(h);
  wr_buf_free(&mine);
  return rc;
}

static int check_v1(struct wr_sim_call *call,
                    const struct wr_sim_creds *creds,
                    const struct wr_sim_request *req, int64_t wall_ms)
{
  static const char *const need[] = {
    "AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion",
    "SignatureNonce", "Timestamp"
  };
  const struct wr_sim_params *p = &call->params;
  struct wr_param *v = NULL;
  struct wr_buf mine;
  size_t i, n = 0;
  int rc = WR_EPROTO;

  wr_buf_init(&mine, 256);
  call->auth = WR_SIM_AUTH_V1;
  for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
    if (wr_sim_params_get(p, need[i]) == NULL)
      return missing(call, need[i]);
  if (strcmp(wr_sim_params_get(p, "SignatureMethod"), "HMAC-SHA1") != 0 ||
      strcmp(wr_sim_params_get(p, "SignatureVersion"), "1.0") != 0)
    return fail(call, 400, "IncompleteSignature", WR_SIM_V_BAD_SIGNATURE,
                "The request signature does not conform to Aliyun "
                "standards: SignatureMethod must be HMAC-SHA1 and "
                "SignatureVersion 1.0.%s", NULL);
  if (strcmp(wr_sim_params_get(p, "AccessKeyId"), creds->access_key_id) != 0)
    return unknown_key(call);
  if (check_time(call, wr_sim_params_get(p, "Timestamp"), wall_ms) < 0 ||
      check_token(call, creds, wr_sim_params_get(p, "SecurityToken")) < 0)
    return WR_EPROTO;
  v = calloc(p->n, sizeof(*v));
  if (v == NULL)
    return WR_ENOMEM;
  for (i = 0; i < p->n; i++)
    if (strcmp(p->v[i].name, "Signature") != 0) {
      v[n].name = p->v[i].name;
      v[n++].value = p->v[i].value;
    }
  if (wr_sign_v1(req->method, v, n, creds->access_key_secret, &mine,
                 NULL) < 0) {
    rc = WR_ENOMEM;
    goto out;
  }
  if (!secret_eq(wr_sim_params_get(p, "Signature"), wr_buf_str(&mine))) {
    fail(call, 400, "SignatureDoesNotMatch", WR_SIM_V_BAD_SIGNATURE,
         MSG_SIGNATURE "%s", NULL);
    goto out;
  }
  call->nonce = wr_sim_params_get(p, "SignatureNonce");
  rc = 0;
out:
  free(v);
  wr_buf_free(&mine);
  return rc;
}

static int check_session(struct wr_sim_call *call, const char *name,
                         const char *want, const char *code)
{
  const char *got = wr_sim_params_get(&call->params, name);

  if (want == NULL)
    return 0;
  if (got == NULL)
    return missing(call, name);
  if (!secret_eq(got, want))
    return fail(call, 400, code, WR_SIM_V_BAD_CLIENT_SESSION,
                "The specified %s is not valid for this session.", name);
  return 0;
}

static int check_client(struct wr_sim_call *call,
                        const struct wr_sim_creds *creds, int64_t wall_ms)
{
  const struct wr_sim_params *p = &call->params;

  call->auth = WR_SIM_AUTH_CLIENT;
  if (wr_sim_params_get(p, "Timestamp") == NULL)
    return missing(call, "Timestamp");
  if (wr_sim_params_get(p, "SignatureNonce") == NULL)
    return missing(call, "SignatureNonce");
  if (check_time(call, wr_sim_params_get(p, "Timestamp"), wall_ms) < 0)
    return WR_EPROTO;
  if (wr_sim_params_get(p, "ClientId") == NULL)
    return missing(call, "ClientId");
  if (check_session(call, "ClientId", creds->client_id,
                    "InvalidClientId") < 0 ||
      check_session(call, "LoginToken", creds->login_token,
                    "InvalidLoginToken") < 0 ||
      check_session(call, "SessionId", creds->session_id,
                    "InvalidSessionId") < 0)
    return WR_EPROTO;
  call->nonce = wr_sim_params_get(p, "SignatureNonce");
  return 0;
}

/* Parameters that change on every attempt or carry credentials: not part
 * of "the same parameters" for ClientToken idempotency. */
static bool per_attempt(const char *name)
{
  static const char *const skip[] = {
    "Signature", "SignatureNonce", "SignatureMethod", "SignatureVersion",
    "SignatureType", "Timestamp", "AccessKeyId", "SecurityToken", "Format",
    "LoginToken", "SessionId", "SessionToken"
  };
  size_t i;

  for (i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
    if (strcmp(name, skip[i]) == 0)
      return true;
  return false;
}

static int digest(struct wr_sim_call *call)
{
  struct wr_param *v = calloc(call->params.n + 2, sizeof(*v));
  struct wr_buf canon;
  size_t i, n = 0;
  int rc;

  if (v == NULL)
    return WR_ENOMEM;
  wr_buf_init(&canon, 1 << 20);
  v[n].name = "Action";
  v[n++].value = wr_sim_action_name(call->action);
  v[n].name = "Version";
  v[n++].value = call->version;
  for (i = 0; i < call->params.n; i++)
    if (!per_attempt(call->params.v[i].name) &&
        strcmp(call->params.v[i].name, "Action") != 0 &&
        strcmp(call->params.v[i].name, "Version") != 0) {
      v[n].name = call->params.v[i].name;
      v[n++].value = call->params.v[i].value;
    }
  rc = wr_canonical_query(v, n, &canon);
  if (rc == 0)
    SHA256((const unsigned char *)wr_buf_str(&canon), canon.len,
           call->digest);
  wr_buf_free(&canon);
  free(v);
  return rc < 0 ? WR_ENOMEM : 0;
}

static bool valid_status(const char *s)
{
  static const char *const ok[] = {
    "Pending", "Running", "Starting", "Stopping", "Stopped", "Rebuilding",
    "Expired", "Deleted", "Failed"
  };
  size_t i;

  for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
    if (strcmp(s, ok[i]) == 0)
      return true;
  return false;
}

static int check_operation(struct wr_sim_call *call)
{
  const struct wr_sim_params *p = &call->params;
  bool client = call->auth == WR_SIM_AUTH_CLIENT;
  size_t max = client ? WR_SIM_MAX_IDS_CLIENT : WR_SIM_MAX_IDS_ADMIN;
  const char *s;
  int rc;

  call->region = wr_sim_params_get(p, "RegionId");
  if (call->region == NULL)
    return missing(call, "RegionId");
  rc = wr_sim_params_list(p, "DesktopId", max, &call->ids, &call->nids);
  if (rc == WR_ENOMEM)
    return rc;
  if (rc == WR_ETOOBIG) {
    call->failed = true;
    return wr_sim_error_set(&call->err, 400, "InvalidParameter",
                            WR_SIM_V_TOO_MANY_IDS,
                            "The number of DesktopId.N must be 1 to %zu; "
                            "got %zu.", max, call->nids);
  }
  if (rc < 0)
    return fail(call, 400, "InvalidParameter", WR_SIM_V_OTHER,
                "DesktopId.N must be numbered 1 to N.%s", NULL);
  if (call->action == WR_SIM_REBOOT && call->nids == 0)
    return missing(call, "DesktopId.1");
  if (call->action == WR_SIM_REBOOT && client) {
    const char *c;

    call->client_token = wr_sim_params_get(p, "ClientToken");
    if (call->client_token == NULL)
      return missing(call, "ClientToken");
    for (c = call->client_token; *c; c++)
      if ((unsigned char)*c < 0x21 || (unsigned char)*c > 0x7e)
        break;
    if (*c != '\0' || c == call->client_token ||
        c - call->client_token > 64)
      return fail(call, 400, "InvalidParameter", WR_SIM_V_OTHER,
                  "ClientToken must be 1 to 64 printable ASCII "
                  "characters.%s", NULL);
  }
  if (call->action == WR_SIM_DESCRIBE) {
    s = wr_sim_params_get(p, "MaxResults");
    if (s != NULL) {
      char *end;

      call->max_results = strtol(s, &end, 10);
      if (*s == '\0' || *end != '\0' || call->max_results < 1 ||
          call->max_results > 100)
        return fail(call, 400, "InvalidParameter", WR_SIM_V_OTHER,
                    "MaxResults must be 1 to 100; got \"%s\".", s);
    }
    call->next_token = wr_sim_params_get(p, "NextToken");
    if (call->next_token != NULL && call->next_token[0] == '\0')
      call->next_token = NULL;
    call->desktop_status = wr_sim_params_get(p, "DesktopStatus");
    if (call->desktop_status != NULL && !valid_status(call->desktop_status))
      return fail(call, 400, "InvalidParameter", WR_SIM_V_OTHER,
                  "DesktopStatus \"%s\" is not valid.", call->desktop_status);
    rc = wr_sim_select_parse(&call->sel, p, &call->err);
    if (rc < 0 && rc != WR_ENOMEM)
      call->failed = true;
    if (rc < 0)
      return rc;
  }
  if (call->action == WR_SIM_REBOOT)
    return digest(call);
  return 0;
}

static int parse(struct wr_sim_call *call, const struct wr_sim_request *req)
{
  const char *why = NULL, *ct;
  int rc;

  rc = wr_sim_params_parse(&call->params, req->query, strlen(req->query),
                           &why);
  call->nquery = call->params.n;
  ct = wr_sim_header_get(req, "content-type");
  if (rc == 0 && req->body_len > 0 && ct != NULL &&
      strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0)
    rc = wr_sim_params_parse(&call->params, req->body, req->body_len, &why);
  if (rc == WR_ENOMEM)
    return rc;
  if (rc < 0)
    return fail(call, 400, "InvalidParameter", WR_SIM_V_OTHER,
                "The request parameters are malformed: %s.", why);
  return 0;
}

int wr_sim_check(const struct wr_sim_creds *creds,
                 const struct wr_sim_request *req, int64_t wall_ms,
                 struct wr_sim_call *call)
{
  const char *authz, *action;
  int rc;

  memset(call, 0, sizeof(*call));
  wr_sim_params_init(&call->params);
  call->action = WR_SIM_OTHER_ACTION;
  call->max_results = 10;
  call->err.violation = WR_SIM_V_NONE;
  if (strcmp(req->path, "/") != 0 ||
      (strcmp(req->method, "POST") != 0 && strcmp(req->method, "GET") != 0)) {
    fail(call, 404, "InvalidAction.NotFound", WR_SIM_V_OTHER,
         "Specified api is not found, please check your url and method.%s",
         NULL);
    return 0;
  }
  rc = parse(call, req);
  if (rc < 0)
    return rc == WR_ENOMEM ? rc : 0;
  authz = wr_sim_header_get(req, "authorization");
  action = authz ? wr_sim_header_get(req, "x-acs-action") : NULL;
  call->version = authz ? wr_sim_header_get(req, "x-acs-version") : NULL;
  if (action == NULL)
    action = wr_sim_params_get(&call->params, "Action");
  if (call->version == NULL)
    call->version = wr_sim_params_get(&call->params, "Version");
  call->action_str = action;
  if (action == NULL) {
    missing(call, "Action");
    return 0;
  }
  if (call->version == NULL) {
    missing(call, "Version");
    return 0;
  }
  if (strcmp(action, "RebootDesktops") == 0 &&
      (strcmp(call->version, WR_SIM_VERSION_ADMIN) == 0 ||
       strcmp(call->version, WR_SIM_VERSION_CLIENT) == 0))
    call->action = WR_SIM_REBOOT;
  else if (strcmp(action, "DescribeDesktops") == 0 &&
           strcmp(call->version, WR_SIM_VERSION_ADMIN) == 0)
    call->action = WR_SIM_DESCRIBE;
  if (call->action == WR_SIM_OTHER_ACTION) {
    fail(call, 404, "InvalidAction.NotFound", WR_SIM_V_OTHER,
         "Specified api is not found, please check your url and method.%s",
         NULL);
    return 0;
  }
  if (strcmp(call->version, WR_SIM_VERSION_CLIENT) == 0)
    rc = check_client(call, creds, wall_ms);
  else if (authz != NULL)
    rc = check_v3(call, creds, req, authz, wall_ms);
  else
    rc = check_v1(call, creds, req, wall_ms);
  if (rc == WR_ENOMEM)
    return rc;
  if (rc < 0)
    return 0;
  call->auth_ok = true;
  rc = check_operation(call);
  return rc == WR_ENOMEM ? rc : 0;
}
