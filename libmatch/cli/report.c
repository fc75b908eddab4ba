/* The effect report: DIR/index.html (one self-contained page: inline CSS, SVG
 * charts computed from the figures, no scripts, no fonts, no network) and the
 * same tables as CSV. The figures come from lm_effects_compute(); the writer
 * itself only derives the retention curves and the observed cross-border
 * counts from the records, applying the same small-numbers threshold. */
#include "report.h"

#include "cli.h"
#include "demo_data.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define RET_STEP 7     /* retention curve: one point a week */
#define RET_DAYS 365   /* up to 12 months */
#define RET_POINTS (RET_DAYS / RET_STEP + 2)
#define NSERIES (CLI_REPORT_GROUPS + 1) /* series 0: everyone; 1..9: the group bits */

static const char *const group_names[CLI_REPORT_GROUPS] = {
    "bijstand", "nieuw_beschut", "banenafspraak", "wsw", "nug", "statushouder", "ww", "wajong", "jongere"};
static const char *const group_labels[CLI_REPORT_GROUPS] = {
    "Bijstand (social assistance)",      "Nieuw beschut (sheltered work)",
    "Banenafspraak (jobs agreement)",    "Wsw (old sheltered employment)",
    "Nug (no benefit)",                  "Statushouder (refugee)",
    "WW (unemployment benefit)",         "Wajong (young disabled)",
    "Jongere (under 27)"};
static const char *const kind_labels[] = {"regular job", "garantiebaan", "beschut werk", "werkervaringsplek",
                                          "participatieplek", "detachering"};
static const char *const palette[NSERIES] = {"#222222", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                             "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"};

const char *cli_report_group_name(unsigned bit) { return bit < CLI_REPORT_GROUPS ? group_names[bit] : "group"; }

const char *cli_report_date(char buf[16], int32_t day) {
    /* civil from days (proleptic Gregorian) */
    int64_t z = (int64_t)day + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    snprintf(buf, 16, "%04d-%02d-%02d", (int)((y + (m <= 2)) % 10000), (int)(m % 100), (int)(d % 100));
    return buf;
}

/* The figures as the page shows them: lm_effects_compute()'s rows with the
 * secondary suppression added (a rate is hidden when its numerator count is,
 * so that "placed: hidden, rate 5.8% of 52" cannot give the hidden count back). */
typedef struct fxview {
    lm_effect_row *rows;
    size_t n;
} fxview;

static void suppress(lm_effect_row *r, int fig) {
    r->suppressed |= 1u << fig;
    r->value[fig] = NAN;
}

void cli_report_secondary(lm_effect_row *r, int32_t th) {
    if (r->suppressed >> LM_FIG_PLACED & 1u) suppress(r, LM_FIG_PLACEMENT_RATE), suppress(r, LM_FIG_MEDIAN_DAYS);
    static const int ret[2][2] = {{LM_FIG_OBSERVED_6M, LM_FIG_RETAINED_6M}, {LM_FIG_OBSERVED_12M, LM_FIG_RETAINED_12M}};
    for (int q = 0; q < 2; q++) {
        double o = r->value[ret[q][0]], s = r->value[ret[q][1]];
        if (r->suppressed >> ret[q][0] & 1u) {
            suppress(r, ret[q][1]);
            continue;
        }
        if (isnan(o) || isnan(s)) continue;
        double kept = floor(o * s + 0.5), lost = o - kept;
        if ((kept > 0 && kept < th) || (lost > 0 && lost < th)) suppress(r, ret[q][1]);
    }
}

static const char *muni_label(char *buf, size_t n, int64_t code) {
    const demo_municipality *m = code >= 0 && code <= INT32_MAX ? demo_municipality_find((int32_t)code) : NULL;
    if (m) snprintf(buf, n, "%s", m->name);
    else snprintf(buf, n, "GM%04lld", (long long)code);
    return buf;
}

static const char *org_label(char *buf, size_t n, int64_t org) {
    const char *s = demo_org_name(org);
    if (s) snprintf(buf, n, "%s", s);
    else snprintf(buf, n, "organisation %lld", (long long)org);
    return buf;
}

static unsigned bit_index(int64_t key) {
    for (unsigned b = 0; b < 32; b++)
        if (key == (int64_t)1 << b) return b;
    return 99;
}

/* Row name of a dimension key (plain text). */
static const char *key_label(char *buf, size_t n, int32_t dim, int64_t key) {
    switch (dim) {
    case LM_DIM_TOTAL: snprintf(buf, n, "all"); break;
    case LM_DIM_GROUP: {
        unsigned b = bit_index(key);
        snprintf(buf, n, "%s", b < CLI_REPORT_GROUPS ? group_labels[b] : "other group");
        break;
    }
    case LM_DIM_READINESS: snprintf(buf, n, "%c", key >= 1 && key <= 5 ? (char)('A' + key - 1) : '?'); break;
    case LM_DIM_HOME_MUNICIPALITY:
    case LM_DIM_WORK_MUNICIPALITY: muni_label(buf, n, key); break;
    case LM_DIM_ORG: org_label(buf, n, key); break;
    case LM_DIM_KIND: snprintf(buf, n, "%s", key >= 0 && key < 6 ? kind_labels[key] : "other"); break;
    case LM_DIM_CROSS_BORDER: snprintf(buf, n, "%s", key ? "cross-border" : "local"); break;
    default: snprintf(buf, n, "%lld", (long long)key); break;
    }
    return buf;
}

/* ---- output helpers ------------------------------------------------------- */

