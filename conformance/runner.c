/* SPDX-License-Identifier: MIT */
#include "runner.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conform.h"
#include "testrec.h"

static struct {
	const struct runner_opts *o;
	unsigned suites, suite_no;
	double t0, test_t0;
	char armed[RUNNER_MAX_INJECT][24]; /* ids of the faults armed for the running test */
	unsigned n_armed;
	int inject_errors;
} run;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool runner_add_inject(struct runner_opts *o, char *arg)
{
	char *eq = strchr(arg, '=');
	char *slash = strchr(arg, '/');

	if (!eq || !slash || slash > eq || eq == arg || !eq[1]) {
		fprintf(stderr, "dfk-conform: --inject-fault wants SUITE/TEST=FAULT, not '%s'\n", arg);
		return false;
	}
	if (o->n_inject == RUNNER_MAX_INJECT) {
		fprintf(stderr, "dfk-conform: at most %d --inject-fault options\n", RUNNER_MAX_INJECT);
		return false;
	}
	*eq = '\0';
	o->inject[o->n_inject].test = arg;
	o->inject[o->n_inject].line = eq + 1;
	o->n_inject++;
	return true;
}

static bool names(const char *suite_test, CU_pSuite s, CU_pTest t)
{
	size_t ls = strlen(s->pName);

	return strncmp(suite_test, s->pName, ls) == 0 && suite_test[ls] == '/' && strcmp(suite_test + ls + 1, t->pName) == 0;
}

/* Arms the faults --inject-fault gives this test (their ids are kept to clear them after it). */
static void arm(CU_pSuite s, CU_pTest t)
{
	char out[256];

	run.n_armed = 0;
	for (size_t i = 0; i < run.o->n_inject; i++) {
		const struct runner_inject *in = &run.o->inject[i];

		if (!names(in->test, s, t))
			continue;
		if (!session->io || io_request(session->io, out, sizeof(out), "fault add %s", in->line) < 0) {
			fprintf(stderr, "dfk-conform: --inject-fault %s: %s\n", in->test, session->io ? out : "no I/O rig");
			run.inject_errors++;
			continue;
		}
		snprintf(run.armed[run.n_armed++], sizeof(run.armed[0]), "%.20s", out);
		testrec_fault(in->line);
		if (run.o->verbose)
			printf("\n    fault %s armed: %s", out, in->line);
	}
}

static void suite_start(const CU_pSuite s)
{
	run.suite_no++;
	if (run.o->verbose)
		printf("\nSuite %s:", s->pName);
}

static void test_start(const CU_pTest t, const CU_pSuite s)
{
	if (run.o->verbose)
		printf("\n  Test: %s ...", t->pName);
	fflush(stdout);
	testrec_begin(s, t);
	if (run.o->n_inject)
		arm(s, t);
	run.test_t0 = now_s();
}

static void test_complete(const CU_pTest t, const CU_pSuite s, const CU_pFailureRecord failures)
{
	bool failed = false;
	char out[64];

	for (CU_pFailureRecord f = failures; f && !failed; f = f->pNext)
		failed = f->pTest == t;
	for (unsigned i = 0; i < run.n_armed && session->io; i++)
		io_request(session->io, out, sizeof(out), "fault clear %s", run.armed[i]);
	run.n_armed = 0;
	testrec_end();
	if (run.o->verbose)
		printf("%s", failed ? "FAILED" : "passed");
	fflush(stdout);
	if (run.o->progress)
		fprintf(stderr, "[suite %u/%u] %s/%s  %s  %.2f s  (elapsed %.1f s)\n", run.suite_no, run.suites, s->pName,
			t->pName, failed ? "FAIL" : "pass", now_s() - run.test_t0, now_s() - run.t0);
}

static void all_complete(const CU_pFailureRecord failures)
{
	if (run.o->verbose || failures)
		printf("\n");
	for (CU_pFailureRecord f = failures; f; f = f->pNext)
		printf("FAIL %s/%s: %s:%u: %s\n", f->pSuite ? f->pSuite->pName : "?", f->pTest ? f->pTest->pName : "?",
		       f->strFileName ? f->strFileName : "", f->uiLineNumber, f->strCondition ? f->strCondition : "");
	printf("\n");
	CU_print_run_results(stdout);
	printf("\n");
}

static void suite_init_failed(const CU_pSuite s)
{
	printf("\nSuite %s: its set-up failed; its tests did not run\n", s->pName);
}

int runner_run(const struct runner_opts *o)
{
	memset(&run, 0, sizeof(run));
	run.o = o;
	for (CU_pSuite s = CU_get_registry()->pSuite; s; s = s->pNext)
		run.suites += s->uiNumberOfTests > 0;
	run.t0 = now_s();
	CU_set_suite_start_handler(suite_start);
	CU_set_test_start_handler(test_start);
	CU_set_test_complete_handler(test_complete);
	CU_set_all_test_complete_handler(all_complete);
	CU_set_suite_init_failure_handler(suite_init_failed);
	/* a suite without its rig deactivates its tests and says why: not a failure */
	CU_set_fail_on_inactive(CU_FALSE);
	/* the run's error is the last problem met (an inactive test, a suite set-up that
	 * failed), each already counted or reported; only a missing registry is fatal */
	if (CU_run_all_tests() == CUE_NOREGISTRY) {
		fprintf(stderr, "dfk-conform: CUnit: %s\n", CU_get_error_msg());
		return -1;
	}
	return (int)CU_get_number_of_tests_failed() + (run.inject_errors ? 1 : 0);
}
