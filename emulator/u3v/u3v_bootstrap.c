/* SPDX-License-Identifier: MIT */
#include "u3v_bootstrap.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "../common/bytes.h"
#include "../common/errors.h"
#include "../common/log.h"

enum field_id {
	F_GENCP_VERSION, F_MANUFACTURER, F_MODEL, F_FAMILY, F_VERSION, F_INFO, F_SERIAL, F_USER_NAME,
	F_CAPABILITY, F_MAX_RESPONSE, F_MANIFEST_ADDR, F_SBRM_ADDR, F_DEVICE_CONFIG, F_HEARTBEAT,
	F_MESSAGE_CHANNEL, F_TIMESTAMP, F_TIMESTAMP_LATCH, F_TIMESTAMP_INC, F_ACCESS_PRIVILEGE,
	F_PROTOCOL_ENDIAN, F_IMPL_ENDIAN, F_SW_IF_VERSION,
	F_U3V_VERSION, F_U3VCP_CAPABILITY, F_U3VCP_CONFIG, F_MAX_CMD, F_MAX_ACK, F_N_STREAMS, F_SIRM_ADDR,
	F_SIRM_LEN, F_EIRM_ADDR, F_EIRM_LEN, F_IIDC2_ADDR, F_CURRENT_SPEED,
	F_SI_INFO, F_SI_CONTROL, F_SI_REQ_PAYLOAD, F_SI_REQ_LEADER, F_SI_REQ_TRAILER, F_SI_MAX_LEADER,
	F_SI_TRANSFER_SIZE, F_SI_TRANSFER_COUNT, F_SI_FINAL1, F_SI_FINAL2, F_SI_MAX_TRAILER,
	F_EI_CONTROL, F_EI_MAX_TRANSFER, F_EI_TEST,
	F_MANIFEST_COUNT, F_MANIFEST_ENTRY,
};

struct field {
	uint32_t addr;
	uint32_t size;
	unsigned access;
	unsigned align;
	enum field_id id;
	const char *name;
};

