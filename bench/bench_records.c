/*
 * bench_records.c — figures for bench/README.md (records, issue 18): a kind
 * filled with N records through the import (one file of N/20 rows for each
 * of 20 staff accounts in 5 課, and 10 by an account with few), the time of a
 * list page (first and deep, with and without a state, as accounts that see
 * all, their 課's, or their own), and moves one transaction each — what `record
 * move` and POST …/moves do per step — and in batches (`record move --batch`).
 *
 * Usage: bench_records POLICY DIR [N] [MOVES]   (defaults 100000, 10000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mamori/record.h"
#include "mamori/store.h"
#include "mamori/user.h"

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* n rows of 概要 and 影響の程度 as CSV text, malloc'd with room for a NUL. */
static char *
rows_csv(size_t n, const char *who, size_t *len)
{
	static const char *const sev[] = { "大（住民情報の漏えい・業務の停止）", "medium", "low" };
	size_t cap = 64 + n * 120, used = 0;
	char *b = malloc(cap + 1);

	used += (size_t)snprintf(b, cap, "概要,影響の程度\n");
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(b + used, cap - used, "%s の報告 %zu: 不審なメールを開いた,%s\n", who, i,
		    sev[i % 3]);
	*len = used;
	return b;
}

static int
import(struct mamori_store *s, const char *by, size_t n)
{
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	size_t len, count;
	char *csv = rows_csv(n, by, &len);
	int rc = mamori_record_import(s, "bench", by, "incident", "bench.csv", csv, len, NULL, &d, &count, &err);

	if (rc != 0)
		fprintf(stderr, "import by %s: %s\n", by, err.message);
	mamori_diags_clear(&d);
	return rc;
}

/* The median and the best of `runs` pages of f, in ms; the page's size in *got. */
static void
page(struct mamori_store *s, const char *label, struct mamori_record_filter f, int runs)
{
	struct mamori_error err = { 0 };
	double t[200];
	size_t got = 0;

	for (int i = 0; i < runs; i++) {
		cJSON *out = NULL;
		double t0 = now();
		if (mamori_record_list(s, &f, &out, &err) != 0) {
			fprintf(stderr, "%s: %s\n", label, err.message);
			return;
		}
		t[i] = (now() - t0) * 1e3;
		got = (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(out, "records"));
		cJSON_Delete(out);
	}
	qsort(t, (size_t)runs, sizeof(t[0]), cmp);
	printf("| %s | %zu | %.2f | %.2f |\n", label, got, t[runs / 2], t[0]);
}

