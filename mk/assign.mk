# Assignment (issue 5): the benchmark against SciPy (not part of `make test`).
#   make bench-assign [BENCH_ASSIGN_ARGS="--cases small,medium --runs 5"]
BENCH_ASSIGN_BIN := $(BUILD)/bench/bench_assign
BENCH_ASSIGN_ARGS ?=

.PHONY: bench-assign
$(BENCH_ASSIGN_BIN): bench/bench_assign.c $(AR_LIB) libmatch/include/libmatch/assign.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_LM) $(CSTD) -Wall -Wextra $(CFLAGS) -pthread -o $@ $< $(AR_LIB) $(LIBS) -lm

bench-assign: $(BENCH_ASSIGN_BIN)
	@scripts/install-deps.sh test
	$(BENCH_ASSIGN_BIN) --out $(BUILD)/bench/assign.jsonl --peer bench/peer_scipy_assign.py $(BENCH_ASSIGN_ARGS)
