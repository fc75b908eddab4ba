# The old-ABI caller test (issue 14; docs/abi.md, "Target groups").
#
#   make test-abi10   build tests/abi10/caller.c twice, against the 1.0 headers
#                     kept in tests/abi10/include (copies of release 1.0.0's,
#                     commit 0458b4d) and against the current ones, run both
#                     against the current library and require identical output.

ABI10_DIR := $(BUILD)/abi10

.PHONY: test-abi10

$(ABI10_DIR)/caller-1.0: tests/abi10/caller.c $(wildcard tests/abi10/include/libmatch/*.h) $(SO)
	@mkdir -p $(ABI10_DIR)
	$(CC) -std=c11 -Wall -Wextra -Werror -O1 -Itests/abi10/include $(shell pkg-config --cflags libpq 2>/dev/null) \
	    -o $@ $< -L$(BUILD) -lmatch -Wl,-rpath,$(abspath $(BUILD)) -lm

$(ABI10_DIR)/caller-new: tests/abi10/caller.c $(HDRS) $(SO)
	@mkdir -p $(ABI10_DIR)
	$(CC) -std=c11 -Wall -Wextra -Werror -O1 -Ilibmatch/include $(shell pkg-config --cflags libpq 2>/dev/null) \
	    -o $@ $< -L$(BUILD) -lmatch -Wl,-rpath,$(abspath $(BUILD)) -lm

test-abi10: $(ABI10_DIR)/caller-1.0 $(ABI10_DIR)/caller-new
	@$(ABI10_DIR)/caller-1.0 >$(ABI10_DIR)/out-1.0.txt
	@$(ABI10_DIR)/caller-new >$(ABI10_DIR)/out-new.txt
	@test "$$(wc -l <$(ABI10_DIR)/out-1.0.txt)" -gt 100 || { echo "test-abi10: too few results" >&2; exit 1; }
	@cmp -s $(ABI10_DIR)/out-1.0.txt $(ABI10_DIR)/out-new.txt || \
	    { diff $(ABI10_DIR)/out-1.0.txt $(ABI10_DIR)/out-new.txt | head -20; echo "test-abi10: FAILED: a 1.0 caller sees other results" >&2; exit 1; }
	@echo "test-abi10: a caller compiled against the 1.0 headers sees the same $$(wc -l <$(ABI10_DIR)/out-1.0.txt) results as one compiled against $(VERSION)'s"
