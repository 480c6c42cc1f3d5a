/* report_read: a report file (CONTRACT.md "The report") loaded back into
 * memory, for the `report` audit and for `resume`.
 *
 * Streamed: the file is read in blocks and cut into lines of at most
 * WR_RREAD_MAX_LINE bytes; each line is parsed alone (cJSON) and kept as
 * plain C data in one arena, so memory follows the run's size (its
 * desktops and records), never the file's.
 *
 * Chunks form a forest in one array: every plan record is a root (plan
 * order), and the parts named by a split record's "into" are its
 * children, stored next to each other (first_child, nchildren).  A final
 * chunk record fills in its node; a node without one is PENDING, which is
 * exactly what resume must still send (with the node's client_token),
 * together with SKIPPED ones (never sent) and FAILED ones marked
 * retry_pending (a retry was due when the run stopped).  After a
 * {"type":"resume"} record, a chunk skipped or retry_pending before it
 * may get a new final record, which replaces the earlier one.  A
 * {"type":"retry"} record (resume --retry-failed) declares a new chunk
 * that re-sends the desktops of a failed leaf (retry_of); the failed leaf
 * keeps its record (the history) and points at it (retried_by): walkers
 * take the retry's state as the desktops' final one.
 *
 * The run record's "chunks" and "desktops" must agree with the plan
 * records.  Fewer plan records than it announces is a plan cut short (a
 * full disk or a kill between its batches, before any call):
 * plan_incomplete, which resume refuses and the audit reports; more, or
 * the right number holding other desktops, is WR_EINPUT.
 *
 * Errors: a torn last line (a crash mid-write) is dropped and described
 * in torn_line/torn_bytes, never fatal.  Any other bad line is WR_EINPUT
 * with "FILE:LINE: what" in err.  An unknown record type is counted and
 * skipped (forward compatibility).  valid_up_to is the byte offset just
 * past the last good line (redis aof's valid_up_to), by the torn-line
 * rule of journal.h: the writer appending (resume) cuts the file there
 * by the same rule.  Not for the loop thread: it blocks on read. */
#ifndef WR_REPORT_READ_H
#define WR_REPORT_READ_H

#include "err.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct wr_idset;

#define WR_RREAD_MAX_LINE (4 * 1024 * 1024) /* a chunk record is ~10 KiB */
#define WR_RREAD_MAX_CHUNK 1000 /* desktops in one chunk (the API takes 100) */

enum wr_rread_status {
  WR_RREAD_PENDING = 0, /* no final record (yet) */
  WR_RREAD_OK,
  WR_RREAD_FAILED,
  WR_RREAD_SKIPPED,
  WR_RREAD_SPLIT,
  WR_RREAD_EXCLUDED     /* pre-flight: not sent, with a reason */
};

/* A plan chunk or a part of a split one.  Strings are NULL when absent
 * or null in the report. */
struct wr_rread_chunk {
  const char *id;              /* "17", "17.1" */
  const char *region;
  const char **ids;            /* desktop IDs */
  size_t nids;
  const char *client_token;    /* NULL in admin mode */
  int wave;                    /* a part inherits its plan chunk's */
  long parent;                 /* index of the split chunk, -1: a root */
  long plan_line;              /* line that declared it (plan or split) */
  size_t first_child, nchildren; /* parts, when status is SPLIT */

  /* From the final chunk record; PENDING leaves these empty. */
  enum wr_rread_status status;
  long line;                   /* line of the final record, 0: none */
  const char *request_id;
  const char **attempt_request_ids;
  size_t nattempt_request_ids;
  long http_status;            /* 0: none */
  const char *error_code;
  const char *error_message;
  int attempts;
  int ambiguous_attempts;
  bool retry_pending;          /* failed, a retry cut by a stop */
  const char *reason;          /* EXCLUDED: "status:Stopped", "connected" */
  const char *confirmed_by;    /* ok on a later answer's evidence that a
                                * lost attempt landed (NULL: none) */
  bool by_preflight;           /* SPLIT: parts made by pre-flight, not a
                                * split call */
  long retry_of;               /* a retry chunk (resume --retry-failed):
                                * the failed chunk it re-sends, -1: none */
  long retried_by;             /* FAILED and re-sent by a retry chunk: its
                                * index, whose state is the desktops'
                                * final one; -1: none */
  const char *started_at;      /* RFC 3339 as written */
  const char *finished_at;
  int64_t latency_ms;          /* -1: none */
};

