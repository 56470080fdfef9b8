/*
 * test_user_ops.c — the accounts' storage operations (store_ops_user.h),
 * called directly, of either backend by the same tests (SQLite's in the suite
 * unit, PostgreSQL's in unit-pg): each op's answer read back through the ops
 * themselves, and the holdings' questions asked of a store with assets and
 * records made through the public API.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "mamori/asset.h"
#include "mamori/record.h"
#include "mamori/store.h"
#include "mamori/user.h"
#include "store_internal.h"
#include "store_ops_user.h"

#define POLICY SRCDIR "/policies/mic-standard.yaml"

/* 64 hex digits: token hashes (A and B share their first three digits). */
#define HASH_A "aaa1000000000000000000000000000000000000000000000000000000000000"
#define HASH_B "aaa2000000000000000000000000000000000000000000000000000000000000"
#define HASH_C "ccc0000000000000000000000000000000000000000000000000000000000000"
#define HASH_D "ddd0000000000000000000000000000000000000000000000000000000000000"

/* ---- running an op inside a write transaction ---- */

struct tx_call {
	int (*fn)(struct mamori_store_tx *tx, struct tx_call *c);
	const char *name, *a, *b;
	bool flag;
	int64_t x, y, z;
	int n;
	const struct store_user_new *add;
	struct mamori_error err;
};

static int
run_tx(struct mamori_store_tx *tx, void *arg)
{
	struct tx_call *c = arg;
	cJSON *body;
	int rc = c->fn(tx, c);

	/* the store takes no change without its event */
	if (rc != 0)
		return rc;
	body = cJSON_CreateObject();
	rc = mamori_store_tx_event(tx, "test.op", "user", c->name ? c->name : "-", NULL, body);
	cJSON_Delete(body);
	return rc;
}

/* c's op in a transaction of its own, with an event; its return (the transaction rolls back on failure). */
static int
in_tx(struct mamori_store *s, struct tx_call *c)
{
	struct mamori_error err = { 0 };
	int rc = mamori_store_write(s, "test:unit", run_tx, c, &err);

	return rc;
}

#define OPS(tx) ((tx)->store->backend->user)

static int
do_add(struct mamori_store_tx *tx, struct tx_call *c)
{
	return OPS(tx)->add(tx, c->add, &c->err);
}

static int
do_email(struct mamori_store_tx *tx, struct tx_call *c)
{
	return OPS(tx)->set_email(tx, c->name, c->a, &c->err);
}

static int
do_password(struct mamori_store_tx *tx, struct tx_call *c)
{
	return OPS(tx)->set_password(tx, c->name, c->a, c->flag, &c->err);
}

static int
do_disabled(struct mamori_store_tx *tx, struct tx_call *c)
{
	return OPS(tx)->set_disabled(tx, c->name, c->flag, &c->err);
}

static int
do_totp(struct mamori_store_tx *tx, struct tx_call *c)
{
	return OPS(tx)->set_totp(tx, c->name, c->a, &c->err);
}

static int
do_place(struct mamori_store_tx *tx, struct tx_call *c)
{
	return OPS(tx)->set_place(tx, c->name, c->a, c->b, &c->err);
}

static int
do_counters(struct mamori_store_tx *tx, struct tx_call *c)
{
	return OPS(tx)->login_counters(tx, c->name, (int)c->x, c->y, c->z, &c->err);
}

static int
do_wake(struct mamori_store_tx *tx, struct tx_call *c)
{
	return OPS(tx)->wake_notices(tx, c->name, &c->n, &c->err);
}

static int
do_token_add(struct mamori_store_tx *tx, struct tx_call *c)
{
	return OPS(tx)->token_add(tx, c->name, c->a, c->b, c->x, &c->err);
}

static int
do_token_delete(struct mamori_store_tx *tx, struct tx_call *c)
{
	return OPS(tx)->token_delete(tx, c->a, &c->err);
}

static int
do_revoke(struct mamori_store_tx *tx, struct tx_call *c)
{
	return OPS(tx)->tokens_revoke(tx, c->name, &c->n, &c->err);
}

/* ---- an account read back ---- */

struct got {
	int calls;
	char name[65], role[65], department[65], email[255], password[128], totp[128], created[32];
	bool department_set, email_set, password_set, totp_set, disabled, temporary;
	int failures;
	int64_t locked_until, step;
};

static void
copy(char *to, size_t n, bool *set, const char *v)
{
	if (set != NULL)
		*set = v != NULL;
	snprintf(to, n, "%s", v ? v : "");
}

