/**
 * @file assign.h
 * @brief Coordinated proposals: an exact capacity-constrained assignment of
 *        people to vacancy slots over the sparse graph of feasible pairs.
 *
 * Included by libmatch.h. Objects: ::lm_assignment (library-owned result).
 * Thread safety: an ::lm_assignment is read-only after creation and may be
 * read from several threads; the engine passed in is used by one thread.
 * @since 1.0.0
 */
#ifndef LIBMATCH_ASSIGN_H
#define LIBMATCH_ASSIGN_H

#include "libmatch/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Coordinated proposals: a library-owned, read-only result (opaque; lm_assignment_free()). */
typedef struct lm_assignment lm_assignment;

/**
 * Assignment options. Initialise with ::LM_ASSIGN_OPTIONS_INIT.
 * The objective is the total over proposals of
 * `score + priority_weight * candidate priority`, scaled to integers
 * (units of 1e-6) so that optimality is exact (docs/assignment.md).
 */
typedef struct lm_assign_options {
    size_t struct_size;         /**< sizeof(lm_assign_options), set by ::LM_ASSIGN_OPTIONS_INIT */
    uint32_t max_per_candidate; /**< m: proposals per person, 1..1000 [1] */
    uint32_t max_per_employer;  /**< proposals per person to one employer, 0 = no limit [0] */
    double priority_weight;     /**< 0..1000, added per proposal times the candidate's priority [0] */
    double fairness_floor;      /**< 0..1: each municipality receives at least floor x its share of
                                     eligible people x the proposals of the unconstrained optimum,
                                     rounded down, where achievable; 0 = off [0] */
    lm_progress_fn progress;    /**< optional */
    void *progress_user;        /**< passed to @c progress as its first argument */
} lm_assign_options;
/** Initialiser of ::lm_assign_options with the defaults shown in brackets. */
#define LM_ASSIGN_OPTIONS_INIT {sizeof(lm_assign_options), 1, 0, 0.0, 0.0, NULL, NULL}

/**
 * A sparse graph given directly (for callers with their own scores, tests
 * and benchmarks). People and vacancies are numbered from 0.
 */
typedef struct lm_assign_graph {
    size_t struct_size;              /**< sizeof(lm_assign_graph), set by ::LM_ASSIGN_GRAPH_INIT */
    size_t n_people;                 /**< number of people, numbered 0..n_people - 1 */
    size_t n_vacancies;              /**< number of vacancies, numbered 0..n_vacancies - 1 */
    const int32_t *capacity;         /**< required, slots per vacancy, >= 0 */
    const int32_t *person_group;     /**< optional municipality per person (fairness) [all 0] */
    const int64_t *vacancy_employer; /**< optional employer per vacancy [all distinct] */
    const float *person_priority;    /**< optional 0..1 [0] */
    size_t n_edges;                  /**< number of edges (feasible pairs) */
    const uint32_t *edge_person;     /**< required, < n_people */
    const uint32_t *edge_vacancy;    /**< required, < n_vacancies */
    const float *edge_score;         /**< required, finite, 0..1; a pair at most once */
    const int32_t *vacancy_group;    /**< optional municipality per vacancy: with person_group it gives
                                          the cross-border counts [none: counts are 0] (since 1.0.0) */
} lm_assign_graph;
/** Initialiser of ::lm_assign_graph: struct_size set, sizes 0, arrays NULL. */
#define LM_ASSIGN_GRAPH_INIT {sizeof(lm_assign_graph), 0, 0, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL}

/**
 * @brief Coordinated proposals from a batch result: the graph is the union of
 * the batch's top-k lists in both directions; capacities are the vacancies'
 * slots; groups are the candidates' municipalities.
 * @param out receives the assignment; set to NULL on error.
 * @param engine the engine (its message carries the details of an error).
 * @param batch from lm_engine_batch() (both directions present).
 * @param options NULL means ::LM_ASSIGN_OPTIONS_INIT.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_INVALID (options struct_size, or
 * results without both directions), ::LM_ERR_RANGE (an option),
 * ::LM_ERR_CANCELLED, ::LM_ERR_NOMEM. Details in lm_engine_errmsg().
 * Free with lm_assignment_free().
 */
LM_API int lm_engine_assign(lm_assignment **out, lm_engine *engine, const lm_results *batch,
                            const lm_assign_options *options);