/* 8-byte registers may be read as two 4-byte halves (Aravis reads 4 bytes of the U3VCP capability). */
static const struct field fields[] = {
	{ ABRM_GENCP_VERSION, 4, REG_R, 4, F_GENCP_VERSION, "ABRM GenCP Version" },
	{ ABRM_MANUFACTURER_NAME, 64, REG_R, 1, F_MANUFACTURER, "ABRM Manufacturer Name" },
	{ ABRM_MODEL_NAME, 64, REG_R, 1, F_MODEL, "ABRM Model Name" },
	{ ABRM_FAMILY_NAME, 64, REG_R, 1, F_FAMILY, "ABRM Family Name" },
	{ ABRM_DEVICE_VERSION, 64, REG_R, 1, F_VERSION, "ABRM Device Version" },
	{ ABRM_MANUFACTURER_INFO, 64, REG_R, 1, F_INFO, "ABRM Manufacturer Info" },
	{ ABRM_SERIAL_NUMBER, 64, REG_R, 1, F_SERIAL, "ABRM Serial Number" },
	{ ABRM_USER_DEFINED_NAME, 64, REG_RW, 1, F_USER_NAME, "ABRM User Defined Name" },
	{ ABRM_DEVICE_CAPABILITY, 8, REG_R, 4, F_CAPABILITY, "ABRM Device Capability" },
	{ ABRM_MAX_DEVICE_RESPONSE, 4, REG_R, 4, F_MAX_RESPONSE, "ABRM Maximum Device Response Time" },
	{ ABRM_MANIFEST_TABLE_ADDRESS, 8, REG_R, 4, F_MANIFEST_ADDR, "ABRM Manifest Table Address" },
	{ ABRM_SBRM_ADDRESS, 8, REG_R, 4, F_SBRM_ADDR, "ABRM SBRM Address" },
	{ ABRM_DEVICE_CONFIGURATION, 8, REG_RW, 4, F_DEVICE_CONFIG, "ABRM Device Configuration" },
	{ ABRM_HEARTBEAT_TIMEOUT, 4, REG_RW, 4, F_HEARTBEAT, "ABRM Heartbeat Timeout" },
	{ ABRM_MESSAGE_CHANNEL_ID, 4, REG_RW, 4, F_MESSAGE_CHANNEL, "ABRM Message Channel ID" },
	{ ABRM_TIMESTAMP, 8, REG_R, 4, F_TIMESTAMP, "ABRM Timestamp" },
	{ ABRM_TIMESTAMP_LATCH, 4, REG_W, 4, F_TIMESTAMP_LATCH, "ABRM Timestamp Latch" },
	{ ABRM_TIMESTAMP_INCREMENT, 8, REG_R, 4, F_TIMESTAMP_INC, "ABRM Timestamp Increment" },
	{ ABRM_ACCESS_PRIVILEGE, 4, REG_RW, 4, F_ACCESS_PRIVILEGE, "ABRM Access Privilege" },
	{ ABRM_PROTOCOL_ENDIANNESS, 4, REG_R, 4, F_PROTOCOL_ENDIAN, "ABRM Protocol Endianness" },
	{ ABRM_IMPLEMENTATION_ENDIAN, 4, REG_R, 4, F_IMPL_ENDIAN, "ABRM Implementation Endianness" },
	{ ABRM_SW_INTERFACE_VERSION, 64, REG_R, 1, F_SW_IF_VERSION, "ABRM Device Software Interface Version" },

	{ U3V_SBRM_ADDRESS + SBRM_U3V_VERSION, 4, REG_R, 4, F_U3V_VERSION, "SBRM U3V Version" },
	{ U3V_SBRM_ADDRESS + SBRM_U3VCP_CAPABILITY, 8, REG_R, 4, F_U3VCP_CAPABILITY, "SBRM U3VCP Capability" },
	{ U3V_SBRM_ADDRESS + SBRM_U3VCP_CONFIGURATION, 8, REG_RW, 4, F_U3VCP_CONFIG, "SBRM U3VCP Configuration" },
	{ U3V_SBRM_ADDRESS + SBRM_MAX_CMD_TRANSFER, 4, REG_R, 4, F_MAX_CMD, "SBRM Maximum Command Transfer Length" },
	{ U3V_SBRM_ADDRESS + SBRM_MAX_ACK_TRANSFER, 4, REG_R, 4, F_MAX_ACK, "SBRM Maximum Acknowledge Transfer Length" },
	{ U3V_SBRM_ADDRESS + SBRM_NUM_STREAM_CHANNELS, 4, REG_R, 4, F_N_STREAMS, "SBRM Number of Stream Channels" },
	{ U3V_SBRM_ADDRESS + SBRM_SIRM_ADDRESS, 8, REG_R, 4, F_SIRM_ADDR, "SBRM SIRM Address" },
	{ U3V_SBRM_ADDRESS + SBRM_SIRM_LENGTH, 4, REG_R, 4, F_SIRM_LEN, "SBRM SIRM Length" },
	{ U3V_SBRM_ADDRESS + SBRM_EIRM_ADDRESS, 8, REG_R, 4, F_EIRM_ADDR, "SBRM EIRM Address" },
	{ U3V_SBRM_ADDRESS + SBRM_EIRM_LENGTH, 4, REG_R, 4, F_EIRM_LEN, "SBRM EIRM Length" },
	{ U3V_SBRM_ADDRESS + SBRM_IIDC2_ADDRESS, 8, REG_R, 4, F_IIDC2_ADDR, "SBRM IIDC2 Address" },
	{ U3V_SBRM_ADDRESS + SBRM_CURRENT_SPEED, 4, REG_R, 4, F_CURRENT_SPEED, "SBRM Current Speed" },

	{ U3V_SIRM_ADDRESS + SIRM_INFO, 4, REG_R, 4, F_SI_INFO, "SIRM SI Info" },
	{ U3V_SIRM_ADDRESS + SIRM_CONTROL, 4, REG_RW, 4, F_SI_CONTROL, "SIRM SI Control" },
	{ U3V_SIRM_ADDRESS + SIRM_REQ_PAYLOAD_SIZE, 8, REG_R, 4, F_SI_REQ_PAYLOAD, "SIRM Required Payload Size" },
	{ U3V_SIRM_ADDRESS + SIRM_REQ_LEADER_SIZE, 4, REG_R, 4, F_SI_REQ_LEADER, "SIRM Required Leader Size" },
	{ U3V_SIRM_ADDRESS + SIRM_REQ_TRAILER_SIZE, 4, REG_R, 4, F_SI_REQ_TRAILER, "SIRM Required Trailer Size" },
	{ U3V_SIRM_ADDRESS + SIRM_MAX_LEADER_SIZE, 4, REG_RW, 4, F_SI_MAX_LEADER, "SIRM Maximum Leader Size" },
	{ U3V_SIRM_ADDRESS + SIRM_PAYLOAD_TRANSFER_SIZE, 4, REG_RW, 4, F_SI_TRANSFER_SIZE, "SIRM Payload Transfer Size" },
	{ U3V_SIRM_ADDRESS + SIRM_PAYLOAD_TRANSFER_COUNT, 4, REG_RW, 4, F_SI_TRANSFER_COUNT, "SIRM Payload Transfer Count" },
	{ U3V_SIRM_ADDRESS + SIRM_FINAL_TRANSFER1_SIZE, 4, REG_RW, 4, F_SI_FINAL1, "SIRM Payload Final Transfer1 Size" },
	{ U3V_SIRM_ADDRESS + SIRM_FINAL_TRANSFER2_SIZE, 4, REG_RW, 4, F_SI_FINAL2, "SIRM Payload Final Transfer2 Size" },
	{ U3V_SIRM_ADDRESS + SIRM_MAX_TRAILER_SIZE, 4, REG_RW, 4, F_SI_MAX_TRAILER, "SIRM Maximum Trailer Size" },

	{ U3V_EIRM_ADDRESS + EIRM_CONTROL, 4, REG_RW, 4, F_EI_CONTROL, "EIRM EI Control" },
	{ U3V_EIRM_ADDRESS + EIRM_MAX_EVENT_TRANSFER, 4, REG_RW, 4, F_EI_MAX_TRANSFER, "EIRM Maximum Event Transfer Length" },
	{ U3V_EIRM_ADDRESS + EIRM_EVENT_TEST_CONTROL, 4, REG_RW, 4, F_EI_TEST, "EIRM Event Test Control" },

	{ U3V_MANIFEST_ADDRESS, 8, REG_R, 4, F_MANIFEST_COUNT, "Manifest Entry Count" },
	{ U3V_MANIFEST_ADDRESS + 8, 64, REG_R, 4, F_MANIFEST_ENTRY, "Manifest Entry 0" },
};

