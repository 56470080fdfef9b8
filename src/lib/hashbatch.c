/*
 * hashbatch.c — independent SHA-256 hashes computed side by side
 * (hashbatch.h).  ipsec-mb's job manager keeps a few jobs in flight per
 * lane set and hands each back when its digest is written; nothing here
 * waits for a job except hashbatch_finish.
 */
#include "hashbatch.h"

#include <stdint.h>
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
	case IMB_ARCH_NOAESNI: return "ipsec-mb sse (no aes-ni)";
	case IMB_ARCH_SSE: return "ipsec-mb sse";
	case IMB_ARCH_AVX: return "ipsec-mb avx";
	case IMB_ARCH_AVX2: return "ipsec-mb avx2";
	case IMB_ARCH_AVX512: return "ipsec-mb avx512";
	default: return "ipsec-mb";
	}
}

/* ipsec-mb on any CPU it serves: with SHA instructions it interleaves two
 * messages; without them its SIMD lanes hash 4 to 16 messages at once, which
 * beats nettle's one stream (418-byte leaves with SHA-NI switched off here:
 * nettle 377 MB/s, ipsec-mb 636 with SSE, 1,045 with AVX2, 2,109 with AVX-512). */
static void
mgr_open(struct hashbatch *b, uint64_t flags)
{
	IMB_ARCH arch = IMB_ARCH_NONE;
	IMB_MGR *m = alloc_mb_mgr(flags);

	if (m == NULL)
		return;
	init_mb_mgr_auto(m, &arch);
	if (imb_get_errno(m) != 0 || arch == IMB_ARCH_NONE) {
		free_mb_mgr(m);
		return;
	}
	b->mgr = m;
	b->engine = (flags & IMB_FLAG_SHANI_OFF) ? "ipsec-mb simd lanes (sha-ni off)" : arch_name(arch);
}
#endif

static struct hashbatch *
batch_open(bool simd_only)
{
	struct hashbatch *b = calloc(1, sizeof(*b));

#ifdef MAMORI_HAVE_IPSEC_MB
	if (b != NULL)
		mgr_open(b, simd_only ? IMB_FLAG_SHANI_OFF : 0);
#endif
	(void)simd_only;
	return b;
}

struct hashbatch *
hashbatch_new(void)
{
	return batch_open(false);
}

struct hashbatch *
hashbatch_new_simd(void)
{
	return batch_open(true);
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
