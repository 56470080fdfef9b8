/*
 * text.c — plain text normalised to UTF-8.  The encoding is decided by the
 * bytes: a byte order mark (UTF-8, UTF-16), ISO-2022-JP escape sequences, valid
 * UTF-8, else whichever of CP932 and EUC-JP decodes with fewer errors and reads
 * more like Japanese.  Bytes that decode in no candidate become U+FFFD; the
 * output is never invalid UTF-8 and carries no BOM and no control characters
 * other than TAB, LF, FF and CR.
 */
#include "file_internal.h"
#include "../lib/buf.h"
#include "../lib/utf8.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

/* buf_add with the status the decoders chain on. */
static int
buf_append(struct buf *b, const char *s, size_t n)
{
	buf_add(b, s, n);
	return b->fail ? MAMORI_E_NOMEM : 0;
}

/*
 * Converts from charset to UTF-8; a byte that cannot be decoded becomes U+FFFD
 * and is counted in *bad.  Returns 0, MAMORI_E_NOMEM, or MAMORI_E_INVALID when
 * iconv does not know the charset.
 */
static int
decode_lossy(const char *charset, const char *in, size_t len, struct buf *out, size_t *bad)
{
	iconv_t cd = iconv_open("UTF-8", charset);
	char chunk[4096];
	char *ip = (char *)in;
	size_t il = len;
	int rc = 0;

	*bad = 0;
	if (cd == (iconv_t)-1)
		return MAMORI_E_INVALID;
	while (il > 0 && rc == 0) {
		char *op = chunk;
		size_t ol = sizeof(chunk);
		size_t r = iconv(cd, &ip, &il, &op, &ol);
		int e = errno;
		rc = buf_append(out, chunk, (size_t)(op - chunk));
		if (r == (size_t)-1 && rc == 0 && e != E2BIG) {
			/* EILSEQ or EINVAL (truncated at the end): replace one byte, resync */
			rc = buf_append(out, "\xEF\xBF\xBD", 3);
			(*bad)++;
			ip++;
			il--;
			iconv(cd, NULL, NULL, NULL, NULL);
		}
	}
	if (rc == 0) {	/* flush a stateful encoding's final shift */
		char *op = chunk;
		size_t ol = sizeof(chunk);
		iconv(cd, NULL, NULL, &op, &ol);
		rc = buf_append(out, chunk, (size_t)(op - chunk));
	}
	iconv_close(cd);
	return rc;
}

/* How much a UTF-8 text reads like Japanese: kana and kanji count for it,
 * half-width katakana (what EUC-JP read as CP932 turns into) against it. */
static long
japanese_score(const char *s, size_t n)
{
	long score = 0;

	for (size_t i = 0; i + 2 < n; i++) {
		unsigned char a = (unsigned char)s[i];
		if ((a & 0xF0) != 0xE0)
			continue;
		unsigned cp = ((a & 0x0Fu) << 12) | (((unsigned char)s[i + 1] & 0x3Fu) << 6) | ((unsigned char)s[i + 2] & 0x3Fu);
		if ((cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3000 && cp <= 0x303F))
			score += 1;
		else if (cp >= 0xFF61 && cp <= 0xFF9F)
			score -= 2;
		i += 2;
	}
	return score;
}

int
file_sanitize_text(const char *in, size_t len, const struct mamori_file_opts *o, FILE *out,
    struct mamori_file_report *rep, struct mamori_error *err)
{
	static const char *const guesses[] = { "CP932", "EUC-JP" };
	struct buf best = { 0 }, cand = { 0 }, clean = { 0 };
	const char *charset = NULL;
	size_t best_bad = 0, bad = 0, dropped = 0;
	int rc = 0;

