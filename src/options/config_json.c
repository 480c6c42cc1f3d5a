/* config_json: job files in, run.options out.  Both use long option names
 * as keys, so a report's run.options is itself a valid job file: resume
 * rebuilds the config from it with wr_config_apply_json(). */
#include "config_load.h"

#include "clock.h"
#include "config_int.h"
#include "log.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define JOB_MAX (1024 * 1024)

static int type_error(struct wr_err *err, const char *source, const char *key,
                      const char *want)
{
  return wr_err_set(err, WR_EUSAGE, "%s: key \"%s\": expected %s", source,
                    key, want);
}

static int set_job_inputs(struct wr_config *cfg, const cJSON *v,
                          const char *source, struct wr_err *err)
{
  const cJSON *it;
  size_t n = 0, i;
  char **list;

  if (!cJSON_IsArray(v))
    return type_error(err, source, "inputs", "an array of file paths");
  cJSON_ArrayForEach(it, v) {
    if (!cJSON_IsString(it) || it->valuestring[0] == '\0')
      return type_error(err, source, "inputs", "an array of file paths");
    n++;
  }
  list = calloc(n ? n : 1, sizeof(*list));
  if (list == NULL)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  for (i = 0; i < cfg->ninputs; i++)
    free(cfg->inputs[i]);
  free(cfg->inputs);
  cfg->inputs = list;
  cfg->ninputs = 0;
  cJSON_ArrayForEach(it, v) {
    list[cfg->ninputs] = strdup(it->valuestring);
    if (list[cfg->ninputs] == NULL)
      return wr_err_set(err, WR_ENOMEM, "out of memory");
    cfg->ninputs++;
  }
  return 0;
}

static int apply_key(struct wr_config *cfg, const cJSON *v,
                     const char *source, struct wr_err *err)
{
  const struct wr_opt_def *d = wr_opt_find_name(v->string);
  unsigned allowed = cfg->command == WR_CMD_RESUME ? C_PRS
                                                   : 1u << cfg->command;
  const cJSON *it;
  char src[256], num[64];
  int rc;

  /* list reads a run's job file for its selection: the run's inputs and
   * other settings are not its business (unknown keys still are). */
  if (strcmp(v->string, "inputs") == 0 && cfg->command == WR_CMD_LIST)
    return 0;
  if (strcmp(v->string, "inputs") == 0)
    return set_job_inputs(cfg, v, source, err);
  if (d == NULL || d->jtype == J_NO)
    return wr_err_set(err, WR_EUSAGE, "%s: unknown key \"%s\"", source,
                      v->string);
  if (cfg->command == WR_CMD_LIST && !(d->cmds & allowed) &&
      (d->cmds & C_PR))
    return 0;
  if (!(d->cmds & allowed))
    return wr_err_set(err, WR_EUSAGE, "%s: key \"%s\" is not an option of "
                      "this command", source, v->string);
  if (cJSON_IsNull(v))
    return 0; /* as written by wr_config_to_json for "not set" */
  snprintf(src, sizeof(src), "%s: key \"%s\"", source, v->string);
  switch (d->jtype) {
  case J_FLAG:
    if (!cJSON_IsBool(v))
      return type_error(err, source, v->string, "true or false");
    if (cJSON_IsFalse(v)) {
      wr_config_unset_flag(cfg, d);
      return 0;
    }
    return wr_config_apply(cfg, d, "", src, err);
  case J_COUNT:
    if (cJSON_IsBool(v)) {
      cfg->verbosity = WR_LOG_NOTE + cJSON_IsTrue(v);
      return 0;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 3 ||
        v->valuedouble != floor(v->valuedouble))
      return type_error(err, source, v->string, "true, false or 0 to 3");
    cfg->verbosity = WR_LOG_NOTE + (int)v->valuedouble;
    return 0;
  case J_STR:
    if (!cJSON_IsString(v))
      return type_error(err, source, v->string, "a string");
    rc = wr_config_apply(cfg, d, v->valuestring, src, err);
    OPENSSL_cleanse(v->valuestring, strlen(v->valuestring));
    return rc;
  case J_NUM:
  case J_STRNUM:
    if (cJSON_IsString(v) && d->jtype == J_STRNUM)
      return wr_config_apply(cfg, d, v->valuestring, src, err);
    if (!cJSON_IsNumber(v))
      return type_error(err, source, v->string,
                        d->jtype == J_NUM ? "a number" : "a string or a number");
    if (v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) < 1e15)
      snprintf(num, sizeof(num), "%.0f", v->valuedouble);
    else
      snprintf(num, sizeof(num), "%.17g", v->valuedouble);
    return wr_config_apply(cfg, d, num, src, err);
  case J_LIST:
    if (cJSON_IsString(v))
      return wr_config_apply(cfg, d, v->valuestring, src, err);
    if (!cJSON_IsArray(v))
      return type_error(err, source, v->string,
                        "a string or an array of strings");
    cJSON_ArrayForEach(it, v) {
      if (!cJSON_IsString(it))
        return type_error(err, source, v->string,
                          "a string or an array of strings");
      if ((rc = wr_config_apply(cfg, d, it->valuestring, src, err)) < 0)
        return rc;
    }
    return 0;
  case J_NO:
    break;
  }
  return 0;
}

