/*
 * policy_schema.c — the policy file format as tables (docs/policy-format.md).
 * The loader, `policy show --json` and the JSON Schema in docs/ are all driven
 * by these tables, so a key added here is read, printed and documented alike.
 */
#include "policy_schema.h"

#include <limits.h>
#include <stddef.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define STR(T, k, m, req, d) { .key = k, .kind = YM_STRING, .offset = offsetof(T, m), .required = req, .doc = d }
#define ID(T, k, m, req, d) { .key = k, .kind = YM_ID, .offset = offsetof(T, m), .required = req, .doc = d }
#define FIELDREF(T, k, m, d) { .key = k, .kind = YM_ID, .offset = offsetof(T, m), .underscore = true, .doc = d }
#define REF(T, k, m, p, d) { .key = k, .kind = YM_ID, .offset = offsetof(T, m), .pos_offset = offsetof(T, p), .doc = d }
#define REQREF(T, k, m, p, d) { .key = k, .kind = YM_ID, .offset = offsetof(T, m), .pos_offset = offsetof(T, p), .required = true, .doc = d }
#define INT(T, k, m, req, lo, hi, d) { .key = k, .kind = YM_INT, .offset = offsetof(T, m), .required = req, .min = lo, .max = hi, .doc = d }
#define BOOL(T, k, m, d) { .key = k, .kind = YM_BOOL, .offset = offsetof(T, m), .doc = d }
#define STRS(T, k, m, c, d) { .key = k, .kind = YM_STRLIST, .offset = offsetof(T, m), .count_offset = offsetof(T, c), .doc = d }
#define LIST(T, k, m, c, s, req, mg, d) { .key = k, .kind = YM_LIST, .offset = offsetof(T, m), .count_offset = offsetof(T, c), .schema = &s, .required = req, .merge = mg, .doc = d }
#define MAP(T, k, m, s, req, mg, d) { .key = k, .kind = YM_MAP, .offset = offsetof(T, m), .schema = &s, .required = req, .merge = mg, .doc = d }
#define SCHEMA(T, nm, tbl, ...) { .name = nm, .size = sizeof(T), .fields = tbl, .nfields = N(tbl), .keys = { __VA_ARGS__ } }

#define CLAUSE(T) STR(T, "clause", clause, true, "where the element stands in the source document")

/* ---- organisation ---- */

static const struct ym_field body_fields[] = {
	ID(struct mamori_body, "id", id, true, "body id"),
	STR(struct mamori_body, "title", title, true, "e.g. 内部部局"),
	STR(struct mamori_body, "text", text, false, "a qualification of the scope"),
	BOOL(struct mamori_body, "excluded", excluded, "named only to be excluded"),
	CLAUSE(struct mamori_body),
};
static const struct ym_schema body_schema = SCHEMA(struct mamori_body, "body", body_fields, "id");

static const struct ym_field department_fields[] = {
	ID(struct mamori_department, "id", id, true, "department id"),
	STR(struct mamori_department, "title", title, true, "e.g. 総務課"),
	REF(struct mamori_department, "body", body, body_pos, "the body it belongs to"),
	REF(struct mamori_department, "family", family, family_pos, "the policy family that applies"),
	STRS(struct mamori_department, "aliases", aliases, naliases, "other names a ledger uses for it"),
	STR(struct mamori_department, "clause", clause, false, "the 組織規則 that sets it up"),
};
static const struct ym_schema department_schema =
    SCHEMA(struct mamori_department, "department", department_fields, "id");

static const struct ym_field family_fields[] = {
	ID(struct mamori_family, "id", id, true, "family id, e.g. general, education"),
	STR(struct mamori_family, "title", title, true, "e.g. 教育情報セキュリティポリシー"),
	STR(struct mamori_family, "text", text, false, "description"),
	CLAUSE(struct mamori_family),
};
static const struct ym_schema family_schema = SCHEMA(struct mamori_family, "family", family_fields, "id");

static const struct ym_field organisation_fields[] = {
	STR(struct mamori_organisation, "name", name, true, "団体名"),
	STR(struct mamori_organisation, "kind", kind, false, "council, city, town, village, prefecture, committee, other"),
	CLAUSE(struct mamori_organisation),
	LIST(struct mamori_organisation, "bodies", bodies, nbodies, body_schema, true, YM_MERGE_REPLACE, "適用範囲: the bodies in scope"),
	LIST(struct mamori_organisation, "departments", departments, ndepartments, department_schema, false, YM_MERGE_REPLACE, "departments"),
	LIST(struct mamori_organisation, "families", families, nfamilies, family_schema, false, YM_MERGE_REPLACE, "policy families"),
	{ .key = "timezone", .kind = YM_STRING, .offset = offsetof(struct mamori_organisation, timezone),
	  .pos_offset = offsetof(struct mamori_organisation, timezone_pos),
	  .doc = "the IANA time zone people read times in; Asia/Tokyo when absent" },
};
static const struct ym_schema organisation_schema =
    SCHEMA(struct mamori_organisation, "organisation", organisation_fields, NULL);

