/*
 * net_check.c — a loaded ruleset (nft -j list ruleset) against the policy:
 * the table, the chain, each segment's set and each rule of the model (by what
 * it matches, counts, logs and does), in an order where no accept comes after
 * a drop.  Each difference is one drift with the clause the policy gives it.
 */
#include "mamori/i18n.h"
#include "mamori/net.h"
#include "buf.h"
#include "net_internal.h"
#include "netaddr.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct actual_rule {
	char key[3 * NET_LIST_MAX];
	const char *comment;
	bool used;
};

struct checker {
	struct mamori_net_drift *d;
	size_t n, cap;
	bool nomem;
};

static void
net_drift(struct checker *c, const char *clause, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
net_drift(struct checker *c, const char *clause, const char *fmt, ...)
{
	va_list ap;

	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		struct mamori_net_drift *nd = realloc(c->d, cap * sizeof(*nd));
		if (nd == NULL) {
			c->nomem = true;
			return;
		}
		c->d = nd;
		c->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(c->d[c->n].what, sizeof(c->d[c->n].what), _(fmt), ap);
	va_end(ap);
	snprintf(c->d[c->n].clause, sizeof(c->d[c->n].clause), "%s", clause ? clause : "");
	c->n++;
}

/* ---- nft's JSON to the model's canonical text ---------------------------- */

/* One element (address, prefix, port, range) as canonical text; false when unknown. */
static bool
element_text(const cJSON *e, bool port, char *buf, size_t n)
{
	const cJSON *x;
	struct netaddr a;
	char tmp[96];

	if (cJSON_IsNumber(e)) {
		snprintf(buf, n, "%d", e->valueint);
		return true;
	}
	if (cJSON_IsString(e)) {
		if (port) {
			snprintf(buf, n, "%s", e->valuestring);
			return true;
		}
		if (netaddr_parse(e->valuestring, false, &a) != NETADDR_OK)
			return false;
		netaddr_format(&a, false, buf, n);
		return true;
	}
	if ((x = cJSON_GetObjectItemCaseSensitive(e, "prefix")) != NULL) {
		const cJSON *addr = cJSON_GetObjectItemCaseSensitive(x, "addr");
		const cJSON *len = cJSON_GetObjectItemCaseSensitive(x, "len");
		if (!cJSON_IsString(addr) || !cJSON_IsNumber(len))
			return false;
		snprintf(tmp, sizeof(tmp), "%s/%d", addr->valuestring, len->valueint);
		if (netaddr_parse(tmp, true, &a) != NETADDR_OK)
			return false;
		netaddr_format(&a, true, buf, n);
		return true;
	}
	if ((x = cJSON_GetObjectItemCaseSensitive(e, "range")) != NULL && cJSON_GetArraySize(x) == 2) {
		char lo[40], hi[40];
		if (!element_text(cJSON_GetArrayItem(x, 0), port, lo, sizeof(lo)) ||
		    !element_text(cJSON_GetArrayItem(x, 1), port, hi, sizeof(hi)))
			return false;
		snprintf(buf, n, "%s-%s", lo, hi);
		return true;
	}
	return false;
}

static int
cmp_text(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static int
cmp_port_text(const void *a, const void *b)
{
	long x = strtol((const char *)a, NULL, 10), y = strtol((const char *)b, NULL, 10);
	return x != y ? (x < y ? -1 : 1) : strcmp((const char *)a, (const char *)b);
}

/* A value — "@set", one element, {"set": [...]} — as "@set" or "{ a, b }"; braces
 * false for a set's own elements ("a, b"). */
static bool
value_text(const cJSON *v, bool port, bool braces, char *buf, size_t n)
{
	enum { MAXE = 64 };
	char (*elems)[96];
	const cJSON *list = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, "set") : NULL;
	size_t k = 0, o = 0;
	const cJSON *e;

	if (cJSON_IsString(v) && v->valuestring[0] == '@') {
		snprintf(buf, n, "%s", v->valuestring);
		return true;
	}
	elems = calloc(MAXE, sizeof(*elems));
	if (elems == NULL)
		return false;
	if (list == NULL && cJSON_IsArray(v))
		list = v;
	if (list != NULL) {
		cJSON_ArrayForEach(e, list) {
			if (k == MAXE || !element_text(e, port, elems[k], sizeof(elems[k])))
				goto bad;
			k++;
		}
	} else if (element_text(v, port, elems[0], sizeof(elems[0]))) {
		k = 1;
	} else {
		goto bad;
	}
	qsort(elems, k, sizeof(*elems), port ? cmp_port_text : cmp_text);
	buf[0] = '\0';
	if (braces)
		o += (size_t)snprintf(buf, n, "{ ");
	for (size_t i = 0; i < k && o < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "", elems[i]);
	if (braces && o < n)
		snprintf(buf + o, n - o, " }");
	free(elems);
	return true;
bad:
	free(elems);
	return false;
}

/* Appends one statement of a rule to its key; false for a statement mamori never writes. */
static bool
statement_text(const cJSON *st, struct buf *b)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(st, "match");
	char val[NET_LIST_MAX];

	if (m != NULL) {
		const cJSON *left = cJSON_GetObjectItemCaseSensitive(m, "left");
		const cJSON *right = cJSON_GetObjectItemCaseSensitive(m, "right");
		const cJSON *pl = cJSON_GetObjectItemCaseSensitive(left, "payload");
		const cJSON *ct = cJSON_GetObjectItemCaseSensitive(left, "ct");
		if (pl != NULL) {
			const cJSON *proto = cJSON_GetObjectItemCaseSensitive(pl, "protocol");
			const cJSON *field = cJSON_GetObjectItemCaseSensitive(pl, "field");
			bool port = cJSON_IsString(proto) && strcmp(proto->valuestring, "tcp") == 0;
			if (!cJSON_IsString(proto) || !cJSON_IsString(field) ||
			    !value_text(right, port, true, val, sizeof(val)))
				return false;
			buf_adds(b, proto->valuestring);
			buf_addc(b, ' ');
			buf_adds(b, field->valuestring);
			buf_addc(b, ' ');
			buf_adds(b, val);
			buf_addc(b, ' ');
			return true;
		}
		if (ct != NULL) {
			const cJSON *e;
			BUF_LIT(b, "ct state ");
			if (cJSON_IsString(right))
				buf_adds(b, right->valuestring);
			if (cJSON_IsArray(right)) {
				cJSON_ArrayForEach(e, right) {
					if (e != right->child)
						buf_addc(b, ',');
					buf_adds(b, cJSON_IsString(e) ? e->valuestring : "?");
				}
			}
			buf_addc(b, ' ');
			return true;
		}
		return false;
	}
	if (cJSON_GetObjectItemCaseSensitive(st, "counter") != NULL) {
		BUF_LIT(b, "counter ");
		return true;
	}
	if ((m = cJSON_GetObjectItemCaseSensitive(st, "log")) != NULL) {
		const cJSON *pfx = cJSON_GetObjectItemCaseSensitive(m, "prefix");
		BUF_LIT(b, "log prefix \"");
		buf_adds(b, cJSON_IsString(pfx) ? pfx->valuestring : "");
		BUF_LIT(b, "\" ");
		return true;
	}
	if (cJSON_GetObjectItemCaseSensitive(st, "accept") != NULL) {
		BUF_LIT(b, "accept");
		return true;
	}
	if (cJSON_GetObjectItemCaseSensitive(st, "drop") != NULL) {
		BUF_LIT(b, "drop");
		return true;
	}
	return false;
}

