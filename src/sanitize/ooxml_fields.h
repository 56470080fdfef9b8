/* ooxml_fields.h — Word fields that run or fetch something, and mail merge
 * sources, taken out of a parsed XML part (ooxml_fields.c). (internal) */
#ifndef MAMORI_OOXML_FIELDS_H
#define MAMORI_OOXML_FIELDS_H

#include <libxml/tree.h>

/* What went, by kind: the index into the counts and into wml_what(). */
enum wml_kind {
	WML_DDE,
	WML_DDEAUTO,
	WML_INCLUDETEXT,
	WML_INCLUDEPICTURE,
	WML_IMPORT,
	WML_LINK,
	WML_DATABASE,
	WML_BUILT,		/* a field whose name another field makes */
	WML_STRAY,		/* an instruction outside any field's */
	WML_MAILMERGE,
	WML_ALTCHUNK,		/* w:altChunk: a whole other document imported */
	WML_NKINDS
};

struct wml_removed {
	int count[WML_NKINDS];
};

/* What a kind is and why it goes, for the report (a static string). */
const char *wml_what(enum wml_kind kind);

/*
 * Removes from doc, wherever WordprocessingML elements are, the fields whose
 * instruction is DDE, DDEAUTO, INCLUDETEXT (INCLUDE), INCLUDEPICTURE, IMPORT,
 * LINK or DATABASE, keeping the text they show, every w:mailMerge and every
 * w:altChunk (its imported part goes with its relationship, ooxml.c).  Adds
 * to r what went; returns the number of changes (0: doc untouched).
 */
int wml_scrub(xmlDocPtr doc, struct wml_removed *r);

#endif
