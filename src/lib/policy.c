/* policy.c — loading a policy file, resolving `extends`, lookups. */
#include "mamori/policy.h"
#include "policy_internal.h"
#include "policy_schema.h"
#include "fold.h"
#include "mamori/tz.h"
#include "utf8.h"
#include "yamlmap.h"

#include <errno.h>
#include <libfyaml.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

enum {
	POLICY_FILE_MAX = 8 * 1024 * 1024,	/* no real policy comes near this */
	EXTENDS_DEPTH_MAX = 16,
};

struct loader {
	struct mamori_arena *arena;
	struct mamori_diags *diags;
	crypto_hash_sha256_state sha;
	const char *visited[EXTENDS_DEPTH_MAX + 1];	/* canonical paths, outermost first */
	size_t nvisited;
	const char *chain[EXTENDS_DEPTH_MAX + 1];
	size_t nchain;
	struct mamori_policy_file files[EXTENDS_DEPTH_MAX + 1];	/* in load order, top first */
	size_t nfiles;
	bool read;		/* the top file's YAML was read into the model */
	bool nomem;
};

static void
diag(struct loader *L, enum mamori_severity sev, const char *file, int line, int col,
    const char *msg, const char *arg)
{
	if (mamori_diags_add(L->diags, sev, file, line, col, msg, arg) != 0)
		L->nomem = true;
}

/* Reads a whole file (at most POLICY_FILE_MAX bytes) into a malloc'd buffer. */
static int
read_file(struct loader *L, const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	size_t n = 0, cap = 0;

	if (f == NULL) {
		diag(L, MAMORI_SEV_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
		return MAMORI_E_IO;
	}
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64 * 1024;
			char *nb = realloc(b, cap + 1);
			if (nb == NULL) {
				free(b);
				fclose(f);
				return MAMORI_E_NOMEM;
			}
			b = nb;
		}
		size_t r = fread(b + n, 1, cap - n, f);
		n += r;
		if (n > POLICY_FILE_MAX) {
			diag(L, MAMORI_SEV_ERROR, path, 0, 0,
			    "file is larger than %s; a policy file is never this big", "8 MiB");
			free(b);
			fclose(f);
			return MAMORI_E_INVALID;
		}
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		diag(L, MAMORI_SEV_ERROR, path, 0, 0, "cannot read: %s", strerror(errno));
		free(b);
		fclose(f);
		return MAMORI_E_IO;
	}
	fclose(f);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

/* Parses one YAML document; syntax errors go to diags with their positions. */
static struct fy_document *
parse_yaml(struct loader *L, const char *file, const char *buf, size_t len)
{
	struct fy_diag_cfg dcfg;
	struct fy_diag *fyd_diag;
	struct fy_parse_cfg cfg = { 0 };
	struct fy_parser *fyp = NULL;
	struct fy_document *doc = NULL, *extra = NULL;
	bool reported = false;

	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.colorize = false;
	fyd_diag = fy_diag_create(&dcfg);
	if (fyd_diag == NULL) {
		L->nomem = true;
		return NULL;
	}
	fy_diag_set_collect_errors(fyd_diag, true);
	cfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG;
	cfg.diag = fyd_diag;
	fyp = fy_parser_create(&cfg);
	if (fyp == NULL || fy_parser_set_string(fyp, buf, len) != 0) {
		L->nomem = true;
		goto out;
	}
	doc = fy_parse_load_document(fyp);
	if (doc != NULL) {
		extra = fy_parse_load_document(fyp);
		if (extra != NULL) {
			struct fy_document_state *st = fy_document_get_document_state(extra);
			const struct fy_mark *m = st ? fy_document_state_start_mark(st) : NULL;
			diag(L, MAMORI_SEV_ERROR, file, m ? m->line + 1 : 0, m ? m->column + 1 : 0,
			    "%s", "a policy file holds one YAML document; remove the second '---'");
			fy_document_destroy(extra);
			fy_document_destroy(doc);
			doc = NULL;
			reported = true;
		}
	}
	if (doc == NULL || fy_parser_get_stream_error(fyp)) {
		void *iter = NULL;
		struct fy_diag_error *e;

		while ((e = fy_diag_errors_iterate(fyd_diag, &iter)) != NULL) {
			char msg[600];
			snprintf(msg, sizeof(msg), "YAML syntax: %s", e->msg ? e->msg : "error");
			/* collected errors carry 1-based positions (token marks are 0-based) */
			diag(L, MAMORI_SEV_ERROR, file, e->line, e->column, "%s", msg);
			reported = true;
		}
		if (doc != NULL) {
			fy_document_destroy(doc);
			doc = NULL;
		}
		if (!reported && fy_parser_get_stream_error(fyp))
			diag(L, MAMORI_SEV_ERROR, file, 1, 1, "%s", "YAML syntax error");
	}
out:
	fy_parser_destroy(fyp);
	fy_diag_destroy(fyd_diag);
	return doc;
}