static void
actual_key(const cJSON *rule, char *key, size_t n)
{
	struct buf b = { 0 };
	const cJSON *st;

	cJSON_ArrayForEach(st, cJSON_GetObjectItemCaseSensitive(rule, "expr"))
		if (!statement_text(st, &b))
			BUF_LIT(&b, "(a statement mamori does not write) ");
	snprintf(key, n, "%s", b.fail || b.p == NULL ? "?" : b.p);
	free(b.p);
}

/* The key the renderer's rule has in nft's own words. */
static void
expected_key(const struct net_rule *r, char *key, size_t n)
{
	const char *ip = r->family == 4 ? "ip" : "ip6";
	size_t o = 0;

	key[0] = '\0';
	if (r->saddr[0])
		o += (size_t)snprintf(key + o, n - o, "%s saddr %s ", ip, r->saddr);
	if (r->daddr[0] && o < n)
		o += (size_t)snprintf(key + o, n - o, "%s daddr %s ", ip, r->daddr);
	if (r->dport[0] && o < n)
		o += (size_t)snprintf(key + o, n - o, "tcp dport %s ", r->dport);
	if (o < n)
		o += (size_t)snprintf(key + o, n - o, "counter ");
	if (!r->accept && o < n)
		o += (size_t)snprintf(key + o, n - o, "log prefix \"%s\" ", r->log);
	if (o < n)
		snprintf(key + o, n - o, "%s", r->accept ? "accept" : "drop");
}

