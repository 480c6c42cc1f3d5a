/* seed_sim: writes the seeds of corpus/sim_request/, requests built by the
 * project's request builder (api.h) and signed with fuzz_sim_request.c's
 * fixed credentials and wall clock, in its input format:
 *   METHOD PATH?QUERY LF, Name: value LF ..., LF, body.
 * Usage: fuzz_seed_sim DIR (run by hand; the output is committed). */
#include "api.h"
#include "creds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WALL0 1777000000000LL /* fuzz_sim_request.c's clock */

static int write_seed(const char *dir, const char *name,
                      const struct wr_http_request *req)
{
  char path[512];
  const char *pq;
  size_t i;
  FILE *f;

  snprintf(path, sizeof(path), "%s/%s", dir, name);
  f = fopen(path, "wb");
  if (f == NULL)
    return -1;
  pq = strchr(req->url + strlen("http://"), '/');
  fprintf(f, "%s %s\n", req->method, pq);
  for (i = 0; i < req->nheaders; i++)
    fprintf(f, "%s: %s\n", req->headers[i].name, req->headers[i].value);
  fputc('\n', f);
  if (req->body_len > 0)
    fwrite(req->body, 1, req->body_len, f);
  return fclose(f);
}

int main(int argc, char **argv)
{
  static const char *const ids[] = {"ecd-0a1b2c3d4e5f60718", "ecd-1f2e3d4c5b6a7980a",
                                    "ecd-2c3d4e5f60718293b"};
  struct wr_creds creds;
  struct {
    const char *name;
    enum wr_api_mode mode;
    enum wr_sig_version sig;
    const char *action;
    size_t nids;
    const char *client_token;
    long max_results;
    const char *next_token;
    const char *status;
  } s[] = {
    {"admin-v3-reboot", WR_API_ADMIN, WR_SIG_V3, "RebootDesktops", 3, NULL,
     0, NULL, NULL},
    {"admin-v1-reboot", WR_API_ADMIN, WR_SIG_V1, "RebootDesktops", 2, NULL,
     0, NULL, NULL},
    {"admin-v3-describe", WR_API_ADMIN, WR_SIG_V3, "DescribeDesktops", 3,
     NULL, 100, "tok-2", "Running"},
    {"admin-v1-describe", WR_API_ADMIN, WR_SIG_V1, "DescribeDesktops", 0,
     NULL, 10, NULL, NULL},
    {"client-reboot", WR_API_CLIENT, WR_SIG_V3, "RebootDesktops", 1,
     "6c6f3f0e-2f1b-4b51-9d0e-1f6b2a3c4d5e", 0, NULL, NULL},
  };
  size_t i;
  int rc = 0;

  if (argc != 2) {
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  memset(&creds, 0, sizeof(creds));
  creds.access_key_id = "testid";
  creds.access_key_secret = "testsecret";
  creds.client_id = "client-1";
  creds.login_token = "lt";
  creds.session_id = "sid";
  for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
    struct wr_api_target t = {s[i].mode, s[i].sig, "http://127.0.0.1:8080"};
    struct wr_call call = {0};
    struct wr_attempt at = {WALL0, NULL};
    struct wr_http_request req;
    struct wr_err err = {0};
    char nonce[32];

    snprintf(nonce, sizeof(nonce), "seed-nonce-%zu", i + 1);
    at.nonce = nonce;
    call.action = s[i].action;
    call.region = "cn-hangzhou";
    call.ids = ids;
    call.nids = s[i].nids;
    call.client_token = s[i].client_token;
    call.max_results = s[i].max_results;
    call.next_token = s[i].next_token;
    call.desktop_status = s[i].status;
    memset(&req, 0, sizeof(req));
    if (wr_api_build(&t, &creds, &call, &at, &req, &err) != 0 ||
        write_seed(argv[1], s[i].name, &req) != 0) {
      fprintf(stderr, "%s: %s\n", s[i].name, err.msg);
      rc = 1;
    }
    wr_http_request_free(&req);
  }
  return rc;
}
