/* Table-driven options of the lmatch subcommands (docs/cli.md).
 *
 * Each command declares its options as an array of cli_opt (name, value
 * kind and range, where the value goes, help text) and calls
 * cli_opts_parse(). The parser names the bad value or the unknown option,
 * prints the usage generated from the table for --help / -h (exit 0), and
 * answers the hidden --__options with one option name per line (the tests
 * check the help against it). Exit codes: 0 ok, 1 runtime error, 2 usage. */
#ifndef LMATCH_CLI_OPTS_H
#define LMATCH_CLI_OPTS_H

#include <libmatch/libmatch.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_RUNTIME 1
#define CLI_EXIT_USAGE 2

typedef enum cli_opt_kind {
    CLI_FLAG,   /* no value; dst: bool */
    CLI_INT,    /* integer in [lo, hi]; dst: int64_t */
    CLI_FLOAT,  /* finite number in [flo, fhi]; dst: double */
    CLI_DAY,    /* today | YYYY-MM-DD | day number; dst: int64_t */
    CLI_STRING, /* any text; dst: const char * */
    CLI_ENUM,   /* one of names[] (NULL-terminated); dst: int (the index) */
    CLI_CUSTOM  /* parse(dst, value, err, cap): 0 or -1 with err filled */
} cli_opt_kind;

typedef struct cli_opt {
    const char *name;    /* "--k" */
    cli_opt_kind kind;
    const char *metavar; /* "N" in the usage */
    int64_t lo, hi;      /* CLI_INT */
    double flo, fhi;     /* CLI_FLOAT */
    const char *const *names; /* CLI_ENUM */
    int (*parse)(void *dst, const char *val, char *err, size_t cap); /* CLI_CUSTOM */
    void *dst;
    bool *seen; /* optional: set when the option is given */
    const char *help;
} cli_opt;

typedef struct cli_cmd {
    const char *name;  /* "batch", "db init" */
    const char *args;  /* positional synopsis ("PROPOSAL_ID STATUS") or NULL */
    const char *about; /* what the command does, printed after the synopsis */
    const cli_opt *opts;
    size_t nopts;
    int npos; /* positional arguments expected (exactly) */
} cli_cmd;

/* Parse argv[first..argc); positionals go to pos[0..cmd->npos). Returns -1
 * to go on, else the exit status (0 after --help, 2 after a usage error,
 * message printed). */
int cli_opts_parse(const cli_cmd *cmd, int argc, char **argv, int first, const char **pos);
/* The usage generated from the table. */
void cli_opts_usage(const cli_cmd *cmd, FILE *f);
/* "lmatch CMD: MESSAGE (lmatch CMD --help lists the options)" on stderr; returns 2. */
int cli_usage_error(const cli_cmd *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* --db CONNINFO and --schema NAME, for the PostgreSQL commands. */
#define CLI_OPTS_DB(o)                                                                                                 \
    {.name = "--db", .kind = CLI_STRING, .metavar = "CONNINFO", .dst = &(o)->conninfo,                                \
     .help = "PostgreSQL connection string (default: the PG* environment variables)"},                               \
    {.name = "--schema", .kind = CLI_STRING, .metavar = "NAME", .dst = &(o)->schema,                                  \
     .help = "schema of the libmatch tables (default libmatch)"}

/* Policy settings of batch, query and demo: --policy FILE first, then the
 * single options over it (whatever their order on the command line). */
#define CLI_POLICY_NKEYS 18
typedef struct cli_policy_opts {
    double file_v[CLI_POLICY_NKEYS], v[CLI_POLICY_NKEYS];
    bool file_set[CLI_POLICY_NKEYS], set[CLI_POLICY_NKEYS];
    const char *file;
} cli_policy_opts;
int cli_parse_policy_file(void *dst, const char *path, char *err, size_t cap); /* CLI_CUSTOM for --policy */
int cli_parse_weights(void *dst, const char *val, char *err, size_t cap);      /* CLI_CUSTOM for --weights */
int cli_parse_max_travel(void *dst, const char *val, char *err, size_t cap);
int cli_parse_min_score(void *dst, const char *val, char *err, size_t cap);
#define CLI_OPTS_POLICY(p)                                                                                             \
    {.name = "--max-travel", .kind = CLI_CUSTOM, .metavar = "MIN", .parse = cli_parse_max_travel, .dst = (p),         \
     .help = "policy one-way travel limit in minutes, 0.001..1440 (max_travel_min; default 90)"},                     \
    {.name = "--min-score", .kind = CLI_CUSTOM, .metavar = "X", .parse = cli_parse_min_score, .dst = (p),             \
     .help = "drop pairs scoring below X, 0..1 (min_score; default 0.25)"},                                              \
    {.name = "--weights", .kind = CLI_CUSTOM, .metavar = "NAME=W,...", .parse = cli_parse_weights, .dst = (p),        \
     .help = "score weights >= 0, any of competence, travel, hours, readiness, priority (normalised to sum 1)"},      \
    {.name = "--policy", .kind = CLI_CUSTOM, .metavar = "FILE", .parse = cli_parse_policy_file, .dst = (p),           \
     .help = "policy file of key = value lines (docs/cli.md); the options above override it"}
/* Apply the file, then the single options, to pol. 0, else 1 (printed). */
int cli_policy_apply(lm_policy *pol, const cli_policy_opts *p);
/* The competence model the options ask for, else fallback. */
int cli_policy_model(const cli_policy_opts *p, int fallback);
/* Name of policy key k (the names of docs/cli.md), NULL if none. */
const char *cli_policy_key_name(int k);

extern const char *const cli_model_names[]; /* NULL-terminated, lm_competence_model order */
#endif
