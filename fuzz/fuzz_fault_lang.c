/* SPDX-License-Identifier: MIT */
/* fault_lang: the fault language (emulator/fault/, docs/faults.md) on arbitrary text,
 * then the engine driven by the same bytes.
 *
 * Input: byte 0 picks the device time lines are parsed at (bits 0-1: 0, 1 s, 2^62,
 * 2^63 - 1); the rest is a scenario, one fault per line.
 *
 * Checked, per line: a parsed line formats to a canonical line that fits
 * FAULT_LINE_MAX, parses back to the same spec and formats to the same text
 * (parse(format(x)) == x); a refused line has a one-line message. Then the whole
 * text is loaded into an engine (all or nothing) and its bytes replayed as
 * transfers, frames, commands, fire_due and link queries at increasing device
 * times: every action names an armed kind of the right domain, the engine never
 * holds more than FAULT_MAX faults and next_due never lies in the past of fire_due. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../emulator/common/errors.h"
#include "../emulator/fault/fault.h"
#include "fuzz.h"

static const uint64_t nows[4] = { 0, 1000000000ull, UINT64_C(1) << 62, (UINT64_C(1) << 63) - 1 };
static const uint8_t eps[8] = { 0x00, 0x80, 0x01, 0x81, 0x82, 0x83, 0x02, 0x8f };

static void check_message(const char *err, size_t errlen)
{
	size_t n = strnlen(err, errlen);

	/* NUL-terminated inside the buffer, not empty, one line */
	if (n == errlen || n == 0 || memchr(err, '\n', n))
		abort();
}

static void check_line(const char *line, uint64_t now)
{
	struct fault_spec s, back;
	char err[256], text[FAULT_LINE_MAX], again[FAULT_LINE_MAX];
	int n, m;

	if (fault_parse(line, now, &s, err, sizeof(err)) != DFK_OK) {
		check_message(err, sizeof(err));
		return;
	}
	n = fault_format(&s, text, sizeof(text));
	if (n <= 0 || (size_t)n >= sizeof(text) || strlen(text) != (size_t)n)
		abort();
	if (fault_parse(text, now, &back, err, sizeof(err)) != DFK_OK || !fault_spec_equal(&s, &back))
		abort();
	m = fault_format(&back, again, sizeof(again));
	if (m != n || memcmp(text, again, (size_t)n + 1))
		abort();
}

struct watch {
	struct fault_engine *e;
	uint64_t fired;
};

static void on_fired(void *ctx, const struct fault_action *a)
{
	struct watch *w = ctx;

	if ((unsigned)a->kind >= FAULT_KIND_COUNT || a->id == 0 || a->id >= w->e->next_id)
		abort();
	if (a->phase == FAULT_ENDED && fault_kind_domain(a->kind) != FAULT_DOM_LINK)
		abort();
	w->fired++;
}

static void expect_domain(bool hit, const struct fault_action *a, enum fault_domain d)
{
	if (hit && (fault_kind_domain(a->kind) != d || a->phase != FAULT_FIRED))
		abort();
}

static void drive(struct fault_engine *e, const uint8_t *ops, size_t n, uint64_t now)
{
	struct fault_action a;
	struct fault_link l;

	for (size_t i = 0; i < n; i++) {
		uint8_t b = ops[i];

		/* device time only moves forward, by up to ~250 us per step, and stays below 2^64 */
		if (now < UINT64_MAX - 1000000)
			now += (uint64_t)b * 997u;
		switch (b % 5) {
		case 0: expect_domain(fault_engine_on_transfer(e, now, eps[(b >> 3) & 7], &a), &a, FAULT_DOM_TRANSFER); break;
		case 1: expect_domain(fault_engine_on_frame(e, now, i, &a), &a, FAULT_DOM_FRAME); break;
		case 2: expect_domain(fault_engine_on_command(e, now, (uint16_t)(b * 257u), &a), &a, FAULT_DOM_COMMAND); break;
		case 3:
			fault_engine_fire_due(e, now);
			if (fault_engine_next_due(e) <= now)
				abort();
			break;
		default: fault_engine_link(e, now, &l); break;
		}
		if (fault_engine_count(e) > FAULT_MAX)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fault_engine engine;   /* 256 slots: too large for the stack of every run */
	struct watch w = { &engine, 0 };
	struct fault_hooks hooks = { on_fired, NULL, &w };
	char err[256], *text, *line;
	uint64_t now;
	size_t added;

	if (size == 0)
		return 0;
	now = nows[data[0] & 3];
	/* a C string copy of the text, so reads past the end are caught */
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	for (line = text; line;) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		check_line(line, now);
		line = nl ? nl + 1 : NULL;
	}

	fault_engine_init(&engine, &hooks);
	if (fault_engine_load(&engine, (const char *)data + 1, size - 1, now, &added, err, sizeof(err)) == DFK_OK) {
		if (added != fault_engine_count(&engine))
			abort();
		drive(&engine, data + 1, size - 1, now);
	} else {
		check_message(err, sizeof(err));
		if (fault_engine_count(&engine) != 0)
			abort();
	}
	free(text);
	return 0;
}
