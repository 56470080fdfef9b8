/*
 * tls.c — the certificate the server presents, behind a lock so that SIGHUP
 * can replace it while connections go on (a renewed certificate without a
 * restart).  libmicrohttpd asks for it per handshake through GnuTLS's
 * retrieve function, which has no user pointer: one server per process, so
 * the pair lives here.
 */
#include "tls.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TLS_CHAIN_MAX = 16 };

struct tls_pair {
	gnutls_pcert_st pcert[TLS_CHAIN_MAX];
	unsigned n;
	gnutls_privkey_t key;
	struct tls_pair *older;		/* replaced pairs, freed at the end */
};

static pthread_rwlock_t tls_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct tls_pair *tls_current;

static void
pair_free(struct tls_pair *p)
{
	while (p != NULL) {
		struct tls_pair *older = p->older;
		for (unsigned i = 0; i < p->n; i++)
			gnutls_pcert_deinit(&p->pcert[i]);
		gnutls_privkey_deinit(p->key);
		free(p);
		p = older;
	}
}

/* The whole file as a datum (NUL-terminated), or data NULL. */
static gnutls_datum_t
read_datum(const char *path)
{
	gnutls_datum_t d = { NULL, 0 };

	if (gnutls_load_file(path, &d) < 0)
		d.data = NULL;
	return d;
}

int
server_tls_load(const char *cert_path, const char *key_path, char *why, size_t whylen)
{
	gnutls_datum_t cert = read_datum(cert_path), key = read_datum(key_path);
	struct tls_pair *p = calloc(1, sizeof(*p));
	int rc = -1, e;

	if (p == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	if (cert.data == NULL || key.data == NULL) {
		snprintf(why, whylen, "cannot read %s", cert.data == NULL ? cert_path : key_path);
		goto out;
	}
	p->n = TLS_CHAIN_MAX;
	if ((e = gnutls_pcert_list_import_x509_raw(p->pcert, &p->n, &cert, GNUTLS_X509_FMT_PEM, 0)) < 0) {
		p->n = 0;
		snprintf(why, whylen, "%s: %s", cert_path, gnutls_strerror(e));
		goto out;
	}
	if ((e = gnutls_privkey_init(&p->key)) < 0 ||
	    (e = gnutls_privkey_import_x509_raw(p->key, &key, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
		snprintf(why, whylen, "%s: %s", key_path, gnutls_strerror(e));
		goto out;
	}
	pthread_rwlock_wrlock(&tls_lock);
	p->older = tls_current;
	tls_current = p;
	pthread_rwlock_unlock(&tls_lock);
	p = NULL;
	rc = 0;
out:
	pair_free(p);
	gnutls_free(cert.data);
	gnutls_free(key.data);
	return rc;
}

/* gnutls_certificate_retrieve_function2: the pair in force now. */
static int
retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
    const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length, gnutls_pcert_st **pcert,
    unsigned int *pcert_length, gnutls_privkey_t *pkey)
{
	(void)session;
	(void)req_ca_dn;
	(void)nreqs;
	(void)pk_algos;
	(void)pk_algos_length;
	pthread_rwlock_rdlock(&tls_lock);
	if (tls_current == NULL) {
		pthread_rwlock_unlock(&tls_lock);
		return -1;
	}
	*pcert = tls_current->pcert;
	*pcert_length = tls_current->n;
	*pkey = tls_current->key;
	pthread_rwlock_unlock(&tls_lock);
	return 0;
}

void *
server_tls_callback(void)
{
	return (void *)(gnutls_certificate_retrieve_function2 *)retrieve;
}

void
server_tls_free(void)
{
	pthread_rwlock_wrlock(&tls_lock);
	pair_free(tls_current);
	tls_current = NULL;
	pthread_rwlock_unlock(&tls_lock);
}
