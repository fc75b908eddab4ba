# Python binding (bindings/python, package `libmatch`: ctypes + numpy; docs/python.md).
#   make python-test   build the library in $(BUILD) and run the pytest suite in
#                      tests/python with Debian's /usr/bin/python3 (override with
#                      LM_PYTHON=...); `make test` runs the same through
#                      scripts/run-tests.sh.
.PHONY: python-test

python-test:
	@tests/python/run.sh $(BUILD)
