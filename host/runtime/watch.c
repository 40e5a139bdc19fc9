/*
 * watch.c -- reloading plugins while `owed serve` runs (runtime.h): on a signal, or when
 * their files change.  rt_reload does the work: the new version is loaded beside the running
 * one and takes over only when it loads, so a plugin broken on disk keeps serving its
 * previous version, and calls running on the old version finish on it.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/err.h"
#include "runtime/internal.h"

#define WATCH_MAX 256           /* folders watched: plugins and their subfolders */

struct rt_watch {
	rt *r;
	unsigned debounce_ms;
	rt_reloaded_fn fn;
	void *ud;
	uv_timer_t timer;
	uv_fs_event_t ev[WATCH_MAX];
	size_t n;
	int open_handles;
};

void rt_reload_loaded(rt *r, int force, rt_reloaded_fn fn, void *ud)
{
	for (size_t i = 0; i < r->nplugins; i++) {
		rt_plugin *p = r->plugins[i];
		owed_error err = { 0 };
		char name[128];
		int rc;
		if (!p->current || (!force && !rt_changed(p)))
			continue;
		/* the reload frees p when it succeeds: keep the name */
		snprintf(name, sizeof name, "%s", p->info.name);
		rc = rt_reload(r, name, &err);
		fn(name, rc, rc ? err.msg : NULL, ud);
	}
}

static void on_quiet(uv_timer_t *t)
{
	rt_watch *w = t->data;
	rt_reload_loaded(w->r, 0, w->fn, w->ud);
}

/* An editor writes a file in several steps (truncate, write, rename): act once they stop. */
static void on_change(uv_fs_event_t *h, const char *file, int events, int status)
{
	rt_watch *w = h->data;
	(void)file;
	(void)events;
	if (status == 0)
		uv_timer_start(&w->timer, on_quiet, w->debounce_ms, 0);
}

static void watch_one(rt_watch *w, const char *folder)
{
	uv_fs_event_t *h;
	if (w->n == WATCH_MAX)
		return;
	h = &w->ev[w->n];
	uv_fs_event_init(w->r->loop, h);
	h->data = w;
	w->n++;
	w->open_handles++;
	/* a folder that cannot be watched is still reloaded on SIGHUP */
	uv_fs_event_start(h, on_change, folder, 0);
}

static void watch_plugin(rt_watch *w, const char *folder)
{
	DIR *d = opendir(folder);
	struct dirent *e;
	watch_one(w, folder);
	while (d && (e = readdir(d))) {
		char sub[1400];
		struct stat st;
		if (e->d_name[0] == '.' || strcmp(e->d_name, "spec") == 0)
			continue;
		snprintf(sub, sizeof sub, "%s/%s", folder, e->d_name);
		if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			watch_one(w, sub);
	}
	if (d)
		closedir(d);
}

int rt_watch_start(rt *r, unsigned debounce_ms, rt_reloaded_fn fn, void *ud, rt_watch **out,
                   owed_error *err)
{
	rt_watch *w = calloc(1, sizeof *w);
	if (!w)
		return svc_fail(err, OWED_ENOMEM, "runtime: out of memory");
	w->r = r;
	w->debounce_ms = debounce_ms;
	w->fn = fn;
	w->ud = ud;
	uv_timer_init(r->loop, &w->timer);
	w->timer.data = w;
	w->open_handles = 1;
	for (size_t i = 0; i < r->nplugins; i++)
		watch_plugin(w, r->plugins[i]->info.folder);
	*out = w;
	return 0;
}

static void on_closed(uv_handle_t *h)
{
	rt_watch *w = h->data;
	if (--w->open_handles == 0)
		free(w);
}

void rt_watch_stop(rt_watch *w)
{
	uv_close((uv_handle_t *)&w->timer, on_closed);
	for (size_t i = 0; i < w->n; i++)
		uv_close((uv_handle_t *)&w->ev[i], on_closed);
}
