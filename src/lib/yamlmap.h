/*
 * yamlmap.h — reads a YAML node tree (libfyaml) into C structs described by
 * tables, reporting every problem with its position.  (internal)
 *
 * A schema describes one struct: its size and, per YAML key, the kind of value,
 * where it goes (offset), whether it is required, bounds, and for lists and
 * mappings the schema of the element.  Every schema'd struct begins with a
 * struct mamori_srcpos, so a field's pos_offset of 0 means "no position kept".
 */
#ifndef MAMORI_YAMLMAP_H
#define MAMORI_YAMLMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "mamori/diag.h"
#include "mamori/policy.h"

struct fy_node;

enum ym_kind {
	YM_STRING,	/* const char *  */
	YM_ID,		/* const char *, matching ^[a-z][a-z0-9-]*$ */
	YM_INT,		/* int, within [min, max] */
	YM_BOOL,	/* bool */
	YM_STRLIST,	/* const char ** + size_t count */
	YM_LIST,	/* struct X * + size_t count, X described by schema */
	YM_MAP,		/* embedded struct X described by schema */
};

/* How `extends` lays a child's value over its parent's. */
enum ym_merge {
	YM_MERGE_REPLACE,	/* the child's value, when given, replaces the parent's */
	YM_MERGE_BY_KEY,	/* lists: elements merged by the schema's key fields */
	YM_MERGE_FIELDS,	/* mappings: merged field by field */
	YM_MERGE_DEEP,		/* lists: as BY_KEY, and an element the child names again is
				 * merged field by field with the parent's (a record kind
				 * gains fields); its required keys are checked after the merge */
};

struct ym_schema;

struct ym_field {
	const char *key;
	enum ym_kind kind;
	size_t offset;
	size_t count_offset;	/* YM_STRLIST, YM_LIST */
	size_t pos_offset;	/* where the value's position goes; 0 = nowhere */
	bool required;
	int min, max;		/* YM_INT */
	const struct ym_schema *schema;	/* YM_LIST, YM_MAP */
	enum ym_merge merge;
	bool underscore;	/* YM_ID: '_' allowed too (field ids that are JSON keys: noticed_at) */
	bool inherit;		/* an element of a BY_KEY list that the child restates without
				 * this field keeps the parent's value (a segment's networks) */
	const char *doc;	/* one line for the JSON Schema */
};

struct ym_schema {
	const char *name;	/* for messages: "role", "flow" */
	size_t size;
	const struct ym_field *fields;
	size_t nfields;
	const char *keys[3];	/* fields that identify an element in a list */
};

struct ym_ctx {
	struct mamori_arena *arena;
	struct mamori_diags *diags;
	const char *file;	/* arena copy of the file name */
	bool nomem;
};

/* Reads the mapping node into the struct at out (zeroed by the caller). */
void ym_read_map(struct ym_ctx *ctx, struct fy_node *node,
    const struct ym_schema *schema, void *out);

/* Reports an error at pos through ctx. */
void ym_error(struct ym_ctx *ctx, const struct mamori_srcpos *pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The field of schema with this key, or NULL. */
const struct ym_field *ym_field(const struct ym_schema *schema, const char *key);

/*
 * Describes the element at elem for messages: "role 'ciso'", "flow lgwan → internet (mail)",
 * "level 2".  Writes into buf (size n) and returns buf.
 */
const char *ym_describe(const struct ym_schema *schema, const void *elem, char *buf, size_t n);

/* True when the two elements of a keyed list have equal keys. */
bool ym_same_key(const struct ym_schema *schema, const void *a, const void *b);

/*
 * Lays child over parent according to the fields' merge rules, writing into out
 * (which may alias neither).  Element arrays are allocated from arena; strings
 * are shared.  Returns false when memory runs out.
 */
bool ym_merge(struct mamori_arena *arena, const struct ym_schema *schema,
    const void *parent, const void *child, void *out);

#endif
