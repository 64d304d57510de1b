/* SPDX-License-Identifier: MIT */
#include "png_out.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void png_error_quiet(png_structp png, png_const_charp msg)
{
	(void)msg;
	png_longjmp(png, 1);
}

static void png_warning_quiet(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* The work after setjmp, kept out of png_encode so no local of that function
 * changes between setjmp and a longjmp. */
static void png_encode_rows(png_structp png, png_infop info, const uint8_t *rgb, uint32_t w, uint32_t h)
{
	png_set_IHDR(png, info, w, h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
		     PNG_FILTER_TYPE_DEFAULT);
	png_set_compression_level(png, 3);
	png_write_info(png, info);
	for (uint32_t y = 0; y < h; y++)
		png_write_row(png, (png_const_bytep)(rgb + (size_t)y * w * 3));
	png_write_end(png, info);
}

/* Returns 0 or -EIO. */
static int png_encode(FILE *f, const uint8_t *rgb, uint32_t w, uint32_t h)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, png_error_quiet, png_warning_quiet);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	int rc = -EIO;

	if (!png || !info) {
		png_destroy_write_struct(&png, NULL);
		return -ENOMEM;
	}
	if (setjmp(png_jmpbuf(png)) == 0) {
		png_init_io(png, f);
		png_encode_rows(png, info, rgb, w, h);
		rc = 0;
	}
	png_destroy_write_struct(&png, &info);
	return rc;
}

int png_write_rgb(const char *path, const uint8_t *rgb, uint32_t w, uint32_t h)
{
	size_t n = strlen(path);
	char *tmp;
	FILE *f;
	int fd, rc;

	if (!w || !h || w > PNG_USER_WIDTH_MAX || h > PNG_USER_HEIGHT_MAX || w > 0x7FFFFFFFu / 3)
		return -EINVAL;
	tmp = malloc(n + sizeof(".XXXXXX"));
	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, path, n);
	memcpy(tmp + n, ".XXXXXX", sizeof(".XXXXXX"));
	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = -errno;
		free(tmp);
		return rc;
	}
	f = fdopen(fd, "wb");
	if (!f) {
		rc = -errno;
		close(fd);
		goto fail;
	}
	rc = png_encode(f, rgb, w, h);
	if (fflush(f) != 0 && !rc)
		rc = -errno;
	if (fchmod(fd, 0644) != 0 && !rc) /* mkstemp made it 0600 */
		rc = -errno;
	if (fclose(f) != 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) != 0)
		rc = -errno;
	if (!rc) {
		free(tmp);
		return 0;
	}
fail:
	unlink(tmp);
	free(tmp);
	return rc;
}
