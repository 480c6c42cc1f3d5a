/* endpoint: the endpoint policy (endpoint.h).  A strict parser of our
 * own, not libcurl's: it takes only the few forms an endpoint needs, and
 * curl is then given the normal form built here, so that the host judged
 * is the host connected to, whatever curl's version makes of odd
 * spellings. */
#include "endpoint.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define SHOW_MAX 160   /* bytes of the URL an error message shows */
#define NAME_LEN 253   /* a DNS name, without the root's dot */
#define LABEL_LEN 63

/* The URL as a message may show it: from "scheme://" to the last '@'
 * (a user name, a password) as "***", unprintable bytes as '?', and at
 * most about SHOW_MAX bytes. */
static void show(const char *url, char out[SHOW_MAX + 8])
{
  const char *first = strchr(url, '@'), *at = strrchr(url, '@');
  const char *sep = strstr(url, "://"), *hide = NULL, *p;
  size_t n = 0;

  if (first != NULL)
    hide = sep != NULL && sep < first ? sep + 3 : url;
  for (p = url; *p != '\0' && n < SHOW_MAX; p++) {
    if (p == hide) {
      memcpy(out + n, "***@", 4);
      n += 4;
      p = at;
    } else {
      out[n++] = *p >= 0x20 && *p < 0x7f ? *p : '?';
    }
  }
  if (*p != '\0') {
    memcpy(out + n, "...", 3);
    n += 3;
  }
  out[n] = '\0';
}

