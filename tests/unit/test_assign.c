/* Coordinated proposals (issue 5): hand-checked cases, a brute-force
 * reference on tiny instances, bad input, and assignment from a batch. */
#include "testutil.h"

static lm_engine *eng(void) {
    lm_engine *e = NULL;
    cr_assert_eq(lm_engine_create(&e, NULL, NULL), LM_OK);
    return e;
}

typedef struct tg {
    size_t n, nv, ne;
    int32_t cap[16], group[16], vgroup[16];
    int64_t emp[16];
    float prio[16];
    uint32_t ep[64], ev[64];
    float es[64];
} tg;

static void edge(tg *g, uint32_t p, uint32_t v, float s) {
    g->ep[g->ne] = p;
    g->ev[g->ne] = v;
    g->es[g->ne] = s;
    g->ne++;
}

static lm_assign_graph graph_of(tg *g, int with_groups, int with_emp, int with_prio) {
    lm_assign_graph G = LM_ASSIGN_GRAPH_INIT;
    G.n_people = g->n;
    G.n_vacancies = g->nv;
    G.capacity = g->cap;
    G.person_group = with_groups ? g->group : NULL;
    G.vacancy_group = with_groups ? g->vgroup : NULL;
    G.vacancy_employer = with_emp ? g->emp : NULL;
    G.person_priority = with_prio ? g->prio : NULL;
    G.n_edges = g->ne;
    G.edge_person = g->ep;
    G.edge_vacancy = g->ev;
    G.edge_score = g->es;
    return G;
}

static double stat(const lm_assignment *a, int key) {
    double x = -1;
    cr_assert_eq(lm_assignment_stat(&x, a, key), LM_OK);
    return x;
}

static lm_assignment *solve(lm_engine *e, const lm_assign_graph *G, const lm_assign_options *o) {
    lm_assignment *a = NULL;
    int st = lm_engine_assign_graph(&a, e, G, o);
    cr_assert_eq(st, LM_OK, "status %d: %s", st, lm_engine_errmsg(e));
    cr_assert_not_null(a);
    return a;
}

Test(assign, objective_beats_greedy_hand_checked) {
    lm_engine *e = eng();
    tg g = {.n = 2, .nv = 2, .cap = {1, 1}};
    edge(&g, 0, 0, 0.9f);
    edge(&g, 0, 1, 0.8f);
    edge(&g, 1, 0, 0.85f);
    edge(&g, 1, 1, 0.1f);
    lm_assign_graph G = graph_of(&g, 0, 0, 0);
    lm_assignment *a = solve(e, &G, NULL);
    /* optimum 0.8 + 0.85; greedy takes 0.9 first, then only 0.1 is left */
    cr_assert_eq(stat(a, LM_ASTAT_OBJECTIVE_SCALED), 1650000);
    cr_assert_float_eq(stat(a, LM_ASTAT_OBJECTIVE), 1.65, 1e-9);
    cr_assert_eq(stat(a, LM_ASTAT_PROPOSALS), 2);
    cr_assert_eq(stat(a, LM_ASTAT_VACANCIES_SERVED), 2);
    cr_assert_float_eq(stat(a, LM_ASTAT_GREEDY_OBJECTIVE), 1.0, 1e-9);
    cr_assert_eq(stat(a, LM_ASTAT_GREEDY_PROPOSALS), 2);
    cr_assert_eq(stat(a, LM_ASTAT_GREEDY_VACANCIES_SERVED), 2);
    cr_assert_eq(stat(a, LM_ASTAT_EDGES), 4);
    cr_assert_eq(stat(a, LM_ASTAT_UNCONSTRAINED_PROPOSALS), 2);
    cr_assert(stat(a, LM_ASTAT_SECONDS) >= 0);
    size_t n = 0;
    cr_assert_eq(lm_assignment_count(&n, a), LM_OK);
    cr_assert_eq(n, 2);
    lm_match m[2];
    size_t got = 0;
    cr_assert_eq(lm_assignment_copy(m, sizeof m[0], 2, &got, a, 0), LM_OK);
    cr_assert_eq(got, 2);
    /* ordered by vacancy; ids are indices for a graph */
    cr_assert_eq(m[0].vacancy_id, 0);
    cr_assert_eq(m[0].candidate_id, 1);
    cr_assert_float_eq(m[0].score, 0.85f, 1e-7);
    cr_assert_eq(m[0].rank, 1);
    cr_assert_eq(m[1].vacancy_id, 1);
    cr_assert_eq(m[1].candidate_id, 0);
    cr_assert_eq(m[1].constraint, LM_CONSTRAINT_NONE);
    cr_assert_eq(m[1].travel_mode, -1);
    lm_assignment_free(a);
    lm_engine_free(e);
}

