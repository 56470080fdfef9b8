/* test_user.c — accounts on a temporary store: login with password and TOTP,
 * replays, back-off, disabled accounts; every attempt in the audit trail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mamori/audit.h"
#include "mamori/decide.h"
#include "mamori/user.h"

#include "fixture.h"

static struct mamori_store *store;

/* One store for the group (either backend, fixture.h): the tests follow on from each other. */
static int
setup(void **state)
{
	struct mamori_diags d = { 0 };
	struct mamori_error err;
	char db[1024];

	if (fixture_setup(state) != 0)
		return -1;
	fixture_location(db, sizeof(db), "u.db");
	if (mamori_store_create(db, SRCDIR "/policies/mic-standard.yaml", "test", &d, &store, &err) != 0) {
		fprintf(stderr, "%s\n", err.message);
		return -1;
	}
	mamori_diags_clear(&d);
	return 0;
}

static int
teardown(void **state)
{
	mamori_store_close(&store);
	return fixture_teardown(state);
}

static void
test_password_login(void **state)
{
	struct mamori_error err;
	struct mamori_user u;

	(void)state;
	assert_int_equal(mamori_user_add(store, "admin", "yamada", "情報セキュリティ管理者", "総務課", "正しい馬", false, &err), 0);
	assert_int_equal(mamori_user_add(store, "admin", "yamada", "staff", NULL, "x", false, &err), MAMORI_E_CONFLICT);
	assert_int_equal(mamori_user_add(store, "admin", "Bad Name", "staff", NULL, "x", false, &err), MAMORI_E_USAGE);
	assert_int_equal(mamori_user_add(store, "admin", "x", "nobody", NULL, "x", false, &err), MAMORI_E_INVALID);
	assert_int_equal(mamori_user_login(store, "yamada", "正しい馬", NULL, "127.0.0.1", 1000, &u, &err), 0);
	assert_string_equal(u.role, "security-manager");
	assert_string_equal(u.department, "soumu");
	assert_int_equal(mamori_user_login(store, "yamada", "違う", NULL, "127.0.0.1", 1001, &u, &err), MAMORI_E_DENIED);
	assert_string_equal(err.message, MAMORI_LOGIN_FAILED);
	assert_int_equal(mamori_user_login(store, "nobody", "x", NULL, "127.0.0.1", 1001, &u, &err), MAMORI_E_DENIED);
	assert_string_equal(err.message, MAMORI_LOGIN_FAILED);	/* the same words: no user enumeration */
}

