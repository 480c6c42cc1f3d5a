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

struct hdr {
  char *name;        /* lowercase: the caller's, or a lowercased copy */
  bool owned;        /* name is our copy */
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

/* CanonicalHeaders ("name:value\n" each) and SignedHeaders ("a;b"). */
static int canonical_headers(const struct wr_param *headers, size_t n,
                             struct wr_buf *canon, struct wr_buf *signed_hdrs)
{
  struct hdr *h;
  size_t i, j;
  int rc = WR_ENOMEM;

  if (n == 0)
    return 0;
  h = calloc(n, sizeof(*h));
  if (h == NULL)
    return WR_ENOMEM;
  for (i = 0; i < n; i++) {
    const char *name = headers[i].name;

    /* Names are usually lowercase already: copy only when not. */
    for (j = 0; name[j] != '\0' && !isupper((unsigned char)name[j]); j++)
      ;
    h[i].name = (char *)name;
    if (name[j] != '\0') {
      h[i].name = strdup(name);
      if (h[i].name == NULL)
        goto out;
      h[i].owned = true;
      for (j = 0; h[i].name[j] != '\0'; j++)
        h[i].name[j] = (char)tolower((unsigned char)h[i].name[j]);
    }
    trim(headers[i].value != NULL ? headers[i].value : "", &h[i].value,
         &h[i].value_len);
  }
  qsort(h, n, sizeof(*h), hdr_cmp);
  for (i = 0; i < n; i++) {
    if (i > 0 && strcmp(h[i].name, h[i - 1].name) == 0) {
      /* Same name again: ",value" continues the previous line. */
      if ((rc = wr_buf_addc(canon, ',')) < 0 ||
          (rc = wr_buf_add(canon, h[i].value, h[i].value_len)) < 0)
        goto out;
    } else {
      if (i > 0 && ((rc = wr_buf_addc(canon, '\n')) < 0 ||
                    (rc = wr_buf_addc(signed_hdrs, ';')) < 0))
        goto out;
      if ((rc = wr_buf_adds(canon, h[i].name)) < 0 ||
          (rc = wr_buf_addc(canon, ':')) < 0 ||
          (rc = wr_buf_add(canon, h[i].value, h[i].value_len)) < 0 ||
          (rc = wr_buf_adds(signed_hdrs, h[i].name)) < 0)
        goto out;
    }
  }
  rc = wr_buf_addc(canon, '\n');
out:
  for (i = 0; i < n; i++)
    if (h[i].owned)
      free(h[i].name);
  free(h);
  return rc;
}

/* key, when not NULL, is the prepared secret. */
static int sign_v3(const struct wr_v3_input *in, const char *secret,
                   struct wr_hmac_key *key, struct wr_buf *signature_hex,
                   struct wr_buf *signed_headers,
                   struct wr_buf *canonical_request,
                   struct wr_buf *string_to_sign)
{
  struct wr_buf creq, hdrs, names, sts;
  unsigned char mac[WR_SHA256_LEN];
  char hash[65], sig[2 * WR_SHA256_LEN + 1];
  const char *path = in->path != NULL && in->path[0] != '\0' ? in->path : "/";
  int rc;

  wr_buf_init(&creq, SIGN_MAX);
  wr_buf_init(&hdrs, SIGN_MAX);
  wr_buf_init(&names, SIGN_MAX);
  wr_buf_init(&sts, SIGN_MAX);
  rc = canonical_headers(in->headers, in->nheaders, &hdrs, &names);
  if (rc < 0)
    goto out;
  if ((rc = wr_buf_adds(&creq, in->method != NULL ? in->method : "")) < 0 ||
      (rc = wr_buf_addc(&creq, '\n')) < 0 ||
      (rc = wr_buf_adds(&creq, path)) < 0 ||
      (rc = wr_buf_addc(&creq, '\n')) < 0 ||
      (rc = wr_canonical_query(in->query, in->nquery, &creq)) < 0 ||
      (rc = wr_buf_addc(&creq, '\n')) < 0 ||
      (rc = wr_buf_add(&creq, wr_buf_str(&hdrs), hdrs.len)) < 0 ||
      (rc = wr_buf_addc(&creq, '\n')) < 0 ||
      (rc = wr_buf_add(&creq, wr_buf_str(&names), names.len)) < 0 ||
      (rc = wr_buf_addc(&creq, '\n')) < 0 ||
      (rc = wr_buf_adds(&creq, in->payload_hash_hex != NULL ?
                                   in->payload_hash_hex : "")) < 0)
    goto out;
  if (key != NULL) {
    unsigned char md[WR_SHA256_LEN];

    if ((rc = wr_hmac_key_hash(key, wr_buf_str(&creq), creq.len, md)) < 0)
      goto out;
    wr_hex(md, sizeof(md), hash);
  } else if ((rc = wr_sha256_hex(wr_buf_str(&creq), creq.len, hash)) < 0) {
    goto out;
  }
  if ((rc = wr_buf_adds(&sts, V3_ALGORITHM "\n")) < 0 ||
      (rc = wr_buf_adds(&sts, hash)) < 0)
    goto out;
  /* The key is the secret itself (no "&", unlike V1). */
  rc = key != NULL ? wr_hmac_key_sha256(key, wr_buf_str(&sts), sts.len, mac)
                   : wr_hmac_sha256(secret, strlen(secret), wr_buf_str(&sts),
                                    sts.len, mac);
  if (rc < 0)
    goto out;
  wr_hex(mac, sizeof(mac), sig);
  if ((rc = wr_buf_adds(signature_hex, sig)) < 0)
    goto out;
  if (signed_headers != NULL &&
      (rc = wr_buf_add(signed_headers, wr_buf_str(&names), names.len)) < 0)
    goto out;
  if (canonical_request != NULL &&
      (rc = wr_buf_add(canonical_request, wr_buf_str(&creq), creq.len)) < 0)
    goto out;
  if (string_to_sign != NULL &&
      (rc = wr_buf_add(string_to_sign, wr_buf_str(&sts), sts.len)) < 0)
    goto out;
  rc = 0;
out:
  OPENSSL_cleanse(mac, sizeof(mac));
  wr_buf_free(&creq);
  wr_buf_free(&hdrs);
  wr_buf_free(&names);
  wr_buf_free(&sts);
  return rc;
}

int wr_sign_v3(const struct wr_v3_input *in, const char *secret,
               struct wr_buf *signature_hex, struct wr_buf *signed_headers,
               struct wr_buf *canonical_request,
               struct wr_buf *string_to_sign)
{
  return sign_v3(in, secret, NULL, signature_hex, signed_headers,
                 canonical_request, string_to_sign);
}

int wr_sign_v3_keyed(const struct wr_v3_input *in, struct wr_hmac_key *key,
                     struct wr_buf *signature_hex,
                     struct wr_buf *signed_headers)
{
  return sign_v3(in, NULL, key, signature_hex, signed_headers, NULL, NULL);
}
