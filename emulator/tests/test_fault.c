/* SPDX-License-Identifier: MIT */
/* fault/: the fault language (parse, format, round trips, every error message) and
 * the engine (nth counting per target, counts, `at`, random determinism, capacity,
 * remove/clear, device-time firing, link settings, scenario files). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/errors.h"
#include "../fault/fault.h"
#include "../u3v/u3vsp.h"
#include "tests.h"

#define NOW 1000   /* device time the language tests parse at */

static void parse_ok(const char *line, uint64_t now, struct fault_spec *s, unsigned lineno)
{
	char err[256], what[400];
	int rc = fault_parse(line, now, s, err, sizeof(err));

	snprintf(what, sizeof(what), "fault_parse(\"%s\"): %s", line, err);
	CU_assertImplementation(rc == DFK_OK, lineno, what, __FILE__, "", CU_FALSE);
}

/* parse(line) formats as `want`, and parse(format) is the same spec. */
static void check_canonical(const char *line, const char *want, unsigned lineno)
{
	struct fault_spec s, back;
	char buf[FAULT_LINE_MAX], err[256], what[600];
	int n;

	parse_ok(line, NOW, &s, lineno);
	n = fault_format(&s, buf, sizeof(buf));
	snprintf(what, sizeof(what), "format(parse(\"%s\")) = \"%s\" (rc %d), expected \"%s\"", line, buf, n, want);
	CU_assertImplementation(n == (int)strlen(want) && !strcmp(buf, want), lineno, what, __FILE__, "", CU_FALSE);
	snprintf(what, sizeof(what), "parse(format(\"%s\")) = parse(\"%s\") differs", line, buf);
	CU_assertImplementation(fault_parse(buf, NOW, &back, err, sizeof(err)) == DFK_OK && fault_spec_equal(&s, &back),
				lineno, what, __FILE__, "", CU_FALSE);
}
#define CANON(line, want) check_canonical((line), (want), __LINE__)
#define SAME(line) check_canonical((line), (line), __LINE__)

static void check_error(const char *line, uint64_t now, const char *want, bool prefix, unsigned lineno)
{
	struct fault_spec s;
	char err[256], what[700];
	int rc = fault_parse(line, now, &s, err, sizeof(err));
	bool match = prefix ? !strncmp(err, want, strlen(want)) : !strcmp(err, want);

	snprintf(what, sizeof(what), "fault_parse(\"%s\") = %d \"%s\", expected error \"%s\"", line, rc, err, want);
	CU_assertImplementation(rc == DFK_ERR_INVAL && match && !strchr(err, '\n'), lineno, what, __FILE__, "",
				CU_FALSE);
}
#define ERR(line, want) check_error((line), NOW, (want), false, __LINE__)
#define ERR_PREFIX(line, want) check_error((line), NOW, (want), true, __LINE__)

/* ---- the language ---- */

static void test_fault_roundtrip_every_kind(void)
{
	SAME("stall ep 0x83");
	SAME("stall ep any");
	SAME("stall ep 0x00");
	SAME("short ep 0x81 len 0");
	SAME("short ep 0x83 len 4294967295");
	SAME("babble ep 0x83");
	SAME("delay ep 0x01 by 2500000");
	SAME("nak ep 0x83 for 1000000");
	SAME("nak ep 0x83 until 9000000");
	SAME("error ep 0x81 status -71");
	SAME("error ep 0x83 status -4095");
	SAME("drop-payload bytes 4096");
	SAME("drop-payload bytes 1 status 0xa101");
	SAME("corrupt field leader.magic value 0");
	SAME("corrupt field leader.size value 65535");
	SAME("corrupt field leader.block_id value 18446744073709551615");
	SAME("corrupt field leader.payload_type value 2");
	SAME("corrupt field leader.timestamp value 7");
	SAME("corrupt field leader.pixel_format value 17301505");
	SAME("corrupt field leader.size_x value 1");
	SAME("corrupt field leader.size_y value 1");
	SAME("corrupt field leader.offset_x value 1");
	SAME("corrupt field leader.offset_y value 1");
	SAME("corrupt field leader.padding_x value 1");
	SAME("corrupt field trailer.magic value 4294967295");
	SAME("corrupt field trailer.size value 31");
	SAME("corrupt field trailer.block_id value 3");
	SAME("corrupt field trailer.status value 40961");
	SAME("corrupt field trailer.valid_payload_size value 100");
	SAME("corrupt field trailer.size_y value 2");
	SAME("skip-ids by 4294967295");
	SAME("time-jump by -9223372036854775807");
	SAME("time-jump by 9223372036854775807");
	SAME("empty-frame");
	SAME("empty-frame status 0x0000");
	SAME("ack-pending for 65535000000");
	SAME("ack-error status 0x8007");
	SAME("ack-wrong-id");
	SAME("ack-wrong-id id 65535");
	SAME("ack-late by 1500000000");
	SAME("ack-drop");
	SAME("unplug");
	SAME("reset");
	SAME("replug for 2000000000");
	SAME("rate bytes-per-second 40000000");
	SAME("rate bytes-per-second 1 for 9223372036854775807");
	SAME("latency by 125000");
	SAME("latency by 0 for 1");
}

static void test_fault_roundtrip_triggers_and_counts(void)
{
	SAME("stall ep 0x83 at 1000");   /* now is not the past */
	SAME("stall ep 0x83 at 9223372036854775807");
	SAME("stall ep 0x83 on transfer 1");
	SAME("stall ep 0x83 on frame 4294967295");
	SAME("stall ep 0x83 on command 7");
	SAME("stall ep 0x83 random 0 seed 0");
	SAME("stall ep 0x83 random 1 seed 18446744073709551615");
	SAME("stall ep 0x83 random 0.10000000000000001 seed 5");
	SAME("stall ep 0x83 count 2");
	SAME("stall ep 0x83 count 4294967295");
	SAME("stall ep 0x83 count forever");
	SAME("stall ep 0x83 at 5000000 count 2");
	SAME("ack-error status 0x8007 on command 3 count forever");
	SAME("drop-payload bytes 7 random 0.5 seed 9 count 3");
	SAME("unplug at 5000000000");
	SAME("unplug on frame 10");
	SAME("replug for 1 on transfer 100");
	SAME("rate bytes-per-second 40000000 for 1000000000 at 2000");
	SAME("latency by 10 on command 2");
}

