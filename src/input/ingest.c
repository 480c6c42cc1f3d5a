/* ingest: opening inputs, reading blocks, the BOM, and choosing the
 * format.  The formats themselves are in ingest_csv.c and ingest_jsonl.c. */
#include "ingest.h"

#include "ingest_int.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where bytes come from: an fd, or a memory buffer (tests). */
struct source {
  int fd;                    /* -1: memory */
  const unsigned char *mem;
  size_t mem_len, mem_pos;
  EVP_MD_CTX *md;            /* NULL: no digest wanted */
  bool md_failed;
  uint64_t bytes;
};

enum wr_input_format wr_ingest_format_of(const char *path)
{
  const char *dot = strrchr(path, '.');

  if (dot == NULL || strchr(dot, '/') != NULL)
    return WR_FORMAT_AUTO;
  if (strcasecmp(dot, ".jsonl") == 0 || strcasecmp(dot, ".ndjson") == 0)
    return WR_FORMAT_JSONL;
  if (strcasecmp(dot, ".csv") == 0)
    return WR_FORMAT_CSV;
  return WR_FORMAT_AUTO;
}

void wr_ingest_trim(const char **s, size_t *len)
{
  const char *p = *s;
  size_t n = *len;

  while (n > 0 && (*p == ' ' || (*p >= '\t' && *p <= '\r'))) {
    p++;
    n--;
  }
  while (n > 0 && (p[n - 1] == ' ' || (p[n - 1] >= '\t' && p[n - 1] <= '\r')))
    n--;
  *s = p;
  *len = n;
}

/* Up to cap bytes; 0 at the end.  Negative on a read error.  Every byte
 * read goes through the digest, when one is wanted. */
static ssize_t source_read_raw(struct source *src, unsigned char *buf,
                               size_t cap);

static ssize_t source_read(struct source *src, unsigned char *buf, size_t cap)
{
  ssize_t n = source_read_raw(src, buf, cap);

  if (n > 0 && src->md != NULL) {
    if (EVP_DigestUpdate(src->md, buf, (size_t)n) != 1)
      src->md_failed = true;
    src->bytes += (uint64_t)n;
  }
  return n;
}

static ssize_t source_read_raw(struct source *src, unsigned char *buf,
                               size_t cap)
{
  ssize_t n;

  if (src->fd < 0) {
    n = (ssize_t)(src->mem_len - src->mem_pos < cap ? src->mem_len - src->mem_pos
                                                    : cap);
    memcpy(buf, src->mem + src->mem_pos, (size_t)n);
    src->mem_pos += (size_t)n;
    return n;
  }
  do {
    n = read(src->fd, buf, cap);
  } while (n < 0 && errno == EINTR);
  return n;
}

/* Fill buf until it holds want bytes or the input ends. */
static ssize_t source_read_full(struct source *src, unsigned char *buf,
                                size_t want)
{
  size_t got = 0;
  ssize_t n;

  while (got < want) {
    n = source_read(src, buf + got, want - got);
    if (n < 0)
      return n;
    if (n == 0)
      break;
    got += (size_t)n;
  }
  return (ssize_t)got;
}

static enum wr_input_format sniff(const unsigned char *p, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++) {
    if (p[i] == ' ' || (p[i] >= '\t' && p[i] <= '\r'))
      continue;
    return p[i] == '{' ? WR_FORMAT_JSONL : WR_FORMAT_CSV;
  }
  return WR_FORMAT_CSV;
}

static int digest_end(struct source *src, struct wr_ingest_digest *d)
{
  unsigned char h[EVP_MAX_MD_SIZE];
  unsigned int n = 0, i;

  if (src->md_failed || EVP_DigestFinal_ex(src->md, h, &n) != 1 || n != 32)
    return WR_ENOMEM;
  for (i = 0; i < n; i++)
    snprintf(d->sha256 + 2 * i, 3, "%02x", h[i]);
  d->bytes = src->bytes;
  return 0;
}

