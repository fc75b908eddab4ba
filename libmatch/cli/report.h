/* The effect report of `lmatch report` and `lmatch demo --nights N`: one
 * self-contained HTML page (inline CSS and SVG computed from the figures; no
 * scripts, fonts or network) plus the same tables as CSV. Uses only the
 * public API (outcomes.h). Not part of the library's API. */
#ifndef LMATCH_REPORT_H
#define LMATCH_REPORT_H

#include <libmatch/libmatch.h>

#include <stddef.h>
#include <stdint.h>

/* Number of target-group bits the report names (LM_GROUP_KNOWN). */
#define CLI_REPORT_GROUPS 9

/* The regional-versus-municipal comparison (issue 13, item 5). */
enum cli_report_cf_kind {
    CLI_CF_NONE = 0,     /* not shown */
    CLI_CF_OBSERVED = 1, /* database: the observed cross-border placements (computed by the writer) */
    CLI_CF_SIMULATED = 2 /* demo: the same nights run again with LM_POLICY_LOCAL_ONLY = 1 */
};

typedef struct cli_report_cf {
    int kind;                 /* cli_report_cf_kind */
    /* CLI_CF_SIMULATED: distinct persons placed and distinct vacancies with a
     * placement, in the regional run and in the municipal-only run. */
    double placed_regional, placed_local, filled_regional, filled_local;
    double group_regional[CLI_REPORT_GROUPS], group_local[CLI_REPORT_GROUPS];
    const char *note;         /* optional extra sentence (plain text) */
} cli_report_cf;

typedef struct cli_report_info {
    const char *title;  /* page title (plain text) */
    const char *source; /* where the records come from (plain text) */
    int32_t from_day, to_day, as_of_day, threshold; /* as given to lm_effects_compute() */
    cli_report_cf cf;
} cli_report_info;

/* Write DIR/index.html and DIR/{funnel,by_group,by_municipality,
 * by_work_municipality,flows,retention,figures}.csv, each atomically (a
 * temporary file renamed on success). fx must be computed from exactly these
 * persons and records with info's period and threshold. Returns 0, or 1 with a
 * message on stderr. */
int cli_report_write(const char *dir, const lm_effects *fx, const lm_outcome_person *persons, size_t npersons,
                     const lm_outcome_record *recs, size_t nrecs, const cli_report_info *info);

/* The report's secondary suppression on a copy of a row: a rate or median is
 * hidden when the count it is computed from is, a retention share when the
 * number still placed or the number no longer placed is under th
 * (docs/outcomes-demo.md). */
void cli_report_secondary(lm_effect_row *r, int32_t th);

/* Plain names of the target-group bits (bit index 0..8), "group" if unknown. */
const char *cli_report_group_name(unsigned bit);

/* YYYY-MM-DD of a day number into buf (11 bytes). */
const char *cli_report_date(char buf[16], int32_t day);

#endif /* LMATCH_REPORT_H */
