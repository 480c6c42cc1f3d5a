/* sim_meta: what DescribeDesktops selects by (office site, pool, tags,
 * end users, policy, image, name, type, resource group).  A generated
 * desktop's attributes are drawn from the seed and its index when asked
 * for, so a fleet of millions costs no memory for them; a fleet file's
 * attribute columns are kept per desktop, as one block of strings. */
#include "sim_fleet.h"

#include "buf.h"

#include <cjson/cJSON.h>
#include <csv.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The order of the strings of a loaded block and of the CSV columns. */
enum { M_NAME, M_SITE, M_GROUP, M_USERS, M_TAGS, M_POLICY, M_IMAGE, M_TYPE,
       M_RGROUP, M_COUNT };
static const char *const cols[M_COUNT] = {
  "DesktopName", "OfficeSiteId", "DesktopGroupId", "EndUserIds", "Tags",
  "PolicyGroupId", "ImageId", "DesktopType", "ResourceGroupId"
};

static const char **slot(struct wr_sim_meta *m, int k)
{
  switch (k) {
  case M_NAME: return &m->name;
  case M_SITE: return &m->office_site;
  case M_GROUP: return &m->group;
  case M_USERS: return &m->users;
  case M_TAGS: return &m->tags;
  case M_POLICY: return &m->policy;
  case M_IMAGE: return &m->image;
  case M_TYPE: return &m->type;
  default: return &m->rgroup;
  }
}

static void generate(const struct wr_sim_fleet *f,
                     const struct wr_sim_desktop *d, struct wr_sim_meta *m)
{
  static const char *const envs[] = {"prod", "dev", "test"};
  static const char *const types[] = {"eds.general.2c8g",
                                      "eds.general.4c16g",
                                      "eds.graphics.8c32g"};
  size_t idx = (size_t)(d - f->v), off = 0;
  uint64_t st = f->seed ^ 0x5851f42d4c957f2dULL ^
                ((uint64_t)idx * 0x9e3779b97f4a7c15ULL);
  uint64_t r[10];
  const char *region = f->regions[d->region];
  /* cppcheck-suppress ctuuninitvar ; m->buf is written here, not read */
  char *b = m->buf;
  int k, nusers;

#define PUT(field, ...)                                                  \
  do {                                                                   \
    int w_ = snprintf(b + off, sizeof(m->buf) - off, __VA_ARGS__);      \
    m->field = b + off;                                                  \
    off += (w_ > 0 ? (size_t)w_ : 0) + 1;                                \
    if (off > sizeof(m->buf))                                            \
      off = sizeof(m->buf);                                              \
  } while (0)
  for (k = 0; k < 10; k++)
    r[k] = wr_sim_rand_next(&st);
  PUT(name, "desk-%06zu", idx);
  PUT(office_site, "%s+dir-%u", region, (unsigned)(r[0] % 3));
  if (r[1] % 5 == 0)
    PUT(group, "dg-%02u", (unsigned)(r[2] % 4));
  else
    PUT(group, "%s", "");
  nusers = (int)(r[3] % 3);
  if (nusers == 0)
    PUT(users, "%s", "");
  else if (nusers == 1)
    PUT(users, "u%03u", (unsigned)(r[4] % 50));
  else
    PUT(users, "u%03u;u%03u", (unsigned)(r[4] % 50),
        (unsigned)(50 + r[5] % 50));
  PUT(tags, "env=%s;patch-ring=%u%s", envs[r[6] % 3],
      (unsigned)(1 + r[7] % 3), r[6] & 0x100 ? ";team=blue" : "");
  if (r[8] % 3 == 0)
    PUT(policy, "%s", "system-all-enabled-policy");
  else
    PUT(policy, "pg-%u", (unsigned)(r[8] % 3));
  PUT(image, "m-%u", (unsigned)(r[9] % 4));
  PUT(type, "%s", types[(r[9] >> 8) % 3]);
  PUT(rgroup, "rg-%u", (unsigned)((r[9] >> 16) % 2));
#undef PUT
}

