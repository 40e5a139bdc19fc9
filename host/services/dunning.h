/*
 * dunning.h -- the daily run and what pauses it: one function per user action, like
 * services.h, for the ones that need the plugin runtime (policies, charges, channels).
 */
#ifndef OWED_SERVICES_DUNNING_H
#define OWED_SERVICES_DUNNING_H

#include "runtime/runtime.h"
#include "services/services.h"

/* Which policy a debtor gets (owed.conf's policies): the first rule whose given fields all
 * match; a debtor's own policy comes before every rule, the country-and-kind default after. */
typedef struct svc_policy_rule {
	char tag[64], country[3], kind[16], policy[64];   /* "": any */
} svc_policy_rule;

typedef struct svc_run_options {
	const svc_policy_rule *rules;
	size_t nrules;
	owed_date date;             /* the day the run is for; 0: today */
	int dry_run;                /* decide and explain, write nothing */
	const char *debtor;         /* only this debtor's case, or NULL */
	int batch_max;              /* cases one transaction holds at most (0: 1,024); fewer keep
	                             * other writers, the API's, waiting less, and cost more */
} svc_run_options;

/* One case's outcome, for the plan (--dry-run) and the report. */
typedef enum { RUN_STEP, RUN_WAITING, RUN_DONE, RUN_CLOSED, RUN_SKIPPED, RUN_FAILED,
               RUN_HANDED_OFF } run_outcome;
typedef struct svc_run_line {
	run_outcome outcome;
	const char *debtor_number, *debtor_name, *policy, *step, *channels;
	const char *reason;         /* why this step now, or why nothing happens */
	owed_date next_date;        /* RUN_WAITING: when the next step is due */
	int64_t open;
	const char *currency;
} svc_run_line;
typedef void (*svc_run_cb)(const svc_run_line *l, void *ud);

typedef struct svc_run_result {
	int64_t cases, steps, waiting, closed, failed, delivered, delivery_failures;
	int repeated;               /* the date had run before: only what was still due happened */
} svc_run_result;

/* Evaluates every open case with its policy, records the decided steps with their charges,
 * letters and deliveries (one transaction per case), then dispatches the outbox.  Running a
 * date twice does nothing new: a case takes each step once, a delivery is queued once. */
int svc_run(owed_ctx *ctx, rt *r, const svc_run_options *o, svc_run_cb cb, void *ud,
            svc_run_result *res, owed_error *err);

/* Delivers what is due in the outbox (retries with backoff; dead after OUTBOX_MAX_ATTEMPTS). */
#define OUTBOX_MAX_ATTEMPTS 5
int svc_outbox_dispatch(owed_ctx *ctx, rt *r, int64_t *delivered, int64_t *failed,
                        owed_error *err);
int svc_outbox_list(owed_ctx *ctx, const char *state, store_outbox_cb cb, void *ud,
                    owed_error *err);
/* Gives a dead delivery another OUTBOX_MAX_ATTEMPTS, from the next dispatch on (a person
 * fixed what killed it: an address, a password).  Only a dead row; a dossier event.  cb (may
 * be NULL) gets the row as it now is. */
int svc_outbox_retry(owed_ctx *ctx, int64_t id, store_outbox_cb cb, void *ud, owed_error *err);

/* The cases not closed, by debtor, each with its debtor. */
typedef int (*svc_case_cb)(const owed_case *c, const owed_debtor *d, void *ud);
int svc_case_list(owed_ctx *ctx, svc_case_cb cb, void *ud, owed_error *err);
/* A debtor's case as a person sees it: the case not closed (has_case 0: none is), the pause
 * by hand (has_pause), the open promise (has_promise), and the plan's instalments and the disputes on its invoices, each
 * handed to its function (NULL: not wanted). */
typedef struct svc_case_view {
	owed_debtor debtor;
	int has_case, has_pause, has_promise;
	owed_case c;
	store_pause pause;
	store_promise promise;
} svc_case_view;
int svc_case_show(owed_ctx *ctx, const char *debtor, svc_case_view *out,
                  store_instalment_cb instalment, store_dispute_cb dispute, void *ud,
                  owed_error *err);

/* Disputes take an invoice out of the letters until resolved. */
int svc_dispute(owed_ctx *ctx, const char *invoice, const char *reason, owed_error *err);
int svc_dispute_resolve(owed_ctx *ctx, const char *invoice, owed_error *err);

/* A pause by hand holds the debtor's case, whatever else would happen, until resumed; the
 * reason is required.  Pausing a paused case or resuming one that is not is refused. */
int svc_case_pause(owed_ctx *ctx, const char *debtor, const char *reason, owed_error *err);
int svc_case_resume(owed_ctx *ctx, const char *debtor, owed_error *err);

/* A promise to pay pauses the debtor's case until its date; past it, dunning resumes by
 * itself unless what was promised was paid. */
int svc_promise(owed_ctx *ctx, const char *debtor, const char *date, const char *amount,
                owed_error *err);
/* A payment plan: instalments "YYYY-MM-DD=AMOUNT".  It pauses the case while it is kept; a
 * missed instalment ends it, is recorded as a step of its own, and dunning resumes. */
int svc_plan(owed_ctx *ctx, const char *debtor, const char *const *instalments, size_t n,
             owed_error *err);

/* Tasks for people (calls to make), as steps with `task = "..."` create them. */
int svc_tasks(owed_ctx *ctx, int open_only, store_task_cb cb, void *ud, owed_error *err);
int svc_task_done(owed_ctx *ctx, int64_t id, owed_error *err);

/* For the run: 1 with why set when a pause, a promise or a plan holds the case back today; settles
 * promises and instalments whose date has passed (unless dry_run). */
int pause_check(owed_ctx *ctx, int64_t debtor_id, int64_t case_id, owed_date today,
                int dry_run, char *why, size_t size, owed_error *err);

#endif
