#include "sim_fleet.h"

#include "buf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t wr_sim_rand_next(uint64_t *state)
{
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static uint64_t hash_str(const char *s)
{
  uint64_t h = 1469598103934665603ULL; /* FNV-1a: IDs are not adversarial */

  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

void wr_sim_fleet_init(struct wr_sim_fleet *f, int64_t reboot_ms)
{
  memset(f, 0, sizeof(*f));
  f->reboot_ms = reboot_ms;
}

void wr_sim_fleet_free(struct wr_sim_fleet *f)
{
  size_t i;

  for (i = 0; i < f->n; i++) {
    free(f->v[i].id);
    free(f->v[i].meta);
  }
  free(f->v);
  for (i = 0; i < f->nregions; i++) {
    free(f->regions[i]);
    if (f->by_region != NULL)
      free(f->by_region[i]);
  }
  free(f->regions);
  free(f->by_region);
  free(f->by_region_n);
  free(f->table);
  wr_sim_fleet_init(f, f->reboot_ms);
}

int wr_sim_fleet_region(struct wr_sim_fleet *f, const char *region,
                        uint32_t *idx)
{
  char **v;
  size_t i;

  for (i = 0; i < f->nregions; i++)
    if (strcmp(f->regions[i], region) == 0) {
      *idx = (uint32_t)i;
      return 0;
    }
  v = realloc(f->regions, (f->nregions + 1) * sizeof(*v));
  if (v == NULL)
    return WR_ENOMEM;
  f->regions = v;
  v[f->nregions] = strdup(region);
  if (v[f->nregions] == NULL)
    return WR_ENOMEM;
  *idx = (uint32_t)f->nregions++;
  return 0;
}

static long lookup(const struct wr_sim_fleet *f, const char *id)
{
  size_t mask, i;

  if (f->tcap == 0)
    return -1;
  mask = f->tcap - 1;
  for (i = hash_str(id) & mask; f->table[i] != 0; i = (i + 1) & mask)
    if (strcmp(f->v[f->table[i] - 1].id, id) == 0)
      return (long)f->table[i] - 1;
  return -1;
}

static void table_put(struct wr_sim_fleet *f, size_t idx)
{
  size_t mask = f->tcap - 1, i;

  for (i = hash_str(f->v[idx].id) & mask; f->table[i] != 0;
       i = (i + 1) & mask)
    ;
  f->table[i] = (uint32_t)(idx + 1);
}

static int grow(struct wr_sim_fleet *f)
{
  size_t i;

  if (f->n == f->cap) {
    size_t cap = f->cap ? f->cap * 2 : 256;
    struct wr_sim_desktop *v = realloc(f->v, cap * sizeof(*v));

    if (v == NULL)
      return WR_ENOMEM;
    f->v = v;
    f->cap = cap;
  }
  if ((f->n + 1) * 2 >= f->tcap) {
    size_t tcap = f->tcap ? f->tcap * 2 : 1024;
    uint32_t *t = calloc(tcap, sizeof(*t));

    if (t == NULL)
      return WR_ENOMEM;
    free(f->table);
    f->table = t;
    f->tcap = tcap;
    for (i = 0; i < f->n; i++)
      table_put(f, i);
  }
  return 0;
}

int wr_sim_fleet_add(struct wr_sim_fleet *f, const char *id,
                     const char *region, struct wr_err *err)
{
  struct wr_sim_desktop *d;
  uint32_t r;
  int rc;

  if (f->n >= WR_SIM_FLEET_MAX)
    return wr_err_set(err, WR_ETOOBIG, "more than %d desktops",
                      WR_SIM_FLEET_MAX);
  if (lookup(f, id) >= 0)
    return wr_err_set(err, WR_EINVAL, "desktop %s is listed twice", id);
  rc = wr_sim_fleet_region(f, region, &r);
  if (rc == 0)
    rc = grow(f);
  if (rc < 0)
    return wr_err_set(err, rc, "out of memory");
  d = &f->v[f->n];
  memset(d, 0, sizeof(*d));
  d->id = strdup(id);
  if (d->id == NULL)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  d->region = r;
  table_put(f, f->n);
  f->n++;
  return 0;
}

int wr_sim_fleet_generate(struct wr_sim_fleet *f, long n,
                          char *const *regions, size_t nregions,
                          uint64_t seed, struct wr_err *err)
{
  long i;
  int rc;

  if (n < 0 || n > WR_SIM_FLEET_MAX)
    return wr_err_set(err, WR_EINVAL, "--desktops must be 0..%d",
                      WR_SIM_FLEET_MAX);
  if (nregions == 0)
    return wr_err_set(err, WR_EINVAL, "no region to put desktops in");
  f->seed = seed;
  for (i = 0; i < n; i++) {
    char id[32];
    uint64_t salt = 0;

    /* Deterministic from (seed, index); a collision takes the next salt. */
    do {
      uint64_t st = seed ^ ((uint64_t)i * 0xd1342543de82ef95ULL) ^
                    (salt++ << 48);
      uint64_t a = wr_sim_rand_next(&st), b = wr_sim_rand_next(&st);

      snprintf(id, sizeof(id), "ecd-%016llx%x", (unsigned long long)a,
               (unsigned)(b & 0xf));
    } while (lookup(f, id) >= 0);
    rc = wr_sim_fleet_add(f, id, regions[(size_t)i % nregions], err);
    if (rc < 0)
      return rc;
  }
  return 0;
}

static char *trim(char *s)
{
  char *e;

  while (*s == ' ' || *s == '\t')
    s++;
  e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
                   e[-1] == '\n'))
    *--e = '\0';
  return s;
}

