/*
 * test_group.c -- group commit in the JSON API (host/http/group.c), over real sockets.
 *
 * Requests that are all in the kernel's buffers before the loop turns are read in one turn,
 * so they share one group: a request refused there takes back only its own changes, every
 * answer of the turn (reads too) comes after the commit, and the commit is durable -- another
 * connection to the ledger sees it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/http.h"
#include "services/api.h"
#include "services/services.h"

typedef struct fixture {
	char dir[64], path[96], token[SVC_TOKEN_SECRET_MAX];
	uv_loop_t loop;
	owed_ctx ctx;
	http_api api;
	http_server *srv;
	int port, stopped;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	svc_admin_input admin = { .name = "Groep BV", .terms_days = "30", .currency = "EUR" };
	svc_debtor_input d = { .number = "D1", .name = "Bakkerij", .kind = "business" };
	svc_invoice_input inv = { .number = "INV-1", .debtor = "D1", .amount = "100.00",
	                          .issue_date = "2026-11-02" };
	http_limits lim = HTTP_LIMITS_DEFAULT;
	owed_error err = { 0 };
	char errbuf[256];

	snprintf(f->dir, sizeof f->dir, "/tmp/owed-group-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/owed.db", f->dir);
	assert_int_equal(svc_init(f->path, &admin, &err), 0);
	assert_int_equal(svc_open(f->path, NULL, &f->ctx, &err), 0);
	assert_int_equal(svc_debtor_add(&f->ctx, &d, NULL, &err), 0);
	assert_int_equal(svc_invoice_add(&f->ctx, &inv, NULL, &err), 0);
	assert_int_equal(svc_token_create(&f->ctx, "erp", "write", f->token, &err), 0);
	assert_int_equal(uv_loop_init(&f->loop), 0);
	f->api = (http_api){ &f->ctx, NULL, NULL, NULL };
	assert_int_equal(http_group_start(&f->api, &f->loop), 0);
	assert_int_equal(http_server_start(&f->loop, "127.0.0.1", 0, &lim, http_api_handle,
	                                   &f->api, &f->srv, &f->port, errbuf, sizeof errbuf), 0);
	*state = f;
	return 0;
}

static void stopped(void *ud)
{
	fixture *f = ud;
	http_group_stop(&f->api);
	f->stopped = 1;
}

static int teardown(void **state)
{
	fixture *f = *state;
	char cmd[128];
	http_server_shutdown(f->srv, stopped, f);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	assert_true(f->stopped);
	uv_loop_close(&f->loop);
	svc_close(&f->ctx);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* A connected client socket (the kernel accepts it into the backlog; the loop has not run). */
static int client(const fixture *f)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)f->port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	return fd;
}

static void send_request(const fixture *f, int fd, const char *method, const char *path,
                         const char *body)
{
	char req[1024];
	int n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
	                 "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
	                 "Content-Length: %zu\r\n\r\n%s", method, path, f->token,
	                 body ? strlen(body) : 0, body ? body : "");
	assert_int_equal(write(fd, req, (size_t)n), n);
}

/* Turns the loop until every client's response is in (each closes after its answer). */
static void answers(fixture *f, int *fd, char out[][2048], int n)
{
	size_t len[8] = { 0 };
	int open = n;
	for (int i = 0; i < n; i++)
		fcntl(fd[i], F_SETFL, O_NONBLOCK);
	for (int turns = 0; open > 0 && turns < 100000; turns++) {
		uv_run(&f->loop, UV_RUN_NOWAIT);
		for (int i = 0; i < n; i++) {
			ssize_t r;
			if (fd[i] < 0)
				continue;
			r = read(fd[i], out[i] + len[i], 2047 - len[i]);
			if (r > 0)
				len[i] += (size_t)r;
			else if (r == 0) {
				close(fd[i]);
				fd[i] = -1;
				open--;
			}
			out[i][len[i]] = '\0';
		}
	}
	assert_int_equal(open, 0);
}

/* A refused request in a group takes back only its own changes; the others' are committed. */
static void test_refused_in_group(void **state)
{
	fixture *f = *state;
	int fd[3] = { client(f), client(f), client(f) };
	char out[3][2048];
	owed_invoice inv;
	owed_error err = { 0 };
	owed_ctx other;

	send_request(f, fd[0], "POST", "/api/v1/invoices", "{\"number\": \"INV-2\", \"debtor\": "
	             "\"D1\", \"amount\": \"250.50\", \"issue_date\": \"2026-11-03\"}");
	send_request(f, fd[1], "POST", "/api/v1/invoices", "{\"number\": \"INV-1\", \"debtor\": "
	             "\"D1\", \"amount\": \"1.00\", \"issue_date\": \"2026-11-03\"}");
	send_request(f, fd[2], "GET", "/api/v1/invoices/INV-1", NULL);
	answers(f, fd, out, 3);

	assert_non_null(strstr(out[0], "HTTP/1.1 201 "));
	assert_non_null(strstr(out[0], "\"number\":\"INV-2\""));
	assert_non_null(strstr(out[1], "HTTP/1.1 409 "));
	assert_non_null(strstr(out[2], "HTTP/1.1 200 "));
	assert_non_null(strstr(out[2], "\"number\":\"INV-1\""));

	/* committed: another connection sees INV-2 as it was posted, and INV-1 unchanged */
	assert_int_equal(svc_open(f->path, NULL, &other, &err), 0);
	assert_int_equal(svc_invoice_get(&other, "INV-2", &inv, &err), 0);
	assert_int_equal(inv.amount, 25050);
	assert_int_equal(svc_invoice_get(&other, "INV-1", &inv, &err), 0);
	assert_int_equal(inv.amount, 10000);
	svc_close(&other);
}

/* Outside a group nothing is held: a read alone is answered and takes no lock, so another
 * connection can write meanwhile. */
static void test_read_alone(void **state)
{
	fixture *f = *state;
	int fd[1] = { client(f) };
	char out[1][2048];
	svc_invoice_input in = { .number = "INV-3", .debtor = "D1", .amount = "7.00",
	                         .issue_date = "2026-11-04" };
	owed_error err = { 0 };
	owed_ctx other;

	send_request(f, fd[0], "GET", "/api/v1/invoices/INV-1", NULL);
	answers(f, fd, out, 1);
	assert_non_null(strstr(out[0], "HTTP/1.1 200 "));
	assert_int_equal(svc_open(f->path, NULL, &other, &err), 0);
	assert_int_equal(svc_invoice_add(&other, &in, NULL, &err), 0);
	svc_close(&other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refused_in_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_alone, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