static const char *
dir_of(struct mamori_arena *a, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return ".";
	if (slash == path)
		return "/";
	return mamori_arena_strndup(a, path, (size_t)(slash - path));
}

static bool
file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Finds the file that `extends: target` names, relative to the extending file. */
static const char *
find_parent(struct loader *L, const char *from_file, const char *target, char *tried, size_t tsize)
{
	const char *dir = dir_of(L->arena, from_file);
	char path[PATH_MAX];
	bool is_path = strchr(target, '/') != NULL || strstr(target, ".yaml") ||
	    strstr(target, ".yml") || strstr(target, ".json");

	if (dir == NULL)
		return NULL;
	if (is_path) {
		if (target[0] == '/')
			snprintf(path, sizeof(path), "%s", target);
		else
			snprintf(path, sizeof(path), "%s/%s", dir, target);
		snprintf(tried, tsize, "%s", path);
		return file_exists(path) ? mamori_arena_strdup(L->arena, path) : NULL;
	}
	snprintf(path, sizeof(path), "%s/%s.yaml", dir, target);
	snprintf(tried, tsize, "%s", path);
	if (file_exists(path))
		return mamori_arena_strdup(L->arena, path);
	snprintf(path, sizeof(path), "%s/%s.yaml", MAMORI_POLICY_DIR, target);
	size_t used = strlen(tried);
	snprintf(tried + used, tsize - used, " and %.1000s", path);
	return file_exists(path) ? mamori_arena_strdup(L->arena, path) : NULL;
}

static int load_one(struct loader *L, const char *name, const char *buf, size_t len,
    int depth, struct mamori_policy *out);

static int
load_path(struct loader *L, const char *path, int depth, struct mamori_policy *out)
{
	char *buf = NULL;
	size_t len = 0;
	int rc = read_file(L, path, &buf, &len);

	if (rc != 0)
		return rc;
	rc = load_one(L, path, buf, len, depth, out);
	free(buf);
	return rc;
}

static bool
has_body(const struct mamori_organisation *o, const char *id)
{
	for (size_t i = 0; i < o->nbodies; i++)
		if (strcmp(o->bodies[i].id, id) == 0)
			return true;
	return false;
}

static bool
has_family(const struct mamori_organisation *o, const char *id)
{
	for (size_t i = 0; i < o->nfamilies; i++)
		if (strcmp(o->families[i].id, id) == 0)
			return true;
	return false;
}

static bool
names_department(const struct mamori_organisation *o, const char *id)
{
	for (size_t i = 0; i < o->ndepartments; i++)
		if (strcmp(o->departments[i].id, id) == 0)
			return true;
	return false;
}

