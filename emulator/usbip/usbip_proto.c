/* SPDX-License-Identifier: MIT */
#include "usbip_proto.h"

#include <stdio.h>
#include <string.h>

#include "../common/bytes.h"
#include "../common/errors.h"

void usbip_op_common_pack(uint8_t out[USBIP_OP_COMMON_SIZE], const struct usbip_op_common *op)
{
	put_be16(out, op->version);
	put_be16(out + 2, op->code);
	put_be32(out + 4, op->status);
}

void usbip_op_common_unpack(struct usbip_op_common *op, const uint8_t in[USBIP_OP_COMMON_SIZE])
{
	op->version = get_be16(in);
	op->code = get_be16(in + 2);
	op->status = get_be32(in + 4);
}

void usbip_usb_device_pack(uint8_t out[USBIP_USB_DEVICE_SIZE], const struct usbip_usb_device *d)
{
	memset(out, 0, USBIP_USB_DEVICE_SIZE);
	memcpy(out, d->path, strnlen(d->path, USBIP_PATH_SIZE));
	memcpy(out + 0x100, d->busid, strnlen(d->busid, USBIP_BUSID_SIZE));
	put_be32(out + 0x120, d->busnum);
	put_be32(out + 0x124, d->devnum);
	put_be32(out + 0x128, d->speed);
	put_be16(out + 0x12C, d->idVendor);
	put_be16(out + 0x12E, d->idProduct);
	put_be16(out + 0x130, d->bcdDevice);
	out[0x132] = d->bDeviceClass;
	out[0x133] = d->bDeviceSubClass;
	out[0x134] = d->bDeviceProtocol;
	out[0x135] = d->bConfigurationValue;
	out[0x136] = d->bNumConfigurations;
	out[0x137] = d->bNumInterfaces;
}

void usbip_usb_device_unpack(struct usbip_usb_device *d, const uint8_t in[USBIP_USB_DEVICE_SIZE])
{
	memcpy(d->path, in, USBIP_PATH_SIZE);
	d->path[USBIP_PATH_SIZE - 1] = '\0';
	memcpy(d->busid, in + 0x100, USBIP_BUSID_SIZE);
	d->busid[USBIP_BUSID_SIZE - 1] = '\0';
	d->busnum = get_be32(in + 0x120);
	d->devnum = get_be32(in + 0x124);
	d->speed = get_be32(in + 0x128);
	d->idVendor = get_be16(in + 0x12C);
	d->idProduct = get_be16(in + 0x12E);
	d->bcdDevice = get_be16(in + 0x130);
	d->bDeviceClass = in[0x132];
	d->bDeviceSubClass = in[0x133];
	d->bDeviceProtocol = in[0x134];
	d->bConfigurationValue = in[0x135];
	d->bNumConfigurations = in[0x136];
	d->bNumInterfaces = in[0x137];
}

void usbip_usb_interface_pack(uint8_t out[USBIP_USB_INTERFACE_SIZE], const struct usbip_usb_interface *i)
{
	out[0] = i->bInterfaceClass;
	out[1] = i->bInterfaceSubClass;
	out[2] = i->bInterfaceProtocol;
	out[3] = 0;  /* padding */
}

void usbip_usb_interface_unpack(struct usbip_usb_interface *i, const uint8_t in[USBIP_USB_INTERFACE_SIZE])
{
	i->bInterfaceClass = in[0];
	i->bInterfaceSubClass = in[1];
	i->bInterfaceProtocol = in[2];
}

void usbip_header_pack(uint8_t out[USBIP_HEADER_SIZE], const struct usbip_header *h)
{
	memset(out, 0, USBIP_HEADER_SIZE);
	put_be32(out + 0x00, h->command);
	put_be32(out + 0x04, h->seqnum);
	put_be32(out + 0x08, h->devid);
	put_be32(out + 0x0C, h->direction);
	put_be32(out + 0x10, h->ep);
	switch (h->command) {
	case USBIP_CMD_SUBMIT:
		put_be32(out + 0x14, h->u.cmd_submit.transfer_flags);
		put_be32(out + 0x18, (uint32_t)h->u.cmd_submit.transfer_buffer_length);
		put_be32(out + 0x1C, (uint32_t)h->u.cmd_submit.start_frame);
		put_be32(out + 0x20, (uint32_t)h->u.cmd_submit.number_of_packets);
		put_be32(out + 0x24, (uint32_t)h->u.cmd_submit.interval);
		memcpy(out + 0x28, h->u.cmd_submit.setup, 8);
		break;
	case USBIP_RET_SUBMIT:
		put_be32(out + 0x14, (uint32_t)h->u.ret_submit.status);
		put_be32(out + 0x18, (uint32_t)h->u.ret_submit.actual_length);
		put_be32(out + 0x1C, (uint32_t)h->u.ret_submit.start_frame);
		put_be32(out + 0x20, (uint32_t)h->u.ret_submit.number_of_packets);
		put_be32(out + 0x24, (uint32_t)h->u.ret_submit.error_count);
		break;
	case USBIP_CMD_UNLINK:
		put_be32(out + 0x14, h->u.cmd_unlink.unlink_seqnum);
		break;
	case USBIP_RET_UNLINK:
		put_be32(out + 0x14, (uint32_t)h->u.ret_unlink.status);
		break;
	default:
		break;
	}
}

