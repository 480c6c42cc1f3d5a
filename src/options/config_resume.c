/* config_resume: the config of a resumed run.  The report's run.options
 * is a job file holding every non-secret option the run had; the options
 * on the resume command line (those resume takes: rate, concurrency,
 * deadline, endpoint, ...) are applied over it, exactly as a command line
 * wins over --job.  Options that would change the plan are refused by
 * wr_config_load() before we get here.
 *
 * --insecure counts only on the command line: a report is a file anyone
 * with write access can edit, and "insecure": true in it would let plain
 * http go to any host.  So the report's flag is dropped (with a warning)
 * and the endpoint is judged by the same policy as run's. */
#include "config_load.h"

#include "config_int.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int wr_config_resume(const struct wr_config *cli, const void *options,
                     const char *source, struct wr_config *out,
                     struct wr_err *err)
{
  const struct wr_opt_def *d;
  const char *report = cli->inputs[0];
  char src[96], *v = NULL;
  size_t i;
  int rc;

  wr_config_defaults(out);
  out->command = WR_CMD_RESUME;
  rc = wr_config_apply_json(out, options, source, err);
  if (rc < 0)
    return rc;
  if (out->insecure && !cli->insecure) {
    wr_warnf("%s: \"insecure\": true is ignored; --insecure counts only "
             "on the command line (give it to resume to allow plain http "
             "to a host that is not loopback)", source);
    out->insecure = false;
  }
  for (i = 0; i < out->norigins; i++)
    out->origins[i].origin = WR_ORIGIN_REPORT;
  /* The run's inputs and report path are history: the plan is in the
   * report, and the report is where it is now. */
  for (i = 0; i < out->ninputs; i++)
    free(out->inputs[i]);
  free(out->inputs);
  out->ninputs = 0;
  free(out->report_path);
  out->report_path = NULL;
  out->inputs = calloc(1, sizeof(*out->inputs));
  if (out->inputs == NULL || (out->inputs[0] = strdup(report)) == NULL ||
      (out->report_path = strdup(report)) == NULL)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  out->ninputs = 1;
  for (i = 0; i < cli->ngiven; i++) {
    d = wr_opt_find_name(cli->given[i].name);
    if (d == NULL || strcmp(d->name, "verbose") == 0 ||
        strcmp(d->name, "quiet") == 0)
      continue;
    snprintf(src, sizeof(src), "--%s", d->name);
    free(v);
    v = strdup(cli->given[i].value);
    if (v == NULL)
      return wr_err_set(err, WR_ENOMEM, "out of memory");
    rc = wr_config_apply(out, d, v, src, err);
    if (rc < 0)
      goto out;
    wr_config_set_origin(out, d->name, WR_ORIGIN_RESUME);
  }
  out->verbosity = cli->verbosity;
  rc = wr_config_validate(out, err);
out:
  free(v);
  return rc;
}
