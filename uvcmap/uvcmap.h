/* SPDX-License-Identifier: MIT */
/* The UVC extension-unit mapping file (uvcmap/dfk38ux267.ini): a bounded,
 * line-checked reader. One [xu] group (guid, unit), then one group per V4L2
 * control: the group name is the control's name, the keys say where its value
 * lies in which XU control (id, selector, size, offset, v4l2_type, data_type,
 * menu). Other keys (feature, scale, values, origin, selector_len) belong to
 * other readers and are skipped. No kernel headers here: the loader
 * (dfk-uvc-map.c) turns an entry into struct uvc_xu_control_mapping. */
#ifndef UVCMAP_H
#define UVCMAP_H

#include <stddef.h>
#include <stdint.h>

/* Bounds, each checked in one place (uvcmap.c). The kernel's own limits: a V4L2 name
 * is at most 31 bytes (name[32]), a menu at most 32 entries, a device at most 1024
 * mappings (UVC_MAX_CONTROL_MAPPINGS). */
#define UVCMAP_MAX_FILE   (1u << 20)  /* bytes */
#define UVCMAP_MAX_LINE   1024        /* bytes, without the line end */
#define UVCMAP_MAX_ENTRIES 1024
#define UVCMAP_MAX_MENU   32
#define UVCMAP_NAME_MAX   31

/* V4L2 control types (videodev2.h V4L2_CTRL_TYPE_*) and UVC data types
 * (uvcvideo.h UVC_CTRL_DATA_TYPE_*), as the kernel numbers them. */
enum uvcmap_v4l2_type { UVCMAP_INTEGER = 1, UVCMAP_BOOLEAN = 2, UVCMAP_MENU = 3, UVCMAP_BUTTON = 4 };
enum uvcmap_data_type { UVCMAP_SIGNED = 1, UVCMAP_UNSIGNED = 2, UVCMAP_DATA_BOOLEAN = 3, UVCMAP_ENUM = 4 };

struct uvcmap_menu_item {
	uint32_t value;                   /* the value on the wire */
	char name[UVCMAP_NAME_MAX + 1];
};

struct uvcmap_entry {
	char name[UVCMAP_NAME_MAX + 1];
	uint32_t id;                      /* V4L2 control id */
	uint8_t selector;                 /* XU control selector, 1..255 */
	uint8_t size, offset;             /* bits: 1..32, and offset + size <= 255 */
	enum uvcmap_v4l2_type v4l2_type;
	enum uvcmap_data_type data_type;
	unsigned menu_count;              /* menu only: 1..32 */
	struct uvcmap_menu_item menu[UVCMAP_MAX_MENU];
	unsigned line;                    /* of the group header, for messages */
};

struct uvcmap {
	uint8_t guid[16];                 /* descriptor byte order, as uuid_parse() gives it */
	uint8_t unit;                     /* the XU's bUnitID */
	unsigned n;
	struct uvcmap_entry *entries;     /* n of them (malloc'd) */
};

/* Parses `len` bytes of `text`. Returns 0, or -1 with "LINE: what" in err (nothing
 * to free then). On success free with uvcmap_free(). */
int uvcmap_parse(const char *text, size_t len, struct uvcmap *map, char *err, size_t errlen);
/* Reads and parses a file (at most UVCMAP_MAX_FILE bytes). -1 with "PATH:LINE: what" in err. */
int uvcmap_load(const char *path, struct uvcmap *map, char *err, size_t errlen);
void uvcmap_free(struct uvcmap *map);

const char *uvcmap_v4l2_type_name(enum uvcmap_v4l2_type t);
const char *uvcmap_data_type_name(enum uvcmap_data_type t);

#endif
