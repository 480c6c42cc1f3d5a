/* audit_esc: text made safe for each output format.  Values in a report
 * come from input files and from the API (error messages), so each one
 * is escaped where it is written, never trusted to be plain. */
#include "audit.h"

#include <string.h>

void wr_audit_csv_field(FILE *out, const char *s)
{
  if (s == NULL)
    return;
  if (strpbrk(s, ",\"\r\n") == NULL) {
    fputs(s, out);
    return;
  }
  /* RFC 4180: the field in quotes, each quote doubled. */
  putc('"', out);
  for (; *s != '\0'; s++) {
    if (*s == '"')
      putc('"', out);
    putc(*s, out);
  }
  putc('"', out);
}

void wr_audit_html_text(FILE *out, const char *s)
{
  if (s == NULL)
    return;
  for (; *s != '\0'; s++) {
    switch (*s) {
    case '&': fputs("&amp;", out); break;
    case '<': fputs("&lt;", out); break;
    case '>': fputs("&gt;", out); break;
    case '"': fputs("&quot;", out); break;
    case '\'': fputs("&#39;", out); break;
    default: putc(*s, out); break;
    }
  }
}

/* CommonMark lets any ASCII punctuation be backslash-escaped; these are
 * the ones that start emphasis, code, links, HTML, entities or headings,
 * or end a table cell.  Line breaks would end the table row: a space. */
void wr_audit_md_text(FILE *out, const char *s)
{
  if (s == NULL)
    return;
  for (; *s != '\0'; s++) {
    if (*s == '\n' || *s == '\r' || *s == '\t')
      putc(' ', out);
    else if (strchr("\\`*_[]<>|~&#!", *s) != NULL)
      fprintf(out, "\\%c", *s);
    else
      putc(*s, out);
  }
}

/* A report may carry anything an input file held: keep terminal escape
 * sequences from reaching a terminal. */
void wr_audit_tty_text(FILE *out, const char *s)
{
  const unsigned char *p = (const unsigned char *)s;

  if (s == NULL)
    return;
  for (; *p != '\0'; p++) {
    if (*p < 0x20 || *p == 0x7f)
      fprintf(out, "\\x%02x", *p);
    else
      putc(*p, out);
  }
}
