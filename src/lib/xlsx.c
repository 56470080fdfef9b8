/*
 * xlsx.c — a worksheet of an XLSX workbook as CSV text (mamori/xlsx.h).
 *
 * The package is read the way the OPC relationships lead: _rels/.rels names
 * the workbook, the workbook its sheets (in tab order) and, through its own
 * relationships, the sheets' parts, the shared strings and the styles.  Each
 * part is inflated by libzip straight into libxml2's streaming reader, so a
 * sheet of a million rows is never held as XML, only as the CSV it becomes.
 */
#include "mamori/xlsx.h"
#include "buf.h"

#include <libxml/xmlreader.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

enum {
	MAX_DEPTH = 64,		/* a worksheet nests 5 deep; nothing Excel writes comes near */
	MAX_ROWS = 1048576,	/* Excel's own bounds */
	MAX_COLS = 16384,
	NAME_MAX_LEN = 512,
};

#define DEFAULT_MAX_PART ((size_t)4 << 30)
#define DEFAULT_MAX_OUTPUT ((size_t)2 << 30)

/* The workbook being read and what was learned of it. */
struct book {
	zip_t *za;
	size_t max_part;
	char *msg;
	size_t msglen;
	bool failed;
	char workbook[NAME_MAX_LEN], sheet_part[NAME_MAX_LEN], shared[NAME_MAX_LEN], styles[NAME_MAX_LEN];
	char sheet_rid[NAME_MAX_LEN];
	const char *want;	/* the sheet asked for, or NULL */
	struct buf sheet_name, sheet_names;
	bool date1904;
	/* shared strings: string i is pool.p + sst[i], NUL-terminated */
	struct buf pool;
	size_t *sst, nsst, sst_cap;
	/* styles: whether cell format i shows a date */
	unsigned char *xf_date;
	size_t nxf;
};

