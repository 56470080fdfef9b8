/*
 * quarantine.c — originals of sanitized mail: kept byte for byte under their
 * SHA-256 with metadata beside them, listed without reparsing, released only
 * on a request by one account approved by another (二人制), both audit-logged.
 */
#include "mamori/quarantine.h"

#include "mamori/audit.h"
#include "mamori/decide.h"
#include "mamori/user.h"
#include "digest.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define META_FORMAT "mamori-quarantine-v1"
#define MAX_META (16u << 20)	/* a metadata file is a few KiB; refuse absurd ones */

void
mamori_quarantine_meta_clear(struct mamori_quarantine_meta *m)
{
	if (m == NULL)
		return;
	free(m->from);
	free(m->to);
	free(m->cc);
	free(m->subject);
	free(m->date);
	free(m->message_id);
	free(m->status);
	free(m->reason);
	free(m->clause);
	for (size_t i = 0; i < m->nparts; i++) {
		free(m->parts[i].name);
		free(m->parts[i].type);
	}
	free(m->parts);
	memset(m, 0, sizeof(*m));
}

static bool
is_sha_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* "DIR/<sha>.<ext>" into buf; MAMORI_E_INVALID when it does not fit. */
static int
path_of(char *buf, size_t size, const char *dir, const char *sha, const char *ext, struct mamori_error *err)
{
	int n = snprintf(buf, size, "%s/%s.%s", dir, sha, ext);

	if (n < 0 || (size_t)n >= size)
		return mamori_error_set(err, MAMORI_E_INVALID, "quarantine directory name too long: %s", dir);
	return 0;
}