static void esc(FILE *f, const char *s) {
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* A CSV field: quoted when it holds a comma, quote or newline. */
static void csv_str(FILE *f, const char *s) {
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static bool is_rate(int fig) {
    return fig == LM_FIG_PLACEMENT_RATE || fig == LM_FIG_RETAINED_6M || fig == LM_FIG_RETAINED_12M;
}

/* CSV value: empty when suppressed or undefined (the suppressed column tells which). */
static void csv_fig(FILE *f, const lm_effect_row *r, int fig) {
    double v = r->value[fig];
    if ((r->suppressed >> fig & 1u) || isnan(v)) return;
    if (is_rate(fig)) fprintf(f, "%.4f", v);
    else if (fig == LM_FIG_MEDIAN_DAYS) fprintf(f, "%.1f", v);
    else fprintf(f, "%.0f", v);
}

/* HTML cell text: the bullet marks a suppressed cell, the dash an undefined one. */
static void html_fig(FILE *f, const lm_effect_row *r, int fig) {
    double v = r->value[fig];
    if (r->suppressed >> fig & 1u)
        fputs("<td class=\"sup\" title=\"suppressed: fewer than the threshold\">&bull;</td>", f);
    else if (isnan(v)) fputs("<td class=\"na\">&ndash;</td>", f);
    else if (is_rate(fig)) fprintf(f, "<td>%.1f%%</td>", 100.0 * v);
    else if (fig == LM_FIG_MEDIAN_DAYS) fprintf(f, "<td>%.0f</td>", v);
    else fprintf(f, "<td>%.0f</td>", v);
}

static const lm_effect_row *find_row(const fxview *fx, int32_t dim, int64_t key) {
    size_t n = fx->n;
    for (size_t i = 0; i < n; i++) {
        const lm_effect_row *r = (&fx->rows[i]);
        if (r->dim == dim && r->key == key) return r;
    }
    return NULL;
}

static double fig_or(const lm_effect_row *r, int fig, double dflt) {
    if (!r || (r->suppressed >> fig & 1u) || isnan(r->value[fig])) return dflt;
    return r->value[fig];
}

/* ---- derived from the records --------------------------------------------- */

typedef struct pidx {
    int64_t id;
    size_t i;
} pidx;

static int cmp_pidx(const void *a, const void *b) {
    const pidx *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

typedef struct derived {
    /* retention: observed and still placed at day RET_STEP * p (last point RET_DAYS) */
    double ret_obs[NSERIES][RET_POINTS], ret_kept[NSERIES][RET_POINTS];
    int ret_day[RET_POINTS];
    int npoints;
    /* observed cross-border placements (first placement per person in the period) */
    double placed, cross_placed, cross_vacancies, vacancies;
    double group_placed[CLI_REPORT_GROUPS], group_cross[CLI_REPORT_GROUPS];
} derived;

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static size_t count_distinct(int64_t *v, size_t n) {
    if (!n) return 0;
    qsort(v, n, sizeof v[0], cmp_i64);
    size_t d = 1;
    for (size_t i = 1; i < n; i++) d += v[i] != v[i - 1];
    return d;
}

static int derive(derived *dv, const lm_outcome_person *persons, size_t np, const lm_outcome_record *recs,
                  size_t nr, const cli_report_info *info) {
    memset(dv, 0, sizeof *dv);
    dv->npoints = 0;
    for (int d = 0; d <= RET_DAYS; d += RET_STEP) dv->ret_day[dv->npoints++] = d;
    if (dv->ret_day[dv->npoints - 1] != RET_DAYS) dv->ret_day[dv->npoints++] = RET_DAYS;
    pidx *ix = malloc((np ? np : 1) * sizeof *ix);
    size_t *first = malloc((np ? np : 1) * sizeof *first); /* index of the person's first placement, or SIZE_MAX */
    int64_t *vac_all = malloc((nr ? nr : 1) * sizeof *vac_all), *vac_cross = malloc((nr ? nr : 1) * sizeof *vac_cross);
    if (!ix || !first || !vac_all || !vac_cross) {
        free(ix), free(first), free(vac_all), free(vac_cross);
        fprintf(stderr, "lmatch report: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < np; i++) ix[i] = (pidx){persons[i].candidate_id, i}, first[i] = SIZE_MAX;
    qsort(ix, np, sizeof *ix, cmp_pidx);
    for (size_t r = 0; r < nr; r++) {
        const lm_outcome_record *x = &recs[r];
        if (x->proposed_day < info->from_day || x->proposed_day > info->to_day || x->placed_day < 0) continue;
        pidx key = {x->candidate_id, 0}, *hit = bsearch(&key, ix, np, sizeof *ix, cmp_pidx);
        if (!hit) continue;
        size_t *f = &first[hit->i];
        if (*f == SIZE_MAX || x->placed_day < recs[*f].placed_day ||
            (x->placed_day == recs[*f].placed_day && x->proposal_id < recs[*f].proposal_id))
            *f = r;
    }
    size_t nva = 0, nvc = 0;
    for (size_t i = 0; i < np; i++) {
        if (first[i] == SIZE_MAX) continue;
        const lm_outcome_record *x = &recs[first[i]];
        bool cross = x->work_municipality != persons[i].municipality;
        dv->placed++;
        dv->cross_placed += cross;
        vac_all[nva++] = x->vacancy_id;
        if (cross) vac_cross[nvc++] = x->vacancy_id;
        for (unsigned b = 0; b < CLI_REPORT_GROUPS; b++)
            if (persons[i].groups >> b & 1u) dv->group_placed[b]++, dv->group_cross[b] += cross;
        for (int p = 0; p < dv->npoints; p++) {
            int32_t at = x->placed_day + dv->ret_day[p];
            if (at > info->as_of_day) break;
            bool kept = x->end_day < 0 || x->end_day > at;
            for (unsigned s = 0; s < NSERIES; s++) {
                if (s > 0 && !(persons[i].groups >> (s - 1) & 1u)) continue;
                dv->ret_obs[s][p]++;
                dv->ret_kept[s][p] += kept;
            }
        }
    }
    dv->vacancies = (double)count_distinct(vac_all, nva);
    dv->cross_vacancies = (double)count_distinct(vac_cross, nvc);
    free(ix), free(first), free(vac_all), free(vac_cross);
    return 0;
}

/* Share still placed at point p of series s, NaN when fewer than the threshold were observed. */
static double ret_share(const derived *dv, unsigned s, int p, int32_t threshold) {
    double o = dv->ret_obs[s][p];
    if (o <= 0 || o < threshold) return NAN;
    return dv->ret_kept[s][p] / o;
}

/* ---- CSV ------------------------------------------------------------------ */

static void csv_fig_header(FILE *f) {
    for (int g = 0; g < LM_FIG_COUNT; g++) fprintf(f, ",%s", lm_effect_fig_name(g));
    fputs(",suppressed\n", f);
}

static void csv_fig_values(FILE *f, const lm_effect_row *r) {
    for (int g = 0; g < LM_FIG_COUNT; g++) {
        fputc(',', f);
        csv_fig(f, r, g);
    }
    fputc(',', f);
    bool any = false;
    for (int g = 0; g < LM_FIG_COUNT; g++)
        if (r->suppressed >> g & 1u) fprintf(f, "%s%s", any ? ";" : "", lm_effect_fig_name(g)), any = true;
    fputc('\n', f);
}

/* One file of a dimension: KEYCOL,name,figures...,suppressed. */
static int write_dim_csv(const char *dir, const char *file, const char *keycol, const fxview *fx, int32_t dim) {
    cli_out o;
    if (cli_out_open(&o, dir, file)) return 1;
    fprintf(o.f, "%s,name", keycol);
    csv_fig_header(o.f);
    size_t n = fx->n;
    char buf[128];
    for (size_t i = 0; i < n; i++) {
        const lm_effect_row *r = (&fx->rows[i]);
        if (r->dim != dim) continue;
        if (dim == LM_DIM_GROUP) {
            unsigned b = bit_index(r->key);
            fputs(b < CLI_REPORT_GROUPS ? group_names[b] : "other", o.f);
        } else
            fprintf(o.f, "%lld", (long long)r->key);
        fputc(',', o.f);
        csv_str(o.f, key_label(buf, sizeof buf, dim, r->key));
        csv_fig_values(o.f, r);
    }
    return cli_out_commit(&o) ? 1 : 0;
}

/* The funnel's steps: label, value (NaN suppressed), and the CSV name. */
typedef struct step {
    const char *name, *label;
    double value;
    bool suppressed;
} step;

static size_t funnel_steps(step *s, const fxview *fx, int32_t threshold) {
    const lm_effect_row *t = find_row(fx, LM_DIM_TOTAL, 0);
    static const struct { const char *name, *label; int fig; } base[] = {
        {"pool", "in the pool", LM_FIG_PEOPLE},
        {"proposed", "proposed at least once", LM_FIG_PROPOSED},
        {"introduced", "introduced to an employer", LM_FIG_INTRODUCED},
        {"placed", "placed (started work)", LM_FIG_PLACED}};
    size_t n = 0;
    for (size_t i = 0; i < 4; i++) {
        s[n] = (step){base[i].name, base[i].label, t ? t->value[base[i].fig] : NAN,
                      t ? (t->suppressed >> base[i].fig & 1u) != 0 : true};
        n++;
    }
    /* still placed = observed * retained (counts of persons) */
    static const struct { const char *name, *label; int obs, ret; } ret[] = {
        {"still_placed_6m", "still placed after 6 months", LM_FIG_OBSERVED_6M, LM_FIG_RETAINED_6M},
        {"still_placed_12m", "still placed after 12 months", LM_FIG_OBSERVED_12M, LM_FIG_RETAINED_12M}};
    for (size_t i = 0; i < 2; i++) {
        double o = fig_or(t, ret[i].obs, NAN), r = fig_or(t, ret[i].ret, NAN);
        double v = isnan(o) || isnan(r) ? NAN : floor(o * r + 0.5);
        bool sup = !t || (t->suppressed >> ret[i].ret & 1u) || (v > 0 && v < threshold);
        s[n++] = (step){ret[i].name, ret[i].label, sup ? NAN : v, sup};
    }
    return n;
}

static int write_csvs(const char *dir, const fxview *fx, const derived *dv, const cli_report_info *info) {
    if (write_dim_csv(dir, "by_group.csv", "group", fx, LM_DIM_GROUP) ||
        write_dim_csv(dir, "by_municipality.csv", "municipality", fx, LM_DIM_HOME_MUNICIPALITY) ||
        write_dim_csv(dir, "by_work_municipality.csv", "municipality", fx, LM_DIM_WORK_MUNICIPALITY) ||
        write_dim_csv(dir, "by_readiness.csv", "readiness", fx, LM_DIM_READINESS) ||
        write_dim_csv(dir, "by_kind.csv", "kind", fx, LM_DIM_KIND))
        return 1;
    cli_out o;
    /* every row of every dimension */
    if (cli_out_open(&o, dir, "figures.csv")) return 1;
    fputs("dim,key,name", o.f);
    csv_fig_header(o.f);
    char buf[160];
    for (size_t i = 0, n = fx->n; i < n; i++) {
        const lm_effect_row *r = (&fx->rows[i]);
        fprintf(o.f, "%s,%lld,", lm_effect_dim_name(r->dim), (long long)r->key);
        if (r->dim == LM_DIM_FLOW) {
            char a[64], b[64];
            snprintf(buf, sizeof buf, "%s -> %s", muni_label(a, sizeof a, r->key / 100000),
                     muni_label(b, sizeof b, r->key % 100000));
        } else
            key_label(buf, sizeof buf, r->dim, r->key);
        csv_str(o.f, buf);
        csv_fig_values(o.f, r);
    }
    if (cli_out_commit(&o)) return 1;
    /* flows */
    if (cli_out_open(&o, dir, "flows.csv")) return 1;
    fputs("home_municipality,home_name,work_municipality,work_name,proposed,placed,suppressed\n", o.f);
    for (size_t i = 0, n = fx->n; i < n; i++) {
        const lm_effect_row *r = (&fx->rows[i]);
        if (r->dim != LM_DIM_FLOW) continue;
        char a[64], b[64];
        fprintf(o.f, "%lld,", (long long)(r->key / 100000));
        csv_str(o.f, muni_label(a, sizeof a, r->key / 100000));
        fprintf(o.f, ",%lld,", (long long)(r->key % 100000));
        csv_str(o.f, muni_label(b, sizeof b, r->key % 100000));
        fputc(',', o.f);
        csv_fig(o.f, r, LM_FIG_PROPOSED);
        fputc(',', o.f);
        csv_fig(o.f, r, LM_FIG_PLACED);
        fprintf(o.f, ",%s%s%s\n", r->suppressed >> LM_FIG_PROPOSED & 1u ? "proposed" : "",
                (r->suppressed >> LM_FIG_PROPOSED & 1u) && (r->suppressed >> LM_FIG_PLACED & 1u) ? ";" : "",
                r->suppressed >> LM_FIG_PLACED & 1u ? "placed" : "");
    }
    if (cli_out_commit(&o)) return 1;
    /* funnel */
    step s[8];
    size_t ns = funnel_steps(s, fx, info->threshold);
    double pool = s[0].suppressed ? NAN : s[0].value;
    if (cli_out_open(&o, dir, "funnel.csv")) return 1;
    fputs("step,label,persons,share_of_pool,suppressed\n", o.f);
    for (size_t i = 0; i < ns; i++) {
        fprintf(o.f, "%s,%s,", s[i].name, s[i].label);
        if (!s[i].suppressed && !isnan(s[i].value)) fprintf(o.f, "%.0f", s[i].value);
        fputc(',', o.f);
        if (!s[i].suppressed && !isnan(s[i].value) && pool > 0) fprintf(o.f, "%.4f", s[i].value / pool);
        fprintf(o.f, ",%s\n", s[i].suppressed ? "persons" : "");
    }
    if (cli_out_commit(&o)) return 1;
    /* retention */
    if (cli_out_open(&o, dir, "retention.csv")) return 1;
    fputs("group,day,observed,still_placed,share,suppressed\n", o.f);
    for (unsigned g = 0; g < NSERIES; g++) {
        if (dv->ret_obs[g][0] <= 0) continue;
        for (int p = 0; p < dv->npoints; p++) {
            double ob = dv->ret_obs[g][p], k = dv->ret_kept[g][p];
            if (ob <= 0) break;
            bool sup = ob < info->threshold;
            fprintf(o.f, "%s,%d,", g ? group_names[g - 1] : "all", dv->ret_day[p]);
            if (sup) fputs(",,,observed;still_placed;share\n", o.f);
            else if (k > 0 && k < info->threshold) fprintf(o.f, "%.0f,,%.4f,still_placed\n", ob, k / ob);
            else fprintf(o.f, "%.0f,%.0f,%.4f,\n", ob, k, k / ob);
        }
    }
    return cli_out_commit(&o) ? 1 : 0;
}

/* ---- HTML ----------------------------------------------------------------- */

static const char *css =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;margin:0;color:#1a1a1a;"
    "background:#fafafa;line-height:1.45}"
    "main{max-width:1180px;margin:0 auto;padding:24px 28px 60px}"
    "h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:34px 0 8px;border-bottom:2px solid #ddd;"
    "padding-bottom:4px}h3{font-size:16px;margin:18px 0 6px}"
    ".sub{color:#555;margin:0 0 14px}.box{background:#fff;border:1px solid #ddd;border-radius:6px;padding:14px 18px;"
    "margin:10px 0}.head{background:#eef6ee;border-color:#9c9}.note{color:#555;font-size:13px}"
    ".kpis{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}.kpi{background:#fff;border:1px solid #ddd;"
    "border-radius:6px;padding:10px 14px;min-width:150px}.kpi b{display:block;font-size:24px}"
    ".kpi span{color:#555;font-size:13px}"
    "table{border-collapse:collapse;background:#fff;font-size:12.5px;margin:6px 0 4px}"
    "th,td{border:1px solid #ddd;padding:3px 6px;text-align:right;white-space:nowrap}"
    "th{background:#f0f0f0;font-weight:600;white-space:normal;vertical-align:bottom;min-width:50px;max-width:92px}"
    "td:first-child,th:first-child{text-align:left}"
    "td.sup{color:#888;text-align:center}td.na{color:#aaa;text-align:center}"
    ".scroll{overflow-x:auto}svg{background:#fff;border:1px solid #ddd;border-radius:6px;max-width:100%;height:auto}"
    "svg text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif}"
    "dl.def dt{font-weight:600;margin-top:6px}dl.def dd{margin:0 0 0 18px}";

static void html_table(FILE *f, const fxview *fx, int32_t dim, const char *keyhead, bool person_side) {
    fprintf(f, "<div class=\"scroll\"><table id=\"table-%s\"><tr><th>", lm_effect_dim_name(dim));
    esc(f, keyhead);
    fputs("</th>", f);
    static const int figs[] = {LM_FIG_PEOPLE,      LM_FIG_PROPOSED,    LM_FIG_INTRODUCED,   LM_FIG_PLACED,
                               LM_FIG_PLACEMENT_RATE, LM_FIG_MEDIAN_DAYS, LM_FIG_OBSERVED_6M, LM_FIG_RETAINED_6M,
                               LM_FIG_OBSERVED_12M, LM_FIG_RETAINED_12M, LM_FIG_LKS};
    static const char *const heads[] = {"people in pool",  "proposed",          "introduced",
                                        "placed",          "placement rate",    "median days to placement",
                                        "placements 6 months ago or more", "still placed at 6 months",
                                        "placements 12 months ago or more", "still placed at 12 months",
                                        "placed with loonkosten&shy;subsidie"};
    for (size_t i = 0; i < sizeof figs / sizeof figs[0]; i++) {
        if (!person_side && figs[i] == LM_FIG_PEOPLE) continue;
        fprintf(f, "<th>%s</th>", heads[i]);
    }
    fputs("</tr>\n", f);
    char buf[128];
    for (size_t i = 0, n = fx->n; i < n; i++) {
        const lm_effect_row *r = (&fx->rows[i]);
        if (r->dim != dim) continue;
        fputs("<tr><td>", f);
        esc(f, key_label(buf, sizeof buf, dim, r->key));
        fputs("</td>", f);
        for (size_t q = 0; q < sizeof figs / sizeof figs[0]; q++) {
            if (!person_side && figs[q] == LM_FIG_PEOPLE) continue;
            html_fig(f, r, figs[q]);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table></div>\n", f);
}

/* Horizontal bar chart of the funnel. */
static void svg_funnel(FILE *f, const step *s, size_t ns) {
    const int W = 1000, left = 230, right = 220, bh = 34, gap = 12, top = 20;
    int H = top + (int)ns * (bh + gap) + 10;
    double max = 0;
    for (size_t i = 0; i < ns; i++)
        if (!isnan(s[i].value) && s[i].value > max) max = s[i].value;
    fprintf(f, "<svg id=\"plot-funnel\" viewBox=\"0 0 %d %d\" width=\"100%%\" data-w=\"%d\" role=\"img\" "
               "aria-label=\"Funnel from pool to lasting placement\">\n", W, H, W);
    for (size_t i = 0; i < ns; i++) {
        int y = top + (int)i * (bh + gap);
        double w = max > 0 && !isnan(s[i].value) ? (W - left - right) * s[i].value / max : 0;
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"14\">%s</text>\n", left - 10,
                y + bh / 2 + 5, s[i].label);
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n", left, y, w < 1 ? 1 : w,
                bh, i < 4 ? "#3a7dc9" : "#2e9b57");
        if (s[i].suppressed || isnan(s[i].value))
            fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"14\" fill=\"#777\">%s</text>\n", left + 8.0,
                    y + bh / 2 + 5, s[i].suppressed ? "suppressed (small number)" : "not yet observed");
        else
            fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"14\">%.0f (%.1f%% of pool)</text>\n", left + w + 8,
                    y + bh / 2 + 5, s[i].value, s[0].value > 0 ? 100.0 * s[i].value / s[0].value : 0.0);
    }
    fputs("</svg>\n", f);
}

/* Grouped bars per target group: placement rate, still placed at 6 and 12 months. */
static void svg_groups(FILE *f, const fxview *fx) {
    const lm_effect_row *rows[32];
    size_t n = 0;
    for (size_t i = 0, m = fx->n; i < m && n < 32; i++) {
        const lm_effect_row *r = (&fx->rows[i]);
        if (r->dim == LM_DIM_GROUP) rows[n++] = r;
    }
    const int W = 1000, left = 250, right = 60, top = 40, bh = 10, rowh = 42;
    int H = top + (int)n * rowh + 40;
    fprintf(f, "<svg id=\"plot-groups\" viewBox=\"0 0 %d %d\" width=\"100%%\" data-w=\"%d\" role=\"img\" "
               "aria-label=\"Placement rate and retention per target group\">\n", W, H, W);
    static const struct { int fig; const char *color, *label; } ser[] = {
        {LM_FIG_PLACEMENT_RATE, "#3a7dc9", "placement rate (placed / proposed)"},
        {LM_FIG_RETAINED_6M, "#7cc48f", "still placed at 6 months"},
        {LM_FIG_RETAINED_12M, "#2e7d46", "still placed at 12 months"}};
    for (int q = 0; q < 3; q++) {
        int x = left + (q ? 60 + q * 240 : 0);
        fprintf(f, "<rect x=\"%d\" y=\"12\" width=\"14\" height=\"14\" fill=\"%s\"/>"
                   "<text x=\"%d\" y=\"24\" font-size=\"13\">%s</text>\n", x, ser[q].color, x + 20, ser[q].label);
    }
    int pw = W - left - right;
    for (int t = 0; t <= 100; t += 25) {
        double x = left + pw * t / 100.0;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e3e3e3\"/>"
                   "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" fill=\"#555\">%d%%</text>\n",
                x, top, x, top + (int)n * rowh, x, top + (int)n * rowh + 16, t);
    }
    char buf[128];
    for (size_t i = 0; i < n; i++) {
        int y = top + (int)i * rowh + 4;
        fputs("<text x=\"", f);
        fprintf(f, "%d\" y=\"%d\" text-anchor=\"end\" font-size=\"13\">", left - 8, y + 20);
        esc(f, key_label(buf, sizeof buf, LM_DIM_GROUP, rows[i]->key));
        fputs("</text>\n", f);
        for (int q = 0; q < 3; q++) {
            double v = fig_or(rows[i], ser[q].fig, NAN);
            int yy = y + q * (bh + 2);
            if (isnan(v)) {
                fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#888\">%s</text>\n", left + 4, yy + 9,
                        rows[i]->suppressed >> ser[q].fig & 1u ? "suppressed" : "not yet observed");
                continue;
            }
            fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
                       "<text x=\"%.1f\" y=\"%d\" font-size=\"10\">%.0f%%</text>\n",
                    left, yy, pw * v < 1 ? 1 : pw * v, bh, ser[q].color, left + pw * v + 4, yy + 9, 100 * v);
        }
    }
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" fill=\"#555\">share of persons</text>\n",
            left + pw / 2, H - 6);
    fputs("</svg>\n", f);
}

