/* sim_fixture: see sim_fixture.h. */
#include "sim_fixture.h"

#include "buf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXH 16 /* headers of a built request */

struct fixture *simt_setup(const char *const *extra, int nextra)
{
  struct fixture *f = calloc(1, sizeof(*f));
  char *argv[32] = {"ecd-sim", "--desktops", "30", "--reboot-ms", "1000",
                    "--regions", "cn-hangzhou,cn-shanghai"};
  int argc = 7, i;
  struct wr_err err = {0};

  for (i = 0; i < nextra; i++)
    argv[argc++] = (char *)extra[i];
  assert_int_equal(wr_sim_opts_parse(&f->opts, argc, argv, &err), 0);
  wr_sim_fleet_init(&f->sim.fleet, f->opts.reboot_ms);
  assert_int_equal(wr_sim_fleet_generate(&f->sim.fleet, f->opts.desktops,
                                         f->opts.regions, f->opts.nregions,
                                         f->opts.seed, &err), 0);
  assert_int_equal(wr_sim_fleet_finish(&f->sim.fleet), 0);
  f->now = 1000000;
  assert_int_equal(wr_sim_init(&f->sim, &f->opts, NULL, f->now), 0);
  f->creds.access_key_id = "testid";
  f->creds.access_key_secret = "testsecret";
  f->creds.client_id = "client-1";
  f->creds.login_token = "lt";
  f->creds.session_id = "sid";
  return f;
}

void simt_teardown(struct fixture *f)
{
  wr_sim_free(&f->sim);
  wr_sim_opts_free(&f->opts);
  free(f);
}

void simt_build(struct fixture *f, const struct spec *s,
                struct wr_http_request *req)
{
  struct wr_api_target t = {s->mode, s->sig, "http://127.0.0.1:8080"};
  struct wr_call call = {0};
  struct wr_attempt at;
  struct wr_err err = {0};
  char nonce[40];
  size_t n = 0;

  while (s->ids && s->ids[n])
    n++;
  call.action = s->action ? s->action : "RebootDesktops";
  call.region = s->region ? s->region : "cn-hangzhou";
  call.ids = s->ids;
  call.nids = n;
  call.client_token = s->client_token;
  call.max_results = s->max_results;
  call.next_token = s->next_token;
  snprintf(nonce, sizeof(nonce), "nonce-%d", ++f->nonce_seq);
  at.nonce = s->nonce ? s->nonce : nonce;
  at.wall_ms = WALL0 + s->wall_offset_ms;
  memset(req, 0, sizeof(*req));
  assert_int_equal(wr_api_build(&t, &f->creds, &call, &at, req, &err), 0);
}

void simt_send(struct fixture *f, const struct wr_http_request *req,
               struct sent *out)
{
  struct wr_sim_header h[MAXH];
  struct wr_sim_request r;
  char *url = strdup(req->url), *path, *q;
  size_t i;

  path = strchr(url + strlen("http://"), '/');
  q = strchr(path, '?');
  if (q)
    *q++ = '\0';
  for (i = 0; i < req->nheaders && i < MAXH; i++) {
    h[i].name = req->headers[i].name;
    h[i].value = req->headers[i].value;
  }
  r.method = req->method;
  r.path = path;
  r.query = q ? q : "";
  r.headers = h;
  r.nheaders = i;
  r.body = req->body;
  r.body_len = req->body_len;
  assert_int_equal(wr_sim_handle(&f->sim, &r, f->now, WALL0, &out->r), 0);
  out->json = out->r.body ? cJSON_Parse(out->r.body) : NULL;
  free(url);
}

void simt_done(struct sent *s)
{
  cJSON_Delete(s->json);
  wr_sim_response_free(&s->r);
}

const char *simt_field(const struct sent *s, const char *name)
{
  cJSON *v = cJSON_GetObjectItemCaseSensitive(s->json, name);

  return cJSON_IsString(v) ? v->valuestring : "";
}

/* Build, send, check status and Code ("" for success). */
void simt_expect(struct fixture *f, const struct spec *sp, int status,
                 const char *code, struct sent *keep)
{
  struct wr_http_request req;
  struct sent s;

  simt_build(f, sp, &req);
  simt_send(f, &req, &s);
  if (s.r.status != status || strcmp(simt_field(&s, "Code"), code) != 0)
    fail_msg("expected %d %s, got %d %s", status, code, s.r.status,
             s.r.body ? s.r.body : "(none)");
  wr_http_request_free(&req);
  if (keep)
    *keep = s;
  else
    simt_done(&s);
}

const char *simt_id(struct fixture *f, size_t i)
{
  return f->sim.fleet.v[i].id;   /* even i: cn-hangzhou, odd: cn-shanghai */
}

uint64_t simt_violations(struct fixture *f, int v)
{
  return f->sim.stats.violations[v];
}

/* Cut "&name=value" (or "name=value&") out of the URL's query. */
void simt_cut_param(struct wr_http_request *req, const char *name)
{
  char *p = strstr(req->url, name), *end;

  assert_non_null(p);
  end = strchr(p, '&');
  if (end != NULL)
    memmove(p, end + 1, strlen(end + 1) + 1);
  else
    p[-1] = '\0';
}
