/* show_requests: `plan --show-requests N` prints the first N requests of
 * a plan exactly as they would be sent, with the signature and every
 * secret replaced by "***". */
#ifndef WR_SHOW_REQUESTS_H
#define WR_SHOW_REQUESTS_H

#include "config.h"
#include "plan.h"

#include <stdio.h>

/* Loads the credentials, builds and prints the first n requests to out.
 * Returns an exit code (WR_EXIT_OK, or WR_EXIT_USAGE with a message on
 * stderr, e.g. missing credentials). */
int wr_show_requests(const struct wr_config *cfg, const struct wr_plan *plan,
                     long n, FILE *out);

#endif
