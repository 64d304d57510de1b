/* SPDX-License-Identifier: MIT */
/* Register map: address -> region, with access rights and alignment.
 *
 * The device's memory is a flat byte space made of regions. A read or write may
 * span several adjacent regions; it is checked whole before anything is done:
 *   - a byte that no region covers        -> DFK_ERR_ADDRESS   (GenCP INVALID_ADDRESS)
 *   - a piece not aligned to its region   -> DFK_ERR_ALIGN     (GenCP BAD_ALIGNMENT)
 *   - a write to a region without write   -> DFK_ERR_READONLY  (GenCP WRITE_PROTECT)
 *   - a read of a region without read     -> DFK_ERR_DENIED    (GenCP ACCESS_DENIED)
 * Handlers may refuse for their own reasons (locked, out of range) with any dfk_err.
 */
#ifndef DFK_REGMAP_H
#define DFK_REGMAP_H

#include <stddef.h>
#include <stdint.h>

#define REG_R 1u
#define REG_W 2u
#define REG_RW (REG_R | REG_W)

/* A write takes flash time: the control channel answers PENDING_ACK first. */
#define REG_F_SLOW 1u

struct regmap_region;

/* `off` is relative to the region base; [off, off+len) lies inside the region and is aligned. */
typedef int (*regmap_read_fn)(void *ctx, const struct regmap_region *r, uint64_t off, uint8_t *buf, uint32_t len);
typedef int (*regmap_write_fn)(void *ctx, const struct regmap_region *r, uint64_t off, const uint8_t *buf,
			       uint32_t len);

struct regmap_region {
	uint64_t base;
	uint64_t size;
	unsigned access;       /* REG_R | REG_W */
	unsigned align;        /* piece boundaries must be multiples of this, relative to base (1 = any) */
	regmap_read_fn read;
	regmap_write_fn write;
	void *ctx;
	unsigned flags;        /* REG_F_* */
	uintptr_t tag;         /* owner's meaning: feature index, field id, ... */
	const char *name;
};

struct regmap {
	struct regmap_region *regions;   /* sorted by base, non-overlapping */
	size_t n, cap;
};

void regmap_init(struct regmap *m);
void regmap_free(struct regmap *m);
/* Adds a copy of `r`. Returns DFK_ERR_INVAL if it overlaps an existing region. */
int regmap_add(struct regmap *m, const struct regmap_region *r);
/* Call after the last regmap_add(): sorts and checks overlaps. */
int regmap_seal(struct regmap *m);

const struct regmap_region *regmap_find(const struct regmap *m, uint64_t addr);
int regmap_read(const struct regmap *m, uint64_t addr, uint8_t *buf, uint32_t len);
int regmap_write(const struct regmap *m, uint64_t addr, const uint8_t *buf, uint32_t len);
/* True when a write to [addr, addr+len) touches a REG_F_SLOW region. */
int regmap_write_is_slow(const struct regmap *m, uint64_t addr, uint32_t len);

#endif
