/*
 * net.c -- curl multi on the libuv loop, the life of a transfer, and HTTP requests.
 *
 * curl says which sockets to watch (on_socket) and when to wake it (on_curl_timer); libuv
 * watches them, one uv_poll_t per socket and one uv_timer_t per net, and hands every event
 * back through curl_multi_socket_action().  Finished transfers are collected after that call
 * has returned, outside every curl callback, so a completion callback may start, cancel or
 * free anything.
 *
 * Lifetime: the net owns its uv handles.  net_free() cancels, cleans up curl and starts the
 * closes; the last close callback frees the net, which is why the loop must run afterwards.
 * Everything here runs on the loop's thread; a net is not to be touched from another.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "net/internal.h"
#include "net/net.h"

enum {
	HTTP_TIMEOUT_MS  = 30000,
	CONNECT_TIMEOUT_MS = 10000,
	MAX_CONNECTIONS  = 100           /* more transfers wait in curl for a free connection */
};
#define DEFAULT_MAX_RESPONSE ((size_t)16 << 20)

struct net {
	uv_loop_t *loop;
	CURLM *multi;                    /* NULL once net_free() has run */
	uv_timer_t timer;
	net_transfer *transfers;         /* running, newest first */
	size_t active;
	size_t handles;                  /* uv handles not closed yet: the timer and the polls */
};

/* One socket curl asked us to watch; curl keeps the pointer for us (curl_multi_assign). */
typedef struct sock {
	uv_poll_t poll;
	curl_socket_t fd;
	net *n;
} sock;


/*
** {==================================================================
** Closing: the net goes when its last handle has closed
** ===================================================================
*/

static void handle_closed(net *n)
{
	if (--n->handles == 0 && n->multi == NULL) {
		free(n);
		curl_global_cleanup();
	}
}

static void on_sock_closed(uv_handle_t *h)
{
	sock *k = h->data;
	net *n = k->n;
	free(k);
	handle_closed(n);
}

static void on_timer_closed(uv_handle_t *h)
{
	handle_closed(h->data);
}

/* }================================================================== */


/*
** {==================================================================
** Completion: turning a finished easy handle into a net_response
** ===================================================================
*/

static void unlink_transfer(net_transfer *t)
{
	net *n = t->n;
	if (t->prev)
		t->prev->next = t->next;
	else
		n->transfers = t->next;
	if (t->next)
		t->next->prev = t->prev;
	t->prev = t->next = NULL;
	n->active--;
	t->done = 1;
}

/* Takes t out of curl: afterwards no curl callback and no pending message refers to it. */
static void detach(net_transfer *t)
{
	curl_multi_remove_handle(t->n->multi, t->easy);
	unlink_transfer(t);
}

static const char *kind_of(const net_transfer *t, CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return "timeout";
	case CURLE_COULDNT_CONNECT:
		return "refused";
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return "resolve";
	case CURLE_PARTIAL_FILE:
		return "truncated";
	case CURLE_FILESIZE_EXCEEDED:    /* Content-Length said so before the body came */
		return "too_large";
	case CURLE_WRITE_ERROR:          /* on_body refused a byte, or memory ran out */
		return t->too_large ? "too_large" : "other";
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CLIENTCERT:
	case CURLE_USE_SSL_FAILED:       /* require_tls and no STARTTLS offered */
		return "tls";
	default:
		return "other";
	}
}

static void describe(const net_transfer *t, CURLcode rc, net_response *r)
{
	curl_off_t us = 0;
	long code = 0;
	memset(r, 0, sizeof *r);
	curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME_T, &us);
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
	r->elapsed_us = us;
	r->body = "";
	if (rc == CURLE_OK) {
		r->status = code;
		r->headers = t->hdrs;
		r->nheaders = t->nhdrs;
		if (t->body)
			r->body = t->body;
		r->body_len = t->len;
		return;
	}
	r->error = OWED_EIO;
	r->errkind = kind_of(t, rc);
	/* A mail server that said no (4xx: try later, 5xx: never) is what the outbox needs. */
	if (t->mail && code >= 400 && strcmp(r->errkind, "other") == 0) {
		r->errkind = "rejected";
		r->status = code;
	}
	if (t->too_large)
		snprintf(r->errmsg, sizeof r->errmsg, "response larger than %zu bytes", t->max);
	else
		snprintf(r->errmsg, sizeof r->errmsg, "%s",
		         t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc));
}

