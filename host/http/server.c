/*
 * server.c -- HTTP/1.1 on the libuv loop with Debian's http-parser (docs/serve.md).
 *
 * One connection reads into a growing buffer that the parser walks; at a request's end the
 * parser is paused, reading stops, the handler (synchronous: the services are) fills the
 * response, and when it is written the connection either closes or resumes parsing what is
 * buffered (keep-alive, pipelining).  A timer bounds the time from ready-to-read to the last
 * byte of a request; past it the connection is closed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <http_parser.h>

#include "http/http.h"

struct http_server {
	uv_loop_t *loop;
	uv_tcp_t listener;
	http_limits lim;
	http_handler handler;
	void *ud;
	struct conn *conns;             /* every open connection */
	int nconns;
	int stopping, listener_open;
	void (*done)(void *ud);
	void *done_ud;
};

typedef struct conn {
	uv_tcp_t tcp;
	uv_timer_t timer;
	uv_shutdown_t shut;             /* the lingering close's (linger) */
	int linger;                     /* close lingering: the request was not read to its end */
	http_parser parser;
	http_server *srv;
	struct conn *next, *prev;
	char *in;                       /* bytes read, from off on not yet parsed */
	size_t len, cap, off;
	/* the request being read: strings kept in req_buf, as offsets until complete */
	char *rb;                       /* url, header names and values, NUL-separated */
	size_t rblen, rbcap;
	size_t url_at, url_len;
	size_t hat[HTTP_MAX_HEADERS][2], hlen[HTTP_MAX_HEADERS][2];
	size_t nh;
	int last_was_value;
	char *body;
	size_t body_len, body_cap;
	size_t body_max;                /* this request's body limit (body_limit) */
	size_t header_bytes;
	int started, busy, closing, too_many_headers;
	int deferred;                   /* the handler answers later (http_defer) */
	int keep;                       /* keep-alive after the request being answered */
	const char *method, *path;      /* of that request, for its log line */
	char peer[64];                  /* the client's address */
	int reply_status;               /* a reply the server itself decided on (413, 431) */
	uint64_t t0;
	int handles;                    /* handles still to close */
} conn;

static void conn_close(conn *c);
static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf);

static int grow(char **buf, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 1024;
	char *p;
	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	if (!(p = realloc(*buf, n)))
		return -1;
	*buf = p;
	*cap = n;
	return 0;
}

static void reset_request(conn *c)
{
	c->rblen = c->url_at = c->url_len = c->nh = 0;
	c->last_was_value = 0;
	free(c->body);
	c->body = NULL;
	c->body_len = c->body_cap = c->header_bytes = 0;
	c->started = c->too_many_headers = 0;
	c->reply_status = 0;
}

/* Past the deadline to read a request, or to have its response taken by a client that does
 * not read: the connection is closed (a pending write is cancelled). */
static void on_timeout(uv_timer_t *t)
{
	conn_close(t->data);
}

static void arm_timer(conn *c)
{
	uv_timer_start(&c->timer, on_timeout, c->srv->lim.read_timeout_ms, 0);
}

/* --- the parser's callbacks ------------------------------------------------------------ */

static int rb_append(conn *c, const char *at, size_t n)
{
	if (grow(&c->rb, &c->rbcap, c->rblen + n + 1))
		return -1;
	memcpy(c->rb + c->rblen, at, n);
	c->rblen += n;
	c->rb[c->rblen] = 0;
	return 0;
}

static int count_header(conn *c, size_t n)
{
	c->header_bytes += n;
	if (c->header_bytes > c->srv->lim.max_header) {
		c->reply_status = 431;
		return -1;
	}
	return 0;
}

static int on_message_begin(http_parser *p)
{
	conn *c = p->data;
	c->started = 1;
	c->t0 = uv_hrtime();
	return 0;
}

static int on_url(http_parser *p, const char *at, size_t n)
{
	conn *c = p->data;
	if (count_header(c, n))
		return -1;
	if (c->url_len == 0)
		c->url_at = c->rblen;
	c->url_len += n;
	return rb_append(c, at, n);
}