int wr_config_apply_json(struct wr_config *cfg, const void *obj,
                         const char *source, struct wr_err *err)
{
  const cJSON *it;
  int rc;

  if (!cJSON_IsObject((const cJSON *)obj))
    return wr_err_set(err, WR_EUSAGE, "%s: expected a JSON object of options "
                      "({\"region\": \"cn-hangzhou\", ...})", source);
  cJSON_ArrayForEach(it, (const cJSON *)obj) {
    const cJSON *prev;

    /* cJSON keeps both; which one was meant is unknown.  The keys before
     * it are known options, all different, so this loop stays short. */
    for (prev = ((const cJSON *)obj)->child; prev != it; prev = prev->next)
      if (strcmp(prev->string, it->string) == 0)
        return wr_err_set(err, WR_EUSAGE, "%s: key \"%s\" is given twice",
                          source, it->string);
    rc = apply_key(cfg, it, source, err);
    if (rc < 0)
      return rc;
  }
  return 0;
}

/* A job file's secrets are as safe as its mode: the process list is not
 * the risk here, other users reading the file are. */
static void check_secret_mode(FILE *f, const cJSON *root, const char *path)
{
  static const char *const secrets[] = {"login-token", "session-id",
                                        "session-token", "notify"};
  const cJSON *it;
  struct stat st;
  size_t i;

  cJSON_ArrayForEach(it, root) {
    for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
      if (strcmp(it->string, secrets[i]) == 0 && !cJSON_IsNull(it))
        break;
    if (i < sizeof(secrets) / sizeof(secrets[0]))
      break;
  }
  if (it == NULL || fstat(fileno(f), &st) != 0 || (st.st_mode & 0044) == 0)
    return;
  wr_warnf("%s: holds a secret and is readable by others (mode %04o); "
           "chmod 600 it", path, (unsigned)(st.st_mode & 07777));
}

int wr_config_load_job(struct wr_config *cfg, const char *path,
                       struct wr_err *err)
{
  FILE *f = NULL;
  char *text = NULL;
  cJSON *root = NULL;
  const char *end = NULL;
  size_t n;
  int rc = WR_EUSAGE;

  f = fopen(path, "rb");
  if (f == NULL)
    return wr_err_set(err, WR_EUSAGE, "--job: %s: %s", path, strerror(errno));
  text = malloc(JOB_MAX + 1);
  if (text == NULL) {
    rc = wr_err_set(err, WR_ENOMEM, "out of memory");
    goto out;
  }
  n = fread(text, 1, JOB_MAX + 1, f);
  if (ferror(f)) {
    wr_err_set(err, rc, "--job: %s: read error (a directory?)", path);
    goto out;
  }
  if (n > JOB_MAX) {
    wr_err_set(err, rc, "--job: %s: larger than %d bytes", path, JOB_MAX);
    goto out;
  }
  text[n] = '\0'; /* for strspn below */
  root = cJSON_ParseWithLengthOpts(text, n, &end, false);
  if (root == NULL)
    end = cJSON_GetErrorPtr();
  else
    end += strspn(end, " \t\r\n");
  if (root == NULL || end < text + n) {
    long line = 1;
    const char *p;

    for (p = text; end != NULL && p < end && p < text + n; p++)
      line += *p == '\n';
    wr_err_set(err, rc, "--job: %s:%ld: %s", path, line,
               root == NULL ? "not valid JSON" : "text after the JSON object");
    goto out;
  }
  rc = wr_config_apply_json(cfg, root, path, err);
  if (rc == 0)
    check_secret_mode(f, root, path);
  if (rc == 0) {
    free(cfg->job_file);
    cfg->job_file = strdup(path);
    if (cfg->job_file == NULL)
      rc = wr_err_set(err, WR_ENOMEM, "out of memory");
  }
out:
  cJSON_Delete(root);
  if (text != NULL) {
    OPENSSL_cleanse(text, JOB_MAX + 1); /* a job file may hold a secret */
    free(text);
  }
  fclose(f);
  return rc;
}