Test(assign, capacity_and_slot_ranks) {
    lm_engine *e = eng();
    tg g = {.n = 3, .nv = 1, .cap = {2}};
    edge(&g, 0, 0, 0.5f);
    edge(&g, 1, 0, 0.7f);
    edge(&g, 2, 0, 0.6f);
    lm_assign_graph G = graph_of(&g, 0, 0, 0);
    lm_assignment *a = solve(e, &G, NULL);
    cr_assert_eq(stat(a, LM_ASTAT_OBJECTIVE_SCALED), 1300000);
    cr_assert_eq(stat(a, LM_ASTAT_VACANCIES_SERVED), 1);
    lm_match m[3];
    size_t got = 0;
    cr_assert_eq(lm_assignment_copy(m, sizeof m[0], 3, &got, a, 0), LM_OK);
    cr_assert_eq(got, 2);
    cr_assert_eq(m[0].candidate_id, 1);
    cr_assert_eq(m[0].rank, 1);
    cr_assert_eq(m[1].candidate_id, 2);
    cr_assert_eq(m[1].rank, 2);
    /* paging: from the second row */
    cr_assert_eq(lm_assignment_copy(m, sizeof m[0], 3, &got, a, 1), LM_OK);
    cr_assert_eq(got, 1);
    cr_assert_eq(m[0].rank, 2);
    cr_assert_eq(lm_assignment_copy(m, sizeof m[0], 3, &got, a, 2), LM_OK);
    cr_assert_eq(got, 0);
    cr_assert_eq(lm_assignment_copy(m, sizeof m[0], 3, &got, a, 3), LM_ERR_RANGE);
    cr_assert_eq(lm_assignment_copy(m, LM_MATCH_SIZE_1_0 - 1, 3, &got, a, 0), LM_ERR_INVALID);
    cr_assert_eq(lm_assignment_copy(NULL, sizeof m[0], 3, &got, a, 0), LM_ERR_NULL);
    cr_assert_eq(lm_assignment_copy(m, sizeof m[0], 3, &got, NULL, 0), LM_ERR_NULL);
    /* a bigger element size is zero-padded */
    unsigned char big[2][sizeof(lm_match) + 8];
    memset(big, 0xAB, sizeof big);
    cr_assert_eq(lm_assignment_copy((lm_match *)(void *)big, sizeof big[0], 2, &got, a, 0), LM_OK);
    cr_assert_eq(big[0][sizeof(lm_match)], 0);
    cr_assert_eq(big[1][sizeof(lm_match) + 7], 0);
    lm_assignment_free(a);
    lm_engine_free(e);
}

Test(assign, max_per_candidate) {
    lm_engine *e = eng();
    tg g = {.n = 1, .nv = 3, .cap = {1, 1, 1}};
    edge(&g, 0, 0, 0.3f);
    edge(&g, 0, 1, 0.9f);
    edge(&g, 0, 2, 0.5f);
    lm_assign_graph G = graph_of(&g, 0, 0, 0);
    lm_assignment *a = solve(e, &G, NULL);
    cr_assert_eq(stat(a, LM_ASTAT_OBJECTIVE_SCALED), 900000);
    lm_assignment_free(a);
    lm_assign_options o = LM_ASSIGN_OPTIONS_INIT;
    o.max_per_candidate = 2;
    a = solve(e, &G, &o);
    cr_assert_eq(stat(a, LM_ASTAT_OBJECTIVE_SCALED), 1400000);
    cr_assert_eq(stat(a, LM_ASTAT_PROPOSALS), 2);
    lm_assignment_free(a);
    lm_engine_free(e);
}

Test(assign, max_per_employer) {
    lm_engine *e = eng();
    tg g = {.n = 1, .nv = 3, .cap = {1, 1, 1}, .emp = {7, 7, 8}};
    edge(&g, 0, 0, 0.9f);
    edge(&g, 0, 1, 0.8f);
    edge(&g, 0, 2, 0.1f);
    lm_assign_graph G = graph_of(&g, 0, 1, 0);
    lm_assign_options o = LM_ASSIGN_OPTIONS_INIT;
    o.max_per_candidate = 3;
    lm_assignment *a = solve(e, &G, &o);
    cr_assert_eq(stat(a, LM_ASTAT_OBJECTIVE_SCALED), 1800000);
    lm_assignment_free(a);
    o.max_per_employer = 1; /* employer 7 may get this person once */
    a = solve(e, &G, &o);
    cr_assert_eq(stat(a, LM_ASTAT_OBJECTIVE_SCALED), 1000000);
    cr_assert_eq(stat(a, LM_ASTAT_PROPOSALS), 2);
    cr_assert_eq(stat(a, LM_ASTAT_GREEDY_OBJECTIVE) * 1e6, 1000000);
    lm_assignment_free(a);
    /* without employers every vacancy is its own employer: no effect */
    G = graph_of(&g, 0, 0, 0);
    a = solve(e, &G, &o);
    cr_assert_eq(stat(a, LM_ASTAT_OBJECTIVE_SCALED), 1800000);
    lm_assignment_free(a);
    lm_engine_free(e);
}

