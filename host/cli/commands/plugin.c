/*
 * plugin.c -- `owed plugin list|info|check|new`: what is installed, what each plugin needs,
 * whether it loads and passes its specs, and a scaffold to start a new one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/commands/commands.h"
#include "cli/commands/host.h"

static const char *state_name(rt_state s)
{
	static const char *const names[] = { "available", "loaded", "disabled", "broken" };
	return names[s];
}

static void join(const char *const *list, char *out, size_t size)
{
	size_t n = 0;
	out[0] = '\0';
	for (; list && *list && n < size; list++)
		n += (size_t)snprintf(out + n, size - n, "%s%s", n ? ", " : "", *list);
}

static cJSON *list_json(const char *const *list)
{
	cJSON *a = cJSON_CreateArray();
	for (; list && *list; list++)
		cJSON_AddItemToArray(a, cJSON_CreateString(*list));
	return a;
}

static cJSON *info_json(const rt_info *i)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", i->name);
	cJSON_AddStringToObject(o, "version", i->version ? i->version : "");
	cJSON_AddItemToObject(o, "kinds", list_json(i->kinds));
	cJSON_AddStringToObject(o, "folder", i->folder);
	cJSON_AddStringToObject(o, "state", state_name(i->state));
	if (i->overrides)
		cJSON_AddStringToObject(o, "overrides", i->overrides);
	if (i->problem)
		cJSON_AddStringToObject(o, "problem", i->problem);
	cJSON_AddStringToObject(o, "description", i->description ? i->description : "");
	cJSON_AddNumberToObject(o, "api_version", i->api_version);
	cJSON_AddNumberToObject(o, "priority", i->priority);
	cJSON_AddItemToObject(o, "hosts", list_json(i->hosts));
	cJSON_AddItemToObject(o, "secrets", list_json(i->secrets));
	return o;
}

int cmd_plugin_list(const cli_args *a)
{
	static const char *const head[] = { "name", "version", "kinds", "state", "folder" };
	cli_host h;
	int rc;
	if ((rc = args_want_pos(a, 0, 0)) || (rc = cli_host_open(a, 0, &h)))
		return rc;
	if (a->json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < rt_count(h.rt); i++)
			cJSON_AddItemToArray(arr, info_json(rt_info_at(h.rt, i)));
		out_json(arr);
	} else {
		out_table *t = table_new(5, head, "lllll");
		for (size_t i = 0; i < rt_count(h.rt); i++) {
			const rt_info *in = rt_info_at(h.rt, i);
			char kinds[256], folder[1200];
			const char *row[5] = { in->name, in->version ? in->version : "-", kinds,
			                       state_name(in->state), folder };
			join(in->kinds, kinds, sizeof kinds);
			snprintf(folder, sizeof folder, "%s%s%s", in->folder,
			         in->overrides ? " (overrides " : "", in->overrides ? in->overrides : "");
			if (in->overrides)
				strncat(folder, ")", sizeof folder - strlen(folder) - 1);
			table_add(t, row);
		}
		table_print(t);
		table_free(t);
		for (size_t i = 0, shown = 0; i < rt_count(h.rt); i++)
			if (rt_info_at(h.rt, i)->problem)
				printf("%s%s: %s\n", shown++ ? "" : "\n", rt_info_at(h.rt, i)->name,
				       rt_info_at(h.rt, i)->problem);
		if (rt_count(h.rt) == 0)
			printf("no plugins on the search path\n");
	}
	cli_host_close(&h);
	return EXIT_OK;
}

int cmd_plugin_info(const cli_args *a)
{
	cli_host h;
	rt_plugin *p;
	int rc;
	if ((rc = args_want_pos(a, 1, 1)) || (rc = cli_host_open(a, 0, &h)))
		return rc;
	if (!(p = rt_find(h.rt, a->pos[0]))) {
		out_error("plugin: no plugin '%s' on the search path (see 'owed plugin list')",
		          a->pos[0]);
		cli_host_close(&h);
		return EXIT_INPUT;
	}
	if (a->json)
		out_json(info_json(rt_plugin_info(p)));
	else {
		const rt_info *i = rt_plugin_info(p);
		char buf[1024];
		out_field("name", i->name);
		out_field("version", i->version);
		out_field("description", i->description);
		join(i->kinds, buf, sizeof buf);
		out_field("kinds", buf);
		out_field("folder", i->folder);
		out_field("overrides", i->overrides);
		out_field("state", state_name(i->state));
		join(i->hosts, buf, sizeof buf);
		out_field("hosts", buf);
		join(i->secrets, buf, sizeof buf);
		out_field("secrets", buf);
		out_field("problem", i->problem);
	}
	cli_host_close(&h);
	return EXIT_OK;
}

/* Loads one plugin and runs its specs; returns an exit code. */
static int check_one(cli_host *h, const rt_info *in)
{
	owed_error err = { 0 };
	char spec[1200];
	struct stat st;
	if (rt_load(h->rt, in->name, NULL, 0, &err) != 0) {
		printf("%-24s FAIL  %s\n", in->name, err.msg);
		return EXIT_INPUT;
	}
	printf("%-24s ok    loads (%s)\n", in->name, in->version);
	snprintf(spec, sizeof spec, "%s/spec", in->folder);
	if (stat(spec, &st) != 0)
		return EXIT_OK;
	fflush(stdout);
	return cli_run_specs(spec) == 0 ? EXIT_OK : EXIT_INPUT;
}

