/*
 * json_strict.h — reading JSON from clients without silent coercions
 * (internal).  cJSON alone accepts trailing text after the value, ends a
 * string at an escaped NUL (\u0000) and turns 2.9 into 2 and 1e300 into
 * INT_MAX; every JSON body mamori parses goes through json_strict_parse, and
 * every whole number it reads through json_strict_int, so that each of these
 * is a 400 naming the field instead.
 */
#ifndef MAMORI_JSON_STRICT_H
#define MAMORI_JSON_STRICT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* Why a text was refused: the field ("" for the text as a whole) and a message. */
struct json_strict_error {
	char field[96];
	char message[160];
};

/*
 * Parses the len bytes at text as one JSON value: valid UTF-8, nested at most
 * depth_max deep (checked before cJSON recurses), nothing but white space
 * after the value, and no key or string holding U+0000.  Returns the tree
 * (the caller owns it: cJSON_Delete) or NULL with e filled; e->field is the
 * dotted path of a string with a NUL ("subject.id", "roles[1]").
 */
cJSON *json_strict_parse(const char *text, size_t len, int depth_max, struct json_strict_error *e);

/*
 * Reads v as a whole number from min to max into *out.  False when v is not a
 * number, has a fraction (2.9), or lies outside the range (-1, 1e300) — never
 * rounded or clamped.
 */
bool json_strict_int(const cJSON *v, long min, long max, long *out);

#endif
