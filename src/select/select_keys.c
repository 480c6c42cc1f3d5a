/* select_keys: the selection keys, their parsing and the local check of
 * every desktop an answer holds (select.h). */
#include "select.h"

#include "buf.h"
#include "idset.h"
#include "plan.h"

#include <stdlib.h>
#include <string.h>

static const char *const key_names[WR_SEL_KEYS] = {
  "office-site", "group", "status", "tag", "user", "policy", "image",
  "name", "type", "resource-group"
};

const char *wr_select_keys_text(void)
{
  return "office-site, group, status, tag:KEY, user, policy, image, name, "
         "type, resource-group";
}

static int add_filter(struct wr_selection *s, enum wr_sel_key k,
                      const char *tag, size_t tag_len, const char *value,
                      struct wr_err *err)
{
  struct wr_sel_filter *f;

  f = realloc(s->filters, (s->nfilters + 1) * sizeof(*f));
  if (f == NULL)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  s->filters = f;
  f = &f[s->nfilters];
  memset(f, 0, sizeof(*f));
  f->key = k;
  f->value = strdup(value);
  if (tag != NULL)
    f->tag = strndup(tag, tag_len);
  s->nfilters++;
  if (f->value == NULL || (tag != NULL && f->tag == NULL))
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  return 0;
}

static int parse_one(struct wr_selection *s, const char *sel,
                     struct wr_err *err)
{
  const char *eq = strchr(sel, '='), *value;
  size_t klen;
  int k;

  if (eq == NULL || eq == sel)
    return wr_err_set(err, WR_EUSAGE, "--select \"%s\": expected KEY=VALUE; "
                      "keys: %s", sel, wr_select_keys_text());
  klen = (size_t)(eq - sel);
  value = eq + 1;
  if (klen > 4 && strncmp(sel, "tag:", 4) == 0) {
    /* tag:KEY=VALUE: the first '=' after "tag:" ends the tag key */
    if (*value == '\0')
      return wr_err_set(err, WR_EUSAGE, "--select \"%s\": the tag value is "
                        "empty", sel);
    return add_filter(s, WR_SEL_TAG, sel + 4, klen - 4, value, err);
  }
  for (k = 0; k < WR_SEL_KEYS; k++)
    if (k != WR_SEL_TAG && strlen(key_names[k]) == klen &&
        strncmp(key_names[k], sel, klen) == 0)
      break;
  if (k == WR_SEL_KEYS)
    return wr_err_set(err, WR_EUSAGE, "--select \"%s\": unknown key \"%.*s\"; "
                      "the valid keys are %s (e.g. tag:env=prod)", sel,
                      (int)(klen > 64 ? 64 : klen), sel,
                      wr_select_keys_text());
  if (*value == '\0')
    return wr_err_set(err, WR_EUSAGE, "--select \"%s\": the value is empty",
                      sel);
  return add_filter(s, (enum wr_sel_key)k, NULL, 0, value, err);
}

int wr_select_init(struct wr_selection *s, char *const *selects, size_t n,
                   const char *regions, struct wr_err *err)
{
  const char *p = regions;
  size_t i;
  int rc;

  memset(s, 0, sizeof(*s));
  if (wr_idset_create(1024, &s->seen) < 0)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  for (i = 0; i < n; i++)
    if ((rc = parse_one(s, selects[i], err)) < 0)
      return rc;
  while (p != NULL && *p != '\0') {
    size_t len = strcspn(p, ",");
    char **r = realloc(s->regions, (s->nregions + 1) * sizeof(*r));

    if (r == NULL)
      return wr_err_set(err, WR_ENOMEM, "out of memory");
    s->regions = r;
    if (!wr_region_valid(p, len))
      return wr_err_set(err, WR_EUSAGE, "--region: \"%.*s\" is not a region "
                        "name", (int)(len > 64 ? 64 : len), p);
    if ((r[s->nregions] = strndup(p, len)) == NULL)
      return wr_err_set(err, WR_ENOMEM, "out of memory");
    s->nregions++;
    p += len;
    if (*p == ',')
      p++;
  }
  return 0;
}

void wr_sel_desktop_free(struct wr_sel_desktop *d)
{
  size_t i;

  free(d->id);
  free(d->region);
  free(d->name);
  free(d->status);
  free(d->connection);
  free(d->office_site);
  free(d->group);
  free(d->policy);
  free(d->image);
  free(d->type);
  free(d->rgroup);
  for (i = 0; i < d->nusers; i++)
    free(d->users[i]);
  free(d->users);
  for (i = 0; i < d->ntags; i++) {
    free(d->tag_keys[i]);
    free(d->tag_values[i]);
  }
  free(d->tag_keys);
  free(d->tag_values);
}

