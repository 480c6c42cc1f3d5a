/* buf: a bounded, growable byte buffer (curl's dynbuf idea).
 *
 * Embedded by value: wr_buf_init() cannot fail and allocates nothing.
 * Appends keep the data NUL-terminated; an append that would pass `max`
 * or fails to allocate frees the buffer (wiped) and returns WR_ETOOBIG or
 * WR_ENOMEM.  Growing never leaves a copy of the contents in freed memory.
 * wr_buf_take() hands the memory to the caller (free() it). */
#ifndef WR_BUF_H
#define WR_BUF_H

#include <stddef.h>

struct wr_buf {
  char *data;  /* NUL-terminated contents, NULL while empty */
  size_t len;  /* bytes used, without the NUL */
  size_t cap;  /* bytes allocated */
  size_t max;  /* the most len may ever be */
};

void wr_buf_init(struct wr_buf *b, size_t max);
/* Room for extra more bytes in one allocation of just that size, so that
 * the appends that follow do not grow the buffer step by step.  Errors
 * as for an append. */
int wr_buf_reserve(struct wr_buf *b, size_t extra);
int wr_buf_add(struct wr_buf *b, const void *mem, size_t len);
int wr_buf_adds(struct wr_buf *b, const char *str);
int wr_buf_addc(struct wr_buf *b, char c);
int wr_buf_addf(struct wr_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Contents as a string: "" while empty, never NULL. */
const char *wr_buf_str(const struct wr_buf *b);
/* Forget the contents, keep the allocation. */
void wr_buf_reset(struct wr_buf *b);
/* Return the allocation (NULL while empty) and reset to empty. */
char *wr_buf_take(struct wr_buf *b);
void wr_buf_free(struct wr_buf *b);
/* Like wr_buf_free, but wipes the memory first (for secrets). */
void wr_buf_free_secret(struct wr_buf *b);

#endif
