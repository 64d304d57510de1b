/* SPDX-License-Identifier: MIT */
/* dfk-drivertest: does a host driver handle this camera? Runs scenarios of
 * drivertest/scenarios/ (or the user's) with an adapter around the driver
 * under test, against dfk-emu, and judges what the driver reported against
 * what the camera did and what the host did on the wire (docs/drivertest.md). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner/analyze.h"
#include "runner/golden.h"
#include "runner/proc.h"
#include "runner/report.h"
#include "runner/report_html.h"
#include "runner/run.h"
#include "runner/scenario.h"
#include "runner/target.h"

#define MAX_SCENARIOS 256
/* leave main() through its clean-up with this exit status */
#define DFK_EXIT(status) do { rc = (status); goto out; } while (0)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dfk-drivertest --adapter CMD [options]\n"
		"       dfk-drivertest --analyze CAPTURE [--device BUS:DEV] [--json FILE] [--junit FILE] [--quiet]\n"
		"       dfk-drivertest --check SCENARIO...\n"
		"Tests a USB3 Vision host driver against dfk-emu, scenario by scenario (docs/drivertest.md).\n"
		"\n"
		"  --adapter CMD        the driver under test's adapter (run as sh -c 'exec CMD \"$@\"')\n"
		"  --scenario S         a scenario name of the catalogue, a .scenario file or a directory;\n"
		"                       repeatable (default: the whole catalogue)\n"
		"  --scenarios-dir DIR  the catalogue (default: drivertest/scenarios next to the program,\n"
		"                       or PREFIX/share/dfk-emu/scenarios)\n"
		"  --list               list the scenarios and exit\n"
		"  --junit FILE         JUnit XML, a testcase per scenario\n"
		"  --report DIR         JSON per scenario and for the run, the adapter's lines and the\n"
		"                       camera's event log of each scenario, and index.html (the HTML\n"
		"                       report: timing diagrams, frames that failed bit-exact)\n"
		"  --record DIR         write a golden trace per scenario to DIR/NAME.golden\n"
		"  --compare DIR        compare each scenario with DIR/NAME.golden: every edge that moved fails it\n"
		"  --emulator HOST:PORT use a running dfk-emu (default: start one: --emu PATH)\n"
		"  --io ADDR            its I/O side channel (tcp:HOST:PORT or a Unix socket)\n"
		"  --busid ID           the exported camera (default 1-1)\n"
		"  --attach             attach it through vhci-hcd (usbip attach; root) and give the adapter\n"
		"                       usb://VID:PID; without it the adapter gets usbip://HOST:PORT/BUSID\n"
		"  --device URI         a real camera (usb://VID:PID[/SERIAL]): no emulator; scenarios that\n"
		"                       need one are skipped, the rest are judged by the manual alone\n"
		"  --emu PATH           the dfk-emu to start (default: next to this program, else $PATH)\n"
		"  --model NAME         dfk38ux267 (default) or dmk38ux267\n"
		"  --seed N             test pattern seed (default 7)\n"
		"  -v, --verbose        every expectation, and keep dumped frames\n"
		"  --version, --help\n");
}

static const char *default_catalogue(char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *env = getenv("DFK_SCENARIOS");
	struct stat st;

	if (env)
		return env;
	if (n > 0) {
		char *slash;

		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			/* a build directory of the source tree: build/dfk-drivertest */
			if (snprintf(buf, len, "%s/../drivertest/scenarios", self) < (int)len && stat(buf, &st) == 0 &&
			    S_ISDIR(st.st_mode))
				return buf;
			/* installed: PREFIX/bin/dfk-drivertest */
			if (snprintf(buf, len, "%s/../share/dfk-emu/scenarios", self) < (int)len && stat(buf, &st) == 0 &&
			    S_ISDIR(st.st_mode))
				return buf;
		}
	}
	return "drivertest/scenarios";
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Adds one scenario file, every .scenario in a directory (sorted), or a catalogue name. */
static int collect(const char *arg, const char *catalogue, char **paths, size_t *n)
{
	struct stat st;
	char buf[PATH_MAX];

	if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
		DIR *d = opendir(arg);
		struct dirent *e;
		size_t first = *n;

		if (!d)
			return -1;
		while ((e = readdir(d))) {
			size_t l = strlen(e->d_name);

			if (l > 9 && strcmp(e->d_name + l - 9, ".scenario") == 0 && *n < MAX_SCENARIOS) {
				if (snprintf(buf, sizeof(buf), "%s/%s", arg, e->d_name) < (int)sizeof(buf))
					paths[(*n)++] = strdup(buf);
			}
		}
		closedir(d);
		qsort(paths + first, *n - first, sizeof(*paths), by_name);
		return 0;
	}
	if (stat(arg, &st) == 0 || strchr(arg, '/')) {
		if (*n < MAX_SCENARIOS)
			paths[(*n)++] = strdup(arg);
		return 0;
	}
	if (snprintf(buf, sizeof(buf), "%s/%s.scenario", catalogue, arg) >= (int)sizeof(buf) || stat(buf, &st) != 0) {
		fprintf(stderr, "dfk-drivertest: no scenario '%s' in %s\n", arg, catalogue);
		return -1;
	}
	if (*n < MAX_SCENARIOS)
		paths[(*n)++] = strdup(buf);
	return 0;
}

