/*
 * test_store.c -- the schema's versions: a newer owed upgrades an older database in place and
 * keeps its rows; an older owed refuses a newer database; a foreign SQLite file is refused.
 * And invariants the schema itself holds: the dossier is append-only, one pause by hand
 * holds a debtor's case at a time, and of owed serve's runs one is active at a time and one
 * is scheduled per date.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "store/runs.h"
#include "store/schema.h"
#include "store/store.h"

static char path[64];

static void exec(sqlite3 *db, const char *sql)
{
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
}

/* A database as an owed of schema version `version` left it, with one debtor. */
static void make_old(int version)
{
	sqlite3 *db;
	char pragma[48];
	snprintf(path, sizeof path, "/tmp/owed-store-XXXXXX");
	close(mkstemp(path));
	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (int v = 1; v <= version; v++)
		exec(db, schema_migration(v));
	snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", version);
	exec(db, pragma);
	exec(db, "INSERT INTO administration (id, code, name) VALUES (1, 'main', 'Oud BV')");
	exec(db, "INSERT INTO debtor (admin_id, number, name, kind, country, language)"
	         " VALUES (1, 'D1', 'Bakkerij', 'business', 'NL', 'nl')");
	sqlite3_close(db);
}

static void upgrade_from(int version)
{
	char err[256];
	owed_debtor d;
	store *s;
	make_old(version);
	assert_int_equal(store_open(path, STORE_OPEN_EXISTING, &s, err, sizeof err), 0);
	assert_int_equal(store_schema_version(s), schema_latest());
	assert_int_equal(store_debtor_lookup(s, 1, "D1", &d), 0);
	assert_string_equal(d.name, "Bakkerij");
	assert_string_equal(d.policy, "");          /* a column added later, with its default */
	assert_int_equal(d.credit_hold, 0);
	store_close(s);
	unlink(path);
}

static void test_upgrades_every_older_version(void **state)
{
	(void)state;
	for (int v = 1; v < schema_latest(); v++)
		upgrade_from(v);
}

static void test_refuses_a_newer_database(void **state)
{
	char err[256];
	sqlite3 *db;
	store *s;
	(void)state;
	make_old(schema_latest());
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	exec(db, "PRAGMA user_version = 999");
	sqlite3_close(db);
	assert_int_equal(store_open(path, STORE_OPEN_EXISTING, &s, err, sizeof err),
	                 OWED_EREFUSED);
	assert_null(s);
	assert_non_null(strstr(err, "schema version 999"));
	assert_non_null(strstr(err, "upgrade owed"));
	unlink(path);
}

static void test_refuses_a_foreign_database(void **state)
{
	char err[256];
	sqlite3 *db;
	store *s;
	(void)state;
	snprintf(path, sizeof path, "/tmp/owed-store-XXXXXX");
	close(mkstemp(path));
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	exec(db, "CREATE TABLE recipes (name TEXT)");
	sqlite3_close(db);
	assert_int_equal(store_open(path, STORE_OPEN_EXISTING, &s, err, sizeof err), OWED_EIO);
	assert_non_null(strstr(err, "not an owed database"));
	unlink(path);
}

static void test_dossier_is_append_only(void **state)
{
	char err[256];
	store_event ev = { .actor = "t", .entity = "debtor", .kind = "created", .entity_id = 1,
	                   .debtor_id = 1, .payload = "{}" };
	sqlite3 *db;
	store *s;
	(void)state;
	make_old(schema_latest());
	assert_int_equal(store_open(path, STORE_OPEN_EXISTING, &s, err, sizeof err), 0);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_event_append(s, &ev), 0);
	assert_int_equal(store_commit(s), 0);
	store_close(s);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE event SET kind = 'x'", NULL, NULL, NULL),
	                     SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM event", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	unlink(path);
}

