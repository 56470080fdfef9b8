/*
 * bench_store.c — figures for bench/README.md: filtered queries over a register,
 * durable audit appends one by one and in one transaction, and verification
 * throughput.  Usage: bench_store STORE [--queries] (a store with a large imported
 * register; --queries: the queries only).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mamori/asset.h"
#include "mamori/audit.h"
#include "mamori/store.h"

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this process: steadier than wall time on a shared machine */
static double
cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
count(const struct mamori_asset *a, void *ctx)
{
	(void)a;
	++*(size_t *)ctx;
	return 0;
}

/*
 * Times a query: its first run in this process, then the best of five, in
 * wall and CPU time.  A filter with a limit is read as a page with its total.
 */
static void
measure(struct mamori_store *s, const char *what, const char *how, const struct mamori_asset_filter *f)
{
	struct mamori_error err;
	struct mamori_asset_page page = { 0 };
	double first = 0, best = 1e9, cfirst = 0, cbest = 1e9, t, c;
	size_t n = 0;

	for (int r = 0; r < 6; r++) {
		n = 0;
		t = now();
		c = cpu();
		if ((f->limit > 0 ? mamori_asset_page(s, f, count, &n, &page, &err) :
		    mamori_asset_list(s, f, count, &n, &err)) != 0)
			fprintf(stderr, "%s: %s\n", what, err.message);
		t = now() - t;
		c = cpu() - c;
		if (r == 0) {
			first = t;
			cfirst = c;
		} else {
			best = t < best ? t : best;
			cbest = c < cbest ? c : cbest;
		}
	}
	printf("query %-58s %-36s %7zu rows", what, how, n);
	if (f->limit > 0)
		printf(" of %7lld", (long long)page.total);
	printf("  first %6.1f ms (cpu %6.1f)  best of 5 %6.1f ms (cpu %6.1f)\n", first * 1e3, cfirst * 1e3,
	    best * 1e3, cbest * 1e3);
}

/*
 * `log verify` in this process, runs times over the store as it is (no event
 * added): what the command does after it has started, without the start of a
 * process (loading its libraries takes about 30 ms here).
 */
static void
verify_runs(struct mamori_store *s, const char *path, int runs)
{
	struct mamori_error err;
	unsigned char pk[32];
	char pub[4096], summary[512];

	snprintf(pub, sizeof(pub), "%s.pub", path);
	if (mamori_audit_read_pubkey(pub, pk, &err) != 0) {
		fprintf(stderr, "%s\n", err.message);
		return;
	}
	for (int r = 0; r < runs; r++) {
		unsigned long long bytes = 0;
		double t = now(), c = cpu(), dt;
		if (mamori_audit_verify(s, pk, NULL, 0, summary, sizeof(summary), &err) != 0)
			fprintf(stderr, "%s\n", err.message);
		dt = now() - t;
		sscanf(strstr(summary, "(") ? strstr(summary, "(") + 1 : "0", "%llu", &bytes);
		printf("verify run %d: %.1f MB/s of event data (%.3f s wall, %.3f s CPU): %s\n", r + 1,
		    (double)bytes / dt / 1e6, dt, cpu() - c, summary);
	}
}

static int
one_event(struct mamori_store_tx *tx, void *arg)
{
	cJSON *after = cJSON_CreateObject();
	int rc;

	cJSON_AddNumberToObject(after, "n", *(int *)arg);
	rc = mamori_store_tx_event(tx, "bench.event", "bench", "b", NULL, after);
	cJSON_Delete(after);
	return rc;
}

static int
many_events(struct mamori_store_tx *tx, void *arg)
{
	int n = *(int *)arg, rc = 0;
	for (int i = 0; i < n && rc == 0; i++)
		rc = one_event(tx, &i);
	return rc;
}

int
main(int argc, char **argv)
{
	struct mamori_store *s;
	struct mamori_error err;
	struct mamori_head h;
	double t;

	if (argc < 2 || argc > 3 || mamori_store_open(argv[1], &s, &err) != 0) {
		fprintf(stderr, "usage: bench_store STORE [--queries|--verify] (%s)\n", argc >= 2 ? err.message : "");
		return 2;
	}
	static const struct {
		const char *what, *dept, *seg, *c, *i;
	} queries[] = {
		{ "department = 税務課, segment = LGWAN接続系, 機密性 = 3, 完全性 = 2", "税務課", "LGWAN接続系", "3", "2" },
		{ "department = 税務課, segment = マイナンバー利用事務系, 機密性 >= 2", "税務課", "マイナンバー利用事務系", ">=2", NULL },
		{ "department = 税務課 and 機密性 >= 3", "税務課", NULL, ">=3", NULL },
		{ "segment = マイナンバー利用事務系 and 機密性 = 3", NULL, "マイナンバー利用事務系", "3", NULL },
		{ "department = 市民課", "市民課", NULL, NULL, NULL },
	};
	if (argc == 3 && strcmp(argv[2], "--verify") == 0) {
		verify_runs(s, argv[1], 5);
		mamori_store_close(&s);
		return 0;
	}
	for (size_t q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
		struct mamori_asset_filter f = { .department = queries[q].dept, .segment = queries[q].seg };
		if (queries[q].c)
			mamori_asset_filter_level(&f, 0, queries[q].c);
		if (queries[q].i)
			mamori_asset_filter_level(&f, 1, queries[q].i);
		measure(s, queries[q].what, "whole list", &f);
		f.limit = 100;
		measure(s, queries[q].what, "first page of 100 + total", &f);
		f.after = "A-500000";
		measure(s, queries[q].what, "page of 100 after A-500000 + total", &f);
	}
	{
		struct mamori_asset_filter f = { .limit = 100 };
		measure(s, "no filter", "first page of 100 + total", &f);
		f.text = "台帳1";
		measure(s, "text search 台帳1 (name, description, location)", "first page of 100 + total", &f);
	}
	if (argc == 3 && strcmp(argv[2], "--queries") == 0) {
		mamori_store_close(&s);
		return 0;
	}

	{
		int n = 200;
		t = now();
		for (int i = 0; i < n; i++)
			mamori_store_write(s, "bench", one_event, &i, &err);
		printf("durable appends, one transaction each:   %8.0f events/s\n", n / (now() - t));
		n = 200000;
		t = now();
		if (mamori_store_write(s, "bench", many_events, &n, &err) != 0)
			fprintf(stderr, "%s\n", err.message);
		printf("durable appends, group commit (200k/tx): %8.0f events/s\n", n / (now() - t));
	}
	mamori_audit_sign_head(s, &h, &err);
	verify_runs(s, argv[1], 1);
	mamori_store_close(&s);
	return 0;
}
