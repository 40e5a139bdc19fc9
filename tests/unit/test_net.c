/*
 * test_net.c -- HTTP and SMTP through net against real servers on 127.0.0.1:
 * tests/support/httpd.py and smtpd.py, started once for the run and ended by closing their
 * stdin.  What smtpd.py received is read back from the summary it writes per message.
 *
 * Timeouts are tested as behaviour only; nothing here asserts how long anything took.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/err.h"
#include "net/net.h"

extern char **environ;


/*
** {==================================================================
** The servers
** ===================================================================
*/

typedef struct server {
	pid_t pid;
	int in, out;                     /* its stdin (closing it ends it) and stdout */
	int port;
} server;

static server httpd, smtpd;
static char maildir[] = "/tmp/owed-test-net-XXXXXX";
static int mails_received;           /* smtpd.py numbers its files 1, 2, ... */

static int spawn_server(server *s, const char *script, const char *arg)
{
	char path[512], line[32];
	char *argv[] = { "python3", path, (char *)arg, NULL };
	int in[2], out[2];
	ssize_t got;
	size_t len = 0;
	posix_spawn_file_actions_t fa;
	snprintf(path, sizeof path, "%s/tests/support/%s", OWED_SOURCE_DIR, script);
	if (pipe(in) != 0 || pipe(out) != 0)
		return -1;
	/* Our ends must not leak into the other server, or its stdin would never close. */
	fcntl(in[1], F_SETFD, FD_CLOEXEC);
	fcntl(out[0], F_SETFD, FD_CLOEXEC);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclose(&fa, in[0]);
	posix_spawn_file_actions_addclose(&fa, out[1]);
	if (posix_spawn(&s->pid, "/usr/bin/python3", &fa, NULL, argv, environ) != 0)
		return -1;
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	s->in = in[1];
	s->out = out[0];
	while (len < sizeof line - 1 && (got = read(s->out, line + len, 1)) == 1 &&
	       line[len] != '\n')
		len++;
	line[len] = '\0';
	s->port = atoi(line);
	return s->port > 0 ? 0 : -1;
}

static void stop_server(server *s)
{
	int status;
	close(s->in);
	waitpid(s->pid, &status, 0);
	close(s->out);
}

static int start_servers(void **state)
{
	(void)state;
	setenv("no_proxy", "*", 1);      /* a proxy from the environment must not see these */
	if (!mkdtemp(maildir))
		return -1;
	if (spawn_server(&httpd, "httpd.py", NULL) != 0)
		return -1;
	return spawn_server(&smtpd, "smtpd.py", maildir);
}

static int stop_servers(void **state)
{
	DIR *d;
	struct dirent *e;
	char path[600];
	(void)state;
	stop_server(&httpd);
	stop_server(&smtpd);
	if ((d = opendir(maildir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "%s/%s", maildir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(maildir);
	return 0;
}

/* A port nothing listens on: bound by the kernel's choice, then released. */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

static const char *http_url(const char *path)
{
	static char url[256];
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", httpd.port, path);
	return url;
}

/* }================================================================== */


/*
** {==================================================================
** A loop, a net, and what a callback was told
** ===================================================================
*/

typedef struct fixture {
	uv_loop_t loop;
	net *n;
} fixture;

static void fx_open(fixture *f)
{
	assert_int_equal(uv_loop_init(&f->loop), 0);
	assert_int_equal(net_new(&f->loop, &f->n), 0);
}

/* Runs until the loop is empty, which also proves no handle was left behind. */
static void fx_run(fixture *f)
{
	uv_run(&f->loop, UV_RUN_DEFAULT);
}

static void fx_end(fixture *f)
{
	uv_run(&f->loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&f->loop), 0);
}

static void fx_close(fixture *f)
{
	assert_int_equal(net_active(f->n), 0);
	net_free(f->n);
	fx_end(f);
}

typedef struct result {
	int calls;
	long status;
	int error;
	char kind[16];
	char msg[256];
	char *body;
	size_t body_len;
	size_t nheaders;
	char **names, **values;
	/* what the callback does next, for the tests of re-entry */
	net *n;
	net_transfer *cancel;
	struct result *chain;            /* start another GET /echo reporting here */
	int free_net;
} result;

static void start_get(net *n, const char *path, result *r);

static void on_done(net_transfer *t, const net_response *resp, void *ud)
{
	result *r = ud;
	size_t i;
	(void)t;
	r->calls++;
	r->status = resp->status;
	r->error = resp->error;
	snprintf(r->kind, sizeof r->kind, "%s", resp->errkind ? resp->errkind : "");
	snprintf(r->msg, sizeof r->msg, "%s", resp->errmsg);
	assert_int_equal(resp->body[resp->body_len], '\0');
	r->body = malloc(resp->body_len + 1);
	memcpy(r->body, resp->body, resp->body_len + 1);
	r->body_len = resp->body_len;
	r->nheaders = resp->nheaders;
	r->names = calloc(resp->nheaders + 1, sizeof *r->names);
	r->values = calloc(resp->nheaders + 1, sizeof *r->values);
	for (i = 0; i < resp->nheaders; i++) {
		r->names[i] = strdup(resp->headers[i].name);
		r->values[i] = strdup(resp->headers[i].value);
	}
	if (r->cancel)
		net_cancel(r->cancel, 1);
	if (r->chain)
		start_get(r->n, "/echo?chained=1", r->chain);
	if (r->free_net)
		net_free(r->n);
}

static void result_free(result *r)
{
	size_t i;
	for (i = 0; i < r->nheaders; i++) {
		free(r->names[i]);
		free(r->values[i]);
	}
	free(r->names);
	free(r->values);
	free(r->body);
}

static const char *header(const result *r, const char *name)
{
	size_t i;
	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->names[i], name) == 0)
			return r->values[i];
	return NULL;
}

