/* sign_v3: ACS3-HMAC-SHA256, API.md section 4. */
#include "sign.h"

#include "buf.h"
#include "err.h"
#include "hmac.h"

#include <ctype.h>
#include <stdbool.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#define SIGN_MAX (1u << 20)
#define V3_ALGORITHM "ACS3-HMAC-SHA256"

/* Up to this many headers: an array on the stack and an insertion sort
 * (a request signs seven), not a calloc and a qsort per call. */
#define SMALL_HDRS 16

struct hdr {
  char *name;        /* lowercase: the caller's, or a lowercased copy */
  bool owned;        /* name is our copy */
  size_t name_len;
  const char *value; /* trimmed, borrowed */
  size_t value_len;
};

static int hdr_cmp(const void *a, const void *b)
{
  const struct hdr *ha = a, *hb = b;
  size_t n = ha->value_len < hb->value_len ? ha->value_len : hb->value_len;
  int c = strcmp(ha->name, hb->name);

  if (c != 0)
    return c;
  /* Merged values are joined in sorted order, as both SDKs do. */
  c = memcmp(ha->value, hb->value, n);
  if (c != 0)
    return c;
  return ha->value_len < hb->value_len ? -1 : ha->value_len > hb->value_len;
}

static void trim(const char *s, const char **start, size_t *len)
{
  size_t n = strlen(s);

  while (n > 0 && isspace((unsigned char)*s)) {
    s++;
    n--;
  }
  while (n > 0 && isspace((unsigned char)s[n - 1]))
    n--;
  *start = s;
  *len = n;
}

/* Fill h (n entries, zeroed) from headers: lowercase names, trimmed
 * values, sorted.  *size gets an upper bound of the bytes of the
 * canonical headers and the signed header names together. */
static int prepare_hdrs(const struct wr_param *headers, size_t n,
                        struct hdr *h, size_t *size)
{
  size_t i, j;

  *size = 0;
  for (i = 0; i < n; i++) {
    const char *name = headers[i].name;

    /* Names are usually lowercase already: copy only when not. */
    for (j = 0; name[j] != '\0' && !isupper((unsigned char)name[j]); j++)
      ;
    h[i].name = (char *)name;
    if (name[j] != '\0') {
      h[i].name = strdup(name);
      if (h[i].name == NULL)
        return WR_ENOMEM;
      h[i].owned = true;
      for (j = 0; h[i].name[j] != '\0'; j++)
        h[i].name[j] = (char)tolower((unsigned char)h[i].name[j]);
    }
    h[i].name_len = strlen(h[i].name);
    trim(headers[i].value != NULL ? headers[i].value : "", &h[i].value,
         &h[i].value_len);
    /* "name:value\n" and "name;" */
    *size += 2 * h[i].name_len + h[i].value_len + 3;
  }
  wr_sort_small(h, n, sizeof(*h), hdr_cmp);
  return 0;
}

/* CanonicalHeaders: "name:value\n" each, a name given twice merged. */
static int canonical_headers(const struct hdr *h, size_t n,
                             struct wr_buf *out)
{
  size_t i;
  int rc;

  for (i = 0; i < n; i++) {
    if (i > 0 && strcmp(h[i].name, h[i - 1].name) == 0) {
      /* Same name again: ",value" continues the previous line. */
      if ((rc = wr_buf_addc(out, ',')) < 0 ||
          (rc = wr_buf_add(out, h[i].value, h[i].value_len)) < 0)
        return rc;
      continue;
    }
    if ((i > 0 && (rc = wr_buf_addc(out, '\n')) < 0) ||
        (rc = wr_buf_add(out, h[i].name, h[i].name_len)) < 0 ||
        (rc = wr_buf_addc(out, ':')) < 0 ||
        (rc = wr_buf_add(out, h[i].value, h[i].value_len)) < 0)
      return rc;
  }
  return n > 0 ? wr_buf_addc(out, '\n') : 0;
}

/* SignedHeaders: "a;b", each name once. */
static int signed_names(const struct hdr *h, size_t n, struct wr_buf *out)
{
  size_t i;
  int rc;

  for (i = 0; i < n; i++) {
    if (i > 0 && strcmp(h[i].name, h[i - 1].name) == 0)
      continue;
    if ((i > 0 && (rc = wr_buf_addc(out, ';')) < 0) ||
        (rc = wr_buf_add(out, h[i].name, h[i].name_len)) < 0)
      return rc;
  }
  return 0;
}

/* The canonical request into creq; [*names, *names + *names_len) of it
 * is SignedHeaders. */
