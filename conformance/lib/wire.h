/* SPDX-License-Identifier: MIT */
/* Wire formats as dfk-conform sees them from the host side: USB standard requests
 * and descriptors, USB/IP (client), GenCP and the U3V stream leader/trailer.
 *
 * Written independently of the emulator's codecs so that a symmetric bug on
 * both sides cannot hide: the conformance suite never links emulator code. */
#ifndef CONFORM_WIRE_H
#define CONFORM_WIRE_H

#include <stddef.h>
#include <stdint.h>

static inline uint16_t rd_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t rd_le32(const uint8_t *p) { return (uint32_t)rd_le16(p) | (uint32_t)rd_le16(p + 2) << 16; }
static inline uint64_t rd_le64(const uint8_t *p) { return (uint64_t)rd_le32(p) | (uint64_t)rd_le32(p + 4) << 32; }
static inline uint16_t rd_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd_be32(const uint8_t *p) { return (uint32_t)rd_be16(p) << 16 | rd_be16(p + 2); }
static inline void wr_le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void wr_le32(uint8_t *p, uint32_t v) { wr_le16(p, (uint16_t)v); wr_le16(p + 2, (uint16_t)(v >> 16)); }
static inline void wr_le64(uint8_t *p, uint64_t v) { wr_le32(p, (uint32_t)v); wr_le32(p + 4, (uint32_t)(v >> 32)); }
static inline void wr_be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void wr_be32(uint8_t *p, uint32_t v) { wr_be16(p, (uint16_t)(v >> 16)); wr_be16(p + 2, (uint16_t)v); }

/* ---- USB standard requests and descriptors (USB 3.2 chapter 9) ---- */
#define USB_DIR_IN                 0x80   /* bit 7 of bmRequestType and of an endpoint address */
/* bmRequestType: data direction | standard request | recipient */
#define USB_RT_DEVICE_OUT          0x00
#define USB_RT_DEVICE_IN           0x80
#define USB_RT_ENDPOINT_OUT        0x02
#define USB_RT_ENDPOINT_IN         0x82
/* bRequest */
#define USB_REQ_GET_STATUS         0x00
#define USB_REQ_CLEAR_FEATURE      0x01
#define USB_REQ_SET_FEATURE        0x03
#define USB_REQ_GET_DESCRIPTOR     0x06
#define USB_REQ_GET_CONFIGURATION  0x08
#define USB_REQ_SET_CONFIGURATION  0x09
/* feature selector of SET/CLEAR_FEATURE to an endpoint */
#define USB_FEATURE_ENDPOINT_HALT  0x00
/* bDescriptorType */
#define USB_DESC_DEVICE            0x01
#define USB_DESC_CONFIGURATION     0x02
#define USB_DESC_STRING            0x03
#define USB_DESC_INTERFACE         0x04
#define USB_DESC_ENDPOINT          0x05
#define USB_DESC_IAD               0x0B
#define USB_DESC_BOS               0x0F
#define USB_DESC_DEVICE_CAPABILITY 0x10
#define USB_DESC_U3V_CLASS         0x24   /* U3V class-specific (device info) */
#define USB_DESC_SS_EP_COMPANION   0x30
#define USB_DEVCAP_SUPERSPEED      0x03   /* bDevCapabilityType of the SuperSpeed USB capability */
#define USB_LANGID_EN_US           0x0409

/* ---- USB/IP (Linux Documentation/usb/usbip_protocol.rst) ---- */
#define UIP_VERSION          0x0111
#define UIP_REQ_DEVLIST      0x8005
#define UIP_REP_DEVLIST      0x0005
#define UIP_REQ_IMPORT       0x8003
#define UIP_REP_IMPORT       0x0003
#define UIP_DEVICE_SIZE      0x138
#define UIP_HDR              48
#define UIP_CMD_SUBMIT       1
#define UIP_CMD_UNLINK       2
#define UIP_RET_SUBMIT       3
#define UIP_RET_UNLINK       4

