/* creds_redact: keeps the secrets of struct wr_creds out of every
 * output, by masking the AccessKey ID and replacing each secret (raw and
 * in both percent-encoded forms the requests use) in a text by "***". */
#include "creds.h"

#include "buf.h"
#include "sign.h"

#include <stdio.h>
#include <string.h>

#define REDACT_MAX (1u << 22)

void wr_creds_mask_id(const char *id, char out[WR_CREDS_MASK_LEN])
{
  size_t n = id != NULL ? strlen(id) : 0;

  if (n >= 16)
    snprintf(out, WR_CREDS_MASK_LEN, "%.4s***%s", id, id + n - 4);
  else
    snprintf(out, WR_CREDS_MASK_LEN, "***");
}

#define MAX_PATTERNS 24

struct pattern {
  struct wr_buf text;
  const char *repl;
};

static int add_patterns(struct pattern *p, size_t *n, const char *s,
                        const char *repl)
{
  int rc;

  if (s == NULL || s[0] == '\0')
    return 0;
  /* Raw, RFC 3986 (signed query) and querystring (client API) forms. */
  wr_buf_init(&p[*n].text, REDACT_MAX);
  p[*n].repl = repl;
  if ((rc = wr_buf_adds(&p[(*n)++].text, s)) < 0)
    return rc;
  wr_buf_init(&p[*n].text, REDACT_MAX);
  p[*n].repl = repl;
  if ((rc = wr_percent_encode(s, strlen(s), &p[(*n)++].text)) < 0)
    return rc;
  wr_buf_init(&p[*n].text, REDACT_MAX);
  p[*n].repl = repl;
  return wr_percent_encode_js(s, strlen(s), &p[(*n)++].text);
}

/* The AccessKey ID is not a secret: it is masked in free text only when it
 * is long enough (a real one is 24 characters) that a match cannot be an
 * accident; a short test ID such as "x" would otherwise mangle the text.
 * Known positions (AccessKeyId=, Credential=) are masked by api_redact. */
static int add_id_patterns(struct pattern *p, size_t *n, const char *id,
                           const char *mask)
{
  if (id == NULL || strlen(id) < 16)
    return 0;
  return add_patterns(p, n, id, mask);
}

int wr_creds_redact(const struct wr_creds *c, const char *text,
                    struct wr_buf *out)
{
  struct pattern p[MAX_PATTERNS];
  char mask[WR_CREDS_MASK_LEN];
  size_t n = 0, i, j, len = strlen(text);
  int rc;

  wr_creds_mask_id(c->access_key_id, mask);
  if ((rc = add_patterns(p, &n, c->access_key_secret, "***")) < 0 ||
      (rc = add_patterns(p, &n, c->security_token, "***")) < 0 ||
      (rc = add_patterns(p, &n, c->login_token, "***")) < 0 ||
      (rc = add_patterns(p, &n, c->session_id, "***")) < 0 ||
      (rc = add_patterns(p, &n, c->session_token, "***")) < 0 ||
      (rc = add_id_patterns(p, &n, c->access_key_id, mask)) < 0)
    goto out;
  for (i = 0; i < len;) {
    size_t best = n, best_len = 0;

    /* The longest match wins, so a secret inside another is still
     * covered by the outer one. */
    for (j = 0; j < n; j++)
      if (p[j].text.len > best_len && p[j].text.len <= len - i &&
          memcmp(text + i, p[j].text.data, p[j].text.len) == 0) {
        best = j;
        best_len = p[j].text.len;
      }
    if (best < n) {
      rc = wr_buf_adds(out, p[best].repl);
      i += best_len;
    } else {
      rc = wr_buf_addc(out, text[i]);
      i++;
    }
    if (rc < 0)
      goto out;
  }
  rc = 0;
out:
  for (j = 0; j < n; j++)
    wr_buf_free_secret(&p[j].text);
  return rc;
}

void wr_creds_redact_field(const struct wr_creds *c, char *s, size_t size)
{
  struct wr_buf b;

  if (s[0] == '\0')
    return;
  wr_buf_init(&b, 64 * 1024);
  if (wr_creds_redact(c, s, &b) < 0)
    snprintf(s, size, "(message withheld)");
  else
    snprintf(s, size, "%s", wr_buf_str(&b));
  wr_buf_free(&b);
}
