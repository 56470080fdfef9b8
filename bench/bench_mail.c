/*
 * bench_mail.c — mail text-ification throughput, in process, single thread:
 * every DIR/NNNNNN-CLASS.eml of bench/gen_mail.py is read into memory, then
 * sanitized ROUNDS times (no quarantine: its cost is the disk's, measured end to
 * end by bench/run.sh).  Prints MB/s and messages/s per class and overall, per
 * second of the process's CPU time (what a quiet machine gives) and by the wall clock.
 * Usage: bench_mail DIR [ROUNDS]
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mamori/sanitize.h"

struct msg {
	char *data;
	size_t len;
	char cls[16];
};

struct cls {
	char name[16];
	size_t n, bytes;
	double secs;
};

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp/mamori-bench/mail";
	int rounds = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 3;
	struct mamori_sanitize_opts opts = { .clause = "bench" };
	struct msg *msgs = NULL;
	struct cls classes[8] = { 0 };
	size_t nmsgs = 0, nclasses = 0, total = 0, nnames = 0, out_bytes = 0;
	char **names = NULL, path[4096];
	DIR *d = opendir(dir);
	struct dirent *e;
	int failures = 0;

	if (d == NULL || rounds < 1) {
		fprintf(stderr, "usage: bench_mail DIR [ROUNDS]  (DIR made by bench/gen_mail.py)\n");
		return 2;
	}
	while ((e = readdir(d)) != NULL) {
		if (strstr(e->d_name, ".eml") == NULL)
			continue;
		names = realloc(names, (nnames + 1) * sizeof(*names));
		names[nnames++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, nnames, sizeof(*names), by_name);
	msgs = calloc(nnames, sizeof(*msgs));
	for (size_t i = 0; i < nnames; i++) {
		FILE *f;
		const char *dash = strchr(names[i], '-'), *dot = strrchr(names[i], '.');
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		fseek(f, 0, SEEK_END);
		msgs[nmsgs].len = (size_t)ftell(f);
		rewind(f);
		msgs[nmsgs].data = malloc(msgs[nmsgs].len + 1);
		if (fread(msgs[nmsgs].data, 1, msgs[nmsgs].len, f) != msgs[nmsgs].len) {
			fclose(f);
			continue;
		}
		fclose(f);
		if (dash && dot && dot > dash)
			snprintf(msgs[nmsgs].cls, sizeof(msgs[nmsgs].cls), "%.*s", (int)(dot - dash - 1), dash + 1);
		total += msgs[nmsgs].len;
		nmsgs++;
	}
	for (size_t i = 0; i < nmsgs; i++) {
		size_t k;
		for (k = 0; k < nclasses && strcmp(classes[k].name, msgs[i].cls) != 0; k++)
			;
		if (k == nclasses && nclasses < 8)
			snprintf(classes[nclasses++].name, sizeof(classes[0].name), "%s", msgs[i].cls);
	}
	printf("%zu messages, %.1f MB, %d rounds\n", nmsgs, (double)total / 1e6, rounds);

	double t0 = now(), c0 = cpu();
	for (int r = 0; r < rounds; r++) {
		for (size_t i = 0; i < nmsgs; i++) {
			struct mamori_error err = { 0 };
			char sha[65], *out = NULL;
			size_t out_len = 0, k;
			double t = cpu();
			if (mamori_sanitize_mail(msgs[i].data, msgs[i].len, &opts, &out, &out_len, sha, &err) != 0)
				failures++;
			t = cpu() - t;
			for (k = 0; k < nclasses && strcmp(classes[k].name, msgs[i].cls) != 0; k++)
				;
			if (k < nclasses) {
				classes[k].n++;
				classes[k].bytes += msgs[i].len;
				classes[k].secs += t;
			}
			out_bytes += out_len;
			free(out);
		}
	}
	double secs = now() - t0, cpusecs = cpu() - c0;

	printf("%-8s %8s %10s %10s %12s   (per CPU second)\n", "class", "messages", "MB", "MB/s", "messages/s");
	for (size_t k = 0; k < nclasses; k++)
		printf("%-8s %8zu %10.1f %10.1f %12.0f\n", classes[k].name, classes[k].n / (size_t)rounds,
		    (double)classes[k].bytes / rounds / 1e6, (double)classes[k].bytes / 1e6 / classes[k].secs,
		    (double)classes[k].n / classes[k].secs);
	printf("%-8s %8zu %10.1f %10.1f %12.0f   (%.2f CPU s; output %.1f MB per round; %d refused)\n", "all",
	    nmsgs, (double)total / 1e6, (double)total * rounds / 1e6 / cpusecs, (double)nmsgs * rounds / cpusecs,
	    cpusecs, (double)out_bytes / rounds / 1e6, failures);
	/* on a busy machine the wall clock also counts other processes' turns */
	printf("wall clock %.2f s: %.1f MB/s, %.0f messages/s\n", secs, (double)total * rounds / 1e6 / secs,
	    (double)nmsgs * rounds / secs);
	for (size_t i = 0; i < nmsgs; i++)
		free(msgs[i].data);
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	free(msgs);
	return failures ? 1 : 0;
}
