/* api: the request builder (API.md sections 1 to 4).  Pure: time and
 * nonce come from struct wr_attempt. */
#include "api.h"

#include "buf.h"
#include "clock.h"
#include "creds.h"
#include "endpoint.h"
#include "err.h"
#include "hmac.h"
#include "sign.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define URL_MAX (1u << 20)
#define MAX_IDS WR_CHUNK_MAX_ADMIN
#define MAX_PARAMS (MAX_IDS + 24 + WR_API_EXTRA_MAX)
#define CLIENT_TOKEN_MAX 64
#define EMPTY_SHA256 \
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Everything one build borrows or formats (on the stack: a malloc of its
 * size showed in the per-call cost). */
struct builder {
  struct wr_param p[MAX_PARAMS];
  size_t n;
  const struct wr_param *extra; /* wr_api_build_with() */
  size_t nextra;
  char max_results[24];
  char date[WR_TIME_RFC3339_LEN];
  struct wr_endpoint ep;
};

int wr_api_default_endpoint(const char *region, struct wr_buf *out)
{
  const char *c;

  if (region == NULL || region[0] == '\0')
    return WR_EINVAL;
  /* A region lands in a host name: letters, digits and '-' only. */
  for (c = region; *c != '\0'; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
          *c == '-'))
      return WR_EINVAL;
  return wr_buf_addf(out, "https://ecd.%s.aliyuncs.com", region);
}

/* Nonce bytes come from OpenSSL's CSPRNG 4 KiB at a time: one RAND_bytes
 * (and one of its fork checks, a getpid) per 256 nonces instead of per
 * call.  Per thread (ecd-sim's threads link this too), and emptied in a
 * fork's child so that no two processes hand out the same bytes.  Used
 * bytes are wiped; nonces are public once sent, but they must never
 * repeat. */
#define NONCE_RAW ((WR_NONCE_LEN - 1) / 2)
#define NONCE_POOL (256 * NONCE_RAW)

static _Thread_local unsigned char nonce_pool[NONCE_POOL];
static _Thread_local size_t nonce_left;
static pthread_once_t nonce_once = PTHREAD_ONCE_INIT;

static void nonce_forget(void)
{
  nonce_left = 0;
}

static void nonce_init(void)
{
  pthread_atfork(NULL, NULL, nonce_forget);
}

int wr_api_nonce(char out[WR_NONCE_LEN])
{
  unsigned char *raw;

  pthread_once(&nonce_once, nonce_init);
  if (nonce_left < NONCE_RAW) {
    if (RAND_bytes(nonce_pool, (int)sizeof(nonce_pool)) != 1)
      return WR_EIO;
    nonce_left = sizeof(nonce_pool);
  }
  raw = nonce_pool + sizeof(nonce_pool) - nonce_left;
  nonce_left -= NONCE_RAW;
  wr_hex(raw, NONCE_RAW, out);
  OPENSSL_cleanse(raw, NONCE_RAW);
  return 0;
}

/* The endpoint of a call: target->endpoint, or the region's default,
 * read by the one policy (endpoint.h).  http to a host other than
 * loopback is the option check's to refuse, which knows --insecure;
 * here the same parser gives the form that is signed and sent.
 *
 * Every call of a run goes to one endpoint (or one per region), so the
 * last one read on this thread is kept: reading it again cost some 1,300
 * instructions a call, a tenth of the tool's own work per call. */
#define EP_KEY_MAX 320

static _Thread_local char ep_key[EP_KEY_MAX]; /* '=' URL, or '@' region */
static _Thread_local struct wr_endpoint ep_last;

static int call_endpoint(const struct wr_api_target *t,
                         const struct wr_call *call, struct wr_endpoint *out,
                         struct wr_err *err)
{
  const char *key = t->endpoint != NULL ? t->endpoint : call->region;
  char tag = t->endpoint != NULL ? '=' : '@';
  size_t n = strlen(key);
  struct wr_buf url;
  int rc;

