/* SPDX-License-Identifier: MIT */
/* dfk-emu: a software twin of The Imaging Source DFK 38UX267 USB3 Vision
 * camera (and of the other built-in models, --model), exported over USB/IP. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/atomicfile.h"
#include "common/errors.h"
#include "common/evloop.h"
#include "common/log.h"
#include "common/numparse.h"
#include "device.h"
#include "device_faults.h"
#include "device_monitor.h"
#include "io/io_server.h"
#include "u3v/genicam_xml.h"
#include "usbip/usbip_server.h"

#define DFK_EMU_VERSION "0.1.0"
/* Cameras per process: each idle one costs its state (well below 2 MiB, docs/performance.md),
 * each imported one a socket; frame memory is taken only while a camera streams. */
#define MAX_CAMERAS 256

struct options {
	const char *listen;
	const char *serial;
	const char *state_dir;
	const char *model;
	double time_scale;
	unsigned cameras;
	int verbosity;
	bool dump_xml;
	bool dump_features;
	enum sensor_source source;
	uint32_t seed;
	const char *io_path;
	const char *vcd_path;
	const char *trace_dir;
	const char *faults_path;
	const char *host_report;
	bool monitor;
	enum emu_face face;
};

static void usage(FILE *out)
{
	char model_names[256] = "";
	size_t used = 0;

	/* the built-in models, the first (the default) marked */
	for (unsigned i = 0; builtin_models[i] && used < sizeof(model_names); i++)
		used += (size_t)snprintf(model_names + used, sizeof(model_names) - used, "%s%s%s", i ? ", " : "",
					 builtin_models[i]->id, i ? "" : " (default)");
	fprintf(out,
		"usage: dfk-emu [options]\n"
		"A software USB3 Vision camera of The Imaging Source (DFK/DMK 38UX267) on USB/IP.\n\n"
		"  --listen ADDR:PORT   where to accept USB/IP clients (default 127.0.0.1:3240; port 0 = any free)\n"
		"  --serial NNNNNNNN    8-digit serial number (default: the model's; camera n adds n-1)\n"
		"  --state-dir DIR      non-volatile memory (user sets, user name) lives in DIR/<serial>/\n"
		"                       (default $XDG_STATE_HOME/dfk-emu or ~/.local/state/dfk-emu)\n"
		"  --time-scale X       device seconds per wall second: 1 real time, 0.1 slow motion,\n"
		"                       0 = as fast as the host reads (default 1)\n"
		"  --cameras N          export N cameras (bus ids 1-1 .. 1-N, default 1, max %d)\n"
		"  --source S           what the sensor sees: scene (natural scene, default) or pattern\n"
		"                       (the bit-exact test pattern of docs/image-pipeline.md)\n"
		"  --seed N             seed of the test pattern and of the scene's noise (default 0)\n"
		"  --io PATH|tcp:A:P    I/O side channel: a Unix socket (mode 0600), or a TCP port on a\n"
		"                       loopback address (for a VM guest), for TRIGGER_IN waveforms,\n"
		"                       STROBE_OUT, the device clock, the scene and the event log\n"
		"                       (docs/io-protocol.md)\n"
		"  --vcd FILE           trace the first camera's I/O lines and trigger chain (VCD, GTKWave)\n"
		"  --trace-dir DIR      the only directory the I/O request `vcd start NAME` writes in\n"
		"                       (without it: any path over the Unix socket, none over TCP)\n"
		"  --faults FILE        arm the faults of a scenario file in every camera (docs/faults.md)\n"
		"  --monitor on|off     judge what the host does against the USB, USB3 Vision and GenCP\n"
		"                       rules (default on; docs/host-monitor.md)\n"
		"  --host-report PATH   at exit, the monitor's verdicts as PATH.json and PATH.xml (JUnit);\n"
		"                       with several cameras PATH-<busid>.json/.xml\n"
		"  --interface u3v|uvc  the camera's USB face: USB3 Vision (u3v) or USB Video Class (uvc,\n"
		"                       docs/uvc.md); remembered in the state directory, whose choice\n"
		"                       applies without this option (default u3v)\n"
		"  --model NAME         camera model: %s\n"
		"  --dump-xml           print the GenICam XML of the model and exit\n"
		"  --dump-features      print the model (identity, sensor) and its feature table (INI) and exit\n"
		"  -v, --verbose        more log output (twice: debug)\n"
		"  -q, --quiet          errors only\n"
		"  --version, --help\n",
		MAX_CAMERAS, model_names);
}