static void start_get(net *n, const char *path, result *r)
{
	net_request req = { .url = http_url(path) };
	assert_int_equal(net_http(n, &req, on_done, r, NULL), 0);
}

static void assert_ok(const result *r, long status)
{
	if (r->calls != 1 || r->error != 0 || r->status != status)
		fail_msg("calls %d, status %ld, error %d %s: %s", r->calls, r->status, r->error,
		         r->kind, r->msg);
}

static void assert_failed(const result *r, const char *kind)
{
	assert_int_equal(r->calls, 1);
	assert_int_equal(r->error, OWED_EIO);
	assert_int_equal(r->status, 0);
	assert_string_equal(r->kind, kind);
	assert_true(r->msg[0] != '\0');
	assert_int_equal(r->body_len, 0);
	assert_int_equal(r->nheaders, 0);
}

/* The request httpd.py's /echo saw: its JSON reply, parsed. */
static cJSON *echoed(const result *r)
{
	cJSON *doc = cJSON_Parse(r->body);
	assert_non_null(doc);
	return doc;
}

static const char *echoed_string(const cJSON *doc, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, field);
	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

/* The value of a request header as the server got it, or NULL. */
static const char *echoed_header(const cJSON *doc, const char *name)
{
	const cJSON *h;
	cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(doc, "headers"))
		if (strcasecmp(cJSON_GetArrayItem(h, 0)->valuestring, name) == 0)
			return cJSON_GetArrayItem(h, 1)->valuestring;
	return NULL;
}

/* }================================================================== */


/*
** {==================================================================
** HTTP
** ===================================================================
*/

static void test_get(void **state)
{
	fixture f;
	result r = { 0 };
	net_header headers[] = { { "X-Owed", "yes" }, { "X-Empty", "" } };
	net_request req = { .url = http_url("/echo?x=1"), .headers = headers, .nheaders = 2 };
	cJSON *doc;
	(void)state;
	fx_open(&f);
	assert_int_equal(net_http(f.n, &req, on_done, &r, NULL), 0);
	assert_int_equal(net_active(f.n), 1);
	assert_int_equal(r.calls, 0);                /* never from inside net_http */
	fx_run(&f);
	assert_ok(&r, 200);
	assert_string_equal(r.kind, "");
	assert_string_equal(header(&r, "Content-Type"), "application/json");
	assert_int_equal(atoi(header(&r, "Content-Length")), r.body_len);
	doc = echoed(&r);
	assert_string_equal(echoed_string(doc, "method"), "GET");
	assert_string_equal(echoed_string(doc, "path"), "/echo?x=1");
	assert_string_equal(echoed_string(doc, "body_hex"), "");
	assert_string_equal(echoed_header(doc, "X-Owed"), "yes");
	assert_string_equal(echoed_header(doc, "X-Empty"), "");
	assert_null(echoed_header(doc, "Expect"));
	assert_non_null(strstr(echoed_header(doc, "User-Agent"), "owed/"));
	cJSON_Delete(doc);
	result_free(&r);
	fx_close(&f);
}

