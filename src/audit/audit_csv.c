/* audit_csv: one row per desktop (CONTRACT.md), in plan order with split
 * parts in place of their parent; split parents are not rows, and
 * rejected input rows are not desktops.  A desktop without a final
 * record is "pending" with empty request and time.
 *
 * The first eight columns are the original contract, in their order; the
 * columns after them were added for spreadsheets (issue 12), so a script
 * that reads columns by position keeps working: wave, attempts, every
 * attempt's RequestId (joined with ';'), ambiguous attempts, confirmed
 * (the final status is an answer of the service), started_at, and the
 * desktop's verification (Running, not Running, not verified) and when.
 * Then the input's own columns the run kept (--keep-columns), one per
 * name, in its order, from the report's columns records. */
#include "audit.h"

#include <stdlib.h>
#include <string.h>

static const char header[] = "desktop_id,region,chunk,status,request_id,"
                             "error_code,error_message,finished_at,"
                             "wave,attempts,attempt_request_ids,"
                             "ambiguous_attempts,confirmed,started_at,"
                             "verify_status,verified_at";

struct csv_ctx {
  FILE *out;
  const struct wr_audit *a;
};

/* Every attempt's RequestId in one field, joined with ';'. */
static void attempts(FILE *out, const struct wr_rread_chunk *c)
{
  size_t i, n = 1;
  char *s, *p;

  for (i = 0; i < c->nattempt_request_ids; i++)
    n += strlen(c->attempt_request_ids[i] ? c->attempt_request_ids[i] : "") +
         1;
  if (c->nattempt_request_ids == 0 || (s = malloc(n)) == NULL)
    return;
  for (i = 0, p = s; i < c->nattempt_request_ids; i++) {
    const char *r = c->attempt_request_ids[i] ? c->attempt_request_ids[i] : "";
    size_t len = strlen(r);

    if (i > 0)
      *p++ = ';';
    memcpy(p, r, len);
    p += len;
  }
  *p = '\0';
  wr_audit_csv_field(out, s);
  free(s);
}

/* The kept input columns: text from a spreadsheet's user, escaped and
 * kept from turning into a formula like every other field. */
static void kept(FILE *out, const struct wr_rread *rr, const char *id)
{
  const char *const *v = wr_rread_kept(rr, id);
  size_t k;

  for (k = 0; k < rr->nkept; k++) {
    putc(',', out);
    wr_audit_csv_field(out, v != NULL ? v[k] : NULL);
  }
}

static int row(const struct wr_rread_chunk *c, void *ud)
{
  struct csv_ctx *x = ud;
  FILE *out = x->out;
  bool confirmed = c->status == WR_RREAD_OK ||
                   (c->status == WR_RREAD_FAILED && c->http_status > 0);
  const char *at;
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
    fprintf(out, ",%d,%d,", c->wave, c->attempts);
    attempts(out, c);
    fprintf(out, ",%d,%s,", c->ambiguous_attempts,
            c->status == WR_RREAD_PENDING || c->status == WR_RREAD_SKIPPED
                ? ""
                : confirmed ? "yes" : "no");
    wr_audit_csv_field(out, c->started_at);
    /* The newest leaf's state: a retried desktop's chunk is its retry. */
    fprintf(out, ",%s,",
            c->status == WR_RREAD_OK
                ? wr_audit_vstatus_name(wr_audit_verify_of(x->a, c->ids[i],
                                                           &at))
                : "");
    wr_audit_csv_field(out, c->status == WR_RREAD_OK ? at : NULL);
    kept(out, x->a->rr, c->ids[i]);
    putc('\n', out);
  }
  return ferror(out) ? WR_EIO : 0;
}

void wr_audit_csv(const struct wr_audit *a, FILE *out)
{
  struct csv_ctx x = {out, a};
  size_t k;

  fputs(header, out);
  for (k = 0; k < a->rr->nkept; k++) {
    putc(',', out);
    wr_audit_csv_field(out, a->rr->kept_names[k]);
  }
  putc('\n', out);
  wr_audit_each_leaf(a->rr, row, &x);
}
