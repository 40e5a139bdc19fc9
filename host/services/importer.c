/*
 * importer.c -- an importer plugin run over one file (importer.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "core/sha256.h"
#include "services/importer.h"
#include "services/internal.h"

#define DETECT_BYTES 4096                 /* what detect() sees of a file */

typedef struct run_call {
	const char *path, *text;
	size_t len;
	imp_result_fn fn;
	void *ud;
	int rc;
	char msg[1024];
} run_call;

/* The plugin's own message, without the runtime's "plugin x, hook y (subject): " head and
 * the traceback: the user needs the place in the file, not the place in the Lua code. */
static void plugin_message(const char *msg, char *out, size_t size)
{
	const char *head = strstr(msg, "): ");
	const char *body = head && strncmp(msg, "plugin ", 7) == 0 ? head + 3 : msg;
	const char *end = strstr(body, "\nstack traceback:");
	int len = end ? (int)(end - body) : (int)strlen(body);
	snprintf(out, size, "%.*s", len, body);
}

static int push_text(lua_State *co, void *ud)
{
	run_call *c = ud;
	lua_pushlstring(co, c->text, c->len);
	lua_pushstring(co, c->path);
	return 2;
}

static void detected(rt_plugin *p, int status, lua_State *co, int nres, const char *msg,
                     void *ud)
{
	(void)p, (void)msg;
	*(int *)ud = status == 0 && nres >= 1 && lua_toboolean(co, -nres);
}

static int has_kind(const rt_info *in, const char *kind)
{
	for (const char *const *k = in->kinds; k && *k; k++)
		if (strcmp(*k, kind) == 0)
			return 1;
	return 0;
}

static rt_plugin *importer(rt *r, const char *name, owed_error *err)
{
	rt_plugin *p;
	if (rt_load(r, name, NULL, 0, err) != 0) {
		char why[400];
		snprintf(why, sizeof why, "%.399s", err->msg);
		svc_fail(err, OWED_EUSAGE, "format: %s", why);
		return NULL;
	}
	if (!(p = rt_find(r, name)) || !has_kind(rt_plugin_info(p), "importer")) {
		svc_fail(err, OWED_EUSAGE, "format: plugin %s is not an importer", name);
		return NULL;
	}
	return p;
}

/* The first importer on the search path whose detect(head, path) says yes. */
static rt_plugin *detect(rt *r, run_call *c, char *tried, size_t size, owed_error *err)
{
	run_call head = *c;
	size_t used = 0;
	head.len = c->len < DETECT_BYTES ? c->len : DETECT_BYTES;
	tried[0] = '\0';
	for (size_t i = 0; i < rt_count(r); i++) {
		const rt_info *in = rt_info_at(r, i);
		owed_error ignored = { 0 };
		rt_plugin *p;
		int yes = 0;
		if (!has_kind(in, "importer") || in->state == RT_BROKEN ||
		    !(p = importer(r, in->name, &ignored)) || !rt_has_hook(p, "detect"))
			continue;
		used += (size_t)snprintf(tried + used, used < size ? size - used : 0, "%s%s",
		                         used ? ", " : "", in->name);
		if (rt_call_sync(p, "detect", c->path, push_text, &head, detected, &yes) == 0 && yes)
			return p;
	}
	svc_fail(err, OWED_EINPUT, "%s: no importer recognises this file (tried %s); name one with "
	         "--format", c->path, tried[0] ? tried : "none");
	return NULL;
}

