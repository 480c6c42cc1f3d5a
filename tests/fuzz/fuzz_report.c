/* fuzz_report: libFuzzer target for the report reader and the audit.
 *
 * The input is a report file.  When it loads, every format is rendered
 * (to /dev/null) and the audit's invariant is checked: each planned
 * desktop is in exactly one leaf, so ok + failed + skipped + pending is
 * the number of desktops in the plan records; fuzz_audit checks what
 * the renderers write. */
#include "audit.h"
#include "html.h"
#include "idset.h"
#include "report_read.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static FILE *sink;
  struct wr_err err = {0};
  struct wr_rread *rr = NULL;
  struct wr_audit a;
  FILE *f;
  int fmt;

  if (sink == NULL && (sink = fopen("/dev/null", "w")) == NULL)
    abort();
  if (size == 0)
    return 0;
  f = fmemopen((void *)data, size, "rb");
  if (f == NULL)
    return 0;
  if (wr_rread_load_stream(f, "fuzz.jsonl", &rr, &err) == 0) {
    if (wr_audit_build(rr, &a, &err) == 0) {
      if (a.ok + a.failed + a.skipped + a.pending !=
          wr_idset_count(rr->desktops))
        abort();
      if (rr->valid_up_to > size || (rr->torn_line > 0 &&
                                     rr->torn_line > rr->lines))
        abort();
      for (fmt = WR_AUDIT_TEXT; fmt <= WR_AUDIT_HTML; fmt++)
        wr_html_audit_write(&a, (enum wr_audit_format)fmt, sink, &err);
    }
    wr_audit_free(&a);
    wr_rread_destroy(&rr);
  } else if (err.msg[0] == '\0') {
    abort(); /* every failure says why */
  }
  fclose(f);
  return 0;
}
