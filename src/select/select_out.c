/* select_out: a selection as `list` prints it (CSV through libcsv's
 * quoting, or JSON Lines through cJSON) and as the report records it. */
#include "select.h"

#include "buf.h"
#include "clock.h"

#include <cjson/cJSON.h>
#include <csv.h>
#include <string.h>

static const char *const header[] = {
  "DesktopId", "RegionId", "DesktopName", "DesktopStatus",
  "ConnectionStatus", "OfficeSiteId", "DesktopGroupId", "EndUserIds", "Tags"
};
#define NCOLS (sizeof(header) / sizeof(header[0]))

const char *const *wr_select_columns(size_t *n)
{
  *n = NCOLS;
  return header;
}

/* A cell, quoted (by libcsv) only when it must be. */
static int cell(FILE *out, const char *s, bool last)
{
  if (s == NULL)
    s = "";
  if (strpbrk(s, ",\"\r\n") != NULL) {
    if (csv_fwrite(out, s, strlen(s)) != 0)
      return WR_EIO;
  } else if (fputs(s, out) == EOF) {
    return WR_EIO;
  }
  return fputc(last ? '\n' : ',', out) == EOF ? WR_EIO : 0;
}

static int join_users(const struct wr_sel_desktop *d, struct wr_buf *b)
{
  size_t i;
  int rc = 0;

  for (i = 0; i < d->nusers && rc == 0; i++)
    rc = wr_buf_addf(b, "%s%s", i ? ";" : "", d->users[i]);
  return rc;
}

static int join_tags(const struct wr_sel_desktop *d, struct wr_buf *b)
{
  size_t i;
  int rc = 0;

  for (i = 0; i < d->ntags && rc == 0; i++)
    rc = wr_buf_addf(b, "%s%s=%s", i ? ";" : "", d->tag_keys[i],
                     d->tag_values[i]);
  return rc;
}

static int write_csv(const struct wr_selection *s, FILE *out)
{
  struct wr_buf users, tags;
  size_t i, c;
  int rc = 0;

  for (c = 0; c < NCOLS && rc == 0; c++)
    rc = cell(out, header[c], c + 1 == NCOLS);
  wr_buf_init(&users, 1u << 20);
  wr_buf_init(&tags, 1u << 20);
  for (i = 0; i < s->n && rc == 0; i++) {
    const struct wr_sel_desktop *d = &s->v[i];

    wr_buf_reset(&users);
    wr_buf_reset(&tags);
    if ((rc = join_users(d, &users)) < 0 || (rc = join_tags(d, &tags)) < 0)
      break;
    if ((rc = cell(out, d->id, false)) < 0 ||
        (rc = cell(out, d->region, false)) < 0 ||
        (rc = cell(out, d->name, false)) < 0 ||
        (rc = cell(out, d->status, false)) < 0 ||
        (rc = cell(out, d->connection, false)) < 0 ||
        (rc = cell(out, d->office_site, false)) < 0 ||
        (rc = cell(out, d->group, false)) < 0 ||
        (rc = cell(out, wr_buf_str(&users), false)) < 0 ||
        (rc = cell(out, wr_buf_str(&tags), true)) < 0)
      break;
  }
  wr_buf_free(&users);
  wr_buf_free(&tags);
  return rc;
}

static bool add_opt_str(cJSON *o, const char *key, const char *v)
{
  return v != NULL ? cJSON_AddStringToObject(o, key, v) != NULL
                   : cJSON_AddNullToObject(o, key) != NULL;
}

static cJSON *desktop_json(const struct wr_sel_desktop *d)
{
  cJSON *o = cJSON_CreateObject(), *u, *t;
  size_t i;
  bool ok;

  if (o == NULL)
    return NULL;
  ok = add_opt_str(o, "DesktopId", d->id) &&
       add_opt_str(o, "RegionId", d->region) &&
       add_opt_str(o, "DesktopName", d->name) &&
       add_opt_str(o, "DesktopStatus", d->status) &&
       add_opt_str(o, "ConnectionStatus", d->connection) &&
       add_opt_str(o, "OfficeSiteId", d->office_site) &&
       add_opt_str(o, "DesktopGroupId", d->group) &&
       (u = cJSON_AddArrayToObject(o, "EndUserIds")) != NULL &&
       (t = cJSON_AddObjectToObject(o, "Tags")) != NULL;
  for (i = 0; ok && i < d->nusers; i++) {
    cJSON *e = cJSON_CreateString(d->users[i]);

    ok = e != NULL && cJSON_AddItemToArray(u, e);
  }
  for (i = 0; ok && i < d->ntags; i++)
    ok = cJSON_AddStringToObject(t, d->tag_keys[i], d->tag_values[i]) !=
         NULL;
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

static int write_jsonl(const struct wr_selection *s, FILE *out)
{
  size_t i;
  int rc = 0;

  for (i = 0; i < s->n && rc == 0; i++) {
    cJSON *o = desktop_json(&s->v[i]);
    char *text = o ? cJSON_PrintUnformatted(o) : NULL;

    if (text == NULL)
      rc = WR_ENOMEM;
    else if (fputs(text, out) == EOF || fputc('\n', out) == EOF)
      rc = WR_EIO;
    cJSON_free(text);
    cJSON_Delete(o);
  }
  return rc;
}

int wr_select_write(const struct wr_selection *s, bool jsonl, FILE *out)
{
  return jsonl ? write_jsonl(s, out) : write_csv(s, out);
}

static bool add_strings(cJSON *o, const char *key, char *const *v, size_t n)
{
  cJSON *a = cJSON_AddArrayToObject(o, key);
  size_t i;

  if (a == NULL)
    return false;
  for (i = 0; i < n; i++) {
    cJSON *e = cJSON_CreateString(v[i]);

    if (e == NULL || !cJSON_AddItemToArray(a, e))
      return false;
  }
  return true;
}

void *wr_select_record(const struct wr_selection *s)
{
  cJSON *o = cJSON_CreateObject(), *f;
  char when[WR_TIME_RFC3339_LEN];
  struct wr_buf text;
  size_t i;
  bool ok;

  if (o == NULL)
    return NULL;
  wr_buf_init(&text, 1u << 20);
  wr_time_iso_seconds(s->taken_ms, when);
  ok = (f = cJSON_AddArrayToObject(o, "filters")) != NULL;
  for (i = 0; ok && i < s->nfilters; i++) {
    const struct wr_sel_filter *sf = &s->filters[i];
    static const char *const names[WR_SEL_KEYS] = {
      "office-site", "group", "status", "tag", "user", "policy", "image",
      "name", "type", "resource-group"
    };
    cJSON *e = cJSON_CreateObject();

    ok = e != NULL && cJSON_AddItemToArray(f, e) &&
         cJSON_AddStringToObject(e, "key", names[sf->key]) != NULL &&
         (sf->tag == NULL ||
          cJSON_AddStringToObject(e, "tag", sf->tag) != NULL) &&
         cJSON_AddStringToObject(e, "value", sf->value) != NULL;
  }
  ok = ok && wr_select_describe(s, &text) == 0 &&
       cJSON_AddStringToObject(o, "description", wr_buf_str(&text)) &&
       add_strings(o, "regions", s->regions, s->nregions) &&
       cJSON_AddNumberToObject(o, "count", (double)s->n) &&
       cJSON_AddNumberToObject(o, "queries", (double)s->queries) &&
       cJSON_AddNumberToObject(o, "pages", (double)s->pages) &&
       add_strings(o, "request_ids", s->request_ids, s->nrequest_ids) &&
       cJSON_AddStringToObject(o, "taken_at", when);
  wr_buf_free(&text);
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}
