/* floor_client: the least a libcurl multi-socket + libuv client can spend
 * on the overhead benchmark's work, to tell libcurl's and the kernel's
 * share of `wuying-reboot run` from ours.  Not part of the tool.
 *
 *   floor_client PORT FLEET.csv CALLS CONCURRENCY [IDS]
 *
 * CALLS keep-alive POSTs, CONCURRENCY in flight, to ecd-sim on
 * 127.0.0.1:PORT: client-API RebootDesktops (anonymous, so no signing),
 * IDS desktops (default 1, at most 20) of FLEET.csv (DesktopId,RegionId;
 * from ecd-sim --write-fleet) per call, all of one region, a fresh nonce
 * and ClientToken each.  The fleet is cut into chunks as the tool's plan
 * cuts it: by region, then IDS at a time.  CALLS 0 means one call per
 * chunk, every desktop once.  The same
 * wiring as src/httppool.c (one uv_poll_t per socket, kept while the
 * socket lives; one uv_timer_t), minus everything the tool adds: no
 * signature, no report, no response parsing, no retry bookkeeping.
 * Prints the calls answered 200 and exits 1 if any was not. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#define MAXFD 65536

struct sockctx {
  uv_poll_t poll;
  curl_socket_t fd;
};

struct transfer {
  CURL *easy;
  char url[2048];
};

static uv_loop_t loop;
static uv_timer_t timer;
static CURLM *multi;
static struct sockctx *byfd[MAXFD];
static char **ids, **regions;
static int nids, total, sent, done, ok, port, per_call = 1;
static int *chunk_at, nchunks; /* chunk k: ids[chunk_at[k]..chunk_at[k+1]) */
static char stamp[32]; /* now, URL-encoded: the simulator checks it */

static size_t on_body(char *d, size_t size, size_t n, void *u)
{
  (void)d;
  (void)u;
  return size * n;
}

static void start(struct transfer *t)
{
  int i = sent++, k = i % nchunks, j, n;
  size_t len;

  n = snprintf(t->url, sizeof(t->url),
               "http://127.0.0.1:%d/?Action=RebootDesktops&Format=json"
               "&Version=2020-10-02&Timestamp=%s"
               "&SignatureNonce=%032x&ClientId=x&ClientToken=floor-%d"
               "&RegionId=%s",
               port, stamp, i + 1, i, regions[chunk_at[k]]);
  len = (size_t)n;
  for (j = chunk_at[k]; j < chunk_at[k + 1] && len < sizeof(t->url); j++) {
    n = snprintf(t->url + len, sizeof(t->url) - len, "&DesktopId.%d=%s",
                 j - chunk_at[k] + 1, ids[j]);
    len += (size_t)n;
  }
  curl_easy_setopt(t->easy, CURLOPT_URL, t->url);
  curl_multi_add_handle(multi, t->easy);
}

static void drain(void)
{
  CURLMsg *m;
  int left;

  while ((m = curl_multi_info_read(multi, &left)) != NULL) {
    struct transfer *t = NULL;
    long code = 0;
    CURL *e = m->easy_handle;

    if (m->msg != CURLMSG_DONE)
      continue;
    curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&t);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
    ok += m->data.result == CURLE_OK && code == 200;
    done++;
    curl_multi_remove_handle(multi, e);
    if (sent < total)
      start(t);
  }
  if (done == total)
    uv_timer_stop(&timer);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
  struct sockctx *c = h->data;
  int flags = 0, running;

  if (status < 0)
    flags = CURL_CSELECT_ERR;
  if (events & UV_READABLE)
    flags |= CURL_CSELECT_IN;
  if (events & UV_WRITABLE)
    flags |= CURL_CSELECT_OUT;
  curl_multi_socket_action(multi, c->fd, flags, &running);
  drain();
}

static void on_timeout(uv_timer_t *h)
{
  int running;

  (void)h;
  curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
  drain();
}

static int on_socket(CURL *e, curl_socket_t s, int action, void *u, void *sp)
{
  struct sockctx *c = sp;
  int events = 0;

  (void)e;
  (void)u;
  if (action == CURL_POLL_REMOVE) {
    if (c != NULL)
      uv_poll_stop(&c->poll);
    return 0;
  }
  if (c == NULL) {
    if (s < 0 || s >= MAXFD)
      return -1;
    c = byfd[s];
    if (c == NULL) {
      c = malloc(sizeof(*c));
      if (c == NULL || uv_poll_init_socket(&loop, &c->poll, s) != 0)
        return -1;
      c->poll.data = c;
      c->fd = s;
      byfd[s] = c;
    }
    curl_multi_assign(multi, s, c);
  }
  if (action != CURL_POLL_IN)
    events |= UV_WRITABLE;
  if (action != CURL_POLL_OUT)
    events |= UV_READABLE;
  return uv_poll_start(&c->poll, events, on_poll) == 0 ? 0 : -1;
}

static int on_timer(CURLM *m, long ms, void *u)
{
  (void)m;
  (void)u;
  if (ms < 0)
    uv_timer_stop(&timer);
  else
    uv_timer_start(&timer, on_timeout, ms > 0 ? (uint64_t)ms : 1, 0);
  return 0;
}

