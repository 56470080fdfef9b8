/*
 * store.c — the store: opening it (and its schema's migrations), the single
 * write path, and the one place audit events are appended.  What is stored
 * how is the backend's (store_ops_meta.h; SQLite's in store_sqlite*.c).
 */
#include "store_internal.h"
#include "store_backend.h"
#include "store_ops_meta.h"
#include "store_ops_copy.h"
#include "mamori/audit.h"
#include "mamori/auth.h"
#include "mamori/location.h"
#include "canon.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int heads_from_env(struct mamori_store *s, struct mamori_error *err);

void
store_now(char buf[32])
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, 32 - n, ".%06dZ", (int)(ts.tv_nsec / 1000) % 1000000);
}

/*
 * A copy of the store as it was before an upgrade, PATH.schema-V.bak (mode
 * 0600), by SQLite's online backup: a migration that goes wrong, or a newer
 * mamori taken back, leaves the old store to return to (docs/service.md,
 * "Upgrades").  An existing copy of the same version is kept (it is the
 * oldest state of that version).  The upgrade is refused when the copy
 * cannot be made.
 */
static int
backup_before_migration(struct mamori_store *s, int v, struct mamori_error *err)
{
	char path[4200];
	struct mamori_error why;
	struct stat sb;
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s.schema-%d.bak", s->path, v);
	if (stat(path, &sb) == 0)
		return 0;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return mamori_error_set(err, MAMORI_E_IO, "%s: cannot make the copy %s before upgrading the "
		    "store from schema %d: %s", s->path, path, v, strerror(errno));
	close(fd);
	if (s->backend->meta->snapshot(s, path, &why) != 0) {
		rc = mamori_error_set(err, MAMORI_E_IO, "%s: cannot make the copy %s before upgrading the "
		    "store from schema %d: %s", s->path, path, v, why.message);
		unlink(path);
	}
	return rc;
}

/*
 * Takes the store to this mamori's schema: refuses a newer one, copies an
 * older one aside first, then has the backend run the migrations.
 */
static int
migrate(struct mamori_store *s, struct mamori_error *err)
{
	int v, rc;

	if ((rc = s->backend->meta->schema_version(s, &v, err)) != 0)
		return rc;
	if (v > MAMORI_STORE_SCHEMA)
		return mamori_error_set(err, MAMORI_E_VERSION,
		    "%s: store schema version %d is newer than this mamori (%d); upgrade mamori",
		    s->path, v, MAMORI_STORE_SCHEMA);
	if (v == MAMORI_STORE_SCHEMA)
		return 0;
	/* version 0 is a store being made (mamori_store_create): nothing to keep */
	if (v > 0 && (rc = backup_before_migration(s, v, err)) != 0)
		return rc;
	return s->backend->meta->migrate(s, v, err);
}

/*
 * Makes the new store file, empty, mode 0600 whatever the umask: SQLite would
 * make it 0644 less the umask, and gives the -wal and -shm it makes later the
 * main file's mode, so this one mode keeps all three to their owner.
 */
static int
create_private(const char *path, struct mamori_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return mamori_error_set(err, errno == EEXIST ? MAMORI_E_CONFLICT : MAMORI_E_IO,
		    "cannot create store %s: %s", path, strerror(errno));
	if (fchmod(fd, 0600) != 0) {
		int e = errno;
		close(fd);
		unlink(path);
		return mamori_error_set(err, MAMORI_E_IO, "cannot create store %s: %s", path, strerror(e));
	}
	close(fd);
	return 0;
}

/*
 * Refuses a store file (or its -wal, -shm) that other accounts may read or
 * change, or its group change: it holds password hashes, sealed TOTP secrets
 * and the register.  A group may read (0640) when it must.
 */