/* One input file as the run read it (run.input_files, session inputs). */
struct wr_rread_input {
  const char *path;
  double bytes;                /* -1: unknown */
  long rows;                   /* -1: unknown */
  const char *sha256;          /* NULL: unknown */
};

/* One session: the run (0) and each resume.  Built from the run and
 * resume records, so a report older than session records still has its
 * sessions (has_record false: who and options unknown).  A session ends
 * with the summary that follows it (ended); calls and final records are
 * those of the chunk records written in it. */
struct wr_rread_session {
  long index;
  const char *kind;            /* "run" or "resume" */
  const char *started_at;
  const char *finished_at;     /* its summary's, NULL: none */
  const char *last_record_at;  /* the last chunk record's finished_at */
  bool has_record;             /* a session record was read */
  const char *user, *host;
  long pid;                    /* -1: unknown */
  const char *tool_version;
  const char *creds_source, *key_id_masked;
  long renewals;               /* "credentials" records: renewed during
                                  the session */
  const char *renewed_key_id_masked; /* the last renewal's, NULL: none */
  const char *renewed_expires_at;
  struct wr_rread_input *inputs;
  size_t ninputs;
  cJSON *options;              /* owned, NULL: unknown */
  cJSON *origins;              /* owned, NULL: unknown */
  long calls;                  /* attempts of its chunk records */
  long final_records;          /* chunk records */
  bool ended;                  /* a summary closed it */
  int exit_code;
  const char *stop_reason;
};

struct wr_rread_run {
  const char *run_id;
  const char *started_at;
  const char *tool_version;
  const char *api;             /* "admin" | "client" */
  const char *action;
  const char *endpoint;
  double rate;
  long concurrency, chunk_size;
  const char **inputs;
  size_t ninputs;
  long desktops, chunks, rejected, duplicates; /* as the run counted */
  cJSON *options;              /* run.options (owned), NULL if absent */
  cJSON *selection;            /* run.selection (owned): what --select
                                  took from the API, NULL if absent */
  struct wr_rread_input *input_files; /* run.input_files, in order */
  size_t ninput_files;
};

struct wr_rread_rejected {
  const char *source;
  long line;
  const char *value;
  const char *reason;
};

struct wr_rread_wave {
  long wave;
  bool canary;
  long ok_desktops, failed_desktops;
  const char *finished_at;
};

struct wr_rread_verify {
  long wave;
  long desktops, running;
  bool timed_out;
  long calls, errors;
  const char **not_running;
  size_t nnot_running;
  /* Newer records name every desktop they checked; the ones neither
   * Running nor not Running were cut short (not_verified, with the
   * reason in interrupted).  Older records (ndesktop_ids 0) covered the
   * ok desktops of their wave and listed at most 100 not Running. */
  const char **desktop_ids;
  size_t ndesktop_ids;
  const char **not_verified;
  size_t nnot_verified;
  const char *interrupted;     /* "interrupt", "deadline", NULL: ended */
  bool earlier;                /* checks desktops of earlier sessions */
  long part, parts;            /* a check over several records: 1.., 0 */
  const char *last_error;
  const char *finished_at;
};

/* A pre-flight DescribeDesktops call (one record each). */
struct wr_rread_preflight {
  long wave;
  const char *region;
  long desktops, attempt;
  const char *request_id;
  long running, excluded, not_found;
  const char *error;           /* NULL: the call answered */
  const char *finished_at;
};

struct wr_rread_summary {
  const char *finished_at;
  long ok_chunks, failed_chunks, skipped_chunks;
  long ok_desktops, failed_desktops, skipped_desktops;
  long excluded_chunks, excluded_desktops; /* 0 in older reports */
  int exit_code;
  const char *stop_reason;     /* NULL: ran to the end */
};