static void finish(net_transfer *t, CURLcode rc)
{
	net_response r;
	detach(t);
	describe(t, rc, &r);
	t->cb(t, &r, t->ud);
	net_xfer_free(t);
}

/* Reports every finished transfer.  A callback may cancel a transfer whose message is still
 * queued (curl_multi_remove_handle drops it) or free the net (then the rest goes unreported,
 * as net_free promises). */
static void collect(net *n)
{
	CURLMsg *m;
	int left;
	while (n->multi && (m = curl_multi_info_read(n->multi, &left)) != NULL) {
		void *t;
		CURLcode rc = m->data.result;
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &t);
		finish(t, rc);
	}
}

/* }================================================================== */


/*
** {==================================================================
** The loop: curl's sockets and timer as uv handles
** ===================================================================
*/

static void on_poll(uv_poll_t *h, int status, int events)
{
	sock *k = h->data;
	net *n = k->n;                   /* k may be closed by the call below */
	int flags = 0, running;
	if (status < 0)
		flags = CURL_CSELECT_ERR;
	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(n->multi, k->fd, flags, &running);
	collect(n);
}

static void on_timer(uv_timer_t *h)
{
	net *n = h->data;
	int running;
	curl_multi_socket_action(n->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	collect(n);
}

static sock *sock_new(net *n, curl_socket_t fd)
{
	sock *k = malloc(sizeof *k);
	if (!k)
		return NULL;
	if (uv_poll_init_socket(n->loop, &k->poll, fd) != 0) {
		free(k);
		return NULL;
	}
	k->poll.data = k;
	k->fd = fd;
	k->n = n;
	n->handles++;
	curl_multi_assign(n->multi, fd, k);
	return k;
}

/* CURLMOPT_SOCKETFUNCTION.  REMOVE comes before curl closes the socket, so the poll handle
 * is stopped (uv_close stops it at once) before the descriptor can be reused. */
static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	net *n = userp;
	sock *k = socketp;
	int events = 0;
	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (k)
			uv_close((uv_handle_t *)&k->poll, on_sock_closed);
		return 0;
	}
	if (!k && (k = sock_new(n, fd)) == NULL)
		return -1;
	if (what & CURL_POLL_IN)
		events |= UV_READABLE;
	if (what & CURL_POLL_OUT)
		events |= UV_WRITABLE;
	return uv_poll_start(&k->poll, events, on_poll) == 0 ? 0 : -1;
}

/* CURLMOPT_TIMERFUNCTION.  Even a 0 ms timeout goes through the loop: curl must not be
 * re-entered from its own callback. */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	net *n = userp;
	(void)multi;
	if (timeout_ms < 0)
		uv_timer_stop(&n->timer);
	else
		uv_timer_start(&n->timer, on_timer, (uint64_t)timeout_ms, 0);
	return 0;
}

int net_new(uv_loop_t *loop, net **out)
{
	net *n = calloc(1, sizeof *n);
	if (!n)
		return OWED_ENOMEM;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(n);
		return OWED_EIO;
	}
	n->multi = curl_multi_init();
	if (!n->multi) {
		free(n);
		curl_global_cleanup();
		return OWED_ENOMEM;
	}
	n->loop = loop;
	uv_timer_init(loop, &n->timer);
	n->timer.data = n;
	n->handles = 1;
	curl_multi_setopt(n->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(n->multi, CURLMOPT_SOCKETDATA, n);
	curl_multi_setopt(n->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(n->multi, CURLMOPT_TIMERDATA, n);
	curl_multi_setopt(n->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)MAX_CONNECTIONS);
	*out = n;
	return 0;
}

/* Removing a running easy handle closes its connection, and closing a socket curl watched
 * calls on_socket(REMOVE), so after curl_multi_cleanup() no poll handle is left open but
 * closing.  The timer is the last handle we close ourselves. */
void net_free(net *n)
{
	if (!n)
		return;
	while (n->transfers) {
		net_transfer *t = n->transfers;
		detach(t);
		net_xfer_free(t);
	}
	curl_multi_cleanup(n->multi);
	n->multi = NULL;
	uv_close((uv_handle_t *)&n->timer, on_timer_closed);
}

size_t net_active(const net *n)
{
	return n->active;
}

/* }================================================================== */


/*
** {==================================================================
** A transfer: what curl writes, and its start, cancel and end
** ===================================================================
*/

