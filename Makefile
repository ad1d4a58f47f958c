# The two commands users run first: `make run` and `make test`. Both install what is missing,
# configure and build.
BUILD_DIR ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
LISTEN ?= 127.0.0.1:4580
RUN_STORE ?= $(BUILD_DIR)/run-store

.PHONY: all setup configure build run test test-sanitize bench clean

all: build

setup:
	@bash tools/setup.sh

$(BUILD_DIR)/CMakeCache.txt: | setup
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

configure: setup $(BUILD_DIR)/CMakeCache.txt

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@rm -rf $(RUN_STORE)
	@$(BUILD_DIR)/ssm-replay import --store $(RUN_STORE) fixtures/
	@$(BUILD_DIR)/ssm-replay serve --mode replay --store $(RUN_STORE) --listen $(LISTEN) --print-example

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

test-sanitize: setup
	@cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DSSM_REPLAY_SANITIZE=ON -DSSM_REPLAY_BENCH=OFF >/dev/null
	@cmake --build build-sanitize -j $(JOBS)
	@cd build-sanitize && ctest --output-on-failure -j $(JOBS)

bench: build
	@bash bench/run.sh

clean:
	rm -rf $(BUILD_DIR) build-sanitize