static void test_post(void **state)
{
	static const char body[] = "{\"a\":1}\0\x01\xff\r\n";
	fixture f;
	result r = { 0 };
	net_header headers[] = { { "Content-Type", "application/json" } };
	net_request req = { .url = http_url("/echo"), .headers = headers, .nheaders = 1,
	                    .body = body, .body_len = sizeof body - 1 };
	cJSON *doc;
	(void)state;
	fx_open(&f);
	assert_int_equal(net_http(f.n, &req, on_done, &r, NULL), 0);
	fx_run(&f);
	assert_ok(&r, 200);
	doc = echoed(&r);
	assert_string_equal(echoed_string(doc, "method"), "POST");
	assert_string_equal(echoed_string(doc, "path"), "/echo");
	assert_string_equal(echoed_string(doc, "body_hex"), "7b2261223a317d0001ff0d0a");
	assert_string_equal(echoed_header(doc, "Content-Type"), "application/json");
	assert_string_equal(echoed_header(doc, "Content-Length"), "12");
	cJSON_Delete(doc);
	result_free(&r);
	fx_close(&f);
}

/* PUT with a body, DELETE without, and a body with no method meaning POST. */
static void test_methods(void **state)
{
	fixture f;
	result r[3] = { { 0 } };
	net_request reqs[3] = {
		{ .method = "PUT", .url = http_url("/echo"), .body = "put", .body_len = 3 },
		{ .method = "DELETE", .url = http_url("/echo") },
		{ .url = http_url("/echo"), .body = "", .body_len = 0 },
	};
	static const char *const methods[3] = { "PUT", "DELETE", "POST" };
	static const char *const bodies[3] = { "707574", "", "" };
	int i;
	(void)state;
	fx_open(&f);
	for (i = 0; i < 3; i++)
		assert_int_equal(net_http(f.n, &reqs[i], on_done, &r[i], NULL), 0);
	fx_run(&f);
	for (i = 0; i < 3; i++) {
		cJSON *doc;
		assert_ok(&r[i], 200);
		doc = echoed(&r[i]);
		assert_string_equal(echoed_string(doc, "method"), methods[i]);
		assert_string_equal(echoed_string(doc, "body_hex"), bodies[i]);
		cJSON_Delete(doc);
		result_free(&r[i]);
	}
	fx_close(&f);
}

/* An HTTP error status is an answer, not a failure; a redirect is not followed. */
static void test_status_and_redirect(void **state)
{
	fixture f;
	result r404 = { 0 }, r302 = { 0 };
	(void)state;
	fx_open(&f);
	start_get(f.n, "/status/404", &r404);
	start_get(f.n, "/status/302", &r302);
	fx_run(&f);
	assert_ok(&r404, 404);
	assert_string_equal(r404.body, "status 404");
	assert_ok(&r302, 302);
	assert_string_equal(header(&r302, "Location"), "/echo");
	assert_string_equal(r302.body, "status 302");
	result_free(&r404);
	result_free(&r302);
	fx_close(&f);
}

/* The headers are the final response's, not those of a 103 before it. */
static void test_informational_response(void **state)
{
	fixture f;
	result r = { 0 };
	(void)state;
	fx_open(&f);
	start_get(f.n, "/early", &r);
	fx_run(&f);
	assert_ok(&r, 200);
	assert_string_equal(header(&r, "X-Final"), "1");
	assert_null(header(&r, "Link"));
	assert_string_equal(r.body, "final");
	result_free(&r);
	fx_close(&f);
}

