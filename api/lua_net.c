/*
 * lua_net.c -- owed.http and owed.mail: outbound I/O that reads straight-line in a plugin.
 *
 * A call starts a transfer on the loop and then waits the way its caller allows (api.h,
 * io_begin): a plugin's hook yields and is resumed with the result; a script or a test runs
 * the loop until the transfer is done.  Either way the Lua code sees a plain return.
 *
 * A plugin reaches only the hosts its manifest names (needs.hosts): "host" allows any port,
 * "host:port" that port, "*.example.com" any subdomain.  Only http(s) and smtp(s) exist here.
 */
#include <curl/curl.h>
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "core/err.h"

/* ------------------------------------------------------------------ the allow-list */

static int host_matches(const char *rule, const char *host, const char *port)
{
	const char *colon = strrchr(rule, ':');
	size_t hlen = colon ? (size_t)(colon - rule) : strlen(rule);
	if (colon && (!port || strcmp(colon + 1, port) != 0))
		return 0;
	if (hlen > 2 && rule[0] == '*' && rule[1] == '.') {
		size_t n = strlen(host), suffix = hlen - 1;     /* ".example.com" */
		return n > suffix && strncasecmp(host + n - suffix, rule + 1, suffix) == 0;
	}
	return strlen(host) == hlen && strncasecmp(host, rule, hlen) == 0;
}

/* Pushes "https or http". */
static void push_schemes(lua_State *L, const char *const *schemes)
{
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	for (const char *const *s = schemes; *s; s++) {
		if (s != schemes)
			luaL_addstring(&b, s[1] ? ", " : " or ");
		luaL_addstring(&b, *s);
	}
	luaL_pushresult(&b);
}

/* Raises unless url's scheme is one of schemes and its host is allowed for this plugin.  The
 * scheme is judged first: a file: URL has no host to name. */
static void check_url(lua_State *L, const char *fn, const char *url, const char *const *schemes)
{
	api_env *env = api_env_of(L);
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	int ok_scheme = 0, ok_host = env->trusted;

	if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		luaL_error(L, "%s: '%s' is not a URL", fn, url);
		return;
	}
	for (const char *const *s = schemes; *s; s++)
		ok_scheme |= strcasecmp(scheme, *s) == 0;
	if (ok_scheme && curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		curl_free(scheme);
		curl_url_cleanup(u);
		luaL_error(L, "%s: '%s' is not a URL (no host)", fn, url);
		return;
	}
	if (ok_scheme) {
		curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
		for (size_t i = 0; !ok_host && i < env->nhosts; i++)
			ok_host = host_matches(env->hosts[i], host, port);
	}
	lua_pushfstring(L, "%s: %s %s", fn, ok_scheme ? "host" : "scheme",
	                ok_scheme ? host : scheme);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	if (!ok_scheme) {
		push_schemes(L, schemes);
		luaL_error(L, "%s is not allowed (only %s)", lua_tostring(L, -2),
		           lua_tostring(L, -1));
	}
	if (!ok_host)
		luaL_error(L, "%s is not in the manifest of plugin %s (needs.hosts)",
		           lua_tostring(L, -1), env->plugin);
	lua_pop(L, 1);
}

/* ------------------------------------------------------------------ waiting */

/* A transfer in flight and, once done, its result (copied: the response dies with the
 * callback). */
typedef struct pending {
	lua_State *L;
	api_env *env;
	net_transfer *t;
	int mode, done;
	long status;
	char *body;
	size_t body_len;
	net_header *headers;
	size_t nheaders;
	char errkind[16], errmsg[300];
	int is_mail;
} pending;

static void pending_free(pending *p)
{
	for (size_t i = 0; i < p->nheaders; i++) {
		free((char *)p->headers[i].name);
		free((char *)p->headers[i].value);
	}
	free(p->headers);
	free(p->body);
	free(p);
}

/* Pushes the result: a response table, or nil, message, kind. */
static int push_result(lua_State *L, pending *p)
{
	if (p->errkind[0]) {
		lua_pushnil(L);
		lua_pushstring(L, p->errmsg);
		lua_pushstring(L, p->errkind);
		return 3;
	}
	lua_createtable(L, 0, 4);
	lua_pushinteger(L, p->status);
	lua_setfield(L, -2, "status");
	if (p->is_mail)
		return 1;
	lua_pushlstring(L, p->body ? p->body : "", p->body_len);
	lua_setfield(L, -2, "body");
	lua_createtable(L, 0, (int)p->nheaders);
	for (size_t i = 0; i < p->nheaders; i++) {
		luaL_Buffer b;
		luaL_buffinit(L, &b);
		for (const char *c = p->headers[i].name; *c; c++)
			luaL_addchar(&b, (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c));
		luaL_pushresult(&b);
		lua_pushstring(L, p->headers[i].value);
		lua_settable(L, -3);
	}
	lua_setfield(L, -2, "headers");
	return 1;
}