/* The floor formula: floor_g = floor(f * eligible_g / eligible_total * P_unconstrained). */
Test(assign, fairness_floor_changes_result_as_documented) {
    lm_engine *e = eng();
    /* person 0 (group 10) fits both vacancies at 0.9; person 1 (group 20) fits vacancy 0 at 0.2 */
    tg g = {.n = 2, .nv = 2, .cap = {1, 1}, .group = {10, 20}, .vgroup = {10, 10}};
    edge(&g, 0, 0, 0.9f);
    edge(&g, 0, 1, 0.9f);
    edge(&g, 1, 0, 0.2f);
    lm_assign_graph G = graph_of(&g, 1, 0, 0);
    lm_assign_options o = LM_ASSIGN_OPTIONS_INIT;
    o.max_per_candidate = 2;
    lm_assignment *a = solve(e, &G, &o);
    cr_assert_eq(stat(a, LM_ASTAT_OBJECTIVE_SCALED), 1800000); /* person 0 takes both */
    cr_assert_eq(stat(a, LM_ASTAT_UNCONSTRAINED_PROPOSALS), 2);
    lm_assignment_free(a);
    /* f = 0.5: floor(0.5 * 1/2 * 2) = 0 for both groups: unchanged */
    o.fairness_floor = 0.5;
    a = solve(e, &G, &o);
    cr_assert_eq(stat(a, LM_ASTAT_OBJECTIVE_SCALED), 1800000);
    lm_group_report gr[2];
    size_t need = 0;
    cr_assert_eq(lm_assignment_groups(gr, sizeof gr[0], 2, &need, a), LM_OK);
    cr_assert_eq(gr[0].floor, 0);
    cr_assert_eq(gr[1].floor, 0);
    lm_assignment_free(a);
    /* f = 1: floor(1 * 1/2 * 2) = 1 each: group 20 gets vacancy 0, person 0 keeps vacancy 1 */
    o.fairness_floor = 1.0;
    a = solve(e, &G, &o);
    cr_assert_eq(stat(a, LM_ASTAT_OBJECTIVE_SCALED), 1100000);
    cr_assert_eq(stat(a, LM_ASTAT_PROPOSALS), 2);
    cr_assert_eq(stat(a, LM_ASTAT_UNCONSTRAINED_PROPOSALS), 2);
    cr_assert_eq(lm_assignment_groups(gr, sizeof gr[0], 2, &need, a), LM_OK);
    cr_assert_eq(need, 2);
    cr_assert_eq(gr[0].group, 10);
    cr_assert_eq(gr[0].eligible, 1);
    cr_assert_eq(gr[0].proposals, 1);
    cr_assert_eq(gr[0].floor, 1);
    cr_assert_eq(gr[0].greedy_proposals, 2);
    cr_assert_eq(gr[1].group, 20);
    cr_assert_eq(gr[1].proposals, 1);
    cr_assert_eq(gr[1].cross_border, 1);
    cr_assert_eq(gr[1].floor, 1);
    cr_assert_eq(gr[1].greedy_proposals, 0);
    cr_assert_eq(stat(a, LM_ASTAT_CROSS_BORDER), 1);
    cr_assert_eq(stat(a, LM_ASTAT_GREEDY_CROSS_BORDER), 0);
    lm_assignment_free(a);
    lm_engine_free(e);
}

Test(assign, fairness_floor_reduced_where_unreachable) {
    lm_engine *e = eng();
    /* groups 20 and 30 both need vacancy 0 for their floor of 1; only one can have it */
    tg g = {.n = 3, .nv = 3, .cap = {1, 1, 1}, .group = {10, 20, 30}};
    edge(&g, 0, 0, 0.9f);
    edge(&g, 0, 1, 0.9f);
    edge(&g, 0, 2, 0.9f);
    edge(&g, 1, 0, 0.2f);
    edge(&g, 2, 0, 0.3f);
    lm_assign_graph G = graph_of(&g, 1, 0, 0);
    lm_assign_options o = LM_ASSIGN_OPTIONS_INIT;
    o.max_per_candidate = 3;
    o.fairness_floor = 1.0; /* floor(1 * 1/3 * 3) = 1 per group */
    lm_assignment *a = solve(e, &G, &o);
    cr_assert_eq(stat(a, LM_ASTAT_UNCONSTRAINED_PROPOSALS), 3);
    cr_assert_eq(stat(a, LM_ASTAT_OBJECTIVE_SCALED), 2100000); /* 0.9 + 0.9 + 0.3 */
    lm_group_report gr[3];
    size_t need = 0;
    cr_assert_eq(lm_assignment_groups(gr, sizeof gr[0], 1, &need, a), LM_ERR_BUFFER);
    cr_assert_eq(need, 3);
    cr_assert_eq(lm_assignment_groups(gr, sizeof gr[0], 3, &need, a), LM_OK);
    cr_assert_eq(gr[0].floor, 1);
    cr_assert_eq(gr[0].proposals, 2);
    cr_assert_eq(gr[1].floor, 0); /* reduced to what was reachable */
    cr_assert_eq(gr[1].proposals, 0);
    cr_assert_eq(gr[2].floor, 1);
    cr_assert_eq(gr[2].proposals, 1);
    cr_assert_eq(lm_assignment_groups(gr, sizeof gr[0] - 1, 3, &need, a), LM_ERR_INVALID);
    cr_assert_eq(lm_assignment_groups(NULL, sizeof gr[0], 3, &need, a), LM_ERR_NULL);
    lm_assignment_free(a);
    lm_engine_free(e);
}

Test(assign, priority_weight) {
    lm_engine *e = eng();
    tg g = {.n = 2, .nv = 1, .cap = {1}, .prio = {0.0f, 1.0f}};
    edge(&g, 0, 0, 0.6f);
    edge(&g, 1, 0, 0.5f);
    lm_assign_graph G = graph_of(&g, 0, 0, 1);
    lm_assign_options o = LM_ASSIGN_OPTIONS_INIT;
    lm_assignment *a = solve(e, &G, &o);
    lm_match m;
    cr_assert_eq(lm_assignment_copy(&m, sizeof m, 1, NULL, a, 0), LM_OK);
    cr_assert_eq(m.candidate_id, 0);
    cr_assert_eq(stat(a, LM_ASTAT_OBJECTIVE_SCALED), 600000);
    lm_assignment_free(a);
    o.priority_weight = 0.2; /* values 0.6 and 0.5 + 0.2 */
    a = solve(e, &G, &o);
    cr_assert_eq(lm_assignment_copy(&m, sizeof m, 1, NULL, a, 0), LM_OK);
    cr_assert_eq(m.candidate_id, 1);
    cr_assert_float_eq(m.score, 0.5f, 1e-7); /* the score, not the value */
    cr_assert_eq(stat(a, LM_ASTAT_OBJECTIVE_SCALED), 700000);
    lm_assignment_free(a);
    lm_engine_free(e);
}

