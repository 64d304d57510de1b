/* SPDX-License-Identifier: MIT */
/* dfk-conform: what the suites share on top of libconform (lib/): the suite list,
 * CUnit and the checks that record a message. */
#ifndef CONFORM_H
#define CONFORM_H

#include <CUnit/CUnit.h>
#include <stdbool.h>
#include <stdint.h>

#include "gcutil.h"
#include "session.h"
#include "testrec.h"

/* Every suite, in run order: X(name) is `dfk-conform --suite name`, defined by
 * suites/suite_<name>.c as suite_<name>_register(). A new suite is one line here.
 * uvc is the one suite for a USB Video Class device (main.c picks by the device). */
#define CONFORM_SUITES(X)  \
	X(usbip)           \
	X(descriptors)     \
	X(gencp)           \
	X(bootstrap)       \
	X(genicam)         \
	X(features)        \
	X(usersets)        \
	X(stream)          \
	X(framerate)       \
	X(trigger)         \
	X(strobe)          \
	X(dependencies)    \
	X(imaging)         \
	X(faults)          \
	X(uvc)

/* Adds the suite called `name` and its tests to the CUnit registry (no device needed:
 * suites open it when they run). */
#define CONFORM_SUITE_DECLARE(id) void suite_##id##_register(const char *name);
CONFORM_SUITES(CONFORM_SUITE_DECLARE)
#undef CONFORM_SUITE_DECLARE

/* Suites that need the I/O rig deactivate their tests, saying why, when there is none. rig.c. */
int rig_suite_init(void);

/* A failed check with a message: CUnit records the text, the log shows details. */
#define CHECK_MSG(cond, ...)                                                   \
	do {                                                                   \
		if (!(cond)) {                                                 \
			char _m[2048];                                          \
			snprintf(_m, sizeof(_m), __VA_ARGS__);                 \
			CU_assertImplementation(CU_FALSE, __LINE__, _m, __FILE__, "", CU_FALSE); \
		} else {                                                       \
			CU_assertImplementation(CU_TRUE, __LINE__, #cond, __FILE__, "", CU_FALSE); \
		}                                                              \
	} while (0)

/* CHECK_MSG for an assertion about device time t (ns): the HTML report marks t in the
 * test's timing diagram as an edge the test expected, in red when cond is false. */
#define CHECK_AT(t, cond, ...)                                                 \
	do {                                                                   \
		bool _ok = (cond);                                             \
		char _at[512];                                                 \
		snprintf(_at, sizeof(_at), __VA_ARGS__);                       \
		testrec_mark((t), !_ok, _at);                                  \
		CHECK_MSG(_ok, "%s", _at);                                     \
	} while (0)

#define REQUIRE_MSG(cond, ...)                                                 \
	do {                                                                   \
		if (!(cond)) {                                                 \
			char _m[2048];                                          \
			snprintf(_m, sizeof(_m), __VA_ARGS__);                 \
			CU_assertImplementation(CU_FALSE, __LINE__, _m, __FILE__, "", CU_TRUE); \
			return;                                                \
		}                                                              \
	} while (0)

#endif
