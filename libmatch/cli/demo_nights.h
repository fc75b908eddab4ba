/* `lmatch demo --nights N`: N simulated nights on the embedded demo data, no
 * database (docs/outcomes-demo.md). Not part of the library's API. */
#ifndef LMATCH_DEMO_NIGHTS_H
#define LMATCH_DEMO_NIGHTS_H

#include <stdint.h>

typedef struct demo_nights_opts {
    unsigned nights;     /* 1..365 */
    uint64_t seed;       /* data and outcome model */
    unsigned k;          /* top-k of the batches */
    unsigned threads;    /* engine threads (0 = all cores); never changes the output */
    int model;           /* lm_competence_model */
    const char *outdir;  /* the report goes to OUTDIR/report, the simulated records to OUTDIR/nights.csv */
    int32_t threshold;   /* small-numbers threshold of the report, 1..1000 */
} demo_nights_opts;

/* Run the simulation, print the summary, write the report. 0 ok, 1 error (message printed). */
int demo_nights(const demo_nights_opts *o);

#endif
