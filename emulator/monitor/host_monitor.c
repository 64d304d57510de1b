/* SPDX-License-Identifier: MIT */
/* Host-behaviour monitor (host_monitor.h, docs/host-monitor.md).
 *
 * State, all bounded:
 *   - the pending URBs (open-addressed table keyed by seq, at most max_pending);
 *   - the last HISTORY GenCP commands, so a late ack still finds its command;
 *   - what is known of the device: facts from the configuration, or fields
 *     learned from READMEM acks (ABRM -> SBRM -> SIRM, manifest table -> files);
 *   - a shadow of the host-written SIRM registers and the stream's state;
 *   - the halt state of each endpoint, and the times of the last unlinks.
 * Protocol constants (offsets, prefixes, command ids) come from the u3v headers;
 * addresses never do: this device's layout is learned like any other's. */
#include "host_monitor.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../common/bytes.h"
#include "../common/errors.h"
#include "../u3v/u3v_bootstrap.h"
#include "../u3v/u3vcp.h"
#include "../u3v/u3vsp.h"

/* defaults and ceilings of struct hm_limits */
#define DEF_MAX_VIOLATIONS     10000u
#define CEIL_MAX_VIOLATIONS    1000000u
#define DEF_MAX_PENDING        4096u
#define CEIL_MAX_PENDING       (1u << 20)
#define DEF_STORM_COUNT        512u
#define CEIL_STORM_COUNT       65536u
#define DEF_STORM_WINDOW_NS    1000000000ull
#define DEF_STALL_GRACE_NS     100000000ull
#define DEF_SESSION_GAP_NS     500000000ull

#define DEF_EP_COMMAND  0x01
#define DEF_EP_ACK      0x81
#define DEF_EP_EVENT    0x82
#define DEF_EP_STREAM   0x83
#define DEF_MAX_PACKET  1024u   /* SuperSpeed bulk */

#define HISTORY    16          /* GenCP commands remembered */
#define MAX_FILES  8           /* manifest entries followed */
#define N_EPS      32          /* (addr & 0x0F) | (IN ? 16 : 0) */

/* URB status values (negative Linux errno) */
#define ST_NOENT     (-2)
#define ST_PIPE      (-32)     /* STALL */
#define ST_OVERFLOW  (-75)     /* babble */
#define ST_CONNRESET (-104)

#define MANIFEST_ENTRY_SIZE 64u

/* standard requests (USB 3.2 table 9-4), hub port reset as USB/IP forwards it */
#define REQ_CLEAR_FEATURE     0x01
#define REQ_SET_FEATURE       0x03
#define REQ_GET_DESCRIPTOR    0x06
#define REQ_SET_CONFIGURATION 0x09
#define REQ_SET_INTERFACE     0x0B
#define RT_PORT               0x23
#define PORT_FEAT_RESET       4
#define DESC_CONFIGURATION    2
#define DESC_INTERFACE        4
#define DESC_ENDPOINT         5

struct pend {
	bool used;
	uint8_t ep, type;
	uint32_t seq;
	uint32_t length;
	uint64_t t;
	uint8_t setup[8];
};

enum cmd_state { CMD_SENT, CMD_PENDING, CMD_DONE, CMD_VOID, CMD_GAVE_UP };

struct cmd {
	uint32_t seq;                /* the OUT transfer that carried it */
	uint16_t id, command, flags;
	bool has_body;               /* address (and count) were in the data */
	uint64_t address;
	uint32_t count;              /* READMEM: bytes asked; WRITEMEM: bytes written */
	uint64_t t;                  /* sent, or resent */
	enum cmd_state state;
	uint16_t status;             /* of the final ack */
	uint64_t deadline;           /* PENDING_ACK: give-up time */
	bool ro_reported;
	bool outside_sirm;           /* a WRITEMEM touching more than SIRM */
	uint8_t sirm_off, sirm_len;  /* the SIRM bytes a WRITEMEM covers ... */
	uint8_t sirm_bytes[SIRM_LENGTH];   /* ... applied at its success ack */
};

enum phase { PH_UNKNOWN, PH_LEADER, PH_PAYLOAD };

struct learned_file {
	bool have_addr, have_size;
	uint64_t addr, size;
};

struct learned {
	uint32_t max_cmd, max_ack, max_response_ms;
	bool have_sbrm, have_sirm, have_manifest, have_count;
	uint64_t sbrm, sirm, manifest, count;
	uint32_t si_align, req_leader, req_trailer;
	struct learned_file file[MAX_FILES];
};

struct host_monitor {
	struct hm_limits lim;
	hm_observer_fn observer;
	void *observer_ctx;
	bool offline, junit_warnings_fail;

	struct hm_device_facts facts;     /* readonly -> ro[] */
	struct hm_range ro[HM_MAX_RO_RANGES];

	uint8_t ep_cmd, ep_ack, ep_event, ep_stream;
	bool fixed_cmd, fixed_ack, fixed_event, fixed_stream, fixed_mps;
	uint16_t mps;

	struct pend *tab;
	uint32_t tab_mask, n_pend;

	struct hm_violation *v;
	size_t n_v, cap_v;
	struct hm_stats stats;

	struct learned L;
	/* Required payload: from facts, a device event or a READMEM of SIRM. Without
	 * device events a feature write may change it, so it is forgotten then. */
	uint64_t req_payload;
	bool payload_valid, payload_live;

	struct cmd hist[HISTORY];
	unsigned n_hist, last;            /* last = index of the newest command */
	bool gencp_restart;               /* the next request id starts a sequence */

	uint8_t sirm[SIRM_LENGTH];
	uint64_t sirm_written;            /* bit i: SIRM byte i written by the host */
	bool stream_enabled;
	enum phase phase;
	bool have_block;
	uint64_t block;

	struct {
		bool halted, reported;
		uint64_t t;
	} halt[N_EPS];

	uint64_t *unlink_t;               /* ring of the last unlink_storm_count + 1 unlink times */
	uint32_t ring_cap, ring_n, ring_head;
	bool in_storm;
};

/* ---- small helpers ---- */

static unsigned ep_index(uint8_t ep) { return (ep & 0x0Fu) | (ep & 0x80u ? 16u : 0u); }

static uint64_t since(uint64_t now, uint64_t then) { return now >= then ? now - then : 0; }