Test(assign, zero_value_pairs_and_zero_capacity_are_never_proposed) {
    lm_engine *e = eng();
    tg g = {.n = 2, .nv = 2, .cap = {1, 0}, .group = {5, 6}};
    edge(&g, 0, 0, 0.0f);
    edge(&g, 1, 1, 0.9f);
    lm_assign_graph G = graph_of(&g, 1, 0, 0);
    lm_assignment *a = solve(e, &G, NULL);
    cr_assert_eq(stat(a, LM_ASTAT_PROPOSALS), 0);
    cr_assert_eq(stat(a, LM_ASTAT_GREEDY_PROPOSALS), 0);
    lm_group_report gr[2];
    cr_assert_eq(lm_assignment_groups(gr, sizeof gr[0], 2, NULL, a), LM_OK);
    cr_assert_eq(gr[0].eligible, 0);
    cr_assert_eq(gr[1].eligible, 0);
    lm_assignment_free(a);
    lm_engine_free(e);
}

Test(assign, empty_sides) {
    lm_engine *e = eng();
    size_t sizes[][2] = {{0, 0}, {3, 0}, {0, 3}, {3, 3}};
    int32_t cap[3] = {1, 1, 1};
    for (size_t k = 0; k < 4; k++) {
        lm_assign_graph G = LM_ASSIGN_GRAPH_INIT;
        G.n_people = sizes[k][0];
        G.n_vacancies = sizes[k][1];
        G.capacity = cap;
        lm_assignment *a = solve(e, &G, NULL);
        size_t n = 9;
        cr_assert_eq(lm_assignment_count(&n, a), LM_OK);
        cr_assert_eq(n, 0);
        cr_assert_eq(stat(a, LM_ASTAT_OBJECTIVE_SCALED), 0);
        size_t need = 9;
        cr_assert_eq(lm_assignment_groups(NULL, sizeof(lm_group_report), 0, &need, a),
                     sizes[k][0] ? LM_ERR_BUFFER : LM_OK);
        cr_assert_eq(need, sizes[k][0] ? 1 : 0); /* everyone in group 0 */
        lm_assignment_free(a);
    }
    lm_engine_free(e);
}

/* ---- bad input: a specific status and message, nothing created ---- */
static void expect_bad(lm_engine *e, const lm_assign_graph *G, const lm_assign_options *o, int status,
                       const char *word) {
    lm_assignment *a = (lm_assignment *)(void *)0x1;
    int st = lm_engine_assign_graph(&a, e, G, o);
    cr_assert_eq(st, status, "status %d, expected %d (%s): %s", st, status, word, lm_engine_errmsg(e));
    cr_assert_null(a);
    cr_assert(strstr(lm_engine_errmsg(e), word), "message '%s' lacks '%s'", lm_engine_errmsg(e), word);
}

