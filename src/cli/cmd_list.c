/* cmd_list: `wuying-reboot list`, and the selection that plan and run
 * make with --select (select.h): the fleet from DescribeDesktops instead
 * of (or as a filter of) an INPUT file. */
#define _POSIX_C_SOURCE 200809L
#include "cmd.h"

#include "auth.h"
#include "buf.h"
#include "creds.h"
#include "log.h"
#include "plan.h"
#include "select.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* What a fleet selected from the API (no INPUT) keeps of each desktop for
 * the report, before any --keep-columns of the selection's own. */
static const char *const sel_keep[] = {"DesktopName", "OfficeSiteId",
                                       "EndUserIds"};
#define NSEL_KEEP (sizeof(sel_keep) / sizeof(sel_keep[0]))

/* Whether name is one of the n names of v, ASCII case ignored (as
 * --keep-columns matches a CSV header). */
static bool has_name(const char *const *v, size_t n, const char *name)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (strcasecmp(v[i], name) == 0)
      return true;
  return false;
}

int wr_cmd_select_creds(const struct wr_config *cfg, struct wr_creds *creds,
                        struct wr_err *err)
{
  struct wr_selection sel;
  const char *const *cols;
  size_t i, ncols;
  int rc = wr_select_init(&sel, cfg->selects, cfg->nselects, NULL, err);

  wr_select_free(&sel);
  if (rc < 0)
    return rc;
  /* Without INPUT, --keep-columns names columns of the selection. */
  cols = wr_select_columns(&ncols);
  for (i = 0; cfg->ninputs == 0 && i < cfg->nkeep_columns; i++)
    if (!has_name(cols, ncols, cfg->keep_columns[i]))
      return wr_err_set(err, WR_EUSAGE, "--keep-columns: a fleet selected "
                        "from the API has no column \"%s\"; it has: "
                        "DesktopId, RegionId, DesktopName, DesktopStatus, "
                        "ConnectionStatus, OfficeSiteId, DesktopGroupId, "
                        "EndUserIds, Tags", cfg->keep_columns[i]);
  return wr_auth_load(cfg, creds, err);
}

int wr_cmd_select(const struct wr_config *cfg, const struct wr_creds *creds,
                  const char *regions, struct wr_selection *sel,
                  struct wr_err *err)
{
  struct wr_buf what;
  int rc;

  rc = wr_select_init(sel, cfg->selects, cfg->nselects, regions, err);
  if (rc < 0)
    return rc;
  /* An INPUT names its pooled desktops on purpose: the selection filters
   * them like the others (FilterDesktopGroup=false). */
  sel->with_pooled = cfg->command != WR_CMD_LIST && cfg->ninputs > 0;
  rc = wr_select_run(sel, cfg, creds, err);
  if (rc < 0)
    return rc;
  wr_buf_init(&what, 1u << 16);
  if (wr_select_describe(sel, &what) < 0)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  wr_infof("selected %zu desktops %s in %s (%zu queries, %zu pages)", sel->n,
           wr_buf_str(&what), regions, sel->queries, sel->pages);
  if (sel->n == 0 && !cfg->allow_empty)
    rc = wr_err_set(err, WR_EINPUT, "the selection %s matched no desktop in "
                    "%s: nothing to do (--allow-empty makes this exit 0)",
                    wr_buf_str(&what), regions);
  wr_buf_free(&what);
  return rc;
}

