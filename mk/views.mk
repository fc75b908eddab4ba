# Region-wide views (issue 14): cost of the feasible counts and of the unmatched view (not part of `make test`).
#   make bench-views [BENCH_VIEWS_ARGS="--threads 2 --reps 5 --data DIR"]
BENCH_VIEWS_BIN := $(BUILD)/bench/bench_views
BENCH_VIEWS_ARGS ?= --threads 2 --reps 5

.PHONY: bench-views
$(BENCH_VIEWS_BIN): bench/bench_views.c bench/lmb_data.c bench/lmb_calib.c bench/lmb.h $(AR_LIB) libmatch/include/libmatch/core.h
	@mkdir -p $(dir $@)
	$(CC) -D_GNU_SOURCE -Ilibmatch/include -Ibench $(CSTD) -Wall -Wextra $(CFLAGS) -pthread -o $@ bench/bench_views.c bench/lmb_data.c bench/lmb_calib.c $(AR_LIB) $(LIBS) -lm

bench-views: $(BENCH_VIEWS_BIN)
	$(BENCH_VIEWS_BIN) $(BENCH_VIEWS_ARGS)
