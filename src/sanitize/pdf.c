/*
 * pdf.c — a PDF becomes a new PDF of rasterised pages: poppler renders each
 * page into an image at the chosen resolution, cairo writes a PDF holding only
 * those images.  Text, fonts, scripts, forms, links, attachments and every other
 * object of the original are gone by design; the report says what was there.
 */
#include "file_internal.h"

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

/* Lists what the original carried beyond its pages: attachments and scripts. */
static int
note_active_content(PopplerDocument *doc, struct mamori_file_report *rep)
{
	int rc = 0;

	if (poppler_document_has_attachments(doc)) {
		GList *atts = poppler_document_get_attachments(doc);
		for (GList *l = atts; l != NULL && rc == 0; l = l->next) {
			PopplerAttachment *a = l->data;
			uint64_t size = 0;	/* the declared size is optional and may lie: count */
			poppler_attachment_save_to_callback(a, count_bytes, &size, NULL);
			rc = file_report_add(rep, a->name && g_utf8_validate(a->name, -1, NULL) ? a->name : "(名前なし)",
			    size, "embedded file (添付ファイル)");
		}
		g_list_free_full(atts, g_object_unref);
	}
	if (rc == 0 && poppler_document_has_javascript(doc))
		rc = file_report_add(rep, "JavaScript", 0, "document JavaScript");
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
	int n, rc = 0, links = 0;
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
		GList *lm = poppler_page_get_link_mapping(page);
		links += (int)g_list_length(lm);
		poppler_page_free_link_mapping(lm);

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
	if (links > 0) {
		char what[64];
		snprintf(what, sizeof(what), "%d link(s) (リンク)", links);
		if (file_report_add(rep, "links", 0, what) != 0) {
			rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
			goto out;
		}
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
