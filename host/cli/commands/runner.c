/*
 * runner.c -- the daily run, queued runs and the outbox dispatcher of `owed serve`, each in a
 * child process (runner.h).
 *
 * One child at a time: a run, or a dispatch between runs.  The run dispatches what it queued
 * itself (as `owed run` does); the dispatcher delivers the retries whose backoff has passed and
 * what other processes queued, so that no two processes ever deliver the same row at once.
 * What to do next is read from the ledger each time (poll_work), never remembered: a queued
 * or interrupted run first, then the scheduled one when its instant has passed and the
 * schedule has not started one for that local day, then the dispatcher when a delivery is
 * due; else the timer is set for whichever comes first, and at most RUNNER_POLL_MS ahead.
 *
 * A child is told OWED_SERVE_PID and dies with the server (main.c), so a run is never left
 * going beside the one the next server starts for the same row.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands/runner.h"
#include "core/clock.h"
#include "core/schedule.h"
#include "services/runs.h"

extern char **environ;

#define RUNNER_POLL_MS  30000   /* how often the outbox is looked at for rows others queue */
#define RUNNER_RETRY_MS 5000    /* after the ledger or a child failed */
#define RUNNER_MAX_ARGS 16
#define RUNNER_BATCH    "32"    /* cases per transaction of a run: an API write waits less */
#define RUNNER_MAX_OUT  ((size_t)1 << 30)

enum { CHILD_NONE, CHILD_RUN, CHILD_DISPATCH };

/* A child process of the owed executable whose stdout is read into buf; ended is called once
 * both its process and its pipe are closed. */
typedef struct child child;
struct child {
	uv_process_t proc;
	uv_pipe_t out;
	int open_handles;
	char *buf;                  /* its stdout, NUL-ended when ended is called */
	size_t len, cap;
	int64_t exit_status;
	int term_signal;
	void (*ended)(child *ch);
	void *ud;
};

struct runner {
	uv_loop_t *loop;
	owed_ctx *ctx;
	int scheduled, run_at;
	char self[1024], db[1024], config[1024];
	uv_timer_t timer;
	child ch;
	int kind;                   /* CHILD_*: what ch runs */
	int64_t job;                /* the run the child runs */
	char actor[64];             /* who asked for it: the dossier names them for its changes */
	time_t no_dispatch_before;  /* after a dispatcher that failed */
	int stopping;
	void (*done)(void *ud);
	void *done_ud;
};

/* Plans are children of their own, beside the runs (they write nothing); this many at once. */
#define RUNNER_MAX_PLANS 2
static int plans_running;

static void poll_work(runner *r);

static void on_timer(uv_timer_t *t)
{
	poll_work(t->data);
}

static void poll_in(runner *r, uint64_t ms)
{
	if (!r->stopping) {
		uv_update_time(r->loop);
		uv_timer_start(&r->timer, on_timer, ms, 0);
	}
}

/* ------------------------------------------------------------------ starting a child */

typedef struct child_env { char pid[32], actor[96], now[48]; } child_env;

/* Ours, with who the child works for: the dossier's actor, the server it dies with, and the
 * pinned clock run on to our now.  The child sets its letters on one thread of libuv's pool
 * (unless UV_THREADPOOL_SIZE says otherwise): with the default four, a run rendering PDFs
 * took both cores from the requests despite its nice 10 (bench_serve: reads' p99 during a
 * run 40-180 ms with four, 4 ms with one); a run in the background may take longer. */
static char **env_for(const char *actor, child_env *x)
{
	size_t n = 0, j = 0;
	char **env;
	time_t now;
	while (environ[n])
		n++;
	if (!(env = malloc((n + 5) * sizeof *env)))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "OWED_SERVE_PID=", 15) && strncmp(environ[i], "OWED_ACTOR=", 11)
		    && strncmp(environ[i], "OWED_NOW=", 9))
			env[j++] = environ[i];
	if (!getenv("UV_THREADPOOL_SIZE"))
		env[j++] = "UV_THREADPOOL_SIZE=1";
	snprintf(x->pid, sizeof x->pid, "OWED_SERVE_PID=%ld", (long)getpid());
	env[j++] = x->pid;
	snprintf(x->actor, sizeof x->actor, "OWED_ACTOR=%s", actor);
	env[j++] = x->actor;
	if (getenv("OWED_NOW") && clock_now(&now) == 0) {
		char stamp[32];
		clock_format_utc(now, stamp, sizeof stamp);
		snprintf(x->now, sizeof x->now, "OWED_NOW=%s", stamp);
		env[j++] = x->now;
	}
	env[j] = NULL;
	return env;
}