	(void)o;
	rep->output_type = "text";
	if (len >= 3 && memcmp(in, "\xef\xbb\xbf", 3) == 0) {
		charset = "UTF-8 (BOM)";
		rc = decode_lossy("UTF-8", in + 3, len - 3, &best, &best_bad);
	} else if (len >= 2 && memcmp(in, "\xff\xfe", 2) == 0) {
		charset = "UTF-16LE (BOM)";
		rc = decode_lossy("UTF-16LE", in + 2, len - 2, &best, &best_bad);
	} else if (len >= 2 && memcmp(in, "\xfe\xff", 2) == 0) {
		charset = "UTF-16BE (BOM)";
		rc = decode_lossy("UTF-16BE", in + 2, len - 2, &best, &best_bad);
	} else if (memchr(in, 0x1b, len) != NULL) {
		/* 7-bit ISO-2022-JP is valid UTF-8 too, so its escapes decide first */
		charset = "ISO-2022-JP";
		rc = decode_lossy("ISO-2022-JP", in, len, &best, &best_bad);
		if (rc == 0 && best_bad > 0 && mamori_utf8_valid(in, len, NULL)) {
			/* UTF-8 with terminal escapes (a log file), not ISO-2022-JP */
			charset = "UTF-8";
			best.len = 0;
			best_bad = 0;
			rc = buf_append(&best, in, len);
		} else if (rc == 0 && best_bad > 0) {	/* JIS X 0212 or 0213 characters */
			rc = decode_lossy("ISO-2022-JP-3", in, len, &cand, &bad);
			if (rc == 0 && bad < best_bad) {
				struct buf t = best;
				best = cand;
				cand = t;
				best_bad = bad;
				charset = "ISO-2022-JP-3";
			}
			cand.len = 0;
		}
	} else if (mamori_utf8_valid(in, len, NULL)) {
		charset = "UTF-8";
		rc = buf_append(&best, in, len);
	} else {
		long best_score = 0;
		for (size_t i = 0; i < sizeof(guesses) / sizeof(guesses[0]) && rc == 0; i++) {
			cand.len = 0;
			if ((rc = decode_lossy(guesses[i], in, len, &cand, &bad)) != 0)
				break;
			long score = japanese_score(cand.p, cand.len);
			if (charset == NULL || bad < best_bad || (bad == best_bad && score > best_score)) {
				struct buf t = best;
				best = cand;
				cand = t;
				best_bad = bad;
				best_score = score;
				charset = guesses[i];
			}
		}
	}
	if (rc != 0) {
		rc = rc == MAMORI_E_NOMEM ? mamori_error_set(err, rc, "out of memory decoding the text")
		    : mamori_error_set(err, rc, "this system's iconv cannot decode %s", charset);
		goto out;
	}
	/* what iconv produced is UTF-8; controls other than TAB LF FF CR go (an
	 * ESC left by a broken escape sequence, a final DOS end-of-file mark) */
	for (size_t i = 0; i < best.len && rc == 0; i++) {
		unsigned char c = (unsigned char)best.p[i];
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r') || c == 0x7f) {
			dropped++;
			continue;
		}
		rc = buf_append(&clean, best.p + i, 1);
	}
	if (rc == 0 && clean.len > 0 && !mamori_utf8_valid(clean.p, clean.len, NULL))
		rc = mamori_error_set(err, MAMORI_E_INVALID, "internal error: the decoded text is not valid UTF-8");
	else if (rc != 0)
		rc = mamori_error_set(err, rc, "out of memory");
	if (rc != 0)
		goto out;
	if (file_looks_markup(clean.p ? clean.p : "", clean.len)) {
		rc = MAMORI_E_USAGE;	/* the caller refuses it as markup */
		goto out;
	}
	snprintf(rep->detail, sizeof(rep->detail), "%s → UTF-8, %zu characters%s", charset,
	    mamori_utf8_length(clean.p ? clean.p : "", clean.len), best_bad ? ", some bytes undecodable" : "");
	if (best_bad > 0 || dropped > 0)
		snprintf(rep->notice, sizeof(rep->notice),
		    "%zu undecodable byte(s) became U+FFFD and %zu control character(s) were dropped "
		    "(復号できないバイトは U+FFFD に置き換え、制御文字は削除しました)", best_bad, dropped);
	rc = file_write(out, clean.p, clean.len, err);
out:
	free(best.p);
	free(cand.p);
	free(clean.p);
	return rc;
}