static void test_fault_parse_normalises(void)
{
	CANON("stall count 2 ep 131 at +5", "stall ep 0x83 at 1005 count 2");
	CANON("  stall\tep 0x83  now  ", "stall ep 0x83");
	CANON("stall ep 0x83 # the stream endpoint", "stall ep 0x83");
	CANON("stall ep 0x83 count 1", "stall ep 0x83");
	CANON("stall ep 0X83", "stall ep 0x83");
	CANON("stall ep 0x80", "stall ep 0x80");
	CANON("error ep 0x81 status EPROTO", "error ep 0x81 status -71");
	CANON("error ep 0x81 status etimedout", "error ep 0x81 status -110");
	CANON("error ep 0x81 status EPIPE", "error ep 0x81 status -32");
	CANON("ack-error status BUSY", "ack-error status 0x8007");
	CANON("ack-error status msg-timeout", "ack-error status 0x800b");
	CANON("ack-error status 32775", "ack-error status 0x8007");
	CANON("drop-payload bytes 10 status overrun", "drop-payload bytes 10 status 0xa101");
	CANON("drop-payload bytes 10 status discarded", "drop-payload bytes 10 status 0xa100");
	CANON("empty-frame status ok", "empty-frame status 0x0000");
	CANON("nak until +500 ep 0x81", "nak ep 0x81 until 1500");
	CANON("stall ep 0x83 random -0 seed 1", "stall ep 0x83 random 0 seed 1");
	CANON("stall ep 0x83 random 0.25", "stall ep 0x83 random 0.25 seed 0");
	CANON("stall ep 0x83 random 1e-3 seed 0x10", "stall ep 0x83 random 0.001 seed 16");
	CANON("corrupt value 0xA101 field trailer.status", "corrupt field trailer.status value 41217");
	CANON("rate for 5 bytes-per-second 100", "rate bytes-per-second 100 for 5");
	CANON("time-jump by 0", "time-jump by 0");
	CANON("time-jump by -0", "time-jump by 0");

	/* defaults filled in; given bits only for what was written */
	struct fault_spec s;
	parse_ok("drop-payload bytes 10", NOW, &s, __LINE__);
	ASSERT_INT(s.arg.status, U3VSP_STATUS_DATA_DISCARDED);
	ASSERT_INT(s.arg.given, FAULT_ARG_BIT(FAULT_P_BYTES));
	ASSERT_INT(s.count, 1);
	ASSERT_INT(s.trigger, FAULT_NOW);
	parse_ok("stall ep 0x83 at +0", 77, &s, __LINE__);
	ASSERT_INT(s.at, 77);
	/* a scenario file parses at power-up: +N is absolute there */
	parse_ok("unplug at +5", 0, &s, __LINE__);
	ASSERT_INT(s.at, 5);
}

static void test_fault_parse_errors_words(void)
{
	ERR("", "empty fault line");
	ERR("   # only a comment", "empty fault line");
	ERR_PREFIX("stal ep 1", "unknown fault kind 'stal' (one of: stall short babble delay nak error drop-payload "
				"corrupt skip-ids time-jump empty-frame ack-pending ack-error ack-wrong-id ack-late "
				"ack-drop unplug reset replug rate latency)");
	ERR("STALL ep 1", "unknown fault kind 'STALL' (one of: stall short babble delay nak error drop-payload "
			  "corrupt skip-ids time-jump empty-frame ack-pending ack-error ack-wrong-id ack-late "
			  "ack-drop unplug reset replug rate latency)");
	ERR_PREFIX("stall\x01 ep 1", "unknown fault kind 'stall?'");
	ERR("stall", "stall: missing ep (an endpoint address 0x00-0x0f or 0x80-0x8f, or any)");
	ERR("stall ep", "stall: ep needs a value (an endpoint address 0x00-0x0f or 0x80-0x8f, or any)");
	ERR("stall ep 0x90", "stall: bad ep '0x90' (an endpoint address 0x00-0x0f or 0x80-0x8f, or any)");
	ERR("stall ep 0x100", "stall: bad ep '0x100' (an endpoint address 0x00-0x0f or 0x80-0x8f, or any)");
	ERR("stall ep -1", "stall: bad ep '-1' (an endpoint address 0x00-0x0f or 0x80-0x8f, or any)");
	ERR("stall ep 0x83x", "stall: bad ep '0x83x' (an endpoint address 0x00-0x0f or 0x80-0x8f, or any)");
	ERR("stall ep 1 ep 2", "stall: ep given twice");
	ERR("stall ep 1 foo", "stall: unknown word 'foo' (expected ep, now, at, on, random, count)");
	ERR("stall ep 1 seed 3", "stall: unknown word 'seed' (expected ep, now, at, on, random, count)");
	ERR("stall ep 1 len 3", "stall: unknown word 'len' (expected ep, now, at, on, random, count)");
	ERR("short ep 1 len 5 x", "short: unknown word 'x' (expected ep, len, now, at, on, random, count)");
	ERR("unplug x", "unplug: unknown word 'x' (expected now, at, on)");
	ERR("rate x", "rate: unknown word 'x' (expected bytes-per-second, for, now, at, on)");
	/* long and unprintable words are shown cut and cleaned */
	ERR("stall ep 111111111111111111111111111111111111111111111111111111111111111111111111111111",
	    "stall: bad ep '11111111111111111111111111111111...' (an endpoint address 0x00-0x0f or 0x80-0x8f, or "
	    "any)");
	ERR("stall ep 1\x7f", "stall: bad ep '1?' (an endpoint address 0x00-0x0f or 0x80-0x8f, or any)");
}

