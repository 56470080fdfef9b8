/*
 * ooxml.c — Office Open XML documents (docx/xlsx/pptx and their macro-enabled
 * and template forms) rebuilt without active content, with libzip and libxml2.
 *
 * Removed: macros (vbaProject.bin, vbaData, signatures, key bindings, toolbars,
 * ribbon customisations, Excel 4.0 macro sheets), embedded objects (embeddings/,
 * OLE objects), ActiveX (activeX/), external links (externalLinks/ and every
 * relationship with TargetMode="External": hyperlinks, linked images, remote
 * templates), Excel data connections and query tables, printer settings (opaque
 * device blobs), and inside the kept parts Word fields that run or fetch
 * something (ooxml_fields.c), mail merge sources and DDE formulas (app|topic!item).
 * So that Office opens the result without a repair prompt, the
 * package is kept consistent: the .rels files lose the relationships to what
 * went, the XML parts that pointed at those relationships lose the element
 * (with its graphic, and a container it leaves empty) or, where the schema
 * makes the relationship optional, the attribute alone, [Content_Types].xml loses the overrides of removed parts and
 * turns a macro-enabled main type into its macro-free one, and in workbooks that
 * had external links, formulas reaching into them become their last values and
 * the calculation chain is dropped for Excel to rebuild; DDE formulas likewise.
 */
#include "file_internal.h"
#include "ooxml_fields.h"
#include "mamori/sanitize.h"

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_REL_STRICT "http://purl.oclc.org/ooxml/officeDocument/relationships"
#define NS_PKG_REL "http://schemas.openxmlformats.org/package/2006/relationships"
#define NS_SML "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_SML_STRICT "http://purl.oclc.org/ooxml/spreadsheetml/main"
#define NS_CT "http://schemas.openxmlformats.org/package/2006/content-types"

struct part {
	char *name;		/* the zip entry name */
	char *lname;		/* lower-cased, for OPC's case-insensitive part names */
	uint64_t size;
	time_t mtime;
	char *data;		/* the uncompressed bytes (NULL for removed parts) */
	size_t len;
	const char *ctype;	/* effective content type (points into ct doc strings) */
	const char *why;	/* why removed, or NULL */
	xmlChar *out;		/* rewritten XML, or NULL: data is copied */
	bool reencoded;		/* data is an image decoded and encoded anew */
	int outlen;
	GHashTable *dead_ids;	/* for a source part: relationship ids that went */
};

struct pkg {
	const struct mamori_file_opts *o;
	struct mamori_file_report *rep;
	struct mamori_error *err;
	struct part *parts;
	size_t nparts;
	GHashTable *by_name;	/* lname → struct part * */
	xmlDocPtr ct;		/* [Content_Types].xml */
	struct part *ct_part;
	bool had_external_links;
};

