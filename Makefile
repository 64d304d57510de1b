# dfk-emu: a software DFK 38UX267 USB3 Vision camera on USB/IP, and its conformance suite.
#
#   make            build dfk-emu and dfk-conform (gcc; `make CC=clang` for clang)
#   make run        start the emulator on 127.0.0.1:3240 with the built-in default model
#   make check      install missing dependencies (ci/deps.sh), build, run every test
#   make asan       the same tests with AddressSanitizer + UBSan
#   make bench      print performance figures
#   make install    PREFIX=/usr/local DESTDIR=

CC ?= cc
BUILD ?= build
PREFIX ?= /usr/local
PYTHON ?= /usr/bin/python3

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CFLAGS ?= -O2 -g
# `override`: a CFLAGS given on the command line (sanitizers) keeps the project's flags
override CFLAGS += -std=c11 $(WARN) -D_GNU_SOURCE -MMD -MP
LDFLAGS ?=

EMU_LIBS := -lcrypto -lz -lm
CONFORM_PKGS := aravis-0.8 libusb-1.0 libpng
CONFORM_CFLAGS = $(shell pkg-config --cflags $(CONFORM_PKGS) 2>/dev/null)
CONFORM_LIBS = $(shell pkg-config --libs $(CONFORM_PKGS) 2>/dev/null) -lcunit -lz -lm

EMU_SRCS := $(filter-out emulator/main.c emulator/tests/%,$(wildcard emulator/*.c emulator/*/*.c)) $(wildcard models/*.c models/*/*.c)
EMU_OBJS := $(EMU_SRCS:%.c=$(BUILD)/obj/%.o)
CONFORM_SRCS := $(wildcard conformance/*.c)
CONFORM_OBJS := $(CONFORM_SRCS:%.c=$(BUILD)/obj/%.o)
# dfk-bench: the stream throughput client, on dfk-conform's transports
BENCH_SRCS := $(wildcard conformance/bench/*.c)
BENCH_OBJS := $(BENCH_SRCS:%.c=$(BUILD)/obj/%.o) $(filter-out $(BUILD)/obj/conformance/main.o,$(CONFORM_OBJS))
UNIT_SRCS := $(wildcard emulator/tests/*.c)
UNIT_OBJS := $(UNIT_SRCS:%.c=$(BUILD)/obj/%.o)

all: $(BUILD)/dfk-emu $(BUILD)/dfk-conform $(BUILD)/test-unit $(BUILD)/crashshim.so $(if $(BENCH_SRCS),$(BUILD)/dfk-bench)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/conformance/%.o: conformance/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CONFORM_CFLAGS) -Wno-strict-prototypes -c $< -o $@

$(BUILD)/dfk-bench: $(BENCH_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CONFORM_LIBS)

$(BUILD)/libdfkemu.a: $(EMU_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/dfk-emu: $(BUILD)/obj/emulator/main.o $(BUILD)/libdfkemu.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(EMU_LIBS)

$(BUILD)/dfk-conform: $(CONFORM_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CONFORM_LIBS)

$(BUILD)/test-unit: $(UNIT_OBJS) $(BUILD)/libdfkemu.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lcunit $(EMU_LIBS)

# test tool (LD_PRELOAD): built without the sanitizers, which must come first in a process
$(BUILD)/crashshim.so: harness/crashshim.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -D_GNU_SOURCE -O2 -fPIC -shared -o $@ $< -ldl

deps:
	@bash ci/deps.sh

run: deps-run $(BUILD)/dfk-emu
	$(BUILD)/dfk-emu --listen 127.0.0.1:3240

deps-run:
	@bash ci/deps.sh --build-only

unit: $(BUILD)/test-unit
	$(BUILD)/test-unit

pytest: $(BUILD)/dfk-emu $(BUILD)/dfk-conform $(BUILD)/crashshim.so
	DFK_BUILD=$(abspath $(BUILD)) $(PYTHON) -m pytest -q harness $(PYTEST_ARGS)

check: deps
	$(MAKE) all
	$(MAKE) CC=clang BUILD=build-clang all   # the code must build clean with clang too
	build-clang/test-unit
	$(MAKE) unit
	$(MAKE) pytest

asan:
	@bash ci/deps.sh
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" all
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		build-asan/test-unit
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		DFK_BUILD=$(abspath build-asan) DFK_SANITIZED=1 $(PYTHON) -m pytest -q harness -m "not vm" $(PYTEST_ARGS)

bench: all
	DFK_BUILD=$(abspath $(BUILD)) $(PYTHON) harness/bench.py

install: $(BUILD)/dfk-emu $(BUILD)/dfk-conform
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BUILD)/dfk-emu $(BUILD)/dfk-conform $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf build build-asan build-clang

.PHONY: all deps deps-run run unit pytest check asan bench install clean

-include $(EMU_OBJS:.o=.d) $(CONFORM_OBJS:.o=.d) $(UNIT_OBJS:.o=.d) $(BENCH_OBJS:.o=.d) $(BUILD)/obj/emulator/main.d
