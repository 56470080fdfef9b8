/*
 * bench_audit.c — figures for bench/README.md (audit trail): durable appends
 * one by one and with group commit, verification throughput from the store and
 * over in-memory events, each as a ratio to `openssl speed -evp sha256` and to
 * libsodium's SHA-256 measured in the same run.
 *
 * Usage: bench_audit POLICY [EVENTS [PG-URL]]   (makes a fresh store in a temporary
 * directory; with PG-URL, a postgresql:// URL naming an empty schema, the store is
 * there instead, its keys in the temporary directory: bench/pg_ab.sh)
 */
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mamori/audit.h"
#include "mamori/store.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* An event body of a typical size: an asset record after a change (≈ 300 bytes). */
static cJSON *
body(int n)
{
	cJSON *o = cJSON_CreateObject();
	char id[32];

	snprintf(id, sizeof(id), "A-%06d", n);
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "name", "住民基本台帳システム 住民票データ");
	cJSON_AddStringToObject(o, "kind", "information");
	cJSON_AddStringToObject(o, "department", "市民課");
	cJSON_AddStringToObject(o, "segment", "マイナンバー利用事務系");
	cJSON_AddStringToObject(o, "confidentiality", "3");
	cJSON_AddStringToObject(o, "integrity", "2");
	cJSON_AddStringToObject(o, "availability", "2");
	cJSON_AddStringToObject(o, "updated", "2026-11-22T16:51:33.750220Z");
	return o;
}

