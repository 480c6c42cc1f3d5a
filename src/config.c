/* Placeholder: replaced by the ingest/plan work (issue 2). */
#include "config.h"

#include <string.h>

int wr_config_load(struct wr_config *cfg, int argc, char **argv,
                   struct wr_err *err)
{
  (void)argc;
  (void)argv;
  memset(cfg, 0, sizeof(*cfg));
  return wr_err_set(err, WR_EUSAGE, "usage: wuying-reboot COMMAND ...");
}

void wr_config_free(struct wr_config *cfg)
{
  (void)cfg;
}

void *wr_config_to_json(const struct wr_config *cfg)
{
  (void)cfg;
  return NULL;
}
