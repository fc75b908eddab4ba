# Fuzzing with clang's libFuzzer (docs/hardening.md).
#
#   make fuzz [FUZZ_SECONDS=N] [FUZZ_TARGETS="api travel"]
#                      replay the regressions, then fuzz each target N seconds
#                      (default 30); a crash becomes tests/fuzz/regressions/T/
#   make fuzz-build    build the targets only ($(BUILD)/fuzz/fuzz_T)
#   make fuzz-seeds    regenerate the committed seed corpora tests/fuzz/corpus/
#
# The library is compiled with -fsanitize=fuzzer-no-link,address,undefined
# into $(BUILD)/fuzz/, so coverage guides the fuzzer through the library too.
# The pgcopy target exists once libmatch/src/pgcopy.h does.

FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS  := $(CSTD) -O1 -g -fno-omit-frame-pointer -ffp-contract=off $(FUZZ_SAN) -pthread
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_ALL     := api travel $(if $(wildcard libmatch/src/pgcopy.h),pgcopy)
FUZZ_BIN     := $(FUZZ_ALL:%=$(FUZZ_DIR)/fuzz_%)

.PHONY: fuzz fuzz-build fuzz-seeds

$(FUZZ_DIR)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS_LM) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_DIR)/libmatch.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h $(FUZZ_DIR)/libmatch.a
	$(FUZZ_CC) $(CPPFLAGS_LM) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_DIR)/libmatch.a $(LIBS)

$(FUZZ_DIR)/gen_seeds: tests/fuzz/gen_seeds.c $(FUZZ_DIR)/libmatch.a
	$(FUZZ_CC) $(CPPFLAGS_LM) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -o $@ $< $(FUZZ_DIR)/libmatch.a $(LIBS)

fuzz-build: $(FUZZ_BIN)

fuzz-seeds: $(FUZZ_DIR)/gen_seeds
	$(FUZZ_DIR)/gen_seeds tests/fuzz/corpus

fuzz:
	@FUZZ_SECONDS=$(FUZZ_SECONDS) $(if $(FUZZ_TARGETS),FUZZ_TARGETS="$(FUZZ_TARGETS)") tests/fuzz/run.sh $(BUILD)