/* ---- roles ---- */

static const struct ym_field access_fields[] = {
	{ .key = "scope", .kind = YM_ID, .offset = offsetof(struct mamori_role_access, scope),
	  .pos_offset = offsetof(struct mamori_role_access, scope_pos), .required = true,
	  .doc = "all, department or none" },
	{ .key = "actions", .kind = YM_STRLIST, .offset = offsetof(struct mamori_role_access, actions),
	  .count_offset = offsetof(struct mamori_role_access, nactions),
	  .pos_offset = offsetof(struct mamori_role_access, actions_pos), .required = true,
	  .doc = "read write copy print send take_out transfer store dispose publish release, or all" },
	{ .key = "manage", .kind = YM_STRLIST, .offset = offsetof(struct mamori_role_access, manage),
	  .count_offset = offsetof(struct mamori_role_access, nmanage),
	  .pos_offset = offsetof(struct mamori_role_access, manage_pos),
	  .doc = "what the role administers through mamori: users (accounts of its own and lower roles), policy" },
	CLAUSE(struct mamori_role_access),
};
static const struct ym_schema access_schema =
    SCHEMA(struct mamori_role_access, "access", access_fields, NULL);

static const struct ym_field role_fields[] = {
	ID(struct mamori_role, "id", id, true, "role id"),
	STR(struct mamori_role, "title", title, true, "e.g. 統括情報セキュリティ責任者"),
	STR(struct mamori_role, "abbrev", abbrev, false, "short form, e.g. 統括責任者"),
	STR(struct mamori_role, "holder", holder, false, "who holds it, e.g. 議会事務局長"),
	REF(struct mamori_role, "reports_to", reports_to, reports_to_pos, "the role above"),
	REF(struct mamori_role, "department", department, department_pos, "a department id"),
	STRS(struct mamori_role, "duties", duties, nduties, "duties in the source's wording"),
	MAP(struct mamori_role, "access", access, access_schema, false, YM_MERGE_REPLACE, "what the role may do to assets"),
	CLAUSE(struct mamori_role),
};
static const struct ym_schema role_schema = SCHEMA(struct mamori_role, "role", role_fields, "id");

/* ---- classification ---- */

static const struct ym_field restriction_fields[] = {
	{ .key = "id", .kind = YM_ID, .offset = offsetof(struct mamori_restriction, id),
	  .pos_offset = offsetof(struct mamori_restriction, id_pos), .required = true,
	  .doc = "a restriction id from the vocabulary" },
	STR(struct mamori_restriction, "text", text, true, "the source's wording"),
	INT(struct mamori_restriction, "hours", hours, false, 1, 8760, "timely-recovery: hours"),
	CLAUSE(struct mamori_restriction),
};
static const struct ym_schema restriction_schema =
    SCHEMA(struct mamori_restriction, "restriction", restriction_fields, "id");

static const struct ym_field level_fields[] = {
	INT(struct mamori_level, "level", level, true, 1, 9, "the level number"),
	STR(struct mamori_level, "title", title, true, "e.g. 機密性3"),
	STR(struct mamori_level, "criteria", criteria, true, "分類基準"),
	STRS(struct mamori_level, "aliases", aliases, naliases, "words a ledger uses for the level, e.g. 高"),
	CLAUSE(struct mamori_level),
	LIST(struct mamori_level, "restrictions", restrictions, nrestrictions, restriction_schema, false, YM_MERGE_REPLACE, "取扱制限"),
	{ .key = "published", .kind = YM_STRLIST, .offset = offsetof(struct mamori_level, published),
	  .count_offset = offsetof(struct mamori_level, npublished),
	  .pos_offset = offsetof(struct mamori_level, published_pos),
	  .doc = "取扱制限 as the source's table prints them, one entry per bullet; the document shows these, the restrictions stay the decision point's" },
};
static const struct ym_schema level_schema = SCHEMA(struct mamori_level, "level", level_fields, "level");

static const struct ym_field axis_fields[] = {
	ID(struct mamori_axis, "id", id, true, "confidentiality, integrity, availability"),
	STR(struct mamori_axis, "title", title, true, "e.g. 機密性"),
	STR(struct mamori_axis, "definition", definition, false, "the definition"),
	CLAUSE(struct mamori_axis),
	LIST(struct mamori_axis, "levels", levels, nlevels, level_schema, true, YM_MERGE_REPLACE, "levels, highest first"),
};
static const struct ym_schema axis_schema = SCHEMA(struct mamori_axis, "axis", axis_fields, "id");

