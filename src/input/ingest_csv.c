/* ingest_csv: RFC 4180 CSV through libcsv's push parser.
 *
 * libcsv does not count lines, so we count them from what it reports:
 * with CSV_REPALL_NL it calls the row callback for every unquoted line
 * end (blank lines included, as rows without fields), and newlines inside
 * quoted fields are in the field text.  A record starts on the line after
 * the previous row end.  Blocks are fed in pieces of at most 64 KiB and
 * the field buffer is checked after each, so a runaway field (a 10 MB
 * line, a quote that never closes) is an error long before memory grows.
 * libcsv runs lenient (stray quotes are data); only an unterminated quote
 * at the end is an error, checked by turning on CSV_STRICT_FINI for
 * csv_fini.  A bare CR (old Mac) ends a row but not a line. */
#include "ingest_int.h"

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PIECE_MAX (64 * 1024)

struct cell {
  char data[WR_INGEST_CELL_MAX];
  size_t len;
  bool truncated;
  bool seen;
};

struct wr_csv {
  struct wr_ingest_ctx ctx;
  struct csv_parser p;
  bool parser_ready;
  long line;          /* lines ended so far + 1 (see the top comment) */
  long row_line;      /* where the current record started */
  long nrows;         /* records completed, header included */
  size_t field;       /* index of the field being ended */
  bool nonempty;      /* the row has a non-blank cell */
  /* columns */
  long want_num;      /* --column N, 0-based; -1: not a number */
  const char *want_name; /* --column NAME; NULL: not a name */
  long id_col;        /* 0-based */
  long region_col;    /* -1: none */
  long hdr_id_col, hdr_region_col, hdr_name_col; /* from row 1 */
  struct cell id, region;
  struct cell first;  /* cell 1, to show a row too short for the ID */
  int rc;             /* first error raised inside a callback */
  /* --keep-columns */
  size_t nkeep;
  long *keep_col;     /* column of each, -1: not in the header */
  struct cell *keep;
  const char **kept;  /* the row's cells, for wr_ingest_row */
  size_t *kept_len;
  char hdr[512];      /* the header's names, for a message */
  size_t hdr_len;
  bool hdr_cut;       /* hdr ends in "...": more names than fit */
};

static bool is_id_name(const char *s, size_t n)
{
  return (n == 9 && strncasecmp(s, "desktopid", n) == 0) ||
         (n == 10 && strncasecmp(s, "desktop_id", n) == 0);
}

static bool is_region_name(const char *s, size_t n)
{
  return (n == 8 && strncasecmp(s, "regionid", n) == 0) ||
         (n == 9 && strncasecmp(s, "region_id", n) == 0) ||
         (n == 6 && strncasecmp(s, "region", n) == 0);
}

static void cell_set(struct cell *c, const char *s, size_t n)
{
  c->truncated = n > sizeof(c->data);
  c->len = c->truncated ? sizeof(c->data) : n;
  memcpy(c->data, s, c->len);
  c->seen = true;
}

static void on_field(void *field, size_t len, void *data)
{
  struct wr_csv *c = data;
  const char *s = field != NULL ? field : "", *nl;
  long idx = (long)c->field++;

  if (c->rc < 0)
    return;
  for (nl = memchr(s, '\n', len); nl != NULL;
       nl = memchr(nl + 1, '\n', len - (size_t)(nl + 1 - s)))
    c->line++; /* a quoted newline */
  wr_ingest_trim(&s, &len);
  if (len > 0)
    c->nonempty = true;
  if (c->nrows == 0) {
    size_t k;

    for (k = 0; k < c->nkeep; k++)
      if (c->keep_col[k] < 0 && strlen(c->ctx.opts->keep[k]) == len &&
          strncasecmp(s, c->ctx.opts->keep[k], len) == 0)
        c->keep_col[k] = idx;
    if (!c->hdr_cut && c->hdr_len + len + 8 < sizeof(c->hdr))
      c->hdr_len += (size_t)snprintf(c->hdr + c->hdr_len,
                                     sizeof(c->hdr) - c->hdr_len, "%s%.*s",
                                     idx > 0 ? ", " : "", (int)len, s);
    else if (!c->hdr_cut && c->hdr_len + 6 < sizeof(c->hdr)) {
      memcpy(c->hdr + c->hdr_len, ", ...", 6);
      c->hdr_len += 5;
      c->hdr_cut = true;
    }
    if (c->want_name != NULL && c->hdr_name_col < 0 &&
        strlen(c->want_name) == len && strncasecmp(s, c->want_name, len) == 0)
      c->hdr_name_col = idx;
    if (c->hdr_id_col < 0 && is_id_name(s, len))
      c->hdr_id_col = idx;
    if (c->hdr_region_col < 0 && is_region_name(s, len))
      c->hdr_region_col = idx;
  }
  if (idx == 0 && c->id_col != 0)
    cell_set(&c->first, s, len);
  if (idx == c->id_col)
    cell_set(&c->id, s, len);
  if (idx == c->region_col)
    cell_set(&c->region, s, len);
  if (c->nkeep > 0) {
    size_t k;

    for (k = 0; k < c->nkeep; k++)
      if (idx == c->keep_col[k])
        cell_set(&c->keep[k], s, len);
  }
}

