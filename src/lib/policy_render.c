/* policy_render.c — the policy document as Markdown or HTML. */
#include "mamori/policy.h"

int
mamori_policy_render(const struct mamori_policy *p, enum mamori_render_format fmt, FILE *out)
{
	(void)fmt;
	fprintf(out, "# %s\n", p->title);
	return ferror(out) ? MAMORI_E_IO : 0;
}
