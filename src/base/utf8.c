/* utf8: see utf8.h. */
#include "utf8.h"

#include <stdio.h>
#include <string.h>

size_t wr_utf8_seq(const unsigned char *s, size_t n)
{
  size_t len, i;
  unsigned char lo = 0x80, hi = 0xbf;

  if (s[0] < 0x80)
    return 1;
  if (s[0] >= 0xc2 && s[0] <= 0xdf)
    len = 2;
  else if (s[0] >= 0xe0 && s[0] <= 0xef)
    len = 3;
  else if (s[0] >= 0xf0 && s[0] <= 0xf4)
    len = 4;
  else
    return 0;
  if (s[0] == 0xe0)
    lo = 0xa0; /* overlong */
  else if (s[0] == 0xed)
    hi = 0x9f; /* surrogates */
  else if (s[0] == 0xf0)
    lo = 0x90;
  else if (s[0] == 0xf4)
    hi = 0x8f;
  if (n < len || s[1] < lo || s[1] > hi)
    return 0;
  for (i = 2; i < len; i++)
    if (s[i] < 0x80 || s[i] > 0xbf)
      return 0;
  return len;
}

size_t wr_utf8_render(const char *s, size_t len, char *out)
{
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0, k, o = 0;

  while (i < len) {
    k = wr_utf8_seq(u + i, len - i);
    if (k == 0 || (k == 1 && (u[i] < 0x20 || u[i] == 0x7f))) {
      o += (size_t)snprintf(out + o, 5, "\\x%02x", u[i]);
      i++;
    } else {
      memcpy(out + o, u + i, k);
      o += k;
      i += k;
    }
  }
  out[o] = '\0';
  return o;
}
