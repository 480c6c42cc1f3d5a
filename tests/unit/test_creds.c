/* Credentials from every source, their precedence and every error case,
 * with a temporary HOME; redaction of what they hold. */
#include "buf.h"
#include "config.h"
#include "auth.h"
#include "creds.h"
#include "err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char home[256];

/* No network in this test: every STS or metadata call fails. */
static int no_network(const struct wr_fetch_req *req, long *status,
                      struct wr_buf *body, struct wr_err *err)
{
  (void)status;
  wr_buf_init(body, 1);
  return wr_err_set(err, WR_EIO, "%s: no network in this test",
                    req->method);
}

static const char *const all_vars[] = {
  "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABACLOUD_ACCESS_KEY_ID",
  "ALICLOUD_ACCESS_KEY_ID", "ACCESS_KEY_ID",
  "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABACLOUD_ACCESS_KEY_SECRET",
  "ALICLOUD_ACCESS_KEY_SECRET", "ACCESS_KEY_SECRET",
  "ALIBABA_CLOUD_SECURITY_TOKEN", "ALIBABACLOUD_SECURITY_TOKEN",
  "ALICLOUD_SECURITY_TOKEN", "SECURITY_TOKEN",
  "ALIBABACLOUD_PROFILE", "ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE",
  "ALIBABA_CLOUD_IGNORE_PROFILE", "WUYING_CLIENT_ID", "WUYING_CLIENT_OS",
  "WUYING_CLIENT_VERSION", "WUYING_LOGIN_TOKEN", "WUYING_SESSION_ID",
  "WUYING_SESSION_TOKEN", NULL,
};

static const char *config_json =
    "{\"current\":\"main\",\"profiles\":["
    "{\"name\":\"main\",\"mode\":\"AK\",\"access_key_id\":\"file-id\","
    "\"access_key_secret\":\"file-secret\"},"
    "{\"name\":\"sts\",\"mode\":\"StsToken\",\"access_key_id\":\"sts-id\","
    "\"access_key_secret\":\"sts-secret\",\"sts_token\":\"sts-token\"},"
    "{\"name\":\"lower\",\"mode\":\"ststoken\",\"access_key_id\":\"l-id\","
    "\"access_key_secret\":\"l-secret\",\"sts_token\":\"l-token\"},"
    "{\"name\":\"role\",\"mode\":\"RamRoleArn\",\"access_key_id\":\"a\","
    "\"access_key_secret\":\"b\",\"ram_role_arn\":\"arn\"},"
    "{\"name\":\"half\",\"mode\":\"AK\",\"access_key_id\":\"a\"},"
    "{\"name\":\"nosts\",\"mode\":\"StsToken\",\"access_key_id\":\"a\","
    "\"access_key_secret\":\"b\"}],\"meta_path\":\"\"}";

static void write_config(const char *text, mode_t mode)
{
  char path[512];
  FILE *f;

  snprintf(path, sizeof(path), "%s/.aliyun", home);
  mkdir(path, 0700);
  snprintf(path, sizeof(path), "%s/.aliyun/config.json", home);
  f = fopen(path, "w");
  assert_non_null(f);
  assert_true(fputs(text, f) >= 0);
  assert_int_equal(fclose(f), 0);
  assert_int_equal(chmod(path, mode), 0);
}

static void remove_config(void)
{
  char path[512];

  snprintf(path, sizeof(path), "%s/.aliyun/config.json", home);
  unlink(path);
}

static int setup(void **state)
{
  size_t i;

  (void)state;
  for (i = 0; all_vars[i] != NULL; i++)
    unsetenv(all_vars[i]);
  setenv("HOME", home, 1);
  remove_config();
  return 0;
}

static int load(enum wr_api_mode api, const char *profile,
                struct wr_creds *c, struct wr_err *err)
{
  struct wr_config cfg;

  memset(&cfg, 0, sizeof(cfg));
  cfg.api = api;
  cfg.profile = (char *)profile;
  memset(err, 0, sizeof(*err));
  return wr_auth_load(&cfg, c, err);
}

