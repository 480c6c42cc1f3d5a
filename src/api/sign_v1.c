/* sign_v1: RPC signature 1.0 (HMAC-SHA1), API.md section 3. */
#include "sign.h"

#include "buf.h"
#include "err.h"
#include "hmac.h"

#include <openssl/crypto.h>
#include <string.h>

#define SIGN_MAX (1u << 20) /* far above 100 IDs of 64 bytes each */

int wr_sign_v1(const char *method, struct wr_param *params, size_t n,
               const char *secret, struct wr_buf *signature_b64,
               struct wr_buf *string_to_sign)
{
  struct wr_buf query, sts, key;
  unsigned char mac[WR_SHA1_LEN];
  char b64[4 * ((WR_SHA1_LEN + 2) / 3) + 1];
  int rc;

  wr_buf_init(&query, SIGN_MAX);
  wr_buf_init(&sts, SIGN_MAX);
  wr_buf_init(&key, SIGN_MAX);
  rc = wr_canonical_query(params, n, &query);
  if (rc < 0)
    goto out;
  /* StringToSign = METHOD & enc("/") & enc(canonical query) */
  if ((rc = wr_buf_adds(&sts, method != NULL ? method : "")) < 0 ||
      (rc = wr_buf_adds(&sts, "&%2F&")) < 0 ||
      (rc = wr_percent_encode(wr_buf_str(&query), query.len, &sts)) < 0)
    goto out;
  if ((rc = wr_buf_adds(&key, secret)) < 0 ||
      (rc = wr_buf_addc(&key, '&')) < 0)
    goto out;
  rc = wr_hmac_sha1(wr_buf_str(&key), key.len, wr_buf_str(&sts), sts.len,
                    mac);
  if (rc < 0)
    goto out;
  wr_base64(mac, sizeof(mac), b64);
  if ((rc = wr_buf_adds(signature_b64, b64)) < 0)
    goto out;
  if (string_to_sign != NULL &&
      (rc = wr_buf_add(string_to_sign, wr_buf_str(&sts), sts.len)) < 0)
    goto out;
  rc = 0;
out:
  OPENSSL_cleanse(mac, sizeof(mac));
  wr_buf_free(&query);
  wr_buf_free(&sts);
  wr_buf_free_secret(&key);
  return rc;
}
