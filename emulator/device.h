/* SPDX-License-Identifier: MIT */
/* One emulated camera: the camera behaviour, its two USB faces -- the USB3
 * Vision function (the register map joins it to the camera) and the USB Video
 * Class function (docs/uvc.md) -- and its USB/IP export, which shows one face
 * at a time. */
#ifndef DFK_DEVICE_H
#define DFK_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "camera/camera.h"
#include "common/latency.h"
#include "fault/fault.h"
#include "io/vcd.h"
#include "regmap/regmap.h"
#include "u3v/u3v_device.h"
#include "u3v/u3v_stream.h"
#include "usbip/usbip_server.h"
#include "uvc/uvc_device.h"

/* Which USB face the camera shows (the real camera's firmware mode). */
enum emu_face {
	EMU_FACE_DEFAULT = 0,   /* as remembered in the state directory, else USB3 Vision */
	EMU_FACE_U3V,
	EMU_FACE_UVC,
};

const char *emu_face_name(enum emu_face face);   /* "u3v", "uvc" */
/* "u3v" / "uvc" -> the face; EMU_FACE_DEFAULT for anything else. */
enum emu_face emu_face_parse(const char *name);

struct emu_device_config {
	const struct camera_model *model;
	const char *serial;
	const char *state_dir;        /* this camera's own directory */
	struct camera_options opt;
	unsigned bus_index;           /* 1-based: bus id "1-<n>" */
	bool monitor;                 /* judge the host's transfers (device_monitor.c) */
	enum emu_face face;           /* EMU_FACE_DEFAULT: the state directory's, else U3V */
};

struct emu_device {
	struct camera cam;
	struct u3v_device u3v;
	struct u3v_stream stream;
	struct regmap map;
	char *xml;
	size_t xml_len;
	struct usbip_export exp;
	enum emu_face face;                   /* the face exported now (U3V or UVC) */
	bool has_uvc;                         /* the model has a UVC face */
	struct uvc_device uvc;
	struct uvc_stream_clock uvc_link_clock;
	const struct usbip_observer_ops *u3v_observer;   /* the monitor, off while the UVC face shows */
	void *u3v_observer_ctx;
	struct usbip_server *srv;
	struct evloop *loop;
	struct ev_timer unplug_timer;
	struct vcd vcd;
	struct u3v_stream_clock link_clock;   /* the stream's link model runs on the camera's clock */
	struct dev_event link_wake;
	/* per frame: device time from its readout end plus its link time to its last byte in the
	 * socket (the I/O request `latency`; a benchmark figure) */
	struct latency_ring handoff;
	uint64_t handoff_link_ns;             /* the last frame's link time */

	struct host_monitor *monitor;         /* NULL: off (device_monitor.c) */
	uint64_t monitor_t0;                  /* CLOCK_MONOTONIC ns when it started: its clock's zero */

	/* fault injection (device_faults.c) */
	struct fault_engine faults;
	struct fault_hooks fault_hooks;
	struct dev_event fault_due;
	struct dev_event replug_event;
	struct dev_event usb_wake;            /* transfers held by delay/nak faults */
	struct dev_event ack_wake;            /* GenCP acks held by ack-pending/ack-late faults */
	uint64_t replug_at;
	uint64_t block_id_offset;             /* skip-ids faults so far (this power cycle) */
	int64_t timestamp_offset;             /* time-jump faults so far */
	bool corrupt_pending;                 /* the frame being queued gets a field replaced */
	enum fault_field corrupt_field;
	uint64_t corrupt_value;
};

int emu_device_init(struct emu_device *d, struct evloop *loop, const struct emu_device_config *cfg);
int emu_device_export(struct emu_device *d, struct usbip_server *srv);
/* Switch the USB face: remembered in the state directory, and the camera is
 * unplugged and plugged in again with the other face (the importer's
 * connection closes). Returns 0, DFK_ERR_NOTSUP (the model has no UVC face)
 * or the error of writing the state file. */
int emu_device_set_face(struct emu_device *d, enum emu_face face);
/* Device time of the camera `ctx` (a struct emu_device): ns since power-up. */
uint64_t emu_device_now(void *ctx);
void emu_device_free(struct emu_device *d);
/* VCD trace of this camera's I/O lines and trigger chain (one at a time). */
int emu_device_vcd_start(struct emu_device *d, const char *path);
void emu_device_vcd_stop(struct emu_device *d);

#endif