/* 500 at once: more than the connection limit, so some wait in curl for a connection. */
static void test_many(void **state)
{
	enum { N = 500 };
	fixture f;
	result *r = calloc(N, sizeof *r);
	char path[64], want[64];
	int i;
	(void)state;
	fx_open(&f);
	for (i = 0; i < N; i++) {
		snprintf(path, sizeof path, "/echo?i=%d", i);
		start_get(f.n, path, &r[i]);
	}
	assert_int_equal(net_active(f.n), N);
	fx_run(&f);
	assert_int_equal(net_active(f.n), 0);
	for (i = 0; i < N; i++) {
		cJSON *doc;
		assert_ok(&r[i], 200);
		doc = echoed(&r[i]);
		snprintf(want, sizeof want, "/echo?i=%d", i);
		assert_string_equal(echoed_string(doc, "path"), want);
		cJSON_Delete(doc);
		result_free(&r[i]);
	}
	free(r);
	fx_close(&f);
}

static void test_timeout(void **state)
{
	fixture f;
	result waiting = { 0 }, dripping = { 0 };
	net_request slow = { .url = http_url("/slow?ms=2000"), .timeout_ms = 200 };
	net_request drip = { .url = http_url("/drip?bytes=50&ms=50"), .timeout_ms = 300 };
	(void)state;
	fx_open(&f);
	assert_int_equal(net_http(f.n, &slow, on_done, &waiting, NULL), 0);
	assert_int_equal(net_http(f.n, &drip, on_done, &dripping, NULL), 0);
	fx_run(&f);
	assert_failed(&waiting, "timeout");          /* before the response */
	assert_failed(&dripping, "timeout");         /* in the middle of its body */
	result_free(&waiting);
	result_free(&dripping);
	fx_close(&f);
}

static void test_refused(void **state)
{
	fixture f;
	result r = { 0 };
	char url[64];
	net_request req = { .url = url };
	(void)state;
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", free_port());
	fx_open(&f);
	assert_int_equal(net_http(f.n, &req, on_done, &r, NULL), 0);
	fx_run(&f);
	assert_failed(&r, "refused");
	result_free(&r);
	fx_close(&f);
}

static void test_truncated_and_closed(void **state)
{
	fixture f;
	result truncated = { 0 }, closed = { 0 };
	(void)state;
	fx_open(&f);
	start_get(f.n, "/truncate", &truncated);
	start_get(f.n, "/close", &closed);
	fx_run(&f);
	assert_failed(&truncated, "truncated");
	assert_failed(&closed, "other");             /* an empty reply */
	result_free(&truncated);
	result_free(&closed);
	fx_close(&f);
}

/* Over the limit with a Content-Length (refused before the body) and chunked (refused as
 * it arrives); within it, the body arrives byte for byte. */
static void test_size_limit(void **state)
{
	fixture f;
	result sized = { 0 }, chunked = { 0 }, whole = { 0 };
	net_request over1 = { .url = http_url("/big?bytes=100000"), .max_response = 1000 };
	net_request over2 = { .url = http_url("/big?bytes=100000&chunked=1"),
	                      .max_response = 1000 };
	net_request exact = { .url = http_url("/big?bytes=300000&chunked=1"),
	                      .max_response = 300000 };
	size_t i;
	(void)state;
	fx_open(&f);
	assert_int_equal(net_http(f.n, &over1, on_done, &sized, NULL), 0);
	assert_int_equal(net_http(f.n, &over2, on_done, &chunked, NULL), 0);
	assert_int_equal(net_http(f.n, &exact, on_done, &whole, NULL), 0);
	fx_run(&f);
	assert_failed(&sized, "too_large");
	assert_failed(&chunked, "too_large");
	assert_ok(&whole, 200);
	assert_int_equal(whole.body_len, 300000);
	for (i = 0; i < whole.body_len; i++)
		if ((unsigned char)whole.body[i] != i % 251)
			fail_msg("byte %zu is %d", i, (unsigned char)whole.body[i]);
	result_free(&sized);
	result_free(&chunked);
	result_free(&whole);
	fx_close(&f);
}

/* A header or method that would forge another line is refused before anything is sent;
 * a URL of a protocol other than HTTP(S) fails without being opened. */