static void on_closed(uv_handle_t *h)
{
  free(h->data);
}

static int load_fleet(const char *path)
{
  FILE *f = fopen(path, "r");
  char line[512];
  int cap = 0;

  if (f == NULL || fgets(line, sizeof(line), f) == NULL)
    return -1;
  while (fgets(line, sizeof(line), f) != NULL) {
    char *comma = strchr(line, ',');

    if (comma == NULL)
      continue;
    *comma++ = '\0';
    comma[strcspn(comma, ",\r\n")] = '\0';
    if (nids == cap) {
      cap = cap > 0 ? cap * 2 : 1024;
      ids = realloc(ids, sizeof(*ids) * (size_t)cap);
      regions = realloc(regions, sizeof(*regions) * (size_t)cap);
      if (ids == NULL || regions == NULL)
        return -1;
    }
    ids[nids] = strdup(line);
    regions[nids++] = strdup(comma);
  }
  fclose(f);
  return nids > 0 ? 0 : -1;
}

/* Regroup the fleet by region (keeping file order within a region) and
 * cut it into chunks of per_call IDs of one region. */
static int make_chunks(void)
{
  char **i2 = malloc(sizeof(*i2) * (size_t)nids);
  char **r2 = malloc(sizeof(*r2) * (size_t)nids);
  char *seen[64];
  int i, n = 0, nseen = 0, r;

  chunk_at = malloc(sizeof(*chunk_at) * ((size_t)nids + 1));
  if (i2 == NULL || r2 == NULL || chunk_at == NULL)
    return -1;
  /* A pass per region (a fleet has a handful): cheaper than a sort, so
   * the floor stays a floor. */
  for (i = 0; i < nids; i++) {
    for (r = 0; r < nseen && strcmp(seen[r], regions[i]) != 0; r++)
      ;
    if (r == nseen) {
      if (nseen == 64)
        return -1;
      seen[nseen++] = regions[i];
    }
  }
  for (r = 0; r < nseen; r++)
    for (i = 0; i < nids; i++)
      if (strcmp(regions[i], seen[r]) == 0) {
        i2[n] = ids[i];
        r2[n++] = regions[i];
      }
  free(ids);
  free(regions);
  ids = i2;
  regions = r2;
  for (i = 0; i < nids; i++)
    if (i == 0 || strcmp(regions[i], regions[i - 1]) != 0 ||
        i - chunk_at[nchunks - 1] == per_call)
      chunk_at[nchunks++] = i;
  chunk_at[nchunks] = nids;
  return 0;
}

int main(int argc, char **argv)
{
  struct transfer *tr;
  int conc, i;
  struct curl_slist *hdrs = NULL;
  time_t now;

  if (argc != 5 && argc != 6) {
    fprintf(stderr, "usage: floor_client PORT FLEET.csv CALLS CONCURRENCY "
            "[IDS]\n");
    return 2;
  }
  port = atoi(argv[1]);
  total = atoi(argv[3]);
  conc = atoi(argv[4]);
  if (argc == 6)
    per_call = atoi(argv[5]);
  now = time(NULL);
  strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H%%3A%M%%3A%SZ", gmtime(&now));
  if (per_call < 1 || per_call > 20 || load_fleet(argv[2]) < 0 ||
      make_chunks() < 0 || total < 0 || conc < 1) {
    fprintf(stderr, "floor_client: bad arguments or fleet %s\n", argv[2]);
    return 2;
  }
  if (total == 0)
    total = nchunks;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  uv_loop_init(&loop);
  uv_timer_init(&loop, &timer);
  multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)conc * 2);
  hdrs = curl_slist_append(hdrs, "x-acs-version: 2020-10-02");
  hdrs = curl_slist_append(hdrs, "x-acs-action: RebootDesktops");
  hdrs = curl_slist_append(hdrs, "Expect:");
  tr = calloc((size_t)conc, sizeof(*tr));
  if (tr == NULL || hdrs == NULL)
    return 1;
  for (i = 0; i < conc && i < total; i++) {
    tr[i].easy = curl_easy_init();
    curl_easy_setopt(tr[i].easy, CURLOPT_PRIVATE, &tr[i]);
    curl_easy_setopt(tr[i].easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(tr[i].easy, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(tr[i].easy, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(tr[i].easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(tr[i].easy, CURLOPT_USERAGENT, "floor_client/1");
    start(&tr[i]);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  for (i = 0; i < conc && i < total; i++)
    curl_easy_cleanup(tr[i].easy);
  curl_multi_cleanup(multi);
  for (i = 0; i < MAXFD; i++)
    if (byfd[i] != NULL)
      uv_close((uv_handle_t *)&byfd[i]->poll, on_closed);
  uv_close((uv_handle_t *)&timer, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  curl_slist_free_all(hdrs);
  curl_global_cleanup();
  printf("%d of %d calls answered 200\n", ok, done);
  return ok == total ? 0 : 1;
}