/* Device capability (GenCP table 4-3): user-defined name, message channel,
 * timestamp, family name, SBRM, endianness register, written-length field,
 * software interface version. */
#define DEVICE_CAPABILITY ((1u << 0) | (1u << 2) | (1u << 3) | (1u << 8) | (1u << 9) | (1u << 10) | \
			   (1u << 11) | (1u << 14))

static void put_string(uint8_t *out, const char *s)
{
	memset(out, 0, 64);
	memcpy(out, s, strnlen(s, 63));
}

static void manifest_entry(const struct u3v_bootstrap *b, uint8_t out[64])
{
	/* format info: file type 0 (device XML) bits 0-2, compression 0 (plain) bits 10-15,
	 * schema version 1.1 in bits 16-31 */
	uint32_t format_info = (1u << 24) | (1u << 16);

	memset(out, 0, 64);
	put_le32(out + 0, b->xml_file_version);
	put_le32(out + 4, format_info);
	put_le64(out + 8, U3V_XML_ADDRESS);
	put_le64(out + 16, b->xml_len);
	memcpy(out + 24, b->xml_sha1, 20);
}

/* Fills `out` with the whole field; returns its size. */
static uint32_t field_bytes(struct u3v_bootstrap *b, const struct field *f, uint8_t out[64])
{
	memset(out, 0, 64);
	switch (f->id) {
	case F_GENCP_VERSION: put_le32(out, 1u << 16); break;              /* GenCP 1.0: major in the high half */
	case F_MANUFACTURER: put_string(out, b->manufacturer); break;
	case F_MODEL: put_string(out, b->model); break;
	case F_FAMILY: put_string(out, b->family); break;
	case F_VERSION: put_string(out, b->version); break;
	case F_INFO: put_string(out, b->info); break;
	case F_SERIAL: put_string(out, b->serial); break;
	case F_USER_NAME: put_string(out, b->user_name); break;
	case F_CAPABILITY: put_le64(out, DEVICE_CAPABILITY); break;
	case F_MAX_RESPONSE: put_le32(out, b->max_response_ms); break;
	case F_MANIFEST_ADDR: put_le64(out, U3V_MANIFEST_ADDRESS); break;
	case F_SBRM_ADDR: put_le64(out, U3V_SBRM_ADDRESS); break;
	case F_DEVICE_CONFIG: put_le64(out, b->device_configuration); break;
	case F_HEARTBEAT: put_le32(out, b->heartbeat_timeout_ms); break;
	case F_MESSAGE_CHANNEL: put_le32(out, b->message_channel_id); break;
	case F_TIMESTAMP: put_le64(out, b->timestamp_latched); break;
	case F_TIMESTAMP_LATCH: break;
	case F_TIMESTAMP_INC: put_le64(out, 1); break;                    /* one tick = 1 ns */
	case F_ACCESS_PRIVILEGE: put_le32(out, b->access_privilege); break;
	case F_PROTOCOL_ENDIAN: put_le32(out, 0xFFFFFFFFu); break;         /* little-endian */
	case F_IMPL_ENDIAN: put_le32(out, 0xFFFFFFFFu); break;
	case F_SW_IF_VERSION: put_string(out, "1.0"); break;
	case F_U3V_VERSION: put_le32(out, 1u << 16); break;                /* U3V 1.0 */
	case F_U3VCP_CAPABILITY: put_le64(out, (1u << 0) | (1u << 1)); break;  /* SIRM and EIRM available */
	case F_U3VCP_CONFIG: put_le64(out, b->u3vcp_configuration); break;
	case F_MAX_CMD: put_le32(out, U3V_MAX_CMD_TRANSFER); break;
	case F_MAX_ACK: put_le32(out, U3V_MAX_ACK_TRANSFER); break;
	case F_N_STREAMS: put_le32(out, 1); break;
	case F_SIRM_ADDR: put_le64(out, U3V_SIRM_ADDRESS); break;
	case F_SIRM_LEN: put_le32(out, SIRM_LENGTH); break;
	case F_EIRM_ADDR: put_le64(out, U3V_EIRM_ADDRESS); break;
	case F_EIRM_LEN: put_le32(out, EIRM_LENGTH); break;
	case F_IIDC2_ADDR: put_le64(out, 0); break;
	case F_CURRENT_SPEED: put_le32(out, 8); break;                     /* SuperSpeed */
	case F_SI_INFO: put_le32(out, (uint32_t)SIRM_ALIGNMENT_LOG2 << 24); break;
	case F_SI_CONTROL: put_le32(out, b->sirm.control); break;
	case F_SI_REQ_PAYLOAD: put_le64(out, b->ops->required_payload(b->ctx)); break;
	case F_SI_REQ_LEADER: put_le32(out, U3V_LEADER_SIZE_IMAGE); break;
	case F_SI_REQ_TRAILER: put_le32(out, U3V_TRAILER_SIZE_IMAGE); break;
	case F_SI_MAX_LEADER: put_le32(out, b->sirm.max_leader); break;
	case F_SI_TRANSFER_SIZE: put_le32(out, b->sirm.transfer_size); break;
	case F_SI_TRANSFER_COUNT: put_le32(out, b->sirm.transfer_count); break;
	case F_SI_FINAL1: put_le32(out, b->sirm.final1); break;
	case F_SI_FINAL2: put_le32(out, b->sirm.final2); break;
	case F_SI_MAX_TRAILER: put_le32(out, b->sirm.max_trailer); break;
	case F_EI_CONTROL: put_le32(out, b->ei_control); break;
	case F_EI_MAX_TRANSFER: put_le32(out, b->max_event_transfer); break;
	case F_EI_TEST: break;
	case F_MANIFEST_COUNT: put_le64(out, 1); break;
	case F_MANIFEST_ENTRY: manifest_entry(b, out); break;
	}
	return f->size;
}

