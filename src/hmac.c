#include "hmac.h"

#include "err.h"

#include <limits.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

static int hmac(const EVP_MD *md, const void *key, size_t key_len,
                const void *data, size_t len, unsigned char *out)
{
  unsigned int out_len = 0;

  /* HMAC() takes the key length as an int. */
  if (key_len > INT_MAX)
    return WR_EINVAL;
  if (HMAC(md, key, (int)key_len, data, len, out, &out_len) == NULL)
    return WR_EINVAL;
  return (int)out_len == EVP_MD_get_size(md) ? 0 : WR_EINVAL;
}

int wr_hmac_sha1(const void *key, size_t key_len, const void *data,
                 size_t len, unsigned char out[WR_SHA1_LEN])
{
  return hmac(EVP_sha1(), key, key_len, data, len, out);
}

int wr_hmac_sha256(const void *key, size_t key_len, const void *data,
                   size_t len, unsigned char out[WR_SHA256_LEN])
{
  return hmac(EVP_sha256(), key, key_len, data, len, out);
}

int wr_sha256(const void *data, size_t len, unsigned char out[WR_SHA256_LEN])
{
  unsigned int out_len = 0;

  if (EVP_Digest(data, len, out, &out_len, EVP_sha256(), NULL) != 1)
    return WR_EINVAL;
  return out_len == WR_SHA256_LEN ? 0 : WR_EINVAL;
}

void wr_base64(const unsigned char *in, size_t n, char *out)
{
  /* EVP_EncodeBlock NUL-terminates and adds no newlines. */
  EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

void wr_hex(const unsigned char *in, size_t n, char *out)
{
  static const char digits[] = "0123456789abcdef";
  size_t i;

  for (i = 0; i < n; i++) {
    out[2 * i] = digits[in[i] >> 4];
    out[2 * i + 1] = digits[in[i] & 0x0f];
  }
  out[2 * n] = '\0';
}