int cmd_plugin_check(const cli_args *a)
{
	cli_host h;
	int rc, worst = EXIT_OK;
	if ((rc = args_want_pos(a, 0, 1)) || (rc = cli_host_open(a, 0, &h)))
		return rc;
	if (a->npos == 1 && !rt_find(h.rt, a->pos[0])) {
		out_error("plugin check: no plugin '%s' on the search path", a->pos[0]);
		cli_host_close(&h);
		return EXIT_INPUT;
	}
	for (size_t i = 0; i < rt_count(h.rt); i++) {
		const rt_info *in = rt_info_at(h.rt, i);
		if (a->npos == 1 && strcmp(in->name, a->pos[0]) != 0)
			continue;
		if ((rc = check_one(&h, in)) != EXIT_OK)
			worst = rc;
	}
	cli_host_close(&h);
	return worst;
}

/* ------------------------------------------------------------------ scaffold */

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wx");
	int ok;
	if (!f)
		return -1;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static int mkdir_p(const char *path)
{
	char buf[1200];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *s = buf + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(buf, 0755) != 0 && errno != EEXIST)
				return -1;
			*s = '/';
		}
	return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* The names the runtime accepts (manifest.c): a scaffold must not start out broken. */
static int valid_name(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'
		      || *s == '.'))
			return 0;
	return 1;
}

static int valid_kind(const char *s)
{
	static const char *const kinds[] = {
		"policy", "template", "charges", "channel", "importer", "matcher", "connector", NULL
	};
	for (const char *const *k = kinds; *k; k++)
		if (strcmp(s, *k) == 0)
			return 1;
	return 0;
}