static int
keep_row(const struct store_user_row *u, void *ctx)
{
	struct got *g = ctx;

	g->calls++;
	copy(g->name, sizeof(g->name), NULL, u->name);
	copy(g->role, sizeof(g->role), NULL, u->role);
	copy(g->department, sizeof(g->department), &g->department_set, u->department);
	copy(g->email, sizeof(g->email), &g->email_set, u->email);
	copy(g->password, sizeof(g->password), &g->password_set, u->password);
	copy(g->totp, sizeof(g->totp), &g->totp_set, u->totp_secret);
	copy(g->created, sizeof(g->created), NULL, u->created);
	g->disabled = u->disabled;
	g->temporary = u->password_temporary;
	g->failures = u->failures;
	g->locked_until = u->locked_until;
	g->step = u->totp_last_step;
	return 0;
}

static struct got
get(struct mamori_store *s, const char *name)
{
	struct got g = { 0 };
	struct mamori_error err = { 0 };

	assert_int_equal(s->backend->user->get(s, name, keep_row, &g, &err), 0);
	assert_int_equal(g.calls, 1);
	return g;
}

struct names {
	int n;
	char name[8][65];
	int stop_at;
};

static int
list_name(const struct store_user_row *u, void *ctx)
{
	struct names *x = ctx;

	if (x->n < 8)
		snprintf(x->name[x->n], sizeof(x->name[0]), "%s", u->name);
	return ++x->n == x->stop_at ? 42 : 0;
}

static void
test_accounts(void **state)
{
	struct mamori_store *s = fixture_store("accounts.db", POLICY);
	const struct store_user_ops *ops = s->backend->user;
	struct store_user_new alice = { .name = "alice", .role = "staff", .department = "soumu",
	    .email = "alice@example.jp", .password = "HASH1", .password_temporary = true };
	struct store_user_new bob = { .name = "bob", .role = "staff" };
	struct tx_call c = { .fn = do_add, .add = &alice };
	struct mamori_error err = { 0 };
	struct names names = { 0 };
	struct got g = { 0 };

	(void)state;
	assert_non_null(ops);
	assert_int_equal(in_tx(s, &c), 0);
	c.add = &bob;
	assert_int_equal(in_tx(s, &c), 0);
	assert_int_equal(in_tx(s, &c), MAMORI_E_CONFLICT);	/* bob exists */

	g = get(s, "alice");
	assert_string_equal(g.name, "alice");
	assert_string_equal(g.role, "staff");
	assert_string_equal(g.department, "soumu");
	assert_string_equal(g.email, "alice@example.jp");
	assert_string_equal(g.password, "HASH1");
	assert_true(g.temporary);
	assert_false(g.totp_set);
	assert_false(g.disabled);
	assert_int_equal(g.failures, 0);
	assert_int_equal(g.locked_until, 0);
	assert_true(strlen(g.created) >= 20);
	g = get(s, "bob");
	assert_false(g.department_set);
	assert_false(g.email_set);
	assert_false(g.password_set);
	assert_false(g.temporary);

	memset(&g, 0, sizeof(g));
	assert_int_equal(ops->get(s, "nobody", keep_row, &g, &err), MAMORI_E_NOTFOUND);
	assert_int_equal(g.calls, 0);

	/* in order of name; a callback's non-zero stops the walk and comes back */
	assert_int_equal(ops->list(s, list_name, &names, &err), 0);
	assert_int_equal(names.n, 2);
	assert_string_equal(names.name[0], "alice");
	assert_string_equal(names.name[1], "bob");
	names = (struct names){ .stop_at = 1 };
	assert_int_equal(ops->list(s, list_name, &names, &err), 42);
	assert_int_equal(names.n, 1);

	c = (struct tx_call){ .fn = do_email, .name = "alice" };
	assert_int_equal(in_tx(s, &c), 0);
	assert_false(get(s, "alice").email_set);
	c = (struct tx_call){ .fn = do_email, .name = "bob", .a = "bob@example.jp" };
	assert_int_equal(in_tx(s, &c), 0);
	assert_string_equal(get(s, "bob").email, "bob@example.jp");
	c.name = "nobody";
	assert_int_equal(in_tx(s, &c), MAMORI_E_NOTFOUND);

	/* counters, and a TOTP step that never goes back */
	c = (struct tx_call){ .fn = do_counters, .name = "alice", .x = 3, .y = 1000, .z = 7 };
	assert_int_equal(in_tx(s, &c), 0);
	g = get(s, "alice");
	assert_int_equal(g.failures, 3);
	assert_int_equal(g.locked_until, 1000);
	assert_int_equal(g.step, 7);
	c = (struct tx_call){ .fn = do_counters, .name = "alice", .x = 4, .y = 2000, .z = 5 };
	assert_int_equal(in_tx(s, &c), 0);
	g = get(s, "alice");
	assert_int_equal(g.failures, 4);
	assert_int_equal(g.step, 7);
	c.name = "nobody";	/* no account, no error: nothing to count */
	assert_int_equal(in_tx(s, &c), 0);

	/* a new password clears failures and waiting */
	c = (struct tx_call){ .fn = do_password, .name = "alice", .a = "HASH2" };
	assert_int_equal(in_tx(s, &c), 0);
	g = get(s, "alice");
	assert_string_equal(g.password, "HASH2");
	assert_false(g.temporary);
	assert_int_equal(g.failures, 0);
	assert_int_equal(g.locked_until, 0);
	c.name = "nobody";
	assert_int_equal(in_tx(s, &c), MAMORI_E_NOTFOUND);

	/* disabling keeps the counters, enabling clears them */
	c = (struct tx_call){ .fn = do_counters, .name = "alice", .x = 2, .y = 3000 };
	assert_int_equal(in_tx(s, &c), 0);
	c = (struct tx_call){ .fn = do_disabled, .name = "alice", .flag = true };
	assert_int_equal(in_tx(s, &c), 0);
	g = get(s, "alice");
	assert_true(g.disabled);
	assert_int_equal(g.failures, 2);
	c.flag = false;
	assert_int_equal(in_tx(s, &c), 0);
	g = get(s, "alice");
	assert_false(g.disabled);
	assert_int_equal(g.failures, 0);
	assert_int_equal(g.locked_until, 0);

	/* a sealed secret set and removed, its last step forgotten */
	c = (struct tx_call){ .fn = do_totp, .name = "alice", .a = "SEALED" };
	assert_int_equal(in_tx(s, &c), 0);
	g = get(s, "alice");
	assert_string_equal(g.totp, "SEALED");
	assert_int_equal(g.step, 0);
	c.a = NULL;
	assert_int_equal(in_tx(s, &c), 0);
	assert_false(get(s, "alice").totp_set);
	c.name = "nobody";
	assert_int_equal(in_tx(s, &c), MAMORI_E_NOTFOUND);
	c = (struct tx_call){ .fn = do_disabled, .name = "nobody", .flag = true };
	assert_int_equal(in_tx(s, &c), MAMORI_E_NOTFOUND);
	assert_int_equal(c.err.code, MAMORI_E_NOTFOUND);

	c = (struct tx_call){ .fn = do_place, .name = "alice", .a = "zeimu", .b = "security-manager" };
	assert_int_equal(in_tx(s, &c), 0);
	g = get(s, "alice");
	assert_string_equal(g.department, "zeimu");
	assert_string_equal(g.role, "security-manager");
	c.name = "nobody";
	assert_int_equal(in_tx(s, &c), MAMORI_E_NOTFOUND);
	mamori_store_close(&s);
}

