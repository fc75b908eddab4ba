# Hardening tests (docs/hardening.md), each in its own build directory:
#
#   $(BUILD)/hard/tsan/    library + tests/hardening/tsan_*.c with -fsanitize=thread (clang)
#   $(BUILD)/hard/faults/  library with -DLM_FAULT_INJECTION and ASan/UBSan, plus
#                          tests/hardening/faults.c (the allocation-failure walk)
#   $(BUILD)/hard/tests/   Criterion suites tests/hardening/test_*.c (limits,
#                          visibility) against the ASan library $(ASAN)/libmatch.a
#
#   make test-tsan       run the TSan concurrency tests     (tests/hardening/run-tsan.sh)
#   make test-faults     run the allocation-failure walk    (tests/hardening/run-faults.sh)
#   make test-hardening  run the limits and visibility suites (tests/hardening/run-props.sh)

HARD_DIR      := $(BUILD)/hard
HARD_TSAN_CC  ?= clang
HARD_TSAN_FLAGS := $(CSTD) -O1 -g -fno-omit-frame-pointer -ffp-contract=off -fsanitize=thread -pthread
HARD_TSAN_OBJ := $(LIB_SRC:%.c=$(HARD_DIR)/tsan/obj/%.o)
HARD_TSAN_SRC := $(sort $(wildcard tests/hardening/tsan_*.c))
HARD_TSAN_BIN := $(HARD_TSAN_SRC:tests/hardening/%.c=$(HARD_DIR)/tsan/%)

# -fno-optimize-sibling-calls keeps lm__malloc & co. in the call stack, so the
# walk can name the call site of every allocation it fails.
HARD_FAULT_FLAGS := $(ASAN_FLAGS) -DLM_FAULT_INJECTION -fno-optimize-sibling-calls
HARD_FAULT_OBJ := $(LIB_SRC:%.c=$(HARD_DIR)/faults/obj/%.o)
HARD_FAULT_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=posix_memalign

HARD_UNIT_SRC := $(sort $(wildcard tests/hardening/test_*.c))
HARD_UNIT_BIN := $(HARD_UNIT_SRC:tests/hardening/%.c=$(HARD_DIR)/tests/%)

.PHONY: test-tsan test-faults test-hardening hard-tsan-build hard-faults-build hard-props-build

# ---- ThreadSanitizer ---------------------------------------------------------
$(HARD_DIR)/tsan/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(HARD_TSAN_CC) $(CPPFLAGS_LM) $(HARD_TSAN_FLAGS) -fPIC -c $< -o $@
$(HARD_DIR)/tsan/libmatch.a: $(HARD_TSAN_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(HARD_DIR)/tsan/%: tests/hardening/%.c tests/hardening/hard_util.h $(HARD_DIR)/tsan/libmatch.a
	$(HARD_TSAN_CC) $(CPPFLAGS_LM) $(HARD_TSAN_FLAGS) -Wall -Wextra -o $@ $< $(HARD_DIR)/tsan/libmatch.a $(LIBS)
hard-tsan-build: $(HARD_TSAN_BIN)
test-tsan:
	@tests/hardening/run-tsan.sh $(BUILD)

# ---- allocation failures -------------------------------------------------------
$(HARD_DIR)/faults/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_LM) $(CSTD) $(WARN) $(HARD_FAULT_FLAGS) -fPIC -pthread -c $< -o $@
$(HARD_DIR)/faults/libmatch.a: $(HARD_FAULT_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(HARD_DIR)/faults/faults: tests/hardening/faults.c tests/hardening/hard_util.h $(HARD_DIR)/faults/libmatch.a
	$(CC) $(CPPFLAGS_LM) $(CSTD) -Wall -Wextra $(HARD_FAULT_FLAGS) -pthread -o $@ $< $(HARD_FAULT_WRAP) \
	  $(HARD_DIR)/faults/libmatch.a $(LIBS)
hard-faults-build: $(HARD_DIR)/faults/faults
test-faults:
	@tests/hardening/run-faults.sh $(BUILD)

# ---- limits and visibility (Criterion, ASan) -----------------------------------
$(HARD_DIR)/tests/%: tests/hardening/%.c tests/hardening/hard_util.h tests/unit/testutil.h $(ASAN)/libmatch.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_LM) $(CSTD) -Wall -Wextra $(ASAN_FLAGS) -pthread -o $@ $< $(ASAN)/libmatch.a -lcriterion $(LIBS)
hard-props-build: $(HARD_UNIT_BIN)
test-hardening:
	@tests/hardening/run-props.sh $(BUILD)
