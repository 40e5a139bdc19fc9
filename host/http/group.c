/*
 * group.c -- group commit for the JSON API.
 *
 * The changes the server is asked for in one turn of the loop share one transaction, which is
 * committed once, when the turn's I/O is done (a uv_check handle runs right after the poll).
 * Their answers wait for that commit, and so do the answers of reads served while it was
 * open, since those may have seen its changes.  Each request still runs in a savepoint of
 * its own (the services nest their transactions), so a request that fails takes back only
 * what it did.
 *
 * Why: a commit writes the WAL frames of every page it changed, and under load most requests
 * of one turn change the same pages (the last ones of the invoice and event tables and of
 * their indexes); WAL checkpoints, which sync, come as often as frames are written.
 *
 * Webhooks answer through http_group_answer for the same reason: a plugin's hook may have
 * written into the open group (owed.webhook.once nests in it like any service).
 *
 * Invariants:
 *   - a change is answered only after the commit that holds it, and a read served while a
 *     group was open only after that commit too: no client sees what could still be taken
 *     back;
 *   - if the commit fails, every answer held is replaced by a 503 problem: none of their
 *     changes is in the ledger, and a retry (with its Idempotency-Key) is safe;
 *   - no transaction is held across turns of the loop: reads outside a group take no lock,
 *     and another process (a daily run) waits at most for one turn's requests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/internal.h"
#include "services/api.h"

typedef struct held {
	http_later *later;
	http_response res;
} held;

struct http_group {
	owed_ctx *ctx;
	uv_check_t check;
	int open;                /* the group's transaction is open */
	held *h;
	size_t n, cap;
};

static void group_release(http_group *g, int failed)
{
	for (size_t i = 0; i < g->n; i++) {
		http_response *res = &g->h[i].res;
		if (failed) {
			free(res->body);
			res->body = NULL;
			res->extra_headers[0] = '\0';
			api_reply_problem(res, 503, NULL, "the change could not be committed; nothing of "
			                  "it is in the ledger: try again");
		}
		http_answer(g->h[i].later, res);
	}
	g->n = 0;
}

/* After the turn's I/O: commit, then answer everything held. */
static void group_commit(uv_check_t *h)
{
	http_group *g = h->data;
	owed_error err = { 0 };
	int failed;
	uv_check_stop(&g->check);
	if (!g->open)
		return;
	g->open = 0;
	failed = svc_api_commit(g->ctx, &err) != 0;
	if (failed) {
		fprintf(stderr, "serve: %s\n", err.msg);
		svc_api_rollback(g->ctx);
	}
	group_release(g, failed);
}

int api_group_join(http_group *g, owed_error *err)
{
	if (g->open)
		return 0;
	if (svc_api_begin(g->ctx, err) != 0)
		return -1;
	g->open = 1;
	uv_check_start(&g->check, group_commit);
	return 0;
}

static void hold(http_group *g, http_later *later, http_response *res)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 16;
		held *p = realloc(g->h, cap * sizeof *p);
		if (!p) {               /* commit now: this one is answered as it is, after that */
			group_commit(&g->check);
			http_answer(later, res);
			return;
		}
		g->h = p;
		g->cap = cap;
	}
	g->h[g->n].later = later;
	g->h[g->n++].res = *res;
	res->body = NULL;
}

void api_group_hold(http_group *g, const http_request *req, http_response *res)
{
	if (g->open)
		hold(g, http_defer(req), res);
}

void http_group_answer(http_group *g, http_later *later, http_response *res)
{
	if (g && g->open)
		hold(g, later, res);
	else
		http_answer(later, res);
}

int http_group_start(http_api *api, uv_loop_t *loop)
{
	http_group *g = calloc(1, sizeof *g);
	if (!g || uv_check_init(loop, &g->check) != 0) {
		free(g);
		return -1;
	}
	g->ctx = api->ctx;
	g->check.data = g;
	api->group = g;
	return 0;
}

static void group_closed(uv_handle_t *h)
{
	http_group *g = h->data;
	free(g->h);
	free(g);
}

void http_group_stop(http_api *api)
{
	http_group *g = api->group;
	if (!g)
		return;
	group_commit(&g->check);
	api->group = NULL;
	uv_close((uv_handle_t *)&g->check, group_closed);
}
