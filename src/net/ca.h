/* ca: the extra trust of every TLS connection, for networks behind a
 * TLS-inspecting proxy.  --ca-bundle FILE and the variables curl and the
 * Go-based aliyun CLI honour (CURL_CA_BUNDLE, SSL_CERT_FILE: a PEM file;
 * SSL_CERT_DIR: a hashed directory) are added to libcurl's default CA
 * store: they add trust, they never replace it, and verification is
 * always on. */
#ifndef WR_CA_H
#define WR_CA_H

#include "err.h"

/* The --ca-bundle file (copied; NULL: none).  WR_EUSAGE with err set
 * when it cannot be read as PEM certificates. */
int wr_ca_set_bundle(const char *file, struct wr_err *err);

/* Set the trust on a libcurl easy handle (a CURL *): 0 or WR_EIO. */
int wr_ca_apply(void *easy);

#endif