  if (ep_key[0] == tag && n + 2 <= EP_KEY_MAX &&
      memcmp(ep_key + 1, key, n + 1) == 0) {
    *out = ep_last;
    return 0;
  }
  if (t->endpoint != NULL) {
    rc = wr_endpoint_parse(t->endpoint, true, out, err);
  } else {
    wr_buf_init(&url, 1024);
    rc = wr_api_default_endpoint(call->region, &url);
    if (rc < 0)
      wr_err_set(err, rc, "region '%s': not a valid region ID", call->region);
    else
      rc = wr_endpoint_parse(wr_buf_str(&url), false, out, err);
    wr_buf_free(&url);
  }
  /* A bad call, as every other refusal of the builder. */
  if (rc < 0) {
    if (err != NULL)
      err->code = WR_EINVAL;
    return WR_EINVAL;
  }
  if (n + 2 <= EP_KEY_MAX) {
    ep_key[0] = tag;
    memcpy(ep_key + 1, key, n + 1);
    ep_last = *out;
  }
  return 0;
}

static void add(struct builder *b, const char *name, const char *value)
{
  if (value != NULL) {
    b->p[b->n].name = name;
    b->p[b->n].value = value;
    b->n++;
  }
}

/* "DesktopId.1" to "DesktopId.100", made once per process, not per
 * call. */
static pthread_once_t id_names_once = PTHREAD_ONCE_INIT;
static char id_names[MAX_IDS][16];

static void make_id_names(void)
{
  size_t i;

  for (i = 0; i < MAX_IDS; i++)
    snprintf(id_names[i], sizeof(id_names[i]), "DesktopId.%zu", i + 1);
}

static void add_ids(struct builder *b, const struct wr_call *call)
{
  size_t i;

  pthread_once(&id_names_once, make_id_names);
  for (i = 0; i < call->nids; i++)
    add(b, id_names[i], call->ids[i]);
}

static bool secret_set(const char *s)
{
  return s != NULL && s[0] != '\0';
}

static int check_call(const struct wr_api_target *t,
                      const struct wr_creds *creds,
                      const struct wr_call *call,
                      const struct wr_attempt *attempt, struct wr_err *err)
{
  size_t cap = t->mode == WR_API_CLIENT ? WR_CHUNK_MAX_CLIENT
                                        : WR_CHUNK_MAX_ADMIN;
  bool reboot;
  size_t i;

  if (call->action == NULL || call->action[0] == '\0')
    return wr_err_set(err, WR_EINVAL, "no API action given");
  if (call->region == NULL || call->region[0] == '\0')
    return wr_err_set(err, WR_EINVAL, "%s: no region", call->action);
  reboot = strcmp(call->action, "RebootDesktops") == 0;
  if ((reboot && call->nids == 0) || call->nids > cap)
    return wr_err_set(err, WR_EINVAL,
                      "%s: %zu desktop IDs, the %s API takes 1 to %zu",
                      call->action, call->nids,
                      t->mode == WR_API_CLIENT ? "client" : "admin", cap);
  for (i = 0; i < call->nids; i++)
    if (call->ids[i] == NULL)
      return wr_err_set(err, WR_EINVAL, "%s: desktop ID %zu missing",
                        call->action, i + 1);
  if (attempt->nonce == NULL || attempt->nonce[0] == '\0')
    return wr_err_set(err, WR_EINVAL, "no signature nonce");
  if (creds == NULL)
    return wr_err_set(err, WR_EINVAL, "no credentials");
  if (t->mode == WR_API_ADMIN) {
    if (!secret_set(creds->access_key_id) ||
        !secret_set(creds->access_key_secret))
      return wr_err_set(err, WR_EINVAL, "no AccessKey to sign with");
    return 0;
  }
  if (!secret_set(creds->client_id))
    return wr_err_set(err, WR_EINVAL, "client API: no ClientId");
  if (reboot) {
    const char *tok = call->client_token;

    if (tok == NULL || tok[0] == '\0' || strlen(tok) > CLIENT_TOKEN_MAX)
      return wr_err_set(err, WR_EINVAL,
                        "client API: ClientToken must be 1 to %d ASCII "
                        "characters", CLIENT_TOKEN_MAX);
    for (; *tok != '\0'; tok++)
      if ((unsigned char)*tok < 0x21 || (unsigned char)*tok > 0x7e)
        return wr_err_set(err, WR_EINVAL,
                          "client API: ClientToken must be printable ASCII");
  }
  return 0;
}