/* Writes all of data to a new file (O_EXCL, mode 0600) and syncs it. */
static int
write_new(const char *path, const void *data, size_t len, struct mamori_error *err)
{
	const char *p = data;
	size_t done = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return mamori_error_set(err, errno == EEXIST ? MAMORI_E_CONFLICT : MAMORI_E_IO,
		    "cannot create %s: %s", path, strerror(errno));
	while (done < len) {
		ssize_t w = write(fd, p + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	if (done != len || fsync(fd) != 0) {
		int e = errno;
		close(fd);
		unlink(path);
		return mamori_error_set(err, MAMORI_E_IO, "cannot write %s: %s", path, strerror(e));
	}
	if (close(fd) != 0) {
		unlink(path);
		return mamori_error_set(err, MAMORI_E_IO, "cannot write %s: %s", path, strerror(errno));
	}
	return 0;
}

static void
add_str(cJSON *o, const char *k, const char *v)
{
	cJSON_AddStringToObject(o, k, v ? v : "");
}

static char *
meta_to_json(const struct mamori_quarantine_meta *m)
{
	cJSON *o = cJSON_CreateObject(), *parts;
	char *s;

	add_str(o, "format", META_FORMAT);
	add_str(o, "sha256", m->sha256);
	cJSON_AddNumberToObject(o, "size", (double)m->size);
	add_str(o, "time", m->time);
	add_str(o, "status", m->status);
	add_str(o, "reason", m->reason);
	add_str(o, "clause", m->clause);
	add_str(o, "from", m->from);
	add_str(o, "to", m->to);
	add_str(o, "cc", m->cc);
	add_str(o, "subject", m->subject);
	add_str(o, "date", m->date);
	add_str(o, "message_id", m->message_id);
	parts = cJSON_AddArrayToObject(o, "attachments");
	for (size_t i = 0; parts != NULL && i < m->nparts; i++) {
		cJSON *p = cJSON_CreateObject();
		add_str(p, "name", m->parts[i].name);
		add_str(p, "type", m->parts[i].type);
		cJSON_AddNumberToObject(p, "size", (double)m->parts[i].size);
		add_str(p, "sha256", m->parts[i].sha256);
		cJSON_AddItemToArray(parts, p);
	}
	s = cJSON_Print(o);
	cJSON_Delete(o);
	return s;
}

int
mamori_quarantine_put(const char *dir, const char *data, size_t len,
    const struct mamori_quarantine_meta *meta, struct mamori_error *err)
{
	char path[4096], json[4096], tmp[4096];
	char *text = NULL;
	int rc;

	if (!is_sha_hex(meta->sha256, 64) || meta->sha256[64] != '\0')
		return mamori_error_set(err, MAMORI_E_USAGE, "quarantine: the id must be a SHA-256 in hex");
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return mamori_error_set(err, MAMORI_E_IO, "cannot create quarantine %s: %s", dir, strerror(errno));
	if ((rc = path_of(path, sizeof(path), dir, meta->sha256, "eml", err)) != 0 ||
	    (rc = path_of(json, sizeof(json), dir, meta->sha256, "json", err)) != 0)
		return rc;
	rc = write_new(path, data, len, err);
	if (rc == MAMORI_E_CONFLICT)
		rc = 0;		/* the same bytes are there already: their name is their hash */
	if (rc != 0)
		return rc;
	if (access(json, F_OK) == 0)
		return 0;	/* keeps the first arrival's metadata */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", json, (long)getpid()) >= sizeof(tmp))
		return mamori_error_set(err, MAMORI_E_INVALID, "quarantine directory name too long: %s", dir);
	if ((text = meta_to_json(meta)) == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	unlink(tmp);	/* a leftover of a crashed process with the same pid */
	if ((rc = write_new(tmp, text, strlen(text), err)) == 0 && rename(tmp, json) != 0) {
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot rename %s: %s", tmp, strerror(errno));
		unlink(tmp);
	}
	free(text);
	return rc;
}

/* Reads a whole file of at most max bytes; the caller frees *out. */
static int
read_file(const char *path, size_t max, char **out, size_t *len, struct mamori_error *err)
{
	struct stat st;
	size_t done = 0;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	*out = NULL;
	*len = 0;
	if (fd < 0)
		return mamori_error_set(err, errno == ENOENT ? MAMORI_E_NOTFOUND : MAMORI_E_IO,
		    "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = mamori_error_set(err, MAMORI_E_IO, "%s is not a regular file", path);
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		rc = mamori_error_set(err, MAMORI_E_INVALID, "%s is larger than %zu bytes", path, max);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory reading %s", path);
		goto out;
	}
	while (done < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + done, (size_t)st.st_size - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	if (done != (size_t)st.st_size) {
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot read %s", path);
		goto out;
	}
	buf[done] = '\0';
	*out = buf;
	*len = done;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return rc;
}

static char *
json_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return strdup(cJSON_IsString(v) ? v->valuestring : "");
}

static size_t
json_size(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) && v->valuedouble >= 0 ? (size_t)v->valuedouble : 0;
}

/*
 * Fills m for the original sha in dir: from its metadata file when it is
 * readable, otherwise from the file system alone (status "unknown").
 */
static int
load_meta(const char *dir, const char *sha, struct mamori_quarantine_meta *m, struct mamori_error *err)
{
	char path[4096], *text = NULL;
	size_t len;
	struct stat st;
	cJSON *o = NULL;
	int rc;

	memset(m, 0, sizeof(*m));
	if ((rc = path_of(path, sizeof(path), dir, sha, "eml", err)) != 0)
		return rc;
	if (stat(path, &st) != 0)
		return mamori_error_set(err, errno == ENOENT ? MAMORI_E_NOTFOUND : MAMORI_E_IO,
		    "no quarantined original %s in %s", sha, dir);
	memcpy(m->sha256, sha, 64);
	m->size = (size_t)st.st_size;
	if ((rc = path_of(path, sizeof(path), dir, sha, "json", err)) != 0)
		return rc;
	if (read_file(path, MAX_META, &text, &len, NULL) == 0)
		o = cJSON_ParseWithLength(text, len);
	free(text);
	if (o != NULL && cJSON_IsObject(o)) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "time");
		const cJSON *parts = cJSON_GetObjectItemCaseSensitive(o, "attachments");
		if (cJSON_IsString(t))
			snprintf(m->time, sizeof(m->time), "%s", t->valuestring);
		m->status = json_str(o, "status");
		m->reason = json_str(o, "reason");
		m->clause = json_str(o, "clause");
		m->from = json_str(o, "from");
		m->to = json_str(o, "to");
		m->cc = json_str(o, "cc");
		m->subject = json_str(o, "subject");
		m->date = json_str(o, "date");
		m->message_id = json_str(o, "message_id");
		int n = cJSON_IsArray(parts) ? cJSON_GetArraySize(parts) : 0;
		if (n > 0 && (m->parts = calloc((size_t)n, sizeof(*m->parts))) != NULL) {
			const cJSON *p;
			cJSON_ArrayForEach(p, parts) {
				struct mamori_quarantine_part *q = &m->parts[m->nparts++];
				const cJSON *h = cJSON_GetObjectItemCaseSensitive(p, "sha256");
				q->name = json_str(p, "name");
				q->type = json_str(p, "type");
				q->size = json_size(p, "size");
				snprintf(q->sha256, sizeof(q->sha256), "%s", cJSON_IsString(h) ? h->valuestring : "");
			}
		}
	} else {
		/* the metadata is missing or unreadable: what the file system knows */
		struct tm tm;
		strftime(m->time, sizeof(m->time), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&st.st_mtime, &tm));
		m->status = strdup("unknown");
		m->reason = strdup("no readable metadata beside the original");
		m->clause = strdup("");
		m->from = strdup("");
		m->to = strdup("");
		m->cc = strdup("");
		m->subject = strdup("");
		m->date = strdup("");
		m->message_id = strdup("");
	}
	cJSON_Delete(o);
	if (m->status == NULL || m->reason == NULL || m->clause == NULL || m->from == NULL || m->to == NULL ||
	    m->cc == NULL || m->subject == NULL || m->date == NULL || m->message_id == NULL) {
		mamori_quarantine_meta_clear(m);
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	}
	return 0;
}

