/* SPDX-License-Identifier: MIT */
/* The emulator's unit-test binary: registers every suite, runs them in
 * verbose mode and exits with the number of failed tests (plus suites whose
 * setup failed), or non-zero when the CUnit registry itself fails.
 *
 *   build/test-unit            all suites
 *   DFK_TEST_LOG=debug build/test-unit   with the emulator's debug log on stderr */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "../common/log.h"
#include "tests.h"

static const struct {
	const char *name;
	int (*add)(void);
} suites[] = {
	{ "usbip_proto", test_usbip_proto_add_suite },
	{ "usbip_server", test_usbip_server_add_suite },
	{ "usb_desc", test_usb_desc_add_suite },
	{ "usb_device", test_usb_device_add_suite },
	{ "regmap", test_regmap_add_suite },
	{ "expr", test_expr_add_suite },
	{ "u3vcp", test_u3vcp_add_suite },
	{ "u3vsp", test_u3vsp_add_suite },
	{ "u3v_control", test_u3v_control_add_suite },
	{ "genicam_xml", test_genicam_xml_add_suite },
	{ "features", test_features_add_suite },
	{ "camera", test_camera_add_suite },
	{ "kvfile", test_kvfile_add_suite },
	{ "atomicfile", test_atomicfile_add_suite },
	{ "framerate", test_framerate_add_suite },
	{ "sensor", test_sensor_add_suite },
	{ "sched", test_sched_add_suite },
	{ "acquisition", test_acquisition_add_suite },
	{ "trigger", test_trigger_add_suite },
	{ "strobe", test_strobe_add_suite },
	{ "autofunc", test_autofunc_add_suite },
	{ "fault", test_fault_add_suite },
	{ "host_monitor", test_host_monitor_add_suite },
	{ "usbmon_capture", test_usbmon_capture_add_suite },
	{ "models", test_models_add_suite },
	{ "uvc", test_uvc_add_suite },
};

int main(void)
{
	const char *lvl = getenv("DFK_TEST_LOG");
	unsigned failed;
	CU_ErrorCode rc;

	/* Tests provoke errors on purpose; only the emulator's error lines are shown by default. */
	log_set_prefix("test-unit");
	log_set_level(lvl && strcmp(lvl, "debug") == 0 ? LOG_DEBUG : LOG_ERR);

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "test-unit: cannot initialise the CUnit registry: %s\n", CU_get_error_msg());
		return 2;
	}
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		if (suites[i].add() != CUE_SUCCESS) {
			fprintf(stderr, "test-unit: cannot register suite %s: %s\n", suites[i].name, CU_get_error_msg());
			CU_cleanup_registry();
			return 2;
		}
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	rc = CU_basic_run_tests();
	failed = CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed();
	/* a failed suite initialisation or cleanup is counted above; anything else is the registry's */
	if (rc != CUE_SUCCESS && rc != CUE_SINIT_FAILED && rc != CUE_SCLEAN_FAILED) {
		fprintf(stderr, "test-unit: CUnit run error: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	if (rc != CUE_SUCCESS && failed == 0)
		failed = 1;
	CU_cleanup_registry();
	/* An exit status is 8 bits: never let 256 failures read as success. */
	return failed > 255 ? 255 : (int)failed;
}
