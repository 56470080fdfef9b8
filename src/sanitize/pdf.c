/*
 * pdf.c — a PDF becomes a new PDF of rasterised pages: poppler renders each
 * page into an image at the chosen resolution, cairo writes a PDF holding only
 * those images.  Text, fonts, scripts, forms, links, attachments and every other
 * object of the original are gone by design; the report says what was there:
 * what poppler can say (document JavaScript, links by action, form
 * fields and their scripts, attachment and media annotations), and from a scan
 * of the file's objects what it cannot (embedded files, /OpenAction, /AA, XFA, submit and import
 * actions …), so that no active content is left out of the report.
 */
#include "file_internal.h"
#include "mamori/sanitize.h"

#include <zlib.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poppler.h>
#include <string.h>

struct pdf_sink {
	FILE *out;
	bool failed;
	int error;
};

static cairo_status_t
pdf_write(void *closure, const unsigned char *data, unsigned int length)
{
	struct pdf_sink *s = closure;

	if (s->failed || (length > 0 && fwrite(data, 1, length, s->out) != length)) {
		if (!s->failed)
			s->error = errno;
		s->failed = true;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

static gboolean
count_bytes(const gchar *buf, gsize count, gpointer data, GError **error)
{
	(void)buf;
	(void)error;
	*(uint64_t *)data += count;
	return TRUE;
}

/* What the pages' links, fields and annotations hold, counted over the document. */
struct found {
	int links, uri, launch, js, remote, media, other_actions;
	int fields, field_scripts, file_annots, media_annots;
	bool javascript;
	int listed;		/* link targets listed one by one (at most 20) */
};

static int
list_target(struct mamori_file_report *rep, struct found *f, const char *target, const char *what)
{
	if (f->listed >= 20 || target == NULL)
		return 0;
	f->listed++;
	char *d = mamori_defang_url(g_utf8_validate(target, -1, NULL) ? target : "(?)");
	int rc = file_report_add(rep, d ? d : "(?)", 0, what);
	free(d);
	return rc;
}

static int
note_action(PopplerAction *a, struct found *f, struct mamori_file_report *rep)
{
	if (a == NULL)
		return 0;
	switch (a->type) {
	case POPPLER_ACTION_URI:
		f->uri++;
		return list_target(rep, f, a->uri.uri, "link to a web address (リンク)");
	case POPPLER_ACTION_LAUNCH:
		f->launch++;
		return list_target(rep, f, a->launch.file_name, "link that starts a program or opens a file (/Launch)");
	case POPPLER_ACTION_JAVASCRIPT:
		f->js++;
		return 0;
	case POPPLER_ACTION_GOTO_REMOTE:
		f->remote++;
		return list_target(rep, f, a->goto_remote.file_name, "link that opens another file (/GoToR)");
	case POPPLER_ACTION_MOVIE:
	case POPPLER_ACTION_RENDITION:
		f->media++;
		return 0;
	case POPPLER_ACTION_NONE:
	case POPPLER_ACTION_GOTO_DEST:
	case POPPLER_ACTION_NAMED:
		return 0;
	default:
		f->other_actions++;
		return 0;
	}
}

/* The links, form fields and annotations of one page. */
static int
note_page(PopplerPage *page, struct found *f, struct mamori_file_report *rep)
{
	int rc = 0;
	GList *lm = poppler_page_get_link_mapping(page);

	for (GList *l = lm; l != NULL && rc == 0; l = l->next) {
		f->links++;
		rc = note_action(((PopplerLinkMapping *)l->data)->action, f, rep);
	}
	poppler_page_free_link_mapping(lm);
	GList *fm = poppler_page_get_form_field_mapping(page);
	for (GList *l = fm; l != NULL && rc == 0; l = l->next) {
		PopplerFormField *field = ((PopplerFormFieldMapping *)l->data)->field;
		f->fields++;
		PopplerAction *a = poppler_form_field_get_action(field);
		if (a != NULL && a->type == POPPLER_ACTION_JAVASCRIPT)
			f->field_scripts++;
		else
			rc = note_action(a, f, rep);
		for (int t = POPPLER_ADDITIONAL_ACTION_FIELD_MODIFIED; t <= POPPLER_ADDITIONAL_ACTION_CALCULATE_FIELD; t++) {
			a = poppler_form_field_get_additional_action(field, (PopplerAdditionalActionType)t);
			if (a != NULL && a->type == POPPLER_ACTION_JAVASCRIPT)
				f->field_scripts++;
		}
	}
	poppler_page_free_form_field_mapping(fm);
	GList *am = poppler_page_get_annot_mapping(page);
	for (GList *l = am; l != NULL && rc == 0; l = l->next) {
		PopplerAnnot *an = ((PopplerAnnotMapping *)l->data)->annot;
		switch (poppler_annot_get_annot_type(an)) {
		case POPPLER_ANNOT_FILE_ATTACHMENT: {
			PopplerAttachment *att = poppler_annot_file_attachment_get_attachment(POPPLER_ANNOT_FILE_ATTACHMENT(an));
			uint64_t size = 0;
			f->file_annots++;
			if (att != NULL) {
				poppler_attachment_save_to_callback(att, count_bytes, &size, NULL);
				rc = file_report_add(rep, att->name && g_utf8_validate(att->name, -1, NULL) ? att->name : "(名前なし)",
				    size, "file attached to a page (添付ファイル注釈)");
				g_object_unref(att);
			}
			break;
		}
		case POPPLER_ANNOT_MOVIE:
		case POPPLER_ANNOT_SCREEN:
		case POPPLER_ANNOT_SOUND:
			f->media_annots++;
			break;
		default:
			break;
		}
	}
	poppler_page_free_annot_mapping(am);
	return rc;
}

/*
 * A scan of the PDF's objects for what poppler-glib cannot say: the catalog's
 * /OpenAction, /AA (additional actions of the document, pages and fields), an
 * XFA form, submit and import actions, and, as a second opinion, the names of
 * what it can say.  Names are read as PDF reads them (#xx escapes decoded:
 * /Open#41ction is /OpenAction), and compressed object streams (FlateDecode;
 * known by their dictionary or by how their data starts) are inflated and
 * scanned too, at most 64 MiB in all.  What it cannot read (an object stream
 * behind another filter, an encrypted file's) is listed as such.  A scan, not
 * a parser: it reads names wherever they are, strings included.
 */
enum pdf_key { K_OPENACTION, K_AA, K_JS, K_LAUNCH, K_URI, K_EMBEDDED, K_XFA, K_ACROFORM, K_RICHMEDIA,
	K_SUBMIT, K_IMPORT, K_GOTOR, K_GOTOE, K_NKEYS };

static const struct {
	const char *name[2];
	const char *what;
} pdf_keys[K_NKEYS] = {
	[K_OPENACTION] = { { "OpenAction", NULL }, "action run when the document is opened (/OpenAction: JavaScript, a link or a program)" },
	[K_AA] = { { "AA", NULL }, "additional actions run on opening/closing a page, printing, saving or typing in a field (/AA)" },
	[K_JS] = { { "JS", NULL }, "JavaScript action (/JS)" },
	[K_LAUNCH] = { { "Launch", NULL }, "action that starts a program or opens a file (/Launch)" },
	[K_URI] = { { "URI", NULL }, "web address action (/URI)" },
	[K_EMBEDDED] = { { "EmbeddedFile", "EmbeddedFiles" }, "embedded files (添付ファイル; /EmbeddedFile)" },
	[K_XFA] = { { "XFA", NULL }, "XFA form (/XFA: a form program of its own)" },
	[K_ACROFORM] = { { "AcroForm", NULL }, "interactive form (/AcroForm)" },
	[K_RICHMEDIA] = { { "RichMedia", NULL }, "rich media (Flash/video: /RichMedia)" },
	[K_SUBMIT] = { { "SubmitForm", NULL }, "action that sends the form's data away (/SubmitForm)" },
	[K_IMPORT] = { { "ImportData", NULL }, "action that imports data from a file (/ImportData)" },
	[K_GOTOR] = { { "GoToR", NULL }, "action that opens another PDF (/GoToR)" },
	[K_GOTOE] = { { "GoToE", NULL }, "action that opens an embedded PDF (/GoToE)" },
};

/* Names seen since the last stream or endobj: the dictionary of the next stream. */
struct pdf_dict {
	bool objstm;		/* /ObjStm, or /N and /First (all poppler needs of one) */
	bool first, n, xref;
	bool other_filter, predictor;
	int flates;		/* FlateDecode filters */
};

struct pdf_scan {
	int count[K_NKEYS];
	struct pdf_dict dict;
	bool encrypted;		/* the trailer names /Encrypt: every stream is ciphertext */
	bool xref_stream;	/* a cross-reference stream: objects may be compressed */
	int objstms, unread;	/* object streams seen, and those the scan could not read */
	size_t inflated;
};

/* Stream filters other than Flate, by full and abbreviated name (poppler takes
 * either): an object stream behind one is not read by the scan. */
static bool
other_filter(const char *name)
{
	static const char *const f[] = { "ASCIIHexDecode", "AHx", "ASCII85Decode", "A85", "LZWDecode", "LZW",
		"RunLengthDecode", "RL", "Crypt", "CCITTFaxDecode", "CCF", "DCTDecode", "DCT", "JBIG2Decode",
		"JPXDecode" };

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (strcmp(name, f[i]) == 0)
			return true;
	return false;
}

static bool
pdf_space(unsigned char c)
{
	return c == 0 || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool
pdf_delim(unsigned char c)
{
	return pdf_space(c) || c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '{' ||
	    c == '}' || c == '/' || c == '%';
}

static int
hexval(unsigned char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void scan_pdf(struct pdf_scan *sc, const unsigned char *b, size_t n, int depth);

/*
 * Inflates the zlib data at b (at most n bytes) into a malloc'd buffer of at
 * most cap bytes (*have of them); *ok is false when the data does not inflate.
 * NULL when memory runs out.
 */
static unsigned char *
pdf_inflate(const unsigned char *b, size_t n, size_t cap, size_t *have, bool *ok)
{
	z_stream z = { 0 };
	size_t size = cap < (1u << 16) ? cap : 1u << 16;
	unsigned char *out;
	int r = Z_OK;

	*have = 0;
	*ok = false;
	if (cap == 0 || inflateInit(&z) != Z_OK)
		return NULL;
	if ((out = malloc(size)) == NULL) {
		inflateEnd(&z);
		return NULL;
	}
	z.next_in = (Bytef *)b;
	z.avail_in = n > UINT_MAX ? UINT_MAX : (uInt)n;
	for (;;) {
		if (*have == size) {
			unsigned char *m = size < cap ? realloc(out, size * 2 < cap ? size * 2 : cap) : NULL;
			if (m == NULL)
				break;
			out = m;
			size = size * 2 < cap ? size * 2 : cap;
		}
		z.next_out = out + *have;
		z.avail_out = (uInt)(size - *have);
		r = inflate(&z, Z_NO_FLUSH);
		*have = size - z.avail_out;
		if (r != Z_OK)
			break;
	}
	inflateEnd(&z);
	*ok = r == Z_STREAM_END || r == Z_OK || r == Z_BUF_ERROR;
	return out;
}

/* Whether b starts with a zlib header (what Flate data starts with). */
static bool
zlib_header(const unsigned char *b, size_t n)
{
	return n >= 2 && (b[0] & 0x0F) == 8 && (b[0] >> 4) <= 7 && ((unsigned)b[0] << 8 | b[1]) % 31 == 0;
}

/*
 * pdf_inflate, again while what comes out is Flate data itself (a stream behind
 * [/FlateDecode /FlateDecode]; what an object stream holds never starts like
 * that), at most four times.  Every layer's output is taken from *budget, so
 * that layers of bombs cost no more than one.
 */
static unsigned char *
pdf_inflate_all(const unsigned char *b, size_t n, size_t *budget, size_t *have, bool *ok)
{
	unsigned char *out = pdf_inflate(b, n, *budget, have, ok);

	*budget -= out != NULL ? *have : 0;
	for (int layer = 1; layer < 4 && out != NULL && *ok && zlib_header(out, *have); layer++) {
		size_t h;
		unsigned char *next = pdf_inflate(out, *have, *budget, &h, ok);
		free(out);
		out = next;
		*have = h;
		*budget -= out != NULL ? h : 0;
	}
	return out;
}

/* Inflates the stream whose data starts at b (at most n bytes) and scans it,
 * at most 64 MiB over the file; false when it does not inflate. */
static bool
scan_objstm(struct pdf_scan *sc, const unsigned char *b, size_t n, int depth)
{
	const size_t cap = 64u << 20;
	size_t have, budget;
	bool ok;

	if (depth > 0 || sc->inflated >= cap)
		return false;
	budget = cap - sc->inflated;
	unsigned char *out = pdf_inflate_all(b, n, &budget, &have, &ok);
	sc->inflated = cap - budget;
	if (out == NULL)
		return false;
	scan_pdf(sc, out, have, depth + 1);
	free(out);
	return ok;
}

/* Reads an unsigned integer at b[*i]; false when there is none. */
static bool
pdf_uint(const unsigned char *b, size_t n, size_t *i)
{
	size_t s = *i;

	while (*i < n && b[*i] >= '0' && b[*i] <= '9')
		(*i)++;
	return *i > s;
}

/*
 * Whether inflated data starts as an object stream does: pairs of integers
 * (object number, offset), then an object — not an operator, which is what
 * follows the numbers of a content stream ("1 0 0 1 72 720 cm").  So that an
 * object stream without /Type /ObjStm, or whose dictionary a trick hid from
 * the scan, is still read.
 */
static bool
looks_like_objstm(const unsigned char *b, size_t n)
{
	size_t i = 0, last = 0;
	int pairs = 0;

	for (;;) {
		while (i < n && pdf_space(b[i]))
			i++;
		last = i;
		if (!pdf_uint(b, n, &i) || i >= n || !pdf_space(b[i]))
			break;
		while (i < n && pdf_space(b[i]))
			i++;
		if (!pdf_uint(b, n, &i) || (i < n && !pdf_space(b[i])))
			break;
		pairs++;
		if (i >= n)
			return true;	/* a header longer than what was inflated */
	}
	if (pairs == 0 || last >= n)
		return pairs > 0;
	i = last;
	if (pdf_uint(b, n, &i))		/* an odd number: an object that is a number */
		while (i < n && pdf_space(b[i]))
			i++;
	else
		i = last;
	if (i >= n)
		return true;
	if (b[i] == '<' || b[i] == '[' || b[i] == '(' || b[i] == '/')
		return true;
	return (n - i >= 4 && (memcmp(b + i, "true", 4) == 0 || memcmp(b + i, "null", 4) == 0)) ||
	    (n - i >= 5 && memcmp(b + i, "false", 5) == 0);
}

/* Whether the Flate data at b inflates to the start of an object stream
 * (a few KiB are enough to tell). */
static bool
sniff_objstm(const unsigned char *b, size_t n)
{
	size_t have, budget = 16u << 10;
	bool ok;
	unsigned char *out = pdf_inflate_all(b, n, &budget, &have, &ok);
	bool r = out != NULL && have > 0 && looks_like_objstm(out, have);

	free(out);
	return r;
}

/* The number after a name at b (white space first), or -1. */
static long
pdf_int_after(const unsigned char *b, size_t n)
{
	size_t i = 0;
	long v = 0;

	while (i < n && pdf_space(b[i]))
		i++;
	if (i >= n || b[i] < '0' || b[i] > '9')
		return -1;
	for (; i < n && b[i] >= '0' && b[i] <= '9' && v < 1000; i++)
		v = v * 10 + (b[i] - '0');
	return v;
}

/*
 * At the data of a stream.  Flate data is read as an object stream when the
 * dictionary says it is one or when it inflates to the start of one (names
 * planted elsewhere, or a string holding "endobj", can mislead what the scan
 * takes for the dictionary; the data cannot lie about what it is), inflated
 * and scanned.  An object stream the scan cannot read — behind another filter
 * or a predictor, or not inflating — is counted as unread.  Without a filter,
 * its objects are plain text, scanned as the rest of the file is.
 */
static void
pdf_stream(struct pdf_scan *sc, const unsigned char *b, size_t n, int depth)
{
	const struct pdf_dict *d = &sc->dict;
	bool flagged = d->objstm || (d->first && d->n);

	sc->xref_stream = sc->xref_stream || d->xref;
	if (depth > 0) {
		/* an object stream holds no streams: nothing to do */
	} else if (zlib_header(b, n) && (flagged || sniff_objstm(b, n))) {
		sc->objstms++;
		if (!scan_objstm(sc, b, n, depth) || (flagged && (d->other_filter || d->predictor)))
			sc->unread++;
	} else if (flagged) {
		sc->objstms++;
		if (d->flates > 0 || d->other_filter || d->predictor)
			sc->unread++;
	}
	memset(&sc->dict, 0, sizeof(sc->dict));
}

/* Where the data of a stream starts when "stream" is at b[i]: past the end of
 * its line, as poppler reads it (spaces may come before the line's end); 0
 * when this "stream" is not the keyword. */
static size_t
stream_data(const unsigned char *b, size_t n, size_t i)
{
	if (n - i < 7 || memcmp(b + i, "stream", 6) != 0 || (i > 0 && !pdf_delim(b[i - 1])) || !pdf_space(b[i + 6]))
		return 0;
	for (size_t j = i + 6; j < n && j < i + 6 + 256; j++) {
		if (b[j] == '\n')
			return j + 1;
		if (b[j] == '\r')
			return j + 1 < n && b[j + 1] == '\n' ? j + 2 : j + 1;
	}
	return i + 7;
}

static void
scan_name(struct pdf_scan *sc, const char *name, const unsigned char *after, size_t left)
{
	struct pdf_dict *d = &sc->dict;

	for (int key = 0; key < K_NKEYS; key++)
		for (int a = 0; a < 2; a++)
			if (pdf_keys[key].name[a] != NULL && strcmp(name, pdf_keys[key].name[a]) == 0)
				sc->count[key]++;
	d->objstm = d->objstm || strcmp(name, "ObjStm") == 0;
	d->first = d->first || strcmp(name, "First") == 0;
	d->n = d->n || strcmp(name, "N") == 0;
	d->xref = d->xref || strcmp(name, "XRef") == 0;
	d->flates += strcmp(name, "FlateDecode") == 0 || strcmp(name, "Fl") == 0;
	d->other_filter = d->other_filter || other_filter(name);
	d->predictor = d->predictor || (strcmp(name, "Predictor") == 0 && pdf_int_after(after, left) > 1);
	sc->encrypted = sc->encrypted || strcmp(name, "Encrypt") == 0;
}

static void
scan_pdf(struct pdf_scan *sc, const unsigned char *b, size_t n, int depth)
{
	size_t d;

	for (size_t i = 0; i < n; i++) {
		if (b[i] == '/') {
			char name[40];
			size_t k = 0, j = i + 1;
			while (j < n && !pdf_delim(b[j])) {
				int c = b[j];
				if (c == '#' && j + 2 < n && hexval(b[j + 1]) >= 0 && hexval(b[j + 2]) >= 0) {
					c = hexval(b[j + 1]) * 16 + hexval(b[j + 2]);
					j += 2;
				}
				if (k + 1 < sizeof(name))
					name[k++] = (char)c;
				j++;
			}
			name[k] = '\0';
			scan_name(sc, name, b + j, n - j);
			i = j - 1;
		} else if (b[i] == 's' && (d = stream_data(b, n, i)) != 0) {
			pdf_stream(sc, b + (d < n ? d : n), d < n ? n - d : 0, depth);
			i += 5;
		} else if (b[i] == 'e' && i + 6 <= n && memcmp(b + i, "endobj", 6) == 0) {
			memset(&sc->dict, 0, sizeof(sc->dict));
		}
	}
}

/*
 * Lists what the original carried beyond its pages: scripts.  The document's
 * embedded files are counted by the scan of the objects (note_found), not
 * listed through poppler_document_get_attachments: poppler-glib 22.02 follows
 * a NULL there for an entry of the EmbeddedFiles name tree that names a file
 * without a dictionary (a string), and a crafted PDF crashed the sanitizer
 * (found by fuzz_pdf; tests/cli/sanitize_file.sh keeps the input).
 */
static int
note_active_content(PopplerDocument *doc, struct mamori_file_report *rep)
{
	int rc = 0;

	if (poppler_document_has_javascript(doc))
		rc = file_report_add(rep, "JavaScript", 0, "document JavaScript");
	return rc;
}

static int
report_n(struct mamori_file_report *rep, const char *name, int n, const char *what)
{
	if (n <= 0)
		return 0;
	char *w = n > 1 ? g_strdup_printf("%d × %s", n, what) : g_strdup(what);
	int rc = file_report_add(rep, name, 0, w);
	g_free(w);
	return rc;
}

/* After the pages: what their links, fields and annotations held, and what the
 * scan of the objects found that poppler did not already account for. */
static int
note_found(const char *in, size_t len, const struct found *f, struct mamori_file_report *rep)
{
	struct pdf_scan sc = { 0 };
	int rc = 0;

	scan_pdf(&sc, (const unsigned char *)in, len, 0);
	if (f->links > 0) {
		char what[64];
		snprintf(what, sizeof(what), "%d link(s) (リンク)", f->links);
		rc = file_report_add(rep, "links", 0, what);
	}
	if (rc == 0)
		rc = report_n(rep, "links", f->js, "link that runs JavaScript");
	if (rc == 0)
		rc = report_n(rep, "links", f->media, "link that plays media (movie, rendition)");
	if (rc == 0)
		rc = report_n(rep, "links", f->other_actions, "link with another action (form submit or reset, layers …)");
	if (rc == 0)
		rc = report_n(rep, "form", f->fields, "form field (フォーム; its value is drawn into the page)");
	if (rc == 0)
		rc = report_n(rep, "form", f->field_scripts, "form field script (JavaScript run as the field is used)");
	if (rc == 0)
		rc = report_n(rep, "annotations", f->media_annots, "media annotation (movie, sound, screen)");
	/* what only the scan can tell, and what poppler did not account for */
	for (int key = 0; key < K_NKEYS && rc == 0; key++) {
		bool known = (key == K_JS && (f->javascript || f->js > 0 || f->field_scripts > 0)) ||
		    (key == K_LAUNCH && f->launch > 0) || (key == K_URI && f->uri > 0) ||
		    (key == K_EMBEDDED && f->file_annots > 0) ||
		    (key == K_ACROFORM && f->fields > 0) || (key == K_GOTOR && f->remote > 0) ||
		    (key == K_RICHMEDIA && f->media_annots > 0);
		if (!known && sc.count[key] > 0) {
			char name[24];
			snprintf(name, sizeof(name), "/%s", pdf_keys[key].name[0]);
			/* a file is named by its stream's type and by the document's name
			 * tree, both optional: the count of markers is no count of files */
			rc = report_n(rep, name, key == K_EMBEDDED ? 1 : sc.count[key], pdf_keys[key].what);
		}
	}
	/* what the scan could not read may hold any of the above: say so */
	if (rc == 0 && sc.encrypted && (sc.objstms > 0 || sc.xref_stream))
		rc = file_report_add(rep, "/Encrypt", 0, "encrypted PDF whose compressed objects the check could not "
		    "read: the scripts, actions and files they may hold are gone but not listed (暗号化された PDF)");
	else if (rc == 0)
		rc = report_n(rep, "/ObjStm", sc.unread, "object stream the check could not read (behind another "
		    "filter, or damaged): the scripts, actions and files it may hold are gone but not listed "
		    "(読めなかったオブジェクトストリーム)");
	return rc;
}

int
file_sanitize_pdf(const char *in, size_t len, const struct mamori_file_opts *o, FILE *out,
    struct mamori_file_report *rep, struct mamori_error *err)
{
	GBytes *bytes = NULL;
	GError *gerr = NULL;
	PopplerDocument *doc = NULL;
	cairo_surface_t *pdf = NULL, *img = NULL;
	struct pdf_sink sink = { out, false, 0 };
	struct found found = { 0 };
	int n, rc = 0;
	double scale = o->dpi / 72.0;

	if (len > INT_MAX)
		return mamori_error_set(err, MAMORI_E_INVALID, "limit hit: the PDF is over 2 GiB");
	bytes = g_bytes_new_static(in, len);
	doc = poppler_document_new_from_bytes(bytes, NULL, &gerr);
	if (doc == NULL) {
		if (gerr != NULL && gerr->domain == POPPLER_ERROR && gerr->code == POPPLER_ERROR_ENCRYPTED)
			rc = mamori_error_set(err, MAMORI_E_INVALID,
			    "refused: the PDF is encrypted with a password (パスワード付き PDF): decrypt it first");
		else
			rc = mamori_error_set(err, MAMORI_E_INVALID, "refused: damaged PDF: %s",
			    gerr ? gerr->message : "poppler cannot open it");
		goto out;
	}
	n = poppler_document_get_n_pages(doc);
	if (n <= 0) {
		rc = mamori_error_set(err, MAMORI_E_INVALID, "refused: the PDF has no pages");
		goto out;
	}
	if (n > o->limits.max_pages) {
		rc = mamori_error_set(err, MAMORI_E_INVALID, "limit hit: the PDF has %d pages, over the page limit of %d",
		    n, o->limits.max_pages);
		goto out;
	}
	if ((rc = note_active_content(doc, rep)) != 0) {
		rc = mamori_error_set(err, rc, "out of memory");
		goto out;
	}
	found.javascript = poppler_document_has_javascript(doc);
	rep->output_type = "pdf";
	/* the page size is set per page below; 1×1 is only a start */
	pdf = cairo_pdf_surface_create_for_stream(pdf_write, &sink, 1, 1);
	for (int i = 0; i < n; i++) {
		PopplerPage *page = poppler_document_get_page(doc, i);
		double w = 0, h = 0;
		cairo_t *cr;

		if (page == NULL) {
			rc = mamori_error_set(err, MAMORI_E_INVALID, "refused: damaged PDF: page %d cannot be read", i + 1);
			goto out;
		}
		poppler_page_get_size(page, &w, &h);
		/* 14,400 pt (200 in) is the largest page PDF allows */
		if (!(w >= 1 && h >= 1 && w <= 14400 && h <= 14400)) {
			g_object_unref(page);
			rc = mamori_error_set(err, MAMORI_E_INVALID, "refused: page %d has an impossible size %gx%g pt",
			    i + 1, w, h);
			goto out;
		}
		int pw = (int)ceil(w * scale), ph = (int)ceil(h * scale);
		if ((uint64_t)pw * (uint64_t)ph > o->limits.max_pixels || pw > 32767 || ph > 32767) {
			g_object_unref(page);
			rc = mamori_error_set(err, MAMORI_E_INVALID,
			    "limit hit: page %d would be %dx%d pixels at %d dpi, over the limit of %llu pixels per page",
			    i + 1, pw, ph, o->dpi, (unsigned long long)o->limits.max_pixels);
			goto out;
		}
		if (note_page(page, &found, rep) != 0) {
			g_object_unref(page);
			rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
			goto out;
		}

		img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, pw, ph);
		cr = cairo_create(img);
		cairo_set_source_rgb(cr, 1, 1, 1);
		cairo_paint(cr);
		cairo_scale(cr, pw / w, ph / h);
		/* as printed: form fields and annotations meant for print are drawn */
		poppler_page_render_for_printing(page, cr);
		cairo_destroy(cr);
		g_object_unref(page);
		cairo_surface_flush(img);
		if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
			rc = mamori_error_set(err, MAMORI_E_NOMEM, "cannot render page %d: %s", i + 1,
			    cairo_status_to_string(cairo_surface_status(img)));
			goto out;
		}

		cairo_pdf_surface_set_size(pdf, w, h);
		cr = cairo_create(pdf);
		cairo_scale(cr, w / pw, h / ph);
		cairo_set_source_surface(cr, img, 0, 0);
		cairo_paint(cr);
		cairo_show_page(cr);
		cairo_status_t st = cairo_status(cr);
		cairo_destroy(cr);
		cairo_surface_destroy(img);
		img = NULL;
		if (st != CAIRO_STATUS_SUCCESS || sink.failed) {
			rc = sink.failed ? mamori_error_set(err, MAMORI_E_IO, "cannot write the output: %s", strerror(sink.error))
			    : mamori_error_set(err, MAMORI_E_NOMEM, "cannot write page %d: %s", i + 1, cairo_status_to_string(st));
			goto out;
		}
		rep->pages = i + 1;
	}
	cairo_surface_finish(pdf);
	if (sink.failed || cairo_surface_status(pdf) != CAIRO_STATUS_SUCCESS) {
		rc = sink.failed ? mamori_error_set(err, MAMORI_E_IO, "cannot write the output: %s", strerror(sink.error))
		    : mamori_error_set(err, MAMORI_E_NOMEM, "cannot write the PDF: %s",
			cairo_status_to_string(cairo_surface_status(pdf)));
		goto out;
	}
	if (note_found(in, len, &found, rep) != 0) {
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		goto out;
	}
	snprintf(rep->detail, sizeof(rep->detail), "%d page(s) rasterised at %d dpi", n, o->dpi);
	snprintf(rep->notice, sizeof(rep->notice),
	    "the PDF's pages are now images: its text cannot be searched or copied, by design "
	    "(PDF は画像化されました。テキストの検索・コピーはできません)");
out:
	if (img != NULL)
		cairo_surface_destroy(img);
	if (pdf != NULL)
		cairo_surface_destroy(pdf);
	if (doc != NULL)
		g_object_unref(doc);
	if (gerr != NULL)
		g_error_free(gerr);
	g_bytes_unref(bytes);
	return rc;
}
