#include "clock.h"

#include "err.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <uv.h>

int64_t wr_clock_now_ms(void)
{
  return (int64_t)(uv_hrtime() / 1000000u);
}

int64_t wr_clock_wall_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void utc_tm(int64_t wall_ms, struct tm *tm)
{
  time_t secs = (time_t)(wall_ms / 1000);

  gmtime_r(&secs, tm);
}

/* 10000-01-01T00:00:00Z: below it every year has four digits. */
#define WALL_MS_Y10K 253402300800000LL

static char *put2(char *p, unsigned v)
{
  p[0] = (char)('0' + v / 10);
  p[1] = (char)('0' + v % 10);
  return p + 2;
}

/* "YYYY-MM-DDTHH:MM:SS" by hand (a report line has two, a request one:
 * gmtime_r and snprintf showed in the per-call cost).  Only for 1970 to
 * 9999, where it gives the bytes of the strftime/snprintf formats; the
 * callers keep those for anything else.  Returns the end, or NULL. */
static char *format_secs(int64_t wall_ms, char *p)
{
  int64_t secs, days;
  unsigned sod, doe, yoe, doy, mp, year, mon, day;

  if (wall_ms < 0 || wall_ms >= WALL_MS_Y10K)
    return NULL;
  secs = wall_ms / 1000;
  days = secs / 86400;
  sod = (unsigned)(secs % 86400);
  /* Days to civil date (H. Hinnant's days_from_civil, inverted), for
   * days >= 0 only, counted from 0000-03-01 so that leap days come last. */
  days += 719468;
  doe = (unsigned)(days % 146097);
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  mon = mp < 10 ? mp + 3 : mp - 9;
  year = (unsigned)(days / 146097) * 400 + yoe + (mon <= 2);
  p = put2(p, year / 100);
  p = put2(p, year % 100);
  *p++ = '-';
  p = put2(p, mon);
  *p++ = '-';
  p = put2(p, day);
  *p++ = 'T';
  p = put2(p, sod / 3600);
  *p++ = ':';
  p = put2(p, sod / 60 % 60);
  *p++ = ':';
  return put2(p, sod % 60);
}

void wr_time_rfc3339_ms(int64_t wall_ms, char out[WR_TIME_RFC3339_LEN])
{
  char *p = format_secs(wall_ms, out);
  struct tm tm;
  unsigned ms;

  if (p != NULL) {
    ms = (unsigned)(wall_ms % 1000);
    p[0] = '.';
    p[1] = (char)('0' + ms / 100);
    put2(p + 2, ms % 100);
    memcpy(p + 4, "Z", 2);
    return;
  }
  utc_tm(wall_ms, &tm);
  snprintf(out, WR_TIME_RFC3339_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
           tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
           tm.tm_min, tm.tm_sec, (int)(wall_ms % 1000));
}

void wr_time_iso_seconds(int64_t wall_ms, char out[WR_TIME_RFC3339_LEN])
{
  char *p = format_secs(wall_ms, out);
  struct tm tm;

  if (p != NULL) {
    memcpy(p, "Z", 2);
    return;
  }
  utc_tm(wall_ms, &tm);
  strftime(out, WR_TIME_RFC3339_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* n decimal digits at *p, advanced; -1 if one is not a digit. */
static int digits(const char **p, int n)
{
  int v = 0;

  for (; n > 0; n--, (*p)++) {
    if (**p < '0' || **p > '9')
      return -1;
    v = v * 10 + (**p - '0');
  }
  return v;
}

/* The next byte is c, consumed. */
static bool take(const char **p, char c)
{
  if (**p != c)
    return false;
  (*p)++;
  return true;
}

static int days_in_month(int year, int mon)
{
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

  return mon == 2 && leap ? 29 : days[mon - 1];
}

/* RFC 3339 exactly, digit by digit: a date that does not exist (02-30) or
 * an offset out of range (+99:99) is an error, never normalised. */
int wr_time_parse_rfc3339(const char *s, int64_t *wall_ms)
{
  struct tm tm;
  int year, mon, day, hour, min, sec, ms = 0, off = 0, n;
  const char *p = s;

  *wall_ms = 0;
  year = digits(&p, 4);
  if (year < 0 || !take(&p, '-') || (mon = digits(&p, 2)) < 0 ||
      !take(&p, '-') || (day = digits(&p, 2)) < 0)
    return WR_EINVAL;
  if (!take(&p, 'T') && !take(&p, 't') && !take(&p, ' '))
    return WR_EINVAL;
  if ((hour = digits(&p, 2)) < 0 || !take(&p, ':') ||
      (min = digits(&p, 2)) < 0 || !take(&p, ':') || (sec = digits(&p, 2)) < 0)
    return WR_EINVAL;
  if (take(&p, '.')) {
    for (n = 0; *p >= '0' && *p <= '9'; p++, n++)
      if (n < 3)
        ms = ms * 10 + (*p - '0');
    if (n == 0)
      return WR_EINVAL;
    for (; n < 3; n++)
      ms *= 10;
  }
  if (take(&p, 'Z') || take(&p, 'z')) {
    /* UTC */
  } else if (*p == '+' || *p == '-') {
    int sign = *p++ == '+' ? 1 : -1, oh, om;

    oh = digits(&p, 2);
    if (oh < 0 || !take(&p, ':') || (om = digits(&p, 2)) < 0 || oh > 23 ||
        om > 59)
      return WR_EINVAL;
    off = (oh * 60 + om) * 60 * sign;
  } else {
    return WR_EINVAL;
  }
  /* sec 60: a leap second, as RFC 3339 allows. */
  if (*p != '\0' || mon < 1 || mon > 12 || day < 1 ||
      day > days_in_month(year, mon) || hour > 23 || min > 59 || sec > 60)
    return WR_EINVAL;
  memset(&tm, 0, sizeof(tm));
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  *wall_ms = ((int64_t)timegm(&tm) - off) * 1000 + ms;
  return 0;
}