static const struct ym_field classification_fields[] = {
	LIST(struct mamori_classification, "axes", axes, naxes, axis_schema, true, YM_MERGE_BY_KEY, "classification axes"),
};
static const struct ym_schema classification_schema =
    SCHEMA(struct mamori_classification, "classification", classification_fields, NULL);

/* ---- assets, segments, flows ---- */

static const struct ym_field asset_kind_fields[] = {
	ID(struct mamori_asset_kind, "id", id, true, "asset kind id"),
	STR(struct mamori_asset_kind, "title", title, true, "e.g. 電磁的記録媒体"),
	STR(struct mamori_asset_kind, "text", text, false, "the source's wording"),
	STRS(struct mamori_asset_kind, "aliases", aliases, naliases, "other names a ledger uses, e.g. 端末"),
	CLAUSE(struct mamori_asset_kind),
};
static const struct ym_schema asset_kind_schema =
    SCHEMA(struct mamori_asset_kind, "asset kind", asset_kind_fields, "id");

static const struct ym_field requirement_fields[] = {
	{ .key = "id", .kind = YM_ID, .offset = offsetof(struct mamori_requirement, id),
	  .pos_offset = offsetof(struct mamori_requirement, id_pos), .required = true,
	  .doc = "a requirement id from the vocabulary" },
	STR(struct mamori_requirement, "text", text, true, "the source's wording"),
	CLAUSE(struct mamori_requirement),
};
static const struct ym_schema requirement_schema =
    SCHEMA(struct mamori_requirement, "requirement", requirement_fields, "id");

static const struct ym_field gateway_fields[] = {
	ID(struct mamori_gateway, "id", id, true, "gateway id, e.g. mail-gw"),
	STR(struct mamori_gateway, "title", title, false, "e.g. メール無害化サーバ"),
	{ .key = "channel", .kind = YM_ID, .offset = offsetof(struct mamori_gateway, channel),
	  .pos_offset = offsetof(struct mamori_gateway, channel_pos), .required = true,
	  .doc = "the channel it relays: mail, web, file-transfer, screen-transfer …" },
	{ .key = "addresses", .kind = YM_STRLIST, .offset = offsetof(struct mamori_gateway, addresses),
	  .count_offset = offsetof(struct mamori_gateway, naddresses),
	  .pos_offset = offsetof(struct mamori_gateway, addresses_pos), .required = true,
	  .doc = "its IPv4 and IPv6 addresses, inside the segment's networks" },
	{ .key = "ports", .kind = YM_STRLIST, .offset = offsetof(struct mamori_gateway, ports),
	  .count_offset = offsetof(struct mamori_gateway, nports),
	  .pos_offset = offsetof(struct mamori_gateway, ports_pos), .required = true,
	  .doc = "the TCP ports it listens on: numbers or ranges (3000-3010)" },
	CLAUSE(struct mamori_gateway),
};
static const struct ym_schema gateway_schema = SCHEMA(struct mamori_gateway, "gateway", gateway_fields, "id");

static const struct ym_field segment_fields[] = {
	ID(struct mamori_segment, "id", id, true, "segment id"),
	STR(struct mamori_segment, "title", title, true, "e.g. LGWAN接続系"),
	STRS(struct mamori_segment, "aliases", aliases, naliases, "other names"),
	REF(struct mamori_segment, "family", family, family_pos, "policy family"),
	STR(struct mamori_segment, "definition", definition, false, "the definition"),
	CLAUSE(struct mamori_segment),
	LIST(struct mamori_segment, "requirements", requirements, nrequirements, requirement_schema, false, YM_MERGE_REPLACE, "requirements"),
	{ .key = "mail_domains", .kind = YM_STRLIST, .offset = offsetof(struct mamori_segment, mail_domains),
	  .count_offset = offsetof(struct mamori_segment, nmail_domains),
	  .pos_offset = offsetof(struct mamori_segment, mail_domains_pos),
	  .doc = "mail domains whose mailboxes are in this segment (and their subdomains); \"*\" for every other domain" },
	{ .key = "networks", .kind = YM_STRLIST, .offset = offsetof(struct mamori_segment, networks),
	  .count_offset = offsetof(struct mamori_segment, nnetworks),
	  .pos_offset = offsetof(struct mamori_segment, networks_pos), .inherit = true,
	  .doc = "its address ranges as CIDRs, IPv4 and IPv6 (10.20.0.0/16, fd00:20::/48); kept from the extended policy when not restated" },
	{ .key = "gateways", .kind = YM_LIST, .offset = offsetof(struct mamori_segment, gateways),
	  .count_offset = offsetof(struct mamori_segment, ngateways), .schema = &gateway_schema,
	  .inherit = true,
	  .doc = "the sanitizing relays and proxies in it (無害化 mail gateway, file server, 画面転送 server); kept from the extended policy when not restated" },
};
static const struct ym_schema segment_schema = SCHEMA(struct mamori_segment, "segment", segment_fields, "id");

