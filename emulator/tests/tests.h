/* SPDX-License-Identifier: MIT */
/* CUnit unit tests of the emulator: one suite per module (test_<module>.c),
 * registered by test_main.c, plus the shared helpers of test_util.c.
 *
 * Golden byte arrays in the suites are written from the specifications
 * (docs/protocols.md, USB 3.2 chapter 9, U3V 1.0, GenCP 1.0), never captured from
 * the code under test. */
#ifndef DFK_TESTS_H
#define DFK_TESTS_H

#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

/* ---- suites: each adds itself to the registry; returns a CUnit error code (0 = CUE_SUCCESS) ---- */
int test_usbip_proto_add_suite(void);
int test_usbip_server_add_suite(void);
int test_usb_desc_add_suite(void);
int test_usb_device_add_suite(void);
int test_regmap_add_suite(void);
int test_expr_add_suite(void);
int test_u3vcp_add_suite(void);
int test_u3vsp_add_suite(void);
int test_u3v_control_add_suite(void);
int test_genicam_xml_add_suite(void);
int test_features_add_suite(void);
int test_camera_add_suite(void);
int test_kvfile_add_suite(void);
int test_atomicfile_add_suite(void);
int test_framerate_add_suite(void);
int test_sensor_add_suite(void);
int test_sched_add_suite(void);
int test_acquisition_add_suite(void);
int test_trigger_add_suite(void);
int test_strobe_add_suite(void);
int test_autofunc_add_suite(void);
int test_fault_add_suite(void);
int test_host_monitor_add_suite(void);
int test_usbmon_capture_add_suite(void);
int test_models_add_suite(void);
int test_uvc_add_suite(void);

/* A suite's test table: NULL-terminated. */
struct test_case {
	const char *name;
	CU_TestFunc fn;
};

/* Adds `name` with optional per-test setup/teardown and every test of `cases`. */
int test_add_suite(const char *name, void (*setup)(void), void (*teardown)(void), const struct test_case *cases);
/* The same with a suite-wide init/clean (run once, before the first and after the last test). */
int test_add_suite_with_init(const char *name, int (*init)(void), int (*clean)(void), void (*setup)(void),
			     void (*teardown)(void), const struct test_case *cases);

/* ---- assertions with a useful message ---- */

/* Compares `n` bytes; on mismatch reports the first differing offset and both bytes. */
void test_assert_bytes(const void *got, const void *want, size_t n, unsigned line, const char *file,
		       const char *what);
#define ASSERT_BYTES(got, want, n) test_assert_bytes((got), (want), (n), __LINE__, __FILE__, #got " == " #want)

/* Integer equality that prints both values (CU_ASSERT_EQUAL does not). */
void test_assert_int(long long got, long long want, unsigned line, const char *file, const char *what);
#define ASSERT_INT(got, want) test_assert_int((long long)(got), (long long)(want), __LINE__, __FILE__, #got " == " #want)

/* A failure whose message is a runtime string (CU_FAIL only takes a literal). */
#define FAIL_MSG(msg) CU_assertImplementation(CU_FALSE, __LINE__, (msg), __FILE__, "", CU_FALSE)

/* ---- byte-order writers for hand-built inputs (independent of common/bytes.h) ---- */
void t_le16(uint8_t *p, uint16_t v);
void t_le32(uint8_t *p, uint32_t v);
void t_le64(uint8_t *p, uint64_t v);
uint16_t t_get_le16(const uint8_t *p);
uint32_t t_get_le32(const uint8_t *p);

/* ---- deterministic pseudo-random bytes (xorshift64*, fixed seed per call site) ---- */
struct t_rng {
	uint64_t s;
};
void t_rng_seed(struct t_rng *r, uint64_t seed);
uint64_t t_rng_next(struct t_rng *r);
void t_rng_fill(struct t_rng *r, void *buf, size_t n);

/* ---- temporary directories under /tmp ---- */
/* Creates /tmp/dfk-unit-XXXXXX into `buf` (at least 64 bytes). Returns 0 or -1. */
int t_mkdtemp(char *buf, size_t len);
/* Removes a directory tree. Returns 0 or -1. */
int t_rmtree(const char *path);
/* Number of directory entries other than . and .. ; -1 on error. Fills `names` (may be NULL)
 * with up to `max` malloc'd names the caller frees. */
int t_list_dir(const char *path, char **names, int max);

/* Standard CRC-32 (IEEE 802.3, reflected, init and xorout 0xFFFFFFFF), bitwise. */
uint32_t t_crc32(const void *data, size_t len);

#endif