void wr_sim_fleet_meta(const struct wr_sim_fleet *f,
                       const struct wr_sim_desktop *d, struct wr_sim_meta *m)
{
  const char *p;
  int k;

  if (d->meta == NULL) {
    generate(f, d, m);
    return;
  }
  for (k = 0, p = d->meta; k < M_COUNT; k++, p += strlen(p) + 1)
    *slot(m, k) = p;
}

/* ---- fleet files ------------------------------------------------------ */

struct loader {
  struct wr_sim_fleet *f;
  const char *path;
  long line;          /* of the record being read */
  long nl;            /* newlines seen (CSV) */
  int col[M_COUNT];   /* CSV column of each attribute, -1: none */
  int id_col;
  bool header_done;
  char *cell[M_COUNT];
  char *id;
  int field;
  int rc;
  struct wr_err *err;
};

static int attach(struct loader *l, const char *id, char *const *cell)
{
  struct wr_sim_desktop *d = wr_sim_fleet_find(l->f, id);
  size_t len = 0;
  char *blk;
  int k;

  if (d == NULL)
    return 0; /* a row the ID ingest rejected already */
  for (k = 0; k < M_COUNT; k++)
    len += strlen(cell[k] ? cell[k] : "") + 1;
  blk = malloc(len);
  if (blk == NULL)
    return wr_err_set(l->err, WR_ENOMEM, "out of memory");
  for (k = 0, len = 0; k < M_COUNT; k++) {
    const char *s = cell[k] ? cell[k] : "";

    memcpy(blk + len, s, strlen(s) + 1);
    len += strlen(s) + 1;
  }
  free(d->meta);
  d->meta = blk;
  return 0;
}

static void csv_field(void *s, size_t len, void *ud)
{
  struct loader *l = ud;
  int k;

  if (l->rc < 0)
    return;
  if (!l->header_done) {
    for (k = 0; k < M_COUNT; k++)
      if (strlen(cols[k]) == len && strncasecmp(s, cols[k], len) == 0)
        l->col[k] = l->field;
    if (len == 9 && strncasecmp(s, "DesktopId", 9) == 0)
      l->id_col = l->field;
  } else {
    char *v = strndup(s, len);

    if (v == NULL) {
      l->rc = wr_err_set(l->err, WR_ENOMEM, "out of memory");
      return;
    }
    if (l->field == l->id_col) {
      free(l->id);
      l->id = v;
      v = NULL;
    }
    for (k = 0; v != NULL && k < M_COUNT; k++)
      if (l->col[k] == l->field) {
        free(l->cell[k]);
        l->cell[k] = v;
        v = NULL;
      }
    free(v);
  }
  l->field++;
}

static void csv_row(int c, void *ud)
{
  struct loader *l = ud;
  int k;

  (void)c;
  if (l->rc == 0 && l->header_done && l->id != NULL)
    l->rc = attach(l, l->id, l->cell);
  if (!l->header_done && l->id_col < 0 && l->rc == 0)
    l->rc = 1; /* no header: no attribute columns */
  l->header_done = true;
  free(l->id);
  l->id = NULL;
  for (k = 0; k < M_COUNT; k++) {
    free(l->cell[k]);
    l->cell[k] = NULL;
  }
  l->field = 0;
}

static int load_csv(struct loader *l, FILE *fp)
{
  struct csv_parser p;
  char blk[65536];
  size_t n;

  if (csv_init(&p, 0) != 0)
    return wr_err_set(l->err, WR_ENOMEM, "out of memory");
  while (l->rc == 0 && (n = fread(blk, 1, sizeof(blk), fp)) > 0)
    if (csv_parse(&p, blk, n, csv_field, csv_row, l) != n)
      l->rc = wr_err_set(l->err, WR_EINPUT, "%s: %s", l->path,
                         csv_strerror(csv_error(&p)));
  if (l->rc == 0)
    csv_fini(&p, csv_field, csv_row, l);
  csv_free(&p);
  csv_row(0, l); /* frees what a cut-short row left */
  return l->rc < 0 ? l->rc : 0;
}