static void expect_error(const char *profile, const char *needle)
{
  struct wr_creds c;
  struct wr_err err;

  assert_int_equal(load(WR_API_ADMIN, profile, &c, &err), WR_ECREDS);
  print_message("%s\n", err.msg);
  if (strstr(err.msg, needle) == NULL)
    fail_msg("'%s' not in '%s'", needle, err.msg);
  assert_null(c.access_key_secret);
}

static void test_env_primary_names(void **state)
{
  struct wr_creds c;
  struct wr_err err;

  (void)state;
  setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "env-id", 1);
  setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret", 1);
  assert_int_equal(load(WR_API_ADMIN, NULL, &c, &err), 0);
  assert_string_equal(c.access_key_id, "env-id");
  assert_string_equal(c.access_key_secret, "env-secret");
  assert_null(c.security_token);
  assert_non_null(strstr(c.source, "environment"));
  wr_creds_free(&c);
  assert_null(c.access_key_secret);
  setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "env-token", 1);
  assert_int_equal(load(WR_API_ADMIN, NULL, &c, &err), 0);
  assert_string_equal(c.security_token, "env-token");
  wr_creds_free(&c);
}

static void test_env_aliases_in_order(void **state)
{
  struct wr_creds c;
  struct wr_err err;

  (void)state;
  setenv("ACCESS_KEY_ID", "old-id", 1);
  setenv("ALICLOUD_ACCESS_KEY_SECRET", "ali-secret", 1);
  setenv("SECURITY_TOKEN", "old-token", 1);
  assert_int_equal(load(WR_API_ADMIN, NULL, &c, &err), 0);
  assert_string_equal(c.access_key_id, "old-id");
  assert_string_equal(c.access_key_secret, "ali-secret");
  assert_string_equal(c.security_token, "old-token");
  assert_non_null(strstr(c.source, "ALICLOUD_ACCESS_KEY_SECRET"));
  wr_creds_free(&c);
  setenv("ALIBABACLOUD_ACCESS_KEY_ID", "new-id", 1);
  setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "new-secret", 1);
  assert_int_equal(load(WR_API_ADMIN, NULL, &c, &err), 0);
  assert_string_equal(c.access_key_id, "new-id");
  assert_string_equal(c.access_key_secret, "new-secret");
  wr_creds_free(&c);
  /* An empty variable counts as unset. */
  setenv("ALIBABACLOUD_ACCESS_KEY_ID", "", 1);
  assert_int_equal(load(WR_API_ADMIN, NULL, &c, &err), 0);
  assert_string_equal(c.access_key_id, "old-id");
  wr_creds_free(&c);
}

static void test_env_partial(void **state)
{
  (void)state;
  write_config(config_json, 0600); /* never a fallback for half an env */
  setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "id", 1);
  expect_error(NULL, "ALIBABA_CLOUD_ACCESS_KEY_SECRET");
  unsetenv("ALIBABA_CLOUD_ACCESS_KEY_ID");
  setenv("ALICLOUD_ACCESS_KEY_SECRET", "s", 1);
  expect_error(NULL, "ALIBABA_CLOUD_ACCESS_KEY_ID");
  unsetenv("ALICLOUD_ACCESS_KEY_SECRET");
  setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "t", 1);
  expect_error(NULL, "ALIBABA_CLOUD_ACCESS_KEY_ID");
}

static void test_profile_current_and_named(void **state)
{
  struct wr_creds c;
  struct wr_err err;

  (void)state;
  write_config(config_json, 0600);
  assert_int_equal(load(WR_API_ADMIN, NULL, &c, &err), 0);
  assert_string_equal(c.access_key_id, "file-id");
  assert_string_equal(c.access_key_secret, "file-secret");
  assert_null(c.security_token);
  assert_non_null(strstr(c.source, "profile 'main'"));
  wr_creds_free(&c);
  assert_int_equal(load(WR_API_ADMIN, "sts", &c, &err), 0);
  assert_string_equal(c.access_key_id, "sts-id");
  assert_string_equal(c.security_token, "sts-token");
  wr_creds_free(&c);
  assert_int_equal(load(WR_API_ADMIN, "lower", &c, &err), 0);
  assert_string_equal(c.security_token, "l-token"); /* mode is any case */
  wr_creds_free(&c);
  /* ALIBABA_CLOUD_PROFILE (and aliases) pick the profile. */
  setenv("ALIBABA_CLOUD_PROFILE", "sts", 1);
  assert_int_equal(load(WR_API_ADMIN, NULL, &c, &err), 0);
  assert_string_equal(c.access_key_id, "sts-id");
  wr_creds_free(&c);
  setenv("ALIBABACLOUD_PROFILE", "lower", 1); /* first in the CLI's order */
  assert_int_equal(load(WR_API_ADMIN, NULL, &c, &err), 0);
  assert_string_equal(c.access_key_id, "l-id");
  wr_creds_free(&c);
  /* --profile beats the variable. */
  assert_int_equal(load(WR_API_ADMIN, "main", &c, &err), 0);
  assert_string_equal(c.access_key_id, "file-id");
  wr_creds_free(&c);
}

