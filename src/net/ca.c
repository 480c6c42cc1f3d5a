/* ca: add the user's CAs to the store libcurl builds from its default
 * bundle, through CURLOPT_SSL_CTX_FUNCTION (OpenSSL backend), so the
 * bundle adds trust instead of replacing the system's. */
#include "ca.h"

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *bundle; /* --ca-bundle */

static void free_bundle(void)
{
  free(bundle);
  bundle = NULL;
}

/* Count the PEM certificates of path; -1 when it cannot be opened. */
static int count_certs(const char *path)
{
  FILE *f = fopen(path, "r");
  X509 *x;
  int n = 0;

  if (f == NULL)
    return -1;
  while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
    X509_free(x);
    n++;
  }
  ERR_clear_error();
  fclose(f);
  return n;
}

int wr_ca_set_bundle(const char *file, struct wr_err *err)
{
  static int registered;
  int n;

  free_bundle();
  if (file == NULL || file[0] == '\0')
    return 0;
  n = count_certs(file);
  if (n < 0)
    return wr_err_set(err, WR_EUSAGE, "--ca-bundle: %s: cannot open", file);
  if (n == 0)
    return wr_err_set(err, WR_EUSAGE, "--ca-bundle: %s: no PEM certificate "
                      "in it", file);
  bundle = strdup(file);
  if (bundle == NULL)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  if (!registered && atexit(free_bundle) == 0)
    registered = 1;
  return 0;
}

static const char *env(const char *name)
{
  const char *v = getenv(name);

  return v != NULL && v[0] != '\0' ? v : NULL;
}

static CURLcode on_ssl_ctx(CURL *easy, void *sslctx, void *userp)
{
  X509_STORE *store = SSL_CTX_get_cert_store((SSL_CTX *)sslctx);
  const char *files[3] = {bundle, env("CURL_CA_BUNDLE"),
                          env("SSL_CERT_FILE")};
  const char *dir = env("SSL_CERT_DIR");
  size_t i;

  (void)easy;
  (void)userp;
  for (i = 0; i < 3; i++)
    if (files[i] != NULL &&
        X509_STORE_load_locations(store, files[i], NULL) != 1 && i == 0) {
      ERR_clear_error();
      return CURLE_SSL_CACERT_BADFILE; /* the option must work */
    }
  if (dir != NULL)
    X509_STORE_load_locations(store, NULL, dir);
  ERR_clear_error(); /* a variable naming nothing adds nothing */
  return CURLE_OK;
}

int wr_ca_apply(void *easy)
{
  if (bundle == NULL && env("CURL_CA_BUNDLE") == NULL &&
      env("SSL_CERT_FILE") == NULL && env("SSL_CERT_DIR") == NULL)
    return 0;
  if (curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx) !=
      CURLE_OK)
    return WR_EIO;
  return 0;
}