int usbip_header_unpack(struct usbip_header *h, const uint8_t in[USBIP_HEADER_SIZE])
{
	memset(h, 0, sizeof(*h));
	h->command = get_be32(in + 0x00);
	h->seqnum = get_be32(in + 0x04);
	h->devid = get_be32(in + 0x08);
	h->direction = get_be32(in + 0x0C);
	h->ep = get_be32(in + 0x10);
	switch (h->command) {
	case USBIP_CMD_SUBMIT:
		h->u.cmd_submit.transfer_flags = get_be32(in + 0x14);
		h->u.cmd_submit.transfer_buffer_length = (int32_t)get_be32(in + 0x18);
		h->u.cmd_submit.start_frame = (int32_t)get_be32(in + 0x1C);
		h->u.cmd_submit.number_of_packets = (int32_t)get_be32(in + 0x20);
		h->u.cmd_submit.interval = (int32_t)get_be32(in + 0x24);
		memcpy(h->u.cmd_submit.setup, in + 0x28, 8);
		return DFK_OK;
	case USBIP_RET_SUBMIT:
		h->u.ret_submit.status = (int32_t)get_be32(in + 0x14);
		h->u.ret_submit.actual_length = (int32_t)get_be32(in + 0x18);
		h->u.ret_submit.start_frame = (int32_t)get_be32(in + 0x1C);
		h->u.ret_submit.number_of_packets = (int32_t)get_be32(in + 0x20);
		h->u.ret_submit.error_count = (int32_t)get_be32(in + 0x24);
		return DFK_OK;
	case USBIP_CMD_UNLINK:
		h->u.cmd_unlink.unlink_seqnum = get_be32(in + 0x14);
		return DFK_OK;
	case USBIP_RET_UNLINK:
		h->u.ret_unlink.status = (int32_t)get_be32(in + 0x14);
		return DFK_OK;
	default:
		return DFK_ERR_PROTO;
	}
}

const char *usbip_op_status_string(uint32_t status)
{
	switch (status) {
	case USBIP_ST_OK: return "ok";
	case USBIP_ST_NA: return "not available";
	case USBIP_ST_DEV_BUSY: return "device busy (exported)";
	case USBIP_ST_DEV_ERR: return "device in error state";
	case USBIP_ST_NODEV: return "device not found";
	case USBIP_ST_ERROR: return "unexpected response";
	default: return "unknown status";
	}
}

const char *usbip_command_string(uint32_t command)
{
	switch (command) {
	case USBIP_CMD_SUBMIT: return "CMD_SUBMIT";
	case USBIP_CMD_UNLINK: return "CMD_UNLINK";
	case USBIP_RET_SUBMIT: return "RET_SUBMIT";
	case USBIP_RET_UNLINK: return "RET_UNLINK";
	default: return "UNKNOWN";
	}
}

int usbip_header_to_string(const struct usbip_header *h, char *buf, size_t len)
{
	switch (h->command) {
	case USBIP_CMD_SUBMIT: {
		const uint8_t *s = h->u.cmd_submit.setup;
		return snprintf(buf, len, "CMD_SUBMIT seq %u devid 0x%x %s ep %u flags 0x%x len %d npk %d"
				" setup %02x %02x %02x%02x %02x%02x %02x%02x",
				h->seqnum, h->devid, h->direction ? "in" : "out", h->ep,
				h->u.cmd_submit.transfer_flags, h->u.cmd_submit.transfer_buffer_length,
				h->u.cmd_submit.number_of_packets,
				s[0], s[1], s[3], s[2], s[5], s[4], s[7], s[6]);
	}
	case USBIP_RET_SUBMIT:
		return snprintf(buf, len, "RET_SUBMIT seq %u status %d actual %d", h->seqnum,
				h->u.ret_submit.status, h->u.ret_submit.actual_length);
	case USBIP_CMD_UNLINK:
		return snprintf(buf, len, "CMD_UNLINK seq %u devid 0x%x unlink %u", h->seqnum, h->devid,
				h->u.cmd_unlink.unlink_seqnum);
	case USBIP_RET_UNLINK:
		return snprintf(buf, len, "RET_UNLINK seq %u status %d", h->seqnum, h->u.ret_unlink.status);
	default:
		return snprintf(buf, len, "unknown command 0x%x seq %u", h->command, h->seqnum);
	}
}