/* Names and values come in pieces; each is kept as one run in rb, NUL-terminated at the end. */
static int header_piece(conn *c, int value, const char *at, size_t n)
{
	if (count_header(c, n))
		return -1;
	if (!value && (c->last_was_value || c->nh == 0)) {
		if (c->nh == HTTP_MAX_HEADERS) {
			c->too_many_headers = 1;
			c->reply_status = 431;
			return -1;
		}
		if (rb_append(c, "", 0) || grow(&c->rb, &c->rbcap, c->rblen + 2))
			return -1;
		c->rblen++;             /* keep the NUL that ends the run before */
		c->nh++;
		c->hat[c->nh - 1][0] = c->rblen;
		c->hlen[c->nh - 1][0] = c->hlen[c->nh - 1][1] = 0;
	} else if (value && !c->last_was_value) {
		if (grow(&c->rb, &c->rbcap, c->rblen + 2))
			return -1;
		c->rb[c->rblen++] = 0;
		c->hat[c->nh - 1][1] = c->rblen;
	}
	c->last_was_value = value;
	c->hlen[c->nh - 1][value] += n;
	return rb_append(c, at, n);
}

static int on_header_field(http_parser *p, const char *at, size_t n)
{
	return header_piece(p->data, 0, at, n);
}

static int on_header_value(http_parser *p, const char *at, size_t n)
{
	return header_piece(p->data, 1, at, n);
}

/* The body limit of the request being read: max_upload for the paths that take files. */
static size_t body_limit(const conn *c)
{
	const http_limits *lim = &c->srv->lim;
	const char *url = c->rb + c->url_at;
	size_t n = 0;
	while (n < c->url_len && url[n] != '?')
		n++;
	for (const char *const *u = lim->uploads; u && *u; u++)
		if (strlen(*u) == n && memcmp(*u, url, n) == 0)
			return lim->max_upload;
	return lim->max_body;
}

static int on_headers_complete(http_parser *p)
{
	conn *c = p->data;
	if (c->url_len == 0)
		c->url_at = c->rblen;
	if (rb_append(c, "", 0) || grow(&c->rb, &c->rbcap, c->rblen + 2))
		return -1;
	c->body_max = body_limit(c);
	if ((p->flags & F_CONTENTLENGTH) && p->content_length > c->body_max) {
		c->reply_status = 413;
		return -1;
	}
	return 0;
}

static int on_body(http_parser *p, const char *at, size_t n)
{
	conn *c = p->data;
	if (c->body_len + n > c->body_max) {
		c->reply_status = 413;
		return -1;
	}
	/* doubling: an uploaded file comes in many pieces */
	if (grow(&c->body, &c->body_cap, c->body_len + n + 1))
		return -1;
	memcpy(c->body + c->body_len, at, n);
	c->body_len += n;
	c->body[c->body_len] = 0;
	return 0;
}

static int on_message_complete(http_parser *p)
{
	http_parser_pause(p, 1);
	return 0;
}

static const http_parser_settings settings = {
	.on_message_begin = on_message_begin,
	.on_url = on_url,
	.on_header_field = on_header_field,
	.on_header_value = on_header_value,
	.on_headers_complete = on_headers_complete,
	.on_body = on_body,
	.on_message_complete = on_message_complete,
};

/* --- responses ----------------------------------------------------------------------- */

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

typedef struct write_req {
	uv_write_t w;
	char *head, *body;
	int close_after;
} write_req;

static void process(conn *c);

/*
 * A lingering close, after an answer the server made itself to a request it did not read to
 * its end (a limit crossed, a malformed request): our side is shut for writing (the
 * client reads the answer, then end of file) and what the client still sends is read and
 * dropped until it closes too, or LINGER_MS pass.  Closing at once would throw away a client's
 * unread bytes -- a body refused with 413 while it is being sent -- and the kernel answers
 * those with a reset, which can reach the client before our answer does: it would see a
 * broken connection instead of the 413.
 */
#define LINGER_MS 2000

static void linger_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	static char sink[64 * 1024];    /* dropped bytes; the loop is one thread */
	(void)h, (void)suggested;
	*buf = uv_buf_init(sink, sizeof sink);
}

