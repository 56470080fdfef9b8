/*
 * hashbatch.c — independent SHA-256 hashes computed side by side
 * (hashbatch.h).  ipsec-mb's job manager keeps a few jobs in flight per
 * lane set and hands each back when its digest is written; nothing here
 * waits for a job except hashbatch_finish.
 */
#include "hashbatch.h"

#include <stdlib.h>

#ifdef MAMORI_HAVE_IPSEC_MB
#include <intel-ipsec-mb.h>
#endif

struct hashbatch {
#ifdef MAMORI_HAVE_IPSEC_MB
	IMB_MGR *mgr;		/* NULL: nettle */
	const char *engine;
#endif
	int unused;	/* a struct needs a member when ipsec-mb is not built in */
};

#ifdef MAMORI_HAVE_IPSEC_MB
static const char *
arch_name(IMB_ARCH arch)
{
	switch (arch) {
	case IMB_ARCH_SSE: return "ipsec-mb sse";
	case IMB_ARCH_AVX: return "ipsec-mb avx";
	case IMB_ARCH_AVX2: return "ipsec-mb avx2";
	case IMB_ARCH_AVX512: return "ipsec-mb avx512";
	default: return "ipsec-mb";
	}
}

/* ipsec-mb only when the CPU has SHA instructions: without them its lanes
 * are SIMD code that nettle's single stream on the same CPU matches. */
static void
mgr_open(struct hashbatch *b)
{
	IMB_ARCH arch = IMB_ARCH_NONE;
	IMB_MGR *m = alloc_mb_mgr(0);

	if (m == NULL)
		return;
	init_mb_mgr_auto(m, &arch);
	if (imb_get_errno(m) != 0 || arch == IMB_ARCH_NONE || arch == IMB_ARCH_NOAESNI ||
	    (m->features & IMB_FEATURE_SHANI) == 0) {
		free_mb_mgr(m);
		return;
	}
	b->mgr = m;
	b->engine = arch_name(arch);
}
#endif

struct hashbatch *
hashbatch_new(void)
{
	struct hashbatch *b = calloc(1, sizeof(*b));

#ifdef MAMORI_HAVE_IPSEC_MB
	if (b != NULL)
		mgr_open(b);
#endif
	return b;
}

void
hashbatch_add(struct hashbatch *b, const void *msg, size_t len, unsigned char out[MAMORI_HASH_LEN])
{
#ifdef MAMORI_HAVE_IPSEC_MB
	IMB_JOB *job;

	if (b->mgr != NULL) {
		job = IMB_GET_NEXT_JOB(b->mgr);
		job->cipher_mode = IMB_CIPHER_NULL;
		job->cipher_direction = IMB_DIR_ENCRYPT;
		job->chain_order = IMB_ORDER_HASH_CIPHER;
		job->hash_alg = IMB_AUTH_SHA_256;
		job->src = msg;
		job->hash_start_src_offset_in_bytes = 0;
		job->msg_len_to_hash_in_bytes = len;
		job->auth_tag_output = out;
		job->auth_tag_output_len_in_bytes = MAMORI_HASH_LEN;
		/* the job handed back, if any, is done: its digest is written.
		 * Unchecked: every field the job reads is set above, the same
		 * way for every job (the check cost 5 % of log verify). */
		(void)IMB_SUBMIT_JOB_NOCHECK(b->mgr);
		return;
	}
#endif
	(void)b;
	mamori_sha256(msg, len, out);
}

void
hashbatch_finish(struct hashbatch *b)
{
#ifdef MAMORI_HAVE_IPSEC_MB
	if (b->mgr != NULL)
		while (IMB_FLUSH_JOB(b->mgr) != NULL)
			;
#endif
	(void)b;
}

const char *
hashbatch_engine(const struct hashbatch *b)
{
#ifdef MAMORI_HAVE_IPSEC_MB
	if (b->mgr != NULL)
		return b->engine;
#endif
	(void)b;
	return "nettle";
}

void
hashbatch_free(struct hashbatch *b)
{
	if (b == NULL)
		return;
#ifdef MAMORI_HAVE_IPSEC_MB
	if (b->mgr != NULL)
		free_mb_mgr(b->mgr);
#endif
	free(b);
}
