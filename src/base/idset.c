#include "idset.h"

#include "err.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Large blocks keep the per-key overhead at zero and malloc calls rare. */
#define ARENA_BLOCK (1024 * 1024)
#define ARENA_ALIGN 16
#define HUGE_PAGE ((size_t)2 * 1024 * 1024)

struct wr_arena_block {
  struct wr_arena_block *next;
  size_t size;
  _Alignas(ARENA_ALIGN) unsigned char data[];
};

void wr_arena_init(struct wr_arena *a)
{
  a->head = NULL;
  a->used = 0;
  a->total = 0;
}

/* align: 1 for strings (an ID is 21 bytes: padding to 16 would waste a
 * third of the arena), ARENA_ALIGN for anything else. */
static void *arena_alloc(struct wr_arena *a, size_t n, size_t align)
{
  struct wr_arena_block *b;
  size_t size;
  void *p;

  if (a->head != NULL)
    a->used = (a->used + align - 1) & ~(align - 1);
  if (a->head == NULL || a->used > a->head->size ||
      a->head->size - a->used < n) {
    size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
    b = malloc(sizeof(*b) + size);
    if (b == NULL)
      return NULL;
    b->size = size;
    b->next = a->head;
    a->head = b;
    a->used = 0;
  }
  p = a->head->data + a->used;
  a->used += n;
  a->total += n;
  return p;
}

void *wr_arena_alloc(struct wr_arena *a, size_t n)
{
  return arena_alloc(a, n, ARENA_ALIGN);
}

char *wr_arena_strndup(struct wr_arena *a, const char *s, size_t len)
{
  char *p = arena_alloc(a, len + 1, 1);

  if (p == NULL)
    return NULL;
  memcpy(p, s, len);
  p[len] = '\0';
  return p;
}

void wr_arena_free(struct wr_arena *a)
{
  struct wr_arena_block *b, *next;

  for (b = a->head; b != NULL; b = next) {
    next = b->next;
    free(b);
  }
  wr_arena_init(a);
}

struct wr_idset {
  uint64_t *slots;    /* 0: empty; else hash << 32 | (index + 1) */
  size_t nslots;      /* any size: a hash maps to a slot by multiply-shift,
                         so the table need not double past 70% */
  const char **keys;  /* by insertion index */
  size_t count;
  size_t keys_cap;
  struct wr_arena arena;
};

/* Eight bytes at a time with a multiply-xorshift mix (the idea of
 * wyhash/murmur finalisers): a desktop ID is three words, so this is a
 * third of a byte-at-a-time hash's dependent multiplies. */
uint32_t wr_idset_hash(const char *s, size_t len)
{
  const uint64_t k = 0x9e3779b97f4a7c15ULL;
  uint64_t h = len * k, w;

  while (len >= 8) {
    memcpy(&w, s, 8);
    h = (h ^ w) * k;
    h ^= h >> 31;
    s += 8;
    len -= 8;
  }
  if (len > 0) {
    w = 0;
    memcpy(&w, s, len);
    h = (h ^ w) * k;
  }
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 32;
  return (uint32_t)h;
}

/* Every probe of a big table is a cache and TLB miss: with 4 KiB pages a
 * 16 MB table needs 4096 TLB entries, so ask for transparent huge pages
 * (2 MiB-aligned, madvise) and zero the table at once, which also saves
 * calloc's lazy zero pages from faulting twice (read, then write). */
static uint64_t *alloc_slots(size_t n)
{
  size_t bytes = n * sizeof(uint64_t);
  void *p = NULL;

  if (bytes >= HUGE_PAGE) {
    if (posix_memalign(&p, HUGE_PAGE, bytes) != 0)
      return NULL;
    madvise(p, bytes, MADV_HUGEPAGE); /* a hint: failure is harmless */
  } else {
    p = malloc(bytes);
    if (p == NULL)
      return NULL;
  }
  memset(p, 0, bytes);
  return p;
}

int wr_idset_create(size_t hint, struct wr_idset **out)
{
  struct wr_idset *set;
  size_t n = hint / 7 * 10 + 64;

  *out = NULL;
  if (n > ((size_t)1 << 31))
    n = (size_t)1 << 31;
  set = calloc(1, sizeof(*set));
  if (set == NULL)
    return WR_ENOMEM;
  set->slots = alloc_slots(n);
  if (set->slots == NULL) {
    free(set);
    return WR_ENOMEM;
  }
  set->nslots = n;
  wr_arena_init(&set->arena);
  if (hint > 0) {
    set->keys = malloc(hint * sizeof(*set->keys));
    if (set->keys == NULL) {
      free(set->slots);
      free(set);
      return WR_ENOMEM;
    }
    set->keys_cap = hint;
  }
  *out = set;
  return 0;
}

