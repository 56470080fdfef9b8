/*
 * mamori/policy.h — the policy model: load a policy file (YAML), resolve
 * `extends`, validate, and look elements up by id.
 *
 * A loaded policy is immutable: every string and array below belongs to the
 * policy and lives until mamori_policy_free().  Read the structs directly; the
 * lookup functions are conveniences.  The format is docs/policy-format.md.
 *
 * Every element struct begins with its source position (`pos`: the file and the
 * line and column where the element was written), so that later checks and the
 * decision point can point back into the file.
 */
#ifndef MAMORI_POLICY_H
#define MAMORI_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "mamori/diag.h"
#include "mamori/error.h"

#define MAMORI_POLICY_FORMAT 1

/* Where an element or value was written.  file is NULL when absent. */
struct mamori_srcpos {
	const char *file;
	int line;
	int column;
};

struct mamori_body {
	struct mamori_srcpos pos;
	const char *id, *title, *text, *clause;
	bool excluded;
};

struct mamori_department {
	struct mamori_srcpos pos;
	const char *id, *title, *clause, *body, *family;
	const char **aliases;	/* other names people write, e.g. 税務 */
	size_t naliases;
	struct mamori_srcpos body_pos, family_pos;
};

struct mamori_family {
	struct mamori_srcpos pos;
	const char *id, *title, *text, *clause;
};

struct mamori_organisation {
	struct mamori_srcpos pos;	/* pos.file == NULL: not given */
	const char *name, *kind, *clause;
	struct mamori_body *bodies;
	size_t nbodies;
	struct mamori_department *departments;
	size_t ndepartments;
	struct mamori_family *families;
	size_t nfamilies;
	const char *timezone;	/* IANA name, e.g. Asia/Tokyo; NULL: MAMORI_TZ_DEFAULT */
	struct mamori_srcpos timezone_pos;
};

/*
 * What a role may do to assets (the decision point and the server read it):
 * scope "all" (every department's assets), "department" (its holder's own
 * department's), or "none"; actions from the action vocabulary, or "all".  A role
 * also may do what the roles that report to it may (the hierarchy), within its
 * own scope.  manage: what it administers through mamori ("users": accounts of
 * its own role and the roles below it, within its scope; "policy": replacing the
 * store's policy); inherited up the hierarchy the same way.
 */
struct mamori_role_access {
	struct mamori_srcpos pos;	/* pos.file == NULL: not given */
	const char *scope, *clause;
	const char **actions;
	size_t nactions;
	const char **manage;
	size_t nmanage;
	struct mamori_srcpos scope_pos, actions_pos, manage_pos;
};

struct mamori_role {
	struct mamori_srcpos pos;
	const char *id, *title, *abbrev, *holder, *reports_to, *department, *clause;
	const char **duties;
	size_t nduties;
	struct mamori_role_access access;
	struct mamori_srcpos reports_to_pos, department_pos;
};

/* One 取扱制限 of a level: a vocabulary id (mamori/vocab.h) and its wording. */
struct mamori_restriction {
	struct mamori_srcpos pos;
	const char *id, *text, *clause;
	int hours;		/* timely-recovery only; 0 = as the 実施手順 sets */
	struct mamori_srcpos id_pos;
};

/*
 * A level of an axis.  restrictions are what the decision point applies (one
 * vocabulary id each); published, when given, is the 取扱制限 column of the
 * source's table as printed, one entry per bullet ("バックアップ、電子署名付与"
 * is one entry where it stands for two restrictions).  The rendered document
 * shows published when given, else the restrictions' texts.
 */
struct mamori_level {
	struct mamori_srcpos pos;
	int level;
	const char *title, *criteria, *clause;
	const char **aliases;	/* words a ledger uses for the level: 高, 秘 … */
	size_t naliases;
	struct mamori_restriction *restrictions;
	size_t nrestrictions;
	const char **published;	/* npublished 0: not given (nor is an empty list) */
	size_t npublished;
	struct mamori_srcpos published_pos;
};

