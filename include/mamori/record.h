/*
 * mamori/record.h — records and workflows declared in the policy's `records:`
 * (事故報告, 持ち出し申請, 例外措置 …): one engine for every kind.  A record has
 * fields checked against its kind, a state of its kind's workflow, the account
 * that made it (the reporter) and its 課; it moves only along a declared
 * transition, taken by someone the transition names (a role, or the record's
 * reporter, owner or approver), by a second person where the policy asks for
 * one, and only with the fields its next state requires.  Every change goes
 * through the store's single write path with its audit event (record.create,
 * record.move, record.comment, record.escalate), and a record's history is
 * read back from the trail.  Who is told what goes to an outbox of notices.
 * Times are given by the caller (now), so that deadlines can be tested with a
 * clock the test controls.  docs/records.md.
 */
#ifndef MAMORI_RECORD_H
#define MAMORI_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "mamori/decide.h"
#include "mamori/diag.h"
#include "mamori/error.h"
#include "mamori/policy.h"
#include "mamori/store.h"

/* The longest record id: a prefix of up to 12 characters, '-', six or more digits. */
#define MAMORI_RECORD_ID_MAX 32

/* The kind of policy p with this id or title, or NULL. */
const struct mamori_record_kind *mamori_record_kind_find(const struct mamori_policy *p, const char *name);

/*
 * Checks fields (a JSON object: field id or title → value) against kind and
 * returns the record's fields as stored: ids as keys; values normalised —
 * dates YYYY-MM-DD (和暦 and the other forms of mamori/date.h read), date-times
 * RFC 3339 UTC (read in the organisation's zone), choices, 課, roles, threats,
 * segments by id (titles accepted), assets and accounts checked to exist,
 * lists for `multiple` fields (a JSON array, or one string with commas or
 * 、).  Empty strings are left out.  with_required: every required field must
 * be there (a new record).  Each problem goes to problems with the field id as
 * its file ("summary: required").  Returns NULL when there is a problem or
 * memory runs out (err says which).
 */
cJSON *mamori_record_check_fields(struct mamori_store *s, const struct mamori_record_kind *kind,
    const cJSON *fields, bool with_required, struct mamori_diags *problems, struct mamori_error *err);

/*
 * Makes a record of kind (id or title) with fields, reported by the account
 * by (which must exist and be enabled; the event's actor is actor, the
 * program and channel — "web:tanaka@10.0.0.5" —, and its body names by), in the kind's initial state, as of
 * now.  The reporter's 課 becomes the record's.  Notifies whom the initial
 * state names.  Writes its id (INC-000001) to id.  MAMORI_E_INVALID with
 * problems filled when a field is wrong, MAMORI_E_NOTFOUND for an unknown kind
 * or account, MAMORI_E_DENIED for a disabled one.
 */
int mamori_record_create(struct mamori_store *s, const char *actor, const char *by, const char *kind, const cJSON *fields,
    time_t now, char id[MAMORI_RECORD_ID_MAX], struct mamori_diags *problems, struct mamori_error *err);

/*
 * Moves record id to state to (an id or title) for the account by, with an
 * optional note and fields to set on the way (set: as for
 * mamori_record_check_fields; NULL: none).  Refused with MAMORI_E_DENIED and a
 * message that says why and who may when by may not take the step (not in
 * the transition's by, another 課's record for a role of scope department,
 * the same person as the step before where a second person is required, an
 * automatic step); MAMORI_E_INVALID when there is no such step from the
 * current state (the message lists the possible ones) or a field the next
 * state requires is empty (problems name it); MAMORI_E_NOTFOUND for an
 * unknown record.  Notifies whom the next state names.
 */
int mamori_record_move(struct mamori_store *s, const char *actor, const char *by, const char *id, const char *to,
    const char *note, const cJSON *set, time_t now, struct mamori_diags *problems, struct mamori_error *err);

/* One step of mamori_record_move_many: record id into state to (id or title), with an optional note. */
struct mamori_record_step {
	const char *id, *to, *note;
};

/*
 * Takes n steps, each as mamori_record_move would for the account by, in one
 * transaction: all of them or, at the first refusal, none (its index in
 * *failed_at, the reason in err and problems).  One commit for the lot is
 * what makes thousands of steps a second possible (bench/README.md): each
 * commit of the store waits for the disk.
 */