static int run(const char *name, struct source *src,
               const struct wr_ingest_opts *opts, wr_ingest_row_cb *cb,
               void *ud, struct wr_err *err)
{
  struct wr_ingest_ctx ctx = {name, opts, cb, ud, err};
  struct wr_csv *csv = NULL;
  struct wr_jsonl *jsonl = NULL;
  enum wr_input_format format = opts->format;
  size_t block = opts->block ? opts->block : WR_INGEST_BLOCK;
  size_t off = 0;
  unsigned char *buf = NULL;
  ssize_t n;
  int rc = WR_ENOMEM;

  buf = malloc(block < 3 ? 3 : block);
  if (buf == NULL)
    goto out;
  if (opts->digest != NULL) {
    opts->digest->sha256[0] = '\0';
    opts->digest->bytes = 0;
    src->md = EVP_MD_CTX_new();
    if (src->md == NULL || EVP_DigestInit_ex(src->md, EVP_sha256(), NULL) != 1)
      goto out;
  }
  /* The first read is at least 3 bytes so a BOM is seen whole. */
  n = source_read_full(src, buf, block < 3 ? 3 : block);
  if (n < 0)
    goto read_error;
  if (n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
    off = 3;
  if (format == WR_FORMAT_AUTO)
    format = wr_ingest_format_of(name);
  if (format == WR_FORMAT_AUTO)
    format = sniff(buf + off, (size_t)n - off);
  rc = format == WR_FORMAT_JSONL ? wr_jsonl_create(&ctx, &jsonl)
                                 : wr_csv_create(&ctx, &csv);
  if (rc < 0)
    goto out;
  while (n > 0) {
    if ((size_t)n > off) {
      rc = jsonl ? wr_jsonl_feed(jsonl, (char *)buf + off, (size_t)n - off)
                 : wr_csv_feed(csv, (char *)buf + off, (size_t)n - off);
      if (rc < 0)
        goto out;
    }
    off = 0;
    n = source_read(src, buf, block);
    if (n < 0)
      goto read_error;
  }
  rc = jsonl ? wr_jsonl_finish(jsonl) : wr_csv_finish(csv);
  if (rc == 0 && src->md != NULL)
    rc = digest_end(src, opts->digest);
  goto out;
read_error:
  rc = wr_err_set(err, WR_EIO, "%s: read error: %s", name, strerror(errno));
out:
  if (rc == WR_ENOMEM && err != NULL && err->code != WR_ENOMEM)
    wr_err_set(err, WR_ENOMEM, "%s: out of memory", name);
  wr_csv_destroy(&csv);
  wr_jsonl_destroy(&jsonl);
  EVP_MD_CTX_free(src->md);
  src->md = NULL;
  free(buf);
  return rc;
}

int wr_ingest_file(const char *path, const struct wr_ingest_opts *opts,
                   wr_ingest_row_cb *cb, void *ctx, struct wr_err *err)
{
  struct source src = {-1, NULL, 0, 0, NULL, false, 0};
  struct stat st;
  bool is_stdin = strcmp(path, "-") == 0;
  int rc;

  if (is_stdin) {
    src.fd = STDIN_FILENO;
  } else {
    src.fd = open(path, O_RDONLY | O_CLOEXEC);
    if (src.fd < 0)
      return wr_err_set(err, WR_EIO, "%s: cannot open: %s", path,
                        strerror(errno));
  }
  if (fstat(src.fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    rc = wr_err_set(err, WR_EIO, "%s: is a directory, not an input file",
                    path);
    goto out;
  }
  rc = run(is_stdin ? "-" : path, &src, opts, cb, ctx, err);
out:
  if (!is_stdin)
    close(src.fd);
  return rc;
}

int wr_ingest_mem(const char *name, const void *data, size_t len,
                  const struct wr_ingest_opts *opts, wr_ingest_row_cb *cb,
                  void *ctx, struct wr_err *err)
{
  struct source src = {-1, data, len, 0, NULL, false, 0};

  return run(name, &src, opts, cb, ctx, err);
}
