/*
 * test_audit.c — the audit trail's integrity without a store: the event
 * encoding, leaf and chain against independent known answers, key files,
 * signed tree heads (sign, verify, every byte tampered), the strict head
 * parser, and proofs checked from their text alone as an auditor would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mamori/audit.h"

static char dir[64];

static void
hex(const unsigned char *h, char out[65])
{
	sodium_bin2hex(out, 65, h, 32);
}

static void
unhex(const char *x, unsigned char out[32])
{
	assert_int_equal(sodium_hex2bin(out, 32, x, 64, NULL, NULL, NULL), 0);
}

static int
setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	snprintf(dir, sizeof(dir), "/tmp/mamori-audit-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/*
 * Known answers made by tests/vectors/audit_vectors.py (Python hashlib only,
 * written from docs/audit.md, run once on 2026-11-22): three events, their leaf
 * and chain hashes, and the RFC 9162 root of the three leaves.
 */
static const struct mamori_event kat_events[] = {
	{ 1, "2026-11-22T16:51:33.750220Z", "cli:tanaka", "policy.load", "policy", "mic-standard",
	  "{\"after\":{\"id\":\"mic-standard\"},\"before\":null}" },
	{ 2, "2026-11-22T16:51:34.000001Z", "demo:情報政策課", "asset.add", "asset", "A-000001",
	  "{\"after\":{\"name\":\"住民基本台帳\"},\"before\":null}" },
	{ 3, "2026-11-22T16:51:35.000000Z", "", "", "", "", "" },
};
static const char *const kat_leaf[] = {
	"8d839d2a92eccec127e5924ca06a821292b011b4c4e1290b2c4bbe133a3244b8",
	"899e91ca5bc6fa858a297bc1127a667eccb223ccef12c99281a47b83d50df236",
	"20100aa01a8b86873120a032ab492ed2da0467ad9593b8139a40059ae2ed79dc",
};
static const char *const kat_chain[] = {
	"b7d4eccb338e978358a9c1eef9942195c130d41a8d49a93112f1bb567278560b",
	"c10574f96e82014ed67f3985275442962e8799274407ec16af9074f57f874afa",
	"ba6ea25f2f073fa160b55fb723d4ddfe2326f70bbf281b3b946665989ce1c193",
};
static const char kat_root[] = "1fe50cc67f7d5059f910e268d1d2db92edbe4733ea46291b2d0a7a00693fb9d1";

static unsigned char kat_leaves[3][32];

static int
kat_leaf_fn(void *ctx, uint64_t i, unsigned char out[32])
{
	(void)ctx;
	memcpy(out, kat_leaves[i], 32);
	return 0;
}

static void
test_event_known_answers(void **state)
{
	unsigned char chain[32] = { 0 }, root[32];
	char x[65];

	(void)state;
	for (int i = 0; i < 3; i++) {
		mamori_event_leaf(&kat_events[i], kat_leaves[i]);
		hex(kat_leaves[i], x);
		assert_string_equal(x, kat_leaf[i]);
		mamori_event_chain(chain, kat_leaves[i], chain);
		hex(chain, x);
		assert_string_equal(x, kat_chain[i]);
	}
	assert_int_equal(mamori_merkle_root(kat_leaf_fn, NULL, 3, root), 0);
	hex(root, x);
	assert_string_equal(x, kat_root);
}

/* Moving bytes between fields, or changing seq, always changes the leaf. */
static void
test_event_encoding_unambiguous(void **state)
{
	struct mamori_event a = { 7, "t", "ab", "c", "x", "y", "{}" };
	struct mamori_event b = a, c = a, d = a;
	unsigned char la[32], lb[32], lc[32], ld[32];

	(void)state;
	b.actor = "a";
	b.action = "bc";
	c.seq = 8;
	d.body = "{} ";
	mamori_event_leaf(&a, la);
	mamori_event_leaf(&b, lb);
	mamori_event_leaf(&c, lc);
	mamori_event_leaf(&d, ld);
	assert_memory_not_equal(la, lb, 32);
	assert_memory_not_equal(la, lc, 32);
	assert_memory_not_equal(la, ld, 32);
}

/*
 * Fields of every size around the encoder's 1 KiB buffer (empty, small, just
 * fitting, just not, several KiB) hash as the encoding in docs/audit.md says,
 * computed here in one piece with libsodium.
 */