int mamori_record_move_many(struct mamori_store *s, const char *actor, const char *by,
    const struct mamori_record_step *steps, size_t n, time_t now, struct mamori_diags *problems, size_t *failed_at,
    struct mamori_error *err);

/* Adds a comment (1–4000 bytes) by the account by to record id: an event of its history. */
int mamori_record_comment(struct mamori_store *s, const char *actor, const char *by, const char *id, const char *text,
    struct mamori_error *err);

/*
 * Whether the account by may see record id's kind at all (anyone may report;
 * seeing others' records takes a role some step of the kind names, or one it
 * reports up to, or the audit trail's readers), and record rec (a JSON from
 * mamori_record_get) in particular (their own, or as above — a role of scope
 * department within its 課).
 */
bool mamori_record_may_see(struct mamori_store *s, const char *by, const cJSON *rec);

/*
 * The record as JSON (caller deletes): id, kind, kind_title, state,
 * state_title, final, reporter, department, fields, created, updated,
 * state_since, deadline (when the state has one), escalations, last_by,
 * approver, files (mamori_record_files: num, name, type, size, sha256, by,
 * created); with history set, also history (from the audit trail: seq, time,
 * actor, action, from, to, transition, note, fields set; for a file: file,
 * name, size, sha256); with asker set, the
 * moves asker may take now (id, title, to, to_title).  MAMORI_E_NOTFOUND when
 * there is none.
 */
int mamori_record_get(struct mamori_store *s, const char *id, bool history, const char *asker,
    cJSON **out, struct mamori_error *err);

/* Which records a list shows; NULL / 0 fields match any. */
struct mamori_record_filter {
	const char *kind;	/* id or title */
	const char *state;	/* id or title; "open" for every state that is not final */
	const char *reporter;
	const char *visible_to;	/* only records this account may see */
	int64_t before;		/* keyset: records made before the one numbered this (newest first) */
	size_t limit;		/* 0: 50; at most 1000 */
};

/*
 * The records matching f, newest first, as a JSON object {"records": [...],
 * "next": N or null}: each record as mamori_record_get without history.
 */
int mamori_record_list(struct mamori_store *s, const struct mamori_record_filter *f, cJSON **out,
    struct mamori_error *err);

/*
 * The records of the list f (its kind must be named; limit and before are
 * ignored: every matching record, newest first) as CSV — UTF-8 with a BOM, or
 * CP932 (encoding "cp932") — or as an XLSX workbook at path: one row per
 * record, columns 番号 (id), 状態 (the state's title), 報告者, 作成日時 and
 * 更新日時 (the organisation's time, RFC 3339), then every field of the kind
 * under its title, as a person reads it: titles for what the policy names,
 * lists joined with 「、」 as the import splits them.  A character CP932
 * cannot write refuses the CSV with the record's id (MAMORI_E_INVALID).
 */
int mamori_record_export_csv(struct mamori_store *s, const struct mamori_record_filter *f, const char *encoding,
    FILE *out, struct mamori_error *err);
int mamori_record_export_xlsx(struct mamori_store *s, const struct mamori_record_filter *f, const char *path,
    struct mamori_error *err);

/* How mamori_record_import reads a file. */
struct mamori_record_import_opts {
	const char *encoding;	/* NULL: UTF-8 when it is valid UTF-8, else CP932; or "utf-8", "cp932" */
	bool dry_run;		/* check every row, store nothing */
	void (*progress)(size_t done, size_t total);	/* every 10,000 records written, or NULL */
	time_t now;		/* when the records are made (their state's start); 0: the clock */
};

/*
 * Imports a file of records of kind (id or title), every row a new record
 * reported by the account by, in the kind's initial state: name is the
 * file's name for messages, bytes its content (malloc'd, len bytes with room
 * for a NUL after them; taken over and freed).  The header is the first of
 * the first 30 rows that names every required field (by title or id; a title
 * above it is skipped, as for the register); columns the kind lacks (備考 …)
 * and those only an export writes (番号, 報告者, 作成日時, 更新日時) are not
 * imported, all named in one warning; a 状態 column may only name the
 * initial state (records come in at their start: docs/records.md says why).
 * Every field is checked as mamori_record_create checks it.  All or nothing:
 * any problem (each in diags as "FILE: row N, column TITLE: …") and nothing is
 * stored; the records are written in one transaction, their events naming
 * the file.  *count: the records imported (or, dry run, that would be).
 */
