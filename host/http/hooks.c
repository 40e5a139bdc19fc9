/*
 * hooks.c -- partner webhooks (docs/webhooks.md): POST /hooks/<plugin>/<path> is handed to
 * the hook webhook(req) of that connector plugin, which checks the partner's signature
 * itself (there is no bearer token) and says what to answer.
 *
 * The hook runs like every other hook: a coroutine in the plugin's sandbox, with its memory
 * and time budgets, waiting on the loop when it calls out.  The response is sent when the
 * call finishes (http_defer); the connection reads nothing more until then.
 */
#include <cjson/cJSON.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http/http.h"

#define HOOK "webhook"

const http_route http_hook_route = { "POST", "/hooks/{plugin}/{path}", "none", NULL };

typedef struct hook_call {
	http_later *later;
	const http_request *req;        /* the handler's: only for push_request, in rt_call */
	const char *path;               /* the part after /hooks/<plugin> (the server keeps the
	                                 * request's strings until it is answered) */
	int64_t received_at;
	char plugin[64];
	char content_type[128];
	http_group *group;              /* answers wait for its commit while it is open */
} hook_call;

/* A problem object (RFC 9457) in res: the host's own answers, never the plugin's. */
static void problem(http_response *res, int status, const char *detail)
{
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "type", "about:blank");
	cJSON_AddNumberToObject(p, "status", status);
	cJSON_AddStringToObject(p, "detail", detail);
	res->status = status;
	res->content_type = "application/problem+json";
	res->body = cJSON_PrintUnformatted(p);
	cJSON_Delete(p);
	snprintf(res->who, sizeof res->who, "-");
}

static void answer_problem(hook_call *hc, int status, const char *detail)
{
	http_response res = { 0 };
	problem(&res, status, detail);
	http_group_answer(hc->group, hc->later, &res);
}

/* --- the request, as the plugin sees it -------------------------------------------------- */

static int push_request(lua_State *co, void *ud)
{
	hook_call *hc = ud;
	const http_request *req = hc->req;
	lua_createtable(co, 0, 6);
	lua_pushstring(co, hc->path);
	lua_setfield(co, -2, "path");
	lua_pushstring(co, req->query);
	lua_setfield(co, -2, "query");
	lua_pushlstring(co, req->body, req->body_len);
	lua_setfield(co, -2, "body");
	lua_pushinteger(co, hc->received_at);
	lua_setfield(co, -2, "received_at");
	lua_pushstring(co, req->peer);
	lua_setfield(co, -2, "peer");
	/* names in lower case; a header sent twice is joined with ", " (RFC 9110 5.3) */
	lua_createtable(co, 0, (int)req->nheaders);
	for (size_t i = 0; i < req->nheaders; i++) {
		char name[128];
		size_t j;
		for (j = 0; req->hname[i][j] && j + 1 < sizeof name; j++)
			name[j] = (char)(req->hname[i][j] >= 'A' && req->hname[i][j] <= 'Z'
			                 ? req->hname[i][j] + 32 : req->hname[i][j]);
		name[j] = 0;
		if (lua_getfield(co, -1, name) == LUA_TSTRING) {
			lua_pushliteral(co, ", ");
			lua_pushstring(co, req->hvalue[i]);
			lua_concat(co, 3);
		} else {
			lua_pop(co, 1);
			lua_pushstring(co, req->hvalue[i]);
		}
		lua_setfield(co, -2, name);
	}
	lua_setfield(co, -2, "headers");
	return 1;
}

/* --- the plugin's answer ----------------------------------------------------------------- */

static int header_ok(const char *s, int name)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch < 0x20 || ch == 0x7f || (name && (ch == ':' || ch == ' ')))
			return 0;
	}
	return 1;
}

/* Fills res from the table at idx; NULL, or what is wrong with it. */
static const char *read_answer(lua_State *co, int idx, hook_call *hc, http_response *res)
{
	size_t used = 0, blen;
	int isint;
	lua_Integer status;
	const char *body;

	if (!lua_istable(co, idx))
		return "the hook returned no table { status =, body =, headers = }";
	lua_getfield(co, idx, "status");
	status = lua_tointegerx(co, -1, &isint);
	lua_pop(co, 1);
	if (!isint || status < 200 || status > 599)
		return "status: expected a whole number from 200 to 599";
	lua_getfield(co, idx, "headers");
	if (lua_istable(co, -1)) {
		lua_pushnil(co);
		while (lua_next(co, -2)) {
			const char *k = lua_tostring(co, -2), *v = lua_tostring(co, -1);
			int n;
			if (lua_type(co, -2) != LUA_TSTRING || !v || !header_ok(k, 1) || !header_ok(v, 0)) {
				lua_pop(co, 3);
				return "headers: expected names and values without control characters";
			}
			if (strcasecmp(k, "content-type") == 0)
				snprintf(hc->content_type, sizeof hc->content_type, "%s", v);
			else if (strcasecmp(k, "content-length") != 0 && strcasecmp(k, "connection") != 0) {
				n = snprintf(res->extra_headers + used, sizeof res->extra_headers - used,
				             "%s: %s\r\n", k, v);
				if (n < 0 || (size_t)n >= sizeof res->extra_headers - used) {
					lua_pop(co, 3);
					return "headers: more than the 255 bytes a response may add";
				}
				used += (size_t)n;
			}
			lua_pop(co, 1);
		}
	} else if (!lua_isnil(co, -1)) {
		lua_pop(co, 1);
		return "headers: expected a table of names to values";
	}
	lua_pop(co, 1);
	lua_getfield(co, idx, "body");
	body = lua_tolstring(co, -1, &blen);
	if (!body && !lua_isnil(co, -1)) {
		lua_pop(co, 1);
		return "body: expected a string";
	}
	res->body = malloc(blen + 1);
	if (res->body && body)
		memcpy(res->body, body, blen + 1);
	else if (res->body)
		res->body[0] = 0;
	res->body_len = blen;
	lua_pop(co, 1);
	res->status = (int)status;
	res->content_type = hc->content_type[0] ? hc->content_type : "text/plain; charset=utf-8";
	return NULL;
}

