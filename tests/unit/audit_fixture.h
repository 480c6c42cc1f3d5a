/* A report given as text, loaded and audited: the fixture of the audit
 * and HTML unit tests.  Header-only (each test is one program). */
#ifndef WR_TEST_AUDIT_FIXTURE_H
#define WR_TEST_AUDIT_FIXTURE_H

#include "audit.h"
#include "report_read.h"

#include <stdio.h>
#include <string.h>

struct fixture {
  struct wr_rread *rr;
  struct wr_audit a;
};

/* Load text as a report and audit it into fx; -1 (the reason on stderr)
 * when either refuses it. */
static inline int load(const char *text, struct fixture *fx)
{
  struct wr_err err = {0};
  FILE *f = fmemopen((void *)text, strlen(text), "r");
  int rc;

  if (f == NULL)
    return -1;
  rc = wr_rread_load_stream(f, "r.jsonl", &fx->rr, &err);
  fclose(f);
  if (rc < 0 || wr_audit_build(fx->rr, &fx->a, &err) < 0) {
    fprintf(stderr, "%s\n", err.msg);
    return -1;
  }
  return 0;
}

static inline void unload(struct fixture *fx)
{
  wr_audit_free(&fx->a);
  wr_rread_destroy(&fx->rr);
}

#endif
