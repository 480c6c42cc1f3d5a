/* sim_fixture: drives ecd-sim's request handling without HTTP, for the
 * unit tests test_sim_auth.c and test_sim_core.c.  Requests are built by
 * the project's request builder (api.h) with a fixed wall clock and fed
 * straight to wr_sim_handle() with a hand-driven monotonic clock.  Uses
 * cmocka's assertions: call it from a cmocka test only. */
#ifndef WR_SIM_FIXTURE_H
#define WR_SIM_FIXTURE_H

#include "api.h"
#include "creds.h"
#include "sim_core.h"
#include "sim_opts.h"

#include <cjson/cJSON.h>
#include <stdint.h>

#define WALL0 1777000000000LL /* the fixed wall clock of every request */

struct fixture {
  struct wr_sim_opts opts;
  struct wr_sim sim;
  struct wr_creds creds;  /* what the builder signs with */
  int64_t now;            /* monotonic ms, moved by hand */
  int nonce_seq;
};

/* What to build: admin (V3/V1) or client call; ids NULL-terminated. */
struct spec {
  enum wr_api_mode mode;
  enum wr_sig_version sig;
  const char *action;     /* NULL: RebootDesktops */
  const char *region;     /* NULL: cn-hangzhou */
  const char **ids;
  const char *client_token;
  long max_results;
  const char *next_token;
  const char *nonce;      /* NULL: a fresh one */
  int64_t wall_offset_ms;
};

struct sent {
  struct wr_sim_response r;
  cJSON *json;            /* the parsed body, NULL if not JSON */
};

/* A sim with 30 desktops in cn-hangzhou (even) and cn-shanghai (odd),
 * --reboot-ms 1000, plus the extra options. */
struct fixture *simt_setup(const char *const *extra, int nextra);
void simt_teardown(struct fixture *f);
void simt_build(struct fixture *f, const struct spec *s,
                struct wr_http_request *req);
void simt_send(struct fixture *f, const struct wr_http_request *req,
               struct sent *out);
void simt_done(struct sent *s);
/* A string field of the JSON body, "" when absent. */
const char *simt_field(const struct sent *s, const char *name);
/* Build and send; fail unless status and Code ("" for none) match.
 * keep (may be NULL) gets the response (simt_done it). */
void simt_expect(struct fixture *f, const struct spec *sp, int status,
                 const char *code, struct sent *keep);
const char *simt_id(struct fixture *f, size_t i);
uint64_t simt_violations(struct fixture *f, int v);
/* Cut "name=value" out of the URL's query. */
void simt_cut_param(struct wr_http_request *req, const char *name);

#endif
