# Thin wrapper around CMake: the two commands a newcomer needs are
# `make demo` (rehearse a mass reboot against ecd-sim) and `make test`.
DEB_PKGS := libuv1-dev libcurl4-openssl-dev libssl-dev libcsv-dev libcjson-dev \
            libcmocka-dev libmicrohttpd-dev pkg-config cmake gcc make \
            jq time man-db clang
BUILD    ?= build
ASAN     ?= build-asan
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build asan test test-normal test-asan demo bench clean

all: build

# Installs only what is missing; silent when everything is present.
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

asan: deps
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DWR_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN) -j $(JOBS) -- --no-print-directory

test-normal: build
	cd $(BUILD) && ctest --output-on-failure --timeout 300 -j $(JOBS)

test-asan: asan
	cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure --timeout 600 -j $(JOBS)

test: test-normal test-asan fuzz-check

demo: build
	@sh tests/demo.sh $(BUILD)

bench: build
	@sh tests/bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN)

# Fuzzing (tests/fuzz): every libFuzzer target built with clang and
# ASan/UBSan, run over its committed corpus, then FUZZ_SECONDS of fresh
# fuzzing each (make test: FUZZ_CHECK_SECONDS, make fuzz: FUZZ_SECONDS).
# make fuzz keeps what it finds in $(FUZZ_BUILD)/corpus for the next run.
FUZZ_BUILD         ?= build-fuzz
FUZZ_SECONDS       ?= 600
FUZZ_CHECK_SECONDS ?= 30

.PHONY: fuzz-build fuzz-check fuzz

fuzz-build: deps
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang \
	  -DCMAKE_BUILD_TYPE=Debug -DWR_FUZZ=ON -DWR_TESTS=OFF >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_all -- --no-print-directory

fuzz-check: fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_CHECK_SECONDS)

fuzz: fuzz-build
	@FUZZ_CORPUS_DIR=$(FUZZ_BUILD)/corpus sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)
