/* creds: the secrets, where they come from and how long they live.
 *
 * Admin mode: ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET/_SECURITY_TOKEN (and the
 * older names the aliyun CLI accepts), else ~/.aliyun/config.json (current
 * profile or --profile; modes AK and StsToken).  Client mode: --client-id
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
};

/* Secret options seen on the command line or in a job file (config.c
 * calls this; creds copies the value, the caller wipes its own copy).
 * name is the long option name: "login-token", "session-id",
 * "session-token", "access-key-secret", ...  argv: it came from the
 * command line, which shows in the process list (warned once per
 * option); a job file's permissions are the option parser's to judge. */
int wr_creds_set_option(const char *name, const char *value, bool argv);

/* Resolve the credentials for cfg->api.  WR_ECREDS with a message naming
 * the missing variable or profile key.  HOME and the environment are read
 * here and nowhere else. */
int wr_creds_load(const struct wr_config *cfg, struct wr_creds *out,
                  struct wr_err *err);
void wr_creds_free(struct wr_creds *c);

/* ---- creds_redact.c ---- */

/* The AccessKey ID as shown in any output: its first 4 and last 4
 * characters around "***" when it has at least 16, else just "***". */
#define WR_CREDS_MASK_LEN 16
void wr_creds_mask_id(const char *id, char out[WR_CREDS_MASK_LEN]);

/* Copy text into out with every secret of c replaced by "***". */
int wr_creds_redact(const struct wr_creds *c, const char *text,
                    struct wr_buf *out);

#endif