/* The ids (SHA-256 of every DIR/<sha>.eml) in dir; the caller frees *ids. */
static int
scan_ids(const char *dir, char (**ids)[65], size_t *n, struct mamori_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t cap = 0;

	*ids = NULL;
	*n = 0;
	if (d == NULL)
		return mamori_error_set(err, errno == ENOENT ? MAMORI_E_NOTFOUND : MAMORI_E_IO,
		    "cannot open quarantine %s: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (strlen(e->d_name) != 68 || strcmp(e->d_name + 64, ".eml") != 0 || !is_sha_hex(e->d_name, 64))
			continue;
		if (*n == cap) {
			void *g = realloc(*ids, (cap = cap ? cap * 2 : 64) * sizeof(**ids));
			if (g == NULL) {
				closedir(d);
				free(*ids);
				*ids = NULL;
				return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
			}
			*ids = g;
		}
		memcpy((*ids)[*n], e->d_name, 64);
		(*ids)[(*n)++][64] = '\0';
	}
	closedir(d);
	return 0;
}

static int
by_time(const void *a, const void *b)
{
	const struct mamori_quarantine_meta *x = a, *y = b;
	int c = strcmp(x->time, y->time);

	return c ? c : strcmp(x->sha256, y->sha256);
}

int
mamori_quarantine_list(const char *dir, int (*fn)(const struct mamori_quarantine_meta *, void *),
    void *ctx, struct mamori_error *err)
{
	char (*ids)[65] = NULL;
	struct mamori_quarantine_meta *all = NULL;
	size_t n = 0, loaded = 0;
	int rc;

	if ((rc = scan_ids(dir, &ids, &n, err)) != 0)
		return rc;
	if (n > 0 && (all = calloc(n, sizeof(*all))) == NULL) {
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		rc = load_meta(dir, ids[i], &all[loaded], err);
		if (rc == MAMORI_E_NOTFOUND) {	/* removed while we listed */
			rc = 0;
			continue;
		}
		if (rc != 0)
			goto out;
		loaded++;
	}
	if (loaded > 0)
		qsort(all, loaded, sizeof(*all), by_time);
	for (size_t i = 0; rc == 0 && i < loaded; i++)
		rc = fn(&all[i], ctx);
out:
	for (size_t i = 0; i < loaded; i++)
		mamori_quarantine_meta_clear(&all[i]);
	free(all);
	free(ids);
	return rc;
}

