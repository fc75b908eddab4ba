# libmatch: build, test, bench, install, abi-check, fuzz, demo.
# `make demo` and `make test` install missing Debian packages first.

VERSION      := 1.2.0
SOVERSION    := 1
BUILD        ?= build
PREFIX       ?= /usr/local
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
BINDIR       ?= $(PREFIX)/bin
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DESTDIR      ?=

CC      ?= cc
ifeq ($(origin CC),default)
CC      := gcc
endif
OPT     ?= -O2
CSTD    := -std=c11
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CPPFLAGS_LM := -D_GNU_SOURCE -Ilibmatch/include -Ilibmatch/src $(shell pkg-config --cflags libpq 2>/dev/null)
CFLAGS  ?= $(OPT) -g
LM_CFLAGS := $(CSTD) $(WARN) $(CFLAGS) -ffp-contract=off -fno-math-errno -fPIC -fvisibility=hidden -pthread
LIBS    := $(shell pkg-config --libs libpq 2>/dev/null || echo -lpq) -lpthread -lm

LIB_SRC := $(sort $(wildcard libmatch/src/*.c))
CLI_SRC := $(sort $(wildcard libmatch/cli/*.c))
HDRS    := $(wildcard libmatch/include/libmatch/*.h) $(wildcard libmatch/src/*.h)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)

SO      := $(BUILD)/libmatch.so.$(SOVERSION)
SO_FULL := $(BUILD)/libmatch.so.$(VERSION)
AR_LIB  := $(BUILD)/libmatch.a
CLI     := $(BUILD)/lmatch

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TEST_CFLAGS := $(CSTD) -Wall -Wextra $(CFLAGS) -pthread

ASAN       := $(BUILD)/asan
ASAN_FLAGS := -O1 -g -ffp-contract=off -fno-math-errno -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ASAN_LIB_OBJ := $(LIB_SRC:%.c=$(ASAN)/obj/%.o)
ASAN_UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(ASAN)/tests/%)

.PHONY: FORCE all lib cli deps test test-unit test-asan test-header test-symbols test-install \
        demo install uninstall clean bench docs abi-check fuzz

all: lib cli

lib: $(SO) $(AR_LIB)
cli: $(CLI)

deps:
	@scripts/install-deps.sh test

$(BUILD)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_LM) $(LM_CFLAGS) -c $< -o $@

$(SO_FULL): $(LIB_OBJ) libmatch/libmatch.map
	$(CC) -shared -o $@ $(LIB_OBJ) -Wl,-soname,libmatch.so.$(SOVERSION) \
	  -Wl,--version-script=libmatch/libmatch.map -Wl,-z,defs -Wl,--as-needed $(LIBS) -pthread
$(SO): $(SO_FULL)
	ln -sf libmatch.so.$(VERSION) $@
	ln -sf libmatch.so.$(SOVERSION) $(BUILD)/libmatch.so

$(AR_LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# lmatch reads own-data CSV files with Debian's libcsv (libcsv-dev): RFC 4180
# quoting (commas, quotes, line breaks in fields) done right, not hand-rolled.
CLI_LIBS := -lcsv
$(CLI): $(CLI_OBJ) $(AR_LIB)
	$(CC) -o $@ $(CLI_OBJ) $(AR_LIB) $(CLI_LIBS) $(LIBS) -pthread

$(BUILD)/libmatch.pc: libmatch/libmatch.pc.in Makefile FORCE
	@mkdir -p $(BUILD)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|$(VERSION)|' $< > $@

# ---- tests -------------------------------------------------------------
$(BUILD)/tests/%: tests/unit/%.c tests/unit/testutil.h $(AR_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_LM) $(TEST_CFLAGS) -o $@ $< $(AR_LIB) -lcriterion $(LIBS)

$(ASAN)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_LM) $(CSTD) $(WARN) $(ASAN_FLAGS) -fPIC -pthread -c $< -o $@
$(ASAN)/libmatch.a: $(ASAN_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(ASAN)/tests/%: tests/unit/%.c tests/unit/testutil.h $(ASAN)/libmatch.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_LM) $(CSTD) -Wall -Wextra $(ASAN_FLAGS) -pthread -o $@ $< $(ASAN)/libmatch.a -lcriterion $(LIBS)

test-unit: $(UNIT_BIN)
	@scripts/run-criterion.sh unit $(UNIT_BIN)

test-asan: $(ASAN_UNIT_BIN)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  scripts/run-criterion.sh asan $(ASAN_UNIT_BIN)

test-header:
	@scripts/check-header.sh $(BUILD)

test-symbols: $(SO)
	@scripts/check-symbols.sh $(SO)

test-install: all $(BUILD)/libmatch.pc
	@scripts/check-install.sh $(BUILD)

test: deps
	@$(MAKE) --no-print-directory all
	@scripts/run-tests.sh $(BUILD)

# ---- demo -------------------------------------------------------------
demo:
	@scripts/install-deps.sh build
	@$(MAKE) --no-print-directory cli
	$(CLI) demo --out out/demo

# ---- install ----------------------------------------------------------
install: all $(BUILD)/libmatch.pc
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/libmatch $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(BINDIR)
	install -m 0755 $(SO_FULL) $(DESTDIR)$(LIBDIR)/
	ln -sf libmatch.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libmatch.so.$(SOVERSION)
	ln -sf libmatch.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libmatch.so
	install -m 0644 $(AR_LIB) $(DESTDIR)$(LIBDIR)/
	install -m 0644 libmatch/include/libmatch/*.h $(DESTDIR)$(INCLUDEDIR)/libmatch/
	install -m 0644 $(BUILD)/libmatch.pc $(DESTDIR)$(PKGCONFIGDIR)/libmatch.pc
	install -m 0755 $(CLI) $(DESTDIR)$(BINDIR)/lmatch

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libmatch.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libmatch.so.$(SOVERSION) \
	      $(DESTDIR)$(LIBDIR)/libmatch.so $(DESTDIR)$(LIBDIR)/libmatch.a \
	      $(DESTDIR)$(PKGCONFIGDIR)/libmatch.pc $(DESTDIR)$(BINDIR)/lmatch
	rm -rf $(DESTDIR)$(INCLUDEDIR)/libmatch

clean:
	rm -rf $(BUILD) out
FORCE:

# Feature fragments (bench, abi, fuzz, python, pg, ...), one file each.
include $(sort $(wildcard mk/*.mk))
