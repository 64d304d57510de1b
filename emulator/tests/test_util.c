/* SPDX-License-Identifier: MIT */
/* Shared helpers of the unit tests (see tests.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* nftw, mkdtemp: also when CFLAGS is replaced on the make command line */
#endif

#include "tests.h"

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int test_add_suite(const char *name, void (*setup)(void), void (*teardown)(void), const struct test_case *cases)
{
	return test_add_suite_with_init(name, NULL, NULL, setup, teardown, cases);
}

int test_add_suite_with_init(const char *name, int (*init)(void), int (*clean)(void), void (*setup)(void),
			     void (*teardown)(void), const struct test_case *cases)
{
	CU_pSuite s = CU_add_suite_with_setup_and_teardown(name, init, clean, setup, teardown);

	if (!s)
		return CU_get_error();
	for (const struct test_case *c = cases; c->name; c++)
		if (!CU_add_test(s, c->name, c->fn))
			return CU_get_error();
	return CUE_SUCCESS;
}

void test_assert_bytes(const void *got, const void *want, size_t n, unsigned line, const char *file,
		       const char *what)
{
	const uint8_t *g = got, *w = want;
	char msg[256];

	for (size_t i = 0; i < n; i++) {
		if (g[i] != w[i]) {
			snprintf(msg, sizeof(msg), "%s: byte %zu of %zu is 0x%02x, expected 0x%02x", what, i, n, g[i],
				 w[i]);
			CU_assertImplementation(CU_FALSE, line, msg, file, "", CU_FALSE);
			return;
		}
	}
	CU_assertImplementation(CU_TRUE, line, what, file, "", CU_FALSE);
}

void test_assert_int(long long got, long long want, unsigned line, const char *file, const char *what)
{
	char msg[256];

	if (got == want) {
		CU_assertImplementation(CU_TRUE, line, what, file, "", CU_FALSE);
		return;
	}
	snprintf(msg, sizeof(msg), "%s: got %lld (0x%llx), expected %lld (0x%llx)", what, got,
		 (unsigned long long)got, want, (unsigned long long)want);
	CU_assertImplementation(CU_FALSE, line, msg, file, "", CU_FALSE);
}

void t_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v & 0xFF);
	p[1] = (uint8_t)(v >> 8);
}

void t_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void t_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

uint16_t t_get_le16(const uint8_t *p) { return (uint16_t)(p[0] + 256u * p[1]); }

uint32_t t_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] + ((uint32_t)p[1] << 8) + ((uint32_t)p[2] << 16) + ((uint32_t)p[3] << 24);
}

void t_rng_seed(struct t_rng *r, uint64_t seed) { r->s = seed ? seed : 0x9E3779B97F4A7C15ull; }

uint64_t t_rng_next(struct t_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1Dull;
}

void t_rng_fill(struct t_rng *r, void *buf, size_t n)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(t_rng_next(r) >> 56);
}

int t_mkdtemp(char *buf, size_t len)
{
	if (snprintf(buf, len, "/tmp/dfk-unit-XXXXXX") >= (int)len)
		return -1;
	return mkdtemp(buf) ? 0 : -1;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int t_rmtree(const char *path) { return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS); }

int t_list_dir(const char *path, char **names, int max)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		/* "lock" is the state directory's claim (state_dir_claim), not stored data */
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || strcmp(e->d_name, "lock") == 0)
			continue;
		if (names && n < max)
			names[n] = strdup(e->d_name);
		n++;
	}
	closedir(d);
	return n;
}

uint32_t t_crc32(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t crc = 0xFFFFFFFFu;

	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return crc ^ 0xFFFFFFFFu;
}