static int emit(struct wr_csv *c)
{
  struct wr_ingest_row row;

  memset(&row, 0, sizeof(row));
  row.line = c->row_line;
  if (!c->id.seen) {
    row.id = c->first.seen ? c->first.data : "";
    row.id_len = c->first.seen ? c->first.len : 0;
    row.reason = "the row has no desktop ID column";
  } else {
    row.id = c->id.data;
    row.id_len = c->id.len;
    row.id_truncated = c->id.truncated;
  }
  if (c->region.seen && c->region.len > 0) {
    row.region = c->region.data;
    row.region_len = c->region.len;
    row.region_truncated = c->region.truncated;
  }
  if (c->nkeep > 0) {
    size_t k;

    for (k = 0; k < c->nkeep; k++) {
      bool has = c->keep[k].seen && c->keep[k].len > 0;

      c->kept[k] = has ? c->keep[k].data : NULL;
      c->kept_len[k] = has ? c->keep[k].len : 0;
    }
    row.kept = c->kept;
    row.kept_len = c->kept_len;
  }
  return c->ctx.cb(c->ctx.ud, &row, c->ctx.err);
}

/* --keep-columns: every name in the header. */
static int check_keep(struct wr_csv *c, bool header)
{
  size_t k;

  if (c->nkeep > 0 && !header)
    return wr_err_set(c->ctx.err, WR_EINPUT,
                      "%s:%ld: --keep-columns needs a header row naming "
                      "the columns; the first row is data (%s)",
                      c->ctx.name, c->row_line, c->hdr);
  for (k = 0; k < c->nkeep; k++)
    if (c->keep_col[k] < 0)
      return wr_err_set(c->ctx.err, WR_EINPUT,
                        "%s:%ld: --keep-columns: no column \"%s\"; the "
                        "header names: %s", c->ctx.name, c->row_line,
                        c->ctx.opts->keep[k], c->hdr);
  return header;
}

/* The first row: a header when a cell names the ID (or region) column, or
 * the --column NAME.  Returns 1 for a header, 0 for data, <0 on error. */
static int first_row(struct wr_csv *c)
{
  if (c->want_name != NULL) {
    if (c->hdr_name_col < 0)
      return wr_err_set(c->ctx.err, WR_EINPUT,
                        "%s:%ld: no column named \"%s\" in the header row",
                        c->ctx.name, c->row_line, c->want_name);
    c->id_col = c->hdr_name_col;
  } else if (c->hdr_id_col < 0 && c->hdr_region_col < 0) {
    return check_keep(c, false);
  } else if (c->want_num >= 0) {
    c->id_col = c->want_num;
  } else if (c->hdr_id_col >= 0) {
    c->id_col = c->hdr_id_col;
  } else {
    return wr_err_set(c->ctx.err, WR_EINPUT,
                      "%s:%ld: the header row names no DesktopId column "
                      "(use --column NAME|N)", c->ctx.name, c->row_line);
  }
  c->region_col = c->hdr_region_col;
  if (c->region_col == c->id_col)
    c->region_col = -1;
  return check_keep(c, true);
}

static void on_row(int term, void *data)
{
  struct wr_csv *c = data;
  int rc = 0;

  /* A row of blank cells is not a record (spreadsheets append ",,,"). */
  if (c->rc < 0 || !c->nonempty)
    goto reset;
  if (c->nrows == 0) {
    rc = first_row(c);
    if (rc == 0)
      rc = emit(c);
  } else {
    rc = emit(c);
  }
  if (rc < 0)
    c->rc = rc;
  c->nrows++;
reset:
  c->field = 0;
  c->nonempty = false;
  c->id.seen = false;
  c->region.seen = false;
  c->first.seen = false;
  for (size_t k = 0; k < c->nkeep; k++)
    c->keep[k].seen = false;
  if (term == '\n')
    c->line++;
  c->row_line = c->line;
}