/* An axis; levels are ordered highest first and run contiguously down to 1. */
struct mamori_axis {
	struct mamori_srcpos pos;
	const char *id, *title, *definition, *clause;
	struct mamori_level *levels;
	size_t nlevels;
};

struct mamori_classification {
	struct mamori_srcpos pos;
	struct mamori_axis *axes;
	size_t naxes;
};

struct mamori_asset_kind {
	struct mamori_srcpos pos;
	const char *id, *title, *text, *clause;
	const char **aliases;	/* e.g. 端末, システム */
	size_t naliases;
};

struct mamori_requirement {
	struct mamori_srcpos pos;
	const char *id, *text, *clause;
	struct mamori_srcpos id_pos;
};

/*
 * A sanitizing relay or proxy in a segment (無害化 mail gateway, 無害化 file
 * server, 画面転送 server, web proxy): the only address of its segment that the
 * flows through it reach.  Connections are made to it, from the flow's other
 * segment.  addresses are plain IPv4/IPv6 addresses inside the segment's networks;
 * ports are numbers or ranges ("25", "3000-3010") as written.
 */
struct mamori_gateway {
	struct mamori_srcpos pos;
	const char *id, *title, *channel, *clause;
	const char **addresses;
	size_t naddresses;
	const char **ports;
	size_t nports;
	struct mamori_srcpos channel_pos, addresses_pos, ports_pos;
};

struct mamori_segment {
	struct mamori_srcpos pos;
	const char *id, *title, *family, *definition, *clause;
	const char **aliases;
	size_t naliases;
	struct mamori_requirement *requirements;
	size_t nrequirements;
	struct mamori_srcpos family_pos;
	/* Mail domains whose mailboxes sit in this segment (the milter's
	 * per-recipient rules): lowercase DNS names, each matching itself and its
	 * subdomains, or "*" for every domain no segment names. */
	const char **mail_domains;
	size_t nmail_domains;
	struct mamori_srcpos mail_domains_pos;
	/* Where the segment is on the network (mamori net, docs/network.md): its
	 * address ranges as CIDRs ("10.20.0.0/16", "fd00:20::/48") and its
	 * gateways.  A policy that restates a segment without them keeps the ones
	 * of the policy it extends. */
	const char **networks;
	size_t nnetworks;
	struct mamori_srcpos networks_pos;
	struct mamori_gateway *gateways;
	size_t ngateways;
};

/*
 * An allowed one-way flow between two segments; anything not listed is denied.
 * On the network (mamori net): via names the gateway the flow passes through
 * (in `from` or `to`; connections go to it from the other segment) and ports
 * the TCP ports it may use there (default: the gateway's); a flow without via
 * but with ports lets `from` connect to every address of `to` on them.  A
 * restated flow without via and ports keeps those of the policy it extends.
 */
struct mamori_flow {
	struct mamori_srcpos pos;
	const char *from, *to, *channel, *sanitization, *text, *clause;
	struct mamori_srcpos from_pos, to_pos, channel_pos, sanitization_pos;
	const char *via;
	const char **ports;
	size_t nports;
	struct mamori_srcpos via_pos, ports_pos;
};

struct mamori_threat {
	struct mamori_srcpos pos;
	const char *id, *number, *title, *text, *clause;
};

/* An enumerated sub-item of a measure or a definition (①, ア, ...). */
struct mamori_item {
	struct mamori_srcpos pos;
	const char *number, *term, *text;
};

struct mamori_measure {
	struct mamori_srcpos pos;
	const char *id, *number, *title, *text, *clause;
	struct mamori_item *items;
	size_t nitems;
};

/*
 * Records and workflows (records:): the registers and procedures the policy's
 * clauses ask people to keep — 事故報告, 持ち出し, 例外措置 … — declared as
 * kinds with fields and a life cycle, so that one engine keeps them all.
 */
struct mamori_record_choice {
	struct mamori_srcpos pos;
	const char *id, *title;
};