/* Line chart: share still placed after d days, per target group. */
static void svg_retention(FILE *f, const derived *dv, int32_t threshold) {
    const int W = 1000, H = 460, left = 70, right = 330, top = 20, bottom = 60;
    int pw = W - left - right, ph = H - top - bottom;
    fprintf(f, "<svg id=\"plot-retention\" viewBox=\"0 0 %d %d\" width=\"100%%\" data-w=\"%d\" role=\"img\" "
               "aria-label=\"Retention curves per target group\">\n", W, H, W);
    for (int t = 0; t <= 100; t += 20) {
        double y = top + ph * (1 - t / 100.0);
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>"
                   "<text x=\"%d\" y=\"%.1f\" font-size=\"12\" text-anchor=\"end\" fill=\"#555\">%d%%</text>\n",
                left, y, left + pw, y, left - 6, y + 4, t);
    }
    for (int d = 0; d <= RET_DAYS; d += 30) {
        double x = left + pw * (double)d / RET_DAYS;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>"
                   "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" fill=\"#555\">%d</text>\n",
                x, top, x, top + ph, x, top + ph + 16, d);
    }
    for (int m = 6; m <= 12; m += 6) {
        double x = left + pw * (m == 6 ? 182.0 : 365.0) / RET_DAYS;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>"
                   "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"end\" fill=\"#555\">%d months</text>\n",
                x, top, x, top + ph, x - 3, top + 12, m);
    }
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>"
               "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n",
            left, top + ph, left + pw, top + ph, left, top, left, top + ph);
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"13\" text-anchor=\"middle\">days since the start of the "
               "placement</text>\n", left + pw / 2, H - 18);
    fprintf(f, "<text x=\"16\" y=\"%d\" font-size=\"13\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">"
               "share still placed</text>\n", top + ph / 2, top + ph / 2);
    int ly = top + 10;
    bool any = false;
    for (unsigned s = 0; s < NSERIES; s++) {
        int pts = 0;
        for (int p = 0; p < dv->npoints; p++) pts += !isnan(ret_share(dv, s, p, threshold));
        if (pts < 2) continue;
        any = true;
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" points=\"", palette[s],
                s == 0 ? "3" : "1.8");
        for (int p = 0; p < dv->npoints; p++) {
            double v = ret_share(dv, s, p, threshold);
            if (isnan(v)) break; /* later points have fewer observations still */
            fprintf(f, "%.1f,%.1f ", left + pw * (double)dv->ret_day[p] / RET_DAYS, top + ph * (1 - v));
        }
        fputs("\"/>\n", f);
        fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>"
                   "<text x=\"%d\" y=\"%d\" font-size=\"12\">", left + pw + 14, ly, left + pw + 34, ly, palette[s],
                left + pw + 40, ly + 4);
        esc(f, s == 0 ? "everyone" : group_labels[s - 1]);
        fprintf(f, " (n=%.0f)</text>\n", dv->ret_obs[s][0]);
        ly += 20;
    }
    if (!any)
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"14\" fill=\"#777\" text-anchor=\"middle\">no retention "
                   "observed yet (or every group under the threshold)</text>\n", left + pw / 2, top + ph / 2);
    fputs("</svg>\n", f);
}