/* Main content types: the package kind, and the macro-free type it becomes. */
static const struct main_type {
	const char *ctype;
	const char *kind;
	const char *out_kind;
	const char *out_ctype;	/* NULL: unchanged */
} main_types[] = {
	{ "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "docx", "docx", NULL },
	{ "application/vnd.ms-word.document.macroEnabled.main+xml", "docm", "docx",
	  "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml" },
	{ "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml", "dotx", "dotx", NULL },
	{ "application/vnd.ms-word.template.macroEnabledTemplate.main+xml", "dotm", "dotx",
	  "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml" },
	{ "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "xlsx", "xlsx", NULL },
	{ "application/vnd.ms-excel.sheet.macroEnabled.main+xml", "xlsm", "xlsx",
	  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml" },
	{ "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml", "xltx", "xltx", NULL },
	{ "application/vnd.ms-excel.template.macroEnabled.main+xml", "xltm", "xltx",
	  "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml" },
	{ "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml", "pptx", "pptx", NULL },
	{ "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml", "pptm", "pptx",
	  "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml" },
	{ "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml", "ppsx", "ppsx", NULL },
	{ "application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml", "ppsm", "ppsx",
	  "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml" },
	{ "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml", "potx", "potx", NULL },
	{ "application/vnd.ms-powerpoint.template.macroEnabled.main+xml", "potm", "potx",
	  "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml" },
};

#define WHY_CONNECTION "data connection (外部データ接続: fetches from outside sources)"
#define WHY_QUERY_TABLE "query table (外部データの取り込み)"
#define WHY_PRINTER "printer settings (device-specific binary, opaque)"
#define WHY_CALC_CHAIN "calculation chain (Excel rebuilds it)"
#define CT_CALC_CHAIN "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"
#define WHY_MACROSHEET "Excel 4.0 macro sheet (マクロ)"
#define WHY_WEBEXT "Office web extension / task pane (アドイン: loads and runs a web page)"
#define WHY_ALTCHUNK ("imported document chunk (w:altChunk target: a docx/docm/RTF/MHT/HTML part " \
	"Word merges in, with its macros, fields, objects and scripts)")

/* Content types of parts that go, and why. */
static const struct {
	const char *ctype;
	const char *why;
} removed_types[] = {
	{ "application/vnd.ms-office.vbaProject", "macro (VBA project / マクロ)" },
	{ "application/vnd.ms-office.vbaProjectSignature", "macro signature" },
	{ "application/vnd.ms-office.vbaProjectSignatureAgile", "macro signature" },
	{ "application/vnd.ms-office.vbaProjectSignatureV3", "macro signature" },
	{ "application/vnd.ms-word.vbaData+xml", "macro data (vbaData)" },
	{ "application/vnd.ms-word.keyMapCustomizations+xml", "macro key bindings" },
	{ "application/vnd.ms-word.attachedToolbars", "macro toolbars" },
	{ "application/vnd.ms-excel.macrosheet+xml", "Excel 4.0 macro sheet (マクロ)" },
	{ "application/vnd.ms-excel.intlmacrosheet+xml", "Excel 4.0 macro sheet (マクロ)" },
	{ "application/vnd.ms-office.webextension+xml", WHY_WEBEXT },
	{ "application/vnd.ms-office.webextensiontaskpanes+xml", WHY_WEBEXT },
	{ "application/vnd.ms-office.activeX+xml", "ActiveX control" },
	{ "application/vnd.ms-office.activeX", "ActiveX control" },
	{ "application/vnd.openxmlformats-officedocument.oleObject", "embedded OLE object (埋め込みオブジェクト)" },
	{ "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml", "external link (外部参照)" },
	{ "application/vnd.openxmlformats-officedocument.spreadsheetml.connections+xml", WHY_CONNECTION },
	{ "application/vnd.openxmlformats-officedocument.spreadsheetml.queryTable+xml", WHY_QUERY_TABLE },
	{ "application/vnd.openxmlformats-officedocument.spreadsheetml.printerSettings", WHY_PRINTER },
	{ "application/vnd.openxmlformats-officedocument.wordprocessingml.printerSettings", WHY_PRINTER },
	{ "application/vnd.openxmlformats-officedocument.presentationml.printerSettings", WHY_PRINTER },
};

/* Folders and file names (lower case) of parts that go, whatever their type. */
static const struct {
	const char *pattern;	/* "dir/" matches a folder anywhere, else a file name prefix */
	const char *why;
} removed_paths[] = {
	{ "embeddings/", "embedded object (埋め込みオブジェクト)" },
	{ "activex/", "ActiveX control" },
	{ "externallinks/", "external link (外部参照)" },
	{ "customui/", "ribbon customisation (calls macros)" },
	{ "vbaproject", "macro (VBA project / マクロ)" },
	{ "vbadata", "macro data (vbaData)" },
	{ "oleobject", "embedded OLE object (埋め込みオブジェクト)" },
	{ "customui14.xml", "ribbon customisation (calls macros)" },
	{ "printersettings/", WHY_PRINTER },
	{ "querytables/", WHY_QUERY_TABLE },
	{ "connections.xml", WHY_CONNECTION },
	{ "webextensions/", WHY_WEBEXT },
	{ "macrosheets/", WHY_MACROSHEET },
};

/* Relationship types (their last path segment) that go even when internal. */
static const char *const removed_rel_types[] = {
	"vbaProject", "oleObject", "package", "control", "activeXControlBinary", "externalLink",
	"attachedTemplate", "subDocument", "frame", "wordVbaData", "keyMapCustomizations",
	"attachedToolbars", "ui/extensibility", "ui/extensibility14", "connections", "queryTable",
	"printerSettings", "aFChunk", "xlMacrosheet", "xlIntlMacrosheet", "webextensiontaskpanes", "webextension",
};

/* Relationship types (last segment) whose internal target goes too, and why:
 * the part is what the relationship made active, whatever its name or its
 * declared content type (a macro sheet declared as a worksheet, a docm named
 * media/image1.png). */
static const struct {
	const char *type;
	const char *why;
} removed_targets[] = {
	{ "aFChunk", WHY_ALTCHUNK },
	{ "xlMacrosheet", WHY_MACROSHEET },
	{ "xlIntlMacrosheet", WHY_MACROSHEET },
	{ "webextensiontaskpanes", WHY_WEBEXT },
	{ "webextension", WHY_WEBEXT },
	{ "vbaProject", "macro (VBA project / マクロ)" },
	{ "wordVbaData", "macro data (vbaData)" },
	{ "keyMapCustomizations", "macro key bindings" },
	{ "attachedToolbars", "macro toolbars" },
	{ "oleObject", "embedded OLE object (埋め込みオブジェクト)" },
	{ "package", "embedded package (埋め込みオブジェクト)" },
	{ "control", "ActiveX control" },
	{ "activeXControlBinary", "ActiveX control" },
	{ "subDocument", "sub-document (a Word document merged in when opened)" },
	{ "attachedTemplate", "attached template (its macros run)" },
	{ "ui/extensibility", "ribbon customisation (calls macros)" },
	{ "ui/extensibility14", "ribbon customisation (calls macros)" },
};

/*
 * An element that points at a removed relationship goes with it: for most such
 * elements the attribute is required (customPr, headerReference, drawing,
 * legacyDrawing, picture, tablePart, pivotCache, sheet, sldId, c:chart, a:snd
 * …), and one left without it makes Office repair the file.  Only where the
 * attribute is optional does the element stay without it (keep_without_rel: a
 * hyperlink keeps its text, a picture its frame, a page setup its settings;
 * VML's imagedata, fill and stroke likewise), unless it is worth nothing
 * without it (drop_elements: an OLE object, an altChunk, a control).
 */
static const char *const keep_without_rel[] = {
	"hyperlink", "hlinkClick", "hlinkHover", "hlinkMouseOver", "blip", "pageSetup", "objectPr", "controlPr",
	"worksheetSource", "pivotCacheDefinition", "externalBook",
};
static const char *const drop_elements[] = {
	"OLEObject", "control", "oleObject", "oleObj", "altChunk", "webextensionref",
};
#define NS_VML "urn:schemas-microsoft-com:vml"
/* A container that must hold at least one element goes when what went leaves
 * it empty (an empty <customProperties>, <oleObjects>, <pivotCaches> or an
 * x14 <slicerList> in its <ext> is invalid); one that stays has its count
 * attribute made true. */
static const char *const nonempty_containers[] = {
	"oleObjects", "controls", "externalReferences", "customProperties", "pivotCaches", "slicerList",
	"slicerCaches", "timelineRefs", "timelineCacheRefs", "ext", "extLst", "Choice", "Fallback",
};
/* What holds a graphic whose a:graphicData loses its object (an OLE object,
 * a chart, a content add-in): the outermost of these goes, within its story. */
static const char *const graphic_holders[] = {
	"AlternateContent", "twoCellAnchor", "oneCellAnchor", "absoluteAnchor", "graphicFrame", "drawing",
};

static bool
in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}
#define IN_LIST(s, list) in_list((s), (list), sizeof(list) / sizeof((list)[0]))

static int
fail(struct pkg *k, int code, const char *fmt, const char *a, const char *b)
{
	return mamori_error_set(k->err, code, fmt, a, b);
}

static int
nomem(struct pkg *k)
{
	return mamori_error_set(k->err, MAMORI_E_NOMEM, "out of memory");
}

static int
xml_depth(xmlNodePtr n)
{
	int max = 0;

	for (xmlNodePtr c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE) {
			int d = xml_depth(c);
			if (d > max)
				max = d;
		}
	return max + 1;
}

/* Parses an XML part safely: no network, no DTD, no entity expansion, and
 * refused when deeper than the limit. */
static int
parse_part(struct pkg *k, struct part *p, xmlDocPtr *doc)
{
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	int rc = 0;

	*doc = NULL;
	if (ctxt == NULL)
		return nomem(k);
	if (p->out == NULL && p->len > (size_t)INT32_MAX) {
		xmlFreeParserCtxt(ctxt);
		return fail(k, MAMORI_E_INVALID, "limit hit: XML part %s is over 2 GiB%s", p->name, "");
	}
	/* the part as it stands: rewritten already by an earlier pass, or as it came */
	*doc = p->out ? xmlCtxtReadMemory(ctxt, (const char *)p->out, p->outlen, p->name, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
	    : xmlCtxtReadMemory(ctxt, p->data, (int)p->len, p->name, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (*doc == NULL) {
		const char *msg = ctxt->lastError.message ? ctxt->lastError.message : "not well-formed\n";
		char m[200];
		snprintf(m, sizeof(m), "%s", msg);
		m[strcspn(m, "\n")] = '\0';
		rc = mamori_error_set(k->err, MAMORI_E_INVALID, "refused: XML part %s, line %d: %s", p->name,
		    ctxt->lastError.line, m);
	} else if ((*doc)->intSubset != NULL) {
		rc = fail(k, MAMORI_E_INVALID, "refused: XML part %s has a DOCTYPE, which OOXML never has%s", p->name, "");
	} else if (xmlDocGetRootElement(*doc) == NULL) {
		rc = fail(k, MAMORI_E_INVALID, "refused: XML part %s has no root element%s", p->name, "");
	} else if (xml_depth(xmlDocGetRootElement(*doc)) > k->o->limits.max_xml_depth) {
		rc = mamori_error_set(k->err, MAMORI_E_INVALID, "limit hit: XML part %s nests deeper than %d elements",
		    p->name, k->o->limits.max_xml_depth);
	}
	if (rc != 0 && *doc != NULL) {
		xmlFreeDoc(*doc);
		*doc = NULL;
	}
	xmlFreeParserCtxt(ctxt);
	return rc;
}

static struct part *
find_part(struct pkg *k, const char *name)
{
	char *l = g_ascii_strdown(name, -1);
	struct part *p = g_hash_table_lookup(k->by_name, l);
	g_free(l);
	return p;
}

/* Reads every entry, checking names, sizes and ratios before decompressing. */
static int
read_entries(struct pkg *k, zip_t *za)
{
	zip_int64_t n = zip_get_num_entries(za, 0);
	uint64_t total = 0;
	int rc = 0;

	if (n < 0 || n > k->o->limits.max_entries)
		return mamori_error_set(k->err, MAMORI_E_INVALID, "limit hit: the zip has %lld entries, over the limit of %d",
		    (long long)n, k->o->limits.max_entries);
	if ((k->parts = calloc((size_t)n + 1, sizeof(*k->parts))) == NULL)
		return nomem(k);
	for (zip_int64_t i = 0; i < n && rc == 0; i++) {
		zip_stat_t st;
		zip_stat_init(&st);
		if (zip_stat_index(za, (zip_uint64_t)i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) ||
		    !(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE))
			return mamori_error_set(k->err, MAMORI_E_INVALID, "refused: damaged zip: entry %lld cannot be read",
			    (long long)i);
		const char *name = st.name;
		size_t nl = strlen(name);
		if (nl > 0 && name[nl - 1] == '/')
			continue;	/* a folder entry: not a part */
		if (nl == 0 || nl > 1024 || name[0] == '/' || strchr(name, '\\') != NULL || strstr(name, "//") != NULL ||
		    strcmp(name, "..") == 0 || strncmp(name, "../", 3) == 0 || strstr(name, "/../") != NULL ||
		    (nl >= 3 && strcmp(name + nl - 3, "/..") == 0) || !g_utf8_validate(name, (gssize)nl, NULL))
			return fail(k, MAMORI_E_INVALID, "refused: the zip has an entry with an unsafe name: %s%s",
			    g_utf8_validate(name, (gssize)nl, NULL) ? name : "(invalid UTF-8)", "");
		if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
			return fail(k, MAMORI_E_INVALID, "refused: zip entry %s is encrypted%s", name, "");
		if ((st.valid & ZIP_STAT_COMP_METHOD) && st.comp_method != ZIP_CM_STORE && st.comp_method != ZIP_CM_DEFLATE)
			return fail(k, MAMORI_E_INVALID,
			    "refused: zip entry %s uses a compression method Office does not write%s", name, "");
		total += st.size;
		if (total > k->o->limits.max_total)
			return mamori_error_set(k->err, MAMORI_E_INVALID,
			    "limit hit: the zip's entries add up to over %llu bytes uncompressed (at %s)",
			    (unsigned long long)k->o->limits.max_total, name);
		if (st.size > 65536 && st.size / (st.comp_size ? st.comp_size : 1) > (uint64_t)k->o->limits.max_ratio)
			return mamori_error_set(k->err, MAMORI_E_INVALID,
			    "limit hit: zip entry %s expands %llu bytes to %llu (ratio over %d:1): a zip bomb", name,
			    (unsigned long long)st.comp_size, (unsigned long long)st.size, k->o->limits.max_ratio);
		struct part *p = &k->parts[k->nparts];
		p->name = strdup(name);
		p->lname = g_ascii_strdown(name, -1);
		p->size = st.size;
		p->mtime = (st.valid & ZIP_STAT_MTIME) ? st.mtime : 0;
		k->nparts++;
		if (p->name == NULL)
			return nomem(k);
		if (g_hash_table_contains(k->by_name, p->lname))
			return fail(k, MAMORI_E_INVALID,
			    "refused: the zip has two entries named %s (part names are case-insensitive)%s", name, "");
		g_hash_table_insert(k->by_name, p->lname, p);

		/* read with our own cap: the header's size is a claim, not a fact */
		if ((p->data = malloc(st.size + 1)) == NULL)
			return nomem(k);
		zip_file_t *zf = zip_fopen_index(za, (zip_uint64_t)i, 0);
		if (zf == NULL)
			return fail(k, MAMORI_E_INVALID, "refused: zip entry %s cannot be opened: %s", name, zip_strerror(za));
		zip_int64_t got = 0, r;
		while ((r = zip_fread(zf, p->data + got, st.size + 1 - (zip_uint64_t)got)) > 0) {
			got += r;
			if ((zip_uint64_t)got > st.size)
				break;
		}
		if (r < 0 || (zip_uint64_t)got != st.size)
			rc = fail(k, MAMORI_E_INVALID, "refused: zip entry %s does not match its header: %s", name,
			    r < 0 ? zip_file_strerror(zf) : "wrong size");
		if (zip_fclose(zf) != 0 && rc == 0)
			rc = fail(k, MAMORI_E_INVALID, "refused: zip entry %s is damaged (checksum)%s", name, "");
		p->len = (size_t)got;
	}
	return rc;
}

static void
mark_removed(struct part *p, const char *why)
{
	if (p->why == NULL)
		p->why = why;
}

/* The folder of a part, with the trailing slash ("" at the package root). */
static char *
part_dir(const char *name)
{
	const char *s = strrchr(name, '/');
	return s ? g_strndup(name, (gsize)(s - name + 1)) : g_strdup("");
}

/* "word/_rels/document.xml.rels" → "word/document.xml"; "_rels/.rels" → "";
 * NULL when the name is not a relationships part. */
static char *
rels_source(const char *name)
{
	size_t n = strlen(name);
	const char *r = NULL;

	if (n < 5 || g_ascii_strcasecmp(name + n - 5, ".rels") != 0)
		return NULL;
	if (g_ascii_strncasecmp(name, "_rels/", 6) == 0)
		r = name;
	else
		for (const char *s = name; (s = strchr(s, '/')) != NULL; s++)
			if (g_ascii_strncasecmp(s + 1, "_rels/", 6) == 0 && strchr(s + 7, '/') == NULL) {
				r = s + 1;
				break;
			}
	if (r == NULL || strchr(r + 6, '/') != NULL)
		return NULL;
	GString *g = g_string_new_len(name, (gssize)(r - name));
	g_string_append_len(g, r + 6, (gssize)(n - 5 - (size_t)(r + 6 - name)));
	return g_string_free(g, FALSE);
}

/* The part a relative target points at, from the source's folder. */
static char *
resolve_target(const char *source, const char *target)
{
	char *dir = target[0] == '/' ? g_strdup("") : part_dir(source);
	char *joined = g_strconcat(dir, target[0] == '/' ? target + 1 : target, NULL);
	char **segs = g_strsplit(joined, "/", -1);
	GPtrArray *out = g_ptr_array_new();

	for (char **s = segs; *s != NULL; s++) {
		if (strcmp(*s, "..") == 0) {
			if (out->len > 0)
				g_ptr_array_remove_index(out, out->len - 1);
		} else if (**s != '\0' && strcmp(*s, ".") != 0) {
			g_ptr_array_add(out, *s);
		}
	}
	g_ptr_array_add(out, NULL);
	char *r = g_strjoinv("/", (char **)out->pdata);
	g_ptr_array_free(out, TRUE);
	g_strfreev(segs);
	g_free(joined);
	g_free(dir);
	char *hash = strchr(r, '#');
	if (hash != NULL)
		*hash = '\0';
	return r;
}

static const char *
prop(xmlNodePtr n, const char *name)
{
	xmlAttrPtr a = xmlHasProp(n, (const xmlChar *)name);
	return a && a->children && a->children->content ? (const char *)a->children->content : NULL;
}

/* Fills every part's effective content type from [Content_Types].xml. */
static int
content_types(struct pkg *k)
{
	xmlNodePtr root = xmlDocGetRootElement(k->ct);

	if (root->ns == NULL || strcmp((const char *)root->ns->href, NS_CT) != 0 ||
	    strcmp((const char *)root->name, "Types") != 0)
		return fail(k, MAMORI_E_INVALID, "refused: [Content_Types].xml is not an OPC content types part%s%s", "", "");
	for (xmlNodePtr n = root->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "Default") != 0)
			continue;
		const char *ext = prop(n, "Extension"), *ct = prop(n, "ContentType");
		if (ext == NULL || ct == NULL)
			continue;
		for (size_t i = 0; i < k->nparts; i++) {
			const char *dot = strrchr(k->parts[i].name, '.');
			if (dot != NULL && strchr(dot, '/') == NULL && g_ascii_strcasecmp(dot + 1, ext) == 0)
				k->parts[i].ctype = ct;
		}
	}
	for (xmlNodePtr n = root->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "Override") != 0)
			continue;
		const char *pn = prop(n, "PartName"), *ct = prop(n, "ContentType");
		struct part *p = pn && ct && pn[0] == '/' ? find_part(k, pn + 1) : NULL;
		if (p != NULL)
			p->ctype = ct;
	}
	return 0;
}

