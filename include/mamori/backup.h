/* mamori/backup.h — backups of a store and what lives beside it, and their restore. */
#ifndef MAMORI_BACKUP_H
#define MAMORI_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mamori/audit.h"
#include "mamori/error.h"

/* What a backup holds beside the store (NULL: nothing more). */
struct mamori_backup_opts {
	const char *quarantine_dir;	/* the originals of 無害化 */
	/* a public key file (mamori_backup_keygen): the archive is sealed to it,
	 * and then holds the private keys too (store.db.key, store.db.totp-key) */
	const char *recipient;
};

/*
 * Makes a key pair for sealed backups (Curve25519, libsodium sealed boxes):
 * path (the secret key, mode 0600, "mamori-backup-secret BASE64") and
 * path.pub ("mamori-backup-public BASE64").  Refuses existing files.
 */
int mamori_backup_keygen(const char *path, struct mamori_error *err);

/* What a backup or a restore did. */
struct mamori_backup_report {
	size_t files;			/* entries in the archive, the manifest excluded */
	uint64_t bytes;			/* their bytes */
	int64_t events;			/* the audit trail's events in the copied store */
	char manifest_sha256[65];	/* of the manifest, hex: to note down beside the archive */
	bool sealed;			/* the archive is sealed to a recipient */
	bool keys;			/* the private keys are in it (sealed archives only) */
};

/*
 * Writes a backup of the store at db into out (a POSIX tar archive, mode
 * 0600; an existing out is refused with MAMORI_E_CONFLICT): a consistent copy
 * of the store made by SQLite's online backup while others go on writing
 * (store.db), its public key (store.db.pub), the records' files
 * (store.db.files/…), the quarantine's originals (quarantine/…) when
 * o->quarantine_dir is given, and last MANIFEST: the format, the log id, the
 * schema, the events, and a SHA-256 and size per entry.  The private keys
 * (PATH.key, PATH.totp-key) are copied only into an archive sealed to
 * o->recipient: the tar is then encrypted with a random key
 * (crypto_secretstream, 64 KiB chunks, the last one marked final) and that
 * key sealed to the recipient (crypto_box_seal) in front of it.  Nothing is
 * left at out on failure.
 */
int mamori_backup_create(const char *db, const char *out, const struct mamori_backup_opts *o,
    struct mamori_backup_report *r, struct mamori_error *err);

/* What a restore checks beyond the manifest and the trail. */
struct mamori_restore_opts {
	const char *quarantine_dir;	/* where the quarantine goes (NULL: left out) */
	const char *identity;		/* the secret key file that opens a sealed archive */
	const struct mamori_head *heads;	/* saved signed heads the trail must extend */
	size_t nheads;
};

/*
 * Restores the archive into a new store at db (and db.pub, db.files/, the
 * quarantine, and db.key, db.totp-key from a sealed archive, opened with
 * o->identity; a sealed archive cut short or changed is MAMORI_E_TAMPERED): refuses when any of them exists (MAMORI_E_CONFLICT); unpacks
 * into a scratch directory beside db, checks every entry against the
 * manifest (no entry missing, none extra, every SHA-256 and size: else
 * MAMORI_E_TAMPERED), verifies the whole audit trail with the archive's
 * public key and that it extends each of o->heads (mamori_audit_verify),
 * and only then moves the files into place.  summary gets the verification's
 * one line.  Nothing is left behind on failure.
 */
int mamori_backup_restore(const char *archive, const char *db, const struct mamori_restore_opts *o,
    struct mamori_backup_report *r, char *summary, size_t n, struct mamori_error *err);

/*
 * Retention by count: in dir, of the files named mamori-*.tar (the names
 * `mamori backup --auto` gives, which sort by time), removes all but the
 * newest keep.  *removed counts them.
 */
int mamori_backup_prune(const char *dir, unsigned keep, size_t *removed, struct mamori_error *err);

#endif
