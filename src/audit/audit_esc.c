/* audit_esc: text made safe for each output format.  Values in a report
 * come from input files and from the API (error messages), so each one
 * is escaped where it is written, never trusted to be plain. */
#include "audit.h"

#include <stdbool.h>
#include <string.h>

/* A control byte as the text format shows it: ESC or BEL from a server
 * message must not reach a terminal or a viewer raw. */
static bool put_control(FILE *out, unsigned char c)
{
  if (c >= 0x20 && c != 0x7f)
    return false;
  fprintf(out, "\\x%02x", c);
  return true;
}

/* RFC 4180 quoting for , " and line breaks (kept: a quoted field holds
 * them); other control bytes as \xNN.  A cell starting with = + - @, tab
 * or CR is a formula to a spreadsheet (OWASP CSV injection): a single
 * quote in front makes it text. */
void wr_audit_csv_field(FILE *out, const char *s)
{
  const unsigned char *p;
  bool quote;

  if (s == NULL)
    return;
  quote = strpbrk(s, ",\"\r\n") != NULL;
  if (quote)
    putc('"', out);
  if (*s != '\0' && strchr("=+-@\t\r", *s) != NULL)
    putc('\'', out);
  for (p = (const unsigned char *)s; *p != '\0'; p++) {
    if (*p == '"')
      putc('"', out);
    if (*p == '\r' || *p == '\n' || !put_control(out, *p))
      putc(*p, out);
  }
  if (quote)
    putc('"', out);
}

/* Whitespace stays (harmless in HTML); other control bytes as \xNN. */
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
    case '\n': case '\r': case '\t': putc(*s, out); break;
    default:
      if (!put_control(out, (unsigned char)*s))
        putc(*s, out);
      break;
    }
  }
}

/* CommonMark lets any ASCII punctuation be backslash-escaped; these are
 * the ones that start emphasis, code, links, HTML, entities or headings,
 * or end a table cell.  Line breaks would end the table row: a space.
 * Other control bytes as \xNN. */
void wr_audit_md_text(FILE *out, const char *s)
{
  if (s == NULL)
    return;
  for (; *s != '\0'; s++) {
    if (*s == '\n' || *s == '\r' || *s == '\t')
      putc(' ', out);
    else if (strchr("\\`*_[]<>|~&#!", *s) != NULL)
      fprintf(out, "\\%c", *s);
    else if (!put_control(out, (unsigned char)*s))
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