/* Heat matrix of placements from home municipality (rows) to work municipality (columns). */
static void svg_flows(FILE *f, const fxview *fx, int32_t threshold) {
    int32_t home[128], work[128];
    size_t nh = 0, nw = 0;
    double max = 0;
    for (size_t i = 0, n = fx->n; i < n; i++) {
        const lm_effect_row *r = (&fx->rows[i]);
        if (r->dim != LM_DIM_FLOW) continue;
        double v = r->value[LM_FIG_PLACED];
        if (!(r->suppressed >> LM_FIG_PLACED & 1u) && !(v > 0)) continue; /* no placement in this cell */
        int32_t h = (int32_t)(r->key / 100000), w = (int32_t)(r->key % 100000);
        size_t a = 0, b = 0;
        while (a < nh && home[a] != h) a++;
        if (a == nh && nh < 128) home[nh++] = h;
        while (b < nw && work[b] != w) b++;
        if (b == nw && nw < 128) work[nw++] = w;
        if (!isnan(v) && v > max) max = v;
    }
    /* both axes in one order (sorted codes) so the diagonal is "local" */
    int32_t all[256];
    size_t na = 0;
    for (size_t i = 0; i < nh; i++) all[na++] = home[i];
    for (size_t i = 0; i < nw; i++) {
        size_t q = 0;
        while (q < na && all[q] != work[i]) q++;
        if (q == na) all[na++] = work[i];
    }
    for (size_t i = 1; i < na; i++)
        for (size_t j = i; j > 0 && all[j - 1] > all[j]; j--) {
            int32_t t = all[j];
            all[j] = all[j - 1];
            all[j - 1] = t;
        }
    const int cell = 22, left = 170, top = 150;
    int W = left + (int)na * cell + 90, H = top + (int)na * cell + 50;
    if (W < 500) W = 500;
    fprintf(f, "<svg id=\"plot-flows\" viewBox=\"0 0 %d %d\" width=\"100%%\" data-w=\"%d\" role=\"img\" "
               "aria-label=\"Placements from home municipality to work municipality\">\n", W, H, W);
    char buf[64];
    for (size_t c = 0; c < na; c++) {
        double x = left + c * cell + cell / 2.0;
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" transform=\"rotate(-60 %.1f %d)\">", x, top - 6, x,
                top - 6);
        esc(f, muni_label(buf, sizeof buf, all[c]));
        fputs("</text>\n", f);
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">", left - 6,
                top + (int)c * cell + cell / 2 + 4);
        esc(f, muni_label(buf, sizeof buf, all[c]));
        fputs("</text>\n", f);
    }
    for (size_t a = 0; a < na; a++)
        for (size_t b = 0; b < na; b++) {
            const lm_effect_row *r = find_row(fx, LM_DIM_FLOW, (int64_t)all[a] * 100000 + all[b]);
            int x = left + (int)b * cell, y = top + (int)a * cell;
            const char *stroke = a == b ? "#999" : "#eee";
            if (!r || (!(r->suppressed >> LM_FIG_PLACED & 1u) && !(r->value[LM_FIG_PLACED] > 0))) {
                fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fff\" stroke=\"%s\"/>\n", x, y,
                        cell, cell, stroke);
                continue;
            }
            if (r->suppressed >> LM_FIG_PLACED & 1u) {
                fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#e6e6e6\" stroke=\"%s\">"
                           "<title>fewer than %d (suppressed)</title></rect>"
                           "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\" fill=\"#777\">&#8226;"
                           "</text>\n", x, y, cell, cell, stroke, threshold, x + cell / 2, y + cell / 2 + 4);
                continue;
            }
            double v = r->value[LM_FIG_PLACED], t = max > 0 ? sqrt(v / max) : 0;
            int R = (int)(235 - t * 200), G = (int)(243 - t * 160), B = (int)(255 - t * 100);
            fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"rgb(%d,%d,%d)\" stroke=\"%s\">"
                       "<title>%.0f placed</title></rect>"
                       "<text x=\"%d\" y=\"%d\" font-size=\"9\" text-anchor=\"middle\" fill=\"%s\">%.0f</text>\n",
                    x, y, cell, cell, R, G, B, stroke, v, x + cell / 2, y + cell / 2 + 3, t > 0.55 ? "#fff" : "#222",
                    v);
        }
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#555\">rows: municipality of residence; columns: "
               "municipality of work; diagonal (outlined): local; grey &#8226;: fewer than %d</text>\n",
            10, H - 14, threshold);
    if (!na)
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"14\" fill=\"#777\">no placements yet</text>\n", left, top + 20);
    fputs("</svg>\n", f);
}

