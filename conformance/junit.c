/* SPDX-License-Identifier: MIT */
#include "junit.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "rules.h"

static void xml_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, f);
			break;
		}
	}
}

/* The manual's rules (rules.h) this test checks, as JUnit properties: a failure traces to manual sentences. */
static void rule_properties(FILE *f, const char *suite, const char *test)
{
	bool any = false;

	for (size_t i = 0; i < rule_table_len; i++) {
		if (!rule_names_test(&rule_table[i], suite, test))
			continue;
		if (!any)
			fprintf(f, "<properties>");
		any = true;
		fprintf(f, "<property name=\"rule\" value=\"");
		xml_text(f, rule_table[i].id);
		fprintf(f, "\"/>");
	}
	if (any)
		fprintf(f, "</properties>");
}

static unsigned count_failures(CU_pTest t)
{
	unsigned n = 0;

	for (CU_pFailureRecord r = CU_get_failure_list(); r; r = r->pNext)
		if (r->pTest == t)
			n++;
	return n;
}

int junit_write(const char *path, const char *name)
{
	CU_pTestRegistry reg = CU_get_registry();
	FILE *f = fopen(path, "w");

	if (!f || !reg)
		return -1;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"");
	xml_text(f, name);
	fprintf(f, "\">\n");
	for (CU_pSuite s = reg->pSuite; s; s = s->pNext) {
		unsigned tests = 0, failures = 0, skipped = 0;
		for (CU_pTest t = s->pTest; t; t = t->pNext) {
			tests++;
			if (!t->fActive || !s->fActive)
				skipped++;
			else if (count_failures(t))
				failures++;
		}
		fprintf(f, "  <testsuite name=\"");
		xml_text(f, s->pName);
		fprintf(f, "\" tests=\"%u\" failures=\"%u\" skipped=\"%u\">\n", tests, failures, skipped);
		for (CU_pTest t = s->pTest; t; t = t->pNext) {
			fprintf(f, "    <testcase classname=\"");
			xml_text(f, s->pName);
			fprintf(f, "\" name=\"");
			xml_text(f, t->pName);
			fprintf(f, "\">");
			rule_properties(f, s->pName, t->pName);
			if (!t->fActive || !s->fActive) {
				fprintf(f, "<skipped/>");
			} else {
				for (CU_pFailureRecord r = CU_get_failure_list(); r; r = r->pNext) {
					if (r->pTest != t)
						continue;
					fprintf(f, "<failure message=\"");
					xml_text(f, r->strCondition);
					fprintf(f, "\">");
					xml_text(f, r->strFileName);
					fprintf(f, ":%u: ", r->uiLineNumber);
					xml_text(f, r->strCondition);
					fprintf(f, "</failure>");
				}
			}
			fprintf(f, "</testcase>\n");
		}
		fprintf(f, "  </testsuite>\n");
	}
	fprintf(f, "</testsuites>\n");
	return fclose(f) == 0 ? 0 : -1;
}
