/* html2text.c — HTML to readable text with libxml2's HTML parser. */
#include "mamori/sanitize.h"

#include <ctype.h>
#include <libxml/HTMLparser.h>
#include <stdint.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct text {
	char *buf;
	size_t len, cap;
	bool nomem;
	int depth;
};

static void
put(struct text *t, const char *s, size_t n)
{
	if (t->nomem || n == 0)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		while (cap < t->len + n + 1)
			cap *= 2;
		char *b = realloc(t->buf, cap);
		if (b == NULL) {
			t->nomem = true;
			return;
		}
		t->buf = b;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static void
puts_(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

/* Ends the current line unless the text already ends one (blank: two). */
static void
newline(struct text *t, bool blank)
{
	if (t->len == 0)
		return;
	if (t->buf[t->len - 1] != '\n')
		puts_(t, "\n");
	if (blank && (t->len < 2 || t->buf[t->len - 2] != '\n'))
		puts_(t, "\n");
}

/* Text content with runs of white space folded to one space. */
static void
put_folded(struct text *t, const char *s)
{
	bool space = t->len > 0 && (t->buf[t->len - 1] == ' ' || t->buf[t->len - 1] == '\n');

	while (*s) {
		size_t run = strcspn(s, " \t\n\r");	/* copied as one piece */
		if (run > 0) {
			put(t, s, run);
			s += run;
			space = false;
			continue;
		}
		if (!space)
			puts_(t, " ");
		space = true;
		s++;
	}
}

char *
mamori_defang_url(const char *url)
{
	size_t n = strlen(url);
	char *out = malloc(n * 3 + 8), *o = out;
	const char *host = strstr(url, "://"), *end;

	if (out == NULL)
		return NULL;
	if (strncasecmp(url, "http", 4) == 0) {
		memcpy(o, "hxxp", 4);
		o += 4;
		url += 4;
	}
	host = host ? host + 3 : NULL;
	end = host ? host + strcspn(host, "/?#") : NULL;
	for (; *url; url++) {
		if (host && url >= host && url < end && *url == '.') {
			memcpy(o, "[.]", 3);
			o += 3;
		} else {
			*o++ = *url;
		}
	}
	*o = '\0';
	return out;
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
			puts_(t, "[画像: ");
			put_folded(t, (const char *)alt);
			puts_(t, "]");
		}
		xmlFree(alt);
		return;
	}
	if (k == K_BR) {
		puts_(t, "\n");
		return;
	}
	if (k == K_BLOCK)
		newline(t, true);
	if (k == K_LI) {
		newline(t, false);
		puts_(t, "・");
	}
	if (k == K_TR)
		newline(t, false);
	if (k == K_CELL && t->len && t->buf[t->len - 1] != '\n')
		puts_(t, " | ");
	walk(t, n->children);
	if (k == K_A) {
		xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
		if (href && (strncasecmp((const char *)href, "http", 4) == 0 || strncasecmp((const char *)href, "mailto:", 7) == 0)) {
			char *d = mamori_defang_url((const char *)href);
			puts_(t, " <");
			puts_(t, d ? d : "");
			puts_(t, ">");
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
mamori_html_to_text(const char *html, size_t len)
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
	if (t.nomem) {
		free(t.buf);
		return NULL;
	}
	return t.buf ? t.buf : strdup("");
}