/*
 * A child's organisation replaces the parent's (its name, bodies in scope and
 * families are its own), but its departments add to the parent's, merged by id:
 * a town lists only the 課 it adds or renames.  An inherited 課 must belong to
 * a body and a family the child keeps in scope (a town without its own 消防, an
 * audit commission that reuses the city's 対策基準 but not its 課 inherits
 * neither); the child's own 課 are kept as written, for the checks to judge.
 */
static bool
merge_departments(struct mamori_arena *arena, struct mamori_organisation *merged,
    const struct mamori_organisation *parent)
{
	struct mamori_department *all;
	size_t n = merged->ndepartments;

	if (parent->ndepartments == 0 || merged == parent)
		return true;
	all = mamori_arena_alloc(arena, (merged->ndepartments + parent->ndepartments) * sizeof(*all));
	if (all == NULL)
		return false;
	if (n > 0)
		memcpy(all, merged->departments, n * sizeof(*all));
	for (size_t i = 0; i < parent->ndepartments; i++) {
		const struct mamori_department *d = &parent->departments[i];
		bool in_scope = (d->body == NULL || has_body(merged, d->body)) &&
		    (d->family == NULL || has_family(merged, d->family));
		if (in_scope && !names_department(merged, d->id))
			all[n++] = *d;
	}
	merged->departments = all;
	merged->ndepartments = n;
	return true;
}

/* Loads the parent named by p->extends and lays p over it. */
static int
resolve_extends(struct loader *L, struct mamori_policy *p, int depth)
{
	struct mamori_policy parent, merged;
	const struct mamori_srcpos *ep = &p->extends_pos;
	char tried[2 * PATH_MAX + 8] = "";
	const char *ppath, *canon;
	char real[PATH_MAX];
	int rc;

	if (depth >= EXTENDS_DEPTH_MAX) {
		diag(L, MAMORI_SEV_ERROR, ep->file, ep->line, ep->column,
		    "'extends' chain is deeper than %s policies", "16");
		return MAMORI_E_INVALID;
	}
	ppath = find_parent(L, p->pos.file ? p->pos.file : ".", p->extends, tried, sizeof(tried));
	if (ppath == NULL) {
		char msg[PATH_MAX * 2 + 128];
		snprintf(msg, sizeof(msg), "extends '%s': no such policy (looked for %s)",
		    p->extends, tried);
		diag(L, MAMORI_SEV_ERROR, ep->file, ep->line, ep->column, "%s", msg);
		return MAMORI_E_INVALID;
	}
	canon = realpath(ppath, real) ? real : ppath;
	for (size_t i = 0; i < L->nvisited; i++) {
		if (strcmp(L->visited[i], canon) != 0)
			continue;
		char msg[1024];
		size_t used = (size_t)snprintf(msg, sizeof(msg), "'extends' makes a cycle: ");
		for (size_t j = i; j < L->nvisited && used < sizeof(msg); j++)
			used += (size_t)snprintf(msg + used, sizeof(msg) - used, "%.120s → ",
			    strrchr(L->visited[j], '/') ? strrchr(L->visited[j], '/') + 1 : L->visited[j]);
		if (used < sizeof(msg))
			snprintf(msg + used, sizeof(msg) - used, "%.120s",
			    strrchr(canon, '/') ? strrchr(canon, '/') + 1 : canon);
		diag(L, MAMORI_SEV_ERROR, ep->file, ep->line, ep->column, "%s", msg);
		return MAMORI_E_INVALID;
	}
	memset(&parent, 0, sizeof(parent));
	rc = load_path(L, ppath, depth + 1, &parent);
	if (rc != 0)
		return rc;
	if (!ym_merge(L->arena, &mamori_policy_schema, &parent, p, &merged) ||
	    (p->organisation.pos.file != NULL &&
	     !merge_departments(L->arena, &merged.organisation, &parent.organisation)))
		return MAMORI_E_NOMEM;
	merged.pos = p->pos;
	merged.extends = NULL;
	merged.cited_as = p->cited_as;	/* names its own file, not inherited */
	*p = merged;
	return 0;
}

