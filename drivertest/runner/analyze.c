/* SPDX-License-Identifier: MIT */
/* dfk-drivertest --analyze (analyze.h): read a usbmon capture, feed the host-behaviour
 * monitor offline, print what each rule found, write the JSON / JUnit reports. */
#include "analyze.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/host_monitor.h"
#include "monitor/usbmon_capture.h"

#define EXIT_CLEAN 0
#define EXIT_VIOLATIONS 1
#define EXIT_BAD 2

/* Lines of occurrences printed per rule in the summary (the reports hold all recorded ones). */
#define SHOW_PER_RULE 5

struct args {
	const char *capture, *json, *junit;
	bool quiet;
	struct umc_options opt;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: dfk-drivertest --analyze CAPTURE [--device BUS:DEV] [--json FILE] [--junit FILE] [--quiet]\n"
		   "  CAPTURE          a usbmon capture: pcap or pcapng (tcpdump -i usbmonN -w, Wireshark, dumpcap)\n"
		   "                   or usbmon binary records (docs/host-monitor.md); '-' reads stdin (then --device)\n"
		   "  --device BUS:DEV the device to judge (default: the only USB3 Vision device in the capture)\n"
		   "  --json FILE      the monitor's report as JSON (schema dfk-emu/host-monitor/1)\n"
		   "  --junit FILE     the same as JUnit XML, one testcase per rule (live-only rules skipped)\n"
		   "  --quiet          print only the verdict line\n"
		   "exit status: 0 no error, 1 violations, 2 bad capture or usage\n");
}

static bool parse_u(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !errno && !*end && *out <= max;
}

static bool parse_device(const char *s, struct umc_options *o)
{
	char buf[32];
	const char *colon = s ? strchr(s, ':') : NULL;
	unsigned long bus, dev;

	if (!colon || (size_t)(colon - s) >= sizeof(buf))
		return false;
	memcpy(buf, s, (size_t)(colon - s));
	buf[colon - s] = '\0';
	if (!parse_u(buf, 65535, &bus) || !parse_u(colon + 1, 255, &dev))
		return false;
	o->select_device = true;
	o->bus = (uint16_t)bus;
	o->devnum = (uint8_t)dev;
	return true;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(s, "--device")) {
			if (!parse_device(val, &a->opt)) {
				fprintf(stderr, "dfk-drivertest --analyze: --device wants BUS:DEV (numbers), not '%s'\n",
					val ? val : "");
				return -1;
			}
			i++;
		} else if (!strcmp(s, "--json") || !strcmp(s, "--junit")) {
			if (!val) {
				fprintf(stderr, "dfk-drivertest --analyze: %s wants a file name\n", s);
				return -1;
			}
			*(!strcmp(s, "--json") ? &a->json : &a->junit) = val;
			i++;
		} else if (!strcmp(s, "--quiet") || !strcmp(s, "-q")) {
			a->quiet = true;
		} else if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			usage(stdout);
			return 1;
		} else if (s[0] == '-' && s[1]) {
			fprintf(stderr, "dfk-drivertest --analyze: unknown option '%s'\n", s);
			return -1;
		} else if (!a->capture) {
			a->capture = s;
		} else {
			fprintf(stderr, "dfk-drivertest --analyze: one capture at a time ('%s' and '%s')\n", a->capture, s);
			return -1;
		}
	}
	if (!a->capture) {
		fprintf(stderr, "dfk-drivertest --analyze: which capture?\n");
		return -1;
	}
	return 0;
}

static int write_report(const char *path, const struct host_monitor *m, bool junit)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f) {
		fprintf(stderr, "dfk-drivertest --analyze: %s: %s\n", path, strerror(errno));
		return -1;
	}
	rc = junit ? host_monitor_write_junit(m, f) : host_monitor_write_json(m, f);
	if (fclose(f) != 0 || rc != 0) {
		fprintf(stderr, "dfk-drivertest --analyze: writing %s failed\n", path);
		return -1;
	}
	return 0;
}

