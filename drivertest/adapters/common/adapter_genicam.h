/* SPDX-License-Identifier: MIT */
/* Writing a GenICam feature by name from the contract's text (`--set NAME=VALUE`,
 * `set NAME=VALUE`) and executing a command feature, through libaravis's GenICam
 * evaluation (ArvGc). Shared by the adapters whose GenICam layer is ArvGc: Aravis itself,
 * and the reference adapter, which evaluates the camera's XML with ArvGc over its own
 * GenCP client. An adapter whose driver has its own feature API does not need this. */
#ifndef DRIVERTEST_ADAPTER_GENICAM_H
#define DRIVERTEST_ADAPTER_GENICAM_H

#include <arv.h>
#include <stdbool.h>

#include "adapter_io.h"

/* Writes s->value to the feature s->name with the node's own type: an enumeration by
 * entry name, a boolean from true/false, an integer or a float parsed strictly, a string
 * as it is. Returns false with *error set (the driver's message, or why the text does not
 * fit the node). */
bool adapter_genicam_write(ArvGc *genicam, const struct adapter_setting *s, GError **error);

/* Executes the command feature `name`. Returns false with *error set. */
bool adapter_genicam_execute(ArvGc *genicam, const char *name, GError **error);

#endif