/* The relationships of a removed part go with it. */
static void
mark_rels_of_removed(struct pkg *k)
{
	for (size_t i = 0; i < k->nparts; i++) {
		char *src = rels_source(k->parts[i].name);
		struct part *s = src && *src ? find_part(k, src) : NULL;
		if (s != NULL && s->why != NULL)
			mark_removed(&k->parts[i], "relationships of a removed part");
		g_free(src);
	}
}

/* Decides which parts go by their type and path. */
static void
choose_removed(struct pkg *k)
{
	for (size_t i = 0; i < k->nparts; i++) {
		struct part *p = &k->parts[i];
		const char *base = strrchr(p->lname, '/');
		char *src = rels_source(p->name);
		base = base ? base + 1 : p->lname;
		/* the package's own parts go only with what they describe */
		if (p == k->ct_part || src != NULL) {
			g_free(src);
			continue;
		}
		for (size_t t = 0; p->ctype && t < sizeof(removed_types) / sizeof(removed_types[0]); t++)
			if (g_ascii_strcasecmp(p->ctype, removed_types[t].ctype) == 0)
				mark_removed(p, removed_types[t].why);
		for (size_t t = 0; t < sizeof(removed_paths) / sizeof(removed_paths[0]); t++) {
			const char *pat = removed_paths[t].pattern;
			size_t pl = strlen(pat);
			bool hit;
			if (pat[pl - 1] == '/') {
				hit = strncmp(p->lname, pat, pl) == 0;
				for (const char *s = p->lname; !hit && (s = strchr(s, '/')) != NULL; s++)
					hit = strncmp(s + 1, pat, pl) == 0;
			} else {
				hit = strncmp(base, pat, pl) == 0;
			}
			if (hit)
				mark_removed(p, removed_paths[t].why);
		}
		if (p->why && strstr(p->why, "external link"))
			k->had_external_links = true;
	}
	/* a workbook losing external links loses the formulas that used them, so
	 * its calculation chain goes too (Excel rebuilds it) */
	for (size_t i = 0; k->had_external_links && i < k->nparts; i++)
		if (k->parts[i].ctype && strcmp(k->parts[i].ctype, CT_CALC_CHAIN) == 0)
			mark_removed(&k->parts[i], WHY_CALC_CHAIN);
	mark_rels_of_removed(k);
}

static bool
rel_type_removed(const char *type)
{
	for (size_t i = 0; i < sizeof(removed_rel_types) / sizeof(removed_rel_types[0]); i++) {
		size_t tl = strlen(type), rl = strlen(removed_rel_types[i]);
		if (tl > rl && type[tl - rl - 1] == '/' && strcmp(type + tl - rl, removed_rel_types[i]) == 0)
			return true;
	}
	return false;
}

static struct part *find_target(struct pkg *k, const char *src, const char *target);
static bool plainly_utf8(const char *b, size_t n);

/* Removes relationships to what went and to anything outside the package. */
static int
rewrite_rels(struct pkg *k, struct part *rp)
{
	char *src = rels_source(rp->name);
	struct part *sp = src && *src ? find_part(k, src) : NULL;
	xmlDocPtr doc = NULL;
	int rc, removed = 0;

	if ((rc = parse_part(k, rp, &doc)) != 0)
		goto out;
	xmlNodePtr root = xmlDocGetRootElement(doc), next;
	for (xmlNodePtr n = root->children; n != NULL; n = next) {
		next = n->next;
		if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "Relationship") != 0)
			continue;
		const char *id = prop(n, "Id"), *type = prop(n, "Type"), *target = prop(n, "Target");
		const char *mode = prop(n, "TargetMode");
		const char *tshort = type && strrchr(type, '/') ? strrchr(type, '/') + 1 : type ? type : "?";
		char *what = NULL;
		if (mode != NULL && g_ascii_strcasecmp(mode, "External") == 0) {
			char *d = mamori_defang_url(target ? target : "");
			what = g_strdup_printf("external link (外部リンク): %s → %s", tshort, d ? d : "?");
			free(d);
		} else if (type != NULL && rel_type_removed(type)) {
			what = g_strdup_printf("relationship to removed content: %s", tshort);
		} else if (sp != NULL && id != NULL && sp->dead_ids != NULL && g_hash_table_contains(sp->dead_ids, id)) {
			what = g_strdup_printf("relationship of a removed element (w:altChunk): %s", tshort);
		} else if (target != NULL) {
			struct part *tp = find_target(k, src ? src : "", target);
			if (tp != NULL && tp->why != NULL)
				what = g_strdup_printf("relationship to removed part %s", tp->name);
		}
		if (what == NULL)
			continue;
		char *label = g_strdup_printf("%s#%s", rp->name, id ? id : "?");
		rc = file_report_add(k->rep, label, 0, what);
		g_free(label);
		g_free(what);
		if (rc != 0) {
			rc = nomem(k);
			goto out;
		}
		if (sp != NULL && id != NULL) {
			if (sp->dead_ids == NULL)
				sp->dead_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
			g_hash_table_add(sp->dead_ids, g_strdup(id));
		}
		xmlUnlinkNode(n);
		xmlFreeNode(n);
		removed++;
	}
	/* written anew when it changed, or when it was not in UTF-8 (see plainly_utf8) */
	if (removed > 0 || !plainly_utf8(rp->data, rp->len)) {
		xmlDocDumpMemoryEnc(doc, &rp->out, &rp->outlen, "UTF-8");
		if (rp->out == NULL)
			rc = fail(k, MAMORI_E_INVALID, "refused: XML part %s cannot be written back in UTF-8%s", rp->name, "");
	}
out:
	xmlFreeDoc(doc);
	g_free(src);
	return rc;
}

/* The part a relationship's target names (percent-encoded or not), or NULL. */
static struct part *
find_target(struct pkg *k, const char *src, const char *target)
{
	char *t = resolve_target(src, target);
	struct part *p = find_part(k, t);

	if (p == NULL && strchr(t, '%') != NULL) {
		char *u = g_uri_unescape_string(t, NULL);
		if (u != NULL)
			p = find_part(k, u);
		g_free(u);
	}
	g_free(t);
	return p;
}

static const char *
target_why(const char *type)
{
	for (size_t i = 0; i < sizeof(removed_targets) / sizeof(removed_targets[0]); i++) {
		size_t tl = strlen(type), rl = strlen(removed_targets[i].type);
		if (tl > rl && type[tl - rl - 1] == '/' && strcmp(type + tl - rl, removed_targets[i].type) == 0)
			return removed_targets[i].why;
	}
	return NULL;
}

/* Calls fn(k, source, relationship element, data) for each relationship of the
 * relationships part rp (as it stands: rewritten or not). */
static int
each_relationship(struct pkg *k, struct part *rp, void (*fn)(struct pkg *, const char *, xmlNodePtr, void *),
    void *data)
{
	char *src = rels_source(rp->name);
	xmlDocPtr doc = NULL;
	int rc;

	if (src == NULL)
		return 0;
	if ((rc = parse_part(k, rp, &doc)) == 0) {
		for (xmlNodePtr n = xmlDocGetRootElement(doc)->children; n != NULL; n = n->next)
			if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "Relationship") == 0)
				fn(k, src, n, data);
		xmlFreeDoc(doc);
	}
	g_free(src);
	return rc;
}

static bool
internal(xmlNodePtr rel)
{
	const char *mode = prop(rel, "TargetMode");
	return mode == NULL || g_ascii_strcasecmp(mode, "External") != 0;
}

static void
mark_target(struct pkg *k, const char *src, xmlNodePtr rel, void *data)
{
	const char *type = prop(rel, "Type"), *target = prop(rel, "Target"), *why;
	struct part *tp;
	char *r;

	(void)data;
	if (type == NULL || target == NULL || !internal(rel) || (why = target_why(type)) == NULL ||
	    (tp = find_target(k, src, target)) == NULL || tp == k->ct_part)
		return;
	if ((r = rels_source(tp->name)) == NULL)
		mark_removed(tp, why);
	g_free(r);
}

/* The parts that a removed relationship type made active go, whatever their
 * name or declared content type says (a VBA project named media/image1.png, a
 * macro sheet declared as a worksheet, an altChunk's docm). */
static int
mark_rel_targets(struct pkg *k)
{
	int rc = 0;

	for (size_t i = 0; i < k->nparts && rc == 0; i++)
		if (k->parts[i].why == NULL)
			rc = each_relationship(k, &k->parts[i], mark_target, NULL);
	mark_rels_of_removed(k);
	return rc;
}

/* ---- images and other media --------------------------------------------- */

#define WHY_IMAGE_TYPE "image of a type that is not re-encoded (SVG, GIF, EMF/WMF, TIFF, BMP …: may hold " \
	"scripts or target a decoder / 再符号化できない画像形式)"
#define WHY_IMAGE_MISMATCH "image whose content is not its declared type (画像の種類の偽装)"
#define WHY_IMAGE_BAD "image that does not decode (damaged, or something else named as an image)"
#define WHY_MEDIA "audio or video (not re-encoded / 音声・動画)"
#define WHY_NOT_IMAGE "not an image, though named or declared as one: an OLE2 file, zip, program or PDF"

/* The internal target of an image or media relationship is an image or media
 * whatever its name and content type say (a docm behind an image relationship
 * as word/pic.dat). */
static void
note_media_target(struct pkg *k, const char *src, xmlNodePtr rel, void *data)
{
	static const char *const types[] = { "/image", "/hdphoto", "/media", "/audio", "/video" };
	const char *type = prop(rel, "Type"), *target = prop(rel, "Target");

	for (size_t i = 0; type && target && internal(rel) && i < G_N_ELEMENTS(types); i++)
		if (g_str_has_suffix(type, types[i])) {
			struct part *t = find_target(k, src, target);
			char *r = t != NULL ? rels_source(t->name) : NULL;
			if (t != NULL && t != k->ct_part && r == NULL)	/* never the package's own parts */
				g_hash_table_add(data, t);
			g_free(r);
			break;
		}
}

/* Whether a part is an image or other media: by its content type, its folder
 * (media/), or its extension. */
static bool
is_media(const struct part *p)
{
	static const char *const exts[] = { "png", "jpg", "jpeg", "jpe", "jfif", "gif", "bmp", "dib", "tif",
		"tiff", "emf", "wmf", "emz", "wmz", "svg", "svgz", "webp", "ico", "wdp", "hdp", "jxr", "pct",
		"pict", "heic", "avif", "mp3", "mp4", "m4a", "m4v", "wav", "wma", "wmv", "avi", "mov", "mpg",
		"mpeg", "mid", "midi", "aiff", "au" };
	const char *base = strrchr(p->lname, '/'), *dot;

	if (p->ctype != NULL && (g_ascii_strncasecmp(p->ctype, "image/", 6) == 0 ||
	    g_ascii_strncasecmp(p->ctype, "audio/", 6) == 0 || g_ascii_strncasecmp(p->ctype, "video/", 6) == 0))
		return true;
	if (strncmp(p->lname, "media/", 6) == 0 || strstr(p->lname, "/media/") != NULL)
		return true;
	base = base ? base + 1 : p->lname;
	if ((dot = strrchr(base, '.')) == NULL)
		return false;
	for (size_t i = 0; i < G_N_ELEMENTS(exts); i++)
		if (strcmp(dot + 1, exts[i]) == 0)
			return true;
	return false;
}