static void
test_event_encoding_large_fields(void **state)
{
	static const size_t sizes[] = { 0, 1, 60, 990, 1000, 1003, 1004, 1005, 1020, 1024, 2047, 5000 };
	size_t nsizes = sizeof(sizes) / sizeof(sizes[0]);
	char *text[6];
	unsigned char *enc = malloc(16 + 8 + 6 * (4 + 5000));

	(void)state;
	assert_non_null(enc);
	for (int k = 0; k < 6; k++) {
		text[k] = malloc(5001);
		assert_non_null(text[k]);
	}
	for (size_t a = 0; a < nsizes; a++)
		for (size_t b = 0; b < nsizes; b += 3) {
			/* body of size a, object_id of size b, the others small */
			size_t len[6] = { 27, 9, 9, 5, sizes[b], sizes[a] };
			struct mamori_event ev = { (int64_t)(a * 100 + b + 1), text[0], text[1], text[2], text[3],
				text[4], text[5] };
			unsigned char want[32], got[32];
			size_t n = 0;

			memcpy(enc, "\0mamori-event-v1", 16);
			n = 16;
			for (int i = 7; i >= 0; i--)
				enc[n++] = (unsigned char)((uint64_t)ev.seq >> (8 * i));
			for (int k = 0; k < 6; k++) {
				memset(text[k], 'a' + k, len[k]);
				text[k][len[k]] = '\0';
				enc[n++] = (unsigned char)(len[k] >> 24);
				enc[n++] = (unsigned char)(len[k] >> 16);
				enc[n++] = (unsigned char)(len[k] >> 8);
				enc[n++] = (unsigned char)len[k];
				memcpy(enc + n, text[k], len[k]);
				n += len[k];
			}
			crypto_hash_sha256(want, enc, n);
			mamori_event_leaf(&ev, got);
			assert_memory_equal(want, got, 32);
		}
	for (int k = 0; k < 6; k++)
		free(text[k]);
	free(enc);
}