static int
fail(struct book *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Says what is wrong (the first thing only) and returns -1. */
static int
fail(struct book *b, const char *fmt, ...)
{
	va_list ap;

	if (!b->failed) {
		va_start(ap, fmt);
		vsnprintf(b->msg, b->msglen, fmt, ap);
		va_end(ap);
		b->failed = true;
	}
	return -1;
}

/* ---- parts: inflated by libzip into libxml2's reader ---------------------- */

struct part {
	const char *name;
	zip_file_t *zf;
	size_t read, max;
	bool over, broken;
	xmlTextReaderPtr r;
};

static int
part_read(void *ctx, char *buf, int len)
{
	struct part *p = ctx;
	zip_int64_t n = zip_fread(p->zf, buf, (zip_uint64_t)len);

	if (n < 0) {
		p->broken = true;
		return -1;
	}
	p->read += (size_t)n;
	if (p->read > p->max) {
		p->over = true;
		return -1;
	}
	return (int)n;
}

/* Opens the part name for reading; false (said in b) when it cannot be. */
static bool
part_open(struct book *b, struct part *p, const char *name)
{
	zip_int64_t i = zip_name_locate(b->za, name, ZIP_FL_NOCASE);

	*p = (struct part){ .name = name, .max = b->max_part };
	if (i < 0)
		return fail(b, "the workbook has no part %s", name), false;
	if ((p->zf = zip_fopen_index(b->za, (zip_uint64_t)i, 0)) == NULL)
		return fail(b, "%s: cannot be read: %s", name, zip_strerror(b->za)), false;
	/* no DTD loaded, no entity substituted, nothing fetched; errors told by part_next */
	p->r = xmlReaderForIO(part_read, NULL, p, name, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (p->r == NULL) {
		zip_fclose(p->zf);
		return fail(b, "out of memory"), false;
	}
	return true;
}

static void
part_close(struct part *p)
{
	if (p->r)
		xmlFreeTextReader(p->r);
	if (p->zf)
		zip_fclose(p->zf);
	p->r = NULL;
	p->zf = NULL;
}

/* The next node of the part: 1, 0 at its end, -1 when it cannot be read (said in b). */
static int
part_next(struct book *b, struct part *p)
{
	int rc = xmlTextReaderRead(p->r);

	if (rc == 1) {
		if (xmlTextReaderNodeType(p->r) == XML_READER_TYPE_DOCUMENT_TYPE)
			return fail(b, "%s: has a DOCTYPE, which no workbook part has", p->name);
		if (xmlTextReaderDepth(p->r) > MAX_DEPTH)
			return fail(b, "%s: nested deeper than %d elements", p->name, MAX_DEPTH);
		return 1;
	}
	if (rc == 0)
		return 0;
	if (p->over)
		return fail(b, "%s: larger than %zu bytes once inflated (the limit)", p->name, p->max);
	if (p->broken)
		return fail(b, "%s: cannot be inflated (damaged archive)", p->name);
	return fail(b, "%s: not well-formed XML (line %d)", p->name, xmlTextReaderGetParserLineNumber(p->r));
}

/* Whether the node is the start (or an end) of element name. */
static bool
is_start(struct part *p, const char *name)
{
	return xmlTextReaderNodeType(p->r) == XML_READER_TYPE_ELEMENT &&
	    strcmp((const char *)xmlTextReaderConstLocalName(p->r), name) == 0;
}

static bool
is_end(struct part *p, const char *name)
{
	return xmlTextReaderNodeType(p->r) == XML_READER_TYPE_END_ELEMENT &&
	    strcmp((const char *)xmlTextReaderConstLocalName(p->r), name) == 0;
}

/* Whether a node of this type carries text (white space inside <t xml:space="preserve"> too). */
static bool
text_type(int t)
{
	return t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA ||
	    t == XML_READER_TYPE_WHITESPACE || t == XML_READER_TYPE_SIGNIFICANT_WHITESPACE;
}

static bool
is_text(struct part *p)
{
	return text_type(xmlTextReaderNodeType(p->r));
}

/*
 * Copies the attribute with local name `name` of the current element into out
 * (empty when absent).  Attributes are matched by local name: the ones read
 * here are unique within their elements in both transitional and strict OOXML
 * (r:id is the only namespaced one, and no element has another `id`).
 */
static void
attr(struct part *p, const char *name, char *out, size_t outlen)
{
	out[0] = '\0';
	if (xmlTextReaderMoveToFirstAttribute(p->r) != 1)
		return;
	do {
		if (strcmp((const char *)xmlTextReaderConstLocalName(p->r), name) == 0) {
			snprintf(out, outlen, "%s", (const char *)xmlTextReaderConstValue(p->r));
			break;
		}
	} while (xmlTextReaderMoveToNextAttribute(p->r) == 1);
	xmlTextReaderMoveToElement(p->r);
}

/* ---- relationships ------------------------------------------------------- */

/* Whether a relationship type ends in /kind (transitional and strict OOXML spell the rest differently). */
static bool
rel_type_is(const char *type, const char *kind)
{
	size_t t = strlen(type), k = strlen(kind);

	return t > k && type[t - k - 1] == '/' && strcmp(type + t - k, kind) == 0;
}

/*
 * The part a relationship of source's points at, into out: a target is
 * relative to the source's folder unless it starts with '/'; "." and ".."
 * segments are resolved.  False for a target that leaves the package.
 */
static bool
resolve(const char *source, const char *target, char *out, size_t outlen)
{
	char path[2 * NAME_MAX_LEN], *seg, *save = NULL;
	const char *slash = strrchr(source, '/');
	size_t o = 0;

	if (target[0] == '/')
		snprintf(path, sizeof(path), "%s", target + 1);
	else
		snprintf(path, sizeof(path), "%.*s%s", slash ? (int)(slash - source + 1) : 0, source, target);
	out[0] = '\0';
	for (seg = strtok_r(path, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			char *up;
			if (o == 0)
				return false;
			out[o - 1] = '\0';	/* the '/' after the last segment */
			up = strrchr(out, '/');
			o = up ? (size_t)(up - out + 1) : 0;
			out[o] = '\0';
			continue;
		}
		if (o + strlen(seg) + 2 > outlen)
			return false;
		o += (size_t)snprintf(out + o, outlen - o, "%s/", seg);
	}
	if (o == 0)
		return false;
	out[o - 1] = '\0';
	return true;
}

/* The relationships part of a part: xl/workbook.xml → xl/_rels/workbook.xml.rels. */
static void
rels_of(const char *source, char *out, size_t outlen)
{
	const char *slash = strrchr(source, '/');

	if (slash)
		snprintf(out, outlen, "%.*s_rels/%s.rels", (int)(slash - source + 1), source, slash + 1);
	else
		snprintf(out, outlen, "_rels/%s.rels", source);
}

/*
 * Reads the relationships of source and calls fn for each internal one with
 * its id, type and resolved target.  A missing relationships part is no
 * relationship at all.
 */
static int
read_rels(struct book *b, const char *source,
    void (*fn)(struct book *b, const char *id, const char *type, const char *target))
{
	char name[NAME_MAX_LEN + 16], id[NAME_MAX_LEN], type[NAME_MAX_LEN], target[NAME_MAX_LEN],
	    mode[32], resolved[NAME_MAX_LEN];
	struct part p;
	int rc;

	rels_of(source, name, sizeof(name));
	if (zip_name_locate(b->za, name, ZIP_FL_NOCASE) < 0)
		return 0;
	if (!part_open(b, &p, name))
		return -1;
	while ((rc = part_next(b, &p)) == 1) {
		if (!is_start(&p, "Relationship"))
			continue;
		attr(&p, "Id", id, sizeof(id));
		attr(&p, "Type", type, sizeof(type));
		attr(&p, "Target", target, sizeof(target));
		attr(&p, "TargetMode", mode, sizeof(mode));
		if (strcasecmp(mode, "External") != 0 && resolve(source, target, resolved, sizeof(resolved)))
			fn(b, id, type, resolved);
	}
	part_close(&p);
	return rc;
}

static void
package_rel(struct book *b, const char *id, const char *type, const char *target)
{
	(void)id;
	if (rel_type_is(type, "officeDocument") && b->workbook[0] == '\0')
		snprintf(b->workbook, sizeof(b->workbook), "%s", target);
}

static void
workbook_rel(struct book *b, const char *id, const char *type, const char *target)
{
	if (strcmp(id, b->sheet_rid) == 0)
		snprintf(b->sheet_part, sizeof(b->sheet_part), "%s", target);
	else if (rel_type_is(type, "sharedStrings"))
		snprintf(b->shared, sizeof(b->shared), "%s", target);
	else if (rel_type_is(type, "styles"))
		snprintf(b->styles, sizeof(b->styles), "%s", target);
}

/* ---- the workbook: its date system and the sheet to read ------------------ */

static int
read_workbook(struct book *b)
{
	char name[NAME_MAX_LEN], rid[NAME_MAX_LEN], v[16];
	struct part p;
	int rc;

	if (!part_open(b, &p, b->workbook))
		return -1;
	while ((rc = part_next(b, &p)) == 1) {
		if (is_start(&p, "workbookPr")) {
			attr(&p, "date1904", v, sizeof(v));
			b->date1904 = strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0;
		} else if (is_start(&p, "sheet")) {
			attr(&p, "name", name, sizeof(name));
			attr(&p, "id", rid, sizeof(rid));
			if (b->sheet_names.len)
				buf_add(&b->sheet_names, ", ", 2);
			buf_add(&b->sheet_names, name, strlen(name));
			if (b->sheet_rid[0] == '\0' && (b->want == NULL || strcmp(b->want, name) == 0)) {
				snprintf(b->sheet_rid, sizeof(b->sheet_rid), "%s", rid);
				buf_add(&b->sheet_name, name, strlen(name));
			}
		}
	}
	part_close(&p);
	if (rc == 0 && b->sheet_rid[0] == '\0')
		rc = b->want ? fail(b, "the workbook has no sheet named '%s' (its sheets: %s)", b->want,
		    b->sheet_names.len ? b->sheet_names.p : "none") : fail(b, "the workbook has no sheet");
	return rc;
}

/* ---- styles: which cell formats show a date ------------------------------- */

/*
 * Whether a number format code shows a date or a time: a y, m, d, h or s
 * (or g, the Japanese era) outside quoted text, [brackets] (colours, locales
 * such as [$-411], conditions) and escaped characters.
 */
static bool
format_is_date(const char *code)
{
	for (const char *c = code; *c; c++) {
		switch (*c) {
		case '"':
			while (c[1] && c[1] != '"')
				c++;
			if (c[1])
				c++;
			break;
		case '[':
			while (c[1] && c[1] != ']')
				c++;
			if (c[1])
				c++;
			break;
		case '\\': case '_': case '*':
			if (c[1])
				c++;
			break;
		default:
			if (strncasecmp(c, "general", 7) == 0)
				c += 6;
			else if (strchr("ymdhsgYMDHSG", *c))
				return true;
		}
	}
	return false;
}

/* The built-in formats that show dates and times, Japanese ones (27–36, 50–58) included. */
static bool
builtin_is_date(long id)
{
	return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
	    (id >= 50 && id <= 58);
}

struct custom_fmt {
	long id;
	bool date;
};

static bool
fmt_is_date(const struct custom_fmt *f, size_t n, long id)
{
	for (size_t i = 0; i < n; i++)
		if (f[i].id == id)
			return f[i].date;
	return builtin_is_date(id);
}

static int
read_styles(struct book *b)
{
	struct custom_fmt *fmts = NULL;
	size_t nfmts = 0, xf_cap = 0;
	char id[32], code[1024];
	bool in_xfs = false;
	struct part p;
	int rc;

	if (b->styles[0] == '\0')
		return 0;
	if (!part_open(b, &p, b->styles))
		return -1;
	while ((rc = part_next(b, &p)) == 1) {
		if (is_start(&p, "numFmt") && nfmts < 4096) {
			struct custom_fmt *nf = realloc(fmts, (nfmts + 1) * sizeof(*nf));
			if (nf == NULL) {
				rc = fail(b, "out of memory");
				break;
			}
			fmts = nf;
			attr(&p, "numFmtId", id, sizeof(id));
			attr(&p, "formatCode", code, sizeof(code));
			fmts[nfmts++] = (struct custom_fmt){ strtol(id, NULL, 10), format_is_date(code) };
		} else if (is_start(&p, "cellXfs")) {
			in_xfs = !xmlTextReaderIsEmptyElement(p.r);
		} else if (is_end(&p, "cellXfs")) {
			in_xfs = false;
		} else if (in_xfs && is_start(&p, "xf") && b->nxf < 65536) {
			if (b->nxf == xf_cap) {
				unsigned char *nx = realloc(b->xf_date, xf_cap = xf_cap ? 2 * xf_cap : 64);
				if (nx == NULL) {
					rc = fail(b, "out of memory");
					break;
				}
				b->xf_date = nx;
			}
			attr(&p, "numFmtId", id, sizeof(id));
			b->xf_date[b->nxf++] = fmt_is_date(fmts, nfmts, strtol(id, NULL, 10));
		}
	}
	part_close(&p);
	free(fmts);
	return rc;
}

/* ---- text: ふりがな dropped, _xHHHH_ decoded ------------------------------ */

static int
hex4(const char *s)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		int c = s[i], d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		    c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static void
put_utf8(struct buf *out, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	buf_add(out, u, n);
}

/*
 * Appends s with Excel's escapes decoded: _xHHHH_ is the UTF-16 code unit
 * HHHH (Excel writes a carriage return as _x000D_, and _x005F_ for a '_' that
 * would start one); a surrogate pair is two of them.  A NUL or a lone
 * surrogate becomes U+FFFD.
 */
static void
put_unescaped(struct buf *out, const char *s, size_t n)
{
	size_t i = 0, run = 0;

	while (i < n) {
		int u = i + 7 <= n && s[i] == '_' && s[i + 1] == 'x' && s[i + 6] == '_' ? hex4(s + i + 2) : -1;
		if (u < 0) {
			i++;
			run++;
			continue;
		}
		buf_add(out, s + i - run, run);
		run = 0;
		i += 7;
		if (u >= 0xD800 && u <= 0xDBFF && i + 7 <= n && s[i] == '_' && s[i + 1] == 'x' && s[i + 6] == '_') {
			int lo = hex4(s + i + 2);
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				put_utf8(out, 0x10000 + (((unsigned)u - 0xD800) << 10) + ((unsigned)lo - 0xDC00));
				i += 7;
				continue;
			}
		}
		put_utf8(out, u == 0 || (u >= 0xD800 && u <= 0xDFFF) ? 0xFFFD : (unsigned)u);
	}
	buf_add(out, s + i - run, run);
}

/*
 * Reads the shared string table: each <si> is the text of its <t>s, plain or
 * in rich-text runs, without the <rPh> runs that carry its ふりがな.
 */
static int
read_shared(struct book *b)
{
	bool in_t = false;
	int rph = 0, rc;
	struct part p;

	if (b->shared[0] == '\0')
		return 0;
	if (!part_open(b, &p, b->shared))
		return -1;
	while ((rc = part_next(b, &p)) == 1) {
		if (is_start(&p, "si")) {
			if (b->nsst == b->sst_cap) {
				size_t cap = b->sst_cap ? 2 * b->sst_cap : 1024, *ns = realloc(b->sst, cap * sizeof(*ns));
				if (ns == NULL) {
					rc = fail(b, "out of memory");
					break;
				}
				b->sst = ns;
				b->sst_cap = cap;
			}
			b->sst[b->nsst++] = b->pool.len;
			if (xmlTextReaderIsEmptyElement(p.r))
				buf_addc(&b->pool, '\0');
		} else if (is_end(&p, "si")) {
			buf_addc(&b->pool, '\0');
		} else if (is_start(&p, "rPh") && !xmlTextReaderIsEmptyElement(p.r)) {
			rph++;
		} else if (is_end(&p, "rPh")) {
			rph--;
		} else if (is_start(&p, "t") && !xmlTextReaderIsEmptyElement(p.r)) {
			in_t = true;
		} else if (is_end(&p, "t")) {
			in_t = false;
		} else if (in_t && rph == 0 && b->nsst > 0 && is_text(&p)) {
			const char *v = (const char *)xmlTextReaderConstValue(p.r);
			put_unescaped(&b->pool, v, strlen(v));
		}
		if (b->pool.fail) {
			rc = fail(b, "%s: the shared strings are too large", p.name);
			break;
		}
	}
	part_close(&p);
	return rc;
}

/* ---- the sheet ------------------------------------------------------------ */

/* Where each record ends in the CSV and how many fields it has. */
struct record_end {
	size_t end;
	uint32_t fields;
};

struct sheet {
	struct book *b;
	struct part p;
	struct buf out, cell, text;	/* the CSV; the current cell's text, as stored and unescaped */
	struct record_end *ends;
	size_t nends, ends_cap;
	uint32_t widest;
	long row, col, last_col;	/* the current row and cell; the last column written in the row */
	void (*progress)(size_t rows_read);
	char type[16];
	long style;
	bool in_value, in_is, has_value;
	int rph;
};

/* Appends the field s (n bytes, NUL-terminated), quoted when it must be. */
static void
put_field(struct buf *out, const char *s, size_t n)
{
	char *o;

	if (strcspn(s, ",\"\r\n") >= n) {
		buf_add(out, s, n);
		return;
	}
	if (!buf_reserve(out, 2 * n + 2))
		return;
	o = out->p + out->len;
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			*o++ = '"';
		*o++ = s[i];
	}
	*o++ = '"';
	*o = '\0';
	out->len = (size_t)(o - out->p);
}