void wr_idset_destroy(struct wr_idset **pp)
{
  struct wr_idset *set = *pp;

  if (set == NULL)
    return;
  free(set->slots);
  free(set->keys);
  wr_arena_free(&set->arena);
  free(set);
  *pp = NULL;
}

/* The home slot of hash h in a table of n slots: (h * n) >> 32 uses the
 * hash's high bits, so n need not be a power of two (a table sized from
 * the hint at 70% instead of the next power of two: 4.7 MB instead of
 * 8 MB at 400,000 IDs). */
static size_t home(uint32_t h, size_t n)
{
  return (size_t)(((uint64_t)h * n) >> 32);
}

static int grow_table(struct wr_idset *set)
{
  size_t n = set->nslots * 2, i, pos;
  uint64_t *slots;

  if (n > ((size_t)1 << 32))
    return WR_ETOOBIG;
  slots = alloc_slots(n);
  if (slots == NULL)
    return WR_ENOMEM;
  for (i = 0; i < set->nslots; i++) {
    if (set->slots[i] == 0)
      continue;
    pos = home((uint32_t)(set->slots[i] >> 32), n);
    while (slots[pos] != 0)
      pos = pos + 1 == n ? 0 : pos + 1;
    slots[pos] = set->slots[i];
  }
  free(set->slots);
  set->slots = slots;
  set->nslots = n;
  return 0;
}

static size_t probe(const struct wr_idset *set, const char *s, size_t len,
                    uint32_t h, int *found)
{
  size_t pos = home(h, set->nslots);
  uint64_t slot;
  const char *key;

  for (;;) {
    slot = set->slots[pos];
    if (slot == 0) {
      *found = 0;
      return pos;
    }
    if ((uint32_t)(slot >> 32) == h) {
      key = set->keys[(uint32_t)slot - 1];
      /* strnlen first: never read past a shorter key's NUL */
      if (strnlen(key, len + 1) == len && memcmp(key, s, len) == 0) {
        *found = 1;
        return pos;
      }
    }
    pos = pos + 1 == set->nslots ? 0 : pos + 1;
  }
}

void wr_idset_prefetch(const struct wr_idset *set, uint32_t hash)
{
  __builtin_prefetch(&set->slots[home(hash, set->nslots)], 1);
}

int wr_idset_add(struct wr_idset *set, const char *s, size_t len,
                 size_t *index)
{
  return wr_idset_add_hashed(set, s, len, wr_idset_hash(s, len), index);
}

int wr_idset_add_hashed(struct wr_idset *set, const char *s, size_t len,
                        uint32_t h, size_t *index)
{
  size_t pos, cap;
  const char **keys;
  char *copy;
  int found, rc;

  pos = probe(set, s, len, h, &found);
  if (found) {
    if (index != NULL)
      *index = (uint32_t)set->slots[pos] - 1;
    return 0;
  }
  if (set->count >= UINT32_MAX - 1)
    return WR_ETOOBIG;
  if ((set->count + 1) * 10 > set->nslots * 7) {
    rc = grow_table(set);
    if (rc < 0)
      return rc;
    pos = probe(set, s, len, h, &found);
  }
  if (set->count == set->keys_cap) {
    cap = set->keys_cap ? set->keys_cap * 2 : 64;
    keys = realloc(set->keys, cap * sizeof(*keys));
    if (keys == NULL)
      return WR_ENOMEM;
    set->keys = keys;
    set->keys_cap = cap;
  }
  copy = wr_arena_strndup(&set->arena, s, len);
  if (copy == NULL)
    return WR_ENOMEM;
  set->keys[set->count] = copy;
  set->slots[pos] = (uint64_t)h << 32 | (uint64_t)(set->count + 1);
  if (index != NULL)
    *index = set->count;
  set->count++;
  return 1;
}

void wr_idset_seal(struct wr_idset *set)
{
  free(set->slots);
  set->slots = NULL;
  set->nslots = 0;
}

void wr_idset_drop_index(struct wr_idset *set)
{
  wr_idset_seal(set);
  free(set->keys);
  set->keys = NULL;
  set->count = 0;
  set->keys_cap = 0;
}

long wr_idset_find(const struct wr_idset *set, const char *s, size_t len)
{
  int found;
  size_t pos = probe(set, s, len, wr_idset_hash(s, len), &found);

  return found ? (long)((uint32_t)set->slots[pos] - 1) : -1;
}

size_t wr_idset_count(const struct wr_idset *set)
{
  return set->count;
}

const char *wr_idset_key(const struct wr_idset *set, size_t index)
{
  return index < set->count ? set->keys[index] : NULL;
}

struct wr_arena *wr_idset_arena(struct wr_idset *set)
{
  return &set->arena;
}