/* Resolves id (a SHA-256 or a unique prefix of at least 8 hex digits) to the full id. */
static int
resolve(const char *dir, const char *id, char sha[65], struct mamori_error *err)
{
	char (*ids)[65] = NULL, want[65];
	size_t n = 0, len = strlen(id), found = 0;
	int rc;

	if (len < 8 || len > 64)
		return mamori_error_set(err, MAMORI_E_INVALID, "'%s' is not a quarantine id: give the SHA-256 "
		    "or at least its first 8 hex digits (see 'mamori quarantine list')", id);
	for (size_t i = 0; i <= len; i++)
		want[i] = id[i] >= 'A' && id[i] <= 'F' ? (char)(id[i] - 'A' + 'a') : id[i];
	if (!is_sha_hex(want, len))
		return mamori_error_set(err, MAMORI_E_INVALID, "'%s' is not a quarantine id: only hex digits "
		    "0-9 a-f", id);
	if ((rc = scan_ids(dir, &ids, &n, err)) != 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (strncmp(ids[i], want, len) == 0 && found++ == 0)
			memcpy(sha, ids[i], 65);
	free(ids);
	if (found == 0)
		return mamori_error_set(err, MAMORI_E_NOTFOUND, "no quarantined original %s in %s", id, dir);
	if (found > 1)
		return mamori_error_set(err, MAMORI_E_INVALID, "'%s' names %zu originals in %s; give more "
		    "digits", id, found, dir);
	return 0;
}

int
mamori_quarantine_get(const char *dir, const char *id, struct mamori_quarantine_meta *out,
    struct mamori_error *err)
{
	char sha[65];
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = resolve(dir, id, sha, err)) != 0)
		return rc;
	return load_meta(dir, sha, out, err);
}

int
mamori_quarantine_read(const char *dir, const char *sha256, char **data, size_t *len,
    struct mamori_error *err)
{
	char path[4096], hex[65];
	int rc;

	*data = NULL;
	*len = 0;
	if (strlen(sha256) != 64 || !is_sha_hex(sha256, 64))
		return mamori_error_set(err, MAMORI_E_USAGE, "quarantine: '%s' is not a full SHA-256", sha256);
	if ((rc = path_of(path, sizeof(path), dir, sha256, "eml", err)) != 0 ||
	    (rc = read_file(path, SIZE_MAX - 1, data, len, err)) != 0)
		return rc;
	sanitize_sha256_hex(*data, *len, hex);
	if (strcmp(hex, sha256) != 0) {
		free(*data);
		*data = NULL;
		*len = 0;
		return mamori_error_set(err, MAMORI_E_TAMPERED, "TAMPERED: the quarantined original %s has "
		    "changed (its SHA-256 is now %s); it is not released — report it as a security incident",
		    path, hex);
	}
	return 0;
}

/* ---- requests and releases: the audit trail is their record ------------- */

struct history {
	int (*fn)(const struct mamori_quarantine_event *, void *);
	void *ctx;
};

