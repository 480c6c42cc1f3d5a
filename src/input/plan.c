/* plan: validation, de-duplication, grouping, chunking and waves.
 *
 * Rows arrive from ingest through one callback.  Each distinct ID is
 * stored once (idset: arena + open addressing), with the index of its
 * region; nothing is allocated per row.  At the end a counting sort by
 * region gives the plan order, and chunks are slices of that one array,
 * cut at chunk_size, at region ends and at wave boundaries. */
#include "plan.h"

#include "idset.h"
#include "ingest.h"
#include "log.h"
#include "uuid.h"
#include "utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define VALUE_MAX 256  /* bytes of a rejected value kept */
#define REGION_MAX 32
#define ID_MAX 64
#define HINT_MAX ((size_t)1 << 20)

#define container_of(p, type, member) \
  ((type *)(void *)((char *)(p) - offsetof(type, member)))

struct plan_priv {
  struct wr_plan pub;
  struct wr_idset *ids;     /* distinct valid IDs, first appearance order */
  struct wr_idset *regions; /* region names, first appearance order */
  uint32_t *id_region;      /* region index of each ID */
  size_t id_region_cap;
  const char **ordered;     /* every ID in plan order; chunks slice it */
  const char **kept_by_index; /* nkeep values of each ID (idset order) */
  size_t kept_cap;          /* IDs kept_by_index has room for */
  const char **ordered_kept; /* the same in plan order; chunks slice it */
  size_t rejected_cap;
  size_t chunks_cap;
  struct wr_arena arena;    /* rejected values, input names */
};

/* A valid row waiting to be added (see on_row). */
struct pending {
  char id[ID_MAX];
  size_t id_len;
  char region[REGION_MAX];
  size_t region_len;
  long line;
  uint32_t hash;
  bool full;
  const char **kept;        /* nkeep values, in the arena (NULL: none) */
};

struct builder {
  struct plan_priv *p;
  struct pending pend;
  size_t last_region_len;
  const struct wr_plan_opts *opts;
  const char *source;       /* current input, owned by the arena */
  size_t rows;              /* records of the current input */
  long last_region;         /* cache: rows come in runs of one region */
  size_t conflicts;         /* duplicates naming another region */
  char conflict_example[160];
  const char **unselected;  /* reasons for regions --only-region leaves
                               out, "region R not selected ...", arena */
  size_t nunselected, capunselected;
};

#define UNSELECTED_PREFIX "region "
#define UNSELECTED_SUFFIX " not selected (--only-region)"


/* [a-z0-9] as a table: this test runs once per row. */
static const unsigned char id_char[256] = {
  ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
  ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1,
  ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
  ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
  ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1,
  ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

bool wr_desktop_id_valid(const char *s, size_t len)
{
  size_t i;

  if (len <= 4 || len > ID_MAX || memcmp(s, "ecd-", 4) != 0)
    return false;
  for (i = 4; i < len; i++)
    if (!id_char[(unsigned char)s[i]])
      return false;
  return true;
}

/* "cn-hangzhou", "ap-southeast-1", "cn-shanghai-finance-1": a letter,
 * then letters and digits, in at least two parts joined by '-'. */
bool wr_region_valid(const char *s, size_t len)
{
  size_t i, parts = 1;

  if (len == 0 || len > REGION_MAX || !(s[0] >= 'a' && s[0] <= 'z') ||
      s[len - 1] == '-')
    return false;
  for (i = 1; i < len; i++) {
    if (s[i] == '-') {
      if (s[i - 1] == '-')
        return false;
      parts++;
    } else if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9'))) {
      return false;
    }
  }
  return parts >= 2;
}

/* The value as printable, valid UTF-8 (wr_utf8_render), cut to
 * VALUE_MAX bytes, in the plan's arena. */
