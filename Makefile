# bayesflow-swift: the two commands of the README, plus benchmarks.
#   make demo   fit the built-in example, report its posterior and calibration
#   make test   release build + the whole test suite
SHELL := /bin/bash
SWIFT ?= swift
CONFIG := release
BIN := .build/$(CONFIG)/bayesflow
PACKAGES := libopenblas-dev libsundials-dev libhdf5-dev hdf5-tools pkg-config
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build test demo bench accuracy clean

## deps: install the Debian packages only when a header, tool or pkg-config entry is missing.
deps:
	@if command -v pkg-config >/dev/null \
	   && pkg-config --exists openblas hdf5-serial \
	   && [ -f /usr/include/cvode/cvode.h ] && [ -f /usr/include/sunlinsol/sunlinsol_dense.h ] \
	   && command -v h5dump >/dev/null; then :; else \
	  echo "make deps: installing $(PACKAGES)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(PACKAGES); \
	fi

build: deps
	$(SWIFT) build -c $(CONFIG) --product bayesflow

test: deps
	$(SWIFT) build -c $(CONFIG) --build-tests
	$(SWIFT) test -c $(CONFIG) --skip-build --parallel --num-workers 2

demo: build
	./scripts/demo.sh $(BIN)

bench: build
	$(BIN) bench

accuracy: build
	./scripts/accuracy.sh $(BIN)

clean:
	rm -rf .build runs