static void test_refused_requests(void **state)
{
	fixture f;
	result r = { 0 };
	net_header injected[] = { { "X-A", "1\r\nX-Evil: 1" } };
	net_header badname[] = { { "X A", "1" } };
	net_request req1 = { .url = http_url("/echo"), .headers = injected, .nheaders = 1 };
	net_request req2 = { .url = http_url("/echo"), .headers = badname, .nheaders = 1 };
	net_request req3 = { .method = "GET /x HTTP/1.0\r\n", .url = http_url("/echo") };
	net_request req4 = { .url = http_url("/echo"), .body_len = 5 };
	net_request file = { .url = "file:///etc/passwd" };
	(void)state;
	fx_open(&f);
	assert_int_equal(net_http(f.n, &req1, on_done, &r, NULL), OWED_EINPUT);
	assert_int_equal(net_http(f.n, &req2, on_done, &r, NULL), OWED_EINPUT);
	assert_int_equal(net_http(f.n, &req3, on_done, &r, NULL), OWED_EINPUT);
	assert_int_equal(net_http(f.n, &req4, on_done, &r, NULL), OWED_EINPUT);
	assert_int_equal(net_active(f.n), 0);
	assert_int_equal(net_http(f.n, &file, on_done, &r, NULL), 0);
	fx_run(&f);
	assert_failed(&r, "other");
	result_free(&r);
	fx_close(&f);
}

/* }================================================================== */


/*
** {==================================================================
** Cancelling, re-entering, freeing with transfers in flight
** ===================================================================
*/

typedef struct canceller {
	uv_timer_t timer;
	net *n;
	net_transfer *quiet, *notified;  /* cancelled without and with a callback */
	int free_net;
} canceller;

static void on_cancel_timer(uv_timer_t *h)
{
	canceller *c = h->data;
	if (c->quiet)
		net_cancel(c->quiet, 0);
	if (c->notified)
		net_cancel(c->notified, 1);
	if (c->free_net)
		net_free(c->n);
	uv_close((uv_handle_t *)h, NULL);
}

static void arm(fixture *f, canceller *c)
{
	c->n = f->n;
	uv_timer_init(&f->loop, &c->timer);
	c->timer.data = c;
	uv_timer_start(&c->timer, on_cancel_timer, 100, 0);
}

static void test_cancel(void **state)
{
	fixture f;
	result quiet = { 0 }, notified = { 0 }, early = { 0 }, other = { 0 };
	net_request slow = { .url = http_url("/slow?ms=2000") };
	net_request drip = { .url = http_url("/drip?bytes=100&ms=20") };
	net_transfer *t;
	canceller c = { 0 };
	(void)state;
	fx_open(&f);
	/* before the loop ever ran: the callback comes from net_cancel itself */
	assert_int_equal(net_http(f.n, &slow, on_done, &early, &t), 0);
	net_cancel(t, 1);
	assert_int_equal(early.calls, 1);
	assert_string_equal(early.kind, "cancelled");
	/* in flight, one waiting for its response and one in the middle of its body */
	assert_int_equal(net_http(f.n, &slow, on_done, &quiet, &c.quiet), 0);
	assert_int_equal(net_http(f.n, &drip, on_done, &notified, &c.notified), 0);
	start_get(f.n, "/echo", &other);
	arm(&f, &c);
	fx_run(&f);
	assert_int_equal(quiet.calls, 0);
	assert_failed(&notified, "cancelled");
	assert_failed(&early, "cancelled");
	assert_ok(&other, 200);
	result_free(&early);
	result_free(&notified);
	result_free(&other);
	fx_close(&f);
}

/* A callback starts the next transfer and cancels one still running. */
static void test_reenter(void **state)
{
	fixture f;
	result first = { 0 }, second = { 0 }, victim = { 0 };
	net_request slow = { .url = http_url("/slow?ms=2000") };
	net_transfer *t;
	cJSON *doc;
	(void)state;
	fx_open(&f);
	assert_int_equal(net_http(f.n, &slow, on_done, &victim, &t), 0);
	first.n = f.n;
	first.cancel = t;
	first.chain = &second;
	start_get(f.n, "/echo", &first);
	fx_run(&f);
	assert_ok(&first, 200);
	assert_failed(&victim, "cancelled");
	assert_ok(&second, 200);
	doc = echoed(&second);
	assert_string_equal(echoed_string(doc, "path"), "/echo?chained=1");
	cJSON_Delete(doc);
	result_free(&first);
	result_free(&second);
	result_free(&victim);
	fx_close(&f);
}