/* ---- the comparison ------------------------------------------------------ */

static bool
of_mamori(const cJSON *o)
{
	const cJSON *fam = cJSON_GetObjectItemCaseSensitive(o, "family");
	const cJSON *tab = cJSON_GetObjectItemCaseSensitive(o, "table");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");

	if (tab == NULL)
		tab = name;
	return cJSON_IsString(fam) && strcmp(fam->valuestring, "inet") == 0 && cJSON_IsString(tab) &&
	    strcmp(tab->valuestring, "mamori") == 0;
}

static const char *
str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void
check_sets(struct checker *c, const struct net_model *m, const cJSON *items)
{
	const cJSON *it;
	bool *seen = calloc(m->nsets + 1, sizeof(bool));

	if (seen == NULL) {
		c->nomem = true;
		return;
	}
	cJSON_ArrayForEach(it, items) {
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(it, "set");
		const char *name = str(s, "name");
		char elems[NET_LIST_MAX];
		size_t i;
		if (s == NULL || !of_mamori(s) || name == NULL)
			continue;
		for (i = 0; i < m->nsets && strcmp(m->sets[i].name, name) != 0; i++)
			;
		if (i == m->nsets) {
			net_drift(c, NULL, "set %s is not in the policy", name);
			continue;
		}
		seen[i] = true;
		if (!value_text(cJSON_GetObjectItemCaseSensitive(s, "elem"), false, false, elems, sizeof(elems)))
			elems[0] = '\0';
		if (strcmp(elems, m->sets[i].elements) != 0)
			net_drift(c, m->sets[i].segment->clause, "set %s (segment %s) holds %s; the policy says %s",
			    name, m->sets[i].segment->id, elems[0] ? elems : _("nothing"), m->sets[i].elements);
	}
	for (size_t i = 0; i < m->nsets; i++)
		if (!seen[i])
			net_drift(c, m->sets[i].segment->clause, "set %s (segment %s, %s) is missing", m->sets[i].name,
			    m->sets[i].segment->id, m->sets[i].elements);
	free(seen);
}

static bool
check_chain(struct checker *c, const cJSON *items)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, items) {
		const cJSON *ch = cJSON_GetObjectItemCaseSensitive(it, "chain");
		const char *hook, *policy;
		if (ch == NULL || !of_mamori(ch) || str(ch, "name") == NULL || strcmp(str(ch, "name"), "forward") != 0)
			continue;
		hook = str(ch, "hook");
		policy = str(ch, "policy");
		if (hook == NULL || strcmp(hook, "forward") != 0)
			net_drift(c, NULL, "chain forward is not on the forward hook (%s)", hook ? hook : _("none"));
		if (policy == NULL || strcmp(policy, "accept") != 0)
			net_drift(c, NULL, "chain forward has policy %s; mamori's is accept (other tables decide "
			    "what is not between segments)", policy ? policy : _("none"));
		return true;
	}
	net_drift(c, NULL, "chain forward of table inet mamori is missing: nothing is enforced");
	return false;
}

