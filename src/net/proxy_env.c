#include "proxy_env.h"

#include "err.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The first of the variables that is set and not empty, else "". */
static const char *first_set(const char *const *names)
{
  for (; *names != NULL; names++) {
    const char *v = getenv(*names);

    if (v != NULL && v[0] != '\0')
      return v;
  }
  return "";
}

int wr_proxy_env_load(struct wr_proxy_env *pe)
{
  static const char *const http[] = {"http_proxy", "all_proxy", "ALL_PROXY",
                                     NULL};
  static const char *const https[] = {"https_proxy", "HTTPS_PROXY",
                                      "all_proxy", "ALL_PROXY", NULL};
  static const char *const noproxy[] = {"no_proxy", "NO_PROXY", NULL};

  pe->http = strdup(first_set(http));
  pe->https = strdup(first_set(https));
  pe->noproxy = strdup(first_set(noproxy));
  if (pe->http == NULL || pe->https == NULL || pe->noproxy == NULL) {
    wr_proxy_env_free(pe);
    return WR_ENOMEM;
  }
  return 0;
}

const char *wr_proxy_env_for(const struct wr_proxy_env *pe, const char *url)
{
  return strncasecmp(url, "https://", 8) == 0 ? pe->https : pe->http;
}

void wr_proxy_env_free(struct wr_proxy_env *pe)
{
  free(pe->http);
  free(pe->https);
  free(pe->noproxy);
  pe->http = pe->https = pe->noproxy = NULL;
}
