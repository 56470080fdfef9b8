/*
 * bench_decide.c — decisions per second, in process, single thread: 1,000 users,
 * 10,000 assets, 1,000,000 random requests drawn up front (fixed seed; half name
 * an asset, half give a classification, department and segment), on the policy
 * given (default policies/mic-standard.yaml).  Three front ends on the same draws:
 *
 *  - mamori_decide: a request of id strings, resolved on every call;
 *  - mamori_decide_prepared: each user and each asset resolved once (timed, in
 *    the total), the policy's segment and department names once; per request
 *    only numbers (action, channel, destination, levels) and the two handles;
 *  - mamori_decide_prepared with the terminal register: each request also
 *    names one of 10,000 registered terminals by id (subject.terminal.id),
 *    looked up per request in the decision point's terminal table (a hash) and
 *    put into the prepared subject — what a gateway does that takes the
 *    terminal's segment, issued and MFA from the register (docs/records.md);
 *  - the JSON front end per request line.
 *
 * Both in-process paths must give the same answers: the checksums (allows plus
 * obligations plus reasons) are compared and a mismatch fails the run.
 * Times are CPU time of the thread.  With a second argument, the users, assets
 * and requests, each with mamori's answer, are also written there as JSON lines
 * for the peer benchmarks of bench/peers/ (same draws, answers to compare).
 * Usage: bench_decide [POLICY [DUMP.jsonl]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mamori/decide.h"

enum { USERS = 1000, ASSETS = 10000, REQUESTS = 1000000, SEGS = 32, DEPTS = 64, TERMINALS = 10000 };

/* One random request as numbers: what both front ends are built from. */
struct draw {
	int user;
	int asset;		/* -1: a classification instead */
	int levels[3];
	int dept, seg;		/* resource department and segment (classification only) */
	int action;
	int chan;		/* index into chans[] */
	int dest;		/* segment index, -1 none */
};

/* Seconds of this thread's CPU time: the figure does not depend on how busy the
 * machine is (on a quiet machine it equals the wall time of a single thread). */
static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long
sum(const struct mamori_decision *out)
{
	return (unsigned long)out->allow + out->nobligations + 16 * out->nreasons + (out->error != NULL) * 1000;
}

static void
dump_ids(FILE *f, const struct mamori_decide_item *items, size_t n)
{
	fputc('"', f);
	for (size_t k = 0; k < n; k++)
		fprintf(f, "%s%s", k ? " " : "", items[k].id);
	fputc('"', f);
}

/* The workload and mamori's answers, for bench/peers: one JSON value per line,
 * {"user": ...} lines, then {"asset": ...} lines, then one array per request:
 * [user, asset index or -1, c, i, a, department, segment, action, channel,
 * destination, allow, obligation ids, reason ids]. */
