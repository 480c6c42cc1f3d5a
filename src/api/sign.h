/* sign: the canonicalisation and the two signature algorithms, shared by
 * the request builder (api.c) and ecd-sim's verifier.  Pure functions;
 * HMAC, SHA-256 and base64 come from OpenSSL.
 *
 * Percent-encoding is RFC 3986 over UTF-8 bytes: A-Za-z0-9-_.~ kept,
 * everything else %XY with uppercase hex (space %20, '*' %2A).  Parameters
 * sort by name in plain byte order (DesktopId.1 < DesktopId.10 <
 * DesktopId.2). */
#ifndef WR_SIGN_H
#define WR_SIGN_H

#include <stddef.h>

struct wr_buf;

struct wr_param {
  const char *name;  /* borrowed */
  const char *value; /* borrowed, "" for an empty value */
};

int wr_percent_encode(const char *s, size_t len, struct wr_buf *out);

/* The same over the set Node's querystring.stringify leaves alone, which
 * also keeps ! ' ( ) * literal: the client-API wire encoding (API.md 3.4,
 * vectors/client-api-wire.json).  Never used for a string to sign. */
int wr_percent_encode_js(const char *s, size_t len, struct wr_buf *out);

/* qsort(3), by insertion for up to 16 elements of up to 64 bytes. */
void wr_sort_small(void *base, size_t n, size_t size,
                   int (*cmp)(const void *, const void *));

/* Sort params in place by name (byte order), then append
 * "enc(name)=enc(value)&..." to out. */
int wr_canonical_query(struct wr_param *params, size_t n, struct wr_buf *out);

/* RPC V1 (HMAC-SHA1): StringToSign = METHOD&%2F&enc(canonical query);
 * key = secret + "&".  params excludes Signature; sorted in place.
 * signature_b64 gets the base64 signature (not URL-encoded);
 * string_to_sign (may be NULL) gets the string that was signed. */
int wr_sign_v1(const char *method, struct wr_param *params, size_t n,
               const char *secret, struct wr_buf *signature_b64,
               struct wr_buf *string_to_sign);

/* V3 (ACS3-HMAC-SHA256) over a request. */
struct wr_v3_input {
  const char *method;           /* "POST" */
  const char *path;             /* "/" ("" is taken as "/") */
  struct wr_param *query;       /* sorted in place */
  size_t nquery;
  struct wr_param *headers;     /* the headers to sign (any case; a name
                                   given twice is merged as "v1,v2") */
  size_t nheaders;
  const char *payload_hash_hex; /* x-acs-content-sha256 */
};

/* signature_hex gets the hex signature, signed_headers "h1;h2;...",
 * canonical_request and string_to_sign (each may be NULL) the
 * intermediate strings. */
int wr_sign_v3(const struct wr_v3_input *in, const char *secret,
               struct wr_buf *signature_hex, struct wr_buf *signed_headers,
               struct wr_buf *canonical_request,
               struct wr_buf *string_to_sign);

/* The same, the MAC made with a prepared key of the secret (hmac.h).
 * canonical_query, when not NULL, is wr_canonical_query of in->query made
 * already (the URL's, so the bytes sent are the bytes signed, and the
 * query is encoded once); in->query is then not read. */
struct wr_hmac_key;
int wr_sign_v3_keyed(const struct wr_v3_input *in,
                     const char *canonical_query, struct wr_hmac_key *key,
                     struct wr_buf *signature_hex,
                     struct wr_buf *signed_headers);

/* Lowercase hex SHA-256 of data. */
int wr_sha256_hex(const void *data, size_t len, char out[65]);

#endif
