/* ecd-sim: a faithful local ECD endpoint (README.md, "ecd-sim").
 *
 * main() wires the modules: options, fleet, state, the HTTP daemon; then
 * it waits for SIGTERM/SIGINT with sigwait (the signals are blocked in
 * every thread), stops cleanly and writes --stats. */
#include "buf.h"
#include "clock.h"
#include "err.h"
#include "sim_core.h"
#include "sim_fleet.h"
#include "sim_http.h"
#include "sim_opts.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Write text to path atomically (temp + rename). */
static int write_atomic(const char *path, const char *text,
                        struct wr_err *err)
{
  struct wr_buf tmp;
  FILE *fp;
  bool bad;
  int rc = 0;

  wr_buf_init(&tmp, 4096);
  if (wr_buf_addf(&tmp, "%s.tmp", path) < 0)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  fp = fopen(tmp.data, "w");
  if (fp == NULL) {
    rc = wr_err_set(err, WR_EIO, "%s: %s", tmp.data, strerror(errno));
    goto out;
  }
  /* fclose runs even when fputs failed: no && here. */
  bad = fputs(text, fp) == EOF;
  bad = (fclose(fp) != 0) || bad;
  if (bad) {
    rc = wr_err_set(err, WR_EIO, "%s: write error", tmp.data);
    remove(tmp.data);
    goto out;
  }
  if (rename(tmp.data, path) != 0)
    rc = wr_err_set(err, WR_EIO, "%s: %s", path, strerror(errno));
out:
  wr_buf_free(&tmp);
  return rc;
}

static int load_fleet(struct wr_sim *sim, const struct wr_sim_opts *o,
                      struct wr_err *err)
{
  int rc;

  wr_sim_fleet_init(&sim->fleet, o->reboot_ms);
  if (o->fleet != NULL)
    rc = wr_sim_fleet_load_file(&sim->fleet, o->fleet, o->regions[0], err);
  else
    rc = wr_sim_fleet_generate(&sim->fleet, o->desktops, o->regions,
                               o->nregions, o->seed, err);
  if (rc == 0 && o->fail_desktops != NULL)
    rc = wr_sim_fleet_load_failures(&sim->fleet, o->fail_desktops,
                                    o->regions[0], err);
  if (rc == 0)
    wr_sim_fleet_draw_states(&sim->fleet, o->stopped_rate, o->connected_rate,
                             o->seed);
  if (rc == 0 && wr_sim_fleet_finish(&sim->fleet) < 0)
    rc = wr_err_set(err, WR_ENOMEM, "out of memory");
  if (rc == 0 && o->write_fleet != NULL)
    rc = wr_sim_fleet_write_csv(&sim->fleet, o->write_fleet, err);
  return rc;
}

int main(int argc, char **argv)
{
  struct wr_sim_opts opts;
  struct wr_err err = {0};
  struct wr_sim sim;
  struct wr_sim_http *http = NULL;
  FILE *log = NULL;
  sigset_t set;
  char portbuf[16], *stats = NULL;
  int rc, sig, port = 0, code = 2, sim_ready = 0;

  memset(&sim, 0, sizeof(sim));
  rc = wr_sim_opts_parse(&opts, argc, argv, &err);
  if (rc != 0) {
    code = rc == 1 ? 0 : 2;
    if (rc < 0)
      fprintf(stderr, "ecd-sim: error: %s\n", err.msg);
    goto out;
  }
  /* Block the signals before any thread starts: every thread inherits
   * the mask, and main() alone takes them with sigwait. */
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  if (load_fleet(&sim, &opts, &err) < 0) {
    fprintf(stderr, "ecd-sim: error: %s\n", err.msg);
    goto out;
  }
  if (opts.log != NULL) {
    log = fopen(opts.log, "w");
    if (log == NULL) {
      fprintf(stderr, "ecd-sim: error: %s: %s\n", opts.log, strerror(errno));
      goto out;
    }
  }
  if (wr_sim_init(&sim, &opts, log, wr_clock_now_ms()) < 0) {
    fprintf(stderr, "ecd-sim: error: out of memory\n");
    goto out;
  }
  sim_ready = 1;
  if (wr_sim_http_start(&sim, opts.port, opts.threads, &http, &port,
                        &err) < 0) {
    fprintf(stderr, "ecd-sim: error: %s\n", err.msg);
    goto out;
  }
  printf("%d\n", port);
  fflush(stdout);
  snprintf(portbuf, sizeof(portbuf), "%d\n", port);
  if (opts.port_file != NULL &&
      write_atomic(opts.port_file, portbuf, &err) < 0) {
    fprintf(stderr, "ecd-sim: error: %s\n", err.msg);
    goto out;
  }
  fprintf(stderr, "ecd-sim: listening on 127.0.0.1:%d with %zu desktops "
          "in %zu regions\n", port, sim.fleet.n, sim.fleet.nregions);
  do {
    rc = sigwait(&set, &sig);
  } while (rc != 0);
  wr_sim_http_stop(&http);
  code = 0;
  if (opts.stats != NULL) {
    stats = wr_sim_stats(&sim);
    if (stats == NULL || write_atomic(opts.stats, stats, &err) < 0) {
      fprintf(stderr, "ecd-sim: error: %s\n",
              stats ? err.msg : "out of memory");
      code = 1;
    }
  }
out:
  wr_sim_http_stop(&http);
  free(stats);
  if (sim_ready)
    wr_sim_free(&sim);
  else
    wr_sim_fleet_free(&sim.fleet);
  if (log != NULL && fclose(log) != 0 && code == 0) {
    fprintf(stderr, "ecd-sim: error: %s: write error\n", opts.log);
    code = 1;
  }
  wr_sim_opts_free(&opts);
  return code;
}
