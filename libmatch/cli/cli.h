/* The lmatch command-line host: shared helpers. Uses only the public API. */
#ifndef LMATCH_CLI_H
#define LMATCH_CLI_H

#include <libmatch/libmatch.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Progress on stderr, only when stderr is a terminal. */
typedef struct cli_progress {
    bool tty;
    const char *label;
    int last_pct;
    int width; /* terminal columns (TIOCGWINSZ), 80 when unknown */
} cli_progress;
void cli_progress_init(cli_progress *p, const char *label);
int cli_progress_cb(void *user, uint64_t done, uint64_t total); /* lm_progress_fn */
void cli_progress_done(cli_progress *p);

/* A file written to PATH.tmp and renamed on success, so a failed run never
 * leaves a half-written file under the final name. */
typedef struct cli_out {
    FILE *f;
    char path[4096];
    char tmp[4112];
} cli_out;
int cli_out_open(cli_out *o, const char *dir, const char *name);
int cli_out_commit(cli_out *o); /* 0 or -1 (message printed) */
void cli_out_abort(cli_out *o);
int cli_mkdirs(const char *dir);

const char *cli_mode_name(int32_t mode);
/* Competence model names ("requirement", ..., "cosine_coverage"), enum lm_competence_model order. */
const char *cli_model_name(int model);
int cli_parse_model(const char *s, int *out); /* 0 or -1 */
/* The library's default competence model (a fresh policy's). */
int cli_default_model(void);
const char *cli_constraint_name(int32_t c);
double cli_now(void);
/* Print "lmatch: WHAT: status text (detail)" to stderr and return 1. */
int cli_fail(const char *what, int status, const char *detail);

/* PostgreSQL commands (cmd_db.c): --db CONNINFO and --schema NAME. */
typedef struct db_opts {
    const char *conninfo;
    const char *schema;
} db_opts;
/* Open and configure a connection; prints the error and returns 1 on failure. */
int cli_db_open(lm_db **out, const db_opts *o, const char *cmd);
/* --db / --schema at argv[*i]: 1 if consumed (with its value), else 0. */
int cli_db_common_opt(db_opts *o, int argc, char **argv, int *i);
/* An integer in [lo, hi]: 0, else -1. */
int cli_parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out);
/* "today", YYYY-MM-DD or a day number -> day number: 0, else -1. */
int cli_parse_day(const char *s, int64_t *out);

int cmd_demo(int argc, char **argv);
int cmd_db(int argc, char **argv);    /* cmd_db.c: db init | db seed-demo */
int cmd_batch(int argc, char **argv); /* cmd_db.c */
int cmd_vectors(int argc, char **argv); /* cmd_vectors.c: lmatch vectors */
int cmd_query(int argc, char **argv); /* cmd_db.c */
int cmd_proposals(int argc, char **argv); /* cmd_process.c: proposals */
int cmd_proposal(int argc, char **argv);  /* cmd_process.c: proposal set */
int cmd_news(int argc, char **argv);      /* cmd_process.c: news */
int cmd_placement(int argc, char **argv); /* cmd_process.c: placement end */
int cmd_report(int argc, char **argv);    /* cmd_report.c: report */
#endif
