/* endpoint: the one --endpoint policy, as a table of tricky URLs; that
 * curl reads every normal form as we do; and that the request builder
 * takes the same forms. */
#include "api.h"
#include "creds.h"
#include "endpoint.h"
#include "err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct ok_case {
  const char *url;
  bool insecure;
  const char *base; /* the normal form */
  const char *host; /* the Host header */
  bool loopback;
  unsigned port;
};

static const struct ok_case oks[] = {
  {"https://ecd.cn-hangzhou.aliyuncs.com", false,
   "https://ecd.cn-hangzhou.aliyuncs.com", "ecd.cn-hangzhou.aliyuncs.com",
   false, 443},
  {"https://ecd.cn-hangzhou.aliyuncs.com/", false,
   "https://ecd.cn-hangzhou.aliyuncs.com", "ecd.cn-hangzhou.aliyuncs.com",
   false, 443},
  /* Scheme and names in any case: accepted, sent in lower case. */
  {"HTTPS://ECD.cn-hangzhou.AliyunCS.com", false,
   "https://ecd.cn-hangzhou.aliyuncs.com", "ecd.cn-hangzhou.aliyuncs.com",
   false, 443},
  {"HTTP://127.0.0.1", false, "http://127.0.0.1", "127.0.0.1", true, 80},
  {"hTtP://LOCALHOST:1", false, "http://localhost:1", "localhost:1", true,
   1},
  {"http://localhost:1/", false, "http://localhost:1", "localhost:1", true,
   1},
  /* Ports: the default one is dropped, others kept, leading zeros read
   * as curl reads them. */
  {"https://ecd.example.com:443", false, "https://ecd.example.com",
   "ecd.example.com", false, 443},
  {"https://ecd.example.com:8443", false, "https://ecd.example.com:8443",
   "ecd.example.com:8443", false, 8443},
  {"http://127.0.0.1:8080", false, "http://127.0.0.1:8080",
   "127.0.0.1:8080", true, 8080},
  {"http://127.0.0.1:8080/", false, "http://127.0.0.1:8080",
   "127.0.0.1:8080", true, 8080},
  {"http://127.0.0.1:080", false, "http://127.0.0.1", "127.0.0.1", true,
   80},
  {"http://127.0.0.1:65535", false, "http://127.0.0.1:65535",
   "127.0.0.1:65535", true, 65535},
  {"http://127.3.4.5", false, "http://127.3.4.5", "127.3.4.5", true, 80},
  {"http://127.255.255.255:1", false, "http://127.255.255.255:1",
   "127.255.255.255:1", true, 1},
  /* IPv6 in brackets, compressed. */
  {"http://[::1]:8080", false, "http://[::1]:8080", "[::1]:8080", true,
   8080},
  {"http://[0:0:0:0:0:0:0:1]:99", false, "http://[::1]:99", "[::1]:99",
   true, 99},
  {"https://[2001:DB8::1]:8443", false, "https://[2001:db8::1]:8443",
   "[2001:db8::1]:8443", false, 8443},
  /* Numeric IPv4 spellings: the dotted quad curl connects to. */
  {"http://0x7f.1", false, "http://127.0.0.1", "127.0.0.1", true, 80},
  {"http://2130706433", false, "http://127.0.0.1", "127.0.0.1", true, 80},
  {"http://127.1", false, "http://127.0.0.1", "127.0.0.1", true, 80},
  {"http://0177.0.0.1:8080", false, "http://127.0.0.1:8080",
   "127.0.0.1:8080", true, 8080},
  {"http://127.0x1.1", false, "http://127.1.0.1", "127.1.0.1", true, 80},
  /* Plain http elsewhere only with --insecure. */
  {"http://10.0.0.5:80", true, "http://10.0.0.5", "10.0.0.5", false, 80},
  {"http://10.0.0.1", true, "http://10.0.0.1", "10.0.0.1", false, 80},
  {"http://127.evil.com", true, "http://127.evil.com", "127.evil.com",
   false, 80},
  {"http://ecd_sim.internal:8080", true, "http://ecd_sim.internal:8080",
   "ecd_sim.internal:8080", false, 8080},
};

