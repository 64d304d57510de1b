/* SPDX-License-Identifier: MIT */
/* common/atomicfile: whole-file replacement through a temporary file and
 * rename, whole-file reads with a size cap, mkdir -p and the state directory
 * claim (atomicfile.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/atomicfile.h"
#include "../common/errors.h"
#include "tests.h"

static char dir[64];

static void setup(void) { CU_ASSERT_FATAL(t_mkdtemp(dir, sizeof(dir)) == 0); }

static void teardown(void)
{
	if (dir[0])
		t_rmtree(dir);
	dir[0] = '\0';
}

static void test_atomicfile_write_read(void)
{
	CU_ASSERT_FATAL(dir[0] != '\0');   /* fixture up */
	char path[128], *text = NULL;
	uint8_t data[3000];
	struct t_rng rng;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/blob.bin", dir);
	t_rng_seed(&rng, 267);
	t_rng_fill(&rng, data, sizeof(data));
	ASSERT_INT(atomic_write_file(path, data, sizeof(data)), DFK_OK);
	ASSERT_INT(read_file(path, 1 << 20, &text, &len), DFK_OK);
	ASSERT_INT(len, sizeof(data));
	ASSERT_BYTES(text, data, sizeof(data));
	ASSERT_INT(text[len], '\0');   /* NUL-terminated */
	free(text);
	/* replace with something shorter: no tail of the old contents */
	ASSERT_INT(atomic_write_file(path, "new", 3), DFK_OK);
	ASSERT_INT(read_file(path, 1 << 20, &text, &len), DFK_OK);
	ASSERT_INT(len, 3);
	CU_ASSERT_STRING_EQUAL(text, "new");
	free(text);
	/* empty file */
	ASSERT_INT(atomic_write_file(path, "", 0), DFK_OK);
	ASSERT_INT(read_file(path, 10, &text, &len), DFK_OK);
	ASSERT_INT(len, 0);
	free(text);
}

static void test_atomicfile_read_limits(void)
{
	CU_ASSERT_FATAL(dir[0] != '\0');   /* fixture up */
	char path[128], *text = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/f", dir);
	ASSERT_INT(read_file(path, 100, &text, &len), DFK_ERR_NOTFOUND);
	ASSERT_INT(atomic_write_file(path, "0123456789", 10), DFK_OK);
	ASSERT_INT(read_file(path, 9, &text, &len), DFK_ERR_RANGE);
	ASSERT_INT(read_file(path, 10, &text, &len), DFK_OK);
	free(text);
}

static void test_atomicfile_no_temp_files_left(void)
{
	CU_ASSERT_FATAL(dir[0] != '\0');   /* fixture up */
	char path[128], bad[160], *names[4] = { 0 };
	int n;

	snprintf(path, sizeof(path), "%s/state.conf", dir);
	for (int i = 0; i < 10; i++)
		ASSERT_INT(atomic_write_file(path, "x=1\n", 4), DFK_OK);
	/* a failed write (directory missing) leaves nothing either */
	snprintf(bad, sizeof(bad), "%s/missing/state.conf", dir);
	ASSERT_INT(atomic_write_file(bad, "x=1\n", 4), DFK_ERR_IO);
	n = t_list_dir(dir, names, 4);
	ASSERT_INT(n, 1);
	if (names[0])
		CU_ASSERT_STRING_EQUAL(names[0], "state.conf");
	for (int i = 0; i < 4; i++)
		free(names[i]);
}

static void test_atomicfile_make_dirs(void)
{
	CU_ASSERT_FATAL(dir[0] != '\0');   /* fixture up */
	char path[160];
	struct stat st;

	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	ASSERT_INT(make_dirs(path), DFK_OK);
	CU_ASSERT(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
	ASSERT_INT(make_dirs(path), DFK_OK);   /* existing is fine */
	snprintf(path, sizeof(path), "%s/a/b/c/", dir);
	ASSERT_INT(make_dirs(path), DFK_OK);   /* trailing slash */
	ASSERT_INT(make_dirs(""), DFK_ERR_INVAL);
	/* a file in the way */
	snprintf(path, sizeof(path), "%s/file", dir);
	ASSERT_INT(atomic_write_file(path, "x", 1), DFK_OK);
	snprintf(path, sizeof(path), "%s/file/sub", dir);
	ASSERT_INT(make_dirs(path), DFK_ERR_IO);
}

static void touch(const char *name)
{
	char path[160];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs("half", f);
	fclose(f);
}

static int exists(const char *name)
{
	char path[160];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0;
}

static void test_atomicfile_state_dir_claim(void)
{
	CU_ASSERT_FATAL(dir[0] != '\0');   /* fixture up */
	int fd = -1, fd2 = -1;

	/* what a writer killed between create and rename leaves, and look-alikes that are data */
	touch("userset1.conf.tmp.4242");
	touch("flash.conf.tmp.7");
	touch("userset2.conf");
	touch("notes.tmp.txt");
	touch(".tmp.12");
	ASSERT_INT(state_dir_claim(dir, &fd), DFK_OK);
	CU_ASSERT(fd >= 0);
	CU_ASSERT(!exists("userset1.conf.tmp.4242"));
	CU_ASSERT(!exists("flash.conf.tmp.7"));
	CU_ASSERT(exists("userset2.conf"));
	CU_ASSERT(exists("notes.tmp.txt"));
	CU_ASSERT(exists(".tmp.12"));
	CU_ASSERT(exists("lock"));
	/* a second claim (another emulator on the same directory) is refused */
	ASSERT_INT(state_dir_claim(dir, &fd2), DFK_ERR_BUSY);
	CU_ASSERT(fd2 == -1);
	close(fd);
	/* released: claimable again */
	ASSERT_INT(state_dir_claim(dir, &fd2), DFK_OK);
	close(fd2);
	char missing[160];
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	ASSERT_INT(state_dir_claim(missing, &fd), DFK_ERR_IO);
}

static const struct test_case cases[] = {
	{ "test_atomicfile_write_read", test_atomicfile_write_read },
	{ "test_atomicfile_read_limits", test_atomicfile_read_limits },
	{ "test_atomicfile_no_temp_files_left", test_atomicfile_no_temp_files_left },
	{ "test_atomicfile_make_dirs", test_atomicfile_make_dirs },
	{ "test_atomicfile_state_dir_claim", test_atomicfile_state_dir_claim },
	{ NULL, NULL },
};

int test_atomicfile_add_suite(void) { return test_add_suite("atomicfile", setup, teardown, cases); }
