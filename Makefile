# A thin front door: each target installs what is missing (scripts/setup.sh), configures, builds
# and runs. The real build is CMake; see docs/operations.md.
#
#   make demo        install, build, run the demo on the embedded SQLite database under var/
#   make test        install (PostgreSQL included), build, run every test
#   make test-long   the crash, multi-node and outage tests in their long mode (20+ kills)
#   make build       install and build build/rectify and the web pages (build/web)
#   make bench       install, build the benchmarks (Release) and run them
#   make format      clang-format every C++ file in place
#   make tidy        clang-tidy (.clang-tidy) on the C++ files changed against origin/main;
#                    BASE=<commit> compares with another base, BASE=all checks every source;
#                    BASE=ci the commit in .ci/tidy-base, as CI does (scripts/tidy.sh)
#
# Variables: CI=true turns warnings into errors and builds the tests with ASan and UBSan;
# SANITIZE=1 does the latter locally; JOBS sets the build parallelism.

BUILD ?= build
JOBS ?= $(shell nproc)
CI ?=
ifeq ($(CI),true)
SANITIZE ?= 1
WERROR := ON
else
SANITIZE ?= 0
WERROR := OFF
endif
SANITIZE_FLAG := $(if $(filter 1,$(SANITIZE)),ON,OFF)
# Sanitized builds are for tests: assertions on, light optimisation and line tables only, which
# compiles far faster than -O2 -g on two cores.
ifeq ($(SANITIZE_FLAG),ON)
BUILD_TYPE_FLAGS := -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1"
else
BUILD_TYPE_FLAGS := -DCMAKE_BUILD_TYPE=RelWithDebInfo
endif
CTEST_FLAGS ?= --output-on-failure -j $(JOBS)

.PHONY: all build test test-long demo bench format tidy clean setup-build setup-test setup-bench configure web

all: build

setup-build:
	@scripts/setup.sh build
setup-test:
	@scripts/setup.sh test
setup-bench:
	@scripts/setup.sh bench

configure:
	@cmake -S . -B $(BUILD) $(BUILD_TYPE_FLAGS) -DRECTIFY_SANITIZE=$(SANITIZE_FLAG) -DRECTIFY_WERROR=$(WERROR) \
	  -DRECTIFY_BUILD_TESTS=ON >$(BUILD).configure.log 2>&1 || { cat $(BUILD).configure.log; exit 1; }

# The web pages (web/, Vite): npm ci when the lockfile changed, the build when web/ changed.
web: setup-build
	@scripts/build_web.sh $(BUILD)

build: setup-build configure web
	@cmake --build $(BUILD) -j $(JOBS) --target rectify

test: setup-test configure web
	@cmake --build $(BUILD) -j $(JOBS)
	@cd $(BUILD) && ctest $(CTEST_FLAGS)

test-long: setup-test configure
	@cmake --build $(BUILD) -j $(JOBS)
	@cd $(BUILD) && RECTIFY_TEST_LONG=1 ctest $(CTEST_FLAGS) -L nodes

demo: build
	@scripts/demo.sh $(BUILD)/rectify

bench: setup-bench
	@cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DRECTIFY_BUILD_BENCH=ON \
	  -DRECTIFY_BUILD_TESTS=OFF >build-release.configure.log 2>&1 || { cat build-release.configure.log; exit 1; }
	@cmake --build build-release -j $(JOBS)
	@scripts/bench.sh build-release

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

# Needs only the configured build's compile_commands.json, not a build.
BASE ?=
tidy: setup-test configure
	@JOBS=$(JOBS) scripts/tidy.sh $(BUILD) $(BASE)

clean:
	rm -rf $(BUILD) build-release