static void test_fault_parse_errors_triggers(void)
{
	ERR("stall ep 1 at", "stall: at needs a device time (ns below 2^63, or +N from now)");
	ERR("stall ep 1 at x", "stall: bad time 'x' (ns below 2^63, or +N from now)");
	ERR("stall ep 1 at -5", "stall: bad time '-5' (ns below 2^63, or +N from now)");
	ERR("stall ep 1 at 9223372036854775808", "stall: bad time '9223372036854775808' (ns below 2^63, or +N from now)");
	ERR("stall ep 1 at 18446744073709551616",
	    "stall: bad time '18446744073709551616' (ns below 2^63, or +N from now)");
	ERR("stall ep 1 at +9223372036854775807",
	    "stall: bad time '+9223372036854775807' (ns below 2^63, or +N from now)");   /* now + N overflows 2^63 */
	ERR("stall ep 1 at +", "stall: bad time '+' (ns below 2^63, or +N from now)");
	ERR("stall ep 1 at ++5", "stall: bad time '++5' (ns below 2^63, or +N from now)");
	ERR("stall ep 1 at 999", "stall: at 999 is in the past (now 1000)");
	ERR("stall ep 1 at 5000 on frame 2", "stall: two triggers ('at' and 'on')");
	ERR("stall ep 1 now now", "stall: two triggers ('now' and 'now')");
	ERR("stall ep 1 random 0.5 at 5", "stall: two triggers ('random' and 'at')");
	ERR("stall ep 1 on", "stall: on needs transfer, frame or command, then N");
	ERR("stall ep 1 on bus 3", "stall: on takes transfer, frame or command, not 'bus'");
	ERR("stall ep 1 on frame", "stall: on frame needs N (1 to 4294967295)");
	ERR("stall ep 1 on command", "stall: on command needs N (1 to 4294967295)");
	ERR("stall ep 1 on transfer 0", "stall: bad N '0' (1 to 4294967295: the Nth from arming)");
	ERR("stall ep 1 on transfer 4294967296", "stall: bad N '4294967296' (1 to 4294967295: the Nth from arming)");
	ERR("stall ep 1 on transfer x", "stall: bad N 'x' (1 to 4294967295: the Nth from arming)");
	ERR("stall ep 1 random", "stall: random needs a probability from 0 to 1");
	ERR("stall ep 1 random nan", "stall: bad probability 'nan' (a finite number from 0 to 1)");
	ERR("stall ep 1 random NaN", "stall: bad probability 'NaN' (a finite number from 0 to 1)");
	ERR("stall ep 1 random inf", "stall: bad probability 'inf' (a finite number from 0 to 1)");
	ERR("stall ep 1 random 1.5", "stall: bad probability '1.5' (a finite number from 0 to 1)");
	ERR("stall ep 1 random -0.1", "stall: bad probability '-0.1' (a finite number from 0 to 1)");
	ERR("stall ep 1 random 0.5x", "stall: bad probability '0.5x' (a finite number from 0 to 1)");
	ERR("stall ep 1 random 1e400", "stall: bad probability '1e400' (a finite number from 0 to 1)");
	ERR("stall ep 1 random 0.5 seed", "stall: seed needs a number (0 to 2^64-1)");
	ERR("stall ep 1 random 0.5 seed -1", "stall: bad seed '-1' (0 to 2^64-1)");
	ERR("stall ep 1 random 0.5 seed 18446744073709551616", "stall: bad seed '18446744073709551616' (0 to 2^64-1)");
	ERR("stall ep 1 count", "stall: count needs N (1 to 4294967295) or forever");
	ERR("stall ep 1 count 0", "stall: bad count '0' (1 to 4294967295, or forever)");
	ERR("stall ep 1 count -1", "stall: bad count '-1' (1 to 4294967295, or forever)");
	ERR("stall ep 1 count 4294967296", "stall: bad count '4294967296' (1 to 4294967295, or forever)");
	ERR("stall ep 1 count always", "stall: bad count 'always' (1 to 4294967295, or forever)");
	ERR("stall ep 1 count 2 count 3", "stall: count given twice");
	ERR("unplug count 2", "unplug: count does not apply (it happens once)");
	ERR("rate bytes-per-second 1 count 2", "rate: count does not apply (a setting: it holds for W ns or until removed)");
	ERR("unplug random 0.5", "unplug: random does not apply (it happens once: use now, at or on)");
	ERR("latency by 1 random 1", "latency: random does not apply (it happens once: use now, at or on)");
}

static void test_fault_parse_errors_arguments(void)
{
	ERR("short ep 1", "short: missing len (a byte count 0 to 4294967295)");
	ERR("short ep 1 len 4294967296", "short: bad len '4294967296' (a byte count 0 to 4294967295)");
	ERR("delay ep 1 by 9223372036854775808", "delay: bad by '9223372036854775808' (a duration in ns below 2^63)");
	ERR("delay ep 1 by 1.5", "delay: bad by '1.5' (a duration in ns below 2^63)");
	ERR("nak ep 0x81", "nak: missing one of (for or until)");
	ERR("nak ep 0x81 for 5 until 6000", "nak: give only one of (for or until)");
	ERR("nak ep 0x81 until 500", "nak: until 500 is in the past (now 1000)");
	ERR("nak ep 0x81 until +9223372036854775000",
	    "nak: bad until '+9223372036854775000' (a device time in ns below 2^63, or +N from now)");
	ERR("error ep 1", "error: missing status (a negative errno -1 to -4095 or a name such as EPROTO)");
	ERR("error ep 1 status 71", "error: bad status '71' (a negative errno -1 to -4095 or a name such as EPROTO)");
	ERR("error ep 1 status -0", "error: bad status '-0' (a negative errno -1 to -4095 or a name such as EPROTO)");
	ERR("error ep 1 status -4096",
	    "error: bad status '-4096' (a negative errno -1 to -4095 or a name such as EPROTO)");
	ERR("error ep 1 status EFOO", "error: bad status 'EFOO' (a negative errno -1 to -4095 or a name such as EPROTO)");
	ERR("drop-payload", "drop-payload: missing bytes (a byte count 1 to 4294967295)");
	ERR("drop-payload bytes 0", "drop-payload: bad bytes '0' (a byte count 1 to 4294967295)");
	ERR("drop-payload bytes 1 status 0x10000",
	    "drop-payload: bad status '0x10000' (a trailer status 0 to 0xffff, ok, discarded or overrun)");
	ERR("drop-payload bytes 1 status busy",
	    "drop-payload: bad status 'busy' (a trailer status 0 to 0xffff, ok, discarded or overrun)");
	ERR("corrupt value 1", "corrupt: missing field (a leader or trailer field such as trailer.status)");
	ERR("corrupt field leader.nope value 1",
	    "corrupt: bad field 'leader.nope' (a leader or trailer field such as trailer.status)");
	ERR("corrupt field leader.size", "corrupt: missing value (a number 0 to 2^64-1)");
	ERR("corrupt field leader.size value 65536", "corrupt: value 65536 does not fit leader.size (16 bits)");
	ERR("corrupt field trailer.size_y value 4294967296",
	    "corrupt: value 4294967296 does not fit trailer.size_y (32 bits)");
	ERR("corrupt field leader.block_id value 18446744073709551616",
	    "corrupt: bad value '18446744073709551616' (a number 0 to 2^64-1)");
	ERR("skip-ids by 0", "skip-ids: bad by '0' (a count 1 to 4294967295)");
	ERR("time-jump", "time-jump: missing by (a signed duration in ns, magnitude below 2^63)");
	ERR("time-jump by -9223372036854775808",
	    "time-jump: bad by '-9223372036854775808' (a signed duration in ns, magnitude below 2^63)");
	ERR("time-jump by --5", "time-jump: bad by '--5' (a signed duration in ns, magnitude below 2^63)");
	ERR("time-jump by +5", "time-jump: bad by '+5' (a signed duration in ns, magnitude below 2^63)");
	ERR("ack-pending for 65535000001", "ack-pending: bad for '65535000001' (a duration in ns up to 65535 ms)");
	ERR("ack-error", "ack-error: missing status (a GenCP status 0x0001 to 0xffff or a name such as busy)");
	ERR("ack-error status 0", "ack-error: bad status '0' (a GenCP status 0x0001 to 0xffff or a name such as busy)");
	ERR("ack-error status success",
	    "ack-error: bad status 'success' (a GenCP status 0x0001 to 0xffff or a name such as busy)");
	ERR("ack-wrong-id id 65536", "ack-wrong-id: bad id '65536' (an id 0 to 65535)");
	ERR("ack-late by", "ack-late: by needs a value (a duration in ns below 2^63)");
	ERR("replug", "replug: missing for (a duration in ns below 2^63)");
	ERR("rate", "rate: missing bytes-per-second (bytes per second, 1 to 4294967295)");
	ERR("rate bytes-per-second 0", "rate: bad bytes-per-second '0' (bytes per second, 1 to 4294967295)");
	ERR("rate bytes-per-second 10 for 0", "rate: bad for '0' (a duration in ns from 1 to below 2^63)");
	ERR("latency by 5 for 0", "latency: bad for '0' (a duration in ns from 1 to below 2^63)");
	ERR("latency by 5 for 1 for 2", "latency: for given twice");

	/* err may be NULL or tiny: the status still says it */
	struct fault_spec s;
	char tiny[4];
	ASSERT_INT(fault_parse("stall", 0, &s, NULL, 0), DFK_ERR_INVAL);
	ASSERT_INT(fault_parse(NULL, 0, &s, tiny, sizeof(tiny)), DFK_ERR_INVAL);
	CU_ASSERT_STRING_EQUAL(tiny, "emp");
}