/**
 * @brief Coordinated proposals over a caller's graph.
 * @param out receives the assignment; set to NULL on error. Free with
 *        lm_assignment_free().
 * @param engine the engine (its message carries the details of an error).
 * @param graph the graph; read during the call only.
 * @param options NULL means ::LM_ASSIGN_OPTIONS_INIT.
 * Pairs whose scaled value is 0, and pairs to a vacancy with capacity 0, are
 * never proposed; empty sides give an empty assignment.
 * @return as lm_engine_assign(), plus ::LM_ERR_NULL (a required array),
 * ::LM_ERR_RANGE (negative capacity, an index out of range, a score or
 * priority outside 0..1), ::LM_ERR_NONFINITE (a score or priority),
 * ::LM_ERR_DUPLICATE (a pair twice), ::LM_ERR_LIMIT (more than ::LM_MAX_ROWS
 * people or vacancies, or more than 2^31 - 1 edges). The message names the
 * offending index.
 */
LM_API int lm_engine_assign_graph(lm_assignment **out, lm_engine *engine, const lm_assign_graph *graph,
                                  const lm_assign_options *options);

/**
 * @brief Free an assignment. NULL is accepted.
 * @param a the assignment, or NULL.
 */
LM_API void lm_assignment_free(lm_assignment *a);

/**
 * @brief Number of proposals.
 * @param out receives the number of proposals.
 * @param a the assignment.
 * @return ::LM_OK, ::LM_ERR_NULL.
 */
LM_API int lm_assignment_count(size_t *out, const lm_assignment *a);

/**
 * @brief Copy proposals [first, first + capacity), ordered by vacancy then
 * slot, explained like top-k rows: `rank` is the slot number (1-based). For a
 * graph assignment the ids are the person and vacancy indices and only
 * `score` is set among the components.
 * @param out caller buffer for up to @p capacity proposals.
 * @param elem_size sizeof(lm_match) as the caller knows it.
 * @param capacity number of proposals @p out can hold.
 * @param out_copied receives the number copied, may be NULL.
 * @param a the assignment.
 * @param first index of the first proposal to copy.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_INVALID (elem_size), ::LM_ERR_RANGE.
 */
LM_API int lm_assignment_copy(lm_match *out, size_t elem_size, size_t capacity, size_t *out_copied,
                              const lm_assignment *a, size_t first);

/** Numbers about an assignment (lm_assignment_stat()). */
enum lm_assign_stat {
    LM_ASTAT_OBJECTIVE = 0,            /**< total objective (double) */
    LM_ASTAT_OBJECTIVE_SCALED = 1,     /**< exact integer objective, units of 1e-6 */
    LM_ASTAT_PROPOSALS = 2,            /**< number of proposals */
    LM_ASTAT_VACANCIES_SERVED = 3,     /**< vacancies with at least one proposal */
    LM_ASTAT_CROSS_BORDER = 4,         /**< proposals across a municipal border */
    LM_ASTAT_GREEDY_OBJECTIVE = 5,     /**< baseline: best pair first */
    LM_ASTAT_GREEDY_PROPOSALS = 6,     /**< the greedy baseline's proposals */
    LM_ASTAT_GREEDY_VACANCIES_SERVED = 7, /**< the greedy baseline's vacancies served */
    LM_ASTAT_GREEDY_CROSS_BORDER = 8,  /**< the greedy baseline's cross-border proposals */
    LM_ASTAT_EDGES = 9,                /**< edges in the graph */
    LM_ASTAT_SECONDS = 10,             /**< wall time of the assignment */
    LM_ASTAT_UNCONSTRAINED_PROPOSALS = 11 /**< proposals of the optimum without the fairness floor */
};

/**
 * @brief A number about the assignment.
 * @param out receives the number.
 * @param a the assignment.
 * @param key an ::lm_assign_stat.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE (unknown key).
 */
LM_API int lm_assignment_stat(double *out, const lm_assignment *a, int32_t key);

/** One municipality's outcome (lm_assignment_groups()). */
typedef struct lm_group_report {
    int32_t group;             /**< municipality (CBS number), or the caller's group */
    uint32_t eligible;         /**< people with at least one edge */
    uint32_t proposals;        /**< proposals its people received */
    uint32_t cross_border;     /**< of which for a vacancy in another municipality */
    uint32_t greedy_proposals; /**< the greedy baseline's proposals */
    uint32_t floor;            /**< the fairness floor applied (0 if off) */
} lm_group_report;

/**
 * @brief Per-group outcome report, ordered by group.
 * @param out caller buffer for up to @p capacity reports (may be NULL if 0).
 * @param elem_size sizeof(lm_group_report) as the caller knows it.
 * @param capacity number of reports @p out can hold.
 * @param out_needed receives the number of groups (may be NULL).
 * @param a the assignment.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_INVALID (elem_size), ::LM_ERR_BUFFER
 * (capacity too small: nothing copied, *out_needed set).
 */
LM_API int lm_assignment_groups(lm_group_report *out, size_t elem_size, size_t capacity, size_t *out_needed,
                                const lm_assignment *a);

#ifdef __cplusplus
}
#endif
#endif
