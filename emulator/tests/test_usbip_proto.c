/* SPDX-License-Identifier: MIT */
/* usbip/usbip_proto: pack -> unpack round trips and golden bytes of every
 * operation-phase record and URB header (docs/protocols.md section 1 "USB/IP"; Linux
 * Documentation/usb/usbip_protocol.rst). The wire is big-endian except the
 * raw 8-byte setup packet. */
#include <string.h>

#include "../common/errors.h"
#include "../usbip/usbip_proto.h"
#include "tests.h"

static void test_usbip_proto_op_common_request(void)
{
	static const uint8_t golden[8] = { 0x01, 0x11, 0x80, 0x05, 0x00, 0x00, 0x00, 0x00 };
	struct usbip_op_common op = { .version = USBIP_VERSION, .code = USBIP_OP_REQ_DEVLIST, .status = 0 };
	struct usbip_op_common back;
	uint8_t out[USBIP_OP_COMMON_SIZE];

	ASSERT_INT(USBIP_OP_COMMON_SIZE, 8);
	ASSERT_INT(USBIP_OP_REQ_DEVLIST, 0x8005);
	ASSERT_INT(USBIP_OP_REP_DEVLIST, 0x0005);
	ASSERT_INT(USBIP_OP_REQ_IMPORT, 0x8003);
	ASSERT_INT(USBIP_OP_REP_IMPORT, 0x0003);
	usbip_op_common_pack(out, &op);
	ASSERT_BYTES(out, golden, 8);
	memset(&back, 0xAA, sizeof(back));
	usbip_op_common_unpack(&back, out);
	ASSERT_INT(back.version, 0x0111);
	ASSERT_INT(back.code, 0x8005);
	ASSERT_INT(back.status, 0);
}

static void test_usbip_proto_op_common_reply_status(void)
{
	/* OP_REP_IMPORT with status 4 (NODEV): every field big-endian */
	static const uint8_t golden[8] = { 0x01, 0x11, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04 };
	struct usbip_op_common op = { .version = 0x0111, .code = USBIP_OP_REP_IMPORT, .status = USBIP_ST_NODEV };
	struct usbip_op_common back;
	uint8_t out[8];

	usbip_op_common_pack(out, &op);
	ASSERT_BYTES(out, golden, 8);
	usbip_op_common_unpack(&back, golden);
	ASSERT_INT(back.code, USBIP_OP_REP_IMPORT);
	ASSERT_INT(back.status, 4);
	/* a large status keeps all 32 bits */
	op.status = 0x01020304;
	usbip_op_common_pack(out, &op);
	ASSERT_INT(out[4], 0x01);
	ASSERT_INT(out[7], 0x04);
	ASSERT_INT(USBIP_ST_OK, 0);
	ASSERT_INT(USBIP_ST_NA, 1);
	ASSERT_INT(USBIP_ST_DEV_BUSY, 2);
	ASSERT_INT(USBIP_ST_DEV_ERR, 3);
	ASSERT_INT(USBIP_ST_ERROR, 5);
}

static void fill_device(struct usbip_usb_device *d)
{
	memset(d, 0, sizeof(*d));
	strcpy(d->path, "/sys/devices/pci0000:00/0000:00:01.0/usb1/1-1");
	strcpy(d->busid, "1-1");
	d->busnum = 1;
	d->devnum = 2;
	d->speed = 5;
	d->idVendor = 0x199E;
	d->idProduct = 0x988E;
	d->bcdDevice = 0x0102;
	d->bDeviceClass = 0xEF;
	d->bDeviceSubClass = 0x02;
	d->bDeviceProtocol = 0x01;
	d->bConfigurationValue = 1;
	d->bNumConfigurations = 1;
	d->bNumInterfaces = 3;
}

