/*
 * net.h -- outbound HTTP(S) and SMTP on the libuv loop, through libcurl's multi interface.
 *
 * One net object per loop.  curl multi is driven by the loop (CURLMOPT_SOCKETFUNCTION and
 * CURLMOPT_TIMERFUNCTION onto uv_poll and uv_timer handles, as in curl's multi-uv example),
 * so any number of transfers run concurrently on one thread.  A transfer's completion callback
 * is called from a libuv callback after curl_multi_socket_action() has returned -- never from
 * inside a curl callback -- so it may start new transfers, cancel others, or resume Lua.
 *
 * Functions return 0 or a negative OWED_E* code (core/err.h).
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
 * its handles are closed; run the loop afterwards so the closes complete. */
void net_free(net *n);

typedef struct net_header { const char *name, *value; } net_header;

typedef struct net_request {
	const char *method;            /* "GET", "POST", ...; NULL: GET, or POST with a body */
	const char *url;
	const net_header *headers;
	size_t nheaders;
	const char *body;              /* may be NULL */
	size_t body_len;
	long timeout_ms;               /* whole transfer; 0: 30 s */
	long connect_timeout_ms;       /* 0: 10 s */
	size_t max_response;           /* body limit in bytes; 0: 16 MiB; more is an error */
	int insecure;                  /* 1: skip TLS verification (tests only; off by default) */
} net_request;

/* The result of a transfer.  On error, status is 0 and error/errmsg say why (a timeout, a
 * refused connection, a response over max_response, a truncated body). */
typedef struct net_response {
	long status;
	net_header *headers;           /* response headers, names as received */
	size_t nheaders;
	char *body;                    /* NUL-terminated for convenience; body_len is the size */
	size_t body_len;
	int error;                     /* 0 or OWED_EIO; see errkind */
	const char *errkind;           /* "timeout", "refused", "resolve", "tls", "too_large",
	                                  "truncated", "cancelled", "other"; NULL if no error */
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
	const char *from;              /* envelope and header From: address */
	const char *const *to;         /* envelope and header To: addresses */
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
