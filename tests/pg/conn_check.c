/* Connection problems under valgrind (tests/pg/run.sh): no server, wrong
 * password, a malformed conninfo and a normal session must give clear
 * statuses and messages, no crash and no leak. Plain C (no Criterion, whose
 * forking runner does not mix well with valgrind). Prints one line per check;
 * the last line is "conn_check: PASSED FAILED"; exit status 1 on any failure. */
#include <libmatch/libmatch.h>

#include <stdio.h>
#include <string.h>

static int passed, failed;

static void check(int ok, const char *what, const char *detail) {
    printf("%s %s%s%s\n", ok ? "ok  " : "FAIL", what, detail ? ": " : "", detail ? detail : "");
    if (ok) passed++;
    else failed++;
}

static void expect_open_fails(const char *conninfo, const char *needle, const char *what) {
    lm_db *db = NULL;
    int st = lm_db_open(&db, conninfo);
    const char *msg = db ? lm_db_errmsg(db) : "";
    check(st == LM_ERR_DB && db && strstr(msg, needle), what, msg);
    if (db) {
        lm_pool *p = NULL;
        lm_pool_create(&p, 4);
        int64_t wm = 0;
        check(lm_db_load_pool(&wm, db, p, 0) == LM_ERR_STATE, "calls on a failed handle are refused", lm_db_errmsg(db));
        lm_pool_free(p);
    }
    lm_db_close(db);
}

int main(void) {
    expect_open_fails("host=/nonexistent-libmatch-dir", "nonexistent-libmatch-dir", "no server");
    expect_open_fails("user=lm_pw password=wrong", "password authentication failed", "wrong password");
    expect_open_fails("this is not = a conninfo", "", "malformed conninfo");
    expect_open_fails("postgresql://%zz", "", "malformed URI");

    lm_db *db = NULL;
    int st = lm_db_open(&db, NULL);
    check(st == LM_OK, "connect from PG* variables", db ? lm_db_errmsg(db) : NULL);
    if (st == LM_OK) {
        st = lm_db_set_schema(db, "conn check \"schema\"");
        if (!st) st = lm_db_init(db);
        check(st == LM_OK, "init", lm_db_errmsg(db));
        lm_pool *p = NULL;
        lm_pool_create(&p, 4);
        int64_t wm = 0;
        st = lm_db_load_pool(&wm, db, p, 0);
        check(st == LM_OK, "load an empty pool", lm_db_errmsg(db));
        lm_travel *t = NULL;
        lm_travel_create(&t);
        check(lm_db_load_travel(db, t) == LM_OK, "load travel", lm_db_errmsg(db));
        lm_travel_free(t);
        lm_pool_free(p);
    }
    lm_db_close(db);
    printf("conn_check: %d %d\n", passed, failed);
    return failed ? 1 : 0;
}