void wr_select_free(struct wr_selection *s)
{
  size_t i;

  for (i = 0; i < s->nfilters; i++) {
    free(s->filters[i].tag);
    free(s->filters[i].value);
  }
  free(s->filters);
  for (i = 0; i < s->nregions; i++)
    free(s->regions[i]);
  free(s->regions);
  for (i = 0; i < s->n; i++)
    wr_sel_desktop_free(&s->v[i]);
  free(s->v);
  for (i = 0; i < s->nrequest_ids; i++)
    free(s->request_ids[i]);
  free(s->request_ids);
  wr_idset_destroy(&s->seen);
  memset(s, 0, sizeof(*s));
}

/* One filter on one desktop; a field the answer lacks is the API's word. */
static bool match_one(const struct wr_sel_filter *f,
                      const struct wr_sel_desktop *d)
{
  const char *have = NULL;
  size_t i;

  switch (f->key) {
  case WR_SEL_OFFICE_SITE: have = d->office_site; break;
  case WR_SEL_GROUP: have = d->group; break;
  case WR_SEL_STATUS: have = d->status; break;
  case WR_SEL_POLICY: have = d->policy; break;
  case WR_SEL_IMAGE: have = d->image; break;
  case WR_SEL_NAME: have = d->name; break;
  case WR_SEL_TYPE: have = d->type; break;
  case WR_SEL_RGROUP: have = d->rgroup; break;
  case WR_SEL_USER:
    if (!d->has_users)
      return true;
    for (i = 0; i < d->nusers; i++)
      if (strcmp(d->users[i], f->value) == 0)
        return true;
    return false;
  case WR_SEL_TAG:
    if (!d->has_tags)
      return true;
    for (i = 0; i < d->ntags; i++)
      if (strcmp(d->tag_keys[i], f->tag) == 0 &&
          strcmp(d->tag_values[i], f->value) == 0)
        return true;
    return false;
  case WR_SEL_KEYS: break;
  }
  /* a pool or a resource group the answer says is absent matches none */
  if (have == NULL)
    return f->key != WR_SEL_GROUP && f->key != WR_SEL_RGROUP;
  return strcmp(have, f->value) == 0;
}

static bool same_key(const struct wr_sel_filter *a,
                     const struct wr_sel_filter *b)
{
  return a->key == b->key &&
         (a->key != WR_SEL_TAG || strcmp(a->tag, b->tag) == 0);
}

bool wr_select_match(const struct wr_selection *s,
                     const struct wr_sel_desktop *d)
{
  size_t i, j;

  /* For each key (its first filter), one of its values must match. */
  for (i = 0; i < s->nfilters; i++) {
    bool first = true, any = false;

    for (j = 0; j < i && first; j++)
      first = !same_key(&s->filters[j], &s->filters[i]);
    if (!first)
      continue;
    for (j = i; j < s->nfilters && !any; j++)
      any = same_key(&s->filters[j], &s->filters[i]) &&
            match_one(&s->filters[j], d);
    if (!any)
      return false;
  }
  return true;
}

bool wr_select_has(const struct wr_selection *s, const char *id)
{
  return wr_idset_find(s->seen, id, strlen(id)) >= 0;
}

static const char *const key_words[WR_SEL_KEYS] = {
  "in office site", "in pool", "with status", "with tag", "of user",
  "with policy", "with image", "named", "of type", "in resource group"
};

int wr_select_describe(const struct wr_selection *s, struct wr_buf *out)
{
  size_t i, j;
  int rc = 0;

  if (s->nfilters == 0)
    return wr_buf_adds(out, "(every desktop, no filter)");
  for (i = 0; i < s->nfilters && rc == 0; i++) {
    bool first = true;

    for (j = 0; j < i && first; j++)
      first = !same_key(&s->filters[j], &s->filters[i]);
    if (!first)
      continue;
    if (out->len > 0)
      rc = wr_buf_adds(out, " ");
    if (rc == 0)
      rc = wr_buf_adds(out, key_words[s->filters[i].key]);
    for (j = i; j < s->nfilters && rc == 0; j++) {
      if (!same_key(&s->filters[j], &s->filters[i]))
        continue;
      rc = wr_buf_adds(out, j == i ? " " : " or ");
      if (rc == 0 && s->filters[j].key == WR_SEL_TAG)
        rc = wr_buf_addf(out, "%s=%s", s->filters[j].tag,
                         s->filters[j].value);
      else if (rc == 0)
        rc = wr_buf_adds(out, s->filters[j].value);
    }
  }
  return rc;
}
