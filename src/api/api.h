/* api: builds every ECD request exactly as the official SDKs send it, and
 * judges every response.  Pure: no network, no clock, no randomness; the
 * caller passes the time and the nonce (so tests are exact).
 *
 * Admin mode (2020-09-30): V3 ACS3-HMAC-SHA256 (default) or V1 HMAC-SHA1,
 * POST /?<sorted query> with an empty body.  Client mode (2020-10-02):
 * anonymous, the parameters of its reference page, sent as the official
 * SDK sends them (API.md sections 2 and 3.4).  Signing lives in sign*.c. */
#ifndef WR_API_H
#define WR_API_H

#include "config.h"
#include "err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wr_creds;
struct wr_buf;

#define WR_API_VERSION_ADMIN "2020-09-30"
#define WR_API_VERSION_CLIENT "2020-10-02"

/* A header of a request.  Its strings live in the request's header block:
 * name and value NUL-terminated, and line the header as libcurl takes it
 * ("name: value", or "name;" when the value is empty), so that the
 * transport sends the lines without formatting them again. */
struct wr_header {
  const char *name;  /* as sent, e.g. "x-acs-date" */
  const char *value; /* "" when empty */
  const char *line;
};

/* One HTTP request, owned by the struct (wr_http_request_free).
 *
 * The headers are one block, built at once: headers[nheaders], then the
 * strings they point to, each header's name and then its line.  Free is
 * one wipe (the strings hold signatures and tokens) and one free. */
struct wr_http_request {
  char method[8];            /* "POST" */
  char *url;                 /* absolute: scheme://host[:port]/?query */
  struct wr_header *headers; /* without Content-Length, User-Agent */
  size_t nheaders;
  size_t headers_size;       /* bytes of the block headers starts */
  char *body;                /* NULL when empty */
  size_t body_len;
};

struct wr_param;

#define WR_HTTP_HEADERS_MAX 32 /* headers of a request */

/* Replace the headers with h[0..n-1], in that order: the names (not
 * empty) and values are copied, and may point into the request's own
 * block.  The old block is wiped and freed; on error (WR_ETOOBIG,
 * WR_EINVAL, WR_ENOMEM) the request is unchanged. */
int wr_http_request_set_headers(struct wr_http_request *req,
                                const struct wr_param *h, size_t n);

/* Give the first header called name (ASCII case ignored) this value, in
 * its place and spelling; add it at the end when there is none; value
 * NULL removes it.  The block is built again: pointers into it (a
 * header's name, value or line) are stale after the call. */
int wr_http_request_set_header(struct wr_http_request *req, const char *name,
                               const char *value);

/* The strings of the header block, every line among them, as one run of
 * *len bytes: a transport copies them in one go and finds each line at
 * the same offset from the start. */
const char *wr_http_request_strings(const struct wr_http_request *req,
                                    size_t *len);

void wr_http_request_free(struct wr_http_request *req);

/* Where and how to call. */
struct wr_api_target {
  enum wr_api_mode mode;
  enum wr_sig_version signature; /* admin only */
  const char *endpoint;  /* "https://ecd.cn-hangzhou.aliyuncs.com" or
                            "http://127.0.0.1:8080"; NULL: per region.
                            Read as endpoint.h says, but plain http is
                            not refused here: --insecure is the option
                            check's (config_check.c) */
};

/* What to call. */
struct wr_call {
  const char *action;           /* "RebootDesktops", "DescribeDesktops" */
  const char *region;
  const char *const *ids;       /* DesktopId.1..N */
  size_t nids;
  const char *client_token;     /* client mode RebootDesktops, else NULL */
  long max_results;             /* DescribeDesktops, 0: omit */
  const char *next_token;       /* DescribeDesktops, NULL: omit */
  const char *desktop_status;   /* DescribeDesktops filter, NULL: omit */
};

/* Per-attempt values: every attempt is signed afresh. */
struct wr_attempt {
  int64_t wall_ms;              /* Timestamp / x-acs-date */
  const char *nonce;            /* SignatureNonce / x-acs-signature-nonce */
};

/* Build the request.  WR_EINVAL (err set) on a bad call, e.g. too many
 * IDs for the mode, or an endpoint endpoint.h refuses. */
int wr_api_build(const struct wr_api_target *target,
                 const struct wr_creds *creds, const struct wr_call *call,
                 const struct wr_attempt *attempt,
                 struct wr_http_request *out, struct wr_err *err);