static int
check_private(const char *path, struct mamori_error *err)
{
	static const char *const side[] = { "", "-wal", "-shm" };
	char file[4096];
	struct stat sb;

	for (size_t i = 0; i < sizeof(side) / sizeof(side[0]); i++) {
		snprintf(file, sizeof(file), "%s%s", path, side[i]);
		if (stat(file, &sb) != 0 || (sb.st_mode & 0027) == 0)
			continue;
		return mamori_error_set(err, MAMORI_E_IO, "%s: the store may be %s by other accounts "
		    "(mode %04o); it holds password hashes, TOTP secrets and the register. Run "
		    "'chmod 600 %s %s-wal %s-shm' (or 640 when a group must read it) and open it again",
		    file, (sb.st_mode & 0007) ? "read or changed" : "changed", (unsigned)(sb.st_mode & 07777),
		    path, path, path);
	}
	return 0;
}

const struct store_backend *
store_backend_of(const char *location, const char **file)
{
	*file = location;
	if (strncmp(location, "postgresql://", 13) == 0 || strncmp(location, "postgres://", 11) == 0)
		return &store_backend_pg;	/* NULL where libmamori_pg is not linked */
	if (strncmp(location, "sqlite:", 7) == 0)
		*file = location + 7;
	return &store_backend_sqlite;
}

/*
 * Opens the store named location with the settings every connection of that
 * mode needs: s->path is its file, or where a PostgreSQL store keeps its
 * keys and files (the backend's open sets it).
 */
static int
connect(const char *location, enum store_open_mode mode, struct mamori_store **out, struct mamori_error *err)
{
	const char *file;
	const struct store_backend *b = store_backend_of(location, &file);
	struct mamori_store *s;
	char shown[4096];
	int rc;

	*out = NULL;
	if (b == NULL)
		return mamori_error_set(err, MAMORI_E_USAGE, "%s: this program has no PostgreSQL backend "
		    "(mamori-full has it; 'mamori' runs it for such a store)",
		    mamori_location_masked(location, shown, sizeof(shown)));
	if ((s = calloc(1, sizeof(*s))) == NULL || (s->location = strdup(location)) == NULL ||
	    (s->path = strdup(file)) == NULL) {
		mamori_store_close(&s);
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	}
	s->backend = b;
	if ((mode == STORE_OPEN_CREATE && b == &store_backend_sqlite && (rc = create_private(file, err)) != 0) ||
	    (rc = s->backend->meta->open(s, mode, err)) != 0) {
		mamori_store_close(&s);
		return rc;
	}
	*out = s;
	return 0;
}

/* The store's log id, from meta (load_meta). */
static int
log_id_copy(const char *value, void *ctx)
{
	struct mamori_store *s = ctx;

	snprintf(s->log_id, sizeof(s->log_id), "%s", value);
	return 0;
}

struct policy_arg {
	struct mamori_store *s;
	struct mamori_error *err;
};

/* The newest stored policy becomes the connection's (load_meta). */
static int
policy_install(int64_t version, const char *json, void *ctx)
{
	struct policy_arg *a = ctx;
	struct mamori_diags diags = { 0 };
	struct mamori_policy *p = NULL;
	int rc = mamori_policy_load_buffer(a->s->path, json, strlen(json), &diags, &p);

	if (rc != 0)
		rc = mamori_error_set(a->err, MAMORI_E_STORE, "%s: the stored policy no longer "
		    "loads (%s)", a->s->path, diags.count ? diags.items[0].message : "invalid");
	else if ((rc = store_set_policy(a->s, p, version)) != 0)
		mamori_error_set(a->err, rc, "out of memory");
	mamori_diags_clear(&diags);
	return rc;
}

static int
load_meta(struct mamori_store *s, struct mamori_error *err)
{
	struct policy_arg a = { s, err };
	int rc = s->backend->meta->meta_get(s, "log_id", log_id_copy, s, err);

	if (rc != 0 && rc != MAMORI_E_NOTFOUND)
		return rc;
	rc = s->backend->meta->policy_latest(s, policy_install, &a, err);
	if (rc == MAMORI_E_NOTFOUND)
		rc = mamori_error_set(err, MAMORI_E_STORE, "%s: the store holds no policy; "
		    "create stores with 'mamori init --policy FILE'", s->path);
	return rc;
}