static uint64_t add_sat(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

/* base + off, false on overflow (addresses learned from the traffic are untrusted) */
static bool addr_at(uint64_t base, uint64_t off, uint64_t *out)
{
	if (base > UINT64_MAX - off)
		return false;
	*out = base + off;
	return true;
}

/* The little-endian field [f, f + w) when the bytes [a, a + n) hold all of it. */
static bool field(uint64_t a, const uint8_t *d, size_t n, uint64_t f, unsigned w, uint64_t *out)
{
	uint64_t off;

	if (f < a)
		return false;
	off = f - a;
	if (off > n || w > n - off)
		return false;
	*out = w == 8 ? get_le64(d + off) : w == 4 ? get_le32(d + off) : get_le16(d + off);
	return true;
}

static bool overlaps(uint64_t a, uint64_t n, uint64_t b, uint64_t m)
{
	return n && m && a < add_sat(b, m) && b < add_sat(a, n);
}

static uint16_t next_request_id(uint16_t id) { return id == 0xFFFF ? 1 : (uint16_t)(id + 1); }

/* ---- what is known of the device ---- */

static uint32_t known_max_cmd(const struct host_monitor *m)
{
	return m->facts.max_cmd_transfer ? m->facts.max_cmd_transfer : m->L.max_cmd;
}

static uint32_t known_max_ack(const struct host_monitor *m)
{
	return m->facts.max_ack_transfer ? m->facts.max_ack_transfer : m->L.max_ack;
}

static uint32_t known_response_ms(const struct host_monitor *m)
{
	return m->facts.max_response_ms ? m->facts.max_response_ms : m->L.max_response_ms;
}

static bool known_sirm(const struct host_monitor *m, uint64_t *sirm)
{
	if (m->facts.sirm_address) {
		*sirm = m->facts.sirm_address;
		return true;
	}
	*sirm = m->L.sirm;
	return m->L.have_sirm;
}

static uint32_t known_align(const struct host_monitor *m)
{
	return m->facts.si_alignment ? m->facts.si_alignment : m->L.si_align;
}

static uint32_t known_req_leader(const struct host_monitor *m)
{
	return m->facts.required_leader ? m->facts.required_leader : m->L.req_leader;
}

static uint32_t known_req_trailer(const struct host_monitor *m)
{
	return m->facts.required_trailer ? m->facts.required_trailer : m->L.req_trailer;
}

static bool known_manifest(const struct host_monitor *m, uint64_t *addr)
{
	if (m->facts.manifest_address) {
		*addr = m->facts.manifest_address;
		return true;
	}
	*addr = m->L.manifest;
	return m->L.have_manifest;
}

static bool known_manifest_count(const struct host_monitor *m, uint64_t *count)
{
	if (m->facts.manifest_address && m->facts.manifest_entries) {
		*count = m->facts.manifest_entries;
		return true;
	}
	*count = m->L.count;
	return m->L.have_count;
}

/* ---- violations ---- */

struct who {
	bool has_urb, has_ref;
	uint8_t ep;
	uint32_t seq, ref_seq;
};

static struct who urb_who(uint32_t seq, uint8_t ep) { return (struct who){ .has_urb = true, .ep = ep, .seq = seq }; }

static void report(struct host_monitor *m, enum hm_rule_id rule, uint64_t t, const struct who *w, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void report(struct host_monitor *m, enum hm_rule_id rule, uint64_t t, const struct who *w, const char *fmt, ...)
{
	struct hm_violation v;
	va_list ap;

	memset(&v, 0, sizeof(v));
	v.rule = rule;
	v.t_ns = t;
	if (w) {
		v.has_urb = w->has_urb;
		v.has_ref = w->has_ref;
		v.ep = w->ep;
		v.seq = w->seq;
		v.ref_seq = w->ref_seq;
	}
	va_start(ap, fmt);
	vsnprintf(v.detail, sizeof(v.detail), fmt, ap);
	va_end(ap);

	m->stats.violations++;
	m->stats.per_rule[rule]++;
	if (m->n_v == m->cap_v && m->cap_v < m->lim.max_violations) {
		size_t cap = m->cap_v ? m->cap_v * 2 : 64;
		if (cap > m->lim.max_violations)
			cap = m->lim.max_violations;
		struct hm_violation *grown = realloc(m->v, cap * sizeof(*grown));
		if (grown) {
			m->v = grown;
			m->cap_v = cap;
		}
	}
	if (m->n_v < m->cap_v)
		m->v[m->n_v++] = v;
	else
		m->stats.not_recorded++;   /* past the cap (or out of memory): counted per rule all the same */
	if (m->observer)
		m->observer(m->observer_ctx, &v);
}

/* ---- pending URBs: open addressing, linear probing, backward-shift delete ---- */

static uint32_t slot_of(const struct host_monitor *m, uint32_t seq) { return (seq * 0x9E3779B1u) & m->tab_mask; }

static long pend_find(const struct host_monitor *m, uint32_t seq)
{
	for (uint32_t i = slot_of(m, seq);; i = (i + 1) & m->tab_mask) {
		if (!m->tab[i].used)
			return -1;
		if (m->tab[i].seq == seq)
			return (long)i;
	}
}

static bool pend_insert(struct host_monitor *m, const struct pend *p)
{
	uint32_t i;

	if (m->n_pend >= m->lim.max_pending)
		return false;
	for (i = slot_of(m, p->seq); m->tab[i].used; i = (i + 1) & m->tab_mask)
		;
	m->tab[i] = *p;
	m->tab[i].used = true;
	m->n_pend++;
	return true;
}

static void pend_remove(struct host_monitor *m, uint32_t i)
{
	uint32_t j = i;

	m->tab[i].used = false;
	m->n_pend--;
	for (;;) {
		j = (j + 1) & m->tab_mask;
		if (!m->tab[j].used)
			return;
		uint32_t home = slot_of(m, m->tab[j].seq);
		/* move j back into the hole at i unless its home lies cyclically in (i, j] */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (!stays) {
			m->tab[i] = m->tab[j];
			m->tab[j].used = false;
			i = j;
		}
	}
}

/* Is a bulk IN transfer pending on the stream endpoint? (a bounded scan: frame drops are rare) */
static bool stream_in_waiting(const struct host_monitor *m)
{
	for (uint32_t i = 0; i <= m->tab_mask; i++)
		if (m->tab[i].used && m->tab[i].ep == m->ep_stream)
			return true;
	return false;
}

static void pend_clear(struct host_monitor *m)
{
	memset(m->tab, 0, ((size_t)m->tab_mask + 1) * sizeof(*m->tab));
	m->n_pend = 0;
}

/* ---- lifecycle ---- */

static bool ep_ok(uint8_t ep, bool in) { return ep == 0 || (((ep & 0x80) != 0) == in && (ep & 0x70) == 0 && (ep & 0x0F)); }

struct host_monitor *host_monitor_new(const struct hm_config *cfg)
{
	static const struct hm_config defaults;
	struct host_monitor *m;
	uint32_t slots;

	if (!cfg)
		cfg = &defaults;
	if (!ep_ok(cfg->ep_command, false) || !ep_ok(cfg->ep_ack, true) || !ep_ok(cfg->ep_event, true) ||
	    !ep_ok(cfg->ep_stream, true))
		return NULL;
	if (cfg->limits.max_violations > CEIL_MAX_VIOLATIONS || cfg->limits.max_pending > CEIL_MAX_PENDING ||
	    cfg->limits.unlink_storm_count > CEIL_STORM_COUNT)
		return NULL;
	if (cfg->facts && cfg->facts->n_readonly && (!cfg->facts->readonly || cfg->facts->n_readonly > HM_MAX_RO_RANGES))
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->lim = cfg->limits;
	if (!m->lim.max_violations)
		m->lim.max_violations = DEF_MAX_VIOLATIONS;
	if (!m->lim.max_pending)
		m->lim.max_pending = DEF_MAX_PENDING;
	if (!m->lim.unlink_storm_count)
		m->lim.unlink_storm_count = DEF_STORM_COUNT;
	if (!m->lim.unlink_storm_window_ns)
		m->lim.unlink_storm_window_ns = DEF_STORM_WINDOW_NS;
	if (!m->lim.stall_grace_ns)
		m->lim.stall_grace_ns = DEF_STALL_GRACE_NS;
	if (!m->lim.session_gap_ns)
		m->lim.session_gap_ns = DEF_SESSION_GAP_NS;
	m->observer = cfg->observer;
	m->observer_ctx = cfg->observer_ctx;
	m->offline = cfg->offline;
	m->junit_warnings_fail = cfg->junit_warnings_fail;
	if (cfg->facts) {
		m->facts = *cfg->facts;
		if (m->facts.n_readonly)
			memcpy(m->ro, cfg->facts->readonly, m->facts.n_readonly * sizeof(m->ro[0]));
		m->facts.readonly = m->ro;
	}
	m->fixed_cmd = cfg->ep_command != 0;
	m->fixed_ack = cfg->ep_ack != 0;
	m->fixed_event = cfg->ep_event != 0;
	m->fixed_stream = cfg->ep_stream != 0;
	m->fixed_mps = cfg->stream_max_packet != 0;
	m->ep_cmd = cfg->ep_command ? cfg->ep_command : DEF_EP_COMMAND;
	m->ep_ack = cfg->ep_ack ? cfg->ep_ack : DEF_EP_ACK;
	m->ep_event = cfg->ep_event ? cfg->ep_event : DEF_EP_EVENT;
	m->ep_stream = cfg->ep_stream ? cfg->ep_stream : DEF_EP_STREAM;
	m->mps = cfg->stream_max_packet ? cfg->stream_max_packet : DEF_MAX_PACKET;

	/* a table twice the cap keeps probe chains short */
	for (slots = 16; slots < 2 * m->lim.max_pending; slots <<= 1)
		;
	m->tab = calloc(slots, sizeof(*m->tab));
	m->tab_mask = slots - 1;
	m->ring_cap = m->lim.unlink_storm_count + 1;
	m->unlink_t = calloc(m->ring_cap, sizeof(*m->unlink_t));
	if (!m->tab || !m->unlink_t) {
		host_monitor_free(m);
		return NULL;
	}
	m->req_payload = m->facts.required_payload;
	m->payload_valid = m->req_payload != 0;
	m->gencp_restart = true;
	m->phase = PH_UNKNOWN;
	return m;
}

void host_monitor_free(struct host_monitor *m)
{
	if (!m)
		return;
	free(m->tab);
	free(m->unlink_t);
	free(m->v);
	free(m);
}

/* ---- learning from READMEM acks ---- */

static void learn(struct host_monitor *m, uint64_t a, const uint8_t *d, size_t n)
{
	uint64_t v, f, base;

	/* ABRM sits at address 0 (GenCP 1.0 table 4-2) */
	if (field(a, d, n, ABRM_MAX_DEVICE_RESPONSE, 4, &v))
		m->L.max_response_ms = (uint32_t)v;
	if (field(a, d, n, ABRM_MANIFEST_TABLE_ADDRESS, 8, &v) && (!m->L.have_manifest || m->L.manifest != v)) {
		m->L.manifest = v;
		m->L.have_manifest = v != 0;
		m->L.have_count = false;
		memset(m->L.file, 0, sizeof(m->L.file));
	}
	if (field(a, d, n, ABRM_SBRM_ADDRESS, 8, &v)) {
		m->L.sbrm = v;
		m->L.have_sbrm = v != 0;
	}
	if (m->L.have_sbrm) {
		base = m->L.sbrm;
		if (addr_at(base, SBRM_MAX_CMD_TRANSFER, &f) && field(a, d, n, f, 4, &v))
			m->L.max_cmd = (uint32_t)v;
		if (addr_at(base, SBRM_MAX_ACK_TRANSFER, &f) && field(a, d, n, f, 4, &v))
			m->L.max_ack = (uint32_t)v;
		if (addr_at(base, SBRM_SIRM_ADDRESS, &f) && field(a, d, n, f, 8, &v)) {
			m->L.sirm = v;
			m->L.have_sirm = v != 0;
		}
	}
	if (known_sirm(m, &base)) {
		if (addr_at(base, SIRM_INFO, &f) && field(a, d, n, f, 4, &v) && (v >> 24) < 32)
			m->L.si_align = 1u << (v >> 24);
		if (addr_at(base, SIRM_REQ_PAYLOAD_SIZE, &f) && field(a, d, n, f, 8, &v) && !m->payload_live) {
			m->req_payload = v;
			m->payload_valid = true;
		}
		if (addr_at(base, SIRM_REQ_LEADER_SIZE, &f) && field(a, d, n, f, 4, &v))
			m->L.req_leader = (uint32_t)v;
		if (addr_at(base, SIRM_REQ_TRAILER_SIZE, &f) && field(a, d, n, f, 4, &v))
			m->L.req_trailer = (uint32_t)v;
	}
	if (known_manifest(m, &base)) {
		if (field(a, d, n, base, 8, &v)) {
			m->L.count = v;
			m->L.have_count = true;
		}
		for (unsigned i = 0; i < MAX_FILES; i++) {
			uint64_t entry;
			if (!addr_at(base, 8 + (uint64_t)MANIFEST_ENTRY_SIZE * i, &entry))
				break;
			if (addr_at(entry, 8, &f) && field(a, d, n, f, 8, &v)) {
				m->L.file[i].addr = v;
				m->L.file[i].have_addr = true;
			}
			if (addr_at(entry, 16, &f) && field(a, d, n, f, 8, &v)) {
				m->L.file[i].size = v;
				m->L.file[i].have_size = true;
			}
		}
	}
}

/* ---- GenCP ---- */

static struct cmd *last_cmd(struct host_monitor *m) { return m->n_hist ? &m->hist[m->last] : NULL; }

static struct cmd *push_cmd(struct host_monitor *m)
{
	m->last = m->n_hist ? (m->last + 1) % HISTORY : 0;
	if (m->n_hist < HISTORY)
		m->n_hist++;
	memset(&m->hist[m->last], 0, sizeof(m->hist[0]));
	return &m->hist[m->last];
}

/* The newest command with request id `id`, or NULL. */
static struct cmd *find_cmd(struct host_monitor *m, uint16_t id)
{
	for (unsigned k = 0; k < m->n_hist; k++) {
		struct cmd *c = &m->hist[(m->last + HISTORY - k) % HISTORY];
		if (c->id == id)
			return c;
	}
	return NULL;
}

static bool wants_ack(const struct cmd *c) { return c->flags & U3VCP_FLAG_REQUEST_ACK; }

/* Is `c` still awaiting its final ack at `t` with the host waiting for it? */
static bool outstanding(const struct host_monitor *m, const struct cmd *c, uint64_t t)
{
	uint64_t deadline;

	if (!wants_ack(c) || (c->state != CMD_SENT && c->state != CMD_PENDING))
		return false;
	if (c->state == CMD_PENDING) {
		deadline = c->deadline;
	} else {
		uint32_t ms = known_response_ms(m);
		if (!ms)
			return false;   /* no response time known: nothing says the host had to wait */
		deadline = add_sat(c->t, (uint64_t)ms * 1000000u);
	}
	return t < deadline;
}

/* The host gave up on its command (cancelled or lost the ack transfer). */
static void gave_up(struct host_monitor *m)
{
	struct cmd *c = last_cmd(m);

	if (c && (c->state == CMD_SENT || c->state == CMD_PENDING))
		c->state = CMD_GAVE_UP;
}

static bool sirm_reg_written(uint64_t mask, unsigned off) { return (mask >> off) & 0xFu; }

static uint32_t sirm_reg(const uint8_t *sirm, unsigned off) { return get_le32(sirm + off); }

/* A WRITEMEM sets SI Control bit 0: judge the SIRM setup as it will be
 * (the registers written so far plus this command's own bytes). */
static void judge_enable(struct host_monitor *m, uint64_t t, const struct who *w, const struct cmd *c)
{
	uint8_t s[SIRM_LENGTH];
	uint64_t mask = m->sirm_written;
	char why[sizeof(((struct hm_violation *)0)->detail)];
	size_t k = 0;

	memcpy(s, m->sirm, sizeof(s));
	memcpy(s + c->sirm_off, c->sirm_bytes, c->sirm_len);
	for (unsigned i = 0; i < c->sirm_len; i++)
		mask |= 1ull << (c->sirm_off + i);

	bool w_leader = sirm_reg_written(mask, SIRM_MAX_LEADER_SIZE);
	bool w_trailer = sirm_reg_written(mask, SIRM_MAX_TRAILER_SIZE);
	bool w_size = sirm_reg_written(mask, SIRM_PAYLOAD_TRANSFER_SIZE);
	bool w_count = sirm_reg_written(mask, SIRM_PAYLOAD_TRANSFER_COUNT);
	bool w_f1 = sirm_reg_written(mask, SIRM_FINAL_TRANSFER1_SIZE);
	bool w_f2 = sirm_reg_written(mask, SIRM_FINAL_TRANSFER2_SIZE);
	uint32_t leader = sirm_reg(s, SIRM_MAX_LEADER_SIZE), trailer = sirm_reg(s, SIRM_MAX_TRAILER_SIZE);
	uint32_t size = sirm_reg(s, SIRM_PAYLOAD_TRANSFER_SIZE), count = sirm_reg(s, SIRM_PAYLOAD_TRANSFER_COUNT);
	uint32_t f1 = sirm_reg(s, SIRM_FINAL_TRANSFER1_SIZE), f2 = sirm_reg(s, SIRM_FINAL_TRANSFER2_SIZE);
	bool w_payload = w_size || w_count || w_f1 || w_f2;

	if (!w_leader || !w_trailer || !w_payload) {
		report(m, HM_RULE_U3V_STREAM_ENABLE_BEFORE_SIRM, t, w, "SI Control enabled before the host wrote%s%s%s",
		       w_leader ? "" : " Maximum Leader Size;", w_trailer ? "" : " Maximum Trailer Size;",
		       w_payload ? "" : " the payload layout (Payload Transfer Size/Count, Final Transfer sizes);");
	}

	uint32_t req_l = known_req_leader(m), req_t = known_req_trailer(m);
	uint64_t capacity = (uint64_t)size * count + f1 + f2;
	why[0] = '\0';
	if (w_leader && req_l && leader < req_l)
		k += (size_t)snprintf(why + k, sizeof(why) - k, " Maximum Leader Size %" PRIu32 " < Required %" PRIu32 ";",
				      leader, req_l);
	if (k < sizeof(why) && w_trailer && req_t && trailer < req_t)
		k += (size_t)snprintf(why + k, sizeof(why) - k, " Maximum Trailer Size %" PRIu32 " < Required %" PRIu32 ";",
				      trailer, req_t);
	if (k < sizeof(why) && w_payload && m->payload_valid && capacity < m->req_payload)
		k += (size_t)snprintf(why + k, sizeof(why) - k, " payload layout holds %" PRIu64 " < Required Payload %" PRIu64 ";",
				      capacity, m->req_payload);
	if (why[0])
		report(m, HM_RULE_U3V_SIRM_TOO_SMALL, t, w, "at stream enable:%s", why);

	uint32_t align = known_align(m);
	if (align > 1) {
		const char *which = NULL;
		uint32_t val = 0;
		if (w_size && size % align)
			which = "Payload Transfer Size", val = size;
		else if (w_f1 && f1 % align)
			which = "Final Transfer1 Size", val = f1;
		else if (w_f2 && f2 % align)
			which = "Final Transfer2 Size", val = f2;
		if (which)
			report(m, HM_RULE_U3V_SIRM_UNALIGNED, t, w,
			       "at stream enable: %s %" PRIu32 " is not a multiple of the %" PRIu32 "-byte SI Info alignment",
			       which, val, align);
	}

	/* Every payload transfer followed by more payload must end on a packet
	 * boundary; the last one of the block may be short. */
	const char *piece = NULL;
	uint32_t pval = 0;
	bool size_followed = size && ((count >= 2) || (count >= 1 && (f1 || f2)));
	if (size_followed && size % m->mps)
		piece = "Payload Transfer Size", pval = size;
	else if (f1 && f2 && f1 % m->mps)
		piece = "Final Transfer1 Size", pval = f1;
	if (piece)
		report(m, HM_RULE_U3V_BULK_IN_SIZE, t, w,
		       "SIRM %s %" PRIu32 " is not a multiple of the %u-byte max packet size, and more payload follows it",
		       piece, pval, (unsigned)m->mps);
}

/* Applies a WRITEMEM the device accepted to the SIRM shadow and the stream state. */
static void apply_write(struct host_monitor *m, const struct cmd *c)
{
	if (c->outside_sirm && !m->payload_live)
		m->payload_valid = false;   /* a feature write may change the payload size */
	if (!c->sirm_len)
		return;
	memcpy(m->sirm + c->sirm_off, c->sirm_bytes, c->sirm_len);
	for (unsigned i = 0; i < c->sirm_len; i++)
		m->sirm_written |= 1ull << (c->sirm_off + i);
	if (c->sirm_off <= SIRM_CONTROL && c->sirm_off + c->sirm_len > SIRM_CONTROL) {
		bool on = m->sirm[SIRM_CONTROL] & 1;
		if (on != m->stream_enabled)
			m->phase = on ? PH_LEADER : PH_UNKNOWN;
		m->stream_enabled = on;
	}
}

static void judge_readmem(struct host_monitor *m, uint64_t t, const struct who *w, const struct cmd *c)
{
	uint32_t max_ack = known_max_ack(m);
	uint64_t base, n;

	if (max_ack && (uint64_t)c->count + U3VCP_HEADER_SIZE > max_ack)
		report(m, HM_RULE_GENCP_READ_EXCEEDS_MAX_ACK, t, w,
		       "READMEM of %" PRIu32 " bytes needs a %" PRIu32 "-byte ack; SBRM Maximum Acknowledge Transfer Length is %" PRIu32,
		       c->count, c->count + U3VCP_HEADER_SIZE, max_ack);
	if (!c->count)
		return;

	/* the regions whose end is known: manifest table, GenICam file(s) */
	struct {
		const char *what;
		uint64_t base, size;
	} r[2 + MAX_FILES];
	unsigned nr = 0;
	if (known_manifest(m, &base) && known_manifest_count(m, &n) && n <= (UINT64_MAX - 8) / MANIFEST_ENTRY_SIZE)
		r[nr].what = "the manifest table", r[nr].base = base, r[nr].size = 8 + n * MANIFEST_ENTRY_SIZE, nr++;
	if (m->facts.xml_size)
		r[nr].what = "the GenICam file", r[nr].base = m->facts.xml_address, r[nr].size = m->facts.xml_size, nr++;
	for (unsigned i = 0; i < MAX_FILES; i++) {
		const struct learned_file *lf = &m->L.file[i];
		if (lf->have_addr && lf->have_size && lf->size)
			r[nr].what = "a manifest file", r[nr].base = lf->addr, r[nr].size = lf->size, nr++;
	}
	for (unsigned i = 0; i < nr; i++) {
		uint64_t end = add_sat(r[i].base, r[i].size);
		if (c->address >= r[i].base && c->address < end && c->count > end - c->address) {
			report(m, HM_RULE_GENCP_READ_PAST_END, t, w,
			       "READMEM 0x%" PRIx64 "+%" PRIu32 " runs %" PRIu64 " bytes past the end of %s (0x%" PRIx64 ", %" PRIu64 " bytes)",
			       c->address, c->count, c->count - (end - c->address), r[i].what, r[i].base, r[i].size);
			return;
		}
	}
}

/* WRITEMEM checks at submit; fills the command's SIRM slice. */
static void judge_writemem(struct host_monitor *m, uint64_t t, const struct who *w, struct cmd *c,
			   const uint8_t *payload, size_t have)
{
	uint64_t sirm;

	for (size_t i = 0; i < m->facts.n_readonly; i++) {
		if (overlaps(c->address, c->count, m->ro[i].address, m->ro[i].length)) {
			report(m, HM_RULE_GENCP_WRITE_READONLY, t, w,
			       "WRITEMEM 0x%" PRIx64 "+%" PRIu32 " touches the read-only range 0x%" PRIx64 "+%" PRIu64,
			       c->address, c->count, m->ro[i].address, m->ro[i].length);
			c->ro_reported = true;
			break;
		}
	}
	if (!known_sirm(m, &sirm) || !overlaps(c->address, c->count, sirm, SIRM_LENGTH)) {
		c->outside_sirm = c->count > 0;
		return;
	}
	uint64_t sirm_end = add_sat(sirm, SIRM_LENGTH), end = add_sat(c->address, c->count);
	uint64_t lo = c->address > sirm ? c->address : sirm;
	uint64_t hi = end < sirm_end ? end : sirm_end;
	c->outside_sirm = c->address < sirm || end > sirm_end;
	/* only bytes the capture holds are known; a truncated write leaves the rest unjudged */
	if (lo - c->address >= have)
		return;
	if (hi - c->address > have)
		hi = c->address + have;
	c->sirm_off = (uint8_t)(lo - sirm);
	c->sirm_len = (uint8_t)(hi - lo);
	memcpy(c->sirm_bytes, payload + (lo - c->address), c->sirm_len);

	if (m->stream_enabled && c->sirm_off + c->sirm_len > SIRM_MAX_LEADER_SIZE)
		report(m, HM_RULE_U3V_SIRM_WRITE_WHILE_ENABLED, t, w,
		       "WRITEMEM of SIRM+0x%02x..0x%02x while the stream is enabled", c->sirm_off,
		       c->sirm_off + c->sirm_len - 1);
	if (c->sirm_off <= SIRM_CONTROL && c->sirm_off + c->sirm_len > SIRM_CONTROL && !m->stream_enabled &&
	    (c->sirm_bytes[SIRM_CONTROL - c->sirm_off] & 1))
		judge_enable(m, t, w, c);
}

/* A new command's request id against the previous command's: +1, 0 skipped.
 * The same id again is a retry when the previous command got no successful ack. */
static void judge_request_id(struct host_monitor *m, uint64_t t, const struct who *w, const struct cmd *prev,
			     uint16_t id, bool restart)
{
	struct who wr = *w;

	if (restart || !prev || id == next_request_id(prev->id))
		return;
	if (id == prev->id && !(prev->state == CMD_DONE && prev->status == U3VCP_SUCCESS))
		return;
	wr.has_ref = true, wr.ref_seq = prev->seq;
	if (id == prev->id)
		report(m, HM_RULE_GENCP_REQUEST_ID, t, &wr, "request id %u reused after its command was acknowledged (expected %u)",
		       id, next_request_id(prev->id));
	else
		report(m, HM_RULE_GENCP_REQUEST_ID, t, &wr, "request id %u after %u (expected %u)", id, prev->id,
		       next_request_id(prev->id));
}

static void on_command(struct host_monitor *m, uint64_t t, const struct hm_urb *u, const uint8_t *d, size_t dlen)
{
	struct who w = urb_who(u->seq, u->ep);
	uint32_t len = u->length, max = known_max_cmd(m);
	struct cmd *prev = last_cmd(m), *c;
	bool restart;

	if (max && len > max)
		report(m, HM_RULE_GENCP_COMMAND_TOO_LONG, t, &w,
		       "command transfer of %" PRIu32 " bytes; SBRM Maximum Command Transfer Length is %" PRIu32, len, max);
	if (len < U3VCP_HEADER_SIZE) {
		report(m, HM_RULE_GENCP_MALFORMED, t, &w, "command transfer of %" PRIu32 " bytes is shorter than the 12-byte header",
		       len);
		return;
	}
	if (dlen < U3VCP_HEADER_SIZE)
		return;   /* a capture without the header: nothing to judge */
	if (get_le32(d) != U3VCP_PREFIX) {
		report(m, HM_RULE_GENCP_MALFORMED, t, &w, "prefix 0x%08" PRIx32 " is not U3VC", get_le32(d));
		return;
	}
	uint16_t flags = get_le16(d + 4), command = get_le16(d + 6), scd = get_le16(d + 8), id = get_le16(d + 10);
	if ((uint32_t)scd != len - U3VCP_HEADER_SIZE)
		report(m, HM_RULE_GENCP_MALFORMED, t, &w, "length field %u, but %" PRIu32 " bytes follow the header", scd,
		       len - U3VCP_HEADER_SIZE);
	else if (command == U3VCP_READMEM_CMD && scd != U3VCP_READMEM_SCD_SIZE)
		report(m, HM_RULE_GENCP_MALFORMED, t, &w, "READMEM with %u bytes of command data (12 expected)", scd);
	else if (command == U3VCP_WRITEMEM_CMD && scd < 8)
		report(m, HM_RULE_GENCP_MALFORMED, t, &w, "WRITEMEM with %u bytes of command data (8 + data expected)", scd);

	/* request ids (GenCP: +1 per new command, 0 skipped; resend and retry reuse it) */
	if ((flags & U3VCP_FLAG_RESEND) && prev && prev->id == id) {
		prev->seq = u->seq;
		prev->t = t;
		if (prev->state == CMD_VOID || prev->state == CMD_GAVE_UP)
			prev->state = CMD_SENT;
		m->gencp_restart = false;
		return;   /* the same command again, judged when first sent */
	}
	restart = m->gencp_restart || !prev || (since(t, prev->t) >= m->lim.session_gap_ns && !outstanding(m, prev, t));
	if (prev && (flags & U3VCP_FLAG_RESEND)) {
		struct who wr = w;
		wr.has_ref = true, wr.ref_seq = prev->seq;
		report(m, HM_RULE_GENCP_REQUEST_ID, t, &wr, "resend flag on request id %u, but the previous command had id %u",
		       id, prev->id);
	} else if (prev && outstanding(m, prev, t) && id == prev->id) {
		struct who wr = w;
		wr.has_ref = true, wr.ref_seq = prev->seq;
		report(m, HM_RULE_GENCP_REQUEST_ID, t, &wr,
		       "request id %u reused while the command that carried it awaits its ack", id);
	} else {
		if (prev && outstanding(m, prev, t)) {
			struct who wr = w;
			wr.has_ref = true, wr.ref_seq = prev->seq;
			report(m, HM_RULE_GENCP_OUTSTANDING, t, &wr,
			       "new command (id %u) while command id %u (sent %" PRIu64 " ns earlier) awaits its final ack", id,
			       prev->id, since(t, prev->t));
		}
		judge_request_id(m, t, &w, prev, id, restart);
	}
	m->gencp_restart = false;

	c = push_cmd(m);
	c->seq = u->seq;
	c->id = id;
	c->command = command;
	c->flags = flags;
	c->t = t;
	c->state = CMD_SENT;
	if (command == U3VCP_READMEM_CMD && scd == U3VCP_READMEM_SCD_SIZE && (uint32_t)scd == len - U3VCP_HEADER_SIZE &&
	    dlen >= U3VCP_HEADER_SIZE + U3VCP_READMEM_SCD_SIZE) {
		c->has_body = true;
		c->address = get_le64(d + 12);
		c->count = get_le16(d + 22);
		judge_readmem(m, t, &w, c);
	} else if (command == U3VCP_WRITEMEM_CMD && scd >= 8 && (uint32_t)scd == len - U3VCP_HEADER_SIZE &&
		   dlen >= U3VCP_HEADER_SIZE + 8) {
		c->has_body = true;
		c->address = get_le64(d + 12);
		c->count = scd - 8u;
		judge_writemem(m, t, &w, c, d + 20, dlen - 20);
	}
	if (!wants_ack(c)) {
		/* nothing will answer: it takes effect as sent */
		c->state = CMD_DONE;
		c->status = U3VCP_SUCCESS;
		if (c->command == U3VCP_WRITEMEM_CMD && c->has_body)
			apply_write(m, c);
	}
}

static void on_ack(struct host_monitor *m, uint64_t t, const struct pend *p, int status, uint32_t actual,
		   const uint8_t *d, size_t dlen)
{
	struct who w = urb_who(p->seq, p->ep);
	struct cmd *cur = last_cmd(m);

	if (status == ST_OVERFLOW) {
		if (cur && cur->command == U3VCP_READMEM_CMD && cur->has_body &&
		    (cur->state == CMD_SENT || cur->state == CMD_PENDING))
			report(m, HM_RULE_GENCP_ACK_BUFFER_SMALL, t, &w,
			       "ack babbled into a %" PRIu32 "-byte transfer; READMEM id %u of %" PRIu32 " bytes is answered with %" PRIu32,
			       p->length, cur->id, cur->count, cur->count + U3VCP_HEADER_SIZE);
		else
			report(m, HM_RULE_GENCP_ACK_BUFFER_SMALL, t, &w, "ack babbled into a %" PRIu32 "-byte transfer",
			       p->length);
		gave_up(m);   /* the ack is lost */
		return;
	}
	if (status != 0) {
		gave_up(m);
		return;
	}
	if (dlen < U3VCP_HEADER_SIZE || get_le32(d) != U3VCP_PREFIX)
		return;
	uint16_t ack_status = get_le16(d + 4), command = get_le16(d + 6), scd = get_le16(d + 8), id = get_le16(d + 10);
	if (actual == p->length && (uint32_t)U3VCP_HEADER_SIZE + scd > actual)
		report(m, HM_RULE_GENCP_ACK_BUFFER_SMALL, t, &w,
		       "ack of %" PRIu32 " bytes truncated to the %" PRIu32 "-byte transfer",
		       (uint32_t)U3VCP_HEADER_SIZE + scd, p->length);

	struct cmd *c = find_cmd(m, id);
	if (!c)
		return;
	if (command == U3VCP_PENDING_ACK) {
		uint32_t ms = dlen >= U3VCP_HEADER_SIZE + U3VCP_PENDING_ACK_SCD ? get_le16(d + 14) : 0;
		c->state = CMD_PENDING;
		c->deadline = add_sat(t, (uint64_t)ms * 1000000u);
		return;
	}
	if (c->state == CMD_DONE)
		return;   /* a repeated ack: its effects are in */
	c->state = CMD_DONE;
	c->status = ack_status;
	if (!c->has_body)
		return;
	if (c->command == U3VCP_READMEM_CMD && ack_status == U3VCP_SUCCESS) {
		size_t n = dlen - U3VCP_HEADER_SIZE;
		if (n > scd)
			n = scd;
		if (n > c->count)
			n = c->count;
		learn(m, c->address, d + U3VCP_HEADER_SIZE, n);
	} else if (c->command == U3VCP_WRITEMEM_CMD) {
		if (ack_status == U3VCP_WRITE_PROTECT && !c->ro_reported) {
			struct who wc = urb_who(c->seq, m->ep_cmd);
			wc.has_ref = true, wc.ref_seq = p->seq;
			report(m, HM_RULE_GENCP_WRITE_READONLY, t, &wc,
			       "WRITEMEM 0x%" PRIx64 "+%" PRIu32 " answered WRITE_PROTECT (request id %u)", c->address, c->count,
			       c->id);
			c->ro_reported = true;
		} else if (ack_status == U3VCP_SUCCESS) {
			apply_write(m, c);
		}
	}
}

/* ---- the stream ---- */

static bool is_sized_block(const uint8_t *d, size_t dlen, uint32_t actual, uint32_t magic)
{
	return dlen >= 8 && get_le32(d) == magic && get_le16(d + 6) == actual;
}

static bool in_sirm_sizes(const struct host_monitor *m, uint32_t len)
{
	static const unsigned regs[] = { SIRM_PAYLOAD_TRANSFER_SIZE, SIRM_FINAL_TRANSFER1_SIZE, SIRM_FINAL_TRANSFER2_SIZE,
					 SIRM_MAX_TRAILER_SIZE };

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (sirm_reg_written(m->sirm_written, regs[i]) && sirm_reg(m->sirm, regs[i]) == len)
			return true;
	return false;
}

static void on_stream(struct host_monitor *m, uint64_t t, const struct pend *p, int status, uint32_t actual,
		      const uint8_t *d, size_t dlen)
{
	struct who w = urb_who(p->seq, p->ep);

	if (status == ST_OVERFLOW) {
		if (m->phase == PH_LEADER) {
			/* the host's fault unless it gave at least the maximum leader it set itself */
			bool own = sirm_reg_written(m->sirm_written, SIRM_MAX_LEADER_SIZE);
			uint32_t max_leader = sirm_reg(m->sirm, SIRM_MAX_LEADER_SIZE), req = known_req_leader(m);
			if (!own || p->length < max_leader) {
				if (req)
					report(m, HM_RULE_U3V_BULK_IN_SIZE, t, &w,
					       "stream transfer of %" PRIu32 " bytes is too small for the leader (Required Leader Size %" PRIu32 "): babble",
					       p->length, req);
				else
					report(m, HM_RULE_U3V_BULK_IN_SIZE, t, &w,
					       "stream transfer of %" PRIu32 " bytes is too small for the leader: babble", p->length);
			}
		} else if (m->phase == PH_PAYLOAD && p->length % m->mps && !in_sirm_sizes(m, p->length)) {
			report(m, HM_RULE_U3V_BULK_IN_SIZE, t, &w,
			       "payload transfer of %" PRIu32 " bytes is not a multiple of the %u-byte max packet size and "
			       "is not the last of the block: babble",
			       p->length, (unsigned)m->mps);
		}
		m->phase = PH_UNKNOWN;   /* the device drops the rest of that frame */
		return;
	}
	if (status != 0 || actual == 0)
		return;
	if (is_sized_block(d, dlen, actual, U3VSP_LEADER_MAGIC)) {
		m->phase = PH_PAYLOAD;
		m->have_block = dlen >= 16;
		m->block = m->have_block ? get_le64(d + 8) : 0;
	} else if (is_sized_block(d, dlen, actual, U3VSP_TRAILER_MAGIC) &&
		   (m->phase != PH_PAYLOAD || !m->have_block || (dlen >= 16 && get_le64(d + 8) == m->block))) {
		m->phase = PH_LEADER;
	} else if (m->phase == PH_LEADER) {
		m->phase = PH_UNKNOWN;   /* out of step with the blocks: wait for the next leader */
	}
}

/* ---- descriptors: the U3V interfaces' endpoints ---- */

static void learn_endpoints(struct host_monitor *m, const uint8_t *d, size_t n)
{
	bool u3v = false;
	uint8_t proto = 0;

	for (size_t i = 0; i + 2 <= n;) {
		uint8_t bl = d[i], type = d[i + 1];
		if (bl < 2 || bl > n - i)
			break;
		if (type == DESC_INTERFACE && bl >= 9) {
			u3v = d[i + 5] == 0xEF && d[i + 6] == 0x05;   /* miscellaneous class, USB3 Vision subclass */
			proto = d[i + 7];
		} else if (type == DESC_ENDPOINT && bl >= 7 && u3v && (d[i + 3] & 3) == 2) {
			uint8_t addr = d[i + 2];
			bool in = addr & 0x80;
			if (proto == 0 && !in && !m->fixed_cmd && ep_ok(addr, false))
				m->ep_cmd = addr;
			else if (proto == 0 && in && !m->fixed_ack && ep_ok(addr, true))
				m->ep_ack = addr;
			else if (proto == 1 && in && !m->fixed_event && ep_ok(addr, true))
				m->ep_event = addr;
			else if (proto == 2 && in) {
				uint16_t mps = get_le16(d + i + 4) & 0x7FF;
				if (!m->fixed_stream && ep_ok(addr, true))
					m->ep_stream = addr;
				if (!m->fixed_mps && mps)
					m->mps = mps;
			}
		}
		i += bl;
	}
}

/* ---- halts ---- */

static void clear_halts(struct host_monitor *m) { memset(m->halt, 0, sizeof(m->halt)); }

static void on_control_submit(struct host_monitor *m, uint64_t t, const struct hm_urb *u)
{
	uint8_t bm = u->setup[0], req = u->setup[1];
	uint16_t value = get_le16(u->setup + 2), index = get_le16(u->setup + 4);

	m->gencp_restart = true;   /* EP0 traffic: a new host session may start here */
	if (bm == 0x02 && value == 0 && (req == REQ_CLEAR_FEATURE || req == REQ_SET_FEATURE)) {
		uint8_t ep = (uint8_t)index;
		unsigned i = ep_index(ep);
		if (req == REQ_CLEAR_FEATURE) {
			m->halt[i].halted = false;
			m->halt[i].reported = false;
			if (ep == m->ep_stream)
				m->phase = m->stream_enabled ? PH_LEADER : PH_UNKNOWN;   /* the pipe is reset */
		} else if (!m->halt[i].halted) {
			m->halt[i].halted = true;
			m->halt[i].reported = false;
			m->halt[i].t = t;
		}
	} else if ((bm == 0x00 && req == REQ_SET_CONFIGURATION) || (bm == 0x01 && req == REQ_SET_INTERFACE)) {
		clear_halts(m);   /* USB 3.2 9.1.1.5: endpoint state is reset */
		m->phase = PH_UNKNOWN;
	} else if (bm == RT_PORT && req == REQ_SET_FEATURE && value == PORT_FEAT_RESET) {
		clear_halts(m);
		m->stream_enabled = false;
		m->phase = PH_UNKNOWN;
	}
}

/* ---- unlinks ---- */

static void count_unlink(struct host_monitor *m, uint64_t t, const struct who *w)
{
	m->stats.unlinks++;
	m->unlink_t[(m->ring_head + m->ring_n) % m->ring_cap] = t;
	if (m->ring_n < m->ring_cap)
		m->ring_n++;
	else
		m->ring_head = (m->ring_head + 1) % m->ring_cap;
	bool storm = m->ring_n == m->ring_cap && since(t, m->unlink_t[m->ring_head]) <= m->lim.unlink_storm_window_ns;
	if (storm && !m->in_storm)
		report(m, HM_RULE_USBIP_UNLINK_STORM, t, w,
		       "%" PRIu32 " unlinks within %" PRIu64 " ns (more than %" PRIu32 " per %" PRIu64 " ns)", m->ring_cap,
		       since(t, m->unlink_t[m->ring_head]), m->lim.unlink_storm_count, m->lim.unlink_storm_window_ns);
	m->in_storm = storm;
}

/* ---- entry points ---- */

int host_monitor_submit(struct host_monitor *m, uint64_t t_ns, const struct hm_urb *u)
{
	size_t dlen;
	long i;

	if (!m || !u || (u->data_len && !u->data))
		return DFK_ERR_INVAL;
	m->stats.submits++;
	dlen = u->data_len < u->length ? u->data_len : u->length;

	i = pend_find(m, u->seq);
	if (i >= 0) {
		struct who w = urb_who(u->seq, u->ep);
		w.has_ref = true, w.ref_seq = u->seq;
		report(m, HM_RULE_USBIP_SEQNUM_REUSE, t_ns, &w,
		       "seq %" PRIu32 " submitted on ep 0x%02x while the URB with that seq (ep 0x%02x) is still pending", u->seq,
		       u->ep, m->tab[i].ep);
		pend_remove(m, (uint32_t)i);
	}
	if ((u->ep & 0x0F) && u->type != HM_XFER_CONTROL) {
		unsigned h = ep_index(u->ep);
		if (m->halt[h].halted && !m->halt[h].reported && since(t_ns, m->halt[h].t) >= m->lim.stall_grace_ns) {
			struct who w = urb_who(u->seq, u->ep);
			report(m, HM_RULE_USB_STALLED_ENDPOINT_REUSE, t_ns, &w,
			       "transfer on ep 0x%02x, halted %" PRIu64 " ns earlier, without ClearFeature(ENDPOINT_HALT)", u->ep,
			       since(t_ns, m->halt[h].t));
			m->halt[h].reported = true;   /* once per halt */
		}
	}
	struct pend p = { .ep = u->ep, .type = u->type, .seq = u->seq, .length = u->length, .t = t_ns };
	memcpy(p.setup, u->setup, sizeof(p.setup));
	if (!pend_insert(m, &p))
		m->stats.untracked_urbs++;

	if ((u->ep & 0x0F) == 0)
		on_control_submit(m, t_ns, u);
	else if (u->ep == m->ep_cmd && u->type == HM_XFER_BULK)
		on_command(m, t_ns, u, u->data, dlen);
	return DFK_OK;
}

int host_monitor_complete_partial(struct host_monitor *m, uint64_t t_ns, uint32_t seq, int status,
				  uint32_t actual_len, const uint8_t *data, size_t data_len)
{
	struct pend p;
	long i;

	if (!m || (data_len && !data))
		return DFK_ERR_INVAL;
	if (data_len > actual_len)
		data_len = actual_len;
	m->stats.completions++;
	i = pend_find(m, seq);
	if (i < 0) {
		m->stats.unknown_completions++;
		return DFK_OK;
	}
	p = m->tab[i];
	pend_remove(m, (uint32_t)i);
	if (data_len > p.length)
		data_len = p.length;

	if (status == ST_NOENT || status == ST_CONNRESET) {
		/* a cancelled URB, as usbmon shows it */
		struct who w = urb_who(p.seq, p.ep);
		count_unlink(m, t_ns, &w);
		if (p.ep == m->ep_ack)
			gave_up(m);
		return DFK_OK;
	}
	if (status == ST_PIPE && (p.ep & 0x0F) && p.type != HM_XFER_CONTROL) {
		unsigned h = ep_index(p.ep);
		if (!m->halt[h].halted) {
			m->halt[h].halted = true;
			m->halt[h].reported = false;
			m->halt[h].t = t_ns;
		}
	}
	if ((p.ep & 0x0F) == 0) {
		if (status == 0 && p.setup[0] == 0x80 && p.setup[1] == REQ_GET_DESCRIPTOR && p.setup[3] == DESC_CONFIGURATION)
			learn_endpoints(m, data, data_len);
	} else if (p.ep == m->ep_ack) {
		on_ack(m, t_ns, &p, status, actual_len, data, data_len);
	} else if (p.ep == m->ep_cmd) {
		struct cmd *c = last_cmd(m);
		if (status != 0 && c && c->seq == p.seq && c->state == CMD_SENT)
			c->state = CMD_VOID;   /* never delivered: nothing to wait for */
	} else if (p.ep == m->ep_stream) {
		on_stream(m, t_ns, &p, status, actual_len, data, data_len);
	}
	return DFK_OK;
}

int host_monitor_complete(struct host_monitor *m, uint64_t t_ns, uint32_t seq, int status, const uint8_t *data,
			  size_t len)
{
	/* OUT completions carry only the count: no data, nothing to read */
	return host_monitor_complete_partial(m, t_ns, seq, status, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len, data,
					     data ? len : 0);
}

int host_monitor_unlink(struct host_monitor *m, uint64_t t_ns, uint32_t seq)
{
	struct who w = { .seq = seq };
	long i;

	if (!m)
		return DFK_ERR_INVAL;
	i = pend_find(m, seq);
	if (i >= 0) {
		w = urb_who(seq, m->tab[i].ep);
		if (m->tab[i].ep == m->ep_ack)
			gave_up(m);
		pend_remove(m, (uint32_t)i);
	}
	count_unlink(m, t_ns, w.has_urb ? &w : NULL);
	return DFK_OK;
}

int host_monitor_disconnect(struct host_monitor *m, uint64_t t_ns)
{
	if (!m)
		return DFK_ERR_INVAL;
	m->stats.disconnects++;
	if (m->n_pend) {
		unsigned per_ep[N_EPS] = { 0 };
		const struct pend *oldest = NULL;
		for (uint32_t i = 0; i <= m->tab_mask; i++) {
			const struct pend *p = &m->tab[i];
			if (!p->used)
				continue;
			per_ep[ep_index(p->ep)]++;
			if (!oldest || p->t < oldest->t || (p->t == oldest->t && p->seq < oldest->seq))
				oldest = p;
		}
		char eps[120];
		size_t k = 0;
		eps[0] = '\0';
		for (unsigned e = 0; e < N_EPS && k < sizeof(eps); e++)
			if (per_ep[e])
				k += (size_t)snprintf(eps + k, sizeof(eps) - k, " %u on 0x%02x;", per_ep[e],
						      (e & 0x0F) | (e & 16 ? 0x80 : 0));
		struct who w = urb_who(oldest->seq, oldest->ep);
		report(m, HM_RULE_USBIP_PENDING_AT_DISCONNECT, t_ns, &w, "%" PRIu32 " URBs pending at disconnect:%s", m->n_pend,
		       eps);
	}
	/* the device powers down: forget the session and its volatile state */
	pend_clear(m);
	m->n_hist = 0;
	m->last = 0;
	m->gencp_restart = true;
	memset(m->sirm, 0, sizeof(m->sirm));
	m->sirm_written = 0;
	m->stream_enabled = false;
	m->phase = PH_UNKNOWN;
	m->have_block = false;
	clear_halts(m);
	m->ring_n = m->ring_head = 0;
	m->in_storm = false;
	m->req_payload = m->facts.required_payload;
	m->payload_valid = m->req_payload != 0;
	return DFK_OK;
}

int host_monitor_device_event(struct host_monitor *m, uint64_t t_ns, enum hm_device_event ev, uint64_t a)
{
	struct who w = { .ep = 0 };

	if (!m)
		return DFK_ERR_INVAL;
	w.ep = m->ep_stream;
	switch (ev) {
	case HM_DEV_FRAME_DROPPED:
		m->stats.device_events++;
		/* The host is to blame only if it left the stream endpoint without a
		 * transfer to fill: with one waiting, the link (not the host) was the
		 * bottleneck, as when triggers come faster than the link drains. */
		if (!stream_in_waiting(m))
			report(m, HM_RULE_U3V_FRAME_LOST_HOST_SLOW, t_ns, &w,
			       "frame %" PRIu64 " dropped: the frame memory was full and no bulk IN transfer was "
			       "waiting on the stream endpoint (the host did not read the stream in time)", a);
		return DFK_OK;
	case HM_DEV_ACQUISITION_START:
		m->stats.device_events++;
		if (!a)
			report(m, HM_RULE_U3V_ACQUISITION_STREAM_DISABLED, t_ns, &w,
			       "acquisition started with the stream channel disabled (SI Control bit 0 clear)");
		return DFK_OK;
	case HM_DEV_PAYLOAD_SIZE:
		m->stats.device_events++;
		m->req_payload = a;
		m->payload_valid = true;
		m->payload_live = true;
		return DFK_OK;
	}
	return DFK_ERR_INVAL;
}

/* ---- results ---- */

size_t host_monitor_violations(const struct host_monitor *m, const struct hm_violation **out)
{
	if (out)
		*out = m ? m->v : NULL;
	return m ? m->n_v : 0;
}

const struct hm_stats *host_monitor_stats(const struct host_monitor *m) { return m ? &m->stats : NULL; }

uint64_t host_monitor_rule_count(const struct host_monitor *m, enum hm_rule_id rule)
{
	return m && (unsigned)rule < HM_RULE_COUNT ? m->stats.per_rule[rule] : 0;
}

uint64_t host_monitor_errors(const struct host_monitor *m)
{
	const struct hm_rule *r = hm_rules(NULL);
	uint64_t n = 0;

	for (unsigned i = 0; m && i < HM_RULE_COUNT; i++)
		if (r[i].severity == HM_SEV_ERROR)
			n += m->stats.per_rule[i];
	return n;
}

void host_monitor_known(const struct host_monitor *m, struct hm_device_facts *out)
{
	uint64_t v;

	memset(out, 0, sizeof(*out));
	if (!m)
		return;
	out->max_cmd_transfer = known_max_cmd(m);
	out->max_ack_transfer = known_max_ack(m);
	out->max_response_ms = known_response_ms(m);
	if (known_sirm(m, &v))
		out->sirm_address = v;
	out->si_alignment = known_align(m);
	out->required_leader = known_req_leader(m);
	out->required_trailer = known_req_trailer(m);
	out->required_payload = m->payload_valid ? m->req_payload : 0;
	if (known_manifest(m, &v))
		out->manifest_address = v;
	if (known_manifest_count(m, &v))
		out->manifest_entries = v;
	if (m->facts.xml_size) {
		out->xml_address = m->facts.xml_address;
		out->xml_size = m->facts.xml_size;
	} else if (m->L.file[0].have_addr && m->L.file[0].have_size) {
		out->xml_address = m->L.file[0].addr;   /* entry 0: the device's GenICam file */
		out->xml_size = m->L.file[0].size;
	}
	out->readonly = m->ro;
	out->n_readonly = m->facts.n_readonly;
}

void host_monitor_endpoints(const struct host_monitor *m, uint8_t *command, uint8_t *ack, uint8_t *event,
			    uint8_t *stream, uint16_t *stream_max_packet)
{
	if (!m)
		return;
	if (command)
		*command = m->ep_cmd;
	if (ack)
		*ack = m->ep_ack;
	if (event)
		*event = m->ep_event;
	if (stream)
		*stream = m->ep_stream;
	if (stream_max_packet)
		*stream_max_packet = m->mps;
}

/* ---- reports ---- */

static void put_escaped_json(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
}

static void put_escaped_xml(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			/* detail text is ours and printable; keep XML 1.0 valid whatever happens */
			fputc((unsigned char)*s < 0x20 ? ' ' : *s, f);
		}
	}
}

