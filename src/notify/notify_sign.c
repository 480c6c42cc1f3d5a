/* notify_sign: DingTalk's custom-robot signature (notify_int.h).  The
 * secret is only ever a key and a part of the signed string; it is
 * wiped from our buffer after use and never logged. */
#include "notify_int.h"

#include "buf.h"
#include "err.h"
#include "hmac.h"
#include "sign.h"

#include <inttypes.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int wr_notify_dingtalk_sign(const char *secret, int64_t timestamp_ms,
                            char *out, size_t n)
{
  unsigned char mac[WR_SHA256_LEN];
  char b64[4 * ((WR_SHA256_LEN + 2) / 3) + 1];
  struct wr_buf s, enc;
  int rc = WR_EINVAL;

  wr_buf_init(&s, 64 * 1024);
  wr_buf_init(&enc, 256);
  if (secret == NULL || *secret == '\0' ||
      wr_buf_addf(&s, "%" PRId64 "\n%s", timestamp_ms, secret) < 0 ||
      wr_hmac_sha256(secret, strlen(secret), wr_buf_str(&s), s.len, mac) < 0)
    goto out;
  wr_base64(mac, sizeof(mac), b64);
  /* base64's + / = are all a query value must escape */
  if (wr_percent_encode(b64, strlen(b64), &enc) < 0)
    goto out;
  if ((size_t)snprintf(out, n, "timestamp=%" PRId64 "&sign=%s", timestamp_ms,
                       wr_buf_str(&enc)) < n)
    rc = 0;
out:
  OPENSSL_cleanse(mac, sizeof(mac));
  wr_buf_free_secret(&s);
  wr_buf_free(&enc);
  return rc;
}

char *wr_notify_signed_url(const char *url, const char *secret,
                           int64_t timestamp_ms)
{
  char q[WR_NOTIFY_SIGN_QUERY_LEN], *u;
  size_t n;

  if (secret == NULL)
    return strdup(url);
  if (wr_notify_dingtalk_sign(secret, timestamp_ms, q, sizeof(q)) < 0)
    return NULL;
  n = strlen(url) + strlen(q) + 2;
  if ((u = malloc(n)) == NULL)
    return NULL;
  snprintf(u, n, "%s%c%s", url, strchr(url, '?') != NULL ? '&' : '?', q);
  return u;
}
