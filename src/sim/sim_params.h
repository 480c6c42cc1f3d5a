/* sim_params: the request's parameters, from the URL query and from an
 * application/x-www-form-urlencoded body (V1 signs their union).
 *
 * Decoding is the form-urlencoded one: %XY escapes and '+' for a space.
 * A malformed escape, a parameter given twice or a bound passed is an
 * error, as the real gateway rejects such requests.  The struct owns its
 * strings (init/free, embedded by value). */
#ifndef WR_SIM_PARAMS_H
#define WR_SIM_PARAMS_H

#include <stddef.h>

#define WR_SIM_PARAMS_MAX 1000      /* parameters per request */
#define WR_SIM_PARAM_LEN_MAX 8192   /* bytes per decoded name or value */

struct wr_sim_param {
  char *name;
  char *value;
};

struct wr_sim_params {
  struct wr_sim_param *v;
  size_t n;
  size_t cap;
};

void wr_sim_params_init(struct wr_sim_params *p);
void wr_sim_params_free(struct wr_sim_params *p);

/* Decode "a=1&b=2" (len bytes) and append.  WR_EINVAL on a malformed
 * escape or a duplicate name, WR_ETOOBIG past a bound, WR_ENOMEM.
 * On error *bad (when not NULL) points at a static reason. */
int wr_sim_params_parse(struct wr_sim_params *p, const char *s, size_t len,
                        const char **bad);

/* The value of name, or NULL when absent. */
const char *wr_sim_params_get(const struct wr_sim_params *p,
                              const char *name);

/* Collect prefix.1 .. prefix.N (e.g. "DesktopId") in index order into a
 * new array *ids (borrowed strings; free() the array).  *n gets N even
 * when N > max: then WR_ETOOBIG and *ids is NULL.  WR_EINVAL when the
 * indexes are not exactly 1..N. */
int wr_sim_params_list(const struct wr_sim_params *p, const char *prefix,
                       size_t max, const char ***ids, size_t *n);

/* Percent-decode s[0..len) ('+' is a space) into a new string. */
int wr_sim_decode(const char *s, size_t len, char **out);

#endif
