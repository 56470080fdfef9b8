/*
 * mamori/audit.h — the tamper-evident audit trail: events in a hash chain and an
 * RFC 9162 Merkle tree, Ed25519-signed tree heads, verification and proofs that
 * an auditor can check alone.  Formats: docs/audit.md.
 */
#ifndef MAMORI_AUDIT_H
#define MAMORI_AUDIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mamori/error.h"
#include "mamori/merkle.h"
#include "mamori/store.h"

/* One event as stored.  Strings are borrowed. */
struct mamori_event {
	int64_t seq;		/* 1, 2, 3 … */
	const char *time;	/* UTC, RFC 3339 with microseconds */
	const char *actor, *action, *object_type, *object_id;
	const char *body;	/* canonical JSON {"after":…,"before":…} */
};

/* Which events to list; zero / NULL fields match any.  limit 0: no limit. */
struct mamori_event_filter {
	int64_t since_seq;		/* seq >= since_seq */
	const char *since_time;		/* time >= since_time (an RFC 3339 prefix compares as text) */
	const char *until_time;		/* time < until_time, likewise */
	const char *actor, *action, *object_id;
	size_t limit;
};

/*
 * Calls fn for each matching event in seq order; stops and returns fn's non-zero.
 * The event's strings are lent for the call only.
 */
int mamori_audit_events(struct mamori_store *s, const struct mamori_event_filter *f,
    int (*fn)(const struct mamori_event *ev, void *ctx), void *ctx, struct mamori_error *err);

/*
 * The one JSON shape of an event (log show --json, GET /api/log, a proof's
 * event line): an object with seq, time, actor, action, object_type,
 * object_id and body.  body is the stored canonical JSON parsed (null if it
 * does not parse), or with body_as_text its text as a JSON string — the form
 * of the leaf encoding, which a proof must carry byte for byte.  The caller
 * owns the object; NULL when memory runs out.
 */
struct cJSON;
struct cJSON *mamori_event_to_json(const struct mamori_event *ev, bool body_as_text);

/* The leaf hash: SHA-256(0x00 || encoding), the encoding of docs/audit.md. */
void mamori_event_leaf(const struct mamori_event *ev, unsigned char out[MAMORI_HASH_LEN]);

/* chain_i = SHA-256(chain_{i-1} || leaf_i); chain_0 is 32 zero bytes. */
void mamori_event_chain(const unsigned char prev[MAMORI_HASH_LEN],
    const unsigned char leaf[MAMORI_HASH_LEN], unsigned char out[MAMORI_HASH_LEN]);

/*
 * A signed tree head.  seq numbers the heads of a log 1, 2, 3 … in the order
 * they are signed and is signed with them (format v2), so a deleted or
 * reordered head leaves a gap; 0 is a head signed before heads were numbered
 * (format v1), which carries no number.
 */
struct mamori_head {
	char log_id[40];
	uint64_t seq;
	uint64_t size;
	unsigned char root[MAMORI_HASH_LEN];
	char time[32];
	unsigned char pubkey[32];
	unsigned char signature[64];
};

/*
 * Creates a signing key pair: secret key at key_path (created with O_EXCL, mode
 * 0600), public key at pub_path.  Refuses to overwrite either.
 */
int mamori_audit_keygen(const char *key_path, const char *pub_path, struct mamori_error *err);

/* Reads a public key file (one line `mamori-ed25519-public <base64>`). */
int mamori_audit_read_pubkey(const char *path, unsigned char pk[32], struct mamori_error *err);

/*
 * Reads a secret key file (one line `mamori-ed25519-secret <base64>`).  Refuses
 * a file that group or others may access (MAMORI_E_IO: an environment problem,
 * fixed with chmod 600) and a key whose public half does not belong to its
 * seed (MAMORI_E_INVALID).  The caller wipes sk after use.
 */
int mamori_audit_read_seckey(const char *path, unsigned char sk[64], struct mamori_error *err);

/*
 * Makes, signs and stores the head of the log as it is now, numbered one past
 * the newest stored head; when the log has not grown since the newest head,
 * that head is returned instead (a head is never replaced, so the numbers stay
 * without gaps).  A new head is then published where the store says
 * (mamori_store_publish_heads): when that fails, the head is stored all the
 * same and MAMORI_E_IO is returned with err naming the file.  *out may be NULL.
 */
int mamori_audit_sign_head(struct mamori_store *s, struct mamori_head *out, struct mamori_error *err);

/* The newest stored head (MAMORI_E_NOTFOUND when there is none). */
int mamori_audit_latest_head(struct mamori_store *s, struct mamori_head *out, struct mamori_error *err);

/* The number of events in the trail (the sequence number of the last one). */
int mamori_audit_size(struct mamori_store *s, int64_t *n, struct mamori_error *err);

/*
 * Signs h: log_id, size, root and time must be filled; sets h->pubkey (from sk)
 * and h->signature over the bytes of docs/audit.md.  Needs no store.
 */
void mamori_head_sign(struct mamori_head *h, const unsigned char sk[64]);

/* Writes a head in the mailable text format (docs/audit.md). */
void mamori_head_write(const struct mamori_head *h, FILE *out);

/* The room mamori_head_format_line needs, its NUL included. */
#define MAMORI_HEAD_LINE_MAX 512