static const struct ym_field flow_fields[] = {
	REQREF(struct mamori_flow, "from", from, from_pos, "source segment"),
	REQREF(struct mamori_flow, "to", to, to_pos, "destination segment"),
	REQREF(struct mamori_flow, "channel", channel, channel_pos, "channel id"),
	REQREF(struct mamori_flow, "sanitization", sanitization, sanitization_pos, "sanitization id"),
	STR(struct mamori_flow, "text", text, false, "the source's wording"),
	CLAUSE(struct mamori_flow),
	{ .key = "via", .kind = YM_ID, .offset = offsetof(struct mamori_flow, via),
	  .pos_offset = offsetof(struct mamori_flow, via_pos), .inherit = true,
	  .doc = "the gateway it passes through (in from or to; connections go to it from the other segment)" },
	{ .key = "ports", .kind = YM_STRLIST, .offset = offsetof(struct mamori_flow, ports),
	  .count_offset = offsetof(struct mamori_flow, nports),
	  .pos_offset = offsetof(struct mamori_flow, ports_pos), .inherit = true,
	  .doc = "the TCP ports it uses: numbers or ranges; default the gateway's" },
};
static const struct ym_schema flow_schema =
    SCHEMA(struct mamori_flow, "flow", flow_fields, "from", "to", "channel");

/* ---- threats, measures, definitions ---- */

static const struct ym_field threat_fields[] = {
	ID(struct mamori_threat, "id", id, true, "threat id"),
	STR(struct mamori_threat, "number", number, false, "the source's numbering"),
	STR(struct mamori_threat, "title", title, false, "category name"),
	STR(struct mamori_threat, "text", text, true, "the source's wording"),
	CLAUSE(struct mamori_threat),
};
static const struct ym_schema threat_schema = SCHEMA(struct mamori_threat, "threat", threat_fields, "id");

static const struct ym_field item_fields[] = {
	STR(struct mamori_item, "number", number, false, "numbering, e.g. ①"),
	STR(struct mamori_item, "term", term, false, "the term defined"),
	STR(struct mamori_item, "text", text, true, "the wording"),
};
static const struct ym_schema item_schema = SCHEMA(struct mamori_item, "item", item_fields, NULL);

static const struct ym_field measure_fields[] = {
	ID(struct mamori_measure, "id", id, true, "measure id"),
	STR(struct mamori_measure, "number", number, false, "numbering, e.g. (1)"),
	STR(struct mamori_measure, "title", title, true, "e.g. 組織体制"),
	STR(struct mamori_measure, "text", text, false, "the wording"),
	CLAUSE(struct mamori_measure),
	LIST(struct mamori_measure, "items", items, nitems, item_schema, false, YM_MERGE_REPLACE, "sub-items"),
};
static const struct ym_schema measure_schema = SCHEMA(struct mamori_measure, "measure", measure_fields, "id");

static const struct ym_field definition_fields[] = {
	ID(struct mamori_definition, "id", id, false, "optional id"),
	STR(struct mamori_definition, "number", number, false, "numbering, e.g. (1)"),
	STR(struct mamori_definition, "term", term, true, "the term"),
	STR(struct mamori_definition, "text", text, false, "the definition"),
	CLAUSE(struct mamori_definition),
	LIST(struct mamori_definition, "items", items, nitems, item_schema, false, YM_MERGE_REPLACE, "enumerated parts"),
};
static const struct ym_schema definition_schema =
    SCHEMA(struct mamori_definition, "definition", definition_fields, "term");

/* ---- records and workflows ---- */

static const struct ym_field record_choice_fields[] = {
	ID(struct mamori_record_choice, "id", id, true, "the value stored"),
	STR(struct mamori_record_choice, "title", title, true, "what people read"),
};
static const struct ym_schema record_choice_schema =
    SCHEMA(struct mamori_record_choice, "choice", record_choice_fields, "id");

static const struct ym_field record_field_fields[] = {
	{ .key = "id", .kind = YM_ID, .offset = offsetof(struct mamori_record_field, id), .required = true,
	  .underscore = true, .doc = "field id (the key of the record's JSON: noticed_at)" },
	/* title and type are required of a new field; a field of the kind a policy
	 * extends may be named again with only what changes (policy_records.c) */
	STR(struct mamori_record_field, "title", title, false, "e.g. 発生日時"),
	{ .key = "type", .kind = YM_ID, .offset = offsetof(struct mamori_record_field, type),
	  .pos_offset = offsetof(struct mamori_record_field, type_pos),
	  .doc = "text, longtext, number, date, datetime, choice, asset, account, department, role, threat, segment, file, action, record" },
	BOOL(struct mamori_record_field, "required", required, "must be filled in"),
	BOOL(struct mamori_record_field, "multiple", multiple, "a list of values (e.g. several assets)"),
	STR(struct mamori_record_field, "help", help, false, "a hint shown with the field"),
	LIST(struct mamori_record_field, "choices", choices, nchoices, record_choice_schema, false, YM_MERGE_BY_KEY,
	    "the values of a choice"),
	STR(struct mamori_record_field, "clause", clause, false, "the clause that asks for it"),
	{ .key = "of", .kind = YM_ID, .offset = offsetof(struct mamori_record_field, of),
	  .pos_offset = offsetof(struct mamori_record_field, of_pos),
	  .doc = "type record: the kind of the records it names (an attendance names its course)" },
};
static const struct ym_schema record_field_schema =
    SCHEMA(struct mamori_record_field, "field", record_field_fields, "id");