static int field_read(void *ctx, const struct regmap_region *r, uint64_t off, uint8_t *buf, uint32_t len)
{
	struct u3v_bootstrap *b = ctx;
	const struct field *f = &fields[r->tag];
	uint8_t bytes[64];

	field_bytes(b, f, bytes);
	memcpy(buf, bytes + off, len);
	return DFK_OK;
}

static const uint32_t transfer_align = 1u << SIRM_ALIGNMENT_LOG2;

static int field_write(void *ctx, const struct regmap_region *r, uint64_t off, const uint8_t *buf, uint32_t len)
{
	struct u3v_bootstrap *b = ctx;
	const struct field *f = &fields[r->tag];
	uint8_t bytes[64];
	uint32_t v32;
	uint64_t v64;

	field_bytes(b, f, bytes);
	memcpy(bytes + off, buf, len);          /* partial writes of 8-byte registers merge */
	v32 = get_le32(bytes);
	v64 = get_le64(bytes);
	switch (f->id) {
	case F_USER_NAME: {
		char name[64];
		memcpy(name, bytes, 63);
		name[63] = '\0';
		if (b->ops->user_name_changed) {
			int rc = b->ops->user_name_changed(b->ctx, name);
			if (rc < 0)
				return rc;
		}
		memcpy(b->user_name, name, sizeof(b->user_name));
		return DFK_OK;
	}
	case F_DEVICE_CONFIG:
		b->device_configuration = v64 & 0x3;   /* bit 0 heartbeat enable, bit 1 multi-event */
		return DFK_OK;
	case F_HEARTBEAT:
		if (v32 == 0)
			return DFK_ERR_RANGE;
		b->heartbeat_timeout_ms = v32;
		return DFK_OK;
	case F_MESSAGE_CHANNEL:
		b->message_channel_id = v32;
		return DFK_OK;
	case F_TIMESTAMP_LATCH:
		if (v32 & 1)
			b->timestamp_latched = b->ops->now_ns(b->ctx);
		return DFK_OK;
	case F_ACCESS_PRIVILEGE:
		b->access_privilege = v32;
		return DFK_OK;
	case F_U3VCP_CONFIG:
		b->u3vcp_configuration = v64;
		return DFK_OK;
	case F_SI_CONTROL: {
		bool enable = v32 & 1;
		if (enable && (b->sirm.transfer_size % transfer_align || b->sirm.final1 % transfer_align ||
			       b->sirm.final2 % transfer_align))
			return DFK_ERR_UNALIGNED_SIZE;
		b->sirm.control = v32 & 1;
		b->ops->stream_enable(b->ctx, enable);
		return DFK_OK;
	}
	case F_SI_MAX_LEADER:
	case F_SI_MAX_TRAILER:
	case F_SI_TRANSFER_SIZE:
	case F_SI_TRANSFER_COUNT:
	case F_SI_FINAL1:
	case F_SI_FINAL2:
		if (b->sirm.control & 1)
			return DFK_ERR_DENIED;          /* U3V 5.5.2: fixed while the stream is enabled */
		if (f->id == F_SI_MAX_LEADER)
			b->sirm.max_leader = v32;
		else if (f->id == F_SI_MAX_TRAILER)
			b->sirm.max_trailer = v32;
		else if (f->id == F_SI_TRANSFER_SIZE)
			b->sirm.transfer_size = v32;
		else if (f->id == F_SI_TRANSFER_COUNT)
			b->sirm.transfer_count = v32;
		else if (f->id == F_SI_FINAL1)
			b->sirm.final1 = v32;
		else
			b->sirm.final2 = v32;
		return DFK_OK;
	case F_EI_CONTROL:
		b->ei_control = v32 & 1;
		if (b->ops->event_enable)
			b->ops->event_enable(b->ctx, v32 & 1);
		return DFK_OK;
	case F_EI_MAX_TRANSFER:
		if (v32 < 16)
			return DFK_ERR_RANGE;
		b->max_event_transfer = v32;
		return DFK_OK;
	case F_EI_TEST:
		if ((v32 & 1) && b->ops->event_test)
			b->ops->event_test(b->ctx);
		return DFK_OK;
	default:
		return DFK_ERR_READONLY;
	}
}