static bool
ctype_is(const struct part *p, const char *const *types, size_t n)
{
	for (size_t i = 0; p->ctype != NULL && i < n; i++)
		if (g_ascii_strcasecmp(p->ctype, types[i]) == 0)
			return true;
	return false;
}

/* Re-encodes one PNG or JPEG part as `sanitize file` does; its removals go to
 * the report under the part's name. */
static int
reencode(struct pkg *k, struct part *p, bool jpeg)
{
	struct mamori_file_report r = { 0 };
	struct mamori_error e = { 0 };
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	int rc;

	if (f == NULL)
		return nomem(k);
	rc = jpeg ? file_sanitize_jpeg(p->data, p->len, k->o, f, &r, &e)
	    : file_sanitize_png(p->data, p->len, k->o, f, &r, &e);
	if (fclose(f) != 0 && rc == 0)
		rc = MAMORI_E_NOMEM;
	if (rc == MAMORI_E_NOMEM) {
		free(buf);
		mamori_file_report_free(&r);
		return nomem(k);
	}
	if (rc != 0) {		/* does not decode, or over the pixel limit: it goes */
		free(buf);
		mamori_file_report_free(&r);
		mark_removed(p, WHY_IMAGE_BAD);
		return 0;
	}
	for (size_t i = 0; i < r.nremoved && rc == 0; i++) {
		char *what = g_strdup_printf("%s, re-encoded without it", r.removed[i].what);
		rc = file_report_add(k->rep, p->name, r.removed[i].size, what) != 0 ? nomem(k) : 0;
		g_free(what);
	}
	mamori_file_report_free(&r);
	free(p->data);
	p->data = buf;
	p->len = n;
	p->reencoded = true;
	return rc;
}

/*
 * Every image inside the package passes through the re-encoding of `sanitize
 * file` (image.c): PNG and JPEG come out as new pixels without text chunks,
 * metadata or trailing bytes.  Any other image type (SVG with its scripts, GIF,
 * EMF/WMF, TIFF …), audio and video, an image whose bytes are not its declared
 * type, and anything that does not decode goes; the references to it are cut
 * like those of any removed part (a picture keeps its frame, an SVG's PNG
 * fallback stays).
 */
static int
scrub_media(struct pkg *k)
{
	static const char *const png_types[] = { "image/png", "image/x-png" };
	static const char *const jpeg_types[] = { "image/jpeg", "image/jpg", "image/pjpeg" };
	GHashTable *targets = g_hash_table_new(g_direct_hash, g_direct_equal);
	int rc = 0;

	for (size_t i = 0; i < k->nparts && rc == 0; i++)
		if (k->parts[i].why == NULL)
			rc = each_relationship(k, &k->parts[i], note_media_target, targets);
	for (size_t i = 0; i < k->nparts && rc == 0; i++) {
		struct part *p = &k->parts[i];
		char *src = rels_source(p->name);
		bool skip = src != NULL || p == k->ct_part || p->why != NULL ||
		    !(is_media(p) || g_hash_table_contains(targets, p));
		g_free(src);
		if (skip)
			continue;
		const char *kind = mamori_file_sniff(p->data ? p->data : "", p->len);
		bool png = strcmp(kind, "png") == 0, jpeg = strcmp(kind, "jpeg") == 0;
		if ((png && ctype_is(p, png_types, G_N_ELEMENTS(png_types))) ||
		    (jpeg && ctype_is(p, jpeg_types, G_N_ELEMENTS(jpeg_types))))
			rc = reencode(k, p, jpeg);
		else if (png || jpeg)
			mark_removed(p, WHY_IMAGE_MISMATCH);
		else if (strcmp(kind, "ole2") == 0 || strcmp(kind, "zip") == 0 || strcmp(kind, "executable") == 0 ||
		    strcmp(kind, "pdf") == 0 || strcmp(kind, "script") == 0)
			mark_removed(p, WHY_NOT_IMAGE);
		else if (p->ctype != NULL && (g_ascii_strncasecmp(p->ctype, "audio/", 6) == 0 ||
		    g_ascii_strncasecmp(p->ctype, "video/", 6) == 0))
			mark_removed(p, WHY_MEDIA);
		else
			mark_removed(p, WHY_IMAGE_TYPE);
	}
	g_hash_table_destroy(targets);
	mark_rels_of_removed(k);
	return rc;
}

#define WHY_UNCHECKED "binary part of a type that is not checked (neither XML, a re-encoded image nor a font: " \
	"hidden content / 検査できない部品)"

static bool is_xml_part(const struct part *p);

/* A font, which stays (a known limit: fonts are not parsed here). */
static bool
is_font(const struct part *p)
{
	const char *dot = strrchr(p->lname, '.');
	return (p->ctype != NULL && strstr(p->ctype, "font") != NULL) ||
	    (dot != NULL && (strcmp(dot, ".odttf") == 0 || strcmp(dot, ".fntdata") == 0 || strcmp(dot, ".ttf") == 0 ||
		strcmp(dot, ".otf") == 0));
}

/*
 * What mamori neither parses nor re-encodes goes: a binary part behind a
 * relationship of a kept type (a nested docm behind a customXml
 * relationship, Excel's attachedToolbars.bin) would pass byte for byte.
 */
static void
drop_unchecked(struct pkg *k)
{
	for (size_t i = 0; i < k->nparts; i++) {
		struct part *p = &k->parts[i];
		char *src = rels_source(p->name);
		if (src == NULL && p != k->ct_part && p->why == NULL && !p->reencoded && !is_xml_part(p) && !is_font(p))
			mark_removed(p, WHY_UNCHECKED);
		g_free(src);
	}
	mark_rels_of_removed(k);
}

/* ---- parts no relationship reaches ---------------------------------------- */

struct reach {
	GPtrArray *queue;	/* struct part * to visit */
	GHashTable *seen;	/* struct part * */
};

static void
follow(struct pkg *k, const char *src, xmlNodePtr rel, void *data)
{
	struct reach *r = data;
	const char *target = prop(rel, "Target");
	struct part *tp;

	(void)src;
	if (target != NULL && internal(rel) && (tp = find_target(k, src, target)) != NULL && tp->why == NULL &&
	    g_hash_table_add(r->seen, tp))
		g_ptr_array_add(r->queue, tp);
}

/* The relationships part of a part ("" for the package). */
static struct part *
rels_of(struct pkg *k, const char *name)
{
	const char *slash = strrchr(name, '/');
	char *rn = slash ? g_strdup_printf("%.*s/_rels/%s.rels", (int)(slash - name), name, slash + 1)
	    : g_strdup_printf("_rels/%s.rels", name);
	struct part *p = find_part(k, rn);

	g_free(rn);
	return p;
}

static const char *
orphan_why(const struct part *p)
{
	const char *kind = mamori_file_sniff(p->data ? p->data : "", p->len);

	if (strcmp(kind, "ole2") == 0)
		return "part no relationship reaches (orphaned), holding an OLE2 file: a hidden VBA project or object?";
	if (strcmp(kind, "zip") == 0)
		return "part no relationship reaches (orphaned), holding a zip: a nested Office document?";
	if (strcmp(kind, "executable") == 0 || strcmp(kind, "script") == 0)
		return "part no relationship reaches (orphaned), holding a program";
	return "part no relationship reaches (orphaned: Office never reads it, other programs might)";
}

/*
 * After the scrub, only what the package's relationships reach stays: from
 * _rels/.rels down, through every kept part's relationships (as rewritten).
 * Whatever else is in the zip — the bytes of a VBA project renamed
 * media/image9.png, an x.xlsm or sub.docm dropped beside the document, a
 * relationships part of nothing — goes, whatever its name.
 */
static int
drop_unreachable(struct pkg *k)
{
	struct reach r = { g_ptr_array_new(), g_hash_table_new(g_direct_hash, g_direct_equal) };
	struct part *root = find_part(k, "_rels/.rels");
	int rc = 0;

	g_hash_table_add(r.seen, k->ct_part);
	if (root != NULL && root->why == NULL) {
		g_hash_table_add(r.seen, root);
		rc = each_relationship(k, root, follow, &r);
	}
	for (guint i = 0; i < r.queue->len && rc == 0; i++) {
		struct part *p = r.queue->pdata[i], *rp = rels_of(k, p->name);
		if (rp != NULL && rp->why == NULL && g_hash_table_add(r.seen, rp))
			rc = each_relationship(k, rp, follow, &r);
	}
	for (size_t i = 0; i < k->nparts && rc == 0; i++)
		if (k->parts[i].why == NULL && !g_hash_table_contains(r.seen, &k->parts[i]))
			mark_removed(&k->parts[i], orphan_why(&k->parts[i]));
	g_ptr_array_free(r.queue, TRUE);
	g_hash_table_destroy(r.seen);
	return rc;
}

static bool
is_rel_attr(xmlAttrPtr a)
{
	/* r:id, r:embed, r:link …, and VML's o:relid (pictures in Excel's legacy drawings) */
	return a->ns != NULL && (strcmp((const char *)a->ns->href, NS_REL) == 0 ||
	    strcmp((const char *)a->ns->href, NS_REL_STRICT) == 0 ||
	    (strcmp((const char *)a->ns->href, "urn:schemas-microsoft-com:office:office") == 0 &&
		strcmp((const char *)a->name, "relid") == 0));
}

struct fixup {
	GHashTable *dead;	/* ids */
	GPtrArray *drop;	/* elements to remove */
	GPtrArray *attrs;	/* attributes to remove */
};

/* The graphic around an object that went (see graphic_holders), or n. */
static xmlNodePtr
graphic_holder(xmlNodePtr n)
{
	xmlNodePtr target = n;

	for (xmlNodePtr up = n->parent; up != NULL && up->type == XML_ELEMENT_NODE; up = up->parent) {
		if (strcmp((const char *)up->name, "txbxContent") == 0)
			break;	/* a text box is a story of its own: what holds it is not the graphic's */
		if (IN_LIST((const char *)up->name, graphic_holders))
			target = up;
	}
	return target;
}

/* What goes for element n, whose attribute points at a removed relationship:
 * the element or something around it, or NULL when only the attribute goes. */
static xmlNodePtr
fixup_target(xmlNodePtr n)
{
	const char *name = (const char *)n->name;
	xmlNodePtr parent = n->parent;

	if (parent == NULL || parent->type != XML_ELEMENT_NODE)
		return NULL;	/* the root element stays */
	if (strcmp(name, "svgBlip") == 0 || strcmp(name, "media") == 0) {
		/* an extension element: its a:ext / p:ext goes with it */
		for (xmlNodePtr up = parent; up != NULL && up->type == XML_ELEMENT_NODE; up = up->parent)
			if (strcmp((const char *)up->name, "ext") == 0)
				return up;
		return n;
	}
	if (!IN_LIST(name, drop_elements) && (IN_LIST(name, keep_without_rel) ||
	    (n->ns != NULL && strcmp((const char *)n->ns->href, NS_VML) == 0)))
		return NULL;
	return strcmp((const char *)parent->name, "graphicData") == 0 ? graphic_holder(n) : n;
}

static void
collect_fixups(struct fixup *f, xmlNodePtr n)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (xmlAttrPtr a = n->properties; a != NULL; a = a->next) {
			if (!is_rel_attr(a) || a->children == NULL || a->children->content == NULL ||
			    !g_hash_table_contains(f->dead, a->children->content))
				continue;
			xmlNodePtr target = fixup_target(n);
			if (target != NULL)
				g_ptr_array_add(f->drop, target);
			else
				g_ptr_array_add(f->attrs, a);
		}
		collect_fixups(f, n->children);
	}
}

