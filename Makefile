# SPDX-License-Identifier: MIT
# dfk-emu: a software DFK 38UX267 USB3 Vision camera on USB/IP, and its conformance suite.
#
#   make            build dfk-emu and dfk-conform (gcc; `make CC=clang` for clang)
#   make run        start the emulator on 127.0.0.1:3240 with the built-in default model
#   make check      install missing dependencies (ci/deps.sh), build, run every test
#   make asan       the same tests with AddressSanitizer + UBSan
#   make bench      print performance figures, then a soak (SOAK_MINUTES=30)
#   make fuzz       run the libFuzzer targets (fuzz/README.md); make fuzz-replay replays their inputs
#   make install    PREFIX=/usr/local DESTDIR=
#   make deb        the Debian package (debian/) in $(BUILD)/deb/, built in a clean copy, and lintian

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
LIBCONFORM_LIBS = $(shell pkg-config --libs $(CONFORM_PKGS) 2>/dev/null) -lz -lm
CONFORM_LIBS = $(LIBCONFORM_LIBS) -lcunit

EMU_SRCS := $(filter-out emulator/main.c emulator/tests/%,$(wildcard emulator/*.c emulator/*/*.c)) $(wildcard models/*.c models/*/*.c)
# emulator/bench/: standalone programs with their own main, not part of the library
EMU_SRCS := $(filter-out emulator/bench/%,$(EMU_SRCS))
EMU_OBJS := $(EMU_SRCS:%.c=$(BUILD)/obj/%.o)
# libconform.a: conformance/lib/, everything without CUnit (transports, wire formats, GenCP,
# stream reader, GenICam access, frame checker, fixtures, rule table, the device session)
CONFORM_LIB_SRCS := $(wildcard conformance/lib/*.c)
CONFORM_LIB_OBJS := $(CONFORM_LIB_SRCS:%.c=$(BUILD)/obj/%.o)
# dfk-conform: the program (conformance/) and its CUnit suites (conformance/suites/) on libconform.a
CONFORM_SRCS := $(wildcard conformance/*.c conformance/suites/*.c)
CONFORM_OBJS := $(CONFORM_SRCS:%.c=$(BUILD)/obj/%.o)
# dfk-bench: the stream throughput client, on libconform.a alone
BENCH_SRCS := $(wildcard conformance/bench/*.c)
BENCH_OBJS := $(BENCH_SRCS:%.c=$(BUILD)/obj/%.o)
# dfk-drivertest (docs/drivertest.md): the runner (drivertest/runner/), the trace library and
# dfk-trace (drivertest/trace/), the adapters (drivertest/adapters/, one program per file)
DT_TRACE_SRCS := $(filter-out drivertest/trace/dfk_trace.c,$(wildcard drivertest/trace/*.c))
DT_TRACE_OBJS := $(DT_TRACE_SRCS:%.c=$(BUILD)/obj/%.o)
DT_RUNNER_SRCS := $(wildcard drivertest/runner/*.c)
DT_RUNNER_OBJS := $(DT_RUNNER_SRCS:%.c=$(BUILD)/obj/%.o)
DT_ADAPTER_COMMON := $(wildcard drivertest/adapters/common/*.c)
DT_ADAPTER_COMMON_OBJS := $(DT_ADAPTER_COMMON:%.c=$(BUILD)/obj/%.o)
DT_ADAPTERS := $(patsubst drivertest/adapters/adapter_%.c,$(BUILD)/dfk-adapter-%,$(wildcard drivertest/adapters/adapter_*.c))
DT_PROGRAMS := $(if $(DT_RUNNER_SRCS),$(BUILD)/dfk-drivertest) $(if $(wildcard drivertest/trace/dfk_trace.c),$(BUILD)/dfk-trace) $(DT_ADAPTERS)
# report/: what the HTML reports of dfk-drivertest and dfk-conform share (escaping, the timing
# diagram of the event log, received/expected/difference images), on libconform.a
REPORT_SRCS := $(wildcard report/*.c)
REPORT_OBJS := $(REPORT_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_SRCS := $(wildcard emulator/tests/*.c)
UNIT_OBJS := $(UNIT_SRCS:%.c=$(BUILD)/obj/%.o)
# dfk-uvc-map (uvcmap/): loads the UVC extension-unit mapping into uvcvideo; plain C, no GLib.
# Its default map is the installed uvcmap/dfk38ux267.ini.
UVCMAP_DIR := $(PREFIX)/share/dfk-emu/uvcmap
UVCMAP_LIB_OBJS := $(BUILD)/obj/uvcmap/uvcmap.o
UVCMAP_PROGRAMS := $(if $(wildcard uvcmap/dfk-uvc-map.c),$(BUILD)/dfk-uvc-map)

all: $(BUILD)/dfk-emu $(BUILD)/libconform.a $(BUILD)/dfk-conform $(BUILD)/test-unit $(BUILD)/crashshim.so $(if $(BENCH_SRCS),$(BUILD)/dfk-bench) $(DT_PROGRAMS) $(UVCMAP_PROGRAMS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# conformance objects: -Wno-strict-prototypes for the GLib/Aravis headers. Include paths
# follow the dependencies: lib/ sees only itself, bench/ only lib/, the suites and the
# program both (so neither lib/ nor dfk-bench can reach CUnit's conform.h).
CONFORM_CC = $(CC) $(CFLAGS) $(CONFORM_CFLAGS) -Wno-strict-prototypes

$(BUILD)/obj/conformance/%.o: conformance/%.c
	@mkdir -p $(dir $@)
	$(CONFORM_CC) -Iconformance -Iconformance/lib -Ireport -c $< -o $@

# report/: sees libconform (frame decoding, PNG, the event type) and the event log's flags
$(BUILD)/obj/report/%.o: report/%.c
	@mkdir -p $(dir $@)
	$(CONFORM_CC) -Iconformance/lib -Iemulator -c $< -o $@

$(BUILD)/obj/conformance/lib/%.o: conformance/lib/%.c
	@mkdir -p $(dir $@)
	$(CONFORM_CC) -c $< -o $@

$(BUILD)/obj/conformance/bench/%.o: conformance/bench/%.c
	@mkdir -p $(dir $@)
	$(CONFORM_CC) -Iconformance/lib -c $< -o $@

$(BUILD)/libconform.a: $(CONFORM_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/dfk-bench: $(BENCH_OBJS) $(BUILD)/libconform.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBCONFORM_LIBS)

# drivertest: the runner uses the emulator's fault language and monitor (libdfkemu.a) and
# the conformance library (I/O client, frame checker); the adapters see only their driver
# (and the reference adapter libconform.a)
$(BUILD)/obj/drivertest/%.o: drivertest/%.c
	@mkdir -p $(dir $@)
	$(CONFORM_CC) -Idrivertest -Iconformance/lib -Iemulator -Ireport -c $< -o $@

$(BUILD)/dfk-drivertest: $(DT_RUNNER_OBJS) $(DT_TRACE_OBJS) $(REPORT_OBJS) $(BUILD)/libconform.a $(BUILD)/libdfkemu.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBCONFORM_LIBS) $(EMU_LIBS)

$(BUILD)/dfk-trace: $(BUILD)/obj/drivertest/trace/dfk_trace.o $(DT_TRACE_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lm

$(BUILD)/dfk-adapter-%: $(BUILD)/obj/drivertest/adapters/adapter_%.o $(DT_ADAPTER_COMMON_OBJS) $(BUILD)/libconform.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBCONFORM_LIBS)
# objects of a pattern rule's prerequisites: keep them, or every adapter relinks from scratch
.SECONDARY: $(DT_ADAPTER_COMMON_OBJS) $(DT_ADAPTERS:$(BUILD)/dfk-adapter-%=$(BUILD)/obj/drivertest/adapters/adapter_%.o)

$(BUILD)/libdfkemu.a: $(EMU_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/dfk-emu: $(BUILD)/obj/emulator/main.o $(BUILD)/libdfkemu.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(EMU_LIBS)

$(BUILD)/dfk-conform: $(CONFORM_OBJS) $(REPORT_OBJS) $(BUILD)/libconform.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CONFORM_LIBS)

$(BUILD)/test-unit: $(UNIT_OBJS) $(BUILD)/libdfkemu.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lcunit $(EMU_LIBS)

# the default map's path is compiled in: a PREFIX other than the last build's (make install
# PREFIX=/usr after a plain make, as debian/rules does) rebuilds it
$(BUILD)/uvcmap-default.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(UVCMAP_DIR)' | cmp -s - $@ || echo '$(UVCMAP_DIR)' > $@

$(BUILD)/obj/uvcmap/dfk-uvc-map.o: uvcmap/dfk-uvc-map.c $(BUILD)/uvcmap-default.stamp
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DUVCMAP_DEFAULT='"$(UVCMAP_DIR)/dfk38ux267.ini"' -c $< -o $@

$(BUILD)/dfk-uvc-map: $(BUILD)/obj/uvcmap/dfk-uvc-map.o $(UVCMAP_LIB_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

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

pytest: $(BUILD)/dfk-emu $(BUILD)/dfk-conform $(BUILD)/crashshim.so $(if $(BENCH_SRCS),$(BUILD)/dfk-bench) $(DT_PROGRAMS) $(UVCMAP_PROGRAMS)
	DFK_BUILD=$(abspath $(BUILD)) $(PYTHON) -m pytest -q harness $(PYTEST_ARGS)

check: deps
	sh ci/check-layers.sh   # the timing engines must not include the camera again
	$(MAKE) all
	$(MAKE) CC=clang BUILD=build-clang all   # the code must build clean with clang too
	build-clang/test-unit
	$(MAKE) unit
	$(MAKE) fuzz-replay
	$(MAKE) pytest

asan:
	@bash ci/deps.sh
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" all
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		build-asan/test-unit
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		DFK_BUILD=$(abspath build-asan) DFK_SANITIZED=1 $(PYTHON) -m pytest -q harness -m "not vm" $(PYTEST_ARGS)

# ---- fuzzing (fuzz/README.md) ----
#   make fuzz FUZZ_SECONDS=N   each libFuzzer target N s (clang) with its dictionary and corpus
#   make fuzz-replay           the checked-in corpus and crash reproducers, once each (part of check)
FUZZ_TARGETS := usbip_conn u3v_control io_line state_files expr fault_lang host_monitor trace usbmon_capture \
	scenario adapter_line
# dfk-uvc-map's mapping file reader
FUZZ_TARGETS += uvcmap
# the UVC face's class requests, controls, probe/commit and stream (emulator/uvc/)
FUZZ_TARGETS += uvc_control
FUZZ_SECONDS ?= 60
FUZZ_ARGS ?=
FUZZ_CC ?= clang
# the replay driver is plain C: any compiler with ASan will do, libFuzzer or not
FUZZ_REPLAY_CC ?= gcc
FUZZ_SAN := -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all -fno-omit-frame-pointer
# link-time seams: in-process USB/IP listener, quiet log, cheap big frames (fuzz/fuzz.h)
FUZZ_WRAPS := -Wl,--wrap=net_listen,--wrap=accept4,--wrap=log_msg,--wrap=sensor_render,--wrap=sensor_render_rows,--wrap=sensor_render_rows_from \
	-Wl,--wrap=sensor_pattern_slice
FUZZ_OBJS := $(BUILD)/obj/fuzz/fuzz_util.o $(if $(FUZZ_DRIVER),$(BUILD)/obj/fuzz/replay_main.o)

$(BUILD)/fuzz_%: $(BUILD)/obj/fuzz/fuzz_%.o $(FUZZ_OBJS) $(BUILD)/libdfkemu.a
	$(CC) $(CFLAGS) $(LDFLAGS) $(FUZZ_WRAPS) -o $@ $^ $(EMU_LIBS)
# fuzz_scenario, fuzz_adapter_line: dfk-drivertest's two parsers of user and driver input
DT_PARSER_OBJS := $(BUILD)/obj/drivertest/runner/scenario.o $(BUILD)/obj/drivertest/runner/adapter_proto.o
$(BUILD)/fuzz_scenario $(BUILD)/fuzz_adapter_line: $(BUILD)/fuzz_%: $(BUILD)/obj/fuzz/fuzz_%.o $(FUZZ_OBJS) $(DT_PARSER_OBJS) $(BUILD)/libdfkemu.a
	$(CC) $(CFLAGS) $(LDFLAGS) $(FUZZ_WRAPS) -o $@ $^ $(EMU_LIBS)
# fuzz_uvcmap: dfk-uvc-map's mapping file reader (uvcmap/uvcmap.c)
$(BUILD)/fuzz_uvcmap: $(BUILD)/obj/fuzz/fuzz_uvcmap.o $(FUZZ_OBJS) $(UVCMAP_LIB_OBJS) $(BUILD)/libdfkemu.a
	$(CC) $(CFLAGS) $(LDFLAGS) $(FUZZ_WRAPS) -o $@ $^ $(EMU_LIBS)
# fuzz_trace: the trace readers of dfk-trace / dfk-drivertest (drivertest/trace/) as well
$(BUILD)/fuzz_trace: $(BUILD)/obj/fuzz/fuzz_trace.o $(FUZZ_OBJS) $(DT_TRACE_OBJS) $(BUILD)/libdfkemu.a
	$(CC) $(CFLAGS) $(LDFLAGS) $(FUZZ_WRAPS) -o $@ $^ $(EMU_LIBS)

fuzz-targets: $(FUZZ_TARGETS:%=$(BUILD)/fuzz_%)
# objects of a pattern chain: keep them, or every run relinks from scratch
.SECONDARY: $(FUZZ_TARGETS:%=$(BUILD)/obj/fuzz/fuzz_%.o) $(FUZZ_OBJS)

fuzz:
	$(MAKE) CC=$(FUZZ_CC) BUILD=build-fuzz/libfuzzer CFLAGS="-O1 -g $(FUZZ_SAN) -fsanitize=fuzzer" LDFLAGS= fuzz-targets
	bash fuzz/run.sh build-fuzz/libfuzzer $(FUZZ_SECONDS) "$(FUZZ_ARGS)" $(FUZZ_TARGETS)

fuzz-replay:
	$(MAKE) CC=$(FUZZ_REPLAY_CC) BUILD=build-fuzz/replay FUZZ_DRIVER=1 CFLAGS="-O1 -g $(FUZZ_SAN)" LDFLAGS= fuzz-targets
	@failed=; for t in $(FUZZ_TARGETS); do \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1 \
			build-fuzz/replay/fuzz_$$t fuzz/corpus/$$t $$(test -d fuzz/crashes/$$t && echo fuzz/crashes/$$t) \
			|| failed="$$failed $$t"; \
	done; test -z "$$failed" || { echo "fuzz-replay: failed:$$failed (fuzz/crashes/README.md)"; exit 1; }

.PHONY: fuzz fuzz-replay fuzz-targets
-include $(wildcard $(BUILD)/obj/fuzz/*.d)

# bench-sched: the device scheduler with 100,000 pending events (emulator/bench/bench_sched.c)
$(BUILD)/bench-sched: $(BUILD)/obj/emulator/bench/bench_sched.o $(BUILD)/libdfkemu.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(EMU_LIBS)
-include $(BUILD)/obj/emulator/bench/bench_sched.d

# bench-sensor: render times of every pixel format, both sources (emulator/bench/bench_sensor.c)
$(BUILD)/bench-sensor: $(BUILD)/obj/emulator/bench/bench_sensor.o $(BUILD)/libdfkemu.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(EMU_LIBS)
-include $(BUILD)/obj/emulator/bench/bench_sensor.d

# SOAK_MINUTES=0 leaves the soak out
SOAK_MINUTES ?= 30
bench: all $(BUILD)/bench-sched $(BUILD)/bench-sensor
	$(BUILD)/bench-sched
	$(BUILD)/bench-sensor
	DFK_BUILD=$(abspath $(BUILD)) $(PYTHON) harness/bench.py
	$(MAKE) soak

soak: all
	@if [ "$(SOAK_MINUTES)" != 0 ]; then DFK_BUILD=$(abspath $(BUILD)) $(PYTHON) harness/soak.py --minutes $(SOAK_MINUTES); fi

# manual pages (man/): dfk-emu(1), dfk-conform(1), dfk-bench(1), dfk-emu-io(7);
# harness/test_manpages.py keeps them in step with each program's --help
MAN1 := $(filter-out $(if $(BENCH_SRCS),,man/dfk-bench.1),$(wildcard man/*.1))
MAN7 := $(wildcard man/*.7)

install: $(BUILD)/dfk-emu $(BUILD)/dfk-conform $(if $(BENCH_SRCS),$(BUILD)/dfk-bench) $(DT_PROGRAMS) $(UVCMAP_PROGRAMS) install-python
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man7 \
		$(DESTDIR)$(PREFIX)/share/dfk-emu/scenarios
	install -m 0755 $(BUILD)/dfk-emu $(BUILD)/dfk-conform $(if $(BENCH_SRCS),$(BUILD)/dfk-bench) $(DT_PROGRAMS) \
		$(UVCMAP_PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(UVCMAP_DIR) && install -m 0644 uvcmap/*.ini $(DESTDIR)$(UVCMAP_DIR)/   # dfk-uvc-map's default map
	install -m 0644 drivertest/scenarios/*.scenario $(DESTDIR)$(PREFIX)/share/dfk-emu/scenarios/
	for d in fixtures/*/; do install -d $(DESTDIR)$(PREFIX)/share/dfk-emu/$$d && \
		install -m 0644 $$d*.* $(DESTDIR)$(PREFIX)/share/dfk-emu/$$d || exit 1; done   # dfk-conform --fixtures
	install -m 0644 $(MAN1) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 $(MAN7) $(DESTDIR)$(PREFIX)/share/man/man7/

# the Python package dfkemu and its pytest plugin (docs/pytest.md), with the dist-info whose
# entry point (pytest11) makes pytest load it: Debian's path below /usr. Below /usr/local,
# Debian's python3 does not search $(PREFIX)/lib/python3/dist-packages: set PYTHONPATH to it, or
# install with PYTHONDIR=/usr/local/lib/python3.11/dist-packages (on its sys.path)
PYTHONDIR ?= $(PREFIX)/lib/python3/dist-packages
DFKEMU_VERSION := $(shell sed -n 's/^__version__ = "\([^"]*\)".*/\1/p' python/dfkemu/__init__.py)
DFKEMU_DISTINFO = $(DESTDIR)$(PYTHONDIR)/dfkemu-$(DFKEMU_VERSION).dist-info

install-python:
	install -d $(DESTDIR)$(PYTHONDIR)/dfkemu $(DFKEMU_DISTINFO)
	install -m 0644 python/dfkemu/*.py $(DESTDIR)$(PYTHONDIR)/dfkemu/
	printf 'Metadata-Version: 2.1\nName: dfkemu\nVersion: %s\nSummary: pytest fixtures for dfk-emu, a software DFK 38UX267 USB3 Vision camera\nLicense: MIT\n' \
		'$(DFKEMU_VERSION)' > $(DFKEMU_DISTINFO)/METADATA
	printf '[pytest11]\ndfkemu = dfkemu.plugin\n' > $(DFKEMU_DISTINFO)/entry_points.txt
	printf 'dfkemu\n' > $(DFKEMU_DISTINFO)/top_level.txt

.PHONY: install-python

# the Debian package: ci/deb.sh builds it with dpkg-buildpackage in a copy of the tree (not this
# build directory), leaves the .deb in $(BUILD)/deb/ and fails on a lintian error
deb:
	bash ci/deb.sh $(BUILD)/deb

clean:
	rm -rf build build-asan build-clang
	rm -rf build-fuzz

FORCE:

.PHONY: all deps deps-run run unit pytest check asan bench soak install deb clean FORCE

-include $(wildcard $(BUILD)/obj/drivertest/*/*.d $(BUILD)/obj/drivertest/*/*/*.d)
-include $(wildcard $(BUILD)/obj/uvcmap/*.d)
-include $(EMU_OBJS:.o=.d) $(CONFORM_LIB_OBJS:.o=.d) $(CONFORM_OBJS:.o=.d) $(REPORT_OBJS:.o=.d) $(UNIT_OBJS:.o=.d) $(BENCH_OBJS:.o=.d) $(BUILD)/obj/emulator/main.d