static void test_fault_format_limits(void)
{
	struct fault_spec s;
	char buf[FAULT_LINE_MAX], small[8];

	/* the longest lines fit FAULT_LINE_MAX */
	parse_ok("corrupt field trailer.valid_payload_size value 18446744073709551615 random 0.12345678901234568 "
		 "seed 18446744073709551615 count 4294967295",
		 NOW, &s, __LINE__);
	CU_ASSERT(fault_format(&s, buf, sizeof(buf)) > 0);
	parse_ok("stall ep 0x83 count forever", NOW, &s, __LINE__);
	ASSERT_INT(fault_format(&s, small, sizeof(small)), DFK_ERR_RANGE);
	CU_ASSERT_STRING_EQUAL(small, "stall e");
	ASSERT_INT(fault_format(&s, buf, 27), DFK_ERR_RANGE);   /* 27 characters and the NUL */
	ASSERT_INT(fault_format(&s, buf, 28), 27);
	ASSERT_INT(fault_format(&s, buf, 0), DFK_ERR_INVAL);
	s.kind = FAULT_KIND_COUNT;
	ASSERT_INT(fault_format(&s, buf, sizeof(buf)), DFK_ERR_INVAL);
	CU_ASSERT_STRING_EQUAL(buf, "");

	/* spec_equal looks at what the kind and trigger use */
	struct fault_spec a, b;
	parse_ok("stall ep 0x83", NOW, &a, __LINE__);
	b = a;
	b.at = 5;                 /* not an `at` trigger: ignored */
	b.arg.bytes = 9;          /* not a stall argument: ignored */
	CU_ASSERT(fault_spec_equal(&a, &b));
	b.arg.ep = 0x81;
	CU_ASSERT(!fault_spec_equal(&a, &b));
}

/* ---- the engine ---- */

struct record {
	struct fault_action fired[64];
	unsigned n_fired;
	unsigned total;          /* every report, past the 64 kept */
	uint64_t due[64];
	unsigned n_due;
	struct fault_engine *e;
	bool clear_in_hook;
};

static void rec_fired(void *ctx, const struct fault_action *a)
{
	struct record *r = ctx;

	r->total++;
	if (r->n_fired < 64)
		r->fired[r->n_fired++] = *a;
	if (r->clear_in_hook)
		fault_engine_clear(r->e);
}

static void rec_due(void *ctx, uint64_t t)
{
	struct record *r = ctx;

	if (r->n_due < 64)
		r->due[r->n_due++] = t;
}

static struct fault_engine *new_engine(struct record *r)
{
	struct fault_engine *e = malloc(sizeof(*e));
	struct fault_hooks h = { rec_fired, rec_due, r };

	CU_ASSERT_FATAL(e != NULL);
	memset(r, 0, sizeof(*r));
	r->e = e;
	fault_engine_init(e, &h);
	return e;
}

static uint32_t add_line(struct fault_engine *e, const char *line, uint64_t now, unsigned lineno)
{
	struct fault_spec s;
	uint32_t id = 0;

	parse_ok(line, now, &s, lineno);
	test_assert_int(fault_engine_add(e, &s, now, &id), DFK_OK, lineno, __FILE__, line);
	return id;
}
#define ADD(e, line, now) add_line((e), (line), (now), __LINE__)

static void test_fault_nth_transfer_per_endpoint(void)
{
	struct record r;
	struct fault_engine *e = new_engine(&r);
	struct fault_action a;
	uint32_t id = ADD(e, "stall ep 0x83 on transfer 3", 0);

	/* other endpoints do not count, not even the other direction of number 3 */
	for (int i = 0; i < 5; i++) {
		CU_ASSERT(!fault_engine_on_transfer(e, 10, 0x81, &a));
		CU_ASSERT(!fault_engine_on_transfer(e, 10, 0x03, &a));
	}
	CU_ASSERT(!fault_engine_on_transfer(e, 20, 0x83, &a));
	CU_ASSERT(!fault_engine_on_transfer(e, 30, 0x83, &a));
	CU_ASSERT_FATAL(fault_engine_on_transfer(e, 40, 0x83, &a));
	ASSERT_INT(a.id, id);
	ASSERT_INT(a.kind, FAULT_STALL);
	ASSERT_INT(a.phase, FAULT_FIRED);
	ASSERT_INT(a.t, 40);
	ASSERT_INT(a.subject, 0x83);
	ASSERT_INT(a.urb_status, -32);
	CU_ASSERT(!fault_engine_on_transfer(e, 50, 0x83, &a));
	ASSERT_INT(fault_engine_count(e), 0);   /* spent: gone */
	ASSERT_INT(r.n_fired, 1);
	ASSERT_INT(r.fired[0].id, id);
	ASSERT_INT(r.fired[0].t, 40);

	/* `on transfer N count 2`: the Nth and the one after it */
	ADD(e, "babble ep 0x81 on transfer 2 count 2", 100);
	CU_ASSERT(!fault_engine_on_transfer(e, 101, 0x81, &a));
	CU_ASSERT(fault_engine_on_transfer(e, 102, 0x81, &a) && a.urb_status == -75);
	CU_ASSERT(fault_engine_on_transfer(e, 103, 0x81, &a) && a.kind == FAULT_BABBLE);
	CU_ASSERT(!fault_engine_on_transfer(e, 104, 0x81, &a));

	/* EP0 is one pipe: 0x00 matches setup transfers of both directions; `any` every endpoint */
	ADD(e, "error ep 0x00 status -71 count 2", 200);
	CU_ASSERT(!fault_engine_on_transfer(e, 201, 0x81, &a));
	CU_ASSERT(fault_engine_on_transfer(e, 202, 0x80, &a) && a.urb_status == -71);
	CU_ASSERT(fault_engine_on_transfer(e, 203, 0x00, &a) && a.subject == 0);
	ADD(e, "short ep any len 5 on transfer 3", 300);
	CU_ASSERT(!fault_engine_on_transfer(e, 301, 0x01, &a));
	CU_ASSERT(!fault_engine_on_transfer(e, 302, 0x83, &a));
	CU_ASSERT(fault_engine_on_transfer(e, 303, 0x82, &a) && a.arg.bytes == 5 && a.subject == 0x82);
	free(e);
}

