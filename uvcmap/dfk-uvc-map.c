/* SPDX-License-Identifier: MIT */
/* dfk-uvc-map: teaches uvcvideo the camera's extension-unit controls. Reads the
 * mapping file (uvcmap.h) and issues UVCIOC_CTRL_MAP on a /dev/videoN of the
 * camera for each control: one line per control (mapped, already mapped, or the
 * error), exit status 1 when any mapping failed for another reason than
 * already being there. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/uvcvideo.h>
#include <linux/videodev2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "uvcmap.h"

#ifndef UVCMAP_DEFAULT
#define UVCMAP_DEFAULT "/usr/local/share/dfk-emu/uvcmap/dfk38ux267.ini"
#endif
#ifndef DFK_VERSION
#define DFK_VERSION "0.1.0"
#endif

/* the kernel's numbers are the ones uvcmap.h uses */
_Static_assert((int)UVCMAP_INTEGER == (int)V4L2_CTRL_TYPE_INTEGER && (int)UVCMAP_BOOLEAN == (int)V4L2_CTRL_TYPE_BOOLEAN &&
		       (int)UVCMAP_MENU == (int)V4L2_CTRL_TYPE_MENU && (int)UVCMAP_BUTTON == (int)V4L2_CTRL_TYPE_BUTTON,
	       "V4L2 control types");
_Static_assert(UVCMAP_SIGNED == UVC_CTRL_DATA_TYPE_SIGNED && UVCMAP_UNSIGNED == UVC_CTRL_DATA_TYPE_UNSIGNED &&
		       UVCMAP_DATA_BOOLEAN == UVC_CTRL_DATA_TYPE_BOOLEAN && UVCMAP_ENUM == UVC_CTRL_DATA_TYPE_ENUM,
	       "UVC data types");
_Static_assert(sizeof(((struct uvc_menu_info *)0)->name) == UVCMAP_NAME_MAX + 1, "menu name size");
_Static_assert(sizeof(((struct uvc_xu_control_mapping *)0)->name) == UVCMAP_NAME_MAX + 1, "control name size");

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dfk-uvc-map [--device /dev/videoN] [--map FILE] [--list]\n"
		"  --device PATH   the camera's V4L2 device (default /dev/video0)\n"
		"  --map FILE      the mapping file (default %s)\n"
		"  --list          print the mappings the file describes and exit (no device needed)\n"
		"  --help          this text\n"
		"  --version       print the version and exit\n"
		"Exit status: 0 every control mapped or already mapped, 1 a mapping failed or the device\n"
		"cannot be opened, 2 usage or a bad mapping file.\n",
		UVCMAP_DEFAULT);
}

static void print_guid(FILE *out, const uint8_t g[16])
{
	for (int i = 0; i < 16; i++)
		fprintf(out, "%s%02x", (i == 4 || i == 6 || i == 8 || i == 10) ? "-" : "", g[i]);
}

static void list(const struct uvcmap *m)
{
	printf("xu ");
	print_guid(stdout, m->guid);
	printf(" unit %u, %u controls\n", m->unit, m->n);
	for (unsigned i = 0; i < m->n; i++) {
		const struct uvcmap_entry *e = &m->entries[i];
		printf("0x%08x selector 0x%02x bits %u@%u %s %s \"%s\"", e->id, e->selector, e->size, e->offset,
		       uvcmap_v4l2_type_name(e->v4l2_type), uvcmap_data_type_name(e->data_type), e->name);
		for (unsigned k = 0; k < e->menu_count; k++)
			printf("%s%u:%s", k ? ";" : " menu ", e->menu[k].value, e->menu[k].name);
		printf("\n");
	}
}

/* One UVCIOC_CTRL_MAP. Returns 0 or the errno. */
static int map_one(int fd, const struct uvcmap *m, const struct uvcmap_entry *e)
{
	struct uvc_menu_info menu[UVCMAP_MAX_MENU];
	struct uvc_xu_control_mapping x;

	memset(&x, 0, sizeof(x));
	memset(menu, 0, sizeof(menu));
	x.id = e->id;
	memcpy(x.name, e->name, sizeof(e->name));
	memcpy(x.entity, m->guid, sizeof(x.entity));
	x.selector = e->selector;
	x.size = e->size;
	x.offset = e->offset;
	x.v4l2_type = (uint32_t)e->v4l2_type;
	x.data_type = (uint32_t)e->data_type;
	if (e->menu_count) {
		for (unsigned k = 0; k < e->menu_count; k++) {
			menu[k].value = e->menu[k].value;
			memcpy(menu[k].name, e->menu[k].name, sizeof(menu[k].name));
		}
		x.menu_info = menu;
		x.menu_count = e->menu_count;
	}
	return ioctl(fd, UVCIOC_CTRL_MAP, &x) < 0 ? errno : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "map", required_argument, NULL, 'm' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *device = "/dev/video0", *path = UVCMAP_DEFAULT;
	int c, do_list = 0;
	struct uvcmap m;
	char err[512];

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': device = optarg; break;
		case 'm': path = optarg; break;
		case 'l': do_list = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("dfk-uvc-map %s\n", DFK_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dfk-uvc-map: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (uvcmap_load(path, &m, err, sizeof(err)) < 0) {
		fprintf(stderr, "dfk-uvc-map: %s\n", err);
		return 2;
	}
	if (do_list) {
		list(&m);
		uvcmap_free(&m);
		return 0;
	}
	int fd = open(device, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "dfk-uvc-map: %s: %s\n", device, strerror(errno));
		uvcmap_free(&m);
		return 1;
	}
	unsigned mapped = 0, already = 0, failed = 0;
	for (unsigned i = 0; i < m.n; i++) {
		const struct uvcmap_entry *e = &m.entries[i];
		int rc = map_one(fd, &m, e);
		if (rc == 0) {
			printf("mapped          0x%08x \"%s\"\n", e->id, e->name);
			mapped++;
		} else if (rc == EEXIST) {
			printf("already mapped  0x%08x \"%s\"\n", e->id, e->name);
			already++;
		} else {
			printf("error           0x%08x \"%s\": %s\n", e->id, e->name, strerror(rc));
			failed++;
		}
	}
	close(fd);
	printf("%s: %u mapped, %u already mapped, %u failed\n", device, mapped, already, failed);
	uvcmap_free(&m);
	return failed ? 1 : 0;
}