/* The operation parameters of the admin API (2020-09-30). */
static void admin_params(struct builder *b, const struct wr_call *call)
{
  size_t i;

  add(b, "RegionId", call->region);
  add_ids(b, call);
  if (call->max_results > 0) {
    snprintf(b->max_results, sizeof(b->max_results), "%ld",
             call->max_results);
    add(b, "MaxResults", b->max_results);
  }
  add(b, "NextToken", call->next_token);
  add(b, "DesktopStatus", call->desktop_status);
  for (i = 0; i < b->nextra; i++)
    add(b, b->extra[i].name, b->extra[i].value);
}

/* The length of the query when nothing in it needs escaping (the usual
 * case; more only grows the buffer). */
static size_t query_len(const struct builder *b)
{
  size_t i, len = 0;

  for (i = 0; i < b->n; i++)
    len += strlen(b->p[i].name) + strlen(b->p[i].value) + 2;
  return len;
}

static int build_v3(struct builder *b, const struct wr_creds *c,
                    struct wr_hmac_key *key, const struct wr_call *call,
                    const struct wr_attempt *attempt,
                    struct wr_http_request *req, struct wr_buf *url)
{
  static const char scheme[] = "ACS3-HMAC-SHA256 Credential=";
  struct wr_param h[8], send[10];
  struct wr_v3_input in;
  struct wr_buf sig, auth;
  size_t nh = 0, ns = 0, i, base_len = strlen(b->ep.base), names_len = 0;
  int rc;

  admin_params(b, call);
  wr_buf_init(&sig, 256);
  wr_buf_init(&auth, 8192);
  if ((rc = wr_buf_reserve(url, base_len + 2 + query_len(b))) < 0 ||
      (rc = wr_buf_add(url, b->ep.base, base_len)) < 0 ||
      (rc = wr_buf_add(url, "/?", 2)) < 0 ||
      (rc = wr_canonical_query(b->p, b->n, url)) < 0)
    goto out;
  h[nh++] = (struct wr_param){"host", b->ep.host};
  h[nh++] = (struct wr_param){"x-acs-version", WR_API_VERSION_ADMIN};
  h[nh++] = (struct wr_param){"x-acs-action", call->action};
  h[nh++] = (struct wr_param){"x-acs-date", b->date};
  h[nh++] = (struct wr_param){"x-acs-signature-nonce", attempt->nonce};
  h[nh++] = (struct wr_param){"x-acs-content-sha256", EMPTY_SHA256};
  if (secret_set(c->security_token))
    h[nh++] = (struct wr_param){"x-acs-security-token", c->security_token};
  for (i = 0; i < nh; i++)
    names_len += strlen(h[i].name) + 1;
  /* "ACS3-HMAC-SHA256 Credential=id,SignedHeaders=a;b,Signature=hex",
   * the signer appending the names to it in place. */
  if ((rc = wr_buf_reserve(&auth, sizeof(scheme) - 1 +
                                      strlen(c->access_key_id) + 15 +
                                      names_len + 11 + 64)) < 0 ||
      (rc = wr_buf_add(&auth, scheme, sizeof(scheme) - 1)) < 0 ||
      (rc = wr_buf_adds(&auth, c->access_key_id)) < 0 ||
      (rc = wr_buf_add(&auth, ",SignedHeaders=", 15)) < 0)
    goto out;
  in = (struct wr_v3_input){"POST", "/", b->p, b->n, h, nh, EMPTY_SHA256};
  /* The signed query is the URL's, made above. */
  rc = key != NULL ? wr_sign_v3_keyed(&in, url->data + base_len + 2, key,
                                      &sig, &auth)
                   : wr_sign_v3(&in, c->access_key_secret, &sig, &auth, NULL,
                                NULL);
  if (rc < 0)
    goto out;
  if ((rc = wr_buf_add(&auth, ",Signature=", 11)) < 0 ||
      (rc = wr_buf_add(&auth, wr_buf_str(&sig), sig.len)) < 0)
    goto out;
  /* Sent in this order (the signer sorted its own copy): accept after
   * the nonce, unsigned, and Authorization last. */
  for (i = 0; i < nh; i++) {
    send[ns++] = h[i];
    if (i == 4)
      send[ns++] = (struct wr_param){"accept", "application/json"};
  }
  send[ns++] = (struct wr_param){"Authorization", wr_buf_str(&auth)};
  rc = wr_http_request_set_headers(req, send, ns);
out:
  wr_buf_free(&sig);
  /* Copied into the header block: this copy of the signature goes. */
  wr_buf_free_secret(&auth);
  return rc;
}