struct mamori_record_field {
	struct mamori_srcpos pos;
	const char *id, *title, *type, *help, *clause;
	struct mamori_srcpos type_pos;
	bool required;
	bool multiple;			/* a list of values (assets, accounts …) */
	struct mamori_record_choice *choices;	/* type choice */
	size_t nchoices;
	const char *of;			/* type record: the kind of the records it names */
	struct mamori_srcpos of_pos;
};

struct mamori_record_state {
	struct mamori_srcpos pos;
	const char *id, *title, *clause;
	bool initial, final;
	const char *deadline;		/* "30m", "4h", "3d" after entering the state; NULL: none */
	struct mamori_srcpos deadline_pos;
	const char *escalate;		/* on a missed deadline: "reports_to" or a role id */
	struct mamori_srcpos escalate_pos;
	const char **requires;		/* field ids that must be filled to enter it */
	size_t nrequires;
	struct mamori_srcpos requires_pos;
	const char **notify;		/* told on entering it: role ids and relations */
	size_t nnotify;
	struct mamori_srcpos notify_pos;
	/* an account field: the accounts it names are disabled (and their API
	 * tokens revoked) when a record enters the state — a contract that ends
	 * ends its contractor's access; NULL: none */
	const char *disable_accounts;
	struct mamori_srcpos disable_accounts_pos;
	/* a disposal (廃棄): the choice field of its method (choices named as
	 * mamori_disposal_methods) and the field of the highest 機密性 held (a
	 * number, or a choice whose n-th choice is level n); where that level's
	 * 取扱制限 has irreversible-disposal, a method that can be restored is
	 * refused, as for an asset; NULL: no such rule */
	const char *disposal_method, *disposal_level;
	struct mamori_srcpos disposal_method_pos, disposal_level_pos;
};

struct mamori_record_transition {
	struct mamori_srcpos pos;
	const char *id, *title, *from, *to, *clause;
	struct mamori_srcpos from_pos, to_pos, by_pos;
	const char **by;		/* role ids and relations (reporter, owner, approver) */
	size_t nby;
	bool second_person;		/* taken by someone other than who took the step before */
	const char *automatic;		/* a date field: mamori takes it once that date has passed */
	struct mamori_srcpos automatic_pos;
	const char **requires;		/* fields that must be given with the step itself (a check's result) */
	size_t nrequires;
	struct mamori_srcpos requires_pos;
};

/*
 * What a record in force means to the decision point (docs/records.md):
 * "approval" — an approved record lets its reporter do `action` to the assets
 * it names, as the approver's role may, between the dates of `from` and
 * `until`; "exception" — a request the policy denies is allowed when it
 * matches an exception in force (action, assets, department, accounts), with
 * the exception's `measures` as the obligation.  Fields are named by id.
 */
struct mamori_record_effect {
	struct mamori_srcpos pos;	/* pos.file == NULL: the kind has none */
	const char *type;		/* "approval", "exception", "limit" or "terminal" */
	const char *action;		/* approval: the action it permits */
	const char **states;		/* the states in which a record is in force */
	size_t nstates;
	const char *assets, *from, *until, *department, *accounts, *action_field, *measures;
	/*
	 * "limit" — a record in force named by the request's context.service (its
	 * `key` field, or its id) holds assets up to the confidentiality level in
	 * its `level` field for the `actions` listed (store to a cloud service,
	 * publish through an SNS account); `segment`, when given, is the field of
	 * the segment it is reached from.  "terminal" — a record in force whose
	 * `key` field is the request's subject.terminal.id gives the terminal's
	 * `segment`, `issued` and `mfa` (choice fields: yes / no) instead of the
	 * caller; `account` is the field of the account it is lent to.
	 */
	const char **actions;
	size_t nactions;
	const char *key, *level, *segment, *issued, *mfa, *account;
	const char *clause;
	struct mamori_srcpos type_pos, action_pos, states_pos, actions_pos;
};

