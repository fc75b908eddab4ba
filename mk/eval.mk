# ---- match-quality evaluation (bench/eval/, docs/quality.md) ---------------
#
#   make eval                   full run: 3000 people x 600 vacancies, 7 variants, repeated
#                               over 3 seeds (about a minute on 2 cores)
#   make eval EVAL=quick        1000 x 200, one seed, a few seconds
#   make eval EVAL_REPEATS=1    full size, one seed (about 25 s)
#   make eval EVAL_SEED=2       another seeded region (same seed, same numbers)
#   make eval-report            re-render report.md and *.png from the last report.json
#
# Results: $(BUILD)/eval/report.json, report.md, models.png, variants.png,
# tradeoff.png. Needs the reference data of ../shared/data (EVAL_DATA=...);
# without it the run stops with a message and writes nothing.

EVAL           ?= full
EVAL_SEED      ?= 1
EVAL_THREADS   ?= 2
EVAL_PY        ?= /usr/bin/python3
EVAL_DATA      ?=
EVAL_VARIANTS  ?=
EVAL_REPEATS   ?=
EVAL_TRADEOFF_MODEL ?= cosine_coverage
EVAL_TRADEOFF_INPUT ?= lib_centred
EVAL_OUT       := $(BUILD)/eval

.PHONY: eval eval-report

eval: $(SO)
	LIBMATCH_LIBRARY=$(abspath $(SO)) $(EVAL_PY) bench/eval/run.py --build $(BUILD) --out $(EVAL_OUT) \
	  --mode $(EVAL) --seed $(EVAL_SEED) --threads $(EVAL_THREADS) \
	  --tradeoff-model $(EVAL_TRADEOFF_MODEL) --tradeoff-input $(EVAL_TRADEOFF_INPUT) \
	  $(if $(EVAL_DATA),--data $(EVAL_DATA)) $(if $(EVAL_VARIANTS),--variants $(EVAL_VARIANTS)) \
	  $(if $(EVAL_REPEATS),--repeats $(EVAL_REPEATS))

eval-report:
	$(EVAL_PY) bench/eval/run.py --build $(BUILD) --out $(EVAL_OUT) --report-only