Test(assign, bad_input) {
    lm_engine *e = eng();
    tg g = {.n = 2, .nv = 2, .cap = {1, 1}, .prio = {0.5f, 0.5f}};
    edge(&g, 0, 0, 0.5f);
    edge(&g, 1, 1, 0.5f);
    lm_assign_graph G0 = graph_of(&g, 0, 0, 1), G;
    lm_assign_options o0 = LM_ASSIGN_OPTIONS_INIT, o;
    lm_assignment *a = NULL;
    cr_assert_eq(lm_engine_assign_graph(&a, NULL, &G0, NULL), LM_ERR_NULL);
    cr_assert_eq(lm_engine_assign_graph(NULL, e, &G0, NULL), LM_ERR_NULL);
    cr_assert_eq(lm_engine_assign_graph(&a, e, NULL, NULL), LM_ERR_NULL);
    cr_assert(strstr(lm_engine_errmsg(e), "graph is NULL"));
    G = G0; G.struct_size = 8; expect_bad(e, &G, NULL, LM_ERR_INVALID, "struct_size");
    o = o0; o.struct_size = 8; expect_bad(e, &G0, &o, LM_ERR_INVALID, "struct_size");
    o = o0; o.max_per_candidate = 0; expect_bad(e, &G0, &o, LM_ERR_RANGE, "max_per_candidate");
    o = o0; o.max_per_candidate = 1001; expect_bad(e, &G0, &o, LM_ERR_RANGE, "max_per_candidate");
    o = o0; o.priority_weight = -0.5; expect_bad(e, &G0, &o, LM_ERR_RANGE, "priority_weight");
    o = o0; o.priority_weight = NAN; expect_bad(e, &G0, &o, LM_ERR_NONFINITE, "priority_weight");
    o = o0; o.priority_weight = 1e9; expect_bad(e, &G0, &o, LM_ERR_RANGE, "priority_weight");
    o = o0; o.fairness_floor = 1.5; expect_bad(e, &G0, &o, LM_ERR_RANGE, "fairness_floor");
    o = o0; o.fairness_floor = -0.1; expect_bad(e, &G0, &o, LM_ERR_RANGE, "fairness_floor");
    o = o0; o.fairness_floor = NAN; expect_bad(e, &G0, &o, LM_ERR_NONFINITE, "fairness_floor");
    int32_t negcap[2] = {1, -1};
    G = G0; G.capacity = negcap; expect_bad(e, &G, NULL, LM_ERR_RANGE, "capacity[1]");
    G = G0; G.capacity = NULL; expect_bad(e, &G, NULL, LM_ERR_NULL, "capacity");
    G = G0; G.edge_score = NULL; expect_bad(e, &G, NULL, LM_ERR_NULL, "edge_score");
    float s_nan[2] = {0.5f, NAN}, s_inf[2] = {INFINITY, 0.5f}, s_big[2] = {0.5f, 1.5f}, s_neg[2] = {-0.1f, 0.5f};
    G = G0; G.edge_score = s_nan; expect_bad(e, &G, NULL, LM_ERR_NONFINITE, "edge 1");
    G = G0; G.edge_score = s_inf; expect_bad(e, &G, NULL, LM_ERR_NONFINITE, "edge 0");
    G = G0; G.edge_score = s_big; expect_bad(e, &G, NULL, LM_ERR_RANGE, "score");
    G = G0; G.edge_score = s_neg; expect_bad(e, &G, NULL, LM_ERR_RANGE, "score");
    float p_nan[2] = {NAN, 0}, p_big[2] = {0, 2};
    G = G0; G.person_priority = p_nan; expect_bad(e, &G, NULL, LM_ERR_NONFINITE, "person_priority[0]");
    G = G0; G.person_priority = p_big; expect_bad(e, &G, NULL, LM_ERR_RANGE, "person_priority[1]");
    uint32_t bad_p[2] = {0, 2}, bad_v[2] = {5, 1}, dup_p[2] = {1, 1}, dup_v[2] = {1, 1};
    G = G0; G.edge_person = bad_p; expect_bad(e, &G, NULL, LM_ERR_RANGE, "person 2 out of range");
    G = G0; G.edge_vacancy = bad_v; expect_bad(e, &G, NULL, LM_ERR_RANGE, "vacancy 5 out of range");
    G = G0; G.edge_person = dup_p; G.edge_vacancy = dup_v; expect_bad(e, &G, NULL, LM_ERR_DUPLICATE, "twice");
    G = G0; G.n_people = (size_t)LM_MAX_ROWS + 1; expect_bad(e, &G, NULL, LM_ERR_LIMIT, "at most");
    G = G0; G.n_edges = (size_t)1 << 40; expect_bad(e, &G, NULL, LM_ERR_LIMIT, "edges");
    G = G0; G.n_edges = SIZE_MAX; expect_bad(e, &G, NULL, LM_ERR_LIMIT, "edges");
    /* the engine still works afterwards and the message is cleared */
    a = solve(e, &G0, NULL);
    cr_assert_str_eq(lm_engine_errmsg(e), "");
    lm_assignment_free(a);
    /* accessors */
    double x;
    cr_assert_eq(lm_assignment_stat(&x, NULL, 0), LM_ERR_NULL);
    a = solve(e, &G0, NULL);
    cr_assert_eq(lm_assignment_stat(NULL, a, 0), LM_ERR_NULL);
    cr_assert_eq(lm_assignment_stat(&x, a, -1), LM_ERR_RANGE);
    cr_assert_eq(lm_assignment_stat(&x, a, LM_ASTAT_UNCONSTRAINED_PROPOSALS + 1), LM_ERR_RANGE);
    cr_assert_eq(lm_assignment_count(NULL, a), LM_ERR_NULL);
    lm_assignment_free(a);
    lm_assignment_free(NULL);
    lm_engine_free(e);
}

static int cancel_at(void *user, uint64_t done, uint64_t total) {
    (void)total;
    return done >= *(uint64_t *)user;
}

Test(assign, cancel) {
    lm_engine *e = eng();
    tg g = {.n = 4, .nv = 2, .cap = {1, 1}};
    for (uint32_t i = 0; i < 4; i++) edge(&g, i, i % 2, 0.5f);
    lm_assign_graph G = graph_of(&g, 0, 0, 0);
    for (uint64_t at = 0; at < 6; at++) {
        lm_assign_options o = LM_ASSIGN_OPTIONS_INIT;
        o.progress = cancel_at;
        o.progress_user = &at;
        lm_assignment *a = NULL;
        int st = lm_engine_assign_graph(&a, e, &G, &o);
        if (at <= 4) {
            cr_assert_eq(st, LM_ERR_CANCELLED, "at %llu: %d", (unsigned long long)at, st);
            cr_assert_null(a);
            cr_assert(strstr(lm_engine_errmsg(e), "cancelled"));
        } else {
            cr_assert_eq(st, LM_OK);
            lm_assignment_free(a);
        }
    }
    lm_engine_free(e);
}

/* ---- brute force over every subset of edges (tiny instances) ---- */
typedef struct bf {
    int64_t best_short, best_w;
} bf;