static int
load_one(struct loader *L, const char *name, const char *buf, size_t len, int depth,
    struct mamori_policy *out)
{
	struct ym_ctx ctx = { .arena = L->arena, .diags = L->diags };
	struct fy_document *doc;
	struct fy_node *root;
	size_t bad;
	char real[PATH_MAX];
	size_t errors_before = L->diags->errors;
	int rc = 0;

	ctx.file = mamori_arena_strdup(L->arena, name);
	if (ctx.file == NULL)
		return MAMORI_E_NOMEM;
	crypto_hash_sha256_update(&L->sha, (const unsigned char *)buf, len);
	if (L->nvisited <= EXTENDS_DEPTH_MAX) {
		const char *canon = realpath(name, real) ? real : name;
		L->visited[L->nvisited] = mamori_arena_strdup(L->arena, canon);
		if (L->visited[L->nvisited] == NULL)
			return MAMORI_E_NOMEM;
		L->nvisited++;
	}

	if (!mamori_utf8_valid(buf, len, &bad)) {
		int line, col;
		mamori_utf8_position(buf, bad, &line, &col);
		diag(L, MAMORI_SEV_ERROR, ctx.file, line, col, "%s",
		    "invalid UTF-8; save the file as UTF-8 (not Shift_JIS / CP932)");
		return MAMORI_E_INVALID;
	}
	doc = parse_yaml(L, ctx.file, buf, len);
	if (doc == NULL && L->diags->errors == errors_before && !L->nomem) {
		/* no document at all: an empty file or only comments */
		diag(L, MAMORI_SEV_ERROR, ctx.file, 1, 1, "%s",
		    "the file is empty; a policy starts with 'mamori-policy: 1'");
		return MAMORI_E_INVALID;
	}
	if (doc == NULL)
		return L->nomem ? MAMORI_E_NOMEM : MAMORI_E_INVALID;
	root = fy_document_root(doc);
	if (root == NULL) {
		diag(L, MAMORI_SEV_ERROR, ctx.file, 1, 1, "%s",
		    "the file is empty; a policy starts with 'mamori-policy: 1'");
		rc = MAMORI_E_INVALID;
		goto out;
	}
	if (fy_node_get_type(root) != FYNT_MAPPING) {
		diag(L, MAMORI_SEV_ERROR, ctx.file, 1, 1, "%s",
		    "a policy file must be a mapping of keys (mamori-policy, id, title, ...)");
		rc = MAMORI_E_INVALID;
		goto out;
	}
	ym_read_map(&ctx, root, &mamori_policy_schema, out);
	if (depth == 0)
		L->read = true;
	if (ctx.nomem) {
		rc = MAMORI_E_NOMEM;
		goto out;
	}
	if (out->format != 0 && out->format != MAMORI_POLICY_FORMAT) {
		diag(L, MAMORI_SEV_ERROR, ctx.file, out->pos.line, out->pos.column,
		    "unsupported format version; this mamori reads 'mamori-policy: %s'", "1");
	}
	if (out->id != NULL && L->nchain <= EXTENDS_DEPTH_MAX)
		L->chain[L->nchain++] = out->id;
	/* what this file calls itself, read before a merge lays its parent's values over it */
	if (L->nfiles <= EXTENDS_DEPTH_MAX)
		L->files[L->nfiles++] = (struct mamori_policy_file){ ctx.file, out->id,
		    out->cited_as ? out->cited_as : out->title };
	if (out->extends != NULL && L->diags->errors == errors_before)
		rc = resolve_extends(L, out, depth);
out:
	fy_document_destroy(doc);
	if (rc == 0 && L->diags->errors > errors_before)
		rc = MAMORI_E_INVALID;
	return rc;
}

static int
finish(struct loader *L, struct policy_box *box, int rc, const char *name,
    struct mamori_policy **out)
{
	struct mamori_policy *p = &box->policy;

