/* decide_assets.c — the decision point's asset table, read from the register. */
#include "mamori/asset.h"
#include "buf.h"
#include "mamori/decide.h"

#include <stdlib.h>
#include <string.h>

struct asset_table {
	struct mamori_decide_asset *items;
	size_t n, cap;
};

static int
collect_asset(const struct mamori_asset *a, void *arg)
{
	struct asset_table *t = arg;
	struct mamori_decide_asset *d;

	if (!ARRAY_RESERVE(t->items, t->cap, t->n + 1, 0))
		return MAMORI_E_NOMEM;
	d = &t->items[t->n++];
	d->id = strdup(a->f[MAMORI_AF_ID]);
	d->department = a->f[MAMORI_AF_DEPARTMENT] ? strdup(a->f[MAMORI_AF_DEPARTMENT]) : NULL;
	d->segment = a->f[MAMORI_AF_SEGMENT] ? strdup(a->f[MAMORI_AF_SEGMENT]) : NULL;
	for (int ax = 0; ax < 3; ax++)
		d->levels[ax] = (int)strtol(a->f[MAMORI_AF_CONFIDENTIALITY + ax], NULL, 10);
	return d->id == NULL ? MAMORI_E_NOMEM : 0;
}

int
mamori_decider_load_assets(struct mamori_decider *d, struct mamori_store *s, struct mamori_error *err)
{
	struct asset_table t = { 0 };
	int rc = mamori_asset_list(s, NULL, collect_asset, &t, err);

	if (rc == 0)
		rc = mamori_decider_set_assets(d, t.items, t.n, err);
	else if (rc == MAMORI_E_NOMEM)
		mamori_error_set(err, rc, "out of memory");
	for (size_t i = 0; i < t.n; i++) {
		free((char *)t.items[i].id);
		free((char *)t.items[i].department);
		free((char *)t.items[i].segment);
	}
	free(t.items);
	return rc;
}
