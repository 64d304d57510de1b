/* SPDX-License-Identifier: MIT */
#include "runner/report.h"

#include <inttypes.h>
#include <string.h>

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void xml_str(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if (c >= 0x20 || c == '\n' || c == '\t')
				fputc(c, f);
		}
	}
}

static const char *verdict(const struct run_result *r)
{
	return r->skipped ? "SKIP" : r->passed ? "PASS" : "FAIL";
}

void report_console(FILE *f, const struct run_result *r, bool verbose)
{
	fprintf(f, "%-4s %-28s %6.1f s  frames %" PRIu64 " ok %" PRIu64 "", verdict(r), r->sc->name, r->seconds,
		r->counters[SC_C_FRAMES], r->counters[SC_C_OK]);
	if (r->has_device)
		fprintf(f, " | camera sent %" PRIu64 " dropped %" PRIu64 " | violations %" PRIu64, r->counters[SC_C_SENT],
			r->counters[SC_C_DROPPED], r->counters[SC_C_VIOLATIONS]);
	fputc('\n', f);
	if (r->skipped) {
		fprintf(f, "       %s\n", r->skip_reason);
		return;
	}
	for (unsigned i = 0; i < r->n_results; i++) {
		const struct expect_result *e = &r->results[i];

		if (!e->passed)
			fprintf(f, "       FAILED  %s: %s\n", e->text, e->reason);
		else if (e->skipped || verbose)
			fprintf(f, "       %-7s %s%s%s\n", e->skipped ? "skipped" : "ok", e->text, e->reason[0] ? ": " : "",
				e->reason);
	}
}

int report_scenario_files(const char *dir, const struct run_result *r)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.json", dir, r->sc->name);
	f = fopen(path, "we");
	if (!f)
		return -1;
	fprintf(f, "{\n  \"scenario\": ");
	json_str(f, r->sc->name);
	fprintf(f, ",\n  \"describe\": ");
	json_str(f, r->sc->describe);
	fprintf(f, ",\n  \"result\": \"%s\",\n  \"seconds\": %.3f,\n", r->skipped ? "skipped" : r->passed ? "passed" : "failed",
		r->seconds);
	fprintf(f, "  \"driver\": {\"name\": ");
	json_str(f, r->hello.driver);
	fprintf(f, ", \"version\": ");
	json_str(f, r->hello.version);
	fprintf(f, ", \"mode\": ");
	json_str(f, r->hello.mode);
	fprintf(f, "},\n  \"adapter\": {\"ready\": %s, \"done\": %s, \"hung\": %s, \"exit_status\": %d, \"lines\": %zu, "
		   "\"protocol_errors\": %u},\n",
		r->ready ? "true" : "false", r->done ? "true" : "false", r->hung ? "true" : "false", r->exit_status,
		r->n_lines, r->protocol_errors);
	if (r->skipped) {
		fprintf(f, "  \"skip_reason\": ");
		json_str(f, r->skip_reason);
		fprintf(f, ",\n");
	}
	fprintf(f, "  \"counters\": {");
	for (int c = 0; c < SC_C_COUNT; c++) {
		if (sc_counter_is_device(c) && !r->has_device)
			continue;
		fprintf(f, "%s\"%s\": %" PRIu64, c ? ", " : "", sc_counter_name(c), r->counters[c]);
	}
	fprintf(f, "},\n  \"expectations\": [");
	for (unsigned i = 0; i < r->n_results; i++) {
		const struct expect_result *e = &r->results[i];

		fprintf(f, "%s\n    {\"expect\": ", i ? "," : "");
		json_str(f, e->text);
		fprintf(f, ", \"result\": \"%s\", \"implicit\": %s, \"reason\": ",
			e->skipped ? "skipped" : e->passed ? "passed" : "failed", e->implicit ? "true" : "false");
		json_str(f, e->reason);
		fputc('}', f);
	}
	fprintf(f, "\n  ],\n  \"violations\": [");
	for (size_t i = 0; i < r->n_violations; i++) {
		fprintf(f, "%s\n    ", i ? "," : "");
		json_str(f, r->violations[i].text);
	}
	fprintf(f, "\n  ],\n  \"errors\": [");
	{
		bool first = true;

		for (size_t i = 0; i < r->n_lines; i++) {
			const struct ad_event *ev = &r->lines[i].ev;

			if (ev->kind != AD_ERROR && ev->kind != AD_LOST)
				continue;
			fprintf(f, "%s\n    {\"at_ms\": %.3f, \"kind\": \"%s\", \"stage\": ", first ? "" : ",",
				(double)r->lines[i].arrival_ns / 1e6, ad_kind_name(ev->kind));
			json_str(f, ev->stage);
			fprintf(f, ", \"msg\": ");
			json_str(f, ev->msg);
			fputc('}', f);
			first = false;
		}
	}
	fprintf(f, "\n  ]\n}\n");
	if (fclose(f) != 0)
		return -1;

	if (r->dev.n) {
		snprintf(path, sizeof(path), "%s/%s.events", dir, r->sc->name);
		f = fopen(path, "we");
		if (!f)
			return -1;
		for (size_t i = 0; i < r->dev.n; i++) {
			const struct io_event *e = &r->dev.ev[i].e;

			if ((int64_t)r->dev.ev[i].power_up <= r->base_power_up)
				continue;
			fprintf(f, "%" PRIu64 " %" PRIu64 " %s %" PRId64 " %" PRId64 "%s%s\n", e->seq, e->t, e->kind, e->a, e->b,
				e->reason[0] ? " " : "", e->reason);
		}
		if (fclose(f) != 0)
			return -1;
	}
	return 0;
}

