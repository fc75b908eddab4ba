# Competence models (issue 16): the batch per model at one size (not part of `make test`).
#   make bench-competence [BENCH_COMPETENCE_ARGS="--threads 2 --nc 10000 --nv 1000 --dim 35"]
BENCH_COMPETENCE_BIN := $(BUILD)/bench/bench_competence
BENCH_COMPETENCE_ARGS ?= --threads 2

.PHONY: bench-competence
$(BENCH_COMPETENCE_BIN): bench/bench_competence.c $(AR_LIB) libmatch/include/libmatch/core.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_LM) $(CSTD) -Wall -Wextra $(CFLAGS) -pthread -o $@ $< $(AR_LIB) $(LIBS) -lm

bench-competence: $(BENCH_COMPETENCE_BIN)
	$(BENCH_COMPETENCE_BIN) $(BENCH_COMPETENCE_ARGS)