static char *render_value(struct wr_arena *a, const char *s, size_t len)
{
  char *out;

  if (len > VALUE_MAX)
    len = VALUE_MAX;
  out = wr_arena_alloc(a, WR_UTF8_RENDER_SIZE(len));
  if (out != NULL)
    wr_utf8_render(s, len, out);
  return out;
}

/* A kept column's value the same way, but stored at its own length: a
 * value rendered in place would hold the worst case (every byte as
 * \xNN), 4 times the bytes, for each desktop and column. */
static char *kept_value(struct wr_arena *a, const char *s, size_t len)
{
  char tmp[WR_UTF8_RENDER_SIZE(VALUE_MAX)];

  if (len > VALUE_MAX)
    len = VALUE_MAX;
  wr_utf8_render(s, len, tmp);
  return wr_arena_strndup(a, tmp, strlen(tmp));
}

static int reject_row(struct builder *b, long line, const char *value,
                      size_t len, const char *reason, bool strict,
                      struct wr_err *err);

static int reject(struct builder *b, long line, const char *value,
                  size_t len, const char *reason, struct wr_err *err)
{
  return reject_row(b, line, value, len, reason, b->opts->strict, err);
}

/* Whether --only-region names the region (a comma-separated list). */
static bool region_selected(const char *list, const char *region,
                            size_t len)
{
  const char *p = list, *end;

  if (list == NULL)
    return true;
  for (;;) {
    end = strchr(p, ',');
    if (end == NULL)
      end = p + strlen(p);
    if ((size_t)(end - p) == len && memcmp(p, region, len) == 0)
      return true;
    if (*end == '\0')
      return false;
    p = end + 1;
  }
}

/* The reason for a row of a region --only-region leaves out: one text a
 * region, in the arena (regions are few; rows of one come in runs). */
static const char *unselected_reason(struct builder *b, const char *region,
                                     size_t len)
{
  const size_t pre = sizeof(UNSELECTED_PREFIX) - 1;
  const size_t suf = sizeof(UNSELECTED_SUFFIX) - 1;
  struct plan_priv *p = b->p;
  const char **a, *r;
  char *t;
  size_t i, cap;

  for (i = b->nunselected; i-- > 0;) {
    r = b->unselected[i];
    if (strlen(r) == pre + len + suf && memcmp(r + pre, region, len) == 0)
      return r;
  }
  if (b->nunselected == b->capunselected) {
    cap = b->capunselected ? b->capunselected * 2 : 8;
    a = realloc(b->unselected, cap * sizeof(*a));
    if (a == NULL)
      return NULL;
    b->unselected = a;
    b->capunselected = cap;
  }
  t = wr_arena_alloc(&p->arena, pre + len + suf + 1);
  if (t == NULL)
    return NULL;
  memcpy(t, UNSELECTED_PREFIX, pre);
  memcpy(t + pre, region, len);
  memcpy(t + pre + len, UNSELECTED_SUFFIX, suf + 1);
  b->unselected[b->nunselected++] = t;
  return t;
}

static int reject_row(struct builder *b, long line, const char *value,
                      size_t len, const char *reason, bool strict,
                      struct wr_err *err)
{
  struct plan_priv *p = b->p;
  struct wr_rejected *r;
  size_t cap;

  if (p->pub.nrejected == p->rejected_cap) {
    cap = p->rejected_cap ? p->rejected_cap * 2 : 16;
    r = realloc(p->pub.rejected, cap * sizeof(*r));
    if (r == NULL)
      return wr_err_set(err, WR_ENOMEM, "out of memory");
    p->pub.rejected = r;
    p->rejected_cap = cap;
  }
  r = &p->pub.rejected[p->pub.nrejected];
  r->value = render_value(&p->arena, value, len);
  if (r->value == NULL)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  r->source = b->source;
  r->line = line;
  r->reason = reason;
  p->pub.nrejected++;
  if (strict)
    return wr_err_set(err, WR_EINPUT,
                      "%s:%ld: \"%.60s\": %s (--strict: nothing planned)",
                      r->source, line, r->value, reason);
  return 0;
}

