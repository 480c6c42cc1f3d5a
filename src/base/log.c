#include "log.h"

#include <stdarg.h>
#include <stdio.h>

static int current_level = WR_LOG_NOTE;
static void (*clear_hook)(void);

void wr_log_set_level(int level)
{
  current_level = level;
}

int wr_log_level(void)
{
  return current_level;
}

void wr_log_set_clear_hook(void (*hook)(void))
{
  clear_hook = hook;
}

void wr_log(int level, const char *fmt, ...)
{
  static const char *const prefix[] = {"error: ", "warning: ", "", "", "debug: ",
                                       "trace: "};
  va_list ap;

  if (level > current_level)
    return;
  if (clear_hook != NULL)
    clear_hook();
  fputs("wuying-reboot: ", stderr);
  if (level >= 0 && level <= WR_LOG_TRACE)
    fputs(prefix[level], stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}
