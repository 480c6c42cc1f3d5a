/* record_json: adding a value to a report record, for the record builders
 * (journal_records.c).  Records copy nothing they need not: keys
 * are string literals (cJSON's "CS" items) and string values references
 * to the caller's strings, which live until the record is written. */
#ifndef WR_RECORD_JSON_H
#define WR_RECORD_JSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

/* Add v under the literal key name; v is deleted if it cannot be added
 * (false, as for a NULL v: out of memory). */
static inline bool wr_record_put(cJSON *o, const char *name, cJSON *v)
{
  if (v == NULL)
    return false;
  if (!cJSON_AddItemToObjectCS(o, name, v)) {
    cJSON_Delete(v);
    return false;
  }
  return true;
}

/* s by reference, or null. */
static inline bool wr_record_put_str(cJSON *o, const char *name,
                                     const char *s)
{
  return wr_record_put(o, name, s != NULL ? cJSON_CreateStringReference(s)
                                          : cJSON_CreateNull());
}

/* The n strings of v by reference (NULL as ""), as an array. */
static inline bool wr_record_put_strs(cJSON *o, const char *name,
                                      const char *const *v, size_t n)
{
  cJSON *a = cJSON_CreateArray();
  size_t i;

  if (!wr_record_put(o, name, a))
    return false;
  for (i = 0; i < n; i++) {
    cJSON *s = cJSON_CreateStringReference(v[i] != NULL ? v[i] : "");

    if (s == NULL || !cJSON_AddItemToArray(a, s)) {
      cJSON_Delete(s);
      return false;
    }
  }
  return true;
}

#endif