/* A JSONL value as the sim keeps it: a string, an array of strings
 * joined with ';', tags as an object {"k":"v"} or [{"Key","Value"}]. */
static int join(const cJSON *v, bool tags, struct wr_buf *out)
{
  const cJSON *e;
  int rc = 0;

  if (cJSON_IsString(v))
    return wr_buf_adds(out, v->valuestring);
  cJSON_ArrayForEach(e, v) {
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(e, "Key");
    const cJSON *val = cJSON_GetObjectItemCaseSensitive(e, "Value");

    if (out->len > 0 && (rc = wr_buf_addc(out, ';')) < 0)
      return rc;
    if (tags && cJSON_IsObject(v) && cJSON_IsString(e))
      rc = wr_buf_addf(out, "%s=%s", e->string, e->valuestring);
    else if (tags && cJSON_IsString(k) && cJSON_IsString(val))
      rc = wr_buf_addf(out, "%s=%s", k->valuestring, val->valuestring);
    else if (!tags && cJSON_IsString(e))
      rc = wr_buf_adds(out, e->valuestring);
    else
      return WR_EINVAL;
    if (rc < 0)
      return rc;
  }
  return 0;
}

static int load_jsonl(struct loader *l, FILE *fp)
{
  char *line = NULL, *cell[M_COUNT];
  size_t cap = 0;
  ssize_t n;
  int k, rc = 0;

  while (rc == 0 && (n = getline(&line, &cap, fp)) >= 0) {
    cJSON *o = cJSON_ParseWithLength(line, (size_t)n);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "DesktopId");
    struct wr_buf b[M_COUNT];

    l->line++;
    if (!cJSON_IsString(id)) {
      cJSON_Delete(o);
      continue; /* the ID ingest judged the line already */
    }
    for (k = 0; k < M_COUNT; k++)
      wr_buf_init(&b[k], 64);
    for (k = 0; k < M_COUNT && rc == 0; k++) {
      const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, cols[k]);

      if (v != NULL && !cJSON_IsNull(v) &&
          (rc = join(v, k == M_TAGS, &b[k])) == WR_EINVAL)
        rc = wr_err_set(l->err, WR_EINPUT, "%s:%ld: %s: not a string or "
                        "a list of them%s", l->path, l->line, cols[k],
                        k == M_TAGS ? " (tags: {\"k\":\"v\"} or "
                        "[{\"Key\",\"Value\"}])" : "");
      else if (rc < 0)
        rc = wr_err_set(l->err, WR_ENOMEM, "out of memory");
      cell[k] = (char *)wr_buf_str(&b[k]);
    }
    if (rc == 0)
      rc = attach(l, id->valuestring, cell);
    for (k = 0; k < M_COUNT; k++)
      wr_buf_free(&b[k]);
    cJSON_Delete(o);
  }
  free(line);
  return rc;
}

int wr_sim_fleet_load_meta(struct wr_sim_fleet *f, const char *path,
                           struct wr_err *err)
{
  struct loader l;
  const char *dot = strrchr(path, '.');
  FILE *fp;
  int k, rc;

  memset(&l, 0, sizeof(l));
  l.f = f;
  l.path = path;
  l.err = err;
  l.id_col = -1;
  for (k = 0; k < M_COUNT; k++)
    l.col[k] = -1;
  fp = fopen(path, "r");
  if (fp == NULL)
    return wr_err_set(err, WR_EIO, "%s: %s", path, strerror(errno));
  if (dot != NULL && (strcmp(dot, ".jsonl") == 0 ||
                      strcmp(dot, ".ndjson") == 0))
    rc = load_jsonl(&l, fp);
  else
    rc = load_csv(&l, fp);
  fclose(fp);
  /* A desktop without attributes in a file is one that has none. */
  for (k = 0; rc == 0 && (size_t)k < f->n; k++)
    if (f->v[k].meta == NULL) {
      f->v[k].meta = calloc(M_COUNT, 1);
      if (f->v[k].meta == NULL)
        rc = wr_err_set(err, WR_ENOMEM, "out of memory");
    }
  return rc;
}
