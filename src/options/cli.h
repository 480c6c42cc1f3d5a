/* cli: the help texts of wuying-reboot and its commands (config.c parses;
 * this file only explains).  Kept apart so the parser stays short. */
#ifndef WR_CLI_H
#define WR_CLI_H

#include "config.h"

#include <stdio.h>

/* WR_CMD_NONE: the top-level help. */
void wr_cli_help(enum wr_command cmd, FILE *out);
/* "plan", "run", ... ("" for WR_CMD_NONE). */
const char *wr_cli_command_name(enum wr_command cmd);

#endif
