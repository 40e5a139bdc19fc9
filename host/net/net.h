/*
 * net.h -- outbound HTTP(S) and SMTP on the libuv loop, through libcurl's multi interface.
 *
 * One net object per loop.  curl multi is driven by the loop (CURLMOPT_SOCKETFUNCTION and
 * CURLMOPT_TIMERFUNCTION onto uv_poll and uv_timer handles, as in curl's multi-uv example),
 * so any number of transfers run concurrently on one thread.  A transfer's completion callback
 * is called from a libuv callback after curl_multi_socket_action() has returned -- never from
 * inside a curl callback -- so it may start new transfers, cancel others, free the net, or
 * resume Lua.
 *
 * Everything runs on the loop's thread: a net and its transfers are never to be touched from
 * another.  Requests and mails are copied when a transfer starts; the caller may free them at
 * once.  Redirects are not followed: a 3xx comes back with its Location header, for the
 * caller (the plugin sandbox) to allow or refuse the next hop.  Only http/https (net_http)
 * and smtp/smtps (net_smtp) URLs are opened.  At most 100 connections are open at once;
 * further transfers wait in curl for one, their timeouts running.
 *
 * Functions return 0 or a negative OWED_E* code (core/err.h): OWED_EINPUT for a field that
 * would forge a line of the protocol (CR/LF in a header, a method or header name that is not
 * a token, an address with brackets), and then the callback is never called.
 */
#ifndef OWED_NET_H
#define OWED_NET_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct net net;
typedef struct net_transfer net_transfer;

int net_new(uv_loop_t *loop, net **out);
/* Cancels every transfer still running (their callbacks are NOT called) and frees net once
 * its handles are closed; run the loop afterwards so the closes complete (uv_run until it
 * returns, before uv_loop_close). */
void net_free(net *n);

typedef struct net_header { const char *name, *value; } net_header;

typedef struct net_request {
	const char *method;            /* "GET", "POST", ...; NULL: GET, or POST with a body */
	const char *url;
	const net_header *headers;     /* added to curl's (Host, User-Agent: owed/x.y.z, ...);
	                                  "Expect: 100-continue" is never sent */
	size_t nheaders;
	const char *body;              /* may be NULL */
	size_t body_len;
	long timeout_ms;               /* whole transfer; 0: 30 s */
	long connect_timeout_ms;       /* 0: 10 s */
	size_t max_response;           /* body limit in bytes (and, apart, header bytes);
	                                  0: 16 MiB; more is the error "too_large" */
	int insecure;                  /* 1: skip TLS verification (tests only; off by default) */
} net_request;

/* The result of a transfer.  On error, status is 0 and error/errmsg say why (a timeout, a
 * refused connection, a response over max_response, a truncated body) -- except "rejected":
 * an SMTP server refused the mail, and status keeps its reply code (4xx: try again later,
 * 5xx: do not).  An HTTP status of 400 or more is an answer, not an error. */
typedef struct net_response {
	long status;
	net_header *headers;           /* response headers, names as received */
	size_t nheaders;
	char *body;                    /* NUL-terminated for convenience; body_len is the size */
	size_t body_len;
	int error;                     /* 0 or OWED_EIO; see errkind */
	const char *errkind;           /* "timeout", "refused", "resolve", "tls", "too_large",
	                                  "truncated", "cancelled", "rejected" (SMTP), "other";
	                                  NULL if no error */
	char errmsg[256];
	int64_t elapsed_us;
} net_response;

/* Called once per transfer, from the loop.  r and its memory live until the callback returns. */
typedef void (*net_done_cb)(net_transfer *t, const net_response *r, void *ud);

/* Starts a transfer; *handle (if given) can cancel it until its callback has run. */
int net_http(net *n, const net_request *req, net_done_cb cb, void *ud, net_transfer **handle);

typedef struct net_attachment {
	const char *filename, *content_type;
	const char *data;
	size_t len;
} net_attachment;

typedef struct net_mail {
	const char *url;               /* smtp://host:port (STARTTLS when offered) or smtps:// */
	const char *username, *password;   /* may be NULL */
	const char *from;              /* envelope and header From: address (bare: a@b.c) */
	const char *const *to;         /* envelope and header To: addresses (bare); one refused
	                                  recipient fails the whole mail */
	size_t nto;
	const char *subject;           /* UTF-8; encoded as RFC 2047 when not ASCII */
	const char *text;              /* text/plain body, UTF-8 */
	const char *html;              /* optional text/html alternative */
	const net_attachment *attachments;
	size_t nattachments;
	const char *message_id;        /* optional; makes retries recognisable */
	long timeout_ms;               /* 0: 60 s */
	int require_tls;               /* 1: refuse a server without STARTTLS */
	int insecure;                  /* 1: skip TLS verification (tests only) */
} net_mail;

/* Sends one message.  The response's status is the SMTP reply code (250 on success). */
int net_smtp(net *n, const net_mail *m, net_done_cb cb, void *ud, net_transfer **handle);

/* Cancels a running transfer; its callback is called with errkind "cancelled" if notify is 1,
 * not at all if 0.  Safe to call from any loop callback, including another transfer's. */
void net_cancel(net_transfer *t, int notify);

/* Transfers currently running. */
size_t net_active(const net *n);

#endif