struct bad_case {
  const char *url;
  bool insecure;
  const char *why; /* in the message */
};

#define PLAIN "plain http is allowed only to a loopback host"
#define USERINFO "a user name or password in the URL is not allowed"
#define NOPATH "no path, query or fragment"
#define NOTV4 "is not an IPv4 address"
#define CTRL "spaces, control and non-ASCII characters"
#define RANGE "the port must be 1 to 65535"

static const struct bad_case bads[] = {
  /* Names are names, whatever they start or end with. */
  {"http://127.evil.com", false, PLAIN},
  {"http://127.0.0.1.nip.io:8080", false, PLAIN},
  {"http://localhost.evil.com", false, PLAIN},
  {"http://localhost.", false, "empty label"},
  {"http://LOCALHOST..", false, "empty label"},
  {"http://10.0.0.1", false, "--insecure"},
  {"http://128.0.0.1", false, PLAIN},
  {"http://0x80.1", false, PLAIN},
  {"http://[::2]", false, PLAIN},
  {"http://[::ffff:127.0.0.1]", false, PLAIN},
  /* Schemes. */
  {"ftp://127.0.0.1", true, "only https"},
  {"file:///etc/passwd", true, "only https"},
  {"httpss://ecd.example.com", false, "only https"},
  {"127.0.0.1:8080", false, "not a URL"},
  {"localhost:8080", false, "not a URL"},
  {"//127.0.0.1", false, "not a URL"},
  {"", false, "no URL"},
  {"https://", false, "no host"},
  {"http://:8080", false, "no host"},
  {"https:///", false, "no host"},
  /* Userinfo, in every place it can hide. */
  {"https://user:s3cret@ecd.example.com", false, USERINFO},
  {"http://user@127.0.0.1", false, USERINFO},
  {"http://evil.com@127.0.0.1", false, USERINFO},
  {"http://127.0.0.1@evil.com", false, USERINFO},
  {"https://u:s3/cret@ecd.example.com", false, USERINFO},
  {"https://@ecd.example.com", false, USERINFO},
  /* Ports. */
  {"http://127.0.0.1:", false, "the port after ':' is empty"},
  {"http://[::1]:", false, "the port after ':' is empty"},
  {"http://127.0.0.1:0", false, RANGE},
  {"http://127.0.0.1:65536", false, RANGE},
  {"http://127.0.0.1:99999999999999999999", false, RANGE},
  {"http://127.0.0.1:8o", false, "is not a number"},
  {"http://127.0.0.1:-1", false, "is not a number"},
  {"http://127.0.0.1:80:80", false, "is not a number"},
  /* Path, query, fragment. */
  {"http://127.0.0.1:8080/api", false, NOPATH},
  {"http://127.0.0.1:8080/?x=1", false, NOPATH},
  {"http://127.0.0.1?x=1", false, NOPATH},
  {"http://127.0.0.1#frag", false, NOPATH},
  {"http://127.0.0.1//", false, NOPATH},
  /* Spaces and odd bytes. */
  {"not a url", false, CTRL},
  {" https://ecd.example.com", false, CTRL},
  {"https://ecd.example.com ", false, CTRL},
  {"http://127.0.0.1 :8080", false, CTRL},
  {"https://ecd.example.com\n", false, CTRL},
  {"https://ecd\xc3\xa9.example.com", false, CTRL},
  /* Hosts. */
  {"http://999.1.1.1", false, NOTV4},
  {"http://1.2.3.4.5", false, NOTV4},
  {"http://4294967296", false, NOTV4},
  {"http://0x", false, NOTV4},
  {"http://1.2.3.08", false, NOTV4},
  {"http://127.0.0.1.", false, "empty label"},
  {"http://[::1", false, "without ']'"},
  {"http://[::1]x", false, "expected :PORT"},
  {"http://[fe80::1%25eth0]", true, "not an IPv6 address"},
  {"http://[127.0.0.1]", false, "not an IPv6 address"},
  {"http://127.0.0.1\\evil.com", false, "only letters, digits"},
  {"http://%31%32%37.0.0.1", false, NOTV4},
  {"https://%65cd.example.com", false, "only letters, digits"},
  {"https://a..b", false, "empty label"},
  {"https://.example.com", false, "empty label"},
};

