/* SPDX-License-Identifier: MIT */
#include "runner/adapter_proto.h"

#include <stdio.h>
#include <string.h>

#include "common/numparse.h"

static const char *const kind_names[AD_KIND_COUNT] = {
	[AD_HELLO] = "hello", [AD_READY] = "ready", [AD_FRAME] = "frame", [AD_TIMEOUT] = "timeout",
	[AD_ERROR] = "error", [AD_LOST] = "lost", [AD_REOPENED] = "reopened", [AD_GAP] = "gap",
	[AD_DONE] = "done", [AD_UNKNOWN] = "unknown",
};

static const char *const status_names[] = { [AD_ST_OK] = "ok", [AD_ST_INCOMPLETE] = "incomplete", [AD_ST_BAD] = "bad" };

static const char *const stages[] = { "open", "config", "start", "grab", "exec", "set", "stop", "close" };

const char *ad_kind_name(enum ad_kind k) { return (unsigned)k < AD_KIND_COUNT ? kind_names[k] : "?"; }
const char *ad_status_name(enum ad_status s) { return (unsigned)s <= AD_ST_BAD ? status_names[s] : "?"; }

/* Which keys a kind takes, as a bit per key of the table below. */
enum key { K_ID, K_SIZE, K_STATUS, K_DETAIL, K_TS, K_WIDTH, K_HEIGHT, K_X, K_Y, K_PIXFMT, K_FILE, K_FROM, K_TO,
	   K_STAGE, K_DRIVER, K_VERSION, K_MODE, K_MSG, K_COUNT };

static const char *const key_names[K_COUNT] = {
	"id", "size", "status", "detail", "ts", "width", "height", "x", "y", "pixfmt", "file", "from", "to",
	"stage", "driver", "version", "mode", "msg",
};

#define B(k) (1u << (k))
static const unsigned kind_keys[AD_KIND_COUNT] = {
	[AD_HELLO] = B(K_DRIVER) | B(K_VERSION) | B(K_MODE),
	[AD_FRAME] = B(K_ID) | B(K_SIZE) | B(K_STATUS) | B(K_DETAIL) | B(K_TS) | B(K_WIDTH) | B(K_HEIGHT) | B(K_X) |
		     B(K_Y) | B(K_PIXFMT) | B(K_FILE),
	[AD_ERROR] = B(K_STAGE) | B(K_MSG),
	[AD_LOST] = B(K_MSG),
	[AD_GAP] = B(K_FROM) | B(K_TO),
};
static const unsigned kind_required[AD_KIND_COUNT] = {
	[AD_FRAME] = B(K_ID) | B(K_SIZE) | B(K_STATUS),
	[AD_ERROR] = B(K_STAGE),
	[AD_GAP] = B(K_FROM) | B(K_TO),
};

static int fail(char *err, size_t errlen, const char *fmt, const char *a, const char *b)
{
	snprintf(err, errlen, fmt, a, b);
	return -1;
}

static bool copy_word(char *dst, size_t cap, const char *v, size_t vlen)
{
	if (vlen >= cap)
		return false;
	memcpy(dst, v, vlen);
	dst[vlen] = 0;
	return true;
}

static bool number32(const char *v, uint32_t *out)
{
	uint64_t n;

	if (!parse_u64(v, &n) || n > UINT32_MAX)
		return false;
	*out = (uint32_t)n;
	return true;
}

