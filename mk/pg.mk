# PostgreSQL: the embedded schema, the integration tests and the benchmark.
#   make pg-tests   build the tests of tests/pg (run by tests/pg/run.sh)
#   make bench-pg   load/write benchmark on a throwaway cluster -> $(BUILD)/bench/pg.jsonl

PG_SQL := $(sort $(wildcard libmatch/sql/[0-9]*.sql))

# The schema files are embedded into the library as C strings. The generated
# file is committed (a checkout builds without regenerating); it is remade
# whenever a .sql file changes, and tests/pg checks that it matches them.
libmatch/src/pg_sql.c: $(PG_SQL) libmatch/sql/embed.sh
	libmatch/sql/embed.sh $@ $(PG_SQL)

# lmatch batch uses lm_engine_assign() when the assignment module exists.
ifneq ($(wildcard libmatch/src/assign.c),)
$(BUILD)/obj/libmatch/cli/cmd_db.o: CPPFLAGS_LM += -DLM_HAVE_ASSIGN=1
$(BUILD)/obj/libmatch/cli/cmd_db.o: libmatch/src/assign.c
endif

PG_TEST_SRC := $(sort $(wildcard tests/pg/test_*.c))
PG_TEST_BIN := $(PG_TEST_SRC:tests/pg/%.c=$(BUILD)/tests/pg/%)
PG_HELPER_BIN := $(BUILD)/tests/pg/conn_check
PG_TEST_CPPFLAGS := $(CPPFLAGS_LM)
ifneq ($(wildcard libmatch/src/assign.c),)
PG_TEST_CPPFLAGS += -DLM_HAVE_ASSIGN=1
endif

.PHONY: pg-tests bench-pg
pg-tests: $(PG_TEST_BIN) $(PG_HELPER_BIN) $(CLI)

$(BUILD)/tests/pg/test_%: tests/pg/test_%.c tests/pg/pgtest.h tests/unit/testutil.h $(AR_LIB) $(wildcard libmatch/src/assign.c)
	@mkdir -p $(dir $@)
	$(CC) $(PG_TEST_CPPFLAGS) $(TEST_CFLAGS) -o $@ $< $(AR_LIB) -lcriterion $(LIBS)

$(BUILD)/tests/pg/conn_check: tests/pg/conn_check.c $(AR_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_LM) $(TEST_CFLAGS) -o $@ $< $(AR_LIB) $(LIBS)

# ---- benchmark -------------------------------------------------------------
$(BUILD)/bench/bench_pg: bench/bench_pg.c $(AR_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_LM) $(CSTD) -Wall -Wextra -O2 -g -pthread -o $@ $< $(AR_LIB) $(LIBS)

# Durable server settings (fsync on) with bulk-load tuning; LM_PG_WAL_MINIMAL=1
# measures a server without replicas (wal_level = minimal).
bench-pg: $(BUILD)/bench/bench_pg
	@mkdir -p $(BUILD)/bench
	LM_PG_DURABLE=1 scripts/pg-test-cluster.sh run -- $(BUILD)/bench/bench_pg --out $(BUILD)/bench/pg.jsonl $(BENCH_PG_ARGS)
