/* sim_select: DescribeDesktops' selection filters (sim_select.h). */
#include "sim_select.h"

#include "err.h"
#include "sim_fleet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad(struct wr_sim_error *e, const char *what)
{
  return wr_sim_error_set(e, 400, "InvalidParameter", WR_SIM_V_OTHER,
                          "The parameter %s is not valid.", what);
}

static int boolean(const struct wr_sim_params *p, const char *name,
                   bool dflt, bool *out, struct wr_sim_error *e)
{
  const char *v = wr_sim_params_get(p, name);

  *out = dflt;
  if (v == NULL)
    return 0;
  if (strcmp(v, "true") == 0)
    *out = true;
  else if (strcmp(v, "false") == 0)
    *out = false;
  else
    return bad(e, name);
  return 0;
}

static int list(const struct wr_sim_params *p, const char *name,
                const char ***out, size_t *n, struct wr_sim_error *e)
{
  int rc = wr_sim_params_list(p, name, 100, out, n);

  if (rc == WR_ENOMEM)
    return rc;
  if (rc < 0) {
    *n = 0;
    return wr_sim_error_set(e, 400, "InvalidParameter", WR_SIM_V_OTHER,
                            "%s.N must be numbered 1 to N, at most 100.",
                            name);
  }
  return 0;
}

/* Tag.N.Key / Tag.N.Value, N = 1..count with a key each. */
static int tags(struct wr_sim_select *s, const struct wr_sim_params *p,
                struct wr_sim_error *e)
{
  size_t i;

  for (i = 0; i < p->n; i++) {
    const char *nm = p->v[i].name, *dot;
    char *end;
    unsigned long idx;

    if (strncmp(nm, "Tag.", 4) != 0)
      continue;
    idx = strtoul(nm + 4, &end, 10);
    dot = end;
    if (nm[4] < '1' || nm[4] > '9' || idx > WR_SIM_TAGS_MAX ||
        (strcmp(dot, ".Key") != 0 && strcmp(dot, ".Value") != 0))
      return bad(e, nm);
    if (strcmp(dot, ".Key") == 0)
      s->tag_key[idx - 1] = p->v[i].value;
    else
      s->tag_value[idx - 1] = p->v[i].value;
    if (idx > s->ntags)
      s->ntags = idx;
  }
  for (i = 0; i < s->ntags; i++)
    if (s->tag_key[i] == NULL || s->tag_key[i][0] == '\0')
      return wr_sim_error_set(e, 400, "InvalidParameter", WR_SIM_V_OTHER,
                              "Tag.%zu.Key is missing.", i + 1);
  return 0;
}

int wr_sim_select_parse(struct wr_sim_select *s,
                        const struct wr_sim_params *p, struct wr_sim_error *e)
{
  int rc;

  memset(s, 0, sizeof(*s));
  s->office_site = wr_sim_params_get(p, "OfficeSiteId");
  s->group = wr_sim_params_get(p, "DesktopGroupId");
  s->policy = wr_sim_params_get(p, "PolicyGroupId");
  s->name = wr_sim_params_get(p, "DesktopName");
  s->type = wr_sim_params_get(p, "DesktopType");
  s->rgroup = wr_sim_params_get(p, "ResourceGroupId");
  if ((rc = boolean(p, "FilterDesktopGroup", true, &s->filter_group, e)) ||
      (rc = boolean(p, "OnlyDesktopGroup", false, &s->only_group, e)) ||
      (rc = list(p, "EndUserId", &s->users, &s->nusers, e)) ||
      (rc = list(p, "ImageId", &s->images, &s->nimages, e)) ||
      (rc = tags(s, p, e)))
    return rc;
  return 0;
}

void wr_sim_select_free(struct wr_sim_select *s)
{
  free(s->users);
  free(s->images);
  s->users = s->images = NULL;
}

/* Whether want is one of the ';'-separated items of list. */
static bool has_item(const char *list, const char *want)
{
  size_t n = strlen(want);
  const char *p = list;

  while (*p != '\0') {
    const char *end = strchr(p, ';');
    size_t len = end ? (size_t)(end - p) : strlen(p);

    if (len == n && strncmp(p, want, n) == 0)
      return true;
    if (end == NULL)
      break;
    p = end + 1;
  }
  return false;
}

static bool eq(const char *want, const char *have)
{
  return want == NULL || strcmp(want, have) == 0;
}

bool wr_sim_select_match(const struct wr_sim_select *s,
                         const struct wr_sim_meta *m, bool named)
{
  bool pooled = m->group[0] != '\0';
  size_t i;
  char kv[2 * WR_SIM_META_LEN];

  if (s->only_group) {
    if (!pooled)
      return false;
  } else {
    if (!named && s->filter_group && pooled)
      return false;
    if (!eq(s->group, m->group))
      return false;
  }
  if (!eq(s->office_site, m->office_site) || !eq(s->policy, m->policy) ||
      !eq(s->name, m->name) || !eq(s->type, m->type) ||
      !eq(s->rgroup, m->rgroup))
    return false;
  if (s->nusers > 0) {
    for (i = 0; i < s->nusers; i++)
      if (has_item(m->users, s->users[i]))
        break;
    if (i == s->nusers)
      return false;
  }
  if (s->nimages > 0) {
    for (i = 0; i < s->nimages; i++)
      if (strcmp(m->image, s->images[i]) == 0)
        break;
    if (i == s->nimages)
      return false;
  }
  for (i = 0; i < s->ntags; i++) {
    snprintf(kv, sizeof(kv), "%s=%s", s->tag_key[i],
             s->tag_value[i] ? s->tag_value[i] : "");
    if (!has_item(m->tags, kv))
      return false;
  }
  return true;
}
