/* sim_select: the selection filters of DescribeDesktops, as the official
 * request model names them (ecd 2020-09-30 DescribeDesktopsRequest):
 * OfficeSiteId, DesktopGroupId, PolicyGroupId, DesktopName, DesktopType,
 * ResourceGroupId (one value each), EndUserId.N and ImageId.N (1 to 100,
 * any of them), Tag.N.Key/Tag.N.Value (every tag must be on the desktop:
 * the sim's choice, the reference does not say), FilterDesktopGroup
 * (default true: pooled desktops are left out) and OnlyDesktopGroup
 * (only pooled ones; DesktopGroupId is then ignored, as documented). */
#ifndef WR_SIM_SELECT_H
#define WR_SIM_SELECT_H

#include "sim.h"
#include "sim_params.h"

#include <stdbool.h>
#include <stddef.h>

struct wr_sim_meta;

#define WR_SIM_TAGS_MAX 20

struct wr_sim_select {
  const char *office_site, *group, *policy, *name, *type, *rgroup;
  const char **users;            /* array owned, strings borrowed */
  size_t nusers;
  const char **images;
  size_t nimages;
  const char *tag_key[WR_SIM_TAGS_MAX], *tag_value[WR_SIM_TAGS_MAX];
  size_t ntags;
  bool filter_group;             /* FilterDesktopGroup, default true */
  bool only_group;               /* OnlyDesktopGroup, default false */
};

/* Read the filters from p.  0; WR_ENOMEM; or WR_EPROTO with e filled
 * (InvalidParameter: a list not numbered 1..N, too many values, a
 * boolean that is not true/false, a tag without its key). */
int wr_sim_select_parse(struct wr_sim_select *s,
                        const struct wr_sim_params *p, struct wr_sim_error *e);
void wr_sim_select_free(struct wr_sim_select *s);

/* Whether a desktop with these attributes matches; named: the call named
 * desktops by DesktopId.N (then FilterDesktopGroup does not hide pooled
 * ones: the sim's choice, so that verify sees every desktop it names). */
bool wr_sim_select_match(const struct wr_sim_select *s,
                         const struct wr_sim_meta *m, bool named);

#endif