static void test_usbip_proto_usb_device_layout(void)
{
	static const uint8_t tail[0x18] = {
		0x00, 0x00, 0x00, 0x01,   /* 0x120 busnum */
		0x00, 0x00, 0x00, 0x02,   /* 0x124 devnum */
		0x00, 0x00, 0x00, 0x05,   /* 0x128 speed: SUPER */
		0x19, 0x9E,               /* 0x12C idVendor */
		0x98, 0x8E,               /* 0x12E idProduct */
		0x01, 0x02,               /* 0x130 bcdDevice */
		0xEF, 0x02, 0x01,         /* 0x132 class, subclass, protocol */
		0x01,                     /* 0x135 bConfigurationValue */
		0x01,                     /* 0x136 bNumConfigurations */
		0x03,                     /* 0x137 bNumInterfaces */
	};
	static const char path[] = "/sys/devices/pci0000:00/0000:00:01.0/usb1/1-1";
	struct usbip_usb_device d;
	uint8_t out[USBIP_USB_DEVICE_SIZE];
	uint8_t zeros[256] = { 0 };

	ASSERT_INT(USBIP_USB_DEVICE_SIZE, 0x138);
	fill_device(&d);
	memset(out, 0xAA, sizeof(out));
	usbip_usb_device_pack(out, &d);
	/* path at 0x000, NUL-padded to 256 bytes */
	ASSERT_BYTES(out, path, sizeof(path) - 1);
	ASSERT_BYTES(out + sizeof(path) - 1, zeros, 256 - (sizeof(path) - 1));
	/* busid at 0x100, NUL-padded to 32 bytes */
	ASSERT_BYTES(out + 0x100, "1-1", 3);
	ASSERT_BYTES(out + 0x103, zeros, 32 - 3);
	ASSERT_BYTES(out + 0x120, tail, sizeof(tail));
}

static void test_usbip_proto_usb_device_round_trip(void)
{
	struct usbip_usb_device d, back;
	uint8_t out[USBIP_USB_DEVICE_SIZE];

	fill_device(&d);
	/* values with every byte distinct, so a swapped or misplaced byte shows */
	d.busnum = 0x01020304;
	d.devnum = 0x05060708;
	d.speed = 0x090A0B0C;
	d.idVendor = 0x0D0E;
	d.idProduct = 0x0F10;
	d.bcdDevice = 0x1112;
	usbip_usb_device_pack(out, &d);
	ASSERT_INT(out[0x120], 0x01);
	ASSERT_INT(out[0x127], 0x08);
	ASSERT_INT(out[0x12B], 0x0C);
	memset(&back, 0x55, sizeof(back));
	usbip_usb_device_unpack(&back, out);
	CU_ASSERT_STRING_EQUAL(back.path, d.path);
	CU_ASSERT_STRING_EQUAL(back.busid, "1-1");
	ASSERT_INT(back.busnum, 0x01020304);
	ASSERT_INT(back.devnum, 0x05060708);
	ASSERT_INT(back.speed, 0x090A0B0C);
	ASSERT_INT(back.idVendor, 0x0D0E);
	ASSERT_INT(back.idProduct, 0x0F10);
	ASSERT_INT(back.bcdDevice, 0x1112);
	ASSERT_INT(back.bDeviceClass, 0xEF);
	ASSERT_INT(back.bDeviceSubClass, 0x02);
	ASSERT_INT(back.bDeviceProtocol, 0x01);
	ASSERT_INT(back.bConfigurationValue, 1);
	ASSERT_INT(back.bNumConfigurations, 1);
	ASSERT_INT(back.bNumInterfaces, 3);
}

static void test_usbip_proto_usb_device_unpack_terminates_strings(void)
{
	/* A peer may fill path and busid without any NUL: the host struct must still hold C strings. */
	uint8_t in[USBIP_USB_DEVICE_SIZE];
	struct usbip_usb_device d;

	memset(in, 'x', sizeof(in));
	usbip_usb_device_unpack(&d, in);
	CU_ASSERT(memchr(d.path, '\0', sizeof(d.path)) != NULL);
	CU_ASSERT(memchr(d.busid, '\0', sizeof(d.busid)) != NULL);
}

