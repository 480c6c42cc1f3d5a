/* test_vectors: load a known-answer file from tests/fixtures/vectors with
 * cJSON (the files are copies of /work/shared/vectors, produced by the
 * official Alibaba Cloud Node.js SDK). */
#ifndef WR_TEST_VECTORS_H
#define WR_TEST_VECTORS_H

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

static inline cJSON *wr_test_load_json(const char *name)
{
  char path[1024];
  FILE *f;
  long n;
  char *text;
  cJSON *root = NULL;

  snprintf(path, sizeof(path), "%s/tests/fixtures/vectors/%s",
           WR_SOURCE_DIR, name);
  f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    return NULL;
  }
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
      fseek(f, 0, SEEK_SET) == 0 && (text = malloc((size_t)n + 1)) != NULL) {
    if (fread(text, 1, (size_t)n, f) == (size_t)n) {
      text[n] = '\0';
      root = cJSON_ParseWithLength(text, (size_t)n);
    }
    free(text);
  }
  fclose(f);
  return root;
}

static inline const char *wr_test_str(const cJSON *obj, const char *key)
{
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

  return cJSON_IsString(item) ? item->valuestring : NULL;
}

#endif
