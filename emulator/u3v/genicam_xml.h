/* SPDX-License-Identifier: MIT */
/* GenICam XML (GenApi schema 1.1) generated from the camera model.
 * Same model in, same bytes out: the XML is reproducible byte for byte. */
#ifndef DFK_GENICAM_XML_H
#define DFK_GENICAM_XML_H

#include <stddef.h>

#include "../../models/model.h"

/* Returns a malloc'd NUL-terminated document and its length, or NULL (logged). */
char *genicam_xml_generate(const struct camera_model *model, size_t *len);

#endif
