/* audit_csv: one row per desktop (CONTRACT.md), in plan order with split
 * parts in place of their parent; split parents are not rows, and
 * rejected input rows are not desktops.  A desktop without a final
 * record is "pending" with empty request and time. */
#include "audit.h"

static const char header[] = "desktop_id,region,chunk,status,request_id,"
                             "error_code,error_message,finished_at\n";

static int row(const struct wr_rread_chunk *c, void *ud)
{
  FILE *out = ud;
  size_t i;

  for (i = 0; i < c->nids; i++) {
    wr_audit_csv_field(out, c->ids[i]);
    putc(',', out);
    wr_audit_csv_field(out, c->region);
    putc(',', out);
    wr_audit_csv_field(out, c->id);
    putc(',', out);
    fputs(wr_rread_status_name(c->status), out);
    putc(',', out);
    wr_audit_csv_field(out, c->request_id);
    putc(',', out);
    wr_audit_csv_field(out, c->error_code);
    putc(',', out);
    /* An excluded desktop's reason in the message column. */
    wr_audit_csv_field(out, c->status == WR_RREAD_EXCLUDED ? c->reason
                                                           : c->error_message);
    putc(',', out);
    wr_audit_csv_field(out, c->finished_at);
    putc('\n', out);
  }
  return ferror(out) ? WR_EIO : 0;
}

void wr_audit_csv(const struct wr_audit *a, FILE *out)
{
  fputs(header, out);
  wr_audit_each_leaf(a->rr, row, out);
}