static int parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_LISTEN = 256, OPT_SERIAL, OPT_STATE, OPT_SCALE, OPT_CAMERAS, OPT_MODEL, OPT_DUMP, OPT_VERSION,
	       OPT_SOURCE, OPT_SEED, OPT_DUMP_FEATURES, OPT_IO, OPT_VCD, OPT_TRACE_DIR, OPT_FAULTS, OPT_MONITOR, OPT_HOST_REPORT,
	       OPT_INTERFACE };
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "serial", required_argument, NULL, OPT_SERIAL },
		{ "state-dir", required_argument, NULL, OPT_STATE },
		{ "time-scale", required_argument, NULL, OPT_SCALE },
		{ "cameras", required_argument, NULL, OPT_CAMERAS },
		{ "model", required_argument, NULL, OPT_MODEL },
		{ "dump-xml", no_argument, NULL, OPT_DUMP },
		{ "dump-features", no_argument, NULL, OPT_DUMP_FEATURES },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "io", required_argument, NULL, OPT_IO },
		{ "vcd", required_argument, NULL, OPT_VCD },
		{ "trace-dir", required_argument, NULL, OPT_TRACE_DIR },
		{ "faults", required_argument, NULL, OPT_FAULTS },
		{ "monitor", required_argument, NULL, OPT_MONITOR },
		{ "host-report", required_argument, NULL, OPT_HOST_REPORT },
		{ "interface", required_argument, NULL, OPT_INTERFACE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;

	while ((c = getopt_long(argc, argv, "vqh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_LISTEN: o->listen = optarg; break;
		case OPT_SERIAL:
			if (strlen(optarg) != 8 || strspn(optarg, "0123456789") != 8) {
				fprintf(stderr, "dfk-emu: --serial needs exactly 8 digits, got '%s'\n", optarg);
				return 2;
			}
			o->serial = optarg;
			break;
		case OPT_STATE: o->state_dir = optarg; break;
		case OPT_SCALE:
			if (!parse_double_in(optarg, 0, 1000, &o->time_scale)) {
				fprintf(stderr, "dfk-emu: --time-scale needs a number from 0 to 1000, got '%s'\n", optarg);
				return 2;
			}
			break;
		case OPT_CAMERAS: {
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > MAX_CAMERAS) {
				fprintf(stderr, "dfk-emu: --cameras needs 1..%d, got '%s'\n", MAX_CAMERAS, optarg);
				return 2;
			}
			o->cameras = (unsigned)n;
			break;
		}
		case OPT_MODEL: o->model = optarg; break;
		case OPT_IO: o->io_path = optarg; break;
		case OPT_VCD: o->vcd_path = optarg; break;
		case OPT_TRACE_DIR: o->trace_dir = optarg; break;
		case OPT_FAULTS: o->faults_path = optarg; break;
		case OPT_HOST_REPORT: o->host_report = optarg; break;
		case OPT_INTERFACE:
			o->face = emu_face_parse(optarg);
			if (o->face == EMU_FACE_DEFAULT) {
				fprintf(stderr, "dfk-emu: --interface is u3v or uvc, got '%s'\n", optarg);
				return 2;
			}
			break;
		case OPT_MONITOR:
			if (strcmp(optarg, "on") && strcmp(optarg, "off")) {
				fprintf(stderr, "dfk-emu: --monitor is on or off, got '%s'\n", optarg);
				return 2;
			}
			o->monitor = !strcmp(optarg, "on");
			break;
		case OPT_SOURCE:
			if (strcmp(optarg, "scene") == 0) {
				o->source = SENSOR_SOURCE_SCENE;
			} else if (strcmp(optarg, "pattern") == 0) {
				o->source = SENSOR_SOURCE_PATTERN;
			} else {
				fprintf(stderr, "dfk-emu: --source is scene or pattern, got '%s'\n", optarg);
				return 2;
			}
			break;
		case OPT_SEED: {
			uint64_t v;
			if (!parse_u64(optarg, &v) || v > 0xFFFFFFFFull) {
				fprintf(stderr, "dfk-emu: --seed needs a 32-bit number, got '%s'\n", optarg);
				return 2;
			}
			o->seed = (uint32_t)v;
			break;
		}
		case OPT_DUMP: o->dump_xml = true; break;
		case OPT_DUMP_FEATURES: o->dump_features = true; break;
		case 'v': o->verbosity++; break;
		case 'q': o->verbosity = -1; break;
		case OPT_VERSION: printf("dfk-emu %s\n", DFK_EMU_VERSION); exit(0);
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dfk-emu: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	return 0;
}

/* --faults FILE: the same scenario in every camera; a bad line stops the start. */
static int arm_faults(const char *path, struct emu_device *devices, unsigned n)
{
	enum { MAX_SCENARIO = 1 << 20 };
	char err[200];
	size_t len = 0, added = 0;
	char *text = NULL;
	int rc = read_file(path, MAX_SCENARIO, &text, &len);

	if (rc < 0) {
		fprintf(stderr, "dfk-emu: --faults %s: %s\n", path, dfk_strerror(rc));
		return rc;
	}
	for (unsigned i = 0; i < n && rc == 0; i++) {
		rc = emu_faults_load(&devices[i], text, len, &added, err, sizeof(err));
		if (rc < 0)
			fprintf(stderr, "dfk-emu: --faults %s: %s\n", path, err);
	}
	free(text);
	if (rc == 0)
		log_info("%zu fault(s) armed from %s", added, path);
	return rc;
}

static void write_host_reports(const char *path, struct emu_device *devices, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		char name[PATH_MAX];
		if (n == 1)
			snprintf(name, sizeof(name), "%s", path);
		else
			snprintf(name, sizeof(name), "%s-%s", path, devices[i].exp.busid);
		if (emu_monitor_write_report(&devices[i], name) == 0)
			log_info("host report: %s.json, %s.xml", name, name);
	}
}

static void default_state_dir(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (xdg && *xdg)
		snprintf(buf, len, "%s/dfk-emu", xdg);
	else if (home && *home)
		snprintf(buf, len, "%s/.local/state/dfk-emu", home);
	else
		snprintf(buf, len, "./dfk-emu-state");
}

int main(int argc, char **argv)
{
	struct options o = { .listen = "127.0.0.1:3240", .time_scale = 1.0, .cameras = 1,
			     .model = builtin_models[0]->id, .source = SENSOR_SOURCE_SCENE, .monitor = true };
	/* static: what they point to stays reachable when main returns early (as it did as arrays) */
	static struct emu_device *devices;
	static struct emu_device **device_list;
	struct io_server *io = NULL;
	const struct camera_model *model;
	char state_root[PATH_MAX - 64];
	struct usbip_server *srv;
	struct evloop *loop;
	int rc;

	rc = parse_args(argc, argv, &o);
	if (rc)
		return rc;
	log_set_level(o.verbosity < 0 ? LOG_ERR : o.verbosity == 0 ? LOG_INFO : LOG_DEBUG);
	signal(SIGPIPE, SIG_IGN);

	model = model_find(o.model);
	if (!model) {
		fprintf(stderr, "dfk-emu: unknown model '%s'; built in:", o.model);
		for (unsigned i = 0; builtin_models[i]; i++)
			fprintf(stderr, " %s", builtin_models[i]->id);
		fputc('\n', stderr);
		return 2;
	}
	if (o.dump_features) {
		model_dump_features(model, stdout);
		return 0;
	}
	if (o.dump_xml) {
		size_t len;
		char *xml = genicam_xml_generate(model, &len);
		if (!xml)
			return 1;
		fwrite(xml, 1, len, stdout);
		free(xml);
		return 0;
	}
	if (o.state_dir)
		snprintf(state_root, sizeof(state_root), "%s", o.state_dir);
	else
		default_state_dir(state_root, sizeof(state_root));

	loop = evloop_new();
	if (!loop) {
		log_err("cannot create the event loop");
		return 1;
	}
	srv = usbip_server_new(loop, o.listen);
	if (!srv)
		return 1;

	/* as many cameras as asked for, and no more */
	devices = calloc(o.cameras, sizeof(*devices));
	device_list = calloc(o.cameras, sizeof(*device_list));
	if (!devices || !device_list) {
		log_err("out of memory for %u cameras", o.cameras);
		return 1;
	}
	unsigned long base_serial = strtoul(o.serial ? o.serial : model->identity.default_serial, NULL, 10);
	for (unsigned i = 0; i < o.cameras; i++) {
		char serial[16], dir[PATH_MAX];
		snprintf(serial, sizeof(serial), "%08lu", (base_serial + i) % 100000000ul);
		snprintf(dir, sizeof(dir), "%s/%s", state_root, serial);
		struct emu_device_config cfg = {
			.model = model, .serial = serial, .state_dir = dir, .bus_index = i + 1, .monitor = o.monitor,
			.face = o.face,
			.opt = { .time_scale = o.time_scale, .source = o.source, .seed = o.seed },
		};
		rc = emu_device_init(&devices[i], loop, &cfg);
		if (rc < 0) {
			log_err("camera %s: %s", serial, dfk_strerror(rc));
			return 1;
		}
		emu_device_export(&devices[i], srv);
		device_list[i] = &devices[i];
	}
	if (o.faults_path && arm_faults(o.faults_path, devices, o.cameras) < 0)
		return 2;
	if (o.io_path) {
		io = io_server_new(loop, o.io_path, o.trace_dir, device_list, o.cameras);
		if (!io)
			return 1;
	}
	if (o.vcd_path && emu_device_vcd_start(&devices[0], o.vcd_path) < 0)
		return 1;

	printf("dfk-emu: listening on %s (busid", usbip_server_address(srv));
	for (unsigned i = 0; i < o.cameras; i++)
		printf(" %s", devices[i].exp.busid);
	printf(")\n");
	printf("dfk-emu: %s %s, serial %s%s, state in %s, time scale %g\n", model->identity.manufacturer,
	       model->identity.model_name, devices[0].cam.serial, o.cameras > 1 ? " (+ more)" : "", state_root,
	       o.time_scale);
	for (unsigned i = 0; i < o.cameras; i++)
		if (devices[i].face == EMU_FACE_UVC)
			printf("dfk-emu: %s shows its USB Video Class interface (%04x:%04x)\n", devices[i].exp.busid,
			       model->identity.vendor_id, model->identity.uvc_product_id);
	if (io)
		printf("dfk-emu: I/O side channel on %s\n", io_server_address(io));
	printf("dfk-emu: list it:   usbip --tcp-port %u list -r 127.0.0.1\n", usbip_server_port(srv));
	printf("dfk-emu: attach it: sudo modprobe vhci-hcd && sudo usbip --tcp-port %u attach -r 127.0.0.1 -b %s\n",
	       usbip_server_port(srv), devices[0].exp.busid);
	fflush(stdout);

	rc = evloop_run(loop);
	if (o.host_report && o.monitor)
		write_host_reports(o.host_report, devices, o.cameras);
	if (o.host_report && !o.monitor)
		log_warn("--host-report: the monitor is off (--monitor off): no report written");

	io_server_free(io);
	usbip_server_free(srv);
	for (unsigned i = 0; i < o.cameras; i++)
		emu_device_free(&devices[i]);
	free(device_list);
	free(devices);
	evloop_free(loop);
	log_info("stopped");
	return rc < 0 ? 1 : 0;
}