static void test_accepted(void **state)
{
  struct wr_endpoint ep;
  struct wr_err err = {0};
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(oks) / sizeof(oks[0]); i++) {
    const struct ok_case *c = &oks[i];

    print_message("%s\n", c->url);
    assert_int_equal(wr_endpoint_parse(c->url, c->insecure, &ep, &err), 0);
    assert_string_equal(ep.base, c->base);
    assert_string_equal(ep.host, c->host);
    assert_int_equal(ep.loopback, c->loopback);
    assert_int_equal(ep.port, c->port);
    assert_int_equal(ep.https, strncmp(c->base, "https:", 6) == 0);
    /* The normal form is a fixed point. */
    assert_int_equal(wr_endpoint_parse(c->base, c->insecure, &ep, &err), 0);
    assert_string_equal(ep.base, c->base);
  }
}

static void test_refused(void **state)
{
  struct wr_endpoint ep;
  struct wr_err err;
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
    const struct bad_case *c = &bads[i];

    print_message("%s\n", c->url);
    memset(&err, 0, sizeof(err));
    assert_int_equal(wr_endpoint_parse(c->url, c->insecure, &ep, &err),
                     WR_EUSAGE);
    assert_int_equal(err.code, WR_EUSAGE);
    if (strstr(err.msg, c->why) == NULL)
      fail_msg("%s: \"%s\"", c->url, err.msg);
    /* Names the option; the output says nothing. */
    assert_int_equal(strncmp(err.msg, "--endpoint: \"", 13), 0);
    assert_string_equal(ep.base, "");
    assert_string_equal(ep.host, "");
    /* Every password above is "s3cret" or "s3/cret"; no user name is
     * shown either. */
    assert_null(strstr(err.msg, "s3"));
    assert_null(strstr(err.msg, "user:"));
    assert_null(strstr(err.msg, "user@"));
    /* Printable: no control byte or raw non-ASCII reaches a terminal. */
    for (const char *p = err.msg; *p != '\0'; p++)
      assert_true(*p >= 0x20 && *p < 0x7f);
  }
  /* The value is named, userinfo masked, the rest kept. */
  wr_endpoint_parse("not a url", false, &ep, &err);
  assert_non_null(strstr(err.msg, "\"not a url\""));
  wr_endpoint_parse("https://user:s3cret@ecd.example.com", false, &ep, &err);
  assert_string_equal(err.msg, "--endpoint: \"https://***@ecd.example.com\": "
                      "a user name or password in the URL is not allowed; "
                      "credentials come from the environment or the aliyun "
                      "config");
  wr_endpoint_parse("http://a@b@127.0.0.1/x", false, &ep, &err);
  assert_non_null(strstr(err.msg, "\"http://***@127.0.0.1/x\""));
  wr_endpoint_parse("https://ecd.example.com\n", false, &ep, &err);
  assert_non_null(strstr(err.msg, "\"https://ecd.example.com?\""));
  wr_endpoint_parse("http://10.0.0.1", false, &ep, &err);
  assert_non_null(strstr(err.msg, "--insecure"));
}

