/*
 * mamori/review.h — 評価・見直し (基本方針 7, 8): the checklist derived from the
 * policy itself, the answers of 自己点検 campaigns and of 監査 per item and
 * 課, the risk register's heat map, and what a 見直し gathers.  Campaigns,
 * audits, findings, risks and reviews are records of the kinds self-check,
 * audit, finding, risk and review (mamori/record.h); this module adds what
 * the records engine does not keep: the items, the answers (table
 * check_answer, written through the store's write path with the event
 * check.answer), and the figures read from them.  docs/review.md.
 *
 * Item ids are derived from the ids of the policy's elements, so that an
 * answer keeps its item across a policy replacement that keeps the element:
 *   restriction.<axis>.<level>.<restriction>   restriction.confidentiality.3.encrypt-in-transit
 *   segment.<segment>.<requirement>            segment.lgwan.path-separation
 *   role.<role>.duty.<n>                       role.security-manager.duty.2 (n from 1)
 *   measure.<measure>                          measure.physical
 *   record.<kind>                              record.incident
 * and the ids a policy's review.checklist adds.
 */
#ifndef MAMORI_REVIEW_H
#define MAMORI_REVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "mamori/diag.h"
#include "mamori/error.h"
#include "mamori/policy.h"
#include "mamori/store.h"

/* One question of the checklist.  Its strings live as long as both the checklist and the policy it was built from. */
struct mamori_check_item {
	const char *id;		/* stable, see above */
	const char *source;	/* restriction, segment, role, measure, record or policy (added by review.checklist) */
	const char *text;	/* the question, in the policy's words */
	const char *clause;	/* as written in the policy */
	const char **applies_to;	/* role ids and department ids; none: the organisation as a whole */
	size_t napplies_to;
	bool department;	/* asked of each 課 in a 自己点検 (applies to a role of scope department or names a 課) */
};

struct mamori_checklist {
	struct mamori_check_item *items;
	size_t n;
	struct mamori_arena_owner *owner;	/* (internal) what the strings live in */
};

/*
 * Derives the checklist of policy p (which must outlive it): one item per 取扱制限 of each level, per
 * requirement of each segment, per duty of each role, per measure and per
 * record kind, in the policy's order, then review.checklist applied (an entry
 * with a derived id rewords it or, with drop, leaves it out; a new id is added
 * at the end).  Returns 0 and *out (free with mamori_checklist_free), or
 * MAMORI_E_NOMEM.  An entry that adds an item without text or clause is left
 * out here; policy check reports it (policy_check_checklist).
 */
int mamori_checklist_build(const struct mamori_policy *p, struct mamori_checklist **out, struct mamori_error *err);
void mamori_checklist_free(struct mamori_checklist **c);

/* The item with this id, or NULL. */
const struct mamori_check_item *mamori_checklist_find(const struct mamori_checklist *c, const char *id);

/* Whether item is asked of 課 department (applies to it, or to a role of scope department). */
bool mamori_checklist_asks(const struct mamori_policy *p, const struct mamori_check_item *item, const char *department);

/* The checklist as a JSON array of {id, source, text, clause, applies_to, department} (caller deletes); NULL: no memory. */
cJSON *mamori_checklist_json(const struct mamori_checklist *c);

/* The answers to an item, in their stored words. */
#define MAMORI_CHECK_ANSWERS "conform partial nonconform na"

/*
 * Answers item (an id of the checklist of the store's policy) for 課
 * department in record (a self-check campaign in state running, or an audit
 * in state fieldwork) as the account by: answer one of conform (適合),
 * partial (一部適合), nonconform (不適合), na (該当なし), or their titles;
 * comment (may be NULL, at most 4000 bytes); evidence a JSON object (may be
 * NULL) with files (numbers of the record's files), assets (asset ids) and
 * seq (audit-trail sequence numbers), each checked to exist.  Who may: for a
 * self-check, an account of that 課, or one whose role has scope all and may
 * write (the 統括 on a 課's behalf); for an audit, one of its auditors.  The
 * department must be one the record names, the item one asked of it.  A
 * second answer replaces the first; each is an event check.answer (object:
 * the record; before and after: the answers).  MAMORI_E_DENIED,
 * MAMORI_E_INVALID, MAMORI_E_NOTFOUND with a message saying why.
 */
