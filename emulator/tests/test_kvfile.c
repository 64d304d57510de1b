/* SPDX-License-Identifier: MIT */
/* common/kvfile: "key=value" files with a CRC-32 trailer line; a file whose
 * trailer does not match is DFK_ERR_CORRUPT and yields nothing (kvfile.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/atomicfile.h"
#include "../common/errors.h"
#include "../common/kvfile.h"
#include "tests.h"

static char dir[64];
static char path[128];

static void setup(void)
{
	if (t_mkdtemp(dir, sizeof(dir)) != 0)
		dir[0] = '\0';
	snprintf(path, sizeof(path), "%s/set.conf", dir);
}

static void teardown(void)
{
	if (dir[0])
		t_rmtree(dir);
	dir[0] = '\0';
}

static char *slurp(size_t *len)
{
	char *text = NULL;

	if (read_file(path, 1 << 20, &text, len) != DFK_OK)
		return NULL;
	return text;
}

static void spit(const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT(fwrite(text, 1, len, f) == len);
	fclose(f);
}

static void save_sample(void)
{
	struct kvfile f;

	kvfile_init(&f);
	ASSERT_INT(kvfile_set(&f, "Width", "1920"), DFK_OK);
	ASSERT_INT(kvfile_set(&f, "PixelFormat", "BayerRG12p"), DFK_OK);
	ASSERT_INT(kvfile_set(&f, "Gain", "6.5"), DFK_OK);
	ASSERT_INT(kvfile_save(&f, path, "sample"), DFK_OK);
	kvfile_free(&f);
}

static void test_kvfile_round_trip(void)
{
	CU_ASSERT_FATAL(dir[0] != '\0');   /* fixture up */
	struct kvfile f, g;

	kvfile_init(&f);
	ASSERT_INT(kvfile_set(&f, "Width", "1920"), DFK_OK);
	ASSERT_INT(kvfile_set(&f, "DeviceUserID", "bench camera #2"), DFK_OK);
	ASSERT_INT(kvfile_set(&f, "Formula", "a=b"), DFK_OK);   /* '=' in a value */
	ASSERT_INT(kvfile_set(&f, "Empty", ""), DFK_OK);
	ASSERT_INT(kvfile_set(&f, "LUTValue[256]", "65535"), DFK_OK);
	ASSERT_INT(kvfile_set(&f, "Width", "2048"), DFK_OK);    /* replaces, keeps its place */
	ASSERT_INT(f.n, 5);
	CU_ASSERT_STRING_EQUAL(kvfile_get(&f, "Width"), "2048");
	ASSERT_INT(kvfile_save(&f, path, "a header"), DFK_OK);

	memset(&g, 0xAA, sizeof(g));
	ASSERT_INT(kvfile_load(&g, path), DFK_OK);
	ASSERT_INT(g.n, 5);
	for (size_t i = 0; i < f.n; i++) {
		const char *v = kvfile_get(&g, f.items[i].key);
		CU_ASSERT_PTR_NOT_NULL(v);
		if (v)
			CU_ASSERT_STRING_EQUAL(v, f.items[i].value);
	}
	CU_ASSERT_PTR_NULL(kvfile_get(&g, "Height"));
	CU_ASSERT_PTR_NULL(kvfile_get(&g, "crc32"));
	kvfile_free(&f);
	kvfile_free(&g);
}