/*
 * Writes h as one line, without a newline, for logs that keep a record per
 * line (syslog, the journal): "mamori tree head v2 log=ID seq=N size=N
 * root=HEX time=T key=B64 signature=B64" (a v1 head without "seq=").  The
 * fields are those of the mailable text, in its order; mamori_heads_read_file
 * reads such lines back, with anything before "mamori tree head" (a syslog or
 * journal prefix) ignored.
 */
void mamori_head_format_line(const struct mamori_head *h, char buf[MAMORI_HEAD_LINE_MAX]);

/* The syslog identity of published heads: ident, and facility LOG_AUTH. */
#define MAMORI_HEADS_SYSLOG_IDENT "mamori-heads"

/*
 * Sends one line to syslog(3) with ident MAMORI_HEADS_SYSLOG_IDENT, facility
 * LOG_AUTH and priority LOG_NOTICE, between its own openlog and closelog under
 * a lock (mamori logs nothing else to syslog; a program that does calls its
 * openlog again after).  data is unused.  The sink of mamori_store_head_sink.
 */
void mamori_head_syslog(const char *line, void *data);

/*
 * Parses a head strictly: the documented lines in order, LF or CRLF, nothing
 * after but empty lines.  Anything else is MAMORI_E_INVALID with err->line and
 * a message "line N: what is wrong".  Parsing does not check the signature.
 */
int mamori_head_parse(const char *text, struct mamori_head *out, struct mamori_error *err);

/* mamori_head_parse on a file ("-" is stdin); err->file names it on failure. */
int mamori_head_read_file(const char *path, struct mamori_head *out, struct mamori_error *err);

/*
 * Reads a file of heads one after another, as mamori publishes them (each
 * head's lines, then an empty line) or as a log keeps them (a line per head,
 * mamori_head_format_line, each maybe after a syslog prefix; empty lines
 * between heads are skipped): every head parsed as strictly as one
 * alone, a refusal naming the file's line.  *out (malloc'd, the caller frees)
 * holds *n heads in the file's order; a file without any head is refused.
 */
int mamori_heads_read_file(const char *path, struct mamori_head **out, size_t *n, struct mamori_error *err);

/*
 * Appends h to the published heads of its log in dir: the file
 * dir/<log id>.heads, created mode 0640 whatever the umask, written with one
 * append and synced.  Returns 0 or MAMORI_E_IO with err naming the file.
 */
int mamori_head_publish(const struct mamori_head *h, const char *dir, struct mamori_error *err);

/* Whether the head's signature is valid for pk (and pk is the head's key). */
bool mamori_head_verify(const struct mamori_head *h, const unsigned char pk[32]);

/*
 * Verifies the whole trail: every leaf, the chain, every stored head and each of
 * the heads given (consistency: the log still holds exactly what the head
 * committed to), all signed by pk.  Then what a rewrite without the key
 * leaves behind: the numbered heads must run 1, 2, 3 … in the order of their
 * sizes; every numbered head given must be stored (a store that lost a
 * published head had its heads deleted); and the events after the newest
 * head must be fewer than the trail's own configuration (head.every_events,
 * head.every_seconds, as its config.set events set them) lets pass without a
 * head.  On success returns 0 and writes a one-line summary into summary; on
 * tampering returns MAMORI_E_TAMPERED with err naming the first bad sequence
 * number (err->line) and what is wrong.
 */
int mamori_audit_verify(struct mamori_store *s, const unsigned char pk[32],
    const struct mamori_head *heads, size_t nheads, char *summary, size_t n,
    struct mamori_error *err);

/* Writes the inclusion proof of event seq in the tree of size (0 = latest head). */
int mamori_audit_proof_inclusion(struct mamori_store *s, int64_t seq, uint64_t size, FILE *out,
    struct mamori_error *err);

/* Writes the consistency proof between tree sizes old_size and new_size. */
int mamori_audit_proof_consistency(struct mamori_store *s, uint64_t old_size, uint64_t new_size,
    FILE *out, struct mamori_error *err);

/*
 * Checks a proof from its text alone against signed heads: an inclusion proof
 * against head, or a consistency proof from old_head to head.  No store needed.
 * The proof text is parsed as strictly as a head; when an inclusion proof
 * carries its event, the event must hash to the proof's leaf.  Returns 0 with a
 * one-line summary, MAMORI_E_TAMPERED when a signature or the proof fails,
 * MAMORI_E_INVALID for malformed or mismatched input, MAMORI_E_USAGE when a
 * consistency proof comes without old_head.
 */
int mamori_audit_check_proof(const char *proof_text, const struct mamori_head *head,
    const struct mamori_head *old_head, const unsigned char pk[32], char *summary, size_t n,
    struct mamori_error *err);

/*
 * The same from texts alone: what `mamori log check-proof` runs on an auditor's
 * machine.  old_head_text may be NULL (inclusion proofs).
 */
int mamori_audit_check_proof_text(const unsigned char pk[32], const char *head_text,
    const char *old_head_text, const char *proof_text, char *summary, size_t n,
    struct mamori_error *err);

/*
 * Calls fn for every event about one object (object_type, object_id), in order
 * of seq; stops and returns fn's value when it is not 0.  Strings are borrowed
 * for the call.  Works inside a transaction of mamori_store_write as well.
 */
int mamori_audit_events_of(struct mamori_store *s, const char *object_type, const char *object_id,
    int (*fn)(const struct mamori_event *ev, void *ctx), void *ctx, struct mamori_error *err);

/* Reads a head or proof file ("-" is stdin) into a malloc'd string (caller frees). */
char *mamori_audit_read_text(const char *path, struct mamori_error *err);

#endif
