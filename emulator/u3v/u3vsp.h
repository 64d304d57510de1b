/* SPDX-License-Identifier: MIT */
/* USB3 Vision stream protocol: leader and trailer of an image block (U3V 1.0
 * chapter 5.6), little-endian. A block is: leader transfer, payload transfers,
 * trailer transfer. */
#ifndef DFK_U3VSP_H
#define DFK_U3VSP_H

#include <stddef.h>
#include <stdint.h>

#define U3VSP_LEADER_MAGIC     0x4C563355u   /* "U3VL" */
#define U3VSP_TRAILER_MAGIC    0x54563355u   /* "U3VT" */
#define U3VSP_LEADER_SIZE      52
#define U3VSP_TRAILER_SIZE     32
#define U3VSP_PAYLOAD_IMAGE    0x0001

/* trailer status */
#define U3VSP_STATUS_OK               0x0000
#define U3VSP_STATUS_DATA_DISCARDED   0xA100
#define U3VSP_STATUS_DATA_OVERRUN     0xA101

/**
 * struct u3vsp_leader - image leader, host order
 * @block_id: increases by one per frame the camera acquires
 * @timestamp: start of exposure, device clock (ns)
 * @pixel_format: PFNC code
 */
struct u3vsp_leader {
	uint64_t block_id;
	uint16_t payload_type;
	uint64_t timestamp;
	uint32_t pixel_format;
	uint32_t size_x, size_y;
	uint32_t offset_x, offset_y;
	uint16_t padding_x;
};

/**
 * struct u3vsp_trailer - image trailer, host order
 * @status: U3VSP_STATUS_*
 * @valid_payload_size: payload bytes actually sent
 * @size_y: lines actually sent
 */
struct u3vsp_trailer {
	uint64_t block_id;
	uint16_t status;
	uint64_t valid_payload_size;
	uint32_t size_y;
};

void u3vsp_leader_pack(uint8_t out[U3VSP_LEADER_SIZE], const struct u3vsp_leader *l);
/* Returns 0, or DFK_ERR_PROTO when the magic or size is wrong. */
int u3vsp_leader_unpack(struct u3vsp_leader *l, const uint8_t *in, size_t len);
void u3vsp_trailer_pack(uint8_t out[U3VSP_TRAILER_SIZE], const struct u3vsp_trailer *t);
int u3vsp_trailer_unpack(struct u3vsp_trailer *t, const uint8_t *in, size_t len);

#endif
