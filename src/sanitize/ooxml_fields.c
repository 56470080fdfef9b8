/*
 * ooxml_fields.c — Word fields that run or fetch something, taken out of a
 * WordprocessingML part with the text they show kept.
 *
 * A field is one element, <w:fldSimple w:instr="DDEAUTO …">result</w:fldSimple>,
 * or a sequence in document order that may cross runs and paragraphs:
 * fldChar begin, instrText pieces (the instruction), fldChar separate, the
 * result, fldChar end.  Fields nest, in the instruction as in the result.
 * Word runs the instruction when it updates the field (DDEAUTO: on opening);
 * the reader sees the result Word saved last.  So a field whose instruction
 * starts with one of the keywords below loses its machinery — begin,
 * instruction, separator, end; for fldSimple, the element — and its result
 * stays as plain runs.
 *
 * The instruction is the concatenation of its instrText and delInstrText
 * pieces (a deleted revision comes back when the deletion is rejected), read
 * case-insensitively after leading white space.  A field whose keyword is
 * made, wholly or in part, by a nested field ({ {QUOTE 68 68 69} … } spells
 * DDE) goes, since its name cannot be known without running it; so does a field whose instruction
 * holds a field that goes.  Each text box, footnote, endnote and comment is
 * its own story, as in Word: a field never crosses into one.  An instruction
 * piece outside any field's instruction means nothing to Word but could be
 * read into a field by a reader that pairs the pieces differently (an
 * AlternateContent branch), so it goes too.
 */
#include "ooxml_fields.h"

#include <glib.h>
#include <stdbool.h>
#include <string.h>

#define NS_WML "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define NS_WML_STRICT "http://purl.oclc.org/ooxml/wordprocessingml/main"

/* Field keywords that run a program or fetch outside data. */
static const struct {
	const char *keyword;
	enum wml_kind kind;
} keywords[] = {
	{ "DDE", WML_DDE },
	{ "DDEAUTO", WML_DDEAUTO },
	{ "INCLUDETEXT", WML_INCLUDETEXT },
	{ "INCLUDE", WML_INCLUDETEXT },	/* Word 6's name for it, still understood */
	{ "INCLUDEPICTURE", WML_INCLUDEPICTURE },
	{ "IMPORT", WML_IMPORT },
	{ "LINK", WML_LINK },
	{ "DATABASE", WML_DATABASE },
};

static const char *const what[WML_NKINDS] = {
	[WML_DDE] = "DDE field (starts a program / 外部プログラム起動); its displayed text kept",
	[WML_DDEAUTO] = "DDEAUTO field (starts a program when opened / 外部プログラム起動); its displayed text kept",
	[WML_INCLUDETEXT] = "INCLUDETEXT field (fetches a file, local or remote / 外部ファイル取込み); its displayed text kept",
	[WML_INCLUDEPICTURE] = "INCLUDEPICTURE field (fetches a picture, local or remote / 外部画像取込み); its displayed text kept",
	[WML_IMPORT] = "IMPORT field (fetches a picture / 外部画像取込み); its displayed text kept",
	[WML_LINK] = "LINK field (data linked from another file / リンク貼り付け); its displayed text kept",
	[WML_DATABASE] = "DATABASE field (queries an external database / 外部データベース); its displayed text kept",
	[WML_BUILT] = "field whose name another field makes (hides what it runs); its displayed text kept",
	[WML_STRAY] = "field instruction outside a field (w:instrText)",
	[WML_MAILMERGE] = "mail merge data source (w:mailMerge: ODBC/DDE query or linked file / 差し込み印刷)",
	[WML_ALTCHUNK] = ("imported document chunk (w:altChunk: Word merges another docx/docm/RTF/MHT/HTML part in "
	    "when it opens the file, with its fields, objects and scripts / 外部文書の取込み)"),
};

const char *
wml_what(enum wml_kind kind)
{
	return kind < WML_NKINDS ? what[kind] : "?";
}

