/* resume and report: reading a finished or interrupted report back. */
#include "cmd.h"
#include "log.h"

int wr_cmd_resume(const struct wr_config *cfg)
{
  (void)cfg;
  wr_errorf("resume: this version cannot resume a run yet; re-run with the "
            "same plan (client mode reuses no tokens across runs)");
  return WR_EXIT_USAGE;
}

int wr_cmd_report(const struct wr_config *cfg)
{
  (void)cfg;
  wr_errorf("report: this version has no audit summary yet; the report file "
            "is JSON Lines (see README.md) and can be read with jq");
  return WR_EXIT_USAGE;
}
