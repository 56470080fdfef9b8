/* html2text.c — HTML to readable text with libxml2's HTML parser. */
#include "mamori/sanitize.h"
#include "names.h"
#include "../lib/buf.h"

#include <ctype.h>
#include <glib.h>
#include <libxml/HTMLparser.h>
#include <stdint.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct text {
	struct buf b;
	int depth;
};

/* Ends the current line unless the text already ends one (blank: two). */
static void
newline(struct text *t, bool blank)
{
	if (t->b.len == 0)
		return;
	if (t->b.p[t->b.len - 1] != '\n')
		buf_adds(&t->b, "\n");
	if (blank && (t->b.len < 2 || t->b.p[t->b.len - 2] != '\n'))
		buf_adds(&t->b, "\n");
}

/* Text content with runs of white space folded to one space. */
static void
put_folded(struct text *t, const char *s)
{
	bool space = t->b.len > 0 && (t->b.p[t->b.len - 1] == ' ' || t->b.p[t->b.len - 1] == '\n');

	while (*s) {
		size_t run = strcspn(s, " \t\n\r");	/* copied as one piece */
		if (run > 0) {
			buf_add(&t->b, s, run);
			s += run;
			space = false;
			continue;
		}
		if (!space)
			buf_adds(&t->b, " ");
		space = true;
		s++;
	}
}

/* Length of the scheme of a URL at s ("https" of "https://…"), 0 when s does
 * not start with scheme "://". */
