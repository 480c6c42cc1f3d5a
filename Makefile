# Thin wrapper around CMake: the two commands a newcomer needs are
# `make demo` (rehearse a mass reboot against ecd-sim) and `make test`.
# The developer/CI targets (test*, asan, release, clang) build with
# -Werror; build, demo, install and package leave the build directory's
# setting as it is (off in a fresh one: a user's build does not stop on a
# newer compiler's new warning, and a developer's is not rebuilt when
# switching).  WERROR=ON|OFF sets it for any target.
DEB_PKGS := libuv1-dev libcurl4-openssl-dev libssl-dev libcsv-dev libcjson-dev \
            libcmocka-dev libmicrohttpd-dev pkg-config cmake gcc clang make \
            jq time man-db dpkg-dev file cppcheck chromium
BUILD    ?= build
ASAN     ?= build-asan
RELEASE  ?= build-release
CLANG    ?= build-clang
PREFIX   ?= /usr/local
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
WERROR   ?=
WR_WERROR = $(if $(WERROR),-DWR_WERROR=$(WERROR))

.PHONY: all deps build asan release clang test test-normal test-asan \
        test-release test-clang install package demo bench clean

all: build

# Inherited by the builds these targets depend on.
test test-normal test-asan test-release test-clang asan release clang: WERROR = ON

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
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(WR_WERROR) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

asan: deps
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DWR_SANITIZE=ON $(WR_WERROR) >/dev/null
	@cmake --build $(ASAN) -j $(JOBS) -- --no-print-directory

# gcc -O3 (Release) and clang find warnings the -O2 gcc build does not.
release: deps
	@cmake -S . -B $(RELEASE) -DCMAKE_BUILD_TYPE=Release $(WR_WERROR) >/dev/null
	@cmake --build $(RELEASE) -j $(JOBS) -- --no-print-directory

clang: deps
	@cmake -S . -B $(CLANG) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Release $(WR_WERROR) >/dev/null
	@cmake --build $(CLANG) -j $(JOBS) -- --no-print-directory

test-normal: build
	cd $(BUILD) && ctest --output-on-failure --timeout 300 -j $(JOBS)

test-asan: asan
	cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure --timeout 600 -j $(JOBS)

# The other compilers: everything built, the unit tests run.
test-release: release
	cd $(RELEASE) && ctest --output-on-failure --timeout 300 -j $(JOBS) -R '^unit\.'

test-clang: clang
	cd $(CLANG) && ctest --output-on-failure --timeout 300 -j $(JOBS) -R '^unit\.'

test: test-normal test-asan test-release test-clang analyze fuzz-check

# cppcheck and clang's static analyzer over every file the build compiles
# (its compile_commands.json); zero findings, false positives suppressed
# where they stand (tests/analyze/run.sh).
.PHONY: analyze
analyze: build
	@JOBS=$(JOBS) sh tests/analyze/run.sh $(BUILD)

# make install [PREFIX=/usr/local] [DESTDIR=/staging]
install: build
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"

# The .deb lands in $(BUILD)/ (wuying-reboot_<version>_<arch>.deb).
package: build
	cd $(BUILD) && cpack -G DEB

demo: build
	@sh tests/demo.sh $(BUILD)

bench: build
	@sh tests/bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN) $(RELEASE) $(CLANG)

# Fuzzing (tests/fuzz): every libFuzzer target built with clang and
# ASan/UBSan, run over its committed corpus, then FUZZ_SECONDS of fresh
# fuzzing each (make test: FUZZ_CHECK_SECONDS, make fuzz: FUZZ_SECONDS).
# make fuzz keeps what it finds in $(FUZZ_BUILD)/corpus for the next run.
FUZZ_BUILD         ?= build-fuzz
FUZZ_SECONDS       ?= 600
FUZZ_CHECK_SECONDS ?= 30

.PHONY: fuzz-build fuzz-check fuzz
fuzz-build fuzz-check fuzz: WERROR = ON

fuzz-build: deps
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang \
	  -DCMAKE_BUILD_TYPE=Debug -DWR_FUZZ=ON -DWR_TESTS=OFF $(WR_WERROR) >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_all -- --no-print-directory

fuzz-check: fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_CHECK_SECONDS)

fuzz: fuzz-build
	@FUZZ_CORPUS_DIR=$(FUZZ_BUILD)/corpus sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)
