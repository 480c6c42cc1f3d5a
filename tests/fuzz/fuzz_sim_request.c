/* fuzz_sim_request: libFuzzer target for ecd-sim's request parsing and
 * authentication (wr_sim_check: form-urlencoded parameters from query and
 * body, V3 Authorization, V1 Signature, the client API's session values,
 * the operation's parameters).
 *
 * Input, as HTTP/1.1 would carry it:
 *   METHOD SP PATH[?QUERY] LF
 *   Name: value LF          (up to 32 headers)
 *   LF
 *   body                    (passed without a terminating NUL)
 * The credentials and the wall clock are fixed, the ones seed_sim.c signs
 * the seeds with, so mutations of a valid request reach the signature
 * comparison and the checks after it.  Checked: a call either fails with
 * an error status and code, or is authenticated with an action, a nonce
 * and a valid ID list; judging twice gives the same verdict.
 * WR_FUZZ_VERBOSE=1 in the environment prints each verdict. */
#include "err.h"
#include "sim_check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WALL0 1777000000000LL /* seed_sim.c's clock */
#define MAXH 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant does not hold: say which, and crash for libFuzzer. */
static void broken(const char *why)
{
  fprintf(stderr, "fuzz_sim_request: %s\n", why);
  abort();
}

static const struct wr_sim_creds creds = {
  .access_key_id = "testid",
  .access_key_secret = "testsecret",
  .client_id = "client-1",
  .login_token = "lt",
  .session_id = "sid",
};

static void check_call(const struct wr_sim_call *c)
{
  size_t i;

  if (c->failed) {
    if (c->err.code == NULL || c->err.status < 400 || c->err.status > 599 ||
        memchr(c->err.message, '\0', sizeof(c->err.message)) == NULL)
      broken("a failure without status, code or message");
    return;
  }
  if (!c->auth_ok || c->nonce == NULL || c->version == NULL ||
      c->region == NULL ||
      (c->action != WR_SIM_REBOOT && c->action != WR_SIM_DESCRIBE) ||
      c->auth == WR_SIM_AUTH_NONE)
    broken("accepted without auth, action, nonce, version or region");
  if (c->action == WR_SIM_REBOOT &&
      (c->nids < 1 || c->nids > (c->auth == WR_SIM_AUTH_CLIENT
                                     ? WR_SIM_MAX_IDS_CLIENT
                                     : WR_SIM_MAX_IDS_ADMIN)))
    broken("reboot ID count out of bounds");
  if (c->action == WR_SIM_REBOOT && c->auth == WR_SIM_AUTH_CLIENT &&
      c->client_token == NULL)
    broken("client reboot without ClientToken");
  for (i = 0; i < c->nids; i++)
    if (c->ids[i] == NULL)
      broken("a NULL desktop ID");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct wr_sim_header h[MAXH];
  struct wr_sim_request req;
  struct wr_sim_call call, again;
  char *text, *line, *next, *sp, *q, *colon, *body = NULL;
  const uint8_t *blank;
  size_t head_len, nh = 0;

  /* The head as C strings (as libmicrohttpd hands them over), the body
   * on the heap, exactly its size. */
  blank = NULL;
  for (head_len = 0; head_len + 1 < size; head_len++)
    if (data[head_len] == '\n' && data[head_len + 1] == '\n') {
      blank = data + head_len;
      break;
    }
  if (blank == NULL)
    head_len = size;
  text = malloc(head_len + 1);
  if (text == NULL)
    return 0;
  memcpy(text, data, head_len);
  text[head_len] = '\0';
  memset(&req, 0, sizeof(req));
  if (blank != NULL && size - head_len - 2 > 0) {
    req.body_len = size - head_len - 2;
    body = malloc(req.body_len);
    if (body == NULL)
      goto out;
    memcpy(body, blank + 2, req.body_len);
    req.body = body;
  }
  next = strchr(text, '\n');
  if (next != NULL)
    *next++ = '\0';
  sp = strchr(text, ' ');
  if (sp == NULL)
    goto out;
  *sp = '\0';
  req.method = text;
  req.path = sp + 1;
  q = strchr(sp + 1, '?');
  if (q != NULL)
    *q++ = '\0';
  req.query = q != NULL ? q : "";
  for (line = next; line != NULL && nh < MAXH; line = next) {
    next = strchr(line, '\n');
    if (next != NULL)
      *next++ = '\0';
    colon = strchr(line, ':');
    if (colon == NULL)
      continue;
    *colon++ = '\0';
    while (*colon == ' ')
      colon++;
    h[nh].name = line;
    h[nh++].value = colon;
  }
  req.headers = h;
  req.nheaders = nh;
  if (wr_sim_check(&creds, &req, WALL0, &call) != 0)
    broken("wr_sim_check failed");
  check_call(&call);
  if (getenv("WR_FUZZ_VERBOSE") != NULL) /* to check a seed by hand */
    fprintf(stderr, "verdict: %d %s auth_ok=%d\n",
            call.failed ? call.err.status : 200,
            call.failed ? call.err.code : "-", call.auth_ok);
  if (wr_sim_check(&creds, &req, WALL0, &again) != 0 ||
      again.failed != call.failed || again.auth_ok != call.auth_ok ||
      again.err.status != call.err.status || again.nids != call.nids ||
      (!call.failed && memcmp(again.digest, call.digest,
                              sizeof(call.digest)) != 0))
    broken("judged differently twice");
  wr_sim_call_free(&again);
  wr_sim_call_free(&call);
out:
  free(body);
  free(text);
  return 0;
}