/* One open complex field. */
struct frame {
	int unit;		/* the field whose removal takes this one's machinery */
	bool result;		/* past its separator */
	bool built;		/* a nested field came before the end of the instruction's first word */
	int nested;		/* -1, or the kind of a field in the instruction that goes */
	char head[32];		/* the instruction's start, leading white space skipped */
	size_t headlen;
	GPtrArray *nodes;	/* for a unit: its machinery and its instruction */
};

struct scan {
	GArray *stack;		/* struct frame, innermost last */
	int owner;		/* the outermost field whose instruction we are in, or -1 */
	GPtrArray *doomed;	/* nodes to remove */
	GPtrArray *unwrap;	/* fldSimple elements to replace by their children */
	struct wml_removed *r;
};

static bool
is_w(xmlNodePtr n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    (strcmp((const char *)n->ns->href, NS_WML) == 0 ||
		strcmp((const char *)n->ns->href, NS_WML_STRICT) == 0) &&
	    strcmp((const char *)n->name, name) == 0;
}

/* The value of the attribute with this local name, whatever its prefix. */
static const char *
attr(xmlNodePtr n, const char *name)
{
	for (xmlAttrPtr a = n->properties; a != NULL; a = a->next)
		if (strcmp((const char *)a->name, name) == 0 && a->children != NULL &&
		    a->children->content != NULL)
			return (const char *)a->children->content;
	return NULL;
}

/* Length of the white space at s: ASCII, no-break space, ideographic space. */
static size_t
space_len(const char *s)
{
	if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		return 1;
	if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0)
		return 2;
	if ((unsigned char)s[0] == 0xe3 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80)
		return 3;
	return 0;
}

/* The kind of an instruction that starts (white space skipped) with len bytes
 * at s, or -1 when its keyword is harmless. */
static int
keyword_kind(const char *s, size_t len)
{
	size_t n = 0;

	while (n < len && g_ascii_isalpha(s[n]))
		n++;
	for (size_t i = 0; i < G_N_ELEMENTS(keywords); i++)
		if (strlen(keywords[i].keyword) == n && g_ascii_strncasecmp(s, keywords[i].keyword, n) == 0)
			return (int)keywords[i].kind;
	return -1;
}

static struct frame *
frame_at(struct scan *s, int i)
{
	return &g_array_index(s->stack, struct frame, i);
}

static struct frame *
top(struct scan *s)
{
	return s->stack->len > 0 ? frame_at(s, (int)s->stack->len - 1) : NULL;
}

/* A node inside the instruction of the owner goes with the owner. */
static void
own(struct scan *s, xmlNodePtr n)
{
	if (s->owner >= 0)
		g_ptr_array_add(frame_at(s, s->owner)->nodes, n);
}

/* True while the instruction read so far is at most its first word: a field
 * that begins here makes part of the name ("DD{QUOTE 69}AUTO" is DDEAUTO). */
static bool
in_keyword(const struct frame *f)
{
	for (size_t i = 0; i < f->headlen; i++)
		if (!g_ascii_isalpha(f->head[i]))
			return false;
	return true;
}

static void
on_begin(struct scan *s, xmlNodePtr n)
{
	struct frame *t = top(s);
	struct frame f = { .unit = s->owner, .nested = -1 };

	if (t != NULL && !t->result && in_keyword(t))
		t->built = true;
	if (f.unit < 0) {
		f.unit = (int)s->stack->len;
		f.nodes = g_ptr_array_new();
		s->owner = f.unit;
	}
	g_array_append_val(s->stack, f);
	g_ptr_array_add(frame_at(s, f.unit)->nodes, n);
}

