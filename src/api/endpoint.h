/* endpoint: the one endpoint policy.  Every --endpoint is read here, by
 * the option check (plan, run, resume) and by the request builder, so
 * that a URL one accepts the others accept too.
 *
 * Only scheme://host[:port] (and one trailing "/") is taken: the signed
 * path is always "/".  https always; plain http only to a loopback host
 * unless insecure.  Loopback is 127.0.0.0/8, [::1] and the name
 * "localhost" (ASCII case ignored); any other name is not, however it
 * starts ("127.evil.com" is a DNS name).
 *
 * The URL comes back in a normal form, and that form is what is sent:
 * scheme and names in lower case, an IPv4 address as the dotted quad
 * curl would connect to ("0x7f.1", "2130706433" and "127.1" are all
 * 127.0.0.1), an IPv6 address compressed, and the port only when it is
 * not the scheme's default.  So the host judged here is the host curl
 * connects to.  Refused: user names and passwords (the message does not
 * show them), paths, queries, fragments, empty or out-of-range ports,
 * IPv6 zones, numeric hosts that are not an IPv4 address ("999.1.1.1"),
 * spaces and control or non-ASCII characters. */
#ifndef WR_ENDPOINT_H
#define WR_ENDPOINT_H

#include "err.h"

#include <stdbool.h>

#define WR_ENDPOINT_NAME_MAX 256                       /* 253 + NUL, or [v6] */
#define WR_ENDPOINT_HOST_MAX (WR_ENDPOINT_NAME_MAX + 6) /* + ":65535" */
#define WR_ENDPOINT_BASE_MAX (WR_ENDPOINT_HOST_MAX + 8) /* + "https://" */

struct wr_endpoint {
  bool https;
  bool loopback;                   /* 127.0.0.0/8, ::1 or localhost */
  unsigned port;                   /* as connected: given, else 443/80 */
  char name[WR_ENDPOINT_NAME_MAX]; /* "ecd.cn-hangzhou.aliyuncs.com",
                                      "127.0.0.1", "[::1]" */
  char host[WR_ENDPOINT_HOST_MAX]; /* the Host header (and the signed
                                      host): name, ":port" if not the
                                      default */
  char base[WR_ENDPOINT_BASE_MAX]; /* "scheme://host", no trailing "/" */
};

/* Read url under the policy above into *out (zeroed first).  WR_EUSAGE
 * with err set to '--endpoint: "URL": reason' (userinfo shown as "***",
 * unprintable bytes as '?') when it is refused. */
int wr_endpoint_parse(const char *url, bool insecure, struct wr_endpoint *out,
                      struct wr_err *err);

/* A webhook URL (--notify): scheme://host[:port] judged by the policy
 * above (insecure never applies: plain http only to loopback), then a
 * path and query kept as given (printable ASCII, no fragment).  *rest
 * points into url at the path or query ("" when none); the URL to send is
 * out->base followed by *rest.  The path and query may hold a token (a
 * DingTalk access_token, a Slack webhook path): err never shows them, it
 * starts 'opt: "scheme://host...": '. */
int wr_endpoint_parse_webhook(const char *opt, const char *url,
                              struct wr_endpoint *out, const char **rest,
                              struct wr_err *err);

#endif