static void test_kvfile_format(void)
{
	CU_ASSERT_FATAL(dir[0] != '\0');   /* fixture up */
	/* the exact text: comment, lines, and a trailer with the CRC-32 of everything before it */
	static const char body[] = "# sample\nWidth=1920\nPixelFormat=BayerRG12p\nGain=6.5\n";
	char want[256];
	size_t len;
	char *text;

	save_sample();
	text = slurp(&len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	snprintf(want, sizeof(want), "%scrc32=%08x\n", body, t_crc32(body, strlen(body)));
	ASSERT_INT(len, strlen(want));
	CU_ASSERT_STRING_EQUAL(text, want);
	free(text);
	/* check the CRC helper itself against the standard check value */
	ASSERT_INT(t_crc32("123456789", 9), 0xCBF43926);
}

static void expect_corrupt(const char *text, size_t len, unsigned line)
{
	struct kvfile f;

	spit(text, len);
	test_assert_int(kvfile_load(&f, path), DFK_ERR_CORRUPT, line, __FILE__, "kvfile_load of a damaged file");
}

static void test_kvfile_corrupt_trailer(void)
{
	CU_ASSERT_FATAL(dir[0] != '\0');   /* fixture up */
	char *text, *crc;
	size_t len;

	save_sample();
	text = slurp(&len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);

	/* one changed value byte */
	{
		char *copy = strdup(text);
		char *w = strstr(copy, "1920");
		w[0] = '2';
		expect_corrupt(copy, len, __LINE__);
		free(copy);
	}
	/* a wrong checksum */
	{
		char *copy = strdup(text);
		crc = strstr(copy, "crc32=");
		crc[6] = crc[6] == '0' ? '1' : '0';
		expect_corrupt(copy, len, __LINE__);
		free(copy);
	}
	/* no trailer at all */
	crc = strstr(text, "crc32=");
	expect_corrupt(text, (size_t)(crc - text), __LINE__);
	/* a trailer cut short */
	expect_corrupt(text, len - 3, __LINE__);
	/* a line removed */
	{
		char *copy = strdup(text);
		char *g = strstr(copy, "Gain=6.5\n");
		memmove(g, g + 9, strlen(g + 9) + 1);
		expect_corrupt(copy, strlen(copy), __LINE__);
		free(copy);
	}
	/* empty file */
	expect_corrupt("", 0, __LINE__);
	free(text);
}

static void test_kvfile_missing(void)
{
	CU_ASSERT_FATAL(dir[0] != '\0');   /* fixture up */
	struct kvfile f;

	ASSERT_INT(kvfile_load(&f, path), DFK_ERR_NOTFOUND);
}

static void test_kvfile_set_rejects(void)
{
	CU_ASSERT_FATAL(dir[0] != '\0');   /* fixture up */
	struct kvfile f;

	kvfile_init(&f);
	ASSERT_INT(kvfile_set(&f, "a=b", "1"), DFK_ERR_INVAL);
	ASSERT_INT(kvfile_set(&f, "a\nb", "1"), DFK_ERR_INVAL);
	ASSERT_INT(kvfile_set(&f, "a", "1\n2"), DFK_ERR_INVAL);
	ASSERT_INT(f.n, 0);
	kvfile_free(&f);
}

/* Every key kvfile_set accepts must load back (or kvfile_set must refuse it). */
static void key_round_trips(const char *key, unsigned line)
{
	struct kvfile f, g;
	int rc;
	char what[128];

	kvfile_init(&f);
	rc = kvfile_set(&f, key, "deadbeef");
	if (rc == DFK_ERR_INVAL) {   /* refused up front: fine */
		kvfile_free(&f);
		return;
	}
	test_assert_int(rc, DFK_OK, line, __FILE__, "kvfile_set");
	kvfile_set(&f, "Width", "1920");
	test_assert_int(kvfile_save(&f, path, NULL), DFK_OK, line, __FILE__, "kvfile_save");
	rc = kvfile_load(&g, path);
	snprintf(what, sizeof(what), "kvfile_load of a file with the key '%s'", key);
	test_assert_int(rc, DFK_OK, line, __FILE__, what);
	if (rc == DFK_OK) {
		const char *v = kvfile_get(&g, key);
		snprintf(what, sizeof(what), "key '%s' loads back with its value", key);
		CU_assertImplementation(v && strcmp(v, "deadbeef") == 0, line, what, __FILE__, "", CU_FALSE);
		kvfile_free(&g);
	}
	kvfile_free(&f);
}

static void test_kvfile_accepted_keys_round_trip(void)
{
	CU_ASSERT_FATAL(dir[0] != '\0');   /* fixture up */
	key_round_trips("crc32", __LINE__);     /* looks like the trailer line */
	key_round_trips("#note", __LINE__);     /* looks like a comment line */
	key_round_trips("", __LINE__);          /* empty key */
	key_round_trips(" spaced key ", __LINE__);
}

static void test_kvfile_no_temp_files_left(void)
{
	CU_ASSERT_FATAL(dir[0] != '\0');   /* fixture up */
	char *names[8] = { 0 };
	int n;

	for (int i = 0; i < 5; i++)
		save_sample();
	n = t_list_dir(dir, names, 8);
	ASSERT_INT(n, 1);
	if (n >= 1 && names[0])
		CU_ASSERT_STRING_EQUAL(names[0], "set.conf");
	for (int i = 0; i < 8; i++)
		free(names[i]);
}

static const struct test_case cases[] = {
	{ "test_kvfile_round_trip", test_kvfile_round_trip },
	{ "test_kvfile_format", test_kvfile_format },
	{ "test_kvfile_corrupt_trailer", test_kvfile_corrupt_trailer },
	{ "test_kvfile_missing", test_kvfile_missing },
	{ "test_kvfile_set_rejects", test_kvfile_set_rejects },
	{ "test_kvfile_accepted_keys_round_trip", test_kvfile_accepted_keys_round_trip },
	{ "test_kvfile_no_temp_files_left", test_kvfile_no_temp_files_left },
	{ NULL, NULL },
};

int test_kvfile_add_suite(void) { return test_add_suite("kvfile", setup, teardown, cases); }