/* Bars: regional against municipal-only (simulated), or local against cross-border (observed). */
static void svg_cf(FILE *f, const char *labels[4], const double v[4], const char *subtitle) {
    const int W = 1000, left = 330, right = 120, bh = 26, gap = 10, top = 36;
    int H = top + 4 * (bh + gap) + 20;
    double max = 0;
    for (int i = 0; i < 4; i++)
        if (v[i] > max) max = v[i];
    fprintf(f, "<svg id=\"plot-counterfactual\" viewBox=\"0 0 %d %d\" width=\"100%%\" data-w=\"%d\" role=\"img\" "
               "aria-label=\"Regional against municipal matching\">\n", W, H, W);
    fputs("<text x=\"10\" y=\"20\" font-size=\"13\" fill=\"#555\">", f);
    esc(f, subtitle);
    fputs("</text>\n", f);
    for (int i = 0; i < 4; i++) {
        int y = top + i * (bh + gap) + (i >= 2 ? 8 : 0);
        double w = max > 0 ? (W - left - right) * v[i] / max : 0;
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"13\">", left - 8, y + bh / 2 + 5);
        esc(f, labels[i]);
        fprintf(f, "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
                   "<text x=\"%.1f\" y=\"%d\" font-size=\"13\">%.0f</text>\n",
                left, y, w < 1 ? 1 : w, bh, i % 2 ? "#a9a9a9" : "#3a7dc9", left + w + 6, y + bh / 2 + 5, v[i]);
    }
    fputs("</svg>\n", f);
}

