/* SPDX-License-Identifier: MIT */
/* The device session shared by dfk-conform and dfk-bench: the device under test
 * (transport, USB probe, GenCP, bootstrap pointers, the device's GenICam XML in
 * libaravis) and the run's options. No CUnit: dfk-bench links this without it. */
#ifndef CONFORM_SESSION_H
#define CONFORM_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "arvdev.h"
#include "gencp.h"
#include "ioclient.h"
#include "usbdev.h"
#include "xport.h"

struct conform {
	const char *url;
	const char *fixtures_dir;
	const char *save_frames_dir;
	unsigned seed;
	bool verbose;
	struct xport *x;
	struct usbdev dev;
	struct gencp gc;
	ConformDevice *arv;
	ArvGc *genicam;
	uint64_t sbrm, sirm, eirm, manifest;
	char open_error[256];
	char xml_error[256];     /* why session->arv is NULL, when it is */
	/* --expect-pattern SEED: the device is dfk-emu with --source pattern --seed SEED:
	 * frames are checked byte for byte and timestamps to the nanosecond */
	bool pattern;
	uint32_t pattern_seed;
	/* --io PATH: the emulator's I/O side channel (or a rig speaking its protocol) */
	const char *io_path;
	struct ioclient *io;
	/* The device is a USB Video Class camera (the DFK 38UX267's UVC face): no GenCP, no
	 * GenICam; only the uvc suite applies. uvc_map: the extension-unit mapping file. */
	bool uvc;
	const char *uvc_map;
};

/* The one session of the process: a run tests one device. */
extern struct conform *session;

/* Opens session->url: transport, USB probe, GenCP, bootstrap pointers and the device's
 * GenICam XML (session->arv NULL with session->xml_error when unreadable). A device with
 * a USB Video Class interface instead of the USB3 Vision ones opens without GenCP and
 * sets session->uvc. Returns 0 or -errno (-ENODEV: no such device) with
 * session->open_error saying why. */
int conform_open(void);
/* (Re)open the device after it left the bus. Returns 0 or -errno. */
int conform_reconnect(unsigned timeout_ms);
void conform_close(void);

#endif