	/* An unresolved `extends` would only add cascades of "missing" errors. */
	if (rc == 0 || (rc == MAMORI_E_INVALID && L->read && p->extends == NULL)) {
		mamori_policy_validate(p, L->diags);
		if (L->diags->errors > 0 && rc == 0)
			rc = MAMORI_E_INVALID;
	}
	if (rc == 0 && L->nomem)
		rc = MAMORI_E_NOMEM;
	if (rc == 0) {
		p->path = mamori_arena_strdup(&box->arena, name);
		if (L->nchain > 1) {
			p->chain = mamori_arena_alloc(&box->arena, sizeof(char *) * (L->nchain - 1));
			if (p->chain == NULL)
				rc = MAMORI_E_NOMEM;
			for (size_t i = 1; p->chain && i < L->nchain; i++)
				p->chain[i - 1] = L->chain[i];
			p->nchain = L->nchain - 1;
		}
		p->files = mamori_arena_alloc(&box->arena, sizeof(*p->files) * (L->nfiles ? L->nfiles : 1));
		if (p->files == NULL)
			rc = MAMORI_E_NOMEM;
		for (size_t i = 0; p->files && i < L->nfiles; i++)
			p->files[i] = L->files[i];
		p->nfiles = p->files ? L->nfiles : 0;
		crypto_hash_sha256_final(&L->sha, p->sha256);
	}
	if (rc != 0) {
		mamori_arena_free(&box->arena);
		free(box);
		return rc;
	}
	*out = p;
	return 0;
}

static struct policy_box *
start(struct loader *L, struct mamori_diags *diags)
{
	struct policy_box *box = calloc(1, sizeof(*box));

	if (box == NULL || sodium_init() < 0) {
		free(box);
		return NULL;
	}
	memset(L, 0, sizeof(*L));
	L->arena = &box->arena;
	L->diags = diags;
	crypto_hash_sha256_init(&L->sha);
	return box;
}

int
mamori_policy_load(const char *path, struct mamori_diags *diags, struct mamori_policy **out)
{
	struct loader L;
	struct policy_box *box;

	*out = NULL;
	box = start(&L, diags);
	if (box == NULL)
		return MAMORI_E_NOMEM;
	return finish(&L, box, load_path(&L, path, 0, &box->policy), path, out);
}

int
mamori_policy_load_buffer(const char *name, const char *buf, size_t len,
    struct mamori_diags *diags, struct mamori_policy **out)
{
	struct loader L;
	struct policy_box *box;

	*out = NULL;
	box = start(&L, diags);
	if (box == NULL)
		return MAMORI_E_NOMEM;
	if (len > POLICY_FILE_MAX) {
		diag(&L, MAMORI_SEV_ERROR, name, 0, 0, "input is larger than %s", "8 MiB");
		return finish(&L, box, MAMORI_E_IO, name, out);
	}
	return finish(&L, box, load_one(&L, name, buf, len, 0, &box->policy), name, out);
}

void
mamori_policy_free(struct mamori_policy **policy)
{
	struct policy_box *box;

	if (policy == NULL || *policy == NULL)
		return;
	box = (struct policy_box *)((char *)*policy - offsetof(struct policy_box, policy));
	mamori_arena_free(&box->arena);
	free(box);
	*policy = NULL;
}

/* ---- lookups ---------------------------------------------------------- */

#define FIND_BY_ID(arr, n, id)                                          \
	do {                                                            \
		for (size_t i_ = 0; id != NULL && i_ < (n); i_++)       \
			if ((arr)[i_].id && strcmp((arr)[i_].id, id) == 0) \
				return &(arr)[i_];                      \
		return NULL;                                            \
	} while (0)

const struct mamori_role *
mamori_policy_role(const struct mamori_policy *p, const char *id)
{
	FIND_BY_ID(p->roles, p->nroles, id);
}

