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
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/commands/runner.h"
#include "core/clock.h"
#include "core/schedule.h"
#include "services/runs.h"

extern char **environ;

#define RUNNER_POLL_MS  30000   /* how often the outbox is looked at for rows others queue */
#define RUNNER_RETRY_MS 5000    /* after the ledger or a child failed */
#define RUNNER_MAX_ARGS 16
#define RUNNER_MAX_OUT  ((size_t)1 << 30)

enum { CHILD_NONE, CHILD_RUN, CHILD_DISPATCH };

struct runner {
	uv_loop_t *loop;
	owed_ctx *ctx;
	int scheduled, run_at;
	char self[1024], db[1024], config[1024];
	uv_timer_t timer;
	uv_process_t proc;
	uv_pipe_t out;
	int child;                  /* CHILD_* */
	int open_handles;           /* the child's process and pipe, until both are closed */
	int64_t job;                /* the run the child runs */
	char actor[64];             /* who asked for it: the dossier names them for its changes */
	char *buf;                  /* the child's stdout */
	size_t len, cap;
	int64_t exit_status;
	int term_signal;
	time_t no_dispatch_before;  /* after a dispatcher that failed */
	int stopping;
	void (*done)(void *ud);
	void *done_ud;
};

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
 * pinned clock run on to our now. */
static char **env_for(const char *actor, child_env *x)
{
	size_t n = 0, j = 0;
	char **env;
	time_t now;
	while (environ[n])
		n++;
	if (!(env = malloc((n + 4) * sizeof *env)))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "OWED_SERVE_PID=", 15) && strncmp(environ[i], "OWED_ACTOR=", 11)
		    && strncmp(environ[i], "OWED_NOW=", 9))
			env[j++] = environ[i];
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
	runner *r = h->data;
	(void)hint;
	if (r->cap - r->len < 65536 && r->cap < RUNNER_MAX_OUT) {
		char *grown = realloc(r->buf, r->cap ? r->cap * 2 : 131072);
		if (grown) {
			r->buf = grown;
			r->cap = r->cap ? r->cap * 2 : 131072;
		}
	}
	*buf = uv_buf_init(r->buf + r->len, (unsigned)(r->cap - r->len - 1));
}

static void child_done(runner *r);

static void on_closed(uv_handle_t *h)
{
	runner *r = h->data;
	if (--r->open_handles == 0)
		child_done(r);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	runner *r = s->data;
	(void)buf;
	if (n > 0)
		r->len += (size_t)n;
	else if (n < 0)
		uv_close((uv_handle_t *)s, on_closed);
}

static void on_child_exit(uv_process_t *p, int64_t status, int signal)
{
	runner *r = p->data;
	r->exit_status = status;
	r->term_signal = signal;
	uv_close((uv_handle_t *)p, on_closed);
}

