/*
 * mamori/xlsx.h — a worksheet of an XLSX workbook read as CSV text, the way
 * Excel's own 「CSV UTF-8」 save writes it, so that the register's import
 * takes a ledger kept in Excel as it is.  Built on libzip and libxml2; linked
 * into mamori-full and the server only (mamori runs mamori-full for it).
 */
#ifndef MAMORI_XLSX_H
#define MAMORI_XLSX_H

#include <stddef.h>
#include <string.h>

/* Bounds on what one workbook may make the reader do (0: the default). */
struct mamori_xlsx_limits {
	size_t max_part;	/* bytes of one part once inflated (default 1 GiB) */
	size_t max_output;	/* bytes of CSV written (default 1 GiB) */
};

/*
 * Reads the worksheet named sheet (NULL: the first one in the workbook's tab
 * order) of the XLSX workbook in buf and returns it as CSV: UTF-8, fields
 * quoted as RFC 4180 says when they hold a comma, a quote or a line break, LF
 * between records.  Record N is the sheet's row N, from row 1 to the last row
 * with a cell, and every record is as wide as the widest row (empty cells and
 * rows are empty fields), as Excel writes its CSV.  Shared and inline strings
 * are given without their ふりがな (rPh) and with Excel's _xHHHH_ escapes
 * decoded; numbers as stored; a number whose cell format is a date as
 * YYYY-MM-DD (with " HH:MM:SS" when it has a time of day), in the workbook's
 * 1900 or 1904 date system; booleans as TRUE / FALSE; errors as shown
 * (#N/A).  The XML is never given a DTD, entities or the network.
 *
 * Returns a malloc'd buffer holding *out_len bytes and room for a NUL after
 * them, or NULL with a message for a person in msg: not a zip, an Excel
 * 97-2003 or password-protected file (both OLE2), no such sheet (the sheets
 * are named), a limit passed, a part that is not well-formed (its name and
 * line).  progress, when not NULL, is called every 10,000 rows read (a sheet
 * of a million rows takes about a minute: bench/README.md).
 */
char *mamori_xlsx_sheet_csv(const char *buf, size_t len, const char *sheet,
    const struct mamori_xlsx_limits *limits, void (*progress)(size_t rows_read),
    size_t *out_len, char *msg, size_t msglen);

/*
 * libxml2's global set-up, which the reader needs: call it once from the main
 * thread before threads read workbooks (the server); mamori_xlsx_sheet_csv
 * calls it too, which is enough for a program with one thread.
 */
void mamori_xlsx_init(void);

/*
 * Whether buf starts like an Excel file rather than CSV text: a zip archive (as
 * XLSX is) or an OLE2 compound file (as .xls and password-protected
 * workbooks are, which mamori_xlsx_sheet_csv names in its refusal).
 */
static inline int
mamori_xlsx_looks_like(const char *buf, size_t len)
{
	static const unsigned char zip[4] = { 'P', 'K', 3, 4 },
	    ole2[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };

	return (len >= sizeof(zip) && memcmp(buf, zip, sizeof(zip)) == 0) ||
	    (len >= sizeof(ole2) && memcmp(buf, ole2, sizeof(ole2)) == 0);
}

#endif
