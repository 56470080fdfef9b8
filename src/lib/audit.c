/*
 * audit.c — the audit trail's integrity: event encoding, chain, signed tree
 * heads, verification and proofs (docs/audit.md).
 */
#include "mamori/audit.h"
#include "audit_internal.h"
#include "store_backend.h"
#include "store_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- encoding --------------------------------------------------------- */

size_t
audit_event_encoded_len(const size_t len[AUDIT_FIELDS])
{
	size_t n = AUDIT_ENCODING_FRAME + 8;

	for (int k = 0; k < AUDIT_FIELDS; k++)
		n += len[k];
	return n;
}

static unsigned char *
put_be(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		*p++ = (unsigned char)(v >> (8 * i));
	return p;
}

/* The encoding's first 24 bytes: the prefix and seq. */
static unsigned char *
encode_head(int64_t seq, unsigned char head[24])
{
	memcpy(head, "\0mamori-event-v1", 16);
	return put_be(head + 16, (uint64_t)seq, 8);
}

size_t
audit_event_encode(int64_t seq, const char *const field[AUDIT_FIELDS], const size_t len[AUDIT_FIELDS],
    unsigned char *buf)
{
	unsigned char *p = encode_head(seq, buf);

	for (int k = 0; k < AUDIT_FIELDS; k++) {
		p = put_be(p, len[k], 4);
		if (len[k] > 0)
			memcpy(p, field[k], len[k]);
		p += len[k];
	}
	return (size_t)(p - buf);
}

/* The leaf of an event too large for a stack buffer, hashed piece by piece. */
static void
leaf_streamed(int64_t seq, const char *const field[AUDIT_FIELDS], const size_t len[AUDIT_FIELDS],
    unsigned char out[MAMORI_HASH_LEN])
{
	unsigned char head[24], prefix[4];
	struct sha256_ctx st;

	sha256_init(&st);
	encode_head(seq, head);
	sha256_update(&st, sizeof(head), head);
	for (int k = 0; k < AUDIT_FIELDS; k++) {
		put_be(prefix, len[k], 4);
		sha256_update(&st, sizeof(prefix), prefix);
		sha256_update(&st, len[k], (const unsigned char *)field[k]);
	}
	sha256_digest(&st, MAMORI_HASH_LEN, out);
}

void
audit_event_leaf_n(int64_t seq, const char *const field[AUDIT_FIELDS], const size_t len[AUDIT_FIELDS],
    unsigned char out[MAMORI_HASH_LEN])
{
	/* an event of usual size is laid out in one buffer and hashed in one
	 * call: a dozen small updates cost more than the copy */
	unsigned char buf[1024];

	if (audit_event_encoded_len(len) > sizeof(buf))
		leaf_streamed(seq, field, len, out);
	else
		mamori_sha256(buf, audit_event_encode(seq, field, len, buf), out);
}

void
mamori_event_leaf(const struct mamori_event *ev, unsigned char out[MAMORI_HASH_LEN])
{
	const char *const field[AUDIT_FIELDS] = { ev->time, ev->actor, ev->action, ev->object_type,
		ev->object_id, ev->body };
	size_t len[AUDIT_FIELDS];

	for (int k = 0; k < AUDIT_FIELDS; k++)
		len[k] = field[k] ? strlen(field[k]) : 0;
	audit_event_leaf_n(ev->seq, field, len, out);
}