static void test_precedence(void **state)
{
  struct wr_creds c;
  struct wr_err err;

  (void)state;
  write_config(config_json, 0600);
  setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "env-id", 1);
  setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret", 1);
  /* The environment beats the file's current profile... */
  assert_int_equal(load(WR_API_ADMIN, NULL, &c, &err), 0);
  assert_string_equal(c.access_key_id, "env-id");
  wr_creds_free(&c);
  /* ... and --profile beats the environment (there is no AccessKey
   * option: the option table has none, and none is accepted). */
  assert_int_equal(load(WR_API_ADMIN, "sts", &c, &err), 0);
  assert_string_equal(c.access_key_id, "sts-id");
  wr_creds_free(&c);
  assert_int_equal(wr_creds_set_option("access-key-secret", "x", true),
                   WR_EINVAL);
  assert_int_equal(wr_creds_set_option("no-such-option", "x", true), WR_EINVAL);
}

static void test_profile_errors(void **state)
{
  (void)state;
  expect_error(NULL, "ALIBABA_CLOUD_ACCESS_KEY_ID"); /* nothing at all */
  expect_error(NULL, "config.json");
  expect_error("main", "no such file");
  write_config(config_json, 0600);
  expect_error("nobody", "no profile named 'nobody'");
  expect_error("role", "RamRoleArn");
  expect_error("role", "STS AssumeRole"); /* tried now (test_auth.c) */
  expect_error("half", "access_key_secret");
  expect_error("nosts", "sts_token");
  setenv("ALIBABA_CLOUD_IGNORE_PROFILE", "TRUE", 1);
  expect_error(NULL, "ALIBABA_CLOUD_IGNORE_PROFILE");
  unsetenv("ALIBABA_CLOUD_IGNORE_PROFILE");
  write_config("{\"profiles\":[]}", 0600);
  expect_error(NULL, "current");
  write_config("{\"current\":\"main\",\n\"profiles\":[\n{]", 0600);
  expect_error(NULL, "config.json:3: not a valid");
  unsetenv("HOME");
  expect_error(NULL, "HOME");
}

/* Run a load with stderr captured into buf. */
static void load_capturing_stderr(const char *profile, char *buf, size_t n)
{
  struct wr_creds c;
  struct wr_err err;
  char path[512];
  int fd, saved;
  ssize_t got;

  snprintf(path, sizeof(path), "%s/stderr.txt", home);
  fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  assert_true(fd >= 0);
  fflush(stderr);
  saved = dup(2);
  dup2(fd, 2);
  assert_int_equal(load(WR_API_ADMIN, profile, &c, &err), 0);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  wr_creds_free(&c);
  lseek(fd, 0, SEEK_SET);
  got = read(fd, buf, n - 1);
  buf[got > 0 ? got : 0] = '\0';
  close(fd);
}

static void test_world_readable_config_warns(void **state)
{
  char out[2048];

  (void)state;
  write_config(config_json, 0644);
  load_capturing_stderr(NULL, out, sizeof(out));
  assert_non_null(strstr(out, "config.json is readable by other users"));
  write_config(config_json, 0600);
  load_capturing_stderr(NULL, out, sizeof(out));
  assert_null(strstr(out, "readable"));
  /* No secret in the messages. */
  assert_null(strstr(out, "file-secret"));
}

