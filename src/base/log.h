/* log: leveled messages on stderr.  Callers never pass a secret: use
 * creds.h's redaction when a value might be one. */
#ifndef WR_LOG_H
#define WR_LOG_H

enum wr_log_level {
  WR_LOG_ERROR = 0, /* -q shows only these */
  WR_LOG_WARN = 1,
  WR_LOG_NOTE = 2,  /* default */
  WR_LOG_INFO = 3,  /* -v */
  WR_LOG_DEBUG = 4, /* -vv */
  WR_LOG_TRACE = 5  /* -vvv */
};

void wr_log_set_level(int level);
int wr_log_level(void);
/* Hook for the progress line: called before a message is printed so the
 * redrawn line can be cleared (NULL: none). */
void wr_log_set_clear_hook(void (*hook)(void));

void wr_log(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define wr_errorf(...) wr_log(WR_LOG_ERROR, __VA_ARGS__)
#define wr_warnf(...) wr_log(WR_LOG_WARN, __VA_ARGS__)
#define wr_notef(...) wr_log(WR_LOG_NOTE, __VA_ARGS__)
#define wr_infof(...) wr_log(WR_LOG_INFO, __VA_ARGS__)
#define wr_debugf(...) wr_log(WR_LOG_DEBUG, __VA_ARGS__)

#endif