static int
element_children(xmlNodePtr n)
{
	int count = 0;

	for (xmlNodePtr c = n->children; c != NULL; c = c->next)
		count += c->type == XML_ELEMENT_NODE;
	return count;
}

static xmlNodePtr
child_named(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

/*
 * Whether container p goes now: left empty though it must hold something, or
 * an mc:AlternateContent left without a Choice (markup compatibility requires
 * one), whose Fallback, if any, then takes its place as a reader that knows
 * none of the choices would read it.
 */
static bool
container_goes(xmlNodePtr p)
{
	xmlNodePtr fb;

	if (strcmp((const char *)p->name, "AlternateContent") == 0 && child_named(p, "Choice") == NULL) {
		if ((fb = child_named(p, "Fallback")) != NULL)
			for (xmlNodePtr c = fb->children, next; c != NULL; c = next) {
				next = c->next;
				xmlUnlinkNode(c);
				xmlAddPrevSibling(p, c);
			}
		return true;
	}
	return IN_LIST((const char *)p->name, nonempty_containers) && element_children(p) == 0;
}

/* The containers that elements were taken from: those left empty that must
 * not be go (upwards), the others keep a true count. */
static void
fix_containers(GPtrArray *parents, int *changed)
{
	for (guint i = 0; i < parents->len; i++) {
		xmlNodePtr p = parents->pdata[i];
		while (p != NULL && p->type == XML_ELEMENT_NODE && p->parent != NULL &&
		    p->parent->type == XML_ELEMENT_NODE && container_goes(p)) {
			xmlNodePtr up = p->parent;
			/* a container still to visit that goes with p (an mc:Fallback in
			 * the AlternateContent) is not visited */
			for (guint j = i + 1; j < parents->len; j++)
				for (xmlNodePtr q = parents->pdata[j]; q != NULL; q = q->parent)
					if (q == p) {
						parents->pdata[j] = NULL;
						break;
					}
			xmlUnlinkNode(p);
			xmlFreeNode(p);
			(*changed)++;
			p = up;
		}
		if (p != NULL && p->type == XML_ELEMENT_NODE && xmlHasProp(p, (const xmlChar *)"count")) {
			char cnt[16];
			snprintf(cnt, sizeof(cnt), "%d", element_children(p));
			xmlSetProp(p, (const xmlChar *)"count", (const xmlChar *)cnt);
		}
	}
}

/* Removes, from a part whose relationships went, what pointed at them. */
static int
apply_fixups(xmlDocPtr doc, GHashTable *dead, int *changed)
{
	struct fixup f = { dead, g_ptr_array_new(), g_ptr_array_new() };
	GHashTable *set = g_hash_table_new(g_direct_hash, g_direct_equal);
	GPtrArray *top = g_ptr_array_new(), *parents = g_ptr_array_new();

	collect_fixups(&f, xmlDocGetRootElement(doc));
	for (guint i = 0; i < f.drop->len; i++)
		g_hash_table_add(set, f.drop->pdata[i]);
	/* decide everything before freeing anything: a dropped element's attribute
	 * or descendant must not be touched afterwards */
	for (guint i = 0; i < f.attrs->len; i++) {
		xmlAttrPtr a = f.attrs->pdata[i];
		bool gone = false;
		for (xmlNodePtr up = a->parent; up != NULL && !gone; up = up->parent)
			gone = g_hash_table_contains(set, up);
		if (!gone) {
			xmlRemoveProp(a);
			(*changed)++;
		}
	}
	GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	for (guint i = 0; i < f.drop->len; i++) {
		xmlNodePtr n = f.drop->pdata[i];
		bool nested = false;
		for (xmlNodePtr up = n->parent; up != NULL && !nested; up = up->parent)
			nested = g_hash_table_contains(set, up);
		if (!nested && g_hash_table_add(seen, n))	/* once, even when found twice */
			g_ptr_array_add(top, n);
	}
	/* a parent of a topmost element is neither dropped nor inside one that is */
	for (guint i = 0; i < top->len; i++) {
		xmlNodePtr parent = ((xmlNodePtr)top->pdata[i])->parent;
		bool known = false;
		for (guint j = 0; j < parents->len && !known; j++)
			known = parents->pdata[j] == parent;
		if (!known)
			g_ptr_array_add(parents, parent);
	}
	for (guint i = 0; i < top->len; i++) {
		xmlUnlinkNode(top->pdata[i]);
		xmlFreeNode(top->pdata[i]);
		(*changed)++;
	}
	fix_containers(parents, changed);
	g_hash_table_destroy(seen);
	g_hash_table_destroy(set);
	g_ptr_array_free(top, TRUE);
	g_ptr_array_free(parents, TRUE);
	g_ptr_array_free(f.drop, TRUE);
	g_ptr_array_free(f.attrs, TRUE);
	return 0;
}

/* True when a formula reaches into an external workbook: "[1]Sheet1!A1". */
static bool
formula_external(const char *s)
{
	for (const char *p = s; (p = strchr(p, '[')) != NULL; p++) {
		const char *q = p + 1;
		while (*q >= '0' && *q <= '9')
			q++;
		if (q > p + 1 && *q == ']')
			return true;
	}
	return false;
}

/* True when a formula asks another program through DDE: cmd|' /C calc'!A0.
 * "|" is no operator of Excel's, so one outside a string literal is DDE (a
 * sheet name with "|" in quotes counts too: such a formula loses only its
 * recalculation). */
static bool
formula_dde(const char *s)
{
	bool in_string = false;

	for (; *s; s++)
		if (*s == '"')
			in_string = !in_string;	/* "" inside a string toggles twice */
		else if (*s == '|' && !in_string)
			return true;
	return false;
}

/*
 * Worksheet functions that run code or fetch from outside: the first fetch a
 * URL or a server as the workbook recalculates (WEBSERVICE, IMAGE, RTD,
 * STOCKHISTORY, SQL.REQUEST) or when the reader clicks (HYPERLINK); the others
 * call into a DLL or a program (CALL, REGISTER, REGISTER.ID, EXEC), evaluate a
 * string as a formula (EVALUATE), run a macro (RUN) or talk DDE or files from a
 * defined name, where Excel 4.0 functions still work (INITIATE, EXECUTE,
 * REQUEST, POKE, FOPEN, FWRITE …).  FILTERXML only parses a string: fed by
 * WEBSERVICE it goes with it.  Any XLL add-in function (_xll.NAME) runs native
 * code of an add-in; HYPERLINK to a place in the workbook ("#Sheet!A1") opens
 * nothing and stays.
 */
static const char *const call_functions[] = {
	"WEBSERVICE", "IMAGE", "RTD", "STOCKHISTORY", "SQL.REQUEST", "HYPERLINK",
	"CALL", "REGISTER", "REGISTER.ID", "EXEC", "EVALUATE", "RUN",
	"INITIATE", "EXECUTE", "REQUEST", "POKE", "TERMINATE", "FOPEN", "FWRITE", "FWRITELN",
	"FREAD", "FREADLN", "FILES", "SEND.KEYS", "APP.ACTIVATE",
	"_xll. (XLL add-in)",	/* matched by its prefix, see call_function */
};
#define N_CALL_FUNCTIONS (sizeof(call_functions) / sizeof(call_functions[0]))
#define CALL_XLL ((int)N_CALL_FUNCTIONS - 1)
#define CALL_HYPERLINK 5

static bool
ident_byte(unsigned char c)
{
	return g_ascii_isalnum(c) || c == '_' || c == '.' || c == '\\' || c >= 0x80;
}

/* The function's index in call_functions for the identifier of n bytes at s
 * ("_xlfn.WEBSERVICE", "rtd"), or -1. */
static int
call_function(const char *s, size_t n)
{
	static const char *const prefixes[] = { "_xlfn.", "_xlws.", "_xludf." };
	bool again = true;

	while (again) {
		again = false;
		for (size_t i = 0; i < G_N_ELEMENTS(prefixes); i++) {
			size_t pl = strlen(prefixes[i]);
			if (n > pl && g_ascii_strncasecmp(s, prefixes[i], pl) == 0) {
				s += pl;
				n -= pl;
				again = true;
			}
		}
	}
	if (n > 5 && g_ascii_strncasecmp(s, "_xll.", 5) == 0)
		return CALL_XLL;
	for (size_t i = 0; i < N_CALL_FUNCTIONS; i++)
		if (strlen(call_functions[i]) == n && g_ascii_strncasecmp(s, call_functions[i], n) == 0)
			return (int)i;
	return -1;
}

/* True when the argument list that opens at q starts with a string literal
 * naming a place in the workbook: HYPERLINK("#Sheet!A1", …). */
static bool
internal_link(const char *q)
{
	for (q++; *q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'; q++)
		;
	return q[0] == '"' && q[1] == '#';
}

/* The functions of call_functions that a formula calls, as bits; string
 * literals ("…") and quoted sheet names ('…') are not read. */
static uint32_t
formula_calls(const char *s)
{
	uint32_t mask = 0;

	for (const char *p = s; *p;) {
		if (*p == '"' || *p == '\'') {
			char q = *p++;
			while (*p && !(*p == q && p[1] != q))
				p += *p == q ? 2 : 1;	/* "" and '' inside are the quote itself */
			if (*p)
				p++;
			continue;
		}
		if (!ident_byte((unsigned char)*p) || (p > s && ident_byte((unsigned char)p[-1]))) {
			p++;
			continue;
		}
		const char *b = p;
		while (*p && ident_byte((unsigned char)*p))
			p++;
		const char *q = p;
		while (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t')
			q++;
		int f = *q == '(' ? call_function(b, (size_t)(p - b)) : -1;
		if (f >= 0 && !(f == CALL_HYPERLINK && internal_link(q)))
			mask |= 1u << f;
	}
	return mask;
}

enum { FORMULA_EXTERNAL = 1, FORMULA_DDE = 2, FORMULA_CALL = 3 };

/* Which rule a formula falls under, 0 for none; the functions it calls in *calls. */
static int
formula_rule(const char *s, bool external, uint32_t *calls)
{
	uint32_t c;

	if (formula_dde(s))
		return FORMULA_DDE;
	if ((c = formula_calls(s)) != 0) {
		*calls |= c;
		return FORMULA_CALL;
	}
	return external && formula_external(s) ? FORMULA_EXTERNAL : 0;
}

/* A defined name that Excel runs by itself (Auto_Open, Auto_Close,
 * Auto_Activate, Auto_Deactivate, also with a suffix and as _xlnm.…), or one
 * that names a macro (function, vbProcedure or xlm set). */
static bool
name_runs(xmlNodePtr n)
{
	static const char *const autos[] = { "auto_open", "auto_close", "auto_activate", "auto_deactivate" };
	static const char *const flags[] = { "function", "vbProcedure", "xlm" };
	xmlChar *v = xmlGetProp(n, (const xmlChar *)"name");
	const char *name = v ? (const char *)v : "";
	bool runs = false;

	if (g_ascii_strncasecmp(name, "_xlnm.", 6) == 0)
		name += 6;
	for (size_t i = 0; i < G_N_ELEMENTS(autos); i++)
		runs = runs || g_ascii_strncasecmp(name, autos[i], strlen(autos[i])) == 0;
	xmlFree(v);
	for (size_t i = 0; i < G_N_ELEMENTS(flags) && !runs; i++) {
		xmlChar *f = xmlGetProp(n, (const xmlChar *)flags[i]);
		runs = f != NULL && (strcmp((const char *)f, "1") == 0 || g_ascii_strcasecmp((const char *)f, "true") == 0);
		xmlFree(f);
	}
	return runs;
}

static bool
is_sml(xmlNodePtr n)
{
	return n->ns != NULL && (strcmp((const char *)n->ns->href, NS_SML) == 0 ||
	    strcmp((const char *)n->ns->href, NS_SML_STRICT) == 0);
}

#define NS_XM "http://schemas.microsoft.com/office/excel/2006/main"

static bool
is_xm(xmlNodePtr n)
{
	return n->ns != NULL && strcmp((const char *)n->ns->href, NS_XM) == 0;
}

struct formulas {
	bool external;		/* the workbook's external links went */
	GPtrArray *drop;
	GHashTable *shared;	/* si of a dropped shared formula → its rule */
	GPtrArray *rules;	/* data validation and conditional format rules to drop */
	int count[4];		/* by rule */
	int validations, formats, autoruns;
	uint32_t calls;		/* call_functions seen (bits) */
};

/* The data validation or conditional format rule a formula element is in. */
static xmlNodePtr
rule_of(xmlNodePtr n)
{
	for (xmlNodePtr up = n->parent; up != NULL && up->type == XML_ELEMENT_NODE; up = up->parent)
		if (strcmp((const char *)up->name, "dataValidation") == 0 || strcmp((const char *)up->name, "cfRule") == 0)
			return up;
	return NULL;
}

static void
collect_formulas(struct formulas *f, xmlNodePtr n)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		const char *nm = (const char *)n->name;
		if ((is_sml(n) && (strcmp(nm, "formula") == 0 || strcmp(nm, "formula1") == 0 ||
		    strcmp(nm, "formula2") == 0)) || (is_xm(n) && strcmp(nm, "f") == 0)) {
			/* a rule's formula: the rule goes (it has no value to fall back on) */
			xmlChar *text = xmlNodeGetContent(n);
			xmlNodePtr r = rule_of(n);
			if (text != NULL && r != NULL && formula_rule((const char *)text, f->external, &f->calls) != 0 &&
			    (f->rules->len == 0 || f->rules->pdata[f->rules->len - 1] != r)) {
				g_ptr_array_add(f->rules, r);
				if (strcmp((const char *)r->name, "cfRule") == 0)
					f->formats++;
				else
					f->validations++;
			}
			xmlFree(text);
			continue;
		}
		if (is_sml(n) && strcmp(nm, "definedName") == 0 && name_runs(n)) {
			g_ptr_array_add(f->drop, n);
			f->autoruns++;
			continue;
		}
		if (is_sml(n) && (strcmp((const char *)n->name, "f") == 0 ||
		    strcmp((const char *)n->name, "definedName") == 0)) {
			xmlChar *text = xmlNodeGetContent(n);
			int rule = text != NULL ? formula_rule((const char *)text, f->external, &f->calls) : 0;
			if (rule != 0) {
				g_ptr_array_add(f->drop, n);
				f->count[rule]++;
				const char *t = prop(n, "t"), *si = prop(n, "si");
				if (t && si && strcmp(t, "shared") == 0)
					g_hash_table_insert(f->shared, g_strdup(si), GINT_TO_POINTER(rule));
			}
			xmlFree(text);
			continue;
		}
		collect_formulas(f, n->children);
	}
}

/* The cells that share a dropped formula (they hold only its si) go with it. */
static void
collect_shared(struct formulas *f, xmlNodePtr n)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		const char *t = prop(n, "t"), *si = prop(n, "si");
		if (strcmp((const char *)n->name, "f") == 0 && t && si && strcmp(t, "shared") == 0 &&
		    g_hash_table_contains(f->shared, si) && n->children == NULL) {
			g_ptr_array_add(f->drop, n);
			f->count[GPOINTER_TO_INT(g_hash_table_lookup(f->shared, si))]++;
		}
		collect_shared(f, n->children);
	}
}

