/*
 * audit.c — the audit trail's integrity: event encoding, chain, signed tree
 * heads, verification and proofs (docs/audit.md).
 */
#include "mamori/audit.h"
#include "store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- encoding --------------------------------------------------------- */

static void
put_u64(crypto_hash_sha256_state *st, uint64_t v)
{
	unsigned char b[8];

	for (int i = 7; i >= 0; i--, v >>= 8)
		b[i] = (unsigned char)(v & 0xff);
	crypto_hash_sha256_update(st, b, 8);
}

static void
put_str(crypto_hash_sha256_state *st, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	unsigned char b[4] = { (unsigned char)(n >> 24), (unsigned char)(n >> 16),
		(unsigned char)(n >> 8), (unsigned char)n };

	crypto_hash_sha256_update(st, b, 4);
	if (n)
		crypto_hash_sha256_update(st, (const unsigned char *)s, n);
}

void
mamori_event_leaf(const struct mamori_event *ev, unsigned char out[MAMORI_HASH_LEN])
{
	crypto_hash_sha256_state st;
	static const unsigned char prefix[] = { 0x00 };

	/* SHA-256(0x00 || "mamori-event-v1" || u64 seq || 6 × (u32 len || bytes)) */
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, prefix, 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)"mamori-event-v1", 15);
	put_u64(&st, (uint64_t)ev->seq);
	put_str(&st, ev->time);
	put_str(&st, ev->actor);
	put_str(&st, ev->action);
	put_str(&st, ev->object_type);
	put_str(&st, ev->object_id);
	put_str(&st, ev->body);
	crypto_hash_sha256_final(&st, out);
}

void
mamori_event_chain(const unsigned char prev[MAMORI_HASH_LEN], const unsigned char leaf[MAMORI_HASH_LEN],
    unsigned char out[MAMORI_HASH_LEN])
{
	unsigned char buf[2 * MAMORI_HASH_LEN];

	memcpy(buf, prev, MAMORI_HASH_LEN);
	memcpy(buf + MAMORI_HASH_LEN, leaf, MAMORI_HASH_LEN);
	crypto_hash_sha256(out, buf, sizeof(buf));
}

/* ---- keys ------------------------------------------------------------- */

static const char pub_tag[] = "mamori-ed25519-public ";
static const char sec_tag[] = "mamori-ed25519-secret ";

static int
write_new_file(const char *path, mode_t mode, const char *tag, const unsigned char *key, size_t n,
    struct mamori_error *err)
{
	char b64[256];
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	FILE *f;

	if (fd < 0)
		return mamori_error_set(err, errno == EEXIST ? MAMORI_E_CONFLICT : MAMORI_E_IO,
		    "cannot create %s: %s", path, strerror(errno));
	sodium_bin2base64(b64, sizeof(b64), key, n, sodium_base64_VARIANT_ORIGINAL);
	f = fdopen(fd, "w");
	if (f == NULL || fprintf(f, "%s%s\n", tag, b64) < 0 || fflush(f) != 0 || fsync(fd) != 0) {
		int e = errno;
		if (f)
			fclose(f);
		else
			close(fd);
		unlink(path);
		return mamori_error_set(err, MAMORI_E_IO, "cannot write %s: %s", path, strerror(e));
	}
	fclose(f);
	sodium_memzero(b64, sizeof(b64));
	return 0;
}

int
mamori_audit_keygen(const char *key_path, const char *pub_path, struct mamori_error *err)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	int rc;

	if (sodium_init() < 0)
		return mamori_error_set(err, MAMORI_E_NOMEM, "libsodium failed to initialise");
	crypto_sign_keypair(pk, sk);
	rc = write_new_file(key_path, 0600, sec_tag, sk, sizeof(sk), err);
	if (rc == 0) {
		rc = write_new_file(pub_path, 0644, pub_tag, pk, sizeof(pk), err);
		if (rc != 0)
			unlink(key_path);
	}
	sodium_memzero(sk, sizeof(sk));
	return rc;
}

