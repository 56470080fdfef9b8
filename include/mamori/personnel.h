/*
 * mamori/personnel.h — accounts through 異動・退職 (基本方針 6(6) アクセス制御:
 * 利用者の登録、変更、抹消): a person moves to another 課 or role, or leaves,
 * and what they held — assets their role manages in their 課, open records they
 * reported or approved, records of any kind whose account field names them
 * (an SNS account's 責任者, a terminal's user, a contract's accounts) — is
 * listed so that it can be handed over.  Every change is audited; a personnel
 * change list (CSV) is applied all or nothing.  docs/records.md, "異動・退職".
 */
#ifndef MAMORI_PERSONNEL_H
#define MAMORI_PERSONNEL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "mamori/diag.h"
#include "mamori/error.h"
#include "mamori/store.h"

/*
 * What account name holds now, as JSON (caller deletes): user, role,
 * department, disabled; assets — the register's assets in use whose 課 and
 * 管理者 role are the account's (id, name), with others: how many other
 * enabled accounts hold that role in that 課 (0: the assets need a new
 * 管理者); records — every record in a state that is not final where the
 * account is the reporter, the approver, or named in a field of type account
 * (id, kind, kind_title, state, state_title, as: ["reporter", "approver",
 * FIELD …]).  MAMORI_E_NOTFOUND for an unknown account.
 */
int mamori_user_holdings(struct mamori_store *s, const char *name, cJSON **out, struct mamori_error *err);

/*
 * Moves account name to department (id or title; required) and, when role is
 * not NULL, to role (id or title), as a user.move event with the account's
 * before and after.  holdings (when not NULL) gets what the account held
 * before the move (mamori_user_holdings), for the old 課 to take over.
 * MAMORI_E_INVALID for an unknown 課 or role, MAMORI_E_NOTFOUND for an unknown
 * account, MAMORI_E_CONFLICT for a disabled one.
 */
int mamori_user_move(struct mamori_store *s, const char *actor, const char *name, const char *department,
    const char *role, cJSON **holdings, struct mamori_error *err);

/*
 * Retires account name: disabled and its API tokens revoked (a user.disable
 * event), then a user.retire event with reason (1–1000 bytes) and what the
 * account still held, all in one transaction.  holdings (when not NULL) gets
 * that list (mamori_user_holdings, as of the retirement).  Retiring a disabled
 * account again is refused (MAMORI_E_CONFLICT).
 */
int mamori_user_retire(struct mamori_store *s, const char *actor, const char *name, const char *reason,
    cJSON **holdings, struct mamori_error *err);

/*
 * Applies a personnel change list: a CSV (UTF-8 or CP932; encoding as for
 * the record import) with a header row naming 利用者 (user), 区分 (change:
 * 異動 / move, 退職 / retire), 課 (department), 役割 (role) and 理由 (reason).
 * Every row is checked first (each problem in diags as "FILE: row N, column
 * C: …"); with any problem, or with dry_run, nothing changes.  Otherwise
 * every change is made in one transaction, each with its events.  out (when
 * not NULL) gets {"changes": [{"row", "user", "change", "department", "role",
 * "holdings"}], "dry_run"}.  name is the file's for messages; bytes (len
 * bytes, malloc'd with room for a NUL) are taken over.
 */
int mamori_user_changes(struct mamori_store *s, const char *actor, const char *name, char *bytes, size_t len,
    const char *encoding, bool dry_run, cJSON **out, struct mamori_diags *diags, struct mamori_error *err);

#endif
