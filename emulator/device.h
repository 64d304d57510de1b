/* One emulated camera: the camera behaviour, its USB3 Vision function, the
 * register map that joins them, and its USB/IP export. */
#ifndef DFK_DEVICE_H
#define DFK_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "camera/camera.h"
#include "io/vcd.h"
#include "regmap/regmap.h"
#include "u3v/u3v_device.h"
#include "u3v/u3v_stream.h"
#include "usbip/usbip_server.h"

struct emu_device_config {
	const struct camera_model *model;
	const char *serial;
	const char *state_dir;        /* this camera's own directory */
	struct camera_options opt;
	unsigned bus_index;           /* 1-based: bus id "1-<n>" */
};

struct emu_device {
	struct camera cam;
	struct u3v_device u3v;
	struct u3v_stream stream;
	struct regmap map;
	char *xml;
	size_t xml_len;
	struct usbip_export exp;
	struct usbip_server *srv;
	struct evloop *loop;
	struct ev_timer unplug_timer;
	struct vcd vcd;
};

int emu_device_init(struct emu_device *d, struct evloop *loop, const struct emu_device_config *cfg);
int emu_device_export(struct emu_device *d, struct usbip_server *srv);
void emu_device_free(struct emu_device *d);
/* VCD trace of this camera's I/O lines and trigger chain (one at a time). */
int emu_device_vcd_start(struct emu_device *d, const char *path);
void emu_device_vcd_stop(struct emu_device *d);

#endif