/* Reads "TAG base64" from path into key (exactly n bytes). */
static int
read_key(const char *path, const char *tag, unsigned char *key, size_t n, struct mamori_error *err)
{
	char line[512];
	size_t len = 0;
	FILE *f = fopen(path, "r");
	int rc = 0;

	if (f == NULL)
		return mamori_error_set(err, MAMORI_E_IO, "cannot read key %s: %s", path, strerror(errno));
	if (fgets(line, sizeof(line), f) == NULL || strncmp(line, tag, strlen(tag)) != 0 ||
	    sodium_base642bin(key, n, line + strlen(tag), strcspn(line + strlen(tag), "\r\n"),
	    NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 || len != n)
		rc = mamori_error_set(err, MAMORI_E_INVALID, "%s is not a mamori key file "
		    "(expected a line '%s<base64>')", path, tag);
	fclose(f);
	sodium_memzero(line, sizeof(line));
	return rc;
}

int
mamori_audit_read_pubkey(const char *path, unsigned char pk[32], struct mamori_error *err)
{
	return read_key(path, pub_tag, pk, 32, err);
}

/* ---- heads ------------------------------------------------------------ */

/* The bytes that are signed: one line per field (docs/audit.md). */
static void
head_message(const struct mamori_head *h, char *buf, size_t n)
{
	char root[65];

	sodium_bin2hex(root, sizeof(root), h->root, MAMORI_HASH_LEN);
	snprintf(buf, n, "mamori-tree-head-v1\nlog: %s\nsize: %llu\nroot: %s\ntime: %s\n",
	    h->log_id, (unsigned long long)h->size, root, h->time);
}

bool
mamori_head_verify(const struct mamori_head *h, const unsigned char pk[32])
{
	char msg[512];

	if (sodium_memcmp(h->pubkey, pk, 32) != 0)
		return false;
	head_message(h, msg, sizeof(msg));
	return crypto_sign_verify_detached(h->signature, (const unsigned char *)msg, strlen(msg), pk) == 0;
}

/* Root of the first n stored leaves. */
static int
stored_leaf(void *ctx, uint64_t i, unsigned char out[MAMORI_HASH_LEN])
{
	sqlite3_stmt *st = ctx;
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW || sqlite3_column_bytes(st, 0) != MAMORI_HASH_LEN)
		return MAMORI_E_TAMPERED;
	memcpy(out, sqlite3_column_blob(st, 0), MAMORI_HASH_LEN);
	return 0;
}

static int
event_count(struct mamori_store *s, uint64_t *n, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT count(*) FROM audit_event", err);

	if (st == NULL)
		return MAMORI_E_STORE;
	*n = sqlite3_step(st) == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return 0;
}

int
mamori_audit_sign_head(struct mamori_store *s, struct mamori_head *out, struct mamori_error *err)
{
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
	char keypath[4096], msg[512];
	struct mamori_head h;
	sqlite3_stmt *leaves = NULL, *ins = NULL;
	int rc;

	memset(&h, 0, sizeof(h));
	snprintf(keypath, sizeof(keypath), "%s.key", s->path);
	if ((rc = read_key(keypath, sec_tag, sk, sizeof(sk), err)) != 0)
		return rc;
	snprintf(h.log_id, sizeof(h.log_id), "%s", s->log_id);
	store_now(h.time);
	if ((rc = store_exec(s, "BEGIN IMMEDIATE", err)) != 0)
		goto out;
	if ((rc = event_count(s, &h.size, err)) != 0)
		goto rollback;
	leaves = store_prepare(s, "SELECT leaf FROM audit_event WHERE seq = ?1", err);
	if (leaves == NULL || (rc = mamori_merkle_root(stored_leaf, leaves, h.size, h.root)) != 0) {
		rc = rc ? mamori_error_set(err, rc, "the audit trail is damaged; run 'mamori log verify'") :
		    MAMORI_E_STORE;
		goto rollback;
	}
	crypto_sign_ed25519_sk_to_pk(h.pubkey, sk);
	head_message(&h, msg, sizeof(msg));
	crypto_sign_detached(h.signature, NULL, (const unsigned char *)msg, strlen(msg), sk);
	ins = store_prepare(s, "INSERT OR REPLACE INTO tree_head (size, root, time, pubkey, signature) "
	    "VALUES (?1, ?2, ?3, ?4, ?5)", err);
	if (ins == NULL) {
		rc = MAMORI_E_STORE;
		goto rollback;
	}
	sqlite3_bind_int64(ins, 1, (sqlite3_int64)h.size);
	sqlite3_bind_blob(ins, 2, h.root, 32, SQLITE_STATIC);
	sqlite3_bind_text(ins, 3, h.time, -1, SQLITE_STATIC);
	sqlite3_bind_blob(ins, 4, h.pubkey, 32, SQLITE_STATIC);
	sqlite3_bind_blob(ins, 5, h.signature, 64, SQLITE_STATIC);
	if (sqlite3_step(ins) != SQLITE_DONE) {
		rc = store_error(s, err, "cannot store the tree head");
		goto rollback;
	}
	sqlite3_finalize(ins);
	ins = NULL;
	sqlite3_finalize(leaves);
	leaves = NULL;
	if ((rc = store_exec(s, "COMMIT", err)) != 0)
		goto rollback;
	if (out)
		*out = h;
	goto out;
rollback:
	sqlite3_finalize(ins);
	sqlite3_finalize(leaves);
	store_exec(s, "ROLLBACK", NULL);
out:
	sodium_memzero(sk, sizeof(sk));
	return rc;
}

