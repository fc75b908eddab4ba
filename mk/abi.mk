# ABI guard (docs/abi.md).
#
#   make abi-check      dump the ABI of $(SO_FULL) with abidw and compare it with
#                       the committed baseline abi/libmatch.so.1.abi (abidiff
#                       --no-added-syms, suppressions abi/libmatch.abignore);
#                       compare the public constants with abi/libmatch.constants;
#                       check exported symbols against libmatch/libmatch.map;
#                       then prove the guard itself fails on incompatible
#                       changes (abi/test-guard.sh builds modified copies).
#   make abi-check ABI_GUARD_TEST=0   the check only, without the guard test.
#   make abi-baseline   regenerate both baselines (only with a version bump, see
#                       docs/abi.md).
#
# The normal build is compiled with -g (CFLAGS default "$(OPT) -g"), which is
# all abidw needs; abi/check.sh refuses a library without debug info.

ABI_DIR        := $(BUILD)/abi
ABI_BASELINE   := abi/libmatch.so.$(SOVERSION).abi
ABI_CONSTANTS  := abi/libmatch.constants
ABI_GUARD_TEST ?= 1

.PHONY: abi-check abi-baseline abi-guard-test

abi-check: $(SO)
	@abi/check.sh check "$(SO_FULL)" "$(ABI_DIR)" "$(SOVERSION)" "$(VERSION)"
ifneq ($(ABI_GUARD_TEST),0)
	@abi/test-guard.sh "$(ABI_DIR)/guard" "$(CC)" "$(CPPFLAGS_LM) $(LM_CFLAGS)" "$(LIBS)" "$(SOVERSION)" "$(VERSION)"
endif

abi-guard-test: $(SO)
	@abi/test-guard.sh "$(ABI_DIR)/guard" "$(CC)" "$(CPPFLAGS_LM) $(LM_CFLAGS)" "$(LIBS)" "$(SOVERSION)" "$(VERSION)"

abi-baseline: $(SO)
	@abi/check.sh baseline "$(SO_FULL)" "$(ABI_DIR)" "$(SOVERSION)" "$(VERSION)"
