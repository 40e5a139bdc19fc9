# The everyday commands; CMake does the building.  See README.md.
BUILD      ?= build
BUILD_ASAN ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all setup build demo test test-asan bench clean

all: build

setup:
	@./scripts/setup

$(BUILD)/Makefile:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

demo: setup
	@$(MAKE) --no-print-directory build
	./$(BUILD)/owed demo

test: setup
	@$(MAKE) --no-print-directory build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-asan: setup
	@$(MAKE) --no-print-directory build BUILD=$(BUILD_ASAN) CMAKE_FLAGS="-DOWED_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug"
	ctest --test-dir $(BUILD_ASAN) --output-on-failure -j $(JOBS)

bench: setup
	@$(MAKE) --no-print-directory build
	cmake --build $(BUILD) --target bench

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
