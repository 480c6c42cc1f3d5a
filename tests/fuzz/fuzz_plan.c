/* fuzz_plan: libFuzzer target for the whole plan (ingest, validation,
 * rejected values, de-duplication, chunks and waves): the first byte
 * picks the options, the rest is written to a file and planned.  Every
 * valid ID must land in exactly one chunk.  The file, /tmp/fuzz-plan-PID,
 * goes at exit. */
#include "log.h"
#include "plan.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void remove_input(void)
{
  unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const int sizes[] = {1, 2, 3, 20};
  struct wr_plan_opts o;
  struct wr_plan *plan = NULL;
  struct wr_err err;
  char *inputs[1];
  size_t i, total = 0;
  FILE *f;

  if (size < 1)
    return 0;
  wr_log_set_level(-1);
  if (path[0] == '\0') {
    snprintf(path, sizeof(path), "/tmp/fuzz-plan-%ld%s", (long)getpid(),
             data[0] & 1 ? ".jsonl" : ".csv");
    atexit(remove_input);
  }
  f = fopen(path, "wb");
  if (f == NULL)
    abort();
  fwrite(data + 1, 1, size - 1, f);
  fclose(f);
  memset(&o, 0, sizeof(o));
  o.format = data[0] & 1 ? WR_FORMAT_JSONL : WR_FORMAT_CSV;
  o.default_region = data[0] & 2 ? "cn-hangzhou" : NULL;
  o.chunk_size = sizes[(data[0] >> 2) & 3];
  o.canary = (data[0] >> 4) & 3;
  o.wave_size = (data[0] >> 6) & 3;
  o.client_tokens = data[0] & 4;
  inputs[0] = path;
  if (wr_plan_build(&o, inputs, 1, &plan, &err) == 0) {
    for (i = 0; i < plan->nchunks; i++) {
      if (plan->chunks[i].nids < 1 ||
          plan->chunks[i].nids > (size_t)o.chunk_size)
        abort();
      total += plan->chunks[i].nids;
    }
    if (total != plan->ndesktops)
      abort();
    wr_plan_destroy(&plan);
  }
  return 0;
}
