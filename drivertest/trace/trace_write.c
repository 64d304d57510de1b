/* SPDX-License-Identifier: MIT */
/* Writing a golden trace (docs/traces.md): what trace_load() reads back as the
 * same trace. */
#include <inttypes.h>
#include <stdio.h>

#include "trace_impl.h"

int trace_write_golden(FILE *f, const struct trace *t)
{
	if (t->type == TRACE_VCD)
		return -1;
	fprintf(f, "dfk-golden 1\n");
	if (t->scenario[0])
		fprintf(f, "scenario %s\n", t->scenario);
	if (t->has_tolerance)
		fprintf(f, "tolerance-ns %" PRIu64 "\n", t->tolerance_ns);
	if (t->align[0])
		fprintf(f, "align %s\n", t->align);
	for (size_t i = 0; i < t->n_notes; i++)
		fprintf(f, "note %s\n", t->notes[i]);
	for (size_t i = 0; i < t->n_edges; i++) {
		const struct trace_edge *e = &t->edges[i];
		fprintf(f, "dev %" PRIu64 " %" PRIu64 " %s %" PRId64 " %" PRId64 "%s%s\n", e->seq, e->t, t->names[e->name],
			e->a, e->b, e->reason ? " " : "", e->reason ? t->names[e->reason - 1] : "");
	}
	for (size_t i = 0; i < t->n_host; i++)
		fprintf(f, "host %" PRIu64 " %s\n", t->host[i].t, t->host[i].text);
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
