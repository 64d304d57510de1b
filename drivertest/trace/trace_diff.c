/* SPDX-License-Identifier: MIT */
/* Comparing two traces edge by edge (trace.h, docs/traces.md).
 *
 * Edges are grouped by kind (VCD: signal) and by what identifies them within
 * the kind (the block id of exposure, readout and frame events, the level of a
 * line, a fault's id, a host rule); the adapter's lines by their word (frame
 * lines by their id). Within a group the n-th edge of a is paired with the n-th
 * of b; when the counts differ, a shortest edit script (Myers) first finds the
 * edges that are the same in both, so one edge more or less is reported as
 * that and not as a shift of all that follow. Each pair is then compared:
 * device-side edges exactly, host-paced ones within the tolerance. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_impl.h"

#define STORED_MAX   1000000u   /* difference lines kept for sorting (all are counted) */
#define DEFAULT_LINES 10000u
#define HOST_WORDS   64          /* words of an adapter line looked at */
#define MYERS_D_MAX  1024        /* edit distance searched before falling back to in-order pairing */

enum keyby { KEY_NONE, KEY_BLOCK, KEY_LEVEL, KEY_ID, KEY_RULE };

/* One difference line, before sorting. */
struct rec {
	int section;      /* 0 device, 1 host */
	uint32_t cycle;   /* device: the power cycle (its times are relative to it) */
	int64_t t;
	uint64_t sub;     /* the edge's index in its trace: the order at the same time */
	size_t order;
	char *text;
};

/* An edge as the grouping sees it. */
struct item {
	const char *name;
	int initial;
	int has_key;
	int64_t key;
	uint32_t idx;        /* edge (or host line) index */
	uint32_t ordinal;    /* 1-based position among the edges of its name (host: of its group) */
};

/* An adapter line, parsed once. */
struct hline {
	char group[160];     /* "frame id=5", "timeout", ... */
	int n;
	char *words[HOST_WORDS];
	char *buf;
	int has_ts;
	int64_t ts;
};

struct ctx {
	const struct trace *tr[2];
	const struct trace_diff_opts *o;
	int64_t tol;
	char align[TRACE_NAME_MAX];
	int64_t *ebase[2];   /* per edge: the device time its time is taken relative to */
	int vcd;
	struct hline *hl[2];
	int64_t first_ts[2];
	int has_first_ts[2];
	struct rec *recs;
	size_t n_recs, cap_recs;
	long count;
	int oom;
	uint64_t cur;        /* index of the edge being reported (struct rec.sub) */
	uint32_t cur_cycle;  /* and its power cycle */
	uint32_t *ecycle[2]; /* per edge: its power cycle */
};

/* ---- small helpers ---- */

static int64_t sub_sat(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r))
		return b < 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static int64_t abs_sat(int64_t v)
{
	return v == INT64_MIN ? INT64_MAX : v < 0 ? -v : v;
}

/* ns as milliseconds, exactly: 12100000 -> "12.1". */
static const char *fmt_ms(int64_t ns, char *buf, size_t len, int sign)
{
	uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	char frac[8];
	int n;

	snprintf(frac, sizeof(frac), "%06" PRIu64, u % 1000000);
	for (n = 6; n > 0 && frac[n - 1] == '0'; n--)
		frac[n - 1] = '\0';
	snprintf(buf, len, "%s%" PRIu64 "%s%s ms", ns < 0 ? "-" : sign ? "+" : "", u / 1000000, n ? "." : "", frac);
	return buf;
}