static void kpi(FILE *f, const char *value, const char *label) {
    fprintf(f, "<div class=\"kpi\"><b>%s</b><span>%s</span></div>\n", value, label);
}

static void fmt_count(char *buf, size_t n, double v, bool sup) {
    if (sup) snprintf(buf, n, "&bull;");
    else if (isnan(v)) snprintf(buf, n, "&ndash;");
    else snprintf(buf, n, "%.0f", v);
}

static void fmt_pct(char *buf, size_t n, double v, bool sup) {
    if (sup) snprintf(buf, n, "&bull;");
    else if (isnan(v)) snprintf(buf, n, "&ndash;");
    else snprintf(buf, n, "%.1f%%", 100 * v);
}

static void write_cf(FILE *f, const derived *dv, const cli_report_info *info) {
    const cli_report_cf *cf = &info->cf;
    int32_t th = info->threshold;
    fputs("<h2 id=\"regional\">Regional matching against matching within each municipality</h2>\n", f);
    if (cf->kind == CLI_CF_SIMULATED) {
        double dp = cf->placed_regional - cf->placed_local, dvac = cf->filled_regional - cf->filled_local;
        fprintf(f, "<div class=\"box head\"><b>Regional matching made %.0f extra placement%s and filled %.0f more "
                   "vacanc%s</b> than matching each person only within their own municipality, on the same "
                   "simulated nights with the same random draws (%.0f against %.0f persons placed; %.0f against "
                   "%.0f vacancies with a placement).</div>\n",
                dp, fabs(dp) == 1 ? "" : "s", dvac, fabs(dvac) == 1 ? "y" : "ies", cf->placed_regional,
                cf->placed_local, cf->filled_regional, cf->filled_local);
        const char *labels[4] = {"persons placed, regional matching", "persons placed, municipal-only matching",
                                 "vacancies filled, regional matching", "vacancies filled, municipal-only matching"};
        double v[4] = {cf->placed_regional, cf->placed_local, cf->filled_regional, cf->filled_local};
        svg_cf(f, labels, v, "Simulation: the same nights run twice, once with the municipal-only policy "
                             "(LM_POLICY_LOCAL_ONLY = 1)");
        fputs("<h3>Per target group (persons placed)</h3><div class=\"scroll\"><table id=\"table-counterfactual\">"
              "<tr><th>target group</th><th>regional</th><th>municipal-only</th><th>difference</th></tr>\n", f);
        for (unsigned b = 0; b < CLI_REPORT_GROUPS; b++) {
            double r = cf->group_regional[b], l = cf->group_local[b];
            if (r <= 0 && l <= 0) continue;
            bool sr = r < th, sl = l < th;
            char x[32], y[32];
            fmt_count(x, sizeof x, r, sr);
            fmt_count(y, sizeof y, l, sl);
            fprintf(f, "<tr><td>%s</td><td>%s</td><td>%s</td>", group_labels[b], x, y);
            if (sr || sl) fputs("<td class=\"sup\">&bull;</td></tr>\n", f);
            else fprintf(f, "<td>%+.0f</td></tr>\n", r - l);
        }
        fputs("</table></div>\n", f);
    } else {
        bool sup = dv->cross_placed > 0 && dv->cross_placed < th;
        bool supv = dv->cross_vacancies > 0 && dv->cross_vacancies < th;
        char a[32], b[32];
        fmt_count(a, sizeof a, dv->cross_placed, sup);
        fmt_count(b, sizeof b, dv->cross_vacancies, supv);
        fprintf(f, "<div class=\"box head\"><b>%s of the %.0f persons placed in this period work in another "
                   "municipality than their own</b>, at %s vacancies. A matching limited to each person's own "
                   "municipality could not have proposed these. This is observed, not a measured effect: some "
                   "of these persons might have found work in their own municipality instead, so it is an upper "
                   "bound of what regional matching added.</div>\n", a, dv->placed, b);
        const char *labels[4] = {"placements in another municipality", "placements in the own municipality",
                                 "vacancies filled from another municipality", "vacancies filled (all)"};
        double v[4] = {sup ? 0 : dv->cross_placed, dv->placed - (sup ? 0 : dv->cross_placed),
                       supv ? 0 : dv->cross_vacancies, dv->vacancies};
        svg_cf(f, labels, v, "Observed placements (first placement of each person in the period)");
    }
    if (cf->note) {
        fputs("<p class=\"note\">", f);
        esc(f, cf->note);
        fputs("</p>\n", f);
    }
}