const struct mamori_department *
mamori_policy_department(const struct mamori_policy *p, const char *id)
{
	FIND_BY_ID(p->organisation.departments, p->organisation.ndepartments, id);
}

const struct mamori_segment *
mamori_policy_segment(const struct mamori_policy *p, const char *id)
{
	FIND_BY_ID(p->segments, p->nsegments, id);
}

const struct mamori_axis *
mamori_policy_axis(const struct mamori_policy *p, const char *id)
{
	FIND_BY_ID(p->classification.axes, p->classification.naxes, id);
}

const struct mamori_asset_kind *
mamori_policy_asset_kind(const struct mamori_policy *p, const char *id)
{
	FIND_BY_ID(p->asset_kinds, p->nasset_kinds, id);
}

const struct mamori_threat *
mamori_policy_threat(const struct mamori_policy *p, const char *id)
{
	FIND_BY_ID(p->threats, p->nthreats, id);
}

const struct mamori_measure *
mamori_policy_measure(const struct mamori_policy *p, const char *id)
{
	FIND_BY_ID(p->measures, p->nmeasures, id);
}

const struct mamori_level *
mamori_policy_level(const struct mamori_axis *axis, int level)
{
	for (size_t i = 0; axis != NULL && i < axis->nlevels; i++)
		if (axis->levels[i].level == level)
			return &axis->levels[i];
	return NULL;
}

const struct mamori_flow *
mamori_policy_flow(const struct mamori_policy *p, const char *from, const char *to,
    const char *channel)
{
	for (size_t i = 0; i < p->nflows; i++) {
		const struct mamori_flow *f = &p->flows[i];
		if (f->from && f->to && f->channel && strcmp(f->from, from) == 0 &&
		    strcmp(f->to, to) == 0 && strcmp(f->channel, channel) == 0)
			return f;
	}
	return NULL;
}

const struct mamori_segment *
mamori_policy_mail_segment(const struct mamori_policy *p, const char *domain)
{
	const struct mamori_segment *best = NULL, *any = NULL;
	size_t n = domain ? strlen(domain) : 0, best_len = 0;

	if (n > 0 && domain[n - 1] == '.')
		n--;
	for (size_t i = 0; n > 0 && i < p->nsegments; i++) {
		const struct mamori_segment *s = &p->segments[i];
		for (size_t j = 0; j < s->nmail_domains; j++) {
			const char *d = s->mail_domains[j];
			size_t dl = strlen(d);
			if (strcmp(d, "*") == 0) {
				any = any ? any : s;
				continue;
			}
			/* the domain itself, or a subdomain: ends in "." + d */
			if (dl > n || strncasecmp(domain + n - dl, d, dl) != 0 ||
			    (dl < n && domain[n - dl - 1] != '.'))
				continue;
			if (dl > best_len) {
				best = s;
				best_len = dl;
			}
		}
	}
	return best ? best : (n > 0 ? any : NULL);
}

const char *
mamori_policy_cited_as(const struct mamori_policy *p, const struct mamori_srcpos *pos)
{
	if (pos == NULL || pos->file == NULL || p->nfiles == 0 ||
	    strcmp(pos->file, p->files[0].path) == 0)
		return NULL;
	for (size_t i = 1; i < p->nfiles; i++)
		if (strcmp(pos->file, p->files[i].path) == 0)
			return p->files[i].cited_as;
	return NULL;
}

const char *
mamori_policy_timezone(const struct mamori_policy *p)
{
	return p->organisation.timezone ? p->organisation.timezone : MAMORI_TZ_DEFAULT;
}

bool
mamori_segment_requires(const struct mamori_segment *s, const char *requirement)
{
	for (size_t i = 0; s != NULL && i < s->nrequirements; i++)
		if (s->requirements[i].id && strcmp(s->requirements[i].id, requirement) == 0)
			return true;
	return false;
}