static void add_rec(struct ctx *c, int section, int64_t t, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void add_rec(struct ctx *c, int section, int64_t t, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	c->count++;
	if (c->n_recs >= STORED_MAX)
		return;
	if (c->n_recs == c->cap_recs) {
		size_t cap = c->cap_recs ? c->cap_recs * 2 : 64;
		struct rec *n = realloc(c->recs, cap * sizeof(*n));
		if (!n) {
			c->oom = 1;
			return;
		}
		c->recs = n;
		c->cap_recs = cap;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!(c->recs[c->n_recs].text = strdup(line))) {
		c->oom = 1;
		return;
	}
	c->recs[c->n_recs].section = section;
	c->recs[c->n_recs].t = t;
	c->recs[c->n_recs].sub = c->cur;
	c->recs[c->n_recs].cycle = section ? 0 : c->cur_cycle;
	c->recs[c->n_recs].order = c->n_recs;
	c->n_recs++;
}

static int rec_cmp(const void *x, const void *y)
{
	const struct rec *a = x, *b = y;

	if (a->section != b->section)
		return a->section < b->section ? -1 : 1;
	if (a->cycle != b->cycle)
		return a->cycle < b->cycle ? -1 : 1;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	if (a->sub != b->sub)
		return a->sub < b->sub ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* The VCD signal an event kind stands for (align, ignore). */
static const char *vcd_alias(const char *kind)
{
	static const char *const map[][2] = {
		{ "trigger_in", "TRIGGER_IN" }, { "strobe_out", "STROBE_OUT" },
		{ "exposure_start", "exposure_active" }, { "exposure_end", "exposure_active" },
		{ "readout_start", "readout_active" }, { "readout_end", "readout_active" },
		{ "frame_memory", "frame_memory_bytes" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(kind, map[i][0]))
			return map[i][1];
	return kind;
}

static bool ignored(const struct ctx *c, const char *name)
{
	for (size_t i = 0; i < c->o->n_ignore; i++) {
		const char *ig = c->o->ignore[i];
		if (!strcmp(ig, name) || (c->vcd && !strcmp(vcd_alias(ig), name)))
			return true;
	}
	return false;
}

static bool host_ignored(const struct ctx *c, const char *word)
{
	for (size_t i = 0; i < c->o->n_ignore; i++) {
		const char *ig = c->o->ignore[i];
		if (!strcmp(ig, "host") || (!strncmp(ig, "host:", 5) && !strcmp(ig + 5, word)))
			return true;
	}
	return false;
}

static bool host_paced(const char *name)
{
	return !strcmp(name, "frame_sent") || !strcmp(name, "frame_memory") || !strcmp(name, "host_violation") ||
	       !strcmp(name, "frame_memory_bytes");
}

static enum keyby key_of(const struct ctx *c, const struct trace *t, const struct trace_edge *e)
{
	const char *n = t->names[e->name];

	if (c->vcd)
		return t->name_width[e->name] == 1 ? KEY_LEVEL : KEY_NONE;
	if (!strcmp(n, "trigger_in") || !strcmp(n, "strobe_out") || !strcmp(n, "acquisition"))
		return KEY_LEVEL;
	if (!strcmp(n, "exposure_start") || !strcmp(n, "exposure_end") || !strcmp(n, "readout_start") ||
	    !strcmp(n, "readout_end") || !strcmp(n, "frame_delivered") || !strcmp(n, "frame_dropped") ||
	    !strcmp(n, "frame_sent"))
		return KEY_BLOCK;
	if (!strcmp(n, "fault"))
		return KEY_ID;
	if (!strcmp(n, "host_violation"))
		return KEY_RULE;
	return KEY_NONE;
}

/* An edge's device time, relative to its power cycle's alignment. */
static int64_t rel(const struct ctx *c, int side, uint32_t idx)
{
	return sub_sat((int64_t)c->tr[side]->edges[idx].t, c->ebase[side][idx]);
}

/* ---- the pairing of one group ---- */

typedef int (*eq_fn)(struct ctx *c, const struct item *a, const struct item *b);
typedef void (*pair_fn)(struct ctx *c, const struct item *a, const struct item *b);

/* Pairs a[0..n) with b[0..m): report(a, b) for each pair, report(a, NULL) /
 * report(NULL, b) for an edge of one side only. */
static void pair_group(struct ctx *c, const struct item *a, size_t n, const struct item *b, size_t m, eq_fn eq,
		       pair_fn report)
{
	size_t lo = 0, d_max = 0, total;
	int64_t *v = NULL, **vs = NULL;
	long found = -1;

	if (n == m) {
		for (size_t i = 0; i < n; i++)
			report(c, &a[i], &b[i]);
		return;
	}
	/* the same at the start: paired as they are */
	while (lo < n && lo < m && eq(c, &a[lo], &b[lo])) {
		report(c, &a[lo], &b[lo]);
		lo++;
	}
	a += lo, b += lo, n -= lo, m -= lo, total = n + m;
	if (!n || !m)
		goto in_order;
	d_max = total;
	if (d_max > MYERS_D_MAX)
		d_max = MYERS_D_MAX;
	if (d_max > 16 && d_max > 40000000u / (total + 1))
		d_max = 40000000u / (total + 1) < 16 ? 16 : 40000000u / (total + 1);
	v = calloc(2 * d_max + 3, sizeof(*v));
	vs = calloc(d_max + 1, sizeof(*vs));
	if (!v || !vs)
		goto in_order;
	/* Myers' greedy forward search; vs[d] keeps V after step d for the way back */
#define V(k) v[(k) + (int64_t)d_max + 1]
	for (size_t d = 0; d <= d_max && found < 0; d++) {
		for (int64_t k = -(int64_t)d; k <= (int64_t)d; k += 2) {
			int64_t x = (k == -(int64_t)d || (k != (int64_t)d && V(k - 1) < V(k + 1))) ? V(k + 1) : V(k - 1) + 1;
			int64_t y = x - k;
			while (x < (int64_t)n && y < (int64_t)m && y >= 0 && eq(c, &a[x], &b[y]))
				x++, y++;
			V(k) = x;
			if (x >= (int64_t)n && y >= (int64_t)m) {
				found = (long)d;
				break;
			}
		}
		vs[d] = malloc((2 * d + 1) * sizeof(int64_t));
		if (!vs[d])
			goto in_order;
		for (int64_t k = -(int64_t)d; k <= (int64_t)d; k++)
			vs[d][k + (int64_t)d] = V(k);
	}
#undef V
	if (found < 0)
		goto in_order;
	{
		/* the way back, as a script of ops: 0 same, 1 only in a, 2 only in b */
		unsigned char *ops = malloc(total + 1);
		size_t *oi = malloc((total + 1) * sizeof(*oi)), *oj = malloc((total + 1) * sizeof(*oj)), nops = 0;
		int64_t x = (int64_t)n, y = (int64_t)m;

		if (!ops || !oi || !oj) {
			free(ops), free(oi), free(oj);
			goto in_order;
		}
		for (long d = found; d > 0; d--) {
			const int64_t *p = vs[d - 1];
			int64_t k = x - y, pk, px, py;
#define P(kk) p[(kk) + (d - 1)]
			bool down = k == -d || (k != d && P(k - 1) < P(k + 1));
			pk = down ? k + 1 : k - 1;
			px = P(pk);
#undef P
			py = px - pk;
			while (x > px + (down ? 0 : 1) && y > py + (down ? 1 : 0)) {
				x--, y--;
				ops[nops] = 0, oi[nops] = (size_t)x, oj[nops++] = (size_t)y;
			}
			if (down) {
				y--;
				ops[nops] = 2, oi[nops] = 0, oj[nops++] = (size_t)y;
			} else {
				x--;
				ops[nops] = 1, oi[nops] = (size_t)x, oj[nops++] = 0;
			}
		}
		while (x > 0 && y > 0) {
			x--, y--;
			ops[nops] = 0, oi[nops] = (size_t)x, oj[nops++] = (size_t)y;
		}
		/* forwards: runs of ops between two same edges pair up in order */
		for (size_t i = nops; i > 0;) {
			size_t dels[2] = { 0, 0 }, j = i, pa = 0, pb = 0;
			const struct item *ha = NULL, *hb = NULL;
			if (ops[i - 1] == 0) {
				report(c, &a[oi[i - 1]], &b[oj[i - 1]]);
				i--;
				continue;
			}
			while (j > 0 && ops[j - 1] != 0) {
				dels[ops[j - 1] - 1]++;
				if (ops[j - 1] == 1 && !ha)
					ha = &a[oi[j - 1]];
				if (ops[j - 1] == 2 && !hb)
					hb = &b[oj[j - 1]];
				j--;
			}
			/* the ops of a run are in order on each side: pair a's k-th with b's k-th */
			for (size_t q = i; q > j; q--) {
				if (ops[q - 1] == 1) {
					if (pa < dels[1])
						report(c, ha + pa, hb + pa);
					else
						report(c, ha + pa, NULL);
					pa++;
				} else {
					if (pb >= dels[0])
						report(c, NULL, hb + pb);
					pb++;
				}
			}
			i = j;
		}
		free(ops), free(oi), free(oj);
	}
	for (size_t d = 0; d <= d_max; d++)
		free(vs[d]);
	free(vs);
	free(v);
	return;
in_order:
	if (vs)
		for (size_t d = 0; d <= d_max; d++)
			free(vs[d]);
	free(vs);
	free(v);
	for (size_t i = 0; i < n || i < m; i++)
		report(c, i < n ? &a[i] : NULL, i < m ? &b[i] : NULL);
}

/* ---- device edges ---- */

/* Items of one group (same signal, initial value or not, same key) compare equal. */
static int group_cmp(const struct item *a, const struct item *b)
{
	int r = strcmp(a->name, b->name);

	if (r)
		return r;
	if (a->initial != b->initial)
		return a->initial ? -1 : 1;
	if (a->has_key != b->has_key)
		return a->has_key ? 1 : -1;
	return a->key < b->key ? -1 : a->key > b->key;
}

/* Groups in order, each in its original order. */
static int item_cmp(const void *x, const void *y)
{
	const struct item *a = x, *b = y;
	int r = group_cmp(a, b);

	return r ? r : a->idx < b->idx ? -1 : a->idx > b->idx;
}

static const char *key_word(enum keyby k)
{
	return k == KEY_BLOCK ? "block" : k == KEY_LEVEL ? "level" : k == KEY_ID ? "id" : k == KEY_RULE ? "rule" : "";
}

static void describe(const struct ctx *c, int side, const struct item *it, char *buf, size_t len)
{
	const struct trace *t = c->tr[side];
	const struct trace_edge *e = &t->edges[it->idx];
	enum keyby k = key_of(c, t, e);

	uint32_t cycle = c->ecycle[side][it->idx];
	char in_cycle[40] = "";

	/* after a power_up, times are of that power cycle: say which */
	if (cycle)
		snprintf(in_cycle, sizeof(in_cycle), " [power cycle %u]", (unsigned)cycle + 1);
	if (it->initial)
		snprintf(buf, len, "%s initial value", it->name);
	else if (k != KEY_NONE)
		snprintf(buf, len, "%s #%u (%s %" PRId64 ")%s", it->name, it->ordinal, key_word(k), it->key, in_cycle);
	else
		snprintf(buf, len, "%s #%u%s", it->name, it->ordinal, in_cycle);
}

/* One value of a pair; name NULL: not compared. */
struct field {
	const char *label;
	int64_t va, vb;
	int is_time;         /* a device time: aligned, printed with its shift */
	int reason;          /* printed as a rejection reason name */
	int hex;             /* printed in hex (flags) */
};

/* What A and B of an event kind mean when two edges are compared (docs/io-protocol.md);
 * a NULL label: that value is not compared (it is the pairing key, or the host's own numbering). */
enum fmt { F_PLAIN, F_TIME, F_REASON, F_HEX };
static const struct kind_fields {
	const char *kind;
	const char *a_label;
	enum fmt a_fmt;
	const char *b_label;
	enum fmt b_fmt;
} kind_fields[] = {
	{ "trigger_accepted", "source", F_PLAIN, "exposure start", F_TIME },
	{ "trigger_rejected", "source", F_PLAIN, "reason", F_REASON },
	{ "trigger_seen", "source", F_PLAIN, "B", F_PLAIN },
	{ "frame_delivered", NULL, F_PLAIN, "size", F_PLAIN },
	{ "frame_dropped", NULL, F_PLAIN, "reason", F_PLAIN },
	{ "power_up", "count", F_PLAIN, "B", F_PLAIN },
	{ "frame_memory", "bytes", F_PLAIN, "frames", F_PLAIN },
	{ "fault", NULL, F_PLAIN, "kind", F_PLAIN },
	/* what was sent: the trailer status, | 0x10000 cut short, | 0x20000 corrupted (by a fault) */
	{ "frame_sent", NULL, F_PLAIN, "status", F_HEX },
	/* B is the URB's seqnum: the host's numbering */
	{ "host_violation", NULL, F_PLAIN, NULL, F_PLAIN },
};

static struct field make_field(const char *label, int64_t va, int64_t vb, enum fmt fmt)
{
	return (struct field){ label, va, vb, fmt == F_TIME, fmt == F_REASON, fmt == F_HEX };
}

/* The values of a pair besides time and key, by kind. */
static int fields_of(const struct ctx *c, const struct trace_edge *ea, const struct trace_edge *eb, const char *name,
		     struct field *f)
{
	int n = 0;

	if (c->vcd) {
		if (c->tr[0]->name_width[ea->name] != 1)
			f[n++] = make_field("value", ea->a, eb->a, F_PLAIN);
		return n;
	}
	for (size_t i = 0; i < sizeof(kind_fields) / sizeof(kind_fields[0]); i++) {
		const struct kind_fields *k = &kind_fields[i];

		if (strcmp(name, k->kind))
			continue;
		if (k->a_label)
			f[n++] = make_field(k->a_label, ea->a, eb->a, k->a_fmt);
		if (k->b_label)
			f[n++] = make_field(k->b_label, ea->b, eb->b, k->b_fmt);
		return n;
	}
	/* other kinds: A is the pairing key (a block id, a level) where there is one */
	if (key_of(c, c->tr[0], ea) == KEY_NONE)
		f[n++] = make_field("A", ea->a, eb->a, F_PLAIN);
	f[n++] = make_field("B", ea->b, eb->b, F_PLAIN);
	return n;
}

/* Compares a pair; reports its differences when report is set. Returns how many. */
static int compare_edges(struct ctx *c, const struct item *ia, const struct item *ib, int report)
{
	const struct trace_edge *ea = &c->tr[0]->edges[ia->idx], *eb = &c->tr[1]->edges[ib->idx];
	int64_t ta = rel(c, 0, ia->idx), tb = rel(c, 1, ib->idx), d = sub_sat(tb, ta);
	struct field f[4];
	int n = 0, nf = fields_of(c, ea, eb, ia->name, f);
	bool paced = host_paced(ia->name);
	char desc[160];

	if (report) {
		describe(c, 0, ia, desc, sizeof(desc));
		c->cur = ia->idx;
		c->cur_cycle = c->ecycle[0][ia->idx];
	}
	if (!ia->initial && (paced ? abs_sat(d) > c->tol : d != 0)) {
		n++;
		if (report) {
			if (paced)
				add_rec(c, 0, ta, "%s: %" PRId64 " -> %" PRId64 " (%+" PRId64 " ns > tolerance %" PRId64 " ns)",
					desc, ta, tb, d, c->tol);
			else
				add_rec(c, 0, ta, "%s: %" PRId64 " -> %" PRId64 " (%+" PRId64 " ns)", desc, ta, tb, d);
		}
	}
	for (int i = 0; i < nf; i++) {
		int64_t va = f[i].is_time ? sub_sat(f[i].va, c->ebase[0][ia->idx]) : f[i].va;
		int64_t vb = f[i].is_time ? sub_sat(f[i].vb, c->ebase[1][ib->idx]) : f[i].vb;
		if (va == vb)
			continue;
		n++;
		if (!report)
			continue;
		if (f[i].is_time) {
			add_rec(c, 0, ta, "%s: %s %" PRId64 " -> %" PRId64 " (%+" PRId64 " ns)", desc, f[i].label, va, vb,
				sub_sat(vb, va));
		} else if (f[i].reason) {
			const char *na = va >= 0 && va < 64 ? trace_reject_name((unsigned)va) : NULL;
			const char *nb = vb >= 0 && vb < 64 ? trace_reject_name((unsigned)vb) : NULL;
			add_rec(c, 0, ta, "%s: %s %s -> %s", desc, f[i].label, na ? na : "unknown", nb ? nb : "unknown");
		} else if (f[i].hex) {
			add_rec(c, 0, ta, "%s: %s 0x%" PRIx64 " -> 0x%" PRIx64, desc, f[i].label, (uint64_t)va, (uint64_t)vb);
		} else {
			add_rec(c, 0, ta, "%s: %s %" PRId64 " -> %" PRId64, desc, f[i].label, va, vb);
		}
	}
	if (ia->initial && c->vcd && c->tr[0]->name_width[ea->name] == 1 && ea->a != eb->a) {
		n++;
		if (report)
			add_rec(c, 0, INT64_MIN, "%s: %" PRId64 " -> %" PRId64, desc, ea->a, eb->a);
	}
	return n;
}

static int eq_edges(struct ctx *c, const struct item *a, const struct item *b)
{
	return compare_edges(c, a, b, 0) == 0;
}

static void report_edges(struct ctx *c, const struct item *a, const struct item *b)
{
	char desc[160];

	if (a && b) {
		compare_edges(c, a, b, 1);
		return;
	}
	int side = a ? 0 : 1;
	const struct item *it = a ? a : b;
	const struct trace_edge *e = &c->tr[side]->edges[it->idx];
	describe(c, side, it, desc, sizeof(desc));
	c->cur = it->idx;
	c->cur_cycle = c->ecycle[side][it->idx];
	if (it->initial)
		add_rec(c, 0, INT64_MIN, "%s: only in %c (%" PRId64 ")", desc, side ? 'B' : 'A', e->a);
	else
		add_rec(c, 0, rel(c, side, it->idx), "%s: only in %c (t=%" PRId64 ")", desc, side ? 'B' : 'A',
			rel(c, side, it->idx));
}

static struct item *items_of(struct ctx *c, int side, size_t *count)
{
	const struct trace *t = c->tr[side];
	struct item *it = malloc((t->n_edges + 1) * sizeof(*it));
	uint32_t *ord = calloc(TRACE_MAX_NAMES, sizeof(*ord));
	size_t n = 0;

	if (!it || !ord) {
		free(it);
		free(ord);
		return NULL;
	}
	for (size_t i = 0; i < t->n_edges; i++) {
		const struct trace_edge *e = &t->edges[i];
		const char *name = t->names[e->name];
		enum keyby k;
		if (ignored(c, name))
			continue;
		k = key_of(c, t, e);
		it[n] = (struct item){ .name = name, .initial = e->initial, .has_key = !e->initial && k != KEY_NONE,
				       .key = e->a, .idx = (uint32_t)i,
				       .ordinal = e->initial ? 0 : ++ord[e->name] };
		if (!it[n].has_key)
			it[n].key = 0;
		n++;
	}
	free(ord);
	qsort(it, n, sizeof(*it), item_cmp);
	*count = n;
	return it;
}

static int diff_device(struct ctx *c)
{
	size_t na, nb, i = 0, j = 0;
	struct item *a = items_of(c, 0, &na), *b = items_of(c, 1, &nb);

	if (!a || !b) {
		free(a);
		free(b);
		return -1;
	}
	while (i < na || j < nb) {
		size_t ei = i, ej = j;
		int r = i >= na ? 1 : j >= nb ? -1 : group_cmp(&a[i], &b[j]);
		if (r <= 0)
			while (ei < na && !group_cmp(&a[ei], &a[i]))
				ei++;
		if (r >= 0)
			while (ej < nb && !group_cmp(&b[ej], &b[j]))
				ej++;
		pair_group(c, &a[i], ei - i, &b[j], ej - j, eq_edges, report_edges);
		i = ei, j = ej;
	}
	free(a);
	free(b);
	return 0;
}

/* ---- adapter lines ---- */

static bool host_key_kept(const char *w)
{
	return strncmp(w, "ts=", 3) && strncmp(w, "file=", 5) && strncmp(w, "msg=", 4);
}

static int parse_hlines(struct ctx *c, int side)
{
	const struct trace *t = c->tr[side];
	struct hline *h = calloc(t->n_host + 1, sizeof(*h));

	if (!h)
		return -1;
	c->hl[side] = h;
	for (size_t i = 0; i < t->n_host; i++) {
		char *p;
		if (!(h[i].buf = strdup(t->host[i].text)))
			return -1;
		p = h[i].buf;
		while (*p && h[i].n < HOST_WORDS) {
			p += strspn(p, " \t");
			if (!*p)
				break;
			h[i].words[h[i].n++] = p;
			if (!strncmp(p, "msg=", 4) && h[i].n > 1)
				break;   /* msg= takes the rest of the line */
			p += strcspn(p, " \t");
			if (*p)
				*p++ = '\0';
		}
		const char *word = h[i].n ? h[i].words[0] : "";
		snprintf(h[i].group, sizeof(h[i].group), "%.63s", word);
		for (int k = 1; k < h[i].n; k++) {
			if (!strcmp(word, "frame") && !strncmp(h[i].words[k], "id=", 3)) {
				snprintf(h[i].group, sizeof(h[i].group), "frame %.80s", h[i].words[k]);
				break;
			}
		}
		for (int k = 1; k < h[i].n; k++) {
			if (!strncmp(h[i].words[k], "ts=", 3) && trace_parse_i64(h[i].words[k] + 3, &h[i].ts)) {
				h[i].has_ts = 1;
				if (!strcmp(word, "frame") && !c->has_first_ts[side]) {
					c->first_ts[side] = h[i].ts;
					c->has_first_ts[side] = 1;
				}
			}
		}
	}
	return 0;
}

/* The occ-th (0-based) word of h with the key of word (keylen bytes), or NULL. */
static const char *hfind(const struct hline *h, const char *word, size_t keylen, int occ)
{
	for (int k = 1; k < h->n; k++)
		if (!strncmp(h->words[k], word, keylen) && h->words[k][keylen] == '=' && occ-- == 0)
			return h->words[k];
	return NULL;
}

/* How many words before word k of h have its key (a key may come twice). */
static int hocc(const struct hline *h, int k, size_t keylen)
{
	int n = 0;

	for (int i = 1; i < k; i++)
		n += !strncmp(h->words[i], h->words[k], keylen) && h->words[i][keylen] == '=';
	return n;
}

static void host_desc(const struct ctx *c, const struct item *it, char *buf, size_t len)
{
	if (it->ordinal > 1)
		snprintf(buf, len, "host %s #%u", it->name, it->ordinal);
	else
		snprintf(buf, len, "host %s", it->name);
}

static int compare_host(struct ctx *c, const struct item *ia, const struct item *ib, int report)
{
	const struct trace_host *la = &c->tr[0]->host[ia->idx], *lb = &c->tr[1]->host[ib->idx];
	const struct hline *ha = &c->hl[0][ia->idx], *hb = &c->hl[1][ib->idx];
	int64_t ta = (int64_t)la->t, tb = (int64_t)lb->t, d = tb - ta;
	char desc[200], s1[40], s2[40], s3[40], s4[40];
	int n = 0;
	char wa[512] = "", wb[512] = "";

	if (report) {
		host_desc(c, ia, desc, sizeof(desc));
		c->cur = ia->idx;
	}
	if (abs_sat(d) > c->tol) {
		n++;
		if (report)
			add_rec(c, 1, ta, "%s: arrival %s -> %s (%s > tolerance %s)", desc, fmt_ms(ta, s1, sizeof(s1), 0),
				fmt_ms(tb, s2, sizeof(s2), 0), fmt_ms(d, s3, sizeof(s3), 1),
				fmt_ms(c->tol, s4, sizeof(s4), 0));
	}
	/* key=value words: a's in order, then those only b has */
	for (int side = 0; side < 2; side++) {
		const struct hline *x = side ? hb : ha, *y = side ? ha : hb;
		for (int k = 1; k < x->n; k++) {
			const char *w = x->words[k], *eqs = strchr(w, '=');
			if (!eqs) {
				/* a word without '=': compared as the list of them */
				char *dst = side ? wb : wa;
				size_t used = strlen(dst);
				snprintf(dst + used, 512 - used, "%s%s", used ? " " : "", w);
				continue;
			}
			if (!host_key_kept(w))
				continue;
			size_t kl = (size_t)(eqs - w);
			const char *o = hfind(y, w, kl, hocc(x, k, kl));
			if (side && o)
				continue;   /* compared from a's side */
			if (o && !strcmp(o, w))
				continue;
			n++;
			if (report) {
				if (side)
					add_rec(c, 1, ta, "%s: %.*s (none) -> %s", desc, (int)kl, w, eqs + 1);
				else
					add_rec(c, 1, ta, "%s: %.*s %s -> %s", desc, (int)kl, w, eqs + 1,
						o ? o + kl + 1 : "(none)");
			}
		}
	}
	if (strcmp(wa, wb)) {
		n++;
		if (report)
			add_rec(c, 1, ta, "%s: words \"%s\" -> \"%s\"", desc, wa, wb);
	}
	/* ts: the driver's leader timestamp, from the first frame's, within the tolerance */
	if (ha->has_ts && hb->has_ts && c->has_first_ts[0] && c->has_first_ts[1]) {
		int64_t ra = sub_sat(ha->ts, c->first_ts[0]), rb = sub_sat(hb->ts, c->first_ts[1]);
		if (abs_sat(sub_sat(rb, ra)) > c->tol) {
			n++;
			if (report)
				add_rec(c, 1, ta, "%s: ts (from the first frame's) %" PRId64 " -> %" PRId64 " (%+" PRId64
					" ns > tolerance %" PRId64 " ns)", desc, ra, rb, sub_sat(rb, ra), c->tol);
		}
	} else if (ha->has_ts != hb->has_ts) {
		n++;
		if (report)
			add_rec(c, 1, ta, "%s: ts %s", desc, ha->has_ts ? "present -> (none)" : "(none) -> present");
	}
	return n;
}

static int eq_host(struct ctx *c, const struct item *a, const struct item *b)
{
	return compare_host(c, a, b, 0) == 0;
}

static void report_host(struct ctx *c, const struct item *a, const struct item *b)
{
	char desc[200], s1[40];

	if (a && b) {
		compare_host(c, a, b, 1);
		return;
	}
	int side = a ? 0 : 1;
	const struct item *it = a ? a : b;
	const struct trace_host *l = &c->tr[side]->host[it->idx];
	host_desc(c, it, desc, sizeof(desc));
	c->cur = it->idx;
	add_rec(c, 1, (int64_t)l->t, "%s: only in %c (arrival %s: %.200s)", desc, side ? 'B' : 'A',
		fmt_ms((int64_t)l->t, s1, sizeof(s1), 0), l->text);
}

static int host_item_cmp(const void *x, const void *y)
{
	const struct item *a = x, *b = y;
	int r = strcmp(a->name, b->name);

	return r ? r : a->idx < b->idx ? -1 : a->idx > b->idx;
}

static struct item *host_items(struct ctx *c, int side, size_t *count)
{
	const struct trace *t = c->tr[side];
	struct item *it = malloc((t->n_host + 1) * sizeof(*it));
	size_t n = 0;

	if (!it)
		return NULL;
	for (size_t i = 0; i < t->n_host; i++) {
		const struct hline *h = &c->hl[side][i];
		if (host_ignored(c, h->n ? h->words[0] : ""))
			continue;
		it[n++] = (struct item){ .name = h->group, .idx = (uint32_t)i };
	}
	qsort(it, n, sizeof(*it), host_item_cmp);
	for (size_t i = 0; i < n; i++)
		it[i].ordinal = i && !strcmp(it[i - 1].name, it[i].name) ? it[i - 1].ordinal + 1 : 1;
	*count = n;
	return it;
}

static int diff_host(struct ctx *c)
{
	size_t na, nb, i = 0, j = 0;
	struct item *a, *b;

	if (parse_hlines(c, 0) < 0 || parse_hlines(c, 1) < 0)
		return -1;
	a = host_items(c, 0, &na);
	b = host_items(c, 1, &nb);
	if (!a || !b) {
		free(a);
		free(b);
		return -1;
	}
	while (i < na || j < nb) {
		size_t ei = i, ej = j;
		int r = i >= na ? 1 : j >= nb ? -1 : strcmp(a[i].name, b[j].name);
		if (r <= 0)
			while (ei < na && !strcmp(a[ei].name, a[i].name))
				ei++;
		if (r >= 0)
			while (ej < nb && !strcmp(b[ej].name, b[j].name))
				ej++;
		pair_group(c, &a[i], ei - i, &b[j], ej - j, eq_host, report_host);
		i = ei, j = ej;
	}
	free(a);
	free(b);
	return 0;
}

/* ---- the whole ---- */

/* The alignment of each edge of one side. Each power_up starts a power cycle (the
 * device clock restarts at 0); a cycle's times are relative to its first event of
 * the align kind, or to its power-up when it has none (the first cycle: to 0).
 * Returns whether the first cycle has one, or -1 (out of memory). */
static int compute_bases(struct ctx *c, int side)
{
	const struct trace *t = c->tr[side];
	const char *want = c->vcd ? vcd_alias(c->align) : c->align;
	int64_t *b = malloc((t->n_edges + 1) * sizeof(*b));
	uint32_t *cy = malloc((t->n_edges + 1) * sizeof(*cy)), cycle = 0;
	size_t start = 0;
	int first = 0;

	c->ebase[side] = b;
	c->ecycle[side] = cy;
	if (!b || !cy)
		return -1;
	for (size_t i = 0; i <= t->n_edges; i++) {
		int64_t base = 0;
		int found = 0;
		if (i < t->n_edges && !(i > start && !c->vcd && !strcmp(t->names[t->edges[i].name], "power_up")))
			continue;
		for (size_t j = start; want[0] && j < i && !found; j++) {
			if (!t->edges[j].initial && !strcmp(t->names[t->edges[j].name], want)) {
				base = (int64_t)t->edges[j].t;
				found = 1;
			}
		}
		if (start == 0)
			first = found;
		for (size_t j = start; j < i; j++)
			b[j] = base, cy[j] = cycle;
		start = i;
		cycle++;
	}
	return first;
}

/* Both sides' first power cycle unaligned (one of them lacks the align event). */
static void unalign_first_cycle(struct ctx *c)
{
	for (int side = 0; side < 2; side++) {
		const struct trace *t = c->tr[side];
		for (size_t i = 0; i < t->n_edges; i++) {
			if (i > 0 && !c->vcd && !strcmp(t->names[t->edges[i].name], "power_up"))
				break;
			c->ebase[side][i] = 0;
		}
	}
}

int trace_diff(const struct trace *a, const struct trace *b, const struct trace_diff_opts *o, FILE *out, char *err,
	       size_t errlen)
{
	static const struct trace_diff_opts none = { .tolerance_ns = -1 };
	struct ctx *c;
	size_t max_lines;
	long count;
	int rc = 0;

	if (!o)
		o = &none;
	if ((a->type == TRACE_VCD) != (b->type == TRACE_VCD)) {
		if (err && errlen)
			snprintf(err, errlen, "%s is a VCD and %s is not: compare event logs with event logs or golden "
					      "traces, VCDs with VCDs", a->type == TRACE_VCD ? a->source : b->source,
				 a->type == TRACE_VCD ? b->source : a->source);
		return -1;
	}
	if (!(c = calloc(1, sizeof(*c)))) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->tr[0] = a;
	c->tr[1] = b;
	c->o = o;
	c->vcd = a->type == TRACE_VCD;
	c->tol = o->tolerance_ns >= 0 ? o->tolerance_ns
		 : a->has_tolerance ? (int64_t)a->tolerance_ns
		 : b->has_tolerance ? (int64_t)b->tolerance_ns : 0;
	snprintf(c->align, sizeof(c->align), "%s",
		 o->align ? (strcmp(o->align, "none") ? o->align : "") : a->align[0] ? a->align : b->align);
	{
		int fa = compute_bases(c, 0), fb = compute_bases(c, 1);
		if (fa < 0 || fb < 0) {
			rc = -1;
		} else if (fa != fb) {
			unalign_first_cycle(c);
			add_rec(c, 0, INT64_MIN, "align %s: none in %c; device times compared as recorded", c->align,
				fa ? 'B' : 'A');
		}
	}
	if (!rc && diff_device(c) < 0)
		rc = -1;
	if (!rc && a->type == TRACE_GOLDEN && b->type == TRACE_GOLDEN && diff_host(c) < 0)
		rc = -1;
	if (rc < 0 || c->oom) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		rc = -1;
	}
	if (c->n_recs)
		qsort(c->recs, c->n_recs, sizeof(c->recs[0]), rec_cmp);
	max_lines = o->max_lines ? o->max_lines : DEFAULT_LINES;
	for (size_t i = 0; i < c->n_recs; i++) {
		if (out && i < max_lines)
			fprintf(out, "%s\n", c->recs[i].text);
		free(c->recs[i].text);
	}
	count = c->count;
	if (out && rc == 0 && (size_t)count > max_lines)
		fprintf(out, "... %ld more differences not shown\n", count - (long)max_lines);
	for (int s = 0; s < 2; s++) {
		if (c->hl[s])
			for (size_t i = 0; i < c->tr[s]->n_host; i++)
				free(c->hl[s][i].buf);
		free(c->hl[s]);
	}
	free(c->ebase[0]);
	free(c->ebase[1]);
	free(c->ecycle[0]);
	free(c->ecycle[1]);
	free(c->recs);
	free(c);
	if (rc < 0)
		return -1;
	return count > INT32_MAX ? INT32_MAX : (int)count;
}
