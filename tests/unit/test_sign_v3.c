/* Signature V3 (ACS3-HMAC-SHA256): every vector of
 * tests/fixtures/vectors/v3-openapi-client.json (@alicloud/openapi-client)
 * and every published vector of API.md sections 4.3 and 4.4. */
#include "buf.h"
#include "err.h"
#include "hmac.h"
#include "sign.h"
#include "test_vectors.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#define MAXP 160
#define EMPTY_SHA256 \
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct want {
  const char *creq;  /* NULL: not checked */
  const char *sts;
  const char *signed_headers;
  const char *sig;
};

/* The run's path: the secret prepared once, then used for every call
 * (several times here: the key must survive a MAC), the canonical query
 * made by the signer or handed to it made already (as the URL's). */
static void check_keyed(struct wr_v3_input *in, const char *secret,
                        const struct want *w)
{
  struct wr_hmac_key *key = NULL;
  struct wr_buf cq;
  int i;

  wr_buf_init(&cq, 1 << 16);
  assert_int_equal(wr_canonical_query(in->query, in->nquery, &cq), 0);
  assert_int_equal(wr_hmac_key_create(secret, strlen(secret), &key), 0);
  for (i = 0; i < 4; i++) {
    struct wr_buf sig, sh;
    const char *q = i % 2 ? wr_buf_str(&cq) : NULL;

    wr_buf_init(&sig, 256);
    wr_buf_init(&sh, 4096);
    assert_int_equal(wr_sign_v3_keyed(in, q, key, &sig, &sh), 0);
    if (w->signed_headers != NULL)
      assert_string_equal(wr_buf_str(&sh), w->signed_headers);
    assert_string_equal(wr_buf_str(&sig), w->sig);
    wr_buf_free(&sig);
    wr_buf_free(&sh);
  }
  wr_hmac_key_destroy(&key);
  assert_null(key);
  wr_buf_free(&cq);
}

static void check(struct wr_v3_input *in, const char *secret,
                  const struct want *w)
{
  struct wr_buf sig, sh, creq, sts;

  wr_buf_init(&sig, 256);
  wr_buf_init(&sh, 4096);
  wr_buf_init(&creq, 1 << 16);
  wr_buf_init(&sts, 4096);
  assert_int_equal(wr_sign_v3(in, secret, &sig, &sh, &creq, &sts), 0);
  if (w->creq != NULL)
    assert_string_equal(wr_buf_str(&creq), w->creq);
  if (w->sts != NULL)
    assert_string_equal(wr_buf_str(&sts), w->sts);
  if (w->signed_headers != NULL)
    assert_string_equal(wr_buf_str(&sh), w->signed_headers);
  assert_string_equal(wr_buf_str(&sig), w->sig);
  wr_buf_free(&sig);
  wr_buf_free(&sh);
  wr_buf_free(&creq);
  wr_buf_free(&sts);
  check_keyed(in, secret, w);
}

/* The SDK signs host, content-type and every x-acs-* header it sends. */
static int signed_by_sdk(const char *name)
{
  return strcmp(name, "host") == 0 || strcmp(name, "content-type") == 0 ||
         strncmp(name, "x-acs-", 6) == 0;
}

static void test_sdk_vectors(void **state)
{
  cJSON *root = wr_test_load_json("v3-openapi-client.json");
  const cJSON *v;
  int count = 0;

  (void)state;
  assert_non_null(root);
  cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(root, "vectors")) {
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(v, "signedRequest");
    const cJSON *item;
    struct wr_param q[MAXP], h[32];
    struct wr_v3_input in = {0};
    struct want w;
    char auth[1024];
    size_t nq = 0, nh = 0;

    print_message("vector %s\n", wr_test_str(v, "name"));
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(req, "query")) {
      assert_true(nq < MAXP);
      q[nq].name = item->string;
      q[nq++].value = item->valuestring;
    }
    cJSON_ArrayForEach(item,
                       cJSON_GetObjectItemCaseSensitive(req, "headers")) {
      if (!signed_by_sdk(item->string))
        continue;
      assert_true(nh < 32);
      h[nh].name = item->string;
      h[nh++].value = item->valuestring;
    }
    in.method = wr_test_str(req, "method");
    in.path = wr_test_str(req, "pathname");
    in.query = q;
    in.nquery = nq;
    in.headers = h;
    in.nheaders = nh;
    in.payload_hash_hex = wr_test_str(v, "hashedRequestPayload");
    w.creq = wr_test_str(v, "canonicalRequest");
    w.sts = wr_test_str(v, "stringToSign");
    w.signed_headers = wr_test_str(v, "signedHeaders");
    w.sig = wr_test_str(v, "signature");
    check(&in, wr_test_str(v, "secret"), &w);
    snprintf(auth, sizeof(auth),
             "ACS3-HMAC-SHA256 Credential=%s,SignedHeaders=%s,Signature=%s",
             wr_test_str(v, "accessKeyId"), w.signed_headers, w.sig);
    assert_string_equal(auth, wr_test_str(v, "authorization"));
    count++;
  }
  assert_int_equal(count, 14);
  cJSON_Delete(root);
}

