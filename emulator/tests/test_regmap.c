/* SPDX-License-Identifier: MIT */
/* regmap: address lookup, reads and writes across adjacent regions, and the
 * whole-access checks (unmapped, misaligned, read-only, write-only) that come
 * before any handler runs (regmap.h). */
#include <string.h>

#include "../common/errors.h"
#include "../regmap/regmap.h"
#include "tests.h"

/* A region backed by memory, counting handler calls and remembering the last one. */
struct mem {
	uint8_t bytes[64];
	unsigned reads, writes;
	uint64_t last_off;
	uint32_t last_len;
	int fail;        /* error a handler returns instead of working (0 = none) */
};

static int mem_read(void *ctx, const struct regmap_region *r, uint64_t off, uint8_t *buf, uint32_t len)
{
	struct mem *m = ctx;

	CU_ASSERT(off + len <= r->size);
	m->reads++;
	m->last_off = off;
	m->last_len = len;
	if (m->fail)
		return m->fail;
	memcpy(buf, m->bytes + off, len);
	return DFK_OK;
}

static int mem_write(void *ctx, const struct regmap_region *r, uint64_t off, const uint8_t *buf, uint32_t len)
{
	struct mem *m = ctx;

	CU_ASSERT(off + len <= r->size);
	m->writes++;
	m->last_off = off;
	m->last_len = len;
	if (m->fail)
		return m->fail;
	memcpy(m->bytes + off, buf, len);
	return DFK_OK;
}

/*   0x100 A  8 RW align 4      0x108 B  8 RW align 4
 *   0x110 C  4 RO align 4      0x114 D  4 WO align 4
 *   0x118 .. 0x11F unmapped    0x120 E 16 RW align 1 (slow)          */
static struct {
	struct regmap map;
	struct mem a, b, c, d, e;
} T;

static void add(uint64_t base, uint64_t size, unsigned access, unsigned align, struct mem *m, const char *name,
		unsigned flags)
{
	struct regmap_region r = { .base = base, .size = size, .access = access, .align = align, .read = mem_read,
				   .write = mem_write, .ctx = m, .flags = flags, .tag = base, .name = name };

	ASSERT_INT(regmap_add(&T.map, &r), DFK_OK);
}

static void setup(void)
{
	memset(&T, 0, sizeof(T));
	regmap_init(&T.map);
	/* added out of order: regmap_seal sorts */
	add(0x120, 16, REG_RW, 1, &T.e, "E", REG_F_SLOW);
	add(0x110, 4, REG_R, 4, &T.c, "C", 0);
	add(0x100, 8, REG_RW, 4, &T.a, "A", 0);
	add(0x114, 4, REG_W, 4, &T.d, "D", 0);
	add(0x108, 8, REG_RW, 4, &T.b, "B", 0);
	ASSERT_INT(regmap_seal(&T.map), DFK_OK);
	for (int i = 0; i < 8; i++) {
		T.a.bytes[i] = (uint8_t)(0xA0 + i);
		T.b.bytes[i] = (uint8_t)(0xB0 + i);
	}
	for (int i = 0; i < 4; i++)
		T.c.bytes[i] = (uint8_t)(0xC0 + i);
}

static void teardown(void) { regmap_free(&T.map); }

static unsigned handler_calls(void)
{
	return T.a.reads + T.a.writes + T.b.reads + T.b.writes + T.c.reads + T.c.writes + T.d.reads + T.d.writes +
	       T.e.reads + T.e.writes;
}

static void test_regmap_find(void)
{
	const struct regmap_region *r;

	r = regmap_find(&T.map, 0x100);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_STRING_EQUAL(r->name, "A");
	CU_ASSERT_STRING_EQUAL(regmap_find(&T.map, 0x107)->name, "A");
	CU_ASSERT_STRING_EQUAL(regmap_find(&T.map, 0x108)->name, "B");
	CU_ASSERT_STRING_EQUAL(regmap_find(&T.map, 0x113)->name, "C");
	CU_ASSERT_STRING_EQUAL(regmap_find(&T.map, 0x117)->name, "D");
	CU_ASSERT_STRING_EQUAL(regmap_find(&T.map, 0x12F)->name, "E");
	ASSERT_INT(regmap_find(&T.map, 0x120)->tag, 0x120);
	CU_ASSERT_PTR_NULL(regmap_find(&T.map, 0xFF));
	CU_ASSERT_PTR_NULL(regmap_find(&T.map, 0x118));
	CU_ASSERT_PTR_NULL(regmap_find(&T.map, 0x11F));
	CU_ASSERT_PTR_NULL(regmap_find(&T.map, 0x130));
	CU_ASSERT_PTR_NULL(regmap_find(&T.map, 0));
	CU_ASSERT_PTR_NULL(regmap_find(&T.map, UINT64_MAX));
}