/* net_free with transfers in flight: no callback, nothing left open, nothing leaked. */
static void test_free_in_flight(void **state)
{
	fixture f;
	result r[4] = { { 0 } };
	net_request slow = { .url = http_url("/slow?ms=2000") };
	net_request drip = { .url = http_url("/drip?bytes=100&ms=20") };
	canceller c = { 0 };
	(void)state;
	fx_open(&f);
	assert_int_equal(net_http(f.n, &slow, on_done, &r[0], NULL), 0);
	assert_int_equal(net_http(f.n, &slow, on_done, &r[1], NULL), 0);
	assert_int_equal(net_http(f.n, &drip, on_done, &r[2], NULL), 0);
	assert_int_equal(net_http(f.n, &slow, on_done, &r[3], NULL), 0);
	c.free_net = 1;
	arm(&f, &c);
	fx_end(&f);
	assert_int_equal(r[0].calls + r[1].calls + r[2].calls + r[3].calls, 0);
}

/* ... and from a completion callback, with the others still running. */
static void test_free_from_callback(void **state)
{
	fixture f;
	result first = { 0 }, others[3] = { { 0 } };
	net_request slow = { .url = http_url("/slow?ms=2000") };
	int i;
	(void)state;
	fx_open(&f);
	for (i = 0; i < 3; i++)
		assert_int_equal(net_http(f.n, &slow, on_done, &others[i], NULL), 0);
	first.n = f.n;
	first.free_net = 1;
	start_get(f.n, "/echo", &first);
	fx_end(&f);
	assert_ok(&first, 200);
	assert_int_equal(others[0].calls + others[1].calls + others[2].calls, 0);
	result_free(&first);
}

/* }================================================================== */


/*
** {==================================================================
** SMTP
** ===================================================================
*/

static const char *smtp_url(int port)
{
	static char url[64];
	snprintf(url, sizeof url, "smtp://127.0.0.1:%d", port);
	return url;
}

/* What smtpd.py made of the last message it accepted. */
static cJSON *received(void)
{
	char path[600], *text;
	FILE *fp;
	long size;
	cJSON *doc;
	snprintf(path, sizeof path, "%s/%d.json", maildir, ++mails_received);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	rewind(fp);
	text = calloc(1, (size_t)size + 1);
	assert_int_equal(fread(text, 1, (size_t)size, fp), (size_t)size);
	fclose(fp);
	doc = cJSON_Parse(text);
	free(text);
	assert_non_null(doc);
	return doc;
}

static const cJSON *field(const cJSON *doc, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, name);
	assert_non_null(v);
	return v;
}

