/*
 * mail_smtp.c — the SMTP transport of mamori/mail.h with libcurl.  In its own
 * library (mamori_mail), linked into mamori-full and the tests only: libcurl
 * with OpenSSL loads some twenty shared libraries that every other command
 * would pay for at start (src/cli/main.c says why that matters).
 */
#include "mamori/mail.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

enum {
	CONNECT_SECONDS = 10,	/* to reach the relay */
	MESSAGE_SECONDS = 60,	/* for the whole conversation */
};

/* The message as curl reads it: the rest of the text. */
struct upload {
	const char *p;
	size_t left;
};

static size_t
read_message(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nmemb < u->left ? size * nmemb : u->left;

	memcpy(buf, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/* What curl's progress callback asks: the run's stop. */
struct stopper {
	bool (*stop)(void *arg);
	void *arg;
};

/* Called about once a second, even while the relay says nothing: non-zero gives up. */
static int
progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	const struct stopper *s = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return s->stop != NULL && s->stop(s->arg);
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

/* curl_global_init is not thread-safe before 7.84: once, from whichever thread sends first. */
static void
init_curl(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int
smtp_send(void *ctx, const struct mamori_mail_settings *cfg, const char *to, const char *msg, size_t len,
    bool (*stop)(void *arg), void *stop_arg, char *why, size_t whylen)
{
	struct stopper stopper = { stop, stop_arg };
	char errbuf[CURL_ERROR_SIZE] = "", from[MAMORI_MAIL_ADDRESS_MAX + 3], rcpt_addr[MAMORI_MAIL_ADDRESS_MAX + 3];
	struct upload up = { msg, len };
	struct curl_slist *rcpt = NULL;
	CURL *curl = NULL;
	CURLcode rc;
	long code = 0;
	int result = -1;

	(void)ctx;
	pthread_once(&curl_once, init_curl);
	if (curl_init_rc != CURLE_OK || (curl = curl_easy_init()) == NULL) {
		snprintf(why, whylen, "cannot start libcurl");
		return -1;
	}
	snprintf(from, sizeof(from), "<%s>", cfg->from);
	snprintf(rcpt_addr, sizeof(rcpt_addr), "<%s>", to);
	if ((rcpt = curl_slist_append(NULL, rcpt_addr)) == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	curl_easy_setopt(curl, CURLOPT_URL, cfg->relay);
	/* only SMTP: a relay setting cannot make mamori speak anything else */
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_message);
	curl_easy_setopt(curl, CURLOPT_READDATA, &up);
	curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_SECONDS);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)MESSAGE_SECONDS);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);	/* the server's threads: no SIGALRM */
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, progress);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &stopper);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_OK) {
		result = 0;
	} else if (code >= 400) {
		snprintf(why, whylen, "the relay answered %ld: %s", code, errbuf[0] ? errbuf : curl_easy_strerror(rc));
		result = 1;	/* refused this one: the relay is there for the next */
	} else {
		snprintf(why, whylen, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
	}
out:
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(curl);
	return result;
}

const struct mamori_mail_transport mamori_mail_smtp = { smtp_send, NULL };
