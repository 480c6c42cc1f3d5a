/* uuid: random (version 4) UUIDs from OpenSSL's CSPRNG, for ClientTokens
 * and run ids.  The text is lower-case, 36 characters and a NUL. */
#ifndef WR_UUID_H
#define WR_UUID_H

#define WR_UUID_LEN 37 /* UUID v4 text + NUL */

/* 0, or WR_EIO when the CSPRNG fails (out is then unset). */
int wr_uuid4(char out[WR_UUID_LEN]);

#endif