static void brute(const tg *g, uint32_t m, uint32_t L, const int64_t *w, const int64_t *floors, int ngr,
                  const int *gidx, bf *out) {
    out->best_short = INT64_MAX;
    out->best_w = -1;
    for (uint32_t mask = 0; mask < (1u << g->ne); mask++) {
        uint32_t pc[16] = {0}, vc[16] = {0};
        int64_t x[16] = {0}, wt = 0;
        int ok = 1;
        for (size_t e = 0; e < g->ne && ok; e++) {
            if (!(mask >> e & 1)) continue;
            if (w[e] <= 0) { ok = 0; break; }
            if (++pc[g->ep[e]] > m || ++(vc[g->ev[e]]) > (uint32_t)g->cap[g->ev[e]]) ok = 0;
            if (L) {
                uint32_t same = 0;
                for (size_t f = 0; f < g->ne; f++)
                    if ((mask >> f & 1) && g->ep[f] == g->ep[e] && g->emp[g->ev[f]] == g->emp[g->ev[e]]) same++;
                if (same > L) ok = 0;
            }
            x[gidx[g->ep[e]]]++;
            wt += w[e];
        }
        if (!ok) continue;
        int64_t sh = 0;
        for (int q = 0; q < ngr && floors; q++) sh += floors[q] > x[q] ? floors[q] - x[q] : 0;
        if (sh < out->best_short || (sh == out->best_short && wt > out->best_w)) {
            out->best_short = sh;
            out->best_w = wt;
        }
    }
}

Test(assign, brute_force_reference) {
    lm_engine *e = eng();
    uint64_t s = 42;
    for (int it = 0; it < 300; it++) {
        tg g = {0};
        g.n = (size_t)tu_int(&s, 1, 4);
        g.nv = (size_t)tu_int(&s, 1, 4);
        for (size_t j = 0; j < g.nv; j++) {
            g.cap[j] = tu_int(&s, 0, 2);
            g.emp[j] = tu_int(&s, 1, 2);
        }
        for (size_t i = 0; i < g.n; i++) {
            g.group[i] = tu_int(&s, 1, 3);
            g.prio[i] = (float)tu_int(&s, 0, 4) / 4.0f;
        }
        for (uint32_t i = 0; i < g.n; i++)
            for (uint32_t j = 0; j < g.nv; j++)
                if (g.ne < 12 && tu_unif(&s) < 0.6) {
                    int tied = it % 3 == 0;
                    edge(&g, i, j, tied ? (float)tu_int(&s, 0, 2) / 2.0f : (float)tu_unif(&s));
                }
        lm_assign_options o = LM_ASSIGN_OPTIONS_INIT;
        o.max_per_candidate = (uint32_t)tu_int(&s, 1, 3);
        o.max_per_employer = (uint32_t)(it % 2 ? tu_int(&s, 1, 2) : 0);
        o.priority_weight = it % 4 == 1 ? 0.5 : 0.0;
        o.fairness_floor = it % 5 < 2 ? 0.0 : (double)tu_int(&s, 1, 4) / 4.0;
        lm_assign_graph G = graph_of(&g, 1, 1, 1);
        lm_assignment *a = solve(e, &G, &o);
        int64_t w[64];
        for (size_t k = 0; k < g.ne; k++)
            w[k] = (int64_t)floor(((double)g.es[k] + o.priority_weight * (double)g.prio[g.ep[k]]) * 1e6 + 0.5);
        /* groups and floors from the documented formula */
        int gidx[16], ngr = 3;
        int64_t elig[3] = {0}, total = 0, floors[3] = {0};
        for (size_t i = 0; i < g.n; i++) {
            gidx[i] = g.group[i] - 1;
            int has = 0;
            for (size_t k = 0; k < g.ne; k++) has |= g.ep[k] == i && w[k] > 0 && g.cap[g.ev[k]] > 0;
            elig[gidx[i]] += has;
            total += has;
        }
        bf un, con;
        brute(&g, o.max_per_candidate, o.max_per_employer, w, NULL, ngr, gidx, &un);
        double pu = stat(a, LM_ASTAT_UNCONSTRAINED_PROPOSALS);
        for (int q = 0; q < ngr && o.fairness_floor > 0 && total; q++)
            floors[q] = (int64_t)floor(o.fairness_floor * (double)elig[q] / (double)total * pu + 1e-9);
        brute(&g, o.max_per_candidate, o.max_per_employer, w, floors, ngr, gidx, &con);
        double obj = stat(a, LM_ASTAT_OBJECTIVE_SCALED);
        cr_assert_eq((int64_t)obj, con.best_w, "instance %d: objective %.0f, brute force %lld (unconstrained %lld)",
                     it, obj, (long long)con.best_w, (long long)un.best_w);
        cr_assert(stat(a, LM_ASTAT_GREEDY_OBJECTIVE) * 1e6 <= (double)un.best_w + 0.5);
        /* the proposals respect every limit and sum to the objective */
        size_t np = 0;
        lm_assignment_count(&np, a);
        lm_match mm[64];
        lm_assignment_copy(mm, sizeof mm[0], 64, NULL, a, 0);
        uint32_t pc[16] = {0}, vc[16] = {0};
        int64_t sum = 0;
        for (size_t k = 0; k < np; k++) {
            pc[mm[k].candidate_id]++;
            vc[mm[k].vacancy_id]++;
            for (size_t q = 0; q < g.ne; q++)
                if (g.ep[q] == mm[k].candidate_id && g.ev[q] == mm[k].vacancy_id) sum += w[q];
        }
        cr_assert_eq(sum, (int64_t)obj);
        for (size_t i = 0; i < g.n; i++) cr_assert_leq(pc[i], o.max_per_candidate);
        for (size_t j = 0; j < g.nv; j++) cr_assert_leq(vc[j], (uint32_t)g.cap[j]);
        lm_assignment_free(a);
    }
    lm_engine_free(e);
}

