/*
 * report.c -- `owed dossier` and `owed report ...`.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands/commands.h"
#include "services/render.h"

static int dossier_one(const store_event *ev, void *ud)
{
	cli_list *o = ud;
	char what[96];
	const char *row[4];
	if (o->json) {
		cJSON_AddItemToArray(o->json, render_event(ev));
		return 0;
	}
	snprintf(what, sizeof what, "%s %s", ev->entity, ev->kind);
	row[0] = ev->at;
	row[1] = ev->actor;
	row[2] = what;
	row[3] = ev->payload;
	table_add(o->table, row);
	return 0;
}

int cmd_dossier(const cli_args *a)
{
	static const char *const head[] = { "at", "actor", "event", "details" };
	owed_error err = { 0 };
	cli_list o = { 0 };
	owed_ctx ctx;
	int rc, is_debtor;

	if ((rc = args_want_pos(a, 2, 2)))
		return rc;
	is_debtor = strcmp(a->pos[0], "debtor") == 0;
	if (!is_debtor && strcmp(a->pos[0], "invoice") != 0) {
		out_error("dossier: '%s' is not debtor or invoice (usage: owed dossier debtor NUMBER "
		          "| invoice NUMBER)", a->pos[0]);
		return EXIT_USAGE;
	}
	if ((rc = cli_session(a, &ctx)))
		return rc;
	cli_list_open(&o, a, 4, head, "llll");
	rc = is_debtor ? svc_dossier_debtor(&ctx, a->pos[1], dossier_one, &o, &err)
	               : svc_dossier_invoice(&ctx, a->pos[1], dossier_one, &o, &err);
	svc_close(&ctx);
	return cli_list_close(&o, rc, &err);
}

int cmd_report_aging(const cli_args *a)
{
	const char *date = args_get(a, "date");
	owed_error err = { 0 };
	owed_date asof = 0;
	svc_aging ag;
	owed_ctx ctx;
	int rc;

	if ((rc = args_want_pos(a, 0, 0)))
		return rc;
	if (date && date_parse(date, &asof) != 0) {
		out_error("date: '%s' is not a date (expected YYYY-MM-DD)", date);
		return EXIT_INPUT;
	}
	if ((rc = cli_session(a, &ctx)))
		return rc;
	if (svc_aging_report(&ctx, asof, &ag, &err) != 0) {
		svc_close(&ctx);
		return cli_fail(&err);
	}
	if (a->json)
		out_json(render_aging(&ag));
	else
		print_aging(&ctx, &ag);
	svc_close(&ctx);
	return EXIT_OK;
}