static int
dump(const char *path, const struct mamori_policy *p, const struct mamori_decide_request *users,
    const struct mamori_decide_asset *assets, const struct draw *draws,
    const struct mamori_decider *d, const char *const *chans)
{
	FILE *f = fopen(path, "w");
	struct mamori_decision out;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	fprintf(f, "{\"policy\":\"%s\",\"users\":%d,\"assets\":%d,\"requests\":%d}\n", p->id, USERS, ASSETS, REQUESTS);
	for (int u = 0; u < USERS; u++)
		fprintf(f, "{\"user\":%d,\"role\":\"%s\",\"department\":\"%s\",\"mfa\":%s,\"terminal\":\"%s\",\"issued\":%s}\n",
		    u, users[u].roles[0], users[u].department, users[u].mfa ? "true" : "false",
		    users[u].terminal_segment, users[u].terminal_issued ? "true" : "false");
	for (int a = 0; a < ASSETS; a++)
		fprintf(f, "{\"asset\":\"%s\",\"c\":%d,\"i\":%d,\"a\":%d,\"department\":\"%s\",\"segment\":\"%s\"}\n",
		    assets[a].id, assets[a].levels[0], assets[a].levels[1], assets[a].levels[2],
		    assets[a].department, assets[a].segment);
	for (int i = 0; i < REQUESTS; i++) {
		const struct draw *w = &draws[i];
		struct mamori_decide_request r = users[w->user];
		r.action = w->action;
		if (w->asset >= 0) {
			r.asset = assets[w->asset].id;
		} else {
			r.levels[0] = w->levels[0];
			r.levels[1] = w->levels[1];
			r.resource_department = p->organisation.departments[w->dept].id;
			r.resource_segment = p->segments[w->seg].id;
		}
		r.channel = chans[w->chan];
		r.destination_segment = w->dest >= 0 ? p->segments[w->dest].id : NULL;
		mamori_decide(d, &r, &out);
		if (out.error != NULL) {
			fprintf(stderr, "bench_decide: request %d: %s\n", i, out.error_detail);
			fclose(f);
			return -1;
		}
		fprintf(f, "[%d,%d,%d,%d,%d,\"%s\",\"%s\",\"%s\",\"%s\",\"%s\",%d,", w->user, w->asset,
		    w->asset >= 0 ? assets[w->asset].levels[0] : w->levels[0],
		    w->asset >= 0 ? assets[w->asset].levels[1] : w->levels[1],
		    w->asset >= 0 ? assets[w->asset].levels[2] : 1,
		    w->asset >= 0 ? assets[w->asset].department : r.resource_department,
		    w->asset >= 0 ? assets[w->asset].segment : r.resource_segment,
		    mamori_action_name((enum mamori_action)w->action), chans[w->chan] ? chans[w->chan] : "",
		    r.destination_segment ? r.destination_segment : "", out.allow);
		dump_ids(f, out.obligations, out.nobligations);
		fputc(',', f);
		dump_ids(f, out.reasons, out.nreasons);
		fputs("]\n", f);
	}
	return fclose(f) == 0 ? 0 : -1;
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
	static struct mamori_decide_request users[USERS];
	static struct mamori_decide_subject subjects[USERS];
	static struct mamori_decide_resource resources[ASSETS];
	struct mamori_decide_request *reqs;
	struct draw *draws;
	static const char *roles[] = { "staff", "staff", "staff", "security-manager", "system-staff", "auditor", "ciso" };
	static const char *chans[] = { "mail", "web", "file-transfer", NULL };
	static const char *actions[] = { "read", "write", "copy", "print", "send", "take_out", "transfer", "store" };
	unsigned seed = 42;
	unsigned long check_str = 0, check_prep = 0, nallow = 0, nobl = 0;
	struct mamori_decision out;
	double t;

	if (mamori_policy_load(path, &diags, &p) != 0 || mamori_decider_new(p, &d, NULL) != 0) {
		mamori_diags_print(&diags, stderr);
		return 2;
	}
	size_t nd = p->organisation.ndepartments, ns = p->nsegments;
	if (nd == 0 || ns == 0 || nd > DEPTS || ns > SEGS) {
		fprintf(stderr, "bench_decide: the policy needs 1..%d departments and 1..%d segments\n", DEPTS, SEGS);
		return 2;
	}
	for (int i = 0; i < ASSETS; i++) {
		snprintf(ids[i], sizeof(ids[i]), "A-%06d", i + 1);
		assets[i] = (struct mamori_decide_asset){ ids[i], { 1 + rand_r(&seed) % 3, 1 + rand_r(&seed) % 2,
			1 + rand_r(&seed) % 2 }, p->organisation.departments[rand_r(&seed) % nd].id,
			p->segments[rand_r(&seed) % ns].id };
	}
	mamori_decider_set_assets(d, assets, ASSETS, NULL);
	for (int u = 0; u < USERS; u++) {
		struct mamori_decide_request *r = &users[u];
		r->subject_id = "u";
		r->roles[0] = roles[u % 7];
		r->nroles = 1;
		r->department = p->organisation.departments[u % nd].id;
		r->mfa = u % 3 != 0;
		r->terminal_segment = p->segments[u % ns].id;
		r->terminal_issued = u % 10 != 0;
	}
	reqs = calloc(REQUESTS, sizeof(*reqs));
	draws = calloc(REQUESTS, sizeof(*draws));
	if (reqs == NULL || draws == NULL)
		return 2;
	for (int i = 0; i < REQUESTS; i++) {
		struct draw *w = &draws[i];
		struct mamori_decide_request *r = &reqs[i];
		w->user = rand_r(&seed) % USERS;
		w->action = mamori_action_parse(actions[rand_r(&seed) % 8]);
		w->asset = -1;
		if (i % 2 == 0) {
			w->asset = rand_r(&seed) % ASSETS;
		} else {
			w->levels[0] = 1 + rand_r(&seed) % 3;
			w->levels[1] = 1 + rand_r(&seed) % 2;
			w->dept = rand_r(&seed) % (int)nd;
			w->seg = rand_r(&seed) % (int)ns;
		}
		w->chan = rand_r(&seed) % 4;
		w->dest = rand_r(&seed) % 2 ? rand_r(&seed) % (int)ns : -1;

		*r = users[w->user];
		r->action = w->action;
		if (w->asset >= 0) {
			r->asset = ids[w->asset];
		} else {
			r->levels[0] = w->levels[0];
			r->levels[1] = w->levels[1];
			r->resource_department = p->organisation.departments[w->dept].id;
			r->resource_segment = p->segments[w->seg].id;
		}
		r->channel = chans[w->chan];
		r->destination_segment = w->dest >= 0 ? p->segments[w->dest].id : NULL;
	}

	/* ids resolved on every call */
	t = now();
	for (int i = 0; i < REQUESTS; i++) {
		mamori_decide(d, &reqs[i], &out);
		check_str += sum(&out);
		nallow += out.allow;
		nobl += out.nobligations;
	}
	double dt = now() - t;
	printf("in-process mamori_decide (ids resolved per call): %d requests in %.3f s = %.2f million decisions/s\n",
	    REQUESTS, dt, REQUESTS / dt / 1e6);

	/* prepared: names resolved once, per user, asset, segment and department */
	int seg_index[SEGS], dept_index[DEPTS], chan_index[4];
	t = now();
	for (size_t k = 0; k < ns; k++)
		seg_index[k] = mamori_decider_segment(d, p->segments[k].id);
	for (size_t k = 0; k < nd; k++)
		dept_index[k] = mamori_decider_department(d, p->organisation.departments[k].id);
	for (int k = 0; k < 4; k++)
		chan_index[k] = mamori_decide_channel(chans[k]);
	for (int u = 0; u < USERS; u++)
		if (!mamori_decide_prepare(d, &users[u], &subjects[u], NULL, NULL, &out))
			return fprintf(stderr, "bench_decide: user %d: %s\n", u, out.error_detail), 2;
	for (int a = 0; a < ASSETS; a++) {
		struct mamori_decide_request r = { .asset = ids[a] };
		if (!mamori_decide_prepare(d, &r, NULL, &resources[a], NULL, &out))
			return fprintf(stderr, "bench_decide: asset %d: %s\n", a, out.error_detail), 2;
	}
	double tprep = now() - t;
	for (int i = 0; i < REQUESTS; i++) {
		const struct draw *w = &draws[i];
		struct mamori_decide_context c = { w->action, chan_index[w->chan], w->dest >= 0 ? seg_index[w->dest] : -1 };
		struct mamori_decide_resource cls;
		const struct mamori_decide_resource *res = &cls;
		if (w->asset >= 0)
			res = &resources[w->asset];
		else
			cls = (struct mamori_decide_resource){ { (unsigned char)w->levels[0], (unsigned char)w->levels[1], 1 },
				(short)dept_index[w->dept], (short)seg_index[w->seg] };
		mamori_decide_prepared(d, &subjects[w->user], res, &c, &out);
		check_prep += sum(&out);
	}
	dt = now() - t;
	printf("in-process mamori_decide_prepared (%d users and %d assets prepared, %.1f ms, included): "
	    "%d requests in %.3f s = %.2f million decisions/s\n", USERS, ASSETS, tprep * 1e3, REQUESTS, dt,
	    REQUESTS / dt / 1e6);
	printf("answers: %lu allow, %lu deny, %.2f obligations per allow (checksums %lu %lu)\n", nallow,
	    REQUESTS - nallow, nallow ? (double)nobl / (double)nallow : 0.0, check_str, check_prep);
	if (check_str != check_prep) {
		fprintf(stderr, "bench_decide: the two front ends disagree\n");
		return 1;
	}

	/* prepared, with a terminal of the register looked up per request */
	static struct mamori_decide_terminal terms[TERMINALS];
	static char term_ids[TERMINALS][16];
	struct mamori_terminal_table *table = NULL;
	unsigned long check_term = 0, check_term_str = 0;
	int *term_of = malloc(REQUESTS * sizeof(*term_of));
	if (term_of == NULL)
		return 2;
	for (int k = 0; k < TERMINALS; k++) {
		snprintf(term_ids[k], sizeof(term_ids[k]), "PC-%06d", k + 1);
		terms[k] = (struct mamori_decide_terminal){ term_ids[k], p->segments[rand_r(&seed) % ns].id,
			rand_r(&seed) % 10 != 0, rand_r(&seed) % 3 != 0 };
	}
	for (int i = 0; i < REQUESTS; i++)
		term_of[i] = rand_r(&seed) % TERMINALS;
	t = now();
	if (mamori_terminal_table_new(d, terms, TERMINALS, &table, NULL) != 0)
		return 2;
	double tterm = now() - t;
	t = now();
	for (int i = 0; i < REQUESTS; i++) {
		const struct draw *w = &draws[i];
		struct mamori_decide_context c = { w->action, chan_index[w->chan], w->dest >= 0 ? seg_index[w->dest] : -1 };
		struct mamori_decide_resource cls;
		const struct mamori_decide_resource *res = &cls;
		struct mamori_decide_subject who = subjects[w->user];
		if (w->asset >= 0)
			res = &resources[w->asset];
		else
			cls = (struct mamori_decide_resource){ { (unsigned char)w->levels[0], (unsigned char)w->levels[1], 1 },
				(short)dept_index[w->dept], (short)seg_index[w->seg] };
		if (!mamori_terminal_table_apply(table, term_ids[term_of[i]], &who))
			return fprintf(stderr, "bench_decide: terminal %s not found\n", term_ids[term_of[i]]), 2;
		mamori_decide_prepared(d, &who, res, &c, &out);
		check_term += sum(&out);
	}
	dt = now() - t;
	printf("in-process mamori_decide_prepared with a terminal of the register looked up per request (%d terminals, "
	    "table %.1f ms): %d requests in %.3f s = %.2f million decisions/s\n", TERMINALS, tterm * 1e3, REQUESTS, dt,
	    REQUESTS / dt / 1e6);
	for (int i = 0; i < REQUESTS; i++) {	/* the same answers as the string path given the register's values */
		struct mamori_decide_request r = reqs[i];
		const struct mamori_decide_terminal *tm = mamori_terminal_table_find(table, term_ids[term_of[i]]);
		r.terminal_segment = tm->segment;
		r.terminal_issued = tm->issued;
		r.mfa = tm->mfa;
		mamori_decide(d, &r, &out);
		check_term_str += sum(&out);
	}
	mamori_terminal_table_free(&table);
	free(term_of);
	if (check_term != check_term_str) {
		fprintf(stderr, "bench_decide: terminal look-ups disagree with the string path (%lu %lu)\n", check_term,
		    check_term_str);
		return 1;
	}

	if (argc > 2 && dump(argv[2], p, users, assets, draws, d, chans) != 0)
		return 2;

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
		check_str += resp[13] == 'a';
		free(resp);
	}
	dt = now() - t;
	printf("in-process JSON (build line, parse, decide, print): %.0f decisions/s\n", njson / dt);
	free(reqs);
	free(draws);
	mamori_decider_free(&d);
	mamori_policy_free(&p);
	return 0;
}