static void
head_from_row(struct mamori_store *s, sqlite3_stmt *st, struct mamori_head *h)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->log_id, sizeof(h->log_id), "%s", s->log_id);
	h->size = (uint64_t)sqlite3_column_int64(st, 0);
	if (sqlite3_column_bytes(st, 1) == 32)
		memcpy(h->root, sqlite3_column_blob(st, 1), 32);
	snprintf(h->time, sizeof(h->time), "%s", (const char *)sqlite3_column_text(st, 2));
	if (sqlite3_column_bytes(st, 3) == 32)
		memcpy(h->pubkey, sqlite3_column_blob(st, 3), 32);
	if (sqlite3_column_bytes(st, 4) == 64)
		memcpy(h->signature, sqlite3_column_blob(st, 4), 64);
}

int
mamori_audit_latest_head(struct mamori_store *s, struct mamori_head *out, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT size, root, time, pubkey, signature FROM tree_head "
	    "ORDER BY size DESC LIMIT 1", err);
	int rc = 0;

	if (st == NULL)
		return MAMORI_E_STORE;
	if (sqlite3_step(st) == SQLITE_ROW)
		head_from_row(s, st, out);
	else
		rc = mamori_error_set(err, MAMORI_E_NOTFOUND, "no signed tree head yet");
	sqlite3_finalize(st);
	return rc;
}

