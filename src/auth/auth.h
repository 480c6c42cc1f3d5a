/* auth: the admin credentials as the official SDKs find them.
 *
 * The default chain, first step that yields wins (CREDENTIALS.md 1.1):
 *   1. environment AccessKey (+ optional STS token)
 *   2. OIDC (ALIBABA_CLOUD_ROLE_ARN, _OIDC_PROVIDER_ARN, _OIDC_TOKEN_FILE)
 *   3. ~/.aliyun/config.json profile (ALIBABA_CLOUD_PROFILE, else current)
 *   4. the INI file ~/.alibabacloud/credentials
 *   5. the ECS instance RAM role (metadata service), unless disabled
 *   6. ALIBABA_CLOUD_CREDENTIALS_URI
 * An explicit --profile NAME uses that config.json profile and nothing
 * else.  When no step yields, WR_ECREDS lists what each step found; no
 * secret is ever in a message.  The network steps (STS, metadata, URI)
 * are one blocking net/fetch call each, before the loop starts. */
#ifndef WR_AUTH_H
#define WR_AUTH_H

#include "config.h"
#include "creds.h"
#include "err.h"
#include "fetch.h"

#include <stdbool.h>

struct wr_buf;

/* Resolve the credentials for cfg->api into out (zeroed first). */
int wr_auth_load(const struct wr_config *cfg, struct wr_creds *out,
                 struct wr_err *err);

/* Temporary credentials that the step which supplied them can fetch
 * again: an expiry, and a step that re-obtains (OIDC, a config.json or
 * INI profile with a role, the ECS role, a credentials URI).  An STS
 * token in the environment is not: nothing can renew it. */
bool wr_auth_renewable(const struct wr_creds *c);

/* Fetch new credentials into out (zeroed first) from the step that
 * supplied cur, and only that step (not the whole chain: a failing STS
 * must not make the run switch to other credentials): the OIDC token
 * file and the profiles are read again.  Blocking (one network call per
 * hop) and quiet: no log line, so it may run on a worker thread while the
 * loop thread logs; cfg and cur are only read.  WR_ECREDS with err set
 * (no secret in it), WR_ENOMEM. */
int wr_auth_refresh(const struct wr_config *cfg, const struct wr_creds *cur,
                    struct wr_creds *out, struct wr_err *err);

/* Tests: replace the transport (NULL: wr_fetch). */
typedef int (*wr_auth_fetch_fn)(const struct wr_fetch_req *req,
                                long *status, struct wr_buf *body,
                                struct wr_err *err);
void wr_auth_set_fetch(wr_auth_fetch_fn fn);

#endif
