/* Placeholder: replaced by the issue that delivers this command. */
#include "cmd.h"
#include "log.h"

int wr_cmd_run(const struct wr_config *cfg)
{
  (void)cfg;
  wr_errorf("the run command is missing from this build");
  return WR_EXIT_USAGE;
}