static int set_key(struct ad_event *ev, enum key k, char *v, size_t vlen, char *err, size_t errlen)
{
	bool ok = true;
	uint64_t n = 0;

	switch (k) {
	case K_ID: ok = parse_u64(v, &ev->id); break;
	case K_SIZE: ok = parse_u64(v, &ev->size); break;
	case K_TS: ok = parse_u64(v, &ev->ts); ev->has_ts = ok; break;
	case K_WIDTH: ok = number32(v, &ev->width); ev->has_geometry = true; break;
	case K_HEIGHT: ok = number32(v, &ev->height); ev->has_geometry = true; break;
	case K_X: ok = number32(v, &ev->x); break;
	case K_Y: ok = number32(v, &ev->y); break;
	case K_PIXFMT: ok = parse_u64(v, &n) && n <= UINT32_MAX; ev->pixfmt = (uint32_t)n; ev->has_pixfmt = ok; break;
	case K_FROM: ok = parse_u64(v, &ev->gap_from); break;
	case K_TO: ok = parse_u64(v, &ev->gap_to); break;
	case K_STATUS:
		ok = false;
		for (unsigned i = 0; i <= AD_ST_BAD; i++)
			if (strcmp(v, status_names[i]) == 0) {
				ev->status = (enum ad_status)i;
				ok = true;
			}
		if (!ok)
			return fail(err, errlen, "frame: status '%.40s' is not ok, incomplete or bad%s", v, "");
		break;
	case K_STAGE:
		ok = false;
		for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
			ok |= strcmp(v, stages[i]) == 0;
		if (!ok)
			return fail(err, errlen, "error: unknown stage '%.40s'%s", v, "");
		ok = copy_word(ev->stage, sizeof(ev->stage), v, vlen);
		break;
	case K_DETAIL: ok = copy_word(ev->detail, sizeof(ev->detail), v, vlen); break;
	case K_FILE: ok = copy_word(ev->file, sizeof(ev->file), v, vlen); break;
	case K_DRIVER: ok = copy_word(ev->driver, sizeof(ev->driver), v, vlen); break;
	case K_VERSION: ok = copy_word(ev->version, sizeof(ev->version), v, vlen); break;
	case K_MODE: ok = copy_word(ev->mode, sizeof(ev->mode), v, vlen); break;
	case K_MSG: ok = copy_word(ev->msg, sizeof(ev->msg), v, vlen); break;
	case K_COUNT: ok = false; break;
	}
	if (!ok)
		return fail(err, errlen, "bad value '%.40s' for %s", v, key_names[k]);
	return 0;
}

int ad_parse_line(const char *line, size_t len, struct ad_event *ev, char *err, size_t errlen)
{
	char buf[AD_LINE_MAX + 1];
	char *p, *end, *word;
	unsigned seen = 0;

	memset(ev, 0, sizeof(*ev));
	if (len > AD_LINE_MAX)
		return fail(err, errlen, "line longer than %s bytes%s", "4096", "");
	if (memchr(line, 0, len))
		return fail(err, errlen, "line holds a NUL byte%s%s", "", "");
	memcpy(buf, line, len);
	buf[len] = 0;
	if (len && buf[len - 1] == '\r')
		buf[--len] = 0;
	p = buf;
	end = buf + len;
	word = p;
	while (p < end && *p != ' ')
		p++;
	*p = 0;
	ev->kind = AD_UNKNOWN;
	for (unsigned k = 0; k < AD_UNKNOWN; k++)
		if (strcmp(word, kind_names[k]) == 0)
			ev->kind = (enum ad_kind)k;
	if (!*word)
		return fail(err, errlen, "empty line%s%s", "", "");
	if (ev->kind == AD_UNKNOWN)
		return 0;
	if (p < end)
		p++;
	while (p < end) {
		char *key = p, *eq, *v;
		size_t vlen;
		int k = -1;

		while (p < end && *p != ' ' && *p != '=')
			p++;
		if (p >= end || *p != '=')
			return fail(err, errlen, "%s: '%.40s' is not key=value", ad_kind_name(ev->kind), key);
		eq = p;
		*eq = 0;
		for (int i = 0; i < K_COUNT; i++)
			if (strcmp(key, key_names[i]) == 0)
				k = i;
		if (k < 0 || !(kind_keys[ev->kind] & B(k)))
			return fail(err, errlen, "%s: unknown key '%.40s'", ad_kind_name(ev->kind), key);
		if (seen & B(k))
			return fail(err, errlen, "%s: key '%.40s' given twice", ad_kind_name(ev->kind), key);
		seen |= B(k);
		v = eq + 1;
		if (k == K_MSG) {   /* the rest of the line */
			p = end;
		} else {
			p = v;
			while (p < end && *p != ' ')
				p++;
			*p = 0;
			if (p < end)
				p++;
		}
		vlen = strlen(v);
		if (!vlen && k != K_MSG)
			return fail(err, errlen, "%s: empty value for %s", ad_kind_name(ev->kind), key);
		if (set_key(ev, (enum key)k, v, vlen, err, errlen) < 0)
			return -1;
	}
	if ((seen & kind_required[ev->kind]) != kind_required[ev->kind]) {
		for (int k = 0; k < K_COUNT; k++)
			if ((kind_required[ev->kind] & B(k)) && !(seen & B(k)))
				return fail(err, errlen, "%s: %s= missing", ad_kind_name(ev->kind), key_names[k]);
	}
	if (ev->kind == AD_FRAME && ev->has_geometry && !((seen & B(K_WIDTH)) && (seen & B(K_HEIGHT))))
		return fail(err, errlen, "frame: width and height come together%s%s", "", "");
	if (ev->kind == AD_GAP && ev->gap_to <= ev->gap_from)
		return fail(err, errlen, "gap: to= must be above from=%s%s", "", "");
	return 0;
}