static uint64_t count_severity(const struct host_monitor *m, enum hm_severity sev)
{
	const struct hm_rule *r = hm_rules(NULL);
	uint64_t n = 0;

	for (unsigned i = 0; i < HM_RULE_COUNT; i++)
		if (r[i].severity == sev)
			n += m->stats.per_rule[i];
	return n;
}

int host_monitor_write_json(const struct host_monitor *m, FILE *f)
{
	const struct hm_rule *r = hm_rules(NULL);
	uint64_t recorded[HM_RULE_COUNT] = { 0 };

	if (!m || !f)
		return DFK_ERR_INVAL;
	for (size_t i = 0; i < m->n_v; i++)
		recorded[m->v[i].rule]++;
	fprintf(f, "{\n  \"schema\": \"dfk-emu/host-monitor/1\",\n");
	fprintf(f,
		"  \"summary\": {\"errors\": %" PRIu64 ", \"warnings\": %" PRIu64 ", \"recorded\": %zu, \"not_recorded\": %" PRIu64
		", \"urbs\": %" PRIu64 ", \"untracked_urbs\": %" PRIu64 ", \"unlinks\": %" PRIu64 ", \"disconnects\": %" PRIu64 "},\n",
		count_severity(m, HM_SEV_ERROR), count_severity(m, HM_SEV_WARNING), m->n_v, m->stats.not_recorded,
		m->stats.submits, m->stats.untracked_urbs, m->stats.unlinks, m->stats.disconnects);
	fprintf(f, "  \"rules\": [\n");
	for (unsigned i = 0; i < HM_RULE_COUNT; i++) {
		fprintf(f, "    {\"id\": \"%s\", \"section\": \"", r[i].id);
		put_escaped_json(f, r[i].section);
		fprintf(f, "\", \"severity\": \"%s\", \"offline\": %s, \"count\": %" PRIu64 ", \"recorded\": %" PRIu64 "}%s\n",
			hm_severity_name(r[i].severity), r[i].offline ? "true" : "false", m->stats.per_rule[i], recorded[i],
			i + 1 < HM_RULE_COUNT ? "," : "");
	}
	fprintf(f, "  ],\n  \"violations\": [\n");
	for (size_t i = 0; i < m->n_v; i++) {
		const struct hm_violation *v = &m->v[i];
		fprintf(f, "    {\"rule\": \"%s\", \"severity\": \"%s\", \"t_ns\": %" PRIu64 ", ", r[v->rule].id,
			hm_severity_name(r[v->rule].severity), v->t_ns);
		if (v->has_urb)
			fprintf(f, "\"seq\": %" PRIu32 ", \"ep\": \"0x%02x\", ", v->seq, v->ep);
		else
			fprintf(f, "\"seq\": null, \"ep\": null, ");
		if (v->has_ref)
			fprintf(f, "\"ref_seq\": %" PRIu32 ", ", v->ref_seq);
		fprintf(f, "\"detail\": \"");
		put_escaped_json(f, v->detail);
		fprintf(f, "\"}%s\n", i + 1 < m->n_v ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	return ferror(f) ? DFK_ERR_IO : DFK_OK;
}

/* JUnit class of a rule: its id up to the first '-' (gencp, u3v, usb, usbip). */
static void put_class(FILE *f, const char *id)
{
	fputs("host-monitor.", f);
	for (; *id && *id != '-'; id++)
		fputc(*id, f);
}

int host_monitor_write_junit(const struct host_monitor *m, FILE *f)
{
	const struct hm_rule *r = hm_rules(NULL);
	unsigned failures = 0, skipped = 0;
	bool fails[HM_RULE_COUNT], skips[HM_RULE_COUNT];

	if (!m || !f)
		return DFK_ERR_INVAL;
	for (unsigned i = 0; i < HM_RULE_COUNT; i++) {
		bool counted = m->stats.per_rule[i] > 0;
		fails[i] = counted && (r[i].severity == HM_SEV_ERROR || m->junit_warnings_fail);
		skips[i] = !counted && !r[i].offline && m->offline;
		failures += fails[i];
		skipped += skips[i];
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"host-monitor\" tests=\"%u\" failures=\"%u\" errors=\"0\" skipped=\"%u\">\n",
		(unsigned)HM_RULE_COUNT, failures, skipped);
	fprintf(f, "  <testsuite name=\"host-monitor\" tests=\"%u\" failures=\"%u\" errors=\"0\" skipped=\"%u\">\n",
		(unsigned)HM_RULE_COUNT, failures, skipped);
	for (unsigned i = 0; i < HM_RULE_COUNT; i++) {
		uint64_t n = m->stats.per_rule[i], listed = 0;
		fputs("    <testcase classname=\"", f);
		put_class(f, r[i].id);
		fprintf(f, "\" name=\"%s\"", r[i].id);
		if (!n && !skips[i]) {
			fputs("/>\n", f);
			continue;
		}
		fputs(">\n", f);
		if (skips[i]) {
			fputs("      <skipped message=\"live only: judged from device events, none in an offline capture\"/>\n", f);
			fputs("    </testcase>\n", f);
			continue;
		}
		/* failed (error, or warning made fatal), else a passing case that lists its warnings */
		if (fails[i]) {
			fprintf(f, "      <failure type=\"%s\" message=\"%" PRIu64 " violation%s: ", hm_severity_name(r[i].severity),
				n, n == 1 ? "" : "s");
			put_escaped_xml(f, r[i].text);
			fputs(" (", f);
			put_escaped_xml(f, r[i].section);
			fputs(")\">", f);
		} else {
			fputs("      <system-out>", f);
		}
		for (size_t k = 0; k < m->n_v; k++) {
			const struct hm_violation *v = &m->v[k];
			if (v->rule != i)
				continue;
			fprintf(f, "%s: t=%" PRIu64 " ns", hm_severity_name(r[i].severity), v->t_ns);
			if (v->has_urb)
				fprintf(f, " seq=%" PRIu32 " ep=0x%02x", v->seq, v->ep);
			if (v->has_ref)
				fprintf(f, " ref_seq=%" PRIu32, v->ref_seq);
			fputs(": ", f);
			put_escaped_xml(f, v->detail);
			fputc('\n', f);
			listed++;
		}
		if (listed < n)
			fprintf(f, "... and %" PRIu64 " more, not recorded (max_violations)\n", n - listed);
		fputs(fails[i] ? "</failure>\n" : "</system-out>\n", f);
		fputs("    </testcase>\n", f);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
	return ferror(f) ? DFK_ERR_IO : DFK_OK;
}
