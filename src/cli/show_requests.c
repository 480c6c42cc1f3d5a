/* show_requests: `plan --show-requests N`.  The requests are built by the
 * same code path as a run (current time, fresh nonce), then redacted. */
#include "show_requests.h"

#include "api.h"
#include "buf.h"
#include "clock.h"
#include "auth.h"
#include "creds.h"
#include "err.h"
#include "log.h"

#include <string.h>

static int show_one(const struct wr_config *cfg, const struct wr_creds *creds,
                    const struct wr_chunk *chunk, size_t index, size_t total,
                    FILE *out, struct wr_err *err)
{
  struct wr_api_target target = {cfg->api, cfg->signature, cfg->endpoint};
  struct wr_call call = {"RebootDesktops", chunk->region, chunk->ids,
                         chunk->nids, NULL, 0, NULL, NULL};
  struct wr_attempt attempt;
  struct wr_http_request req;
  struct wr_buf text;
  char nonce[WR_NONCE_LEN];
  int rc;

  memset(&req, 0, sizeof(req));
  wr_buf_init(&text, 1u << 22);
  if (cfg->api == WR_API_CLIENT && chunk->client_token[0] != '\0')
    call.client_token = chunk->client_token;
  if ((rc = wr_api_nonce(nonce)) < 0) {
    rc = wr_err_set(err, rc, "cannot draw a nonce from OpenSSL's CSPRNG");
    goto out;
  }
  attempt.wall_ms = wr_clock_wall_ms();
  attempt.nonce = nonce;
  if ((rc = wr_api_build(&target, creds, &call, &attempt, &req, err)) < 0)
    goto out;
  if ((rc = wr_api_format_redacted(&req, creds, &text)) < 0) {
    rc = wr_err_set(err, rc, "cannot format request %zu", index + 1);
    goto out;
  }
  if (fprintf(out, "# request %zu of %zu: chunk %s, region %s, %zu "
              "desktop%s\n%s\n", index + 1, total, chunk->id, chunk->region,
              chunk->nids, chunk->nids == 1 ? "" : "s",
              wr_buf_str(&text)) < 0) {
    rc = wr_err_set(err, WR_EIO, "cannot write to standard output");
    goto out;
  }
  rc = 0;
out:
  wr_http_request_free(&req);
  wr_buf_free_secret(&text);
  return rc;
}

int wr_show_requests(const struct wr_config *cfg, const struct wr_plan *plan,
                     long n, FILE *out)
{
  struct wr_creds creds;
  struct wr_err err = {0};
  size_t i, total;
  int code = WR_EXIT_USAGE;

  memset(&creds, 0, sizeof(creds));
  if (n <= 0 || plan->nchunks == 0)
    return WR_EXIT_OK;
  total = (size_t)n < plan->nchunks ? (size_t)n : plan->nchunks;
  if (wr_auth_load(cfg, &creds, &err) < 0) {
    wr_errorf("%s", err.msg);
    goto out;
  }
  wr_infof("credentials from %s", creds.source);
  for (i = 0; i < total; i++) {
    if (show_one(cfg, &creds, &plan->chunks[i], i, total, out, &err) < 0) {
      wr_errorf("%s", err.msg);
      code = err.code == WR_EIO ? WR_EXIT_FAILED : WR_EXIT_USAGE;
      goto out;
    }
  }
  if (fflush(out) != 0) {
    wr_errorf("cannot write to standard output");
    code = WR_EXIT_FAILED;
    goto out;
  }
  code = WR_EXIT_OK;
out:
  wr_creds_free(&creds);
  return code;
}