static const struct ym_field record_state_fields[] = {
	ID(struct mamori_record_state, "id", id, true, "state id"),
	STR(struct mamori_record_state, "title", title, true, "e.g. 報告済み"),
	BOOL(struct mamori_record_state, "initial", initial, "a new record starts here (exactly one state)"),
	BOOL(struct mamori_record_state, "final", final, "the record's life ends here"),
	{ .key = "deadline", .kind = YM_STRING, .offset = offsetof(struct mamori_record_state, deadline),
	  .pos_offset = offsetof(struct mamori_record_state, deadline_pos),
	  .doc = "how long a record may stay: 30m, 4h, 3d" },
	{ .key = "escalate", .kind = YM_STRING, .offset = offsetof(struct mamori_record_state, escalate),
	  .pos_offset = offsetof(struct mamori_record_state, escalate_pos),
	  .doc = "who hears of a missed deadline: reports_to (up the roles) or a role id" },
	{ .key = "requires", .kind = YM_STRLIST, .offset = offsetof(struct mamori_record_state, requires),
	  .count_offset = offsetof(struct mamori_record_state, nrequires),
	  .pos_offset = offsetof(struct mamori_record_state, requires_pos),
	  .doc = "fields that must be filled in before a record enters it" },
	{ .key = "notify", .kind = YM_STRLIST, .offset = offsetof(struct mamori_record_state, notify),
	  .count_offset = offsetof(struct mamori_record_state, nnotify),
	  .pos_offset = offsetof(struct mamori_record_state, notify_pos),
	  .doc = "who is told at once when a record enters it: role ids, reporter, owner, approver" },
	{ .key = "disable_accounts", .kind = YM_ID, .underscore = true,
	  .offset = offsetof(struct mamori_record_state, disable_accounts),
	  .pos_offset = offsetof(struct mamori_record_state, disable_accounts_pos),
	  .doc = "an account field: its accounts are disabled and their API tokens revoked when a record enters it" },
	{ .key = "disposal_method", .kind = YM_ID, .underscore = true,
	  .offset = offsetof(struct mamori_record_state, disposal_method),
	  .pos_offset = offsetof(struct mamori_record_state, disposal_method_pos),
	  .doc = "a choice field of disposal methods: entering the state disposes of something (with disposal_level)" },
	{ .key = "disposal_level", .kind = YM_ID, .underscore = true,
	  .offset = offsetof(struct mamori_record_state, disposal_level),
	  .pos_offset = offsetof(struct mamori_record_state, disposal_level_pos),
	  .doc = "the field of the highest 機密性 it held: where that level asks irreversible-disposal, only such a method" },
	STR(struct mamori_record_state, "clause", clause, false, "the clause behind it"),
};
static const struct ym_schema record_state_schema =
    SCHEMA(struct mamori_record_state, "state", record_state_fields, "id");

static const struct ym_field record_transition_fields[] = {
	ID(struct mamori_record_transition, "id", id, true, "transition id, e.g. approve"),
	STR(struct mamori_record_transition, "title", title, true, "e.g. 承認する"),
	REQREF(struct mamori_record_transition, "from", from, from_pos, "the state it leaves"),
	REQREF(struct mamori_record_transition, "to", to, to_pos, "the state it enters"),
	{ .key = "by", .kind = YM_STRLIST, .offset = offsetof(struct mamori_record_transition, by),
	  .count_offset = offsetof(struct mamori_record_transition, nby),
	  .pos_offset = offsetof(struct mamori_record_transition, by_pos),
	  .doc = "who may take it: role ids, and reporter, owner or approver (the record's people)" },
	{ .key = "automatic", .kind = YM_ID, .underscore = true, .offset = offsetof(struct mamori_record_transition, automatic),
	  .pos_offset = offsetof(struct mamori_record_transition, automatic_pos),
	  .doc = "a date field: mamori takes the step itself once that date has passed (期限切れ)" },
	{ .key = "requires", .kind = YM_STRLIST, .offset = offsetof(struct mamori_record_transition, requires),
	  .count_offset = offsetof(struct mamori_record_transition, nrequires),
	  .pos_offset = offsetof(struct mamori_record_transition, requires_pos),
	  .doc = "fields that must be given with the step itself (e.g. a periodic check's date and result)" },
	BOOL(struct mamori_record_transition, "second_person", second_person,
	    "someone other than who took the step before (approval by another)"),
	CLAUSE(struct mamori_record_transition),
};
static const struct ym_schema record_transition_schema =
    SCHEMA(struct mamori_record_transition, "transition", record_transition_fields, "id");