int main(int argc, char **argv)
{
	enum { O_ADAPTER = 256, O_SCENARIO, O_SCENARIOS_DIR, O_LIST, O_JUNIT, O_REPORT, O_RECORD, O_COMPARE, O_EMULATOR,
	       O_IO, O_BUSID, O_ATTACH, O_DEVICE, O_EMU, O_MODEL, O_SEED, O_VERSION, O_HELP, O_CHECK };
	static const struct option opts[] = {
		{ "adapter", required_argument, 0, O_ADAPTER }, { "scenario", required_argument, 0, O_SCENARIO },
		{ "scenarios-dir", required_argument, 0, O_SCENARIOS_DIR }, { "list", no_argument, 0, O_LIST },
		{ "junit", required_argument, 0, O_JUNIT }, { "report", required_argument, 0, O_REPORT },
		{ "record", required_argument, 0, O_RECORD }, { "compare", required_argument, 0, O_COMPARE },
		{ "emulator", required_argument, 0, O_EMULATOR }, { "io", required_argument, 0, O_IO },
		{ "busid", required_argument, 0, O_BUSID }, { "attach", no_argument, 0, O_ATTACH },
		{ "device", required_argument, 0, O_DEVICE }, { "emu", required_argument, 0, O_EMU },
		{ "model", required_argument, 0, O_MODEL }, { "seed", required_argument, 0, O_SEED },
		{ "verbose", no_argument, 0, 'v' }, { "version", no_argument, 0, O_VERSION },
		{ "help", no_argument, 0, O_HELP }, { "check", no_argument, 0, O_CHECK }, { 0, 0, 0, 0 },
	};
	struct target_options topt = { .pattern_seed = 7 };
	struct run_options ropt = { 0 };
	const char *junit = NULL, *catalogue = NULL, *record = NULL, *compare = NULL;
	char *paths[MAX_SCENARIOS], catbuf[PATH_MAX], workdir[] = "/tmp/dfk-drivertest-XXXXXX";
	const char *names[MAX_SCENARIOS];
	size_t n_paths = 0, n_names = 0;
	bool list = false, check = false, any_failed = false, progress;
	int rc = 0;
	struct scenario *scs = NULL;
	struct run_result *rs = NULL;
	struct target t;
	char err[512];
	unsigned long long t0;
	int c;

	if (argc > 1 && strcmp(argv[1], "--analyze") == 0)
		return dt_analyze_main(argc - 1, argv + 1);
	signal(SIGPIPE, SIG_IGN);
	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case O_ADAPTER: ropt.adapter = optarg; break;
		case O_SCENARIO:
			if (n_names < MAX_SCENARIOS)
				names[n_names++] = optarg;
			break;
		case O_SCENARIOS_DIR: catalogue = optarg; break;
		case O_LIST: list = true; break;
		case O_CHECK: check = true; break;
		case O_JUNIT: junit = optarg; break;
		case O_REPORT: ropt.report_dir = optarg; break;
		case O_RECORD: record = optarg; break;
		case O_COMPARE: compare = optarg; break;
		case O_EMULATOR: topt.emulator = optarg; break;
		case O_IO: topt.io = optarg; break;
		case O_BUSID: topt.busid = optarg; break;
		case O_ATTACH: topt.attach = true; break;
		case O_DEVICE: topt.device = optarg; break;
		case O_EMU: topt.emu_path = optarg; break;
		case O_MODEL:
			if (strcmp(optarg, "dfk38ux267") && strcmp(optarg, "dmk38ux267")) {
				fprintf(stderr, "dfk-drivertest: --model dfk38ux267 or dmk38ux267\n");
				return 2;
			}
			topt.model = optarg;
			break;
		case O_SEED: {
			char *end;
			unsigned long v = strtoul(optarg, &end, 0);

			if (*end || !*optarg || v > UINT32_MAX) {
				fprintf(stderr, "dfk-drivertest: --seed: a number below 2^32\n");
				return 2;
			}
			topt.pattern_seed = (uint32_t)v;
			break;
		}
		case 'v': ropt.verbose = true; break;
		case O_VERSION: puts("dfk-drivertest 1.0"); return 0;
		case O_HELP: usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (check) {   /* the remaining arguments are scenario files: parse them, nothing else */
		int bad = 0;

		for (int i = optind; i < argc; i++) {
			struct scenario sc;

			if (scenario_load(argv[i], &sc, err, sizeof(err)) < 0) {
				fprintf(stderr, "%s\n", err);
				bad = 1;
			}
		}
		return bad ? 1 : 0;
	}
	if (optind < argc) {
		fprintf(stderr, "dfk-drivertest: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!catalogue)
		catalogue = default_catalogue(catbuf, sizeof(catbuf));
	if (!n_names)
		names[n_names++] = catalogue;
	for (size_t i = 0; i < n_names; i++)
		if (collect(names[i], catalogue, paths, &n_paths) < 0)
			DFK_EXIT(2);
	if (!n_paths) {
		fprintf(stderr, "dfk-drivertest: no scenarios (%s)\n", catalogue);
		DFK_EXIT(2);
	}
	scs = calloc(n_paths, sizeof(*scs));
	rs = calloc(n_paths, sizeof(*rs));
	if (!scs || !rs)
		DFK_EXIT(2);
	for (size_t i = 0; i < n_paths; i++)
		if (scenario_load(paths[i], &scs[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "dfk-drivertest: %s\n", err);
			DFK_EXIT(2);
		}
	if (list) {
		for (size_t i = 0; i < n_paths; i++)
			printf("%-28s %s%s\n", scs[i].name, scs[i].describe, scs[i].needs_emulator ? " [emulator]" : "");
		DFK_EXIT(0);
	}
	if (!ropt.adapter) {
		fprintf(stderr, "dfk-drivertest: --adapter CMD is required\n");
		DFK_EXIT(2);
	}
	if (topt.device && (topt.emulator || topt.attach)) {
		fprintf(stderr, "dfk-drivertest: --device is a real camera: no --emulator or --attach with it\n");
		DFK_EXIT(2);
	}
	if (ropt.report_dir && mkdir(ropt.report_dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "dfk-drivertest: %s: %s\n", ropt.report_dir, strerror(errno));
		DFK_EXIT(2);
	}
	if (record && mkdir(record, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "dfk-drivertest: %s: %s\n", record, strerror(errno));
		DFK_EXIT(2);
	}
	if (!topt.device && !topt.emulator) {
		if (!mkdtemp(workdir)) {
			fprintf(stderr, "dfk-drivertest: %s: %s\n", workdir, strerror(errno));
			DFK_EXIT(2);
		}
		topt.work_dir = workdir;
	}
	ropt.keep_raw = record || compare;
	if (target_open(&t, &topt, err, sizeof(err)) < 0) {
		fprintf(stderr, "dfk-drivertest: %s\n", err);
		target_close(&t);
		DFK_EXIT(2);
	}
	t0 = proc_now_ns();
	progress = isatty(STDERR_FILENO);
	for (size_t i = 0; i < n_paths; i++) {
		if (progress) {   /* a terminal: scenario n/N, name, elapsed (never in a CI log) */
			fprintf(stderr, "\r\033[K[%zu/%zu] %s  %.0f s", i + 1, n_paths, scs[i].name,
				(double)(proc_now_ns() - t0) / 1e9);
			fflush(stderr);
		}
		run_scenario(&t, &scs[i], &ropt, &rs[i]);
		if (progress)
			fputs("\r\033[K", stderr);
		if (!rs[i].skipped && (record || compare))
			golden_step(&rs[i], record, compare, ropt.report_dir);
		report_console(stdout, &rs[i], ropt.verbose);
		fflush(stdout);
		if (ropt.report_dir && report_scenario_files(ropt.report_dir, &rs[i]) < 0)
			fprintf(stderr, "dfk-drivertest: writing the report of %s failed\n", scs[i].name);
		any_failed |= !rs[i].skipped && !rs[i].passed;
	}
	{
		size_t passed = 0, failed = 0, skipped = 0;

		for (size_t i = 0; i < n_paths; i++) {
			skipped += rs[i].skipped;
			passed += !rs[i].skipped && rs[i].passed;
			failed += !rs[i].skipped && !rs[i].passed;
		}
		printf("%zu scenarios: %zu passed, %zu failed, %zu skipped in %.1f s\n", n_paths, passed, failed, skipped,
		       (double)(proc_now_ns() - t0) / 1e9);
	}
	if (junit && report_junit(junit, rs[0].hello.driver[0] ? rs[0].hello.driver : "dfk-drivertest", rs, n_paths) < 0)
		fprintf(stderr, "dfk-drivertest: %s: cannot write\n", junit);
	if (ropt.report_dir) {
		report_summary(ropt.report_dir, ropt.adapter, rs, n_paths, (double)(proc_now_ns() - t0) / 1e9);
		if (report_html(ropt.report_dir, rs, n_paths, (double)(proc_now_ns() - t0) / 1e9, ropt.adapter) < 0)
			fprintf(stderr, "dfk-drivertest: %s/index.html: cannot write\n", ropt.report_dir);
	}
	target_close(&t);
	rc = any_failed ? 1 : 0;
out:
	if (topt.work_dir) {
		const char *rm[] = { "rm", "-rf", "--", workdir, NULL };

		proc_run_quiet(rm, 30000);
	}
	for (size_t i = 0; i < n_paths; i++) {
		if (rs)
			run_result_free(&rs[i]);
		free(paths[i]);
	}
	free(rs);
	free(scs);
	return rc;
}