/* ---- from a batch ---- */
Test(assign, from_batch) {
    tu_data d;
    tu_generate(&d, 7, 150, 60, 8, 0.8);
    lm_pool *p = tu_pool(&d);
    lm_snapshot *snap = NULL;
    cr_assert_eq(lm_pool_snapshot(&snap, p), LM_OK);
    lm_engine *e = eng();
    lm_viewer v = LM_VIEWER_INIT;
    v.org = 1;
    v.region = 1;
    lm_batch_options bo = LM_BATCH_OPTIONS_INIT;
    bo.k_candidates = 5;
    bo.k_vacancies = 4;
    lm_results *r = NULL;
    cr_assert_eq(lm_engine_batch(&r, e, snap, &v, &bo), LM_OK, "%s", lm_engine_errmsg(e));
    lm_assignment *a = NULL;
    cr_assert_eq(lm_engine_assign(&a, e, r, NULL), LM_OK, "%s", lm_engine_errmsg(e));
    /* the same graph, built here from the public results, gives the same objective */
    size_t nc = 0, nvl = 0;
    lm_results_lists(&nc, r, LM_DIR_CANDIDATE);
    lm_results_lists(&nvl, r, LM_DIR_VACANCY);
    int64_t *cid = calloc(nc + 1, sizeof *cid), *vid = calloc(nvl + 1, sizeof *vid);
    for (size_t i = 0; i < nc; i++) lm_results_list(&cid[i], NULL, NULL, r, LM_DIR_CANDIDATE, i);
    for (size_t j = 0; j < nvl; j++) lm_results_list(&vid[j], NULL, NULL, r, LM_DIR_VACANCY, j);
    size_t nrows[2];
    lm_results_count(&nrows[0], r, LM_DIR_VACANCY);
    lm_results_count(&nrows[1], r, LM_DIR_CANDIDATE);
    size_t cap_e = nrows[0] + nrows[1] + 1, ne = 0;
    uint32_t *ep = calloc(cap_e, 4), *ev = calloc(cap_e, 4);
    float *es = calloc(cap_e, 4);
    for (int dir = 0; dir < 2; dir++) {
        lm_match *m = calloc(nrows[dir] + 1, sizeof *m);
        lm_results_copy(m, sizeof *m, nrows[dir], NULL, r, dir, 0);
        for (size_t k = 0; k < nrows[dir]; k++) {
            size_t ci = nc, vj = nvl;
            for (size_t i = 0; i < nc; i++) if (cid[i] == m[k].candidate_id) ci = i;
            for (size_t j = 0; j < nvl; j++) if (vid[j] == m[k].vacancy_id) vj = j;
            if (ci == nc || vj == nvl) continue;
            int dup = 0;
            for (size_t q = 0; q < ne; q++) dup |= ep[q] == ci && ev[q] == vj;
            if (dup) continue;
            ep[ne] = (uint32_t)ci; ev[ne] = (uint32_t)vj; es[ne] = m[k].score; ne++;
        }
        free(m);
    }
    int32_t *cap = calloc(nvl + 1, 4);
    for (size_t j = 0; j < nvl; j++)
        for (size_t q = 0; q < d.nv; q++) if (d.v_id[q] == vid[j]) cap[j] = d.v_slots[q] > 0 ? d.v_slots[q] : 0;
    float *prio = calloc(nc + 1, 4);
    for (size_t i = 0; i < nc; i++)
        for (size_t q = 0; q < d.nc; q++) if (d.c_id[q] == cid[i]) prio[i] = d.c_prio[q];
    lm_assign_graph G = LM_ASSIGN_GRAPH_INIT;
    G.n_people = nc; G.n_vacancies = nvl; G.capacity = cap; G.person_priority = prio;
    G.n_edges = ne; G.edge_person = ep; G.edge_vacancy = ev; G.edge_score = es;
    lm_assignment *ag = solve(e, &G, NULL);
    cr_assert_gt(stat(a, LM_ASTAT_PROPOSALS), 0);
    cr_assert_eq(stat(a, LM_ASTAT_OBJECTIVE_SCALED), stat(ag, LM_ASTAT_OBJECTIVE_SCALED));
    cr_assert_eq(stat(a, LM_ASTAT_EDGES), (double)ne);
    cr_assert_eq(stat(a, LM_ASTAT_GREEDY_OBJECTIVE), stat(ag, LM_ASTAT_GREEDY_OBJECTIVE));
    /* every proposal is explained like a top-k row and matches lm_engine_explain */
    size_t np = 0;
    lm_assignment_count(&np, a);
    lm_match *pm = calloc(np + 1, sizeof *pm);
    cr_assert_eq(lm_assignment_copy(pm, sizeof *pm, np, NULL, a, 0), LM_OK);
    size_t cross = 0;
    for (size_t k = 0; k < np; k++) {
        lm_match x;
        cr_assert_eq(lm_engine_explain(&x, sizeof x, e, snap, &v, pm[k].vacancy_id, pm[k].candidate_id), LM_OK);
        cr_assert_eq(pm[k].constraint, LM_CONSTRAINT_NONE);
        cr_assert_float_eq(pm[k].score, x.score, 1e-5);
        cr_assert_float_eq(pm[k].competence, x.competence, 1e-5);
        cr_assert_eq(pm[k].candidate_municipality, x.candidate_municipality);
        cr_assert_eq(pm[k].travel_mode, x.travel_mode);
        cr_assert_geq(pm[k].rank, 1);
        if (k && pm[k].vacancy_id == pm[k - 1].vacancy_id) cr_assert_eq(pm[k].rank, pm[k - 1].rank + 1);
        cross += pm[k].candidate_municipality != pm[k].vacancy_municipality;
    }
    cr_assert_eq(stat(a, LM_ASTAT_CROSS_BORDER), (double)cross);
    /* groups are the candidates' municipalities */
    size_t need = 0;
    lm_assignment_groups(NULL, sizeof(lm_group_report), 0, &need, a);
    lm_group_report *gr = calloc(need + 1, sizeof *gr);
    cr_assert_eq(lm_assignment_groups(gr, sizeof *gr, need, NULL, a), LM_OK);
    uint64_t props = 0, gcross = 0;
    for (size_t q = 0; q < need; q++) {
        props += gr[q].proposals;
        gcross += gr[q].cross_border;
        if (q) cr_assert_gt(gr[q].group, gr[q - 1].group);
    }
    cr_assert_eq(props, np);
    cr_assert_eq(gcross, cross);
    /* the assignment outlives the batch, snapshot and pool */
    lm_results_free(r);
    lm_snapshot_free(snap);
    lm_pool_free(p);
    lm_match again;
    cr_assert_eq(lm_assignment_copy(&again, sizeof again, 1, NULL, a, 0), LM_OK);
    cr_assert_eq(again.candidate_id, pm[0].candidate_id);
    /* a fairness run works on batch graphs too */
    free(gr); free(pm); free(cid); free(vid); free(ep); free(ev); free(es); free(cap); free(prio);
    lm_assignment_free(a);
    lm_assignment_free(ag);
    lm_engine_free(e);
    tu_free(&d);
}