static int set_region(struct plan_priv *p, size_t index, size_t region)
{
  size_t cap;
  uint32_t *a;

  if (index >= p->id_region_cap) {
    cap = p->id_region_cap ? p->id_region_cap * 2 : 1024;
    while (cap <= index)
      cap *= 2;
    a = realloc(p->id_region, cap * sizeof(*a));
    if (a == NULL)
      return WR_ENOMEM;
    p->id_region = a;
    p->id_region_cap = cap;
  }
  p->id_region[index] = (uint32_t)region;
  return 0;
}

/* The kept values of the ID at index (its first row's). */
static int set_kept(struct plan_priv *p, size_t index, const char **kept)
{
  size_t nk = p->pub.nkeep, cap;
  const char **a;

  if (index >= p->kept_cap) {
    cap = p->kept_cap ? p->kept_cap * 2 : 1024;
    while (cap <= index)
      cap *= 2;
    a = realloc(p->kept_by_index, cap * nk * sizeof(*a));
    if (a == NULL)
      return WR_ENOMEM;
    p->kept_by_index = a;
    p->kept_cap = cap;
  }
  memcpy(p->kept_by_index + index * nk, kept, nk * sizeof(*kept));
  return 0;
}

/* Add the stashed row to the sets: a new ID, or a duplicate. */
static int commit(struct builder *b, struct wr_err *err)
{
  struct plan_priv *p = b->p;
  struct pending *r = &b->pend;
  size_t index, ridx;
  long known;
  int rc;

  if (!r->full)
    return 0;
  r->full = false;
  rc = wr_idset_add_hashed(p->ids, r->id, r->id_len, r->hash, &index);
  if (rc < 0)
    return wr_err_set(err, rc, "%s: too many desktop IDs", b->source);
  if (rc == 0) {
    p->pub.nduplicates++;
    known = wr_idset_find(p->regions, r->region, r->region_len);
    if ((known < 0 || (size_t)known != p->id_region[index]) &&
        b->conflicts++ == 0)
      snprintf(b->conflict_example, sizeof(b->conflict_example),
               "%s:%ld: %s in %s", b->source, r->line,
               wr_idset_key(p->ids, index),
               wr_idset_key(p->regions, p->id_region[index]));
    return 0;
  }
  if (b->last_region >= 0 && b->last_region_len == r->region_len &&
      memcmp(wr_idset_key(p->regions, (size_t)b->last_region), r->region,
             r->region_len) == 0) {
    ridx = (size_t)b->last_region;
  } else {
    rc = wr_idset_add(p->regions, r->region, r->region_len, &ridx);
    if (rc < 0)
      return wr_err_set(err, rc, "out of memory");
    b->last_region = (long)ridx;
    b->last_region_len = r->region_len;
  }
  if (set_region(p, index, ridx) < 0 ||
      (p->pub.nkeep > 0 && set_kept(p, index, r->kept) < 0))
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  return 0;
}

static int on_row(void *ctx, const struct wr_ingest_row *row,
                  struct wr_err *err)
{
  struct builder *b = ctx;
  const char *region = row->region;
  size_t region_len = row->region_len;
  struct pending *r = &b->pend;
  int rc;