static void linger_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
	(void)buf;
	if (n < 0)
		conn_close(st->data);
}

static void lingered(uv_shutdown_t *req, int status)
{
	conn *c = req->data;
	if (status < 0)
		conn_close(c);
}

static void linger(conn *c)
{
	c->shut.data = c;
	if (uv_shutdown(&c->shut, (uv_stream_t *)&c->tcp, lingered) < 0 ||
	    uv_read_start((uv_stream_t *)&c->tcp, linger_alloc, linger_read) < 0) {
		conn_close(c);
		return;
	}
	uv_timer_start(&c->timer, on_timeout, LINGER_MS, 0);
}

static void on_written(uv_write_t *w, int status)
{
	write_req *wr = (write_req *)w;
	conn *c = wr->w.data;
	int close_after = wr->close_after;
	free(wr->head);
	free(wr->body);
	free(wr);
	c->busy = 0;
	if (status < 0) {
		conn_close(c);
		return;
	}
	if (close_after || c->srv->stopping) {
		if (c->linger)
			linger(c);
		else
			conn_close(c);
		return;
	}
	reset_request(c);
	http_parser_pause(&c->parser, 0);
	arm_timer(c);
	process(c);
	if (!c->busy && !c->closing)
		uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, on_read);
}

static void log_line(conn *c, const char *method, const char *path, int status, const char *who)
{
	double ms = (double)(uv_hrtime() - c->t0) / 1e6;
	/* one JSON object per line; the path is the client's, so only safe bytes go out */
	char safe[256];
	size_t j = 0;
	for (size_t i = 0; path[i] && j + 1 < sizeof safe; i++) {
		unsigned char ch = (unsigned char)path[i];
		safe[j++] = (ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\') ? '?' : (char)ch;
	}
	safe[j] = 0;
	http_log_line(method, safe, status, ms, who && *who ? who : "-");
}

static void send_response(conn *c, http_response *res, int close_after)
{
	write_req *wr = calloc(1, sizeof *wr);
	size_t blen = res->body ? strlen(res->body) : 0;
	int n;
	uv_buf_t bufs[2];
	if (!wr) {
		free(res->body);
		conn_close(c);
		return;
	}
	wr->body = res->body;
	wr->close_after = close_after;
	if (res->body_len)
		blen = res->body_len;
	wr->head = malloc(512);
	if (!wr->head) {
		free(wr->body);
		free(wr);
		conn_close(c);
		return;
	}
	n = snprintf(wr->head, 512, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	             "%s%s\r\n", res->status, reason(res->status),
	             res->content_type ? res->content_type : "application/json", blen,
	             res->extra_headers, close_after ? "Connection: close\r\n" : "");
	bufs[0] = uv_buf_init(wr->head, (unsigned)(n < 512 ? n : 511));
	bufs[1] = uv_buf_init(wr->body ? wr->body : (char *)"", (unsigned)blen);
	wr->w.data = c;
	c->busy = 1;
	arm_timer(c);                   /* the same deadline for the client to take the answer */
	if (uv_write(&wr->w, (uv_stream_t *)&c->tcp, bufs, 2, on_written) < 0) {
		free(wr->head);
		free(wr->body);
		free(wr);
		c->busy = 0;
		conn_close(c);
	}
}

/* A reply the server makes itself (a malformed request, a limit crossed); then it closes. */
static void send_error(conn *c, int status, const char *detail)
{
	http_response res = { .status = status, .content_type = "application/problem+json" };
	size_t n = strlen(detail) + 256;
	if ((res.body = malloc(n)))
		snprintf(res.body, n, "{\"type\":\"about:blank\",\"title\":\"%s\",\"status\":%d,"
		         "\"detail\":\"%s\"}", reason(status), status, detail);
	if (!c->started)
		c->t0 = uv_hrtime();
	log_line(c, c->started ? http_method_str((enum http_method)c->parser.method) : "-",
	         c->url_len ? c->rb + c->url_at : "-", status, "-");
	uv_read_stop((uv_stream_t *)&c->tcp);
	c->linger = 1;
	send_response(c, &res, 1);
}

static void dispatch(conn *c)
{
	http_request req = { 0 };
	http_response res = { .status = 500 };
	char *q, *path = c->rb + c->url_at;

	path[c->url_len] = 0;
	req.method = http_method_str((enum http_method)c->parser.method);
	q = strchr(path, '?');
	if (q)
		*q++ = 0;
	req.path = path;
	req.query = q ? q : "";
	for (size_t i = 0; i < c->nh; i++) {
		c->rb[c->hat[i][0] + c->hlen[i][0]] = 0;
		req.hname[i] = c->rb + c->hat[i][0];
		req.hvalue[i] = c->hlen[i][1] ? c->rb + c->hat[i][1] : "";
	}
	req.nheaders = c->nh;
	req.body = c->body ? c->body : "";
	req.body_len = c->body_len;
	req.peer = c->peer;
	req.later = (http_later *)c;
	c->keep = http_should_keep_alive(&c->parser) && !c->parser.upgrade;   /* no upgrades */
	c->method = req.method;
	c->path = req.path;
	c->deferred = 0;
	c->srv->handler(c->srv->ud, &req, &res);
	if (!c->deferred)
		http_answer((http_later *)c, &res);
}

http_later *http_defer(const http_request *req)
{
	((conn *)req->later)->deferred = 1;
	return req->later;
}

void http_answer(http_later *later, http_response *res)
{
	conn *c = (conn *)later;
	log_line(c, c->method, c->path, res->status, res->who);
	send_response(c, res, !c->keep || c->srv->stopping);
}

/* Parses what is buffered, answering at most one request before the write completes. */
static void process(conn *c)
{
	while (!c->busy && c->off < c->len) {
		size_t n = http_parser_execute(&c->parser, &settings, c->in + c->off, c->len - c->off);
		enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
		c->off += n;
		if (e == HPE_PAUSED) {
			uv_timer_stop(&c->timer);
			uv_read_stop((uv_stream_t *)&c->tcp);
			dispatch(c);
			break;
		}
		if (e == HPE_OK && n == 0) {        /* nothing consumed: never loop on it */
			send_error(c, 400, "the request cannot be parsed further");
			return;
		}
		if (e != HPE_OK) {
			if (c->reply_status == 413)
				send_error(c, 413, "the request body is larger than the server accepts");
			else if (c->reply_status == 431)
				send_error(c, 431, "the request line and headers are larger than the server"
				           " accepts");
			else
				send_error(c, 400, http_errno_description(e));
			return;
		}
	}
	if (c->off == c->len)
		c->off = c->len = 0;
}

/* --- connections ----------------------------------------------------------------------- */

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	conn *c = h->data;
	if (grow(&c->in, &c->cap, c->len + suggested)) {
		buf->base = NULL;
		buf->len = 0;
		return;
	}
	buf->base = c->in + c->len;
	buf->len = c->cap - c->len;
}