int mamori_check_answer(struct mamori_store *s, const char *actor, const char *by, const char *record,
    const char *department, const char *item, const char *answer, const char *comment, const cJSON *evidence,
    time_t now, struct mamori_error *err);

/*
 * The answer sheet of record (self-check or audit) for department, as JSON
 * (caller deletes): {record, kind, department, department_title, items:
 * [{id, text, clause, answer (null when none), answer_title, comment,
 * evidence, by, at, prefill}]}.  prefill is what mamori can say from what it
 * holds itself (the register): {text, assets, ok} for the items of storage
 * and disposal restrictions, else null.  Every item asked of the 課 under
 * the store's policy now; answers to items the policy no longer has are in
 * "orphans".
 */
int mamori_check_sheet(struct mamori_store *s, const char *record, const char *department, cJSON **out,
    struct mamori_error *err);

/*
 * The progress of record (self-check or audit) per 課, as JSON (caller
 * deletes): {record, kind, state, due, departments: [{department, title,
 * items, answered, conform, partial, nonconform, na}], items, answered}.
 */
int mamori_check_progress(struct mamori_store *s, const char *record, cJSON **out, struct mamori_error *err);

/*
 * Reminders of the self-check campaigns in state running, as of now: each
 * 課 with unanswered items has its 情報セキュリティ管理者 (accounts of the 課
 * with role security-manager) told once when the campaign runs
 * (check.start), once within 7 days before its due date (check.due-soon) and
 * once after it (check.overdue), through the records' outbox (mailed like
 * every notice).  And the follow-up of findings: a finding not yet
 * corrected (raised, planned) whose due date has passed is told once to its
 * 課's 情報セキュリティ管理者 and to who raised it (finding.overdue).  Each
 * batch of notices is an event check.remind on its record.  Idempotent.
 * *notices: how many were written.
 */
int mamori_check_remind(struct mamori_store *s, const char *actor, time_t now, size_t *notices,
    struct mamori_error *err);

/*
 * Whether the account by may read the sheets and progress of record (a
 * self-check or an audit): who may see the record (mamori_record_may_see),
 * an account of a 課 a self-check covers, an auditor of an audit.
 */
bool mamori_check_may_see(struct mamori_store *s, const char *by, const char *record);

/*
 * The risk register as a heat map, as JSON (caller deletes): {likelihood:
 * [{level, title, criteria}], impact: [...], accept, cells: [{likelihood,
 * impact, inherent, residual}] (counts of the risks not retired, by their
 * inherent rating and by their residual one where rated), risks: [{id,
 * state, threat, threat_title, asset_kind, department, segment, likelihood,
 * impact, inherent, residual_likelihood, residual_impact, residual,
 * treatment, owner, related, over_accept}]}.  The scales are review.risk's,
 * else 1–5 each.
 */
int mamori_risk_matrix(struct mamori_store *s, cJSON **out, struct mamori_error *err);

/* The same, of the risks the account by may see (mamori_record_may_see) only: for the web's リスク screen. */
int mamori_risk_matrix_for(struct mamori_store *s, const char *by, cJSON **out, struct mamori_error *err);

/*
 * What review record id gathers for its period (period_from..period_until,
 * by the records' creation in the organisation's zone), as JSON (caller
 * deletes): {review, period_from, period_until, findings: {count,
 * by_state, by_severity, open, records: [...]}, incidents: {count,
 * by_state, records}, risks: {count, changed: [{id, inherent, residual,
 * state}]}, self_checks: [{id, year, progress}], audits: [{id, year,
 * state}], policy: {id, version}, next_review}.
 */
int mamori_review_gather(struct mamori_store *s, const char *id, cJSON **out, struct mamori_error *err);

/*
 * When the next 見直し is due: the last review record that ended (applied or
 * unchanged) — else the policy in force's loading — plus
 * review.policy_review.interval_months (12 when absent), as YYYY-MM-DD in
 * out.
 */
int mamori_review_next(struct mamori_store *s, char out[11], struct mamori_error *err);

/*
 * Checks a proposed replacement of the policy against review record id
 * before `policy replace --review`: the record must be of kind review, in
 * state approved, and its proposal file must be the bytes buf..len (same
 * SHA-256).  MAMORI_E_INVALID / MAMORI_E_NOTFOUND with the reason.
 */
int mamori_review_check_proposal(struct mamori_store *s, const char *id, const char *buf, size_t len,
    struct mamori_error *err);

#endif
