/* api_request: a request's header block (api.h).
 *
 * All of a request's header strings are one allocation made to measure,
 * with the lines already in libcurl's form.  Per call this replaced
 * sixteen strdups, and sixteen frees and eight wipes after them, and the
 * transport's formatting of every header again into a line. */
#include "api.h"

#include "err.h"
#include "sign.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One name or value: bounds the block without overflow checks. */
#define HEADER_STRING_MAX (1u << 16)

/* Wipe and free a block of n headers.  The array holds only pointers;
 * the strings after it hold the signature and any token. */
static void block_free(struct wr_header *hdrs, size_t n, size_t size)
{
  if (hdrs == NULL)
    return;
  OPENSSL_cleanse(hdrs + n, size - n * sizeof(*hdrs));
  free(hdrs);
}

/* Write each header's "name\0" and line into the strings after the
 * array, and point the array at them. */
static void block_fill(struct wr_header *hdrs, const struct wr_param *h,
                       size_t n, const size_t *len)
{
  char *p = (char *)(hdrs + n);
  size_t i, nl, vl;

  for (i = 0; i < n; i++) {
    nl = len[2 * i];
    vl = len[2 * i + 1];
    hdrs[i].name = p;
    memcpy(p, h[i].name, nl);
    p[nl] = '\0';
    p += nl + 1;
    hdrs[i].line = p;
    memcpy(p, h[i].name, nl);
    p += nl;
    if (vl > 0) {
      memcpy(p, ": ", 2);
      hdrs[i].value = p + 2;
      memcpy(p + 2, h[i].value, vl);
      p += 2 + vl;
    } else {
      /* "name;" is curl's way to send a header with an empty value;
       * the value is the line's NUL. */
      *p++ = ';';
      hdrs[i].value = p;
    }
    *p++ = '\0';
  }
}

int wr_http_request_set_headers(struct wr_http_request *req,
                                const struct wr_param *h, size_t n)
{
  size_t len[2 * WR_HTTP_HEADERS_MAX], size, i;
  struct wr_header *hdrs = NULL;

  if (n > WR_HTTP_HEADERS_MAX)
    return WR_ETOOBIG;
  size = n * sizeof(*hdrs);
  for (i = 0; i < n; i++) {
    len[2 * i] = strlen(h[i].name);
    len[2 * i + 1] = strlen(h[i].value);
    if (len[2 * i] == 0)
      return WR_EINVAL;
    if (len[2 * i] > HEADER_STRING_MAX || len[2 * i + 1] > HEADER_STRING_MAX)
      return WR_ETOOBIG;
    /* "name\0" then "name: value\0" or "name;\0" */
    size += len[2 * i] + 1 + len[2 * i] +
            (len[2 * i + 1] > 0 ? 2 + len[2 * i + 1] + 1 : 2);
  }
  if (n > 0) {
    hdrs = malloc(size);
    if (hdrs == NULL)
      return WR_ENOMEM;
    block_fill(hdrs, h, n, len);
  }
  /* Only now: h may point into the old block. */
  block_free(req->headers, req->nheaders, req->headers_size);
  req->headers = hdrs;
  req->nheaders = n;
  req->headers_size = n > 0 ? size : 0;
  return 0;
}

int wr_http_request_set_header(struct wr_http_request *req, const char *name,
                               const char *value)
{
  struct wr_param h[WR_HTTP_HEADERS_MAX + 1];
  size_t i, n = 0;
  bool found = false;

  if (req->nheaders > WR_HTTP_HEADERS_MAX)
    return WR_ETOOBIG;
  for (i = 0; i < req->nheaders; i++) {
    const struct wr_header *o = &req->headers[i];

    if (!found && strcasecmp(o->name, name) == 0) {
      found = true;
      if (value != NULL)
        h[n++] = (struct wr_param){o->name, value};
    } else {
      h[n++] = (struct wr_param){o->name, o->value};
    }
  }
  if (!found) {
    if (value == NULL)
      return 0;
    h[n++] = (struct wr_param){name, value};
  }
  return wr_http_request_set_headers(req, h, n);
}

const char *wr_http_request_strings(const struct wr_http_request *req,
                                    size_t *len)
{
  size_t array = req->nheaders * sizeof(*req->headers);

  if (req->headers == NULL) {
    *len = 0;
    return "";
  }
  *len = req->headers_size - array;
  return (const char *)req->headers + array;
}

void wr_http_request_free(struct wr_http_request *req)
{
  if (req == NULL)
    return;
  /* URLs and headers carry tokens and signatures: wipe before free. */
  if (req->url != NULL) {
    OPENSSL_cleanse(req->url, strlen(req->url));
    free(req->url);
  }
  block_free(req->headers, req->nheaders, req->headers_size);
  if (req->body != NULL) {
    OPENSSL_cleanse(req->body, req->body_len);
    free(req->body);
  }
  memset(req, 0, sizeof(*req));
}