/* The same; a V3 signature is made with key, the access key secret
 * prepared once (wr_hmac_key_create), when it is not NULL. */
struct wr_hmac_key;
int wr_api_build_keyed(const struct wr_api_target *target,
                       const struct wr_creds *creds, struct wr_hmac_key *key,
                       const struct wr_call *call,
                       const struct wr_attempt *attempt,
                       struct wr_http_request *out, struct wr_err *err);

/* The same with more operation parameters, as the request model names
 * them (DescribeDesktops' selection: "OfficeSiteId", "Tag.1.Key", ...),
 * signed with the others; admin API only, at most WR_API_EXTRA_MAX. */
#define WR_API_EXTRA_MAX 240
int wr_api_build_with(const struct wr_api_target *target,
                      const struct wr_creds *creds, const struct wr_call *call,
                      const struct wr_param *extra, size_t nextra,
                      const struct wr_attempt *attempt,
                      struct wr_http_request *out, struct wr_err *err);

/* The default endpoint of a region: "https://ecd.<region>.aliyuncs.com". */
int wr_api_default_endpoint(const char *region, struct wr_buf *out);

/* A production nonce: 16 bytes from OpenSSL's CSPRNG, hex (32 chars). */
#define WR_NONCE_LEN 33
int wr_api_nonce(char out[WR_NONCE_LEN]);

/* The request as text (method, URL, headers, body) with the signature and
 * every secret replaced by "***" (plan --show-requests, -vvv logs). */
int wr_api_format_redacted(const struct wr_http_request *req,
                           const struct wr_creds *creds, struct wr_buf *out);

/* ---- responses ---------------------------------------------------------- */

enum wr_outcome {
  WR_OUTCOME_OK = 0,     /* accepted */
  WR_OUTCOME_THROTTLED,  /* retry, and slow down */
  WR_OUTCOME_TRANSIENT,  /* retry */
  WR_OUTCOME_FINAL       /* do not retry */
};

/* What the transport did (httppool translates CURLcode into this). */
enum wr_transport {
  WR_TRANSPORT_OK = 0,      /* a complete HTTP response arrived */
  WR_TRANSPORT_NOT_SENT,    /* certainly never reached the server
                               (DNS, connect refused, TLS handshake) */
  WR_TRANSPORT_AMBIGUOUS,   /* may have reached it (timeout after send,
                               reset, truncated response) */
  WR_TRANSPORT_FATAL        /* local error (out of memory, bad URL) */
};

#define WR_API_FIELD_LEN 256

struct wr_api_result {
  enum wr_outcome outcome;
  bool ambiguous;            /* the attempt may have been executed */
  bool not_sent;             /* certainly never reached the server
                                (WR_TRANSPORT_NOT_SENT) */
  bool splittable;           /* final for a reason that may concern only
                                some IDs (not found, wrong status,
                                invalid parameter): API.md decision 5 */
  bool fatal_auth;           /* final for the credentials, a permission
                                or the account (SignatureDoesNotMatch,
                                InvalidAccessKeyId.*, Forbidden*, ...):
                                every later call would fail the same way,
                                so the run stops (stop.h, "credentials") */
  long http_status;          /* 0 when no response */
  int64_t retry_after_ms;    /* x-acs-retry-after, -1 when absent */
  char request_id[WR_API_FIELD_LEN];
  char code[WR_API_FIELD_LEN];      /* "" when none */
  char message[WR_API_FIELD_LEN * 2];
  char host_id[WR_API_FIELD_LEN];
  char recommend[WR_API_FIELD_LEN * 2];
};

/* Judge a complete HTTP response: the body may be anything (HTML, empty,
 * truncated); never fails.  retry_after is the raw x-acs-retry-after header
 * value or NULL. */
void wr_api_classify_response(long http_status, const char *body,
                              size_t body_len, const char *retry_after,
                              struct wr_api_result *out);
/* Whether an error Code is one no retry can fix because it concerns the
 * caller, not the desktops: credentials, signature, clock, permission,
 * account, client session.  The list is in api_response.c. */
bool wr_api_code_fatal_auth(const char *code);
/* Whether the Code says the temporary credentials (STS token) expired:
 * InvalidSecurityToken.Expired and its family (the caller renews them
 * and sends the call again; see run/renew.h). */
bool wr_api_code_token_expired(const char *code);

/* Judge a transport failure; detail is a short text for message. */
void wr_api_classify_transport(enum wr_transport t, const char *detail,
                               struct wr_api_result *out);

#endif
