/*
 * file.c — file disarm (無害化): the type decided by content, the dispatcher,
 * the report and the atomic write of the result.
 */
#include "file_internal.h"
#include "../lib/buf.h"
#include "names.h"
#include "../lib/utf8.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct mamori_file_opts
file_opts_resolve(const struct mamori_file_opts *opts)
{
	struct mamori_file_opts o = { 0 };

	if (opts != NULL)
		o = *opts;
	if (o.dpi == 0)
		o.dpi = 150;
	if (o.limits.max_input == 0)
		o.limits.max_input = 100u << 20;
	if (o.limits.max_pages == 0)
		o.limits.max_pages = 500;
	if (o.limits.max_pixels == 0)
		o.limits.max_pixels = 100000000u;
	if (o.limits.max_entries == 0)
		o.limits.max_entries = 10000;
	if (o.limits.max_total == 0)
		o.limits.max_total = 512u << 20;
	if (o.limits.max_ratio == 0)
		o.limits.max_ratio = 100;
	if (o.limits.max_xml_depth == 0)
		o.limits.max_xml_depth = 128;
	return o;
}

int
file_report_add(struct mamori_file_report *r, const char *name, uint64_t size, const char *what)
{
	if (!ARRAY_RESERVE(r->removed, r->cap, r->nremoved + 1, 0))
		return MAMORI_E_NOMEM;
	struct mamori_file_item *it = &r->removed[r->nremoved];
	/* names come from hostile input and are printed to terminals and read by
	 * people: shown on one line, with control and bidi characters escaped (an
	 * ESC sequence in a zip entry name would be obeyed, a newline would write a
	 * line of its own, U+202E would show "invoice<RLO>fdp.exe" as "invoiceexe.pdf") */
	it->name = sanitize_name_dup(name);
	it->what = sanitize_name_dup(what);
	it->size = size;
	if (it->name == NULL || it->what == NULL) {
		free(it->name);
		free(it->what);
		return MAMORI_E_NOMEM;
	}
	r->nremoved++;
	return 0;
}

void
mamori_file_report_free(struct mamori_file_report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nremoved; i++) {
		free(r->removed[i].name);
		free(r->removed[i].what);
	}
	free(r->removed);
	memset(r, 0, sizeof(*r));
}

int
file_write(FILE *out, const void *p, size_t n, struct mamori_error *err)
{
	if (n > 0 && fwrite(p, 1, n, out) != n)
		return mamori_error_set(err, MAMORI_E_IO, "cannot write the output: %s", strerror(errno));
	return 0;
}

bool
file_looks_text(const char *in, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c >= 0x20 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == 0x1b)
			continue;
		if (c == 0x1a && i == len - 1)
			continue;
		return false;
	}
	return true;
}

/* Prefixes of text that is markup, not plain text (compared case-insensitively
 * after a BOM and white space). */
static const char *const markup_prefixes[] = {
	"<!doctype", "<html", "<?xml", "<svg", "<script", "<head", "<body", "<iframe", "{\\rtf",
};

static bool
starts_with_ci(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != prefix[i])
			return false;
	}
	return true;
}

bool
file_looks_markup(const char *p, size_t n)
{
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		p += 3;
		n -= 3;
	}
	while (n > 0 && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
		p++;
		n--;
	}
	for (size_t i = 0; i < sizeof(markup_prefixes) / sizeof(markup_prefixes[0]); i++)
		if (starts_with_ci(p, n, markup_prefixes[i]))
			return true;
	return false;
}

