/*
 * backup.c — a store's backup as one POSIX tar archive with a manifest of
 * SHA-256s, and its restore: unpacked aside, every byte checked against the
 * manifest, the audit trail verified, and only then put in place.
 */
#include "mamori/location.h"
#include "mamori/backup.h"
#include "mamori/store.h"
#include "buf.h"
#include "store_backend.h"
#include "store_ops_meta.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { TAR_BLOCK = 512, NAME_MAX_TAR = 99, MANIFEST_MAX = 64 << 20 };
static const char manifest_magic[] = "mamori-backup 1\n";

/* Appends formatted text to b; 0, or -1 when memory runs out. */
static int __attribute__((format(printf, 2, 3)))
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	buf_add(b, text, (size_t)n);
	free(text);
	return b->fail ? -1 : 0;
}

/* ---- writing ---- */

struct tar_out {
	FILE *f;
	struct buf manifest;	/* the lines "sha256 HEX SIZE NAME" */
	struct mamori_backup_report *r;
};

static void
tar_octal(char *field, size_t width, uint64_t v)
{
	snprintf(field, width, "%0*llo", (int)width - 1, (unsigned long long)v);
}

static int
tar_header(FILE *f, const char *name, uint64_t size)
{
	char h[TAR_BLOCK] = { 0 };
	unsigned sum = 0;

	memcpy(h, name, strlen(name));
	tar_octal(h + 100, 8, 0600);
	tar_octal(h + 108, 8, 0);
	tar_octal(h + 116, 8, 0);
	tar_octal(h + 124, 12, size);
	tar_octal(h + 136, 12, (uint64_t)time(NULL));
	memset(h + 148, ' ', 8);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	for (size_t i = 0; i < TAR_BLOCK; i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	return fwrite(h, 1, TAR_BLOCK, f) == TAR_BLOCK ? 0 : -1;
}

/* Adds the file at path as name, hashing it into the manifest. */
static int
tar_add(struct tar_out *t, const char *path, const char *name, struct mamori_error *err)
{
	static const char zeros[TAR_BLOCK];
	unsigned char buf[1 << 16], hash[32];
	crypto_hash_sha256_state st;
	char hex[65];
	uint64_t size, done = 0;
	struct stat sb;
	size_t n;
	FILE *in;
	int rc = 0;

	if (strlen(name) > NAME_MAX_TAR)
		return mamori_error_set(err, MAMORI_E_USAGE, "backup: the name %s is too long for the archive", name);
	if ((in = fopen(path, "rb")) == NULL || fstat(fileno(in), &sb) != 0) {
		rc = mamori_error_set(err, MAMORI_E_IO, "backup: cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	size = (uint64_t)sb.st_size;
	if (tar_header(t->f, name, size) != 0)
		goto write_error;
	crypto_hash_sha256_init(&st);
	while (done < size && (n = fread(buf, 1, size - done < sizeof(buf) ? size - done : sizeof(buf), in)) > 0) {
		crypto_hash_sha256_update(&st, buf, n);
		if (fwrite(buf, 1, n, t->f) != n)
			goto write_error;
		done += n;
	}
	if (done != size) {	/* the file shrank under us: the archive would lie */
		rc = mamori_error_set(err, MAMORI_E_IO, "backup: %s changed while it was copied", path);
		goto out;
	}
	if (size % TAR_BLOCK && fwrite(zeros, 1, TAR_BLOCK - size % TAR_BLOCK, t->f) != TAR_BLOCK - size % TAR_BLOCK)
		goto write_error;
	crypto_hash_sha256_final(&st, hash);
	sodium_bin2hex(hex, sizeof(hex), hash, 32);
	if (buf_printf(&t->manifest, "sha256 %s %llu %s\n", hex, (unsigned long long)size, name) != 0) {
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		goto out;
	}
	t->r->files++;
	t->r->bytes += size;
	goto out;
write_error:
	rc = mamori_error_set(err, MAMORI_E_IO, "backup: cannot write the archive: %s", strerror(errno));
out:
	if (in != NULL)
		fclose(in);
	return rc;
}

/* Adds every regular file under dir (recursively, sorted) as prefix/relative. */
static int
tar_add_tree(struct tar_out *t, const char *dir, const char *prefix, struct mamori_error *err)
{
	struct dirent **ents = NULL;
	char path[4096], name[512];
	struct stat sb;
	int n, rc = 0;

	if ((n = scandir(dir, &ents, NULL, alphasort)) < 0)
		return errno == ENOENT ? 0 : mamori_error_set(err, MAMORI_E_IO, "backup: cannot read %s: %s", dir,
		    strerror(errno));
	for (int i = 0; i < n; i++) {
		if (rc == 0 && ents[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
			snprintf(name, sizeof(name), "%s/%s", prefix, ents[i]->d_name);
			if (lstat(path, &sb) != 0)
				rc = mamori_error_set(err, MAMORI_E_IO, "backup: %s: %s", path, strerror(errno));
			else if (S_ISDIR(sb.st_mode))
				rc = tar_add_tree(t, path, name, err);
			else if (S_ISREG(sb.st_mode))
				rc = tar_add(t, path, name, err);
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

/*
 * A consistent copy of the store at db into copy (the store's backend's:
 * one committed state however much is written meanwhile), with its log id,
 * trail size and schema.
 */
static int
copy_store(const char *db, const char *copy, struct mamori_backup_report *r, char *log_id, size_t idlen,
    int *schema, struct mamori_error *err)
{
	struct store_meta_summary sum;
	int rc, fd;

	if ((fd = open(copy, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		return mamori_error_set(err, MAMORI_E_IO, "backup: cannot create %s: %s", copy, strerror(errno));
	close(fd);
	/* no store is open here: the copy is the file's, by the backend every store gets */
	if ((rc = store_backend_sqlite.meta->copy(db, copy, &sum, err)) != 0) {
		unlink(copy);
		return rc;
	}
	snprintf(log_id, idlen, "%s", sum.log_id);
	r->events = sum.events;
	*schema = sum.schema;
	return 0;
}

/* ---- sealing to a recipient ---- */

static const char sealed_magic[] = "mamori-backup-sealed 1\n";
static const char pub_tag[] = "mamori-backup-public ";
static const char sec_tag[] = "mamori-backup-secret ";
enum { SEAL_CHUNK = 1 << 16 };

/* Writes tag + base64(key) + "\n" to path (new, mode 0600). */
static int
key_write(const char *path, const char *tag, const unsigned char *key, size_t n, struct mamori_error *err)
{
	char b64[128];
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	FILE *f;

	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		if (fd >= 0)
			close(fd);
		return mamori_error_set(err, errno == EEXIST ? MAMORI_E_CONFLICT : MAMORI_E_IO, "backup: cannot create %s: %s",
		    path, strerror(errno));
	}
	sodium_bin2base64(b64, sizeof(b64), key, n, sodium_base64_VARIANT_ORIGINAL);
	fprintf(f, "%s%s\n", tag, b64);
	sodium_memzero(b64, sizeof(b64));
	return fclose(f) == 0 ? 0 : mamori_error_set(err, MAMORI_E_IO, "backup: cannot write %s", path);
}

/* Reads a key of n bytes written by key_write with tag. */
static int
key_read(const char *path, const char *tag, unsigned char *key, size_t n, struct mamori_error *err)
{
	char line[256];
	size_t got = 0;
	FILE *f = fopen(path, "r");
	int ok;

	if (f == NULL)
		return mamori_error_set(err, MAMORI_E_IO, "backup: cannot read the key %s: %s", path, strerror(errno));
	ok = fgets(line, sizeof(line), f) != NULL && strncmp(line, tag, strlen(tag)) == 0 &&
	    sodium_base642bin(key, n, line + strlen(tag), strcspn(line + strlen(tag), "\r\n"), NULL, &got, NULL,
	    sodium_base64_VARIANT_ORIGINAL) == 0 && got == n;
	sodium_memzero(line, sizeof(line));
	fclose(f);
	return ok ? 0 : mamori_error_set(err, MAMORI_E_USAGE, "backup: %s is not a %skey", path, tag);
}

int
mamori_backup_keygen(const char *path, struct mamori_error *err)
{
	unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
	char pub[4200];
	int rc;

	snprintf(pub, sizeof(pub), "%s.pub", path);
	crypto_box_keypair(pk, sk);
	if ((rc = key_write(path, sec_tag, sk, sizeof(sk), err)) == 0 &&
	    (rc = key_write(pub, pub_tag, pk, sizeof(pk), err)) != 0)
		unlink(path);
	sodium_memzero(sk, sizeof(sk));
	return rc;
}

/* Encrypts the tar at in into out, sealed to the public key in recipient. */
static int
seal_file(const char *in, const char *out, const char *recipient, struct mamori_error *err)
{
	unsigned char pk[crypto_box_PUBLICKEYBYTES], key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	unsigned char sealed[crypto_box_SEALBYTES + sizeof(key)];
	unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
	unsigned char *buf = malloc(SEAL_CHUNK), *cbuf = malloc(SEAL_CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES);
	crypto_secretstream_xchacha20poly1305_state st;
	FILE *fi = NULL, *fo = NULL;
	int rc = 0, fd;
	size_t n;

	if (buf == NULL || cbuf == NULL) {
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = key_read(recipient, pub_tag, pk, sizeof(pk), err)) != 0)
		goto out;
	if ((fi = fopen(in, "rb")) == NULL || (fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0 ||
	    (fo = fdopen(fd, "wb")) == NULL) {
		rc = mamori_error_set(err, MAMORI_E_IO, "backup: cannot seal into %s: %s", out, strerror(errno));
		goto out;
	}
	crypto_secretstream_xchacha20poly1305_keygen(key);
	crypto_box_seal(sealed, key, sizeof(key), pk);
	crypto_secretstream_xchacha20poly1305_init_push(&st, header, key);
	fwrite(sealed_magic, 1, sizeof(sealed_magic) - 1, fo);
	fwrite(sealed, 1, sizeof(sealed), fo);
	fwrite(header, 1, sizeof(header), fo);
	do {
		unsigned long long clen;
		n = fread(buf, 1, SEAL_CHUNK, fi);
		unsigned char tag = feof(fi) ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0;
		crypto_secretstream_xchacha20poly1305_push(&st, cbuf, &clen, buf, n, NULL, 0, tag);
		if (fwrite(cbuf, 1, (size_t)clen, fo) != clen) {
			rc = mamori_error_set(err, MAMORI_E_IO, "backup: cannot write %s: %s", out, strerror(errno));
			goto out;
		}
	} while (!feof(fi));
	if (fflush(fo) != 0 || fsync(fileno(fo)) != 0)
		rc = mamori_error_set(err, MAMORI_E_IO, "backup: cannot write %s: %s", out, strerror(errno));
out:
	sodium_memzero(key, sizeof(key));
	if (fi != NULL)
		fclose(fi);
	if (fo != NULL)
		fclose(fo);
	if (rc != 0)
		unlink(out);
	free(buf);
	free(cbuf);
	return rc;
}

/* Whether the archive f is sealed (its first bytes); f is rewound. */
static bool
is_sealed(FILE *f)
{
	char head[sizeof(sealed_magic) - 1];
	bool sealed = fread(head, 1, sizeof(head), f) == sizeof(head) && memcmp(head, sealed_magic, sizeof(head)) == 0;

	rewind(f);
	return sealed;
}

/* Opens the sealed archive f with the secret key in identity into the new file out. */
static int
unseal_file(FILE *f, const char *out, const char *identity, struct mamori_error *err)
{
	unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
	unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	unsigned char sealed[crypto_box_SEALBYTES + sizeof(key)];
	unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
	unsigned char *buf = malloc(SEAL_CHUNK), *cbuf = malloc(SEAL_CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES);
	crypto_secretstream_xchacha20poly1305_state st;
	unsigned char tag = 0;
	FILE *fo = NULL;
	int rc = 0, fd;
	size_t n;

	if (buf == NULL || cbuf == NULL) {
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		goto out;
	}
	if (identity == NULL) {
		rc = mamori_error_set(err, MAMORI_E_USAGE, "restore: the archive is sealed: give the secret key with --identity FILE");
		goto out;
	}
	if ((rc = key_read(identity, sec_tag, sk, sizeof(sk), err)) != 0)
		goto out;
	crypto_scalarmult_base(pk, sk);
	if (fseek(f, (long)sizeof(sealed_magic) - 1, SEEK_SET) != 0 || fread(sealed, 1, sizeof(sealed), f) != sizeof(sealed) ||
	    fread(header, 1, sizeof(header), f) != sizeof(header) ||
	    crypto_box_seal_open(key, sealed, sizeof(sealed), pk, sk) != 0 ||
	    crypto_secretstream_xchacha20poly1305_init_pull(&st, header, key) != 0) {
		rc = mamori_error_set(err, MAMORI_E_TAMPERED, "restore: the archive is not sealed to the key %s (or is damaged)",
		    identity);
		goto out;
	}
	if ((fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0 || (fo = fdopen(fd, "wb")) == NULL) {
		rc = mamori_error_set(err, MAMORI_E_IO, "restore: cannot write %s: %s", out, strerror(errno));
		goto out;
	}
	while (tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL &&
	    (n = fread(cbuf, 1, SEAL_CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES, f)) > 0) {
		unsigned long long mlen;
		if (crypto_secretstream_xchacha20poly1305_pull(&st, buf, &mlen, &tag, cbuf, n, NULL, 0) != 0) {
			rc = mamori_error_set(err, MAMORI_E_TAMPERED, "restore: the sealed archive was changed");
			goto out;
		}
		fwrite(buf, 1, (size_t)mlen, fo);
	}
	if (tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL || fgetc(f) != EOF)
		rc = mamori_error_set(err, MAMORI_E_TAMPERED, "restore: the sealed archive is cut short or has bytes after its end");
	else if (fflush(fo) != 0)
		rc = mamori_error_set(err, MAMORI_E_IO, "restore: cannot write %s: %s", out, strerror(errno));
out:
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(key, sizeof(key));
	if (fo != NULL)
		fclose(fo);
	free(buf);
	free(cbuf);
	return rc;
}

int
mamori_backup_create(const char *db, const char *out, const struct mamori_backup_opts *o,
    struct mamori_backup_report *r, struct mamori_error *err)
{
	static const char zeros[2 * TAR_BLOCK];
	struct tar_out t = { .r = r };
	char tmp[4200], copy[4200], path[4200], log_id[64], now[32], *mpath = NULL;
	unsigned char hash[32];
	struct stat sb;
	time_t clock = time(NULL);
	int rc, fd, schema = 0;

	memset(r, 0, sizeof(*r));
	if (mamori_location_is_pg(db))
		return mamori_error_set(err, MAMORI_E_USAGE, "backup: a store on PostgreSQL is backed up by "
		    "PostgreSQL (pg_dump, or a standby) with its files= prefix, or copied into a SQLite file "
		    "with 'mamori store copy' and that backed up (docs/store.md, \"PostgreSQL\")");
	if (stat(out, &sb) == 0)
		return mamori_error_set(err, MAMORI_E_CONFLICT, "backup: %s exists; a backup is never overwritten", out);
	if (stat(db, &sb) != 0)
		return mamori_error_set(err, MAMORI_E_IO, "backup: no store at %s", db);
	snprintf(tmp, sizeof(tmp), "%s.part", out);
	snprintf(copy, sizeof(copy), "%s.db-copy", out);
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0 || (t.f = fdopen(fd, "wb")) == NULL) {
		if (fd >= 0)
			close(fd);
		return mamori_error_set(err, MAMORI_E_IO, "backup: cannot create %s: %s", tmp, strerror(errno));
	}
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&clock));
	if ((rc = copy_store(db, copy, r, log_id, sizeof(log_id), &schema, err)) != 0 ||
	    (rc = tar_add(&t, copy, "store.db", err)) != 0)
		goto out;
	snprintf(path, sizeof(path), "%s.pub", db);
	if ((rc = tar_add(&t, path, "store.db.pub", err)) != 0)
		goto out;
	snprintf(path, sizeof(path), "%s.files", db);
	if ((rc = tar_add_tree(&t, path, "store.db.files", err)) != 0)
		goto out;
	if (o != NULL && o->recipient != NULL) {	/* the private keys, in a sealed archive only */
		snprintf(path, sizeof(path), "%s.key", db);
		if ((rc = tar_add(&t, path, "store.db.key", err)) != 0)
			goto out;
		snprintf(path, sizeof(path), "%s.totp-key", db);
		if (access(path, F_OK) == 0 && (rc = tar_add(&t, path, "store.db.totp-key", err)) != 0)
			goto out;
		r->keys = true;
	}
	if (o != NULL && o->quarantine_dir != NULL && (rc = tar_add_tree(&t, o->quarantine_dir, "quarantine", err)) != 0)
		goto out;
	/* the manifest last: its hashes are of what was written before it */
	if (asprintf(&mpath, "%s.manifest", out) < 0) {
		mpath = NULL;
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		goto out;
	}
	{
		struct buf m = { 0 };
		FILE *mf;
		if (buf_printf(&m, "%screated %s\nlog_id %s\nschema %d\nevents %lld\n%.*s", manifest_magic, now,
		    log_id, schema, (long long)r->events, (int)t.manifest.len, t.manifest.p ? t.manifest.p : "") != 0 ||
		    (mf = fopen(mpath, "wbx")) == NULL) {
			buf_free(&m);
			rc = mamori_error_set(err, MAMORI_E_IO, "backup: cannot write the manifest: %s", strerror(errno));
			goto out;
		}
		fwrite(m.p, 1, m.len, mf);
		fclose(mf);
		crypto_hash_sha256(hash, (const unsigned char *)m.p, m.len);
		sodium_bin2hex(r->manifest_sha256, sizeof(r->manifest_sha256), hash, 32);
		buf_free(&m);
	}
	{
		size_t files = r->files;
		uint64_t bytes = r->bytes;
		rc = tar_add(&t, mpath, "MANIFEST", err);
		r->files = files;
		r->bytes = bytes;
		if (rc != 0)
			goto out;
	}
	if (fwrite(zeros, 1, sizeof(zeros), t.f) != sizeof(zeros) || fflush(t.f) != 0 || fsync(fileno(t.f)) != 0) {
		rc = mamori_error_set(err, MAMORI_E_IO, "backup: cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	fclose(t.f);
	t.f = NULL;
	if (o != NULL && o->recipient != NULL) {
		char sealed[4400];
		snprintf(sealed, sizeof(sealed), "%s.sealed", tmp);
		if ((rc = seal_file(tmp, sealed, o->recipient, err)) != 0)
			goto out;
		if (rename(sealed, tmp) != 0) {
			unlink(sealed);
			rc = mamori_error_set(err, MAMORI_E_IO, "backup: cannot write %s: %s", tmp, strerror(errno));
			goto out;
		}
		r->sealed = true;
	}
	/* link, not rename: a file that appeared at out meanwhile is not replaced */
	if (link(tmp, out) != 0)
		rc = mamori_error_set(err, errno == EEXIST ? MAMORI_E_CONFLICT : MAMORI_E_IO,
		    "backup: cannot create %s: %s", out, strerror(errno));
out:
	if (t.f != NULL)
		fclose(t.f);
	unlink(tmp);
	unlink(copy);
	if (mpath != NULL)
		unlink(mpath);
	free(mpath);
	buf_free(&t.manifest);
	return rc;
}

/* ---- reading ---- */

/* One entry as unpacked: its name, size and SHA-256 (hex). */
struct entry {
	char name[NAME_MAX_TAR + 1];
	uint64_t size;
	char sha256[65];
	bool listed;
};

struct unpacked {
	struct entry *e;
	size_t n, cap;
};

/* A name the archive may hold: relative, no "..", only [A-Za-z0-9._/-] (what backup writes). */
static bool
name_ok(const char *name)
{
	if (name[0] == '\0' || name[0] == '/' || strstr(name, "..") != NULL || strstr(name, "//") != NULL)
		return false;
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		    *c == '.' || *c == '_' || *c == '-' || *c == '/'))
			return false;
	return true;
}

static int
mkdirs_for(const char *path)
{
	char dir[4400], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	for (slash = strchr(dir + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return -1;
		*slash = '/';
	}
	return 0;
}

static uint64_t
tar_number(const char *field, size_t width)
{
	uint64_t v = 0;

	for (size_t i = 0; i < width && field[i] >= '0' && field[i] <= '7'; i++)
		v = v * 8 + (uint64_t)(field[i] - '0');
	return v;
}

/* Unpacks the archive into dir, hashing every entry. */
static int
unpack(FILE *f, const char *dir, struct unpacked *u, struct mamori_error *err)
{
	unsigned char h[TAR_BLOCK], buf[1 << 16], hash[32];
	crypto_hash_sha256_state st;
	char path[4400];
	struct entry *e;
	uint64_t size, left;
	size_t n;
	FILE *out;

	for (;;) {
		if (fread(h, 1, TAR_BLOCK, f) != TAR_BLOCK)
			return mamori_error_set(err, MAMORI_E_TAMPERED, "restore: the archive ends early");
		if (h[0] == '\0')
			return 0;	/* the end blocks */
		if (memchr(h, '\0', 100) == NULL || h[156] != '0' || !name_ok((const char *)h))
			return mamori_error_set(err, MAMORI_E_TAMPERED, "restore: an entry of the archive is not "
			    "one a backup writes (%.40s)", (const char *)h);
		size = tar_number((const char *)h + 124, 12);
		if (!array_reserve((void **)&u->e, &u->cap, u->n + 1, sizeof(*u->e), 1u << 24))
			return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		e = &u->e[u->n++];
		memset(e, 0, sizeof(*e));
		memcpy(e->name, h, strnlen((const char *)h, NAME_MAX_TAR));
		e->size = size;
		snprintf(path, sizeof(path), "%s/%s", dir, e->name);
		/* every file private (0600) whatever the umask, as the store's own are */
		int fd = mkdirs_for(path) == 0 ? open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600) : -1;
		if (fd < 0 || fchmod(fd, 0600) != 0 || (out = fdopen(fd, "wb")) == NULL)
			return mamori_error_set(err, errno == EEXIST ? MAMORI_E_TAMPERED : MAMORI_E_IO,
			    "restore: cannot unpack %s: %s", e->name, strerror(errno));
		crypto_hash_sha256_init(&st);
		for (left = size + (TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK; left > 0; left -= n) {
			n = fread(buf, 1, left < sizeof(buf) ? left : sizeof(buf), f);
			if (n == 0) {
				fclose(out);
				return mamori_error_set(err, MAMORI_E_TAMPERED, "restore: the archive ends inside %s", e->name);
			}
			/* the padding after the content is not the content */
			size_t content = size > (uint64_t)0 ? (size_t)(size < n ? size : n) : 0;
			crypto_hash_sha256_update(&st, buf, content);
			if (fwrite(buf, 1, content, out) != content) {
				fclose(out);
				return mamori_error_set(err, MAMORI_E_IO, "restore: cannot write %s: %s", path, strerror(errno));
			}
			size -= content;
		}
		if (fclose(out) != 0)
			return mamori_error_set(err, MAMORI_E_IO, "restore: cannot write %s: %s", path, strerror(errno));
		crypto_hash_sha256_final(&st, hash);
		sodium_bin2hex(e->sha256, sizeof(e->sha256), hash, 32);
	}
}

/* Checks the unpacked entries against dir/MANIFEST: each listed one there, equal, none more. */
static int
check_manifest(const char *dir, struct unpacked *u, struct mamori_backup_report *r, struct mamori_error *err)
{
	char path[4400], line[600], hex[65], name[NAME_MAX_TAR + 2];
	unsigned long long size;
	bool seen_db = false;
	FILE *f;
	int rc = 0, lineno = 0;

	snprintf(path, sizeof(path), "%s/MANIFEST", dir);
	if ((f = fopen(path, "r")) == NULL)
		return mamori_error_set(err, MAMORI_E_TAMPERED, "restore: the archive has no MANIFEST");
	if (fgets(line, sizeof(line), f) == NULL || strcmp(line, manifest_magic) != 0) {
		fclose(f);
		return mamori_error_set(err, MAMORI_E_VERSION, "restore: not a mamori backup (or a newer format)");
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strncmp(line, "events ", 7) == 0)
			r->events = strtoll(line + 7, NULL, 10);
		if (strncmp(line, "sha256 ", 7) != 0)
			continue;	/* created, log_id, schema, events: for people */
		if (sscanf(line, "sha256 %64s %llu %100s", hex, &size, name) != 3) {
			rc = mamori_error_set(err, MAMORI_E_TAMPERED, "restore: MANIFEST line %d is malformed", lineno + 1);
			break;
		}
		size_t i;
		for (i = 0; i < u->n && strcmp(u->e[i].name, name) != 0; i++)
			;
		if (i == u->n)
			rc = mamori_error_set(err, MAMORI_E_TAMPERED, "restore: %s is in the manifest but not in the archive",
			    name);
		else if (u->e[i].size != size || strcmp(u->e[i].sha256, hex) != 0)
			rc = mamori_error_set(err, MAMORI_E_TAMPERED, "restore: %s does not match its SHA-256 in the "
			    "manifest", name);
		else {
			u->e[i].listed = true;
			seen_db |= strcmp(name, "store.db") == 0;
			r->files++;
			r->bytes += size;
		}
	}
	fclose(f);
	for (size_t i = 0; rc == 0 && i < u->n; i++)
		if (!u->e[i].listed && strcmp(u->e[i].name, "MANIFEST") != 0)
			rc = mamori_error_set(err, MAMORI_E_TAMPERED, "restore: %s is in the archive but not in the "
			    "manifest", u->e[i].name);
	if (rc == 0 && !seen_db)
		rc = mamori_error_set(err, MAMORI_E_TAMPERED, "restore: the archive holds no store.db");
	return rc;
}

/* Opens the unpacked store and verifies its whole trail against its key and the heads. */
static int
verify_unpacked(const char *dir, const struct mamori_restore_opts *o, struct mamori_backup_report *r,
    char *summary, size_t n, struct mamori_error *err)
{
	struct mamori_store *s = NULL;
	unsigned char pk[32];
	char db[4400], pub[4400];
	int rc;

	snprintf(db, sizeof(db), "%s/store.db", dir);
	snprintf(pub, sizeof(pub), "%s/store.db.pub", dir);
	if ((rc = mamori_audit_read_pubkey(pub, pk, err)) != 0)
		return rc;
	if ((rc = mamori_store_open_private(db, &s, err)) != 0)
		return rc;
	(void)r;
	rc = mamori_audit_verify(s, pk, o ? o->heads : NULL, o ? o->nheads : 0, summary, n, err);
	mamori_store_close(&s);
	return rc;
}

static void
remove_tree(const char *path)
{
	struct dirent *de;
	char sub[4200];
	DIR *d = opendir(path);

	if (d == NULL) {
		unlink(path);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		remove_tree(sub);
	}
	closedir(d);
	rmdir(path);
}

/* Moves from dir/name to to, when dir/name exists. */
static int
place(const char *dir, const char *name, const char *to, struct mamori_error *err)
{
	char from[4400];
	struct stat sb;

	snprintf(from, sizeof(from), "%s/%s", dir, name);
	if (lstat(from, &sb) != 0)
		return 0;
	if (rename(from, to) != 0)
		return mamori_error_set(err, MAMORI_E_IO, "restore: cannot move %s to %s: %s", from, to, strerror(errno));
	return 0;
}

int
mamori_backup_restore(const char *archive, const char *db, const struct mamori_restore_opts *o,
    struct mamori_backup_report *r, char *summary, size_t n, struct mamori_error *err)
{
	static const char *const beside[] = { "", ".pub", ".files", ".key", ".totp-key", "-wal", "-shm" };
	struct unpacked u = { 0 };
	char dir[4096], path[4200], *slash;
	struct stat sb;
	FILE *f = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < sizeof(beside) / sizeof(beside[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", db, beside[i]);
		if (lstat(path, &sb) == 0)
			return mamori_error_set(err, MAMORI_E_CONFLICT, "restore: %s exists; a restore never "
			    "overwrites (restore into a new path, or move it away first)", path);
	}
	if (o != NULL && o->quarantine_dir != NULL && rmdir(o->quarantine_dir) != 0 && errno != ENOENT)
		return mamori_error_set(err, MAMORI_E_CONFLICT, "restore: the quarantine %s exists and is not "
		    "empty; a restore never overwrites", o->quarantine_dir);
	if ((f = fopen(archive, "rb")) == NULL)
		return mamori_error_set(err, MAMORI_E_IO, "restore: cannot read %s: %s", archive, strerror(errno));
	if (mkdirs_for(db) != 0) {	/* the store's directory, private when made here */
		fclose(f);
		return mamori_error_set(err, MAMORI_E_IO, "restore: cannot make the directory of %s: %s", db,
		    strerror(errno));
	}
	/* the scratch directory beside db: the final moves are renames on one file system */
	snprintf(dir, sizeof(dir), "%s", db);
	slash = strrchr(dir, '/');
	snprintf(slash ? slash + 1 : dir, sizeof(dir) - (size_t)(slash ? slash + 1 - dir : 0), ".mamori-restore-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		fclose(f);
		return mamori_error_set(err, MAMORI_E_IO, "restore: cannot make a scratch directory beside %s: %s", db,
		    strerror(errno));
	}
	if (is_sealed(f)) {	/* opened into the scratch directory first, then read as a plain archive */
		snprintf(path, sizeof(path), "%.4000s/.archive", dir);
		if ((rc = unseal_file(f, path, o ? o->identity : NULL, err)) != 0)
			goto out;
		fclose(f);
		if ((f = fopen(path, "rb")) == NULL) {
			rc = mamori_error_set(err, MAMORI_E_IO, "restore: cannot read %s: %s", path, strerror(errno));
			goto out;
		}
		unlink(path);
		r->sealed = true;
	}
	if ((rc = unpack(f, dir, &u, err)) != 0 || (rc = check_manifest(dir, &u, r, err)) != 0 ||
	    (rc = verify_unpacked(dir, o, r, summary, n, err)) != 0)
		goto out;
	snprintf(path, sizeof(path), "%s.pub", db);
	if ((rc = place(dir, "store.db.pub", path, err)) != 0)
		goto out;
	snprintf(path, sizeof(path), "%s.files", db);
	if ((rc = place(dir, "store.db.files", path, err)) != 0)
		goto out;
	snprintf(path, sizeof(path), "%s.key", db);
	if ((rc = place(dir, "store.db.key", path, err)) != 0)
		goto out;
	snprintf(path, sizeof(path), "%s.totp-key", db);
	if ((rc = place(dir, "store.db.totp-key", path, err)) != 0)
		goto out;
	snprintf(path, sizeof(path), "%s.key", db);
	r->keys = access(path, F_OK) == 0;
	if (o != NULL && o->quarantine_dir != NULL && (rc = place(dir, "quarantine", o->quarantine_dir, err)) != 0)
		goto out;
	/* the store last: a store at db is a restore that finished */
	rc = place(dir, "store.db", db, err);
out:
	if (f != NULL)
		fclose(f);
	free(u.e);
	remove_tree(dir);
	return rc;
}

static int
name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
is_archive(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return strncmp(d->d_name, "mamori-", 7) == 0 && n > 11 && strcmp(d->d_name + n - 4, ".tar") == 0;
}

int
mamori_backup_prune(const char *dir, unsigned keep, size_t *removed, struct mamori_error *err)
{
	struct dirent **ents = NULL;
	char path[4200];
	int n, rc = 0;

	*removed = 0;
	if ((n = scandir(dir, &ents, is_archive, name_cmp)) < 0)
		return mamori_error_set(err, MAMORI_E_IO, "backup: cannot read %s: %s", dir, strerror(errno));
	for (int i = 0; i < n; i++) {
		if (rc == 0 && (unsigned)(n - i) > keep) {
			snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
			if (unlink(path) != 0)
				rc = mamori_error_set(err, MAMORI_E_IO, "backup: cannot remove %s: %s", path, strerror(errno));
			else
				(*removed)++;
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}