static int refuse(struct wr_err *err, const char *url, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int refuse(struct wr_err *err, const char *url, const char *fmt, ...)
{
  char shown[SHOW_MAX + 8], why[256];
  va_list ap;

  show(url, shown);
  va_start(ap, fmt);
  vsnprintf(why, sizeof(why), fmt, ap);
  va_end(ap);
  return wr_err_set(err, WR_EUSAGE, "--endpoint: \"%s\": %s", shown, why);
}

/* The normal form is built by hand, not with snprintf: the request
 * builder reads the endpoint on every call.  Every length is bounded
 * above (a name of at most 255 bytes, then ":65535", then "https://"),
 * so these cannot overflow their fields. */
static char *put(char *d, const char *s, size_t n)
{
  memcpy(d, s, n);
  return d + n;
}

static char *put_uint(char *d, unsigned v)
{
  char t[10];
  size_t n = 0;

  do {
    t[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0)
    *d++ = t[--n];
  return d;
}

static int digit_value(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return 99;
}

/* One part of a numeric IPv4 host as inet_aton and curl read it: "0x"
 * hex, a leading 0 octal, else decimal. */
static bool ipv4_part(const char *s, size_t len, uint64_t *v)
{
  unsigned base = 10;
  size_t i;

  *v = 0;
  if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s += 2;
    len -= 2;
  } else if (len >= 2 && s[0] == '0') {
    base = 8;
    s++;
    len--;
  }
  if (len == 0)
    return false;
  for (i = 0; i < len; i++) {
    unsigned d = (unsigned)digit_value(s[i]);

    if (d >= base)
      return false;
    *v = *v * base + d;
    if (*v > 0xffffffffu)
      return false;
  }
  return true;
}

/* 1 to 4 parts, the last filling the bytes the others leave: "127.1" is
 * 127.0.0.1 and "2130706433" is too. */
static bool ipv4_parse(const char *s, size_t len, unsigned char a[4])
{
  uint64_t part[4], v;
  size_t n = 0, i, start = 0;

  for (i = 0; i <= len; i++) {
    if (i < len && s[i] != '.')
      continue;
    if (n == 4 || !ipv4_part(s + start, i - start, &part[n]))
      return false;
    n++;
    start = i + 1;
  }
  for (i = 0; i + 1 < n; i++)
    if (part[i] > 255)
      return false;
  if (part[n - 1] > (0xffffffffu >> (8 * (n - 1))))
    return false;
  v = part[n - 1];
  for (i = 0; i + 1 < n; i++)
    v |= part[i] << (8 * (3 - i));
  for (i = 0; i < 4; i++)
    a[i] = (unsigned char)(v >> (8 * (3 - i)));
  return true;
}

/* A host whose last label is a number is an IPv4 address to curl and to
 * the resolver, never a name. */
static bool ends_in_number(const char *s, size_t len)
{
  const char *l = s + len;
  size_t n, i = 0;

  while (l > s && l[-1] != '.')
    l--;
  n = len - (size_t)(l - s);

  if (n >= 2 && l[0] == '0' && (l[1] == 'x' || l[1] == 'X')) {
    for (i = 2; i < n && digit_value(l[i]) < 16; i++)
      ;
    return i == n;
  }
  for (; i < n && l[i] >= '0' && l[i] <= '9'; i++)
    ;
  return n > 0 && i == n;
}

/* A host name: letters, digits, '-' and '_', in dot-separated labels. */
static const char *name_problem(const char *s, size_t len)
{
  size_t i, label = 0;

  if (len > NAME_LEN)
    return "the host name is longer than 253 characters";
  for (i = 0; i < len; i++) {
    char c = s[i];

    if (c == '.') {
      if (label == 0)
        return "the host name has an empty label (\"..\", or a dot at "
               "either end)";
      label = 0;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9') || c == '-' || c == '_') {
      if (++label > LABEL_LEN)
        return "a label of the host name is longer than 63 characters";
    } else {
      return "the host name may hold only letters, digits, '-', '_' and "
             "dots";
    }
  }
  if (label == 0)
    return "the host name has an empty label (\"..\", or a dot at either "
           "end)";
  return NULL;
}

/* Host and port of the authority, into out->name, loopback and port. */
static int parse_authority(const char *url, const char *a, size_t len,
                           struct wr_endpoint *out, struct wr_err *err)
{
  const char *end = a + len, *h = a, *p;
  char *d;
  size_t hlen, plen, i;
  unsigned char ip[16];
  char text[INET6_ADDRSTRLEN + 1];

  if (len > 0 && a[0] == '[') {
    h = a + 1;
    p = memchr(h, ']', len - 1);
    if (p == NULL)
      return refuse(err, url, "'[' without ']' around an IPv6 address");
    hlen = (size_t)(p - h);
    if (hlen >= sizeof(text))
      return refuse(err, url, "not an IPv6 address in [...]");
    memcpy(text, h, hlen);
    text[hlen] = '\0';
    /* No zone ("%eth0"): inet_pton refuses it. */
    if (inet_pton(AF_INET6, text, ip) != 1 ||
        inet_ntop(AF_INET6, ip, text, sizeof(text)) == NULL)
      return refuse(err, url, "not an IPv6 address in [...]");
    hlen = strlen(text);
    out->name[0] = '[';
    memcpy(put(out->name + 1, text, hlen), "]", 2);
    out->loopback = memcmp(ip, &in6addr_loopback, 16) == 0;
    p++;
    if (p < end && *p != ':')
      return refuse(err, url, "expected :PORT after the IPv6 address");
  } else {
    p = memchr(a, ':', len);
    if (p == NULL)
      p = end;
    hlen = (size_t)(p - a);
    if (hlen == 0)
      return refuse(err, url, "no host");
    if (ends_in_number(a, hlen)) {
      if (!ipv4_parse(a, hlen, ip))
        return refuse(err, url, "\"%.*s\" is not an IPv4 address",
                      (int)(hlen > 64 ? 64 : hlen), a);
      /* The dotted quad curl connects to, whatever the spelling. */
      d = out->name;
      for (i = 0; i < 4; i++) {
        d = put_uint(d, ip[i]);
        *d++ = i < 3 ? '.' : '\0';
      }
      out->loopback = ip[0] == 127;
    } else {
      const char *why = name_problem(a, hlen);

      if (why != NULL)
        return refuse(err, url, "%s", why);
      for (i = 0; i < hlen; i++)
        out->name[i] = (char)(a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i]);
      out->name[hlen] = '\0';
      out->loopback = strcmp(out->name, "localhost") == 0;
    }
  }
  out->port = out->https ? 443 : 80;
  if (p == end)
    return 0;
  plen = (size_t)(end - p - 1);
  if (plen == 0)
    return refuse(err, url, "the port after ':' is empty");
  for (i = 1; i <= plen; i++)
    if (p[i] < '0' || p[i] > '9')
      return refuse(err, url, "the port \"%.*s\" is not a number",
                    (int)(plen > 16 ? 16 : plen), p + 1);
  out->port = 0;
  for (i = 1; i <= plen && out->port <= 65535; i++)
    out->port = out->port * 10 + (unsigned)(p[i] - '0');
  if (out->port == 0 || out->port > 65535)
    return refuse(err, url, "the port must be 1 to 65535");
  return 0;
}