const char *
mamori_file_sniff(const char *in, size_t len)
{
	static const struct {
		const char *magic;
		size_t n;
		const char *kind;
	} magics[] = {
		{ "\x89PNG\r\n\x1a\n", 8, "png" },
		{ "\xff\xd8\xff", 3, "jpeg" },
		{ "PK\x03\x04", 4, "zip" },
		{ "PK\x05\x06", 4, "zip" },
		{ "PK\x07\x08", 4, "zip" },
		{ "MZ", 2, "executable" },
		{ "\x7f" "ELF", 4, "executable" },
		{ "\xfe\xed\xfa\xce", 4, "executable" },
		{ "\xfe\xed\xfa\xcf", 4, "executable" },
		{ "\xce\xfa\xed\xfe", 4, "executable" },
		{ "\xcf\xfa\xed\xfe", 4, "executable" },
		{ "\xca\xfe\xba\xbe", 4, "executable" },
		{ "#!", 2, "script" },
		{ "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8, "ole2" },
		{ "GIF87a", 6, "gif" },
		{ "GIF89a", 6, "gif" },
		{ "II*\0", 4, "tiff" },
		{ "MM\0*", 4, "tiff" },
		{ "RIFF", 4, "riff" },
		{ "\x1f\x8b", 2, "gzip" },
		{ "7z\xbc\xaf\x27\x1c", 6, "7z" },
		{ "Rar!", 4, "rar" },
		{ "{\\rtf", 5, "markup" },
	};
	/* PDF readers accept the header anywhere in the first 1024 bytes, so a
	 * file with junk before %PDF- is a PDF all the same */
	if (memmem(in, len < 1024 ? len : 1024, "%PDF-", 5) != NULL)
		return "pdf";
	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (len >= magics[i].n && memcmp(in, magics[i].magic, magics[i].n) == 0)
			return magics[i].kind;
	if (len >= 2 && ((in[0] == '\xff' && in[1] == '\xfe') || (in[0] == '\xfe' && in[1] == '\xff')))
		return "text";	/* UTF-16 with its byte order mark */
	if (!file_looks_text(in, len))
		return "binary";
	return file_looks_markup(in, len) ? "markup" : "text";
}

/* Why each refused kind is refused, in words for the user. */
static const char *
refusal_reason(const char *kind)
{
	static const struct {
		const char *kind;
		const char *why;
	} reasons[] = {
		{ "executable", "an executable program (PE, ELF, Mach-O or Java class)" },
		{ "script", "a script (#! line)" },
		{ "ole2", "a legacy Office / OLE2 compound file (.doc/.xls/.ppt/.msg): save it as OOXML (.docx/.xlsx/.pptx) first" },
		{ "gif", "a GIF image: only PNG and JPEG images are re-encoded" },
		{ "tiff", "a TIFF image: only PNG and JPEG images are re-encoded" },
		{ "riff", "a RIFF container (WebP, WAV, AVI)" },
		{ "gzip", "a gzip archive: archives are not unpacked" },
		{ "7z", "a 7-Zip archive: archives are not unpacked" },
		{ "rar", "a RAR archive: archives are not unpacked" },
		{ "markup", "markup (HTML, XML, SVG or RTF), which can carry scripts and links: it is not plain text" },
		{ "binary", "binary data of an unknown type" },
	};

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(reasons[i].kind, kind) == 0)
			return reasons[i].why;
	return "of an unknown type";
}

int
mamori_sanitize_file_buffer(const char *in, size_t len, const struct mamori_file_opts *opts,
    FILE *out, struct mamori_file_report *rep, struct mamori_error *err)
{
	struct mamori_file_opts o = file_opts_resolve(opts);
	const char *kind = mamori_file_sniff(in, len);
	int rc = 0;

	rep->type = kind;
	rep->in_size = len;
	if (o.dpi < 36 || o.dpi > 600)
		return mamori_error_set(err, MAMORI_E_USAGE, "--dpi %d is out of range (36 to 600)", o.dpi);
	if (len > o.limits.max_input)
		return mamori_error_set(err, MAMORI_E_INVALID,
		    "limit hit: input size %zu bytes is over the limit of %llu bytes", len,
		    (unsigned long long)o.limits.max_input);
	if (strcmp(kind, "pdf") == 0)
		return file_sanitize_pdf(in, len, &o, out, rep, err);
	if (strcmp(kind, "png") == 0)
		return file_sanitize_png(in, len, &o, out, rep, err);
	if (strcmp(kind, "jpeg") == 0)
		return file_sanitize_jpeg(in, len, &o, out, rep, err);
	if (strcmp(kind, "zip") == 0)
		return mamori_sanitize_ooxml(in, len, &o, out, rep, err);
	if (strcmp(kind, "text") == 0 && (rc = file_sanitize_text(in, len, &o, out, rep, err)) != MAMORI_E_USAGE)
		return rc;
	if (rc == MAMORI_E_USAGE)	/* text that decodes to markup (UTF-16 HTML) */
		kind = rep->type = "markup";
	rep->unsupported = true;
	return mamori_error_set(err, MAMORI_E_INVALID,
	    "refused: the content is %s; only PDF, PNG, JPEG, OOXML (docx/xlsx/pptx) and plain text are sanitized",
	    refusal_reason(kind));
}