/* CURLOPT_WRITEFUNCTION.  Returning less than given makes curl fail with CURLE_WRITE_ERROR,
 * which is how a response over the limit stops as soon as it shows. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	net_transfer *t = ud;
	size_t len = size * nmemb;
	if (len > t->max - t->len) {
		t->too_large = 1;
		return 0;
	}
	if (t->len + len + 1 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4096;
		char *p;
		if (cap < t->len + len + 1)
			cap = t->len + len + 1;
		if (cap > t->max + 1)
			cap = t->max + 1;
		if ((p = realloc(t->body, cap)) == NULL)
			return 0;
		t->body = p;
		t->cap = cap;
	}
	memcpy(t->body + t->len, data, len);
	t->len += len;
	t->body[t->len] = '\0';
	return len;
}

static void clear_headers(net_transfer *t)
{
	size_t i;
	for (i = 0; i < t->nhdrs; i++)
		free((char *)t->hdrs[i].name);        /* the value lives in the same block */
	t->nhdrs = 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int add_header(net_transfer *t, const char *name, size_t nlen, const char *value,
                      size_t vlen)
{
	char *block;
	if (t->nhdrs == t->hcap) {
		size_t cap = t->hcap ? t->hcap * 2 : 16;
		net_header *h = realloc(t->hdrs, cap * sizeof *h);
		if (!h)
			return -1;
		t->hdrs = h;
		t->hcap = cap;
	}
	if ((block = malloc(nlen + vlen + 2)) == NULL)
		return -1;
	memcpy(block, name, nlen);
	block[nlen] = '\0';
	memcpy(block + nlen + 1, value, vlen);
	block[nlen + 1 + vlen] = '\0';
	t->hdrs[t->nhdrs].name = block;
	t->hdrs[t->nhdrs].value = block + nlen + 1;
	t->nhdrs++;
	return 0;
}

/* CURLOPT_HEADERFUNCTION: one line at a time, status lines included.  A status line starts
 * a new response (a 1xx before the final one), so the headers kept are the last response's.
 * Header bytes count against the response limit too, or a server could send endless ones. */
static size_t on_header(char *line, size_t size, size_t nitems, void *ud)
{
	net_transfer *t = ud;
	size_t len = size * nitems, end = len;
	const char *colon, *value;
	if (len > t->max - t->header_bytes) {
		t->too_large = 1;
		return 0;
	}
	t->header_bytes += len;
	if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
		clear_headers(t);
		return len;
	}
	while (end > 0 && is_space(line[end - 1]))
		end--;
	if ((colon = memchr(line, ':', end)) == NULL)
		return len;               /* the blank line ending the block, or a malformed line */
	value = colon + 1;
	while (value < line + end && is_space(*value))
		value++;
	if (add_header(t, line, (size_t)(colon - line), value, (size_t)(line + end - value)) != 0)
		return 0;
	return len;
}

int net_xfer_new(net *n, const char *url, const char *protocols, long timeout_ms,
                 long connect_timeout_ms, int insecure, net_done_cb cb, void *ud,
                 net_transfer **out)
{
	net_transfer *t;
	CURL *e;
	if (!url || !cb || timeout_ms < 0 || connect_timeout_ms < 0)
		return OWED_EUSAGE;
	if ((t = calloc(1, sizeof *t)) == NULL)
		return OWED_ENOMEM;
	if ((t->easy = e = curl_easy_init()) == NULL) {
		free(t);
		return OWED_ENOMEM;
	}
	t->n = n;
	t->cb = cb;
	t->ud = ud;
	t->max = DEFAULT_MAX_RESPONSE;
	curl_easy_setopt(e, CURLOPT_PRIVATE, (void *)t);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "owed/" OWED_VERSION);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms ? timeout_ms : (long)HTTP_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	                 connect_timeout_ms ? connect_timeout_ms : (long)CONNECT_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, insecure ? 0L : 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, insecure ? 0L : 2L);
	/* A redirect is the caller's to follow: the plugin sandbox must see (and allow) where a
	 * request goes, so a 3xx comes back as it is, Location header and all. */
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	if (curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, protocols) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_URL, url) != CURLE_OK) {
		net_xfer_free(t);
		return OWED_ENOMEM;
	}
	*out = t;
	return 0;
}

