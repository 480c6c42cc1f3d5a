/* ingest_jsonl: JSON Lines, one value a line, through cJSON.
 *
 * A line is parsed straight from the read block when it lies in one, and
 * is gathered in a bounded buffer only when it crosses a block boundary.
 * A line over WR_INGEST_FIELD_MAX is rejected and skipped to its newline,
 * so memory never follows line length.  Every bad line is a rejection of
 * that line only: JSONL resynchronises at the next newline. */
#include "ingest_int.h"

#include "buf.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#define TOO_LONG "line longer than 1048576 bytes (WR_INGEST_FIELD_MAX)"

struct wr_jsonl {
  struct wr_ingest_ctx ctx;
  struct wr_buf pending; /* the start of a line that crosses blocks */
  long line;             /* number of the line being read */
  bool skipping;         /* the line is over the bound: drop to '\n' */
};

static int reject(struct wr_jsonl *j, const char *s, size_t len,
                  const char *reason)
{
  struct wr_ingest_row row;

  memset(&row, 0, sizeof(row));
  row.line = j->line;
  row.id = s;
  row.id_len = len;
  row.reason = reason;
  return j->ctx.cb(j->ctx.ud, &row, j->ctx.err);
}

static const cJSON *field(const cJSON *obj, const char *a, const char *b)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, a);

  return v != NULL ? v : cJSON_GetObjectItemCaseSensitive(obj, b);
}

static int line_done(struct wr_jsonl *j, const char *s, size_t len)
{
  struct wr_ingest_row row;
  const cJSON *id, *region;
  const char *end = NULL;
  cJSON *v;
  int rc;

  wr_ingest_trim(&s, &len);
  if (len == 0)
    return 0;
  v = cJSON_ParseWithLengthOpts(s, len, &end, false);
  if (v == NULL)
    return reject(j, s, len, "not valid JSON");
  memset(&row, 0, sizeof(row));
  row.line = j->line;
  if (end != NULL && end < s + len) {
    rc = reject(j, s, len, "more than one JSON value on the line");
    goto out;
  }
  if (cJSON_IsString(v)) {
    row.id = v->valuestring;
    row.id_len = strlen(v->valuestring);
    rc = j->ctx.cb(j->ctx.ud, &row, j->ctx.err);
    goto out;
  }
  if (!cJSON_IsObject(v)) {
    rc = reject(j, s, len, "neither a JSON object nor a string");
    goto out;
  }
  id = field(v, "DesktopId", "desktop_id");
  region = field(v, "RegionId", "region");
  if (id == NULL) {
    rc = reject(j, s, len, "the object has no DesktopId");
  } else if (!cJSON_IsString(id)) {
    rc = reject(j, s, len, "DesktopId is not a string");
  } else if (region != NULL && !cJSON_IsString(region) &&
             !cJSON_IsNull(region)) {
    rc = reject(j, s, len, "RegionId is not a string");
  } else {
    row.id = id->valuestring;
    row.id_len = strlen(id->valuestring);
    if (cJSON_IsString(region)) {
      row.region = region->valuestring;
      row.region_len = strlen(region->valuestring);
      wr_ingest_trim(&row.region, &row.region_len);
    }
    wr_ingest_trim(&row.id, &row.id_len);
    rc = j->ctx.cb(j->ctx.ud, &row, j->ctx.err);
  }
out:
  cJSON_Delete(v);
  return rc;
}

int wr_jsonl_create(const struct wr_ingest_ctx *ctx, struct wr_jsonl **out)
{
  struct wr_jsonl *j = calloc(1, sizeof(*j));

  *out = NULL;
  if (j == NULL)
    return WR_ENOMEM;
  j->ctx = *ctx;
  wr_buf_init(&j->pending, WR_INGEST_FIELD_MAX);
  j->line = 1;
  *out = j;
  return 0;
}

int wr_jsonl_feed(struct wr_jsonl *j, const char *data, size_t len)
{
  const char *nl;
  size_t n;
  int rc;

  while (len > 0) {
    nl = memchr(data, '\n', len);
    n = nl != NULL ? (size_t)(nl - data) : len;
    if (memchr(data, '\0', n) != NULL)
      return wr_err_set(j->ctx.err, WR_EINPUT,
                        "%s:%ld: NUL byte: binary data, not UTF-8 text "
                        "(a UTF-16 export?)", j->ctx.name, j->line);
    if (!j->skipping && n > WR_INGEST_FIELD_MAX - j->pending.len) {
      /* the first bytes of the line, so the rejection can be found */
      if (j->pending.len > 0)
        rc = reject(j, j->pending.data,
                    j->pending.len < 64 ? j->pending.len : 64, TOO_LONG);
      else
        rc = reject(j, data, n < 64 ? n : 64, TOO_LONG);
      if (rc < 0)
        return rc;
      wr_buf_free(&j->pending);
      j->skipping = true;
    }
    if (!j->skipping) {
      if (nl != NULL && j->pending.len == 0) {
        rc = line_done(j, data, n); /* the common case: no copy */
      } else {
        rc = wr_buf_add(&j->pending, data, n);
        if (rc == 0 && nl != NULL)
          rc = line_done(j, j->pending.data, j->pending.len);
      }
      if (rc < 0)
        return rc;
    }
    if (nl == NULL)
      break;
    wr_buf_reset(&j->pending);
    j->skipping = false;
    j->line++;
    data += n + 1;
    len -= n + 1;
  }
  return 0;
}

int wr_jsonl_finish(struct wr_jsonl *j)
{
  int rc = 0;

  if (!j->skipping && j->pending.len > 0)
    rc = line_done(j, j->pending.data, j->pending.len);
  wr_buf_reset(&j->pending);
  return rc;
}

void wr_jsonl_destroy(struct wr_jsonl **pp)
{
  struct wr_jsonl *j = *pp;

  if (j == NULL)
    return;
  wr_buf_free(&j->pending);
  free(j);
  *pp = NULL;
}
