#include "hmac.h"

#include "err.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>

/* The algorithms are fetched once per process: a one-shot HMAC() or
 * EVP_Digest() with EVP_sha256() fetches them on every call (OpenSSL 3.0
 * "implicit fetch"), which showed in the per-call cost of a run.  Never
 * freed: they live as long as the process, like OpenSSL's own cache. */
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static EVP_MD *md_sha1, *md_sha256;
static EVP_MAC *mac_hmac;

static void fetch(void)
{
  md_sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
  md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
  mac_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

static int hmac(const char *md, size_t md_len, const void *key,
                size_t key_len, const void *data, size_t len,
                unsigned char *out)
{
  OSSL_PARAM params[2];
  EVP_MAC_CTX *ctx;
  size_t out_len = 0;
  int rc = WR_EINVAL;

  pthread_once(&fetch_once, fetch);
  if (mac_hmac == NULL)
    return WR_EINVAL;
  ctx = EVP_MAC_CTX_new(mac_hmac);
  if (ctx == NULL)
    return WR_ENOMEM;
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                               (char *)md, 0);
  params[1] = OSSL_PARAM_construct_end();
  if (EVP_MAC_init(ctx, key, key_len, params) == 1 &&
      EVP_MAC_update(ctx, data, len) == 1 &&
      EVP_MAC_final(ctx, out, &out_len, md_len) == 1 && out_len == md_len)
    rc = 0;
  EVP_MAC_CTX_free(ctx);
  return rc;
}

int wr_hmac_sha1(const void *key, size_t key_len, const void *data,
                 size_t len, unsigned char out[WR_SHA1_LEN])
{
  return hmac("SHA1", WR_SHA1_LEN, key, key_len, data, len, out);
}

int wr_hmac_sha256(const void *key, size_t key_len, const void *data,
                   size_t len, unsigned char out[WR_SHA256_LEN])
{
  return hmac("SHA256", WR_SHA256_LEN, key, key_len, data, len, out);
}

struct wr_hmac_key {
  EVP_MAC_CTX *ctx; /* keyed; re-initialised (same key) for each MAC */
  EVP_MD_CTX *md;   /* for wr_hmac_key_hash */
};

int wr_hmac_key_create(const void *key, size_t key_len,
                       struct wr_hmac_key **out)
{
  struct wr_hmac_key *k;
  OSSL_PARAM params[2];

  *out = NULL;
  pthread_once(&fetch_once, fetch);
  if (mac_hmac == NULL)
    return WR_EINVAL;
  k = calloc(1, sizeof(*k));
  if (k == NULL)
    return WR_ENOMEM;
  k->ctx = EVP_MAC_CTX_new(mac_hmac);
  k->md = EVP_MD_CTX_new();
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                               (char *)"SHA256", 0);
  params[1] = OSSL_PARAM_construct_end();
  if (k->ctx == NULL || k->md == NULL || md_sha256 == NULL ||
      EVP_MAC_init(k->ctx, key, key_len, params) != 1) {
    wr_hmac_key_destroy(&k);
    return WR_EINVAL;
  }
  *out = k;
  return 0;
}

int wr_hmac_key_sha256(struct wr_hmac_key *k, const void *data, size_t len,
                       unsigned char out[WR_SHA256_LEN])
{
  size_t out_len = 0;

  /* A NULL key re-uses the one set at create. */
  if (EVP_MAC_init(k->ctx, NULL, 0, NULL) != 1 ||
      EVP_MAC_update(k->ctx, data, len) != 1 ||
      EVP_MAC_final(k->ctx, out, &out_len, WR_SHA256_LEN) != 1 ||
      out_len != WR_SHA256_LEN)
    return WR_EINVAL;
  return 0;
}

int wr_hmac_key_hash(struct wr_hmac_key *k, const void *data, size_t len,
                     unsigned char out[WR_SHA256_LEN])
{
  unsigned int out_len = 0;

  if (EVP_DigestInit_ex2(k->md, md_sha256, NULL) != 1 ||
      EVP_DigestUpdate(k->md, data, len) != 1 ||
      EVP_DigestFinal_ex(k->md, out, &out_len) != 1 ||
      out_len != WR_SHA256_LEN)
    return WR_EINVAL;
  return 0;
}

void wr_hmac_key_destroy(struct wr_hmac_key **pp)
{
  struct wr_hmac_key *k = *pp;

  if (k == NULL)
    return;
  *pp = NULL;
  EVP_MAC_CTX_free(k->ctx);
  EVP_MD_CTX_free(k->md);
  free(k);
}

int wr_sha256(const void *data, size_t len, unsigned char out[WR_SHA256_LEN])
{
  unsigned int out_len = 0;

  pthread_once(&fetch_once, fetch);
  if (md_sha256 == NULL ||
      EVP_Digest(data, len, out, &out_len, md_sha256, NULL) != 1)
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
