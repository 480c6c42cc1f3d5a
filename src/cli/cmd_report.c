/* resume and report: reading a finished or interrupted report back.
 *
 * `report` loads the report (report_read), computes the audit and writes
 * it to stdout or, with -o FILE, to a temporary file beside FILE that is
 * renamed over it only once complete, so a reader of FILE never sees
 * half an audit. */
#define _POSIX_C_SOURCE 200809L
#include "audit.h"
#include "html.h"
#include "cmd.h"
#include "journal.h"
#include "log.h"
#include "report_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writing the audit over its own report would destroy the evidence. */
static bool same_file(const char *a, const char *b)
{
  struct stat sa, sb;

  return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

/* The audit's mode: the report's own (the audit holds the same desktops
 * and server messages), else what a new file would get. */
static mode_t audit_mode(const char *report)
{
  struct stat st;
  mode_t mask;

  if (stat(report, &st) == 0 && S_ISREG(st.st_mode))
    return st.st_mode & 0666;
  mask = umask(0);
  umask(mask);
  return 0666 & ~mask;
}

/* Open "<path>.XXXXXX" beside path, with the given mode.  *tmp (the name,
 * to free) is set whenever the file was created, else NULL. */
static FILE *open_temp(const char *path, mode_t mode, char **tmp,
                       struct wr_err *err)
{
  size_t n = strlen(path) + sizeof(".XXXXXX");
  char *name = malloc(n);
  FILE *f = NULL;
  int fd = -1;

  *tmp = NULL;
  if (name == NULL) {
    wr_err_set(err, WR_ENOMEM, "out of memory");
    goto out;
  }
  snprintf(name, n, "%s.XXXXXX", path);
  fd = mkstemp(name);
  if (fd < 0) {
    wr_err_set(err, WR_EIO, "%s: cannot create a file beside it: %s", path,
               strerror(errno));
    goto out;
  }
  *tmp = name;
  name = NULL;
  if (fchmod(fd, mode) != 0) {
    wr_err_set(err, WR_EIO, "%s: cannot set its mode: %s", *tmp,
               strerror(errno));
    goto out;
  }
  f = fdopen(fd, "w");
  if (f == NULL) {
    wr_err_set(err, WR_EIO, "%s: %s", *tmp, strerror(errno));
    goto out;
  }
  fd = -1;
out:
  if (fd >= 0)
    close(fd);
  free(name);
  return f;
}

/* Flush, sync and close the temporary file, then rename it over path. */
static int commit(FILE **fp, const char *tmp, const char *path,
                  struct wr_err *err)
{
  FILE *f = *fp;
  int rc = 0;

  *fp = NULL;
  /* The journal's fsync policy (journal.h), for this file too. */
  if (fflush(f) != 0)
    rc = wr_err_set(err, WR_EIO, "%s: %s", path, strerror(errno));
  else
    rc = wr_journal_sync(fileno(f), path, err);
  if (fclose(f) != 0 && rc == 0)
    rc = wr_err_set(err, WR_EIO, "%s: %s", path, strerror(errno));
  if (rc == 0 && rename(tmp, path) != 0)
    rc = wr_err_set(err, WR_EIO, "%s: cannot rename %s over it: %s", path,
                    tmp, strerror(errno));
  return rc;
}

int wr_cmd_report(const struct wr_config *cfg)
{
  const char *path = cfg->inputs[0];
  const char *dest = cfg->output != NULL && strcmp(cfg->output, "-") != 0
                         ? cfg->output : NULL;
  struct wr_err err = {0};
  struct wr_rread *rr = NULL;
  struct wr_audit a;
  enum wr_audit_format f;
  FILE *out = NULL;
  char *tmp = NULL;
  int code = WR_EXIT_USAGE;

  memset(&a, 0, sizeof(a));
  if (wr_audit_format_parse(cfg->report_format, &f) < 0) {
    wr_errorf("report: --format \"%s\": expected text, markdown, csv, json "
              "or html", cfg->report_format);
    goto out;
  }
  if (dest != NULL && same_file(dest, path)) {
    wr_errorf("report: -o %s is the report itself; choose another file",
              dest);
    goto out;
  }
  if (wr_rread_load(path, &rr, &err) < 0 ||
      wr_audit_build(rr, &a, &err) < 0) {
    wr_errorf("%s", err.msg);
    goto out;
  }
  if (rr->torn_line > 0)
    wr_notef("%s:%ld: the last line is torn (a crash while it was written); "
             "ignored", rr->path, rr->torn_line);
  if (rr->nunknown > 0)
    wr_infof("%s: %zu records of unknown type (first: \"%.40s\") skipped",
             rr->path, rr->nunknown, rr->first_unknown);
  out = dest != NULL ? open_temp(dest, audit_mode(path), &tmp, &err) : stdout;
  if (out == NULL || wr_html_audit_write(&a, f, out, &err) < 0 ||
      (dest != NULL && commit(&out, tmp, dest, &err) < 0)) {
    wr_errorf("report: %s", err.msg);
    goto out;
  }
  code = WR_EXIT_OK;
out:
  if (out != NULL && out != stdout)
    fclose(out);
  if (tmp != NULL && code != WR_EXIT_OK)
    unlink(tmp);
  free(tmp);
  wr_audit_free(&a);
  wr_rread_destroy(&rr);
  return code;
}