static int write_html(const char *dir, const fxview *fx, const derived *dv, const cli_report_info *info) {
    cli_out o;
    if (cli_out_open(&o, dir, "index.html")) return 1;
    FILE *f = o.f;
    char d1[16], d2[16], d3[16];
    int32_t th = info->threshold;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>", f);
    esc(f, info->title);
    fprintf(f, "</title><style>%s</style></head>\n<body><main>\n<h1>", css);
    esc(f, info->title);
    fprintf(f, "</h1>\n<p class=\"sub\">Period: proposals made from <b>%s</b> to <b>%s</b>; figures as of <b>%s</b>. "
               "Source: ", cli_report_date(d1, info->from_day), cli_report_date(d2, info->to_day),
            cli_report_date(d3, info->as_of_day));
    esc(f, info->source);
    fprintf(f, ". libmatch %s.</p>\n", lm_version_string());
    if (th <= 1)
        fputs("<div class=\"box\"><b>Nothing is hidden in this report</b> (threshold 1). These are personal "
              "data: publish it only with the small-numbers rule on (the default threshold is 5). A dash "
              "(&ndash;) means the figure is not defined yet.</div>\n", f);
    else
        fprintf(f, "<div class=\"box\"><b>Small numbers are hidden.</b> These are personal data: every count of "
                   "persons from 1 to %d is not shown (&bull;), and neither is a rate or share computed over fewer "
                   "than %d persons. A dash (&ndash;) means the figure is not defined yet (for example retention "
                   "before 6 months have passed). The CSV files leave these cells empty and name them in the "
                   "column <code>suppressed</code>.</div>\n", th - 1 > 0 ? th - 1 : 0, th);

    const lm_effect_row *t = find_row(fx, LM_DIM_TOTAL, 0);
    step s[8];
    size_t ns = funnel_steps(s, fx, th);
    char a[32];
    fputs("<div class=\"kpis\">\n", f);
    fmt_count(a, sizeof a, s[0].value, s[0].suppressed);
    kpi(f, a, "people in the pool");
    fmt_count(a, sizeof a, s[3].value, s[3].suppressed);
    kpi(f, a, "placed in work");
    fmt_pct(a, sizeof a, fig_or(t, LM_FIG_PLACEMENT_RATE, NAN), t && (t->suppressed >> LM_FIG_PLACEMENT_RATE & 1u));
    kpi(f, a, "placement rate (of those proposed)");
    fmt_pct(a, sizeof a, fig_or(t, LM_FIG_RETAINED_6M, NAN), t && (t->suppressed >> LM_FIG_RETAINED_6M & 1u));
    kpi(f, a, "still placed after 6 months");
    fmt_pct(a, sizeof a, fig_or(t, LM_FIG_RETAINED_12M, NAN), t && (t->suppressed >> LM_FIG_RETAINED_12M & 1u));
    kpi(f, a, "still placed after 12 months");
    double md = fig_or(t, LM_FIG_MEDIAN_DAYS, NAN);
    if (isnan(md)) snprintf(a, sizeof a, "&ndash;");
    else snprintf(a, sizeof a, "%.0f days", md);
    kpi(f, a, "median time from first proposal to start");
    fputs("</div>\n", f);

    write_cf(f, dv, info);

    fputs("<h2 id=\"funnel\">From proposal to lasting work</h2>\n<p>Persons, not proposals: each person counts once "
          "per step. &ldquo;Still placed&rdquo; counts persons whose first placement started at least 6 (or 12) "
          "months before the report date and had not ended then.</p>\n", f);
    svg_funnel(f, s, ns);

    fputs("<h2 id=\"groups\">Per target group</h2>\n<p>A person in several target groups counts in each of them. "
          "Placement rate = placed / proposed.</p>\n", f);
    svg_groups(f, fx);
    html_table(f, fx, LM_DIM_GROUP, "target group", true);

    fprintf(f, "<h2 id=\"retention\">How long placements last</h2>\n<p>Share of placements still running after the "
               "given number of days, per target group, counting only placements that started at least that many "
               "days before the report date. A line stops where fewer than %d placements can be followed.</p>\n",
            th);
    svg_retention(f, dv, th);

    fputs("<h2 id=\"municipalities\">Per municipality of residence</h2>\n", f);
    html_table(f, fx, LM_DIM_HOME_MUNICIPALITY, "municipality of residence", true);
    fputs("<h2 id=\"flows\">Where people go to work: flows between municipalities</h2>\n<p>Persons placed, by "
          "municipality of residence (rows) and municipality of the job (columns). Cells off the diagonal are "
          "cross-border placements.</p>\n", f);
    svg_flows(f, fx, th);
    fputs("<h3>Per municipality of work</h3>\n", f);
    html_table(f, fx, LM_DIM_WORK_MUNICIPALITY, "municipality of work", false);
    fputs("<h3>Local against cross-border</h3>\n", f);
    html_table(f, fx, LM_DIM_CROSS_BORDER, "where the job is", false);
    fputs("<h2 id=\"other\">Per readiness, kind of place and organisation</h2>\n", f);
    html_table(f, fx, LM_DIM_READINESS, "readiness (A ready .. E far)", true);
    html_table(f, fx, LM_DIM_KIND, "kind of place", false);
    html_table(f, fx, LM_DIM_ORG, "organisation", true);

    fprintf(f, "<h2 id=\"definitions\">What the figures count</h2>\n<dl class=\"def\">"
               "<dt>people in pool</dt><dd>persons registered in the pool (job seekers of the organisations).</dd>"
               "<dt>proposed</dt><dd>persons with at least one proposal made in the period.</dd>"
               "<dt>introduced</dt><dd>of those, persons put forward to an employer.</dd>"
               "<dt>placed</dt><dd>of those, persons who started in a job.</dd>"
               "<dt>placement rate</dt><dd>placed divided by proposed.</dd>"
               "<dt>median days to placement</dt><dd>days from a person's first proposal to the start of their "
               "first placement (median over placed persons).</dd>"
               "<dt>still placed at 6 / 12 months</dt><dd>of the first placements that started at least 182 / 365 "
               "days before the report date, the share that had not ended by then (duurzame uitstroom).</dd>"
               "<dt>loonkostensubsidie</dt><dd>placed persons whose first placement has wage-cost subsidy.</dd>"
               "<dt>small-numbers rule</dt><dd>counts of persons under %d (other than 0) and rates over fewer "
               "than %d persons are hidden (&bull;).</dd></dl>\n"
               "<p class=\"note\">Files next to this page: funnel.csv, by_group.csv, by_municipality.csv, "
               "by_work_municipality.csv, by_readiness.csv, by_kind.csv, flows.csv, retention.csv, figures.csv "
               "(all rows). Definitions in docs/outcomes.md.</p>\n</main></body></html>\n",
            th, th);
    return cli_out_commit(&o) ? 1 : 0;
}

int cli_report_write(const char *dir, const lm_effects *fx, const lm_outcome_person *persons, size_t npersons,
                     const lm_outcome_record *recs, size_t nrecs, const cli_report_info *info) {
    if (!dir || !fx || !info || (npersons && !persons) || (nrecs && !recs)) {
        fprintf(stderr, "lmatch report: internal error: missing argument\n");
        return 1;
    }
    if (cli_mkdirs(dir)) return 1;
    derived *dv = malloc(sizeof *dv);
    fxview v = {NULL, lm_effects_count(fx)};
    v.rows = malloc((v.n ? v.n : 1) * sizeof *v.rows);
    if (!dv || !v.rows) {
        free(dv), free(v.rows);
        fprintf(stderr, "lmatch report: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < v.n; i++) {
        v.rows[i] = *lm_effects_row(fx, i);
        cli_report_secondary(&v.rows[i], info->threshold);
    }
    int rc = derive(dv, persons, npersons, recs, nrecs, info);
    if (!rc) rc = write_csvs(dir, &v, dv, info);
    if (!rc) rc = write_html(dir, &v, dv, info);
    free(dv);
    free(v.rows);
    return rc;
}