static int
open_existing(const char *location, enum store_open_mode mode, struct mamori_store **out, struct mamori_error *err)
{
	const char *path;
	struct mamori_store *s;
	struct stat sb;
	char shown[4096];
	int rc, v;

	*out = NULL;
	/* a file is looked at first: SQLite would make an empty one */
	if (store_backend_of(location, &path) == &store_backend_sqlite) {
		if (stat(path, &sb) != 0)
			return mamori_error_set(err, MAMORI_E_IO, "no store at %s (create one with "
			    "'mamori init --policy FILE --db %s')", path, location);
		if ((rc = check_private(path, err)) != 0)
			return rc;
	}
	if ((rc = connect(location, mode, &s, err)) != 0)
		return rc;
	if (s->backend != &store_backend_sqlite && (rc = s->backend->meta->schema_version(s, &v, err)) == 0 &&
	    v == 0)
		rc = mamori_error_set(err, MAMORI_E_IO, "no store at %s (create one with "
		    "'mamori init --policy FILE --db URL')", mamori_location_masked(location, shown, sizeof(shown)));
	if (rc != 0 || (rc = migrate(s, err)) != 0 || (rc = load_meta(s, err)) != 0 ||
	    (rc = heads_from_env(s, err)) != 0) {
		mamori_store_close(&s);
		return rc;
	}
	*out = s;
	return 0;
}

int
mamori_store_open(const char *path, struct mamori_store **out, struct mamori_error *err)
{
	return open_existing(path, STORE_OPEN_SHARED, out, err);
}

int
mamori_store_open_private(const char *path, struct mamori_store **out, struct mamori_error *err)
{
	return open_existing(path, STORE_OPEN_PRIVATE, out, err);
}

int
mamori_store_open_reader(const struct mamori_store *primary, struct mamori_store **out,
    struct mamori_error *err)
{
	struct mamori_store *s;
	int rc;

	*out = NULL;
	/* one thread's, never writing (STORE_OPEN_READER) */
	if ((rc = connect(primary->location, STORE_OPEN_READER, &s, err)) != 0)
		return rc;
	s->policy = primary->policy;
	s->policy_borrowed = true;
	snprintf(s->log_id, sizeof(s->log_id), "%s", primary->log_id);
	*out = s;
	return 0;
}

void
mamori_store_reader_use_policy(struct mamori_store *reader, const struct mamori_policy *p)
{
	/* a reader neither frees nor changes the policy it borrows */
	if (reader->policy_borrowed)
		reader->policy = (struct mamori_policy *)p;
}

int64_t
mamori_store_data_version(struct mamori_store *s)
{
	return s->backend->meta->data_version(s);
}

int64_t
mamori_store_read_begin(struct mamori_store *s)
{
	int64_t v = s->backend->meta->read_begin(s);

	s->snapshot_version = v;
	s->in_snapshot = v >= 0 && s->policy_borrowed;	/* readers only: see store_internal.h */
	return v;
}

void
mamori_store_read_end(struct mamori_store *s)
{
	s->in_snapshot = false;
	s->backend->meta->read_end(s);
}

/* The policy load at init: the policy's JSON and its first audit event. */
struct init_arg {
	const struct mamori_policy *policy;
	const char *log_id;
};

static int
init_tx(struct mamori_store_tx *tx, void *arg)
{
	struct init_arg *a = arg;
	struct mamori_store *s = tx->store;
	const struct store_meta_ops *m = s->backend->meta;
	struct mamori_error err;
	char *json = mamori_policy_to_json(a->policy, false);
	char hash[65], now[32];
	cJSON *after = NULL;
	int64_t version;
	int rc;

	if (json == NULL)
		return MAMORI_E_NOMEM;
	sodium_bin2hex(hash, sizeof(hash), a->policy->sha256, 32);
	store_now(now);
	if ((rc = m->meta_put(s, "log_id", a->log_id, &err)) != 0 || (rc = m->meta_put(s, "created", now, &err)) != 0 ||
	    (rc = m->policy_put(s, a->policy->id, hash, json, now, &version, &err)) != 0)
		goto out;
	after = cJSON_CreateObject();
	cJSON_AddStringToObject(after, "id", a->policy->id);
	cJSON_AddStringToObject(after, "version", a->policy->version);
	cJSON_AddStringToObject(after, "sha256", hash);
	cJSON_AddStringToObject(after, "file", a->policy->path);
	rc = mamori_store_tx_event(tx, "policy.load", "policy", a->policy->id, NULL, after);
out:
	cJSON_Delete(after);
	free(json);
	return rc;
}