  b->rows++;
  if (row->reason != NULL)
    return reject(b, row->line, row->id, row->id_len, row->reason, err);
  if (row->id_len == 0)
    return reject(b, row->line, "", 0, "empty desktop ID", err);
  if (row->id_truncated || row->id_len > ID_MAX)
    return reject(b, row->line, row->id, row->id_len,
                  "desktop ID longer than 64 characters", err);
  if (!wr_desktop_id_valid(row->id, row->id_len))
    return reject(b, row->line, row->id, row->id_len,
                  "invalid desktop ID (expected \"ecd-\" and lowercase "
                  "letters or digits)", err);
  if (region == NULL || region_len == 0) {
    region = b->opts->default_region;
    if (region == NULL)
      return reject(b, row->line, row->id, row->id_len,
                    "no region: the row names none and --region is not set",
                    err);
    region_len = strlen(region);
  }
  /* rows come in runs of one region: validate a new name only */
  if (row->region_truncated ||
      ((region_len != b->pend.region_len ||
        memcmp(region, b->pend.region, region_len) != 0) &&
       !wr_region_valid(region, region_len)))
    return reject(b, row->line, region, region_len,
                  "invalid region name (expected e.g. cn-hangzhou)", err);
  if (!region_selected(b->opts->only_regions, region, region_len)) {
    const char *why = unselected_reason(b, region, region_len);

    if (why == NULL)
      return wr_err_set(err, WR_ENOMEM, "out of memory");
    return reject_row(b, row->line, row->id, row->id_len, why, false, err);
  }
  /* A pipeline of one row: this row's slot is prefetched now and the row
   * is added on the next call, after libcsv has parsed another line, so
   * the hash table's cache miss overlaps useful work. */
  rc = commit(b, err);
  if (rc < 0)
    return rc;
  memcpy(r->id, row->id, row->id_len);
  r->id_len = row->id_len;
  memcpy(r->region, region, region_len);
  r->region_len = region_len;
  r->line = row->line;
  r->hash = wr_idset_hash(r->id, r->id_len);
  wr_idset_prefetch(b->p->ids, r->hash);
  r->full = true;
  for (size_t k = 0; k < b->p->pub.nkeep; k++) {
    r->kept[k] = NULL;
    if (row->kept != NULL && row->kept[k] != NULL &&
        (r->kept[k] = kept_value(&b->p->arena, row->kept[k],
                                 row->kept_len[k])) == NULL)
      return wr_err_set(err, WR_ENOMEM, "out of memory");
  }
  return 0;
}

/* The wave of the desktop at plan position pos, and the position where
 * the next wave starts (SIZE_MAX: none). */
static int wave_of(const struct wr_plan_opts *o, size_t pos, size_t *next)
{
  size_t canary = (size_t)o->canary, size = (size_t)o->wave_size, k;

  if (pos < canary) {
    *next = canary;
    return 0;
  }
  if (size == 0) {
    *next = SIZE_MAX;
    return 1;
  }
  k = (pos - canary) / size;
  *next = canary + (k + 1) * size;
  return (int)(k + 1);
}

static int add_chunk(struct plan_priv *p, const char *region,
                     const char **ids, const char **kept, size_t n,
                     int wave, bool token)
{
  struct wr_chunk *c;
  size_t cap;

  if (p->pub.nchunks == p->chunks_cap) {
    cap = p->chunks_cap ? p->chunks_cap * 2 : 64;
    c = realloc(p->pub.chunks, cap * sizeof(*c));
    if (c == NULL)
      return WR_ENOMEM;
    p->pub.chunks = c;
    p->chunks_cap = cap;
  }
  c = &p->pub.chunks[p->pub.nchunks];
  memset(c, 0, sizeof(*c));
  snprintf(c->id, sizeof(c->id), "%zu", p->pub.nchunks + 1);
  c->region = region;
  c->ids = ids;
  c->kept = kept;
  c->nids = n;
  c->wave = wave;
  if (token && wr_uuid4(c->client_token) < 0)
    return WR_EIO;
  p->pub.nchunks++;
  if (wave + 1 > p->pub.nwaves)
    p->pub.nwaves = wave + 1;
  if (wave > p->pub.last_wave)
    p->pub.last_wave = wave;
  return 0;
}