static char *read_file(const char *path, size_t *len, owed_error *err)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long size;
	if (!fp) {
		svc_fail(err, OWED_EIO, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0)
		svc_fail(err, OWED_EIO, "%s: cannot read: %s", path, strerror(errno));
	else if ((unsigned long)size > IMPORT_MAX_BYTES)
		svc_fail(err, OWED_EINPUT, "%s: %ld bytes; a statement file may hold at most %u MiB",
		         path, size, IMPORT_MAX_BYTES >> 20);
	else if (!(buf = malloc((size_t)size + 1)))
		svc_fail(err, OWED_ENOMEM, "%s: no memory for %ld bytes", path, size);
	else if (fread(buf, 1, (size_t)size, fp) != (size_t)size) {
		svc_fail(err, OWED_EIO, "%s: cannot read: %s", path, strerror(errno));
		free(buf);
		buf = NULL;
	} else {
		buf[size] = '\0';
		*len = (size_t)size;
	}
	fclose(fp);
	return buf;
}

/* A file the importer refuses is the user's input, not a plugin failure: the message goes into
 * the error, without the runtime's report and traceback on stderr. */
static void quiet(const char *plugin, const char *hook, const char *subject, const char *msg,
                  void *ud)
{
	(void)plugin, (void)hook, (void)subject, (void)msg, (void)ud;
}

static int push_parse_args(lua_State *co, void *ud)
{
	run_call *c = ud;
	lua_pushlstring(co, c->text, c->len);
	lua_newtable(co);
	return 2;
}

static void parsed(rt_plugin *p, int status, lua_State *co, int nres, const char *msg,
                   void *ud)
{
	run_call *c = ud;
	(void)p;
	if (status != 0) {
		plugin_message(msg ? msg : "the importer failed", c->msg, sizeof c->msg);
		c->rc = status == OWED_ENOMEM ? OWED_ENOMEM : OWED_EINPUT;
	} else if (nres < 1 || !lua_istable(co, -nres)) {
		snprintf(c->msg, sizeof c->msg, "the importer returned no table");
		c->rc = OWED_EINPUT;
	} else
		c->rc = c->fn(co, lua_absindex(co, -nres), c->ud, c->msg, sizeof c->msg);
}

int imp_run(rt *r, const char *path, const char *format, char sha256[65], const char **name,
            imp_result_fn fn, void *ud, owed_error *err)
{
	size_t len;
	char *text = read_file(path, &len, err);
	int rc;
	if (!text)
		return err->code;
	rc = imp_run_text(r, path, text, len, format, sha256, name, fn, ud, err);
	free(text);
	return rc;
}

/* The file's SHA-256 is worked out on a thread of its own while the importer parses: the two
 * only read the text, and the hash is a tenth of a big file's parse. */
typedef struct hash_job { const char *text; size_t len; char *out; } hash_job;

static void hash_text(void *arg)
{
	hash_job *j = arg;
	sha256_hex(j->text, j->len, j->out);
}

int imp_run_text(rt *r, const char *path, const char *text, size_t len, const char *format,
                 char sha256[65], const char **name, imp_result_fn fn, void *ud,
                 owed_error *err)
{
	run_call c = { .path = path, .text = text, .len = len, .fn = fn, .ud = ud };
	hash_job job = { text, len, sha256 };
	uv_thread_t hasher;
	char tried[256];
	rt_plugin *p;
	int rc = 0, threaded = uv_thread_create(&hasher, hash_text, &job) == 0;
	if (!threaded)
		hash_text(&job);
	p = format ? importer(r, format, err) : detect(r, &c, tried, sizeof tried, err);
	if (p) {
		*name = rt_plugin_info(p)->name;
		rt_on_report(r, quiet, NULL);
		rc = rt_call_sync(p, "parse", path, push_parse_args, &c, parsed, &c);
		rt_on_report(r, NULL, NULL);
	}
	if (threaded)
		uv_thread_join(&hasher);
	if (!p)
		return err->code;
	if (c.rc == OWED_ENOMEM && !c.msg[0])
		return svc_fail(err, OWED_ENOMEM, "%s: no memory for its contents", path);
	if (rc != 0 || c.rc != 0)
		return svc_fail(err, c.rc ? c.rc : OWED_EINPUT, "%s: %s", path,
		                c.msg[0] ? c.msg : "the importer failed");
	return 0;
}
