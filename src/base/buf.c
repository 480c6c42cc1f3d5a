#include "buf.h"

#include "err.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void wr_buf_init(struct wr_buf *b, size_t max)
{
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->max = max;
}

/* Move the contents to a new block of cap bytes. */
static int move_to(struct wr_buf *b, size_t cap)
{
  /* Not realloc: a moved block would be freed unwiped, and a buffer may
   * hold a secret (a signed query with an STS token, a key). */
  char *p = malloc(cap);

  if (p == NULL) {
    wr_buf_free_secret(b);
    return WR_ENOMEM;
  }
  if (b->data != NULL) {
    memcpy(p, b->data, b->len + 1);
    OPENSSL_cleanse(b->data, b->cap);
    free(b->data);
  } else {
    p[0] = '\0';
  }
  b->data = p;
  b->cap = cap;
  return 0;
}

static int grow(struct wr_buf *b, size_t extra)
{
  size_t need, cap;

  if (extra > b->max - b->len) {
    wr_buf_free_secret(b);
    return WR_ETOOBIG;
  }
  need = b->len + extra + 1;
  if (need <= b->cap)
    return 0;
  cap = b->cap ? b->cap : 64;
  while (cap < need)
    cap *= 2;
  return move_to(b, cap);
}

int wr_buf_reserve(struct wr_buf *b, size_t extra)
{
  if (extra > b->max - b->len) {
    wr_buf_free_secret(b);
    return WR_ETOOBIG;
  }
  if (b->len + extra + 1 <= b->cap)
    return 0;
  return move_to(b, b->len + extra + 1);
}

/* Whether len more bytes (and the NUL) fit as the buffer is: the test
 * before every append, so the common case makes no call. */
static int fits(const struct wr_buf *b, size_t len)
{
  return len < b->cap - b->len && len <= b->max - b->len;
}

int wr_buf_add(struct wr_buf *b, const void *mem, size_t len)
{
  int rc;

  if (!fits(b, len) && (rc = grow(b, len)) < 0)
    return rc;
  if (len > 0)
    memcpy(b->data + b->len, mem, len);
  b->len += len;
  b->data[b->len] = '\0';
  return 0;
}

int wr_buf_adds(struct wr_buf *b, const char *str)
{
  return wr_buf_add(b, str, strlen(str));
}

int wr_buf_addc(struct wr_buf *b, char c)
{
  int rc;

  if (!fits(b, 1) && (rc = grow(b, 1)) < 0)
    return rc;
  b->data[b->len++] = c;
  b->data[b->len] = '\0';
  return 0;
}

int wr_buf_addf(struct wr_buf *b, const char *fmt, ...)
{
  va_list ap;
  int n, rc;

  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return WR_EINVAL;
  rc = grow(b, (size_t)n);
  if (rc < 0)
    return rc;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return 0;
}

const char *wr_buf_str(const struct wr_buf *b)
{
  return b->data ? b->data : "";
}

void wr_buf_reset(struct wr_buf *b)
{
  b->len = 0;
  if (b->data)
    b->data[0] = '\0';
}

char *wr_buf_take(struct wr_buf *b)
{
  char *p = b->data;

  wr_buf_init(b, b->max);
  return p;
}

void wr_buf_free(struct wr_buf *b)
{
  free(b->data);
  wr_buf_init(b, b->max);
}

void wr_buf_free_secret(struct wr_buf *b)
{
  if (b->data)
    OPENSSL_cleanse(b->data, b->cap);
  wr_buf_free(b);
}
