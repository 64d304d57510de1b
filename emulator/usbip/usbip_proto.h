/* SPDX-License-Identifier: MIT */
/* USB/IP wire protocol, version 0x0111 (Linux Documentation/usb/usbip_protocol.rst).
 *
 * Everything on this wire is big-endian except the 8-byte USB setup packet,
 * which is copied raw. Structs here are host order; the pack and unpack functions convert.
 */
#ifndef DFK_USBIP_PROTO_H
#define DFK_USBIP_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define USBIP_VERSION            0x0111
#define USBIP_PORT               3240

/* ---- operation phase (before import) ---- */
#define USBIP_OP_REQUEST         0x8000
#define USBIP_OP_DEVLIST         0x0005
#define USBIP_OP_IMPORT          0x0003
#define USBIP_OP_REQ_DEVLIST     (USBIP_OP_REQUEST | USBIP_OP_DEVLIST)
#define USBIP_OP_REP_DEVLIST     USBIP_OP_DEVLIST
#define USBIP_OP_REQ_IMPORT      (USBIP_OP_REQUEST | USBIP_OP_IMPORT)
#define USBIP_OP_REP_IMPORT      USBIP_OP_IMPORT

/* op_common.status */
enum usbip_op_status {
	USBIP_ST_OK = 0,
	USBIP_ST_NA = 1,
	USBIP_ST_DEV_BUSY = 2,
	USBIP_ST_DEV_ERR = 3,
	USBIP_ST_NODEV = 4,
	USBIP_ST_ERROR = 5,
};

#define USBIP_OP_COMMON_SIZE     8
#define USBIP_BUSID_SIZE         32
#define USBIP_PATH_SIZE          256
#define USBIP_USB_DEVICE_SIZE    0x138
#define USBIP_USB_INTERFACE_SIZE 4

/**
 * struct usbip_op_common - header of every operation-phase message
 * @version: USBIP_VERSION
 * @code: USBIP_OP_REQ_* from the client, USBIP_OP_REP_* from the server
 * @status: enum usbip_op_status (replies); 0 in requests
 */
struct usbip_op_common {
	uint16_t version;
	uint16_t code;
	uint32_t status;
};

/**
 * struct usbip_usb_device - exported device record (OP_REP_DEVLIST, OP_REP_IMPORT)
 * Only the u32 and u16 fields are byte-swapped on the wire.
 */
struct usbip_usb_device {
	char path[USBIP_PATH_SIZE];
	char busid[USBIP_BUSID_SIZE];
	uint32_t busnum;
	uint32_t devnum;
	uint32_t speed;
	uint16_t idVendor;
	uint16_t idProduct;
	uint16_t bcdDevice;
	uint8_t bDeviceClass;
	uint8_t bDeviceSubClass;
	uint8_t bDeviceProtocol;
	uint8_t bConfigurationValue;
	uint8_t bNumConfigurations;
	uint8_t bNumInterfaces;
};

/** struct usbip_usb_interface - per-interface record that follows a device in OP_REP_DEVLIST */
struct usbip_usb_interface {
	uint8_t bInterfaceClass;
	uint8_t bInterfaceSubClass;
	uint8_t bInterfaceProtocol;
};

/* ---- URB phase (after a successful import) ---- */
enum usbip_command {
	USBIP_CMD_SUBMIT = 1,
	USBIP_CMD_UNLINK = 2,
	USBIP_RET_SUBMIT = 3,
	USBIP_RET_UNLINK = 4,
};

#define USBIP_DIR_OUT            0
#define USBIP_DIR_IN             1
#define USBIP_HEADER_SIZE        48
#define USBIP_ISO_DESC_SIZE      16

/* transfer_flags bits we look at (linux/usbip.h); unknown ones are ignored */
#define USBIP_URB_SHORT_NOT_OK   0x0001
#define USBIP_URB_ZERO_PACKET    0x0040
#define USBIP_URB_DIR_IN         0x0200

/**
 * struct usbip_header - the fixed 48-byte URB PDU header, host order
 * @command: enum usbip_command
 * @seqnum: CMD: chosen by the client; RET: copied from the CMD it answers
 * @devid: (busnum << 16) | devnum in CMDs; 0 in RETs
 * @direction: USBIP_DIR_* in CMD_SUBMIT; 0 elsewhere
 * @ep: endpoint number 0..15 without the direction bit, CMD_SUBMIT only
 * @u: per-command fields
 */
struct usbip_header {
	uint32_t command;
	uint32_t seqnum;
	uint32_t devid;
	uint32_t direction;
	uint32_t ep;
	union {
		struct {
			uint32_t transfer_flags;
			int32_t transfer_buffer_length;
			int32_t start_frame;
			int32_t number_of_packets;
			int32_t interval;
			uint8_t setup[8];
		} cmd_submit;
		struct {
			int32_t status;
			int32_t actual_length;
			int32_t start_frame;
			int32_t number_of_packets;
			int32_t error_count;
		} ret_submit;
		struct {
			uint32_t unlink_seqnum;
		} cmd_unlink;
		struct {
			int32_t status;
		} ret_unlink;
	} u;
};

void usbip_op_common_pack(uint8_t out[USBIP_OP_COMMON_SIZE], const struct usbip_op_common *op);
void usbip_op_common_unpack(struct usbip_op_common *op, const uint8_t in[USBIP_OP_COMMON_SIZE]);

void usbip_usb_device_pack(uint8_t out[USBIP_USB_DEVICE_SIZE], const struct usbip_usb_device *d);
void usbip_usb_device_unpack(struct usbip_usb_device *d, const uint8_t in[USBIP_USB_DEVICE_SIZE]);
void usbip_usb_interface_pack(uint8_t out[USBIP_USB_INTERFACE_SIZE], const struct usbip_usb_interface *i);
void usbip_usb_interface_unpack(struct usbip_usb_interface *i, const uint8_t in[USBIP_USB_INTERFACE_SIZE]);

/* Packs exactly the fields its command defines; the rest of the 48 bytes is zero. */
void usbip_header_pack(uint8_t out[USBIP_HEADER_SIZE], const struct usbip_header *h);
/* Returns 0, or DFK_ERR_PROTO for an unknown command (h->command is still set). */
int usbip_header_unpack(struct usbip_header *h, const uint8_t in[USBIP_HEADER_SIZE]);

const char *usbip_op_status_string(uint32_t status);
const char *usbip_command_string(uint32_t command);
/* One-line description for debug logs. */
int usbip_header_to_string(const struct usbip_header *h, char *buf, size_t len);

#endif