static int sha1(const void *data, size_t len, uint8_t out[20])
{
	unsigned int n = 0;

	if (EVP_Digest(data, len, out, &n, EVP_sha1(), NULL) != 1 || n != 20)
		return DFK_ERR_IO;
	return DFK_OK;
}

int u3v_bootstrap_init(struct u3v_bootstrap *b, const struct u3v_identity_strings *id, uint32_t max_response_ms,
		       const char *xml, size_t xml_len, uint32_t xml_file_version,
		       const struct u3v_bootstrap_ops *ops, void *ctx)
{
	memset(b, 0, sizeof(*b));
	b->ops = ops;
	b->ctx = ctx;
	snprintf(b->manufacturer, sizeof(b->manufacturer), "%s", id->manufacturer);
	snprintf(b->model, sizeof(b->model), "%s", id->model);
	snprintf(b->family, sizeof(b->family), "%s", id->family);
	snprintf(b->version, sizeof(b->version), "%s", id->version);
	snprintf(b->info, sizeof(b->info), "%s", id->info);
	snprintf(b->serial, sizeof(b->serial), "%s", id->serial);
	snprintf(b->user_name, sizeof(b->user_name), "%s", id->user_name ? id->user_name : "");
	b->max_response_ms = max_response_ms;
	if (xml_len > U3V_XML_MAX_SIZE) {
		log_err("GenICam XML of %zu bytes does not fit the %u-byte window", xml_len, U3V_XML_MAX_SIZE);
		return DFK_ERR_RANGE;
	}
	b->xml = xml;
	b->xml_len = xml_len;
	b->xml_file_version = xml_file_version;
	u3v_bootstrap_reset(b);
	return sha1(xml, xml_len, b->xml_sha1);
}