static void
on_instr(struct scan *s, xmlNodePtr n)
{
	struct frame *t = top(s);

	if (t == NULL || t->result) {
		g_ptr_array_add(s->doomed, n);
		s->r->count[WML_STRAY]++;
		return;
	}
	g_ptr_array_add(frame_at(s, t->unit)->nodes, n);
	xmlChar *text = xmlNodeGetContent(n);
	for (const char *p = text ? (const char *)text : ""; *p && t->headlen < sizeof(t->head) - 1; p++) {
		size_t sp = t->headlen == 0 ? space_len(p) : 0;
		if (sp > 0)
			p += sp - 1;
		else
			t->head[t->headlen++] = *p;
	}
	xmlFree(text);
}

static void
on_separate(struct scan *s, xmlNodePtr n)
{
	struct frame *t = top(s);

	if (t == NULL || t->result)
		return;		/* a stray separator: Word ignores it, so do we */
	g_ptr_array_add(frame_at(s, t->unit)->nodes, n);
	t->result = true;
	if (s->owner == (int)s->stack->len - 1)
		s->owner = -1;
}

/* Closes the innermost field (at its end, n, or at the end of its story). */
static void
close_field(struct scan *s, xmlNodePtr n)
{
	int i = (int)s->stack->len - 1;
	struct frame f = *frame_at(s, i);
	int kind = keyword_kind(f.head, f.headlen);

	if (kind < 0)
		kind = f.built ? WML_BUILT : f.nested;
	if (n != NULL)
		g_ptr_array_add(frame_at(s, f.unit)->nodes, n);
	if (f.unit != i) {
		if (kind >= 0 && frame_at(s, f.unit)->nested < 0)
			frame_at(s, f.unit)->nested = kind;
	} else {
		if (kind >= 0) {
			for (guint j = 0; j < f.nodes->len; j++)
				g_ptr_array_add(s->doomed, f.nodes->pdata[j]);
			s->r->count[kind]++;
		}
		g_ptr_array_free(f.nodes, TRUE);
	}
	if (s->owner == i)
		s->owner = -1;
	g_array_set_size(s->stack, (guint)i);
}

static void
on_fldchar(struct scan *s, xmlNodePtr n)
{
	const char *type = attr(n, "fldCharType");

	if (type == NULL)
		return;
	if (strcmp(type, "begin") == 0)
		on_begin(s, n);
	else if (strcmp(type, "separate") == 0)
		on_separate(s, n);
	else if (strcmp(type, "end") == 0 && top(s) != NULL)
		close_field(s, n);
}

static void
on_simple(struct scan *s, xmlNodePtr n)
{
	const char *instr = attr(n, "instr");

	if (instr == NULL)
		return;
	while (space_len(instr) > 0)
		instr += space_len(instr);
	int kind = keyword_kind(instr, strlen(instr));
	if (kind >= 0) {
		g_ptr_array_add(s->unwrap, n);
		s->r->count[kind]++;
	}
}

static void scan_story(struct scan *s, xmlNodePtr first);

/* Walks the elements in document order. */
static void
scan_nodes(struct scan *s, xmlNodePtr n)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is_w(n, "txbxContent") || is_w(n, "footnote") || is_w(n, "endnote") || is_w(n, "comment")) {
			scan_story(s, n->children);
		} else if (is_w(n, "fldChar")) {
			on_fldchar(s, n);
		} else if (is_w(n, "instrText") || is_w(n, "delInstrText")) {
			on_instr(s, n);
		} else if (is_w(n, "mailMerge")) {
			g_ptr_array_add(s->doomed, n);
			s->r->count[WML_MAILMERGE]++;
		} else if (is_w(n, "altChunk")) {
			g_ptr_array_add(s->doomed, n);
			s->r->count[WML_ALTCHUNK]++;
		} else if (!is_w(n, "fldData")) {	/* opaque: base64 of the field's data */
			if (is_w(n->parent, "r") && !is_w(n, "rPr"))
				own(s, n);
			if (is_w(n, "fldSimple"))
				on_simple(s, n);
			scan_nodes(s, n->children);
		}
	}
}