/*
 * Accounts a record relies on (active_accounts:): while a record is in one of
 * `states` (none given: any state that is not final), every account named in
 * one of `fields` must be enabled; `mamori record tick` tells `notify` (roles
 * and relations) once per record and account when one is disabled — the SNS
 * account's 責任者 who has left.
 */
struct mamori_record_active {
	struct mamori_srcpos pos;	/* pos.file == NULL: the kind has none */
	const char **fields;
	size_t nfields;
	const char **states;
	size_t nstates;
	const char **notify;
	size_t nnotify;
	const char *clause;
	struct mamori_srcpos fields_pos, states_pos, notify_pos;
};

struct mamori_record_kind {
	struct mamori_srcpos pos;
	const char *id, *title, *text, *clause;
	struct mamori_record_field *fields;
	size_t nfields;
	struct mamori_record_state *states;
	size_t nstates;
	struct mamori_record_transition *transitions;
	size_t ntransitions;
	const char *prefix;		/* of record ids: "INC" → INC-000001 */
	const char **steps;		/* a procedure to follow (緊急時対応計画) */
	size_t nsteps;
	struct mamori_record_effect effect;
	struct mamori_record_active active_accounts;
	/* A field of type department whose value, when filled, is the record's 課
	 * instead of its reporter's (an audit finding belongs to the audited 課);
	 * NULL: the reporter's 課. */
	const char *department_field;
	struct mamori_srcpos department_field_pos;
	/* The heading under which the web UI's menu lists the kind (台帳,
	 * 点検・監査 …): kinds of one heading sit together; NULL: 記録. */
	const char *menu;
};

struct mamori_definition {
	struct mamori_srcpos pos;
	const char *id, *number, *term, *text, *clause;
	struct mamori_item *items;
	size_t nitems;
};

struct mamori_review_item {
	struct mamori_srcpos pos;	/* pos.file == NULL: not given */
	const char *text, *clause;
	int interval_months;		/* 0: 「定期的又は必要に応じて」 */
};

/*
 * A checklist entry of review.checklist (docs/review.md): with the id of a
 * derived item, it rewords it (text, clause, applies_to) or drops it (drop);
 * with a new id, it adds an item (text and clause then required).
 */
struct mamori_checklist_entry {
	struct mamori_srcpos pos;
	const char *id, *text, *clause;
	const char **applies_to;	/* role ids and department ids */
	size_t napplies_to;
	bool drop;
};

/* One step of a risk scale (発生可能性 or 影響度): 1 lowest. */
struct mamori_risk_step {
	struct mamori_srcpos pos;
	int level;
	const char *title, *criteria;
};

/*
 * review.risk: the scales of likelihood and impact a risk is rated on (each a
 * contiguous 1..n) and the highest score (likelihood × impact) that may be
 * accepted (受容) without a 低減/移転/回避; 0: no such limit.
 */
struct mamori_risk_scales {
	struct mamori_srcpos pos;	/* pos.file == NULL: not given (the standard 1–5 scales) */
	const char *text, *clause;
	struct mamori_risk_step *likelihood;
	size_t nlikelihood;
	struct mamori_risk_step *impact;
	size_t nimpact;
	int accept;
};

struct mamori_review {
	struct mamori_srcpos pos;
	struct mamori_review_item audit, self_check, policy_review, risk_analysis;
	struct mamori_checklist_entry *checklist;
	size_t nchecklist;
	struct mamori_risk_scales risk;
};

/* A section of the rendered document; sections nest. */
struct mamori_section {
	struct mamori_srcpos pos;
	const char *number, *title, *text, *include;
	const char **items;
	size_t nitems;
	struct mamori_section *sections;
	size_t nsections;
	struct mamori_srcpos include_pos;
};

struct mamori_document {
	struct mamori_srcpos pos;	/* pos.file == NULL: not given */
	const char *title, *date;
	struct mamori_section *sections;
	size_t nsections;
};

