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

	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			if (!space)
				puts_(t, " ");
			space = true;
		} else {
			put(t, s, 1);
			space = false;
		}
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
is(const xmlNode *n, const char *name)
{
	return n->name && strcasecmp((const char *)n->name, name) == 0;
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

static const char *const dropped[] = { "script", "style", "head", "noscript", "template", "iframe",
	"object", "embed", "svg", "form", "button", NULL };
static const char *const blocks[] = { "p", "div", "section", "article", "header", "footer", "blockquote",
	"pre", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "hr", "address", NULL };

static bool
in_list(const xmlNode *n, const char *const *names)
{
	for (size_t i = 0; names[i]; i++)
		if (is(n, names[i]))
			return true;
	return false;
}

static void walk(struct text *t, const xmlNode *n);

static void
element(struct text *t, const xmlNode *n)
{
	if (in_list(n, dropped) || hidden(n))
		return;
	if (is(n, "img")) {
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
	if (is(n, "br")) {
		puts_(t, "\n");
		return;
	}
	bool block = in_list(n, blocks);
	if (block)
		newline(t, true);
	if (is(n, "li")) {
		newline(t, false);
		puts_(t, "・");
	}
	if (is(n, "tr"))
		newline(t, false);
	if ((is(n, "td") || is(n, "th")) && t->len && t->buf[t->len - 1] != '\n')
		puts_(t, " | ");
	walk(t, n->children);
	if (is(n, "a")) {
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
	if (block)
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