int wr_sim_fleet_load_failures(struct wr_sim_fleet *f, const char *path,
                               const char *default_region,
                               struct wr_err *err)
{
  FILE *fp = NULL;
  char line[512];
  long lineno = 0;
  int rc = 0;

  fp = fopen(path, "r");
  if (fp == NULL)
    return wr_err_set(err, WR_EIO, "%s: %s", path, strerror(errno));
  while (fgets(line, sizeof(line), fp) != NULL) {
    char *id, *kind, *comma;
    long idx;
    uint8_t fail = WR_SIM_FAIL_STUCK;
    bool connected = false;

    lineno++;
    if (strchr(line, '\n') == NULL && !feof(fp)) {
      rc = wr_err_set(err, WR_EINPUT, "%s:%ld: line too long", path,
                      lineno);
      goto out;
    }
    id = trim(line);
    if (*id == '\0' || *id == '#')
      continue;
    comma = strchr(id, ',');
    kind = NULL;
    if (comma != NULL) {
      *comma = '\0';
      kind = trim(comma + 1);
      id = trim(id);
    }
    if (kind != NULL && strcmp(kind, "unknown") == 0) {
      fail = WR_SIM_FAIL_UNKNOWN;
    } else if (kind != NULL && strcmp(kind, "connected") == 0) {
      fail = WR_SIM_FAIL_NONE;
      connected = true;
    } else if (kind != NULL && *kind != '\0' && strcmp(kind, "stuck") != 0) {
      rc = wr_err_set(err, WR_EINPUT, "%s:%ld: \"%s\": the kind must be "
                      "stuck, unknown or connected",
                      path, lineno, kind);
      goto out;
    }
    if (strncmp(id, "ecd-", 4) != 0 || strlen(id) > WR_SIM_ID_LEN) {
      rc = wr_err_set(err, WR_EINPUT, "%s:%ld: \"%s\" is not a desktop ID",
                      path, lineno, id);
      goto out;
    }
    idx = lookup(f, id);
    if (idx < 0 && fail == WR_SIM_FAIL_UNKNOWN)
      continue; /* unknown already */
    if (idx < 0) {
      rc = wr_sim_fleet_add(f, id, default_region, err);
      if (rc < 0)
        goto out;
      idx = (long)f->n - 1;
    }
    f->v[idx].fail = fail;
    f->v[idx].connected = connected;
  }
  if (ferror(fp))
    rc = wr_err_set(err, WR_EIO, "%s: read error", path);
out:
  fclose(fp);
  return rc;
}

void wr_sim_fleet_draw_states(struct wr_sim_fleet *f, double stopped,
                              double connected, uint64_t seed)
{
  uint64_t rng = seed ^ 0x2545f4914f6cdd1dULL; /* a stream of its own */
  size_t i;

  for (i = 0; i < f->n; i++) {
    struct wr_sim_desktop *d = &f->v[i];
    double a = (double)(wr_sim_rand_next(&rng) >> 11) / 9007199254740992.0;
    double b = (double)(wr_sim_rand_next(&rng) >> 11) / 9007199254740992.0;

    if (d->fail == WR_SIM_FAIL_UNKNOWN)
      continue;
    if (a < stopped)
      d->fail = WR_SIM_FAIL_STUCK;
    else if (b < connected)
      d->connected = 1;
  }
}