/* A file of a policy's `extends` chain, and how a clause written there is cited. */
struct mamori_policy_file {
	const char *path;	/* as loaded: the srcpos.file of what was written there */
	const char *id;
	const char *cited_as;	/* its `cited_as`, else its title; NULL if it has neither */
};

struct mamori_policy {
	struct mamori_srcpos pos;
	int format;
	const char *id, *title, *version, *extends, *note;
	/* How policies that extend this one name it when they cite its clauses
	 * ("ガイドライン").  Not inherited: it names the file it is written in. */
	const char *cited_as;
	struct mamori_organisation organisation;
	struct mamori_role *roles;
	size_t nroles;
	struct mamori_classification classification;
	struct mamori_asset_kind *asset_kinds;
	size_t nasset_kinds;
	struct mamori_segment *segments;
	size_t nsegments;
	struct mamori_flow *flows;
	size_t nflows;
	struct mamori_threat *threats;
	size_t nthreats;
	struct mamori_measure *measures;
	size_t nmeasures;
	struct mamori_record_kind *records;
	size_t nrecords;
	struct mamori_definition *definitions;
	size_t ndefinitions;
	struct mamori_review review;
	struct mamori_document document;
	const char *decision_log;	/* "all", "denials" (default) or "none" */
	struct mamori_srcpos extends_pos, decision_log_pos;

	/* Set by the loader, not read from the file. */
	const char *path;		/* the file that was loaded */
	const char **chain;		/* ids of the policies it extends, nearest first */
	size_t nchain;
	struct mamori_policy_file *files;	/* every file loaded, this policy's own first */
	size_t nfiles;
	unsigned char sha256[32];	/* SHA-256 over the bytes of every file in the chain, in load order */
};

/*
 * Loads the policy file at path, resolves its `extends` chain and validates the
 * result.  Every problem found (syntax, unknown keys, wrong types, bad
 * references, cycles, ...) is appended to diags, which the caller owns and may
 * reuse across calls; warnings do not make the load fail.
 *
 * Returns 0 and stores a new policy in *out (free with mamori_policy_free), or
 * MAMORI_E_INVALID when diags holds at least one error, MAMORI_E_IO when the file
 * cannot be read (also reported in diags), MAMORI_E_NOMEM.  *out is NULL on failure.
 */
int mamori_policy_load(const char *path, struct mamori_diags *diags,
    struct mamori_policy **out);

/*
 * Like mamori_policy_load, but from a buffer of len bytes; name is used in
 * diagnostics and as the base for relative `extends` paths (may be "-").
 */
int mamori_policy_load_buffer(const char *name, const char *buf, size_t len,
    struct mamori_diags *diags, struct mamori_policy **out);

/* Frees the policy and everything it owns, and sets *policy to NULL.  Accepts NULL. */
void mamori_policy_free(struct mamori_policy **policy);

/* Lookups by id; each returns NULL when the id is not in the policy. */
const struct mamori_role *mamori_policy_role(const struct mamori_policy *p, const char *id);
const struct mamori_department *mamori_policy_department(const struct mamori_policy *p, const char *id);
const struct mamori_segment *mamori_policy_segment(const struct mamori_policy *p, const char *id);
const struct mamori_axis *mamori_policy_axis(const struct mamori_policy *p, const char *id);

/*
 * How a clause written at pos is cited when it is not the policy's own: NULL
 * when pos lies in the policy's own file (or in no known file), else the name of
 * the policy file it was inherited from — its `cited_as` ("ガイドライン"), else
 * its title — to be written before the clause: "ガイドライン 対策基準 2.1".
 */
const char *mamori_policy_cited_as(const struct mamori_policy *p, const struct mamori_srcpos *pos);

/* The time zone people of the organisation read times in: organisation.timezone, else Asia/Tokyo. */
const char *mamori_policy_timezone(const struct mamori_policy *p);
const struct mamori_level *mamori_policy_level(const struct mamori_axis *axis, int level);
const struct mamori_asset_kind *mamori_policy_asset_kind(const struct mamori_policy *p, const char *id);
const struct mamori_threat *mamori_policy_threat(const struct mamori_policy *p, const char *id);
const struct mamori_measure *mamori_policy_measure(const struct mamori_policy *p, const char *id);