static void on_done(rt_plugin *p, int status, lua_State *co, int nres, const char *msg,
                    void *ud)
{
	hook_call *hc = ud;
	http_response res = { 0 };
	const char *wrong;
	(void)p;
	if (status != 0) {
		/* the runtime has said why on stderr; the partner only learns that it failed, and
		 * retries (a 5xx) */
		if (msg && strstr(msg, "unloaded"))
			answer_problem(hc, 503, "the plugin was unloaded while it ran");
		else
			answer_problem(hc, 500, "the plugin failed; the server's log says why");
	} else if ((wrong = read_answer(co, lua_gettop(co) - nres + 1, hc, &res)) != NULL) {
		free(res.body);
		fprintf(stderr, "serve: plugin %s, hook %s (%s): %s\n", hc->plugin, HOOK, hc->path,
		        wrong);
		answer_problem(hc, 500, "the plugin failed; the server's log says why");
	} else {
		snprintf(res.who, sizeof res.who, "-");
		http_group_answer(hc->group, hc->later, &res);
	}
	free(hc);
}

/* --- dispatch ------------------------------------------------------------------------------ */

static int is_connector(const rt_info *info)
{
	for (size_t i = 0; info->kinds[i]; i++)
		if (strcmp(info->kinds[i], "connector") == 0)
			return 1;
	return 0;
}

/* The plugin named by the path, loaded; NULL with the answer in res when there is none to
 * call. */
static rt_plugin *hook_plugin(rt *r, const char *name, http_response *res)
{
	rt_plugin *p = rt_find(r, name);
	owed_error err = { 0 };
	char detail[160];
	if (!p || !is_connector(rt_plugin_info(p))) {
		snprintf(detail, sizeof detail, "no connector plugin '%s' takes webhooks here", name);
		problem(res, 404, detail);
		return NULL;
	}
	/* loaded on its first webhook; a broken one may have been fixed on disk since */
	if (rt_plugin_info(p)->state != RT_LOADED &&
	    (rt_plugin_info(p)->state == RT_DISABLED || rt_load(r, name, NULL, 0, &err) != 0)) {
		fprintf(stderr, "serve: plugin %s: %s\n", name, err.msg[0] ? err.msg
		        : rt_plugin_info(p)->problem ? rt_plugin_info(p)->problem : "disabled");
		snprintf(detail, sizeof detail, "plugin '%s' is not available", name);
		problem(res, 503, detail);
		return NULL;
	}
	if (!rt_has_hook(p, HOOK)) {
		snprintf(detail, sizeof detail, "plugin '%s' takes no webhooks", name);
		problem(res, 404, detail);
		return NULL;
	}
	return p;
}

void http_hooks_handle(rt *r, http_group *g, const http_request *req, http_response *res)
{
	const char *name = req->path + strlen("/hooks/"), *slash = strchr(name, '/');
	size_t n = slash ? (size_t)(slash - name) : strlen(name);
	char plugin[64];
	hook_call *hc;
	rt_plugin *p;

	if (n == 0 || n >= sizeof plugin) {
		problem(res, 404, "no connector plugin by that name");
		return;
	}
	memcpy(plugin, name, n);
	plugin[n] = 0;
	if (strcmp(req->method, "POST") != 0) {
		problem(res, 405, "webhooks are POSTed");
		return;
	}
	if (!(p = hook_plugin(r, plugin, res)))
		return;
	if (!(hc = calloc(1, sizeof *hc))) {
		problem(res, 503, "out of memory");
		return;
	}
	memcpy(hc->plugin, plugin, n + 1);
	hc->group = g;
	hc->path = slash ? slash : "/";
	hc->req = req;
	hc->received_at = (int64_t)time(NULL);
	hc->later = http_defer(req);
	/* on_done answers and frees hc, maybe before rt_call returns */
	if (rt_call(p, HOOK, hc->path, push_request, hc, on_done, hc) != 0) {
		answer_problem(hc, 503, "the plugin cannot take the call now");
		free(hc);
	}
}