static void test_usbip_proto_interface_record(void)
{
	static const uint8_t golden[4] = { 0xEF, 0x05, 0x02, 0x00 };
	struct usbip_usb_interface i = { .bInterfaceClass = 0xEF, .bInterfaceSubClass = 0x05,
					 .bInterfaceProtocol = 0x02 }, back;
	uint8_t out[USBIP_USB_INTERFACE_SIZE];

	ASSERT_INT(USBIP_USB_INTERFACE_SIZE, 4);
	memset(out, 0xAA, sizeof(out));
	usbip_usb_interface_pack(out, &i);
	ASSERT_BYTES(out, golden, 4);
	memset(&back, 0, sizeof(back));
	usbip_usb_interface_unpack(&back, golden);
	ASSERT_INT(back.bInterfaceClass, 0xEF);
	ASSERT_INT(back.bInterfaceSubClass, 0x05);
	ASSERT_INT(back.bInterfaceProtocol, 0x02);
}

/* Every header struct starts filled with 0xAA garbage, so a field the packer
 * should not write (other union members) would leak into the padding. */
static void garbage(struct usbip_header *h) { memset(h, 0xAA, sizeof(*h)); }

static void test_usbip_proto_cmd_submit(void)
{
	/* GET_DESCRIPTOR(DEVICE, 18) on ep 0, IN, seqnum 0x123, devid 1-2 */
	static const uint8_t golden[48] = {
		0x00, 0x00, 0x00, 0x01,   /* command CMD_SUBMIT */
		0x00, 0x00, 0x01, 0x23,   /* seqnum */
		0x00, 0x01, 0x00, 0x02,   /* devid (busnum << 16) | devnum */
		0x00, 0x00, 0x00, 0x01,   /* direction IN */
		0x00, 0x00, 0x00, 0x00,   /* ep 0 */
		0x00, 0x04, 0x02, 0x01,   /* transfer_flags: DMA_MAP_SG | DIR_IN | SHORT_NOT_OK */
		0x00, 0x00, 0x00, 0x12,   /* transfer_buffer_length 18 */
		0xFF, 0xFF, 0xFF, 0xFE,   /* start_frame -2 */
		0x00, 0x00, 0x00, 0x00,   /* number_of_packets */
		0x00, 0x00, 0x00, 0x08,   /* interval */
		0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00,  /* setup, raw little-endian */
	};
	static const uint8_t setup[8] = { 0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00 };
	struct usbip_header h, back;
	uint8_t out[USBIP_HEADER_SIZE];

	ASSERT_INT(USBIP_HEADER_SIZE, 48);
	garbage(&h);
	h.command = USBIP_CMD_SUBMIT;
	h.seqnum = 0x123;
	h.devid = 0x00010002;
	h.direction = USBIP_DIR_IN;
	h.ep = 0;
	h.u.cmd_submit.transfer_flags = 0x00040000 | USBIP_URB_DIR_IN | USBIP_URB_SHORT_NOT_OK;
	h.u.cmd_submit.transfer_buffer_length = 18;
	h.u.cmd_submit.start_frame = -2;
	h.u.cmd_submit.number_of_packets = 0;
	h.u.cmd_submit.interval = 8;
	memcpy(h.u.cmd_submit.setup, setup, 8);
	usbip_header_pack(out, &h);
	ASSERT_BYTES(out, golden, 48);

	garbage(&back);
	ASSERT_INT(usbip_header_unpack(&back, golden), DFK_OK);
	ASSERT_INT(back.command, USBIP_CMD_SUBMIT);
	ASSERT_INT(back.seqnum, 0x123);
	ASSERT_INT(back.devid, 0x00010002);
	ASSERT_INT(back.direction, 1);
	ASSERT_INT(back.ep, 0);
	ASSERT_INT(back.u.cmd_submit.transfer_flags, 0x00040201);
	ASSERT_INT(back.u.cmd_submit.transfer_buffer_length, 18);
	ASSERT_INT(back.u.cmd_submit.start_frame, -2);
	ASSERT_INT(back.u.cmd_submit.number_of_packets, 0);
	ASSERT_INT(back.u.cmd_submit.interval, 8);
	ASSERT_BYTES(back.u.cmd_submit.setup, setup, 8);
}

