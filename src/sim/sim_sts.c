/* sim_sts: the fake STS, metadata service and credentials URI (see
 * sim_sts.h). */
#include "sim_sts.h"

#include "buf.h"
#include "clock.h"
#include "err.h"
#include "sign.h"
#include "sim_params.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uv.h>

#define ISSUED_MAX 4096
#define ROLE "sim-ecs-role"

struct issued {
  char id[32];
  char secret[48];
  char token[64];
  int64_t expires_ms;
};

struct wr_sim_sts {
  uv_mutex_t lock;
  int64_t life_ms;
  long fail_left;             /* --sts-fail: AssumeRole answers 503 */
  long fail_after;            /* --sts-fail-after: once this many were
                               * answered */
  int64_t lie_ms;             /* --sts-lie: Expiration says this much
                               * later than the sim enforces */
  struct issued *v;
  size_t n;
  unsigned long serial;
  /* counts for /__sts */
  unsigned long assume_role, assume_role_oidc, rejected, failed, imds_token,
      imds_v1, imds_role, imds_creds, uri, expired_refused;
};

struct wr_sim_sts *wr_sim_sts_create(int64_t life_ms, long fail_first,
                                     long fail_after, int64_t lie_ms)
{
  struct wr_sim_sts *s = calloc(1, sizeof(*s));

  if (s == NULL)
    return NULL;
  s->v = calloc(ISSUED_MAX, sizeof(*s->v));
  if (s->v == NULL || uv_mutex_init(&s->lock) != 0) {
    free(s->v);
    free(s);
    return NULL;
  }
  s->life_ms = life_ms;
  s->fail_left = fail_first;
  s->fail_after = fail_after;
  s->lie_ms = lie_ms;
  return s;
}

void wr_sim_sts_destroy(struct wr_sim_sts *s)
{
  if (s == NULL)
    return;
  uv_mutex_destroy(&s->lock);
  free(s->v);
  free(s);
}

/* Under the lock: a new temporary AccessKey (the oldest is reused when
 * the table is full). */
static struct issued *issue(struct wr_sim_sts *s, int64_t wall_ms)
{
  struct issued *it = &s->v[s->n < ISSUED_MAX ? s->n++ : s->serial %
                                                           ISSUED_MAX];
  unsigned long k = ++s->serial;

  snprintf(it->id, sizeof(it->id), "STS.NSimTemp%012lu", k);
  snprintf(it->secret, sizeof(it->secret), "simStsSecret%06lu+/x", k);
  snprintf(it->token, sizeof(it->token), "CAISsimStsToken%06lu+/==", k);
  it->expires_ms = wall_ms + s->life_ms;
  return it;
}

int wr_sim_sts_lookup(struct wr_sim_sts *s, const char *id, int64_t wall_ms,
                      struct wr_sim_creds *out)
{
  size_t i;
  int rc = 0;

  if (id == NULL)
    return 0;
  uv_mutex_lock(&s->lock);
  for (i = 0; i < s->n; i++)
    if (strcmp(s->v[i].id, id) == 0) {
      out->access_key_id = s->v[i].id;
      out->access_key_secret = s->v[i].secret;
      out->security_token = s->v[i].token;
      rc = wall_ms < s->v[i].expires_ms ? 1 : -1;
      if (rc < 0)
        s->expired_refused++;
      break;
    }
  uv_mutex_unlock(&s->lock);
  return rc;
}

static char *error_body(const char *code, const char *msg)
{
  cJSON *o = cJSON_CreateObject();
  char *s;

  cJSON_AddStringToObject(o, "RequestId", "00000000-5175-4000-8000-sts");
  cJSON_AddStringToObject(o, "HostId", "sts.aliyuncs.com");
  cJSON_AddStringToObject(o, "Code", code);
  cJSON_AddStringToObject(o, "Message", msg);
  s = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  return s;
}

/* {"AccessKeyId",...,"Expiration"} of it into o. */
static void add_creds(cJSON *o, const struct issued *it, int64_t lie_ms)
{
  char ts[WR_TIME_RFC3339_LEN];

  wr_time_iso_seconds(it->expires_ms + lie_ms, ts);
  cJSON_AddStringToObject(o, "AccessKeyId", it->id);
  cJSON_AddStringToObject(o, "AccessKeySecret", it->secret);
  cJSON_AddStringToObject(o, "SecurityToken", it->token);
  cJSON_AddStringToObject(o, "Expiration", ts);
}

static char *creds_body(const struct wr_sim_sts *sim, const struct issued *it,
                        bool sts)
{
  cJSON *o = cJSON_CreateObject(), *c;
  char *s;

  if (sts) {
    cJSON_AddStringToObject(o, "RequestId", "00000000-5175-4000-8000-sts");
    c = cJSON_AddObjectToObject(o, "AssumedRoleUser");
    cJSON_AddStringToObject(c, "Arn", "acs:ram::1:role/sim/session");
    c = cJSON_AddObjectToObject(o, "Credentials");
  } else {
    cJSON_AddStringToObject(o, "Code", "Success");
    cJSON_AddStringToObject(o, "LastUpdated", "2026-01-01T00:00:00Z");
    c = o;
  }
  add_creds(c, it, sim->lie_ms);
  s = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  return s;
}

