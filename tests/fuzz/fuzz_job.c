/* fuzz_job: libFuzzer target for job files (and so for a report's
 * run.options, which resume applies the same way): any JSON text is
 * applied to a fresh plan config, which must then serialise and free
 * cleanly. */
#include "config_load.h"
#include "log.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct wr_config cfg;
  struct wr_err err;
  cJSON *root, *out;

  wr_log_set_level(-1); /* the warnings are not the point here */
  root = cJSON_ParseWithLength((const char *)data, size);
  if (root == NULL)
    return 0;
  memset(&cfg, 0, sizeof(cfg));
  cfg.command = (size & 1) ? WR_CMD_RUN : WR_CMD_RESUME;
  cfg.chunk_size = 20;
  cfg.max_errors = -1;
  cfg.max_errors_pct = -1;
  (void)wr_config_apply_json(&cfg, root, "fuzz", &err);
  out = wr_config_to_json(&cfg);
  cJSON_Delete(out);
  cJSON_Delete(root);
  wr_config_free(&cfg);
  return 0;
}
