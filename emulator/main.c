/* dfk-emu: a software twin of The Imaging Source DFK 38UX267 USB3 Vision
 * camera, exported over USB/IP. */
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
#include "device.h"
#include "io/io_server.h"
#include "u3v/genicam_xml.h"
#include "usbip/usbip_server.h"

#define DFK_EMU_VERSION "0.1.0"
#define MAX_CAMERAS 8

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
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dfk-emu [options]\n"
		"A software DFK 38UX267 USB3 Vision camera on USB/IP.\n\n"
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
		"  --model NAME         camera model (default dfk38ux267)\n"
		"  --dump-xml           print the GenICam XML of the model and exit\n"
		"  --dump-features      print the model's feature table (INI) and exit\n"
		"  -v, --verbose        more log output (twice: debug)\n"
		"  -q, --quiet          errors only\n"
		"  --version, --help\n",
		MAX_CAMERAS);
}

static int parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_LISTEN = 256, OPT_SERIAL, OPT_STATE, OPT_SCALE, OPT_CAMERAS, OPT_MODEL, OPT_DUMP, OPT_VERSION,
	       OPT_SOURCE, OPT_SEED, OPT_DUMP_FEATURES, OPT_IO, OPT_VCD };
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
			errno = 0;
			o->time_scale = strtod(optarg, &end);
			if (errno || *end || end == optarg || o->time_scale < 0 || o->time_scale > 1000) {
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
			unsigned long long v = strtoull(optarg, &end, 0);
			if (*end || end == optarg || v > 0xFFFFFFFFull) {
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
	struct options o = { .listen = "127.0.0.1:3240", .time_scale = 1.0, .cameras = 1, .model = "dfk38ux267",
			     .source = SENSOR_SOURCE_SCENE };
	static struct emu_device devices[MAX_CAMERAS];
	struct emu_device *device_list[MAX_CAMERAS];
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

	unsigned long base_serial = strtoul(o.serial ? o.serial : model->identity.default_serial, NULL, 10);
	for (unsigned i = 0; i < o.cameras; i++) {
		char serial[16], dir[PATH_MAX];
		snprintf(serial, sizeof(serial), "%08lu", (base_serial + i) % 100000000ul);
		snprintf(dir, sizeof(dir), "%s/%s", state_root, serial);
		struct emu_device_config cfg = {
			.model = model, .serial = serial, .state_dir = dir, .bus_index = i + 1,
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
	if (o.io_path) {
		io = io_server_new(loop, o.io_path, device_list, o.cameras);
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
	if (io)
		printf("dfk-emu: I/O side channel on %s\n", io_server_address(io));
	printf("dfk-emu: list it:   usbip --tcp-port %u list -r 127.0.0.1\n", usbip_server_port(srv));
	printf("dfk-emu: attach it: sudo modprobe vhci-hcd && sudo usbip --tcp-port %u attach -r 127.0.0.1 -b %s\n",
	       usbip_server_port(srv), devices[0].exp.busid);
	fflush(stdout);

	rc = evloop_run(loop);

	io_server_free(io);
	usbip_server_free(srv);
	for (unsigned i = 0; i < o.cameras; i++)
		emu_device_free(&devices[i]);
	evloop_free(loop);
	log_info("stopped");
	return rc < 0 ? 1 : 0;
}