/* The V1 check of an AssumeRole: NULL when it passes, else the error
 * code (msg filled). */
static const char *check_v1(struct wr_sim_sts *s,
                            const struct wr_sim_creds *base,
                            const struct wr_sim_params *p,
                            const char *method, int64_t wall_ms,
                            char *msg, size_t len)
{
  const char *id = wr_sim_params_get(p, "AccessKeyId");
  const char *sig = wr_sim_params_get(p, "Signature");
  const char *token = wr_sim_params_get(p, "SecurityToken");
  struct wr_sim_creds c = *base;
  struct wr_param *v;
  struct wr_buf mine, sts;
  const char *code = NULL;
  size_t i, n = 0;
  int found;

  if (id == NULL || sig == NULL)
    return snprintf(msg, len, "AccessKeyId and Signature are required."),
           "MissingParameter";
  if (strcmp(id, base->access_key_id) != 0) {
    found = wr_sim_sts_lookup(s, id, wall_ms, &c);
    if (found == 0)
      return snprintf(msg, len, "Specified access key is not found."),
             "InvalidAccessKeyId.NotFound";
    if (found < 0)
      return snprintf(msg, len, "Specified SecurityToken is expired."),
             "InvalidSecurityToken.Expired";
  }
  if ((c.security_token != NULL) != (token != NULL) ||
      (token != NULL && strcmp(token, c.security_token) != 0))
    return snprintf(msg, len, "The security token you provided is "
                    "invalid."), c.security_token != NULL && token == NULL
                                     ? "MissingSecurityToken"
                                     : "InvalidSecurityToken.Mismatch";
  v = calloc(p->n, sizeof(*v));
  if (v == NULL)
    return snprintf(msg, len, "out of memory"), "InternalError";
  for (i = 0; i < p->n; i++)
    if (strcmp(p->v[i].name, "Signature") != 0) {
      v[n].name = p->v[i].name;
      v[n++].value = p->v[i].value;
    }
  wr_buf_init(&mine, 256);
  wr_buf_init(&sts, 64 * 1024);
  if (wr_sign_v1(method, v, n, c.access_key_secret, &mine, &sts) < 0) {
    snprintf(msg, len, "out of memory");
    code = "InternalError";
  } else if (strcmp(sig, wr_buf_str(&mine)) != 0) {
    /* As the real service: the server's string to sign in the message
     * (it holds the caller's SecurityToken, which clients must hide). */
    snprintf(msg, len, "Specified signature is not matched with our "
             "calculation. server string to sign is:%s", wr_buf_str(&sts));
    code = "SignatureDoesNotMatch";
  }
  wr_buf_free(&mine);
  wr_buf_free(&sts);
  free(v);
  return code;
}

static int sts_call(struct wr_sim_sts *s, const struct wr_sim_creds *base,
                    const struct wr_sim_request *req,
                    const struct wr_sim_params *p, bool oidc,
                    int64_t wall_ms, int *status, char **body)
{
  const char *code = NULL, *d = wr_sim_params_get(p, "DurationSeconds");
  char msg[8192];
  struct issued it;

  if (!oidc)
    code = check_v1(s, base, p, req->method, wall_ms, msg, sizeof(msg));
  else if (wr_sim_params_get(p, "OIDCToken") == NULL ||
           wr_sim_params_get(p, "OIDCProviderArn") == NULL)
    code = "MissingParameter", snprintf(msg, sizeof(msg), "OIDCToken and "
                                        "OIDCProviderArn are required.");
  if (code == NULL && wr_sim_params_get(p, "RoleArn") == NULL)
    code = "MissingParameter",
    snprintf(msg, sizeof(msg), "RoleArn is required.");
  if (code == NULL && (d == NULL || atol(d) < 900))
    code = "InvalidParameter.DurationSeconds",
    snprintf(msg, sizeof(msg), "DurationSeconds must be at least 900.");
  uv_mutex_lock(&s->lock);
  if (code == NULL && s->fail_left > 0 &&
      (long)(s->assume_role + s->assume_role_oidc) >= s->fail_after) {
    s->fail_left--;
    s->failed++;
    uv_mutex_unlock(&s->lock);
    *status = 503;
    *body = error_body("ServiceUnavailable", "The request has failed due "
                       "to a temporary failure of the server.");
    return *body != NULL ? 1 : WR_ENOMEM;
  }
  if (code != NULL) {
    s->rejected++;
  } else {
    if (oidc)
      s->assume_role_oidc++;
    else
      s->assume_role++;
    it = *issue(s, wall_ms);
  }
  uv_mutex_unlock(&s->lock);
  if (code != NULL) {
    *status = strcmp(code, "InvalidAccessKeyId.NotFound") == 0 ? 404 : 400;
    *body = error_body(code, msg);
  } else {
    *status = 200;
    *body = creds_body(s, &it, true);
  }
  return *body != NULL ? 1 : WR_ENOMEM;
}

