/* notify_int: what notify.c shares with the body and signing modules. */
#ifndef WR_NOTIFY_INT_H
#define WR_NOTIFY_INT_H

#include "config.h"

#include <stddef.h>
#include <stdint.h>

#define WR_NOTIFY_TOP 5 /* failure codes a message lists */

struct wr_notify_code {
  const char *code;            /* "InvalidDesktopId.NotFound" */
  const char *message;         /* the first chunk's message */
  size_t desktops;
};

/* What a message says; strings borrowed (the report reader's). */
struct wr_notify_summary {
  const char *kind;            /* "run" or "resume" */
  const char *run_id;          /* NULL: unknown */
  const char *outcome;         /* wr_audit_outcome, or why it is unknown */
  const char *report;          /* the report's path */
  const char *host;            /* this machine, NULL: unknown */
  int exit_code;               /* the process's */
  bool counted;                /* the counts below are known */
  size_t planned, ok, failed, skipped, pending, excluded, retry_pending;
  struct wr_notify_code top[WR_NOTIFY_TOP];
  size_t ntop;
  size_t ncodes;               /* failure codes in all */
};

/* The body in format f, as malloc'ed NUL-terminated JSON text; NULL:
 * out of memory. */
char *wr_notify_body(const struct wr_notify_summary *s,
                     enum wr_notify_format f);

/* DingTalk's signature of a custom-robot call: timestamp_ms + "\n" +
 * secret under HMAC-SHA256 keyed with secret, base64, then URL-encoded.
 * Writes "timestamp=T&sign=S" into out (n bytes).  0, or WR_EINVAL. */
#define WR_NOTIFY_SIGN_QUERY_LEN 128
int wr_notify_dingtalk_sign(const char *secret, int64_t timestamp_ms,
                            char *out, size_t n);

/* url with "timestamp=..&sign=.." appended after '?' or '&' (malloc'ed;
 * NULL: out of memory).  secret NULL: a copy of url. */
char *wr_notify_signed_url(const char *url, const char *secret,
                           int64_t timestamp_ms);

#endif