/* The allowed flow from one segment to another over channel, or NULL (denied). */
const struct mamori_flow *mamori_policy_flow(const struct mamori_policy *p,
    const char *from, const char *to, const char *channel);

/*
 * The segment a mail domain belongs to: the segment whose `mail_domains` holds
 * the longest entry equal to the domain or to one of its parent domains
 * ("lgwan.jp" holds "city.example.lgwan.jp"), else the segment holding "*",
 * else NULL.  Case-insensitive; a trailing dot is ignored.
 */
const struct mamori_segment *mamori_policy_mail_segment(const struct mamori_policy *p,
    const char *domain);

/* Whether the segment carries the requirement id (e.g. "mfa"). */
bool mamori_segment_requires(const struct mamori_segment *s, const char *requirement);

/*
 * Find a department / segment / role / asset kind by id, by its Japanese title
 * or by one of its aliases (roles: its abbreviation), compared after Unicode
 * NFKC with case and white space ignored ("ＬＧＷＡＮ接続系" and "lgwan 接続系"
 * find lgwan, "ｼｽﾃﾑ" finds the kind aliased システム).  For the register's
 * imports, where people write titles, not ids.
 */
const struct mamori_department *mamori_policy_find_department(const struct mamori_policy *p, const char *name);
const struct mamori_segment *mamori_policy_find_segment(const struct mamori_policy *p, const char *name);
const struct mamori_role *mamori_policy_find_role(const struct mamori_policy *p, const char *name);
const struct mamori_asset_kind *mamori_policy_find_asset_kind(const struct mamori_policy *p, const char *name);

/*
 * The level of axis a word names, or -1: a number ("2", "２", "③", "Ⅲ",
 * "III"), the number after the axis's title ("機密性2", "機密性 ２"), the
 * level's title, or one of its aliases ("高"), compared as the finds above.
 * Whether the level exists is the caller's to check (a number is returned
 * as it is written, from 0 to 99).
 */
int mamori_axis_level_find(const struct mamori_axis *axis, const char *word);

/*
 * Writes the resolved policy as JSON (the same keys as the YAML format, without
 * `extends`; the output is itself a valid policy file).  Returns a malloc'd
 * NUL-terminated string the caller frees, or NULL when memory runs out.
 */
char *mamori_policy_to_json(const struct mamori_policy *p, bool pretty);

/*
 * What policy new changes from policy old, for a 見直し: a JSON array of changes,
 * each {"op": "added"|"removed"|"changed", "path", "where", "before", "after",
 * "clause"}.  Elements are matched by their key (id, level, term, number, or
 * from→to channel of a flow), not by position, and lists of words compared as
 * sets; path is the JSON path ("roles[staff].access.actions"), where the same
 * in the policy's words (役割 職員等（staff） access actions), clause that of the
 * innermost element holding the change.  An empty array when nothing differs;
 * NULL when memory runs out.  The caller frees the array (cJSON_Delete).
 */
struct cJSON *mamori_policy_diff(const struct mamori_policy *old, const struct mamori_policy *new);

/*
 * The JSON Schema (draft 2020-12) of the policy file format, generated from the
 * same tables the loader reads with.  Returns a malloc'd string the caller frees,
 * or NULL when memory runs out.
 */
char *mamori_policy_json_schema(void);

enum mamori_render_format {
	MAMORI_RENDER_MARKDOWN,
	MAMORI_RENDER_HTML,
};

/*
 * Renders the policy document (its `document:` sections, or the guideline's
 * standard structure when it has none) to out.  Returns 0 or MAMORI_E_IO.
 */
int mamori_policy_render(const struct mamori_policy *p, enum mamori_render_format fmt,
    FILE *out);

#endif