/* An element left with no element children but those named in keep_only. */
static bool
emptied(xmlNodePtr n, const char *keep_only)
{
	for (xmlNodePtr c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && (keep_only == NULL || strcmp((const char *)c->name, keep_only) != 0))
			return false;
	return true;
}

/* Drops the rules chosen, and the containers they leave empty (an empty
 * <conditionalFormatting> or <dataValidations> is invalid; an x14 extension's
 * <ext> and <extLst> go with their only content); <dataValidations count> is
 * kept true. */
static void
drop_rules(struct formulas *f)
{
	GPtrArray *parents = g_ptr_array_new();

	for (guint i = 0; i < f->rules->len; i++) {
		xmlNodePtr r = f->rules->pdata[i];
		bool seen = false;
		for (guint j = 0; j < i && !seen; j++)
			seen = f->rules->pdata[j] == r;
		if (seen)
			continue;
		xmlNodePtr parent = r->parent;
		xmlUnlinkNode(r);
		xmlFreeNode(r);
		bool known = false;
		for (guint j = 0; j < parents->len && !known; j++)
			known = parents->pdata[j] == parent;
		if (!known)
			g_ptr_array_add(parents, parent);
	}
	for (guint i = 0; i < parents->len; i++) {
		xmlNodePtr p = parents->pdata[i];
		if (p == NULL || p->type != XML_ELEMENT_NODE)
			continue;
		const char *name = (const char *)p->name;
		if (strcmp(name, "dataValidations") == 0 && !emptied(p, NULL)) {
			int n = 0;
			for (xmlNodePtr c = p->children; c != NULL; c = c->next)
				n += c->type == XML_ELEMENT_NODE;
			char cnt[16];
			snprintf(cnt, sizeof(cnt), "%d", n);
			if (xmlHasProp(p, (const xmlChar *)"count"))
				xmlSetProp(p, (const xmlChar *)"count", (const xmlChar *)cnt);
			continue;
		}
		/* upwards while the container is left empty (x14's keep an xm:sqref) */
		while (p != NULL && p->type == XML_ELEMENT_NODE && p->parent != NULL &&
		    p->parent->type == XML_ELEMENT_NODE &&
		    (strcmp((const char *)p->name, "conditionalFormatting") == 0 ? emptied(p, "sqref") :
		    strcmp((const char *)p->name, "dataValidations") == 0 ||
		    strcmp((const char *)p->name, "conditionalFormattings") == 0 ||
		    strcmp((const char *)p->name, "ext") == 0 || strcmp((const char *)p->name, "extLst") == 0 ?
		    emptied(p, NULL) : false)) {
			xmlNodePtr up = p->parent;
			for (guint j = i + 1; j < parents->len; j++)
				if (parents->pdata[j] == p)
					parents->pdata[j] = NULL;
			xmlUnlinkNode(p);
			xmlFreeNode(p);
			p = up;
		}
	}
	g_ptr_array_free(parents, TRUE);
}

/* Formulas into removed external workbooks, DDE formulas and formulas that
 * call out (call_functions) become their cached values (the <v> beside them
 * stays; a cell without one is left empty); such defined names go, and so do
 * names that run by themselves, and data validation and conditional format
 * rules whose formulas do any of it. */
static void
drop_formulas(xmlDocPtr doc, struct formulas *f)
{
	f->drop = g_ptr_array_new();
	f->rules = g_ptr_array_new();
	f->shared = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	collect_formulas(f, xmlDocGetRootElement(doc));
	if (g_hash_table_size(f->shared) > 0)
		collect_shared(f, xmlDocGetRootElement(doc));
	for (guint i = 0; i < f->drop->len; i++) {
		xmlUnlinkNode(f->drop->pdata[i]);
		xmlFreeNode(f->drop->pdata[i]);
	}
	drop_rules(f);
	g_ptr_array_free(f->drop, TRUE);
	g_ptr_array_free(f->rules, TRUE);
	g_hash_table_destroy(f->shared);
}

/* A table that showed a query table's data (which went) becomes an ordinary
 * table: without this Excel would look for the query and repair the file. */
static int
unlink_query_tables(xmlNodePtr n)
{
	int changed = 0;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		const char *t = is_sml(n) && strcmp((const char *)n->name, "table") == 0 ? prop(n, "tableType") : NULL;
		if (t != NULL && strcmp(t, "queryTable") == 0) {
			xmlUnsetProp(n, (const xmlChar *)"tableType");
			xmlUnsetProp(n, (const xmlChar *)"connectionId");
			for (xmlNodePtr c = n->children; c != NULL; c = c->next)
				for (xmlNodePtr col = c->type == XML_ELEMENT_NODE &&
				    strcmp((const char *)c->name, "tableColumns") == 0 ? c->children : NULL;
				    col != NULL; col = col->next)
					if (col->type == XML_ELEMENT_NODE)
						xmlUnsetProp(col, (const xmlChar *)"queryTableFieldId");
			changed++;
		}
		changed += unlink_query_tables(n->children);
	}
	return changed;
}

static bool
is_xml_part(const struct part *p)
{
	size_t n = strlen(p->lname);
	return (n > 4 && strcmp(p->lname + n - 4, ".xml") == 0) ||
	    (p->ctype && (g_str_has_suffix(p->ctype, "+xml") || g_str_has_suffix(p->ctype, "/xml")));
}

static int
write_back(struct pkg *k, struct part *p, xmlDocPtr doc)
{
	xmlFree(p->out);
	p->out = NULL;
	xmlDocDumpMemoryEnc(doc, &p->out, &p->outlen, "UTF-8");
	return p->out ? 0 : fail(k, MAMORI_E_INVALID, "refused: XML part %s cannot be written back in UTF-8%s",
	    p->name, "");
}

/* One report line per kind: "DDE field …" or "3 × DDE field …". */
static int
report_count(struct pkg *k, const struct part *p, int n, const char *what)
{
	char *s = n > 1 ? g_strdup_printf("%d × %s", n, what) : g_strdup(what);
	int rc = file_report_add(k->rep, p->name, 0, s) != 0 ? nomem(k) : 0;

	g_free(s);
	return rc;
}

static int
report_scrub(struct pkg *k, const struct part *p, const struct wml_removed *w, const struct formulas *f)
{
	int rc = 0;

	for (int i = 0; i < WML_NKINDS && rc == 0; i++)
		if (w->count[i] > 0)
			rc = report_count(k, p, w->count[i], wml_what((enum wml_kind)i));
	if (rc == 0 && f->count[FORMULA_EXTERNAL] > 0)
		rc = report_count(k, p, f->count[FORMULA_EXTERNAL],
		    "formula or name into an external workbook (外部参照), replaced by its last value");
	if (rc == 0 && f->count[FORMULA_DDE] > 0)
		rc = report_count(k, p, f->count[FORMULA_DDE],
		    "DDE formula (app|topic!item: starts a program / 外部プログラム起動), replaced by its last value");
	GString *names = g_string_new(NULL);
	for (size_t i = 0; i < N_CALL_FUNCTIONS; i++)
		if (f->calls & (1u << i))
			g_string_append_printf(names, "%s%s", names->len ? ", " : "", call_functions[i]);
	if (rc == 0 && f->count[FORMULA_CALL] > 0) {
		char *w = g_strdup_printf("formula calling %s (runs code or fetches from outside / 外部呼出し), "
		    "replaced by its last value (a cell without one is left empty)", names->str);
		rc = report_count(k, p, f->count[FORMULA_CALL], w);
		g_free(w);
	}
	if (rc == 0 && f->validations > 0)
		rc = report_count(k, p, f->validations, "data validation rule whose formula runs code or fetches "
		    "from outside (入力規則: WEBSERVICE, CALL, DDE, external reference …), removed");
	if (rc == 0 && f->formats > 0)
		rc = report_count(k, p, f->formats, "conditional format rule whose formula runs code or fetches "
		    "from outside (条件付き書式: WEBSERVICE, RTD, DDE, external reference …), removed");
	if (rc == 0 && f->autoruns > 0)
		rc = report_count(k, p, f->autoruns, "name that runs a macro (_xlnm.Auto_Open, Auto_Close …, or a "
		    "macro name: 自動実行), removed");
	g_string_free(names, TRUE);
	return rc;
}