static const struct ym_field record_effect_fields[] = {
	{ .key = "type", .kind = YM_ID, .offset = offsetof(struct mamori_record_effect, type),
	  .pos_offset = offsetof(struct mamori_record_effect, type_pos), .required = true,
	  .doc = "approval (lets the reporter act), exception (lifts a denial), limit (a service's highest level) or terminal (the terminal register)" },
	{ .key = "action", .kind = YM_STRING, .offset = offsetof(struct mamori_record_effect, action),
	  .pos_offset = offsetof(struct mamori_record_effect, action_pos),
	  .doc = "approval: the action an approved record permits, e.g. take_out" },
	{ .key = "states", .kind = YM_STRLIST, .offset = offsetof(struct mamori_record_effect, states),
	  .count_offset = offsetof(struct mamori_record_effect, nstates),
	  .pos_offset = offsetof(struct mamori_record_effect, states_pos), .required = true,
	  .doc = "the states in which a record is in force" },
	FIELDREF(struct mamori_record_effect, "assets", assets, "the field listing the assets it covers"),
	FIELDREF(struct mamori_record_effect, "from", from, "the date field it is in force from"),
	FIELDREF(struct mamori_record_effect, "until", until, "the date field it is in force until (that day included)"),
	FIELDREF(struct mamori_record_effect, "department", department, "exception: the field naming the 課 it covers"),
	FIELDREF(struct mamori_record_effect, "accounts", accounts, "exception: the field naming the accounts it covers"),
	FIELDREF(struct mamori_record_effect, "action_field", action_field, "exception: the field naming the action"),
	FIELDREF(struct mamori_record_effect, "measures", measures, "exception: the field of the measures taken instead"),
	{ .key = "actions", .kind = YM_STRLIST, .offset = offsetof(struct mamori_record_effect, actions),
	  .count_offset = offsetof(struct mamori_record_effect, nactions),
	  .pos_offset = offsetof(struct mamori_record_effect, actions_pos),
	  .doc = "limit: the actions it limits, e.g. store (a cloud service) or publish (an SNS account)" },
	FIELDREF(struct mamori_record_effect, "key", key, "limit, terminal: the field a request names it by (default: the record's id)"),
	FIELDREF(struct mamori_record_effect, "level", level, "limit: the number field of the highest confidentiality level it may hold"),
	FIELDREF(struct mamori_record_effect, "segment", segment, "limit: the segment it is reached from; terminal: the terminal's segment"),
	FIELDREF(struct mamori_record_effect, "issued", issued, "terminal: the choice field (yes / no) of whether the organisation issued it"),
	FIELDREF(struct mamori_record_effect, "mfa", mfa, "terminal: the choice field (yes / no) of whether it has multi-factor authentication"),
	FIELDREF(struct mamori_record_effect, "account", account, "terminal: the field of the account it is lent to"),
	STR(struct mamori_record_effect, "clause", clause, false, "the clause that gives it force (default: the kind's)"),
};
static const struct ym_schema record_effect_schema =
    SCHEMA(struct mamori_record_effect, "effect", record_effect_fields, NULL);

static const struct ym_field record_active_fields[] = {
	{ .key = "fields", .kind = YM_STRLIST, .offset = offsetof(struct mamori_record_active, fields),
	  .count_offset = offsetof(struct mamori_record_active, nfields),
	  .pos_offset = offsetof(struct mamori_record_active, fields_pos), .required = true,
	  .doc = "the account fields whose accounts must stay enabled, e.g. the 責任者" },
	{ .key = "states", .kind = YM_STRLIST, .offset = offsetof(struct mamori_record_active, states),
	  .count_offset = offsetof(struct mamori_record_active, nstates),
	  .pos_offset = offsetof(struct mamori_record_active, states_pos),
	  .doc = "the states in which it matters (default: every state that is not final)" },
	{ .key = "notify", .kind = YM_STRLIST, .offset = offsetof(struct mamori_record_active, notify),
	  .count_offset = offsetof(struct mamori_record_active, nnotify),
	  .pos_offset = offsetof(struct mamori_record_active, notify_pos), .required = true,
	  .doc = "who is told once when such an account is disabled: role ids, reporter, approver" },
	STR(struct mamori_record_active, "clause", clause, false, "the clause that asks for it (default: the kind's)"),
};
static const struct ym_schema record_active_schema =
    SCHEMA(struct mamori_record_active, "active_accounts", record_active_fields, NULL);

/* title, clause, fields and states are required of a new kind, checked after
 * extends has merged (policy_records.c): a kind of the parent may be named
 * again with only the fields it gains */
