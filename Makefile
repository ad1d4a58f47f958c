# The two commands users run first: `make run` and `make test`. Both install what is missing,
# configure and build.
BUILD_DIR ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
TEST_JOBS ?= $(JOBS)
LISTEN ?= 127.0.0.1:4580
RUN_STORE ?= $(BUILD_DIR)/run-store
SANITIZE_DIR ?= build-sanitize
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?=
THREAD_SAFETY_DIR ?= build-thread-safety
# ccache (installed by tools/setup.sh) makes rebuilds after a checkout or a clean nearly free.
LAUNCHER = $(shell command -v ccache >/dev/null 2>&1 && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# Paths relative to the checkout in ccache's keys, so every clone and worktree shares one cache. Without
# NOHASHDIR ccache also hashes the build folder's path whenever debug info is made (-g, -g1), so a fresh
# clone (a CI run) never hit; the cost is a stale compilation folder in the debug info of cached objects.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
# No "Entering directory" lines from the makes that CMake's build runs under this one.
MAKEFLAGS += --no-print-directory

.PHONY: all setup setup-tests configure build build-server run test configure-sanitize build-sanitize \
        test-sanitize thread-safety fuzz bench clean

all: build

# What building needs (`make run` stops there), then what testing and benchmarking add (the clients the
# e2e tests drive, clang, Chromium, wrk): a newcomer's first `make run` installs only the former.
# setup-tests runs after setup, so that two apt-gets never run at once under `make -j`.
setup:
	@bash tools/setup.sh

setup-tests: setup
	@bash tools/setup.sh --tests

# -g1 (line tables: file:line in backtraces and sanitizer reports) compiles about a quarter faster than
# -g; configure with -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g -DNDEBUG" for a debugger's full view.
$(BUILD_DIR)/CMakeCache.txt: | setup
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" $(LAUNCHER) >/dev/null

configure: setup $(BUILD_DIR)/CMakeCache.txt

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Only the binary: what `make run` needs (tests and fuzz targets are built by `make test`).
build-server: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target ssm-replay

run: build-server
	@rm -rf $(RUN_STORE)
	@$(BUILD_DIR)/ssm-replay import --store $(RUN_STORE) fixtures/
	@$(BUILD_DIR)/ssm-replay serve --mode replay --store $(RUN_STORE) --listen $(LISTEN) --print-example

test: setup-tests build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(TEST_JOBS)

# The whole build and test suite with ASan+UBSan (CI runs it after `make test`), built by clang with the
# lock rules checked too (-Wthread-safety as an error, as `make thread-safety` does), so one build covers
# both and CI compiles everything twice, not three times. The same build makes the libFuzzer targets
# (-DSSM_REPLAY_FUZZ=ON) and its ctest fuzzes each briefly (fuzz.short). UBSan stops at the first report
# (-fno-sanitize-recover). Reports go to files, so that those of the servers the e2e tests start are seen
# too: any file in $(SANITIZE_DIR)/sanitizer-logs fails the target. -O1 as ASan advises; -g1 (line tables)
# keeps file:line in reports and compiles faster than -g.
SANITIZER_LOGS = $(abspath $(SANITIZE_DIR))/sanitizer-logs
configure-sanitize: setup-tests
	@cmake -S . -B $(SANITIZE_DIR) $(LAUNCHER) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
	  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DCMAKE_CXX_FLAGS="-Wthread-safety -Werror=thread-safety" \
	  -DSSM_REPLAY_FUZZ=ON -DSSM_REPLAY_BENCH=OFF >/dev/null

build-sanitize: configure-sanitize
	@cmake --build $(SANITIZE_DIR) -j $(JOBS)

test-sanitize: build-sanitize
	@rm -rf $(SANITIZER_LOGS) && mkdir -p $(SANITIZER_LOGS)
	@cd $(SANITIZE_DIR) && status=0; \
	  ASAN_OPTIONS=log_path=$(SANITIZER_LOGS)/asan:detect_leaks=1 \
	  UBSAN_OPTIONS=log_path=$(SANITIZER_LOGS)/ubsan:print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(TEST_JOBS) || status=$$?; \
	  if ls $(SANITIZER_LOGS)/* >/dev/null 2>&1; then \
	    for f in $(SANITIZER_LOGS)/*; do echo "==== $$f"; cat "$$f"; done; \
	    echo "test-sanitize: sanitizer reports above"; exit 1; \
	  fi; \
	  if [ $$status -ne 0 ]; then echo "test-sanitize: tests failed"; exit $$status; fi; \
	  echo "test-sanitize: all tests passed, no sanitizer reports"

# The lock rules written as GUARDED_BY/REQUIRES (store/port/thread_annotations.h), checked by clang over
# every library and the binary, without the tests: the quick check while working (test-sanitize does it
# over everything in CI).
thread-safety: setup-tests
	@cmake -S . -B $(THREAD_SAFETY_DIR) $(LAUNCHER) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
	  -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g0" -DCMAKE_CXX_FLAGS="-Wthread-safety -Werror" \
	  -DSSM_REPLAY_TESTS=OFF -DSSM_REPLAY_BENCH=OFF >/dev/null
	@cmake --build $(THREAD_SAFETY_DIR) -j $(JOBS) --target ssm-replay
	@echo "thread-safety: clang -Wthread-safety -Werror: no warnings"

# Longer fuzzing than `make test-sanitize`'s few seconds: FUZZ_SECONDS per target, with the sanitizer
# build's targets (tests/fuzz/README.md).
fuzz: configure-sanitize
	@bash tests/fuzz/run.sh --build-dir $(SANITIZE_DIR) --seconds $(FUZZ_SECONDS) --jobs $(JOBS) $(FUZZ_TARGETS)

bench: setup-tests build
	@bash bench/run.sh

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR) $(THREAD_SAFETY_DIR)