int wr_csv_create(const struct wr_ingest_ctx *ctx, struct wr_csv **out)
{
  struct wr_csv *c = calloc(1, sizeof(*c));
  const char *col = ctx->opts->column;
  char *end;
  long n;

  *out = NULL;
  if (c == NULL)
    return WR_ENOMEM;
  c->ctx = *ctx;
  c->nkeep = ctx->opts->keep != NULL ? ctx->opts->nkeep : 0;
  if (c->nkeep > 0) {
    c->keep_col = malloc(c->nkeep * sizeof(*c->keep_col));
    c->keep = calloc(c->nkeep, sizeof(*c->keep));
    c->kept = calloc(c->nkeep, sizeof(*c->kept));
    c->kept_len = calloc(c->nkeep, sizeof(*c->kept_len));
    if (c->keep_col == NULL || c->keep == NULL || c->kept == NULL ||
        c->kept_len == NULL) {
      wr_csv_destroy(&c);
      return WR_ENOMEM;
    }
    for (size_t k = 0; k < c->nkeep; k++)
      c->keep_col[k] = -1;
  }
  if (csv_init(&c->p, CSV_REPALL_NL) != 0) {
    wr_csv_destroy(&c);
    return WR_ENOMEM;
  }
  c->parser_ready = true;
  /* libcsv grows its field buffer by this much at a time. */
  csv_set_blk_size(&c->p, 4096);
  c->line = 1;
  c->row_line = 1;
  c->want_num = -1;
  c->id_col = 0;
  c->region_col = -1;
  c->hdr_id_col = c->hdr_region_col = c->hdr_name_col = -1;
  if (col != NULL) {
    n = strtol(col, &end, 10);
    if (*col >= '0' && *col <= '9' && *end == '\0' && n >= 1)
      c->want_num = n - 1;
    else
      c->want_name = col;
  }
  if (c->want_num >= 0)
    c->id_col = c->want_num;
  else if (c->want_name != NULL)
    c->id_col = -1; /* known once the header is read */
  *out = c;
  return 0;
}

int wr_csv_feed(struct wr_csv *c, const char *data, size_t len)
{
  const char *nul, *p;
  long line;
  size_t n;

  nul = memchr(data, '\0', len);
  if (nul != NULL) {
    line = c->line;
    for (p = memchr(data, '\n', (size_t)(nul - data)); p != NULL;
         p = memchr(p + 1, '\n', (size_t)(nul - p - 1)))
      line++;
    return wr_err_set(c->ctx.err, WR_EINPUT,
                      "%s:%ld: NUL byte: binary data, not UTF-8 text "
                      "(a UTF-16 export?)", c->ctx.name, line);
  }
  while (len > 0) {
    n = len < PIECE_MAX ? len : PIECE_MAX;
    if (csv_parse(&c->p, data, n, on_field, on_row, c) != n)
      return wr_err_set(c->ctx.err, WR_ENOMEM, "%s:%ld: %s", c->ctx.name,
                        c->line, csv_strerror(csv_error(&c->p)));
    if (c->rc < 0)
      return c->rc;
    if (csv_get_buffer_size(&c->p) > WR_INGEST_FIELD_MAX)
      return wr_err_set(c->ctx.err, WR_EINPUT,
                        "%s:%ld: a field longer than %d bytes (an "
                        "unterminated quote?)", c->ctx.name, c->row_line,
                        WR_INGEST_FIELD_MAX);
    data += n;
    len -= n;
  }
  return 0;
}

int wr_csv_finish(struct wr_csv *c)
{
  csv_set_opts(&c->p, (unsigned char)(csv_get_opts(&c->p) | CSV_STRICT |
                                      CSV_STRICT_FINI));
  if (csv_fini(&c->p, on_field, on_row, c) != 0)
    return wr_err_set(c->ctx.err, WR_EINPUT,
                      "%s:%ld: unterminated quoted field at the end of "
                      "the input", c->ctx.name, c->row_line);
  return c->rc;
}

void wr_csv_destroy(struct wr_csv **pp)
{
  struct wr_csv *c = *pp;

  if (c == NULL)
    return;
  if (c->parser_ready)
    csv_free(&c->p);
  free(c->keep_col);
  free(c->keep);
  free(c->kept);
  free(c->kept_len);
  free(c);
  *pp = NULL;
}