static const struct ym_field record_kind_fields[] = {
	ID(struct mamori_record_kind, "id", id, true, "kind id, e.g. incident"),
	STR(struct mamori_record_kind, "title", title, false, "e.g. 情報セキュリティインシデント報告"),
	STR(struct mamori_record_kind, "text", text, false, "what it is for"),
	STR(struct mamori_record_kind, "clause", clause, false, "where the element stands in the source document"),
	LIST(struct mamori_record_kind, "fields", fields, nfields, record_field_schema, false, YM_MERGE_DEEP,
	    "the record's fields (extends adds or rewords by id)"),
	LIST(struct mamori_record_kind, "states", states, nstates, record_state_schema, false, YM_MERGE_BY_KEY,
	    "the workflow's states"),
	LIST(struct mamori_record_kind, "transitions", transitions, ntransitions, record_transition_schema, false,
	    YM_MERGE_BY_KEY, "the workflow's steps"),
	STR(struct mamori_record_kind, "prefix", prefix, false, "of record ids, e.g. INC (INC-000001); default: the id"),
	STRS(struct mamori_record_kind, "steps", steps, nsteps, "the procedure to follow, e.g. the 緊急時対応計画's steps"),
	MAP(struct mamori_record_kind, "effect", effect, record_effect_schema, false, YM_MERGE_REPLACE,
	    "what a record in force means to the decision point"),
	MAP(struct mamori_record_kind, "active_accounts", active_accounts, record_active_schema, false, YM_MERGE_REPLACE,
	    "accounts a record relies on, told to roles when one is disabled (a 責任者 who has left)"),
	{ .key = "department_field", .kind = YM_ID, .underscore = true,
	  .offset = offsetof(struct mamori_record_kind, department_field),
	  .pos_offset = offsetof(struct mamori_record_kind, department_field_pos),
	  .doc = "a department field whose value is the record's 課 (default: the reporter's)" },
	STR(struct mamori_record_kind, "menu", menu, false,
	    "the heading the web UI's menu lists the kind under, e.g. 台帳 (default: 記録)"),
};
static const struct ym_schema record_kind_schema =
    SCHEMA(struct mamori_record_kind, "record kind", record_kind_fields, "id");

/* ---- review, document ---- */

static const struct ym_field review_item_fields[] = {
	STR(struct mamori_review_item, "text", text, true, "the wording"),
	CLAUSE(struct mamori_review_item),
	INT(struct mamori_review_item, "interval_months", interval_months, false, 1, 120, "interval in months"),
};
static const struct ym_schema review_item_schema =
    SCHEMA(struct mamori_review_item, "review item", review_item_fields, NULL);

static const struct ym_field checklist_fields[] = {
	STR(struct mamori_checklist_entry, "id", id, true, "a derived item's id (to reword or drop it) or a new one"),
	STR(struct mamori_checklist_entry, "text", text, false, "the question"),
	STR(struct mamori_checklist_entry, "clause", clause, false, "where the requirement stands"),
	STRS(struct mamori_checklist_entry, "applies_to", applies_to, napplies_to, "role and department ids it is asked of"),
	BOOL(struct mamori_checklist_entry, "drop", drop, "leave the derived item out"),
};
static const struct ym_schema checklist_schema =
    SCHEMA(struct mamori_checklist_entry, "checklist item", checklist_fields, "id");

static const struct ym_field risk_step_fields[] = {
	INT(struct mamori_risk_step, "level", level, true, 1, 9, "the step, 1 lowest"),
	STR(struct mamori_risk_step, "title", title, true, "e.g. 高い"),
	STR(struct mamori_risk_step, "criteria", criteria, false, "when a risk is rated so"),
};
static const struct ym_schema risk_step_schema = SCHEMA(struct mamori_risk_step, "risk step", risk_step_fields, "level");

static const struct ym_field risk_scales_fields[] = {
	STR(struct mamori_risk_scales, "text", text, false, "the wording"),
	CLAUSE(struct mamori_risk_scales),
	LIST(struct mamori_risk_scales, "likelihood", likelihood, nlikelihood, risk_step_schema, true, YM_MERGE_REPLACE,
	    "発生可能性: 1 up to the highest"),
	LIST(struct mamori_risk_scales, "impact", impact, nimpact, risk_step_schema, true, YM_MERGE_REPLACE,
	    "影響度: 1 up to the highest"),
	INT(struct mamori_risk_scales, "accept", accept, false, 1, 81, "the highest score (likelihood × impact) that may be accepted"),
};
static const struct ym_schema risk_scales_schema =
    SCHEMA(struct mamori_risk_scales, "risk scales", risk_scales_fields, NULL);