static const char *
after_str(const cJSON *after, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(after, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static int
history_event(const struct mamori_event *ev, void *arg)
{
	struct history *h = arg;
	cJSON *body = cJSON_Parse(ev->body ? ev->body : "{}");
	const cJSON *after = cJSON_GetObjectItemCaseSensitive(body, "after");
	const cJSON *rs = cJSON_GetObjectItemCaseSensitive(after, "request_seq");
	struct mamori_quarantine_event q = {
		.seq = ev->seq, .time = ev->time, .actor = ev->actor, .action = ev->action,
		.requester = after_str(after, "requester"), .approver = after_str(after, "approver"),
		.reason = after_str(after, "reason"),
		.request_seq = cJSON_IsNumber(rs) ? (int64_t)rs->valuedouble : 0,
	};
	int rc = h->fn(&q, h->ctx);

	cJSON_Delete(body);
	return rc;
}

int
mamori_quarantine_history(struct mamori_store *s, const char *sha256,
    int (*fn)(const struct mamori_quarantine_event *, void *), void *ctx, struct mamori_error *err)
{
	struct history h = { fn, ctx };

	return mamori_audit_events_of(s, "quarantine", sha256, history_event, &h, err);
}

struct state_walk {
	struct mamori_quarantine_state *st;
	int (*fn)(const struct mamori_quarantine_event *, void *);
	void *ctx;
};

/* The last request or release decides: a request with no release after it is open. */
static int
state_event(const struct mamori_quarantine_event *ev, void *arg)
{
	struct state_walk *w = arg;
	struct mamori_quarantine_state *st = w->st;
	bool request = strcmp(ev->action, "quarantine.request") == 0;

	if (request || strcmp(ev->action, "quarantine.release") == 0) {
		st->state = request ? "requested" : "released";
		st->seq = ev->seq;
		snprintf(st->requester, sizeof(st->requester), "%s", ev->requester);
		snprintf(st->approver, sizeof(st->approver), "%s", request ? "" : ev->approver);
		if (request)
			snprintf(st->reason, sizeof(st->reason), "%s", ev->reason);
	}
	return w->fn != NULL ? w->fn(ev, w->ctx) : 0;
}

int
mamori_quarantine_state(struct mamori_store *s, const char *sha256, struct mamori_quarantine_state *st,
    int (*fn)(const struct mamori_quarantine_event *, void *), void *ctx, struct mamori_error *err)
{
	struct state_walk w = { st, fn, ctx };

	*st = (struct mamori_quarantine_state){ .state = "held" };
	return mamori_quarantine_history(s, sha256, state_event, &w, err);
}

/* Whether st is an open request (its seq is the request's). */
static bool
is_open(const struct mamori_quarantine_state *st)
{
	return strcmp(st->state, "requested") == 0;
}

struct request_tx {
	const char *dir, *requester, *reason;
	const struct mamori_quarantine_meta *meta;
	int64_t seq;
	struct mamori_error *err;
};

/* An existing, enabled account; who names the part it plays in the message. */
static int
active_user(struct mamori_store *s, const char *name, const char *who, struct mamori_user *u,
    struct mamori_error *err)
{
	if (mamori_user_get(s, name, u, NULL) != 0)
		return mamori_error_set(err, MAMORI_E_NOTFOUND, "the %s '%s' is not an account of this store "
		    "(see 'mamori user list')", who, name);
	if (u->disabled)
		return mamori_error_set(err, MAMORI_E_DENIED, "the %s '%s' is disabled", who, name);
	return 0;
}

static int
request_tx(struct mamori_store_tx *tx, void *arg)
{
	struct request_tx *r = arg;
	struct mamori_store *s = mamori_store_tx_store(tx);
	struct mamori_quarantine_state open;
	struct mamori_user u;
	cJSON *after;
	int rc;

	if ((rc = active_user(s, r->requester, "requester", &u, r->err)) != 0)
		return rc;
	if ((rc = mamori_quarantine_state(s, r->meta->sha256, &open, NULL, NULL, r->err)) != 0)
		return rc;
	if (is_open(&open))
		return mamori_error_set(r->err, MAMORI_E_CONFLICT, "%s has an open request already (event %lld "
		    "by %s); it is released or stays as it is", r->meta->sha256, (long long)open.seq,
		    open.requester);
	after = cJSON_CreateObject();
	add_str(after, "requester", u.name);
	add_str(after, "requester_role", u.role);
	add_str(after, "requester_department", u.department);
	add_str(after, "reason", r->reason);
	add_str(after, "subject", r->meta->subject);
	add_str(after, "from", r->meta->from);
	cJSON_AddNumberToObject(after, "size", (double)r->meta->size);
	add_str(after, "quarantine", r->dir);
	rc = mamori_store_tx_event(tx, "quarantine.request", "quarantine", r->meta->sha256, NULL, after);
	cJSON_Delete(after);
	if (rc != 0)
		return mamori_error_set(r->err, rc, "cannot record the request in the audit trail");
	/* the request's event is the last one written in this transaction */
	if ((rc = mamori_quarantine_state(s, r->meta->sha256, &open, NULL, NULL, r->err)) != 0)
		return rc;
	r->seq = open.seq;
	return 0;
}

int
mamori_quarantine_request(struct mamori_store *s, const char *actor, const char *dir, const char *id,
    const char *requester, const char *reason, int64_t *seq, struct mamori_error *err)
{
	struct mamori_quarantine_meta m;
	struct request_tx r = { .dir = dir, .requester = requester, .reason = reason, .meta = &m, .err = err };
	char *data = NULL;
	size_t len;
	int rc;

	if (reason == NULL || reason[strspn(reason, " \t\r\n")] == '\0')
		return mamori_error_set(err, MAMORI_E_USAGE, "a request needs a reason (--reason TEXT): it is "
		    "what the approver decides on");
	if ((rc = mamori_quarantine_get(dir, id, &m, err)) != 0)
		return rc;
	/* an original that was changed cannot be released, so it is not requested either */
	if ((rc = mamori_quarantine_read(dir, m.sha256, &data, &len, err)) == 0)
		rc = mamori_store_write(s, actor, request_tx, &r, err);
	free(data);
	if (rc == 0 && seq != NULL)
		*seq = r.seq;
	mamori_quarantine_meta_clear(&m);
	return rc;
}

struct release_tx {
	const char *dir, *approver, *sha;
	const char *data;
	size_t len;
	struct mamori_error *err;
};

static int
release_tx(struct mamori_store_tx *tx, void *arg)
{
	struct release_tx *r = arg;
	struct mamori_store *s = mamori_store_tx_store(tx);
	struct mamori_quarantine_state open;
	struct mamori_decider *d = NULL;
	struct mamori_user req, appr;
	cJSON *after;
	bool any, permitted;
	int rc;

	if ((rc = mamori_quarantine_state(s, r->sha, &open, NULL, NULL, r->err)) != 0)
		return rc;
	if (!is_open(&open))
		return mamori_error_set(r->err, MAMORI_E_CONFLICT, "%s has no open request: first 'mamori "
		    "quarantine request %.12s --by USER --reason TEXT'", r->sha, r->sha);
	if (strcmp(open.requester, r->approver) == 0)
		return mamori_error_set(r->err, MAMORI_E_DENIED, "'%s' requested this release and cannot also "
		    "approve it: a release takes two people (二人制); another account must approve",
		    r->approver);
	if ((rc = active_user(s, r->approver, "approver", &appr, r->err)) != 0)
		return rc;
	/* the requester's department bounds an approver whose role has department scope */
	if (mamori_user_get(s, open.requester, &req, NULL) != 0)
		memset(&req, 0, sizeof(req));
	if ((rc = mamori_decider_new(mamori_store_policy(s), &d, r->err)) != 0)
		return rc;
	any = mamori_decider_role_permits(d, appr.role, MAMORI_ACT_RELEASE, NULL, NULL);
	permitted = mamori_decider_role_permits(d, appr.role, MAMORI_ACT_RELEASE,
	    appr.department[0] ? appr.department : NULL, req.department[0] ? req.department : NULL);
	mamori_decider_free(&d);
	if (!any)
		return mamori_error_set(r->err, MAMORI_E_DENIED, "'%s' (role %s) may not approve a release: "
		    "the role's access in the policy does not include the action 'release'", appr.name, appr.role);
	if (!permitted)
		return mamori_error_set(r->err, MAMORI_E_DENIED, "'%s' (role %s) may approve releases only for "
		    "the department %s, and the requester '%s' belongs to %s", appr.name, appr.role,
		    appr.department[0] ? appr.department : "(none)", open.requester, req.department);
	after = cJSON_CreateObject();
	add_str(after, "approver", appr.name);
	add_str(after, "approver_role", appr.role);
	add_str(after, "requester", open.requester);
	cJSON_AddNumberToObject(after, "request_seq", (double)open.seq);
	add_str(after, "sha256", r->sha);
	cJSON_AddNumberToObject(after, "size", (double)r->len);
	rc = mamori_store_tx_event(tx, "quarantine.release", "quarantine", r->sha, NULL, after);
	cJSON_Delete(after);
	if (rc != 0)
		return mamori_error_set(r->err, rc, "cannot record the release in the audit trail");
	return 0;
}

int
mamori_quarantine_release(struct mamori_store *s, const char *actor, const char *dir, const char *id,
    const char *approver, char sha256[65], char **data, size_t *len, struct mamori_error *err)
{
	struct release_tx r = { .dir = dir, .approver = approver, .sha = sha256, .err = err };
	char *buf = NULL;
	size_t n = 0;
	int rc;

	*data = NULL;
	*len = 0;
	if ((rc = resolve(dir, id, sha256, err)) != 0)
		return rc;
	/* the bytes are checked against their name before anything is recorded */
	if ((rc = mamori_quarantine_read(dir, sha256, &buf, &n, err)) != 0)
		return rc;
	r.data = buf;
	r.len = n;
	if ((rc = mamori_store_write(s, actor, release_tx, &r, err)) != 0) {
		free(buf);
		return rc;
	}
	*data = buf;
	*len = n;
	return 0;
}

cJSON *
mamori_quarantine_meta_json(const struct mamori_quarantine_meta *m)
{
	cJSON *o = cJSON_CreateObject(), *a;

	cJSON_AddStringToObject(o, "id", m->sha256);
	cJSON_AddStringToObject(o, "time", m->time);
	cJSON_AddStringToObject(o, "status", m->status ? m->status : "");
	cJSON_AddStringToObject(o, "reason", m->reason ? m->reason : "");
	cJSON_AddNumberToObject(o, "size", (double)m->size);
	cJSON_AddStringToObject(o, "from", m->from ? m->from : "");
	cJSON_AddStringToObject(o, "to", m->to ? m->to : "");
	cJSON_AddStringToObject(o, "cc", m->cc ? m->cc : "");
	cJSON_AddStringToObject(o, "subject", m->subject ? m->subject : "");
	cJSON_AddStringToObject(o, "date", m->date ? m->date : "");
	cJSON_AddStringToObject(o, "message_id", m->message_id ? m->message_id : "");
	cJSON_AddStringToObject(o, "clause", m->clause ? m->clause : "");
	a = cJSON_AddArrayToObject(o, "attachments");
	for (size_t i = 0; i < m->nparts; i++) {
		cJSON *p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "name", m->parts[i].name ? m->parts[i].name : "");
		cJSON_AddStringToObject(p, "type", m->parts[i].type ? m->parts[i].type : "");
		cJSON_AddNumberToObject(p, "size", (double)m->parts[i].size);
		cJSON_AddStringToObject(p, "sha256", m->parts[i].sha256);
		cJSON_AddItemToArray(a, p);
	}
	return o;
}

cJSON *
mamori_quarantine_event_json(const struct mamori_quarantine_event *ev)
{
	cJSON *e = cJSON_CreateObject();
	bool request = strcmp(ev->action, "quarantine.request") == 0;

	cJSON_AddNumberToObject(e, "seq", (double)ev->seq);
	cJSON_AddStringToObject(e, "time", ev->time);
	cJSON_AddStringToObject(e, "actor", ev->actor);
	cJSON_AddStringToObject(e, "action", ev->action);
	cJSON_AddStringToObject(e, "requester", ev->requester);
	if (!request) {
		cJSON_AddStringToObject(e, "approver", ev->approver);
		cJSON_AddNumberToObject(e, "request_seq", (double)ev->request_seq);
	} else {
		cJSON_AddStringToObject(e, "reason", ev->reason);
	}
	return e;
}