#define WHY_MACROSHEET_ROOT "Excel 4.0 macro sheet (マクロ), known by its root element whatever its " \
	"declared content type or relationship"

static bool
macro_sheet_name(const char *local, size_t n)
{
	return (n == 10 && memcmp(local, "macrosheet", 10) == 0) || (n == 14 && memcmp(local, "intlmacrosheet", 14) == 0);
}

static bool
macro_sheet_root(xmlNodePtr root)
{
	return root != NULL && macro_sheet_name((const char *)root->name, strlen((const char *)root->name));
}

/* Whether bytes (not declared as XML) start like a macro sheet: after a byte
 * order mark, white space, an XML declaration, comments and processing
 * instructions, a root element whose local name is macrosheet. */
static bool
bytes_start_macro_sheet(const char *b, size_t n)
{
	size_t i = 0;

	if (b == NULL)
		return false;
	if (n >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	for (;;) {
		while (i < n && g_ascii_isspace(b[i]))
			i++;
		if (i + 1 >= n || b[i] != '<')
			return false;
		if (b[i + 1] == '?' || b[i + 1] == '!') {
			const char *e = memchr(b + i, '>', n - i);
			if (e == NULL)
				return false;
			i = (size_t)(e - b) + 1;
			continue;
		}
		size_t s = i + 1, e = s;
		while (e < n && !g_ascii_isspace(b[e]) && b[e] != '>' && b[e] != '/')
			e++;
		const char *colon = memchr(b + s, ':', e - s);
		if (colon != NULL)
			s = (size_t)(colon - b) + 1;
		return macro_sheet_name(b + s, e - s);
	}
}

/*
 * Whether the XML in bytes is in UTF-8 (or ASCII): no byte order mark but
 * UTF-8's, and an XML declaration, if any, that names no other encoding.  A
 * part in anything else (UTF-16, a declared UTF-7 or Shift_JIS) is written
 * anew in UTF-8 from the tree mamori checked, so that no other reader decodes
 * its bytes differently.
 */
static bool
plainly_utf8(const char *b, size_t n)
{
	const char *end, *enc;

	if (b == NULL)
		return false;
	if (n >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0) {
		b += 3;
		n -= 3;
	}
	if (n < 2 || b[0] != '<' || b[1] == '\0')
		return false;
	if (n < 5 || memcmp(b, "<?xml", 5) != 0)
		return true;
	if ((end = memmem(b, n, "?>", 2)) == NULL)
		return false;
	if ((enc = memmem(b, (size_t)(end - b), "encoding", 8)) == NULL)
		return true;
	enc += 8;
	enc += strspn(enc, " \t\r\n=\"'");
	return g_ascii_strncasecmp(enc, "utf-8", 5) == 0 || g_ascii_strncasecmp(enc, "us-ascii", 8) == 0;
}

/*
 * What scrub_parts acts on, looked for in a streaming parse (libxml2's SAX2):
 * the elements of a Word field, a mail merge, an altChunk, a defined name or a
 * macro sheet's root, whatever their prefix or namespace; a query table's
 * attributes; and the text of every formula (f, formula, formula1, formula2),
 * read as the tree would give it — entity and character references resolved,
 * CDATA, comments and processing instructions as the tree's content has them,
 * in whatever encoding — and judged by the very formula_rule the tree uses.
 * The scan builds no tree: a 76 MB sheet stays at the memory of one buffer.
 */
static const char *const scrub_elements[] = {
	"fldChar", "instrText", "delInstrText", "fldSimple", "mailMerge", "altChunk", "definedName",
	"macrosheet", "intlmacrosheet",
};
static const char *const scrub_attributes[] = { "tableType", "connectionId", "queryTableFieldId" };
static const char *const formula_elements[] = { "f", "formula", "formula1", "formula2" };

struct scan {
	xmlParserCtxtPtr ctxt;
	int max_depth, depth;
	int formula_depth;	/* the depth of the formula element being read, or 0 */
	GString *formula;
	bool external;		/* the workbook's external links went */
	bool needs_tree;	/* something to act on (or to refuse: the tree says what) */
};

static void
scan_stop(struct scan *st)
{
	st->needs_tree = true;
	xmlStopParser(st->ctxt);
}

static void
scan_start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri, int nns,
    const xmlChar **ns, int nattrs, int ndefaulted, const xmlChar **attrs)
{
	struct scan *st = ctx;

	(void)prefix, (void)uri, (void)nns, (void)ns, (void)ndefaulted;
	if (st->needs_tree)
		return;
	/* an element inside a formula (x14's formula1 holds an xm:f; anything else
	 * is odd): the tree reads each, so the tree decides */
	if (++st->depth > st->max_depth || IN_LIST((const char *)local, scrub_elements) || st->formula_depth > 0) {
		scan_stop(st);
		return;
	}
	for (int i = 0; i < nattrs; i++)	/* five pointers each: local name, prefix, URI, value, end */
		if (IN_LIST((const char *)attrs[5 * i], scrub_attributes)) {
			scan_stop(st);
			return;
		}
	if (st->formula_depth == 0 && IN_LIST((const char *)local, formula_elements)) {
		st->formula_depth = st->depth;
		g_string_truncate(st->formula, 0);
	}
}

static void
scan_end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
	struct scan *st = ctx;
	uint32_t calls = 0;

	(void)local, (void)prefix, (void)uri;
	if (st->needs_tree)
		return;
	if (st->formula_depth == st->depth) {
		st->formula_depth = 0;
		if (formula_rule(st->formula->str, st->external, &calls) != 0)
			scan_stop(st);
	}
	st->depth--;
}

static void
scan_text(void *ctx, const xmlChar *text, int len)
{
	struct scan *st = ctx;

	if (st->formula_depth > 0 && !st->needs_tree)
		g_string_append_len(st->formula, (const char *)text, len);
}

static void
scan_doctype(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	(void)name, (void)ext, (void)sys;
	scan_stop(ctx);		/* parse_part refuses it */
}

static void
scan_quiet(void *ctx, const xmlError *e)
{
	(void)ctx, (void)e;
}

/*
 * Whether scrub_parts must build the part's tree: true when the streaming
 * parse finds anything the scrub acts on, or anything parse_part refuses
 * (not well-formed, a DOCTYPE, too deep), so that the tree path says why.
 * False only when the whole part parsed and held nothing of it: then its
 * bytes, which libxml2 has just read, stay as they are.  Building the tree of
 * every part took a 76 MB sheet from 0.1 to 0.9 GB of memory; the scan does not.
 */
static bool
scan_needs_tree(struct pkg *k, const struct part *p)
{
	const char *b = p->out ? (const char *)p->out : p->data;
	size_t n = p->out ? (size_t)p->outlen : p->len, first = n < 4 ? n : 4;
	struct scan st = { .max_depth = k->o->limits.max_xml_depth, .external = k->had_external_links };
	xmlSAXHandler sax;

	if (b == NULL || n > (size_t)INT32_MAX)
		return true;
	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = scan_start;
	sax.endElementNs = scan_end;
	sax.characters = scan_text;
	sax.cdataBlock = scan_text;
	sax.internalSubset = scan_doctype;
	sax.serror = (xmlStructuredErrorFunc)scan_quiet;
	if ((st.formula = g_string_new(NULL)) == NULL ||
	    (st.ctxt = xmlCreatePushParserCtxt(&sax, &st, b, (int)first, p->name)) == NULL) {
		if (st.formula != NULL)
			g_string_free(st.formula, TRUE);
		return true;
	}
	xmlCtxtUseOptions(st.ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	/* fed a megabyte at a time: the parser keeps only what it has not read yet */
	for (size_t off = first; !st.needs_tree && st.ctxt->wellFormed;) {
		size_t chunk = n - off < (1u << 20) ? n - off : (1u << 20);
		xmlParseChunk(st.ctxt, b + off, (int)chunk, off + chunk == n);
		off += chunk;
		if (off == n)
			break;
	}
	if (!st.ctxt->wellFormed || st.depth != 0)
		st.needs_tree = true;
	xmlFreeParserCtxt(st.ctxt);
	g_string_free(st.formula, TRUE);
	return st.needs_tree;
}

/*
 * Word imports the part a w:altChunk names whatever type its relationship
 * claims (aFChunk, or customXml, image …): wml_scrub removes the element, and
 * its relationship id is noted here as dead, so that rewrite_rels removes the
 * relationship and drop_unreachable the part.
 */
static void
note_alt_chunks(struct part *p, xmlNodePtr n)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)n->name, "altChunk") != 0) {
			note_alt_chunks(p, n->children);
			continue;
		}
		for (xmlAttrPtr a = n->properties; a != NULL; a = a->next) {
			if (!is_rel_attr(a) || a->children == NULL || a->children->content == NULL)
				continue;
			if (p->dead_ids == NULL)
				p->dead_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
			g_hash_table_add(p->dead_ids, g_strdup((const char *)a->children->content));
		}
	}
}

/*
 * Active content inside the parts that stay: Word fields and mail merge
 * sources, DDE formulas (and formulas into removed external links), tables of
 * removed query tables.  Every XML part is looked at, whatever its content
 * type claims: the rules act on WordprocessingML and SpreadsheetML elements
 * wherever they are.  Runs before the relationships are rewritten, so that a
 * calculation chain made stale here goes with its relationship.
 */
static int
scrub_parts(struct pkg *k)
{
	bool formulas_went = false;
	int rc = 0;

	for (size_t i = 0; i < k->nparts && rc == 0; i++) {
		struct part *p = &k->parts[i];
		char *src = rels_source(p->name);
		bool rels = src != NULL;
		xmlDocPtr doc = NULL;

		g_free(src);
		if (rels || p == k->ct_part || p->why != NULL)
			continue;
		if (!is_xml_part(p)) {
			/* not declared XML, but Excel reads any part a worksheet relationship
			 * reaches: one that starts like a macro sheet goes all the same */
			if (bytes_start_macro_sheet(p->data, p->len))
				mark_removed(p, WHY_MACROSHEET_ROOT);
			continue;
		}
		/* a part in another encoding than UTF-8 is always written anew in
		 * UTF-8: what is kept is then what was read, whoever reads it */
		bool utf8 = plainly_utf8(p->out ? (const char *)p->out : p->data, p->out ? (size_t)p->outlen : p->len);
		if (utf8 && !scan_needs_tree(k, p))
			continue;
		if ((rc = parse_part(k, p, &doc)) != 0)
			break;
		struct wml_removed w = { { 0 } };
		struct formulas f = { .external = k->had_external_links };
		if (macro_sheet_root(xmlDocGetRootElement(doc))) {
			mark_removed(p, WHY_MACROSHEET_ROOT);
			xmlFreeDoc(doc);
			continue;
		}
		note_alt_chunks(p, xmlDocGetRootElement(doc));
		int changed = wml_scrub(doc, &w);
		drop_formulas(doc, &f);
		int nf = f.count[FORMULA_EXTERNAL] + f.count[FORMULA_DDE] + f.count[FORMULA_CALL];
		changed += nf + f.validations + f.formats + f.autoruns + unlink_query_tables(xmlDocGetRootElement(doc));
		formulas_went = formulas_went || nf > 0;
		rc = report_scrub(k, p, &w, &f);
		if (rc == 0 && (changed > 0 || !utf8))
			rc = write_back(k, p, doc);
		xmlFreeDoc(doc);
	}
	/* cells that lost their formulas must leave the calculation chain, which
	 * Excel rebuilds; the chain of a workbook with external links went already */
	for (size_t i = 0; formulas_went && i < k->nparts; i++)
		if (k->parts[i].ctype && strcmp(k->parts[i].ctype, CT_CALC_CHAIN) == 0)
			mark_removed(&k->parts[i], WHY_CALC_CHAIN);
	mark_rels_of_removed(k);
	return rc;
}

