/* creds: the secrets, where they come from and how long they live.
 *
 * Admin mode: the chain of auth/auth.h finds them; here are its first
 * first step, ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET/_SECURITY_TOKEN
 * (and the older names the aliyun CLI accepts).  Client mode: --client-id
 * etc. from the config, and WUYING_LOGIN_TOKEN / WUYING_SESSION_ID /
 * WUYING_SESSION_TOKEN (or the same given as options, with a warning).
 *
 * Every string is owned by struct wr_creds and wiped (OPENSSL_cleanse)
 * by wr_creds_free().  No secret may reach a log, stdout or the report:
 * wr_creds_redact() replaces every secret it holds in a text by "***".
 * Loading is creds.c, masking and redaction creds_redact.c. */
#ifndef WR_CREDS_H
#define WR_CREDS_H

#include "config.h"
#include "err.h"

#include <stdint.h>

struct wr_buf;

struct wr_creds {
  /* admin */
  char *access_key_id;     /* not secret, but never logged whole */
  char *access_key_secret; /* secret */
  char *security_token;    /* secret (STS), NULL if none */
  /* client */
  char *client_id;
  char *client_os;
  char *client_version;
  char *login_token;       /* secret */
  char *session_id;        /* secret */
  char *session_token;     /* secret */
  char *source;            /* where they came from, e.g. "environment" */
  const char *step;        /* the chain step that supplied them (static):
                              "env", "oidc", "cli_profile",
                              "ini_profile", "ecs_ram_role",
                              "credentials_uri", "client" */
  int64_t expires_ms;      /* wall-clock expiry (ms), 0: not known */
};

/* Secret options seen on the command line or in a job file (config.c
 * calls this; creds copies the value, the caller wipes its own copy).
 * name is the long option name: "login-token", "session-id",
 * "session-token".  argv: it came from the
 * command line, which shows in the process list (warned once per
 * option); a job file's permissions are the option parser's to judge. */
int wr_creds_set_option(const char *name, const char *value, bool argv);

/* The client API's session values.  WR_ECREDS with a message naming the
 * missing option or variable. */
int wr_creds_load_client(const struct wr_config *cfg, struct wr_creds *out,
                         struct wr_err *err);

/* The admin chain's first step: 1 when it supplied c, 0 when nothing is
 * set, WR_ECREDS (err set) for half a set, WR_ENOMEM. */
int wr_creds_from_env(struct wr_creds *c, struct wr_err *err);
/* ALIBABACLOUD_PROFILE, ALIBABA_CLOUD_PROFILE, ALICLOUD_PROFILE (the aliyun
 * CLI's order), or NULL. */
const char *wr_creds_env_profile(void);

/* Replace c's AccessKey (token may be NULL) and say where it came from;
 * step is static.  0 or WR_ENOMEM. */
int wr_creds_set(struct wr_creds *c, const char *id, const char *secret,
                 const char *token, const char *step, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

void wr_creds_free(struct wr_creds *c);

/* ---- creds_redact.c ---- */

/* The AccessKey ID as shown in any output: its first 4 and last 4
 * characters around "***" when it has at least 16, else just "***". */
#define WR_CREDS_MASK_LEN 16
void wr_creds_mask_id(const char *id, char out[WR_CREDS_MASK_LEN]);

/* Copy text into out with every secret of c replaced by "***". */
int wr_creds_redact(const struct wr_creds *c, const char *text,
                    struct wr_buf *out);

/* The same in place, for a server's text in a fixed-size field (an
 * answer's code or message): withheld whole when it cannot be redacted. */
void wr_creds_redact_field(const struct wr_creds *c, char *s, size_t size);

#endif
