/* api_response: judge every outcome (API.md section 5).  The error Code
 * decides first; the HTTP status is only the fallback.  Never fails: any
 * body (HTML, empty, truncated JSON) yields a classification. */
#include "api.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define RETRY_AFTER_MAX_MS (24LL * 3600 * 1000)

static const char *const throttling_codes[] = {
  "Throttling", "Throttling.User", "Throttling.Api", NULL,
};
static const char *const transient_codes[] = {
  "ServiceUnavailable", "InternalError", "UnknownError", NULL,
};

static bool in_list(const char *code, const char *const *list)
{
  size_t i;

  for (i = 0; list[i] != NULL; i++)
    if (strcmp(code, list[i]) == 0)
      return true;
  return false;
}

static bool starts_with(const char *s, const char *prefix)
{
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s), m = strlen(suffix);

  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Final for a reason that may concern only some IDs of the chunk, so
 * splitting it isolates the bad ones (API.md decision 5). */
static bool splittable(const char *code)
{
  if (strcmp(code, "MissingParameter") == 0 ||
      strcmp(code, "IdempotentParameterMismatch") == 0)
    return false;
  if (starts_with(code, "InvalidParameter") ||
      starts_with(code, "IncorrectDesktopStatus"))
    return true;
  /* InvalidDesktopId.NotFound and any other *.NotFound naming a desktop. */
  return ends_with(code, ".NotFound") && strstr(code, "Desktop") != NULL;
}

/* The codes of API.md 5.2 that no retry can fix. */
static bool known_final(const char *code)
{
  static const char *const exact[] = {
    "SignatureNonceUsed", "SignatureDoesNotMatch", "IncompleteSignature",
    "InvalidAction", "ActionUnauthorized", "MissingParameter",
    "IdempotentParameterMismatch", "NoPermission", "InvalidAccessKeySecret",
    NULL,
  };
  static const char *const prefix[] = {
    "InvalidTimeStamp", "InvalidAccessKeyId", "Forbidden", "InvalidParameter",
    "IncorrectDesktopStatus", "InvalidSecurityToken", NULL,
  };
  size_t i;

  if (in_list(code, exact) || ends_with(code, ".NotFound"))
    return true;
  for (i = 0; prefix[i] != NULL; i++)
    if (starts_with(code, prefix[i]))
      return true;
  return false;
}

/* Codes about the caller, not the desktops: no retry and no other chunk
 * can succeed until the operator fixes the credentials, the clock, the
 * RAM policy, the account or the client session.  From API.md 5.2 and
 * the OpenAPI common codes (help.aliyun.com document 51132); NoPermission,
 * InvalidAccessKeyId.Inactive and the client-session codes are commonly
 * seen but unconfirmed, so matched by family.  A *NotFound code other
 * than the AccessKey's names a resource (Forbidden.InstanceNotFound), not
 * the caller. */
bool wr_api_code_fatal_auth(const char *code)
{
  static const char *const exact[] = {
    "SignatureDoesNotMatch", "IncompleteSignature", "InvalidAccessKeySecret",
    "MissingSecurityToken", "NoPermission", "ActionUnauthorized",
    "IllegalTimestamp", "InvalidOwnerId", "InvalidOwnerAccount",
    "InvalidOwner", "InsufficientBalance", "Forbedden.NotSupportRAM",
    "NOT_LOGIN", NULL,
  };
  static const char *const prefix[] = {
    "InvalidAccessKeyId", "InvalidSecurityToken", "InvalidTimeStamp",
    "Forbidden", "InvalidLoginToken", "InvalidSessionId",
    "InvalidSessionToken", "InvalidClientId", "LoginTokenExpired",
    "SessionExpired", NULL,
  };
  size_t i;

  if (code == NULL || code[0] == '\0')
    return false;
  if (in_list(code, exact))
    return true;
  if (starts_with(code, "InvalidAccessKeyId"))
    return true;
  if (strstr(code, "NotFound") != NULL)
    return false;
  for (i = 0; prefix[i] != NULL; i++)
    if (starts_with(code, prefix[i]))
      return true;
  return false;
}

bool wr_api_code_token_expired(const char *code)
{
  /* The POP gateway's code for an STS token past its Expiration (and
   * any more precise code of that family). */
  return code != NULL && starts_with(code, "InvalidSecurityToken.Expired");
}

/* Copy a string field, truncated, control characters replaced: the text
 * comes from the network and ends up on a terminal and in the report. */
static void copy_field(char *dst, size_t size, const char *src)
{
  size_t i;

  /* cppcheck-suppress arrayIndexOutOfBoundsCond ; src is read up to its
   * NUL only, never to size (cppcheck pairs a short literal with a big dst) */
  for (i = 0; i + 1 < size && src[i] != '\0'; i++)
    dst[i] = iscntrl((unsigned char)src[i]) ? ' ' : src[i];
  dst[i] = '\0';
}

/* Read the body's fields case-insensitively; anything else is ignored.
 * *clean: the body is one JSON object and nothing after it, the only
 * shape a success may take. */
