/* cmd_session: the {"type":"session"} record that starts every session
 * (the run and each resume): who ran it, from where, with which
 * credentials (their source and the masked key id, never a secret), the
 * inputs' checksums and every option with its origin. */
#include "cmd.h"

#include "clock.h"
#include "creds.h"
#include "journal.h"
#include "journal_records.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int wr_cmd_write_session(struct wr_journal *r, const char *kind,
                         long session, const struct wr_config *cfg,
                         const struct wr_plan *plan,
                         const struct wr_creds *creds, struct wr_err *err)
{
  struct wr_session_info si;
  struct passwd pwd, *pw = NULL;
  char pwbuf[4096], host[256], mask[WR_CREDS_MASK_LEN];
  const char *id;
  cJSON *rec;
  int rc;

  memset(&si, 0, sizeof(si));
  si.kind = kind;
  si.session = session;
  si.started_wall_ms = wr_clock_wall_ms();
  if (getpwuid_r(geteuid(), &pwd, pwbuf, sizeof(pwbuf), &pw) != 0)
    pw = NULL;
  si.user = pw != NULL ? pw->pw_name : NULL;
  if (gethostname(host, sizeof(host)) == 0) {
    host[sizeof(host) - 1] = '\0';
    si.host = host;
  }
  si.pid = (long)getpid();
  si.creds_source = creds != NULL ? creds->source : NULL;
  /* client mode has no AccessKey: its client id, masked the same way */
  id = creds == NULL ? NULL
       : cfg->api == WR_API_CLIENT ? creds->client_id
                                   : creds->access_key_id;
  if (id != NULL) {
    wr_creds_mask_id(id, mask);
    si.key_id_masked = mask;
  }
  rec = wr_record_session(&si, cfg, plan);
  if (rec == NULL)
    return wr_err_set(err, WR_ENOMEM, "%s: out of memory building a record",
                      wr_journal_path(r));
  rc = wr_journal_write(r, rec, wr_clock_now_ms(), err);
  cJSON_Delete(rec);
  return rc;
}
