#define _GNU_SOURCE
#include "harden.h"

#include "err.h"

#include <sys/resource.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

int wr_harden_process(void)
{
  struct rlimit none = {0, 0};
  int rc = 0;

  if (setrlimit(RLIMIT_CORE, &none) != 0)
    rc = WR_EIO;
#if defined(__linux__)
  /* Also covers a core_pattern pipe, which ignores RLIMIT_CORE. */
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    rc = WR_EIO;
#endif
  return rc;
}