/* ---- API tokens ---- */

struct tokens {
	int n;
	char user[4][65], hash[4][65], scope[4][8];
	int64_t expires[4];
};

static int
keep_token(const struct store_user_token *t, void *ctx)
{
	struct tokens *x = ctx;

	if (x->n < 4) {
		snprintf(x->user[x->n], sizeof(x->user[0]), "%s", t->user);
		snprintf(x->hash[x->n], sizeof(x->hash[0]), "%s", t->hash);
		snprintf(x->scope[x->n], sizeof(x->scope[0]), "%s", t->scope);
		x->expires[x->n] = t->expires;
		assert_non_null(t->created);
	}
	x->n++;
	return 0;
}

static void
add_token(struct mamori_store *s, const char *name, const char *hash, const char *scope, int64_t expires, int want)
{
	struct tx_call c = { .fn = do_token_add, .name = name, .a = hash, .b = scope, .x = expires };

	assert_int_equal(in_tx(s, &c), want);
	if (want != 0)	/* what the op says and what it fills agree */
		assert_int_equal(c.err.code, want);
}

static void
test_tokens(void **state)
{
	struct mamori_store *s = fixture_store("tokens.db", POLICY);
	const struct store_user_ops *ops = s->backend->user;
	struct mamori_error err = { 0 };
	struct tokens t = { 0 };
	struct tx_call c;
	char hash[65];
	int n = -1;

	(void)state;
	assert_int_equal(mamori_user_add(s, "test:unit", "alice", "staff", "soumu", NULL, false, &err), 0);
	assert_int_equal(mamori_user_add(s, "test:unit", "bob", "staff", "soumu", NULL, false, &err), 0);
	add_token(s, "alice", HASH_A, "read", 2000, 0);
	add_token(s, "alice", HASH_B, "write", 500, 0);
	add_token(s, "bob", HASH_C, "gateway", 2000, 0);
	add_token(s, "bob", HASH_A, "read", 2000, MAMORI_E_CONFLICT);
	add_token(s, "nobody", HASH_D, "read", 2000, MAMORI_E_CONFLICT);	/* SQLite's foreign key */

	assert_int_equal(ops->token_find(s, HASH_A, 1000, keep_token, &t, &err), 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.user[0], "alice");
	assert_string_equal(t.scope[0], "read");
	assert_int_equal(t.expires[0], 2000);
	/* expired (B at 500), or at the second it expires, is not found */
	t.n = 0;
	assert_int_equal(ops->token_find(s, HASH_B, 1000, keep_token, &t, &err), MAMORI_E_NOTFOUND);
	assert_int_equal(ops->token_find(s, HASH_A, 2000, keep_token, &t, &err), MAMORI_E_NOTFOUND);
	assert_int_equal(ops->token_find(s, "0123", 0, keep_token, &t, &err), MAMORI_E_NOTFOUND);
	assert_int_equal(t.n, 0);

	/* an account's tokens, expired ones too */
	assert_int_equal(ops->token_list(s, "alice", keep_token, &t, &err), 0);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.hash[0], HASH_A);
	assert_string_equal(t.hash[1], HASH_B);
	assert_string_equal(t.scope[1], "write");
	assert_int_equal(t.expires[1], 500);
	assert_string_equal(t.user[1], "alice");

	assert_int_equal(ops->token_match(s, "alice", "aaa", &n, hash, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ops->token_match(s, "alice", "aaa2", &n, hash, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(hash, HASH_B);
	assert_int_equal(ops->token_match(s, "alice", "ccc", &n, hash, &err), 0);	/* bob's */
	assert_int_equal(n, 0);
	assert_string_equal(hash, "");

	c = (struct tx_call){ .fn = do_token_delete, .a = HASH_A };
	assert_int_equal(in_tx(s, &c), 0);
	assert_int_equal(ops->token_find(s, HASH_A, 1000, keep_token, &t, &err), MAMORI_E_NOTFOUND);

	c = (struct tx_call){ .fn = do_revoke, .name = "alice", .n = -1 };
	assert_int_equal(in_tx(s, &c), 0);
	assert_int_equal(c.n, 1);	/* B was left */
	c.n = -1;
	assert_int_equal(in_tx(s, &c), 0);
	assert_int_equal(c.n, 0);
	t.n = 0;
	assert_int_equal(ops->token_find(s, HASH_C, 1000, keep_token, &t, &err), 0);	/* bob keeps his */
	assert_string_equal(t.user[0], "bob");
	mamori_store_close(&s);
}

/* ---- what a person holds, notices ---- */

struct assets {
	int n;
	char id[4][32], name[4][64];
};

static int
keep_asset(const char *id, const char *name, void *ctx)
{
	struct assets *a = ctx;

	if (a->n < 4) {
		snprintf(a->id[a->n], sizeof(a->id[0]), "%s", id);
		snprintf(a->name[a->n], sizeof(a->name[0]), "%s", name);
	}
	a->n++;
	return 0;
}

static void
add_asset(struct mamori_store *s, const char *name, const char *dep, const char *role, char id[32])
{
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_asset a;

	memset(&a, 0, sizeof(a));
	mamori_asset_set(&a, MAMORI_AF_NAME, name);
	mamori_asset_set(&a, MAMORI_AF_KIND, "information");
	mamori_asset_set(&a, MAMORI_AF_DEPARTMENT, dep);
	mamori_asset_set(&a, MAMORI_AF_ROLE, role);
	mamori_asset_set(&a, MAMORI_AF_CONFIDENTIALITY, "2");
	mamori_asset_set(&a, MAMORI_AF_INTEGRITY, "2");
	mamori_asset_set(&a, MAMORI_AF_AVAILABILITY, "2");
	assert_int_equal(mamori_asset_add(s, "test:unit", &a, &d, &err), 0);
	snprintf(id, 32, "%s", a.f[MAMORI_AF_ID]);
	mamori_diags_clear(&d);
	mamori_asset_clear(&a);
}

struct records {
	int n;
	char id[4][32], reporter[4][65], approver[4][65];
	bool fields_name[4];
	const char *who;
};

static int
keep_record(const struct store_user_record *r, void *ctx)
{
	struct records *x = ctx;
	char quoted[80];

	snprintf(quoted, sizeof(quoted), "\"%s\"", x->who);
	if (x->n < 4) {
		snprintf(x->id[x->n], sizeof(x->id[0]), "%s", r->id);
		snprintf(x->reporter[x->n], sizeof(x->reporter[0]), "%s", r->reporter ? r->reporter : "");
		snprintf(x->approver[x->n], sizeof(x->approver[0]), "%s", r->approver ? r->approver : "");
		x->fields_name[x->n] = r->fields != NULL && strstr(r->fields, quoted) != NULL;
		assert_string_equal(r->kind, "sns-account");
		assert_string_equal(r->state, "requested");
	}
	x->n++;
	return 0;
}

static void
test_holdings(void **state)
{
	struct mamori_store *s = fixture_store("holdings.db", POLICY);
	const struct store_user_ops *ops = s->backend->user;
	struct mamori_error err = { 0 };
	struct mamori_diags d = { 0 };
	static const char *const users[][3] = {
		{ "tanaka", "staff", "soumu" }, { "kanri", "security-manager", "soumu" },
		{ "kanri2", "security-manager", "soumu" }, { "kanri3", "security-manager", "soumu" },
		{ "zkanri", "security-manager", "zeimu" }, { "cho", "chief-officer", NULL },
	};
	char first[32], second[32], id[MAMORI_RECORD_ID_MAX];
	struct assets a = { 0 };
	struct records r = { .who = "kanri" };
	struct tx_call c;
	cJSON *fields;
	int n = -1;

	(void)state;
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		assert_int_equal(mamori_user_add(s, "test:unit", users[i][0], users[i][1], users[i][2], NULL, false,
		    &err), 0);
	add_asset(s, "住民票データ", "soumu", "security-manager", first);
	add_asset(s, "税務データ", "zeimu", "security-manager", second);
	add_asset(s, "文書管理", "soumu", "security-manager", second);

	/* the 課's assets of that role, in register order */
	assert_int_equal(ops->assets_held(s, "soumu", "security-manager", keep_asset, &a, &err), 0);
	assert_int_equal(a.n, 2);
	assert_string_equal(a.id[0], first);
	assert_string_equal(a.name[0], "住民票データ");
	assert_string_equal(a.id[1], second);
	a.n = 0;
	assert_int_equal(ops->assets_held(s, "soumu", "staff", keep_asset, &a, &err), 0);
	assert_int_equal(a.n, 0);

	/* the others of the role in the 課, a disabled one not counted */
	assert_int_equal(ops->count_peers(s, "security-manager", "soumu", "kanri", &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(mamori_user_disable(s, "test:unit", "kanri3", true, &err), 0);
	assert_int_equal(ops->count_peers(s, "security-manager", "soumu", "kanri", &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ops->count_peers(s, "staff", "zeimu", "kanri", &n, &err), 0);
	assert_int_equal(n, 0);

	/* a record that names kanri in a field, reported by tanaka */
	fields = cJSON_Parse("{\"service\": \"X\", \"account\": \"@city\", \"manager\": \"kanri\", "
	    "\"max_confidentiality\": 1}");
	assert_int_equal(mamori_record_create(s, "test:unit", "tanaka", "sns-account", fields, 1767225600, id, &d,
	    &err), 0);
	cJSON_Delete(fields);
	assert_int_equal(ops->records_naming(s, "kanri", keep_record, &r, &err), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.id[0], id);
	assert_true(r.fields_name[0]);
	r = (struct records){ .who = "tanaka" };
	assert_int_equal(ops->records_naming(s, "tanaka", keep_record, &r, &err), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.reporter[0], "tanaka");
	r = (struct records){ .who = "zkanri" };
	assert_int_equal(ops->records_naming(s, "zkanri", keep_record, &r, &err), 0);
	assert_int_equal(r.n, 0);
	/* "kanri" inside "kanri2" is no mention of kanri2's */
	r = (struct records){ .who = "kanri2" };
	assert_int_equal(ops->records_naming(s, "kanri2", keep_record, &r, &err), 0);
	assert_int_equal(r.n, 0);

	/* the new record's notice to the chief officer (who has no address) waits */
	c = (struct tx_call){ .fn = do_wake, .name = "cho", .n = -1 };
	assert_int_equal(in_tx(s, &c), 0);
	assert_true(c.n >= 1);
	c = (struct tx_call){ .fn = do_wake, .name = "zkanri", .n = -1 };
	assert_int_equal(in_tx(s, &c), 0);
	assert_int_equal(c.n, 0);
	mamori_diags_clear(&d);
	mamori_store_close(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accounts),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_holdings),
	};

	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