int net_xfer_start(net_transfer *t, net_transfer **handle)
{
	net *n = t->n;
	CURLMcode rc = curl_multi_add_handle(n->multi, t->easy);
	if (rc != CURLM_OK) {
		net_xfer_free(t);
		return rc == CURLM_OUT_OF_MEMORY ? OWED_ENOMEM : OWED_EIO;
	}
	t->started = uv_hrtime();
	t->next = n->transfers;
	if (n->transfers)
		n->transfers->prev = t;
	n->transfers = t;
	n->active++;
	if (handle)
		*handle = t;
	return 0;
}

void net_xfer_free(net_transfer *t)
{
	curl_easy_cleanup(t->easy);
	curl_mime_free(t->mime);                   /* only after the easy handle that used it */
	curl_slist_free_all(t->headers);
	curl_slist_free_all(t->rcpt);
	clear_headers(t);
	free(t->hdrs);
	free(t->body);
	free(t);
}

void net_cancel(net_transfer *t, int notify)
{
	net_response r;
	if (t->done)                               /* from its own callback: already ending */
		return;
	detach(t);
	if (notify) {
		memset(&r, 0, sizeof r);
		r.body = "";
		r.error = OWED_EIO;
		r.errkind = "cancelled";
		snprintf(r.errmsg, sizeof r.errmsg, "cancelled");
		r.elapsed_us = (int64_t)((uv_hrtime() - t->started) / 1000);
		t->cb(t, &r, t->ud);
	}
	net_xfer_free(t);
}

/* }================================================================== */


/*
** {==================================================================
** HTTP
** ===================================================================
*/

/* RFC 9110 token characters: a method or header name that is anything else could smuggle a
 * second header or request into the one sent. */
static int is_token(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	if (!*p)
		return 0;
	for (; *p; p++)
		if (*p <= ' ' || *p >= 127 || strchr("\"(),/:;<=>?@[\\]{}", *p))
			return 0;
	return 1;
}

/* "Name: value", or "Name;", which is curl's way to send a header with an empty value. */
static int append_header(struct curl_slist **list, const net_header *h)
{
	size_t size;
	char *line;
	struct curl_slist *l;
	if (!h->name || !h->value || !is_token(h->name) || strpbrk(h->value, "\r\n"))
		return OWED_EINPUT;
	size = strlen(h->name) + strlen(h->value) + 3;
	if ((line = malloc(size)) == NULL)
		return OWED_ENOMEM;
	if (h->value[0])
		snprintf(line, size, "%s: %s", h->name, h->value);
	else
		snprintf(line, size, "%s;", h->name);
	l = curl_slist_append(*list, line);
	free(line);
	if (!l)
		return OWED_ENOMEM;
	*list = l;
	return 0;
}

/* curl would otherwise send "Expect: 100-continue" with a larger body and wait for a reply
 * many servers never give. */
static int header_lines(const net_request *req, struct curl_slist **out)
{
	size_t i;
	int rc = 0;
	if ((*out = curl_slist_append(NULL, "Expect:")) == NULL)
		return OWED_ENOMEM;
	for (i = 0; i < req->nheaders && rc == 0; i++)
		rc = append_header(out, &req->headers[i]);
	return rc;
}

/* GET and HEAD go without a body, POST (or a NULL method with a body) as POSTFIELDS, any
 * other method as a custom request with or without one.  The body is copied. */
static int set_method(CURL *e, const net_request *req)
{
	const char *method = req->method ? req->method : req->body ? "POST" : "GET";
	int post = strcmp(method, "POST") == 0;
	if (!is_token(method) || (!req->body && req->body_len))
		return OWED_EINPUT;
	if (req->body || post) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		if (curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, req->body ? req->body : "") != CURLE_OK)
			return OWED_ENOMEM;
	} else if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	if (!post && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	return 0;
}

int net_http(net *n, const net_request *req, net_done_cb cb, void *ud, net_transfer **handle)
{
	net_transfer *t;
	int rc = net_xfer_new(n, req->url, "http,https", req->timeout_ms, req->connect_timeout_ms,
	                      req->insecure, cb, ud, &t);
	if (rc != 0)
		return rc;
	if (req->max_response)
		t->max = req->max_response;
	/* t->headers is freed with t, whatever header_lines() managed to build. */
	if ((rc = set_method(t->easy, req)) != 0 || (rc = header_lines(req, &t->headers)) != 0) {
		net_xfer_free(t);
		return rc;
	}
	curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(t->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(t->easy, CURLOPT_HEADERDATA, t);
	/* A Content-Length over the limit fails before any of the body is read. */
	curl_easy_setopt(t->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)t->max);
	return net_xfer_start(t, handle);
}

/* }================================================================== */
