# ---- dependency check before compiling (scripts/check-deps.sh) ----------
#
#   make check-deps [DEPS_SET=build|test]   run the check now
#
# The first build checks the headers of the build packages (xxhash.h,
# uthash.h, libpq-fe.h) and the unit tests' (criterion) through the compiler,
# and stops naming the missing Debian packages; a stamp in $(BUILD) keeps
# later builds from repeating it. DEPS_CPPFLAGS overrides where to look (the
# test in tests/deps/run.sh points it at a fake include path).
DEPS_CPPFLAGS ?= $(CPPFLAGS_LM)
DEPS_SET      ?= build

.PHONY: check-deps
check-deps:
	@CC="$(CC)" DEPS_CPPFLAGS="$(DEPS_CPPFLAGS)" scripts/check-deps.sh $(DEPS_SET)

$(BUILD)/.deps-%:
	@CC="$(CC)" DEPS_CPPFLAGS="$(DEPS_CPPFLAGS)" scripts/check-deps.sh $*
	@mkdir -p $(BUILD) && touch $@

# order-only: the stamps never rebuild objects
$(LIB_OBJ) $(CLI_OBJ): | $(BUILD)/.deps-build
$(UNIT_BIN) $(ASAN_UNIT_BIN): | $(BUILD)/.deps-test