static int build_v1(struct builder *b, const struct wr_creds *c,
                    const struct wr_call *call,
                    const struct wr_attempt *attempt,
                    struct wr_http_request *req, struct wr_buf *url)
{
  const struct wr_param h[] = {
    {"host", b->ep.host},
    {"x-acs-version", WR_API_VERSION_ADMIN},
    {"x-acs-action", call->action},
    {"accept", "application/json"},
  };
  struct wr_buf sig;
  int rc;

  admin_params(b, call);
  add(b, "AccessKeyId", c->access_key_id);
  add(b, "Action", call->action);
  add(b, "Format", "JSON");
  add(b, "SignatureMethod", "HMAC-SHA1");
  add(b, "SignatureNonce", attempt->nonce);
  add(b, "SignatureVersion", "1.0");
  add(b, "Timestamp", b->date);
  add(b, "Version", WR_API_VERSION_ADMIN);
  if (secret_set(c->security_token))
    add(b, "SecurityToken", c->security_token);
  wr_buf_init(&sig, 256);
  if ((rc = wr_sign_v1("POST", b->p, b->n, c->access_key_secret, &sig,
                       NULL)) < 0)
    goto out;
  if ((rc = wr_buf_addf(url, "%s/?", b->ep.base)) < 0 ||
      (rc = wr_canonical_query(b->p, b->n, url)) < 0 ||
      (rc = wr_buf_adds(url, "&Signature=")) < 0 ||
      (rc = wr_percent_encode(wr_buf_str(&sig), sig.len, url)) < 0)
    goto out;
  rc = wr_http_request_set_headers(req, h, sizeof(h) / sizeof(h[0]));
out:
  wr_buf_free(&sig);
  return rc;
}

/* Client API: the order and encoding of the official SDK's wire request
 * (vectors/client-api-wire.json): the common part, then the operation
 * parameters in the generated code's (alphabetical) order. */
static int build_client(struct builder *b, const struct wr_creds *c,
                        const struct wr_call *call,
                        const struct wr_attempt *attempt,
                        struct wr_http_request *req, struct wr_buf *url)
{
  const struct wr_param h[] = {
    {"host", b->ep.host},
    {"x-acs-version", WR_API_VERSION_CLIENT},
    {"x-acs-action", call->action},
  };
  size_t i;
  int rc;

  add(b, "Action", call->action);
  add(b, "Format", "json");
  add(b, "Version", WR_API_VERSION_CLIENT);
  add(b, "Timestamp", b->date);
  add(b, "SignatureNonce", attempt->nonce);
  add(b, "ClientId", c->client_id);
  add(b, "ClientOS", c->client_os);
  add(b, "ClientToken", call->client_token);
  add(b, "ClientVersion", c->client_version);
  add_ids(b, call);
  add(b, "DesktopStatus", call->desktop_status);
  add(b, "LoginToken", c->login_token);
  if (call->max_results > 0) {
    snprintf(b->max_results, sizeof(b->max_results), "%ld",
             call->max_results);
    add(b, "MaxResults", b->max_results);
  }
  add(b, "NextToken", call->next_token);
  add(b, "RegionId", call->region);
  add(b, "SessionId", c->session_id);
  add(b, "SessionToken", c->session_token);
  if ((rc = wr_buf_addf(url, "%s/?", b->ep.base)) < 0)
    return rc;
  for (i = 0; i < b->n; i++) {
    if ((i > 0 && (rc = wr_buf_addc(url, '&')) < 0) ||
        (rc = wr_buf_adds(url, b->p[i].name)) < 0 ||
        (rc = wr_buf_addc(url, '=')) < 0 ||
        (rc = wr_percent_encode_js(b->p[i].value, strlen(b->p[i].value),
                                   url)) < 0)
      return rc;
  }
  return wr_http_request_set_headers(req, h, sizeof(h) / sizeof(h[0]));
}

