#include "sim_params.h"

#include "err.h"

#include <stdlib.h>
#include <string.h>

void wr_sim_params_init(struct wr_sim_params *p)
{
  p->v = NULL;
  p->n = 0;
  p->cap = 0;
}

void wr_sim_params_free(struct wr_sim_params *p)
{
  size_t i;

  for (i = 0; i < p->n; i++) {
    free(p->v[i].name);
    free(p->v[i].value);
  }
  free(p->v);
  wr_sim_params_init(p);
}

static int hexval(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

int wr_sim_decode(const char *s, size_t len, char **out)
{
  char *d;
  size_t i, j = 0;

  *out = NULL;
  if (len > WR_SIM_PARAM_LEN_MAX)
    return WR_ETOOBIG;
  d = malloc(len + 1);
  if (d == NULL)
    return WR_ENOMEM;
  for (i = 0; i < len; i++) {
    if (s[i] == '%') {
      int hi, lo;

      if (i + 2 >= len) {
        free(d);
        return WR_EINVAL;
      }
      hi = hexval(s[i + 1]);
      lo = hexval(s[i + 2]);
      if (hi < 0 || lo < 0) {
        free(d);
        return WR_EINVAL;
      }
      d[j++] = (char)(hi * 16 + lo);
      i += 2;
    } else if (s[i] == '+') {
      d[j++] = ' ';
    } else {
      d[j++] = s[i];
    }
  }
  d[j] = '\0';
  *out = d;
  return 0;
}

const char *wr_sim_params_get(const struct wr_sim_params *p,
                              const char *name)
{
  size_t i;

  for (i = 0; i < p->n; i++)
    if (strcmp(p->v[i].name, name) == 0)
      return p->v[i].value;
  return NULL;
}

static int add(struct wr_sim_params *p, char *name, char *value)
{
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 32;
    struct wr_sim_param *v = realloc(p->v, cap * sizeof(*v));

    if (v == NULL)
      return WR_ENOMEM;
    p->v = v;
    p->cap = cap;
  }
  p->v[p->n].name = name;
  p->v[p->n].value = value;
  p->n++;
  return 0;
}

int wr_sim_params_parse(struct wr_sim_params *p, const char *s, size_t len,
                        const char **bad)
{
  const char *end = s + len, *seg = s;
  const char *why = NULL;
  int rc = 0;

  while (seg < end) {
    const char *amp = memchr(seg, '&', (size_t)(end - seg));
    const char *stop = amp ? amp : end;
    const char *eq = memchr(seg, '=', (size_t)(stop - seg));
    char *name = NULL, *value = NULL;

    if (stop == seg) {          /* "a=1&&b=2": an empty segment */
      seg = stop + 1;
      continue;
    }
    if (p->n >= WR_SIM_PARAMS_MAX) {
      why = "too many parameters";
      rc = WR_ETOOBIG;
      goto out;
    }
    rc = wr_sim_decode(seg, (size_t)((eq ? eq : stop) - seg), &name);
    if (rc == 0)
      rc = eq ? wr_sim_decode(eq + 1, (size_t)(stop - eq - 1), &value)
              : wr_sim_decode("", 0, &value);
    if (rc == 0 && name[0] == '\0') {
      why = "a parameter has an empty name";
      rc = WR_EINVAL;
    }
    if (rc == 0 && wr_sim_params_get(p, name) != NULL) {
      why = "a parameter is given twice";
      rc = WR_EINVAL;
    }
    if (rc == 0)
      rc = add(p, name, value);
    if (rc < 0) {
      free(name);
      free(value);
      if (why == NULL)
        why = rc == WR_EINVAL ? "malformed percent-encoding"
              : rc == WR_ETOOBIG ? "a parameter is too long"
                                 : "out of memory";
      goto out;
    }
    seg = stop + 1;
  }
out:
  if (bad != NULL)
    *bad = why;
  return rc;
}

int wr_sim_params_list(const struct wr_sim_params *p, const char *prefix,
                       size_t max, const char ***ids, size_t *n)
{
  size_t plen = strlen(prefix), i, count = 0;
  const char **v = NULL;

  *ids = NULL;
  for (i = 0; i < p->n; i++)
    if (strncmp(p->v[i].name, prefix, plen) == 0 &&
        p->v[i].name[plen] == '.')
      count++;
  *n = count;
  if (count > max)
    return WR_ETOOBIG;
  if (count == 0)
    return 0;
  v = calloc(count, sizeof(*v));
  if (v == NULL)
    return WR_ENOMEM;
  for (i = 0; i < p->n; i++) {
    const char *num = p->v[i].name + plen + 1;
    char *endp;
    unsigned long idx;

    if (strncmp(p->v[i].name, prefix, plen) != 0 ||
        p->v[i].name[plen] != '.')
      continue;
    /* "DesktopId.01" or "DesktopId.+1" would not come from an SDK. */
    if (num[0] < '1' || num[0] > '9')
      goto bad;
    idx = strtoul(num, &endp, 10);
    if (*endp != '\0' || idx < 1 || idx > count || v[idx - 1] != NULL)
      goto bad;
    v[idx - 1] = p->v[i].value;
  }
  *ids = v;
  return 0;
bad:
  free(v);
  return WR_EINVAL;
}
