/* sim-client: sends ECD requests built by the project's request builder
 * (api.h) to ecd-sim, optionally tampered with, and prints one JSON line
 * per response: {"status","body","retry_after","elapsed_ms","error"};
 * --get PATH prints a GET's body (/__stats), --dump N prints N signed
 * requests for wrk (tests/bench/sim_bench.sh).
 * A test helper only (tests/integration/test_sim*.sh). */
#include "api.h"
#include "buf.h"
#include "clock.h"
#include "creds.h"
#include "sign.h"
#include "sim_params.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_IDS 200

struct opts {
  const char *endpoint, *action, *region, *client_token, *next_token;
  const char *status, *nonce, *tamper, *append_id, *get;
  enum wr_api_mode mode;
  enum wr_sig_version sig;
  const char *ids[MAX_IDS];
  size_t nids;
  long max_results, repeat, timeout_ms, dump;
  int64_t offset_ms;
  int all_pages;
  struct wr_creds creds;
};

struct reply {
  struct wr_buf body;
  char retry_after[32];
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
  struct reply *r = ud;

  return wr_buf_add(&r->body, p, sz * n) < 0 ? 0 : sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
  struct reply *r = ud;
  size_t len = sz * n;

  if (len > 18 && strncasecmp(p, "x-acs-retry-after:", 18) == 0)
    snprintf(r->retry_after, sizeof(r->retry_after), "%.*s",
             (int)strcspn(p + 18, "\r\n") - 1, p + 19);
  return len;
}

/* Send req once; print the JSON line; return the body (caller frees). */
static char *send_once(const struct opts *o, const struct wr_http_request *req)
{
  struct curl_slist *hl = NULL;
  struct reply r;
  CURL *c = curl_easy_init();
  CURLcode cc;
  long status = 0;
  int64_t t0 = wr_clock_now_ms();
  cJSON *line = cJSON_CreateObject();
  char *text, *body;
  size_t i;

  wr_buf_init(&r.body, 1 << 24);
  r.retry_after[0] = '\0';
  for (i = 0; i < req->nheaders; i++)
    hl = curl_slist_append(hl, req->headers[i].line);
  hl = curl_slist_append(hl, "Content-Type:");
  hl = curl_slist_append(hl, "Expect:");
  curl_easy_setopt(c, CURLOPT_URL, req->url);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)req->body_len);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms);
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  cc = curl_easy_perform(c);
  if (cc == CURLE_OK)
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  cJSON_AddNumberToObject(line, "status", (double)status);
  cJSON_AddStringToObject(line, "body", wr_buf_str(&r.body));
  if (r.retry_after[0])
    cJSON_AddStringToObject(line, "retry_after", r.retry_after);
  else
    cJSON_AddNullToObject(line, "retry_after");
  cJSON_AddNumberToObject(line, "elapsed_ms",
                          (double)(wr_clock_now_ms() - t0));
  if (cc == CURLE_OK)
    cJSON_AddNullToObject(line, "error");
  else
    cJSON_AddStringToObject(line, "error", curl_easy_strerror(cc));
  text = cJSON_PrintUnformatted(line);
  puts(text);
  fflush(stdout);
  cJSON_free(text);
  cJSON_Delete(line);
  curl_slist_free_all(hl);
  curl_easy_cleanup(c);
  body = wr_buf_take(&r.body);
  return body ? body : strdup("");
}

static const struct wr_header *header(const struct wr_http_request *req,
                                      const char *n)
{
  size_t i;

  for (i = 0; i < req->nheaders; i++)
    if (strcasecmp(req->headers[i].name, n) == 0)
      return &req->headers[i];
  return NULL;
}

static void set_header(struct wr_http_request *req, const char *name,
                       const char *value)
{
  if (wr_http_request_set_header(req, name, value) < 0) {
    fprintf(stderr, "sim-client: cannot set header %s\n", name);
    exit(2);
  }
}

/* After the query changed: sign it again with the project's signer. */
static void resign(const struct opts *o, struct wr_http_request *req)
{
  char *q = strchr(req->url, '?') + 1;
  struct wr_sim_params p;
  struct wr_param v[300];
  struct wr_buf sig, url, auth, sh;
  size_t i, n = 0;

  wr_sim_params_init(&p);
  wr_sim_params_parse(&p, q, strlen(q), NULL);
  for (i = 0; i < p.n; i++)
    if (strcmp(p.v[i].name, "Signature") != 0)
      v[n++] = (struct wr_param){p.v[i].name, p.v[i].value};
  wr_buf_init(&sig, 4096);
  wr_buf_init(&url, 1 << 20);
  wr_buf_init(&auth, 4096);
  wr_buf_init(&sh, 4096);
  wr_buf_add(&url, req->url, (size_t)(q - req->url));
  if (o->mode == WR_API_ADMIN && o->sig == WR_SIG_V1) {
    wr_sign_v1("POST", v, n, o->creds.access_key_secret, &sig, NULL);
    v[n++] = (struct wr_param){"Signature", wr_buf_str(&sig)};
    wr_canonical_query(v, n, &url);
  } else {
    struct wr_param h[16];
    struct wr_v3_input in;
    size_t nh = 0;

    wr_canonical_query(v, n, &url);
    for (i = 0; i < req->nheaders; i++)
      if (strcasecmp(req->headers[i].name, "authorization") != 0)
        h[nh++] = (struct wr_param){req->headers[i].name,
                                    req->headers[i].value};
    in = (struct wr_v3_input){"POST", "/", v, n, h, nh,
                              header(req, "x-acs-content-sha256")->value};
    if (o->mode == WR_API_ADMIN) {
      wr_sign_v3(&in, o->creds.access_key_secret, &sig, &sh, NULL, NULL);
      wr_buf_addf(&auth, "ACS3-HMAC-SHA256 Credential=%s,SignedHeaders=%s,"
                  "Signature=%s", o->creds.access_key_id, wr_buf_str(&sh),
                  wr_buf_str(&sig));
      set_header(req, "authorization", wr_buf_str(&auth));
    }
  }
  free(req->url);
  req->url = wr_buf_take(&url);
  wr_sim_params_free(&p);
  wr_buf_free(&sig);
  wr_buf_free(&auth);
  wr_buf_free(&sh);
}