/* "B7" for the current cell, for messages. */
static const char *
cell_name(const struct sheet *sh, char *buf, size_t len)
{
	char letters[8];
	int n = 0;

	for (long c = sh->col; c > 0 && n < 7; c = (c - 1) / 26)
		letters[n++] = (char)('A' + (c - 1) % 26);
	for (int i = 0; i < n / 2; i++) {
		char t = letters[i];
		letters[i] = letters[n - 1 - i];
		letters[n - 1 - i] = t;
	}
	letters[n] = '\0';
	snprintf(buf, len, "%s%ld", letters, sh->row);
	return buf;
}

/* Days since 1970-01-01 to a civil date (the proleptic Gregorian calendar). */
static void
civil_from_days(long z, int *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/*
 * A date cell's serial number as YYYY-MM-DD[ HH:MM:SS], into buf; false when
 * it is not a date Excel can show (negative, past 9999-12-31).  In the 1900
 * system day 1 is 1900-01-01 and day 60 the 29 February 1900 that Lotus
 * believed in, so days from 61 on count from 1899-12-30; in the 1904 system
 * day 0 is 1904-01-01.
 */
static bool
serial_date(const char *v, bool date1904, char *buf, size_t len)
{
	char *end;
	double x = strtod(v, &end);
	long days, secs;
	int y, m, d;

	if (end == v || *end != '\0' || !(x >= 0) || x >= 2958466)
		return false;
	days = (long)floor(x);
	secs = lround((x - (double)days) * 86400.0);
	if (secs == 86400) {
		days++;
		secs = 0;
	}
	if (date1904)
		days += 1462;	/* 1904-01-01 is day 1,462 of the 1900 system */
	if (days == 60) {
		snprintf(buf, len, "1900-02-29");
		return true;
	}
	days -= days < 60 ? 25568 : 25569;	/* 1970-01-01 is day 25,569 */
	civil_from_days(days, &y, &m, &d);
	if (secs == 0)
		snprintf(buf, len, "%04d-%02d-%02d", y, m, d);
	else
		snprintf(buf, len, "%04d-%02d-%02d %02ld:%02ld:%02ld", y, m, d, secs / 3600, secs / 60 % 60, secs % 60);
	return true;
}

/* The cell's value as its CSV field (after the commas that lead to its column). */
static int
put_cell(struct sheet *sh)
{
	const char *v = sh->cell.p ? sh->cell.p : "", *t = sh->type;
	char date[40], at[24];
	long need = sh->col - 1 - (sh->last_col > 0 ? sh->last_col - 1 : 0);

	for (long i = 0; i < need; i++)
		buf_addc(&sh->out, ',');
	sh->last_col = sh->col;
	if (strcmp(t, "s") == 0) {
		char *end;
		unsigned long i = strtoul(v, &end, 10);
		if (end == v || *end != '\0' || i >= sh->b->nsst)
			return fail(sh->b, "sheet %s, cell %s: shared string '%s' does not exist", sh->b->sheet_name.p,
			    cell_name(sh, at, sizeof(at)), v);
		put_field(&sh->out, sh->b->pool.p + sh->b->sst[i], strlen(sh->b->pool.p + sh->b->sst[i]));
	} else if (strcmp(t, "inlineStr") == 0 || strcmp(t, "str") == 0) {
		sh->text.len = 0;
		put_unescaped(&sh->text, v, sh->cell.len);
		put_field(&sh->out, sh->text.p ? sh->text.p : "", sh->text.len);
	} else if (strcmp(t, "b") == 0) {
		put_field(&sh->out, strcmp(v, "1") == 0 ? "TRUE" : "FALSE", strcmp(v, "1") == 0 ? 4 : 5);
	} else if ((t[0] == '\0' || strcmp(t, "n") == 0) && sh->style >= 0 && (size_t)sh->style < sh->b->nxf &&
	    sh->b->xf_date[sh->style] && serial_date(v, sh->b->date1904, date, sizeof(date))) {
		put_field(&sh->out, date, strlen(date));
	} else {
		put_field(&sh->out, v, sh->cell.len);
	}
	return 0;
}

/* Ends the current record; empty rows before `row` are written as empty records. */
static int
end_record(struct sheet *sh)
{
	struct record_end *e;

	buf_addc(&sh->out, '\n');
	if (sh->nends == sh->ends_cap) {
		size_t cap = sh->ends_cap ? 2 * sh->ends_cap : 1024;
		struct record_end *ne = realloc(sh->ends, cap * sizeof(*ne));
		if (ne == NULL)
			return fail(sh->b, "out of memory");
		sh->ends = ne;
		sh->ends_cap = cap;
	}
	e = &sh->ends[sh->nends++];
	e->end = sh->out.len - 1;
	e->fields = sh->last_col > 0 ? (uint32_t)sh->last_col : 1;
	if (e->fields > sh->widest)
		sh->widest = e->fields;
	sh->last_col = 0;
	if (sh->progress && sh->nends % 10000 == 0)
		sh->progress(sh->nends);
	return 0;
}

/* A cell reference's column (B7 → 2) and row (7); 0 for a part missing. */
static void
parse_ref(const char *ref, long *col, long *row)
{
	const char *s = ref;

	*col = 0;
	for (; *s >= 'A' && *s <= 'Z' && *col <= MAX_COLS; s++)
		*col = *col * 26 + (*s - 'A' + 1);
	*row = strtol(s, NULL, 10);
}

static int
start_row(struct sheet *sh)
{
	char r[24];
	long row;

	attr(&sh->p, "r", r, sizeof(r));
	row = r[0] ? strtol(r, NULL, 10) : sh->row + 1;
	if (row <= sh->row || row > MAX_ROWS)
		return fail(sh->b, "sheet %s: row %ld comes after row %ld (rows ascend from 1 to %d)",
		    sh->b->sheet_name.p, row, sh->row, MAX_ROWS);
	while (sh->row + 1 < row) {	/* the rows Excel left out because they are empty */
		sh->row++;
		if (end_record(sh) != 0)
			return -1;
	}
	sh->row = row;
	sh->last_col = 0;
	return xmlTextReaderIsEmptyElement(sh->p.r) ? end_record(sh) : 0;
}

static int
start_cell(struct sheet *sh)
{
	char r[24], s[24], at[24];
	long col, row;

	attr(&sh->p, "r", r, sizeof(r));
	attr(&sh->p, "t", sh->type, sizeof(sh->type));
	attr(&sh->p, "s", s, sizeof(s));
	parse_ref(r, &col, &row);
	if (col == 0)
		col = sh->last_col + 1;
	sh->style = s[0] ? strtol(s, NULL, 10) : 0;
	sh->cell.len = 0;
	sh->has_value = sh->in_value = false;
	if (col <= sh->last_col || col > MAX_COLS) {
		sh->col = col;
		return fail(sh->b, "sheet %s: cell %s is out of order or past column XFD", sh->b->sheet_name.p,
		    cell_name(sh, at, sizeof(at)));
	}
	sh->col = col;
	return 0;
}

/* An element's start in the sheet's part. */
static int
sheet_start(struct sheet *sh, const char *name)
{
	bool empty = xmlTextReaderIsEmptyElement(sh->p.r) == 1;

	if (strcmp(name, "c") == 0)
		return start_cell(sh);
	if (strcmp(name, "row") == 0)
		return start_row(sh);
	if (empty)
		return 0;
	if (strcmp(name, "v") == 0 || (sh->in_is && sh->rph == 0 && strcmp(name, "t") == 0))
		sh->in_value = sh->has_value = true;
	else if (strcmp(name, "is") == 0)
		sh->in_is = true;
	else if (strcmp(name, "rPh") == 0)
		sh->rph++;
	return 0;
}

static int
sheet_end(struct sheet *sh, const char *name)
{
	if (strcmp(name, "c") == 0)
		return sh->has_value ? put_cell(sh) : 0;
	if (strcmp(name, "row") == 0)
		return end_record(sh);
	if (strcmp(name, "v") == 0 || strcmp(name, "t") == 0)
		sh->in_value = false;
	else if (strcmp(name, "is") == 0)
		sh->in_is = false;
	else if (strcmp(name, "rPh") == 0)
		sh->rph--;
	return 0;
}

/* One node of the sheet's part (a sheet is millions of them: its type and name are asked once). */
static int
sheet_node(struct sheet *sh)
{
	xmlTextReaderPtr r = sh->p.r;
	int type = xmlTextReaderNodeType(r);

	if (type == XML_READER_TYPE_ELEMENT)
		return sheet_start(sh, (const char *)xmlTextReaderConstLocalName(r));
	if (type == XML_READER_TYPE_END_ELEMENT)
		return sheet_end(sh, (const char *)xmlTextReaderConstLocalName(r));
	if (sh->in_value && sh->rph == 0 && text_type(type)) {
		const char *v = (const char *)xmlTextReaderConstValue(r);
		buf_add(&sh->cell, v, strlen(v));
	}
	return 0;
}

/* Every record made as wide as the widest (Excel's CSV does the same). */
static int
pad_records(struct sheet *sh)
{
	struct buf padded = { .max = sh->out.max };
	size_t from = 0;

	for (size_t i = 0; i < sh->nends && sh->ends[i].fields == sh->widest; i++)
		if (i + 1 == sh->nends)
			return 0;
	if (!buf_reserve(&padded, sh->out.len + sh->nends))
		return fail(sh->b, "out of memory");
	for (size_t i = 0; i < sh->nends; i++) {
		buf_add(&padded, sh->out.p + from, sh->ends[i].end - from);
		for (uint32_t k = sh->ends[i].fields; k < sh->widest; k++)
			buf_addc(&padded, ',');
		buf_addc(&padded, '\n');
		from = sh->ends[i].end + 1;
	}
	if (padded.fail) {
		free(padded.p);
		return fail(sh->b, "the CSV would be larger than %zu bytes (the limit)", sh->out.max);
	}
	free(sh->out.p);
	sh->out = padded;
	return 0;
}

static int
read_sheet(struct book *b, struct sheet *sh)
{
	int rc;

	sh->b = b;
	if (!part_open(b, &sh->p, b->sheet_part))
		return -1;
	while ((rc = part_next(b, &sh->p)) == 1 && (rc = sheet_node(sh)) == 0 && !sh->out.fail &&
	    !sh->cell.fail && !sh->text.fail)
		;
	if (rc == 0 && (sh->out.fail || sh->cell.fail || sh->text.fail))
		rc = fail(b, "sheet %s: the CSV would be larger than %zu bytes (the limit)", b->sheet_name.p,
		    sh->out.max);
	part_close(&sh->p);
	return rc < 0 ? -1 : pad_records(sh);
}

/* ---- the whole ------------------------------------------------------------ */

static zip_t *
open_zip(struct book *b, const char *buf, size_t len)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za;

	if (len >= 8 && memcmp(buf, "\xD0\xCF\x11\xE0", 4) == 0)
		return fail(b, "an Excel 97-2003 workbook (.xls) or a password-protected one: save it from "
		    "Excel as .xlsx without a password (or as CSV)"), NULL;
	zip_error_init(&ze);
	if ((src = zip_source_buffer_create(buf, len, 0, &ze)) == NULL) {
		zip_error_fini(&ze);
		return fail(b, "out of memory"), NULL;
	}
	if ((za = zip_open_from_source(src, ZIP_RDONLY, &ze)) == NULL) {
		zip_source_free(src);
		fail(b, "not an XLSX workbook: the zip archive cannot be opened (%s; damaged or cut short?)",
		    zip_error_strerror(&ze));
	}
	zip_error_fini(&ze);
	return za;
}