static void test_one_pause_holds_per_debtor(void **state)
{
	char err[256];
	store_pause held;
	store *s;
	(void)state;
	make_old(schema_latest());
	assert_int_equal(store_open(path, STORE_OPEN_EXISTING, &s, err, sizeof err), 0);
	assert_int_equal(store_pause_holds(s, 1, &held), OWED_ENOTFOUND);
	assert_int_equal(store_pause_insert(s, 1, "talks", 20000), 0);
	assert_int_equal(store_pause_insert(s, 1, "twice", 20001), OWED_EEXIST);
	assert_int_equal(store_pause_holds(s, 1, &held), 0);
	assert_string_equal(held.reason, "talks");
	assert_int_equal(held.paused, 20000);
	assert_int_equal(store_pause_resume(s, 1, 20002), 0);
	assert_int_equal(store_pause_resume(s, 1, 20003), OWED_ENOTFOUND);
	assert_int_equal(store_pause_holds(s, 1, &held), OWED_ENOTFOUND);
	assert_int_equal(store_pause_insert(s, 1, "again", 20004), 0);   /* after a resume */
	store_close(s);
	unlink(path);
}

/* The runs owed serve starts (migration 9): one queued or running per administration, one
 * scheduled per date, and a finished time exactly when it ended. */
static void test_run_jobs(void **state)
{
	char err[256];
	store_run_job a = { .admin_id = 1, .date = 20541, .trigger = "schedule",
	                    .requested_by = "scheduler", .created = "2026-03-29T01:00:00Z" };
	store_run_job b = a, got;
	sqlite3 *db;
	store *s;
	(void)state;
	make_old(schema_latest());
	assert_int_equal(store_open(path, STORE_OPEN_EXISTING, &s, err, sizeof err), 0);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_job_scheduled(s, 1, 20541), OWED_ENOTFOUND);
	assert_int_equal(store_job_insert(s, &a), 0);
	assert_int_equal(store_job_scheduled(s, 1, 20541), 0);
	/* a second one while the first is queued */
	snprintf(b.trigger, sizeof b.trigger, "api");
	b.date = 20542;
	assert_int_equal(store_job_insert(s, &b), OWED_EEXIST);
	assert_int_equal(store_job_start(s, a.id, "2026-03-29T01:00:01Z"), 0);
	assert_int_equal(store_job_active(s, 1, &got), 0);
	assert_int_equal(got.id, a.id);
	assert_string_equal(got.state, "running");
	assert_null(got.result);
	assert_int_equal(store_job_end(s, a.id, "finished", "2026-03-29T01:00:09Z", 0, "",
	                               "{\"cases\":2}"), 0);
	assert_int_equal(store_job_active(s, 1, &got), OWED_ENOTFOUND);
	assert_int_equal(store_job_get(s, 1, a.id, &got), 0);
	assert_string_equal(got.state, "finished");
	assert_string_equal(got.started, "2026-03-29T01:00:01Z");
	assert_string_equal(got.finished, "2026-03-29T01:00:09Z");
	assert_string_equal(got.result, "{\"cases\":2}");
	free(got.result);
	/* the schedule once per date, however often it fires; an API run beside it is fine */
	assert_int_equal(store_job_insert(s, &(store_run_job){ .admin_id = 1, .date = 20541,
	    .trigger = "schedule", .requested_by = "scheduler", .created = "x" }), OWED_EEXIST);
	assert_int_equal(store_job_insert(s, &b), 0);
	assert_int_equal(store_commit(s), 0);
	store_close(s);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE run_job SET state = 'finished' WHERE id = 2",
	                                  NULL, NULL, NULL), SQLITE_OK);   /* no finished time */
	assert_int_not_equal(sqlite3_exec(db, "UPDATE run_job SET trigger = 'cron'", NULL, NULL,
	                                  NULL), SQLITE_OK);
	sqlite3_close(db);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upgrades_every_older_version),
		cmocka_unit_test(test_refuses_a_newer_database),
		cmocka_unit_test(test_refuses_a_foreign_database),
		cmocka_unit_test(test_dossier_is_append_only),
		cmocka_unit_test(test_one_pause_holds_per_debtor),
		cmocka_unit_test(test_run_jobs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