void
mamori_event_chain(const unsigned char prev[MAMORI_HASH_LEN], const unsigned char leaf[MAMORI_HASH_LEN],
    unsigned char out[MAMORI_HASH_LEN])
{
	unsigned char buf[2 * MAMORI_HASH_LEN];

	memcpy(buf, prev, MAMORI_HASH_LEN);
	memcpy(buf + MAMORI_HASH_LEN, leaf, MAMORI_HASH_LEN);
	mamori_sha256(buf, sizeof(buf), out);
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
		    "cannot create %s: %s%s", path, strerror(errno),
		    errno == EEXIST ? " (a key is never overwritten; move the old one away first)" : "");
	sodium_bin2base64(b64, sizeof(b64), key, n, sodium_base64_VARIANT_ORIGINAL);
	f = fdopen(fd, "w");
	if (f == NULL || fprintf(f, "%s%s\n", tag, b64) < 0 || fflush(f) != 0 || fsync(fd) != 0) {
		int e = errno;
		if (f)
			fclose(f);
		else
			close(fd);
		unlink(path);
		sodium_memzero(b64, sizeof(b64));
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

/*
 * Decodes exactly n bytes of base64 in its one canonical spelling.  libsodium's
 * decoder alone also takes bytes above 0x7f as if they were letters, so a
 * changed byte could decode to the same key: the text must re-encode to itself.
 */
static bool
parse_b64n(const char *s, size_t slen, unsigned char *out, size_t n)
{
	char again[256];
	size_t len = 0;

	return slen < sizeof(again) &&
	    sodium_base642bin(out, n, s, slen, NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) == 0 &&
	    len == n && sodium_bin2base64(again, sizeof(again), out, n, sodium_base64_VARIANT_ORIGINAL) &&
	    strlen(again) == slen && memcmp(again, s, slen) == 0;
}

static bool
parse_b64(const char *s, unsigned char *out, size_t n)
{
	return parse_b64n(s, strlen(s), out, n);
}

/* Reads "TAG base64" from path into key (exactly n bytes). */
static int
read_key(const char *path, const char *tag, unsigned char *key, size_t n, struct mamori_error *err)
{
	char line[512];
	FILE *f = fopen(path, "r");
	int rc = 0;

	if (f == NULL)
		return mamori_error_set(err, MAMORI_E_IO, "cannot read key %s: %s", path, strerror(errno));
	if (fgets(line, sizeof(line), f) == NULL || strncmp(line, tag, strlen(tag)) != 0 ||
	    !parse_b64n(line + strlen(tag), strcspn(line + strlen(tag), "\r\n"), key, n))
		rc = mamori_error_set(err, MAMORI_E_INVALID, "%s:1: not a mamori key file "
		    "(expected one line '%s<base64>')", path, tag);
	fclose(f);
	sodium_memzero(line, sizeof(line));
	return rc;
}

int
mamori_audit_read_pubkey(const char *path, unsigned char pk[32], struct mamori_error *err)
{
	return read_key(path, pub_tag, pk, 32, err);
}

int
mamori_audit_read_seckey(const char *path, unsigned char sk[64], struct mamori_error *err)
{
	struct stat sb;
	int rc;

	/* like ssh: a signing key others could have read is not a secret any more */
	if (stat(path, &sb) != 0)
		return mamori_error_set(err, MAMORI_E_IO, "cannot read key %s: %s", path, strerror(errno));
	if ((sb.st_mode & 077) != 0)
		return mamori_error_set(err, MAMORI_E_IO, "%s: the signing key may be read by others "
		    "(mode %03o); run 'chmod 600 %s' and consider the key exposed", path,
		    (unsigned)(sb.st_mode & 0777), path);
	rc = read_key(path, sec_tag, sk, 64, err);
	if (rc == 0) {
		/* an Ed25519 secret key is seed || public key: both halves must agree */
		unsigned char pk[32], again[64];
		crypto_sign_seed_keypair(pk, again, sk);
		if (sodium_memcmp(again, sk, 64) != 0)
			rc = mamori_error_set(err, MAMORI_E_INVALID, "%s: not an Ed25519 secret key "
			    "(its two halves do not belong together)", path);
		sodium_memzero(again, sizeof(again));
	}
	return rc;
}

/* ---- heads ------------------------------------------------------------ */

/*
 * The bytes that are signed: one line per field (docs/audit.md).  A numbered
 * head (v2) signs its number too, so that it cannot be renumbered to hide a
 * deleted one; a head signed before numbering (seq 0) keeps its v1 bytes.
 */
static void
head_message(const struct mamori_head *h, char *buf, size_t n)
{
	char root[65];

	sodium_bin2hex(root, sizeof(root), h->root, MAMORI_HASH_LEN);
	if (h->seq == 0)
		snprintf(buf, n, "mamori-tree-head-v1\nlog: %s\nsize: %llu\nroot: %s\ntime: %s\n",
		    h->log_id, (unsigned long long)h->size, root, h->time);
	else
		snprintf(buf, n, "mamori-tree-head-v2\nlog: %s\nseq: %llu\nsize: %llu\nroot: %s\ntime: %s\n",
		    h->log_id, (unsigned long long)h->seq, (unsigned long long)h->size, root, h->time);
}

void
mamori_head_sign(struct mamori_head *h, const unsigned char sk[64])
{
	char msg[512];

	crypto_sign_ed25519_sk_to_pk(h->pubkey, sk);
	head_message(h, msg, sizeof(msg));
	crypto_sign_detached(h->signature, NULL, (const unsigned char *)msg, strlen(msg), sk);
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

/* The stored leaves a proof reads, one by one in the order of its path. */
struct leaf_source {
	const struct store_audit_ops *ops;
	struct store_audit_leaves *r;
};

/* Leaf i (0-based) of the stored log, for mamori_merkle_inclusion and _consistency. */
static int
stored_leaf(void *ctx, uint64_t i, unsigned char out[MAMORI_HASH_LEN])
{
	struct leaf_source *src = ctx;

	return src->ops->leaf_read(src->r, i + 1, out);
}

/*
 * The log's size: its largest seq, which in an intact log is the number of
 * events.  In a damaged log the leaves below it are not all there, and
 * whoever reads them finds the gap.
 */
static int
log_size(struct mamori_store *s, uint64_t *n, struct mamori_error *err)
{
	return s->backend->audit->size(s, n, err);
}

/* The frontier of acc as stored: the roots of its perfect subtrees, largest first. */
static size_t
frontier_encode(const struct mamori_merkle_acc *acc, unsigned char out[64 * MAMORI_HASH_LEN])
{
	size_t n = 0;

	for (int level = 63; level >= 0; level--)
		if (acc->size >> level & 1)
			memcpy(out + MAMORI_HASH_LEN * n++, acc->stack[level], MAMORI_HASH_LEN);
	return n * MAMORI_HASH_LEN;
}

/* acc of a tree of size leaves from its stored frontier; false if it cannot be one. */
static bool
frontier_decode(struct mamori_merkle_acc *acc, uint64_t size, const unsigned char *b, size_t len)
{
	size_t n = 0;

	memset(acc, 0, sizeof(*acc));
	if (len != (size_t)__builtin_popcountll(size) * MAMORI_HASH_LEN || (len > 0 && b == NULL))
		return false;
	for (int level = 63; level >= 0; level--)
		if (size >> level & 1)
			memcpy(acc->stack[level], b + MAMORI_HASH_LEN * n++, MAMORI_HASH_LEN);
	acc->size = size;
	return true;
}

/*
 * Where the next head starts: the frontier of the largest head that has one,
 * if that head is signed by pk, no larger than size, and the frontier gives
 * its root; else the empty tree, and the whole log is read once.  Trusting a
 * stored frontier weakens nothing a head proves: a frontier that does not
 * belong to the events would give a root that `log verify`, which recomputes
 * every leaf and node from the events, refuses against this head.
 */
static int
frontier_start(struct mamori_store *s, const unsigned char pk[32], uint64_t size, struct mamori_merkle_acc *acc,
    struct mamori_error *err)
{
	unsigned char root[MAMORI_HASH_LEN], frontier[64 * MAMORI_HASH_LEN];
	struct mamori_head h;
	size_t flen;
	bool found;
	int rc;

	memset(acc, 0, sizeof(*acc));
	if ((rc = s->backend->audit->head_frontier(s, &h, &found, frontier, &flen, err)) != 0 || !found)
		return rc;
	if (h.size <= size && mamori_head_verify(&h, pk) && frontier_decode(acc, h.size, frontier, flen)) {
		mamori_merkle_acc_root(acc, root);
		if (sodium_memcmp(root, h.root, MAMORI_HASH_LEN) != 0)
			memset(acc, 0, sizeof(*acc));
	} else {
		memset(acc, 0, sizeof(*acc));
	}
	return 0;
}

/* The next stored leaf onto the frontier: it must be the one after the last. */
static int
push_leaf(uint64_t seq, const unsigned char *leaf, void *ctx)
{
	struct mamori_merkle_acc *acc = ctx;

	if (seq != acc->size + 1 || leaf == NULL)
		return MAMORI_E_TAMPERED;
	mamori_merkle_acc_push(acc, leaf);
	return 0;
}

/* Pushes the stored leaves after acc->size up to size, in one ordered read. */
static int
frontier_extend(struct mamori_store *s, struct mamori_merkle_acc *acc, uint64_t size, struct mamori_error *err)
{
	int rc = s->backend->audit->leaves(s, acc->size, size, push_leaf, acc, err);

	if (rc == 0 && acc->size != size)
		rc = MAMORI_E_TAMPERED;
	if (rc == MAMORI_E_TAMPERED)
		mamori_error_set(err, rc, "the audit trail is damaged near event %llu; run 'mamori log verify'",
		    (unsigned long long)acc->size + 1);
	return rc;
}

/*
 * The frontier of the first size events: from the newest trusted stored
 * frontier, or from what this connection knows if that goes further, then
 * the events after it.
 */
static int
trail_frontier(struct mamori_store *s, const unsigned char pk[32], uint64_t size, struct mamori_merkle_acc *acc,
    struct mamori_error *err)
{
	int rc = frontier_start(s, pk, size, acc, err);

	if (rc == 0 && s->leaves_known && s->leaves.size <= size && s->leaves.size > acc->size)
		*acc = s->leaves;
	return rc == 0 ? frontier_extend(s, acc, size, err) : rc;
}

int
audit_learn_leaves(struct mamori_store *s, struct mamori_error *err)
{
	unsigned char sk[crypto_sign_SECRETKEYBYTES], pk[32];
	char keypath[4096];
	uint64_t size;
	int rc;

	s->leaves_known = false;
	snprintf(keypath, sizeof(keypath), "%s.key", s->path);
	if ((rc = mamori_audit_read_seckey(keypath, sk, err)) != 0)
		return rc;
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	sodium_memzero(sk, sizeof(sk));
	if ((rc = log_size(s, &size, err)) == 0 && (rc = trail_frontier(s, pk, size, &s->leaves, err)) == 0)
		s->leaves_known = true;
	return rc;
}

int
mamori_audit_sign_head(struct mamori_store *s, struct mamori_head *out, struct mamori_error *err)
{
	unsigned char sk[crypto_sign_SECRETKEYBYTES], pk[32], frontier[64 * MAMORI_HASH_LEN];
	char keypath[4096];
	const struct store_backend *b = s->backend;
	struct mamori_head h, last;
	struct mamori_merkle_acc acc;
	uint64_t max_seq;
	size_t flen;
	bool found;
	int rc;

	memset(&h, 0, sizeof(h));
	snprintf(keypath, sizeof(keypath), "%s.key", s->path);
	if ((rc = mamori_audit_read_seckey(keypath, sk, err)) != 0)
		return rc;
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	snprintf(h.log_id, sizeof(h.log_id), "%s", s->log_id);
	store_now(h.time);
	if ((rc = b->begin(s, err)) != 0)
		goto out;
	if ((rc = log_size(s, &h.size, err)) != 0 ||
	    (rc = b->audit->head_at(s, h.size, &last, &found, &max_seq, err)) != 0)
		goto rollback;
	/* a numbered head of this size exists (nothing new since): it is the
	 * answer; replacing it would leave a gap in the numbers (and a published
	 * copy orphaned) */
	if (found && last.seq != 0) {
		b->rollback(s);
		if (out)
			*out = last;
		goto out;
	}
	h.seq = max_seq + 1;
	if ((rc = trail_frontier(s, pk, h.size, &acc, err)) != 0)
		goto rollback;
	mamori_merkle_acc_root(&acc, h.root);
	flen = frontier_encode(&acc, frontier);
	mamori_head_sign(&h, sk);
	/* a v1 head of the same size (signed before numbering) gives way to its numbered successor */
	if ((rc = b->audit->head_put(s, &h, frontier, flen, err)) != 0 || (rc = b->commit(s, err)) != 0)
		goto rollback;
	s->leaves = acc;
	s->leaves_known = true;
	if (out)
		*out = h;
	/* published only once committed: a published head is always in the store */
	if (s->head_sink != NULL) {
		char line[MAMORI_HEAD_LINE_MAX];
		mamori_head_format_line(&h, line);
		s->head_sink(line, s->head_sink_data);
	}
	if (s->heads_out != NULL)
		rc = mamori_head_publish(&h, s->heads_out, err);
	goto out;
rollback:
	b->rollback(s);
out:
	sodium_memzero(sk, sizeof(sk));
	return rc;
}

int
mamori_audit_latest_head(struct mamori_store *s, struct mamori_head *out, struct mamori_error *err)
{
	int rc = s->backend->audit->head_latest(s, out, err);

	if (rc == MAMORI_E_NOTFOUND)
		mamori_error_set(err, MAMORI_E_NOTFOUND, "no signed tree head yet");
	return rc;
}

int
mamori_audit_size(struct mamori_store *s, int64_t *n, struct mamori_error *err)
{
	uint64_t size;
	int rc = log_size(s, &size, err);

	if (rc == 0)
		*n = (int64_t)size;
	return rc;
}

void
mamori_head_write(const struct mamori_head *h, FILE *out)
{
	char root[65], pk[64], sig[128];

	sodium_bin2hex(root, sizeof(root), h->root, 32);
	sodium_bin2base64(pk, sizeof(pk), h->pubkey, 32, sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(sig, sizeof(sig), h->signature, 64, sodium_base64_VARIANT_ORIGINAL);
	if (h->seq == 0)
		fprintf(out, "mamori tree head v1\nlog: %s\n", h->log_id);
	else
		fprintf(out, "mamori tree head v2\nlog: %s\nseq: %llu\n", h->log_id, (unsigned long long)h->seq);
	fprintf(out, "size: %llu\nroot: %s\ntime: %s\nkey: %s\nsignature: %s\n",
	    (unsigned long long)h->size, root, h->time, pk, sig);
}

void
mamori_head_format_line(const struct mamori_head *h, char buf[MAMORI_HEAD_LINE_MAX])
{
	char root[65], pk[64], sig[128], seq[32] = "";

	sodium_bin2hex(root, sizeof(root), h->root, 32);
	sodium_bin2base64(pk, sizeof(pk), h->pubkey, 32, sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(sig, sizeof(sig), h->signature, 64, sodium_base64_VARIANT_ORIGINAL);
	if (h->seq != 0)
		snprintf(seq, sizeof(seq), " seq=%llu", (unsigned long long)h->seq);
	snprintf(buf, MAMORI_HEAD_LINE_MAX, "mamori tree head v%d log=%s%s size=%llu root=%s time=%s key=%s signature=%s",
	    h->seq != 0 ? 2 : 1, h->log_id, seq, (unsigned long long)h->size, root, h->time, pk, sig);
}

/* ---- strict line-by-line parsing of heads and proofs -------------------- */

/*
 * Heads and proofs are mailed and printed, so they are read strictly: the lines
 * in their documented order, each "name: value" with one space, LF or CRLF
 * endings, nothing after the last line but empty lines.  Every refusal names
 * the line (err->line and the message's "line N:").
 */
struct lines {
	const char *p;		/* the rest of the text */
	int no;			/* number of the line last read */
	const char *s;		/* that line, without its ending */
	size_t len;
};

static bool
next_line(struct lines *l)
{
	size_t n;

	if (*l->p == '\0')
		return false;
	n = strcspn(l->p, "\n");
	l->s = l->p;
	l->len = n;
	if (n > 0 && l->s[n - 1] == '\r')
		l->len--;
	l->p += n + (l->p[n] == '\n');
	l->no++;
	return true;
}

static int __attribute__((format(printf, 4, 5)))
bad_line(struct mamori_error *err, int code, int line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mamori_error_set(err, code, "line %d: %s", line, msg);
	if (err)
		err->line = line;
	return code;
}

/* The next line must be "name: value"; value (without the ending) into buf. */
static int
expect_field(struct lines *l, const char *name, char *buf, size_t n, struct mamori_error *err)
{
	size_t nl = strlen(name);

	if (!next_line(l))
		return bad_line(err, MAMORI_E_INVALID, l->no + 1, "the text ends where '%s: …' was expected", name);
	if (l->len < nl + 2 || memcmp(l->s, name, nl) != 0 || l->s[nl] != ':' || l->s[nl + 1] != ' ')
		return bad_line(err, MAMORI_E_INVALID, l->no, "expected '%s: …', found '%.*s'", name,
		    (int)(l->len > 40 ? 40 : l->len), l->s);
	if (l->len - nl - 2 >= n)
		return bad_line(err, MAMORI_E_INVALID, l->no, "the value of '%s:' is too long", name);
	memcpy(buf, l->s + nl + 2, l->len - nl - 2);
	buf[l->len - nl - 2] = '\0';
	if (strlen(buf) != l->len - nl - 2)
		return bad_line(err, MAMORI_E_INVALID, l->no, "'%s:' holds a NUL byte", name);
	return 0;
}

/* Only empty lines may follow. */
static int
expect_end(struct lines *l, struct mamori_error *err)
{
	while (next_line(l))
		if (l->len != 0)
			return bad_line(err, MAMORI_E_INVALID, l->no, "unexpected line '%.*s' after the end",
			    (int)(l->len > 40 ? 40 : l->len), l->s);
	return 0;
}

/* A decimal number without sign, leading zeros or overflow. */
static bool
parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (s[0] < '0' || s[0] > '9' || (s[0] == '0' && s[1] != '\0'))
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

static bool
lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[n] == '\0';
}

/* 64 lowercase hex digits. */
static bool
parse_hash(const char *hex, unsigned char out[32])
{
	size_t len = 0;

	return strlen(hex) == 64 && lower_hex(hex, 64) &&
	    sodium_hex2bin(out, 32, hex, 64, NULL, &len, NULL) == 0 && len == 32;
}


/* RFC 3339 in UTC as mamori writes it: YYYY-MM-DDTHH:MM:SS[.fraction]Z. */
static bool
valid_time(const char *t)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd";
	size_t i;

	for (i = 0; pat[i]; i++)
		if (pat[i] == 'd' ? !(t[i] >= '0' && t[i] <= '9') : t[i] != pat[i])
			return false;
	if (t[i] == '.') {
		size_t f = ++i;
		while (t[i] >= '0' && t[i] <= '9')
			i++;
		if (i == f || i - f > 9)
			return false;
	}
	return t[i] == 'Z' && t[i + 1] == '\0';
}

static bool
valid_log_id(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n < 40 && lower_hex(s, n);
}

int
mamori_head_parse(const char *text, struct mamori_head *h, struct mamori_error *err)
{
	struct lines l = { .p = text };
	char v[256];
	bool numbered;
	int rc;

	memset(h, 0, sizeof(*h));
	if (!next_line(&l) || !((l.len == 19 && memcmp(l.s, "mamori tree head v", 18) == 0 &&
	    (l.s[18] == '1' || l.s[18] == '2'))))
		return bad_line(err, MAMORI_E_INVALID, l.no ? l.no : 1, "not a mamori tree head (the first line "
		    "must be 'mamori tree head v2' or 'mamori tree head v1')");
	numbered = l.s[18] == '2';
	if ((rc = expect_field(&l, "log", v, sizeof(v), err)) != 0)
		return rc;
	if (!valid_log_id(v))
		return bad_line(err, MAMORI_E_INVALID, l.no, "'log:' must be the log id (lowercase hex), not '%s'", v);
	memcpy(h->log_id, v, strlen(v) + 1);	/* valid_log_id: under 40 */
	if (numbered) {
		if ((rc = expect_field(&l, "seq", v, sizeof(v), err)) != 0)
			return rc;
		if (!parse_u64(v, &h->seq) || h->seq == 0 || h->seq > INT64_MAX)
			return bad_line(err, MAMORI_E_INVALID, l.no, "'seq:' must be the head's number (1, 2, …), "
			    "not '%s'", v);
	}
	if ((rc = expect_field(&l, "size", v, sizeof(v), err)) != 0)
		return rc;
	if (!parse_u64(v, &h->size) || h->size > INT64_MAX)
		return bad_line(err, MAMORI_E_INVALID, l.no, "'size:' must be a number of events, not '%s'", v);
	if ((rc = expect_field(&l, "root", v, sizeof(v), err)) != 0)
		return rc;
	if (!parse_hash(v, h->root))
		return bad_line(err, MAMORI_E_INVALID, l.no, "'root:' must be 64 lowercase hex digits");
	if ((rc = expect_field(&l, "time", v, sizeof(v), err)) != 0)
		return rc;
	if (!valid_time(v) || strlen(v) >= sizeof(h->time))
		return bad_line(err, MAMORI_E_INVALID, l.no, "'time:' must be RFC 3339 UTC "
		    "(2026-11-22T16:47:28.985544Z), not '%.40s'", v);
	snprintf(h->time, sizeof(h->time), "%s", v);
	if ((rc = expect_field(&l, "key", v, sizeof(v), err)) != 0)
		return rc;
	if (!parse_b64(v, h->pubkey, 32))
		return bad_line(err, MAMORI_E_INVALID, l.no, "'key:' must be a base64 Ed25519 public key (32 bytes)");
	if ((rc = expect_field(&l, "signature", v, sizeof(v), err)) != 0)
		return rc;
	if (!parse_b64(v, h->signature, 64))
		return bad_line(err, MAMORI_E_INVALID, l.no, "'signature:' must be a base64 Ed25519 signature (64 bytes)");
	return expect_end(&l, err);
}

/* Reads a text file of at most max bytes into a malloc'd string. */
static char *
read_text(const char *path, size_t max, struct mamori_error *err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *b = NULL;
	size_t n;

	if (f == NULL) {
		mamori_error_set(err, MAMORI_E_IO, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	b = malloc(max + 2);
	if (b == NULL) {
		mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		goto out;
	}
	n = fread(b, 1, max + 1, f);
	if (ferror(f) || n > max) {
		mamori_error_set(err, ferror(f) ? MAMORI_E_IO : MAMORI_E_INVALID, "%s: %s", path,
		    ferror(f) ? "read error" : "too large for a head or a proof");
		free(b);
		b = NULL;
		goto out;
	}
	b[n] = '\0';
	if (strlen(b) != n) {
		mamori_error_set(err, MAMORI_E_INVALID, "%s: holds a NUL byte; heads and proofs are text", path);
		free(b);
		b = NULL;
	}
out:
	if (f != stdin)
		fclose(f);
	return b;
}

int
mamori_head_read_file(const char *path, struct mamori_head *out, struct mamori_error *err)
{
	char *text = read_text(path, 64 * 1024, err);
	int rc;

	if (text == NULL)
		return err ? err->code : MAMORI_E_IO;
	rc = mamori_head_parse(text, out, err);
	if (rc != 0 && err)
		snprintf(err->file, sizeof(err->file), "%s", path);
	free(text);
	return rc;
}

/* Where each head of a published file starts: its 'mamori tree head' line. */
static bool
head_start(const char *p)
{
	return strncmp(p, "mamori tree head v", 18) == 0;
}

/* Where the one-line form of a head starts in a line of len bytes ("mamori
 * tree head v2 log=…", maybe after a syslog prefix), or NULL. */
static const char *
line_head(const char *line, size_t len)
{
	const char *m = memmem(line, len, "mamori tree head v", 18);

	return m != NULL && (size_t)(m - line) + 20 < len && m[19] == ' ' ? m : NULL;
}

/* The text of the line at p, without its ending: its length. */
static size_t
line_len(const char *p)
{
	size_t n = strcspn(p, "\n");
	return n > 0 && p[n - 1] == '\r' ? n - 1 : n;
}

/*
 * Parses the one-line head of len bytes at s, found on the file's line: its
 * "name=value" fields, one space apart, become the mailable text's lines, read
 * by the same strict parser; a refusal names the file's line.
 */
static int
parse_line_head(const char *s, size_t len, int line, struct mamori_head *h, struct mamori_error *err)
{
	char text[MAMORI_HEAD_LINE_MAX + 64];
	size_t k = 19, i = 20;
	int rc = 0;

	if (len >= MAMORI_HEAD_LINE_MAX)
		return bad_line(err, MAMORI_E_INVALID, line, "a one-line tree head is too long");
	memcpy(text, s, 19);		/* "mamori tree head vN" */
	text[k++] = '\n';
	while (i < len && rc == 0) {
		size_t end = i;
		while (end < len && s[end] != ' ')
			end++;
		const char *eq = memchr(s + i, '=', end - i);
		if (eq == NULL || eq == s + i)
			rc = bad_line(err, MAMORI_E_INVALID, line, "a one-line tree head's fields are 'name=value', "
			    "one space apart; found '%.*s'", (int)(end - i > 40 ? 40 : end - i), s + i);
		else if (k + (end - i) + 3 >= sizeof(text))	/* "a=" grows to "a: \n" */
			rc = bad_line(err, MAMORI_E_INVALID, line, "a one-line tree head is too long");
		else {
			size_t nl = (size_t)(eq - (s + i)), vl = end - i - nl - 1;
			memcpy(text + k, s + i, nl);
			k += nl;
			memcpy(text + k, ": ", 2);
			k += 2;
			memcpy(text + k, eq + 1, vl);
			k += vl;
			text[k++] = '\n';
		}
		i = end + 1;
		if (end + 1 == len && rc == 0)	/* a space at the end */
			rc = bad_line(err, MAMORI_E_INVALID, line, "a one-line tree head ends with a space");
	}
	text[k] = '\0';
	if (rc == 0 && (rc = mamori_head_parse(text, h, err)) != 0 && err) {
		/* the parser counts the fields as lines: the file has one line */
		char msg[sizeof(err->message)];
		const char *rest = strchr(err->message, ':');
		err->line = line;
		snprintf(msg, sizeof(msg), "line %d%s", line, rest ? rest : "");
		snprintf(err->message, sizeof(err->message), "%s", msg);
	}
	return rc;
}

/* Appends the head of text at line (1-based) to *v, growing it. */
static int
parse_one_of_many(const char *text, int line, struct mamori_head **v, size_t *n, struct mamori_error *err)
{
	struct mamori_head *nv = realloc(*v, (*n + 1) * sizeof(**v));
	int rc;

	if (nv == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	*v = nv;
	if ((rc = mamori_head_parse(text, &nv[*n], err)) != 0) {
		/* the parser counts from the head's first line; the file from its own */
		if (err && err->line > 0) {
			char msg[sizeof(err->message)];
			const char *rest = strchr(err->message, ':');
			err->line += line - 1;
			snprintf(msg, sizeof(msg), "line %d%s", err->line, rest ? rest : "");
			snprintf(err->message, sizeof(err->message), "%s", msg);
		}
		return rc;
	}
	(*n)++;
	return 0;
}

/* Appends the one-line head at s (len bytes) to *v. */
static int
append_line_head(const char *s, size_t len, int line, struct mamori_head **v, size_t *n, struct mamori_error *err)
{
	struct mamori_head *nv = realloc(*v, (*n + 1) * sizeof(**v));
	int rc;

	if (nv == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	*v = nv;
	if ((rc = parse_line_head(s, len, line, &nv[*n], err)) == 0)
		(*n)++;
	return rc;
}

int
mamori_heads_read_file(const char *path, struct mamori_head **out, size_t *n, struct mamori_error *err)
{
	/* a head is under 400 bytes: 64 MiB holds some 170,000 of them */
	char *text = read_text(path, 64u * 1024 * 1024, err);
	char *p, *next;
	int line = 1, rc = 0;

	*out = NULL;
	*n = 0;
	if (text == NULL)
		return err ? err->code : MAMORI_E_IO;
	p = text;
	while (rc == 0 && *p != '\0') {
		size_t len = line_len(p);
		const char *m = line_head(p, len);
		if (m != NULL || (len == 0 && *n > 0)) {
			/* a head on one line, as a log keeps it; or an empty line between heads */
			if (m != NULL)
				rc = append_line_head(m, len - (size_t)(m - p), line, out, n, err);
			p += strcspn(p, "\n");
			p += *p == '\n';
			line++;
			continue;
		}
		int start = line;
		/* a head of several lines runs to the next line that starts another head */
		for (next = p; *next != '\0';) {
			char *nl = strchr(next, '\n');
			if (nl == NULL) {
				next += strlen(next);
				break;
			}
			next = nl + 1;
			line++;
			if (head_start(next) || line_head(next, line_len(next)) != NULL)
				break;
		}
		{
			char keep = *next;
			*next = '\0';
			rc = parse_one_of_many(p, start, out, n, err);
			*next = keep;
		}
		p = next;
	}
	if (rc == 0 && *n == 0)
		rc = mamori_error_set(err, MAMORI_E_INVALID, "%s: holds no tree head", path);
	if (rc != 0) {
		if (err)
			snprintf(err->file, sizeof(err->file), "%s", path);
		free(*out);
		*out = NULL;
		*n = 0;
	}
	free(text);
	return rc;
}

int
mamori_head_publish(const struct mamori_head *h, const char *dir, struct mamori_error *err)
{
	char path[4096], *buf = NULL;
	size_t len = 0;
	struct stat sb;
	FILE *mem;
	int fd, rc = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s.heads", dir, h->log_id) >= sizeof(path))
		return mamori_error_set(err, MAMORI_E_IO, "cannot publish the tree head: directory name too long");
	if ((mem = open_memstream(&buf, &len)) == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	mamori_head_write(h, mem);
	fputc('\n', mem);	/* an empty line between heads, for people reading the file */
	fclose(mem);
	/* O_APPEND: the file may be append-only (chattr +a); one write per head */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0) {
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot publish the tree head to %s: %s", path, strerror(errno));
		goto out;
	}
	/* a file this call made gets 0640 whatever the umask; an existing one keeps the mode its keeper gave it */
	if (fstat(fd, &sb) == 0 && sb.st_size == 0 && (sb.st_mode & 07777) != 0640)
		(void)fchmod(fd, 0640);
	if (write(fd, buf, len) != (ssize_t)len || fsync(fd) != 0)
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot publish the tree head to %s: %s", path, strerror(errno));
	close(fd);
out:
	free(buf);
	return rc;
}

/* ---- proofs ----------------------------------------------------------- */

static void
write_nodes(const struct mamori_proof *p, FILE *out)
{
	char hex[65];

	for (size_t i = 0; i < p->n; i++) {
		sodium_bin2hex(hex, sizeof(hex), p->nodes[i], 32);
		fprintf(out, "node: %s\n", hex);
	}
}

cJSON *
mamori_event_to_json(const struct mamori_event *ev, bool body_as_text)
{
	cJSON *o = cJSON_CreateObject(), *body;

	if (o == NULL)
		return NULL;
	cJSON_AddNumberToObject(o, "seq", (double)ev->seq);
	cJSON_AddStringToObject(o, "time", ev->time);
	cJSON_AddStringToObject(o, "actor", ev->actor);
	cJSON_AddStringToObject(o, "action", ev->action);
	cJSON_AddStringToObject(o, "object_type", ev->object_type);
	cJSON_AddStringToObject(o, "object_id", ev->object_id);
	if (body_as_text)
		body = cJSON_CreateString(ev->body);
	else if ((body = cJSON_Parse(ev->body)) == NULL)
		body = cJSON_CreateNull();
	if (body == NULL || !cJSON_AddItemToObject(o, "body", body)) {
		cJSON_Delete(body);
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* The event as one JSON line: the fields of the leaf encoding, body as a string. */
static char *
event_json(const struct mamori_event *ev)
{
	cJSON *o = mamori_event_to_json(ev, true);
	char *s = o ? cJSON_PrintUnformatted(o) : NULL;

	cJSON_Delete(o);
	return s;
}

/* The event a proof is about, as JSON, when it still matches its stored leaf. */
struct proof_event {
	unsigned char leaf[32];
	char *json;
};

static int
proof_event(const struct mamori_event *ev, const unsigned char *stored, void *ctx)
{
	struct proof_event *pe = ctx;

	if (stored == NULL)
		return MAMORI_E_TAMPERED;
	mamori_event_leaf(ev, pe->leaf);
	/* never hand out a proof for an event that no longer matches its leaf */
	if (sodium_memcmp(pe->leaf, stored, 32) != 0)
		return MAMORI_E_TAMPERED;
	pe->json = event_json(ev);
	return pe->json ? 0 : MAMORI_E_NOMEM;
}

int
mamori_audit_proof_inclusion(struct mamori_store *s, int64_t seq, uint64_t size, FILE *out,
    struct mamori_error *err)
{
	const struct store_audit_ops *ops = s->backend->audit;
	struct leaf_source src = { ops, NULL };
	struct proof_event pe = { .json = NULL };
	struct mamori_error ignore;
	struct mamori_proof p;
	struct mamori_head h;
	uint64_t count;
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
	/* a size past the end is a wrong request, not a damaged trail */
	if ((rc = log_size(s, &count, err)) != 0)
		return rc;
	if (size > count)
		return mamori_error_set(err, MAMORI_E_USAGE, "size %llu is past the end of the trail, which holds "
		    "%llu events; ask for a size of at most %llu", (unsigned long long)size,
		    (unsigned long long)count, (unsigned long long)count);
	if ((rc = ops->leaves_open(s, &src.r, err)) != 0)
		goto out;
	/* a missing event or one that cannot be read is a damaged trail here: the size says it is there */
	rc = ops->event(s, seq, proof_event, &pe, &ignore);
	if (rc != 0 && rc != MAMORI_E_NOMEM)
		rc = MAMORI_E_TAMPERED;
	if (rc == 0)
		rc = mamori_merkle_inclusion(stored_leaf, &src, (uint64_t)seq - 1, size, &p);
	if (rc != 0) {
		rc = mamori_error_set(err, rc, "cannot make the proof: %s", rc == MAMORI_E_NOMEM ? "out of memory" :
		    "the trail is damaged (run 'mamori log verify')");
		goto out;
	}
	sodium_bin2hex(hex, sizeof(hex), pe.leaf, 32);
	fprintf(out, "mamori inclusion proof v1\nlog: %s\nseq: %lld\nsize: %llu\nleaf: %s\nevent: %s\n",
	    s->log_id, (long long)seq, (unsigned long long)size, hex, pe.json);
	write_nodes(&p, out);
out:
	free(pe.json);
	ops->leaves_close(&src.r);
	return rc;
}

int
mamori_audit_proof_consistency(struct mamori_store *s, uint64_t old_size, uint64_t new_size, FILE *out,
    struct mamori_error *err)
{
	struct leaf_source src = { s->backend->audit, NULL };
	struct mamori_proof p;
	uint64_t count;
	int rc;

	if ((rc = log_size(s, &count, err)) != 0)
		return rc;
	if (old_size < 1 || old_size > new_size || new_size > count)
		return mamori_error_set(err, MAMORI_E_USAGE, "sizes must satisfy 1 <= OLD <= NEW <= %llu "
		    "(the log's size)", (unsigned long long)count);
	if ((rc = src.ops->leaves_open(s, &src.r, err)) != 0)
		return rc;
	rc = mamori_merkle_consistency(stored_leaf, &src, old_size, new_size, &p);
	src.ops->leaves_close(&src.r);
	if (rc != 0)
		return mamori_error_set(err, rc, "cannot make the proof: the trail is damaged (run 'mamori log verify')");
	fprintf(out, "mamori consistency proof v1\nlog: %s\nold: %llu\nnew: %llu\n", s->log_id,
	    (unsigned long long)old_size, (unsigned long long)new_size);
	write_nodes(&p, out);
	return 0;
}

/* A proof as read from its text. */
struct proof_text {
	bool inclusion;
	char log_id[40];
	uint64_t seq, size, old_size, new_size;
	unsigned char leaf[32];
	cJSON *event;		/* the optional event: line of an inclusion proof */
	int event_line;
	struct mamori_proof p;
};

/* "name: N" with N a number; *out. */
static int
expect_number(struct lines *l, const char *name, uint64_t *out, struct mamori_error *err)
{
	char v[64];
	int rc = expect_field(l, name, v, sizeof(v), err);

	if (rc == 0 && (!parse_u64(v, out) || *out > INT64_MAX))
		rc = bad_line(err, MAMORI_E_INVALID, l->no, "'%s:' must be a number, not '%s'", name, v);
	return rc;
}

static int
parse_proof(const char *text, struct proof_text *pt, struct mamori_error *err)
{
	struct lines l = { .p = text };
	char v[128];
	int rc;

	memset(pt, 0, sizeof(*pt));
	if (!next_line(&l))
		return bad_line(err, MAMORI_E_INVALID, 1, "empty: not a mamori proof");
	if (l.len == 25 && memcmp(l.s, "mamori inclusion proof v1", 25) == 0)
		pt->inclusion = true;
	else if (!(l.len == 27 && memcmp(l.s, "mamori consistency proof v1", 27) == 0))
		return bad_line(err, MAMORI_E_INVALID, 1, "not a mamori proof (the first line must be "
		    "'mamori inclusion proof v1' or 'mamori consistency proof v1')");
	if ((rc = expect_field(&l, "log", v, sizeof(v), err)) != 0)
		return rc;
	if (!valid_log_id(v))
		return bad_line(err, MAMORI_E_INVALID, l.no, "'log:' must be the log id (lowercase hex)");
	memcpy(pt->log_id, v, strlen(v) + 1);	/* valid_log_id: under 40 */
	if (pt->inclusion) {
		if ((rc = expect_number(&l, "seq", &pt->seq, err)) != 0 ||
		    (rc = expect_number(&l, "size", &pt->size, err)) != 0)
			return rc;
		if (pt->seq < 1 || pt->seq > pt->size)
			return bad_line(err, MAMORI_E_INVALID, l.no, "seq %llu is not in a tree of %llu events",
			    (unsigned long long)pt->seq, (unsigned long long)pt->size);
		if ((rc = expect_field(&l, "leaf", v, sizeof(v), err)) != 0)
			return rc;
		if (!parse_hash(v, pt->leaf))
			return bad_line(err, MAMORI_E_INVALID, l.no, "'leaf:' must be 64 lowercase hex digits");
	} else {
		if ((rc = expect_number(&l, "old", &pt->old_size, err)) != 0 ||
		    (rc = expect_number(&l, "new", &pt->new_size, err)) != 0)
			return rc;
		if (pt->old_size < 1 || pt->old_size > pt->new_size)
			return bad_line(err, MAMORI_E_INVALID, l.no, "sizes must satisfy 1 <= old <= new");
	}
	while (next_line(&l) && l.len != 0) {
		if (pt->inclusion && pt->event == NULL && pt->p.n == 0 && l.len > 7 && memcmp(l.s, "event: ", 7) == 0) {
			pt->event = cJSON_ParseWithLength(l.s + 7, l.len - 7);
			pt->event_line = l.no;
			if (!cJSON_IsObject(pt->event))
				return bad_line(err, MAMORI_E_INVALID, l.no, "'event:' must be one JSON object");
			continue;
		}
		if (l.len != 6 + 64 || memcmp(l.s, "node: ", 6) != 0)
			return bad_line(err, MAMORI_E_INVALID, l.no, "expected 'node: <64 hex digits>', found '%.*s'",
			    (int)(l.len > 40 ? 40 : l.len), l.s);
		if (pt->p.n >= MAMORI_PROOF_MAX)
			return bad_line(err, MAMORI_E_INVALID, l.no, "more than %d nodes", MAMORI_PROOF_MAX);
		memcpy(v, l.s + 6, 64);
		v[64] = '\0';
		if (!parse_hash(v, pt->p.nodes[pt->p.n++]))
			return bad_line(err, MAMORI_E_INVALID, l.no, "'node:' must be 64 lowercase hex digits");
	}
	return expect_end(&l, err);
}

/* The leaf of the proof's event; false with err filled when it is not a whole event. */
static int
check_event(const struct proof_text *pt, char *desc, size_t dn, struct mamori_error *err)
{
	static const char *const names[] = { "time", "actor", "action", "object_type", "object_id", "body" };
	const char *f[6];
	const cJSON *seq = cJSON_GetObjectItemCaseSensitive(pt->event, "seq");
	unsigned char leaf[32];

	if (!cJSON_IsNumber(seq) || seq->valuedouble != (double)pt->seq)
		return bad_line(err, MAMORI_E_INVALID, pt->event_line, "the event's \"seq\" must be %llu",
		    (unsigned long long)pt->seq);
	for (size_t i = 0; i < 6; i++) {
		const cJSON *it = cJSON_GetObjectItemCaseSensitive(pt->event, names[i]);
		if (!cJSON_IsString(it))
			return bad_line(err, MAMORI_E_INVALID, pt->event_line, "the event has no string \"%s\"",
			    names[i]);
		f[i] = it->valuestring;
	}
	struct mamori_event ev = { (int64_t)pt->seq, f[0], f[1], f[2], f[3], f[4], f[5] };
	mamori_event_leaf(&ev, leaf);
	if (sodium_memcmp(leaf, pt->leaf, 32) != 0)
		return bad_line(err, MAMORI_E_TAMPERED, pt->event_line, "the event in the proof does not hash to "
		    "its 'leaf:' (the event text was changed)");
	snprintf(desc, dn, " (%s %s %s by %s at %s)", f[2], f[3], f[4], f[1], f[0]);
	return 0;
}

int
mamori_audit_check_proof(const char *text, const struct mamori_head *head, const struct mamori_head *old,
    const unsigned char pk[32], char *summary, size_t sn, struct mamori_error *err)
{
	struct proof_text pt;
	char desc[400] = "";
	int rc;

	if (!mamori_head_verify(head, pk)) {
		rc = mamori_error_set(err, MAMORI_E_TAMPERED, "the tree head's signature does not verify "
		    "with the public key");
		goto out0;
	}
	if ((rc = parse_proof(text, &pt, err)) != 0)
		goto out;
	if (strcmp(pt.log_id, head->log_id) != 0) {
		rc = mamori_error_set(err, MAMORI_E_INVALID, "the proof is for log %s, the head for log %s",
		    pt.log_id, head->log_id);
		goto out;
	}
	if (pt.inclusion) {
		if (pt.size != head->size) {
			rc = mamori_error_set(err, MAMORI_E_INVALID, "the proof is for a tree of %llu events, "
			    "the head is of %llu", (unsigned long long)pt.size, (unsigned long long)head->size);
			goto out;
		}
		if (pt.event && (rc = check_event(&pt, desc, sizeof(desc), err)) != 0)
			goto out;
		if (!mamori_merkle_verify_inclusion(pt.leaf, pt.seq - 1, pt.size, &pt.p, head->root)) {
			rc = mamori_error_set(err, MAMORI_E_TAMPERED, "event %llu is NOT in the tree the head "
			    "commits to", (unsigned long long)pt.seq);
			goto out;
		}
		snprintf(summary, sn, "ok: event %llu%s is in the signed tree of %llu events",
		    (unsigned long long)pt.seq, desc, (unsigned long long)pt.size);
		goto out;
	}
	if (old == NULL) {
		rc = mamori_error_set(err, MAMORI_E_USAGE, "a consistency proof needs the old head too (--old-head)");
		goto out;
	}
	if (!mamori_head_verify(old, pk)) {
		rc = mamori_error_set(err, MAMORI_E_TAMPERED, "the old tree head's signature does not verify "
		    "with the public key");
		goto out;
	}
	if (strcmp(old->log_id, head->log_id) != 0) {
		rc = mamori_error_set(err, MAMORI_E_INVALID, "the two heads are of different logs (%s, %s)",
		    old->log_id, head->log_id);
		goto out;
	}
	if (pt.old_size != old->size || pt.new_size != head->size) {
		rc = mamori_error_set(err, MAMORI_E_INVALID, "the proof is between sizes %llu and %llu, "
		    "the heads are of %llu and %llu", (unsigned long long)pt.old_size,
		    (unsigned long long)pt.new_size, (unsigned long long)old->size, (unsigned long long)head->size);
		goto out;
	}
	if (!mamori_merkle_verify_consistency(pt.old_size, pt.new_size, old->root, head->root, &pt.p)) {
		rc = mamori_error_set(err, MAMORI_E_TAMPERED, "the log of %llu events is NOT an extension "
		    "of the log of %llu events: history was changed", (unsigned long long)pt.new_size,
		    (unsigned long long)pt.old_size);
		goto out;
	}
	snprintf(summary, sn, "ok: the signed tree of %llu events extends the signed tree of %llu "
	    "events; nothing before was changed", (unsigned long long)pt.new_size,
	    (unsigned long long)pt.old_size);
out:
	cJSON_Delete(pt.event);
out0:
	return rc;
}

int
mamori_audit_check_proof_text(const unsigned char pk[32], const char *head_text, const char *old_head_text,
    const char *proof_text, char *summary, size_t n, struct mamori_error *err)
{
	struct mamori_head head, old;
	int rc;

	if ((rc = mamori_head_parse(head_text, &head, err)) != 0)
		return rc;
	if (old_head_text != NULL && (rc = mamori_head_parse(old_head_text, &old, err)) != 0)
		return rc;
	return mamori_audit_check_proof(proof_text, &head, old_head_text ? &old : NULL, pk, summary, n, err);
}

int
mamori_audit_events_of(struct mamori_store *s, const char *object_type, const char *object_id,
    int (*fn)(const struct mamori_event *ev, void *ctx), void *ctx, struct mamori_error *err)
{
	return s->backend->audit->events_of(s, object_type, object_id, fn, ctx, err);
}

char *
mamori_audit_read_text(const char *path, struct mamori_error *err)
{
	/* a proof holds one event; 16 MiB is far beyond any event mamori writes */
	return read_text(path, 16 * 1024 * 1024, err);
}

int
mamori_audit_events(struct mamori_store *s, const struct mamori_event_filter *f,
    int (*fn)(const struct mamori_event *ev, void *ctx), void *ctx, struct mamori_error *err)
{
	return s->backend->audit->events(s, f, fn, ctx, err);
}