static void on_done(net_transfer *t, const net_response *r, void *ud)
{
	pending *p = ud;
	(void)t;
	p->status = r->status;
	if (r->errkind) {
		snprintf(p->errkind, sizeof p->errkind, "%s", r->errkind);
		snprintf(p->errmsg, sizeof p->errmsg, "%s: %s", r->errkind, r->errmsg);
	}
	if (r->body && (p->body = malloc(r->body_len + 1))) {
		memcpy(p->body, r->body, r->body_len + 1);
		p->body_len = r->body_len;
	}
	if (r->nheaders && (p->headers = calloc(r->nheaders, sizeof *p->headers))) {
		for (size_t i = 0; i < r->nheaders; i++) {
			p->headers[i].name = strdup(r->headers[i].name);
			p->headers[i].value = strdup(r->headers[i].value);
		}
		p->nheaders = r->nheaders;
	}
	p->done = 1;
	if (p->mode == API_IO_YIELD) {
		int n = push_result(p->L, p);
		api_env *env = p->env;
		lua_State *L = p->L;
		pending_free(p);
		env->io_end(env, L, t, n);
	}
}

/* Waits as the caller allows; returns the number of results (or yields). */
static int wait_for(lua_State *L, const char *fn, pending *p)
{
	api_env *env = p->env;
	int n;
	p->mode = env->io_begin ? env->io_begin(env, L, p->t) : API_IO_BLOCK;
	if (p->mode == API_IO_YIELD)
		return lua_yield(L, 0);
	if (p->mode == API_IO_REFUSE) {
		net_cancel(p->t, 0);
		pending_free(p);
		return luaL_error(L, "%s: cannot wait inside a coroutine the plugin created, nor "
		                  "in a function called from C (table.sort, string.gsub); call it "
		                  "from the hook itself", fn);
	}
	while (!p->done)
		if (uv_run(env->loop, UV_RUN_ONCE) == 0 && !p->done)
			break;
	if (!p->done) {
		net_cancel(p->t, 0);
		pending_free(p);
		return luaL_error(L, "%s: the transfer never finished", fn);
	}
	n = push_result(L, p);
	pending_free(p);
	return n;
}

static pending *pending_new(lua_State *L, const char *fn)
{
	api_env *env = api_env_of(L);
	pending *p;
	if (!env->net)
		luaL_error(L, "%s: no network here", fn);
	if (!(p = calloc(1, sizeof *p)))
		luaL_error(L, "%s: out of memory", fn);
	p->L = L;
	p->env = env;
	return p;
}

/* ------------------------------------------------------------------ owed.http */

#define HTTP_MAX_HEADERS 64

static const char *opt_string(lua_State *L, int t, const char *key)
{
	const char *s;
	lua_getfield(L, t, key);
	s = lua_isnil(L, -1) ? NULL : luaL_checkstring(L, -1);
	lua_pop(L, 1);      /* the table still holds it, so s stays valid */
	return s;
}

/* owed.http.request{ url=, method=, headers={}, body= | json=, timeout= (ms) } */
static int http_request(lua_State *L)
{
	static const char *const schemes[] = { "https", "http", NULL };
	net_header hdrs[HTTP_MAX_HEADERS];
	net_request req = { 0 };
	size_t nh = 0;
	pending *p;
	int rc;

	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	if (!(req.url = opt_string(L, 1, "url")))
		return luaL_error(L, "owed.http.request: url is required");
	check_url(L, "owed.http.request", req.url, schemes);
	req.method = opt_string(L, 1, "method");
	req.body = opt_string(L, 1, "body");
	if (lua_getfield(L, 1, "json") != LUA_TNIL) {
		lua_getglobal(L, "owed");
		lua_getfield(L, -1, "json");
		lua_getfield(L, -1, "encode");
		lua_pushvalue(L, -4);
		lua_call(L, 1, 1);
		lua_replace(L, 2);                  /* keep the encoded body at index 2 */
		lua_settop(L, 2);
		req.body = lua_tostring(L, 2);
		hdrs[nh++] = (net_header){ "Content-Type", "application/json" };
	} else
		lua_pop(L, 1);
	req.body_len = req.body ? strlen(req.body) : 0;
	lua_getfield(L, 1, "timeout");
	req.timeout_ms = (long)luaL_optinteger(L, -1, 0);
	lua_pop(L, 1);
	if (lua_getfield(L, 1, "headers") == LUA_TTABLE) {
		lua_pushnil(L);
		while (lua_next(L, -2) && nh < HTTP_MAX_HEADERS) {
			if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
				return luaL_error(L, "owed.http.request: headers must map names to strings");
			hdrs[nh++] = (net_header){ lua_tostring(L, -2), lua_tostring(L, -1) };
			lua_pop(L, 1);
		}
	}
	req.headers = hdrs;
	req.nheaders = nh;
	p = pending_new(L, "owed.http.request");
	if ((rc = net_http(p->env->net, &req, on_done, p, &p->t)) != 0) {
		pending_free(p);
		return luaL_error(L, "owed.http.request: cannot start the request (%d)", rc);
	}
	lua_pop(L, lua_gettop(L) - 2 > 0 ? lua_gettop(L) - 2 : 0);
	return wait_for(L, "owed.http.request", p);
}