/* A very long URL: refused, and the message shows only its start. */
static void test_long(void **state)
{
  struct wr_endpoint ep;
  struct wr_err err = {0};
  char *url = malloc(20000), label[80];

  (void)state;
  assert_non_null(url);
  strcpy(url, "https://");
  memset(url + 8, 'a', 19000);
  strcpy(url + 19008, ".com");
  assert_int_equal(wr_endpoint_parse(url, false, &ep, &err), WR_EUSAGE);
  assert_non_null(strstr(err.msg, "longer than 253"));
  assert_non_null(strstr(err.msg, "aaa...\""));
  assert_true(strlen(err.msg) < 400);
  /* 253 characters is the most a name may have, 63 a label. */
  memset(label, 'b', 63);
  snprintf(url, 20000, "https://%.63s.%.63s.%.63s.%.61s", label, label, label,
           label);
  assert_int_equal(wr_endpoint_parse(url, false, &ep, &err), 0);
  assert_int_equal(strlen(ep.host), 253);
  strcat(url, "d");
  assert_int_equal(wr_endpoint_parse(url, false, &ep, &err), WR_EUSAGE);
  assert_non_null(strstr(err.msg, "longer than 253"));
  memset(label, 'e', 64);
  snprintf(url, 20000, "https://%.64s.com", label);
  assert_int_equal(wr_endpoint_parse(url, false, &ep, &err), WR_EUSAGE);
  assert_non_null(strstr(err.msg, "longer than 63"));
  snprintf(url, 20000, "https://%.63s.com", label);
  assert_int_equal(wr_endpoint_parse(url, false, &ep, &err), 0);
  free(url);
}

/* curl reads each normal form as the same scheme, host and port: the
 * host judged is the host connected to. */
static void test_curl_agrees(void **state)
{
  struct wr_endpoint ep;
  struct wr_err err = {0};
  char *scheme, *host, *port, want[8];
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(oks) / sizeof(oks[0]); i++) {
    CURLU *u = curl_url();

    assert_non_null(u);
    assert_int_equal(wr_endpoint_parse(oks[i].url, true, &ep, &err), 0);
    assert_int_equal(curl_url_set(u, CURLUPART_URL, ep.base, 0), CURLUE_OK);
    assert_int_equal(curl_url_get(u, CURLUPART_SCHEME, &scheme, 0),
                     CURLUE_OK);
    assert_int_equal(curl_url_get(u, CURLUPART_HOST, &host, 0), CURLUE_OK);
    assert_int_equal(curl_url_get(u, CURLUPART_PORT, &port,
                                  CURLU_DEFAULT_PORT), CURLUE_OK);
    snprintf(want, sizeof(want), "%u", ep.port);
    assert_string_equal(scheme, ep.https ? "https" : "http");
    assert_string_equal(host, ep.name);
    assert_string_equal(port, want);
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    /* And on the URL as given (curl keeps the case of names). */
    assert_int_equal(curl_url_set(u, CURLUPART_URL, oks[i].url, 0),
                     CURLUE_OK);
    assert_int_equal(curl_url_get(u, CURLUPART_HOST, &host, 0), CURLUE_OK);
    assert_int_equal(curl_url_get(u, CURLUPART_PORT, &port,
                                  CURLU_DEFAULT_PORT), CURLUE_OK);
    assert_int_equal(strcasecmp(host, ep.name), 0);
    assert_string_equal(port, want);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
  }
}

/* The request builder takes the same forms: the URL and the signed Host
 * header are the normal form, and a URL the policy refuses is refused
 * there too (as a bad call). */
static void test_builder(void **state)
{
  static const char *ids[] = {"ecd-1"};
  struct wr_creds c = {0};
  struct wr_api_target t = {WR_API_ADMIN, WR_SIG_V3, NULL};
  struct wr_call call = {"RebootDesktops", "cn-hangzhou", ids, 1, NULL, 0,
                         NULL, NULL};
  struct wr_attempt a = {0, "nonce"};
  struct wr_http_request r;
  struct wr_err err = {0};
  size_t i;
  const char *host = NULL;

  (void)state;
  c.access_key_id = "id";
  c.access_key_secret = "secret";
  t.endpoint = "HTTP://0x7f.1:8080/";
  assert_int_equal(wr_api_build(&t, &c, &call, &a, &r, &err), 0);
  assert_int_equal(strncmp(r.url, "http://127.0.0.1:8080/?", 23), 0);
  for (i = 0; i < r.nheaders; i++)
    if (strcmp(r.headers[i].name, "host") == 0)
      host = r.headers[i].value;
  assert_string_equal(host, "127.0.0.1:8080");
  wr_http_request_free(&r);
  t.endpoint = NULL;
  assert_int_equal(wr_api_build(&t, &c, &call, &a, &r, &err), 0);
  assert_int_equal(strncmp(r.url, "https://ecd.cn-hangzhou.aliyuncs.com/?",
                           38), 0);
  wr_http_request_free(&r);
  t.endpoint = "http://user:s3cret@127.0.0.1";
  assert_int_equal(wr_api_build(&t, &c, &call, &a, &r, &err), WR_EINVAL);
  assert_non_null(strstr(err.msg, USERINFO));
  assert_null(strstr(err.msg, "s3cret"));
  assert_null(r.url);
  t.endpoint = "http://127.0.0.1:8080/x";
  assert_int_equal(wr_api_build(&t, &c, &call, &a, &r, &err), WR_EINVAL);
  assert_non_null(strstr(err.msg, NOPATH));
  assert_int_equal(err.code, WR_EINVAL);
}

