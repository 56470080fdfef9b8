/*
 * bench_decide.c — decisions per second, in process, single thread: 1,000 users,
 * 10,000 assets, 1,000,000 random requests generated up front (fixed seed), on
 * the policy given (default policies/mic-standard.yaml).  Also the JSON front
 * end per request line.  Usage: bench_decide [POLICY]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mamori/decide.h"

enum { USERS = 1000, ASSETS = 10000, REQUESTS = 1000000 };

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "policies/mic-standard.yaml";
	struct mamori_diags diags = { 0 };
	struct mamori_policy *p = NULL;
	struct mamori_decider *d = NULL;
	static struct mamori_decide_asset assets[ASSETS];
	static char ids[ASSETS][16];
	struct mamori_decide_request *reqs;
	static const char *roles[] = { "staff", "staff", "staff", "security-manager", "system-staff", "auditor", "ciso" };
	static const char *chans[] = { "mail", "web", "file-transfer", NULL };
	static const char *actions[] = { "read", "write", "copy", "print", "send", "take_out", "transfer", "store" };
	unsigned seed = 42;
	unsigned long allow = 0;
	double t;

	if (mamori_policy_load(path, &diags, &p) != 0 || mamori_decider_new(p, &d, NULL) != 0) {
		mamori_diags_print(&diags, stderr);
		return 2;
	}
	size_t nd = p->organisation.ndepartments, ns = p->nsegments;
	for (int i = 0; i < ASSETS; i++) {
		snprintf(ids[i], sizeof(ids[i]), "A-%06d", i + 1);
		assets[i] = (struct mamori_decide_asset){ ids[i], { 1 + rand_r(&seed) % 3, 1 + rand_r(&seed) % 2,
			1 + rand_r(&seed) % 2 }, p->organisation.departments[rand_r(&seed) % nd].id,
			p->segments[rand_r(&seed) % ns].id };
	}
	mamori_decider_set_assets(d, assets, ASSETS, NULL);
	reqs = calloc(REQUESTS, sizeof(*reqs));
	for (int i = 0; i < REQUESTS; i++) {
		int user = rand_r(&seed) % USERS;
		struct mamori_decide_request *r = &reqs[i];
		r->subject_id = "u";
		r->roles[0] = roles[user % 7];
		r->nroles = 1;
		r->department = p->organisation.departments[user % nd].id;
		r->mfa = user % 3 != 0;
		r->terminal_segment = p->segments[user % ns].id;
		r->terminal_issued = user % 10 != 0;
		r->action = mamori_action_parse(actions[rand_r(&seed) % 8]);
		if (i % 2 == 0) {
			r->asset = ids[rand_r(&seed) % ASSETS];
		} else {
			r->levels[0] = 1 + rand_r(&seed) % 3;
			r->levels[1] = 1 + rand_r(&seed) % 2;
			r->resource_department = p->organisation.departments[rand_r(&seed) % nd].id;
			r->resource_segment = p->segments[rand_r(&seed) % ns].id;
		}
		r->channel = chans[rand_r(&seed) % 4];
		r->destination_segment = rand_r(&seed) % 2 ? p->segments[rand_r(&seed) % ns].id : NULL;
	}
	struct mamori_decision out;
	t = now();
	for (int i = 0; i < REQUESTS; i++) {
		mamori_decide(d, &reqs[i], &out);
		allow += out.allow + out.nobligations;
	}
	double dt = now() - t;
	printf("in-process mamori_decide: %d requests in %.3f s = %.2f million decisions/s (checksum %lu)\n",
	    REQUESTS, dt, REQUESTS / dt / 1e6, allow);

	/* the JSON front end: parse a request line, decide, print the answer */
	char line[1024];
	int njson = 200000;
	t = now();
	for (int i = 0; i < njson; i++) {
		const struct mamori_decide_request *r = &reqs[i];
		int n = snprintf(line, sizeof(line), "{\"subject\":{\"id\":\"u\",\"roles\":[\"%s\"],\"department\":\"%s\","
		    "\"mfa\":%s,\"terminal\":{\"segment\":\"%s\",\"issued\":true}},\"action\":\"%s\","
		    "\"resource\":{\"asset\":\"%s\"}}", r->roles[0], r->department, r->mfa ? "true" : "false",
		    r->terminal_segment, mamori_action_name((enum mamori_action)r->action), ids[i % ASSETS]);
		char *resp = mamori_decide_json(d, line, (size_t)n, 0, NULL);
		allow += resp[13] == 'a';
		free(resp);
	}
	dt = now() - t;
	printf("in-process JSON (build line, parse, decide, print): %.0f decisions/s\n", njson / dt);
	free(reqs);
	mamori_decider_free(&d);
	mamori_policy_free(&p);
	return 0;
}