/* get(url [, opts]) and post(url, body [, opts]): request{} with the url (and body) filled. */
static int http_shortcut(lua_State *L, const char *method, int has_body)
{
	int opts = has_body ? 3 : 2;
	luaL_checkstring(L, 1);
	lua_settop(L, opts);
	if (lua_isnil(L, opts)) {
		lua_newtable(L);
		lua_replace(L, opts);
	}
	luaL_checktype(L, opts, LUA_TTABLE);
	lua_pushvalue(L, 1);
	lua_setfield(L, opts, "url");
	lua_pushstring(L, method);
	lua_setfield(L, opts, "method");
	if (has_body) {
		lua_pushvalue(L, 2);
		lua_setfield(L, opts, lua_istable(L, 2) ? "json" : "body");
	}
	lua_replace(L, 1);
	lua_settop(L, 1);
	return http_request(L);
}

static int http_get(lua_State *L)  { return http_shortcut(L, "GET", 0); }
static int http_post(lua_State *L) { return http_shortcut(L, "POST", 1); }

int api_open_http(lua_State *L)
{
	static const luaL_Reg fns[] = {
		{ "request", http_request }, { "get", http_get }, { "post", http_post },
		{ NULL, NULL }
	};
	luaL_newlib(L, fns);
	return 1;
}

/* ------------------------------------------------------------------ owed.mail */

#define MAIL_MAX_TO 32
#define MAIL_MAX_ATTACHMENTS 16

static size_t read_list(lua_State *L, int t, const char *key, const char **out, size_t cap)
{
	size_t n = 0;
	lua_getfield(L, t, key);
	if (lua_type(L, -1) == LUA_TSTRING)
		out[n++] = lua_tostring(L, -1);
	else if (lua_istable(L, -1))
		for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, -1) && n < cap; i++) {
			lua_rawgeti(L, -1, i);
			out[n++] = luaL_checkstring(L, -1);
			lua_pop(L, 1);
		}
	lua_pop(L, 1);
	return n;
}

static size_t read_attachments(lua_State *L, int t, net_attachment *out)
{
	size_t n = 0;
	if (lua_getfield(L, t, "attachments") == LUA_TTABLE)
		for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, -1) &&
		                        n < MAIL_MAX_ATTACHMENTS; i++) {
			int a;
			lua_rawgeti(L, -1, i);
			a = lua_gettop(L);
			luaL_checktype(L, a, LUA_TTABLE);
			out[n].filename = opt_string(L, a, "filename");
			out[n].content_type = opt_string(L, a, "content_type");
			lua_getfield(L, a, "data");
			out[n].data = luaL_checklstring(L, -1, &out[n].len);
			lua_pop(L, 2);
			n++;
		}
	lua_pop(L, 1);
	return n;
}

/* owed.mail.send{ url=, username=, password=, from=, to=, subject=, text=, html=,
 *                 attachments = { { filename=, content_type=, data= } }, message_id= } */
static int mail_send(lua_State *L)
{
	static const char *const schemes[] = { "smtp", "smtps", NULL };
	const char *to[MAIL_MAX_TO];
	net_attachment att[MAIL_MAX_ATTACHMENTS];
	net_mail m = { 0 };
	pending *p;
	int rc;

	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	if (!(m.url = opt_string(L, 1, "url")))
		return luaL_error(L, "owed.mail.send: url (smtp://host:port) is required");
	check_url(L, "owed.mail.send", m.url, schemes);
	m.username = opt_string(L, 1, "username");
	m.password = opt_string(L, 1, "password");
	if (!(m.from = opt_string(L, 1, "from")))
		return luaL_error(L, "owed.mail.send: from is required");
	m.subject = opt_string(L, 1, "subject");
	m.text = opt_string(L, 1, "text");
	m.html = opt_string(L, 1, "html");
	m.message_id = opt_string(L, 1, "message_id");
	if (!(m.nto = read_list(L, 1, "to", to, MAIL_MAX_TO)))
		return luaL_error(L, "owed.mail.send: to (an address or a list) is required");
	m.to = to;
	m.nattachments = read_attachments(L, 1, att);
	m.attachments = att;
	lua_getfield(L, 1, "timeout");
	m.timeout_ms = (long)luaL_optinteger(L, -1, 0);
	lua_pop(L, 1);
	p = pending_new(L, "owed.mail.send");
	p->is_mail = 1;
	if ((rc = net_smtp(p->env->net, &m, on_done, p, &p->t)) != 0) {
		pending_free(p);
		return luaL_error(L, "owed.mail.send: cannot start the transfer (%d)", rc);
	}
	return wait_for(L, "owed.mail.send", p);
}

int api_open_mail(lua_State *L)
{
	static const luaL_Reg fns[] = { { "send", mail_send }, { NULL, NULL } };
	luaL_newlib(L, fns);
	return 1;
}