static const char *built_url(const struct wr_api_target *t, const char *region)
{
  static const char *ids[] = {"ecd-1"};
  static char url[WR_ERR_LEN + 8];
  struct wr_creds c = {0};
  struct wr_call call = {"RebootDesktops", region, ids, 1, NULL, 0, NULL,
                         NULL};
  struct wr_attempt a = {0, "nonce"};
  struct wr_http_request r;
  struct wr_err err = {0};

  c.access_key_id = "id";
  c.access_key_secret = "secret";
  if (wr_api_build(t, &c, &call, &a, &r, &err) < 0) {
    snprintf(url, sizeof(url), "%s", err.msg);
    return url;
  }
  snprintf(url, sizeof(url), "%.*s", (int)strcspn(r.url, "?"), r.url);
  wr_http_request_free(&r);
  return url;
}

/* The builder keeps the last endpoint it read: a new URL or region, and
 * a refused one in between, still give each its own. */
static void test_builder_keeps_last(void **state)
{
  struct wr_api_target t = {WR_API_ADMIN, WR_SIG_V3, NULL};

  (void)state;
  t.endpoint = "http://localhost:1";
  assert_string_equal(built_url(&t, "cn-x"), "http://localhost:1/");
  t.endpoint = "http://localhost:2";
  assert_string_equal(built_url(&t, "cn-x"), "http://localhost:2/");
  t.endpoint = NULL;
  assert_string_equal(built_url(&t, "cn-x"), "https://ecd.cn-x.aliyuncs.com/");
  assert_string_equal(built_url(&t, "cn-y"), "https://ecd.cn-y.aliyuncs.com/");
  /* A region spelled as the last URL is still a region. */
  t.endpoint = "cn-y";
  assert_non_null(strstr(built_url(&t, "cn-y"), "not a URL"));
  t.endpoint = NULL;
  assert_string_equal(built_url(&t, "cn-y"), "https://ecd.cn-y.aliyuncs.com/");
  assert_non_null(strstr(built_url(&t, "cn y"), "not a valid region"));
  t.endpoint = "http://localhost:1/";
  assert_string_equal(built_url(&t, "cn-x"), "http://localhost:1/");
  /* Too long to keep (a port with 400 leading zeros is still a port):
   * read each time, the same answer. */
  {
    char url[420];

    memset(url, '0', sizeof(url));
    memcpy(url, "http://localhost:", 17);
    memcpy(url + sizeof(url) - 3, "7/", 3);
    t.endpoint = url;
    assert_string_equal(built_url(&t, "cn-x"), "http://localhost:7/");
    assert_string_equal(built_url(&t, "cn-x"), "http://localhost:7/");
    t.endpoint = "http://localhost:8";
    assert_string_equal(built_url(&t, "cn-x"), "http://localhost:8/");
    t.endpoint = url;
    assert_string_equal(built_url(&t, "cn-x"), "http://localhost:7/");
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_accepted),
    cmocka_unit_test(test_refused),
    cmocka_unit_test(test_long),
    cmocka_unit_test(test_curl_agrees),
    cmocka_unit_test(test_builder),
    cmocka_unit_test(test_builder_keeps_last),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