static bool parse_body(const char *body, size_t len, struct wr_api_result *r,
                       bool *clean)
{
  cJSON *root, *it;
  const char *end = NULL;

  *clean = false;
  if (body == NULL || len == 0)
    return false;
  root = cJSON_ParseWithLengthOpts(body, len, &end, false);
  if (!cJSON_IsObject(root)) {
    cJSON_Delete(root);
    return false;
  }
  *clean = end != NULL && end >= body;
  for (; *clean && end < body + len; end++)
    if (*end != ' ' && *end != '\t' && *end != '\r' && *end != '\n')
      *clean = false;
  cJSON_ArrayForEach(it, root) {
    char num[32];
    const char *v = NULL;

    if (it->string == NULL)
      continue;
    if (cJSON_IsString(it)) {
      v = it->valuestring;
    } else if (cJSON_IsNumber(it) && strcasecmp(it->string, "Code") == 0) {
      /* Some gateways send "Code": 400. */
      snprintf(num, sizeof(num), "%.0f", it->valuedouble);
      v = num;
    }
    if (v == NULL)
      continue;
    if (strcasecmp(it->string, "RequestId") == 0)
      copy_field(r->request_id, sizeof(r->request_id), v);
    else if (strcasecmp(it->string, "Code") == 0)
      copy_field(r->code, sizeof(r->code), v);
    else if (strcasecmp(it->string, "Message") == 0)
      copy_field(r->message, sizeof(r->message), v);
    else if (strcasecmp(it->string, "HostId") == 0)
      copy_field(r->host_id, sizeof(r->host_id), v);
    else if (strcasecmp(it->string, "Recommend") == 0)
      copy_field(r->recommend, sizeof(r->recommend), v);
  }
  cJSON_Delete(root);
  return true;
}

/* x-acs-retry-after: a positive integer of milliseconds (API.md 5.3);
 * anything else counts as absent. */
static int64_t parse_retry_after(const char *s)
{
  int64_t v = 0;

  if (s == NULL)
    return -1;
  while (*s == ' ' || *s == '\t')
    s++;
  if (!isdigit((unsigned char)*s))
    return -1;
  for (; isdigit((unsigned char)*s); s++) {
    v = v * 10 + (*s - '0');
    if (v > RETRY_AFTER_MAX_MS)
      v = RETRY_AFTER_MAX_MS;
  }
  while (*s == ' ' || *s == '\t')
    s++;
  return *s == '\0' && v > 0 ? v : -1;
}

static bool success_code(const char *code)
{
  return code[0] == '\0' || strcmp(code, "200") == 0 ||
         strcasecmp(code, "Success") == 0 || strcasecmp(code, "OK") == 0;
}

void wr_api_classify_response(long http_status, const char *body,
                              size_t body_len, const char *retry_after,
                              struct wr_api_result *out)
{
  bool json, clean;

  memset(out, 0, sizeof(*out));
  out->http_status = http_status;
  out->retry_after_ms = parse_retry_after(retry_after);
  json = parse_body(body, body_len, out, &clean);
  if (http_status >= 200 && http_status < 300 && success_code(out->code)) {
    if (clean && out->request_id[0] != '\0') {
      out->outcome = WR_OUTCOME_OK;
      out->code[0] = '\0';
      return;
    }
    /* Not an ECD answer (a proxy page, a captive portal, a cut body): the
     * call may or may not have reached ECD, so it is retried (client mode's
     * ClientToken makes that safe) and counted as ambiguous. */
    out->outcome = WR_OUTCOME_TRANSIENT;
    out->ambiguous = true;
    out->code[0] = '\0';
    out->request_id[0] = '\0';
    snprintf(out->message, sizeof(out->message),
             "HTTP %ld with %s, not an ECD answer", http_status,
             body_len == 0 ? "an empty body"
             : !clean      ? "a non-JSON body"
                           : "no RequestId");
    return;
  }
  if (!json && out->message[0] == '\0')
    snprintf(out->message, sizeof(out->message),
             "HTTP %ld with a %s body", http_status,
             body_len == 0 ? "empty" : "non-JSON");
  if (out->code[0] != '\0' && !success_code(out->code)) {
    if (in_list(out->code, throttling_codes) ||
        starts_with(out->code, "Throttling.")) {
      out->outcome = WR_OUTCOME_THROTTLED;
      return;
    }
    if (in_list(out->code, transient_codes)) {
      out->outcome = WR_OUTCOME_TRANSIENT;
      /* The server may have acted before failing internally. */
      out->ambiguous = strcmp(out->code, "ServiceUnavailable") != 0;
      return;
    }
    if (wr_api_code_fatal_auth(out->code)) {
      out->outcome = WR_OUTCOME_FINAL;
      out->fatal_auth = true;
      return;
    }
    if (known_final(out->code)) {
      out->outcome = WR_OUTCOME_FINAL;
      out->splittable = splittable(out->code);
      return;
    }
    /* A code we do not know: the status decides, as without a code. */
  }
  if (out->retry_after_ms > 0 && http_status >= 400) {
    out->outcome = WR_OUTCOME_THROTTLED; /* API.md 5.3 */
  } else if (http_status == 429) {
    out->outcome = WR_OUTCOME_THROTTLED;
  } else if (http_status >= 500) {
    out->outcome = WR_OUTCOME_TRANSIENT;
    /* A gateway error (502, 504) may come after the backend acted; a 503
     * is a refusal. */
    out->ambiguous = http_status != 503;
  } else {
    out->outcome = WR_OUTCOME_FINAL;
  }
}

void wr_api_classify_transport(enum wr_transport t, const char *detail,
                               struct wr_api_result *out)
{
  memset(out, 0, sizeof(*out));
  out->retry_after_ms = -1;
  copy_field(out->message, sizeof(out->message),
             detail != NULL ? detail : "transport error");
  switch (t) {
  case WR_TRANSPORT_NOT_SENT:
    out->outcome = WR_OUTCOME_TRANSIENT;
    out->not_sent = true;
    break;
  case WR_TRANSPORT_AMBIGUOUS:
    out->outcome = WR_OUTCOME_TRANSIENT;
    out->ambiguous = true;
    break;
  case WR_TRANSPORT_OK: /* not a failure: a caller bug, never retried */
  case WR_TRANSPORT_FATAL:
  default:
    out->outcome = WR_OUTCOME_FINAL;
    break;
  }
}
