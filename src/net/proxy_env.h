/* proxy_env: the proxy settings of the environment, read as libcurl reads
 * them, once per run.
 *
 * libcurl looks them up itself when CURLOPT_PROXY is unset: five getenv()
 * and strdup() per transfer, which showed in the run's per-call cost.
 * Setting CURLOPT_PROXY and CURLOPT_NOPROXY to these values ("" = none)
 * keeps curl's behaviour and skips that lookup.  The variables, as in
 * curl 7.88: http_proxy (lowercase only: curl ignores HTTP_PROXY, which
 * CGI lets a client set), https_proxy or HTTPS_PROXY, then all_proxy or
 * ALL_PROXY; no_proxy or NO_PROXY.  An empty variable counts as unset.
 * The values may hold a proxy password: never log them. */
#ifndef WR_PROXY_ENV_H
#define WR_PROXY_ENV_H

struct wr_proxy_env {
  char *http;     /* proxy for http:// URLs, "" for none */
  char *https;    /* proxy for https:// URLs, "" for none */
  char *noproxy;  /* hosts not proxied, "" for none */
};

/* Read the environment; 0, or WR_ENOMEM (then nothing is held). */
int wr_proxy_env_load(struct wr_proxy_env *pe);
/* The proxy for url ("" for none), by its scheme. */
const char *wr_proxy_env_for(const struct wr_proxy_env *pe, const char *url);
void wr_proxy_env_free(struct wr_proxy_env *pe);

#endif