static const char *text_field(const cJSON *doc, const char *name)
{
	const cJSON *v = field(doc, name);
	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

static void assert_strings(const cJSON *list, const char *const *want, int n)
{
	int i;
	assert_int_equal(cJSON_GetArraySize(list), n);
	for (i = 0; i < n; i++)
		assert_string_equal(cJSON_GetArrayItem(list, i)->valuestring, want[i]);
}

static char *hex(const unsigned char *data, size_t len)
{
	char *out = malloc(len * 2 + 1);
	size_t i;
	for (i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", data[i]);
	out[len * 2] = '\0';
	return out;
}

static void assert_attachment(const cJSON *a, const char *filename, const char *type,
                              const unsigned char *data, size_t len)
{
	char *want = hex(data, len);
	assert_string_equal(text_field(a, "filename"), filename);
	assert_string_equal(text_field(a, "content_type"), type);
	assert_int_equal(field(a, "size")->valueint, (int)len);
	assert_string_equal(text_field(a, "data_hex"), want);
	free(want);
}

static void send_mail(const net_mail *m, result *r)
{
	fixture f;
	fx_open(&f);
	assert_int_equal(net_smtp(f.n, m, on_done, r, NULL), 0);
	assert_int_equal(net_active(f.n), 1);
	fx_run(&f);
	fx_close(&f);
}

/* Everything at once: a subject long enough for two encoded words, two recipients, a text
 * with a lone "." line and a long line, an html alternative, login, and two attachments,
 * one binary with every byte value and one with a name that is not ASCII. */
static void test_smtp_full(void **state)
{
	static const char *const to[] = { "anna@example.test", "bert@example.test" };
	static const char subject[] =
		"Zahlungserinnerung für Rechnung 2024-0042 – Müller & Söhne GmbH, fällig 😊";
	static const char text[] =
		"Guten Tag,\n\nIhre Rechnung 2024-0042 über 1.234,56 € ist offen.\n.\n"
		"Eine sehr lange Zeile, die länger ist als sechsundsiebzig Zeichen, damit "
		"quoted-printable sie weich umbrechen muss, ohne den Inhalt zu verändern.\n"
		"Mit freundlichen Grüßen\n";
	static const char html[] = "<p>Ihre Rechnung über <b>1.234,56 €</b> ist offen.</p>\n";
	static const char note[] = "Notiz: bezahlt am 1.\n";
	unsigned char *pdf = malloc(70000);
	net_attachment files[2] = {
		{ "invoice-2024-0042.pdf", "application/pdf", (const char *)pdf, 70000 },
		{ "Rechnung Müller.txt", "text/plain", note, sizeof note - 1 },
	};
	net_mail m = {
		.url = smtp_url(smtpd.port), .username = "owed", .password = "secret",
		.from = "billing@owed.test", .to = to, .nto = 2, .subject = subject,
		.text = text, .html = html, .attachments = files, .nattachments = 2,
		.message_id = "20240042.1@owed.test",
	};
	result r = { 0 };
	cJSON *doc, *atts;
	size_t i;
	(void)state;
	memcpy(pdf, "%PDF-1.4\n", 9);
	for (i = 9; i < 70000; i++)
		pdf[i] = (unsigned char)(i * 7 % 256);
	send_mail(&m, &r);
	assert_ok(&r, 250);
	doc = received();
	assert_string_equal(text_field(doc, "subject"), subject);
	assert_string_equal(text_field(doc, "mail_from"), "billing@owed.test");
	assert_strings(field(doc, "rcpt_tos"), to, 2);
	assert_strings(field(doc, "to"), to, 2);
	assert_string_equal(cJSON_GetArrayItem(field(doc, "from"), 0)->valuestring,
	                    "billing@owed.test");
	assert_string_equal(text_field(doc, "auth_user"), "owed");
	assert_string_equal(text_field(doc, "message_id"), "<20240042.1@owed.test>");
	assert_true(cJSON_IsTrue(field(doc, "has_date")));
	assert_string_equal(text_field(doc, "mime_version"), "1.0");
	assert_string_equal(text_field(doc, "content_type"), "multipart/mixed");
	assert_string_equal(text_field(doc, "text"), text);
	assert_string_equal(text_field(doc, "html"), html);
	atts = cJSON_GetObjectItemCaseSensitive(doc, "attachments");
	assert_int_equal(cJSON_GetArraySize(atts), 2);
	assert_attachment(cJSON_GetArrayItem(atts, 0), files[0].filename, "application/pdf",
	                  pdf, 70000);
	assert_attachment(cJSON_GetArrayItem(atts, 1), files[1].filename, "text/plain",
	                  (const unsigned char *)note, sizeof note - 1);
	assert_int_equal(cJSON_GetArraySize(field(doc, "defects")), 0);
	cJSON_Delete(doc);
	result_free(&r);
	free(pdf);
}

/* The least: ASCII subject, text only, no login. */
static void test_smtp_plain(void **state)
{
	static const char *const to[] = { "debtor@example.test" };
	net_mail m = { .url = smtp_url(smtpd.port), .from = "billing@owed.test", .to = to,
	               .nto = 1, .subject = "Invoice 42", .text = "Please pay.\n" };
	result r = { 0 };
	cJSON *doc;
	(void)state;
	send_mail(&m, &r);
	assert_ok(&r, 250);
	doc = received();
	assert_string_equal(text_field(doc, "subject"), "Invoice 42");
	assert_true(cJSON_IsNull(field(doc, "auth_user")));
	assert_true(cJSON_IsNull(field(doc, "message_id")));
	assert_string_equal(text_field(doc, "text"), "Please pay.\n");
	assert_true(cJSON_IsNull(field(doc, "html")));
	assert_int_equal(cJSON_GetArraySize(field(doc, "attachments")), 0);
	assert_int_equal(cJSON_GetArraySize(field(doc, "defects")), 0);
	cJSON_Delete(doc);
	result_free(&r);
}

/* A refusal keeps the server's reply code: the outbox retries a 4xx, never a 5xx. */
static void test_smtp_rejected(void **state)
{
	static const char *const to[] = { "ok@example.test", "reject@example.test" };
	net_mail m = { .url = smtp_url(smtpd.port), .from = "billing@owed.test", .to = to,
	               .nto = 2, .subject = "x", .text = "x" };
	result r = { 0 };
	(void)state;
	send_mail(&m, &r);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.error, OWED_EIO);
	assert_string_equal(r.kind, "rejected");
	assert_int_equal(r.status, 550);
	result_free(&r);
}

static void test_smtp_require_tls(void **state)
{
	static const char *const to[] = { "debtor@example.test" };
	net_mail m = { .url = smtp_url(smtpd.port), .from = "billing@owed.test", .to = to,
	               .nto = 1, .subject = "x", .text = "x", .require_tls = 1 };
	result r = { 0 };
	(void)state;
	send_mail(&m, &r);
	assert_failed(&r, "tls");
	result_free(&r);
}

static void test_smtp_refused(void **state)
{
	static const char *const to[] = { "debtor@example.test" };
	net_mail m = { .url = smtp_url(free_port()), .from = "billing@owed.test", .to = to,
	               .nto = 1, .subject = "x", .text = "x" };
	result r = { 0 };
	(void)state;
	send_mail(&m, &r);
	assert_failed(&r, "refused");
	result_free(&r);
}

/* Fields that would forge a header line or an envelope address are refused; a URL of
 * another protocol fails without being opened. */
static void test_smtp_refused_mails(void **state)
{
	static const char *const to[] = { "debtor@example.test" };
	static const char *const bad_to[] = { "a@example.test>\r\nRCPT TO:<b@example.test" };
	net_attachment bad_file = { "x\r\nBcc: b@example.test", NULL, "", 0 };
	net_mail m = { .url = smtp_url(smtpd.port), .from = "billing@owed.test", .to = to,
	               .nto = 1, .subject = "x", .text = "x" };
	net_mail bad;
	fixture f;
	result r = { 0 };
	(void)state;
	fx_open(&f);
	bad = m;
	bad.subject = "x\r\nBcc: b@example.test";
	assert_int_equal(net_smtp(f.n, &bad, on_done, &r, NULL), OWED_EINPUT);
	bad = m;
	bad.to = bad_to;
	assert_int_equal(net_smtp(f.n, &bad, on_done, &r, NULL), OWED_EINPUT);
	bad = m;
	bad.from = "Billing <billing@owed.test>";
	assert_int_equal(net_smtp(f.n, &bad, on_done, &r, NULL), OWED_EINPUT);
	bad = m;
	bad.nto = 0;
	assert_int_equal(net_smtp(f.n, &bad, on_done, &r, NULL), OWED_EINPUT);
	bad = m;
	bad.attachments = &bad_file;
	bad.nattachments = 1;
	assert_int_equal(net_smtp(f.n, &bad, on_done, &r, NULL), OWED_EINPUT);
	assert_int_equal(net_active(f.n), 0);
	bad = m;
	bad.url = http_url("/echo");
	assert_int_equal(net_smtp(f.n, &bad, on_done, &r, NULL), 0);
	fx_run(&f);
	assert_failed(&r, "other");
	result_free(&r);
	fx_close(&f);
}

/* }================================================================== */


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_post),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_status_and_redirect),
		cmocka_unit_test(test_informational_response),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_truncated_and_closed),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_refused_requests),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_reenter),
		cmocka_unit_test(test_free_in_flight),
		cmocka_unit_test(test_free_from_callback),
		cmocka_unit_test(test_smtp_full),
		cmocka_unit_test(test_smtp_plain),
		cmocka_unit_test(test_smtp_rejected),
		cmocka_unit_test(test_smtp_require_tls),
		cmocka_unit_test(test_smtp_refused),
		cmocka_unit_test(test_smtp_refused_mails),
	};
	return cmocka_run_group_tests(tests, start_servers, stop_servers);
}