static void
test_keygen_files(void **state)
{
	char key[128], pub[128], line[256];
	unsigned char sk[64], pk[32], pk2[32];
	struct mamori_error err;
	struct stat sb;
	FILE *f;

	(void)state;
	snprintf(key, sizeof(key), "%s/k.key", dir);
	snprintf(pub, sizeof(pub), "%s/k.pub", dir);
	umask(000);	/* the mode must not depend on the caller's umask being kind */
	assert_int_equal(mamori_audit_keygen(key, pub, &err), 0);
	umask(022);
	assert_int_equal(stat(key, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(pub, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0644);
	f = fopen(pub, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_int_equal(strncmp(line, "mamori-ed25519-public ", 22), 0);

	assert_int_equal(mamori_audit_read_seckey(key, sk, &err), 0);
	assert_int_equal(mamori_audit_read_pubkey(pub, pk, &err), 0);
	crypto_sign_ed25519_sk_to_pk(pk2, sk);
	assert_memory_equal(pk, pk2, 32);

	/* never overwritten: a second keygen is refused and leaves both files alone */
	assert_int_equal(mamori_audit_keygen(key, pub, &err), MAMORI_E_CONFLICT);
	assert_int_equal(mamori_audit_read_seckey(key, sk, &err), 0);
	crypto_sign_ed25519_sk_to_pk(pk2, sk);
	assert_memory_equal(pk, pk2, 32);

	/* a key others may read is refused */
	assert_int_equal(chmod(key, 0640), 0);
	assert_int_equal(mamori_audit_read_seckey(key, sk, &err), MAMORI_E_IO);
	assert_non_null(strstr(err.message, "chmod 600"));
	assert_int_equal(chmod(key, 0600), 0);

	/* the public key file is not a secret key, and vice versa */
	assert_int_equal(mamori_audit_read_pubkey(key, pk2, &err), MAMORI_E_INVALID);
	assert_int_equal(chmod(pub, 0600), 0);
	assert_int_equal(mamori_audit_read_seckey(pub, sk, &err), MAMORI_E_INVALID);
	sodium_memzero(sk, sizeof(sk));
}

/* A signed head of the KAT tree with a fresh key pair. */
static void
make_head(struct mamori_head *h, unsigned char pk[32], unsigned char sk[64], uint64_t size,
    const unsigned char root[32])
{
	memset(h, 0, sizeof(*h));
	crypto_sign_keypair(pk, sk);
	snprintf(h->log_id, sizeof(h->log_id), "0123456789abcdef0123456789abcdef");
	h->size = size;
	memcpy(h->root, root, 32);
	snprintf(h->time, sizeof(h->time), "2026-11-22T16:47:28.985544Z");
	mamori_head_sign(h, sk);
}

static char *
head_text(const struct mamori_head *h)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	mamori_head_write(h, f);
	fclose(f);
	return buf;
}

static void
test_head_sign_verify(void **state)
{
	struct mamori_head h, back, t;
	struct mamori_error err;
	unsigned char pk[32], sk[64], pk2[32], sk2[64], root[32];
	char *text;

	(void)state;
	unhex(kat_root, root);
	make_head(&h, pk, sk, 3, root);
	assert_true(mamori_head_verify(&h, pk));
	text = head_text(&h);
	assert_int_equal(mamori_head_parse(text, &back, &err), 0);
	assert_memory_equal(&h, &back, sizeof(h));
	assert_true(mamori_head_verify(&back, pk));

	/* every signed field matters */
	t = h; t.size++;
	assert_false(mamori_head_verify(&t, pk));
	t = h; t.root[31] ^= 1;
	assert_false(mamori_head_verify(&t, pk));
	t = h; t.time[20] = '0' + (t.time[20] == '0');
	assert_false(mamori_head_verify(&t, pk));
	t = h; t.log_id[0] = 'f';
	assert_false(mamori_head_verify(&t, pk));
	for (size_t i = 0; i < 64; i++) {
		t = h;
		t.signature[i] ^= 0x20;
		assert_false(mamori_head_verify(&t, pk));
	}
	/* another key: neither the head's own key field nor a signature by it passes */
	crypto_sign_keypair(pk2, sk2);
	assert_false(mamori_head_verify(&h, pk2));
	t = h;
	mamori_head_sign(&t, sk2);
	assert_false(mamori_head_verify(&t, pk));
	assert_true(mamori_head_verify(&t, pk2));
	free(text);
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(sk2, sizeof(sk2));
}

/* Flipping any one bit of the mailed text either breaks parsing or the signature:
 * for a head signed before numbering (v1) and a numbered one (v2). */
static void
text_every_byte(uint64_t seq)
{
	struct mamori_head h, back;
	struct mamori_error err;
	unsigned char pk[32], sk[64], root[32];
	char *text;
	size_t n, cases = 0, refused = 0;

	unhex(kat_root, root);
	make_head(&h, pk, sk, 3, root);
	if (seq != 0) {
		h.seq = seq;
		mamori_head_sign(&h, sk);
		/* the number is signed: a head renumbered, or passed off as unnumbered, fails */
		back = h;
		back.seq = seq + 1;
		assert_false(mamori_head_verify(&back, pk));
		back.seq = 0;
		assert_false(mamori_head_verify(&back, pk));
	}
	text = head_text(&h);
	n = strlen(text);
	for (size_t i = 0; i < n; i++) {
		for (int bit = 0; bit < 8; bit++) {
			unsigned char c = (unsigned char)text[i] ^ (unsigned char)(1u << bit);
			if (c == 0)
				continue;	/* a C string cannot hold it; files with NUL are refused whole */
			text[i] = (char)c;
			cases++;
			if (mamori_head_parse(text, &back, &err) != 0 || !mamori_head_verify(&back, pk))
				refused++;
			else
				fprintf(stderr, "NOT REFUSED: byte %zu bit %d\n", i, bit);
			text[i] = (char)(c ^ (unsigned char)(1u << bit));
		}
	}
	printf("head text (v%d): %zu single-bit changes, %zu refused\n", seq ? 2 : 1, cases, refused);
	assert_int_equal(refused, cases);
	free(text);
	sodium_memzero(sk, sizeof(sk));
}

static void
test_head_text_every_byte(void **state)
{
	(void)state;
	text_every_byte(0);
	text_every_byte(7);
}

static void
test_head_parse_strict(void **state)
{
	static const char *const good =
	    "mamori tree head v1\n"
	    "log: 6fabff67b247f18154c2b6a5f055ea75\n"
	    "size: 5\n"
	    "root: f1d6040f60a7b761b96b1efaac42438b8141e5c1f052ec8233194ba2a0e65a2f\n"
	    "time: 2026-11-22T16:47:28.985544Z\n"
	    "key: SZgt4jlhLRDS5QxCATSs8f9rEZvDb4R3l5R9XWBv7/g=\n"
	    "signature: sA3i+LaqkNIpjaULP7wzgUezJKtFlEhaRdNYk0laI6cctRRZtfkwOMUIhCHLtRyv//UtmR8jlxaMdWhBP8kzDQ==\n";
	static const struct {
		const char *from, *to;	/* replace the first `from` in good by `to` */
		int line;		/* the line the error must name; 0: accepted */
	} cases[] = {
		{ "\n", "\r\n", 0 },				/* CRLF from a mail client */
		{ "==\n", "==\r\n\r\n\n", 0 },			/* trailing empty lines */
		{ "mamori tree head v1", "mamori tree head v3", 1 },
		{ "mamori tree head v1", "mamori tree head v2", 3 },	/* numbered: 'seq:' must follow 'log:' */
		{ "mamori tree head v1\nlog: 6fabff67b247f18154c2b6a5f055ea75\n",
		  "mamori tree head v2\nlog: 6fabff67b247f18154c2b6a5f055ea75\nseq: 12\n", 0 },
		{ "mamori tree head v1\nlog: 6fabff67b247f18154c2b6a5f055ea75\n",
		  "mamori tree head v2\nlog: 6fabff67b247f18154c2b6a5f055ea75\nseq: 0\n", 3 },
		{ "mamori tree head v1\nlog: 6fabff67b247f18154c2b6a5f055ea75\n",
		  "mamori tree head v2\nlog: 6fabff67b247f18154c2b6a5f055ea75\nseq: 012\n", 3 },
		{ "mamori tree head v1\nlog: 6fabff67b247f18154c2b6a5f055ea75\n",
		  "mamori tree head v1\nlog: 6fabff67b247f18154c2b6a5f055ea75\nseq: 12\n", 3 },
		{ "mamori tree head v1\n", "", 1 },
		{ "log: 6f", "log: 6F", 2 },
		{ "log: ", "log:", 2 },
		{ "log: ", "log:  ", 2 },
		{ "size: 5", "size: 05", 3 },
		{ "size: 5", "size: -5", 3 },
		{ "size: 5", "size: 5 ", 3 },
		{ "size: 5", "size: 99999999999999999999", 3 },
		{ "size: 5\n", "", 3 },				/* a missing line */
		{ "root: f1", "root: F1", 4 },
		{ "root: f1", "root: f", 4 },
		{ "time: 2026-11-22T16:47:28.985544Z", "time: 2026-11-22 16:47:28Z", 5 },
		{ "time: 2026-11-22T16:47:28.985544Z", "time: 2026-11-22T16:47:28.985544+09:00", 5 },
		{ "time: 2026-11-22T16:47:28.985544Z", "time: 2026-11-22T16:47:28Z", 0 },
		{ "key: SZ", "key: !Z", 6 },
		{ "key: SZgt4jlhLRDS5QxCATSs8f9rEZvDb4R3l5R9XWBv7/g=", "key: SZgt4jlhLRDS5QxCATSs8f9rEZvDb4R3l5R9XWBv7/g", 6 },
		{ "signature: sA", "signature: A", 7 },
		{ "==\n", "==\nextra: 1\n", 8 },
		{ "==\n", "==", 0 },				/* no final newline */
		{ "==\n", "==\n\nmore\n", 9 },
		{ "size: 5\nroot", "root", 3 },		/* out of order */
	};
	struct mamori_head h;
	struct mamori_error err;
	char text[1024];

	(void)state;
	assert_int_equal(mamori_head_parse(good, &h, &err), 0);
	assert_int_equal(h.size, 5);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *at = strstr(good, cases[i].from);
		assert_non_null(at);
		snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - good), good, cases[i].to,
		    at + strlen(cases[i].from));
		if (strcmp(cases[i].from, "\n") == 0) {	/* every line ending */
			size_t k = 0;
			for (const char *p = good; *p && k + 2 < sizeof(text); p++) {
				if (*p == '\n')
					text[k++] = '\r';
				text[k++] = *p;
			}
			text[k] = '\0';
		}
		mamori_error_clear(&err);
		int rc = mamori_head_parse(text, &h, &err);
		if (cases[i].line == 0) {
			if (rc != 0)
				fail_msg("case %zu refused: %s", i, err.message);
		} else {
			if (rc != MAMORI_E_INVALID)
				fail_msg("case %zu (%s → %s) accepted", i, cases[i].from, cases[i].to);
			if (err.line != cases[i].line)
				fail_msg("case %zu: error at line %d, expected %d: %s", i, err.line,
				    cases[i].line, err.message);
		}
	}
}

