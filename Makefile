# bayesflow-swift: the two commands of the README, plus benchmarks.
#   make demo   fit the built-in example, report its posterior and calibration
#   make test   release build + the whole test suite
#   make accuracy  train the ten sbibm tasks at 10^4 and 10^5 simulations; C2ST against exact
#               posteriors or SBC (docs/accuracy.md). A subset: make accuracy TASKS=two_moons,slcp BUDGETS=10000
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

## accuracy: results in runs/accuracy/accuracy.{json,md}; ACCURACY_FLAGS adds options of
## `bayesflow bench --case accuracy` (e.g. --reuse to re-evaluate finished runs).
TASKS ?=
BUDGETS ?= 10000,100000
ACCURACY_FLAGS ?=
accuracy: build
	$(BIN) bench --case accuracy --budgets $(BUDGETS) $(if $(TASKS),--tasks $(TASKS)) $(ACCURACY_FLAGS)

clean:
	rm -rf .build runs
