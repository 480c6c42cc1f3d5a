/* clock: the only module that reads a clock.  Everything else takes the
 * time as an argument (now_ms), so it can be tested with a hand-driven
 * clock. */
#ifndef WR_CLOCK_H
#define WR_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Monotonic milliseconds (for rates, timeouts, latencies). */
int64_t wr_clock_now_ms(void);
/* Wall-clock milliseconds since the Unix epoch (for reports, signatures). */
int64_t wr_clock_wall_ms(void);

#define WR_TIME_RFC3339_LEN 64
/* "2026-11-29T19:15:29.123Z" (RFC 3339 UTC with milliseconds). */
void wr_time_rfc3339_ms(int64_t wall_ms, char out[WR_TIME_RFC3339_LEN]);
/* "2026-11-29T19:15:29Z" (the API's Timestamp / x-acs-date). */
void wr_time_iso_seconds(int64_t wall_ms, char out[WR_TIME_RFC3339_LEN]);
/* Parse an RFC 3339 time ("2026-11-29T19:15:29Z", fraction and offset
 * allowed) into wall ms.  0 on success, WR_EINVAL otherwise. */
int wr_time_parse_rfc3339(const char *s, int64_t *wall_ms);

#endif
