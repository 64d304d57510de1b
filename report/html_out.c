/* SPDX-License-Identifier: MIT */
#include "html_out.h"

#include <stdarg.h>

void html_esc_n(FILE *f, const char *s, size_t max)
{
	for (size_t i = 0; s && s[i] && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if (c >= 0x20 && c != 0x7f)
				fputc(c, f);
			else if (c == '\t')
				fputc(' ', f);
		}
	}
}

void html_esc(FILE *f, const char *s) { html_esc_n(f, s, 4096); }

void html_url_name(FILE *f, const char *s)
{
	for (size_t i = 0; s[i] && i < 512; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-')
			fputc(c, f);
		else
			fprintf(f, "%%%02X", c);
	}
}

void html_fmt_dur(char *buf, size_t len, double ns)
{
	double a = ns < 0 ? -ns : ns;

	if (a >= 1e9)
		snprintf(buf, len, "%.4g s", ns / 1e9);
	else if (a >= 1e6)
		snprintf(buf, len, "%.4g ms", ns / 1e6);
	else if (a >= 1e3)
		snprintf(buf, len, "%.4g \xc2\xb5s", ns / 1e3);
	else
		snprintf(buf, len, "%.4g ns", ns);
}

void html_svg_title(FILE *f, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fputs("<title>", f);
	html_esc(f, buf);
	fputs("</title>", f);
}
