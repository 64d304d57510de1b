/* dfk-conform: shared state of a conformance run and helpers for the suites. */
#ifndef CONFORM_H
#define CONFORM_H

#include <CUnit/CUnit.h>
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
	char xml_error[256];     /* why C->arv is NULL, when it is */
	/* --expect-pattern SEED: the device is dfk-emu with --source pattern --seed SEED:
	 * frames are checked byte for byte and timestamps to the nanosecond */
	bool pattern;
	uint32_t pattern_seed;
	/* --io PATH: the emulator's I/O side channel (or a rig speaking its protocol) */
	const char *io_path;
	struct ioclient *io;
};

extern struct conform *C;

/* Opens C->url: transport, USB probe, GenCP, bootstrap pointers and the device's
 * GenICam XML (C->arv NULL with C->xml_error when unreadable). Returns 0 or -errno
 * (-ENODEV: no such device) with C->open_error saying why. session.c. */
int conform_open(void);
/* (Re)open the device after it left the bus. Returns 0 or -errno. */
int conform_reconnect(unsigned timeout_ms);
void conform_close(void);
/* Registers a suite; `needs_device` suites are skipped (inactive, with the reason) without one. */
CU_pSuite conform_add_suite(const char *name, const char *what);

/* Suites (one file each). */
void suite_usbip_register(void);
void suite_descriptors_register(void);
void suite_gencp_register(void);
void suite_bootstrap_register(void);
void suite_genicam_register(void);
void suite_features_register(void);
void suite_usersets_register(void);
void suite_stream_register(void);
void suite_framerate_register(void);
void suite_trigger_register(void);
void suite_strobe_register(void);
void suite_dependencies_register(void);
void suite_imaging_register(void);

/* Suites that need the I/O rig deactivate their tests, saying why, when there is none. */
int rig_suite_init(void);

/* Feature helpers through libaravis's GenICam evaluation. Each returns TRUE on
 * success; on failure `err` (may be NULL) gets the message. */
gboolean gc_get_int(const char *name, gint64 *v, char *err, size_t errlen);
gboolean gc_set_int(const char *name, gint64 v, char *err, size_t errlen);
gboolean gc_get_float(const char *name, double *v, char *err, size_t errlen);
gboolean gc_set_float(const char *name, double v, char *err, size_t errlen);
gboolean gc_get_string(const char *name, char *out, size_t len, char *err, size_t errlen);
gboolean gc_set_string(const char *name, const char *v, char *err, size_t errlen);
gboolean gc_execute(const char *name, char *err, size_t errlen);
/* Acquisition stopped and TLParamsLocked cleared, so stream parameters can change (best effort). */
void gc_stop_acquisition(void);
/* The default readout: binning and decimation both 1, undone in the order that unlocks them. */
void gc_default_readout(void);

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