/* Group by region (counting sort, stable), then cut into chunks. */
static int finish(struct plan_priv *p, const struct wr_plan_opts *o)
{
  size_t n = wr_idset_count(p->ids), nr = wr_idset_count(p->regions);
  size_t *off = NULL, i, r, pos = 0, end, next, take;
  int rc = WR_ENOMEM, wave;

  p->pub.ndesktops = n;
  p->pub.nregions = nr;
  wr_idset_seal(p->ids); /* no more lookups: free the table first */
  p->pub.regions = calloc(nr ? nr : 1, sizeof(*p->pub.regions));
  off = calloc(nr + 1, sizeof(*off));
  p->ordered = malloc((n ? n : 1) * sizeof(*p->ordered));
  if (p->pub.regions == NULL || off == NULL || p->ordered == NULL)
    goto out;
  for (i = 0; i < n; i++)
    p->pub.regions[p->id_region[i]].desktops++;
  for (r = 0; r < nr; r++) {
    p->pub.regions[r].region = wr_idset_key(p->regions, r);
    off[r + 1] = off[r] + p->pub.regions[r].desktops;
  }
  if (p->pub.nkeep > 0 &&
      (p->ordered_kept = malloc((n ? n : 1) * p->pub.nkeep *
                                sizeof(*p->ordered_kept))) == NULL)
    goto out;
  for (i = 0; i < n; i++) {
    size_t at = off[p->id_region[i]]++;

    p->ordered[at] = wr_idset_key(p->ids, i);
    if (p->pub.nkeep > 0)
      memcpy(p->ordered_kept + at * p->pub.nkeep,
             p->kept_by_index + i * p->pub.nkeep,
             p->pub.nkeep * sizeof(*p->ordered_kept));
  }
  free(p->kept_by_index);
  p->kept_by_index = NULL;
  p->kept_cap = 0;
  /* Lookups are over: the table, the key index and the region of each ID
   * (24 bytes an ID, 10 MB of 400,000) would stay resident for the whole
   * run.  The ID strings stay, in the set's arena. */
  wr_idset_drop_index(p->ids);
  free(p->id_region);
  p->id_region = NULL;
  p->id_region_cap = 0;
  for (r = 0; r < nr; r++) {
    end = pos + p->pub.regions[r].desktops;
    while (pos < end) {
      wave = wave_of(o, pos, &next);
      take = end - pos;
      if (take > (size_t)o->chunk_size)
        take = (size_t)o->chunk_size;
      if (next != SIZE_MAX && take > next - pos)
        take = next - pos;
      rc = add_chunk(p, p->pub.regions[r].region, p->ordered + pos,
                     p->ordered_kept != NULL
                         ? p->ordered_kept + pos * p->pub.nkeep : NULL,
                     take, wave, o->client_tokens);
      if (rc < 0)
        goto out;
      pos += take;
    }
  }
  /* Waves are 0 (canary) .. max, or 1 .. max without a canary. */
  if (p->pub.nchunks > 0 && o->canary <= 0)
    p->pub.nwaves--;
  rc = 0;
out:
  free(off);
  return rc;
}

/* The mean length of a line in the first 16 KiB of a file. */
static size_t row_bytes(const char *path)
{
  char buf[16384];
  size_t n = 0, lines = 0, i;
  FILE *f = fopen(path, "rb");

  if (f != NULL) {
    n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
  }
  for (i = 0; i < n; i++)
    lines += buf[i] == '\n';
  /* A short sample says little: then assume a fleet row, about 50 bytes.
   * A hint too small costs a grow, whose old and new tables (12 MB at
   * 400,000 IDs) are briefly resident together: the run's peak RSS. */
  return lines >= 8 ? (n + lines - 1) / lines : 50;
}

/* Expected distinct IDs from the input sizes and the length of a row in
 * the first 16 KiB of each (plus 1/16 for rows of other lengths), so the
 * hash table and arrays are sized once instead of growing through every
 * power of two.  Capped: a huge file of garbage must not reserve memory
 * for IDs it does not have. */