static int canonical_request(const struct wr_v3_input *in, const char *cq,
                             const struct hdr *h, size_t hdrs_size,
                             struct wr_buf *creq, size_t *names,
                             size_t *names_len)
{
  const char *method = in->method != NULL ? in->method : "";
  const char *path = in->path != NULL && in->path[0] != '\0' ? in->path : "/";
  const char *hash = in->payload_hash_hex != NULL ? in->payload_hash_hex : "";
  size_t mlen = strlen(method), plen = strlen(path), hlen = strlen(hash);
  size_t qlen = cq != NULL ? strlen(cq) : 0;
  int rc;

  *names = 0;
  *names_len = 0;
  /* One allocation: "method\npath\nquery\nheaders\nnames\nhash". */
  if ((rc = wr_buf_reserve(creq, mlen + plen + qlen + hdrs_size + hlen +
                                     5)) < 0 ||
      (rc = wr_buf_add(creq, method, mlen)) < 0 ||
      (rc = wr_buf_addc(creq, '\n')) < 0 ||
      (rc = wr_buf_add(creq, path, plen)) < 0 ||
      (rc = wr_buf_addc(creq, '\n')) < 0)
    return rc;
  rc = cq != NULL ? wr_buf_add(creq, cq, qlen)
           : wr_canonical_query(in->query, in->nquery, creq);
  if (rc < 0 || (rc = wr_buf_addc(creq, '\n')) < 0 ||
      (rc = canonical_headers(h, in->nheaders, creq)) < 0 ||
      (rc = wr_buf_addc(creq, '\n')) < 0)
    return rc;
  *names = creq->len;
  if ((rc = signed_names(h, in->nheaders, creq)) < 0)
    return rc;
  *names_len = creq->len - *names;
  if ((rc = wr_buf_addc(creq, '\n')) < 0 ||
      (rc = wr_buf_add(creq, hash, hlen)) < 0)
    return rc;
  return 0;
}

/* key, when not NULL, is the prepared secret; cq, when not NULL, the
 * canonical query of in->query made already. */
static int sign_v3(const struct wr_v3_input *in, const char *cq,
                   const char *secret,
                   struct wr_hmac_key *key, struct wr_buf *signature_hex,
                   struct wr_buf *signed_headers,
                   struct wr_buf *canonical_req,
                   struct wr_buf *string_to_sign)
{
  static const char algo[] = V3_ALGORITHM "\n";
  struct hdr small[SMALL_HDRS], *h = small;
  struct wr_buf creq;
  unsigned char mac[WR_SHA256_LEN];
  /* "ACS3-HMAC-SHA256\n" and the hex hash of the canonical request. */
  char sts[sizeof(algo) - 1 + 2 * WR_SHA256_LEN + 1];
  char sig[2 * WR_SHA256_LEN + 1], *hash = sts + sizeof(algo) - 1;
  size_t n = in->nheaders, hdrs_size, names = 0, names_len = 0, i;
  int rc;

  if (key == NULL && secret == NULL)
    return WR_EINVAL;
  wr_buf_init(&creq, SIGN_MAX);
  if (n > SMALL_HDRS) {
    h = calloc(n, sizeof(*h));
    if (h == NULL)
      return WR_ENOMEM;
  } else {
    memset(small, 0, n * sizeof(*small));
  }
  if ((rc = prepare_hdrs(in->headers, n, h, &hdrs_size)) < 0 ||
      (rc = canonical_request(in, cq, h, hdrs_size, &creq, &names,
                              &names_len)) < 0)
    goto out;
  memcpy(sts, algo, sizeof(algo) - 1);
  if (key != NULL) {
    unsigned char md[WR_SHA256_LEN];

    if ((rc = wr_hmac_key_hash(key, wr_buf_str(&creq), creq.len, md)) < 0)
      goto out;
    wr_hex(md, sizeof(md), hash);
  } else if ((rc = wr_sha256_hex(wr_buf_str(&creq), creq.len, hash)) < 0) {
    goto out;
  }
  /* The key is the secret itself (no "&", unlike V1). */
  rc = key != NULL ? wr_hmac_key_sha256(key, sts, sizeof(sts) - 1, mac)
                   : wr_hmac_sha256(secret, strlen(secret), sts,
                                    sizeof(sts) - 1, mac);
  if (rc < 0)
    goto out;
  wr_hex(mac, sizeof(mac), sig);
  if ((rc = wr_buf_add(signature_hex, sig, sizeof(sig) - 1)) < 0)
    goto out;
  if (signed_headers != NULL &&
      (rc = wr_buf_add(signed_headers, creq.data + names, names_len)) < 0)
    goto out;
  if (canonical_req != NULL &&
      (rc = wr_buf_add(canonical_req, wr_buf_str(&creq), creq.len)) < 0)
    goto out;
  if (string_to_sign != NULL &&
      (rc = wr_buf_add(string_to_sign, sts, sizeof(sts) - 1)) < 0)
    goto out;
  rc = 0;
out:
  OPENSSL_cleanse(mac, sizeof(mac));
  for (i = 0; i < n; i++)
    if (h[i].owned)
      free(h[i].name);
  if (h != small)
    free(h);
  wr_buf_free(&creq);
  return rc;
}

int wr_sign_v3(const struct wr_v3_input *in, const char *secret,
               struct wr_buf *signature_hex, struct wr_buf *signed_headers,
               struct wr_buf *canonical_request,
               struct wr_buf *string_to_sign)
{
  return sign_v3(in, NULL, secret, NULL, signature_hex, signed_headers,
                 canonical_request, string_to_sign);
}

int wr_sign_v3_keyed(const struct wr_v3_input *in,
                     const char *canonical_query, struct wr_hmac_key *key,
                     struct wr_buf *signature_hex,
                     struct wr_buf *signed_headers)
{
  return sign_v3(in, canonical_query, NULL, key, signature_hex,
                 signed_headers, NULL, NULL);
}