static void test_usbip_proto_cmd_submit_bulk_out(void)
{
	/* bulk OUT of 24 bytes on ep 1 (a GenCP command): the setup bytes are sent as zero */
	static const uint8_t golden[48] = {
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07, 0x00, 0x01, 0x00, 0x02,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct usbip_header h;
	uint8_t out[48];

	memset(&h, 0, sizeof(h));
	h.command = USBIP_CMD_SUBMIT;
	h.seqnum = 7;
	h.devid = 0x00010002;
	h.direction = USBIP_DIR_OUT;
	h.ep = 1;
	h.u.cmd_submit.transfer_buffer_length = 24;
	usbip_header_pack(out, &h);
	ASSERT_BYTES(out, golden, 48);
}

static void test_usbip_proto_ret_submit(void)
{
	/* a stall answering seqnum 0x123; devid/direction/ep are 0 in RET PDUs */
	static const uint8_t golden[48] = {
		0x00, 0x00, 0x00, 0x03,   /* command RET_SUBMIT */
		0x00, 0x00, 0x01, 0x23,   /* seqnum */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0xFF, 0xFF, 0xFF, 0xE0,   /* status -32 (-EPIPE) */
		0x00, 0x00, 0x00, 0x12,   /* actual_length 18 */
		0x00, 0x00, 0x00, 0x05,   /* start_frame */
		0x00, 0x00, 0x00, 0x00,   /* number_of_packets */
		0x00, 0x00, 0x00, 0x03,   /* error_count */
		0, 0, 0, 0, 0, 0, 0, 0,   /* padding */
	};
	struct usbip_header h, back;
	uint8_t out[48];

	garbage(&h);
	h.command = USBIP_RET_SUBMIT;
	h.seqnum = 0x123;
	h.devid = 0;
	h.direction = 0;
	h.ep = 0;
	h.u.ret_submit.status = -32;
	h.u.ret_submit.actual_length = 18;
	h.u.ret_submit.start_frame = 5;
	h.u.ret_submit.number_of_packets = 0;
	h.u.ret_submit.error_count = 3;
	usbip_header_pack(out, &h);
	ASSERT_BYTES(out, golden, 48);

	garbage(&back);
	ASSERT_INT(usbip_header_unpack(&back, golden), DFK_OK);
	ASSERT_INT(back.command, USBIP_RET_SUBMIT);
	ASSERT_INT(back.seqnum, 0x123);
	ASSERT_INT(back.u.ret_submit.status, -32);
	ASSERT_INT(back.u.ret_submit.actual_length, 18);
	ASSERT_INT(back.u.ret_submit.start_frame, 5);
	ASSERT_INT(back.u.ret_submit.number_of_packets, 0);
	ASSERT_INT(back.u.ret_submit.error_count, 3);
}

static void test_usbip_proto_cmd_unlink(void)
{
	static const uint8_t golden[48] = {
		0x00, 0x00, 0x00, 0x02,   /* command CMD_UNLINK */
		0x00, 0x00, 0x01, 0x24,   /* seqnum (a new number) */
		0x00, 0x01, 0x00, 0x02,   /* devid */
		0x00, 0x00, 0x00, 0x00,   /* direction */
		0x00, 0x00, 0x00, 0x00,   /* ep */
		0x00, 0x00, 0x01, 0x23,   /* unlink_seqnum */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* padding */
	};
	struct usbip_header h, back;
	uint8_t out[48];

	garbage(&h);
	h.command = USBIP_CMD_UNLINK;
	h.seqnum = 0x124;
	h.devid = 0x00010002;
	h.direction = 0;
	h.ep = 0;
	h.u.cmd_unlink.unlink_seqnum = 0x123;
	usbip_header_pack(out, &h);
	ASSERT_BYTES(out, golden, 48);

	garbage(&back);
	ASSERT_INT(usbip_header_unpack(&back, golden), DFK_OK);
	ASSERT_INT(back.command, USBIP_CMD_UNLINK);
	ASSERT_INT(back.seqnum, 0x124);
	ASSERT_INT(back.devid, 0x00010002);
	ASSERT_INT(back.u.cmd_unlink.unlink_seqnum, 0x123);
}

static void test_usbip_proto_ret_unlink(void)
{
	static const uint8_t golden[48] = {
		0x00, 0x00, 0x00, 0x04,   /* command RET_UNLINK */
		0x00, 0x00, 0x01, 0x24,   /* seqnum copied from CMD_UNLINK */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0xFF, 0xFF, 0xFF, 0x98,   /* status -104 (-ECONNRESET) */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct usbip_header h, back;
	uint8_t out[48];

	garbage(&h);
	h.command = USBIP_RET_UNLINK;
	h.seqnum = 0x124;
	h.devid = 0;
	h.direction = 0;
	h.ep = 0;
	h.u.ret_unlink.status = -104;
	usbip_header_pack(out, &h);
	ASSERT_BYTES(out, golden, 48);

	garbage(&back);
	ASSERT_INT(usbip_header_unpack(&back, golden), DFK_OK);
	ASSERT_INT(back.command, USBIP_RET_UNLINK);
	ASSERT_INT(back.seqnum, 0x124);
	ASSERT_INT(back.u.ret_unlink.status, -104);
}

static void test_usbip_proto_unknown_command(void)
{
	uint8_t in[48] = { 0 };
	struct usbip_header h;

	in[3] = 0x05;
	in[7] = 0x09;
	ASSERT_INT(usbip_header_unpack(&h, in), DFK_ERR_PROTO);
	ASSERT_INT(h.command, 5);   /* the header says h->command is still set */
	in[3] = 0x00;
	ASSERT_INT(usbip_header_unpack(&h, in), DFK_ERR_PROTO);
	ASSERT_INT(h.command, 0);
	/* a command in the high byte only is not CMD_SUBMIT */
	in[0] = 0x01;
	in[3] = 0x00;
	ASSERT_INT(usbip_header_unpack(&h, in), DFK_ERR_PROTO);
	ASSERT_INT(h.command, 0x01000000);
}

static void test_usbip_proto_strings(void)
{
	char buf[256];
	struct usbip_header h;

	CU_ASSERT_STRING_EQUAL(usbip_command_string(USBIP_CMD_SUBMIT), "CMD_SUBMIT");
	CU_ASSERT_STRING_EQUAL(usbip_command_string(USBIP_RET_UNLINK), "RET_UNLINK");
	CU_ASSERT_PTR_NOT_NULL(usbip_command_string(99));
	CU_ASSERT_PTR_NOT_NULL(usbip_op_status_string(77));
	memset(&h, 0, sizeof(h));
	h.command = USBIP_RET_SUBMIT;
	h.seqnum = 42;
	h.u.ret_submit.status = -32;
	CU_ASSERT(usbip_header_to_string(&h, buf, sizeof(buf)) > 0);
	CU_ASSERT(strstr(buf, "42") != NULL);
	CU_ASSERT(strstr(buf, "-32") != NULL);
}

static const struct test_case cases[] = {
	{ "test_usbip_proto_op_common_request", test_usbip_proto_op_common_request },
	{ "test_usbip_proto_op_common_reply_status", test_usbip_proto_op_common_reply_status },
	{ "test_usbip_proto_usb_device_layout", test_usbip_proto_usb_device_layout },
	{ "test_usbip_proto_usb_device_round_trip", test_usbip_proto_usb_device_round_trip },
	{ "test_usbip_proto_usb_device_unpack_terminates_strings", test_usbip_proto_usb_device_unpack_terminates_strings },
	{ "test_usbip_proto_interface_record", test_usbip_proto_interface_record },
	{ "test_usbip_proto_cmd_submit", test_usbip_proto_cmd_submit },
	{ "test_usbip_proto_cmd_submit_bulk_out", test_usbip_proto_cmd_submit_bulk_out },
	{ "test_usbip_proto_ret_submit", test_usbip_proto_ret_submit },
	{ "test_usbip_proto_cmd_unlink", test_usbip_proto_cmd_unlink },
	{ "test_usbip_proto_ret_unlink", test_usbip_proto_ret_unlink },
	{ "test_usbip_proto_unknown_command", test_usbip_proto_unknown_command },
	{ "test_usbip_proto_strings", test_usbip_proto_strings },
	{ NULL, NULL },
};

int test_usbip_proto_add_suite(void) { return test_add_suite("usbip_proto", NULL, NULL, cases); }