static void
test_backoff(void **state)
{
	struct mamori_error err;
	struct mamori_user u;

	(void)state;
	assert_int_equal(mamori_user_add(store, "admin", "suzuki", "staff", "zeimu", "pw", false, &err), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(mamori_user_login(store, "suzuki", "no", NULL, "10.0.0.9", 2000, &u, &err), MAMORI_E_DENIED);
	/* after the fifth failure: locked for 2 s, even with the right password */
	assert_int_equal(mamori_user_login(store, "suzuki", "pw", NULL, "10.0.0.9", 2001, &u, &err), MAMORI_E_DENIED);
	assert_string_equal(err.message, MAMORI_LOGIN_FAILED);	/* a waiting account reads like a wrong password */
	assert_int_equal(mamori_user_login(store, "suzuki", "pw", NULL, "10.0.0.9", 2003, &u, &err), 0);
	assert_int_equal(mamori_user_get(store, "suzuki", &u, &err), 0);
	assert_int_equal(u.failures, 0);
}

/* A new password or a removed TOTP secret changes the credential generation
 * and revokes the account's tokens; other changes keep both. */
static void
test_credential_generation(void **state)
{
	struct mamori_error err;
	struct mamori_user u;
	char tok[MAMORI_TOKEN_LEN], scope[8], gen[MAMORI_CREDENTIAL_LEN], secret[MAMORI_TOTP_SECRET_LEN];

	(void)state;
	assert_int_equal(mamori_user_add(store, "admin", "ito", "staff", "zeimu", "pw", false, &err), 0);
	assert_int_equal(mamori_user_get(store, "ito", &u, &err), 0);
	assert_int_equal(strlen(u.credential), MAMORI_CREDENTIAL_LEN - 1);
	memcpy(gen, u.credential, sizeof(gen));
	assert_int_equal(mamori_user_token_create(store, "admin", "ito", "read", 4000000000, tok, &err), 0);
	assert_int_equal(mamori_user_disable(store, "admin", "ito", false, &err), 0);
	assert_int_equal(mamori_user_get(store, "ito", &u, &err), 0);
	assert_string_equal(u.credential, gen);
	assert_int_equal(mamori_user_passwd(store, "admin", "ito", "pw", false, &err), 0);	/* the same password, a new salt */
	assert_int_equal(mamori_user_get(store, "ito", &u, &err), 0);
	assert_string_not_equal(u.credential, gen);
	assert_int_equal(mamori_user_token_check(store, tok, 1000, &u, scope, NULL, &err), MAMORI_E_DENIED);
	assert_int_equal(mamori_user_mfa_enroll(store, "admin", "ito", secret, &err), 0);
	assert_int_equal(mamori_user_get(store, "ito", &u, &err), 0);
	memcpy(gen, u.credential, sizeof(gen));
	assert_int_equal(mamori_user_token_create(store, "admin", "ito", "read", 4000000000, tok, &err), 0);
	assert_int_equal(mamori_user_mfa_reset(store, "admin", "ito", &err), 0);
	assert_int_equal(mamori_user_get(store, "ito", &u, &err), 0);
	assert_string_not_equal(u.credential, gen);
	assert_int_equal(mamori_user_token_check(store, tok, 1000, &u, scope, NULL, &err), MAMORI_E_DENIED);
}

static void
test_totp_and_disable(void **state)
{
	struct mamori_error err;
	struct mamori_user u;
	char secret[MAMORI_TOTP_SECRET_LEN], code[7];
	const time_t t = 1800000000;

	(void)state;
	assert_int_equal(mamori_user_add(store, "admin", "kato", "staff", "shimin", "pw", false, &err), 0);
	assert_int_equal(mamori_user_mfa_enroll(store, "admin", "kato", secret, &err), 0);
	/* the right password without the code: told so, by its own status */
	assert_int_equal(mamori_user_login(store, "kato", "pw", NULL, "c", t, &u, &err), MAMORI_E_MFA);
	assert_non_null(strstr(err.message, "one-time code"));
	assert_true(mamori_auth_totp_code(secret, t, code));
	assert_int_equal(mamori_user_login(store, "kato", "pw", code, "c", t, &u, &err), 0);
	assert_true(u.has_totp);
	/* the same code again is a replay */
	assert_int_equal(mamori_user_login(store, "kato", "pw", code, "c", t + 1, &u, &err), MAMORI_E_DENIED);
	assert_true(mamori_auth_totp_code(secret, t + 30, code));
	assert_int_equal(mamori_user_login(store, "kato", "pw", code, "c", t + 30, &u, &err), 0);
	assert_int_equal(mamori_user_mfa_reset(store, "admin", "kato", &err), 0);
	assert_int_equal(mamori_user_login(store, "kato", "pw", NULL, "c", t + 60, &u, &err), 0);
	assert_int_equal(mamori_user_disable(store, "admin", "kato", true, &err), 0);
	assert_int_equal(mamori_user_login(store, "kato", "pw", NULL, "c", t + 90, &u, &err), MAMORI_E_DENIED);
	assert_int_equal(mamori_user_passwd(store, "admin", "nobody", "x", false, &err), MAMORI_E_NOTFOUND);
}

static void
test_trail(void **state)
{
	struct mamori_error err;
	char summary[512], pub[128];
	unsigned char pk[32];

	(void)state;
	fixture_path(pub, sizeof(pub), "u.db.pub");	/* PostgreSQL's too: files=fixture_dir/u.db */
	assert_int_equal(mamori_audit_read_pubkey(pub, pk, &err), 0);
	assert_int_equal(mamori_audit_verify(store, pk, NULL, 0, summary, sizeof(summary), &err), 0);
	assert_non_null(strstr(summary, "ok: "));
}

static int
collect_token(const struct mamori_token_info *t, void *ctx)
{
	char (*ids)[17] = ctx;

	for (int i = 0; i < 4; i++)
		if (ids[i][0] == '\0') {
			snprintf(ids[i], 17, "%s", t->prefix);
			break;
		}
	return 0;
}

static void
test_tokens_list_and_revoke(void **state)
{
	struct mamori_error err;
	struct mamori_user u;
	char tok[MAMORI_TOKEN_LEN], tok2[MAMORI_TOKEN_LEN], hash[MAMORI_TOKEN_LEN], scope[8];
	char ids[4][17] = { { 0 } };

	(void)state;
	assert_int_equal(mamori_user_add(store, "test", "sys1", "staff", "zeimu", NULL, false, &err), 0);
	assert_int_equal(mamori_user_token_create(store, "test", "sys1", "read", (int64_t)time(NULL) + 60, tok, &err), 0);
	assert_int_equal(mamori_user_token_create(store, "test", "sys1", "write", (int64_t)time(NULL) + 60, tok2, &err), 0);
	assert_int_equal(mamori_user_token_list(store, "sys1", collect_token, ids, &err), 0);
	assert_true(ids[0][0] && ids[1][0] && !ids[2][0]);
	mamori_auth_token_hash(tok, hash);
	assert_true(strncmp(hash, ids[0], 16) == 0 || strncmp(hash, ids[1], 16) == 0);
	/* malformed, unknown, another user's: refused; nothing revoked */
	assert_int_equal(mamori_user_token_revoke(store, "test", "sys1", "abc", &err), MAMORI_E_USAGE);
	assert_int_equal(mamori_user_token_revoke(store, "test", "sys1", "ABCDEF0123", &err), MAMORI_E_USAGE);
	assert_int_equal(mamori_user_token_revoke(store, "test", "sys1", "0000000000000000", &err), MAMORI_E_NOTFOUND);
	assert_int_equal(mamori_user_token_revoke(store, "test", "tanaka", hash, &err), MAMORI_E_NOTFOUND);
	assert_int_equal(mamori_user_token_check(store, tok, time(NULL), &u, scope, NULL, &err), 0);
	/* by the first 8 digits, as the creation event names it */
	hash[8] = '\0';
	assert_int_equal(mamori_user_token_revoke(store, "test", "sys1", hash, &err), 0);
	assert_int_equal(mamori_user_token_check(store, tok, time(NULL), &u, scope, NULL, &err), MAMORI_E_DENIED);
	assert_int_equal(mamori_user_token_check(store, tok2, time(NULL), &u, scope, NULL, &err), 0);
	assert_int_equal(mamori_user_token_revoke(store, "test", "sys1", hash, &err), MAMORI_E_NOTFOUND);
}

/* access.manage of mic-standard: who administers accounts and the policy, and whose. */
static void
test_managers(void **state)
{
	struct mamori_decider *d = NULL;
	struct mamori_error err;

	(void)state;
	assert_int_equal(mamori_decider_new(mamori_store_policy(store), &d, &err), 0);
	/* declared: chief-officer [users, policy]; system-manager [users] */
	assert_true(mamori_decider_role_manages(d, "chief-officer", "users", NULL, "shimin"));
	assert_true(mamori_decider_role_manages(d, "chief-officer", "policy", NULL, NULL));
	assert_true(mamori_decider_role_manages(d, "system-manager", "users", "zeimu", "zeimu"));
	assert_false(mamori_decider_role_manages(d, "system-manager", "users", "zeimu", "shimin"));
	assert_false(mamori_decider_role_manages(d, "system-manager", "users", "zeimu", NULL));
	assert_false(mamori_decider_role_manages(d, "system-manager", "policy", "zeimu", NULL));
	/* inherited up the hierarchy, within each role's own scope */
	assert_true(mamori_decider_role_manages(d, "ciso", "policy", NULL, NULL));
	assert_true(mamori_decider_role_manages(d, "security-manager", "users", "zeimu", "zeimu"));
	assert_false(mamori_decider_role_manages(d, "security-officer", "policy", "zeimu", NULL));
	/* not declared anywhere below */
	assert_false(mamori_decider_role_manages(d, "staff", "users", "zeimu", "zeimu"));
	assert_false(mamori_decider_role_manages(d, "auditor", "users", NULL, "zeimu"));
	assert_false(mamori_decider_role_manages(d, "ciso", "coffee", NULL, NULL));
	assert_false(mamori_decider_role_manages(d, "nobody", "users", NULL, NULL));
	/* covers: the role itself and the roles that report to it, transitively */
	assert_true(mamori_decider_role_covers(d, "system-manager", "system-manager"));
	assert_true(mamori_decider_role_covers(d, "system-manager", "staff"));
	assert_true(mamori_decider_role_covers(d, "chief-officer", "contractor"));
	assert_false(mamori_decider_role_covers(d, "chief-officer", "auditor"));
	assert_false(mamori_decider_role_covers(d, "chief-officer", "ciso"));
	assert_false(mamori_decider_role_covers(d, "staff", "system-manager"));
	assert_true(mamori_decider_role_covers(d, "ciso", "auditor"));
	assert_false(mamori_decider_role_covers(d, "ciso", "nobody"));
	mamori_decider_free(&d);
}

/* A password an administrator sets is temporary until its holder changes it
 * themself, which needs the current password. */
static void
test_temporary_password(void **state)
{
	struct mamori_user u;
	struct mamori_error err = { 0 };

	(void)state;
	assert_int_equal(mamori_user_add(store, "admin", "mori", "staff", "zeimu", "kari-1", true, &err), 0);
	assert_int_equal(mamori_user_get(store, "mori", &u, &err), 0);
	assert_true(u.password_temporary);
	assert_int_equal(mamori_user_change_password(store, "mori", "mori", "wrong", "mine-1", &err), MAMORI_E_DENIED);
	assert_int_equal(mamori_user_change_password(store, "mori", "mori", "kari-1", "kari-1", &err), MAMORI_E_INVALID);
	assert_int_equal(mamori_user_get(store, "mori", &u, &err), 0);
	assert_true(u.password_temporary);
	assert_int_equal(mamori_user_change_password(store, "mori", "mori", "kari-1", "mine-1", &err), 0);
	assert_int_equal(mamori_user_get(store, "mori", &u, &err), 0);
	assert_false(u.password_temporary);
	assert_int_equal(mamori_user_login(store, "mori", "mine-1", NULL, "c", 5000, &u, &err), 0);
	/* an administrator's reset makes it temporary again; a permanent set does not */
	assert_int_equal(mamori_user_passwd(store, "admin", "mori", "kari-2", true, &err), 0);
	assert_int_equal(mamori_user_get(store, "mori", &u, &err), 0);
	assert_true(u.password_temporary);
	assert_int_equal(mamori_user_passwd(store, "admin", "mori", "kari-3", false, &err), 0);
	assert_int_equal(mamori_user_get(store, "mori", &u, &err), 0);
	assert_false(u.password_temporary);
	assert_int_equal(mamori_user_change_password(store, "mori", "nobody", "x", "y", &err), MAMORI_E_NOTFOUND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password_login),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_credential_generation),
		cmocka_unit_test(test_totp_and_disable),
		cmocka_unit_test(test_trail),
		cmocka_unit_test(test_tokens_list_and_revoke),
		cmocka_unit_test(test_managers),
		cmocka_unit_test(test_temporary_password),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