static void tamper(const struct opts *o, struct wr_http_request *req)
{
  if (o->append_id != NULL) {
    struct wr_buf u;

    wr_buf_init(&u, 1 << 20);
    wr_buf_addf(&u, "%s&DesktopId.%zu=%s", req->url, o->nids + 1,
                o->append_id);
    free(req->url);
    req->url = wr_buf_take(&u);
    if (o->mode == WR_API_ADMIN) /* the client API is not signed */
      resign(o, req);
  }
  if (o->tamper == NULL)
    return;
  if (strcmp(o->tamper, "param") == 0) {       /* after signing */
    char *p = strstr(req->url, "RegionId=");

    if (p != NULL)
      p[9] = p[9] == 'x' ? 'y' : 'x';
  } else if (strcmp(o->tamper, "body-hash") == 0) {
    const struct wr_header *h = header(req, "x-acs-content-sha256");
    char *v;

    if (h != NULL && (v = strdup(h->value)) != NULL) {
      v[0] = v[0] == '0' ? '1' : '0';
      set_header(req, h->name, v);
      free(v);
    }
  } else if (strcmp(o->tamper, "unsigned-header") == 0) {
    set_header(req, "x-acs-extra", "1");
  } else {
    fprintf(stderr, "sim-client: unknown --tamper %s\n", o->tamper);
    exit(2);
  }
}

/* --get PATH: print the body of GET endpoint+PATH (e.g. /__stats). */
static int get(const struct opts *o)
{
  struct reply r;
  struct wr_buf url;
  CURL *c = curl_easy_init();
  CURLcode cc;

  wr_buf_init(&r.body, 1 << 26);
  wr_buf_init(&url, 4096);
  wr_buf_addf(&url, "%s%s", o->endpoint, o->get);
  curl_easy_setopt(c, CURLOPT_URL, wr_buf_str(&url));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms);
  curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  cc = curl_easy_perform(c);
  if (cc == CURLE_OK)
    puts(wr_buf_str(&r.body));
  else
    fprintf(stderr, "sim-client: %s\n", curl_easy_strerror(cc));
  curl_easy_cleanup(c);
  wr_buf_free(&r.body);
  wr_buf_free(&url);
  return cc == CURLE_OK ? 0 : 1;
}

/* --dump N: N requests, one a line, "path?query TAB name: value TAB ...",
 * each with its own nonce, for tests/bench/sim_wrk_signed.lua.  Desktop
 * IDs rotate through the --ids list, one per request. */
static int dump(struct opts *o)
{
  struct wr_api_target t = {o->mode, o->sig, o->endpoint};
  struct wr_err err = {0};
  char nonce[WR_NONCE_LEN];
  long i;
  size_t h;

  for (i = 0; i < o->dump; i++) {
    struct wr_http_request req = {0};
    struct wr_call call = {0};
    struct wr_attempt at;
    const char *one = o->ids[(size_t)i % o->nids];

    call.action = o->action;
    call.region = o->region;
    call.ids = &one;
    call.nids = 1;
    wr_api_nonce(nonce);
    at.nonce = nonce;
    at.wall_ms = wr_clock_wall_ms();
    if (wr_api_build(&t, &o->creds, &call, &at, &req, &err) < 0) {
      fprintf(stderr, "sim-client: %s\n", err.msg);
      return 2;
    }
    fputs(strstr(req.url + 8, "/"), stdout);
    for (h = 0; h < req.nheaders; h++)
      printf("\t%s: %s", req.headers[h].name, req.headers[h].value);
    putchar('\n');
    wr_http_request_free(&req);
  }
  return fflush(stdout) == 0 ? 0 : 1;
}

