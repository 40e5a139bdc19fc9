/*
 * internal.h -- what net.c (the loop, the transfer's life, HTTP) shares with smtp.c (mail):
 * a transfer and the three steps of its start.
 */
#ifndef OWED_NET_INTERNAL_H
#define OWED_NET_INTERNAL_H

#include <curl/curl.h>
#include "net/net.h"

struct net_transfer {
	net *n;
	CURL *easy;
	net_transfer *prev, *next;       /* in n's list of running transfers */
	net_done_cb cb;
	void *ud;
	int done;                        /* removed from the multi: cancelled or being reported */
	int mail;                        /* SMTP: a server's refusal keeps its reply code */
	uint64_t started;                /* uv_hrtime(), for a cancelled transfer's elapsed_us */
	/* What curl reads: owned here, freed with the transfer. */
	struct curl_slist *headers;      /* HTTP request headers, or the mail's header lines */
	struct curl_slist *rcpt;         /* SMTP envelope recipients */
	curl_mime *mime;                 /* the mail */
	/* What curl writes. */
	char *body;
	size_t len, cap, max;
	size_t header_bytes;
	int too_large;
	net_header *hdrs;
	size_t nhdrs, hcap;
	char errbuf[CURL_ERROR_SIZE];
};

/* A transfer with the options every protocol shares (timeouts, TLS verification, the allowed
 * protocols, where the response goes), not yet running.  0 in a timeout means its default. */
int net_xfer_new(net *n, const char *url, const char *protocols, long timeout_ms,
                 long connect_timeout_ms, int insecure, net_done_cb cb, void *ud,
                 net_transfer **out);
/* Starts t; on failure frees it, so the caller's callback is never called. */
int net_xfer_start(net_transfer *t, net_transfer **handle);
/* Frees a transfer that is not (or no longer) in the multi. */
void net_xfer_free(net_transfer *t);

#endif
