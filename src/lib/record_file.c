/*
 * record_file.c — a record's files (mamori/record_file.h): the content kept
 * beside the store under its SHA-256, the row and its event in one
 * transaction, the content checked against its SHA-256 when read back.
 */
#include "store_internal.h"
#include "store_ops_file.h"
#include "mamori/i18n.h"
#include "mamori/record_file.h"
#include "mamori/user.h"
#include "record_internal.h"
#include "review_internal.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int64_t
mamori_record_file_max(struct mamori_store *s)
{
	int64_t v = mamori_store_config_int(s, "record.file_max_bytes", MAMORI_RECORD_FILE_MAX_DEFAULT);

	return v >= 1 && v <= INT32_MAX ? v : MAMORI_RECORD_FILE_MAX_DEFAULT;
}

/* ---- names and types ---- */

/* The code point at s (valid UTF-8), its length in *n. */
static unsigned
code_point(const unsigned char *s, size_t *n)
{
	if (s[0] < 0x80) {
		*n = 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		*n = 2;
		return (unsigned)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	}
	if ((s[0] & 0xf0) == 0xe0) {
		*n = 3;
		return (unsigned)(s[0] & 0x0f) << 12 | (unsigned)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	}
	*n = 4;
	return (unsigned)(s[0] & 0x07) << 18 | (unsigned)(s[1] & 0x3f) << 12 | (unsigned)(s[2] & 0x3f) << 6 |
	    (s[3] & 0x3f);
}

