/* Own data from CSV files (docs/own-data.md): the reader (csv_pools.c, on
 * Debian's libcsv), lmatch batch --candidates/--vacancies and lmatch db import
 * (cmd_owndata.c). */
#ifndef LMATCH_CLI_OWNDATA_H
#define LMATCH_CLI_OWNDATA_H

#include "cli.h"
#include "opts.h"

/* --model NAME and --centre of batch, query and demo (docs/scoring.md). */
typedef struct score_opts {
    int model;   /* lm_competence_model, -1: the library's default (or the policy file's) */
    bool centre; /* centre the pool on its mean after loading */
} score_opts;

/* Everything lmatch batch takes; the CSV mode when candidates is set. */
typedef struct batch_args {
    db_opts o;
    score_opts so;
    cli_policy_opts po;
    int64_t k, region, as_of, threads;
    bool no_history;
    const char *label, *candidates, *vacancies, *travel, *out;
} batch_args;

/* Candidates and vacancies read from CSV: column arrays (NULL: column absent,
 * the library's default) and the lm_*_cols pointing at them. */
typedef struct csv_pools {
    uint32_t dim;
    size_t nc, nv;
    lm_candidate_cols cc;
    lm_vacancy_cols vc;
    const long *cand_lines, *vac_lines; /* the file line of each row */
    void *mem[64]; /* every allocation, freed by csv_pools_free */
    int nmem;
} csv_pools;

/* Read both files. 0; 2 after a bad row or header ("FILE:LINE: column NAME:
 * what is wrong" printed); 1 when a file cannot be read or memory runs out. */
int csv_pools_read(csv_pools *p, const char *cand_path, const char *vac_path);
void csv_pools_free(csv_pools *p);

int cmd_batch_csv(const batch_args *b);          /* cmd_owndata.c */
int cmd_db_import(int argc, char **argv);        /* cmd_owndata.c: db import */
/* Results writers shared with lmatch demo (cmd_demo.c). */
void csv_header(FILE *f);
void csv_proposals_header(FILE *f);
long write_dir(FILE *f, const lm_results *r, int32_t dir, int32_t region);
long write_proposals(FILE *f, const lm_assignment *a, int32_t region);
#endif