static void test_client(void **state)
{
  struct wr_config cfg;
  struct wr_creds c;
  struct wr_err err = {0};

  (void)state;
  memset(&cfg, 0, sizeof(cfg));
  cfg.api = WR_API_CLIENT;
  assert_int_equal(wr_auth_load(&cfg, &c, &err), WR_ECREDS);
  assert_non_null(strstr(err.msg, "--client-id"));
  assert_non_null(strstr(err.msg, "WUYING_CLIENT_ID"));
  setenv("WUYING_CLIENT_ID", "env-client", 1);
  setenv("WUYING_LOGIN_TOKEN", "env-login", 1);
  setenv("WUYING_SESSION_ID", "env-session", 1);
  assert_int_equal(wr_auth_load(&cfg, &c, &err), 0);
  assert_string_equal(c.client_id, "env-client");
  assert_string_equal(c.login_token, "env-login");
  assert_string_equal(c.session_id, "env-session");
  assert_null(c.session_token);
  assert_null(c.access_key_secret); /* the client API is anonymous */
  wr_creds_free(&c);
  cfg.client_id = "opt-client";
  cfg.client_os = "Linux";
  cfg.client_version = "1.0";
  setenv("WUYING_SESSION_TOKEN", "env-st", 1);
  assert_int_equal(wr_creds_set_option("login-token", "opt-login", true), 0);
  assert_int_equal(wr_creds_set_option("login-token", "opt-login2", true), 0);
  assert_int_equal(wr_auth_load(&cfg, &c, &err), 0);
  assert_string_equal(c.client_id, "opt-client");
  assert_string_equal(c.client_os, "Linux");
  assert_string_equal(c.client_version, "1.0");
  assert_string_equal(c.login_token, "opt-login2");
  assert_string_equal(c.session_token, "env-st");
  wr_creds_free(&c);
}

static void test_redact(void **state)
{
  struct wr_creds c;
  struct wr_buf out;
  char mask[WR_CREDS_MASK_LEN];

  (void)state;
  memset(&c, 0, sizeof(c));
  c.access_key_id = "LTAI5tAbCdEfGhIjKlMn1234";
  c.access_key_secret = "sec/ret+1";
  c.security_token = "tok en*";
  c.session_token = "st+AbC/dEf=gh&ij~kl*mn";
  wr_buf_init(&out, 4096);
  assert_int_equal(
      wr_creds_redact(&c,
                      "a sec/ret+1 b sec%2Fret%2B1 c tok%20en%2A d tok%20en* "
                      "e st%2BAbC%2FdEf%3Dgh%26ij~kl*mn f LTAI5tAbCdEfGhIjKl"
                      "Mn1234 g",
                      &out),
      0);
  assert_string_equal(wr_buf_str(&out),
                      "a *** b *** c *** d *** e *** f LTAI***1234 g");
  wr_buf_free(&out);
  wr_creds_mask_id("short", mask);
  assert_string_equal(mask, "***");
  wr_creds_mask_id(NULL, mask);
  assert_string_equal(mask, "***");
  wr_creds_mask_id("LTAI0123456789ab", mask);
  assert_string_equal(mask, "LTAI***89ab");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup(test_env_primary_names, setup),
    cmocka_unit_test_setup(test_env_aliases_in_order, setup),
    cmocka_unit_test_setup(test_env_partial, setup),
    cmocka_unit_test_setup(test_profile_current_and_named, setup),
    cmocka_unit_test_setup(test_profile_errors, setup),
    cmocka_unit_test_setup(test_world_readable_config_warns, setup),
    cmocka_unit_test_setup(test_precedence, setup),
    cmocka_unit_test_setup(test_client, setup),
    cmocka_unit_test(test_redact),
  };
  int rc;
  char cmd[300];

  wr_auth_set_fetch(no_network);
  snprintf(home, sizeof(home), "/tmp/wr-test-creds-XXXXXX");
  if (mkdtemp(home) == NULL)
    return 1;
  rc = cmocka_run_group_tests(tests, NULL, NULL);
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
  if (system(cmd) != 0)
    rc = 1;
  return rc;
}