/* Characters a name may not hold: they end a line in a log, or turn what is shown around. */
static bool
refused_char(unsigned c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

int
mamori_record_file_name(const char *given, char out[MAMORI_RECORD_FILE_NAME_MAX + 1], struct mamori_error *err)
{
	const char *base = given;
	size_t len, n;

	out[0] = '\0';
	if (given == NULL || !mamori_utf8_valid(given, strlen(given), NULL))
		return mamori_error_set(err, MAMORI_E_INVALID, "the file name is not UTF-8");
	/* a path, from a browser on Windows or a shell: only its last part names the file */
	for (const char *p = given; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	len = strlen(base);
	if (len == 0 || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return mamori_error_set(err, MAMORI_E_INVALID, "'%s' names no file: give the file a name", given);
	if (len > MAMORI_RECORD_FILE_NAME_MAX)
		return mamori_error_set(err, MAMORI_E_INVALID, "the file name is longer than %d bytes",
		    MAMORI_RECORD_FILE_NAME_MAX);
	for (size_t i = 0; i < len; i += n) {
		unsigned c = code_point((const unsigned char *)base + i, &n);
		if (refused_char(c))
			return mamori_error_set(err, MAMORI_E_INVALID, "the file name holds a control character "
			    "(U+%04X) at byte %zu", c, i);
	}
	memcpy(out, base, len + 1);
	return 0;
}

/* Whether t is type/subtype of RFC 6838's characters, lower-cased in place. */
static bool
type_ok(char *t)
{
	static const char extra[] = "!#$&-^_.+";
	char *slash = strchr(t, '/');

	if (slash == NULL || slash == t || slash[1] == '\0' || strchr(slash + 1, '/') != NULL)
		return false;
	for (char *p = t; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		if (p != slash && !(*p >= 'a' && *p <= 'z') && !(*p >= '0' && *p <= '9') && strchr(extra, *p) == NULL)
			return false;
	}
	return true;
}

/* The given type without its parameters ("text/plain; charset=x" → "text/plain"), checked. */
static int
given_type(const char *type, char out[MAMORI_RECORD_FILE_TYPE_MAX + 1], struct mamori_error *err)
{
	size_t n = strcspn(type, ";");

	while (n > 0 && (type[n - 1] == ' ' || type[n - 1] == '\t'))
		n--;
	while (n > 0 && (*type == ' ' || *type == '\t')) {
		type++;
		n--;
	}
	if (n == 0 || n > MAMORI_RECORD_FILE_TYPE_MAX)
		return mamori_error_set(err, MAMORI_E_INVALID, "'%s' is not a content type (type/subtype)", type);
	memcpy(out, type, n);
	out[n] = '\0';
	if (!type_ok(out))
		return mamori_error_set(err, MAMORI_E_INVALID, "'%s' is not a content type (type/subtype)", type);
	return 0;
}

/* Whether name ends in ext (".docx"), ASCII letters in any case. */
static bool
ends_with(const char *name, const char *ext)
{
	size_t n = strlen(name), e = strlen(ext);

	return n > e && strcasecmp(name + n - e, ext) == 0;
}

/* The type of a ZIP or OLE2 container: the Office formats by their name. */
static const char *
office_type(const char *name, bool zip)
{
	static const struct {
		const char *ext, *type;
		bool zip;
	} office[] = {
		{ ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", true },
		{ ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", true },
		{ ".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", true },
		{ ".odt", "application/vnd.oasis.opendocument.text", true },
		{ ".ods", "application/vnd.oasis.opendocument.spreadsheet", true },
		{ ".doc", "application/msword", false },
		{ ".xls", "application/vnd.ms-excel", false },
		{ ".ppt", "application/vnd.ms-powerpoint", false },
		{ ".msg", "application/vnd.ms-outlook", false },
	};

	for (size_t i = 0; i < sizeof(office) / sizeof(office[0]); i++)
		if (office[i].zip == zip && ends_with(name, office[i].ext))
			return office[i].type;
	return zip ? "application/zip" : "application/x-ole-storage";
}

/* Whether the content reads as text: UTF-8 without control characters but tab, CR, LF, FF. */
static bool
looks_text(const unsigned char *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((d[i] < 0x20 && d[i] != '\t' && d[i] != '\n' && d[i] != '\r' && d[i] != '\f') || d[i] == 0x7f)
			return false;
	return mamori_utf8_valid((const char *)d, n, NULL);
}

/* The type of the content, recognised by its first bytes (and, for containers and text, its name). */
static const char *
sniff(const char *name, const unsigned char *d, size_t n)
{
	static const struct {
		const char *magic;
		size_t n;
		const char *type;
	} magics[] = {
		{ "%PDF-", 5, "application/pdf" },
		{ "\x89PNG\r\n\x1a\n", 8, "image/png" },
		{ "\xff\xd8\xff", 3, "image/jpeg" },
		{ "GIF87a", 6, "image/gif" },
		{ "GIF89a", 6, "image/gif" },
		{ "II*\0", 4, "image/tiff" },
		{ "MM\0*", 4, "image/tiff" },
		{ "\x1f\x8b", 2, "application/gzip" },
		{ "7z\xbc\xaf\x27\x1c", 6, "application/x-7z-compressed" },
	};

	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (n >= magics[i].n && memcmp(d, magics[i].magic, magics[i].n) == 0)
			return magics[i].type;
	if (n >= 4 && memcmp(d, "PK\x03\x04", 4) == 0)
		return office_type(name, true);
	if (n >= 8 && memcmp(d, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8) == 0)
		return office_type(name, false);
	if (looks_text(d, n))
		return ends_with(name, ".csv") ? "text/csv" : ends_with(name, ".eml") ? "message/rfc822" : "text/plain";
	return "application/octet-stream";
}

/* ---- the content beside the store ---- */

/* STOREPATH.files, or STOREPATH.files/ab, or STOREPATH.files/ab/HEX (parts 0, 1, 2). */
static int
blob_path(struct mamori_store *s, const char *hex, int parts, char *out, size_t n, struct mamori_error *err)
{
	int w = parts == 0 ? snprintf(out, n, "%s.files", mamori_store_path(s)) :
	    parts == 1 ? snprintf(out, n, "%s.files/%.2s", mamori_store_path(s), hex) :
	    snprintf(out, n, "%s.files/%.2s/%s", mamori_store_path(s), hex, hex);

	return w > 0 && (size_t)w < n ? 0 : mamori_error_set(err, MAMORI_E_IO, "the store's path is too long");
}

/* fsync of the directory that holds path (or of path itself when dir is true). */
static int
sync_dir(const char *path, bool dir)
{
	char parent[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, rc;

	if (dir)
		snprintf(parent, sizeof(parent), "%s", path);
	else if (slash == NULL)
		snprintf(parent, sizeof(parent), ".");
	else
		snprintf(parent, sizeof(parent), "%.*s", (int)(slash == path ? 1 : slash - path), path);
	if ((fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Makes directory path (mode 0700) unless it exists; a new one is made durable in its parent. */
static int
make_dir(const char *path, struct mamori_error *err)
{
	if (mkdir(path, 0700) == 0) {
		if (sync_dir(path, false) != 0)
			return mamori_error_set(err, MAMORI_E_IO, "cannot sync the directory of %s: %s", path, strerror(errno));
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	return mamori_error_set(err, MAMORI_E_IO, "cannot make %s: %s", path, strerror(errno));
}

/* Reads the whole file at path, of exactly size bytes, into *data (a NUL after it). */
static int
read_exact(const char *path, int64_t size, char **data, struct mamori_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	size_t got = 0;
	int rc = 0;

	*data = NULL;
	if (fd < 0)
		return errno == ENOENT ? MAMORI_E_NOTFOUND :
		    mamori_error_set(err, MAMORI_E_IO, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size != size) {
		rc = MAMORI_E_TAMPERED;
		goto out;
	}
	if ((*data = malloc((size_t)size + 1)) == NULL) {
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		goto out;
	}
	while (got < (size_t)size) {
		ssize_t r = read(fd, *data + got, (size_t)size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r == 0 ? MAMORI_E_TAMPERED : mamori_error_set(err, MAMORI_E_IO, "cannot read %s: %s", path,
			    strerror(errno));
			goto out;
		}
		got += (size_t)r;
	}
	(*data)[size] = '\0';
out:
	close(fd);
	if (rc != 0) {
		free(*data);
		*data = NULL;
	}
	return rc;
}

static void
sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

/* Whether path holds exactly these len bytes with this SHA-256 (a file kept before). */
static bool
blob_present(const char *path, const char *hex, size_t len)
{
	struct mamori_error ignore = { 0 };
	char *have = NULL, h[65];
	bool same;

	if (read_exact(path, (int64_t)len, &have, &ignore) != 0)
		return false;
	sha256_hex(have, len, h);
	same = strcmp(h, hex) == 0;
	free(have);
	return same;
}

static int
write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * Keeps the content under its SHA-256: a temporary file in the same
 * directory, written and synced, renamed over the name, and the directory
 * synced, so that a crash leaves either no file or the whole one.  Content
 * kept already (and intact) is not written again; a damaged copy is replaced.
 */
static int
keep_blob(struct mamori_store *s, const char *hex, const void *data, size_t len, struct mamori_error *err)
{
	char top[PATH_MAX], dir[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX + 16];
	int fd, rc;

	if ((rc = blob_path(s, hex, 0, top, sizeof(top), err)) != 0 ||
	    (rc = blob_path(s, hex, 1, dir, sizeof(dir), err)) != 0 ||
	    (rc = blob_path(s, hex, 2, path, sizeof(path), err)) != 0 ||
	    (rc = make_dir(top, err)) != 0 || (rc = make_dir(dir, err)) != 0)
		return rc;
	if (blob_present(path, hex, len))
		return 0;
	snprintf(tmp, sizeof(tmp), "%s/.tmp-XXXXXX", dir);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		return mamori_error_set(err, MAMORI_E_IO, "cannot write in %s: %s", dir, strerror(errno));
	if (fchmod(fd, 0600) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return rc;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot keep %s: %s", path, strerror(errno));
		unlink(tmp);
		return rc;
	}
	if (sync_dir(dir, true) != 0)
		return mamori_error_set(err, MAMORI_E_IO, "cannot sync %s: %s", dir, strerror(errno));
	return 0;
}

/* ---- the row and its event ---- */

/* Whether by may add a file to record id now: sees it, and it is not closed. */
static int
may_attach(struct mamori_store *s, const char *by, const char *id, struct mamori_error *err)
{
	cJSON *rec = NULL;
	int rc;

	if ((rc = record_read(s, id, &rec, err)) != 0)
		return rc;
	if (!mamori_record_may_see(s, by, rec) && !review_may_attach(s, by, rec))
		rc = mamori_error_set(err, MAMORI_E_DENIED, "%s may not see record %s, nor add files to it", by, id);
	else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "final")))
		rc = mamori_error_set(err, MAMORI_E_CONFLICT, "record %s is %s, a final state: its files no longer "
		    "change", id, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "state_title")));
	cJSON_Delete(rec);
	return rc;
}

struct attach_ctx {
	const char *by;
	const char *field;	/* a file field of the kind the file fills, or NULL */
	struct mamori_record_file *f;
	struct mamori_error *err;
};

/*
 * Puts file f into field (an id or title) of its record, inside tx: a field of
 * type file holds the numbers of the record's files — a list when multiple,
 * else the newest — so that a state's `requires` can ask for one.
 */
static int
fill_file_field(struct mamori_store_tx *tx, const struct mamori_record_file *f, const char *field,
    const char **id, struct mamori_error *err)
{
	struct mamori_store *s = tx->store;
	const struct mamori_record_kind *k;
	const struct mamori_record_field *fd;
	cJSON *rec = NULL, *fields, *v;
	char *json = NULL;
	int rc;

	if ((rc = record_read(s, f->record, &rec, err)) != 0)
		return rc;
	k = mamori_record_kind_find(mamori_store_policy(s), cJSON_GetStringValue(cJSON_GetObjectItem(rec, "kind")));
	fd = k ? record_field_find(k, field) : NULL;
	if (fd == NULL || strcmp(fd->type, "file") != 0) {
		rc = mamori_error_set(err, MAMORI_E_INVALID, "%s is not a file field of %s: a file fills only a field "
		    "of type file (mamori record kinds --json lists them)", field, k && k->title ? k->title : f->record);
		goto out;
	}
	*id = fd->id;
	fields = cJSON_GetObjectItem(rec, "fields");
	v = cJSON_GetObjectItemCaseSensitive(fields, fd->id);
	if (!fd->multiple || !cJSON_IsArray(v)) {
		cJSON_DeleteItemFromObjectCaseSensitive(fields, fd->id);
		v = fd->multiple ? cJSON_AddArrayToObject(fields, fd->id) : NULL;
	}
	if (v != NULL)
		cJSON_AddItemToArray(v, cJSON_CreateNumber((double)f->num));
	else
		cJSON_AddNumberToObject(fields, fd->id, (double)f->num);
	if ((json = cJSON_PrintUnformatted(fields)) == NULL) {
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		goto out;
	}
	rc = s->backend->file->set_fields(tx, f->record, json, f->created, err);
out:
	free(json);
	cJSON_Delete(rec);
	return rc;
}

static int
attach_tx(struct mamori_store_tx *tx, void *arg)
{
	struct attach_ctx *c = arg;
	struct mamori_store *s = tx->store;
	struct mamori_record_file *f = c->f;
	const char *field = NULL;
	cJSON *after;
	int rc;

	/* again inside the transaction: the record may have closed since */
	if ((rc = may_attach(s, c->by, f->record, c->err)) != 0)
		return rc;
	store_tx_now(tx, f->created);
	if ((rc = s->backend->file->add(tx, f, &f->num, c->err)) != 0)
		return rc;
	if (c->field != NULL && (rc = fill_file_field(tx, f, c->field, &field, c->err)) != 0)
		return rc;
	after = cJSON_CreateObject();
	cJSON_AddStringToObject(after, "by", f->by);
	cJSON_AddNumberToObject(after, "file", (double)f->num);
	cJSON_AddStringToObject(after, "name", f->name);
	cJSON_AddStringToObject(after, "type", f->type);
	cJSON_AddNumberToObject(after, "size", (double)f->size);
	cJSON_AddStringToObject(after, "sha256", f->sha256);
	if (field != NULL)
		cJSON_AddStringToObject(after, "field", field);
	rc = mamori_store_tx_event(tx, "record.file", "record", f->record, NULL, after);
	cJSON_Delete(after);
	return rc;
}

/* The account by, which must exist and be enabled. */
static int
check_account(struct mamori_store *s, const char *by, struct mamori_error *err)
{
	struct mamori_user u;

	if (by == NULL || mamori_user_get(s, by, &u, err) != 0)
		return mamori_error_set(err, MAMORI_E_NOTFOUND, "no account %s", by ? by : "");
	if (u.disabled)
		return mamori_error_set(err, MAMORI_E_DENIED, "account %s is disabled", by);
	return 0;
}

int
mamori_record_attach(struct mamori_store *s, const char *actor, const char *by, const char *id,
    const char *name, const char *type, const void *data, size_t len, struct mamori_record_file *out,
    struct mamori_error *err)
{
	return mamori_record_attach_field(s, actor, by, id, NULL, name, type, data, len, out, err);
}

int
mamori_record_attach_field(struct mamori_store *s, const char *actor, const char *by, const char *id,
    const char *field, const char *name, const char *type, const void *data, size_t len,
    struct mamori_record_file *out, struct mamori_error *err)
{
	struct mamori_record_file f = { 0 };
	struct attach_ctx c = { .by = by, .field = field && field[0] ? field : NULL, .f = &f, .err = err };
	int64_t max = mamori_record_file_max(s);
	int rc;

	if (id == NULL || strlen(id) >= sizeof(f.record))
		return mamori_error_set(err, MAMORI_E_NOTFOUND, "no record %s", id ? id : "");
	if ((rc = mamori_record_file_name(name, f.name, err)) != 0 || (rc = check_account(s, by, err)) != 0)
		return rc;
	if (len == 0)
		return mamori_error_set(err, MAMORI_E_INVALID, "%s is empty (0 bytes): there is nothing to keep", f.name);
	if ((int64_t)len > max)
		return mamori_error_set(err, MAMORI_E_INVALID, "%s has %zu bytes, more than the limit of %lld "
		    "(record.file_max_bytes)", f.name, len, (long long)max);
	if (type != NULL && type[0] != '\0') {
		if ((rc = given_type(type, f.type, err)) != 0)
			return rc;
	} else {
		snprintf(f.type, sizeof(f.type), "%s", sniff(f.name, data, len));
	}
	snprintf(f.record, sizeof(f.record), "%s", id);
	snprintf(f.by, sizeof(f.by), "%s", by);
	f.size = (int64_t)len;
	sha256_hex(data, len, f.sha256);
	/* refused before the content is written, checked again in the transaction */
	if ((rc = may_attach(s, by, id, err)) != 0 || (rc = keep_blob(s, f.sha256, data, len, err)) != 0)
		return rc;
	if ((rc = mamori_store_write(s, actor, attach_tx, &c, err)) != 0)
		return rc;
	if (out != NULL)
		*out = f;
	return 0;
}

/* ---- reading ---- */

/* One file of the walk as JSON, appended to the list. */
static int
add_file(const struct mamori_record_file *f, void *arg)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddNumberToObject(j, "num", (double)f->num);
	cJSON_AddStringToObject(j, "name", f->name);
	cJSON_AddStringToObject(j, "type", f->type);
	cJSON_AddNumberToObject(j, "size", (double)f->size);
	cJSON_AddStringToObject(j, "sha256", f->sha256);
	cJSON_AddStringToObject(j, "by", f->by);
	cJSON_AddStringToObject(j, "created", f->created);
	cJSON_AddItemToArray(arg, j);
	return 0;
}

int
mamori_record_files(struct mamori_store *s, const char *id, cJSON **out, struct mamori_error *err)
{
	cJSON *list = cJSON_CreateArray();
	int rc = s->backend->file->list(s, id, add_file, list, err);

	if (rc != 0) {
		cJSON_Delete(list);
		list = NULL;
	}
	*out = list;
	return rc;
}

int
mamori_record_file_read(struct mamori_store *s, const char *id, int64_t num, struct mamori_record_file *meta,
    char **data, size_t *len, struct mamori_error *err)
{
	char path[PATH_MAX], hex[65];
	int rc;

	*data = NULL;
	*len = 0;
	if ((rc = s->backend->file->get(s, id, num, meta, err)) == MAMORI_E_NOTFOUND)
		return mamori_error_set(err, MAMORI_E_NOTFOUND, "record %s has no file %lld", id, (long long)num);
	if (rc != 0)
		return rc;
	if ((rc = blob_path(s, meta->sha256, 2, path, sizeof(path), err)) != 0)
		return rc;
	rc = read_exact(path, meta->size, data, err);
	if (rc == 0) {
		sha256_hex(*data, (size_t)meta->size, hex);
		if (strcmp(hex, meta->sha256) != 0)
			rc = MAMORI_E_TAMPERED;
	}
	if (rc == MAMORI_E_TAMPERED || rc == MAMORI_E_NOTFOUND) {
		free(*data);
		*data = NULL;
		return mamori_error_set(err, MAMORI_E_TAMPERED, "file %lld of %s (%s): %s no longer holds what was "
		    "added (SHA-256 %s): changed, damaged or removed beside the store", (long long)num, id, meta->name,
		    path, meta->sha256);
	}
	if (rc != 0)
		return rc;
	*len = (size_t)meta->size;
	return 0;
}