static char *stats(struct wr_sim_sts *s)
{
  char *b = malloc(512);

  if (b == NULL)
    return NULL;
  uv_mutex_lock(&s->lock);
  snprintf(b, 512, "{\"assume_role\":%lu,\"assume_role_oidc\":%lu,"
           "\"rejected\":%lu,\"failed\":%lu,\"imds_token\":%lu,"
           "\"imds_v1\":%lu,\"imds_role\":%lu,\"imds_creds\":%lu,"
           "\"uri\":%lu,\"expired_refused\":%lu,\"fail_left\":%ld}",
           s->assume_role,
           s->assume_role_oidc, s->rejected, s->failed, s->imds_token,
           s->imds_v1, s->imds_role, s->imds_creds, s->uri,
           s->expired_refused, s->fail_left);
  uv_mutex_unlock(&s->lock);
  return b;
}

static int metadata(struct wr_sim_sts *s, const struct wr_sim_request *req,
                    int64_t wall_ms, int *status, char **body)
{
  static const char prefix[] = "/latest/meta-data/ram/security-credentials/";
  const char *tok = wr_sim_header_get(req, "x-aliyun-ecs-metadata-token");
  const char *rest;
  struct issued it;

  if (strcmp(req->path, "/latest/api/token") == 0) {
    if (strcmp(req->method, "PUT") != 0 ||
        wr_sim_header_get(req,
                          "x-aliyun-ecs-metadata-token-ttl-seconds") == NULL) {
      *status = 400;
      return (*body = strdup("bad token request")) ? 1 : WR_ENOMEM;
    }
    uv_mutex_lock(&s->lock);
    s->imds_token++;
    uv_mutex_unlock(&s->lock);
    *status = 200;
    return (*body = strdup("simImdsToken0001")) ? 1 : WR_ENOMEM;
  }
  if (strncmp(req->path, prefix, sizeof(prefix) - 1) != 0)
    return 0;
  rest = req->path + sizeof(prefix) - 1;
  if (tok != NULL && strcmp(tok, "simImdsToken0001") != 0) {
    *status = 401;
    return (*body = strdup("bad token")) ? 1 : WR_ENOMEM;
  }
  uv_mutex_lock(&s->lock);
  if (tok == NULL)
    s->imds_v1++;
  if (rest[0] == '\0') {
    s->imds_role++;
    uv_mutex_unlock(&s->lock);
    *status = 200;
    return (*body = strdup(ROLE "\n")) ? 1 : WR_ENOMEM;
  }
  if (strcmp(rest, ROLE) != 0) {
    uv_mutex_unlock(&s->lock);
    *status = 404;
    return (*body = strdup("not found")) ? 1 : WR_ENOMEM;
  }
  s->imds_creds++;
  it = *issue(s, wall_ms);
  uv_mutex_unlock(&s->lock);
  *status = 200;
  return (*body = creds_body(s, &it, false)) ? 1 : WR_ENOMEM;
}

int wr_sim_sts_route(struct wr_sim_sts *s, const struct wr_sim_creds *base,
                     const struct wr_sim_request *req, int64_t wall_ms,
                     int *status, char **body)
{
  struct wr_sim_params p;
  const char *action, *ct;
  struct issued it;
  int rc = 0;

  *body = NULL;
  if (strcmp(req->path, "/__sts") == 0) {
    /* ?fail=N: the next N STS calls get 503 (N 0: none); the tests'
     * switch for an STS that goes away and comes back. */
    if (strncmp(req->query, "fail=", 5) == 0) {
      uv_mutex_lock(&s->lock);
      s->fail_left = strtol(req->query + 5, NULL, 10);
      s->fail_after = 0;
      uv_mutex_unlock(&s->lock);
    }
    *status = 200;
    return (*body = stats(s)) ? 1 : WR_ENOMEM;
  }
  if (strncmp(req->path, "/latest/", 8) == 0)
    return metadata(s, req, wall_ms, status, body);
  if (strcmp(req->path, "/credentials-uri") == 0) {
    uv_mutex_lock(&s->lock);
    s->uri++;
    it = *issue(s, wall_ms);
    uv_mutex_unlock(&s->lock);
    *status = 200;
    return (*body = creds_body(s, &it, false)) ? 1 : WR_ENOMEM;
  }
  if (strcmp(req->path, "/") != 0)
    return 0;
  wr_sim_params_init(&p);
  if (wr_sim_params_parse(&p, req->query, strlen(req->query), NULL) < 0)
    goto out;
  ct = wr_sim_header_get(req, "content-type");
  if (req->body_len > 0 && ct != NULL &&
      strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0 &&
      wr_sim_params_parse(&p, req->body, req->body_len, NULL) < 0)
    goto out;
  action = wr_sim_params_get(&p, "Action");
  if (action != NULL && strcmp(action, "AssumeRole") == 0)
    rc = sts_call(s, base, req, &p, false, wall_ms, status, body);
  else if (action != NULL && strcmp(action, "AssumeRoleWithOIDC") == 0)
    rc = sts_call(s, base, req, &p, true, wall_ms, status, body);
out:
  wr_sim_params_free(&p);
  return rc;
}
