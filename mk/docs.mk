# C API reference (Doxygen), docs/README.md.
#   make docs   render libmatch/include/libmatch/*.h into $(BUILD)/docs/html/
#               with docs/Doxyfile; every warning is an error (an undocumented
#               public function, parameter or return value fails the build).
#               scripts/check-docs.sh (the `docs` step of make test) runs it.
DOXYGEN ?= doxygen
DOCS_DIR := $(BUILD)/docs

.PHONY: docs
docs:
	@command -v $(DOXYGEN) >/dev/null 2>&1 || scripts/install-deps.sh test
	@rm -rf $(DOCS_DIR)
	@mkdir -p $(DOCS_DIR)
	LM_DOCS_OUT=$(DOCS_DIR) LM_DOCS_VERSION=$(VERSION) \
	  $(DOXYGEN) docs/Doxyfile
	@echo "docs: $(DOCS_DIR)/html/index.html"