Test(assign, from_batch_bad_input) {
    tu_data d;
    tu_generate(&d, 3, 20, 10, 4, 0.9);
    lm_pool *p = tu_pool(&d);
    lm_snapshot *snap = NULL;
    cr_assert_eq(lm_pool_snapshot(&snap, p), LM_OK);
    lm_engine *e = eng();
    lm_viewer v = LM_VIEWER_INIT;
    v.org = 1;
    lm_results *q = NULL, *r = NULL;
    cr_assert_eq(lm_engine_query_vacancy(&q, e, snap, &v, d.v_id[0], 5), LM_OK);
    lm_assignment *a = NULL;
    cr_assert_eq(lm_engine_assign(&a, e, q, NULL), LM_ERR_INVALID);
    cr_assert(strstr(lm_engine_errmsg(e), "both directions"));
    cr_assert_eq(lm_engine_assign(&a, e, NULL, NULL), LM_ERR_NULL);
    cr_assert_eq(lm_engine_assign(NULL, e, q, NULL), LM_ERR_NULL);
    cr_assert_eq(lm_engine_assign(&a, NULL, q, NULL), LM_ERR_NULL);
    cr_assert_eq(lm_engine_batch(&r, e, snap, &v, NULL), LM_OK);
    lm_assign_options o = LM_ASSIGN_OPTIONS_INIT;
    o.max_per_candidate = 0;
    cr_assert_eq(lm_engine_assign(&a, e, r, &o), LM_ERR_RANGE);
    cr_assert_null(a);
    o = (lm_assign_options)LM_ASSIGN_OPTIONS_INIT;
    o.fairness_floor = 0.8;
    o.max_per_employer = 1;
    o.priority_weight = 0.1;
    cr_assert_eq(lm_engine_assign(&a, e, r, &o), LM_OK, "%s", lm_engine_errmsg(e));
    lm_assignment_free(a);
    lm_results_free(q);
    lm_results_free(r);
    lm_snapshot_free(snap);
    lm_pool_free(p);
    lm_engine_free(e);
    tu_free(&d);
}

/* The greedy baseline breaks a tie of values by the input order of the edges
 * (docs/assignment.md), whatever the people's numbers: here person 1's edge
 * comes first and wins the one slot, then the same with the order reversed. */
Test(assign, greedy_ties_by_input_order) {
    lm_engine *e = eng();
    for (int first = 0; first < 2; first++) {
        tg g = {.n = 2, .nv = 1, .cap = {1}, .group = {10, 20}, .vgroup = {10}};
        edge(&g, first == 0 ? 1 : 0, 0, 0.5f);
        edge(&g, first == 0 ? 0 : 1, 0, 0.5f);
        lm_assign_graph G = graph_of(&g, 1, 0, 0);
        lm_assignment *a = solve(e, &G, NULL);
        cr_assert_eq(stat(a, LM_ASTAT_GREEDY_PROPOSALS), 1);
        lm_group_report gr[2];
        size_t need = 0;
        cr_assert_eq(lm_assignment_groups(gr, sizeof gr[0], 2, &need, a), LM_OK);
        cr_assert_eq(gr[0].group, 10);
        /* the first edge's person: 1 (group 20) in round 0, 0 (group 10) in round 1 */
        cr_assert_eq(gr[0].greedy_proposals, first == 0 ? 0 : 1, "round %d", first);
        cr_assert_eq(gr[1].greedy_proposals, first == 0 ? 1 : 0, "round %d", first);
        lm_assignment_free(a);
    }
    lm_engine_free(e);
}
