/*
 * image.c — PNG and JPEG images decoded and encoded anew, so that nothing but
 * pixels survives: no text chunks, EXIF, XMP, ICC profiles, comments or data
 * after the end of the image.  PNG is read and written by cairo (libpng);
 * JPEG by libjpeg-turbo, decoded to pixels (the EXIF orientation applied, since
 * the EXIF block that carried it goes) and encoded at quality 90.
 */
#include "file_internal.h"

#include <cairo.h>
#include <jpeglib.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

/* ---- PNG ---------------------------------------------------------------- */

struct png_reader {
	const unsigned char *p;
	size_t len, off;
};

static cairo_status_t
png_read(void *closure, unsigned char *data, unsigned int length)
{
	struct png_reader *r = closure;

	if (length > r->len - r->off)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(data, r->p + r->off, length);
	r->off += length;
	return CAIRO_STATUS_SUCCESS;
}

static cairo_status_t
png_write(void *closure, const unsigned char *data, unsigned int length)
{
	return length == 0 || fwrite(data, 1, length, closure) == length ? CAIRO_STATUS_SUCCESS
	    : CAIRO_STATUS_WRITE_ERROR;
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Lists the ancillary chunks of the original that the new PNG will not have. */
static int
png_note_chunks(const unsigned char *p, size_t len, struct mamori_file_report *rep)
{
	static const char *const kept[] = { "IHDR", "PLTE", "IDAT", "IEND", "tRNS", "bKGD" };	/* bKGD: cairo writes one */
	size_t off = 8;

	while (off + 12 <= len) {
		uint32_t n = be32(p + off);
		char type[5], what[96];
		bool keep = false;

		if (n > len - off - 12)
			break;
		memcpy(type, p + off + 4, 4);
		type[4] = '\0';
		for (size_t i = 0; i < 4; i++)
			if (!((type[i] >= 'A' && type[i] <= 'Z') || (type[i] >= 'a' && type[i] <= 'z')))
				type[i] = '?';
		for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
			keep = keep || strcmp(type, kept[i]) == 0;
		if (!keep) {
			snprintf(what, sizeof(what), "PNG %s chunk (%s)", type,
			    strcmp(type, "eXIf") == 0 ? "EXIF metadata" :
			    strcmp(type, "tEXt") == 0 || strcmp(type, "zTXt") == 0 || strcmp(type, "iTXt") == 0 ? "text metadata" :
			    strcmp(type, "iCCP") == 0 ? "colour profile" : "ancillary data");
			if (file_report_add(rep, type, n, what) != 0)
				return MAMORI_E_NOMEM;
		}
		off += 12 + (size_t)n;
		if (strcmp(type, "IEND") == 0)
			break;
	}
	if (off < len && file_report_add(rep, "trailing data", len - off, "bytes after the end of the PNG") != 0)
		return MAMORI_E_NOMEM;
	return 0;
}

int
file_sanitize_png(const char *in, size_t len, const struct mamori_file_opts *o, FILE *out,
    struct mamori_file_report *rep, struct mamori_error *err)
{
	const unsigned char *p = (const unsigned char *)in;
	struct png_reader r = { p, len, 0 };
	cairo_surface_t *s = NULL;
	cairo_status_t st;
	int rc = 0;

	if (len < 33 || be32(p + 8) != 13 || memcmp(p + 12, "IHDR", 4) != 0)
		return mamori_error_set(err, MAMORI_E_INVALID, "refused: damaged PNG: no image header");
	uint32_t w = be32(p + 16), h = be32(p + 20);
	/* checked before decoding: the header's size is what the decoder allocates */
	if (w == 0 || h == 0 || w > 32767 || h > 32767 || (uint64_t)w * h > o->limits.max_pixels)
		return mamori_error_set(err, MAMORI_E_INVALID,
		    "limit hit: the PNG is %ux%u pixels; at most 32767 per side and %llu pixels are decoded",
		    w, h, (unsigned long long)o->limits.max_pixels);
	s = cairo_image_surface_create_from_png_stream(png_read, &r);
	if ((st = cairo_surface_status(s)) != CAIRO_STATUS_SUCCESS) {
		rc = mamori_error_set(err, st == CAIRO_STATUS_NO_MEMORY ? MAMORI_E_NOMEM : MAMORI_E_INVALID,
		    "refused: damaged PNG: %s", cairo_status_to_string(st));
		goto out;
	}
	if ((rc = png_note_chunks(p, len, rep)) != 0) {
		rc = mamori_error_set(err, rc, "out of memory");
		goto out;
	}
	rep->output_type = "png";
	if (cairo_surface_write_to_png_stream(s, png_write, out) != CAIRO_STATUS_SUCCESS) {
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot write the PNG");
		goto out;
	}
	snprintf(rep->detail, sizeof(rep->detail), "%ux%u pixels re-encoded", w, h);
out:
	cairo_surface_destroy(s);
	return rc;
}

/* ---- JPEG --------------------------------------------------------------- */

struct jpeg_job {
	struct jpeg_error_mgr jerr;
	jmp_buf jb;
	char msg[JMSG_LENGTH_MAX];
	struct jpeg_progress_mgr progress;
	struct jpeg_decompress_struct d;
	struct jpeg_compress_struct c;
	bool d_made, c_made, c_done;
	long warnings;
	unsigned char *pixels, *rotated, *outbuf;
	unsigned long outlen;
	const struct mamori_file_opts *o;
	const unsigned char *in;
	size_t len;
	struct mamori_file_report *rep;
	bool limit_hit;
	int orient;	/* EXIF orientation, 1..8 */
};

static void
jpeg_fail(j_common_ptr cinfo)
{
	struct jpeg_job *j = (struct jpeg_job *)cinfo->err;

	(*cinfo->err->format_message)(cinfo, j->msg);
	longjmp(j->jb, 1);
}

static void
jpeg_note(j_common_ptr cinfo, int level)
{
	struct jpeg_job *j = (struct jpeg_job *)cinfo->err;

	/* corrupt-data warnings: count them; too many is a decoder trap */
	if (level < 0 && ++j->warnings > 1000) {
		snprintf(j->msg, sizeof(j->msg), "limit hit: over 1,000 corrupt-data warnings");
		j->limit_hit = true;
		longjmp(j->jb, 1);
	}
}

/* Progressive JPEGs with thousands of scans cost minutes to decode. */
static void
jpeg_progress(j_common_ptr cinfo)
{
	struct jpeg_job *j = (struct jpeg_job *)cinfo->err;

	if (cinfo->is_decompressor && ((j_decompress_ptr)cinfo)->input_scan_number > 500) {
		snprintf(j->msg, sizeof(j->msg), "limit hit: over 500 progressive scans");
		j->limit_hit = true;
		longjmp(j->jb, 1);
	}
}

static unsigned
rd16(const unsigned char *p, bool le)
{
	return le ? (unsigned)p[0] | (unsigned)p[1] << 8 : (unsigned)p[0] << 8 | p[1];
}

static uint32_t
rd32(const unsigned char *p, bool le)
{
	return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
	    : (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The EXIF orientation (1..8) of an APP1 block, 1 when there is none. */
static int
exif_orientation(const unsigned char *p, size_t n)
{
	if (n < 14 || memcmp(p, "Exif\0\0", 6) != 0)
		return 1;
	p += 6;
	n -= 6;
	bool le = p[0] == 'I' && p[1] == 'I';
	if (!le && !(p[0] == 'M' && p[1] == 'M'))
		return 1;
	if (rd16(p + 2, le) != 42)
		return 1;
	uint32_t ifd = rd32(p + 4, le);
	if (ifd > n - 2)
		return 1;
	unsigned count = rd16(p + ifd, le);
	for (unsigned i = 0; i < count; i++) {
		size_t e = (size_t)ifd + 2 + (size_t)i * 12;
		if (e + 12 > n)
			break;
		if (rd16(p + e, le) == 0x0112 && rd16(p + e + 2, le) == 3) {
			unsigned v = rd16(p + e + 8, le);
			return v >= 1 && v <= 8 ? (int)v : 1;
		}
	}
	return 1;
}

/* Where display pixel (x, y) comes from in the stored w×h image. */
static void
orient_source(int orient, size_t x, size_t y, size_t w, size_t h, size_t *sx, size_t *sy)
{
	switch (orient) {
	case 2: *sx = w - 1 - x; *sy = y; break;
	case 3: *sx = w - 1 - x; *sy = h - 1 - y; break;
	case 4: *sx = x; *sy = h - 1 - y; break;
	case 5: *sx = y; *sy = x; break;
	case 6: *sx = y; *sy = h - 1 - x; break;
	case 7: *sx = w - 1 - y; *sy = h - 1 - x; break;
	case 8: *sx = w - 1 - y; *sy = x; break;
	default: *sx = x; *sy = y; break;
	}
}

static const char *
marker_name(int m, const unsigned char *d, size_t n, char *buf, size_t bufsz)
{
	if (m == JPEG_COM)
		return "comment (COM)";
	const char *id = n >= 5 && memcmp(d, "Exif", 4) == 0 ? "EXIF" :
	    n >= 28 && memcmp(d, "http://ns.adobe.com/xap/1.0/", 28) == 0 ? "XMP" :
	    n >= 11 && memcmp(d, "ICC_PROFILE", 11) == 0 ? "ICC colour profile" :
	    n >= 13 && memcmp(d, "Photoshop 3.0", 13) == 0 ? "Photoshop IRB / IPTC" :
	    n >= 4 && memcmp(d, "MPF", 3) == 0 ? "multi-picture (MPF)" : "application data";
	snprintf(buf, bufsz, "APP%d %s", m - JPEG_APP0, id);
	return buf;
}

/* All libjpeg calls; a libjpeg error longjmps back here and returns -1. */
static int
jpeg_run(struct jpeg_job *j)
{
	if (setjmp(j->jb))
		return -1;
	jpeg_create_decompress(&j->d);
	j->d_made = true;
	j->d.progress = &j->progress;
	jpeg_mem_src(&j->d, j->in, (unsigned long)j->len);
	jpeg_save_markers(&j->d, JPEG_COM, 0xFFFF);
	for (int m = 0; m < 16; m++)
		jpeg_save_markers(&j->d, JPEG_APP0 + m, 0xFFFF);
	jpeg_read_header(&j->d, TRUE);
	uint64_t px = (uint64_t)j->d.image_width * j->d.image_height;
	if (px > j->o->limits.max_pixels) {
		snprintf(j->msg, sizeof(j->msg), "limit hit: the JPEG is %ux%u pixels, over the limit of %llu pixels",
		    j->d.image_width, j->d.image_height, (unsigned long long)j->o->limits.max_pixels);
		j->limit_hit = true;
		return -1;
	}
	for (jpeg_saved_marker_ptr m = j->d.marker_list; m != NULL; m = m->next) {
		char buf[64];
		if (m->marker == JPEG_APP0 + 1 && j->orient == 1)
			j->orient = exif_orientation(m->data, m->data_length);
		/* JFIF and Adobe headers are format, not metadata: the encoder writes its own */
		if ((m->marker == JPEG_APP0 && m->data_length >= 4 && memcmp(m->data, "JFIF", 4) == 0) ||
		    (m->marker == JPEG_APP0 + 14 && m->data_length >= 5 && memcmp(m->data, "Adobe", 5) == 0))
			continue;
		if (file_report_add(j->rep, marker_name(m->marker, m->data, m->data_length, buf, sizeof(buf)),
		    m->original_length, "JPEG metadata segment") != 0) {
			snprintf(j->msg, sizeof(j->msg), "out of memory");
			return -1;
		}
	}
	if (j->d.jpeg_color_space == JCS_GRAYSCALE)
		j->d.out_color_space = JCS_GRAYSCALE;
	else if (j->d.jpeg_color_space == JCS_CMYK || j->d.jpeg_color_space == JCS_YCCK)
		j->d.out_color_space = JCS_CMYK;
	else
		j->d.out_color_space = JCS_RGB;
	jpeg_start_decompress(&j->d);
	size_t w = j->d.output_width, h = j->d.output_height, nc = (size_t)j->d.output_components;
	size_t stride = w * nc;
	if ((j->pixels = malloc(stride * h)) == NULL) {
		snprintf(j->msg, sizeof(j->msg), "out of memory for %zux%zu pixels", w, h);
		return -1;
	}
	while (j->d.output_scanline < j->d.output_height) {
		JSAMPROW row = j->pixels + (size_t)j->d.output_scanline * stride;
		jpeg_read_scanlines(&j->d, &row, 1);
	}
	jpeg_finish_decompress(&j->d);

	size_t ow = j->orient >= 5 ? h : w, oh = j->orient >= 5 ? w : h;
	unsigned char *img = j->pixels;
	if (j->orient != 1) {
		if ((j->rotated = malloc(stride * h)) == NULL) {
			snprintf(j->msg, sizeof(j->msg), "out of memory");
			return -1;
		}
		for (size_t y = 0; y < oh; y++)
			for (size_t x = 0; x < ow; x++) {
				size_t sx, sy;
				orient_source(j->orient, x, y, w, h, &sx, &sy);
				memcpy(j->rotated + (y * ow + x) * nc, j->pixels + sy * stride + sx * nc, nc);
			}
		img = j->rotated;
	}

	jpeg_create_compress(&j->c);
	j->c_made = true;
	jpeg_mem_dest(&j->c, &j->outbuf, &j->outlen);
	j->c.image_width = (JDIMENSION)ow;
	j->c.image_height = (JDIMENSION)oh;
	j->c.input_components = (int)nc;
	j->c.in_color_space = j->d.out_color_space;
	jpeg_set_defaults(&j->c);
	jpeg_set_quality(&j->c, 90, TRUE);
	j->c.optimize_coding = TRUE;
	jpeg_start_compress(&j->c, TRUE);
	while (j->c.next_scanline < j->c.image_height) {
		JSAMPROW row = img + (size_t)j->c.next_scanline * ow * nc;
		jpeg_write_scanlines(&j->c, &row, 1);
	}
	jpeg_finish_compress(&j->c);
	j->c_done = true;
	snprintf(j->rep->detail, sizeof(j->rep->detail), "%zux%zu pixels re-encoded (quality 90)%s", ow, oh,
	    j->orient != 1 ? ", EXIF orientation applied" : "");
	return 0;
}

int
file_sanitize_jpeg(const char *in, size_t len, const struct mamori_file_opts *o, FILE *out,
    struct mamori_file_report *rep, struct mamori_error *err)
{
	struct jpeg_job *j = calloc(1, sizeof(*j));
	int rc = 0;

	if (j == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	j->o = o;
	j->in = (const unsigned char *)in;
	j->len = len;
	j->rep = rep;
	j->orient = 1;
	j->d.err = jpeg_std_error(&j->jerr);
	j->c.err = &j->jerr;
	j->jerr.error_exit = jpeg_fail;
	j->jerr.emit_message = jpeg_note;
	j->progress.progress_monitor = jpeg_progress;
	if (jpeg_run(j) != 0) {
		rc = mamori_error_set(err, MAMORI_E_INVALID, "%s%s", j->limit_hit ? "" : "refused: damaged JPEG: ", j->msg);
		goto out;
	}
	rep->output_type = "jpeg";
	if (j->warnings > 0)
		snprintf(rep->notice, sizeof(rep->notice),
		    "the JPEG was damaged (%ld decoder warning(s)); damaged areas are filled in grey", j->warnings);
	rc = file_write(out, j->outbuf, j->outlen, err);
out:
	if (j->d_made)
		jpeg_destroy_decompress(&j->d);
	if (j->c_made)
		jpeg_destroy_compress(&j->c);
	free(j->pixels);
	free(j->rotated);
	/* before jpeg_finish_compress libjpeg's memory destination may have
	 * replaced the buffer without telling: it is not ours to free then */
	if (j->c_done)
		free(j->outbuf);
	free(j);
	return rc;
}