static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
	conn *c = st->data;
	(void)buf;
	if (n < 0) {
		conn_close(c);
		return;
	}
	c->len += (size_t)n;
	process(c);
}

static void maybe_done(http_server *s)
{
	if (s->stopping && !s->conns && !s->listener_open && s->done) {
		void (*done)(void *) = s->done;
		void *ud = s->done_ud;
		s->done = NULL;
		free(s);
		done(ud);
	}
}

static void on_conn_handle_closed(uv_handle_t *h)
{
	conn *c = h->data;
	if (--c->handles > 0)
		return;
	http_server *s = c->srv;
	free(c->in);
	free(c->rb);
	free(c->body);
	free(c);
	maybe_done(s);
}

static void conn_close(conn *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	c->srv->nconns--;
	if (c->prev)
		c->prev->next = c->next;
	else
		c->srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->handles = 2;
	uv_close((uv_handle_t *)&c->timer, on_conn_handle_closed);
	uv_close((uv_handle_t *)&c->tcp, on_conn_handle_closed);
}

static void free_handle(uv_handle_t *h)
{
	free(h);
}

static void peer_name(conn *c)
{
	struct sockaddr_storage ss;
	int len = sizeof ss;
	snprintf(c->peer, sizeof c->peer, "-");
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0)
		uv_ip_name((struct sockaddr *)&ss, c->peer, sizeof c->peer);
}

