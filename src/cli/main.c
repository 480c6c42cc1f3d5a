/* wuying-reboot: reboot WUYING Workspace (ECD) cloud desktops in bulk. */
#include "cmd.h"
#include "config_load.h"
#include "err.h"
#include "ca.h"
#include "harden.h"
#include "log.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>

int main(int argc, char **argv)
{
  struct wr_config cfg;
  struct wr_err err = {0};
  int rc, code = WR_EXIT_USAGE;

  /* Before any secret is read (argv, job file, environment, profile): no
   * core file, and no /proc/PID/environ or ptrace for other processes. */
  if (wr_harden_process() < 0)
    fprintf(stderr, "wuying-reboot: warning: cannot disable core dumps; a "
                    "crash could write secrets to a core file\n");
  /* A peer closing a socket must give EPIPE, not kill a run mid-report. */
  signal(SIGPIPE, SIG_IGN);
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    fprintf(stderr, "wuying-reboot: error: cannot initialise libcurl\n");
    return WR_EXIT_USAGE;
  }
  rc = wr_config_load(&cfg, argc, argv, &err);
  if (rc < 0) {
    wr_errorf("%s", err.msg);
    goto out;
  }
  if (wr_ca_set_bundle(cfg.ca_bundle, &err) < 0) {
    wr_errorf("%s", err.msg);
    goto out;
  }
  switch (cfg.command) {
  case WR_CMD_NONE: code = WR_EXIT_OK; break;
  case WR_CMD_PLAN: code = wr_cmd_plan(&cfg); break;
  case WR_CMD_RUN: code = wr_cmd_run(&cfg); break;
  case WR_CMD_RESUME: code = wr_cmd_resume(&cfg); break;
  case WR_CMD_REPORT: code = wr_cmd_report(&cfg); break;
  case WR_CMD_LIST: code = wr_cmd_list(&cfg); break;
  }
out:
  wr_config_free(&cfg);
  curl_global_cleanup();
  return code;
}
