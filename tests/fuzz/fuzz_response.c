/* fuzz_response: libFuzzer target for the response parser and classifier
 * (wr_api_classify_response).
 *
 * Input: two bytes of HTTP status (100..599), a flag byte (bit 0: an
 * x-acs-retry-after header follows, up to the first '\n'), then the body,
 * passed without a terminating NUL.  Checked on every input: the result
 * is one of the outcomes, every text field is terminated and free of
 * control bytes (they reach a terminal and the report), retry_after_ms is
 * absent or within a day, only a final outcome is splittable, judging is
 * deterministic, and ok means a 2xx with a RequestId and no error code. */
#include "api.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RETRY_MAX_MS (24LL * 3600 * 1000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant does not hold: say which, and crash for libFuzzer. */
static void broken(const char *why)
{
  fprintf(stderr, "fuzz_response: %s\n", why);
  abort();
}

static void check_text(const char *s, size_t size)
{
  size_t i;

  for (i = 0; i < size && s[i] != '\0'; i++)
    if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
      broken("a control byte in a field");
  if (i == size)
    broken("a field not terminated");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct wr_api_result r, again;
  char *retry = NULL, *body;
  const uint8_t *nl;
  long status;
  size_t n;

  if (size < 3)
    return 0;
  status = 100 + (long)(((unsigned)data[0] << 8 | data[1]) % 500);
  data += 3;
  size -= 3;
  if (data[-1] & 1) {
    nl = memchr(data, '\n', size);
    n = nl != NULL ? (size_t)(nl - data) : size;
    retry = malloc(n + 1);
    if (retry == NULL)
      return 0;
    memcpy(retry, data, n);
    retry[n] = '\0';
    data += nl != NULL ? n + 1 : n;
    size -= nl != NULL ? n + 1 : n;
  }
  /* The body on the heap, exactly its size: ASan sees any overread. */
  body = malloc(size ? size : 1);
  if (body == NULL) {
    free(retry);
    return 0;
  }
  memcpy(body, data, size);
  wr_api_classify_response(status, body, size, retry, &r);
  if (r.outcome < WR_OUTCOME_OK || r.outcome > WR_OUTCOME_FINAL ||
      r.http_status != status)
    broken("outcome or status out of range");
  check_text(r.request_id, sizeof(r.request_id));
  check_text(r.code, sizeof(r.code));
  check_text(r.message, sizeof(r.message));
  check_text(r.host_id, sizeof(r.host_id));
  check_text(r.recommend, sizeof(r.recommend));
  if (r.retry_after_ms != -1 &&
      (r.retry_after_ms < 1 || r.retry_after_ms > RETRY_MAX_MS))
    broken("retry_after_ms out of range");
  if (r.splittable && r.outcome != WR_OUTCOME_FINAL)
    broken("splittable but not final");
  /* ok only for a 2xx ECD answer: a RequestId, no error code. */
  if (r.outcome == WR_OUTCOME_OK &&
      (status < 200 || status > 299 || r.code[0] != '\0' ||
       r.request_id[0] == '\0' || r.ambiguous))
    broken("ok without a 2xx ECD answer (RequestId, no code)");
  wr_api_classify_response(status, body, size, retry, &again);
  if (memcmp(&r, &again, sizeof(r)) != 0)
    broken("judged differently twice");
  free(body);
  free(retry);
  return 0;
}