/* A story has fields of its own: what is open at its end is closed there. */
static void
scan_story(struct scan *s, xmlNodePtr first)
{
	GArray *outer = s->stack;
	int outer_owner = s->owner;

	s->stack = g_array_new(FALSE, FALSE, sizeof(struct frame));
	s->owner = -1;
	scan_nodes(s, first);
	while (s->stack->len > 0)
		close_field(s, NULL);
	g_array_free(s->stack, TRUE);
	s->stack = outer;
	s->owner = outer_owner;
}

static bool
under(GHashTable *set, xmlNodePtr n)
{
	for (; n != NULL; n = n->parent)
		if (g_hash_table_contains(set, n))
			return true;
	return false;
}

/* fldSimple → its result runs, where it stood. */
static void
unwrap(xmlNodePtr f)
{
	xmlNodePtr c = f->children, next;

	for (; c != NULL; c = next) {
		next = c->next;
		if (is_w(c, "fldData"))
			continue;
		xmlUnlinkNode(c);
		xmlAddPrevSibling(f, c);
	}
	xmlUnlinkNode(f);
	xmlFreeNode(f);
}

/* A run is left empty (or with its properties alone) by what went. */
static bool
run_emptied(xmlNodePtr r)
{
	for (xmlNodePtr c = r->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !is_w(c, "rPr"))
			return false;
	return true;
}

/* Removes what the scan chose: every decision is made before anything is
 * freed, so that nothing freed is looked at again. */
static int
apply(struct scan *s)
{
	GHashTable *set = g_hash_table_new(g_direct_hash, g_direct_equal);
	GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	GHashTable *runs = g_hash_table_new(g_direct_hash, g_direct_equal);
	GPtrArray *unwraps = g_ptr_array_new(), *topmost = g_ptr_array_new();
	int changes = 0;

	for (guint i = 0; i < s->doomed->len; i++)
		g_hash_table_add(set, s->doomed->pdata[i]);
	for (guint i = 0; i < s->unwrap->len; i++)
		if (!under(set, s->unwrap->pdata[i]))
			g_ptr_array_add(unwraps, s->unwrap->pdata[i]);
	for (guint i = 0; i < s->doomed->len; i++) {
		xmlNodePtr n = s->doomed->pdata[i];
		if (!under(set, n->parent) && g_hash_table_add(seen, n))	/* once, even when chosen twice */
			g_ptr_array_add(topmost, n);
	}
	/* in document order: an outer fldSimple hands its inner one to its parent first */
	for (guint i = 0; i < unwraps->len; i++, changes++)
		unwrap(unwraps->pdata[i]);
	for (guint i = 0; i < topmost->len; i++, changes++) {
		xmlNodePtr n = topmost->pdata[i];
		if (is_w(n->parent, "r"))
			g_hash_table_add(runs, n->parent);
		xmlUnlinkNode(n);
		xmlFreeNode(n);
	}
	GHashTableIter it;
	gpointer r;
	g_hash_table_iter_init(&it, runs);
	while (g_hash_table_iter_next(&it, &r, NULL))
		if (run_emptied(r)) {
			xmlUnlinkNode(r);
			xmlFreeNode(r);
		}
	g_ptr_array_free(unwraps, TRUE);
	g_ptr_array_free(topmost, TRUE);
	g_hash_table_destroy(runs);
	g_hash_table_destroy(seen);
	g_hash_table_destroy(set);
	return changes;
}

int
wml_scrub(xmlDocPtr doc, struct wml_removed *r)
{
	struct scan s = { NULL, -1, g_ptr_array_new(), g_ptr_array_new(), r };
	int changes;

	scan_story(&s, xmlDocGetRootElement(doc));
	changes = apply(&s);
	g_ptr_array_free(s.doomed, TRUE);
	g_ptr_array_free(s.unwrap, TRUE);
	return changes;
}