static void test_regmap_read_one_region(void)
{
	uint8_t buf[8];

	ASSERT_INT(regmap_read(&T.map, 0x104, buf, 4), DFK_OK);
	ASSERT_BYTES(buf, "\xA4\xA5\xA6\xA7", 4);
	ASSERT_INT(T.a.reads, 1);
	ASSERT_INT(T.a.last_off, 4);
	ASSERT_INT(T.a.last_len, 4);
}

static void test_regmap_read_spans_adjacent_regions(void)
{
	uint8_t buf[20];

	ASSERT_INT(regmap_read(&T.map, 0x104, buf, 8), DFK_OK);
	ASSERT_BYTES(buf, "\xA4\xA5\xA6\xA7\xB0\xB1\xB2\xB3", 8);
	ASSERT_INT(T.a.last_off, 4);
	ASSERT_INT(T.a.last_len, 4);
	ASSERT_INT(T.b.last_off, 0);
	ASSERT_INT(T.b.last_len, 4);
	/* A, B and C in one read */
	ASSERT_INT(regmap_read(&T.map, 0x100, buf, 20), DFK_OK);
	ASSERT_BYTES(buf, "\xA0\xA1\xA2\xA3\xA4\xA5\xA6\xA7\xB0\xB1\xB2\xB3\xB4\xB5\xB6\xB7\xC0\xC1\xC2\xC3", 20);
	ASSERT_INT(T.c.reads, 1);
}

