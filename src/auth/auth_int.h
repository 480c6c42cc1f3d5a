/* auth_int: what the modules of auth/ share. */
#ifndef WR_AUTH_INT_H
#define WR_AUTH_INT_H

#include "auth.h"

#include <stdbool.h>

/* An AssumeRole or AssumeRoleWithOIDC (borrowed strings, NULL: absent). */
struct wr_auth_role {
  const char *role_arn;
  const char *session_name;   /* NULL: wuying-reboot-<unix seconds> */
  const char *external_id;
  const char *policy;
  const char *sts_region;     /* NULL: ALIBABA_CLOUD_STS_REGION */
  const char *sts_endpoint;   /* NULL: ALIBABA_CLOUD_STS_ENDPOINT */
  bool vpc;                   /* or ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED */
  long duration_s;            /* 0: 3600 */
  /* OIDC only */
  const char *provider_arn;
  const char *token_file;     /* read at each call */
};

/* Signed with src (its token sent as SecurityToken). */
int wr_auth_assume_role(const struct wr_creds *src,
                        const struct wr_auth_role *r, struct wr_creds *out,
                        const char *source, struct wr_err *err);
/* Anonymous. */
int wr_auth_assume_role_oidc(const struct wr_auth_role *r,
                             struct wr_creds *out, const char *source,
                             struct wr_err *err);
/* The ECS metadata service; role NULL: ask it. */
int wr_auth_ecs(const char *role, struct wr_creds *out, const char *step,
                struct wr_err *err);
/* GET uri; {"Code":"Success","AccessKeyId",...}. */
int wr_auth_uri(const char *uri, struct wr_creds *out, const char *step,
                struct wr_err *err);

/* config.json: name NULL takes the variable, then "current".  1: found,
 * 0: no file and none asked for, WR_ECREDS/WR_ENOMEM. */
int wr_auth_profile(const char *name, struct wr_creds *out,
                    struct wr_err *err);
/* The INI file: 1, 0 (no file or no section), WR_ECREDS, WR_ENOMEM. */
int wr_auth_ini(struct wr_creds *out, struct wr_err *err);

/* The transport (wr_fetch unless a test replaced it). */
int wr_auth_fetch(const struct wr_fetch_req *req, long *status,
                  struct wr_buf *body, struct wr_err *err);
/* true on a thread inside wr_auth_refresh: no log line. */
bool wr_auth_quiet(void);
/* A non-empty variable, or NULL. */
const char *wr_auth_env(const char *name);
/* "true" in any case. */
bool wr_auth_env_true(const char *name);
/* Credentials JSON {AccessKeyId, AccessKeySecret, SecurityToken,
 * Expiration} (in obj) into out; what names the answer in messages. */
int wr_auth_take_json(const void *obj, struct wr_creds *out,
                      const char *step, const char *source, const char *what,
                      struct wr_err *err);
/* Wipe every string of a cJSON tree, then free it (NULL is fine). */
void wr_auth_json_free(void *root);
/* Check a URL: https, or http to loopback (or the metadata address when
 * imds); returns the URL to use in out (a path is kept). */
int wr_auth_url(const char *url, bool imds, struct wr_buf *out,
                struct wr_err *err);

#endif
