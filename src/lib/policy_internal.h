/* policy_internal.h — what the policy loader shares with its checker. (internal) */
#ifndef MAMORI_POLICY_INTERNAL_H
#define MAMORI_POLICY_INTERNAL_H

#include "arena.h"
#include "mamori/diag.h"
#include "mamori/policy.h"

#include <stdarg.h>

/* The arena that owns a policy is allocated just before it. */
struct policy_box {
	struct mamori_arena arena;
	struct mamori_policy policy;
};

/*
 * Checks the resolved policy's meaning: required sections, references between
 * elements, cycles, level order, vocabulary ids, and suspicious-but-legal input
 * (warnings).  Appends to diags.  Never fails on partially-read input: fields
 * left NULL by earlier errors are skipped.
 */
void mamori_policy_validate(const struct mamori_policy *p, struct mamori_diags *diags);

/* The checks of records: (policy_records.c): field types and choices, one
 * initial state and a final one, transitions between known states by known
 * roles or relations, deadlines and escalation. */
void policy_check_records(const struct mamori_policy *p, struct mamori_diags *diags);

/* The checks of the network layer (policy_net.c): segments' networks and
 * gateways well formed, no address in two segments, a gateway inside its
 * segment, and a path on the network for every flow of segments that have one. */
void policy_check_network(const struct mamori_policy *p, struct mamori_diags *diags);

/* The checks of review.checklist (entries that add an item have text and
 * clause, drops name a derived item, applies_to names roles or 課) and of
 * review.risk (scales from 1 without gaps, accept within them): checklist.c. */
void policy_check_review(const struct mamori_policy *p, struct mamori_diags *diags);

/* The names `document.sections[].include` accepts, NULL-terminated. */
extern const char *const mamori_policy_includes[];

/*
 * Adds a problem of the policy to diags at pos (at fallback when pos names no
 * file): prefix (already in the reader's language; "" for none) then fmt,
 * translated and formatted with ap.  Every checker's check_report — the
 * keyword xgettext marks — ends here, so the problems read alike.
 */
void policy_report(struct mamori_diags *diags, enum mamori_severity sev, const struct mamori_srcpos *pos,
    const struct mamori_srcpos *fallback, const char *prefix, const char *fmt, va_list ap);

#endif
