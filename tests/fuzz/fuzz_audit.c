/* fuzz_audit: libFuzzer target for the audit renderers, fed the texts a
 * server or an input file puts in a report.
 *
 * The input is up to seven texts separated by NUL bytes: error code,
 * error message, request ID, skip reason, endpoint, input file name and a
 * rejected value.  They go, JSON-escaped, into a small well-formed report
 * (run, rejected, plan, an ok, a failed and a skipped chunk, summary), so
 * every input reaches the renderers; fuzz_report covers the reader.  Each
 * format is rendered into memory and checked: JSON parses; the CSV
 * parses strictly, 16 cells a row, one row per desktop, no cell a formula
 * (= + - @ tab CR first) or holding a control byte other than a line
 * break; the text, Markdown and HTML audits hold no control byte but line
 * breaks (and tab in HTML), so no ESC or BEL from a server reaches a
 * terminal or viewer.  WR_FUZZ_VERBOSE=1 in the environment prints the
 * CSV audit, or why the report did not load. */
#include "audit.h"
#include "html.h"
#include "report_read.h"

#include <cjson/cJSON.h>
#include <csv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTEXT 7
#define DESKTOPS 5
#define CSV_CELLS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant does not hold: say which, and crash for libFuzzer. */
static void broken(const char *why)
{
  fprintf(stderr, "fuzz_audit: %s\n", why);
  abort();
}

/* @N@ is text N, as a JSON string. */
static const char *const template[] = {
  "{\"type\":\"run\",\"report_version\":1,\"run_id\":\"0f6c2a9e-5d41-4b7e-"
  "9a53-2c8e1d7b4f60\",\"started_at\":\"2026-11-29T20:31:00.000Z\","
  "\"tool_version\":\"0.1.0\",\"api\":\"admin\",\"action\":"
  "\"RebootDesktops\",\"endpoint\":@4@,\"rate\":10,\"concurrency\":16,"
  "\"chunk_size\":2,\"inputs\":[@5@],\"desktops\":5,\"chunks\":3,"
  "\"rejected\":1,\"duplicates\":0,\"waves\":1,\"regions\":[{\"region\":"
  "\"cn-hangzhou\",\"desktops\":5}],\"options\":{\"region\":\"cn-hangzhou\","
  "\"chunk-size\":2,\"api\":\"admin\",\"signature\":\"v3\",\"endpoint\":@4@,"
  "\"rate\":10,\"retries\":5,\"verify\":false}}",
  "{\"type\":\"rejected\",\"source\":@5@,\"line\":3,\"value\":@6@,"
  "\"reason\":\"not valid JSON\"}",
  "{\"type\":\"plan\",\"chunk\":\"1\",\"wave\":0,\"region\":\"cn-hangzhou\","
  "\"desktop_ids\":[\"ecd-aaaaaaaaaaaaaaaa1\",\"ecd-aaaaaaaaaaaaaaaa2\"],"
  "\"client_token\":null}",
  "{\"type\":\"plan\",\"chunk\":\"2\",\"wave\":0,\"region\":\"cn-hangzhou\","
  "\"desktop_ids\":[\"ecd-aaaaaaaaaaaaaaaa3\",\"ecd-aaaaaaaaaaaaaaaa4\"],"
  "\"client_token\":null}",
  "{\"type\":\"plan\",\"chunk\":\"3\",\"wave\":0,\"region\":\"cn-hangzhou\","
  "\"desktop_ids\":[\"ecd-aaaaaaaaaaaaaaaa5\"],\"client_token\":null}",
  "{\"type\":\"chunk\",\"chunk\":\"1\",\"region\":\"cn-hangzhou\","
  "\"desktop_ids\":[\"ecd-aaaaaaaaaaaaaaaa1\",\"ecd-aaaaaaaaaaaaaaaa2\"],"
  "\"client_token\":null,\"status\":\"ok\",\"request_id\":@2@,"
  "\"attempt_request_ids\":[@2@],\"http_status\":200,\"error_code\":null,"
  "\"error_message\":null,\"attempts\":1,\"ambiguous_attempts\":0,"
  "\"started_at\":\"2026-11-29T20:31:01.000Z\",\"finished_at\":"
  "\"2026-11-29T20:31:01.200Z\",\"latency_ms\":200}",
  "{\"type\":\"chunk\",\"chunk\":\"2\",\"region\":\"cn-hangzhou\","
  "\"desktop_ids\":[\"ecd-aaaaaaaaaaaaaaaa3\",\"ecd-aaaaaaaaaaaaaaaa4\"],"
  "\"client_token\":null,\"status\":\"failed\",\"request_id\":@2@,"
  "\"attempt_request_ids\":[@2@],\"http_status\":400,\"error_code\":@0@,"
  "\"error_message\":@1@,\"attempts\":1,\"ambiguous_attempts\":0,"
  "\"started_at\":\"2026-11-29T20:31:01.000Z\",\"finished_at\":"
  "\"2026-11-29T20:31:01.300Z\",\"latency_ms\":300}",
  "{\"type\":\"chunk\",\"chunk\":\"3\",\"region\":\"cn-hangzhou\","
  "\"desktop_ids\":[\"ecd-aaaaaaaaaaaaaaaa5\"],\"client_token\":null,"
  "\"status\":\"skipped\",\"request_id\":null,\"attempt_request_ids\":[],"
  "\"http_status\":null,\"error_code\":null,\"error_message\":@3@,"
  "\"attempts\":0,\"ambiguous_attempts\":0,\"started_at\":null,"
  "\"finished_at\":\"2026-11-29T20:31:02.000Z\",\"latency_ms\":null}",
  "{\"type\":\"summary\",\"finished_at\":\"2026-11-29T20:31:02.100Z\","
  "\"ok_chunks\":1,\"failed_chunks\":1,\"skipped_chunks\":1,"
  "\"ok_desktops\":2,\"failed_desktops\":2,\"skipped_desktops\":1,"
  "\"exit_code\":1,\"stop_reason\":\"deadline\"}",
};