static void test_official_doc_example_e(void **state)
{
  struct wr_param q[] = {
    {"RegionId", "cn-shanghai"},
    {"ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"},
  };
  struct wr_param h[] = {
    {"host", "ecs.cn-shanghai.aliyuncs.com"},
    {"x-acs-action", "RunInstances"},
    {"x-acs-version", "2014-05-26"},
    {"x-acs-date", "2023-10-26T10:22:32Z"},
    {"x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"},
    {"x-acs-content-sha256", EMPTY_SHA256},
  };
  struct wr_v3_input in = {"POST", "/", q, 2, h, 6, EMPTY_SHA256};
  struct want w = {
    "POST\n/\n"
    "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn"
    "-shanghai\n"
    "host:ecs.cn-shanghai.aliyuncs.com\n"
    "x-acs-action:RunInstances\n"
    "x-acs-content-sha256:" EMPTY_SHA256 "\n"
    "x-acs-date:2023-10-26T10:22:32Z\n"
    "x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n"
    "x-acs-version:2014-05-26\n"
    "\n"
    "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce"
    ";x-acs-version\n" EMPTY_SHA256,
    "ACS3-HMAC-SHA256\n"
    "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259",
    "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce"
    ";x-acs-version",
    "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0",
  };

  (void)state;
  check(&in, "YourAccessKeySecret", &w);
}

static void test_openapi_util_f(void **state)
{
  const char *hash =
      "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23";
  struct wr_param q[] = {{"test", "ok"}, {"empty", ""}};
  /* Same name in two cases, merged as "http,https". */
  struct wr_param h[] = {{"x-acs-test", "http"}, {"x-acs-TEST", "https"}};
  struct wr_v3_input in = {"GET", "", q, 2, h, 2, hash};
  struct want py = {
    "GET\n/\nempty=&test=ok\nx-acs-test:http,https\n\nx-acs-test\n"
    "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23",
    NULL, "x-acs-test",
    "d16b30a7699ae9e43875b13195b2f81bcc3ed10c14a9b5eb780e51619aa50be1",
  };
  struct want go = {
    "\n/\nempty=&test=ok\nx-acs-test:http,https\n\nx-acs-test\n"
    "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23",
    NULL, "x-acs-test",
    "4ab59fffe3c5738ff8a2729f90cc04fe18b02a4b15b2102cbaf92f9ff3df2ea3",
  };
  struct wr_param h2[] = {{"x-acs-TEST", "https"}, {"x-acs-test", "http"}};

  (void)state;
  check(&in, "secret", &py);
  in.method = "";
  check(&in, "secret", &go);
  /* The merge does not depend on the order the headers came in. */
  in.headers = h2;
  check(&in, "secret", &go);
}

static void test_reboot_desktops_4_4(void **state)
{
  struct wr_param q[] = {
    {"RegionId", "cn-hangzhou"},
    {"DesktopId.2", "ecd-bbbb0000000000002"},
    {"DesktopId.1", "ecd-aaaa0000000000001"},
  };
  struct wr_param h[7] = {
    {"host", "ecd.cn-hangzhou.aliyuncs.com"},
    {"x-acs-action", "RebootDesktops"},
    {"x-acs-version", "2020-09-30"},
    {"x-acs-date", "2024-05-01T08:00:00Z"},
    {"x-acs-signature-nonce", "3c5a1f0e9b2d4c6e8a7b9c0d1e2f3a4b"},
    {"x-acs-content-sha256", EMPTY_SHA256},
  };
  struct wr_v3_input in = {"POST", "/", q, 3, h, 6, EMPTY_SHA256};
  struct want ak = {
    NULL,
    "ACS3-HMAC-SHA256\n"
    "3b01530bdb14f42938d5a2e28b6c61c6a20d7b43da170dd78fc5985d41c40edf",
    "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce"
    ";x-acs-version",
    "f2f8cef8745bb0b983b6b40eb183c643ce8139e3d1067f9181843a29bed7a771",
  };
  struct want sts = {
    NULL,
    "ACS3-HMAC-SHA256\n"
    "57a906ed952f07c9580f3662aa4f4a21834adfd96acd59cfee3cb285d59dbb21",
    "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token"
    ";x-acs-signature-nonce;x-acs-version",
    "f96b71f478e6536489ae21659f8bfe7598bca2fbbe93df102efebf8e02ab7026",
  };

  (void)state;
  check(&in, "testsecret", &ak);
  h[6].name = "x-acs-security-token";
  h[6].value = "CAIS+token/with=chars~*";
  in.nheaders = 7;
  check(&in, "testsecret", &sts);
}

