/* idset: a set of short strings (desktop IDs, region names) with O(1)
 * insert-or-find, and the arena that stores them.
 *
 * Keys are copied once into an arena of large blocks (no malloc per key)
 * and numbered in insertion order, so the index doubles as "order of first
 * appearance".  The table is open addressing with linear probing over
 * 64-bit slots (32-bit hash | 32-bit index + 1), kept at most 70% full.
 * Key pointers stay valid until the set is destroyed.  Not thread-safe. */
#ifndef WR_IDSET_H
#define WR_IDSET_H

#include <stddef.h>
#include <stdint.h>

/* Bump allocator over a list of blocks; freed all at once.  Embedded by
 * value: wr_arena_init() cannot fail and allocates nothing. */
struct wr_arena_block;
struct wr_arena {
  struct wr_arena_block *head; /* newest block first */
  size_t used;                 /* bytes used in head */
  size_t total;                /* bytes handed out, for statistics */
};

void wr_arena_init(struct wr_arena *a);
/* n bytes, aligned for any scalar; NULL on ENOMEM. */
void *wr_arena_alloc(struct wr_arena *a, size_t n);
/* A NUL-terminated copy of s[0..len); NULL on ENOMEM. */
char *wr_arena_strndup(struct wr_arena *a, const char *s, size_t len);
void wr_arena_free(struct wr_arena *a);

struct wr_idset;

/* hint: expected number of keys (0: small). */
int wr_idset_create(size_t hint, struct wr_idset **out);
void wr_idset_destroy(struct wr_idset **pp);

/* Insert s[0..len) unless present.  Returns 1 when added, 0 when it was
 * already there, WR_ENOMEM/WR_ETOOBIG on failure.  *index (may be NULL)
 * receives the key's insertion index either way. */
int wr_idset_add(struct wr_idset *set, const char *s, size_t len,
                 size_t *index);
/* The same in two steps, so a caller can hide the table's cache miss:
 * hash and prefetch a key, do other work, then add it with its hash. */
uint32_t wr_idset_hash(const char *s, size_t len);
void wr_idset_prefetch(const struct wr_idset *set, uint32_t hash);
int wr_idset_add_hashed(struct wr_idset *set, const char *s, size_t len,
                        uint32_t hash, size_t *index);
/* For a set that is done growing (a finished plan keeps its IDs, not the
 * 12 to 20 bytes each of lookup).  seal frees the hash table: after it,
 * only count, key and destroy are allowed.  drop_index also frees the
 * index (count is then 0): key pointers handed out stay valid until
 * wr_idset_destroy(), the only call then allowed. */
void wr_idset_seal(struct wr_idset *set);
void wr_idset_drop_index(struct wr_idset *set);
/* The index of s[0..len), or -1 when absent. */
long wr_idset_find(const struct wr_idset *set, const char *s, size_t len);
size_t wr_idset_count(const struct wr_idset *set);
/* The key with this insertion index (NUL-terminated, owned by the set). */
const char *wr_idset_key(const struct wr_idset *set, size_t index);
/* The arena the keys live in, for other strings with the set's lifetime. */
struct wr_arena *wr_idset_arena(struct wr_idset *set);

#endif
