/* Placeholder: replaced by the signing work (issue 3). */
#include "show_requests.h"

#include "err.h"
#include "log.h"

int wr_show_requests(const struct wr_config *cfg, const struct wr_plan *plan,
                     long n, FILE *out)
{
  (void)cfg;
  (void)plan;
  (void)n;
  (void)out;
  wr_errorf("--show-requests is missing from this build");
  return WR_EXIT_USAGE;
}