static void test_header_values_trimmed_names_lowercased(void **state)
{
  struct wr_param h1[] = {{"Host", "  example.com\t"}, {"X-Acs-A", "1"}};
  struct wr_param h2[] = {{"x-acs-a", "1"}, {"host", "example.com"}};
  struct wr_v3_input in = {"POST", "/", NULL, 0, h1, 2, EMPTY_SHA256};
  struct wr_buf a, b, creq;

  (void)state;
  wr_buf_init(&a, 256);
  wr_buf_init(&b, 256);
  wr_buf_init(&creq, 4096);
  assert_int_equal(wr_sign_v3(&in, "k", &a, NULL, &creq, NULL), 0);
  assert_string_equal(wr_buf_str(&creq),
                      "POST\n/\n\nhost:example.com\nx-acs-a:1\n\n"
                      "host;x-acs-a\n" EMPTY_SHA256);
  in.headers = h2;
  assert_int_equal(wr_sign_v3(&in, "k", &b, NULL, NULL, NULL), 0);
  assert_string_equal(wr_buf_str(&a), wr_buf_str(&b));
  wr_buf_reset(&b);
  assert_int_equal(wr_sign_v3(&in, "K", &b, NULL, NULL, NULL), 0);
  assert_string_not_equal(wr_buf_str(&a), wr_buf_str(&b));
  wr_buf_free(&a);
  wr_buf_free(&b);
  wr_buf_free(&creq);
}

/* More headers than the signer keeps on its stack (16): the same
 * canonical request whatever the order they come in. */
static void test_many_headers(void **state)
{
  struct wr_param h[20], r[20];
  char names[20][16];
  struct wr_v3_input in = {"POST", "/", NULL, 0, h, 20, EMPTY_SHA256};
  struct wr_buf a, b, creq, names_a;
  const char *want_names;
  size_t i;

  (void)state;
  for (i = 0; i < 20; i++) {
    snprintf(names[i], sizeof(names[i]), "X-Acs-H%02zu", 19 - i);
    h[i] = (struct wr_param){names[i], i % 2 ? " v " : "v"};
    r[19 - i] = h[i];
  }
  wr_buf_init(&a, 256);
  wr_buf_init(&b, 256);
  wr_buf_init(&creq, 1 << 16);
  wr_buf_init(&names_a, 4096);
  assert_int_equal(wr_sign_v3(&in, "k", &a, &names_a, &creq, NULL), 0);
  want_names = "x-acs-h00;x-acs-h01;x-acs-h02;x-acs-h03;x-acs-h04;x-acs-h05;"
               "x-acs-h06;x-acs-h07;x-acs-h08;x-acs-h09;x-acs-h10;x-acs-h11;"
               "x-acs-h12;x-acs-h13;x-acs-h14;x-acs-h15;x-acs-h16;x-acs-h17;"
               "x-acs-h18;x-acs-h19";
  assert_string_equal(wr_buf_str(&names_a), want_names);
  assert_non_null(strstr(wr_buf_str(&creq), "\nx-acs-h00:v\nx-acs-h01:v\n"));
  in.headers = r;
  assert_int_equal(wr_sign_v3(&in, "k", &b, NULL, NULL, NULL), 0);
  assert_string_equal(wr_buf_str(&a), wr_buf_str(&b));
  /* Seventeen: the first count past the stack array. */
  in.nheaders = 17;
  wr_buf_reset(&names_a);
  assert_int_equal(wr_sign_v3(&in, "k", &b, &names_a, NULL, NULL), 0);
  assert_string_equal(wr_buf_str(&names_a),
                      "x-acs-h00;x-acs-h01;x-acs-h02;x-acs-h03;x-acs-h04;"
                      "x-acs-h05;x-acs-h06;x-acs-h07;x-acs-h08;x-acs-h09;"
                      "x-acs-h10;x-acs-h11;x-acs-h12;x-acs-h13;x-acs-h14;"
                      "x-acs-h15;x-acs-h16");
  wr_buf_free(&a);
  wr_buf_free(&b);
  wr_buf_free(&creq);
  wr_buf_free(&names_a);
}

/* Neither a secret nor a prepared key: an error, not a NULL secret. */
static void test_no_secret_no_key(void **state)
{
  struct wr_param h[] = {{"host", "example.com"}};
  struct wr_v3_input in = {"POST", "/", NULL, 0, h, 1, EMPTY_SHA256};
  struct wr_buf sig;

  (void)state;
  wr_buf_init(&sig, 256);
  assert_int_equal(wr_sign_v3(&in, NULL, &sig, NULL, NULL, NULL), WR_EINVAL);
  assert_int_equal(wr_sign_v3_keyed(&in, NULL, NULL, &sig, NULL), WR_EINVAL);
  assert_int_equal(sig.len, 0);
  wr_buf_free(&sig);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_sdk_vectors),
    cmocka_unit_test(test_official_doc_example_e),
    cmocka_unit_test(test_openapi_util_f),
    cmocka_unit_test(test_reboot_desktops_4_4),
    cmocka_unit_test(test_header_values_trimmed_names_lowercased),
    cmocka_unit_test(test_many_headers),
    cmocka_unit_test(test_no_secret_no_key),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
