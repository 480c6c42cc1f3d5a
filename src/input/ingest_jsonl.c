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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOO_LONG "line longer than 1048576 bytes (WR_INGEST_FIELD_MAX)"

struct wr_jsonl {
  struct wr_ingest_ctx ctx;
  struct wr_buf pending; /* the start of a line that crosses blocks */
  long line;             /* number of the line being read */
  bool skipping;         /* the line is over the bound: drop to '\n' */
  /* --keep-columns */
  size_t nkeep;
  bool *keep_seen;       /* some object had the key */
  const char **kept;     /* the row's values, for wr_ingest_row */
  size_t *kept_len;
  char **kept_text;      /* values that are not strings, as JSON text */
  long keys_line;        /* the first object's line, 0: none yet */
  char keys[512];        /* ... and its keys, for a message */
};

/* The first object's keys, for the message when a kept key is in none. */
static void note_keys(struct wr_jsonl *j, const cJSON *obj)
{
  const cJSON *it;
  size_t n = 0;

  j->keys_line = j->line;
  j->keys[0] = '\0';
  cJSON_ArrayForEach(it, obj) {
    size_t len = strlen(it->string != NULL ? it->string : "");

    if (n + len + 8 >= sizeof(j->keys)) {
      memcpy(j->keys + n, ", ...", 6);
      return;
    }
    n += (size_t)snprintf(j->keys + n, sizeof(j->keys) - n, "%s%s",
                          n > 0 ? ", " : "", it->string);
  }
}

/* row.kept from obj: a string as it is, another value (a number, a list
 * of users) as its JSON text, null or absent as none. */
static int keep_values(struct wr_jsonl *j, const cJSON *obj,
                       struct wr_ingest_row *row)
{
  const cJSON *v;
  size_t k;

  if (j->nkeep == 0)
    return 0;
  if (j->keys_line == 0)
    note_keys(j, obj);
  for (k = 0; k < j->nkeep; k++) {
    v = cJSON_GetObjectItemCaseSensitive(obj, j->ctx.opts->keep[k]);
    j->kept[k] = NULL;
    j->kept_len[k] = 0;
    if (v == NULL)
      continue;
    j->keep_seen[k] = true;
    if (cJSON_IsString(v)) {
      j->kept[k] = v->valuestring;
    } else if (!cJSON_IsNull(v)) {
      if ((j->kept_text[k] = cJSON_PrintUnformatted(v)) == NULL)
        return wr_err_set(j->ctx.err, WR_ENOMEM, "out of memory");
      j->kept[k] = j->kept_text[k];
    }
    if (j->kept[k] != NULL)
      j->kept_len[k] = strlen(j->kept[k]);
  }
  row->kept = j->kept;
  row->kept_len = j->kept_len;
  return 0;
}

static void keep_free(struct wr_jsonl *j)
{
  size_t k;

  for (k = 0; k < j->nkeep; k++) {
    cJSON_free(j->kept_text[k]);
    j->kept_text[k] = NULL;
  }
}

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

/* Whether a string of the line holds an escaped NUL: cJSON decodes
 * \u0000 into its C string, which then ends there ("ecd-1\u0000; x" would
 * read as "ecd-1").  Backslashes occur only inside JSON strings, so the
 * raw text tells, an escaped backslash ("\\u0000") aside. */