int mamori_record_import(struct mamori_store *s, const char *actor, const char *by, const char *kind,
    const char *name, char *bytes, size_t len, const struct mamori_record_import_opts *opts,
    struct mamori_diags *diags, size_t *count, struct mamori_error *err);

/* What mamori_record_tick did. */
struct mamori_record_tick {
	size_t escalated;	/* deadlines missed: escalations recorded */
	size_t automatic;	/* automatic steps taken (期限切れ) */
	size_t notices;		/* notices put in the outbox */
	size_t inactive;	/* accounts a record relies on found disabled (active_accounts), each told once */
};

/*
 * Acts on time as of now, as actor: every open record whose state's deadline
 * has passed is escalated — the next role up (`reports_to` of the roles that
 * may take the record on, once more for each deadline missed again, or the
 * role the state names) is notified and the escalation recorded as an event;
 * every automatic step whose date field lies before today (in the
 * organisation's zone) is taken; every account a record relies on
 * (active_accounts: an SNS account's 責任者) that is disabled is told to the
 * roles it names, once per record and account (event record.account-inactive).
 * Idempotent: running it twice at the same now does nothing the second time.
 */
int mamori_record_tick(struct mamori_store *s, const char *actor, time_t now, struct mamori_record_tick *out,
    struct mamori_error *err);

/*
 * The notices of the outbox for account (NULL: every account), newest first,
 * as a JSON array: id, record, recipient, reason, created, sent (null until
 * sent), and by mail (mamori/mail.h) attempts, error (the last failure's, or
 * why it waits; null when none) and next_attempt (null once sent or before
 * any attempt).  limit 0: 50.
 */
int mamori_record_notices(struct mamori_store *s, const char *account, size_t limit, cJSON **out,
    struct mamori_error *err);

/*
 * What records mean to the decision point.  A hook for mamori_decide_json_hooked
 * (mamori/decide.h): ctx must point at a struct mamori_record_decide with s, d
 * and now set and the rest zero (one context per clock: today is read once);
 * the answer's texts point into it, so it must outlive the response.  An approval (context.approval naming a record of a kind whose
 * effect is an approval of the action) in force — approved, naming the asset,
 * made by the subject, today between its from and until — lets the subject
 * act as the approver's role would (the other rules still apply); without a
 * valid one the answer says the approval is needed, citing the kind's clause.
 * A denied request that an exception in force matches is allowed, with the
 * exception's measures as the obligation and the exception named in the
 * reasons.
 */
struct mamori_record_decide {
	struct mamori_store *s;
	const struct mamori_decider *d;
	time_t now;
	char texts[6][512];	/* the answer's texts that are not the policy's */
	char today[11];		/* now's date in the organisation's zone, once known */
	struct record_in_force *in_force;	/* the exceptions in force, as last read */
	struct record_registers *registers;	/* the terminals and the services, as last read */
	const struct mamori_record_kind *mismatch;	/* the terminal register that contradicted the request */
};

void mamori_record_decide_hook(void *ctx, const struct mamori_decide_request *req, struct mamori_decision *dec);

/*
 * The hook's first half (mamori_decide_hook's before), with the same ctx: a
 * request naming subject.terminal.id is judged on the terminal register (the
 * kind whose effect is a terminal): its segment, issued and mfa replace the
 * caller's, and a claim of the caller's that differs from the register makes
 * the answer a deny (terminal-mismatch) whatever else holds.  A terminal not
 * in force in the register is an error naming subject.terminal.id (false).
 * The second half then applies the limits of the register a request's
 * context.service names (a cloud service, an SNS account): an action the
 * limit lists on an asset above its level is denied (limit-exceeded), and so
 * is one from another segment than the service is reached from; a service
 * not in the registers is an error naming context.service.
 */
bool mamori_record_decide_before(void *ctx, struct mamori_decide_request *req, struct mamori_decision *dec);

/*
 * Frees what the hook keeps in c between decisions (the exceptions in force,
 * read once and again only after another connection committed, PRAGMA
 * data_version).  A context serves reads only: a record written through the
 * same connection is seen by a new context, not by this one.
 */
void mamori_record_decide_clear(struct mamori_record_decide *c);

#endif