static void test_regmap_write_spans_adjacent_regions(void)
{
	static const uint8_t data[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

	ASSERT_INT(regmap_write(&T.map, 0x104, data, 12), DFK_OK);
	ASSERT_BYTES(T.a.bytes, "\xA0\xA1\xA2\xA3\x01\x02\x03\x04", 8);
	ASSERT_BYTES(T.b.bytes, "\x05\x06\x07\x08\x09\x0A\x0B\x0C", 8);
	ASSERT_INT(T.a.writes, 1);
	ASSERT_INT(T.b.writes, 1);
}

static void test_regmap_unmapped(void)
{
	uint8_t buf[16] = { 0 };

	ASSERT_INT(regmap_read(&T.map, 0x118, buf, 4), DFK_ERR_ADDRESS);
	ASSERT_INT(regmap_read(&T.map, 0xFC, buf, 8), DFK_ERR_ADDRESS);     /* starts before A */
	ASSERT_INT(regmap_write(&T.map, 0x114, buf, 8), DFK_ERR_ADDRESS);   /* D (writable), then the gap */
	ASSERT_INT(regmap_read(&T.map, 0x12C, buf, 8), DFK_ERR_ADDRESS);    /* runs past E */
	ASSERT_INT(regmap_write(&T.map, 0x11C, buf, 8), DFK_ERR_ADDRESS);   /* gap, then E */
	ASSERT_INT(regmap_read(&T.map, UINT64_MAX - 3, buf, 8), DFK_ERR_ADDRESS);   /* wraps */
	ASSERT_INT(handler_calls(), 0);
}

static void test_regmap_misaligned(void)
{
	uint8_t buf[8] = { 0 };

	ASSERT_INT(regmap_read(&T.map, 0x102, buf, 4), DFK_ERR_ALIGN);   /* start inside a word */
	ASSERT_INT(regmap_read(&T.map, 0x100, buf, 2), DFK_ERR_ALIGN);   /* end inside a word */
	ASSERT_INT(regmap_write(&T.map, 0x106, buf, 4), DFK_ERR_ALIGN);  /* straddles A and B */
	ASSERT_INT(regmap_write(&T.map, 0x101, buf, 1), DFK_ERR_ALIGN);
	ASSERT_INT(handler_calls(), 0);
	/* E has byte alignment */
	ASSERT_INT(regmap_read(&T.map, 0x121, buf, 3), DFK_OK);
	ASSERT_INT(T.e.last_off, 1);
	ASSERT_INT(T.e.last_len, 3);
}

static void test_regmap_read_only(void)
{
	static const uint8_t data[4] = { 9, 9, 9, 9 };

	ASSERT_INT(regmap_write(&T.map, 0x110, data, 4), DFK_ERR_READONLY);
	ASSERT_BYTES(T.c.bytes, "\xC0\xC1\xC2\xC3", 4);
	ASSERT_INT(handler_calls(), 0);
}

static void test_regmap_write_only(void)
{
	static const uint8_t data[4] = { 1, 2, 3, 4 };
	uint8_t buf[8];

	ASSERT_INT(regmap_read(&T.map, 0x114, buf, 4), DFK_ERR_DENIED);
	ASSERT_INT(regmap_read(&T.map, 0x110, buf, 8), DFK_ERR_DENIED);   /* C readable, D not */
	ASSERT_INT(handler_calls(), 0);
	ASSERT_INT(regmap_write(&T.map, 0x114, data, 4), DFK_OK);
	ASSERT_BYTES(T.d.bytes, data, 4);
}

static void test_regmap_nothing_written_when_any_part_invalid(void)
{
	uint8_t data[24];

	memset(data, 0x5A, sizeof(data));
	/* A and B are writable, C is read-only: no byte of A or B may change */
	ASSERT_INT(regmap_write(&T.map, 0x100, data, 20), DFK_ERR_READONLY);
	/* D is writable, the gap after it is not there */
	ASSERT_INT(regmap_write(&T.map, 0x114, data, 8), DFK_ERR_ADDRESS);
	/* A fine, then misaligned end in B */
	ASSERT_INT(regmap_write(&T.map, 0x100, data, 10), DFK_ERR_ALIGN);
	ASSERT_INT(handler_calls(), 0);
	ASSERT_BYTES(T.a.bytes, "\xA0\xA1\xA2\xA3\xA4\xA5\xA6\xA7", 8);
	ASSERT_BYTES(T.b.bytes, "\xB0\xB1\xB2\xB3\xB4\xB5\xB6\xB7", 8);
	ASSERT_BYTES(T.d.bytes, "\0\0\0\0", 4);
}

static void test_regmap_handler_error_returned(void)
{
	uint8_t buf[4] = { 0 };

	T.b.fail = DFK_ERR_RANGE;
	ASSERT_INT(regmap_write(&T.map, 0x108, buf, 4), DFK_ERR_RANGE);
	T.b.fail = DFK_ERR_DENIED;
	ASSERT_INT(regmap_read(&T.map, 0x108, buf, 4), DFK_ERR_DENIED);
}

static void test_regmap_write_is_slow(void)
{
	CU_ASSERT(regmap_write_is_slow(&T.map, 0x120, 4));
	CU_ASSERT(regmap_write_is_slow(&T.map, 0x12C, 4));
	CU_ASSERT(!regmap_write_is_slow(&T.map, 0x100, 16));
	CU_ASSERT(!regmap_write_is_slow(&T.map, 0x118, 4));
	CU_ASSERT(!regmap_write_is_slow(&T.map, UINT64_MAX - 1, 4));
}

static void test_regmap_add_rejects_bad_regions(void)
{
	struct regmap m;
	struct regmap_region r = { .base = 0x1000, .size = 4, .access = REG_RW, .align = 4, .read = mem_read,
				   .write = mem_write };

	regmap_init(&m);
	r.size = 0;
	ASSERT_INT(regmap_add(&m, &r), DFK_ERR_INVAL);
	r.size = 4;
	r.align = 0;
	ASSERT_INT(regmap_add(&m, &r), DFK_ERR_INVAL);
	r.align = 4;
	r.base = UINT64_MAX - 1;   /* base + size wraps */
	ASSERT_INT(regmap_add(&m, &r), DFK_ERR_INVAL);
	ASSERT_INT(m.n, 0);
	regmap_free(&m);
}

static void test_regmap_seal_detects_overlap(void)
{
	static const struct {
		uint64_t base1, size1, base2, size2;
		int overlap;
	} cases[] = {
		{ 0x00, 0x10, 0x08, 0x10, 1 },   /* partial */
		{ 0x00, 0x100, 0x40, 0x10, 1 },  /* contained */
		{ 0x40, 0x10, 0x40, 0x10, 1 },   /* identical */
		{ 0x08, 0x10, 0x00, 0x10, 1 },   /* partial, added in reverse */
		{ 0x00, 0x10, 0x10, 0x10, 0 },   /* touching */
		{ 0x20, 0x10, 0x00, 0x20, 0 },   /* touching, reverse */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct regmap m;
		struct regmap_region r = { .access = REG_RW, .align = 1, .read = mem_read, .write = mem_write,
					   .name = "r" };
		int rc_add, rc_seal;

		regmap_init(&m);
		r.base = cases[i].base1;
		r.size = cases[i].size1;
		ASSERT_INT(regmap_add(&m, &r), DFK_OK);
		r.base = cases[i].base2;
		r.size = cases[i].size2;
		rc_add = regmap_add(&m, &r);
		rc_seal = regmap_seal(&m);
		if (cases[i].overlap) {
			/* caught by regmap_add (as documented) or at the latest by regmap_seal */
			CU_ASSERT(rc_add == DFK_ERR_INVAL || rc_seal == DFK_ERR_INVAL);
		} else {
			ASSERT_INT(rc_add, DFK_OK);
			ASSERT_INT(rc_seal, DFK_OK);
		}
		regmap_free(&m);
	}
}

static void test_regmap_add_detects_overlap(void)
{
	/* regmap.h: "Adds a copy of `r`. Returns DFK_ERR_INVAL if it overlaps an existing region." */
	struct regmap m;
	struct regmap_region r = { .base = 0x100, .size = 8, .access = REG_RW, .align = 4, .read = mem_read,
				   .write = mem_write, .name = "first" };

	regmap_init(&m);
	ASSERT_INT(regmap_add(&m, &r), DFK_OK);
	r.base = 0x104;
	r.name = "second";
	ASSERT_INT(regmap_add(&m, &r), DFK_ERR_INVAL);
	regmap_free(&m);
}

static void test_regmap_many_regions(void)
{
	/* 300 word registers added in a scrambled order: lookups of every byte */
	struct regmap m;
	struct mem mm;
	struct t_rng rng;
	unsigned order[300];

	memset(&mm, 0, sizeof(mm));
	regmap_init(&m);
	for (unsigned i = 0; i < 300; i++)
		order[i] = i;
	t_rng_seed(&rng, 0x38267);
	for (unsigned i = 299; i > 0; i--) {
		unsigned j = (unsigned)(t_rng_next(&rng) % (i + 1)), tmp = order[i];
		order[i] = order[j];
		order[j] = tmp;
	}
	for (unsigned i = 0; i < 300; i++) {
		struct regmap_region r = { .base = 0x20000 + 8u * order[i], .size = 4, .access = REG_RW, .align = 4,
					   .read = mem_read, .write = mem_write, .ctx = &mm, .tag = order[i] };
		ASSERT_INT(regmap_add(&m, &r), DFK_OK);
	}
	ASSERT_INT(regmap_seal(&m), DFK_OK);
	for (unsigned i = 0; i < 300; i++) {
		const struct regmap_region *r = regmap_find(&m, 0x20000 + 8u * i + (i % 4));
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		ASSERT_INT(r->tag, i);
		CU_ASSERT_PTR_NULL(regmap_find(&m, 0x20000 + 8u * i + 4));
	}
	regmap_free(&m);
}

static const struct test_case cases[] = {
	{ "test_regmap_find", test_regmap_find },
	{ "test_regmap_read_one_region", test_regmap_read_one_region },
	{ "test_regmap_read_spans_adjacent_regions", test_regmap_read_spans_adjacent_regions },
	{ "test_regmap_write_spans_adjacent_regions", test_regmap_write_spans_adjacent_regions },
	{ "test_regmap_unmapped", test_regmap_unmapped },
	{ "test_regmap_misaligned", test_regmap_misaligned },
	{ "test_regmap_read_only", test_regmap_read_only },
	{ "test_regmap_write_only", test_regmap_write_only },
	{ "test_regmap_nothing_written_when_any_part_invalid", test_regmap_nothing_written_when_any_part_invalid },
	{ "test_regmap_handler_error_returned", test_regmap_handler_error_returned },
	{ "test_regmap_write_is_slow", test_regmap_write_is_slow },
	{ "test_regmap_add_rejects_bad_regions", test_regmap_add_rejects_bad_regions },
	{ "test_regmap_seal_detects_overlap", test_regmap_seal_detects_overlap },
	{ "test_regmap_add_detects_overlap", test_regmap_add_detects_overlap },
	{ "test_regmap_many_regions", test_regmap_many_regions },
	{ NULL, NULL },
};

int test_regmap_add_suite(void) { return test_add_suite("regmap", setup, teardown, cases); }