static size_t size_hint(char *const *inputs, size_t ninputs)
{
  struct stat st;
  size_t i, bytes;

  size_t rows = 0;

  for (i = 0; i < ninputs; i++)
    if (strcmp(inputs[i], "-") != 0 && stat(inputs[i], &st) == 0 &&
        S_ISREG(st.st_mode)) {
      bytes = (size_t)st.st_size;
      rows += bytes / row_bytes(inputs[i]);
      if (rows >= HINT_MAX)
        return HINT_MAX;
    }
  rows += rows / 16;
  return rows < HINT_MAX ? rows : HINT_MAX;
}

/* --region R is the region of rows that name none, not a filter: when
 * rows name other regions too, which are meant must be said. */
static int check_regions(const struct wr_plan *pub,
                         const struct wr_plan_opts *o, struct wr_err *err)
{
  char list[WR_ERR_LEN / 2];
  size_t r, len = 0;
  bool other = false;

  if (o->default_region == NULL || o->all_regions || o->only_regions != NULL)
    return 0;
  for (r = 0; r < pub->nregions; r++)
    other |= strcmp(pub->regions[r].region, o->default_region) != 0;
  if (!other)
    return 0;
  list[0] = '\0';
  for (r = 0; r < pub->nregions && len < sizeof(list); r++) {
    int n = snprintf(list + len, sizeof(list) - len, "%s%s %zu",
                     r > 0 ? ", " : "", pub->regions[r].region,
                     pub->regions[r].desktops);
    if (n < 0)
      break;
    len += (size_t)n;
  }
  return wr_err_set(err, WR_EUSAGE,
                    "--region %s is the region of rows that name none, not "
                    "a filter, and the input names other regions too: say "
                    "which to reboot with --only-region %s (or a list "
                    "R1,R2) or --all-regions; desktops by region: %s",
                    o->default_region, o->default_region, list);
}