void
mamori_head_write(const struct mamori_head *h, FILE *out)
{
	char root[65], pk[64], sig[128];

	sodium_bin2hex(root, sizeof(root), h->root, 32);
	sodium_bin2base64(pk, sizeof(pk), h->pubkey, 32, sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(sig, sizeof(sig), h->signature, 64, sodium_base64_VARIANT_ORIGINAL);
	fprintf(out, "mamori tree head v1\nlog: %s\nsize: %llu\nroot: %s\ntime: %s\nkey: %s\nsignature: %s\n",
	    h->log_id, (unsigned long long)h->size, root, h->time, pk, sig);
}

/* The value of "name: value" in text, into buf; false when absent. */
static bool
field(const char *text, const char *name, char *buf, size_t n)
{
	size_t len = strlen(name);
	const char *p = text;

	while (p && *p) {
		if (strncmp(p, name, len) == 0 && p[len] == ':' && p[len + 1] == ' ') {
			const char *v = p + len + 2;
			size_t vl = strcspn(v, "\r\n");
			if (vl >= n)
				return false;
			memcpy(buf, v, vl);
			buf[vl] = '\0';
			return true;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

static bool
parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static bool
parse_hash(const char *hex, unsigned char out[32])
{
	size_t len = 0;
	return strlen(hex) == 64 && sodium_hex2bin(out, 32, hex, 64, NULL, &len, NULL) == 0 && len == 32;
}

static bool
parse_b64(const char *s, unsigned char *out, size_t n)
{
	size_t len = 0;
	return sodium_base642bin(out, n, s, strlen(s), NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) == 0 &&
	    len == n;
}

int
mamori_head_parse(const char *text, struct mamori_head *h, struct mamori_error *err)
{
	char v[256];

	memset(h, 0, sizeof(*h));
	if (strncmp(text, "mamori tree head v1\n", 20) != 0)
		return mamori_error_set(err, MAMORI_E_INVALID, "not a mamori tree head "
		    "(the first line must be 'mamori tree head v1')");
	if (!field(text, "log", h->log_id, sizeof(h->log_id)))
		return mamori_error_set(err, MAMORI_E_INVALID, "tree head: no 'log:' line");
	if (!field(text, "size", v, sizeof(v)) || !parse_u64(v, &h->size))
		return mamori_error_set(err, MAMORI_E_INVALID, "tree head: 'size:' is not a number");
	if (!field(text, "root", v, sizeof(v)) || !parse_hash(v, h->root))
		return mamori_error_set(err, MAMORI_E_INVALID, "tree head: 'root:' is not 64 hex digits");
	if (!field(text, "time", h->time, sizeof(h->time)))
		return mamori_error_set(err, MAMORI_E_INVALID, "tree head: no 'time:' line");
	if (!field(text, "key", v, sizeof(v)) || !parse_b64(v, h->pubkey, 32))
		return mamori_error_set(err, MAMORI_E_INVALID, "tree head: 'key:' is not a base64 Ed25519 key");
	if (!field(text, "signature", v, sizeof(v)) || !parse_b64(v, h->signature, 64))
		return mamori_error_set(err, MAMORI_E_INVALID, "tree head: 'signature:' is not a base64 signature");
	return 0;
}

/* Reads a small text file (at most 64 KiB) into a malloc'd string. */
static char *
read_text(const char *path, struct mamori_error *err)
{
	FILE *f = fopen(path, "r");
	char *b;
	size_t n;

	if (f == NULL) {
		mamori_error_set(err, MAMORI_E_IO, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	b = calloc(1, 65537);
	n = b ? fread(b, 1, 65536, f) : 0;
	fclose(f);
	if (b == NULL)
		mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	else
		b[n] = '\0';
	return b;
}

int
mamori_head_read_file(const char *path, struct mamori_head *out, struct mamori_error *err)
{
	char *text = read_text(path, err);
	int rc;

	if (text == NULL)
		return err ? err->code : MAMORI_E_IO;
	rc = mamori_head_parse(text, out, err);
	if (rc != 0 && err)
		snprintf(err->file, sizeof(err->file), "%s", path);
	free(text);
	return rc;
}

/* ---- verification ----------------------------------------------------- */

struct check_head {
	struct mamori_head h;
	const char *origin;	/* "stored" or "given" */
};

static int
tampered(struct mamori_error *err, int64_t seq, const char *fmt, const char *detail)
{
	mamori_error_set(err, MAMORI_E_TAMPERED, fmt, (long long)seq, detail ? detail : "");
	if (err)
		err->line = (int)(seq > 0 && seq < 2147483647 ? seq : 0);
	return MAMORI_E_TAMPERED;
}

static int
load_heads(struct mamori_store *s, const struct mamori_head *given, size_t ngiven,
    struct check_head **out, size_t *n, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT size, root, time, pubkey, signature FROM tree_head "
	    "ORDER BY size", err);
	size_t cap = ngiven + 16, k = 0;
	struct check_head *heads = malloc(cap * sizeof(*heads));

	if (st == NULL || heads == NULL) {
		sqlite3_finalize(st);
		free(heads);
		return st ? MAMORI_E_NOMEM : MAMORI_E_STORE;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (k == cap) {
			struct check_head *nh = realloc(heads, (cap *= 2) * sizeof(*heads));
			if (nh == NULL) {
				free(heads);
				sqlite3_finalize(st);
				return MAMORI_E_NOMEM;
			}
			heads = nh;
		}
		head_from_row(s, st, &heads[k].h);
		heads[k++].origin = "stored";
	}
	sqlite3_finalize(st);
	if (k + ngiven > cap) {
		struct check_head *nh = realloc(heads, (k + ngiven) * sizeof(*heads));
		if (nh == NULL) {
			free(heads);
			return MAMORI_E_NOMEM;
		}
		heads = nh;
	}
	for (size_t i = 0; i < ngiven; i++) {
		heads[k].h = given[i];
		heads[k++].origin = "given";
	}
	*out = heads;
	*n = k;
	return 0;
}

int
mamori_audit_verify(struct mamori_store *s, const unsigned char pk[32], const struct mamori_head *given,
    size_t ngiven, char *summary, size_t sn, struct mamori_error *err)
{
	struct mamori_merkle_acc acc;
	struct check_head *heads = NULL;
	size_t nheads = 0, matched = 0;
	unsigned char chain[32] = { 0 }, leaf[32], root[32];
	uint64_t count = 0, bytes = 0;
	sqlite3_stmt *st = NULL;
	int rc;

	memset(&acc, 0, sizeof(acc));
	if ((rc = load_heads(s, given, ngiven, &heads, &nheads, err)) != 0)
		return rc;
	for (size_t i = 0; i < nheads; i++) {
		if (strcmp(heads[i].h.log_id, s->log_id) != 0) {
			rc = tampered(err, (int64_t)heads[i].h.size, "%lld: a %s tree head belongs to another log", heads[i].origin);
			goto out;
		}
		if (!mamori_head_verify(&heads[i].h, pk)) {
			rc = tampered(err, (int64_t)heads[i].h.size, "%lld: the signature of a %s tree head of this size "
			    "does not verify with the public key", heads[i].origin);
			goto out;
		}
	}
	st = store_prepare(s, "SELECT seq, time, actor, action, object_type, object_id, body, leaf, chain "
	    "FROM audit_event ORDER BY seq", err);
	if (st == NULL) {
		rc = MAMORI_E_STORE;
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mamori_event ev = {
			.seq = sqlite3_column_int64(st, 0),
			.time = (const char *)sqlite3_column_text(st, 1),
			.actor = (const char *)sqlite3_column_text(st, 2),
			.action = (const char *)sqlite3_column_text(st, 3),
			.object_type = (const char *)sqlite3_column_text(st, 4),
			.object_id = (const char *)sqlite3_column_text(st, 5),
			.body = (const char *)sqlite3_column_text(st, 6),
		};
		if (ev.seq != (int64_t)count + 1) {
			rc = tampered(err, (int64_t)count + 1, "%lld: event missing or out of order%s "
			    "(deleted, inserted or renumbered)", "");
			goto out;
		}
		mamori_event_leaf(&ev, leaf);
		if (sqlite3_column_bytes(st, 7) != 32 || sodium_memcmp(leaf, sqlite3_column_blob(st, 7), 32) != 0) {
			rc = tampered(err, ev.seq, "%lld: the event's content does not match its leaf hash%s "
			    "(modified)", "");
			goto out;
		}
		mamori_event_chain(chain, leaf, chain);
		if (sqlite3_column_bytes(st, 8) != 32 || sodium_memcmp(chain, sqlite3_column_blob(st, 8), 32) != 0) {
			rc = tampered(err, ev.seq, "%lld: the hash chain breaks here%s (an earlier event was "
			    "modified, removed or reordered)", "");
			goto out;
		}
		bytes += strlen(ev.body) + strlen(ev.time) + strlen(ev.actor) + strlen(ev.action) +
		    strlen(ev.object_type) + strlen(ev.object_id) + 8;
		mamori_merkle_acc_push(&acc, leaf);
		count++;
		mamori_merkle_acc_root(&acc, root);
		for (size_t i = 0; i < nheads; i++) {
			if (heads[i].h.size != count)
				continue;
			if (sodium_memcmp(root, heads[i].h.root, 32) != 0) {
				rc = tampered(err, (int64_t)count, "%lld: the log up to here no longer matches "
				    "the %s tree head of this size (history rewritten)", heads[i].origin);
				goto out;
			}
			matched++;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = store_error(s, err, "cannot read the audit trail");
		goto out;
	}
	for (size_t i = 0; i < nheads; i++) {
		if (heads[i].h.size == 0)
			matched++;
		else if (heads[i].h.size > count) {
			rc = tampered(err, (int64_t)count + 1, "%lld: the log ends before a %s tree head's size "
			    "(truncated or rolled back)", heads[i].origin);
			goto out;
		}
	}
	{
		char hex[65];
		sodium_bin2hex(hex, sizeof(hex), root, 32);
		snprintf(summary, sn, "ok: %llu events (%llu bytes), chain and tree intact, root %s, "
		    "%zu signed heads verified (%zu given)", (unsigned long long)count,
		    (unsigned long long)bytes, count ? hex : "-", matched, ngiven);
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	free(heads);
	return rc;
}

/* ---- proofs ----------------------------------------------------------- */

static int
with_leaves(struct mamori_store *s, sqlite3_stmt **st, struct mamori_error *err)
{
	*st = store_prepare(s, "SELECT leaf FROM audit_event WHERE seq = ?1", err);
	return *st ? 0 : MAMORI_E_STORE;
}

static void
write_nodes(const struct mamori_proof *p, FILE *out)
{
	char hex[65];

	for (size_t i = 0; i < p->n; i++) {
		sodium_bin2hex(hex, sizeof(hex), p->nodes[i], 32);
		fprintf(out, "node: %s\n", hex);
	}
}

int
mamori_audit_proof_inclusion(struct mamori_store *s, int64_t seq, uint64_t size, FILE *out,
    struct mamori_error *err)
{
	struct mamori_proof p;
	struct mamori_head h;
	sqlite3_stmt *st;
	unsigned char leaf[32];
	char hex[65];
	int rc;

	if (size == 0) {
		if ((rc = mamori_audit_latest_head(s, &h, err)) != 0)
			return rc;
		size = h.size;
	}
	if (seq < 1 || (uint64_t)seq > size)
		return mamori_error_set(err, MAMORI_E_USAGE, "event %lld is not in a tree of %llu events",
		    (long long)seq, (unsigned long long)size);
	if ((rc = with_leaves(s, &st, err)) != 0)
		return rc;
	rc = stored_leaf(st, (uint64_t)seq - 1, leaf);
	if (rc == 0)
		rc = mamori_merkle_inclusion(stored_leaf, st, (uint64_t)seq - 1, size, &p);
	sqlite3_finalize(st);
	if (rc != 0)
		return mamori_error_set(err, rc, "cannot make the proof: the trail is damaged (run 'mamori log verify')");
	sodium_bin2hex(hex, sizeof(hex), leaf, 32);
	fprintf(out, "mamori inclusion proof v1\nlog: %s\nseq: %lld\nsize: %llu\nleaf: %s\n", s->log_id,
	    (long long)seq, (unsigned long long)size, hex);
	write_nodes(&p, out);
	return 0;
}

int
mamori_audit_proof_consistency(struct mamori_store *s, uint64_t old_size, uint64_t new_size, FILE *out,
    struct mamori_error *err)
{
	struct mamori_proof p;
	sqlite3_stmt *st;
	uint64_t count;
	int rc;

	if ((rc = event_count(s, &count, err)) != 0)
		return rc;
	if (old_size > new_size || new_size > count)
		return mamori_error_set(err, MAMORI_E_USAGE, "sizes must satisfy OLD <= NEW <= %llu (the log's size)",
		    (unsigned long long)count);
	if ((rc = with_leaves(s, &st, err)) != 0)
		return rc;
	rc = mamori_merkle_consistency(stored_leaf, st, old_size, new_size, &p);
	sqlite3_finalize(st);
	if (rc != 0)
		return mamori_error_set(err, rc, "cannot make the proof: the trail is damaged (run 'mamori log verify')");
	fprintf(out, "mamori consistency proof v1\nlog: %s\nold: %llu\nnew: %llu\n", s->log_id,
	    (unsigned long long)old_size, (unsigned long long)new_size);
	write_nodes(&p, out);
	return 0;
}

static int
read_nodes(const char *text, struct mamori_proof *p, struct mamori_error *err)
{
	const char *line = text;

	p->n = 0;
	while (line && *line) {
		if (strncmp(line, "node: ", 6) == 0) {
			char hex[80];
			size_t len = strcspn(line + 6, "\r\n");
			if (len >= sizeof(hex) || p->n >= MAMORI_PROOF_MAX)
				return mamori_error_set(err, MAMORI_E_INVALID, "proof: bad 'node:' line");
			memcpy(hex, line + 6, len);
			hex[len] = '\0';
			if (!parse_hash(hex, p->nodes[p->n++]))
				return mamori_error_set(err, MAMORI_E_INVALID, "proof: 'node:' is not 64 hex digits");
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return 0;
}

int
mamori_audit_check_proof(const char *text, const struct mamori_head *head, const struct mamori_head *old,
    const unsigned char pk[32], char *summary, size_t sn, struct mamori_error *err)
{
	struct mamori_proof p;
	char v[128];
	int rc;

	if (!mamori_head_verify(head, pk))
		return mamori_error_set(err, MAMORI_E_TAMPERED, "the tree head's signature does not verify "
		    "with the public key");
	if ((rc = read_nodes(text, &p, err)) != 0)
		return rc;
	if (!field(text, "log", v, sizeof(v)) || strcmp(v, head->log_id) != 0)
		return mamori_error_set(err, MAMORI_E_TAMPERED, "the proof is for another log than the head");
	if (strncmp(text, "mamori inclusion proof v1\n", 26) == 0) {
		unsigned char leaf[32];
		uint64_t seq, size;
		if (!field(text, "seq", v, sizeof(v)) || !parse_u64(v, &seq) || seq == 0 ||
		    !field(text, "size", v, sizeof(v)) || !parse_u64(v, &size) ||
		    !field(text, "leaf", v, sizeof(v)) || !parse_hash(v, leaf))
			return mamori_error_set(err, MAMORI_E_INVALID, "inclusion proof: seq, size and leaf lines are required");
		if (size != head->size)
			return mamori_error_set(err, MAMORI_E_INVALID, "the proof is for a tree of %llu events, "
			    "the head is of %llu", (unsigned long long)size, (unsigned long long)head->size);
		if (!mamori_merkle_verify_inclusion(leaf, seq - 1, size, &p, head->root))
			return mamori_error_set(err, MAMORI_E_TAMPERED, "event %llu is NOT in the tree the head "
			    "commits to", (unsigned long long)seq);
		snprintf(summary, sn, "ok: event %llu (leaf %.16s…) is in the signed tree of %llu events",
		    (unsigned long long)seq, v, (unsigned long long)size);
		return 0;
	}
	if (strncmp(text, "mamori consistency proof v1\n", 28) == 0) {
		uint64_t o, n;
		if (old == NULL)
			return mamori_error_set(err, MAMORI_E_USAGE, "a consistency proof needs the old head too (--old-head)");
		if (!mamori_head_verify(old, pk))
			return mamori_error_set(err, MAMORI_E_TAMPERED, "the old tree head's signature does not verify");
		if (!field(text, "old", v, sizeof(v)) || !parse_u64(v, &o) ||
		    !field(text, "new", v, sizeof(v)) || !parse_u64(v, &n))
			return mamori_error_set(err, MAMORI_E_INVALID, "consistency proof: old and new lines are required");
		if (o != old->size || n != head->size)
			return mamori_error_set(err, MAMORI_E_INVALID, "the proof is between sizes %llu and %llu, "
			    "the heads are of %llu and %llu", (unsigned long long)o, (unsigned long long)n,
			    (unsigned long long)old->size, (unsigned long long)head->size);
		if (!mamori_merkle_verify_consistency(o, n, old->root, head->root, &p))
			return mamori_error_set(err, MAMORI_E_TAMPERED, "the log of %llu events is NOT an extension "
			    "of the log of %llu events: history was changed", (unsigned long long)n, (unsigned long long)o);
		snprintf(summary, sn, "ok: the signed tree of %llu events extends the signed tree of %llu "
		    "events; nothing before was changed", (unsigned long long)n, (unsigned long long)o);
		return 0;
	}
	return mamori_error_set(err, MAMORI_E_INVALID, "not a mamori proof (first line)");
}
