/* api_redact: a request as text for people (plan --show-requests, -vvv
 * logs), with the signature and every secret replaced by "***".
 *
 * Redaction is structural first (known parameter and header names), then
 * wr_creds_redact() replaces any remaining occurrence of a secret the
 * credentials hold, raw or percent-encoded: two independent nets. */
#include "api.h"

#include "buf.h"
#include "creds.h"
#include "err.h"

#include <string.h>
#include <strings.h>

#define TEXT_MAX (1u << 20)

static const char *const secret_params[] = {
  "Signature", "SecurityToken", "LoginToken", "SessionId", "SessionToken",
  "AccessKeySecret", NULL,
};

static bool in_list(const char *name, size_t len, const char *const *list)
{
  size_t i;

  for (i = 0; list[i] != NULL; i++)
    if (strlen(list[i]) == len && strncasecmp(list[i], name, len) == 0)
      return true;
  return false;
}

/* Append a percent-encoded AccessKey ID, masked (IDs are alphanumeric, so
 * the encoded form is the ID itself). */
static int add_masked(struct wr_buf *out, const char *id, size_t len)
{
  char tmp[256], mask[WR_CREDS_MASK_LEN];

  if (len >= sizeof(tmp))
    len = sizeof(tmp) - 1;
  memcpy(tmp, id, len);
  tmp[len] = '\0';
  wr_creds_mask_id(tmp, mask);
  return wr_buf_adds(out, mask);
}

static int redact_url(const char *url, struct wr_buf *out)
{
  const char *q = strchr(url, '?'), *p, *amp, *eq;
  int rc;

  if (q == NULL)
    return wr_buf_adds(out, url);
  if ((rc = wr_buf_add(out, url, (size_t)(q - url) + 1)) < 0)
    return rc;
  for (p = q + 1; *p != '\0'; p = *amp != '\0' ? amp + 1 : amp) {
    amp = p + strcspn(p, "&");
    eq = memchr(p, '=', (size_t)(amp - p));
    if (p != q + 1 && (rc = wr_buf_addc(out, '&')) < 0)
      return rc;
    if (eq == NULL) {
      rc = wr_buf_add(out, p, (size_t)(amp - p));
    } else if ((rc = wr_buf_add(out, p, (size_t)(eq - p) + 1)) < 0) {
      return rc;
    } else if (in_list(p, (size_t)(eq - p), secret_params)) {
      rc = wr_buf_adds(out, "***");
    } else if ((size_t)(eq - p) == 11 && strncmp(p, "AccessKeyId", 11) == 0) {
      rc = add_masked(out, eq + 1, (size_t)(amp - eq - 1));
    } else {
      rc = wr_buf_add(out, eq + 1, (size_t)(amp - eq - 1));
    }
    if (rc < 0)
      return rc;
  }
  return 0;
}

/* "ACS3-HMAC-SHA256 Credential=ID,SignedHeaders=...,Signature=HEX" */
static int redact_authorization(const char *v, struct wr_buf *out)
{
  const char *cred = strstr(v, "Credential="), *sig = strstr(v, "Signature=");
  const char *end;
  int rc;

  if (cred == NULL || sig == NULL || sig < cred)
    return wr_buf_adds(out, "***");
  cred += strlen("Credential=");
  end = cred + strcspn(cred, ",");
  if ((rc = wr_buf_add(out, v, (size_t)(cred - v))) < 0 ||
      (rc = add_masked(out, cred, (size_t)(end - cred))) < 0 ||
      (rc = wr_buf_add(out, end, (size_t)(sig - end))) < 0 ||
      (rc = wr_buf_adds(out, "Signature=***")) < 0)
    return rc;
  return 0;
}

static int redact_header(const struct wr_header *h, struct wr_buf *out)
{
  static const char *const secret_headers[] = {
    "x-acs-security-token", "x-acs-bearer-token", NULL,
  };
  int rc;

  if ((rc = wr_buf_addf(out, "%s: ", h->name)) < 0)
    return rc;
  if (strcasecmp(h->name, "authorization") == 0)
    rc = redact_authorization(h->value, out);
  else if (in_list(h->name, strlen(h->name), secret_headers))
    rc = wr_buf_adds(out, "***");
  else if (strcasecmp(h->name, "x-acs-accesskey-id") == 0)
    rc = add_masked(out, h->value, strlen(h->value));
  else
    rc = wr_buf_adds(out, h->value);
  if (rc < 0)
    return rc;
  return wr_buf_addc(out, '\n');
}

int wr_api_format_redacted(const struct wr_http_request *req,
                           const struct wr_creds *creds, struct wr_buf *out)
{
  struct wr_buf text;
  size_t i;
  int rc;

  wr_buf_init(&text, TEXT_MAX);
  if ((rc = wr_buf_addf(&text, "%s ", req->method)) < 0 ||
      (rc = redact_url(req->url != NULL ? req->url : "", &text)) < 0 ||
      (rc = wr_buf_addc(&text, '\n')) < 0)
    goto out;
  for (i = 0; i < req->nheaders; i++)
    if ((rc = redact_header(&req->headers[i], &text)) < 0)
      goto out;
  /* A blank line, then the body (empty for every ECD call we make). */
  if ((rc = wr_buf_addc(&text, '\n')) < 0)
    goto out;
  if (req->body != NULL &&
      (rc = wr_buf_add(&text, req->body, req->body_len)) < 0)
    goto out;
  if (creds != NULL)
    rc = wr_creds_redact(creds, wr_buf_str(&text), out);
  else
    rc = wr_buf_add(out, wr_buf_str(&text), text.len);
out:
  wr_buf_free_secret(&text);
  return rc;
}