/* Rewrites the XML parts that pointed at removed relationships. */
static int
rewrite_sources(struct pkg *k)
{
	int rc = 0;

	for (size_t i = 0; i < k->nparts && rc == 0; i++) {
		struct part *p = &k->parts[i];
		int changed = 0;
		xmlDocPtr doc = NULL;

		if (p->why != NULL || p->dead_ids == NULL || !is_xml_part(p))
			continue;
		if ((rc = parse_part(k, p, &doc)) != 0)
			break;
		apply_fixups(doc, p->dead_ids, &changed);
		if (changed > 0)
			rc = write_back(k, p, doc);
		xmlFreeDoc(doc);
	}
	return rc;
}

/* [Content_Types].xml without the removed parts and without macro types. */
static int
rewrite_content_types(struct pkg *k, const struct main_type *mt)
{
	xmlNodePtr root = xmlDocGetRootElement(k->ct), next;

	for (xmlNodePtr n = root->children; n != NULL; n = next) {
		next = n->next;
		if (n->type != XML_ELEMENT_NODE)
			continue;
		const char *ct = prop(n, "ContentType");
		bool drop = false;
		if (strcmp((const char *)n->name, "Override") == 0) {
			const char *pn = prop(n, "PartName");
			struct part *p = pn && pn[0] == '/' ? find_part(k, pn + 1) : NULL;
			drop = p != NULL && p->why != NULL;
			if (!drop && mt->out_ctype != NULL && ct != NULL && strcmp(ct, mt->ctype) == 0)
				xmlSetProp(n, (const xmlChar *)"ContentType", (const xmlChar *)mt->out_ctype);
		} else if (strcmp((const char *)n->name, "Default") == 0 && ct != NULL) {
			for (size_t t = 0; t < sizeof(removed_types) / sizeof(removed_types[0]); t++)
				drop = drop || g_ascii_strcasecmp(ct, removed_types[t].ctype) == 0;
		}
		if (drop) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		}
	}
	xmlDocDumpMemoryEnc(k->ct, &k->ct_part->out, &k->ct_part->outlen, "UTF-8");
	return k->ct_part->out ? 0 : fail(k, MAMORI_E_INVALID,
	    "refused: [Content_Types].xml cannot be written back in UTF-8%s%s", "", "");
}

/* The main part's type, from the package relationship "officeDocument". */
static const struct main_type *
main_type(struct pkg *k, struct part **main, int *rc)
{
	struct part *rels = find_part(k, "_rels/.rels");
	xmlDocPtr doc = NULL;
	const struct main_type *mt = NULL;

	*rc = 0;
	if (rels == NULL || (*rc = parse_part(k, rels, &doc)) != 0)
		return NULL;
	for (xmlNodePtr n = xmlDocGetRootElement(doc)->children; n != NULL && mt == NULL; n = n->next) {
		/* only Relationship elements: what Office reads, and what drop_unreachable follows */
		const char *type = n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "Relationship") == 0 ?
		    prop(n, "Type") : NULL, *target = type ? prop(n, "Target") : NULL;
		if (type == NULL || target == NULL || !g_str_has_suffix(type, "/officeDocument"))
			continue;
		char *t = resolve_target("", target);
		struct part *p = find_part(k, t);
		g_free(t);
		for (size_t i = 0; p && p->ctype && i < sizeof(main_types) / sizeof(main_types[0]); i++)
			if (g_ascii_strcasecmp(p->ctype, main_types[i].ctype) == 0) {
				mt = &main_types[i];
				*main = p;
			}
	}
	xmlFreeDoc(doc);
	return mt;
}

/* Writes the new zip: every kept part in the original order. */
static int
write_zip(struct pkg *k, FILE *out)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *zo;
	int rc = 0;

	zip_error_init(&ze);
	if ((src = zip_source_buffer_create(NULL, 0, 0, &ze)) == NULL ||
	    (zo = zip_open_from_source(src, ZIP_TRUNCATE, &ze)) == NULL) {
		if (src != NULL)
			zip_source_free(src);
		zip_error_fini(&ze);
		return nomem(k);
	}
	zip_source_keep(src);
	for (size_t i = 0; i < k->nparts && rc == 0; i++) {
		struct part *p = &k->parts[i];
		if (p->why != NULL)
			continue;
		zip_source_t *s = p->out ? zip_source_buffer(zo, p->out, (zip_uint64_t)p->outlen, 0)
		    : zip_source_buffer(zo, p->data, p->len, 0);
		zip_int64_t idx = s ? zip_file_add(zo, p->name, s, ZIP_FL_ENC_UTF_8) : -1;
		if (idx < 0) {
			if (s != NULL)
				zip_source_free(s);
			rc = fail(k, MAMORI_E_NOMEM, "cannot add %s to the new zip: %s", p->name, zip_strerror(zo));
			break;
		}
		if (p->mtime > 0)
			zip_file_set_mtime(zo, (zip_uint64_t)idx, p->mtime, 0);
	}
	if (rc != 0) {
		zip_discard(zo);
	} else if (zip_close(zo) != 0) {
		rc = fail(k, MAMORI_E_NOMEM, "cannot write the new zip: %s%s", zip_strerror(zo), "");
		zip_discard(zo);
	} else if (zip_source_open(src) == 0) {
		char buf[65536];
		zip_int64_t r;
		while (rc == 0 && (r = zip_source_read(src, buf, sizeof(buf))) > 0)
			rc = file_write(out, buf, (size_t)r, k->err);
		zip_source_close(src);
	} else {
		rc = nomem(k);
	}
	zip_source_free(src);
	zip_error_fini(&ze);
	return rc;
}

int
mamori_sanitize_ooxml(const char *in, size_t len, const struct mamori_file_opts *opts,
    FILE *out, struct mamori_file_report *rep, struct mamori_error *err)
{
	struct mamori_file_opts o = file_opts_resolve(opts);
	struct pkg k = { &o, rep, err, NULL, 0, NULL, NULL, NULL, false };
	zip_error_t ze;
	zip_source_t *src = NULL;
	zip_t *za = NULL;
	const struct main_type *mt;
	struct part *main = NULL;
	int rc = 0, nrem = 0, nrew = 0;

	rep->type = "zip";
	rep->in_size = len;
	zip_error_init(&ze);
	k.by_name = g_hash_table_new(g_str_hash, g_str_equal);
	if ((src = zip_source_buffer_create(in, len, 0, &ze)) == NULL) {
		rc = nomem(&k);
		goto out;
	}
	if ((za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze)) == NULL) {
		zip_source_free(src);
		rc = mamori_error_set(err, MAMORI_E_INVALID, "refused: damaged zip: %s", zip_error_strerror(&ze));
		goto out;
	}
	if ((rc = read_entries(&k, za)) != 0)
		goto out;
	k.ct_part = find_part(&k, "[Content_Types].xml");
	if (k.ct_part == NULL || find_part(&k, "_rels/.rels") == NULL) {
		rep->unsupported = true;
		rc = mamori_error_set(err, MAMORI_E_INVALID,
		    "refused: a zip archive that is not an Office document (no [Content_Types].xml or _rels/.rels); "
		    "archives are not unpacked");
		goto out;
	}
	if ((rc = parse_part(&k, k.ct_part, &k.ct)) != 0 || (rc = content_types(&k)) != 0)
		goto out;
	if ((mt = main_type(&k, &main, &rc)) == NULL) {
		if (rc == 0) {
			rep->unsupported = true;
			rc = mamori_error_set(err, MAMORI_E_INVALID,
			    "refused: an OPC package whose main part is not a Word, Excel or PowerPoint document "
			    "(docx/xlsx/pptx and their macro and template forms)");
		}
		goto out;
	}
	rep->type = mt->kind;
	choose_removed(&k);
	if ((rc = mark_rel_targets(&k)) != 0)
		goto out;
	if (main->why != NULL) {
		rc = mamori_error_set(err, MAMORI_E_INVALID, "refused: the main document %s is itself active content (%s)",
		    main->name, main->why);
		goto out;
	}
	/* what nothing reaches goes before it is read (it need not even be XML),
	 * so that what drop_unchecked finds is reached */
	if ((rc = drop_unreachable(&k)) != 0 || (rc = scrub_parts(&k)) != 0 || (rc = scrub_media(&k)) != 0)
		goto out;
	drop_unchecked(&k);
	for (size_t i = 0; i < k.nparts && rc == 0; i++) {
		struct part *p = &k.parts[i];
		char *s = rels_source(p->name);
		if (s != NULL && p->why == NULL)
			rc = rewrite_rels(&k, p);
		g_free(s);
	}
	/* what the relationships no longer reach goes; then what pointed at it */
	if (rc != 0 || (rc = drop_unreachable(&k)) != 0)
		goto out;
	/* an officeDocument relationship marked External went: the main document
	 * with it, and a package without one is no document */
	if (main->why != NULL) {
		rc = mamori_error_set(err, MAMORI_E_INVALID, "refused: the main document %s is itself active content (%s)",
		    main->name, main->why);
		goto out;
	}
	if ((rc = rewrite_sources(&k)) != 0 || (rc = rewrite_content_types(&k, mt)) != 0)
		goto out;
	for (size_t i = 0; i < k.nparts; i++) {
		struct part *p = &k.parts[i];
		if (p->why != NULL) {
			nrem++;
			if (file_report_add(rep, p->name, p->size, p->why) != 0) {
				rc = nomem(&k);
				goto out;
			}
		} else if (p->out != NULL) {
			nrew++;
		}
	}
	if ((rc = write_zip(&k, out)) != 0)
		goto out;
	rep->output_type = mt->out_kind;
	snprintf(rep->detail, sizeof(rep->detail), "%zu parts: %d removed, %d rewritten", k.nparts, nrem, nrew);
	if (mt->out_ctype != NULL)
		snprintf(rep->notice, sizeof(rep->notice),
		    "the result has no macros: give it the extension .%s (マクロを除いた文書です。拡張子は .%s にしてください)",
		    mt->out_kind, mt->out_kind);
out:
	if (za != NULL)
		zip_discard(za);
	for (size_t i = 0; i < k.nparts; i++) {
		free(k.parts[i].name);
		g_free(k.parts[i].lname);
		free(k.parts[i].data);
		xmlFree(k.parts[i].out);
		if (k.parts[i].dead_ids)
			g_hash_table_destroy(k.parts[i].dead_ids);
	}
	free(k.parts);
	if (k.ct != NULL)
		xmlFreeDoc(k.ct);
	g_hash_table_destroy(k.by_name);
	zip_error_fini(&ze);
	return rc;
}
