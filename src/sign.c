/* sign: the canonicalisation shared by both signature versions. */
#include "sign.h"

#include "buf.h"
#include "err.h"
#include "hmac.h"

#include <stdlib.h>
#include <string.h>

static int unreserved(unsigned char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
         c == '~';
}

static int unreserved_js(unsigned char c)
{
  return unreserved(c) || c == '!' || c == '\'' || c == '(' || c == ')' ||
         c == '*';
}

static int encode(const char *s, size_t len, int (*keep)(unsigned char),
                  struct wr_buf *out)
{
  static const char hex[] = "0123456789ABCDEF";
  size_t i, run;
  int rc;

  for (i = 0; i < len; i += run) {
    unsigned char c = (unsigned char)s[i];
    char esc[3];

    /* Copy runs of unreserved bytes at once: most values are plain. */
    for (run = 0; i + run < len && keep((unsigned char)s[i + run]);)
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

int wr_canonical_query(struct wr_param *params, size_t n, struct wr_buf *out)
{
  size_t i;
  int rc;

  if (n > 1)
    qsort(params, n, sizeof(*params), param_cmp);
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