static bool has_escaped_nul(const char *s, size_t len)
{
  size_t i;
  bool in_string = false;

  for (i = 0; i < len; i++) {
    if (!in_string) {
      in_string = s[i] == '"';
    } else if (s[i] == '"') {
      in_string = false;
    } else if (s[i] == '\\' && i + 1 < len) {
      if (s[i + 1] == 'u' && len - i >= 6 && memcmp(s + i + 2, "0000", 4) == 0)
        return true;
      i++; /* the escaped character */
    }
  }
  return false;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* *dup: a key given twice in obj, or NULL (sorted, so a line of many keys
 * costs n log n, not n^2). */
static int duplicate_key(const cJSON *obj, const char **dup)
{
  const cJSON *it;
  const char **keys;
  size_t n = 0, i;

  *dup = NULL;
  cJSON_ArrayForEach(it, obj)
    n++;
  if (n < 2)
    return 0;
  keys = malloc(n * sizeof(*keys));
  if (keys == NULL)
    return WR_ENOMEM;
  n = 0;
  cJSON_ArrayForEach(it, obj)
    keys[n++] = it->string != NULL ? it->string : "";
  qsort(keys, n, sizeof(*keys), cmp_str);
  for (i = 1; i < n && *dup == NULL; i++)
    if (strcmp(keys[i - 1], keys[i]) == 0)
      *dup = keys[i]; /* points into obj, which outlives keys */
  free(keys);
  return 0;
}

/* The value of key a or of its other spelling b; *clash when both are
 * given with different values. */
static const cJSON *field(const cJSON *obj, const char *a, const char *b,
                          bool *clash)
{
  const cJSON *va = cJSON_GetObjectItemCaseSensitive(obj, a);
  const cJSON *vb = cJSON_GetObjectItemCaseSensitive(obj, b);

  *clash = va != NULL && vb != NULL && !cJSON_Compare(va, vb, true);
  return va != NULL ? va : vb;
}

static int line_done(struct wr_jsonl *j, const char *s, size_t len)
{
  struct wr_ingest_row row;
  const cJSON *id, *region;
  const char *end = NULL, *dup;
  bool id_clash, region_clash;
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
  if (has_escaped_nul(s, len)) {
    rc = reject(j, s, len, "a string holds a NUL character (\\u0000)");
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
  rc = duplicate_key(v, &dup);
  if (rc < 0)
    goto out;
  if (dup != NULL) {
    /* A static reason: the plan keeps the pointer. */
    rc = reject(j, s, len, "a key is given twice in the object");
    goto out;
  }
  id = field(v, "DesktopId", "desktop_id", &id_clash);
  region = field(v, "RegionId", "region", &region_clash);
  if (id_clash) {
    rc = reject(j, s, len,
                "DesktopId and desktop_id given with different values");
  } else if (region_clash) {
    rc = reject(j, s, len, "RegionId and region given with different values");
  } else if (id == NULL) {
    rc = reject(j, s, len, "the object has no DesktopId");
  } else if (!cJSON_IsString(id)) {
    rc = reject(j, s, len, "DesktopId is not a string");
  } else if (region != NULL && !cJSON_IsString(region) &&
             !cJSON_IsNull(region)) {
    rc = reject(j, s, len, "RegionId is not a string");
  } else {
    row.id = id->valuestring;
    row.id_len = strlen(id->valuestring);
    if (region != NULL && cJSON_IsString(region)) {
      row.region = region->valuestring;
      row.region_len = strlen(region->valuestring);
      wr_ingest_trim(&row.region, &row.region_len);
    }
    wr_ingest_trim(&row.id, &row.id_len);
    rc = keep_values(j, v, &row);
    if (rc == 0)
      rc = j->ctx.cb(j->ctx.ud, &row, j->ctx.err);
    keep_free(j);
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
  j->nkeep = ctx->opts->keep != NULL ? ctx->opts->nkeep : 0;
  if (j->nkeep > 0) {
    j->keep_seen = calloc(j->nkeep, sizeof(*j->keep_seen));
    j->kept = calloc(j->nkeep, sizeof(*j->kept));
    j->kept_len = calloc(j->nkeep, sizeof(*j->kept_len));
    j->kept_text = calloc(j->nkeep, sizeof(*j->kept_text));
    if (j->keep_seen == NULL || j->kept == NULL || j->kept_len == NULL ||
        j->kept_text == NULL) {
      wr_jsonl_destroy(&j);
      return WR_ENOMEM;
    }
  }
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

  size_t k;

  if (!j->skipping && j->pending.len > 0)
    rc = line_done(j, j->pending.data, j->pending.len);
  wr_buf_reset(&j->pending);
  /* Keys vary by line: a kept key is unknown only when no line has it. */
  for (k = 0; rc == 0 && k < j->nkeep; k++)
    if (!j->keep_seen[k]) {
      if (j->keys_line > 0)
        rc = wr_err_set(j->ctx.err, WR_EINPUT, "%s: --keep-columns: no "
                        "object has the key \"%s\"; the keys of line "
                        "%ld: %s", j->ctx.name, j->ctx.opts->keep[k],
                        j->keys_line, j->keys);
      else
        rc = wr_err_set(j->ctx.err, WR_EINPUT, "%s: --keep-columns: no "
                        "object has the key \"%s\" (no line is an "
                        "object with a DesktopId)", j->ctx.name,
                        j->ctx.opts->keep[k]);
    }
  return rc;
}

void wr_jsonl_destroy(struct wr_jsonl **pp)
{
  struct wr_jsonl *j = *pp;

  if (j == NULL)
    return;
  wr_buf_free(&j->pending);
  if (j->kept_text != NULL)
    keep_free(j);
  free(j->keep_seen);
  free(j->kept);
  free(j->kept_len);
  free(j->kept_text);
  free(j);
  *pp = NULL;
}