/* argv: self, the command's words (NULL-ended), then the ledger's --db, --admin, --config. */
static void args_for(runner *r, const char *const *words, const char **argv)
{
	int n = 0;
	argv[n++] = r->self;
	while (*words)
		argv[n++] = *words++;
	argv[n++] = "--db";
	argv[n++] = r->db;
	argv[n++] = "--admin";
	argv[n++] = r->ctx->admin.code;
	if (r->config[0]) {
		argv[n++] = "--config";
		argv[n++] = r->config;
	}
	argv[n] = NULL;
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	child *ch = h->data;
	(void)hint;
	if (ch->cap - ch->len < 65536 && ch->cap < RUNNER_MAX_OUT) {
		char *grown = realloc(ch->buf, ch->cap ? ch->cap * 2 : 131072);
		if (grown) {
			ch->buf = grown;
			ch->cap = ch->cap ? ch->cap * 2 : 131072;
		}
	}
	*buf = uv_buf_init(ch->buf + ch->len, (unsigned)(ch->cap - ch->len - 1));
}

static void on_closed(uv_handle_t *h)
{
	child *ch = h->data;
	if (--ch->open_handles == 0) {
		ch->buf[ch->len] = 0;
		ch->ended(ch);
	}
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	child *ch = s->data;
	(void)buf;
	if (n > 0)
		ch->len += (size_t)n;
	else if (n < 0)
		uv_close((uv_handle_t *)s, on_closed);
}

static void on_child_exit(uv_process_t *p, int64_t status, int signal)
{
	child *ch = p->data;
	ch->exit_status = status;
	ch->term_signal = signal;
	uv_close((uv_handle_t *)p, on_closed);
}

/* Starts self with the words; ch->ended is called when it is over, even when it could not
 * start (exit 127). */
