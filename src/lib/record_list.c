/*
 * record_list.c — a page of records (mamori_record_list): the filter checked
 * against the policy, the asker's account and what it may see of each kind
 * (record_visibility, the rule of mamori_record_may_see), handed to the
 * backend as one query (store_ops_record.h), whose rows are the page: every
 * filter and the keyset cursor are the backend's to read from an index, so
 * that a page costs the same whatever the size of the list.
 */
#include "store_internal.h"
#include "mamori/i18n.h"
#include "mamori/record.h"
#include "mamori/user.h"
#include "record_internal.h"
#include "store_ops_record.h"

#include <stdlib.h>
#include <string.h>

/* The page being filled from the backend's rows. */
struct page {
	struct mamori_store *s;
	cJSON *list;
	size_t limit, n;
	int64_t last;
	bool more, nomem;
};

static int
page_row(const struct store_record_row *row, void *arg)
{
	struct page *pg = arg;
	cJSON *rec;

	if (pg->n == pg->limit) {	/* the row more than the page: there is a next one */
		pg->more = true;
		return 1;
	}
	if ((rec = record_row_json(pg->s, row)) == NULL) {
		pg->nomem = true;
		return 1;
	}
	pg->last = row->num;
	cJSON_AddItemToArray(pg->list, rec);
	pg->n++;
	return 0;
}

/* Runs q and puts its rows, up to limit, in *out with the cursor of the next page. */
static int
run(struct mamori_store *s, const struct store_record_query *q, size_t limit, cJSON **out,
    struct mamori_error *err)
{
	struct page pg = { .s = s, .limit = limit };
	int rc;

	*out = cJSON_CreateObject();
	pg.list = cJSON_AddArrayToObject(*out, "records");
	if (pg.list == NULL)
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	else if ((rc = s->backend->record->list(s, q, page_row, &pg, err)) == 1)
		rc = pg.nomem ? mamori_error_set(err, MAMORI_E_NOMEM, "out of memory") : 0;
	if (rc != 0) {
		cJSON_Delete(*out);
		*out = NULL;
		return rc;
	}
	if (pg.more)
		cJSON_AddNumberToObject(*out, "next", (double)pg.last);
	else
		cJSON_AddNullToObject(*out, "next");
	return 0;
}

static cJSON *
empty_page(void)
{
	cJSON *out = cJSON_CreateObject();

	cJSON_AddArrayToObject(out, "records");
	cJSON_AddNullToObject(out, "next");
	return out;
}

/*
 * Builds the query of f into q (its page's size one more than *limit: whether
 * there is a next page); *none when the asker sees nothing at all.  Refuses
 * an unknown kind or state.  The asker's account is read into u, and what it
 * sees of each kind into *vis (the caller frees), which q points into.
 */
static int
build(struct mamori_store *s, const struct mamori_record_filter *f, struct store_record_query *q,
    struct mamori_user *u, enum record_vis **vis, size_t *limit, bool *none, struct mamori_error *err)
{
	const struct mamori_policy *p = mamori_store_policy(s);
	const struct mamori_record_kind *k = f->kind ? mamori_record_kind_find(p, f->kind) : NULL;
	const struct mamori_record_state *state = k && f->state ? record_state_find(k, f->state) : NULL;
	bool open = f->state != NULL && strcmp(f->state, "open") == 0;
	struct mamori_error uerr = { 0 };
	bool as_user = f->visible_to != NULL;

	*limit = f->limit == 0 ? 50 : f->limit > 1000 ? 1000 : f->limit;
	*none = false;
	*vis = NULL;
	if (f->kind != NULL && k == NULL)
		return mamori_error_set(err, MAMORI_E_NOTFOUND, "the policy has no record kind '%s'", f->kind);
	if (f->state != NULL && !open && state == NULL)
		return mamori_error_set(err, MAMORI_E_INVALID, "'%s' is not a state of %s", f->state,
		    k ? k->title : _("any kind (name the kind)"));
	/* an account that does not exist or is disabled sees nothing (mamori_record_may_see) */
	if (as_user && (mamori_user_get(s, f->visible_to, u, &uerr) != 0 || u->disabled)) {
		*none = true;
		return 0;
	}
	*q = (struct store_record_query){ .policy = p, .kind = k, .state = state, .open = open,
		.reporter = f->reporter, .before = f->before, .limit = *limit + 1 };
	if (as_user) {
		size_t nk = k ? 1 : p->nrecords;
		if ((*vis = calloc(nk ? nk : 1, sizeof(**vis))) == NULL)
			return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		for (size_t i = 0; i < nk; i++)
			(*vis)[i] = record_visibility(p, k ? k : &p->records[i], u);
		q->asker = u->name;
		q->asker_department = u->department;
		q->vis = *vis;
	}
	return 0;
}

int
mamori_record_list(struct mamori_store *s, const struct mamori_record_filter *f, cJSON **out,
    struct mamori_error *err)
{
	struct store_record_query q;
	struct mamori_user u;
	enum record_vis *vis = NULL;
	size_t limit;
	bool none;
	int rc;

	*out = NULL;
	if ((rc = build(s, f, &q, &u, &vis, &limit, &none, err)) == 0) {
		if (none)
			*out = empty_page();
		else
			rc = run(s, &q, limit, out, err);
	}
	free(vis);
	return rc;
}

int
record_list_plan(struct mamori_store *s, const struct mamori_record_filter *f, char *plan, size_t n,
    struct mamori_error *err)
{
	struct store_record_query q;
	struct mamori_user u;
	enum record_vis *vis = NULL;
	size_t limit;
	bool none;
	int rc;

	plan[0] = '\0';
	if ((rc = build(s, f, &q, &u, &vis, &limit, &none, err)) == 0 && !none)
		rc = s->backend->record->list_plan(s, &q, plan, n, err);
	free(vis);
	return rc;
}
