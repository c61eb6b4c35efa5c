# The README's commands. Each installs what is missing first.
PRESET ?= release
BIN := build/$(PRESET)/salesflow

.PHONY: all deps build test test-asan asan fuzz demo bench clean format

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake --preset $(PRESET) >/dev/null
	cmake --build --preset $(PRESET)

# Unit, S3, MySQL, end-to-end and browser tests against a private MariaDB and s3rver,
# then a short libFuzzer run of every fuzz target.
test: build
	scripts/with-services.sh ctest --preset $(PRESET) -j2
	@if [ -x scripts/fuzz.sh ]; then scripts/fuzz.sh smoke; fi

# The same tests under AddressSanitizer + UBSan.
test-asan asan:
	$(MAKE) test PRESET=asan

fuzz: deps
	scripts/fuzz.sh long

demo: build
	scripts/demo.sh $(BIN)

bench: deps
	cmake --preset release >/dev/null
	cmake --build --preset release
	@echo "benchmarks: see bench/README.md"

format:
	find src tests bench fuzz -name '*.cpp' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf build
