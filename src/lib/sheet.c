/* sheet.c — CSV cells, CP932 rows and XLSX text for the exports (sheet.h). */
#include "sheet.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool
sheet_csv_open(struct sheet_csv *c, FILE *out, const char *encoding, struct mamori_error *err)
{
	memset(c, 0, sizeof(*c));
	c->out = out;
	c->cd = (iconv_t)-1;
	if (encoding == NULL || strcasecmp(encoding, "utf-8") == 0 || strcasecmp(encoding, "utf8") == 0)
		return true;
	if (strcasecmp(encoding, "cp932") != 0 && strcasecmp(encoding, "shift_jis") != 0 &&
	    strcasecmp(encoding, "sjis") != 0) {
		mamori_error_set(err, MAMORI_E_USAGE, "encoding '%s': write utf-8 or cp932", encoding);
		return false;
	}
	if ((c->cd = iconv_open("CP932", "UTF-8")) == (iconv_t)-1 ||
	    (c->row = open_memstream(&c->row_buf, &c->row_len)) == NULL) {
		mamori_error_set(err, MAMORI_E_NOMEM, "cannot convert to CP932: %s", strerror(errno));
		return false;
	}
	return true;
}

void
sheet_csv_close(struct sheet_csv *c)
{
	if (c->row != NULL)
		fclose(c->row);
	free(c->row_buf);
	if (c->cd != (iconv_t)-1)
		iconv_close(c->cd);
	memset(c, 0, sizeof(*c));
	c->cd = (iconv_t)-1;
}

FILE *
sheet_csv_row(struct sheet_csv *c)
{
	return c->row ? c->row : c->out;
}

void
sheet_csv_bom(struct sheet_csv *c)
{
	if (c->row == NULL)
		fputs("\xEF\xBB\xBF", c->out);	/* the BOM tells Excel the file is UTF-8 */
}

bool
sheet_csv_end_row(struct sheet_csv *c)
{
	char out[4096], *in;
	size_t left, room;
	bool ok = true;

	if (c->row == NULL)
		return true;
	fflush(c->row);
	in = c->row_buf;
	left = c->row_len;
	while (left > 0 && ok) {
		char *o = out;
		room = sizeof(out);
		if (iconv(c->cd, &in, &left, &o, &room) == (size_t)-1 && errno != E2BIG)
			ok = false;
		fwrite(out, 1, sizeof(out) - room, c->out);
	}
	rewind(c->row);
	return ok;
}

/* Whether Excel would take a CSV cell starting so for a formula (OWASP's list). */
static bool
formula_start(const char *v)
{
	return v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r';
}

void
sheet_csv_field(FILE *out, const char *v)
{
	if (v == NULL)
		v = "";
	if (strpbrk(v, ",\"\r\n") == NULL && !formula_start(v)) {
		fputs(v, out);
		return;
	}
	fputc('"', out);
	if (formula_start(v))
		fputc('\'', out);	/* text, not a formula; an import takes it off */
	for (; *v; v++) {
		if (*v == '"')
			fputc('"', out);
		fputc(*v, out);
	}
	fputc('"', out);
}

char *
sheet_cell_clean(char *v)
{
	return v[0] == '\'' && formula_start(v + 1) ? v + 1 : v;
}

/* Whether v starts with _xHHHH_ (read in order: a shorter string ends at its NUL). */
static bool
escape_at(const char *v)
{
	if (v[0] != '_' || v[1] != 'x')
		return false;
	for (int i = 2; i < 6; i++)
		if (!isxdigit((unsigned char)v[i]))
			return false;
	return v[6] == '_';
}

const char *
sheet_xlsx_literal(const char *v, char **buf, size_t *cap, bool *nomem)
{
	size_t n = 0, len = strlen(v), o = 0;
	const char *p;

	for (p = strstr(v, "_x"); p != NULL; p = strstr(p + 1, "_x"))
		n += escape_at(p);
	if (n == 0)
		return v;
	if (len + 6 * n + 1 > *cap) {
		char *nb = realloc(*buf, len + 6 * n + 1);
		if (nb == NULL) {
			*nomem = true;
			return v;
		}
		*buf = nb;
		*cap = len + 6 * n + 1;
	}
	for (p = v; *p; p++) {
		if (escape_at(p)) {
			memcpy(*buf + o, "_x005F", 6);
			o += 6;
		}
		(*buf)[o++] = *p;
	}
	(*buf)[o] = '\0';
	return *buf;
}