int wr_plan_build(const struct wr_plan_opts *opts, char *const *inputs,
                  size_t ninputs, struct wr_plan **out, struct wr_err *err)
{
  struct plan_priv *p = NULL;
  struct wr_ingest_opts io;
  struct builder b;
  struct wr_plan *pub;
  size_t i, hint;
  int rc = WR_ENOMEM;

  *out = NULL;
  memset(&b, 0, sizeof(b));
  if (opts->chunk_size < 1 || opts->chunk_size > WR_CHUNK_MAX_ADMIN ||
      opts->canary < 0 || opts->wave_size < 0)
    return wr_err_set(err, WR_EINVAL, "invalid plan options");
  if (opts->default_region != NULL &&
      !wr_region_valid(opts->default_region, strlen(opts->default_region)))
    return wr_err_set(err, WR_EINVAL, "invalid region \"%s\"",
                      opts->default_region);
  if (ninputs == 0)
    return wr_err_set(err, WR_EINPUT, "no input: give a file or - (stdin)");
  p = calloc(1, sizeof(*p));
  if (p == NULL)
    goto fail;
  wr_arena_init(&p->arena);
  pub = &p->pub;
  hint = size_hint(inputs, ninputs);
  if (wr_idset_create(hint, &p->ids) < 0 ||
      wr_idset_create(0, &p->regions) < 0 ||
      (hint > 0 && set_region(p, hint - 1, 0) < 0))
    goto fail;
  b.p = p;
  b.opts = opts;
  b.last_region = -1;
  memset(&io, 0, sizeof(io));
  io.format = opts->format;
  io.column = opts->column;
  if (opts->nkeep > 0) {
    pub->nkeep = opts->nkeep;
    pub->keep_names = wr_arena_alloc(&p->arena,
                                     opts->nkeep * sizeof(*pub->keep_names));
    b.pend.kept = wr_arena_alloc(&p->arena,
                                 opts->nkeep * sizeof(*b.pend.kept));
    if (pub->keep_names == NULL || b.pend.kept == NULL)
      goto fail;
    for (i = 0; i < opts->nkeep; i++)
      if ((pub->keep_names[i] = wr_arena_strndup(
               &p->arena, opts->keep[i], strlen(opts->keep[i]))) == NULL)
        goto fail;
    io.keep = opts->keep;
    io.nkeep = opts->nkeep;
  }
  pub->inputs = calloc(ninputs, sizeof(*pub->inputs));
  if (pub->inputs == NULL)
    goto fail;
  for (i = 0; i < ninputs; i++) {
    struct wr_ingest_digest dg;

    b.source = wr_arena_strndup(&p->arena, inputs[i], strlen(inputs[i]));
    if (b.source == NULL)
      goto fail;
    b.rows = 0;
    io.digest = &dg;
    rc = wr_ingest_file(inputs[i], &io, on_row, &b, err);
    if (rc == 0) {
      struct wr_plan_input *in = &pub->inputs[pub->ninputs++];

      in->path = b.source;
      in->bytes = dg.bytes;
      in->rows = b.rows;
      memcpy(in->sha256, dg.sha256, sizeof(in->sha256));
    }
    if (rc == 0)
      rc = commit(&b, err);
    if (rc < 0)
      goto fail;
  }
  if (b.conflicts > 0)
    wr_warnf("%zu duplicate row(s) named another region than the first row "
             "of their desktop ID; the first region was kept (first: %s)",
             b.conflicts, b.conflict_example);
  rc = finish(p, opts);
  if (rc < 0)
    goto fail;
  rc = check_regions(pub, opts, err);
  if (rc < 0)
    goto fail;
  if (pub->ndesktops == 0) {
    if (pub->nrejected > 0)
      rc = wr_err_set(err, WR_EINPUT,
                      "nothing to plan: no valid desktop ID in the input "
                      "(%zu rejected; the first: %s:%ld: \"%.60s\": %s)",
                      pub->nrejected, pub->rejected[0].source,
                      pub->rejected[0].line, pub->rejected[0].value,
                      pub->rejected[0].reason);
    else
      rc = wr_err_set(err, WR_EINPUT,
                      "nothing to plan: the input holds no desktop ID");
    goto fail;
  }
  free(b.unselected);
  *out = pub;
  return 0;
fail:
  if (rc == WR_ENOMEM && err != NULL && err->code != WR_ENOMEM)
    wr_err_set(err, WR_ENOMEM, "out of memory");
  if (p != NULL) {
    pub = &p->pub;
    wr_plan_destroy(&pub);
  }
  free(b.unselected);
  return rc;
}

void wr_plan_destroy(struct wr_plan **pp)
{
  struct plan_priv *p;

  if (*pp == NULL)
    return;
  p = container_of(*pp, struct plan_priv, pub);
  free(p->pub.chunks);
  free(p->pub.inputs);
  free(p->pub.regions);
  free(p->pub.rejected);
  free(p->ordered);
  free(p->ordered_kept);
  free(p->kept_by_index);
  free(p->id_region);
  wr_idset_destroy(&p->ids);
  wr_idset_destroy(&p->regions);
  wr_arena_free(&p->arena);
  free(p);
  *pp = NULL;
}

void wr_plan_opts_from_config(const struct wr_config *cfg,
                              struct wr_plan_opts *opts)
{
  memset(opts, 0, sizeof(*opts));
  opts->default_region = cfg->region;
  opts->column = cfg->column;
  opts->format = cfg->format;
  opts->strict = cfg->strict;
  opts->chunk_size = cfg->chunk_size;
  opts->client_tokens = cfg->api == WR_API_CLIENT;
  opts->canary = cfg->canary;
  opts->wave_size = cfg->wave_size;
  opts->only_regions = cfg->only_regions;
  opts->all_regions = cfg->all_regions;
  opts->keep = (const char *const *)cfg->keep_columns;
  opts->nkeep = cfg->nkeep_columns;
}