int cmd_plugin_new(const cli_args *a)
{
	const char *kind = args_get(a, "kind"), *dir = args_get(a, "dir"), *name;
	char folder[1024], path[1200], text[4096], home[900];
	int rc;
	if ((rc = args_want_pos(a, 1, 1)))
		return rc;
	name = a->pos[0];
	if (!kind) {
		out_error("plugin new: --kind is required (policy, template, charges, channel, "
		          "importer, matcher or connector)");
		return EXIT_USAGE;
	}
	if (!valid_name(name) || strlen(name) > 64) {
		out_error("plugin new: name '%s': expected lower-case letters, digits, '-', '_' or "
		          "'.', starting with a letter or digit", name);
		return EXIT_INPUT;
	}
	if (!valid_kind(kind)) {
		out_error("plugin new: kind '%s': expected policy, template, charges, channel, "
		          "importer, matcher or connector", kind);
		return EXIT_INPUT;
	}
	if (!dir) {
		const char *oh = getenv("OWED_HOME"), *hm = getenv("HOME");
		snprintf(home, sizeof home, "%s", oh && *oh ? oh : hm ? hm : ".");
		if (!(oh && *oh))
			strncat(home, "/.owed", sizeof home - strlen(home) - 1);
		snprintf(folder, sizeof folder, "%s/plugins/%s", home, name);
	} else
		snprintf(folder, sizeof folder, "%s/%s", dir, name);
	snprintf(path, sizeof path, "%s/spec", folder);
	if (mkdir_p(path) != 0) {
		out_error("plugin new: cannot create %s", path);
		return EXIT_IO;
	}
	snprintf(path, sizeof path, "%s/manifest.lua", folder);
	snprintf(text, sizeof text,
	         "-- The manifest is data: it is read without running the plugin's code.\n"
	         "return {\n"
	         "  name = \"%s\",\n  version = \"0.1.0\",\n  api_version = 1,\n"
	         "  kinds = { \"%s\" },\n"
	         "  description = \"What %s does, in one line.\",\n"
	         "  config = {\n"
	         "    greeting = { type = \"string\", default = \"Hello\",\n"
	         "                 description = \"how the hook greets\" },\n"
	         "  },\n"
	         "  needs = { hosts = {}, secrets = {} },\n"
	         "}\n", name, kind, name);
	if (write_file(path, text) != 0) {
		out_error("plugin new: %s exists already or cannot be written", path);
		return EXIT_REFUSED;
	}
	snprintf(path, sizeof path, "%s/init.lua", folder);
	snprintf(text, sizeof text,
	         "-- %s: the plugin's hooks.  owed.* is the whole API (see docs/api.md).\n"
	         "local M = {}\n\n"
	         "function M.hello(name)\n"
	         "  return owed.config.greeting .. \", \" .. name\n"
	         "end\n\n"
	         "return M\n", name);
	write_file(path, text);
	snprintf(path, sizeof path, "%s/spec/%s_spec.lua", folder, name);
	snprintf(text, sizeof text,
	         "-- Run with: owed plugin check %s   (or: owed test %s/spec)\n"
	         "local testing = require(\"owed.testing\")\n\n"
	         "describe(\"%s\", function()\n"
	         "  it(\"greets with the configured greeting\", function()\n"
	         "    local p = testing.plugin(\"%s\", { greeting = \"Goedemorgen\" })\n"
	         "    assert.are.equal(\"Goedemorgen, Jan\", p:call(\"hello\", \"Jan\"))\n"
	         "  end)\n"
	         "end)\n", name, folder, name, name);
	write_file(path, text);
	printf("created %s (manifest.lua, init.lua, spec/%s_spec.lua)\n", folder, name);
	return EXIT_OK;
}

/* ------------------------------------------------------------------ owed config check */

/* Validates the configuration file (read by main already) and loads every plugin it
 * configures, so a wrong setting is found now and not at 6 in the morning. */
int cmd_config_check(const cli_args *a)
{
	owed_config *c = cli_config();
	cli_host h;
	int rc, worst = EXIT_OK;
	if ((rc = args_want_pos(a, 0, 0)) || (rc = cli_host_open(a, 0, &h)))
		return rc;
	printf("%s\n", c->file[0] ? c->file : "no configuration file: every setting has its "
	                                      "default");
	if (c->L && c->plugins) {
		lua_pushnil(c->L);
		while (lua_next(c->L, c->plugins)) {
			const char *name = lua_tostring(c->L, -2);
			owed_error err = { 0 };
			lua_pop(c->L, 1);
			if (rt_load(h.rt, name, NULL, 0, &err) != 0) {
				printf("  %-22s FAIL  %s\n", name, err.msg);
				worst = EXIT_INPUT;
			} else
				printf("  %-22s ok\n", name);
		}
	}
	cli_host_close(&h);
	return worst;
}
