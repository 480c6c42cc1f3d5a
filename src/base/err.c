#include "err.h"

#include <stdarg.h>
#include <stdio.h>

int wr_err_set(struct wr_err *err, int code, const char *fmt, ...)
{
  va_list ap;

  if (err == NULL)
    return code;
  err->code = code;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
  va_end(ap);
  return code;
}

const char *wr_strerror(int code)
{
  switch (code) {
  case WR_OK: return "success";
  case WR_ENOMEM: return "out of memory";
  case WR_EINVAL: return "invalid argument";
  case WR_EIO: return "input/output error";
  case WR_EUSAGE: return "usage error";
  case WR_EINPUT: return "invalid input";
  case WR_ECREDS: return "credentials error";
  case WR_ETOOBIG: return "limit exceeded";
  case WR_ESTATE: return "invalid state";
  case WR_EINTR: return "interrupted";
  case WR_EPROTO: return "protocol error";
  default: return "unknown error";
  }
}