struct wr_rread {
  const char *path;            /* as given (a copy), "(stdin)" for - */
  struct wr_rread_run run;
  struct wr_rread_rejected *rejected;
  size_t nrejected;
  struct wr_rread_chunk *chunks; /* roots in plan order, then parts */
  size_t nchunks;
  size_t nroots;               /* plan chunks: chunks[0..nroots) */
  size_t plan_desktops;        /* desktops in the plan records */
  bool plan_incomplete;        /* fewer plan records than run.chunks */
  struct wr_rread_wave *waves;
  size_t nwaves;
  struct wr_rread_verify *verifies;
  size_t nverifies;
  struct wr_rread_preflight *preflights;
  size_t npreflights;
  bool has_summary;            /* false: the run was interrupted hard */
  struct wr_rread_summary summary; /* the last one (resume appends) */
  size_t nsummaries;
  size_t nresumes;             /* {"type":"resume"} records (sessions) */
  size_t nretry_chunks;        /* {"type":"retry"} records */
  struct wr_rread_session *sessions; /* the run's, then each resume's */
  size_t nsessions;
  const char *last_resumed_at; /* the last one's started_at */

  long lines;                  /* lines read, the torn one included */
  uint64_t valid_up_to;        /* offset past the last good line */
  bool missing_newline;        /* last good line has no '\n': add one */
  long torn_line;              /* 0: none */
  size_t torn_bytes;
  size_t nunknown;             /* records of unknown type, skipped */
  const char *first_unknown;   /* the first such type */

  struct wr_idset *index;      /* chunk id -> index; owns the arena */
  struct wr_idset *desktops;   /* every planned desktop ID, once */

  /* Input columns kept for each desktop (columns records: --keep-columns,
   * a selection's own); see wr_rread_kept. */
  const char **kept_names;
  size_t nkept;
  const char **kept;           /* nkept values a desktop, by its index in
                                  desktops; NULL: none */
  size_t kept_cap;             /* desktops kept has room for */
};

/* Load path ("-": stdin).  0 and *out set, or WR_EINPUT (a bad report),
 * WR_EIO, WR_ENOMEM, WR_ETOOBIG with err naming file and line. */
int wr_rread_load(const char *path, struct wr_rread **out,
                  struct wr_err *err);
/* The same from an open stream (read to its end, not closed); name is
 * the file name for messages. */
int wr_rread_load_stream(FILE *f, const char *name, struct wr_rread **out,
                         struct wr_err *err);
/* The same from an open file, read with pread from offset 0 (its offset
 * unused, the descriptor left open): resume reads its report through the
 * journal's descriptor, whose lock closing another one would drop. */
int wr_rread_load_fd(int fd, const char *name, struct wr_rread **out,
                     struct wr_err *err);
/* Free everything; *pp set to NULL.  Safe on NULL. */
void wr_rread_destroy(struct wr_rread **pp);

/* The index of chunk id, or -1. */
long wr_rread_find(const struct wr_rread *rr, const char *id);
/* The chunk whose state is c's desktops' final one: c, or the newest
 * retry of it (resume --retry-failed). */
const struct wr_rread_chunk *wr_rread_newest(const struct wr_rread *rr,
                                             const struct wr_rread_chunk *c);
/* true when chunk i and every part below it have a final record. */
bool wr_rread_chunk_done(const struct wr_rread *rr, size_t i);
/* true when resume must send c: no final record, skipped (never sent),
 * or failed with a retry cut by the stop (retry_pending); never a split
 * chunk.  Send it with c->client_token. */
bool wr_rread_chunk_unsent(const struct wr_rread_chunk *c);
/* The nkept kept values of a planned desktop (NULL entries: the row had
 * none), or NULL when nothing is kept for it. */
const char *const *wr_rread_kept(const struct wr_rread *rr, const char *id);
/* "ok", "failed", "skipped", "split", "excluded" or "pending". */
const char *wr_rread_status_name(enum wr_rread_status s);

#endif