int wr_endpoint_parse(const char *url, bool insecure, struct wr_endpoint *out,
                      struct wr_err *err)
{
  const char *sep, *auth, *rest, *c;
  char *d;
  size_t slen;
  int rc;

  memset(out, 0, sizeof(*out));
  if (url == NULL || url[0] == '\0')
    return refuse(err, "", "no URL (e.g. https://ecd.cn-hangzhou.aliyuncs.com)");
  for (c = url; *c != '\0'; c++)
    if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
      return refuse(err, url, "spaces, control and non-ASCII characters are "
                    "not allowed");
  /* Checked first, so that no later message can show a password. */
  if (strchr(url, '@') != NULL)
    return refuse(err, url, "a user name or password in the URL is not "
                  "allowed; credentials come from the environment or the "
                  "aliyun config");
  sep = strstr(url, "://");
  if (sep == NULL)
    return refuse(err, url, "not a URL; give https://HOST[:PORT]");
  slen = (size_t)(sep - url);
  if (slen == 5 && strncasecmp(url, "https", 5) == 0)
    out->https = true;
  else if (!(slen == 4 && strncasecmp(url, "http", 4) == 0))
    return refuse(err, url, "only https (or http to a loopback host) is "
                  "supported");
  auth = sep + 3;
  rest = auth + strcspn(auth, "/?#");
  if (rest[0] != '\0' && strcmp(rest, "/") != 0)
    return refuse(err, url, "give scheme, host and port only (no path, "
                  "query or fragment)");
  if ((rc = parse_authority(url, auth, (size_t)(rest - auth), out, err)) < 0)
    goto fail;
  if (!out->https && !out->loopback && !insecure) {
    rc = refuse(err, url, "plain http is allowed only to a loopback host "
                "(127.0.0.0/8, [::1], localhost); use https, or add "
                "--insecure to send credentials unencrypted");
    goto fail;
  }
  d = put(out->host, out->name, strlen(out->name));
  if (out->port != (out->https ? 443u : 80u)) {
    *d++ = ':';
    d = put_uint(d, out->port);
  }
  *d = '\0';
  d = put(out->base, out->https ? "https://" : "http://",
          out->https ? 8 : 7);
  memcpy(d, out->host, strlen(out->host) + 1);
  return 0;
fail:
  memset(out, 0, sizeof(*out));
  return rc;
}

int wr_endpoint_parse_webhook(const char *opt, const char *url,
                              struct wr_endpoint *out, const char **rest,
                              struct wr_err *err)
{
  char base[WR_ENDPOINT_BASE_MAX + 16], shown[SHOW_MAX + 8], head[48];
  const char *sep = strstr(url, "://"), *r, *c, *why;
  size_t n;
  int rc;

  memset(out, 0, sizeof(*out));
  *rest = "";
  if (sep == NULL) /* no host to show: the whole text may be a token */
    return wr_err_set(err, WR_EUSAGE, "%s: not a URL; give "
                      "https://HOST/PATH", opt);
  r = sep + 3 + strcspn(sep + 3, "/?#");
  n = (size_t)(r - url);
  if (n >= sizeof(base)) {
    snprintf(head, sizeof(head), "%.40s", url);
    show(head, shown);
    return wr_err_set(err, WR_EUSAGE, "%s: \"%s...\": the host is too long",
                      opt, shown);
  }
  memcpy(base, url, n);
  base[n] = '\0';
  show(base, shown);
  if ((rc = wr_endpoint_parse(base, false, out, err)) < 0) {
    /* the policy's reason, under this option's name */
    why = err != NULL ? strstr(err->msg, "\": ") : NULL;
    why = why != NULL ? why + 3 : "refused";
    snprintf(base, sizeof(base), "%s", why);
    return wr_err_set(err, rc, "%s: \"%s...\": %s", opt, shown, base);
  }
  for (c = r; *c != '\0'; c++)
    if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f || *c == '#') {
      memset(out, 0, sizeof(*out));
      return wr_err_set(err, WR_EUSAGE, "%s: \"%s...\": the path or query "
                        "has a space, a control or non-ASCII character or "
                        "a fragment (#)", opt, shown);
    }
  *rest = r;
  return 0;
}
