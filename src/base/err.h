/* err: the one error model of wuying-reboot.
 *
 * Functions return 0 on success and a negative WR_E* code on failure; a
 * positive value only where the header says it is a count.  Human detail
 * goes into a caller-owned struct wr_err (NULL is allowed: detail dropped).
 * Foreign codes (CURLcode, UV_E*, OpenSSL) are translated at the module
 * edge and never leak out. */
#ifndef WR_ERR_H
#define WR_ERR_H

#define WR_OK 0
#define WR_ENOMEM (-1)      /* allocation failed */
#define WR_EINVAL (-2)      /* bad argument or value */
#define WR_EIO (-3)         /* read or write failed */
#define WR_EUSAGE (-4)      /* bad command line or job file */
#define WR_EINPUT (-5)      /* bad input data */
#define WR_ECREDS (-6)      /* missing or bad credentials */
#define WR_ETOOBIG (-7)     /* a bound was hit */
#define WR_ESTATE (-8)      /* call not allowed in this state */
#define WR_EINTR (-9)       /* interrupted */
#define WR_EPROTO (-10)     /* peer spoke something unexpected */

/* Process exit codes (CONTRACT.md). */
enum wr_exit {
  WR_EXIT_OK = 0,      /* every desktop succeeded */
  WR_EXIT_FAILED = 1,  /* some desktops failed */
  WR_EXIT_USAGE = 2,   /* bad usage, input or credentials: nothing sent */
  WR_EXIT_STOPPED = 3  /* stopped early: the report can be resumed */
};

#define WR_ERR_LEN 512

struct wr_err {
  int code;             /* the WR_E* code last set, 0 if none */
  char msg[WR_ERR_LEN]; /* "file:line: reason" style message */
};

/* Fill err (when not NULL) and return code, so callers can
 * `return wr_err_set(err, WR_EINPUT, "...")`. */
int wr_err_set(struct wr_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A short, static description of a WR_E* code. */
const char *wr_strerror(int code);

#endif