static void on_connection(uv_stream_t *l, int status)
{
	http_server *s = l->data;
	conn *c;
	if (status < 0 || s->stopping || !(c = calloc(1, sizeof *c)))
		return;
	if (s->nconns >= s->lim.max_connections) {
		/* accepted only to be closed at once, so the backlog does not fill with them */
		uv_tcp_t *t = malloc(sizeof *t);
		if (t && uv_tcp_init(s->loop, t) == 0) {
			if (uv_accept(l, (uv_stream_t *)t) == 0)
				fprintf(stderr, "serve: %d connections open, one more refused\n", s->nconns);
			uv_close((uv_handle_t *)t, free_handle);
		} else
			free(t);
		free(c);
		return;
	}
	c->srv = s;
	uv_tcp_init(s->loop, &c->tcp);
	uv_timer_init(s->loop, &c->timer);
	c->tcp.data = c->timer.data = c;
	if (uv_accept(l, (uv_stream_t *)&c->tcp) < 0) {
		c->handles = 2;
		uv_close((uv_handle_t *)&c->timer, on_conn_handle_closed);
		uv_close((uv_handle_t *)&c->tcp, on_conn_handle_closed);
		c->closing = 1;
		return;
	}
	s->nconns++;
	peer_name(c);
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	uv_tcp_nodelay(&c->tcp, 1);
	http_parser_init(&c->parser, HTTP_REQUEST);
	c->parser.data = c;
	arm_timer(c);
	uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, on_read);
}

int http_server_start(uv_loop_t *loop, const char *host, int port, const http_limits *lim,
                      http_handler h, void *ud, http_server **out, int *bound,
                      char *errbuf, size_t errsize)
{
	http_server *s = calloc(1, sizeof *s);
	struct sockaddr_storage ss;
	int rc, len = sizeof ss;
	if (!s) {
		snprintf(errbuf, errsize, "out of memory");
		return -1;
	}
	s->loop = loop;
	s->lim = *lim;
	s->handler = h;
	s->ud = ud;
	if ((rc = uv_ip4_addr(host, port, (struct sockaddr_in *)&ss)) < 0 &&
	    (rc = uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss)) < 0) {
		snprintf(errbuf, errsize, "listen: '%s' is not an IP address", host);
		free(s);
		return -1;
	}
	uv_tcp_init(loop, &s->listener);
	s->listener.data = s;
	s->listener_open = 1;
	if ((rc = uv_tcp_bind(&s->listener, (struct sockaddr *)&ss, 0)) < 0 ||
	    (rc = uv_listen((uv_stream_t *)&s->listener, 128, on_connection)) < 0 ||
	    (rc = uv_tcp_getsockname(&s->listener, (struct sockaddr *)&ss, &len)) < 0) {
		snprintf(errbuf, errsize, "listen: %s:%d: %s", host, port, uv_strerror(rc));
		s->stopping = 1;
		uv_close((uv_handle_t *)&s->listener, NULL);
		uv_run(loop, UV_RUN_NOWAIT);
		free(s);
		return -1;
	}
	*bound = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
	                                        : ((struct sockaddr_in *)&ss)->sin_port);
	*out = s;
	return 0;
}

static void on_listener_closed(uv_handle_t *h)
{
	http_server *s = h->data;
	s->listener_open = 0;
	maybe_done(s);
}

void http_server_shutdown(http_server *s, void (*done)(void *ud), void *ud)
{
	conn *c, *next;
	if (s->stopping)
		return;
	s->stopping = 1;
	s->done = done;
	s->done_ud = ud;
	uv_close((uv_handle_t *)&s->listener, on_listener_closed);
	/* idle connections close now; one with a request begun finishes it (or times out) */
	for (c = s->conns; c; c = next) {
		next = c->next;
		if (!c->busy && !c->started && c->len == c->off)
			conn_close(c);
	}
}

const char *http_header(const http_request *req, const char *name)
{
	for (size_t i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->hname[i], name) == 0)
			return req->hvalue[i];
	return NULL;
}