/*
 * A file of published heads: heads one after another, each parsed as strictly
 * as one alone, a refusal naming the line of the file; published by appending.
 */
static void
test_published_heads_file(void **state)
{
	char dir[] = "/tmp/mamori-published-XXXXXX", path[128], *text;
	struct mamori_head h[3], *back = NULL;
	struct mamori_error err;
	unsigned char pk[32], sk[64], root[32];
	size_t n = 0;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	unhex(kat_root, root);
	make_head(&h[0], pk, sk, 3, root);	/* v1: signed before numbering */
	for (int i = 1; i < 3; i++) {
		h[i] = h[0];
		h[i].seq = (uint64_t)i;
		h[i].size = 3 + (uint64_t)i;
		mamori_head_sign(&h[i], sk);
	}
	for (int i = 0; i < 3; i++)
		assert_int_equal(mamori_head_publish(&h[i], dir, &err), 0);
	snprintf(path, sizeof(path), "%s/%s.heads", dir, h[0].log_id);
	assert_int_equal(mamori_heads_read_file(path, &back, &n, &err), 0);
	assert_int_equal(n, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(back[i].seq, h[i].seq);
		assert_int_equal(back[i].size, h[i].size);
		assert_true(mamori_head_verify(&back[i], pk));
	}
	free(back);
	/* line 22 is the third head's 'root:' (8 lines of the v1 head with its empty
	 * line, 9 of the first v2 one, then header, log, seq, size): replaced, it is
	 * refused naming the file's line, not the head's */
	text = mamori_audit_read_text(path, &err);
	assert_non_null(text);
	f = fopen(path, "w");
	assert_non_null(f);
	for (char *line = text, *nl; *line; line = nl + 1) {
		static int no;
		nl = strchr(line, '\n');
		no++;
		fprintf(f, "%s%.*s\n", no == 22 ? "size: 0" : "", no == 22 ? 0 : (int)(nl - line), line);
	}
	fclose(f);
	free(text);
	mamori_error_clear(&err);
	assert_int_equal(mamori_heads_read_file(path, &back, &n, &err), MAMORI_E_INVALID);
	assert_null(back);
	assert_int_equal(err.line, 22);
	assert_non_null(strstr(err.message, "line 22: "));
	/* an empty file holds no head */
	f = fopen(path, "w");
	fclose(f);
	assert_int_equal(mamori_heads_read_file(path, &back, &n, &err), MAMORI_E_INVALID);
	unlink(path);
	rmdir(dir);
}