int
main(int argc, char **argv)
{
	static const char *const depts[] = { "soumu", "zeimu", "shimin", "fukushi", "kyouiku" };
	struct mamori_store *s = NULL;
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	size_t n = argc > 3 ? strtoul(argv[3], NULL, 10) : 100000, moves = argc > 4 ? strtoul(argv[4], NULL, 10) : 10000;
	char db[4096], name[32];
	double t0;

	setvbuf(stdout, NULL, _IOLBF, 0);	/* each figure as it comes, into a pipe too */
	if (argc < 3) {
		fprintf(stderr, "usage: bench_records POLICY DIR [N] [MOVES]\n");
		return 2;
	}
	snprintf(db, sizeof(db), "%s/records.db", argv[2]);
	if (mamori_store_create(db, argv[1], "bench", &d, &s, &err) != 0) {
		fprintf(stderr, "%s: %s\n", db, err.message);
		return 1;
	}
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "s%02d", i);
		mamori_user_add(s, "bench", name, "staff", depts[i % 5], NULL, false, &err);
	}
	mamori_user_add(s, "bench", "lone", "staff", "soumu", NULL, false, &err);
	mamori_user_add(s, "bench", "kanri", "security-manager", "soumu", NULL, false, &err);
	mamori_user_add(s, "bench", "ciso1", "ciso", NULL, NULL, false, &err);

	t0 = now();
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "s%02d", i);
		if (import(s, name, n / 20) != 0)
			return 1;
	}
	if (import(s, "lone", 10) != 0)
		return 1;
	printf("import: %zu records in 21 files, %.1f s (%.0f records/s)\n\n", n / 20 * 20 + 10, now() - t0,
	    (double)(n / 20 * 20 + 10) / (now() - t0));

	/* moves 報告 → 受付 of records spread over the list: one transaction each,
	 * then as many again in batches of 1,000 (mamori_record_move_many) */
	struct mamori_record_filter all = { .kind = "incident", .state = "reported", .limit = 1000 };
	size_t cap = n + 16, nall = 0, nids = 0;
	char (*every)[MAMORI_RECORD_ID_MAX] = calloc(cap, sizeof(*every));
	struct mamori_record_step *steps = calloc(moves + 1, sizeof(*steps));
	for (int64_t before = 0;;) {
		cJSON *out = NULL, *r;
		all.before = before;
		if (mamori_record_list(s, &all, &out, &err) != 0)
			return 1;
		cJSON_ArrayForEach(r, cJSON_GetObjectItem(out, "records"))
			if (nall < cap)
				snprintf(every[nall++], MAMORI_RECORD_ID_MAX, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(r, "id")));
		before = cJSON_IsNumber(cJSON_GetObjectItem(out, "next")) ?
		    (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(out, "next")) : 0;
		cJSON_Delete(out);
		if (before == 0)
			break;
	}
	size_t stride = nall / (2 * moves) ? nall / (2 * moves) : 1;
	t0 = now();
	for (size_t i = 0; i < moves && nids * stride < nall; i++, nids++) {
		struct mamori_diags p = { 0 };
		if (mamori_record_move(s, "bench", "ciso1", every[nids * stride], "accepted", NULL, NULL, time(NULL), &p,
		    &err) != 0) {
			fprintf(stderr, "move %s: %s\n", every[nids * stride], err.message);
			return 1;
		}
		mamori_diags_clear(&p);
	}
	printf("moves: %zu, one transaction each, %.1f s (%.0f moves/s)\n", nids, now() - t0,
	    (double)nids / (now() - t0));
	size_t done = 0, k = nids;
	t0 = now();
	while (done < moves && k * stride < nall) {
		size_t m = 0;
		struct mamori_diags p = { 0 };
		size_t failed;
		for (; m < 1000 && done + m < moves && k * stride < nall; m++, k++)
			steps[m] = (struct mamori_record_step){ every[k * stride], "accepted", NULL };
		if (mamori_record_move_many(s, "bench", "ciso1", steps, m, time(NULL), &p, &failed, &err) != 0) {
			fprintf(stderr, "batch: %s\n", err.message);
			return 1;
		}
		mamori_diags_clear(&p);
		done += m;
	}
	printf("moves: %zu, in batches of 1,000 (one transaction a batch), %.1f s (%.0f moves/s)\n\n", done,
	    now() - t0, (double)done / (now() - t0));
	free(every);
	free(steps);

	printf("| list page (limit 50) | records | median ms | best ms |\n|---|---|---|---|\n");
	const int64_t deep = (int64_t)n / 2;
	static const char *const askers[][2] = { { "ciso1", "sees all" }, { "kanri", "its 課's" },
		{ "s00", "its own (5,000)" }, { "lone", "its own (10)" } };
	for (size_t a = 0; a < 4; a++) {
		static const char *const states[] = { NULL, "reported", "accepted", "open" };
		for (size_t st = 0; st < 4; st++)
			for (int k = 0; k < 2; k++) {
				char label[160];
				struct mamori_record_filter f = { .kind = "incident", .state = states[st],
				    .visible_to = askers[a][0], .before = k ? deep : 0 };
				snprintf(label, sizeof(label), "%s (%s), %s, %s", askers[a][0], askers[a][1],
				    states[st] ? states[st] : "any state", k ? "deep (before the middle)" : "first page");
				page(s, label, f, 101);
			}
	}
	mamori_store_close(&s);
	mamori_diags_clear(&d);
	return 0;
}