/* Whether candidate, folded, equals folded (mamori_fold: NFKC, case, white space). */
static bool
name_matches(const char *candidate, const char *folded)
{
	char buf[512];

	return candidate != NULL && mamori_fold(candidate, buf, sizeof(buf)) && strcmp(buf, folded) == 0;
}

static bool
alias_matches(const char **aliases, size_t n, const char *folded)
{
	for (size_t i = 0; i < n; i++)
		if (name_matches(aliases[i], folded))
			return true;
	return false;
}

#define FIND_BY_NAME(arr, n, name, extra)                                     \
	do {                                                                  \
		char f_[512];                                                 \
		/* ids first, exactly: what the store holds, read often */   \
		for (size_t i_ = 0; i_ < (n); i_++)                           \
			if ((arr)[i_].id && strcmp((arr)[i_].id, name) == 0)  \
				return &(arr)[i_];                            \
		if (!mamori_fold(name, f_, sizeof(f_)) || f_[0] == '\0')     \
			return NULL;                                          \
		for (size_t i_ = 0; i_ < (n); i_++)                           \
			if (name_matches((arr)[i_].id, f_) ||                 \
			    name_matches((arr)[i_].title, f_) || extra)       \
				return &(arr)[i_];                            \
		return NULL;                                                  \
	} while (0)

const struct mamori_department *
mamori_policy_find_department(const struct mamori_policy *p, const char *name)
{
	FIND_BY_NAME(p->organisation.departments, p->organisation.ndepartments, name,
	    alias_matches(p->organisation.departments[i_].aliases, p->organisation.departments[i_].naliases, f_));
}

const struct mamori_segment *
mamori_policy_find_segment(const struct mamori_policy *p, const char *name)
{
	FIND_BY_NAME(p->segments, p->nsegments, name,
	    alias_matches(p->segments[i_].aliases, p->segments[i_].naliases, f_));
}

const struct mamori_role *
mamori_policy_find_role(const struct mamori_policy *p, const char *name)
{
	FIND_BY_NAME(p->roles, p->nroles, name, name_matches(p->roles[i_].abbrev, f_));
}

const struct mamori_asset_kind *
mamori_policy_find_asset_kind(const struct mamori_policy *p, const char *name)
{
	FIND_BY_NAME(p->asset_kinds, p->nasset_kinds, name,
	    alias_matches(p->asset_kinds[i_].aliases, p->asset_kinds[i_].naliases, f_));
}

/* A number written in digits (after NFKC) or in lowercase roman numerals up to ix; -1 otherwise. */
static int
level_number(const char *s)
{
	static const char *const roman[] = { "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix" };
	int v = 0;

	if (s[0] >= '0' && s[0] <= '9' && strspn(s, "0123456789") == strlen(s) && strlen(s) <= 2) {
		for (; *s; s++)
			v = v * 10 + (*s - '0');
		return v;
	}
	for (size_t i = 0; i < sizeof(roman) / sizeof(roman[0]); i++)
		if (strcmp(s, roman[i]) == 0)
			return (int)i + 1;
	return -1;
}

int
mamori_axis_level_find(const struct mamori_axis *axis, const char *word)
{
	char w[256], title[256];
	size_t tl;
	int v;

	if (!mamori_fold(word, w, sizeof(w)) || w[0] == '\0')
		return -1;
	if ((v = level_number(w)) >= 0)
		return v;
	/* 機密性2, 機密性 ２, 機密性Ⅲ */
	if (axis != NULL && mamori_fold(axis->title, title, sizeof(title)) && (tl = strlen(title)) > 0 &&
	    strncmp(w, title, tl) == 0 && (v = level_number(w + tl)) >= 0)
		return v;
	for (size_t i = 0; axis != NULL && i < axis->nlevels; i++) {
		const struct mamori_level *l = &axis->levels[i];
		if (name_matches(l->title, w) || alias_matches(l->aliases, l->naliases, w))
			return l->level;
	}
	return -1;
}