/*
 * A head as one line, for syslog: the fields of the mailable text in its order
 * as name=value, read back by mamori_heads_read_file as a log keeps it (with a
 * syslog or journal prefix, or the message alone, beside heads of several
 * lines), every one as strictly as the mailable text and a refusal naming the
 * file's line.
 */
static void
test_head_line(void **state)
{
	char path[128], line[MAMORI_HEAD_LINE_MAX], want[MAMORI_HEAD_LINE_MAX], root_hex[65], pk64[64], sig[128];
	struct mamori_head h[3], *back = NULL;
	struct mamori_error err;
	unsigned char pk[32], sk[64], root[32];
	size_t n = 0;
	FILE *f;

	(void)state;
	unhex(kat_root, root);
	make_head(&h[0], pk, sk, 3, root);	/* v1 */
	h[1] = h[0];
	h[1].seq = 7;
	h[1].size = 12;
	mamori_head_sign(&h[1], sk);
	h[2] = h[1];
	h[2].seq = 8;
	h[2].size = 13;
	mamori_head_sign(&h[2], sk);
	mamori_head_format_line(&h[1], line);
	hex(h[1].root, root_hex);
	sodium_bin2base64(pk64, sizeof(pk64), h[1].pubkey, 32, sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(sig, sizeof(sig), h[1].signature, 64, sodium_base64_VARIANT_ORIGINAL);
	snprintf(want, sizeof(want), "mamori tree head v2 log=0123456789abcdef0123456789abcdef seq=7 size=12 root=%s "
	    "time=2026-11-22T16:47:28.985544Z key=%s signature=%s", root_hex, pk64, sig);
	assert_string_equal(line, want);
	mamori_head_format_line(&h[0], line);
	assert_non_null(strstr(line, "mamori tree head v1 log=0123456789abcdef0123456789abcdef size=3 root="));

	/* as syslog, the journal (-o cat) and a head of several lines, mixed */
	snprintf(path, sizeof(path), "%s/syslog.heads", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	mamori_head_format_line(&h[0], line);
	fprintf(f, "Dec  5 19:40:01 gw mamori-heads[1234]: %s\n\n", line);
	mamori_head_format_line(&h[1], line);
	fprintf(f, "%s\r\n", line);
	mamori_head_write(&h[2], f);
	fclose(f);
	assert_int_equal(mamori_heads_read_file(path, &back, &n, &err), 0);
	assert_int_equal(n, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(back[i].seq, h[i].seq);
		assert_int_equal(back[i].size, h[i].size);
		assert_memory_equal(back[i].root, h[i].root, 32);
		assert_string_equal(back[i].time, h[i].time);
		assert_true(mamori_head_verify(&back[i], pk));
	}
	free(back);
	back = NULL;

	/* strict: a field out of order, two spaces, a bad value — refused at the file's line */
	static const struct {
		const char *from, *to;
	} bad[] = {
		{ " seq=7 size=12", " size=12 seq=7" }, { " size=12", "  size=12" }, { "size=12", "size=012" },
		{ "seq=7", "seq=0" }, { " key=", " key:" }, { "signature=", "signature=x" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *at;
		mamori_head_format_line(&h[1], line);
		at = strstr(line, bad[i].from);
		assert_non_null(at);
		snprintf(want, sizeof(want), "%.*s%s%s", (int)(at - line), line, bad[i].to, at + strlen(bad[i].from));
		f = fopen(path, "w");
		mamori_head_format_line(&h[0], line);
		fprintf(f, "%s\n%s\n", line, want);
		fclose(f);
		mamori_error_clear(&err);
		if (mamori_heads_read_file(path, &back, &n, &err) != MAMORI_E_INVALID)
			fail_msg("case %zu accepted: %s", i, want);
		if (err.line != 2 || strncmp(err.message, "line 2: ", 8) != 0)
			fail_msg("case %zu: line %d, %s", i, err.line, err.message);
		assert_null(back);
	}
	/* many short fields, each longer once read: refused, nothing written past the buffer */
	f = fopen(path, "w");
	fputs("mamori tree head v2", f);
	for (int i = 0; i < 160; i++)
		fputs(" a=", f);
	fputs("\n", f);
	fclose(f);
	assert_int_equal(mamori_heads_read_file(path, &back, &n, &err), MAMORI_E_INVALID);
	assert_int_equal(err.line, 1);
	/* a changed value parses, and its signature fails */
	mamori_head_format_line(&h[1], line);
	f = fopen(path, "w");
	fprintf(f, "%.*s13%s\n", (int)(strstr(line, "size=12") + 5 - line), line, strstr(line, "size=12") + 7);
	fclose(f);
	assert_int_equal(mamori_heads_read_file(path, &back, &n, &err), 0);
	assert_int_equal(back[0].size, 13);
	assert_false(mamori_head_verify(&back[0], pk));
	free(back);
	unlink(path);
}

/* ---- proofs checked from text alone -------------------------------------- */

enum { NL = 13 };
static struct mamori_event events[NL];
static unsigned char leaves[NL][32];
static char times[NL][32], ids[NL][16], bodies[NL][64];

static int
leaf_fn(void *ctx, uint64_t i, unsigned char out[32])
{
	(void)ctx;
	memcpy(out, leaves[i], 32);
	return 0;
}

static void
make_events(void)
{
	for (int i = 0; i < NL; i++) {
		snprintf(times[i], sizeof(times[i]), "2026-11-22T10:00:%02d.000000Z", i);
		snprintf(ids[i], sizeof(ids[i]), "A-%06d", i + 1);
		snprintf(bodies[i], sizeof(bodies[i]), "{\"after\":{\"name\":\"資産%d\\n\"},\"before\":null}", i);
		events[i] = (struct mamori_event){ i + 1, times[i], "test:監査", "asset.add", "asset", ids[i],
			bodies[i] };
		mamori_event_leaf(&events[i], leaves[i]);
	}
}

/* The proof text as mamori_audit_proof_inclusion writes it (docs/audit.md). */
static char *
inclusion_text(const char *log_id, uint64_t seq, uint64_t size, bool with_event)
{
	struct mamori_proof p;
	char *buf = NULL, x[65];
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_int_equal(mamori_merkle_inclusion(leaf_fn, NULL, seq - 1, size, &p), 0);
	hex(leaves[seq - 1], x);
	fprintf(f, "mamori inclusion proof v1\nlog: %s\nseq: %llu\nsize: %llu\nleaf: %s\n", log_id,
	    (unsigned long long)seq, (unsigned long long)size, x);
	if (with_event) {
		const struct mamori_event *e = &events[seq - 1];
		/* the body's quote and \n escaped as cJSON escapes them */
		fprintf(f, "event: {\"seq\":%lld,\"time\":\"%s\",\"actor\":\"%s\",\"action\":\"%s\","
		    "\"object_type\":\"%s\",\"object_id\":\"%s\",\"body\":\"", (long long)e->seq, e->time,
		    e->actor, e->action, e->object_type, e->object_id);
		for (const char *c = e->body; *c; c++)
			fprintf(f, *c == '"' ? "\\\"" : *c == '\n' ? "\\n" : *c == '\\' ? "\\\\" : "%c", *c);
		fputs("\"}\n", f);
	}
	for (size_t i = 0; i < p.n; i++) {
		hex(p.nodes[i], x);
		fprintf(f, "node: %s\n", x);
	}
	fclose(f);
	return buf;
}

static char *
consistency_text(const char *log_id, uint64_t old, uint64_t size)
{
	struct mamori_proof p;
	char *buf = NULL, x[65];
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_int_equal(mamori_merkle_consistency(leaf_fn, NULL, old, size, &p), 0);
	fprintf(f, "mamori consistency proof v1\nlog: %s\nold: %llu\nnew: %llu\n", log_id,
	    (unsigned long long)old, (unsigned long long)size);
	for (size_t i = 0; i < p.n; i++) {
		hex(p.nodes[i], x);
		fprintf(f, "node: %s\n", x);
	}
	fclose(f);
	return buf;
}

/* Flips every bit of every byte of proof in turn: each change must be refused. */
static size_t
every_bit_refused(const unsigned char pk[32], const char *head, const char *old, char *proof)
{
	char summary[512];
	struct mamori_error err;
	size_t n = strlen(proof), cases = 0;

	for (size_t i = 0; i < n; i++)
		for (int bit = 0; bit < 8; bit++) {
			unsigned char c = (unsigned char)proof[i] ^ (unsigned char)(1u << bit);
			if (c == 0)
				continue;
			proof[i] = (char)c;
			if (mamori_audit_check_proof_text(pk, head, old, proof, summary, sizeof(summary), &err) == 0)
				fail_msg("accepted with byte %zu bit %d changed:\n%s", i, bit, proof);
			proof[i] = (char)(c ^ (unsigned char)(1u << bit));
			cases++;
		}
	return cases;
}

static void
test_check_proof_text(void **state)
{
	static const char log_id[] = "0123456789abcdef0123456789abcdef";
	unsigned char pk[32], sk[64];
	struct mamori_error err;
	char summary[512];
	size_t cases = 0;

	(void)state;
	make_events();
	crypto_sign_keypair(pk, sk);
	for (uint64_t size = 1; size <= NL; size++) {
		struct mamori_head h = { .size = size };
		char *ht;
		snprintf(h.log_id, sizeof(h.log_id), "%s", log_id);
		snprintf(h.time, sizeof(h.time), "2026-11-22T11:00:00.000000Z");
		assert_int_equal(mamori_merkle_root(leaf_fn, NULL, size, h.root), 0);
		mamori_head_sign(&h, sk);
		ht = head_text(&h);
		for (uint64_t seq = 1; seq <= size; seq++) {
			for (int with_event = 0; with_event < 2; with_event++) {
				char *pt = inclusion_text(log_id, seq, size, with_event);
				mamori_error_clear(&err);
				if (mamori_audit_check_proof_text(pk, ht, NULL, pt, summary, sizeof(summary), &err) != 0)
					fail_msg("size %llu seq %llu: %s\n%s", (unsigned long long)size,
					    (unsigned long long)seq, err.message, pt);
				if (with_event)
					assert_non_null(strstr(summary, "asset.add asset A-"));
				if (size == NL && (seq == 1 || seq == 6 || seq == NL))
					cases += every_bit_refused(pk, ht, NULL, pt);
				free(pt);
			}
		}
		/* a proof for another event, or for a tree of another size, is refused */
		if (size > 1) {
			char *pt = inclusion_text(log_id, 1, size, false);
			char *swap = strstr(pt, "seq: 1\n");
			swap[5] = '2';
			assert_int_not_equal(mamori_audit_check_proof_text(pk, ht, NULL, pt, summary, sizeof(summary), &err), 0);
			free(pt);
			pt = inclusion_text(log_id, 1, size - 1, false);
			assert_int_equal(mamori_audit_check_proof_text(pk, ht, NULL, pt, summary, sizeof(summary), &err),
			    MAMORI_E_INVALID);
			free(pt);
		}
		for (uint64_t old = 1; old <= size; old++) {
			struct mamori_head oh = { .size = old };
			char *oht, *pt;
			snprintf(oh.log_id, sizeof(oh.log_id), "%s", log_id);
			snprintf(oh.time, sizeof(oh.time), "2026-11-22T10:30:00.000000Z");
			assert_int_equal(mamori_merkle_root(leaf_fn, NULL, old, oh.root), 0);
			mamori_head_sign(&oh, sk);
			oht = head_text(&oh);
			pt = consistency_text(log_id, old, size);
			mamori_error_clear(&err);
			if (mamori_audit_check_proof_text(pk, ht, oht, pt, summary, sizeof(summary), &err) != 0)
				fail_msg("consistency %llu → %llu: %s", (unsigned long long)old,
				    (unsigned long long)size, err.message);
			assert_int_equal(mamori_audit_check_proof_text(pk, ht, NULL, pt, summary, sizeof(summary), &err),
			    MAMORI_E_USAGE);
			if (size == NL && (old == 1 || old == 5 || old == 8 || old == NL - 1))
				cases += every_bit_refused(pk, ht, oht, pt);
			free(pt);
			free(oht);
		}
		/* a history rewritten under an old head: the old head of another tree */
		if (size > 2) {
			struct mamori_head oh = { .size = 2 };
			unsigned char saved[32];
			char *oht, *pt = consistency_text(log_id, 2, size);
			snprintf(oh.log_id, sizeof(oh.log_id), "%s", log_id);
			snprintf(oh.time, sizeof(oh.time), "2026-11-22T10:30:00.000000Z");
			memcpy(saved, leaves[1], 32);
			leaves[1][0] ^= 1;
			mamori_merkle_root(leaf_fn, NULL, 2, oh.root);
			memcpy(leaves[1], saved, 32);
			mamori_head_sign(&oh, sk);
			oht = head_text(&oh);
			assert_int_equal(mamori_audit_check_proof_text(pk, ht, oht, pt, summary, sizeof(summary), &err),
			    MAMORI_E_TAMPERED);
			assert_non_null(strstr(err.message, "NOT an extension"));
			free(pt);
			free(oht);
		}
		free(ht);
	}
	printf("proof texts: %zu single-bit changes, all refused\n", cases);
	assert_true(cases > 10000);
	sodium_memzero(sk, sizeof(sk));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_known_answers),
		cmocka_unit_test(test_published_heads_file),
		cmocka_unit_test(test_event_encoding_unambiguous),
		cmocka_unit_test(test_event_encoding_large_fields),
		cmocka_unit_test(test_keygen_files),
		cmocka_unit_test(test_head_sign_verify),
		cmocka_unit_test(test_head_text_every_byte),
		cmocka_unit_test(test_head_parse_strict),
		cmocka_unit_test(test_head_line),
		cmocka_unit_test(test_check_proof_text),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