static int
one_event(struct mamori_store_tx *tx, void *arg)
{
	cJSON *after = body(*(int *)arg);
	int rc = mamori_store_tx_event(tx, "asset.edit", "asset", "A-000001", NULL, after);

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

/* `openssl speed -evp sha256` for 1 KiB blocks, in MB/s (0 when unavailable). */
static double
openssl_sha256(void)
{
	FILE *p = popen("openssl speed -evp sha256 -seconds 2 -bytes 1024 2>/dev/null | tail -1", "r");
	char line[256] = "";
	double kbs = 0;

	if (p == NULL)
		return 0;
	if (fgets(line, sizeof(line), p) == NULL || sscanf(line, "sha256 %lfk", &kbs) != 1)
		kbs = 0;
	pclose(p);
	return kbs * 1000 / 1e6;
}

/* libsodium's crypto_hash_sha256 over 1 KiB blocks, in MB/s. */
static double
sodium_sha256(void)
{
	static unsigned char buf[1024];
	unsigned char h[32];
	long n = 0;
	double t = now();

	do {
		for (int i = 0; i < 10000; i++, n++) {
			buf[0] = (unsigned char)n;
			crypto_hash_sha256(h, buf, sizeof(buf));
		}
	} while (now() - t < 2.0);
	return (double)n * 1024 / (now() - t) / 1e6;
}

/* Leaves, chain and tree over events held in memory: the verifier without SQLite. */
static double
verify_in_memory(int n, bool root_every_event, unsigned char root[32])
{
	struct mamori_merkle_acc acc;
	unsigned char leaf[32], chain[32] = { 0 };
	char **bodies = calloc((size_t)n, sizeof(*bodies));
	uint64_t bytes = 0;
	double t;

	memset(&acc, 0, sizeof(acc));
	for (int i = 0; i < n; i++) {
		cJSON *b = body(i);
		bodies[i] = cJSON_PrintUnformatted(b);
		cJSON_Delete(b);
	}
	t = now();
	for (int i = 0; i < n; i++) {
		struct mamori_event ev = { i + 1, "2026-11-22T16:51:33.750220Z", "cli:tanaka", "asset.edit",
			"asset", "A-000001", bodies[i] };
		mamori_event_leaf(&ev, leaf);
		mamori_event_chain(chain, leaf, chain);
		mamori_merkle_acc_push(&acc, leaf);
		if (root_every_event)	/* what the verifier did before: log2(n) hashes more per event */
			mamori_merkle_acc_root(&acc, root);
		bytes += 8 + 27 + 10 + 10 + 5 + 8 + strlen(bodies[i]);
	}
	mamori_merkle_acc_root(&acc, root);
	t = now() - t;
	for (int i = 0; i < n; i++)
		free(bodies[i]);
	free(bodies);
	return (double)bytes / t / 1e6;
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/mamori-bench-audit-XXXXXX", db[1024], pub[160], summary[512], cmd[160];
	int events = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 200000;
	struct mamori_diags d = { 0 };
	struct mamori_store *s = NULL;
	struct mamori_error err;
	struct mamori_head h;
	unsigned char pk[32], root[32];
	double t, dt, ossl, sod, mem, mem_old;
	unsigned long long bytes = 0;

	if (argc < 2 || sodium_init() < 0 || mkdtemp(dir) == NULL) {
		fprintf(stderr, "usage: bench_audit POLICY [EVENTS [PG-URL]]\n");
		return 2;
	}
	snprintf(pub, sizeof(pub), "%s/b.db.pub", dir);
	if (argc > 3)
		snprintf(db, sizeof(db), "%s%sfiles=%s/b.db", argv[3], strchr(argv[3], '?') ? "&" : "?", dir);
	else
		snprintf(db, sizeof(db), "%s/b.db", dir);
	if (mamori_store_create(db, argv[1], "bench", &d, &s, &err) != 0) {
		fprintf(stderr, "%s\n", err.message);
		return 1;
	}
	/* automatic heads as configured by default; group commit as one transaction */
	t = now();
	for (int i = 0; i < 500; i++)
		mamori_store_write(s, "bench", one_event, &i, &err);
	printf("durable appends, one transaction each:     %9.0f events/s\n", 500 / (now() - t));
	t = now();
	if (mamori_store_write(s, "bench", many_events, &events, &err) != 0)
		fprintf(stderr, "%s\n", err.message);
	printf("durable appends, group commit (%d/tx): %9.0f events/s\n", events, events / (now() - t));
	for (int i = 0; i < 4; i++)
		mamori_audit_sign_head(s, &h, &err);
	mamori_audit_read_pubkey(pub, pk, &err);
	/* verify as `mamori log verify` does: a store opened afresh (closing checkpoints the WAL) */
	mamori_store_close(&s);
	if (mamori_store_open(db, &s, &err) != 0) {
		fprintf(stderr, "%s\n", err.message);
		return 1;
	}
	t = now();
	if (mamori_audit_verify(s, pk, NULL, 0, summary, sizeof(summary), &err) != 0)
		fprintf(stderr, "verify: %s\n", err.message);
	dt = now() - t;
	sscanf(strstr(summary, "(") ? strstr(summary, "(") + 1 : "0", "%llu", &bytes);
	printf("verify: %s\n", summary);
	mem = verify_in_memory(events, false, root);
	mem_old = verify_in_memory(events, true, root);
	sod = sodium_sha256();
	ossl = openssl_sha256();
	printf("verify from the store:  %7.1f MB/s of event data (%.2f s)\n", bytes / dt / 1e6, dt);
	printf("verify in memory:       %7.1f MB/s (leaf, chain and tree; no SQLite)\n", mem);
	printf("  (root after every event: %5.1f MB/s)\n", mem_old);
	printf("libsodium SHA-256 1KiB: %7.1f MB/s\n", sod);
	printf("openssl speed sha256:   %7.1f MB/s (1 KiB blocks)\n", ossl);
	if (ossl > 0)
		printf("ratio to openssl: store %.1f %%, in memory %.1f %%; libsodium itself %.1f %%\n",
		    100 * bytes / dt / 1e6 / ossl, 100 * mem / ossl, 100 * sod / ossl);
	mamori_store_close(&s);
	mamori_diags_clear(&d);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