static void test_fault_count_consumption(void)
{
	struct record r;
	struct fault_engine *e = new_engine(&r);
	struct fault_action a;

	ADD(e, "short ep 0x81 len 10 count 3", 0);
	for (int i = 0; i < 3; i++)
		CU_ASSERT(fault_engine_on_transfer(e, (uint64_t)i, 0x81, &a) && a.arg.bytes == 10);
	CU_ASSERT(!fault_engine_on_transfer(e, 5, 0x81, &a));
	ASSERT_INT(fault_engine_count(e), 0);

	ADD(e, "delay ep 0x01 by 7 count forever", 0);
	for (int i = 0; i < 1000; i++)
		CU_ASSERT(fault_engine_on_transfer(e, (uint64_t)i, 0x01, &a) && a.arg.duration == 7);
	ASSERT_INT(fault_engine_count(e), 1);
	ASSERT_INT(e->f[0].fired, 1000);
	ASSERT_INT(e->f[0].left, FAULT_FOREVER);

	/* one fault per opportunity, the earliest armed first; the next waits its turn */
	fault_engine_clear(e);
	uint32_t first = ADD(e, "stall ep 0x83", 0);
	uint32_t second = ADD(e, "babble ep 0x83", 0);
	CU_ASSERT(fault_engine_on_transfer(e, 1, 0x83, &a) && a.id == first);
	CU_ASSERT(fault_engine_on_transfer(e, 2, 0x83, &a) && a.id == second);
	CU_ASSERT(!fault_engine_on_transfer(e, 3, 0x83, &a));

	/* act may be NULL: the fault is still used up and reported */
	ADD(e, "stall ep 0x83", 0);
	unsigned before = r.total;
	CU_ASSERT(fault_engine_on_transfer(e, 4, 0x83, NULL));
	ASSERT_INT(r.total, before + 1);
	free(e);
}

static void test_fault_at_applies_from_t_on(void)
{
	struct record r;
	struct fault_engine *e = new_engine(&r);
	struct fault_action a;

	ADD(e, "babble ep 0x81 at 5000 count 2", 0);
	CU_ASSERT(!fault_engine_on_transfer(e, 0, 0x81, &a));
	CU_ASSERT(!fault_engine_on_transfer(e, 4999, 0x81, &a));
	CU_ASSERT(fault_engine_on_transfer(e, 5000, 0x81, &a) && a.t == 5000);
	CU_ASSERT(fault_engine_on_transfer(e, 9000, 0x81, &a) && a.t == 9000);
	CU_ASSERT(!fault_engine_on_transfer(e, 9001, 0x81, &a));
	/* a first opportunity long after T still gets it */
	ADD(e, "ack-late by 100 at 10", 0);
	CU_ASSERT(fault_engine_on_command(e, 1000000, 9, &a) && a.until == 1000100);
	/* per-opportunity kinds never need a scheduled event */
	ADD(e, "stall ep 0x83 at 777", 0);
	ASSERT_INT(fault_engine_next_due(e), UINT64_MAX);
	ASSERT_INT(r.n_due, 0);
	free(e);
}

static void run_random(const char *line, uint64_t *bits, int n)
{
	struct record r;
	struct fault_engine *e = new_engine(&r);

	ADD(e, line, 0);
	for (int i = 0; i < n; i++) {
		bool hit = fault_engine_on_transfer(e, (uint64_t)i, 0x83, NULL);
		/* another endpoint's transfers are not opportunities: no effect on the sequence */
		CU_ASSERT(!fault_engine_on_transfer(e, (uint64_t)i, 0x81, NULL));
		if (hit)
			bits[i / 64] |= UINT64_C(1) << (i % 64);
	}
	free(e);
}

static int popcount(const uint64_t *bits, int words)
{
	int n = 0;

	for (int i = 0; i < words; i++)
		for (uint64_t b = bits[i]; b; b &= b - 1)
			n++;
	return n;
}

static void test_fault_random_deterministic(void)
{
	enum { N = 4096, W = N / 64 };
	uint64_t a[W] = { 0 }, b[W] = { 0 }, c[W] = { 0 }, z[W] = { 0 }, o[W] = { 0 };
	int hits;

	run_random("error ep 0x83 status -71 random 0.3 seed 42 count forever", a, N);
	run_random("error ep 0x83 status -71 random 0.3 seed 42 count forever", b, N);
	run_random("error ep 0x83 status -71 random 0.3 seed 43 count forever", c, N);
	CU_ASSERT(!memcmp(a, b, sizeof(a)));    /* same seed, same decisions */
	CU_ASSERT(memcmp(a, c, sizeof(a)));     /* another seed, another sequence */
	hits = popcount(a, W);
	CU_ASSERT(hits > N * 25 / 100 && hits < N * 35 / 100);
	run_random("stall ep 0x83 random 0 seed 1 count forever", z, N);
	ASSERT_INT(popcount(z, W), 0);
	run_random("stall ep 0x83 random 1 seed 1 count forever", o, N);
	ASSERT_INT(popcount(o, W), N);

	/* count bounds the applications, not the draws */
	struct record r;
	struct fault_engine *e = new_engine(&r);
	ADD(e, "stall ep 0x83 random 0.5 seed 7 count 3", 0);
	int applied = 0;
	for (int i = 0; i < 200; i++)
		applied += fault_engine_on_transfer(e, (uint64_t)i, 0x83, NULL);
	ASSERT_INT(applied, 3);
	ASSERT_INT(fault_engine_count(e), 0);
	free(e);
}

static void test_fault_capacity_remove_clear(void)
{
	struct record r;
	struct fault_engine *e = new_engine(&r);
	struct fault_spec s;
	uint32_t id, last = 0;

	parse_ok("stall ep 0x83 count forever", 0, &s, __LINE__);
	for (int i = 0; i < FAULT_MAX; i++) {
		CU_ASSERT_FATAL(fault_engine_add(e, &s, 0, &id) == DFK_OK);
		CU_ASSERT(id > last);
		last = id;
	}
	ASSERT_INT(fault_engine_add(e, &s, 0, &id), DFK_ERR_RANGE);
	ASSERT_INT(fault_engine_count(e), FAULT_MAX);
	ASSERT_INT(fault_engine_remove(e, 5), DFK_OK);
	ASSERT_INT(fault_engine_remove(e, 5), DFK_ERR_NOTFOUND);
	ASSERT_INT(fault_engine_remove(e, 0), DFK_ERR_NOTFOUND);
	ASSERT_INT(fault_engine_add(e, &s, 0, &id), DFK_OK);
	ASSERT_INT(id, FAULT_MAX + 1);   /* ids are never reused */
	ASSERT_INT(fault_engine_count(e), FAULT_MAX);
	/* still in id order: the earliest armed (id 1) takes the transfer */
	struct fault_action a;
	CU_ASSERT(fault_engine_on_transfer(e, 0, 0x83, &a) && a.id == 1);
	ASSERT_INT(fault_engine_remove(e, 1), DFK_OK);
	CU_ASSERT(fault_engine_on_transfer(e, 0, 0x83, &a) && a.id == 2);
	ASSERT_INT(fault_engine_clear(e), FAULT_MAX - 1);
	ASSERT_INT(fault_engine_count(e), 0);
	ASSERT_INT(fault_engine_clear(e), 0);
	CU_ASSERT(!fault_engine_on_transfer(e, 0, 0x83, &a));
	ASSERT_INT(fault_engine_add(e, &s, 0, &id), DFK_OK);
	ASSERT_INT(id, FAULT_MAX + 2);

	/* specs no parse gives are refused */
	s.count = 0;
	ASSERT_INT(fault_engine_add(e, &s, 0, &id), DFK_ERR_INVAL);
	parse_ok("unplug", 0, &s, __LINE__);
	s.count = 2;
	ASSERT_INT(fault_engine_add(e, &s, 0, &id), DFK_ERR_INVAL);
	s.count = 1;
	s.trigger = FAULT_RANDOM;
	ASSERT_INT(fault_engine_add(e, &s, 0, &id), DFK_ERR_INVAL);
	s.kind = FAULT_KIND_COUNT;
	ASSERT_INT(fault_engine_add(e, &s, 0, &id), DFK_ERR_INVAL);
	parse_ok("stall ep 0x83 random 0.5", 0, &s, __LINE__);
	s.probability = NAN;
	ASSERT_INT(fault_engine_add(e, &s, 0, &id), DFK_ERR_INVAL);
	ASSERT_INT(fault_engine_count(e), 1);
	free(e);
}