static void print_summary(const char *path, const struct umc_stats *st, const struct host_monitor *m)
{
	size_t n_rules, n_v;
	const struct hm_rule *rules = hm_rules(&n_rules);
	const struct hm_violation *v;
	const struct hm_stats *hs = host_monitor_stats(m);

	n_v = host_monitor_violations(m, &v);
	printf("capture %s: %s", path, umc_format_name(st->format));
	if (st->linktype)
		printf(" (link type %" PRIu32 ")", st->linktype);
	printf(", %" PRIu64 " records, %" PRIu64 " usbmon events", st->records, st->events);
	if (st->other_records)
		printf(", %" PRIu64 " records of other link types skipped", st->other_records);
	printf("\n");
	size_t others = 0;
	uint64_t other_events = 0;
	for (size_t i = 0; i < st->n_devices; i++) {
		const struct umc_device *d = &st->devices[i];
		bool judged = d->bus == st->bus && d->devnum == st->devnum;
		if (!d->u3v && !judged) {   /* hubs, keyboards ...: only counted */
			others++;
			other_events += d->events;
			continue;
		}
		printf("  device %u:%u%s: %" PRIu64 " events%s\n", d->bus, d->devnum, d->u3v ? " (USB3 Vision)" : "",
		       d->events, judged ? "  <- judged" : "");
	}
	if (others || st->more_devices)
		printf("  %zu other device%s: %" PRIu64 " events%s\n", others, others == 1 ? "" : "s", other_events,
		       st->more_devices ? " (and more devices than listed)" : "");
	printf("device %u:%u: %" PRIu64 " submits, %" PRIu64 " completions, %" PRIu64 " submit errors over %.3f s\n",
	       st->bus, st->devnum, st->submits, st->completions, st->submit_errors, (double)st->duration_ns / 1e9);
	if (st->truncated || st->unknown_urbs || st->id_reuse || st->untracked || st->pending_at_end || st->anomalies)
		printf("capture notes: %" PRIu64 " events with data cut short (judged on what was kept), %" PRIu64
		       " completions of URBs submitted before the capture, %" PRIu64 " URB ids reused while pending "
		       "(completions lost), %" PRIu64 " URBs untracked, %" PRIu64 " still pending at the end, %" PRIu64
		       " anomalies tolerated\n",
		       st->truncated, st->unknown_urbs, st->id_reuse, st->untracked, st->pending_at_end, st->anomalies);
	printf("rules:\n");
	for (size_t r = 0; r < n_rules; r++) {
		uint64_t count = host_monitor_rule_count(m, (enum hm_rule_id)r);
		const char *verdict = !rules[r].offline && count == 0 ? "SKIP"
				      : count == 0 ? "PASS"
				      : rules[r].severity == HM_SEV_ERROR ? "FAIL" : "WARN";
		int pad = 32 - (int)strlen(rules[r].id);
		printf("  %s %s", verdict, rules[r].id);
		if (count)
			printf("%*s %" PRIu64 " %s%s", pad > 0 ? pad : 0, "", count, hm_severity_name(rules[r].severity),
			       count == 1 ? "" : "s");
		else if (!rules[r].offline)
			printf("%*s (needs live device events)", pad > 0 ? pad : 0, "");
		printf("\n");
		unsigned shown = 0;
		for (size_t i = 0; i < n_v && count; i++) {
			if (v[i].rule != (enum hm_rule_id)r)
				continue;
			if (shown++ == SHOW_PER_RULE) {
				printf("      ... (%" PRIu64 " in all; --json/--junit list every recorded one)\n", count);
				break;
			}
			printf("      t=%.6f s", (double)v[i].t_ns / 1e9);
			if (v[i].has_urb)
				printf(" urb #%" PRIu32 " ep 0x%02x", v[i].seq, v[i].ep);
			if (v[i].has_ref)
				printf(" (ref #%" PRIu32 ")", v[i].ref_seq);
			printf(": %s\n", v[i].detail);
		}
	}
	if (hs && hs->not_recorded)
		printf("(%" PRIu64 " violations counted but not recorded: max_violations)\n", hs->not_recorded);
}

int dt_analyze_main(int argc, char **argv)
{
	struct args a;
	struct umc_stats st;
	struct hm_config cfg = { .offline = true };
	struct host_monitor *m;
	char err[512];
	FILE *f;
	int rc;

	rc = parse_args(argc, argv, &a);
	if (rc != 0) {
		if (rc < 0)
			usage(stderr);
		return rc < 0 ? EXIT_BAD : EXIT_CLEAN;
	}
	f = strcmp(a.capture, "-") ? fopen(a.capture, "rb") : stdin;
	if (!f) {
		fprintf(stderr, "dfk-drivertest --analyze: %s: %s\n", a.capture, strerror(errno));
		return EXIT_BAD;
	}
	m = host_monitor_new(&cfg);
	if (!m) {
		fprintf(stderr, "dfk-drivertest --analyze: out of memory\n");
		if (f != stdin)
			fclose(f);
		return EXIT_BAD;
	}
	rc = umc_analyze(f, &a.opt, m, &st, err, sizeof(err));
	if (f != stdin)
		fclose(f);
	if (rc != 0) {
		fprintf(stderr, "dfk-drivertest --analyze: %s: %s\n", a.capture, err);
		host_monitor_free(m);
		return EXIT_BAD;
	}
	if (!a.quiet)
		print_summary(a.capture, &st, m);
	if ((a.json && write_report(a.json, m, false) != 0) || (a.junit && write_report(a.junit, m, true) != 0)) {
		host_monitor_free(m);
		return EXIT_BAD;
	}
	uint64_t errors = host_monitor_errors(m), all = host_monitor_stats(m)->violations;
	printf("%s: %" PRIu64 " error%s, %" PRIu64 " warning%s (device %u:%u, %" PRIu64 " URBs)\n",
	       errors ? "FAIL" : "PASS", errors, errors == 1 ? "" : "s", all - errors, all - errors == 1 ? "" : "s", st.bus,
	       st.devnum, st.submits);
	host_monitor_free(m);
	return errors ? EXIT_VIOLATIONS : EXIT_CLEAN;
}
