/* SPDX-License-Identifier: MIT */
/* dfk-trace: compare two recorded traces of dfk-emu (event logs, VCD files or
 * golden traces of dfk-drivertest) edge by edge. docs/traces.md, man/dfk-trace.1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"
#include "trace/trace_impl.h"

#define DFK_TRACE_VERSION "0.1.0"
#define MAX_IGNORE 64

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dfk-trace diff A B [options]\n"
		"Compares two traces of dfk-emu edge by edge and prints one line per difference.\n"
		"A and B: event logs (the lines of the I/O channel's `events` reply), VCD files\n"
		"(dfk-emu --vcd, `vcd start`) or golden traces of dfk-drivertest; the kind is told\n"
		"by the first line. Device-side edges compare exactly, host-paced ones (frame_sent,\n"
		"frame_memory, host_violation, the adapter's lines) within the tolerance.\n"
		"\n"
		"options:\n"
		"  --tolerance-ns N   host-side tolerance in ns (default: the golden trace's, else 0)\n"
		"  --align KIND       compare device times relative to the first event of KIND\n"
		"                     (e.g. trigger_in; default: the golden trace's; none: absolute)\n"
		"  --ignore KIND      leave out an event kind or VCD signal; host: the adapter's lines,\n"
		"                     host:WORD those starting with WORD (repeatable)\n"
		"  --max-lines N      print at most N differences (default 10000; all are counted)\n"
		"  -h, --help         this text\n"
		"  --version          print the version\n"
		"\n"
		"exit status: 0 the same, 1 differences, 2 an error\n");
}

static int bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "dfk-trace: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (dfk-trace --help)\n");
	return 2;
}

static int cmd_diff(int argc, char **argv)
{
	const char *files[2] = { NULL, NULL }, *ignore[MAX_IGNORE];
	struct trace_diff_opts o = { .tolerance_ns = -1 };
	struct trace *t[2] = { NULL, NULL };
	char err[600];
	int nfiles = 0, rc;

	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		if (!strcmp(arg, "--tolerance-ns") || !strcmp(arg, "--align") || !strcmp(arg, "--ignore") ||
		    !strcmp(arg, "--max-lines")) {
			const char *val = i + 1 < argc ? argv[++i] : NULL;
			uint64_t v;
			if (!val)
				return bad("%s needs a value", arg);
			if (!strcmp(arg, "--tolerance-ns")) {
				if (!trace_parse_time(val, &v))
					return bad("--tolerance-ns '%s': ns, a decimal number", val);
				o.tolerance_ns = (int64_t)v;
			} else if (!strcmp(arg, "--align")) {
				if (strcmp(val, "none") && !trace_valid_name(val))
					return bad("--align '%s': an event kind or signal name", val);
				o.align = val;
			} else if (!strcmp(arg, "--ignore")) {
				if (o.n_ignore >= MAX_IGNORE)
					return bad("more than %s --ignore options", "64");
				if (strcmp(val, "host") && !trace_valid_name(val))
					return bad("--ignore '%s': an event kind, signal name, host or host:WORD", val);
				ignore[o.n_ignore++] = val;
			} else {
				if (!trace_parse_u64(val, &v) || v < 1 || v > 100000000)
					return bad("--max-lines '%s': 1 to 100000000", val);
				o.max_lines = (size_t)v;
			}
		} else if (arg[0] == '-' && arg[1]) {
			return bad("unknown option '%s'", arg);
		} else if (nfiles < 2) {
			files[nfiles++] = arg;
		} else {
			return bad("one trace too many: '%s'", arg);
		}
	}
	if (nfiles != 2)
		return bad("diff takes two traces%s", "");
	o.ignore = ignore;
	for (int i = 0; i < 2; i++) {
		if (trace_load(files[i], &t[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "dfk-trace: %s\n", err);
			trace_free(t[0]);
			return 2;
		}
	}
	rc = trace_diff(t[0], t[1], &o, stdout, err, sizeof(err));
	trace_free(t[0]);
	trace_free(t[1]);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "dfk-trace: cannot write the differences\n");
		return 2;
	}
	if (rc < 0) {
		fprintf(stderr, "dfk-trace: %s\n", err);
		return 2;
	}
	if (rc > 0)
		fprintf(stderr, "dfk-trace: %d difference%s\n", rc, rc == 1 ? "" : "s");
	return rc > 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return bad("a command is needed%s", "");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("dfk-trace " DFK_TRACE_VERSION "\n");
		return 0;
	}
	if (!strcmp(argv[1], "diff"))
		return cmd_diff(argc - 2, argv + 2);
	return bad("unknown command '%s'", argv[1]);
}