static int spawn(runner *r, int kind, const char *const *words, const char *actor)
{
	uv_process_options_t po = { 0 };
	uv_stdio_container_t io[3];
	const char *argv[RUNNER_MAX_ARGS];
	child_env x;
	char **env = env_for(actor, &x);
	int rc;
	if (!env)
		return UV_ENOMEM;
	args_for(r, words, argv);
	uv_pipe_init(r->loop, &r->out, 0);
	r->out.data = r->proc.data = r;
	io[0].flags = UV_IGNORE;
	io[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	io[1].data.stream = (uv_stream_t *)&r->out;
	io[2].flags = UV_INHERIT_FD;            /* its messages go to the server's log */
	io[2].data.fd = 2;
	po.file = r->self;
	po.args = (char **)argv;
	po.env = env;
	po.stdio = io;
	po.stdio_count = 3;
	po.exit_cb = on_child_exit;
	r->len = 0;
	r->exit_status = -1;
	r->term_signal = 0;
	r->open_handles = 2;
	r->child = kind;
	rc = uv_spawn(r->loop, &r->proc, &po);
	free(env);
	if (rc) {
		/* both handles are initialised all the same; the closes end as a failed child */
		r->exit_status = 127;
		uv_close((uv_handle_t *)&r->proc, on_closed);
		uv_close((uv_handle_t *)&r->out, on_closed);
		fprintf(stderr, "serve: cannot start %s: %s\n", r->self, uv_strerror(rc));
		return rc;
	}
	uv_read_start((uv_stream_t *)&r->out, on_alloc, on_read);
	return 0;
}

/* ------------------------------------------------------------------ the children's ends */

/* The run's changes of state are made for whoever asked for it (a token, the scheduler). */
typedef struct job_change {
	const char *state, *error, *result;
	int exit_code;
	owed_date day;              /* queue: the scheduled day */
	store_run_job *queued;
} job_change;

static int as_actor(runner *r, const char *actor,
                    int (*fn)(runner *, job_change *, owed_error *), job_change *c,
                    owed_error *err)
{
	char saved[sizeof r->ctx->actor];
	int rc;
	memcpy(saved, r->ctx->actor, sizeof saved);
	snprintf(r->ctx->actor, sizeof r->ctx->actor, "%s", actor);
	rc = fn(r, c, err);
	memcpy(r->ctx->actor, saved, sizeof saved);
	return rc;
}

static int do_queue(runner *r, job_change *c, owed_error *err)
{
	return svc_job_queue(r->ctx, "schedule", c->day, c->queued, err);
}

static int do_start(runner *r, job_change *c, owed_error *err)
{
	(void)c;
	return svc_job_started(r->ctx, r->job, err);
}

static int do_end(runner *r, job_change *c, owed_error *err)
{
	return svc_job_ended(r->ctx, r->job, c->state, c->exit_code, c->error, c->result, err);
}

static void run_done(runner *r)
{
	owed_error err = { 0 };
	char why[160] = "";
	cJSON *res = NULL;
	job_change c;
	int ok;
	r->buf[r->len] = 0;
	if (r->term_signal && r->stopping) {
		fprintf(stderr, "serve: run %lld stopped with the server; the next start completes it\n",
		        (long long)r->job);
		return;
	}
	if (r->term_signal)
		snprintf(why, sizeof why, "owed run was killed by signal %d", r->term_signal);
	else if (!(r->exit_status == 0 || r->exit_status == 4) ||
	         !cJSON_IsObject(res = cJSON_Parse(r->buf)))
		snprintf(why, sizeof why, "owed run exited %lld (its message is in the server's log)",
		         (long long)r->exit_status);
	cJSON_Delete(res);
	ok = why[0] == 0;
	c = (job_change){ .state = ok ? "finished" : "failed", .error = why,
	                  .result = ok ? r->buf : NULL,
	                  .exit_code = r->term_signal ? -1 : (int)r->exit_status };
	if (as_actor(r, r->actor, do_end, &c, &err))
		fprintf(stderr, "serve: run %lld: %s\n", (long long)r->job, err.msg);
	fprintf(stderr, "serve: run %lld %s%s%s\n", (long long)r->job, ok ? "finished" : "failed",
	        ok ? "" : ": ", why);
}

static void dispatch_done(runner *r)
{
	cJSON *res;
	time_t now;
	r->buf[r->len] = 0;
	res = r->exit_status == 0 && !r->term_signal ? cJSON_Parse(r->buf) : NULL;
	if (!cJSON_IsObject(res)) {
		if (!r->stopping)
			fprintf(stderr, "serve: the outbox dispatcher failed (exit %lld, signal %d); again "
			        "in %d s\n", (long long)r->exit_status, r->term_signal, RUNNER_RETRY_MS / 1000);
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
	free(r->buf);
	free(r);
}

static void child_done(runner *r)
{
	int kind = r->child;
	r->child = CHILD_NONE;
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
	const char *words[] = { "run", "--json", "--date", date, NULL };
	owed_error err = { 0 };
	date_format_iso(j->date, date, sizeof date);
	if (strcmp(j->state, "running") == 0)
		fprintf(stderr, "serve: run %lld was left running by a server that stopped: "
		        "completing it\n", (long long)j->id);
	r->job = j->id;
	snprintf(r->actor, sizeof r->actor, "%s", j->requested_by);
	if (as_actor(r, r->actor, do_start, NULL, &err)) {
		fprintf(stderr, "serve: run %lld: %s; trying again in %d s\n", (long long)j->id,
		        err.msg, RUNNER_RETRY_MS / 1000);
		poll_in(r, RUNNER_RETRY_MS);
		return;
	}
	fprintf(stderr, "serve: run %lld for %s started (%s, by %s)\n", (long long)j->id, date,
	        j->trigger, j->requested_by);
	spawn(r, CHILD_RUN, words, j->requested_by);
}


static void poll_work(runner *r)
{
	static const char *const dispatch[] = { "outbox", "--dispatch", "--json", NULL };
	owed_error err = { 0 };
	store_run_job j;
	owed_date today, day;
	time_t now, at = 0, due = 0, wake;
	int rc, done = 0;

	if (r->child || r->stopping)
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
			job_change c = { .day = day, .queued = &j };
			if ((rc = as_actor(r, "scheduler", do_queue, &c, &err)) == 0)
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
		spawn(r, CHILD_DISPATCH, dispatch, "dispatcher");
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
	if (!(r->buf = malloc(r->cap = 131072))) {
		free(r);
		return UV_ENOMEM;
	}
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
	if (!r->child)
		poll_in(r, 0);
}

void runner_stop(runner *r, void (*done)(void *ud), void *ud)
{
	r->stopping = 1;
	r->done = done;
	r->done_ud = ud;
	uv_timer_stop(&r->timer);
	if (r->child)
		uv_process_kill(&r->proc, SIGTERM);     /* child_done closes the timer */
	else
		uv_close((uv_handle_t *)&r->timer, on_timer_closed);
}

int runner_plan(runner *r, owed_date date, char **json, owed_error *err)
{
	char day[16];
	const char *words[] = { "run", "--dry-run", "--json", "--date", day, NULL };
	const char *argv[RUNNER_MAX_ARGS];
	posix_spawn_file_actions_t fa;
	child_env x;
	char **env = env_for(r->ctx->actor, &x), *buf = NULL;
	cJSON *plan;
	size_t len = 0, cap = 0;
	int fds[2], status = 0, rc;
	pid_t pid;
	ssize_t n;

	date_format_iso(date, day, sizeof day);
	args_for(r, words, argv);
	if (!env || pipe(fds) != 0) {
		free(env);
		return svc_fail(err, OWED_EIO, "plan: cannot start owed run");
	}
	/* close-on-exec: only the child's dup2'd stdout outlives the exec */
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	rc = posix_spawn(&pid, r->self, &fa, NULL, (char **)argv, env);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		return svc_fail(err, OWED_EIO, "plan: cannot start owed run");
	}
	for (;;) {
		if (cap - len < 65536) {
			char *grown = realloc(buf, cap ? cap * 2 : 131072);
			if (!grown)
				break;
			buf = grown;
			cap = cap ? cap * 2 : 131072;
		}
		if ((n = read(fds[0], buf + len, cap - len - 1)) > 0)
			len += (size_t)n;
		else if (n == 0 || errno != EINTR)
			break;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!buf || !WIFEXITED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 4)) {
		free(buf);
		return svc_fail(err, OWED_EIO, "plan: owed run --dry-run failed (its message is in "
		                "the server's log)");
	}
	buf[len] = 0;
	/* the CLI's JSON is indented for people; the API's is compact */
	plan = cJSON_Parse(buf);
	free(buf);
	if (!plan || !(*json = cJSON_PrintUnformatted(plan))) {
		cJSON_Delete(plan);
		return svc_fail(err, OWED_EIO, "plan: owed run --dry-run gave no JSON");
	}
	cJSON_Delete(plan);
	return 0;
}