static int run(struct opts *o)
{
  struct wr_api_target t = {o->mode, o->sig, o->endpoint};
  struct wr_call call = {0};
  struct wr_err err = {0};
  char nonce[WR_NONCE_LEN], token[256] = "";
  long i;

  call.action = o->action;
  call.region = o->region;
  call.ids = o->ids;
  call.nids = o->nids;
  call.client_token = o->client_token;
  call.max_results = o->max_results;
  call.desktop_status = o->status;
  call.next_token = o->next_token;
  do {
    struct wr_http_request req = {0};
    struct wr_attempt at;
    char *body = NULL;

    wr_api_nonce(nonce);
    at.nonce = o->nonce ? o->nonce : nonce;
    at.wall_ms = wr_clock_wall_ms() + o->offset_ms;
    if (token[0])
      call.next_token = token;
    if (wr_api_build(&t, &o->creds, &call, &at, &req, &err) < 0) {
      fprintf(stderr, "sim-client: %s\n", err.msg);
      return 2;
    }
    tamper(o, &req);
    for (i = 0; i < o->repeat; i++) {
      free(body);
      body = send_once(o, &req);
    }
    wr_http_request_free(&req);
    token[0] = '\0';
    if (o->all_pages) {
      cJSON *j = cJSON_Parse(body), *nt;

      nt = cJSON_GetObjectItemCaseSensitive(j, "NextToken");
      if (cJSON_IsString(nt))
        snprintf(token, sizeof(token), "%s", nt->valuestring);
      cJSON_Delete(j);
    }
    free(body);
  } while (token[0]);
  return 0;
}

int main(int argc, char **argv)
{
  static const struct option lo[] = {
    {"endpoint", 1, 0, 'e'}, {"api", 1, 0, 'a'}, {"signature", 1, 0, 's'},
    {"action", 1, 0, 'A'}, {"region", 1, 0, 'r'}, {"ids", 1, 0, 'i'},
    {"client-token", 1, 0, 'T'}, {"max-results", 1, 0, 'm'},
    {"next-token", 1, 0, 'n'}, {"status", 1, 0, 'S'},
    {"all-pages", 0, 0, 'P'}, {"key-id", 1, 0, 'k'}, {"secret", 1, 0, 'K'},
    {"security-token", 1, 0, 'y'}, {"client-id", 1, 0, 'c'},
    {"login-token", 1, 0, 'l'}, {"session-id", 1, 0, 'd'},
    {"nonce", 1, 0, 'N'}, {"time-offset-s", 1, 0, 'o'},
    {"repeat", 1, 0, 'R'}, {"tamper", 1, 0, 't'},
    {"append-id", 1, 0, 'x'}, {"timeout-ms", 1, 0, 'w'},
    {"dump", 1, 0, 'D'}, {"get", 1, 0, 'G'}, {0, 0, 0, 0}
  };
  struct opts o;
  char *list = NULL, *tok, *save;
  int c, rc;

  memset(&o, 0, sizeof(o));
  o.action = "RebootDesktops";
  o.region = "cn-hangzhou";
  o.repeat = 1;
  o.timeout_ms = 10000;
  o.creds.access_key_id = "testid";
  o.creds.access_key_secret = "testsecret";
  o.creds.client_id = "sim-client";
  while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
    switch (c) {
    case 'e': o.endpoint = optarg; break;
    case 'a': o.mode = strcmp(optarg, "client") == 0 ? WR_API_CLIENT
                                                      : WR_API_ADMIN; break;
    case 's': o.sig = strcmp(optarg, "v1") == 0 ? WR_SIG_V1 : WR_SIG_V3;
      break;
    case 'A': o.action = optarg; break;
    case 'r': o.region = optarg; break;
    case 'i': list = optarg; break;
    case 'T': o.client_token = optarg; break;
    case 'm': o.max_results = atol(optarg); break;
    case 'n': o.next_token = optarg; break;
    case 'S': o.status = optarg; break;
    case 'P': o.all_pages = 1; break;
    case 'k': o.creds.access_key_id = optarg; break;
    case 'K': o.creds.access_key_secret = optarg; break;
    case 'y': o.creds.security_token = optarg; break;
    case 'c': o.creds.client_id = optarg; break;
    case 'l': o.creds.login_token = optarg; break;
    case 'd': o.creds.session_id = optarg; break;
    case 'N': o.nonce = optarg; break;
    case 'o': o.offset_ms = atol(optarg) * 1000; break;
    case 'R': o.repeat = atol(optarg); break;
    case 't': o.tamper = optarg; break;
    case 'x': o.append_id = optarg; break;
    case 'w': o.timeout_ms = atol(optarg); break;
    case 'D': o.dump = atol(optarg); break;
    case 'G': o.get = optarg; break;
    default: return 2;
    }
  }
  if (o.endpoint == NULL) {
    fputs("usage: sim-client --endpoint URL [options]\n", stderr);
    return 2;
  }
  for (tok = list ? strtok_r(list, ",", &save) : NULL;
       tok != NULL && o.nids < MAX_IDS; tok = strtok_r(NULL, ",", &save))
    o.ids[o.nids++] = tok;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  if (o.get != NULL)
    rc = get(&o);
  else
    rc = o.dump > 0 && o.nids > 0 ? dump(&o) : run(&o);
  curl_global_cleanup();
  return rc;
}
