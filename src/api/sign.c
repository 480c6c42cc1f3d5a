/* sign: the canonicalisation shared by both signature versions. */
#include "sign.h"

#include "buf.h"
#include "err.h"
#include "hmac.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The bytes kept as they are, one bit per ASCII byte (bit c of word
 * c / 64): a table, not a chain of comparisons per byte through a function
 * pointer, which showed in the per-call cost.  RFC 3986 unreserved:
 * A-Z a-z 0-9 - _ . ~ */
static const uint64_t unreserved[2] = {0x03ff600000000000ULL,
                                       0x47fffffe87fffffeULL};
/* The same plus ! ' ( ) * (Node's querystring). */
static const uint64_t unreserved_js[2] = {0x03ff678200000000ULL,
                                          0x47fffffe87fffffeULL};

static int keep(const uint64_t set[2], unsigned char c)
{
  return c < 128 && (set[c >> 6] >> (c & 63) & 1) != 0;
}

static int encode(const char *s, size_t len, const uint64_t set[2],
                  struct wr_buf *out)
{
  static const char hex[] = "0123456789ABCDEF";
  size_t i, run;
  int rc;

  for (i = 0; i < len; i += run) {
    unsigned char c = (unsigned char)s[i];
    char esc[3];

    /* Copy runs of unreserved bytes at once: most values are plain. */
    for (run = 0; i + run < len && keep(set, (unsigned char)s[i + run]);)
      run++;
    if (run > 0) {
      rc = wr_buf_add(out, s + i, run);
      if (rc < 0)
        return rc;
      continue;
    }
    esc[0] = '%';
    esc[1] = hex[c >> 4];
    esc[2] = hex[c & 0x0f];
    rc = wr_buf_add(out, esc, 3);
    if (rc < 0)
      return rc;
    run = 1;
  }
  return 0;
}

int wr_percent_encode(const char *s, size_t len, struct wr_buf *out)
{
  return encode(s, len, unreserved, out);
}

int wr_percent_encode_js(const char *s, size_t len, struct wr_buf *out)
{
  return encode(s, len, unreserved_js, out);
}

static int param_cmp(const void *a, const void *b)
{
  const struct wr_param *pa = a, *pb = b;
  int c = strcmp(pa->name, pb->name); /* strcmp compares unsigned bytes */

  /* A name given twice sorts by value so the order is deterministic. */
  return c != 0 ? c : strcmp(pa->value, pb->value);
}

/* Insertion sort up to this many: a request has a handful of parameters
 * or headers, often in order already, and qsort's set-up cost more than
 * the sort. */
#define SORT_SMALL 16
#define SORT_ELEM_MAX 64

void wr_sort_small(void *base, size_t n, size_t size,
                   int (*cmp)(const void *, const void *))
{
  unsigned char *a = base, t[SORT_ELEM_MAX];
  size_t i, j;

  if (n > SORT_SMALL || size > sizeof(t)) {
    qsort(base, n, size, cmp);
    return;
  }
  for (i = 1; i < n; i++) {
    memcpy(t, a + i * size, size);
    for (j = i; j > 0 && cmp(a + (j - 1) * size, t) > 0; j--)
      memcpy(a + j * size, a + (j - 1) * size, size);
    memcpy(a + j * size, t, size);
  }
}

int wr_canonical_query(struct wr_param *params, size_t n, struct wr_buf *out)
{
  size_t i;
  int rc;

  wr_sort_small(params, n, sizeof(*params), param_cmp);
  for (i = 0; i < n; i++) {
    const char *v = params[i].value != NULL ? params[i].value : "";

    if (i > 0 && (rc = wr_buf_addc(out, '&')) < 0)
      return rc;
    rc = wr_percent_encode(params[i].name, strlen(params[i].name), out);
    if (rc < 0)
      return rc;
    if ((rc = wr_buf_addc(out, '=')) < 0)
      return rc;
    rc = wr_percent_encode(v, strlen(v), out);
    if (rc < 0)
      return rc;
  }
  return 0;
}

int wr_sha256_hex(const void *data, size_t len, char out[65])
{
  unsigned char md[WR_SHA256_LEN];
  int rc = wr_sha256(data, len, md);

  if (rc < 0)
    return rc;
  wr_hex(md, sizeof(md), out);
  return 0;
}
