/* RPC signature V1 (HMAC-SHA1): every vector of
 * tests/fixtures/vectors/rpc-v1-pop-core.json (@alicloud/pop-core) and every
 * published vector of API.md sections 3.5 and 3.6, byte for byte. */
#include "buf.h"
#include "err.h"
#include "sign.h"
#include "test_vectors.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#define MAXP 160

/* Sign params (sorted in place) and compare with what is expected. */
static void check(const char *method, struct wr_param *p, size_t n,
                  const char *secret, const char *want_sts,
                  const char *want_sig)
{
  struct wr_buf sig, sts;

  wr_buf_init(&sig, 256);
  wr_buf_init(&sts, 1 << 16);
  assert_int_equal(wr_sign_v1(method, p, n, secret, &sig, &sts), 0);
  if (want_sts != NULL)
    assert_string_equal(wr_buf_str(&sts), want_sts);
  assert_string_equal(wr_buf_str(&sig), want_sig);
  wr_buf_free(&sig);
  wr_buf_free(&sts);
}

static void test_sdk_vectors(void **state)
{
  cJSON *root = wr_test_load_json("rpc-v1-pop-core.json");
  const cJSON *vectors, *v;
  int count = 0;

  (void)state;
  assert_non_null(root);
  vectors = cJSON_GetObjectItemCaseSensitive(root, "vectors");
  assert_true(cJSON_IsArray(vectors));
  cJSON_ArrayForEach(v, vectors) {
    struct wr_param p[MAXP];
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(v, "params");
    const cJSON *item, *wire;
    struct wr_buf cq, sig, enc;
    size_t n = 0;
    const char *path;

    print_message("vector %s\n", wr_test_str(v, "name"));
    cJSON_ArrayForEach(item, params) {
      assert_true(n < MAXP);
      assert_true(cJSON_IsString(item));
      p[n].name = item->string;
      p[n].value = item->valuestring;
      n++;
    }
    wr_buf_init(&cq, 1 << 16);
    assert_int_equal(wr_canonical_query(p, n, &cq), 0);
    assert_string_equal(wr_buf_str(&cq),
                        wr_test_str(v, "canonicalizedQueryString"));
    check(wr_test_str(v, "method"), p, n, wr_test_str(v, "secret"),
          wr_test_str(v, "stringToSign"), wr_test_str(v, "signature"));

    /* The URL carries the signature percent-encoded once more. */
    wr_buf_init(&sig, 256);
    wr_buf_init(&enc, 256);
    assert_int_equal(wr_sign_v1(wr_test_str(v, "method"), p, n,
                                wr_test_str(v, "secret"), &sig, NULL), 0);
    assert_int_equal(wr_percent_encode(wr_buf_str(&sig), sig.len, &enc), 0);
    wire = cJSON_GetObjectItemCaseSensitive(v, "wire");
    path = wr_test_str(wire, "path");
    if (strcmp(path, "/") == 0)
      path = wr_test_str(wire, "body");
    assert_non_null(strstr(path, wr_buf_str(&enc)));
    assert_non_null(strstr(path, wr_buf_str(&cq)));
    wr_buf_free(&sig);
    wr_buf_free(&enc);
    wr_buf_free(&cq);
    count++;
  }
  assert_int_equal(count, 17);
  cJSON_Delete(root);
}

