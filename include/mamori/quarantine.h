/*
 * mamori/quarantine.h — the quarantine of 無害化: originals of sanitized mail,
 * each kept byte for byte as DIR/<sha256>.eml (mode 0600) with its metadata
 * beside it in DIR/<sha256>.json, so that they can be listed and shown without
 * parsing the mail again.  Releasing an original takes two people (二人制): a
 * request by one account, the release approved by another whose role the
 * policy permits the action `release`; both are audit events in the store, and
 * the original is released only when its SHA-256 still matches its name.
 * (docs/sanitize.md)
 */
#ifndef MAMORI_QUARANTINE_H
#define MAMORI_QUARANTINE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "mamori/error.h"
#include "mamori/store.h"

/* One attachment or non-text part that the sanitizer removed. */
struct mamori_quarantine_part {
	char *name;		/* decoded file name; "" when it had none */
	char *type;		/* "application/pdf" */
	size_t size;		/* decoded bytes */
	char sha256[65];	/* of the decoded content */
};

/*
 * What is kept about one original.  Strings are UTF-8, malloc'd, "" when
 * absent; mamori_quarantine_meta_clear frees them.
 */
struct mamori_quarantine_meta {
	char sha256[65];	/* the id */
	size_t size;		/* bytes of the original */
	char time[32];		/* when it was quarantined, RFC 3339 UTC */
	char *from, *to, *cc, *subject, *date, *message_id;
	char *status;		/* "sanitized" or "refused" */
	char *reason;		/* why it was refused; "" when sanitized */
	char *clause;		/* the policy clause of X-Mamori-Sanitized */
	struct mamori_quarantine_part *parts;
	size_t nparts;
};

/* Frees the strings and parts of m and zeroes it.  Accepts an all-zero m. */
void mamori_quarantine_meta_clear(struct mamori_quarantine_meta *m);

/*
 * Stores the original (len bytes at data) as DIR/<meta->sha256>.eml, mode 0600,
 * and its metadata as DIR/<sha256>.json (written to a temporary file and
 * renamed, so a reader never sees half of it).  DIR is created with mode 0700
 * when missing.  An original that is already there is kept as it is (the same
 * bytes: the name is their hash).  meta->sha256 must be the SHA-256 of data.
 */
int mamori_quarantine_put(const char *dir, const char *data, size_t len,
    const struct mamori_quarantine_meta *meta, struct mamori_error *err);

/*
 * Calls fn for every original in dir, oldest first (by quarantine time, then
 * id).  An original whose metadata is missing or unreadable is still listed,
 * with its size from the file system and status "unknown".  Stops and returns
 * fn's value when it is not 0.
 */
int mamori_quarantine_list(const char *dir,
    int (*fn)(const struct mamori_quarantine_meta *m, void *ctx), void *ctx,
    struct mamori_error *err);

/*
 * Reads the metadata of the original named by id: its SHA-256 or a unique
 * prefix of at least 8 hex digits.  MAMORI_E_NOTFOUND when there is none,
 * MAMORI_E_INVALID when the prefix is ambiguous or not hex.  The caller clears
 * *out.
 */
int mamori_quarantine_get(const char *dir, const char *id, struct mamori_quarantine_meta *out,
    struct mamori_error *err);

/*
 * Reads the original of the full id sha256 into a malloc'd buffer and checks
 * that its SHA-256 is still its name: MAMORI_E_TAMPERED when it is not.
 */
int mamori_quarantine_read(const char *dir, const char *sha256, char **data, size_t *len,
    struct mamori_error *err);

/* One request or release of an original, as the audit trail holds it. */
struct mamori_quarantine_event {
	int64_t seq;
	const char *time, *actor, *action;	/* "quarantine.request", "quarantine.release" */
	const char *requester, *approver, *reason;	/* "" when absent */
	int64_t request_seq;			/* a release: the request it answers */
};

/*
 * Calls fn for every request and release of the original sha256 in the
 * store's audit trail, in order.  Strings are borrowed for the call.
 */
int mamori_quarantine_history(struct mamori_store *s, const char *sha256,
    int (*fn)(const struct mamori_quarantine_event *ev, void *ctx), void *ctx,
    struct mamori_error *err);

/*
 * An original's state, from its requests and releases in the trail: the last
 * one decides.  held: never requested; requested: a request is open (seq is
 * the request's event, reason its reason); released: the last request was
 * approved (seq is the release's event, approver who approved it).
 */
struct mamori_quarantine_state {
	const char *state;	/* "held", "requested", "released" (static strings) */
	int64_t seq;		/* the event that put it there; 0 when held */
	char requester[65], approver[65], reason[256];	/* "" when absent */
};

/*
 * Reads the state of the original sha256 into *st — the one reading the CLI,
 * the server and the two-person rule share.  fn, when not NULL, is also
 * called for each request and release in order (a history), as by
 * mamori_quarantine_history; its non-zero stops the walk and is returned.
 */
int mamori_quarantine_state(struct mamori_store *s, const char *sha256, struct mamori_quarantine_state *st,
    int (*fn)(const struct mamori_quarantine_event *ev, void *ctx), void *ctx, struct mamori_error *err);

/*
 * Records a request to release the original named by id (as for
 * mamori_quarantine_get) by requester — an existing, enabled account — for
 * reason (required), as the audit event "quarantine.request" by actor.  The
 * original must be present and intact.  A second request while one is open is
 * MAMORI_E_CONFLICT.  On success the event's sequence number is in *seq.
 */
int mamori_quarantine_request(struct mamori_store *s, const char *actor, const char *dir,
    const char *id, const char *requester, const char *reason, int64_t *seq,
    struct mamori_error *err);

/*
 * Releases the original named by id on the open request, approved by approver:
 * an existing, enabled account other than the requester (二人制), whose role
 * the policy permits the action `release` for the requester's department.
 * The original's SHA-256 is checked before anything is recorded.  Records the
 * audit event "quarantine.release" by actor and returns the original's bytes
 * (malloc'd) in *data, *len, and the full id in sha256.  Refusals:
 * MAMORI_E_NOTFOUND (unknown id, unknown account), MAMORI_E_CONFLICT (no open
 * request), MAMORI_E_DENIED (same person, disabled approver, role not
 * permitted), MAMORI_E_TAMPERED (the file no longer matches its hash).
 */
int mamori_quarantine_release(struct mamori_store *s, const char *actor, const char *dir,
    const char *id, const char *approver, char sha256[65], char **data, size_t *len,
    struct mamori_error *err);

/* An original's metadata as JSON ({"id", "time", "status", "reason", "size",
 * "from", "to", "cc", "subject", "date", "message_id", "clause",
 * "attachments": [{"name", "type", "size", "sha256"}]}), for `quarantine
 * --json` and the API alike.  The caller owns the result. */
cJSON *mamori_quarantine_meta_json(const struct mamori_quarantine_meta *m);

/* One request or release as JSON ({"seq", "time", "actor", "action",
 * "requester", and "reason" for a request, "approver" and "request_seq" for a
 * release}).  The caller owns the result. */
cJSON *mamori_quarantine_event_json(const struct mamori_quarantine_event *ev);

#endif
