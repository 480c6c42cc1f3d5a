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
/* An HMAC-SHA256 key prepared once for many MACs (a run signs every call
 * with the same secret): each MAC is then an init, an update and a final,
 * not a fetch and a key schedule.  It also keeps a SHA-256 context for the
 * signer's other hash (the canonical request).  One thread at a time per
 * key; destroy wipes it (OpenSSL cleanses the contexts). */
struct wr_hmac_key;
int wr_hmac_key_create(const void *key, size_t key_len,
                       struct wr_hmac_key **out);
int wr_hmac_key_sha256(struct wr_hmac_key *k, const void *data, size_t len,
                       unsigned char out[WR_SHA256_LEN]);
/* Plain SHA-256 of data (no key), with k's reused digest context. */
int wr_hmac_key_hash(struct wr_hmac_key *k, const void *data, size_t len,
                     unsigned char out[WR_SHA256_LEN]);
void wr_hmac_key_destroy(struct wr_hmac_key **pp);
/* SHA-256 of data; 0 or WR_EINVAL. */
int wr_sha256(const void *data, size_t len, unsigned char out[WR_SHA256_LEN]);
/* Standard base64 (with padding) of n bytes into out, which holds at least
 * 4 * ((n + 2) / 3) + 1 bytes. */
void wr_base64(const unsigned char *in, size_t n, char *out);
/* Lowercase hex of n bytes into out, which holds 2 * n + 1 bytes. */
void wr_hex(const unsigned char *in, size_t n, char *out);

#endif
