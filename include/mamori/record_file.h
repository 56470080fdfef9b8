/*
 * mamori/record_file.h — a record's files (the photo of the lost USB stick's
 * receipt, the approval document of an exception …).  A file's content is kept
 * beside the store, under its SHA-256, in STOREPATH.files/ab/abcdef… (ab: the
 * first two hex digits), written once whatever the number of records that carry
 * it; the store keeps which record carries which file (table record_file: name,
 * type, size, SHA-256, who added it and when) and the event record.file, both in
 * one transaction of the store's write path.  Reading a file back checks its
 * SHA-256.  docs/records.md, "Files".
 */
#ifndef MAMORI_RECORD_FILE_H
#define MAMORI_RECORD_FILE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "mamori/error.h"
#include "mamori/record.h"
#include "mamori/store.h"

/* A file's size limit when the configuration (record.file_max_bytes) sets none: 20 MiB. */
#define MAMORI_RECORD_FILE_MAX_DEFAULT (20 * 1024 * 1024)
/* The longest file name kept, in bytes (UTF-8), and the longest content type. */
#define MAMORI_RECORD_FILE_NAME_MAX 255
#define MAMORI_RECORD_FILE_TYPE_MAX 127

/* One file of a record, as the store keeps it. */
struct mamori_record_file {
	int64_t num;		/* the file's number: one sequence for every record's files */
	char record[MAMORI_RECORD_ID_MAX];
	char sha256[65];	/* hex */
	char name[MAMORI_RECORD_FILE_NAME_MAX + 1];
	char type[MAMORI_RECORD_FILE_TYPE_MAX + 1];
	int64_t size;
	char by[65];		/* the account that added it */
	char created[32];	/* UTC, RFC 3339 */
};

/*
 * The size limit of a file in bytes: the configuration's record.file_max_bytes
 * (mamori_store_config_int), MAMORI_RECORD_FILE_MAX_DEFAULT when it is not set
 * or not a number from 1 to 2^31 - 1.
 */
int64_t mamori_record_file_max(struct mamori_store *s);

/*
 * The name a file given as given is kept under, into out: what follows the last
 * '/' or '\' (a browser or a shell may send a path), otherwise as given (UTF-8,
 * Japanese names kept as they are).  Refused with MAMORI_E_INVALID: no name (or
 * "." or ".."), not UTF-8, longer than MAMORI_RECORD_FILE_NAME_MAX bytes, or a
 * control character (C0, DEL, C1) or a bidirectional override (U+202A–U+202E,
 * U+2066–U+2069, which can make "exe.pdf" read as "fdp.exe").
 */
int mamori_record_file_name(const char *given, char out[MAMORI_RECORD_FILE_NAME_MAX + 1],
    struct mamori_error *err);

/*
 * Adds the len bytes at data to record id as a file named name (cleaned by
 * mamori_record_file_name) of content type type (NULL or "": recognised from
 * the content and the name; otherwise a type/subtype, parameters dropped), by
 * the account by; the event's actor is actor.  The account must be able to see
 * the record (mamori_record_may_see: MAMORI_E_DENIED otherwise) and the record
 * must not be in a final state (MAMORI_E_CONFLICT: a closed record's evidence
 * no longer changes).  MAMORI_E_INVALID for an empty file, one larger than
 * mamori_record_file_max, a bad name or type; MAMORI_E_NOTFOUND for an unknown
 * record or account; MAMORI_E_IO when the content cannot be kept.  The content
 * is written (once: the same content is kept once) and made durable before the
 * transaction that adds the row and the event record.file (after: by, file,
 * name, type, size, sha256); when that transaction fails, no row names the
 * content, which stays as an unreferenced file (harmless: the next file with
 * the same content reuses it).  Fills *out (may be NULL) with the new file.
 */
int mamori_record_attach(struct mamori_store *s, const char *actor, const char *by, const char *id,
    const char *name, const char *type, const void *data, size_t len, struct mamori_record_file *out,
    struct mamori_error *err);

/*
 * mamori_record_attach, the file also filling field (an id or title of a field
 * of type file of the record's kind; NULL or "": none) in the same transaction:
 * the field holds the numbers of its files — a list when the field is
 * multiple, else the newest — and the event names it (after.field).  So a
 * state may require a file (`requires: [evidence]`).  MAMORI_E_INVALID when
 * field is not a file field of the kind.
 */
int mamori_record_attach_field(struct mamori_store *s, const char *actor, const char *by, const char *id,
    const char *field, const char *name, const char *type, const void *data, size_t len,
    struct mamori_record_file *out, struct mamori_error *err);

/*
 * The files of record id, oldest first, as a JSON array (caller deletes) of
 * {num, name, type, size, sha256, by, created}.  An unknown record has none.
 * Whether the asker may see the record is the caller's question.
 */
int mamori_record_files(struct mamori_store *s, const char *id, cJSON **out, struct mamori_error *err);

/*
 * File num of record id: its row into *meta and its content into *data (*len
 * bytes and a NUL after them; caller frees).  MAMORI_E_NOTFOUND when record id
 * has no file num; MAMORI_E_TAMPERED, naming the file, when the content beside
 * the store is missing, of another size, or does not match its SHA-256;
 * MAMORI_E_IO when it cannot be read.
 */
int mamori_record_file_read(struct mamori_store *s, const char *id, int64_t num, struct mamori_record_file *meta,
    char **data, size_t *len, struct mamori_error *err);

#endif
