/* record_internal.h — what the record modules share. (internal) */
#ifndef MAMORI_RECORD_INTERNAL_H
#define MAMORI_RECORD_INTERNAL_H

#include "mamori/record.h"

/* The field or state of kind k with this id or title, or NULL. */
const struct mamori_record_field *record_field_find(const struct mamori_record_kind *k, const char *name);
const struct mamori_record_state *record_state_find(const struct mamori_record_kind *k, const char *name);

/* Whether problems, from index from on, already name field. */
bool record_has_problem(const struct mamori_diags *problems, size_t from, const char *field);

/* t as 2026-12-05T10:40:00Z in out (32 bytes); returns out. */
char *record_utc(time_t t, char out[32]);

/* A deadline such as 30m, 4h, 3d in seconds; 0 for none or a malformed one. */
long record_deadline_seconds(const char *deadline);

/*
 * Puts a notice for every account that names stands for (role ids: holders of
 * the role in department first, else anywhere; reporter, approver: that
 * account) into the outbox, inside tx.  Counts them in *n when n is not NULL.
 */
struct mamori_store_tx;
int record_notify(struct mamori_store_tx *tx, const cJSON *rec, const char *const *names, size_t nnames,
    const char *reason, size_t *n);

/* The date of now in the policy's zone (organisation.timezone), YYYY-MM-DD. */
void record_local_date(const struct mamori_policy *p, time_t now, char out[11]);

/*
 * Takes transition t of rec (read in this transaction) as actor (an account
 * name, or NULL for mamori's own automatic step): the row, the event, the
 * notices.  set: checked fields to set on the way, or NULL.  Refuses when a
 * field the next state requires is empty (problems name it).
 */
int record_take(struct mamori_store_tx *tx, const struct mamori_record_kind *k, cJSON *rec,
    const struct mamori_record_transition *t, const char *actor, const char *note, const cJSON *set,
    time_t now, struct mamori_diags *problems, struct mamori_error *err);

/* The record row as JSON (see mamori_record_get), read inside or outside a transaction. */
int record_read(struct mamori_store *s, const char *id, cJSON **out, struct mamori_error *err);

/* A record as the backend stored it (store_ops_record.h) as JSON (see mamori_record_get); the caller deletes. */
struct store_record_row;
cJSON *record_row_json(struct mamori_store *s, const struct store_record_row *row);

/*
 * Which records of kind k account u may see besides its own (those it
 * reported or approved): every one (a role some step names or one they report
 * up to, or a reader of every 課), those of its 課 (such a role of scope
 * department), or none.  The one rule behind mamori_record_may_see and the
 * list's SQL (record_list.c).
 */
struct mamori_user;
enum record_vis { RECORD_VIS_OWN, RECORD_VIS_DEPARTMENT, RECORD_VIS_ALL };
enum record_vis record_visibility(const struct mamori_policy *p, const struct mamori_record_kind *k,
    const struct mamori_user *u);

/*
 * Makes a record of kind k reported by u with fields (checked already by
 * mamori_record_check_fields) inside tx, as mamori_record_create does; source,
 * when not NULL, names the file it was imported from in the event.
 */
int record_create_in(struct mamori_store_tx *tx, const struct mamori_record_kind *k, const struct mamori_user *u,
    const cJSON *fields, const char *source, time_t now, char id[MAMORI_RECORD_ID_MAX], struct mamori_error *err);

/*
 * The 課 of a new record of kind k with fields: the value of the kind's
 * department_field when filled (an audit finding is the audited 課's), else
 * the reporter's.  Fixed when the record is made.
 */
const char *record_department_of(const struct mamori_record_kind *k, const cJSON *fields,
    const char *reporter_department);

/* The account by, enabled, in *u; MAMORI_E_NOTFOUND or MAMORI_E_DENIED (disabled) otherwise. */
int record_acting_account(struct mamori_store *s, const char *by, struct mamori_user *u, struct mamori_error *err);

/*
 * The plan the backend chooses for the list of f (SQLite's EXPLAIN QUERY
 * PLAN, one line per step) in plan: for the test that a page reads an index (test_record).
 */
int record_list_plan(struct mamori_store *s, const struct mamori_record_filter *f, char *plan, size_t n,
    struct mamori_error *err);

/*
 * The registers the decision point reads (record_register.c): frees what a
 * context kept; applies the limit of the service a request names
 * (context.service) to dec; makes dec a deny when the terminal register
 * contradicted the request (mamori_record_decide_before).
 */
struct record_registers;
void record_registers_free(struct record_registers *r);
void record_limits_apply(struct mamori_record_decide *c, const struct mamori_decide_request *req,
    struct mamori_decision *dec);
void record_mismatch_apply(struct mamori_record_decide *c, struct mamori_decision *dec);

#endif