struct uip_device {
	char path[257];
	char busid[33];
	uint32_t busnum, devnum, speed;
	uint16_t vid, pid, bcd_device;
	uint8_t dev_class, dev_subclass, dev_protocol, config_value, n_configs, n_interfaces;
	uint8_t if_class[32], if_subclass[32], if_protocol[32];
};

void uip_parse_device(struct uip_device *d, const uint8_t rec[UIP_DEVICE_SIZE]);

/* ---- GenCP on U3V ---- */
#define GENCP_PREFIX             0x43563355u
#define GENCP_REQUEST_ACK        0x4000
#define GENCP_READMEM_CMD        0x0800
#define GENCP_READMEM_ACK        0x0801
#define GENCP_WRITEMEM_CMD       0x0802
#define GENCP_WRITEMEM_ACK       0x0803
#define GENCP_PENDING_ACK        0x0805
#define GENCP_EVENT_CMD          0x0C00

#define GENCP_SUCCESS            0x0000
#define GENCP_NOT_IMPLEMENTED    0x8001
#define GENCP_INVALID_PARAMETER  0x8002
#define GENCP_INVALID_ADDRESS    0x8003
#define GENCP_WRITE_PROTECT      0x8004
#define GENCP_BAD_ALIGNMENT      0x8005
#define GENCP_ACCESS_DENIED      0x8006
#define GENCP_BUSY               0x8007
#define GENCP_INVALID_HEADER     0x800E

const char *gencp_status_name(uint16_t status);

/* ---- bootstrap register offsets (GenCP / U3V) ---- */
#define ABRM_MANUFACTURER   0x0004
#define ABRM_MODEL          0x0044
#define ABRM_FAMILY         0x0084
#define ABRM_VERSION        0x00C4
#define ABRM_INFO           0x0104
#define ABRM_SERIAL         0x0144
#define ABRM_USER_NAME      0x0184
#define ABRM_CAPABILITY     0x01C4
#define ABRM_RESPONSE_TIME  0x01CC
#define ABRM_MANIFEST       0x01D0
#define ABRM_SBRM           0x01D8
#define ABRM_TIMESTAMP      0x01F0
#define ABRM_TS_LATCH       0x01F8
#define ABRM_TS_INCREMENT   0x01FC
#define ABRM_ENDIANNESS     0x0208
#define SBRM_VERSION        0x00
#define SBRM_CAPABILITY     0x04
#define SBRM_MAX_CMD        0x14
#define SBRM_MAX_ACK        0x18
#define SBRM_N_STREAMS      0x1C
#define SBRM_SIRM           0x20
#define SBRM_SIRM_LEN       0x28
#define SBRM_EIRM           0x2C
#define SBRM_EIRM_LEN       0x34
#define SBRM_SPEED          0x40
#define SIRM_INFO           0x00
#define SIRM_CONTROL        0x04
#define SIRM_REQ_PAYLOAD    0x08
#define SIRM_REQ_LEADER     0x10
#define SIRM_REQ_TRAILER    0x14
#define SIRM_MAX_LEADER     0x18
#define SIRM_XFER_SIZE      0x1C
#define SIRM_XFER_COUNT     0x20
#define SIRM_FINAL1         0x24
#define SIRM_FINAL2         0x28
#define SIRM_MAX_TRAILER    0x2C

/* ---- U3V stream ---- */
#define U3V_LEADER_MAGIC    0x4C563355u
#define U3V_TRAILER_MAGIC   0x54563355u

struct u3v_leader_info {
	uint16_t size;
	uint64_t block_id;
	uint16_t payload_type;
	uint64_t timestamp;
	uint32_t pixel_format, size_x, size_y, offset_x, offset_y;
	uint16_t padding_x;
};

struct u3v_trailer_info {
	uint16_t size;
	uint64_t block_id;
	uint16_t status;
	uint64_t valid_payload;
	uint32_t size_y;
};

int u3v_parse_leader(struct u3v_leader_info *l, const uint8_t *p, size_t len);    /* 0 or -1 */
int u3v_parse_trailer(struct u3v_trailer_info *t, const uint8_t *p, size_t len);  /* 0 or -1 */

#endif
