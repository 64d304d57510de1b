/* SPDX-License-Identifier: MIT */
/* JUnit XML from a finished CUnit run (CI systems read this format). */
#ifndef CONFORM_JUNIT_H
#define CONFORM_JUNIT_H

int junit_write(const char *path, const char *name);

#endif
