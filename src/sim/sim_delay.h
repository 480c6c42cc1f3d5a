/* sim_delay: resumes suspended MHD connections when their delay is over.
 * One thread runs a libuv loop with a timer per delayed connection; other
 * threads hand work over through a mutex-protected list and uv_async.
 * After wr_sim_delay_stop() (which resumes everything still waiting)
 * wr_sim_delay_add() refuses, and the caller resumes at once. */
#ifndef WR_SIM_DELAY_H
#define WR_SIM_DELAY_H

#include <stdint.h>

struct MHD_Connection;
struct wr_sim_delay;

int wr_sim_delay_start(struct wr_sim_delay **out);
/* Resume conn (already suspended) after ms.  0, or WR_ESTATE when
 * stopping, WR_ENOMEM. */
int wr_sim_delay_add(struct wr_sim_delay *d, struct MHD_Connection *conn,
                     int64_t ms);
/* Resume every waiting connection now and end the thread; later adds
 * get WR_ESTATE. */
void wr_sim_delay_stop(struct wr_sim_delay *d);
/* Free it (after the HTTP daemon is stopped: no add can come any more). */
void wr_sim_delay_destroy(struct wr_sim_delay **pp);

#endif
