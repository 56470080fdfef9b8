/*
 * store_ops_file.h — what record_file.c asks of the store's backend
 * (store_backend.h) about a record's files: their rows, and the file field
 * of the record a file fills.  The content itself is kept beside the store
 * by record_file.c, not by the backend.  (internal)
 *
 * Common rules as in store_backend.h: 0 or a negative MAMORI_E_* code with
 * err filled (err may be NULL); what is handed to a callback is lent for
 * that call only; a callback's non-zero return stops the walk and is
 * returned as is.
 */
#ifndef MAMORI_STORE_OPS_FILE_H
#define MAMORI_STORE_OPS_FILE_H

#include <stdint.h>

#include "mamori/record_file.h"
#include "store_backend.h"

struct store_file_ops {
	/*
	 * Adds the row of file f (every member but num; inside tx) and sets
	 * *num to the number it was given: one sequence for every record's
	 * files, ever growing.
	 */
	int (*add)(struct mamori_store_tx *tx, const struct mamori_record_file *f, int64_t *num,
	    struct mamori_error *err);

	/*
	 * The files of record id, in order of their number.  A type not stored
	 * reads as application/octet-stream.
	 */
	int (*list)(struct mamori_store *s, const char *id,
	    int (*fn)(const struct mamori_record_file *f, void *ctx), void *ctx, struct mamori_error *err);

	/* File num of record id into *f; MAMORI_E_NOTFOUND (err not filled) when record id has none such. */
	int (*get)(struct mamori_store *s, const char *id, int64_t num, struct mamori_record_file *f,
	    struct mamori_error *err);

	/* Sets the fields (JSON text) and updated time of record id (inside tx): a file field filled. */
	int (*set_fields)(struct mamori_store_tx *tx, const char *id, const char *fields, const char *updated,
	    struct mamori_error *err);
};

extern const struct store_file_ops store_sqlite_file_ops;

#endif