static size_t
scheme_len(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || !g_ascii_isalpha(s[0]))
		return 0;
	while (i < n && i < 32 && (g_ascii_isalnum(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
		i++;
	return i + 3 <= n && memcmp(s + i, "://", 3) == 0 ? i : 0;
}

/*
 * One way to defang a URL, wherever it is shown (href, bare URL in text or in
 * an HTML text node, an external link in a document's report): http(s) becomes
 * hxxp(s), any other scheme's "://" becomes "[:]//", and every dot of the host
 * "[.]" — "www.…" and "ftp.…" without a scheme too.  A Windows UNC path
 * (\\host\share) starts [\\] instead, so that what is left names no host
 * anyone can register.  No mail client or terminal makes a link of the result.
 */
char *
mamori_defang_url(const char *url)
{
	size_t n = strlen(url), sl = scheme_len(url, n);
	char *out = malloc(n * 3 + 8), *o = out;
	const char *host = NULL, *end;

	if (out == NULL)
		return NULL;
	if (sl > 0)
		host = url + sl + 3;
	else if (g_ascii_strncasecmp(url, "www.", 4) == 0 || g_ascii_strncasecmp(url, "ftp.", 4) == 0)
		host = url;
	else if (strstr(url, "://") != NULL)
		host = strstr(url, "://") + 3;
	if (g_ascii_strncasecmp(url, "http", 4) == 0) {
		memcpy(o, "hxxp", 4);
		o += 4;
		url += 4;
	} else if (sl > 0 && g_ascii_strncasecmp(url, "hxxp", 4) != 0) {
		memcpy(o, url, sl);
		memcpy(o + sl, "[:]//", 5);
		o += sl + 5;
		url += sl + 3;
	} else if (url[0] == '\\' && url[1] == '\\') {
		memcpy(o, "[\\\\]", 4);
		o += 4;
		url += 2;
		host = url;
	}
	end = host ? host + strcspn(host, "/?#\\") : NULL;
	for (; *url; url++) {
		if (host && url >= host && url < end && *url == '.' &&
		    !(url > host && url[-1] == '[' && url[1] == ']')) {	/* "[.]" stays: defanged twice is once */
			memcpy(o, "[.]", 3);
			o += 3;
		} else {
			*o++ = *url;
		}
	}
	*o = '\0';
	return out;
}

/* Bytes that end a bare URL: white space, controls, quotes and angle brackets
 * that mail clients end a link at. */
static bool
url_byte(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '<' && c != '>' && c != '"' && c != '\'' && c != '`';
}

/*
 * The length of the character at s if it belongs to a bare URL, else 0.  Not
 * ASCII belongs too (Thunderbird links "https://例え.テスト/" and a host in
 * full-width letters whole, and a browser reads "ｅｖｉｌ" as "evil"), except
 * the no-break space and the CJK punctuation block U+3000–U+303F (the
 * ideographic space, 、。「」), where Japanese text around a URL goes on.
 */
static size_t
url_char(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t k = 1;

	if (u[0] < 0x80)
		return url_byte(u[0]) ? 1 : 0;
	if ((n >= 2 && u[0] == 0xC2 && u[1] == 0xA0) || (n >= 3 && u[0] == 0xE3 && u[1] == 0x80))
		return 0;
	while (k < n && k < 4 && (u[k] & 0xC0) == 0x80)
		k++;
	return k;
}

/*
 * Whether a URL a mail client makes a link of starts at s[i]: "scheme://",
 * "www." or "ftp." (which clients complete with a scheme), or a UNC path
 * "\\host" (Outlook links it, and opening it sends the reader's NTLM hash to
 * the host).  Only a letter or digit before it keeps it from starting there:
 * Thunderbird links the "https://…" of "_https://…" and "@https://…".
 */
static bool
url_starts(const char *s, size_t n, size_t i)
{
	if (i > 0 && g_ascii_isalnum(s[i - 1]))
		return false;
	if (scheme_len(s + i, n - i) > 0)
		return true;
	if (n - i > 4 && (g_ascii_strncasecmp(s + i, "www.", 4) == 0 || g_ascii_strncasecmp(s + i, "ftp.", 4) == 0))
		return url_char(s + i + 4, n - i - 4) > 0;
	return n - i > 2 && s[i] == '\\' && s[i + 1] == '\\' && (i == 0 || s[i - 1] != '\\') &&
	    (g_ascii_isalnum(s[i + 2]) || (unsigned char)s[i + 2] >= 0x80);
}

char *
mamori_defang_text(const char *s, size_t n)
{
	GString *out = g_string_sized_new(n + 16);
	size_t i = 0, copied = 0;

	while (i < n) {
		if (!url_starts(s, n, i)) {
			i++;
			continue;
		}
		size_t j = i, k;
		while (j < n && (k = url_char(s + j, n - j)) > 0)
			j += k;
		if (j - i >= 4 && g_ascii_strncasecmp(s + i, "hxxp", 4) == 0) {	/* defanged already */
			i = j;
			continue;
		}
		g_string_append_len(out, s + copied, (gssize)(i - copied));
		char *url = g_strndup(s + i, j - i), *d = mamori_defang_url(url);
		g_string_append(out, d ? d : url);
		free(d);
		g_free(url);
		i = copied = j;
	}
	g_string_append_len(out, s + copied, (gssize)(n - copied));
	char *r = malloc(out->len + 1);
	if (r != NULL)
		memcpy(r, out->str, out->len + 1);
	g_string_free(out, TRUE);
	return r;
}

static bool
hidden(const xmlNode *n)
{
	xmlChar *style, *h;
	bool hide = false;

	if ((h = xmlGetProp(n, (const xmlChar *)"hidden")) != NULL) {
		xmlFree(h);
		return true;
	}
	if ((style = xmlGetProp(n, (const xmlChar *)"style")) != NULL) {
		char compact[256];
		size_t o = 0;
		for (const xmlChar *p = style; *p && o + 1 < sizeof(compact); p++)
			if (*p != ' ')
				compact[o++] = (char)tolower(*p);
		compact[o] = '\0';
		hide = strstr(compact, "display:none") || strstr(compact, "visibility:hidden");
		xmlFree(style);
	}
	return hide;
}

/* What an element is for the text: one lookup per element (a profile of
 * newsletters showed strcasecmp against every list at 8 % of the time). */
enum kind { K_OTHER, K_DROP, K_BLOCK, K_IMG, K_BR, K_LI, K_TR, K_CELL, K_A };

struct kind_entry {
	const char *name;
	enum kind kind;
};

/* sorted by name (bsearch) */
static const struct kind_entry kinds[] = {
	{ "a", K_A }, { "address", K_BLOCK }, { "article", K_BLOCK }, { "blockquote", K_BLOCK },
	{ "br", K_BR }, { "button", K_DROP }, { "div", K_BLOCK }, { "dl", K_BLOCK }, { "embed", K_DROP },
	{ "footer", K_BLOCK }, { "form", K_DROP }, { "h1", K_BLOCK }, { "h2", K_BLOCK }, { "h3", K_BLOCK },
	{ "h4", K_BLOCK }, { "h5", K_BLOCK }, { "h6", K_BLOCK }, { "head", K_DROP }, { "header", K_BLOCK },
	{ "hr", K_BLOCK }, { "iframe", K_DROP }, { "img", K_IMG }, { "li", K_LI }, { "noscript", K_DROP },
	{ "object", K_DROP }, { "ol", K_BLOCK }, { "p", K_BLOCK }, { "pre", K_BLOCK }, { "script", K_DROP },
	{ "section", K_BLOCK }, { "style", K_DROP }, { "svg", K_DROP }, { "table", K_BLOCK },
	{ "td", K_CELL }, { "template", K_DROP }, { "th", K_CELL }, { "tr", K_TR }, { "ul", K_BLOCK },
};

static int
kind_cmp(const void *key, const void *entry)
{
	return strcasecmp(key, ((const struct kind_entry *)entry)->name);
}

static enum kind
kind_of(const xmlNode *n)
{
	const struct kind_entry *e = n->name ? bsearch(n->name, kinds, sizeof(kinds) / sizeof(kinds[0]),
	    sizeof(kinds[0]), kind_cmp) : NULL;

	return e ? e->kind : K_OTHER;
}

static void walk(struct text *t, const xmlNode *n);

static void
element(struct text *t, const xmlNode *n)
{
	enum kind k = kind_of(n);

	if (k == K_DROP || hidden(n))
		return;
	if (k == K_IMG) {
		/* tracking pixels and pictures: only the words they stand for */
		xmlChar *alt = xmlGetProp(n, (const xmlChar *)"alt");
		if (alt && *alt) {
			buf_adds(&t->b, "[画像: ");
			put_folded(t, (const char *)alt);
			buf_adds(&t->b, "]");
		}
		xmlFree(alt);
		return;
	}
	if (k == K_BR) {
		buf_adds(&t->b, "\n");
		return;
	}
	if (k == K_BLOCK)
		newline(t, true);
	if (k == K_LI) {
		newline(t, false);
		buf_adds(&t->b, "・");
	}
	if (k == K_TR)
		newline(t, false);
	if (k == K_CELL && t->b.len && t->b.p[t->b.len - 1] != '\n')
		buf_adds(&t->b, " | ");
	walk(t, n->children);
	if (k == K_A) {
		xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
		if (href && (strncasecmp((const char *)href, "http", 4) == 0 || strncasecmp((const char *)href, "mailto:", 7) == 0)) {
			char *d = mamori_defang_url((const char *)href);
			buf_adds(&t->b, " <");
			buf_adds(&t->b, d ? d : "");
			buf_adds(&t->b, ">");
			free(d);
		}
		xmlFree(href);
	}
	if (k == K_BLOCK)
		newline(t, true);
}

static void
walk(struct text *t, const xmlNode *n)
{
	if (++t->depth > 256) {		/* deeper nesting is not legible text anyway */
		t->depth--;
		return;
	}
	for (; n != NULL; n = n->next) {
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
			put_folded(t, (const char *)n->content);
		else if (n->type == XML_ELEMENT_NODE)
			element(t, n);
		/* comments, processing instructions: dropped */
	}
	t->depth--;
}

char *
sanitize_html_text(const char *html, size_t len)
{
	struct text t = { 0 };
	htmlDocPtr doc;

	if (len > INT32_MAX)
		return NULL;
	doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
	    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET | HTML_PARSE_NOBLANKS);
	if (doc != NULL) {
		walk(&t, xmlDocGetRootElement(doc));
		xmlFreeDoc(doc);
	}
	newline(&t, false);
	return buf_take(&t.b, NULL);
}

/* The text of the HTML with every URL defanged: the hrefs (done as each link is
 * written) and the bare ones in text nodes, read from the whole text so that a
 * URL split over elements (<b>http://</b><i>evil.example.com</i>) is one. */
char *
mamori_html_to_text(const char *html, size_t len)
{
	char *t = sanitize_html_text(html, len), *d;

	if (t == NULL)
		return NULL;
	d = mamori_defang_text(t, strlen(t));
	free(t);
	return d;
}
