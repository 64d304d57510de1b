/* SPDX-License-Identifier: MIT */
#include "wire.h"

#include <string.h>

void uip_parse_device(struct uip_device *d, const uint8_t rec[UIP_DEVICE_SIZE])
{
	memset(d, 0, sizeof(*d));
	memcpy(d->path, rec, 256);
	memcpy(d->busid, rec + 256, 32);
	d->busnum = rd_be32(rec + 288);
	d->devnum = rd_be32(rec + 292);
	d->speed = rd_be32(rec + 296);
	d->vid = rd_be16(rec + 300);
	d->pid = rd_be16(rec + 302);
	d->bcd_device = rd_be16(rec + 304);
	d->dev_class = rec[306];
	d->dev_subclass = rec[307];
	d->dev_protocol = rec[308];
	d->config_value = rec[309];
	d->n_configs = rec[310];
	d->n_interfaces = rec[311];
}

const char *gencp_status_name(uint16_t status)
{
	switch (status) {
	case GENCP_SUCCESS: return "SUCCESS";
	case GENCP_NOT_IMPLEMENTED: return "NOT_IMPLEMENTED";
	case GENCP_INVALID_PARAMETER: return "INVALID_PARAMETER";
	case GENCP_INVALID_ADDRESS: return "INVALID_ADDRESS";
	case GENCP_WRITE_PROTECT: return "WRITE_PROTECT";
	case GENCP_BAD_ALIGNMENT: return "BAD_ALIGNMENT";
	case GENCP_ACCESS_DENIED: return "ACCESS_DENIED";
	case GENCP_BUSY: return "BUSY";
	case GENCP_INVALID_HEADER: return "INVALID_HEADER";
	default: return "status";
	}
}

int u3v_parse_leader(struct u3v_leader_info *l, const uint8_t *p, size_t len)
{
	if (len < 12 || rd_le32(p) != U3V_LEADER_MAGIC)
		return -1;
	memset(l, 0, sizeof(*l));
	l->size = rd_le16(p + 6);
	l->block_id = rd_le64(p + 8);
	if (len < 52 || l->size < 52)
		return -1;
	l->payload_type = rd_le16(p + 18);
	l->timestamp = rd_le64(p + 20);
	l->pixel_format = rd_le32(p + 28);
	l->size_x = rd_le32(p + 32);
	l->size_y = rd_le32(p + 36);
	l->offset_x = rd_le32(p + 40);
	l->offset_y = rd_le32(p + 44);
	l->padding_x = rd_le16(p + 48);
	return 0;
}

int u3v_parse_trailer(struct u3v_trailer_info *t, const uint8_t *p, size_t len)
{
	if (len < 32 || rd_le32(p) != U3V_TRAILER_MAGIC)
		return -1;
	memset(t, 0, sizeof(*t));
	t->size = rd_le16(p + 6);
	t->block_id = rd_le64(p + 8);
	t->status = rd_le16(p + 16);
	t->valid_payload = rd_le64(p + 20);
	t->size_y = rd_le32(p + 28);
	return 0;
}