/* A CSV cell, always quoted (libcsv): "," first unless first. */
static void put_cell(FILE *f, const char *s, bool first)
{
  if (!first)
    fputc(',', f);
  csv_fwrite(f, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

/* A temporary CSV of the desktops to plan: without INPUT, the selection
 * as `list` writes it (its columns can be kept); with INPUT,
 * "DesktopId,RegionId" and the input's kept columns. */
static int write_temp(const struct wr_selection *sel, const struct wr_plan *in,
                      char *path, size_t size, struct wr_err *err)
{
  const char *dir = getenv("TMPDIR");
  FILE *f;
  size_t c, i, k;
  int fd, bad;

  snprintf(path, size, "%s/wuying-reboot-selection-XXXXXX",
           dir != NULL && dir[0] != '\0' ? dir : "/tmp");
  fd = mkstemp(path);
  if (fd < 0)
    return wr_err_set(err, WR_EIO, "%s: %s", path, strerror(errno));
  f = fdopen(fd, "w");
  if (f == NULL) {
    close(fd);
    unlink(path);
    return wr_err_set(err, WR_EIO, "%s: %s", path, strerror(errno));
  }
  bad = 0;
  if (in == NULL) {
    bad = wr_select_write(sel, false, f) < 0;
  } else { /* the input's desktops, in its order, that were selected */
    const struct wr_chunk *ch;

    fputs("DesktopId,RegionId", f);
    for (k = 0; k < in->nkeep; k++)
      put_cell(f, in->keep_names[k], false);
    fputc('\n', f);
    for (c = 0; c < in->nchunks; c++)
      for (ch = &in->chunks[c], i = 0; i < ch->nids; i++) {
        if (!wr_select_has(sel, ch->ids[i]))
          continue;
        fprintf(f, "%s,%s", ch->ids[i], ch->region);
        for (k = 0; k < in->nkeep; k++)
          put_cell(f, ch->kept ? ch->kept[i * in->nkeep + k] : NULL, false);
        fputc('\n', f);
      }
  }
  bad |= ferror(f);
  bad |= fclose(f);
  if (bad) {
    unlink(path);
    return wr_err_set(err, WR_EIO, "%s: write error", path);
  }
  return 0;
}

/* The regions of a plan, "R1,R2". */
static char *plan_regions(const struct wr_plan *p)
{
  struct wr_buf b;
  size_t i;

  wr_buf_init(&b, 1u << 16);
  for (i = 0; i < p->nregions; i++)
    if (wr_buf_addf(&b, "%s%s", i ? "," : "", p->regions[i].region) < 0) {
      wr_buf_free(&b);
      return NULL;
    }
  return wr_buf_take(&b);
}

int wr_cmd_build_plan(const struct wr_config *cfg,
                      const struct wr_creds *creds, struct wr_selection *sel,
                      struct wr_plan **out, bool *empty, struct wr_err *err)
{
  struct wr_plan_opts po;
  struct wr_plan *in = NULL;
  char tmp[4096], *regions = NULL, *one[1];
  const char **keep = NULL;
  size_t i;
  int rc;

  *empty = false;
  wr_plan_opts_from_config(cfg, &po);
  if (cfg->nselects == 0)
    return wr_plan_build(&po, cfg->inputs, cfg->ninputs, out, err);
  if (cfg->ninputs > 0) {
    if ((rc = wr_plan_build(&po, cfg->inputs, cfg->ninputs, &in, err)) < 0)
      return rc;
    /* The plan built below is of the selected desktops only: say here
     * what the input's own check rejected. */
    if (in->nrejected > 0)
      wr_warnf("%zu input row(s) rejected and left out (the first: "
               "%s:%ld: \"%.60s\": %s); `plan` without --select lists "
               "them", in->nrejected, in->rejected[0].source,
               in->rejected[0].line, in->rejected[0].value,
               in->rejected[0].reason);
    if ((regions = plan_regions(in)) == NULL) {
      rc = wr_err_set(err, WR_ENOMEM, "out of memory");
      goto out;
    }
  }
  rc = wr_cmd_select(cfg, creds, regions ? regions : cfg->region, sel, err);
  if (rc < 0)
    goto out;
  if ((rc = write_temp(sel, in, tmp, sizeof(tmp), err)) < 0)
    goto out;
  /* The selection names every desktop's region: no default applies. */
  po.default_region = NULL;
  po.only_regions = NULL;
  po.all_regions = true;
  po.column = NULL;
  po.format = WR_FORMAT_CSV;
  if (in == NULL) { /* the selection's own columns, then --keep-columns */
    keep = malloc((NSEL_KEEP + cfg->nkeep_columns) * sizeof(*keep));
    if (keep == NULL) {
      unlink(tmp);
      rc = wr_err_set(err, WR_ENOMEM, "out of memory");
      goto out;
    }
    memcpy(keep, sel_keep, sizeof(sel_keep));
    po.nkeep = NSEL_KEEP;
    for (i = 0; i < cfg->nkeep_columns; i++)
      if (!has_name(sel_keep, NSEL_KEEP, cfg->keep_columns[i]))
        keep[po.nkeep++] = cfg->keep_columns[i];
    po.keep = keep;
  }
  one[0] = tmp;
  rc = wr_plan_build(&po, one, 1, out, err);
  unlink(tmp);
  if (rc < 0 && (sel->n == 0 || in != NULL)) {
    /* an empty selection, or none of the input's desktops selected */
    *empty = true;
    rc = cfg->allow_empty
             ? 0
             : wr_err_set(err, WR_EINPUT, "none of the input's %zu "
                          "desktops matches the selection: nothing to do "
                          "(--allow-empty makes this exit 0)",
                          in ? in->ndesktops : 0);
    goto out;
  }
  if (rc == 0)
    (*out)->inputs[0].path = in != NULL ? "(input desktops selected from "
                                          "the API)"
                                        : "(selected from the API)";
out:
  free(keep);
  free(regions);
  wr_plan_destroy(&in);
  return rc;
}

/* Write to FILE through a temporary file renamed over it once complete. */
int wr_cmd_list(const struct wr_config *cfg)
{
  struct wr_selection sel;
  struct wr_creds creds;
  struct wr_err err = {0};
  char *tmp = NULL;
  FILE *out = stdout;
  int code = WR_EXIT_USAGE, rc;
  bool have_creds = false;

  memset(&sel, 0, sizeof(sel));
  memset(&creds, 0, sizeof(creds));
  if (wr_cmd_select_creds(cfg, &creds, &err) < 0) {
    wr_errorf("%s", err.msg);
    goto out;
  }
  have_creds = true;
  if (wr_cmd_select(cfg, &creds, cfg->region, &sel, &err) < 0 &&
      !(sel.n == 0 && cfg->allow_empty && err.code == WR_EINPUT)) {
    wr_errorf("%s", err.msg);
    goto out;
  }
  if (cfg->output != NULL) {
    size_t n = strlen(cfg->output) + sizeof(".XXXXXX");
    int fd;

    if ((tmp = malloc(n)) == NULL) {
      wr_errorf("out of memory");
      goto out;
    }
    snprintf(tmp, n, "%s.XXXXXX", cfg->output);
    fd = mkstemp(tmp);
    if (fd < 0 || (out = fdopen(fd, "w")) == NULL) {
      wr_errorf("%s: %s", cfg->output, strerror(errno));
      if (fd >= 0)
        close(fd);
      free(tmp);
      tmp = NULL;
      goto out;
    }
  }
  rc = wr_select_write(&sel, cfg->format == WR_FORMAT_JSONL, out);
  if (out != stdout) {
    rc |= ferror(out) ? WR_EIO : 0;
    rc = fclose(out) != 0 ? WR_EIO : rc;
    if (rc == 0 && rename(tmp, cfg->output) != 0)
      rc = WR_EIO;
    if (rc < 0)
      unlink(tmp);
  } else if (fflush(stdout) != 0 || ferror(stdout)) {
    rc = WR_EIO;
  }
  if (rc < 0) {
    wr_errorf("cannot write the list to %s",
              cfg->output ? cfg->output : "stdout");
    goto out;
  }
  code = WR_EXIT_OK;
out:
  free(tmp);
  wr_select_free(&sel);
  if (have_creds)
    wr_creds_free(&creds);
  return code;
}
