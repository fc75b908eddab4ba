/* The assignment solver (assign_solve.c), shared with assign.c. Not installed. */
#ifndef LM_ASSIGN_INTERNAL_H
#define LM_ASSIGN_INTERNAL_H

#include "internal.h"

/* Defined in engine.c: the engine's error slot. */
LM_HIDDEN lm_err *lm__engine_err(lm_engine *e);

/* Largest value scale: priority_weight <= this keeps every scaled value below
 * 2^31, so potentials and the fairness penalty fit in int64. */
#define LM_ASSIGN_MAX_PRIORITY_WEIGHT 1000.0

/* A validated problem in person-major CSR form. Every edge has a positive
 * integer value. Edge e of person i is in [poff[i], poff[i+1]). */
typedef struct lm__asg_problem {
    uint32_t n, nv;          /* people, vacancies */
    const size_t *poff;      /* n + 1 */
    const uint32_t *evac;    /* per edge: vacancy */
    const int32_t *ew;       /* per edge: scaled value, > 0 */
    const int32_t *cap;      /* per vacancy, >= 0 */
    uint32_t m;              /* proposals per person */
    uint32_t per_employer;   /* 0 = no limit */
    const uint32_t *eq;      /* per edge: its (person, employer) limit node, UINT32_MAX if it cannot bind; NULL if none */
    uint32_t nq;             /* number of limit nodes; node q belongs to qperson[q] */
    const uint32_t *qperson;
    const uint32_t *eorig;   /* per edge: its index in the caller's input (greedy ties); NULL = edge order */
    /* fairness: NULL floor = off */
    uint32_t ngroups;
    const uint32_t *pgroup;  /* per person, dense 0..ngroups-1 */
    const int64_t *floor;    /* per group */
    lm_progress_fn progress;
    void *progress_user;
    uint64_t progress_base, progress_total; /* progress is reported as base + done of total */
} lm__asg_problem;

/* Solve exactly; flow[e] = 1 for the edges proposed. Returns LM_OK,
 * LM_ERR_NOMEM, LM_ERR_CANCELLED or LM_ERR_LIMIT (message in err). */
LM_HIDDEN int lm__asg_solve(uint8_t *flow, const lm__asg_problem *P, lm_err *err);

/* The same for m = 1 without floors (limit nodes cannot bind): the
 * epsilon-scaling auction of assign_auction.c. */
LM_HIDDEN int lm__asg_auction(uint8_t *flow, const lm__asg_problem *P, lm_err *err);

/* Greedy baseline: edges by value descending (ties: the caller's input
 * order, eorig), 
 * taken while person, vacancy and employer limits allow. */
LM_HIDDEN int lm__asg_greedy(uint8_t *flow, const lm__asg_problem *P, lm_err *err);
#endif