int report_junit(const char *path, const char *suite, const struct run_result *rs, size_t n)
{
	FILE *f = fopen(path, "we");
	size_t failures = 0, skipped = 0;
	double total = 0;

	if (!f)
		return -1;
	for (size_t i = 0; i < n; i++) {
		failures += !rs[i].skipped && !rs[i].passed;
		skipped += rs[i].skipped;
		total += rs[i].seconds;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n<testsuite name=\"");
	xml_str(f, suite);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" errors=\"0\" time=\"%.3f\">\n", n, failures, skipped,
		total);
	for (size_t i = 0; i < n; i++) {
		const struct run_result *r = &rs[i];

		fprintf(f, "  <testcase classname=\"");
		xml_str(f, suite);
		fprintf(f, "\" name=\"");
		xml_str(f, r->sc->name);
		fprintf(f, "\" time=\"%.3f\">\n", r->seconds);
		if (r->skipped) {
			fprintf(f, "    <skipped message=\"");
			xml_str(f, r->skip_reason);
			fprintf(f, "\"/>\n");
		} else if (!r->passed) {
			fprintf(f, "    <failure message=\"");
			for (unsigned k = 0, first = 1; k < r->n_results; k++)
				if (!r->results[k].passed) {
					if (!first)
						fputs("; ", f);
					xml_str(f, r->results[k].text);
					fputs(": ", f);
					xml_str(f, r->results[k].reason);
					first = 0;
				}
			fprintf(f, "\">");
			for (unsigned k = 0; k < r->n_results; k++) {
				xml_str(f, r->results[k].skipped ? "skipped " : r->results[k].passed ? "passed  " : "FAILED  ");
				xml_str(f, r->results[k].text);
				if (r->results[k].reason[0]) {
					fputs(": ", f);
					xml_str(f, r->results[k].reason);
				}
				fputc('\n', f);
			}
			fprintf(f, "</failure>\n");
		}
		fprintf(f, "  </testcase>\n");
	}
	fprintf(f, "</testsuite>\n</testsuites>\n");
	return fclose(f) == 0 ? 0 : -1;
}

int report_summary(const char *dir, const char *adapter, const struct run_result *rs, size_t n, double seconds)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/summary.json", dir);
	f = fopen(path, "we");
	if (!f)
		return -1;
	fprintf(f, "{\n  \"adapter\": ");
	json_str(f, adapter);
	fprintf(f, ",\n  \"seconds\": %.3f,\n  \"scenarios\": [", seconds);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s\n    {\"scenario\": ", i ? "," : "");
		json_str(f, rs[i].sc->name);
		fprintf(f, ", \"result\": \"%s\", \"seconds\": %.3f, \"failed\": [",
			rs[i].skipped ? "skipped" : rs[i].passed ? "passed" : "failed", rs[i].seconds);
		for (unsigned k = 0, first = 1; k < rs[i].n_results; k++)
			if (!rs[i].results[k].passed) {
				fputs(first ? "" : ", ", f);
				json_str(f, rs[i].results[k].text);
				first = 0;
			}
		fputs("]}", f);
	}
	fprintf(f, "\n  ]\n}\n");
	return fclose(f) == 0 ? 0 : -1;
}