static void test_ecs_doc_example_a(void **state)
{
  struct wr_param p[] = {
    {"AccessKeyId", "testid"},
    {"Action", "DescribeRegions"},
    {"Format", "XML"},
    {"SignatureMethod", "HMAC-SHA1"},
    {"SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"},
    {"SignatureVersion", "1.0"},
    {"Timestamp", "2016-02-23T12:46:24Z"},
    {"Version", "2014-05-26"},
  };
  struct wr_buf sig, enc;

  (void)state;
  check("GET", p, 8, "testsecret",
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3D"
        "XML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-"
        "44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-"
        "02-23T12%253A46%253A24Z%26Version%3D2014-05-26",
        "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
  wr_buf_init(&sig, 256);
  wr_buf_init(&enc, 256);
  assert_int_equal(wr_sign_v1("GET", p, 8, "testsecret", &sig, NULL), 0);
  assert_int_equal(wr_percent_encode(wr_buf_str(&sig), sig.len, &enc), 0);
  assert_string_equal(wr_buf_str(&enc), "OLeaidS1JvxuMvnyHOwuJ%2BuX5qY%3D");
  wr_buf_free(&sig);
  wr_buf_free(&enc);
}

static void test_older_doc_variant_b(void **state)
{
  struct wr_param p[] = {
    {"TimeStamp", "2016-02-23T12:46:24Z"},
    {"AccessKeyId", "testid"},
    {"Action", "DescribeRegions"},
    {"Format", "XML"},
    {"SignatureMethod", "HMAC-SHA1"},
    {"SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"},
    {"SignatureVersion", "1.0"},
    {"Version", "2014-05-26"},
  };

  (void)state;
  check("GET", p, 8, "testsecret",
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3D"
        "XML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-"
        "44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26TimeStamp%3D2016-"
        "02-23T12%253A46%253A24Z%26Version%3D2014-05-26",
        "CT9X0VtwR86fNWSnsc6v8YGOjuE=");
}

static void test_openapi_util_c(void **state)
{
  struct wr_param py[] = {{"query", "test"}, {"body", "test"}};
  struct wr_param go[] = {{"test", "ok"}};

  (void)state;
  check("GET", py, 2, "secret", "GET&%2F&body%3Dtest%26query%3Dtest",
        "XlUyV4sXjOuX5FnjUz9IF9tm5rU=");
  /* The Go test signs with an empty method. */
  check("", go, 1, "accessKeySecret", "&%2F&test%3Dok",
        "jHx/oHoHNrbVfhncHEvPdHXZwHU=");
}

static void test_sdk_go_v1_d(void **state)
{
  struct wr_param ak[] = {
    {"AccessKeyId", "accessKeyId"}, {"Action", ""},
    {"Format", "JSON"},             {"RegionId", "regionId"},
    {"SignatureMethod", "HMAC-SHA1"}, {"SignatureNonce", "MOCK_UUID"},
    {"SignatureType", ""},          {"SignatureVersion", "1.0"},
    {"Timestamp", "mock date"},     {"Version", ""},
  };
  struct wr_param sts[11];
  struct wr_param one[] = {{"key", "value"}, {"q", "value"}};
  struct wr_param url[] = {{"key", "value"},
                           {"q", "http://domain/?q=value&q2=value2"}};
  struct wr_buf sig, s;

  (void)state;
  memcpy(sts, ak, sizeof(ak));
  check("GET", ak, 10, "accessKeySecret",
        "GET&%2F&AccessKeyId%3DaccessKeyId%26Action%3D%26Format%3DJSON%26"
        "RegionId%3DregionId%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce"
        "%3DMOCK_UUID%26SignatureType%3D%26SignatureVersion%3D1.0%26"
        "Timestamp%3Dmock%2520date%26Version%3D",
        "7loPmFjvDnzOVnQeQNj85S6nFGY=");
  sts[10].name = "SecurityToken";
  sts[10].value = "accessKeyStsToken";
  check("GET", sts, 11, "accessKeySecret", NULL,
        "5Nxdcler+ihqWqv0Hr2On4PsBf4=");

  /* buildRpcStringToSign cases. */
  wr_buf_init(&sig, 256);
  wr_buf_init(&s, 4096);
  assert_int_equal(wr_sign_v1("GET", NULL, 0, "x", &sig, &s), 0);
  assert_string_equal(wr_buf_str(&s), "GET&%2F&");
  wr_buf_reset(&s);
  assert_int_equal(wr_sign_v1("GET", one, 1, "x", &sig, &s), 0);
  assert_string_equal(wr_buf_str(&s), "GET&%2F&key%3Dvalue");
  wr_buf_reset(&s);
  assert_int_equal(wr_sign_v1("GET", one, 2, "x", &sig, &s), 0);
  assert_string_equal(wr_buf_str(&s), "GET&%2F&key%3Dvalue%26q%3Dvalue");
  wr_buf_reset(&s);
  assert_int_equal(wr_sign_v1("GET", url, 2, "x", &sig, &s), 0);
  assert_string_equal(wr_buf_str(&s),
                      "GET&%2F&key%3Dvalue%26q%3Dhttp%253A%252F%252Fdomain"
                      "%252F%253Fq%253Dvalue%2526q2%253Dvalue2");
  wr_buf_free(&sig);
  wr_buf_free(&s);
}

static void test_reboot_desktops_3_6(void **state)
{
  struct wr_param p[12] = {
    {"AccessKeyId", "testid"},
    {"Action", "RebootDesktops"},
    {"DesktopId.1", "ecd-aaaa0000000000001"},
    {"DesktopId.2", "ecd-bbbb0000000000002"},
    {"Format", "JSON"},
    {"RegionId", "cn-hangzhou"},
    {"SignatureMethod", "HMAC-SHA1"},
    {"SignatureNonce", "8f6f6b5e-0c2a-4d0c-9a55-3b1f2f0e6a11"},
    {"SignatureVersion", "1.0"},
    {"Timestamp", "2024-05-01T08:00:00Z"},
    {"Version", "2020-09-30"},
  };
  struct wr_buf cq;

  (void)state;
  wr_buf_init(&cq, 4096);
  assert_int_equal(wr_canonical_query(p, 11, &cq), 0);
  assert_string_equal(
      wr_buf_str(&cq),
      "AccessKeyId=testid&Action=RebootDesktops&DesktopId.1=ecd-aaaa00000000"
      "00001&DesktopId.2=ecd-bbbb0000000000002&Format=JSON&RegionId=cn-hangz"
      "hou&SignatureMethod=HMAC-SHA1&SignatureNonce=8f6f6b5e-0c2a-4d0c-9a55-"
      "3b1f2f0e6a11&SignatureVersion=1.0&Timestamp=2024-05-01T08%3A00%3A00Z"
      "&Version=2020-09-30");
  wr_buf_free(&cq);
  check("POST", p, 11, "testsecret", NULL, "Hl6uEQ7fFGzDb2cK5f1xQ0TFwAw=");
  p[11].name = "SecurityToken";
  p[11].value = "CAIS+token/with=chars~*";
  check("POST", p, 12, "testsecret",
        "POST&%2F&AccessKeyId%3Dtestid%26Action%3DRebootDesktops%26DesktopId"
        ".1%3Decd-aaaa0000000000001%26DesktopId.2%3Decd-bbbb0000000000002%26"
        "Format%3DJSON%26RegionId%3Dcn-hangzhou%26SecurityToken%3DCAIS%252Bto"
        "ken%252Fwith%253Dchars~%252A%26SignatureMethod%3DHMAC-SHA1%26Signatu"
        "reNonce%3D8f6f6b5e-0c2a-4d0c-9a55-3b1f2f0e6a11%26SignatureVersion%3D"
        "1.0%26Timestamp%3D2024-05-01T08%253A00%253A00Z%26Version%3D2020-09-30",
        "asfx4DPvjSTs4WqCUA7JAeb79yk=");
}

static void test_wrong_secret_differs(void **state)
{
  struct wr_param p[] = {{"Action", "RebootDesktops"}};
  struct wr_buf a, b;

  (void)state;
  wr_buf_init(&a, 256);
  wr_buf_init(&b, 256);
  assert_int_equal(wr_sign_v1("POST", p, 1, "secret", &a, NULL), 0);
  assert_int_equal(wr_sign_v1("POST", p, 1, "secreT", &b, NULL), 0);
  assert_string_not_equal(wr_buf_str(&a), wr_buf_str(&b));
  wr_buf_reset(&b);
  assert_int_equal(wr_sign_v1("GET", p, 1, "secret", &b, NULL), 0);
  assert_string_not_equal(wr_buf_str(&a), wr_buf_str(&b));
  wr_buf_free(&a);
  wr_buf_free(&b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_sdk_vectors),
    cmocka_unit_test(test_ecs_doc_example_a),
    cmocka_unit_test(test_older_doc_variant_b),
    cmocka_unit_test(test_openapi_util_c),
    cmocka_unit_test(test_sdk_go_v1_d),
    cmocka_unit_test(test_reboot_desktops_3_6),
    cmocka_unit_test(test_wrong_secret_differs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
