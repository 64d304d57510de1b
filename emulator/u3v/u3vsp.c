/* SPDX-License-Identifier: MIT */
#include "u3vsp.h"

#include <string.h>

#include "../common/bytes.h"
#include "../common/errors.h"

void u3vsp_leader_pack(uint8_t out[U3VSP_LEADER_SIZE], const struct u3vsp_leader *l)
{
	memset(out, 0, U3VSP_LEADER_SIZE);
	put_le32(out + 0, U3VSP_LEADER_MAGIC);
	put_le16(out + 6, U3VSP_LEADER_SIZE);
	put_le64(out + 8, l->block_id);
	put_le16(out + 18, l->payload_type);
	put_le64(out + 20, l->timestamp);
	put_le32(out + 28, l->pixel_format);
	put_le32(out + 32, l->size_x);
	put_le32(out + 36, l->size_y);
	put_le32(out + 40, l->offset_x);
	put_le32(out + 44, l->offset_y);
	put_le16(out + 48, l->padding_x);
}

int u3vsp_leader_unpack(struct u3vsp_leader *l, const uint8_t *in, size_t len)
{
	if (len < U3VSP_LEADER_SIZE || get_le32(in) != U3VSP_LEADER_MAGIC || get_le16(in + 6) != U3VSP_LEADER_SIZE)
		return DFK_ERR_PROTO;
	l->block_id = get_le64(in + 8);
	l->payload_type = get_le16(in + 18);
	l->timestamp = get_le64(in + 20);
	l->pixel_format = get_le32(in + 28);
	l->size_x = get_le32(in + 32);
	l->size_y = get_le32(in + 36);
	l->offset_x = get_le32(in + 40);
	l->offset_y = get_le32(in + 44);
	l->padding_x = get_le16(in + 48);
	return DFK_OK;
}

void u3vsp_trailer_pack(uint8_t out[U3VSP_TRAILER_SIZE], const struct u3vsp_trailer *t)
{
	memset(out, 0, U3VSP_TRAILER_SIZE);
	put_le32(out + 0, U3VSP_TRAILER_MAGIC);
	put_le16(out + 6, U3VSP_TRAILER_SIZE);
	put_le64(out + 8, t->block_id);
	put_le16(out + 16, t->status);
	put_le64(out + 20, t->valid_payload_size);
	put_le32(out + 28, t->size_y);
}

int u3vsp_trailer_unpack(struct u3vsp_trailer *t, const uint8_t *in, size_t len)
{
	if (len < U3VSP_TRAILER_SIZE || get_le32(in) != U3VSP_TRAILER_MAGIC || get_le16(in + 6) < U3VSP_TRAILER_SIZE)
		return DFK_ERR_PROTO;
	t->block_id = get_le64(in + 8);
	t->status = get_le16(in + 16);
	t->valid_payload_size = get_le64(in + 20);
	t->size_y = get_le32(in + 28);
	return DFK_OK;
}