static const struct ym_field review_fields[] = {
	MAP(struct mamori_review, "audit", audit, review_item_schema, false, YM_MERGE_REPLACE, "情報セキュリティ監査"),
	MAP(struct mamori_review, "self_check", self_check, review_item_schema, false, YM_MERGE_REPLACE, "自己点検"),
	MAP(struct mamori_review, "policy_review", policy_review, review_item_schema, false, YM_MERGE_REPLACE, "見直し"),
	MAP(struct mamori_review, "risk_analysis", risk_analysis, review_item_schema, false, YM_MERGE_REPLACE, "risk analysis before review"),
	LIST(struct mamori_review, "checklist", checklist, nchecklist, checklist_schema, false, YM_MERGE_BY_KEY,
	    "the self-check and audit checklist: items added, reworded or dropped"),
	MAP(struct mamori_review, "risk", risk, risk_scales_schema, false, YM_MERGE_REPLACE,
	    "the scales risks are rated on"),
};
static const struct ym_schema review_schema = SCHEMA(struct mamori_review, "review", review_fields, NULL);

extern const struct ym_schema mamori_section_schema;
static const struct ym_field section_fields[] = {
	STR(struct mamori_section, "number", number, false, "the source's number"),
	STR(struct mamori_section, "title", title, false, "the heading"),
	STR(struct mamori_section, "text", text, false, "paragraphs"),
	STRS(struct mamori_section, "items", items, nitems, "enumerated items"),
	{ .key = "include", .kind = YM_STRING, .offset = offsetof(struct mamori_section, include),
	  .pos_offset = offsetof(struct mamori_section, include_pos),
	  .doc = "a part of the model to render here" },
	LIST(struct mamori_section, "sections", sections, nsections, mamori_section_schema, false, YM_MERGE_REPLACE, "sub-sections"),
};
const struct ym_schema mamori_section_schema =
    SCHEMA(struct mamori_section, "section", section_fields, NULL);

static const struct ym_field document_fields[] = {
	STR(struct mamori_document, "title", title, false, "the document's heading"),
	STR(struct mamori_document, "date", date, false, "策定日 / 改定日"),
	LIST(struct mamori_document, "sections", sections, nsections, mamori_section_schema, false, YM_MERGE_REPLACE, "sections in order"),
};
static const struct ym_schema document_schema = SCHEMA(struct mamori_document, "document", document_fields, NULL);

/* ---- top level ---- */

#define P struct mamori_policy
static const struct ym_field policy_fields[] = {
	INT(P, "mamori-policy", format, true, 1, INT_MAX, "format version (1)"),
	ID(P, "id", id, true, "the policy's id"),
	STR(P, "title", title, true, "文書名"),
	STR(P, "version", version, true, "version or revision date"),
	{ .key = "extends", .kind = YM_STRING, .offset = offsetof(P, extends),
	  .pos_offset = offsetof(P, extends_pos), .doc = "the policy this one builds on" },
	STR(P, "note", note, false, "a note for readers"),
	STR(P, "cited_as", cited_as, false, "how policies that extend this one name it when citing its clauses, e.g. ガイドライン"),
	{ .key = "decision_log", .kind = YM_ID, .offset = offsetof(P, decision_log),
	  .pos_offset = offsetof(P, decision_log_pos),
	  .doc = "which decisions go to the audit trail: all, denials (default) or none" },
	MAP(P, "organisation", organisation, organisation_schema, false, YM_MERGE_REPLACE, "the organisation"),
	LIST(P, "roles", roles, nroles, role_schema, false, YM_MERGE_BY_KEY, "roles"),
	MAP(P, "classification", classification, classification_schema, false, YM_MERGE_FIELDS, "classification"),
	LIST(P, "asset_kinds", asset_kinds, nasset_kinds, asset_kind_schema, false, YM_MERGE_BY_KEY, "asset kinds"),
	LIST(P, "segments", segments, nsegments, segment_schema, false, YM_MERGE_BY_KEY, "network segments"),
	LIST(P, "flows", flows, nflows, flow_schema, false, YM_MERGE_BY_KEY, "allowed flows"),
	LIST(P, "threats", threats, nthreats, threat_schema, false, YM_MERGE_BY_KEY, "threats"),
	LIST(P, "measures", measures, nmeasures, measure_schema, false, YM_MERGE_BY_KEY, "measures"),
	LIST(P, "records", records, nrecords, record_kind_schema, false, YM_MERGE_DEEP,
	    "records and workflows: 事故報告, 持ち出し, 例外措置 …"),
	LIST(P, "definitions", definitions, ndefinitions, definition_schema, false, YM_MERGE_REPLACE, "definitions"),
	MAP(P, "review", review, review_schema, false, YM_MERGE_FIELDS, "audit, self-check, review"),
	MAP(P, "document", document, document_schema, false, YM_MERGE_REPLACE, "document layout"),
};
#undef P

const struct ym_schema mamori_policy_schema =
    SCHEMA(struct mamori_policy, "policy", policy_fields, NULL);