/* Finds the parts: the workbook, the sheet, the shared strings, the styles. */
static int
find_parts(struct book *b)
{
	if (read_rels(b, "", package_rel) != 0)
		return -1;
	if (b->workbook[0] == '\0') {
		if (zip_name_locate(b->za, "xl/workbook.xml", ZIP_FL_NOCASE) < 0)
			return fail(b, "not an XLSX workbook: no workbook in the package (a Word or PowerPoint file?)");
		snprintf(b->workbook, sizeof(b->workbook), "xl/workbook.xml");
	}
	if (read_workbook(b) != 0 || read_rels(b, b->workbook, workbook_rel) != 0)
		return -1;
	if (b->sheet_part[0] == '\0')
		return fail(b, "the workbook's sheet %s has no part of its own", b->sheet_name.p);
	return 0;
}

void
mamori_xlsx_init(void)
{
	xmlInitParser();
}

char *
mamori_xlsx_sheet_csv(const char *buf, size_t len, const char *sheet, const struct mamori_xlsx_limits *limits,
    void (*progress)(size_t rows_read), size_t *out_len, char *msg, size_t msglen)
{
	struct book b = { .msg = msg, .msglen = msglen, .want = sheet };
	struct sheet sh = { .progress = progress };
	char *csv = NULL;

	b.max_part = limits && limits->max_part ? limits->max_part : DEFAULT_MAX_PART;
	sh.out.max = limits && limits->max_output ? limits->max_output : DEFAULT_MAX_OUTPUT;
	sh.cell.max = sh.text.max = sh.out.max;
	b.pool.max = sh.out.max;
	msg[0] = '\0';
	mamori_xlsx_init();
	if ((b.za = open_zip(&b, buf, len)) != NULL && find_parts(&b) == 0 && read_styles(&b) == 0 &&
	    read_shared(&b) == 0 && read_sheet(&b, &sh) == 0) {
		csv = sh.out.p ? sh.out.p : calloc(1, 1);
		*out_len = sh.out.len;
		sh.out.p = NULL;
		if (csv == NULL)
			fail(&b, "out of memory");
	}
	if (b.za)
		zip_discard(b.za);
	free(sh.out.p);
	free(sh.cell.p);
	free(sh.text.p);
	free(sh.ends);
	free(b.pool.p);
	free(b.sst);
	free(b.xf_date);
	free(b.sheet_name.p);
	free(b.sheet_names.p);
	return csv;
}
