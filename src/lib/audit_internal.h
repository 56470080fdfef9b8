/* audit_internal.h — what the audit modules share. (internal) */
#ifndef MAMORI_AUDIT_INTERNAL_H
#define MAMORI_AUDIT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "mamori/audit.h"

/* The text fields of an event in the leaf encoding's order: time, actor,
 * action, object_type, object_id, body. */
enum { AUDIT_FIELDS = 6 };

/*
 * mamori_event_leaf with the fields' lengths known (from the store): the same
 * hash when each len[k] is the field's strlen.  A NULL field has length 0.
 */
void audit_event_leaf_n(int64_t seq, const char *const field[AUDIT_FIELDS], const size_t len[AUDIT_FIELDS],
    unsigned char out[MAMORI_HASH_LEN]);

/*
 * The bytes a leaf is the SHA-256 of: 0x00 || "mamori-event-v1" || u64 seq ||
 * 6 × (u32 len || bytes), big-endian (docs/audit.md).  audit_event_encoded_len
 * says how many; audit_event_encode writes them to buf, which must hold that
 * many, and returns the count.  AUDIT_ENCODING_FRAME is what the encoding
 * adds to the event data (the 16-byte prefix and the six lengths; seq is
 * counted as 8 bytes of data).
 */
enum { AUDIT_ENCODING_FRAME = 16 + 4 * AUDIT_FIELDS };
size_t audit_event_encoded_len(const size_t len[AUDIT_FIELDS]);
size_t audit_event_encode(int64_t seq, const char *const field[AUDIT_FIELDS], const size_t len[AUDIT_FIELDS],
    unsigned char *buf);

/*
 * Makes s->leaves the Merkle frontier of the whole trail as stored, the way a
 * head is computed (from the newest stored frontier signed by the store's key,
 * then the events after it).  Call it inside a write transaction before it
 * appends: the frontier is then that of committed events only.  Returns 0 or a
 * MAMORI_E_* code (the key unreadable, the trail damaged) with err filled;
 * s->leaves is unknown then.
 */
int audit_learn_leaves(struct mamori_store *s, struct mamori_error *err);

/* How verification cuts up its work (see audit_verify.c). */
struct audit_verify_shape {
	int chunk_bits;		/* chunks of 2^chunk_bits events, 1..40 */
	int threads;		/* threads checking chunks, the caller's included (1: the caller's connection alone) */
	int batch;		/* events whose leaves are hashed side by side, 1..AUDIT_BATCH_MAX */
};

enum { AUDIT_BATCH_MAX = 64 };

/*
 * mamori_audit_verify with its work cut up as shape says.  The answer —
 * summary, or the first bad sequence number and its message — does not
 * depend on the shape; the unit tests check that with tiny chunks and batches.
 */
int audit_verify_chunked(struct mamori_store *s, const unsigned char pk[32], const struct mamori_head *given,
    size_t ngiven, const struct audit_verify_shape *shape, char *summary, size_t sn, struct mamori_error *err);

/*
 * The checks of a rewrite without the key (mamori_audit_verify), on a trail
 * whose events, chain and heads have verified: the head numbers, the given
 * numbered heads stored, the events since the newest head.  0 or
 * MAMORI_E_TAMPERED (err->line the first bad seq) or a store error.
 */
int audit_verify_schedule(struct mamori_store *s, const struct mamori_head *given, size_t ngiven,
    char *note, size_t nn, struct mamori_error *err);

#endif