static void collect_ids(void *ctx, const struct fault_armed *f)
{
	uint32_t **p = ctx;

	*(*p)++ = f->id;
}

static void test_fault_list(void)
{
	struct record r;
	struct fault_engine *e = new_engine(&r);
	uint32_t ids[8], *p = ids;
	char buf[FAULT_LINE_MAX];

	ADD(e, "stall ep 0x83", 0);
	ADD(e, "unplug at 50", 0);
	ADD(e, "ack-drop on command 2", 0);
	fault_engine_remove(e, 2);
	fault_engine_list(e, collect_ids, &p);
	ASSERT_INT(p - ids, 2);
	ASSERT_INT(ids[0], 1);
	ASSERT_INT(ids[1], 3);
	/* what `fault list` prints: the canonical line of each */
	CU_ASSERT(fault_format(&e->f[1].spec, buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "ack-drop on command 2");
	free(e);
}

static void test_fault_fire_due_order(void)
{
	struct record r;
	struct fault_engine *e = new_engine(&r);
	uint32_t unplug, reset, replug, rate;

	unplug = ADD(e, "unplug at 3000", 0);
	ASSERT_INT(r.n_due, 1);
	ASSERT_INT(r.due[0], 3000);
	reset = ADD(e, "reset at 1000", 0);
	replug = ADD(e, "replug for 50 at 2000", 0);
	rate = ADD(e, "rate bytes-per-second 1000 at 1500 for 1000", 0);
	ASSERT_INT(fault_engine_next_due(e), 1000);
	ASSERT_INT(r.n_due, 2);          /* told only when the earliest changed */
	ASSERT_INT(r.due[1], 1000);

	ASSERT_INT(fault_engine_fire_due(e, 999), 0);
	ASSERT_INT(fault_engine_fire_due(e, 1000), 1);
	ASSERT_INT(r.fired[0].id, reset);
	ASSERT_INT(r.fired[0].kind, FAULT_RESET);
	ASSERT_INT(r.fired[0].t, 1000);
	ASSERT_INT(fault_engine_next_due(e), 1500);
	ASSERT_INT(r.due[r.n_due - 1], 1500);

	/* a late event fires everything due, each at its own time, in time order */
	ASSERT_INT(fault_engine_fire_due(e, 10000), 4);
	ASSERT_INT(r.n_fired, 5);
	ASSERT_INT(r.fired[1].id, rate);
	ASSERT_INT(r.fired[1].phase, FAULT_FIRED);
	ASSERT_INT(r.fired[1].t, 1500);
	ASSERT_INT(r.fired[1].until, 2500);
	ASSERT_INT(r.fired[2].id, replug);
	ASSERT_INT(r.fired[2].t, 2000);
	ASSERT_INT(r.fired[2].until, 2050);
	ASSERT_INT(r.fired[3].id, rate);
	ASSERT_INT(r.fired[3].phase, FAULT_ENDED);
	ASSERT_INT(r.fired[3].t, 2500);
	ASSERT_INT(r.fired[4].id, unplug);
	ASSERT_INT(r.fired[4].t, 3000);
	ASSERT_INT(fault_engine_count(e), 0);
	ASSERT_INT(fault_engine_next_due(e), UINT64_MAX);
	ASSERT_INT(r.due[r.n_due - 1], UINT64_MAX);

	/* equal times: arming order; `now` is due at arming */
	r.n_fired = 0;
	uint32_t x = ADD(e, "unplug", 700);
	uint32_t y = ADD(e, "reset at 700", 0);
	ASSERT_INT(fault_engine_next_due(e), 700);
	ASSERT_INT(fault_engine_fire_due(e, 700), 2);
	ASSERT_INT(r.fired[0].id, x);
	ASSERT_INT(r.fired[1].id, y);

	/* removing the earliest moves next_due */
	ADD(e, "unplug at 5000", 0);
	uint32_t z = ADD(e, "unplug at 4000", 0);
	ASSERT_INT(fault_engine_next_due(e), 4000);
	fault_engine_remove(e, z);
	ASSERT_INT(fault_engine_next_due(e), 5000);
	ASSERT_INT(r.due[r.n_due - 1], 5000);
	fault_engine_clear(e);
	ASSERT_INT(r.due[r.n_due - 1], UINT64_MAX);

	/* the hook may change the engine while fire_due runs */
	r.n_fired = 0;
	r.clear_in_hook = true;
	ADD(e, "unplug at 10", 0);
	ADD(e, "reset at 20", 0);
	ASSERT_INT(fault_engine_fire_due(e, 100), 1);
	ASSERT_INT(r.n_fired, 1);
	ASSERT_INT(fault_engine_count(e), 0);
	free(e);
}

static void test_fault_device_on_nth(void)
{
	struct record r;
	struct fault_engine *e = new_engine(&r);
	struct fault_action a;
	uint32_t id = ADD(e, "unplug on frame 2", 0);

	ASSERT_INT(fault_engine_next_due(e), UINT64_MAX);
	CU_ASSERT(!fault_engine_on_frame(e, 100, 1, &a));
	ASSERT_INT(fault_engine_next_due(e), UINT64_MAX);
	/* device kinds are never handed to the layer: they become due at that time */
	CU_ASSERT(!fault_engine_on_frame(e, 200, 2, &a));
	ASSERT_INT(fault_engine_next_due(e), 200);
	ASSERT_INT(r.due[r.n_due - 1], 200);
	ASSERT_INT(r.n_fired, 0);
	ASSERT_INT(fault_engine_fire_due(e, 200), 1);
	ASSERT_INT(r.fired[0].id, id);
	ASSERT_INT(r.fired[0].kind, FAULT_UNPLUG);
	ASSERT_INT(r.fired[0].t, 200);
	CU_ASSERT(!fault_engine_on_frame(e, 300, 3, &a));
	ASSERT_INT(fault_engine_fire_due(e, 300), 0);

	/* `on transfer N` for a kind without an endpoint counts every endpoint */
	ADD(e, "reset on transfer 3", 0);
	fault_engine_on_transfer(e, 1, 0x81, &a);
	fault_engine_on_transfer(e, 2, 0x01, &a);
	ASSERT_INT(fault_engine_next_due(e), UINT64_MAX);
	fault_engine_on_transfer(e, 3, 0x83, &a);
	ASSERT_INT(fault_engine_next_due(e), 3);
	free(e);
}

static void test_fault_cross_domain_trigger(void)
{
	struct record r;
	struct fault_engine *e = new_engine(&r);
	struct fault_action a;

	/* armed by the 2nd frame, applied to the next transfer on its endpoint */
	ADD(e, "stall ep 0x83 on frame 2", 0);
	CU_ASSERT(!fault_engine_on_transfer(e, 1, 0x83, &a));
	fault_engine_on_frame(e, 2, 1, &a);
	CU_ASSERT(!fault_engine_on_transfer(e, 3, 0x83, &a));
	fault_engine_on_frame(e, 4, 2, &a);
	CU_ASSERT(!fault_engine_on_transfer(e, 5, 0x81, &a));
	CU_ASSERT(fault_engine_on_transfer(e, 6, 0x83, &a) && a.kind == FAULT_STALL && a.t == 6);

	/* a command fault armed by transfers on any endpoint */
	ADD(e, "ack-drop on transfer 2", 0);
	CU_ASSERT(!fault_engine_on_command(e, 7, 1, &a));
	fault_engine_on_transfer(e, 8, 0x01, &a);
	fault_engine_on_transfer(e, 9, 0x81, &a);
	CU_ASSERT(fault_engine_on_command(e, 10, 2, &a) && a.kind == FAULT_ACK_DROP);
	free(e);
}

static void test_fault_frame_and_command_actions(void)
{
	struct record r;
	struct fault_engine *e = new_engine(&r);
	struct fault_action a;

	ADD(e, "drop-payload bytes 4096", 0);
	CU_ASSERT(fault_engine_on_frame(e, 5, 41, &a));
	ASSERT_INT(a.subject, 41);
	ASSERT_INT(a.arg.bytes, 4096);
	ASSERT_INT(a.arg.status, U3VSP_STATUS_DATA_DISCARDED);
	ADD(e, "empty-frame status overrun", 0);
	CU_ASSERT(fault_engine_on_frame(e, 6, 42, &a) && a.arg.status == U3VSP_STATUS_DATA_OVERRUN);
	ADD(e, "skip-ids by 10", 0);
	CU_ASSERT(fault_engine_on_frame(e, 7, 43, &a) && a.arg.steps == 10);
	ADD(e, "time-jump by -5000", 0);
	CU_ASSERT(fault_engine_on_frame(e, 8, 44, &a) && a.arg.offset == -5000);
	ADD(e, "corrupt field leader.block_id value 99", 0);
	CU_ASSERT(fault_engine_on_frame(e, 9, 45, &a) && a.arg.field == FAULT_LEADER_BLOCK_ID && a.arg.value == 99);

	/* patching a packed leader and trailer with the field table */
	struct u3vsp_leader l = { .block_id = 45, .payload_type = U3VSP_PAYLOAD_IMAGE, .timestamp = 123,
				  .size_x = 64, .size_y = 48 }, l2;
	struct u3vsp_trailer t = { .block_id = 45, .status = 0, .valid_payload_size = 3072, .size_y = 48 }, t2;
	uint8_t lp[U3VSP_LEADER_SIZE], tp[U3VSP_TRAILER_SIZE];
	u3vsp_leader_pack(lp, &l);
	u3vsp_trailer_pack(tp, &t);
	ASSERT_INT(fault_field_patch(lp, sizeof(lp), a.arg.field, a.arg.value), DFK_OK);
	ASSERT_INT(fault_field_patch(lp, sizeof(lp), FAULT_LEADER_TIMESTAMP, 0x1122334455667788ull), DFK_OK);
	ASSERT_INT(fault_field_patch(lp, sizeof(lp), FAULT_LEADER_PADDING_X, 0x12345), DFK_OK);   /* cut to 16 bits */
	ASSERT_INT(u3vsp_leader_unpack(&l2, lp, sizeof(lp)), DFK_OK);
	ASSERT_INT(l2.block_id, 99);
	CU_ASSERT(l2.timestamp == 0x1122334455667788ull);
	ASSERT_INT(l2.padding_x, 0x2345);
	ASSERT_INT(l2.size_x, 64);
	ASSERT_INT(fault_field_patch(tp, sizeof(tp), FAULT_TRAILER_STATUS, U3VSP_STATUS_DATA_OVERRUN), DFK_OK);
	ASSERT_INT(fault_field_patch(tp, sizeof(tp), FAULT_TRAILER_VALID_PAYLOAD_SIZE, 7), DFK_OK);
	ASSERT_INT(fault_field_patch(tp, sizeof(tp), FAULT_TRAILER_SIZE_Y, 3), DFK_OK);
	ASSERT_INT(u3vsp_trailer_unpack(&t2, tp, sizeof(tp)), DFK_OK);
	ASSERT_INT(t2.status, U3VSP_STATUS_DATA_OVERRUN);
	ASSERT_INT(t2.valid_payload_size, 7);
	ASSERT_INT(t2.size_y, 3);
	ASSERT_INT(fault_field_patch(tp, sizeof(tp), FAULT_TRAILER_MAGIC, 0), DFK_OK);
	ASSERT_INT(u3vsp_trailer_unpack(&t2, tp, sizeof(tp)), DFK_ERR_PROTO);
	ASSERT_INT(fault_field_patch(tp, sizeof(tp), FAULT_LEADER_PADDING_X, 1), DFK_ERR_INVAL);   /* 48 > 32 */
	ASSERT_INT(fault_field_patch(tp, sizeof(tp), FAULT_FIELD_COUNT, 1), DFK_ERR_INVAL);

	/* commands */
	ADD(e, "ack-wrong-id", 0);
	CU_ASSERT(fault_engine_on_command(e, 10, 0xFFFF, &a) && a.ack_id == 0);   /* request id + 1, wrapped */
	ADD(e, "ack-wrong-id id 7", 0);
	CU_ASSERT(fault_engine_on_command(e, 11, 100, &a) && a.ack_id == 7 && a.subject == 100);
	ADD(e, "ack-pending for 2000000", 0);
	CU_ASSERT(fault_engine_on_command(e, 12, 101, &a) && a.until == 2000012 && a.arg.duration == 2000000);
	ADD(e, "ack-error status busy", 0);
	CU_ASSERT(fault_engine_on_command(e, 13, 102, &a) && a.arg.status == 0x8007);
	ADD(e, "nak ep 0x83 for 100", 0);
	CU_ASSERT(fault_engine_on_transfer(e, 14, 0x83, &a) && a.until == 114);
	ADD(e, "nak ep 0x83 until 5000", 0);
	CU_ASSERT(fault_engine_on_transfer(e, 15, 0x83, &a) && a.until == 5000);
	/* frames and commands are not transfers */
	ASSERT_INT(fault_engine_count(e), 0);
	free(e);
}

static void test_fault_link_settings(void)
{
	struct record r;
	struct fault_engine *e = new_engine(&r);
	struct fault_link l;
	struct fault_action a;

	fault_engine_link(e, 0, &l);
	CU_ASSERT(l.rate == 0 && l.latency == 0);
	ADD(e, "rate bytes-per-second 40000000 at 1000 for 500", 0);
	uint32_t slow = ADD(e, "rate bytes-per-second 1000000", 0);
	ADD(e, "latency by 100", 0);
	ADD(e, "latency by 25 on command 1", 0);
	fault_engine_link(e, 10, &l);
	CU_ASSERT(l.rate == 1000000 && l.latency == 100);
	fault_engine_remove(e, slow);
	fault_engine_link(e, 999, &l);
	CU_ASSERT(l.rate == 0 && l.latency == 100);
	fault_engine_link(e, 1000, &l);   /* active from T ... */
	ASSERT_INT(l.rate, 40000000);
	fault_engine_link(e, 1499, &l);
	ASSERT_INT(l.rate, 40000000);
	fault_engine_link(e, 1500, &l);   /* ... for W ns, even before fire_due ran */
	ASSERT_INT(l.rate, 0);
	CU_ASSERT(!fault_engine_on_command(e, 2000, 1, &a));
	fault_engine_link(e, 2000, &l);
	ASSERT_INT(l.latency, 125);
	ASSERT_INT(fault_engine_fire_due(e, 2000), 4);   /* starts of 3 settings, the end of one */
	ASSERT_INT(fault_engine_count(e), 2);
	/* latencies add up without wrapping */
	ADD(e, "latency by 9223372036854775807", 0);
	ADD(e, "latency by 9223372036854775807", 0);
	ADD(e, "latency by 9223372036854775807", 0);
	fault_engine_link(e, 2000, &l);
	CU_ASSERT(l.latency == UINT64_MAX);
	free(e);
}

static void test_fault_load_scenario(void)
{
	struct record r;
	struct fault_engine *e = new_engine(&r);
	char err[256];
	size_t added = 99;
	static const char script[] = "# stream faults\n"
				     "\n"
				     "stall ep 0x83 at 5000000 count 2   # twice\n"
				     "  drop-payload bytes 4096 on frame 10\r\n"
				     "unplug at +2000000000";

	ASSERT_INT(fault_engine_load(e, script, strlen(script), 0, &added, err, sizeof(err)), DFK_OK);
	ASSERT_INT(added, 3);
	ASSERT_INT(fault_engine_count(e), 3);
	ASSERT_INT(e->f[2].spec.at, 2000000000);

	/* all or nothing, with the line number */
	static const char bad[] = "stall ep 0x83\n# fine so far\nstall ep 0x90\nunplug\n";
	ASSERT_INT(fault_engine_load(e, bad, strlen(bad), 0, &added, err, sizeof(err)), DFK_ERR_INVAL);
	CU_ASSERT_STRING_EQUAL(err, "line 3: stall: bad ep '0x90' (an endpoint address 0x00-0x0f or 0x80-0x8f, or any)");
	ASSERT_INT(added, 0);
	ASSERT_INT(fault_engine_count(e), 3);

	char nul[] = "stall ep 0x83\nstall ep 0x83\0 x\n";
	ASSERT_INT(fault_engine_load(e, nul, sizeof(nul) - 1, 0, NULL, err, sizeof(err)), DFK_ERR_INVAL);
	CU_ASSERT_STRING_EQUAL(err, "line 2: contains a NUL byte");

	char *big = malloc(FAULT_SCRIPT_LINE_MAX + 20);
	CU_ASSERT_FATAL(big != NULL);
	memset(big, ' ', FAULT_SCRIPT_LINE_MAX + 20);
	memcpy(big, "unplug", 6);
	ASSERT_INT(fault_engine_load(e, big, FAULT_SCRIPT_LINE_MAX - 1, 0, NULL, err, sizeof(err)), DFK_OK);
	ASSERT_INT(fault_engine_load(e, big, FAULT_SCRIPT_LINE_MAX, 0, NULL, err, sizeof(err)), DFK_ERR_INVAL);
	CU_ASSERT_STRING_EQUAL(err, "line 1: longer than 1023 bytes");
	free(big);
	ASSERT_INT(fault_engine_count(e), 4);

	/* capacity is checked before anything is armed */
	struct fault_spec s;
	parse_ok("ack-drop", 0, &s, __LINE__);
	while (fault_engine_count(e) < FAULT_MAX - 2)
		fault_engine_add(e, &s, 0, NULL);
	static const char three[] = "unplug\nreset\nack-drop\n";
	ASSERT_INT(fault_engine_load(e, three, strlen(three), 0, &added, err, sizeof(err)), DFK_ERR_RANGE);
	CU_ASSERT_STRING_EQUAL(err, "3 faults in the scenario, 254 armed already: at most 256");
	ASSERT_INT(fault_engine_count(e), FAULT_MAX - 2);
	ASSERT_INT(fault_engine_load(e, three, 13, 0, &added, err, sizeof(err)), DFK_OK);   /* "unplug\nreset\n" */
	ASSERT_INT(added, 2);
	ASSERT_INT(fault_engine_count(e), FAULT_MAX);
	ASSERT_INT(fault_engine_load(e, "", 0, 0, &added, err, sizeof(err)), DFK_OK);
	ASSERT_INT(added, 0);
	free(e);
}

static const struct test_case cases[] = {
	{ "test_fault_roundtrip_every_kind", test_fault_roundtrip_every_kind },
	{ "test_fault_roundtrip_triggers_and_counts", test_fault_roundtrip_triggers_and_counts },
	{ "test_fault_parse_normalises", test_fault_parse_normalises },
	{ "test_fault_parse_errors_words", test_fault_parse_errors_words },
	{ "test_fault_parse_errors_triggers", test_fault_parse_errors_triggers },
	{ "test_fault_parse_errors_arguments", test_fault_parse_errors_arguments },
	{ "test_fault_format_limits", test_fault_format_limits },
	{ "test_fault_nth_transfer_per_endpoint", test_fault_nth_transfer_per_endpoint },
	{ "test_fault_count_consumption", test_fault_count_consumption },
	{ "test_fault_at_applies_from_t_on", test_fault_at_applies_from_t_on },
	{ "test_fault_random_deterministic", test_fault_random_deterministic },
	{ "test_fault_capacity_remove_clear", test_fault_capacity_remove_clear },
	{ "test_fault_list", test_fault_list },
	{ "test_fault_fire_due_order", test_fault_fire_due_order },
	{ "test_fault_device_on_nth", test_fault_device_on_nth },
	{ "test_fault_cross_domain_trigger", test_fault_cross_domain_trigger },
	{ "test_fault_frame_and_command_actions", test_fault_frame_and_command_actions },
	{ "test_fault_link_settings", test_fault_link_settings },
	{ "test_fault_load_scenario", test_fault_load_scenario },
	{ NULL, NULL },
};

int test_fault_add_suite(void) { return test_add_suite("fault", NULL, NULL, cases); }