void u3v_bootstrap_reset(struct u3v_bootstrap *b)
{
	b->device_configuration = 0;
	b->heartbeat_timeout_ms = 3000;
	b->message_channel_id = 0;
	b->timestamp_latched = 0;
	b->access_privilege = 0;
	b->u3vcp_configuration = 0;
	memset(&b->sirm, 0, sizeof(b->sirm));
	b->ei_control = 0;
	b->max_event_transfer = 1024;
}

static int xml_read(void *ctx, const struct regmap_region *r, uint64_t off, uint8_t *buf, uint32_t len)
{
	struct u3v_bootstrap *b = ctx;

	(void)r;
	memcpy(buf, b->xml + off, len);
	return DFK_OK;
}

int u3v_bootstrap_add_regions(struct u3v_bootstrap *b, struct regmap *m)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		struct regmap_region r = {
			.base = fields[i].addr, .size = fields[i].size, .access = fields[i].access,
			.align = fields[i].align, .read = field_read, .write = field_write, .ctx = b, .tag = i,
			.name = fields[i].name, .flags = fields[i].id == F_USER_NAME ? REG_F_SLOW : 0,
		};
		int rc = regmap_add(m, &r);
		if (rc < 0)
			return rc;
	}
	struct regmap_region x = {
		.base = U3V_XML_ADDRESS, .size = b->xml_len, .access = REG_R, .align = 1, .read = xml_read,
		.ctx = b, .name = "GenICam XML",
	};
	return regmap_add(m, &x);
}
