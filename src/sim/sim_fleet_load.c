/* sim_fleet_load: a fleet file through the project's own ingest code, so
 * that the sim reads exactly what wuying-reboot reads. */
#include "sim_fleet.h"

#include "plan.h"

int wr_sim_fleet_load_file(struct wr_sim_fleet *f, const char *path,
                           const char *default_region, struct wr_err *err)
{
  struct wr_plan_opts po = {0};
  struct wr_plan *plan = NULL;
  char *inputs[1];
  size_t c, i;
  int rc;

  inputs[0] = (char *)path;
  po.default_region = default_region;
  po.all_regions = true; /* a fleet spans regions: every one is meant */
  po.format = WR_FORMAT_AUTO;
  po.strict = true;
  po.chunk_size = 100;
  rc = wr_plan_build(&po, inputs, 1, &plan, err);
  if (rc < 0)
    return rc;
  for (c = 0; c < plan->nchunks && rc == 0; c++)
    for (i = 0; i < plan->chunks[c].nids && rc == 0; i++)
      rc = wr_sim_fleet_add(f, plan->chunks[c].ids[i],
                            plan->chunks[c].region, err);
  wr_plan_destroy(&plan);
  if (rc == 0)
    rc = wr_sim_fleet_load_meta(f, path, err);
  return rc;
}