/* The report, each @N@ replaced by text N as a JSON string. */
static char *make_report(char *const *json, size_t *len)
{
  char *out = NULL;
  const char *p;
  size_t i;
  FILE *f = open_memstream(&out, len);

  if (f == NULL)
    return NULL;
  for (i = 0; i < sizeof(template) / sizeof(template[0]); i++) {
    for (p = template[i]; *p != '\0'; p++) {
      if (p[0] == '@' && p[1] >= '0' && p[1] < '0' + NTEXT && p[2] == '@') {
        fputs(json[p[1] - '0'], f);
        p += 2;
      } else {
        putc(*p, f);
      }
    }
    putc('\n', f);
  }
  if (fclose(f) != 0) {
    free(out);
    return NULL;
  }
  return out;
}

/* No control byte but those allowed. */
static void check_controls(const char *s, size_t n, const char *allowed)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (((unsigned char)s[i] < 0x20 || s[i] == 0x7f) &&
        (s[i] == '\0' || strchr(allowed, s[i]) == NULL))
      broken("a control byte in the output");
}

struct csvs {
  size_t cells, rows;
};

static void on_cell(void *s, size_t len, void *ud)
{
  const char *c = s;
  struct csvs *st = ud;

  st->cells++;
  if (len > 0 && strchr("=+-@\t\r", c[0]) != NULL)
    broken("a CSV cell starting a formula");
  check_controls(c, len, "\r\n");
}

static void on_row(int end, void *ud)
{
  struct csvs *st = ud;

  (void)end;
  if (st->cells != CSV_CELLS)
    broken("a CSV row without 16 cells");
  st->cells = 0;
  st->rows++;
}

static void check_csv(const char *s, size_t n)
{
  struct csv_parser p;
  struct csvs st = {0, 0};

  if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0)
    broken("CSV init failed");
  if (csv_parse(&p, s, n, on_cell, on_row, &st) != n ||
      csv_fini(&p, on_cell, on_row, &st) != 0)
    broken("the CSV does not parse");
  csv_free(&p);
  if (st.rows != 1 + DESKTOPS) /* the header, a row per desktop */
    broken("CSV rows != 1 + desktops");
}

static void render(const struct wr_audit *a, enum wr_audit_format fmt)
{
  struct wr_err err = {0};
  char *out = NULL;
  size_t n = 0;
  FILE *f = open_memstream(&out, &n);
  cJSON *j;

  if (f == NULL)
    broken("no memory stream");
  if (wr_html_audit_write(a, fmt, f, &err) != 0 || fclose(f) != 0)
    broken("rendering failed");
  switch (fmt) {
  case WR_AUDIT_JSON:
    j = cJSON_ParseWithLength(out, n);
    if (!cJSON_IsObject(j))
      broken("the JSON audit does not parse");
    cJSON_Delete(j);
    break;
  case WR_AUDIT_CSV:
    check_csv(out, n);
    break;
  case WR_AUDIT_HTML:
    check_controls(out, n, "\n\r\t");
    break;
  default: /* text, Markdown */
    check_controls(out, n, "\n");
    break;
  }
  free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *const dflt[NTEXT] = {
    "InvalidDesktopId.NotFound", "The specified desktop does not exist.",
    "6B0D549B-6F03-475A-9600-A35A099950D8", "deadline",
    "https://ecd.{region}.aliyuncs.com", "fleet.csv", "ecd-UPPER",
  };
  char *json[NTEXT] = {NULL};
  char *text = malloc(size + 1), *p, *report = NULL;
  struct wr_rread *rr = NULL;
  struct wr_err err = {0};
  struct wr_audit a;
  size_t i, len = 0;
  FILE *f;
  int fmt;

  if (text == NULL)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  for (i = 0, p = text; i < NTEXT; i++) {
    cJSON *s = cJSON_CreateString(p <= text + size ? p : dflt[i]);

    json[i] = s != NULL ? cJSON_PrintUnformatted(s) : NULL;
    cJSON_Delete(s);
    if (json[i] == NULL)
      goto out;
    if (p <= text + size)
      p += strlen(p) + 1;
  }
  report = make_report(json, &len);
  if (report == NULL)
    goto out;
  f = fmemopen(report, len, "rb");
  if (f == NULL)
    goto out;
  memset(&a, 0, sizeof(a));
  if (wr_rread_load_stream(f, "fuzz.jsonl", &rr, &err) == 0) {
    if (wr_audit_build(rr, &a, &err) == 0) {
      if (getenv("WR_FUZZ_VERBOSE") != NULL) /* to check a seed by hand */
        wr_html_audit_write(&a, WR_AUDIT_CSV, stderr, &err);
      if (a.planned != DESKTOPS || a.ok + a.failed + a.skipped != DESKTOPS)
        broken("audit counts disagree with the plan");
      for (fmt = WR_AUDIT_TEXT; fmt <= WR_AUDIT_HTML; fmt++)
        render(&a, (enum wr_audit_format)fmt);
    }
    wr_audit_free(&a);
    wr_rread_destroy(&rr);
  } else if (getenv("WR_FUZZ_VERBOSE") != NULL) {
    fprintf(stderr, "not loaded: %s\n", err.msg);
  }
  fclose(f);
out:
  for (i = 0; i < NTEXT; i++)
    free(json[i]);
  free(report);
  free(text);
  return 0;
}