int wr_sim_fleet_finish(struct wr_sim_fleet *f)
{
  size_t i;

  f->by_region = calloc(f->nregions ? f->nregions : 1, sizeof(size_t *));
  f->by_region_n = calloc(f->nregions ? f->nregions : 1, sizeof(size_t));
  if (f->by_region == NULL || f->by_region_n == NULL)
    return WR_ENOMEM;
  for (i = 0; i < f->n; i++)
    if (f->v[i].fail != WR_SIM_FAIL_UNKNOWN)
      f->by_region_n[f->v[i].region]++;
  for (i = 0; i < f->nregions; i++) {
    f->by_region[i] = malloc((f->by_region_n[i] + 1) * sizeof(size_t));
    if (f->by_region[i] == NULL)
      return WR_ENOMEM;
    f->by_region_n[i] = 0;
  }
  for (i = 0; i < f->n; i++) {
    uint32_t r = f->v[i].region;

    if (f->v[i].fail != WR_SIM_FAIL_UNKNOWN)
      f->by_region[r][f->by_region_n[r]++] = i;
  }
  return 0;
}

/* A CSV cell, quoted when it must be (RFC 4180). */
static void put_cell(FILE *fp, const char *s)
{
  if (strpbrk(s, ",\"\r\n") == NULL) {
    fputs(s, fp);
    return;
  }
  fputc('"', fp);
  for (; *s; s++) {
    if (*s == '"')
      fputc('"', fp);
    fputc(*s, fp);
  }
  fputc('"', fp);
}

int wr_sim_fleet_write_csv(const struct wr_sim_fleet *f, const char *path,
                           struct wr_err *err)
{
  struct wr_buf tmp;
  FILE *fp = NULL;
  size_t i;
  int rc = WR_ENOMEM;

  wr_buf_init(&tmp, 4096);
  if (wr_buf_addf(&tmp, "%s.tmp", path) < 0)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  fp = fopen(tmp.data, "w");
  if (fp == NULL) {
    rc = wr_err_set(err, WR_EIO, "%s: %s", tmp.data, strerror(errno));
    goto out;
  }
  fputs("DesktopId,RegionId," WR_SIM_META_COLUMNS "\n", fp);
  for (i = 0; i < f->n; i++) {
    struct wr_sim_meta m;
    const char *cells[9];
    size_t k;

    wr_sim_fleet_meta(f, &f->v[i], &m);
    cells[0] = m.name;
    cells[1] = m.office_site;
    cells[2] = m.group;
    cells[3] = m.users;
    cells[4] = m.tags;
    cells[5] = m.policy;
    cells[6] = m.image;
    cells[7] = m.type;
    cells[8] = m.rgroup;
    fprintf(fp, "%s,%s", f->v[i].id, f->regions[f->v[i].region]);
    for (k = 0; k < 9; k++) {
      fputc(',', fp);
      put_cell(fp, cells[k]);
    }
    fputc('\n', fp);
  }
  if (ferror(fp) | fclose(fp)) {
    fp = NULL;
    rc = wr_err_set(err, WR_EIO, "%s: write error", tmp.data);
    goto out;
  }
  fp = NULL;
  if (rename(tmp.data, path) != 0) {
    rc = wr_err_set(err, WR_EIO, "%s: %s", path, strerror(errno));
    goto out;
  }
  rc = 0;
out:
  if (fp != NULL)
    fclose(fp);
  if (rc < 0)
    remove(tmp.data);
  wr_buf_free(&tmp);
  return rc;
}

struct wr_sim_desktop *wr_sim_fleet_find(const struct wr_sim_fleet *f,
                                         const char *id)
{
  long idx = lookup(f, id);

  if (idx < 0 || f->v[idx].fail == WR_SIM_FAIL_UNKNOWN)
    return NULL;
  return &f->v[idx];
}

const char *wr_sim_fleet_status(const struct wr_sim_fleet *f,
                                const struct wr_sim_desktop *d,
                                int64_t now_ms)
{
  if (d->fail == WR_SIM_FAIL_STUCK)
    return "Stopped";
  if (now_ms >= d->ready_at)
    return "Running";
  if (now_ms < d->reboot_at + f->reboot_ms / 2)
    return "Stopping";
  return "Starting";
}

const char *wr_sim_fleet_connection(const struct wr_sim_fleet *f,
                                    const struct wr_sim_desktop *d,
                                    int64_t now_ms)
{
  return d->connected && strcmp(wr_sim_fleet_status(f, d, now_ms),
                                "Running") == 0 ? "Connected"
                                                : "Disconnected";
}

void wr_sim_fleet_reboot(struct wr_sim_fleet *f, struct wr_sim_desktop *d,
                         int64_t now_ms)
{
  d->connected = 0;
  d->reboots++;
  d->reboot_at = now_ms;
  d->ready_at = now_ms + f->reboot_ms;
}
