/* utf8: render untrusted bytes (an input's value, a server's message) as
 * printable, valid UTF-8, so that a report line is always valid JSON text
 * and a terminal shows what was there.  Control characters and invalid
 * bytes become "\xNN"; valid multi-byte sequences pass unchanged. */
#ifndef WR_UTF8_H
#define WR_UTF8_H

#include <stddef.h>

/* Room for rendering len bytes: every byte may become four, plus a NUL. */
#define WR_UTF8_RENDER_SIZE(len) ((len) * 4 + 1)

/* Length of the valid UTF-8 sequence at s (1..4, n >= 1 bytes there), 0
 * when it is invalid (overlong, a surrogate, beyond U+10FFFF, cut). */
size_t wr_utf8_seq(const unsigned char *s, size_t n);

/* Render s[0..len) into out (WR_UTF8_RENDER_SIZE(len) bytes), NUL-ended;
 * returns the rendered length. */
size_t wr_utf8_render(const char *s, size_t len, char *out);

#endif