static int spawn(runner *r, child *ch, const char *const *words, const char *actor)
{
	uv_process_options_t po = { 0 };
	uv_stdio_container_t io[3];
	const char *argv[RUNNER_MAX_ARGS];
	child_env x;
	char **env = env_for(actor, &x);
	int rc;
	if (!env || (!ch->buf && !(ch->buf = malloc(ch->cap = 131072)))) {
		free(env);
		return UV_ENOMEM;
	}
	args_for(r, words, argv);
	uv_pipe_init(r->loop, &ch->out, 0);
	ch->out.data = ch->proc.data = ch;
	io[0].flags = UV_IGNORE;
	io[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	io[1].data.stream = (uv_stream_t *)&ch->out;
	io[2].flags = UV_INHERIT_FD;            /* its messages go to the server's log */
	io[2].data.fd = 2;
	po.file = r->self;
	po.args = (char **)argv;
	po.env = env;
	po.stdio = io;
	po.stdio_count = 3;
	po.exit_cb = on_child_exit;
	ch->len = 0;
	ch->exit_status = -1;
	ch->term_signal = 0;
	ch->open_handles = 2;
	rc = uv_spawn(r->loop, &ch->proc, &po);
	free(env);
	if (rc) {
		/* both handles are initialised all the same; the closes end it as a failed child */
		ch->exit_status = 127;
		uv_close((uv_handle_t *)&ch->proc, on_closed);
		uv_close((uv_handle_t *)&ch->out, on_closed);
		fprintf(stderr, "serve: cannot start %s: %s\n", r->self, uv_strerror(rc));
		return 0;
	}
	uv_read_start((uv_stream_t *)&ch->out, on_alloc, on_read);
	return 0;
}

/* ------------------------------------------------------------------ the children's ends */

/* The ledger's changes for a run are made as whoever asked for it (a token's name, or
 * "scheduler"): the context's actor, for the length of one service call. */
typedef struct actor_saved { char name[64]; } actor_saved;

static actor_saved act_as(runner *r, const char *actor)
{
	actor_saved saved;
	_Static_assert(sizeof saved.name == sizeof r->ctx->actor, "an actor fits");
	memcpy(saved.name, r->ctx->actor, sizeof saved.name);
	snprintf(r->ctx->actor, sizeof r->ctx->actor, "%s", actor);
	return saved;
}

static void act_back(runner *r, const actor_saved *saved)
{
	memcpy(r->ctx->actor, saved->name, sizeof saved->name);
}

static void run_done(runner *r)
{
	owed_error err = { 0 };
	char why[160] = "";
	child *ch = &r->ch;
	cJSON *res = NULL;
	actor_saved saved;
	int ok, rc;
	if (ch->term_signal && r->stopping) {
		fprintf(stderr, "serve: run %lld stopped with the server; the next start completes it\n",
		        (long long)r->job);
		return;
	}
	if (ch->term_signal)
		snprintf(why, sizeof why, "owed run was killed by signal %d", ch->term_signal);
	else if (!(ch->exit_status == 0 || ch->exit_status == 4) ||
	         !cJSON_IsObject(res = cJSON_Parse(ch->buf)))
		snprintf(why, sizeof why, "owed run exited %lld (its message is in the server's log)",
		         (long long)ch->exit_status);
	cJSON_Delete(res);
	ok = why[0] == 0;
	saved = act_as(r, r->actor);
	rc = svc_job_ended(r->ctx, r->job, ok ? "finished" : "failed",
	                   ch->term_signal ? -1 : (int)ch->exit_status, why, ok ? ch->buf : NULL,
	                   &err);
	act_back(r, &saved);
	if (rc)
		fprintf(stderr, "serve: run %lld: %s\n", (long long)r->job, err.msg);
	fprintf(stderr, "serve: run %lld %s%s%s\n", (long long)r->job, ok ? "finished" : "failed",
	        ok ? "" : ": ", why);
}

static void dispatch_done(runner *r)
{
	child *ch = &r->ch;
	cJSON *res = ch->exit_status == 0 && !ch->term_signal ? cJSON_Parse(ch->buf) : NULL;
	time_t now;
	if (!cJSON_IsObject(res)) {
		if (!r->stopping)
			fprintf(stderr, "serve: the outbox dispatcher failed (exit %lld, signal %d); again "
			        "in %d s\n", (long long)ch->exit_status, ch->term_signal,
			        RUNNER_RETRY_MS / 1000);
		if (clock_now(&now) == 0)
			r->no_dispatch_before = now + RUNNER_RETRY_MS / 1000;
	} else {
		double sent = cJSON_GetNumberValue(cJSON_GetObjectItem(res, "delivered"));
		double failed = cJSON_GetNumberValue(cJSON_GetObjectItem(res, "delivery_failures"));
		fprintf(stderr, "serve: outbox: %.0f delivered, %.0f to retry\n", sent, failed);
	}
	cJSON_Delete(res);
}

static void on_timer_closed(uv_handle_t *h)
{
	runner *r = h->data;
	r->done(r->done_ud);
	free(r->ch.buf);
	free(r);
}

static void child_done(child *ch)
{
	runner *r = ch->ud;
	int kind = r->kind;
	r->kind = CHILD_NONE;
	if (kind == CHILD_RUN)
		run_done(r);
	else
		dispatch_done(r);
	if (r->stopping)
		uv_close((uv_handle_t *)&r->timer, on_timer_closed);
	else
		poll_in(r, 0);
}

/* ------------------------------------------------------------------ what to do next */

static void start_run(runner *r, const store_run_job *j)
{
	char date[16];
	const char *words[] = { "run", "--json", "--date", date, "--batch", RUNNER_BATCH, NULL };
	owed_error err = { 0 };
	actor_saved saved;
	int rc;
	date_format_iso(j->date, date, sizeof date);
	if (strcmp(j->state, "running") == 0)
		fprintf(stderr, "serve: run %lld was left running by a server that stopped: "
		        "completing it\n", (long long)j->id);
	r->job = j->id;
	snprintf(r->actor, sizeof r->actor, "%s", j->requested_by);
	saved = act_as(r, r->actor);
	rc = svc_job_started(r->ctx, j->id, &err);
	act_back(r, &saved);
	if (rc) {
		fprintf(stderr, "serve: run %lld: %s; trying again in %d s\n", (long long)j->id,
		        err.msg, RUNNER_RETRY_MS / 1000);
		poll_in(r, RUNNER_RETRY_MS);
		return;
	}
	fprintf(stderr, "serve: run %lld for %s started (%s, by %s)\n", (long long)j->id, date,
	        j->trigger, j->requested_by);
	r->kind = CHILD_RUN;
	if (spawn(r, &r->ch, words, j->requested_by) != 0) {
		r->kind = CHILD_NONE;
		poll_in(r, RUNNER_RETRY_MS);
	}
}


static void poll_work(runner *r)
{
	static const char *const dispatch[] = { "outbox", "--dispatch", "--json", NULL };
	owed_error err = { 0 };
	store_run_job j;
	owed_date today, day;
	time_t now, at = 0, due = 0, wake;
	int rc, done = 0;

	if (r->kind || r->stopping)
		return;
	if (clock_now(&now) != 0) {
		fprintf(stderr, "serve: OWED_NOW is not an instant: nothing is run\n");
		return;
	}
	if ((rc = svc_job_active(r->ctx, &j, &err)) == 0) {
		start_run(r, &j);
		free(j.result);
		return;
	}
	if (rc != OWED_ENOTFOUND)
		goto retry;
	if (r->scheduled) {
		if ((rc = sched_local_day(now, &today)) || (done = svc_job_scheduled(r->ctx, today,
		    &err)) < 0 || (rc = sched_next(now, r->run_at, done, &day, &at))) {
			if (!err.msg[0])
				snprintf(err.msg, sizeof err.msg, "the time zone gives no local time now");
			goto retry;
		}
		if (at <= now) {
			actor_saved saved = act_as(r, "scheduler");
			rc = svc_job_queue(r->ctx, "schedule", day, &j, &err);
			act_back(r, &saved);
			if (rc == 0)
				start_run(r, &j);
			else if (rc == OWED_EEXIST || rc == OWED_EREFUSED)
				poll_in(r, 0);          /* another server or request was first */
			else
				goto retry;
			return;
		}
	}
	if (svc_outbox_next_due(r->ctx, &due, &err))
		goto retry;
	if (due && due <= now && now >= r->no_dispatch_before) {
		r->kind = CHILD_DISPATCH;
		if (spawn(r, &r->ch, dispatch, "dispatcher") != 0) {
			r->kind = CHILD_NONE;
			poll_in(r, RUNNER_RETRY_MS);
		}
		return;
	}
	wake = now + RUNNER_POLL_MS / 1000;
	if (due && due < wake)
		wake = due > r->no_dispatch_before ? due : r->no_dispatch_before;
	if (at && at < wake)
		wake = at;
	poll_in(r, (uint64_t)(wake - now) * 1000);
	return;
retry:
	fprintf(stderr, "serve: %s; trying again in %d s\n", err.msg, RUNNER_RETRY_MS / 1000);
	poll_in(r, RUNNER_RETRY_MS);
}

/* ------------------------------------------------------------------ the interface */

int runner_start(uv_loop_t *loop, owed_ctx *ctx, const runner_options *o, runner **out)
{
	runner *r = calloc(1, sizeof *r);
	ssize_t n;
	if (!r)
		return UV_ENOMEM;
	if ((n = readlink("/proc/self/exe", r->self, sizeof r->self - 1)) <= 0) {
		free(r);
		return UV_ENOENT;
	}
	r->self[n] = 0;
	r->ch.ended = child_done;
	r->ch.ud = r;
	r->loop = loop;
	r->ctx = ctx;
	r->scheduled = o->scheduled;
	r->run_at = o->run_at;
	snprintf(r->db, sizeof r->db, "%s", o->db);
	snprintf(r->config, sizeof r->config, "%s", o->config ? o->config : "");
	uv_timer_init(loop, &r->timer);
	r->timer.data = r;
	*out = r;
	poll_in(r, 0);
	return 0;
}

void runner_wake(runner *r)
{
	if (!r->kind)
		poll_in(r, 0);
}

void runner_stop(runner *r, void (*done)(void *ud), void *ud)
{
	r->stopping = 1;
	r->done = done;
	r->done_ud = ud;
	uv_timer_stop(&r->timer);
	if (r->kind)
		uv_process_kill(&r->ch.proc, SIGTERM);  /* child_done closes the timer */
	else
		uv_close((uv_handle_t *)&r->timer, on_timer_closed);
}

typedef struct plan {
	child ch;
	runner_plan_cb done;
	void *ud;
} plan;

static void plan_ended(child *ch)
{
	plan *p = ch->ud;
	owed_error err = { 0 };
	cJSON *doc = NULL;
	char *json = NULL;
	plans_running--;
	/* the CLI's JSON is indented for people; the API's is compact */
	if (ch->term_signal || (ch->exit_status != 0 && ch->exit_status != 4) ||
	    !(doc = cJSON_Parse(ch->buf)) || !(json = cJSON_PrintUnformatted(doc)))
		svc_fail(&err, OWED_EIO, "plan: owed run --dry-run failed (its message is in the "
		         "server's log)");
	cJSON_Delete(doc);
	p->done(p->ud, json, &err);
	free(ch->buf);
	free(p);
}

int runner_plan(runner *r, owed_date date, runner_plan_cb done, void *ud, owed_error *err)
{
	char day[16];
	const char *words[] = { "run", "--dry-run", "--json", "--date", day, NULL };
	plan *p;
	if (plans_running >= RUNNER_MAX_PLANS)
		return svc_fail(err, OWED_EREFUSED, "plan: %d plans are being computed; ask again when "
		                "one is done", plans_running);
	if (!(p = calloc(1, sizeof *p)))
		return svc_fail(err, OWED_ENOMEM, "plan: out of memory");
	date_format_iso(date, day, sizeof day);
	p->done = done;
	p->ud = ud;
	p->ch.ended = plan_ended;
	p->ch.ud = p;
	if (spawn(r, &p->ch, words, r->ctx->actor) != 0) {
		free(p);
		return svc_fail(err, OWED_ENOMEM, "plan: out of memory");
	}
	plans_running++;
	return 0;
}