int wr_api_build(const struct wr_api_target *target,
                 const struct wr_creds *creds, const struct wr_call *call,
                 const struct wr_attempt *attempt,
                 struct wr_http_request *out, struct wr_err *err)
{
  return wr_api_build_keyed(target, creds, NULL, call, attempt, out, err);
}

static int build(const struct wr_api_target *target,
                 const struct wr_creds *creds, struct wr_hmac_key *key,
                 const struct wr_call *call, const struct wr_param *extra,
                 size_t nextra, const struct wr_attempt *attempt,
                 struct wr_http_request *out, struct wr_err *err)
{
  struct builder bld, *b = &bld;
  struct wr_buf url;
  struct wr_http_request req;
  size_t i;
  int rc;

  memset(&req, 0, sizeof(req));
  memset(out, 0, sizeof(*out));
  wr_buf_init(&url, URL_MAX);
  rc = check_call(target, creds, call, attempt, err);
  if (rc < 0)
    goto out;
  if (nextra > 0 && (extra == NULL || nextra > WR_API_EXTRA_MAX ||
                     target->mode != WR_API_ADMIN)) {
    rc = wr_err_set(err, WR_EINVAL, "%s: more than %d extra parameters, "
                    "or some for the client API", call->action,
                    WR_API_EXTRA_MAX);
    goto out;
  }
  for (i = 0; i < nextra; i++)
    if (extra[i].name == NULL || extra[i].name[0] == '\0' ||
        extra[i].value == NULL) {
      rc = wr_err_set(err, WR_EINVAL, "%s: extra parameter %zu unset",
                      call->action, i + 1);
      goto out;
    }
  /* Not zeroed: every field is written before it is read. */
  b->n = 0;
  b->extra = extra;
  b->nextra = nextra;
  if ((rc = call_endpoint(target, call, &b->ep, err)) < 0)
    goto out;
  wr_time_iso_seconds(attempt->wall_ms, b->date);
  memcpy(req.method, "POST", 5);
  if (target->mode == WR_API_CLIENT)
    rc = build_client(b, creds, call, attempt, &req, &url);
  else if (target->signature == WR_SIG_V1)
    rc = build_v1(b, creds, call, attempt, &req, &url);
  else
    rc = build_v3(b, creds, key, call, attempt, &req, &url);
  if (rc < 0) {
    wr_err_set(err, rc, "%s: cannot build the request: %s", call->action,
               wr_strerror(rc));
    goto out;
  }
  req.url = wr_buf_take(&url);
  *out = req;
  memset(&req, 0, sizeof(req));
  rc = 0;
out:
  wr_http_request_free(&req);
  wr_buf_free_secret(&url);
  return rc;
}

int wr_api_build_keyed(const struct wr_api_target *target,
                       const struct wr_creds *creds, struct wr_hmac_key *key,
                       const struct wr_call *call,
                       const struct wr_attempt *attempt,
                       struct wr_http_request *out, struct wr_err *err)
{
  return build(target, creds, key, call, NULL, 0, attempt, out, err);
}

int wr_api_build_with(const struct wr_api_target *target,
                      const struct wr_creds *creds, const struct wr_call *call,
                      const struct wr_param *extra, size_t nextra,
                      const struct wr_attempt *attempt,
                      struct wr_http_request *out, struct wr_err *err)
{
  return build(target, creds, NULL, call, extra, nextra, attempt, out, err);
}
