/* SPDX-License-Identifier: MIT */
/* USB3 Vision bootstrap registers: ABRM, SBRM, SIRM, EIRM, the manifest table
 * and the GenICam XML file, as regmap regions (U3V 1.0 chapter 5, GenCP 1.0).
 *
 * Layout of this device (all little-endian):
 *   0x00000000 ABRM      0x00002000 SBRM      0x00003000 SIRM
 *   0x00003100 EIRM      0x00004000 manifest  0x00100000 GenICam XML
 */
#ifndef DFK_U3V_BOOTSTRAP_H
#define DFK_U3V_BOOTSTRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../regmap/regmap.h"

#define U3V_ABRM_ADDRESS       0x00000000u
#define U3V_SBRM_ADDRESS       0x00002000u
#define U3V_SIRM_ADDRESS       0x00003000u
#define U3V_EIRM_ADDRESS       0x00003100u
#define U3V_MANIFEST_ADDRESS   0x00004000u
#define U3V_XML_ADDRESS        0x00100000u
#define U3V_XML_MAX_SIZE       0x00100000u

/* Largest GenCP command and ack this device takes (SBRM). MaxAck stays below
 * 65536 + 12 (a u16 read count) and MaxCmd = MaxAck + 8 so any chunk a host
 * reads can also be written back. */
#define U3V_MAX_CMD_TRANSFER   65544u
#define U3V_MAX_ACK_TRANSFER   65536u

/* ABRM offsets (GenCP 1.0 table 4-2) */
#define ABRM_GENCP_VERSION          0x0000
#define ABRM_MANUFACTURER_NAME      0x0004
#define ABRM_MODEL_NAME             0x0044
#define ABRM_FAMILY_NAME            0x0084
#define ABRM_DEVICE_VERSION         0x00C4
#define ABRM_MANUFACTURER_INFO      0x0104
#define ABRM_SERIAL_NUMBER          0x0144
#define ABRM_USER_DEFINED_NAME      0x0184
#define ABRM_DEVICE_CAPABILITY      0x01C4
#define ABRM_MAX_DEVICE_RESPONSE    0x01CC
#define ABRM_MANIFEST_TABLE_ADDRESS 0x01D0
#define ABRM_SBRM_ADDRESS           0x01D8
#define ABRM_DEVICE_CONFIGURATION   0x01E0
#define ABRM_HEARTBEAT_TIMEOUT      0x01E8
#define ABRM_MESSAGE_CHANNEL_ID     0x01EC
#define ABRM_TIMESTAMP              0x01F0
#define ABRM_TIMESTAMP_LATCH        0x01F8
#define ABRM_TIMESTAMP_INCREMENT    0x01FC
#define ABRM_ACCESS_PRIVILEGE       0x0204
#define ABRM_PROTOCOL_ENDIANNESS    0x0208
#define ABRM_IMPLEMENTATION_ENDIAN  0x020C
#define ABRM_SW_INTERFACE_VERSION   0x0210

/* SBRM offsets (U3V 1.0 table 5-9) */
#define SBRM_U3V_VERSION            0x00
#define SBRM_U3VCP_CAPABILITY       0x04
#define SBRM_U3VCP_CONFIGURATION    0x0C
#define SBRM_MAX_CMD_TRANSFER       0x14
#define SBRM_MAX_ACK_TRANSFER       0x18
#define SBRM_NUM_STREAM_CHANNELS    0x1C
#define SBRM_SIRM_ADDRESS           0x20
#define SBRM_SIRM_LENGTH            0x28
#define SBRM_EIRM_ADDRESS           0x2C
#define SBRM_EIRM_LENGTH            0x34
#define SBRM_IIDC2_ADDRESS          0x38
#define SBRM_CURRENT_SPEED          0x40

/* SIRM offsets (U3V 1.0 table 5-10) */
#define SIRM_INFO                   0x00
#define SIRM_CONTROL                0x04
#define SIRM_REQ_PAYLOAD_SIZE       0x08
#define SIRM_REQ_LEADER_SIZE        0x10
#define SIRM_REQ_TRAILER_SIZE       0x14
#define SIRM_MAX_LEADER_SIZE        0x18
#define SIRM_PAYLOAD_TRANSFER_SIZE  0x1C
#define SIRM_PAYLOAD_TRANSFER_COUNT 0x20
#define SIRM_FINAL_TRANSFER1_SIZE   0x24
#define SIRM_FINAL_TRANSFER2_SIZE   0x28
#define SIRM_MAX_TRAILER_SIZE       0x2C
#define SIRM_LENGTH                 0x30

/* EIRM offsets (U3V 1.0 table 5-12) */
#define EIRM_CONTROL                0x00
#define EIRM_MAX_EVENT_TRANSFER     0x04
#define EIRM_EVENT_TEST_CONTROL     0x08
#define EIRM_LENGTH                 0x0C

/* Transfer sizes must be multiples of 8 bytes. Every payload size of this camera
 * is (Width is a multiple of 16), so a host that sizes its last transfer exactly
 * (Aravis does when the payload is below 1 MiB) is never refused. */
#define SIRM_ALIGNMENT_LOG2         3

/* What the bootstrap needs from the rest of the device. */
struct u3v_bootstrap_ops {
	uint64_t (*now_ns)(void *ctx);                          /* device clock */
	int (*user_name_changed)(void *ctx, const char *name);  /* persist; may fail */
	uint64_t (*required_payload)(void *ctx);
	void (*stream_enable)(void *ctx, bool enable);
	void (*event_enable)(void *ctx, bool enable);
	void (*event_test)(void *ctx);
};

struct u3v_sirm {
	uint32_t control;
	uint32_t max_leader, max_trailer;
	uint32_t transfer_size, transfer_count, final1, final2;
};

struct u3v_bootstrap {
	const struct u3v_bootstrap_ops *ops;
	void *ctx;
	char manufacturer[64], model[64], family[64], version[64], info[64], serial[64];
	char user_name[64];
	uint32_t max_response_ms;
	uint64_t device_configuration;
	uint32_t heartbeat_timeout_ms;
	uint32_t message_channel_id;
	uint64_t timestamp_latched;
	uint32_t access_privilege;
	uint64_t u3vcp_configuration;
	struct u3v_sirm sirm;
	uint32_t ei_control;
	uint32_t max_event_transfer;
	/* GenICam XML and its manifest entry */
	const char *xml;
	size_t xml_len;
	uint8_t xml_sha1[20];
	uint32_t xml_file_version;       /* major << 24 | minor << 16 | subminor */
};

/* Strings are copied (truncated to 63 chars). `xml` must outlive the bootstrap. */
struct u3v_identity_strings {
	const char *manufacturer, *model, *family, *version, *info, *serial, *user_name;
};

int u3v_bootstrap_init(struct u3v_bootstrap *b, const struct u3v_identity_strings *id, uint32_t max_response_ms,
		       const char *xml, size_t xml_len, uint32_t xml_file_version,
		       const struct u3v_bootstrap_ops *ops, void *ctx);
/* Power-on values of the writable registers (strings stay). */
void u3v_bootstrap_reset(struct u3v_bootstrap *b);
int u3v_bootstrap_add_regions(struct u3v_bootstrap *b, struct regmap *m);

/* SIRM Required Leader/Trailer sizes of an image block. */
#define U3V_LEADER_SIZE_IMAGE   52u
#define U3V_TRAILER_SIZE_IMAGE  32u

#endif