/* The rules in order, with the conntrack shortcuts first as the renderer writes them. */
static void
check_rules(struct checker *c, const struct net_model *m, const cJSON *items)
{
	static const char *const shortcuts[] = { "ct state established,related accept", "ct state invalid drop" };
	size_t na = 0, cap = (size_t)cJSON_GetArraySize(items);
	struct actual_rule *a = calloc(cap + 1, sizeof(*a));
	size_t *at = calloc(m->nrules + 1, sizeof(*at));	/* where each expected rule was found */
	size_t first_drop = (size_t)-1;
	const cJSON *it;
	char key[3 * NET_LIST_MAX];

	if (a == NULL || at == NULL) {
		c->nomem = true;
		goto out;
	}
	cJSON_ArrayForEach(it, items) {
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(it, "rule");
		if (r == NULL || !of_mamori(r) || str(r, "chain") == NULL || strcmp(str(r, "chain"), "forward") != 0)
			continue;
		actual_key(r, a[na].key, sizeof(a[na].key));
		a[na].comment = str(r, "comment");
		na++;
	}
	for (size_t s = 0; s < 2; s++) {
		size_t i;
		for (i = 0; i < na && (a[i].used || strcmp(a[i].key, shortcuts[s]) != 0); i++)
			;
		if (i < na)
			a[i].used = true;
		else
			net_drift(c, NULL, "rule '%s' is missing", shortcuts[s]);
	}
	for (size_t e = 0; e < m->nrules; e++) {
		const struct net_rule *r = &m->rules[e];
		size_t i;
		expected_key(r, key, sizeof(key));
		at[e] = (size_t)-1;
		for (i = 0; i < na && (a[i].used || strcmp(a[i].key, key) != 0); i++)
			;
		if (i < na) {
			a[i].used = true;
			at[e] = i;
			if (!r->accept && i < first_drop)
				first_drop = i;
			continue;
		}
		/* the rule of the same comment and family, changed */
		for (i = 0; i < na && (a[i].used || a[i].comment == NULL || strcmp(a[i].comment, r->comment) != 0 ||
		    strncmp(a[i].key, key, 4) != 0); i++)
			;
		if (i < na) {
			a[i].used = true;
			net_drift(c, r->clause, "%s: the rule is '%s'; the policy says '%s'", r->comment, a[i].key, key);
		} else {
			net_drift(c, r->clause, "%s: the rule is missing ('%s')", r->comment, key);
		}
	}
	for (size_t e = 0; e < m->nrules; e++)
		if (m->rules[e].accept && at[e] != (size_t)-1 && first_drop != (size_t)-1 && at[e] > first_drop)
			net_drift(c, m->rules[e].clause, "%s: the rule comes after a drop, which takes its packets first",
			    m->rules[e].comment);
	for (size_t i = 0; i < na; i++)
		if (!a[i].used)
			net_drift(c, NULL, "rule '%s'%s%s%s is not in the policy", a[i].key,
			    a[i].comment ? " (" : "", a[i].comment ? a[i].comment : "", a[i].comment ? ")" : "");
out:
	free(at);
	free(a);
}

int
mamori_net_check(const struct mamori_policy *p, const char *json, size_t len,
    struct mamori_net_drift **drifts, size_t *ndrifts, struct mamori_error *err)
{
	struct net_model m;
	struct checker c = { 0 };
	cJSON *doc = cJSON_ParseWithLength(json, len);
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(doc, "nftables"), *it;
	bool table = false;
	int rc;

	*drifts = NULL;
	*ndrifts = 0;
	if (!cJSON_IsArray(items)) {
		cJSON_Delete(doc);
		return mamori_error_set(err, MAMORI_E_INVALID,
		    "not a ruleset as 'nft -j list ruleset' prints it (no \"nftables\" array)");
	}
	rc = net_model_build(p, &m);
	if (rc != 0) {
		cJSON_Delete(doc);
		if (rc == MAMORI_E_INVALID)
			return mamori_error_set(err, rc, "policy '%s' gives no segment 'networks:'; there is nothing to check",
			    p->id ? p->id : "?");
		return mamori_error_set(err, rc, "out of memory");
	}
	cJSON_ArrayForEach(it, items)
		table = table || of_mamori(cJSON_GetObjectItemCaseSensitive(it, "table"));
	if (!table)
		net_drift(&c, NULL, "table inet mamori is not loaded: nothing is enforced");
	else if (check_chain(&c, items)) {
		check_sets(&c, &m, items);
		check_rules(&c, &m, items);
	} else {
		check_sets(&c, &m, items);
	}
	net_model_free(&m);
	cJSON_Delete(doc);
	if (c.nomem) {
		free(c.d);
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	}
	*drifts = c.d;
	*ndrifts = c.n;
	return 0;
}