/* Reads the whole file, refusing more than max bytes before reading them. */
static int
read_input(const char *path, uint64_t max, char **buf, size_t *len, struct mamori_error *err)
{
	struct stat st;
	size_t cap, n = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
	char *b = NULL;

	if (fd < 0)
		return mamori_error_set(err, MAMORI_E_IO, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot read %s: it is a directory", path);
		goto out;
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
		rc = mamori_error_set(err, MAMORI_E_INVALID,
		    "limit hit: %s is %llu bytes, over the input size limit of %llu bytes", path,
		    (unsigned long long)st.st_size, (unsigned long long)max);
		goto out;
	}
	cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 1 << 16;
	if ((b = malloc(cap)) == NULL) {
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory reading %s", path);
		goto out;
	}
	for (;;) {
		if (n == cap) {
			char *nb = n <= max ? realloc(b, cap *= 2) : NULL;
			if (nb == NULL) {
				rc = n > max ? mamori_error_set(err, MAMORI_E_INVALID,
				    "limit hit: %s is over the input size limit of %llu bytes", path, (unsigned long long)max)
				    : mamori_error_set(err, MAMORI_E_NOMEM, "out of memory reading %s", path);
				goto out;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = mamori_error_set(err, MAMORI_E_IO, "cannot read %s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max)
		rc = mamori_error_set(err, MAMORI_E_INVALID,
		    "limit hit: %s is over the input size limit of %llu bytes", path, (unsigned long long)max);
out:
	close(fd);
	if (rc != 0) {
		free(b);
		return rc;
	}
	*buf = b;
	*len = n;
	return 0;
}

/*
 * The output file, written where nobody sees it until it is complete.  It is
 * an unnamed file in OUT's directory (O_TMPFILE) that gets a name only when
 * it is whole and synced: a process that dies half-way — a CPU-time limit, the
 * OOM killer, a power cut — leaves nothing behind.  Where the filesystem has
 * no unnamed files, a named temporary beside OUT (mode 0600) that every error
 * path removes.  Either way the name is renamed over OUT, atomically.
 */
struct out_file {
	int fd;
	bool unnamed;		/* O_TMPFILE: no name until out_commit */
	bool named;		/* a file exists under tmp, to remove if the output is not finished */
	char *tmp;		/* the temporary name beside OUT */
	size_t tmp_size, dirlen;	/* dirlen: OUT's directory part, up to its last '/' */
};

/*
 * A temporary name beside out_path into o->tmp: mkstemp's template
 * (".OUT.mamori-XXXXXX"), or a random one for naming an unnamed file.
 */
static void
temp_name(struct out_file *o, const char *out_path, bool template)
{
	uint32_t r = 0;

	if (!template && getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint32_t)getpid() ^ (uint32_t)time(NULL);
	memcpy(o->tmp, out_path, o->dirlen);
	if (template)
		snprintf(o->tmp + o->dirlen, o->tmp_size - o->dirlen, ".%s.mamori-XXXXXX", out_path + o->dirlen);
	else
		snprintf(o->tmp + o->dirlen, o->tmp_size - o->dirlen, ".%s.mamori-%08x", out_path + o->dirlen, r);
}

static int
out_open(struct out_file *o, const char *out_path, struct mamori_error *err)
{
	const char *slash = strrchr(out_path, '/');
	char dir[4096];
	struct stat st;

	*o = (struct out_file){ .fd = -1, .tmp_size = strlen(out_path) + 32,
		.dirlen = slash ? (size_t)(slash - out_path) + 1 : 0 };
	if (stat(out_path, &st) == 0 && S_ISDIR(st.st_mode))
		return mamori_error_set(err, MAMORI_E_IO, "cannot write %s: it is a directory", out_path);
	if ((o->tmp = malloc(o->tmp_size)) == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	snprintf(dir, sizeof(dir), "%.*s", o->dirlen ? (int)o->dirlen : 1, o->dirlen ? out_path : ".");
	if ((o->fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600)) >= 0) {
		o->unnamed = true;
		return 0;
	}
	temp_name(o, out_path, true);
	if ((o->fd = mkstemp(o->tmp)) < 0) {	/* mode 0600 */
		free(o->tmp);
		o->tmp = NULL;
		return mamori_error_set(err, MAMORI_E_IO, "cannot create a file beside %s: %s", out_path,
		    strerror(errno));
	}
	o->named = true;
	return 0;
}

/* Gives the complete, synced file its name: OUT. */
static int
out_commit(struct out_file *o, const char *out_path, struct mamori_error *err)
{
	char proc[64];
	int tries = 0;

	if (o->unnamed) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
		do {
			temp_name(o, out_path, false);
			o->named = linkat(AT_FDCWD, proc, AT_FDCWD, o->tmp, AT_SYMLINK_FOLLOW) == 0;
		} while (!o->named && errno == EEXIST && ++tries < 16);
		if (!o->named)
			return mamori_error_set(err, MAMORI_E_IO, "cannot name the file written for %s: %s",
			    out_path, strerror(errno));
	}
	if (rename(o->tmp, out_path) != 0)
		return mamori_error_set(err, MAMORI_E_IO, "cannot rename %s to %s: %s", o->tmp, out_path,
		    strerror(errno));
	o->named = false;	/* the name is OUT's now */
	return 0;
}

/*
 * Closes the output and frees it; when it was not committed, removes the
 * temporary name it had (an unnamed file goes with its descriptor).
 */
static void
out_close(struct out_file *o)
{
	if (o->fd >= 0)
		close(o->fd);
	if (o->named)
		unlink(o->tmp);	/* nothing half-written is left behind */
	free(o->tmp);
	*o = (struct out_file){ .fd = -1 };
}

int
mamori_sanitize_file(const char *in_path, const char *out_path, const struct mamori_file_opts *opts,
    struct mamori_file_report *rep, struct mamori_error *err)
{
	struct mamori_file_opts o = file_opts_resolve(opts);
	struct out_file of = { .fd = -1 };
	char *in = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int rc;

	if ((rc = read_input(in_path, o.limits.max_input, &in, &len, err)) != 0)
		return rc;
	if ((rc = out_open(&of, out_path, err)) != 0)
		goto out;
	if ((f = fdopen(of.fd, "wb")) == NULL) {
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot write beside %s: %s", out_path, strerror(errno));
		goto out;
	}
	if ((rc = mamori_sanitize_file_buffer(in, len, &o, f, rep, err)) != 0)
		goto out;
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot write %s: %s", out_path, strerror(errno));
		goto out;
	}
	rep->out_size = (uint64_t)ftello(f);
	rc = out_commit(&of, out_path, err);
out:
	if (f != NULL) {
		fclose(f);	/* closes of.fd */
		of.fd = -1;
	}
	out_close(&of);
	free(in);
	return rc;
}

char *
mamori_file_report_json(const struct mamori_file_report *r, int status, const struct mamori_error *err)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	char *s = NULL;

	if (o == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "type", r->type ? r->type : "unknown");
	if (r->output_type && status == 0)
		cJSON_AddStringToObject(o, "output_type", r->output_type);
	else
		cJSON_AddNullToObject(o, "output_type");
	cJSON_AddNumberToObject(o, "input_size", (double)r->in_size);
	if (status == 0)
		cJSON_AddNumberToObject(o, "output_size", (double)r->out_size);
	if (r->pages > 0)
		cJSON_AddNumberToObject(o, "pages", r->pages);
	if (r->detail[0])
		cJSON_AddStringToObject(o, "detail", r->detail);
	if (r->notice[0])
		cJSON_AddStringToObject(o, "notice", r->notice);
	arr = cJSON_AddArrayToObject(o, "removed");
	for (size_t i = 0; arr != NULL && i < r->nremoved; i++) {
		cJSON *it = cJSON_CreateObject();
		if (it == NULL)
			break;
		cJSON_AddStringToObject(it, "name", r->removed[i].name);
		cJSON_AddNumberToObject(it, "size", (double)r->removed[i].size);
		cJSON_AddStringToObject(it, "what", r->removed[i].what);
		cJSON_AddItemToArray(arr, it);
	}
	if (status != 0) {
		cJSON_AddStringToObject(o, "refused", err ? err->message : mamori_strerror(status));
		cJSON_AddBoolToObject(o, "unsupported_type", r->unsupported);
	}
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}