static void
key_paths(const char *path, char *key, char *pub, size_t n)
{
	snprintf(key, n, "%s.key", path);
	snprintf(pub, n, "%s.pub", path);
}

/* ---- the key that seals secrets at rest ------------------------------- */

static const char secret_tag[] = "mamori-xchacha20poly1305-key ";

/* Writes a new key file (O_EXCL, 0600 whatever the umask) holding key. */
static int
secret_key_create(const char *path, const unsigned char key[32], struct mamori_error *err)
{
	char line[128];
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	size_t n;
	int rc = 0;

	if (fd < 0)
		return mamori_error_set(err, MAMORI_E_IO, "cannot create the secrets key %s: %s", path, strerror(errno));
	memcpy(line, secret_tag, sizeof(secret_tag) - 1);
	sodium_bin2base64(line + sizeof(secret_tag) - 1, sizeof(line) - sizeof(secret_tag), key, 32,
	    sodium_base64_VARIANT_ORIGINAL);
	n = strlen(line);
	line[n++] = '\n';
	if (fchmod(fd, 0600) != 0 || write(fd, line, n) != (ssize_t)n || fsync(fd) != 0) {
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot write the secrets key %s: %s", path, strerror(errno));
		unlink(path);
	}
	close(fd);
	sodium_memzero(line, sizeof(line));
	return rc;
}

