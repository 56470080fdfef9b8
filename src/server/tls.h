/* tls.h — the server's TLS certificate and key, read again on SIGHUP. (server-internal) */
#ifndef MAMORI_SERVER_TLS_H
#define MAMORI_SERVER_TLS_H

#include <stddef.h>

/*
 * Reads the certificate chain and private key (PEM files) and makes them the
 * ones every new TLS handshake presents; connections already open keep
 * theirs.  The first call is at start; each later one (SIGHUP) replaces the
 * pair only when both files parse, so a broken renewal leaves the old pair
 * in force.  Pairs replaced stay in memory until server_tls_free (sessions
 * may still hold them).  Returns 0, or -1 with a reason in why.
 */
int server_tls_load(const char *cert_path, const char *key_path, char *why, size_t whylen);

/* The function libmicrohttpd calls for each handshake (MHD_OPTION_HTTPS_CERT_CALLBACK). */
void *server_tls_callback(void);

/* Frees every pair loaded. */
void server_tls_free(void);

#endif
