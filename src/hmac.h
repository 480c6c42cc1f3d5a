/* hmac: thin wrappers over OpenSSL 3.0 for the signers.  HMAC (EVP_MAC)
 * (SHA-1, SHA-256), SHA-256, base64 and lowercase hex: nothing here is
 * hand-written crypto.  OpenSSL error codes stop at this edge. */
#ifndef WR_HMAC_H
#define WR_HMAC_H

#include <stddef.h>

#define WR_SHA1_LEN 20
#define WR_SHA256_LEN 32

/* HMAC-SHA1 / HMAC-SHA256 of data under key; 0 or WR_EINVAL. */
int wr_hmac_sha1(const void *key, size_t key_len, const void *data,
                 size_t len, unsigned char out[WR_SHA1_LEN]);
int wr_hmac_sha256(const void *key, size_t key_len, const void *data,
                   size_t len, unsigned char out[WR_SHA256_LEN]);
/* SHA-256 of data; 0 or WR_EINVAL. */
int wr_sha256(const void *data, size_t len, unsigned char out[WR_SHA256_LEN]);
/* Standard base64 (with padding) of n bytes into out, which holds at least
 * 4 * ((n + 2) / 3) + 1 bytes. */
void wr_base64(const unsigned char *in, size_t n, char *out);
/* Lowercase hex of n bytes into out, which holds 2 * n + 1 bytes. */
void wr_hex(const unsigned char *in, size_t n, char *out);

#endif
