/* fetch: one blocking libcurl easy transfer (see fetch.h). */
#include "fetch.h"

#include "buf.h"
#include "ca.h"
#include "endpoint.h"

#include <curl/curl.h>
#include <string.h>

#define BODY_MAX (64 * 1024) /* a credentials answer is small */

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
  struct wr_buf *b = userp;

  if (wr_buf_add(b, data, size * n) < 0)
    return 0; /* too big: curl fails the transfer */
  return size * n;
}

/* "scheme://host" of url for messages: never its path or query. */
static void url_host(const char *url, char *out, size_t n)
{
  const char *p = strstr(url, "://");
  size_t len;

  p = p != NULL ? p + 3 : url;
  len = strcspn(p, "/?#");
  if (len >= n)
    len = n - 1;
  memcpy(out, p, len);
  out[len] = '\0';
}

int wr_fetch(const struct wr_fetch_req *req, long *status,
             struct wr_buf *body, struct wr_err *err)
{
  CURL *h = curl_easy_init();
  struct curl_slist *hdrs = NULL, *tmp;
  char host[128];
  CURLcode cc = CURLE_OK;
  size_t i;
  int rc = 0;

  *status = 0;
  wr_buf_init(body, req->max_body > 0 ? req->max_body : BODY_MAX);
  url_host(req->url, host, sizeof(host));
  if (h == NULL)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  for (i = 0; req->headers != NULL && req->headers[i] != NULL; i++) {
    tmp = curl_slist_append(hdrs, req->headers[i]);
    if (tmp == NULL) {
      rc = wr_err_set(err, WR_ENOMEM, "out of memory");
      goto out;
    }
    hdrs = tmp;
  }
#define SET(opt, val) if (cc == CURLE_OK) cc = curl_easy_setopt(h, opt, val)
  SET(CURLOPT_URL, req->url);
  SET(CURLOPT_PROTOCOLS_STR, "http,https");
  SET(CURLOPT_NOSIGNAL, 1L);
  SET(CURLOPT_SSL_VERIFYPEER, 1L);
  SET(CURLOPT_SSL_VERIFYHOST, 2L);
  SET(CURLOPT_FOLLOWLOCATION, 0L);
  SET(CURLOPT_CONNECTTIMEOUT_MS, req->connect_timeout_ms);
  SET(CURLOPT_TIMEOUT_MS, req->timeout_ms);
  SET(CURLOPT_HTTPHEADER, hdrs);
  SET(CURLOPT_WRITEFUNCTION, on_body);
  SET(CURLOPT_WRITEDATA, body);
  SET(CURLOPT_USERAGENT, "wuying-reboot");
  if (req->direct)
    SET(CURLOPT_NOPROXY, "*");
  if (strcmp(req->method, "GET") != 0) {
    SET(CURLOPT_CUSTOMREQUEST, req->method);
    SET(CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
    SET(CURLOPT_POSTFIELDSIZE, (long)(req->body != NULL ? req->body_len : 0));
  }
#undef SET
  if (cc != CURLE_OK || wr_ca_apply(h) < 0) {
    rc = wr_err_set(err, WR_EIO, "%s %s: cannot set up the request",
                    req->method, host);
    goto out;
  }
  cc = curl_easy_perform(h);
  if (cc != CURLE_OK) {
    rc = wr_err_set(err, WR_EIO, "%s %s: %s", req->method, host,
                    curl_easy_strerror(cc));
    goto out;
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
out:
  if (rc < 0)
    wr_buf_free_secret(body);
  curl_slist_free_all(hdrs);
  curl_easy_cleanup(h);
  return rc;
}