/* Reads a key file: one line "mamori-xchacha20poly1305-key <base64 of 32 bytes>". */
static int
secret_key_read(const char *path, unsigned char key[32], struct mamori_error *err)
{
	char line[256];
	size_t len = 0, tag = sizeof(secret_tag) - 1;
	struct stat sb;
	FILE *f;
	int rc = 0;

	if (stat(path, &sb) != 0)
		return mamori_error_set(err, MAMORI_E_IO, "cannot read the secrets key %s: %s", path, strerror(errno));
	if ((sb.st_mode & 077) != 0)
		return mamori_error_set(err, MAMORI_E_IO, "%s: the key that seals TOTP secrets may be read by "
		    "others (mode %03o); run 'chmod 600 %s' and consider the secrets exposed (enrol MFA again)",
		    path, (unsigned)(sb.st_mode & 0777), path);
	if ((f = fopen(path, "re")) == NULL)
		return mamori_error_set(err, MAMORI_E_IO, "cannot read the secrets key %s: %s", path, strerror(errno));
	if (fgets(line, sizeof(line), f) == NULL || strncmp(line, secret_tag, tag) != 0 ||
	    sodium_base642bin(key, 32, line + tag, strcspn(line + tag, "\r\n"), NULL, &len, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || len != 32)
		rc = mamori_error_set(err, MAMORI_E_IO, "%s:1: not a mamori secrets key (expected one line "
		    "'%s<base64>')", path, secret_tag);
	fclose(f);
	sodium_memzero(line, sizeof(line));
	return rc;
}

int
store_secret_key(struct mamori_store *s, bool create, unsigned char key[32], struct mamori_error *err)
{
	char path[4096];
	struct stat sb;
	int rc;

	if (!s->secret_key_known) {
		snprintf(path, sizeof(path), "%s.totp-key", s->path);
		if (create && lstat(path, &sb) != 0 && errno == ENOENT) {
			unsigned char fresh[32];
			if (sodium_init() < 0)
				return mamori_error_set(err, MAMORI_E_NOMEM, "libsodium failed to initialise");
			randombytes_buf(fresh, sizeof(fresh));
			rc = secret_key_create(path, fresh, err);
			sodium_memzero(fresh, sizeof(fresh));
			if (rc != 0)
				return rc;
		}
		if ((rc = secret_key_read(path, s->secret_key, err)) != 0)
			return rc;
		s->secret_key_known = true;
	}
	memcpy(key, s->secret_key, 32);
	return 0;
}

void
mamori_store_head_sink(struct mamori_store *s, void (*sink)(const char *line, void *data), void *data)
{
	s->head_sink = sink;
	s->head_sink_data = data;
}

int
mamori_store_publish_heads(struct mamori_store *s, const char *dir, struct mamori_error *err)
{
	struct stat sb;
	char *copy = NULL;

	if (dir != NULL && dir[0] != '\0') {
		if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
			return mamori_error_set(err, MAMORI_E_IO, "%s: not a directory to publish signed heads to "
			    "(create it, or unset MAMORI_HEADS_OUT)", dir);
		if ((copy = strdup(dir)) == NULL)
			return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	}
	free(s->heads_out);
	s->heads_out = copy;
	return 0;
}

int
mamori_store_create(const char *location, const char *policy_path, const char *actor,
    struct mamori_diags *diags, struct mamori_store **out, struct mamori_error *err)
{
	const char *path;
	struct mamori_store *s = NULL;
	struct mamori_policy *p = NULL;
	struct init_arg arg;
	unsigned char rnd[16];
	char log_id[40], key[4096], pub[4096], totp[4200], prefix[4096];
	struct stat sb;
	int rc;

	*out = NULL;
	if (store_backend_of(location, &path) == &store_backend_sqlite && stat(path, &sb) == 0)
		return mamori_error_set(err, MAMORI_E_CONFLICT, "%s exists already; mamori init "
		    "makes a new store and never overwrites one", path);
	rc = mamori_policy_load(policy_path, diags, &p);
	if (rc != 0)
		return mamori_error_set(err, rc, "%s: the policy is %s", policy_path,
		    rc == MAMORI_E_INVALID ? "invalid (see the messages above)" : "unreadable");
	if ((rc = connect(location, STORE_OPEN_CREATE, &s, err)) != 0)
		goto fail;
	/* the keys beside the file, or at a PostgreSQL store's files= prefix;
	 * keys there already are another store's, and so is its TOTP key */
	key_paths(s->path, key, pub, sizeof(key));
	snprintf(totp, sizeof(totp), "%s.totp-key", s->path);
	if ((rc = mamori_audit_keygen(key, pub, err)) != 0) {
		key[0] = totp[0] = '\0';	/* not ours to remove */
		goto fail_keys;
	}
	if (stat(totp, &sb) == 0)
		totp[0] = '\0';
	/* the environment checked before anything is made in a database, where
	 * a failure after the migration would leave the tables behind */
	if ((rc = heads_from_env(s, err)) != 0 || (rc = migrate(s, err)) != 0)
		goto fail_keys;
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(log_id, 33, rnd, sizeof(rnd));
	arg = (struct init_arg){ p, log_id };
	/* the first change signs the first head, which names the log */
	snprintf(s->log_id, sizeof(s->log_id), "%s", log_id);
	if ((rc = mamori_store_write(s, actor, init_tx, &arg, err)) != 0 ||
	    (rc = load_meta(s, err)) != 0 || (rc = mamori_audit_sign_head(s, NULL, err)) != 0)
		goto fail_keys;
	mamori_policy_free(&p);
	*out = s;
	return 0;
fail_keys:
	/* nothing half-made: no store file without its keys, no keys without a
	 * store (a PostgreSQL store's tables were made in one transaction, after
	 * the keys: only a failure to sign the first head leaves them) */
	{
		bool file = s->backend == &store_backend_sqlite;
		char side[4200];
		snprintf(prefix, sizeof(prefix), "%s", s->path);
		mamori_store_close(&s);
		if (file) {
			unlink(prefix);
			snprintf(side, sizeof(side), "%s-wal", prefix);
			unlink(side);
			snprintf(side, sizeof(side), "%s-shm", prefix);
			unlink(side);
		}
	}
	if (totp[0] != '\0')
		unlink(totp);
	if (key[0] != '\0') {
		unlink(key);
		unlink(pub);
	}
fail:
	mamori_policy_free(&p);
	return rc;
}

int
store_create_empty(const char *location, int (*prepare)(struct mamori_store *s, void *ctx, struct mamori_error *err),
    void *ctx, struct mamori_store **out, struct mamori_error *err)
{
	struct mamori_store *s;
	char path[4096], side[4200];
	bool file;
	int rc;

	*out = NULL;
	if ((rc = connect(location, STORE_OPEN_CREATE, &s, err)) != 0)
		return rc;
	if ((prepare == NULL || (rc = prepare(s, ctx, err)) == 0) && (rc = migrate(s, err)) == 0) {
		*out = s;
		return 0;
	}
	/* the file it made, as mamori_store_create leaves none half-made */
	file = s->backend == &store_backend_sqlite;
	snprintf(path, sizeof(path), "%s", s->path);
	mamori_store_close(&s);
	if (file) {
		unlink(path);
		snprintf(side, sizeof(side), "%s-wal", path);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", path);
		unlink(side);
	}
	return rc;
}

void
mamori_store_close(struct mamori_store **sp)
{
	struct mamori_store *s;

	if (sp == NULL || *sp == NULL)
		return;
	s = *sp;
	if (s->backend != NULL)
		s->backend->meta->close(s);
	if (!s->policy_borrowed)
		mamori_policy_free(&s->policy);
	for (size_t i = 0; i < s->nretired; i++)
		mamori_policy_free(&s->retired[i]);
	free(s->retired);
	free(s->location);
	free(s->path);
	free(s->heads_out);
	sodium_memzero(s->secret_key, sizeof(s->secret_key));
	free(s);
	*sp = NULL;
}

int
store_set_policy(struct mamori_store *s, struct mamori_policy *p, int64_t version)
{
	if (s->policy != NULL) {
		struct mamori_policy **r = realloc(s->retired, (s->nretired + 1) * sizeof(*r));
		if (r == NULL) {
			mamori_policy_free(&p);
			return MAMORI_E_NOMEM;
		}
		s->retired = r;
		s->retired[s->nretired++] = s->policy;
	}
	s->policy = p;
	s->policy_version = version;
	return 0;
}

int64_t
store_policy_version(struct mamori_store *s)
{
	struct mamori_error err;
	int64_t v = 0;

	if (s->backend->meta->policy_version(s, &v, &err) != 0)
		return 0;
	return v;
}

int
mamori_store_policy_reload(struct mamori_store *s, bool *changed, struct mamori_error *err)
{
	*changed = s->policy != NULL && store_policy_version(s) != s->policy_version;
	return *changed ? load_meta(s, err) : 0;
}

const struct mamori_policy *
mamori_store_policy(const struct mamori_store *s)
{
	return s->policy;
}

const char *
mamori_store_path(const struct mamori_store *s)
{
	return s->path;
}

const char *
mamori_store_location(const struct mamori_store *s)
{
	return s->location;
}

const char *
mamori_store_log_id(const struct mamori_store *s)
{
	return s->log_id;
}

void
mamori_store_tx_actor(struct mamori_store_tx *tx, const char *actor)
{
	tx->actor = actor;
}

struct mamori_store *
mamori_store_tx_store(struct mamori_store_tx *tx)
{
	return tx->store;
}

/* Signs a head when N events or T seconds have passed since the last one. */
static void
maybe_sign_head(struct mamori_store *s)
{
	int64_t every_events = mamori_store_config_int(s, "head.every_events", 1000);
	int64_t every_seconds = mamori_store_config_int(s, "head.every_seconds", 3600);
	struct mamori_head last;
	struct mamori_error err;
	uint64_t size;
	int64_t count;

	if (s->backend->audit->size(s, &size, &err) != 0)
		return;
	count = (int64_t)size;
	if (mamori_audit_latest_head(s, &last, &err) != 0) {
		mamori_audit_sign_head(s, NULL, &err);
		return;
	}
	if (count == (int64_t)last.size)
		return;
	struct tm tm = { 0 };
	time_t then;
	if (strptime(last.time, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		return;
	then = timegm(&tm);
	if (count - (int64_t)last.size >= every_events || time(NULL) - then >= every_seconds)
		mamori_audit_sign_head(s, NULL, &err);	/* best effort: verify signs anew */
}

int
mamori_store_write(struct mamori_store *s, const char *actor,
    int (*fn)(struct mamori_store_tx *tx, void *arg), void *arg, struct mamori_error *err)
{
	struct mamori_store_tx tx = { .store = s, .actor = actor };
	int rc;

	if (actor == NULL || actor[0] == '\0')
		return mamori_error_set(err, MAMORI_E_USAGE, "every change needs an actor");
	if ((rc = s->backend->begin(s, err)) != 0)
		return rc;
	/* Another connection replaced the policy since this one loaded it: the
	 * change was checked against the old policy, so refuse it (the caller
	 * tries again, now under the new one).  One indexed read per write. */
	if (s->policy != NULL && store_policy_version(s) != s->policy_version) {
		struct mamori_error lerr;
		s->backend->rollback(s);
		if (load_meta(s, &lerr) != 0)
			return mamori_error_set(err, lerr.code, "%s", lerr.message);
		return mamori_error_set(err, MAMORI_E_CONFLICT, "the store's policy was replaced "
		    "(now %s) while this change was prepared; try again", s->policy->id);
	}
	int64_t changes = s->backend->meta->changes(s);
	rc = fn(&tx, arg);
	s->backend->audit->append_end(&tx);
	/* a transaction that found nothing to do (record tick) changed nothing */
	if (rc == 0 && tx.events == 0 && s->backend->meta->changes(s) != changes)
		rc = mamori_error_set(err, MAMORI_E_STORE, "internal: a change without its audit event");
	if (rc == 0)
		rc = s->backend->commit(s, err);
	if (rc != 0) {
		s->backend->rollback(s);
		if (err != NULL && err->code == 0)
			mamori_error_set(err, rc, "%s", mamori_strerror(rc));
		return rc;
	}
	if (tx.leaves_after_known) {
		s->leaves = tx.leaves_after;
		s->leaves_known = true;
	}
	if (tx.events > 0)
		maybe_sign_head(s);
	return 0;
}

/* The last event's seq and chain hash, read once per transaction. */
static int
last_event(struct mamori_store_tx *tx)
{
	struct mamori_error err;
	int rc;

	if (tx->have_last)
		return 0;
	if ((rc = tx->store->backend->audit->last(tx->store, &tx->last_seq, tx->last_chain, &err)) != 0)
		return rc;
	tx->have_last = true;
	return 0;
}

void
store_clock_now(struct store_clock *c, char buf[32])
{
	struct timespec ts;
	int us;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != c->sec || c->text[0] == '\0') {
		struct tm tm;
		gmtime_r(&ts.tv_sec, &tm);
		if (strftime(c->text, sizeof(c->text), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
			c->text[0] = '\0';
			store_now(buf);
			return;
		}
		c->sec = ts.tv_sec;
	}
	/* the same text as store_now: date, time, '.', six digits of microseconds, 'Z' */
	size_t n = strlen(c->text);
	memcpy(buf, c->text, n);
	us = (int)(ts.tv_nsec / 1000) % 1000000;
	buf[n++] = '.';
	for (int d = 100000; d > 0; d /= 10)
		buf[n++] = (char)('0' + us / d % 10);
	buf[n++] = 'Z';
	buf[n] = '\0';
}

void
store_tx_now(struct mamori_store_tx *tx, char buf[32])
{
	store_clock_now(&tx->clock, buf);
}

int
store_tx_last(struct mamori_store_tx *tx, int64_t *seq, unsigned char chain[32])
{
	int rc = last_event(tx);

	if (rc == 0) {
		*seq = tx->last_seq;
		memcpy(chain, tx->last_chain, 32);
	}
	return rc;
}

int
store_tx_event_hashed(struct mamori_store_tx *tx, const struct mamori_event *ev,
    const unsigned char leaf[32], const unsigned char chain[32])
{
	struct mamori_error err;
	int rc;

	if ((rc = last_event(tx)) != 0)
		return rc;
	if (ev->seq != tx->last_seq + 1)	/* hashed against another last event: refuse, never chain wrongly */
		return MAMORI_E_STORE;
	if ((rc = tx->store->backend->audit->append(tx, ev, leaf, chain, &err)) != 0)
		return rc;
	tx->last_seq = ev->seq;
	memcpy(tx->last_chain, chain, 32);
	tx->events++;
	return 0;
}

void
store_tx_leaves(struct mamori_store_tx *tx, const struct mamori_merkle_acc *acc)
{
	tx->leaves_after_known = tx->have_last && acc->size == (uint64_t)tx->last_seq;
	if (tx->leaves_after_known)
		tx->leaves_after = *acc;
}

int
store_tx_event_body(struct mamori_store_tx *tx, const char *action, const char *object_type,
    const char *object_id, const char *body)
{
	struct mamori_event ev;
	unsigned char leaf[32], chain[32];
	char now[32];
	int rc;

	if ((rc = last_event(tx)) != 0)
		return rc;
	store_tx_now(tx, now);
	ev = (struct mamori_event){ tx->last_seq + 1, now, tx->actor, action, object_type,
		object_id, body };
	mamori_event_leaf(&ev, leaf);
	mamori_event_chain(tx->last_chain, leaf, chain);
	return store_tx_event_hashed(tx, &ev, leaf, chain);
}

int
mamori_store_tx_event(struct mamori_store_tx *tx, const char *action, const char *object_type,
    const char *object_id, const cJSON *before, const cJSON *after)
{
	char *body = mamori_canon_body(before, after);
	int rc;

	if (body == NULL)
		return MAMORI_E_NOMEM;
	rc = store_tx_event_body(tx, action, object_type, object_id, body);
	free(body);
	return rc;
}

struct config_arg {
	const char *key, *value;
};

static int
config_tx(struct mamori_store_tx *tx, void *arg)
{
	struct config_arg *a = arg;
	struct mamori_error err;
	cJSON *after;
	int rc;

	if ((rc = tx->store->backend->meta->config_set(tx->store, a->key, a->value, &err)) != 0)
		return rc;
	after = cJSON_CreateObject();
	cJSON_AddStringToObject(after, a->key, a->value);
	rc = mamori_store_tx_event(tx, "config.set", "config", a->key, NULL, after);
	cJSON_Delete(after);
	return rc;
}

int
mamori_store_config_set(struct mamori_store *s, const char *actor, const char *key,
    const char *value, struct mamori_error *err)
{
	struct config_arg a = { key, value };
	struct mamori_error ignore;
	int rc = mamori_store_write(s, actor, config_tx, &a, err);

	/* a change of the head schedule is signed at once: log verify reads the
	 * schedule from these events, so one forged after the newest head (to
	 * excuse the heads missing since) is refused as a change no head covers */
	if (rc == 0 && strncmp(key, "head.every_", 11) == 0)
		mamori_audit_sign_head(s, NULL, &ignore);	/* best effort, as after any change */
	return rc;
}

/* A config value as a whole decimal integer; anything else leaves the default. */
static int
config_parse_int(const char *value, void *ctx)
{
	char *end;
	long long x = strtoll(value, &end, 10);

	if (*end == '\0' && end != value)
		*(int64_t *)ctx = x;
	return 0;
}

int64_t
mamori_store_config_int(struct mamori_store *s, const char *key, int64_t def)
{
	struct mamori_error err;
	int64_t v = def;

	s->backend->meta->config_get(s, key, config_parse_int, &v, &err);
	return v;
}

/* Where heads go from the environment: MAMORI_HEADS_OUT, MAMORI_HEADS_SYSLOG. */
static int
heads_from_env(struct mamori_store *s, struct mamori_error *err)
{
	const char *sl = getenv("MAMORI_HEADS_SYSLOG");

	if (sl != NULL && sl[0] != '\0' && strcmp(sl, "0") != 0 && strcmp(sl, "1") != 0)
		return mamori_error_set(err, MAMORI_E_IO, "MAMORI_HEADS_SYSLOG must be 1 (send signed heads to "
		    "syslog) or 0, not '%s'", sl);
	mamori_store_head_sink(s, sl != NULL && strcmp(sl, "1") == 0 ? mamori_head_syslog : NULL, NULL);
	return mamori_store_publish_heads(s, getenv("MAMORI_HEADS_OUT"), err);
}
