/* notify_body: the three bodies of a notification.
 *   json      the summary object (docs/report.md "Notifications");
 *   dingtalk  a custom-robot markdown message {"msgtype":"markdown",
 *             "markdown":{"title","text"}};
 *   slack     an incoming-webhook message {"text"} (mrkdwn).
 * cJSON writes every string, so a failure message or a path with quotes
 * or newlines cannot break the JSON. */
#include "notify_int.h"

#include "buf.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#define TEXT_MAX (16 * 1024)

static bool str(cJSON *o, const char *key, const char *s)
{
  return (s != NULL ? cJSON_AddStringToObject(o, key, s)
                    : cJSON_AddNullToObject(o, key)) != NULL;
}

static cJSON *summary_json(const struct wr_notify_summary *s)
{
  cJSON *o = cJSON_CreateObject(), *c, *a, *e;
  size_t i;
  bool ok;

  if (o == NULL)
    return NULL;
  ok = str(o, "tool", "wuying-reboot") && str(o, "event", s->kind) &&
       str(o, "run_id", s->run_id) && str(o, "outcome", s->outcome) &&
       cJSON_AddNumberToObject(o, "exit_code", s->exit_code) != NULL &&
       str(o, "report", s->report) && str(o, "host", s->host);
  if (ok && s->counted) {
    c = cJSON_AddObjectToObject(o, "desktops");
    ok = c != NULL &&
         cJSON_AddNumberToObject(c, "planned", (double)s->planned) &&
         cJSON_AddNumberToObject(c, "ok", (double)s->ok) &&
         cJSON_AddNumberToObject(c, "failed", (double)s->failed) &&
         cJSON_AddNumberToObject(c, "skipped", (double)s->skipped) &&
         cJSON_AddNumberToObject(c, "pending", (double)s->pending) &&
         cJSON_AddNumberToObject(c, "excluded", (double)s->excluded) &&
         cJSON_AddNumberToObject(c, "retry_pending",
                                 (double)s->retry_pending);
  } else if (ok) {
    ok = cJSON_AddNullToObject(o, "desktops") != NULL;
  }
  a = ok ? cJSON_AddArrayToObject(o, "top_failures") : NULL;
  ok = ok && a != NULL &&
       cJSON_AddNumberToObject(o, "failure_codes", (double)s->ncodes);
  for (i = 0; ok && i < s->ntop; i++) {
    e = cJSON_CreateObject();
    if (e == NULL || !cJSON_AddItemToArray(a, e)) {
      cJSON_Delete(e);
      ok = false;
      break;
    }
    ok = str(e, "code", s->top[i].code) &&
         cJSON_AddNumberToObject(e, "desktops", (double)s->top[i].desktops) &&
         str(e, "message", s->top[i].message);
  }
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* One line: "wuying-reboot run: complete (exit 0)". */
static void title(struct wr_buf *b, const struct wr_notify_summary *s)
{
  wr_buf_addf(b, "wuying-reboot %s: %s (exit %d)", s->kind,
              s->outcome != NULL ? s->outcome : "unknown", s->exit_code);
}

/* The message text; bold is "**" in DingTalk's markdown, "*" in Slack's
 * mrkdwn, and a DingTalk line break needs a blank line or a list. */
static void text(struct wr_buf *b, const struct wr_notify_summary *s,
                 bool slack)
{
  const char *bold = slack ? "*" : "**";
  size_t i;

  if (!slack)
    wr_buf_adds(b, "### ");
  wr_buf_addf(b, "%swuying-reboot %s%s: %s\n\n", bold, s->kind, bold,
              s->outcome != NULL ? s->outcome : "unknown");
  wr_buf_addf(b, "- exit code: %d\n", s->exit_code);
  if (s->counted)
    wr_buf_addf(b, "- desktops: %zu planned, %zu ok, %zu failed, %zu "
                "skipped, %zu pending, %zu excluded\n", s->planned, s->ok,
                s->failed, s->skipped, s->pending, s->excluded);
  if (s->ntop > 0) {
    wr_buf_adds(b, "- top failure codes:");
    for (i = 0; i < s->ntop; i++)
      wr_buf_addf(b, "%s %s (%zu)", i > 0 ? "," : "",
                  s->top[i].code != NULL ? s->top[i].code : "(none)",
                  s->top[i].desktops);
    if (s->ncodes > s->ntop)
      wr_buf_addf(b, ", and %zu more", s->ncodes - s->ntop);
    wr_buf_adds(b, "\n");
  }
  wr_buf_addf(b, "- report: %s%s%s\n", s->report != NULL ? s->report : "?",
              s->host != NULL ? " on " : "", s->host != NULL ? s->host : "");
  if (s->run_id != NULL)
    wr_buf_addf(b, "- run id: %s\n", s->run_id);
}

char *wr_notify_body(const struct wr_notify_summary *s,
                     enum wr_notify_format f)
{
  struct wr_buf t, h;
  cJSON *o = NULL, *m;
  char *out = NULL;

  wr_buf_init(&t, TEXT_MAX);
  wr_buf_init(&h, 1024);
  if (f == WR_NOTIFY_JSON) {
    o = summary_json(s);
  } else {
    text(&t, s, f == WR_NOTIFY_SLACK);
    o = cJSON_CreateObject();
    if (o == NULL || wr_buf_str(&t)[0] == '\0')
      goto out;
    if (f == WR_NOTIFY_SLACK) {
      if (!str(o, "text", wr_buf_str(&t)))
        goto out;
    } else {
      title(&h, s);
      m = NULL;
      if (!str(o, "msgtype", "markdown") ||
          (m = cJSON_AddObjectToObject(o, "markdown")) == NULL ||
          !str(m, "title", wr_buf_str(&h)) || !str(m, "text", wr_buf_str(&t)))
        goto out;
    }
  }
  if (o != NULL)
    out = cJSON_PrintUnformatted(o);
out:
  cJSON_Delete(o);
  wr_buf_free(&t);
  wr_buf_free(&h);
  return out;
}
