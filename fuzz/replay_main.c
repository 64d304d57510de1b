/* SPDX-License-Identifier: MIT */
/* Plain replay driver for the fuzz targets: runs LLVMFuzzerTestOneInput once
 * per file named on the command line (a directory stands for the files in it,
 * in name order; dot files and README* are skipped). Built with any compiler
 * and sanitizer, so `make check` replays the corpus and the crash reproducers
 * without libFuzzer. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

static unsigned replayed;
static const char *current;

/* The sanitizers end with abort() (abort_on_error=1), as do the targets' own
 * checks: name the input that did it. */
static void on_abort(int sig)
{
	static const char msg[] = "replay: crashed on ";

	if (current) {
		ssize_t r = write(2, msg, sizeof(msg) - 1);
		r += write(2, current, strlen(current));
		r += write(2, "\n", 1);
		(void)r;   /* nothing to do about a failed write on the way down */
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			uint8_t *n = realloc(buf, cap ? cap * 2 : 4096);
			if (!n) {
				fclose(f);
				free(buf);
				return -1;
			}
			buf = n;
			cap = cap ? cap * 2 : 4096;
		}
		size_t r = fread(buf + len, 1, cap - len, f);
		len += r;
		if (r == 0)
			break;
	}
	fclose(f);
	/* an exact-size copy, so ASan sees a read past the input as libFuzzer would */
	uint8_t *input = malloc(len ? len : 1);
	if (!input) {
		free(buf);
		return -1;
	}
	memcpy(input, buf, len);
	free(buf);
	current = path;
	LLVMFuzzerTestOneInput(input, len);
	current = NULL;
	free(input);
	replayed++;
	return 0;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int replay_dir(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!dir) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.' || !strncmp(e->d_name, "README", 6))
			continue;
		if (n == cap) {
			char **m = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*m));
			if (!m) {
				rc = -1;
				break;
			}
			names = m;
		}
		names[n] = malloc(strlen(path) + strlen(e->d_name) + 2);
		if (!names[n]) {
			rc = -1;
			break;
		}
		sprintf(names[n], "%s/%s", path, e->d_name);
		n++;
	}
	closedir(dir);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			rc = replay_file(names[i]);
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	signal(SIGABRT, on_abort);
	for (int i = 1; i < argc; i++) {
		struct stat st;
		int rc;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		rc = S_ISDIR(st.st_mode) ? replay_dir(argv[i]) : replay_file(argv[i]);
		if (rc < 0)
			return 1;
	}
	printf("%s: replayed %u inputs\n", argc > 0 ? argv[0] : "replay", replayed);
	return 0;
}
