/* select: the fleet chosen from the API instead of a file.
 *
 * A selection is a list of KEY=VALUE filters (--select).  Different keys
 * combine with AND, the same key repeated with OR.  Each key maps to the
 * DescribeDesktops parameter of the official request model (ecd
 * 2020-09-30 DescribeDesktopsRequest):
 *
 *   office-site     OfficeSiteId       one value per query
 *   group           DesktopGroupId     one value per query, and
 *                                      FilterDesktopGroup=false (the API
 *                                      leaves pooled desktops out unless
 *                                      told; OnlyDesktopGroup would make it
 *                                      ignore DesktopGroupId); a filter
 *                                      of an INPUT sends it always
 *   status          DesktopStatus      one value per query
 *   tag:KEY=VALUE   Tag.N.Key/Value    one value per tag key per query; the
 *                                      different keys together
 *   user            EndUserId.N        every value in one query (1..100)
 *   policy          PolicyGroupId      one value per query
 *   image           ImageId.N          every value in one query (1..100)
 *   name            DesktopName        one value per query
 *   type            DesktopType        one value per query
 *   resource-group  ResourceGroupId    one value per query
 *
 * A key the API takes one value of, repeated, costs one paged query per
 * value (per combination, when several are); the answers are united and
 * de-duplicated by DesktopId.  Every desktop an answer holds is checked
 * again against the whole selection, on the fields the answer carries
 * (the API's own matching, of names or several tags, is not documented),
 * so that nothing outside the selection is ever taken.
 *
 * Paging (select_page.c): MaxResults 100 and NextToken until a page has
 * none, signed like any admin call, one blocking net/fetch call at a time
 * at --rate, retried as policy/retry.h says.  An error answer, a page that
 * fails after its retries or a NextToken seen before stops the selection
 * (WR_EPROTO, the message says which page of which query). */
#ifndef WR_SELECT_H
#define WR_SELECT_H

#include "config.h"
#include "creds.h"
#include "err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct wr_buf;
struct wr_idset;

enum wr_sel_key {
  WR_SEL_OFFICE_SITE = 0,
  WR_SEL_GROUP,
  WR_SEL_STATUS,
  WR_SEL_TAG,
  WR_SEL_USER,
  WR_SEL_POLICY,
  WR_SEL_IMAGE,
  WR_SEL_NAME,
  WR_SEL_TYPE,
  WR_SEL_RGROUP,
  WR_SEL_KEYS
};

struct wr_sel_filter {
  enum wr_sel_key key;
  char *tag;              /* WR_SEL_TAG: the tag key */
  char *value;
};

/* One desktop as an answer gave it; absent fields are NULL. */
struct wr_sel_desktop {
  char *id, *region, *name, *status, *connection, *office_site, *group;
  char *policy, *image, *type, *rgroup;
  char **users;
  size_t nusers;
  char **tag_keys, **tag_values;
  size_t ntags;
  bool has_users, has_tags;  /* the answer had the lists */
};

struct wr_selection {
  struct wr_sel_filter *filters;
  size_t nfilters;
  char **regions;
  size_t nregions;
  struct wr_sel_desktop *v;   /* matches, de-duplicated, in answer order */
  size_t n, cap;
  char **request_ids;         /* of every page, in order */
  size_t nrequest_ids;
  size_t queries, pages;
  int64_t taken_ms;           /* wall clock when the selection ended */
  bool with_pooled;           /* ask for pooled desktops too (a filter of
                                 an INPUT, which names them on purpose) */
  struct wr_idset *seen;      /* DesktopIds taken */
};

/* The valid keys, for messages: "office-site, group, ...". */
const char *wr_select_keys_text(void);

/* Parse the --select values and the region list ("R1,R2").  WR_EUSAGE
 * with err naming the value (an unknown key lists the valid ones). */
int wr_select_init(struct wr_selection *s, char *const *selects, size_t n,
                   const char *regions, struct wr_err *err);
void wr_select_free(struct wr_selection *s);

void wr_sel_desktop_free(struct wr_sel_desktop *d);

/* Whether d matches every filter, on the fields it carries. */
bool wr_select_match(const struct wr_selection *s,
                     const struct wr_sel_desktop *d);

/* Run the queries (select_page.c): fill s->v, request_ids, taken_ms.
 * WR_EPROTO (err says why and where), WR_ENOMEM, WR_EINVAL (a request that
 * cannot be built). */
int wr_select_run(struct wr_selection *s, const struct wr_config *cfg,
                  const struct wr_creds *creds, struct wr_err *err);

/* "in office site X with tag env=prod": the filters as words. */
int wr_select_describe(const struct wr_selection *s, struct wr_buf *out);

/* Output (select_out.c): the desktops as CSV (header DesktopId, RegionId,
 * DesktopName, DesktopStatus, ConnectionStatus, OfficeSiteId,
 * DesktopGroupId, EndUserIds, Tags; lists joined with ';', tags
 * key=value) or JSON Lines (real arrays, tags an object). */
int wr_select_write(const struct wr_selection *s, bool jsonl, FILE *out);
/* The CSV header of wr_select_write, *n names. */
const char *const *wr_select_columns(size_t *n);

/* The report's "selection" object (a cJSON *, NULL: out of memory):
 * filters, regions, request_ids, count, taken_at. */
void *wr_select_record(const struct wr_selection *s);

/* Whether the desktop id was selected. */
bool wr_select_has(const struct wr_selection *s, const char *id);

#endif
