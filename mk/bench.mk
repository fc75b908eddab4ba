# ---- benchmark harness (bench/, docs/performance.md) ---------------------
#
#   make bench                  full run (every row of issue 4's table)
#   make bench BENCH=quick      subset, under three minutes
#   make bench-build            just build $(BUILD)/bench/lmbench
#   make bench-report           re-render report.* and *.png from the last run
#   make bench-docs             copy the last run's figures into docs/performance.md
#
# Results: $(BUILD)/bench/report.json, report.md, *.png. A missing peer
# (FAISS, numpy, PostgreSQL, ...) fails the run unless BENCH_ALLOW_MISSING=1.
#
# Other benchmark programs (bench_pg, bench_assign, ...) write JSON lines to
# $(BUILD)/bench/<name>.jsonl and are merged into the report. bench-pg and
# bench-assign run first in a full run (BENCH_AUTO_PRE); more targets can be
# appended in their own fragment, run in every mode:
#     BENCH_PRE += bench-foo
# (expanded when the recipe runs, so the order of mk/*.mk does not matter).

BENCH          ?= full
BENCH_THREADS  ?= 2
BENCH_PY       ?= /usr/bin/python3
BENCH_PRE      ?=
# The PostgreSQL and assignment benchmarks of issues 3 and 5 run first in a
# full run (their targets live in mk/pg.mk and mk/assign.mk); a quick run
# merges whatever pg.jsonl / assign.jsonl an earlier run left.
BENCH_AUTO_PRE  = $(if $(wildcard bench/bench_pg.c),bench-pg) $(if $(wildcard bench/bench_assign.c),bench-assign)
BENCH_OUT      := $(BUILD)/bench
LMBENCH        := $(BENCH_OUT)/lmbench
LMBENCH_SRC    := bench/lmbench.c bench/lmb_data.c bench/lmb_calib.c bench/lmb_pg.c
LMBENCH_OBJ    := $(LMBENCH_SRC:bench/%.c=$(BENCH_OUT)/obj/%.o) $(BENCH_OUT)/obj/lmb_faiss.o
CXX            ?= g++
ifeq ($(origin CXX),default)
CXX            := g++
endif

# FAISS (libfaiss-dev: static C++ library) and OpenBLAS; without them the
# harness still builds and reports FAISS as missing.
LMB_HAVE_FAISS := $(wildcard /usr/include/faiss/utils/distances.h)
ifneq ($(LMB_HAVE_FAISS),)
LMB_FAISS_CFLAGS := -fopenmp
LMB_FAISS_LIBS   := -lfaiss -fopenmp -lopenblas
else
LMB_FAISS_CFLAGS := -DLMB_NO_FAISS
LMB_FAISS_LIBS   := $(shell pkg-config --libs openblas 2>/dev/null)
endif
# The int8 recall row exists once the engine exposes LM_ENGINE_QUANTIZE.
LMB_QUANT := $(shell grep -Eq 'LM_ENGINE_QUANTIZE[[:space:]]*=' libmatch/include/libmatch/core.h 2>/dev/null && echo -DLMB_HAVE_QUANTIZE)

LMB_CPPFLAGS := -D_GNU_SOURCE -Ilibmatch/include -Ibench $(shell pkg-config --cflags libpq 2>/dev/null) $(LMB_QUANT)
LMB_CFLAGS   := -std=c11 -O2 -g -Wall -Wextra -pthread
LMB_CXXFLAGS := -std=c++17 -O2 -g -Wall -Wextra -pthread

.PHONY: bench bench-run bench-build bench-report bench-docs

bench:
	@scripts/install-deps.sh bench
	@$(MAKE) --no-print-directory bench-run

bench-build: $(LMBENCH)

bench-run: $(LMBENCH)
	$(BENCH_PY) bench/run.py --build $(BUILD) --mode $(BENCH) --threads $(BENCH_THREADS) \
	  --pre "$(strip $(BENCH_PRE))" --pre-full "$(strip $(BENCH_AUTO_PRE))"

bench-report:
	$(BENCH_PY) bench/report.py --build $(BUILD)

bench-docs:
	$(BENCH_PY) bench/report.py --build $(BUILD) --update-docs docs/performance.md

$(BENCH_OUT)/obj/%.o: bench/%.c bench/lmb.h $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(LMB_CPPFLAGS) $(LMB_CFLAGS) -c $< -o $@

$(BENCH_OUT)/obj/lmb_faiss.o: bench/lmb_faiss.cpp bench/lmb.h
	@mkdir -p $(dir $@)
	$(CXX) $(LMB_CPPFLAGS) $(LMB_CXXFLAGS) $(LMB_FAISS_CFLAGS) -c $< -o $@

$(LMBENCH): $(LMBENCH_OBJ) $(AR_LIB)
	$(CXX) -o $@ $(LMBENCH_OBJ) $(AR_LIB) $(LMB_FAISS_LIBS) $(LIBS) -pthread -lm
