/*
 * import.c -- `owed import bank`: a statement file read by its importer plugin, checked, and
 * booked in one transaction (money_in.h says what happens to each entry; matching.c does it).
 *
 * The importer returns plain tables (plugins/camt053/init.lua documents the shape).  They are
 * copied into C here, in the done callback, because the plugin's coroutine is gone after it;
 * strings go to one list of allocations freed with the file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "core/money.h"
#include "services/importer.h"
#include "services/internal.h"
#include "services/matching.h"
#include "services/money_in.h"


/* ------------------------------------------------------------------ the file in C */

typedef struct imp_stmt {
	const char *id, *sequence, *account;
	char currency[4];
	owed_date date;
	int has_opening, has_closing;
	int64_t opening, closing;
	char opening_ccy[4], closing_ccy[4];
	int64_t net;                 /* credits - debits of the entries, in the statement's currency */
	const char *foreign;         /* the currency of an entry that is not the statement's */
	size_t first, n;             /* its entries in imp_file.e */
	int skipped;                 /* booked before */
} imp_stmt;

typedef struct imp_file {
	const char *path, *format;
	char sha[65];
	imp_stmt *s;
	size_t ns;
	match_entry *e;
	size_t ne, cap;
	char **owned;
	size_t nowned, capowned;
	int oom;
} imp_file;

static const char *keep(imp_file *f, const char *text, size_t len)
{
	char *copy;
	if (f->nowned == f->capowned) {
		size_t cap = f->capowned ? f->capowned * 2 : 256;
		char **grown = realloc(f->owned, cap * sizeof *grown);
		if (!grown) {
			f->oom = 1;
			return NULL;
		}
		f->owned = grown;
		f->capowned = cap;
	}
	if (!(copy = malloc(len + 1))) {
		f->oom = 1;
		return NULL;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	f->owned[f->nowned++] = copy;
	return copy;
}

static void file_free(imp_file *f)
{
	for (size_t i = 0; i < f->nowned; i++)
		free(f->owned[i]);
	free(f->owned);
	free(f->s);
	free(f->e);
}

/* t[key] as kept text, or NULL when it is not a non-empty string (or number). */
static const char *field(imp_file *f, lua_State *L, int t, const char *key)
{
	const char *v = NULL;
	size_t len;
	if (lua_getfield(L, t, key) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER) {
		const char *s = lua_tolstring(L, -1, &len);
		if (len > 0)
			v = keep(f, s, len);
	}
	lua_pop(L, 1);
	return v;
}

static owed_date date_field(lua_State *L, int t, const char *key)
{
	owed_date d = 0;
	if (lua_getfield(L, t, key) == LUA_TSTRING)
		date_parse(lua_tostring(L, -1), &d);
	lua_pop(L, 1);
	return d;
}

/* t[key] as an amount (owed.money); 0 with ccy "" when absent. */
static int64_t money_field(lua_State *L, int t, const char *key, char ccy[4])
{
	int64_t v = 0;
	ccy[0] = '\0';
	if (lua_getfield(L, t, key) != LUA_TNIL)
		v = api_check_money(L, -1, ccy);
	lua_pop(L, 1);
	return v;
}

static match_entry *new_entry(imp_file *f)
{
	if (f->ne == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		match_entry *grown = realloc(f->e, cap * sizeof *grown);
		if (!grown) {
			f->oom = 1;
			return NULL;
		}
		f->e = grown;
		f->cap = cap;
	}
	memset(&f->e[f->ne], 0, sizeof f->e[0]);
	return &f->e[f->ne++];
}

/* The fields an entry and each of its batch details share the way the importers write them. */
static void read_party(imp_file *f, lua_State *L, int t, match_entry *m)
{
	int top = lua_gettop(L);
	m->remittance = field(f, L, t, "remittance");
	m->structured = field(f, L, t, "structured");
	m->scheme = field(f, L, t, "structured_scheme");
	m->end_to_end = field(f, L, t, "end_to_end");
	m->mandate = field(f, L, t, "mandate");
	if (lua_getfield(L, t, "counterparty") == LUA_TTABLE) {
		m->name = field(f, L, top + 1, "name");
		m->iban = field(f, L, top + 1, "iban");
	}
	lua_settop(L, top);
}

/* One statement entry; a batch whose details carry amounts adding up to the entry becomes one
 * entry per detail (each is a payment of its own), else the entry is booked whole. */
static void read_entry(imp_file *f, lua_State *L, int t, imp_stmt *s, size_t si, size_t ei)
{
	match_entry base = { 0 }, *m;
	char ccy[4];
	int top = lua_gettop(L);
	size_t nd = 0;
	int64_t dsum = 0;
	int details_ok = 0;

	base.amount = money_field(L, t, "amount", ccy);
	memcpy(base.currency, ccy, sizeof ccy);
	lua_getfield(L, t, "credit");
	base.credit = lua_toboolean(L, -1);
	lua_getfield(L, t, "reversal");
	base.reversal = lua_toboolean(L, -1);
	lua_pop(L, 2);
	base.date = date_field(L, t, "booking_date");
	if (!base.date)
		base.date = date_field(L, t, "value_date");
	if (!base.date)
		base.date = s->date;
	base.bank_ref = field(f, L, t, "reference");
	read_party(f, L, t, &base);
	snprintf(base.where, sizeof base.where, "statement %zu, entry %zu", si + 1, ei + 1);

	if (strcmp(ccy, s->currency) != 0)
		s->foreign = keep(f, ccy, strlen(ccy));
	else
		s->net += base.credit ? base.amount : -base.amount;

	if (lua_getfield(L, t, "details") == LUA_TTABLE) {
		int d = lua_gettop(L);
		nd = lua_rawlen(L, d);
		details_ok = nd > 1;
		for (size_t i = 1; details_ok && i <= nd; i++) {
			char dc[4];
			lua_rawgeti(L, d, (lua_Integer)i);
			dsum += lua_istable(L, -1) ? money_field(L, -1, "amount", dc) : 0;
			details_ok = lua_istable(L, -1) && strcmp(dc, ccy) == 0;
			lua_pop(L, 1);
		}
		details_ok = details_ok && dsum == base.amount;
		for (size_t i = 1; details_ok && i <= nd; i++) {
			char dc[4], ref[96];
			if (!(m = new_entry(f)))
				break;
			*m = base;
			lua_rawgeti(L, d, (lua_Integer)i);
			m->amount = money_field(L, -1, "amount", dc);
			read_party(f, L, lua_gettop(L), m);
			lua_pop(L, 1);
			if (base.bank_ref) {
				snprintf(ref, sizeof ref, "%s/%zu", base.bank_ref, i);
				m->bank_ref = keep(f, ref, strlen(ref));
			}
			snprintf(m->where, sizeof m->where, "statement %zu, entry %zu, detail %zu",
			         si + 1, ei + 1, i);
		}
	}
	lua_settop(L, top);
	if (!details_ok && (m = new_entry(f)))
		*m = base;
}

static void read_balance(lua_State *L, int t, const char *key, int *has, int64_t *v,
                         char ccy[4])
{
	*has = 0;
	if (lua_getfield(L, t, key) == LUA_TTABLE) {
		*v = money_field(L, -1, "amount", ccy);
		*has = ccy[0] != '\0';
	}
	lua_pop(L, 1);
}

static void read_statement(imp_file *f, lua_State *L, int t, size_t si)
{
	imp_stmt *s = &f->s[si];
	int top = lua_gettop(L);
	memset(s, 0, sizeof *s);
	s->id = field(f, L, t, "id");
	s->sequence = field(f, L, t, "sequence");
	s->account = field(f, L, t, "account");
	s->date = date_field(L, t, "date");
	read_balance(L, t, "opening", &s->has_opening, &s->opening, s->opening_ccy);
	read_balance(L, t, "closing", &s->has_closing, &s->closing, s->closing_ccy);
	if (lua_getfield(L, t, "currency") == LUA_TSTRING)
		snprintf(s->currency, sizeof s->currency, "%s", lua_tostring(L, -1));
	else
		memcpy(s->currency, s->opening_ccy, sizeof s->currency);
	lua_pop(L, 1);
	s->first = f->ne;
	if (lua_getfield(L, t, "entries") == LUA_TTABLE) {
		int e = lua_gettop(L);
		size_t n = lua_rawlen(L, e);
		for (size_t i = 1; i <= n && !f->oom; i++) {
			if (lua_rawgeti(L, e, (lua_Integer)i) == LUA_TTABLE)
				read_entry(f, L, lua_gettop(L), s, si, i - 1);
			lua_pop(L, 1);
		}
	}
	s->n = f->ne - s->first;
	lua_settop(L, top);
}

/* ------------------------------------------------------------------ the importer's result */

static int parsed(lua_State *co, int t, void *ud, char *msg, size_t size)
{
	imp_file *f = ud;
	int st;
	size_t n;
	if (lua_getfield(co, t, "format") == LUA_TSTRING)
		f->format = keep(f, lua_tostring(co, -1), lua_rawlen(co, -1));
	lua_pop(co, 1);
	if (lua_getfield(co, t, "statements") != LUA_TTABLE || (n = lua_rawlen(co, -1)) == 0) {
		snprintf(msg, size, "the file holds no statement");
		return OWED_EINPUT;
	}
	st = lua_gettop(co);
	if (!(f->s = calloc(n, sizeof *f->s)))
		return OWED_ENOMEM;
	f->ns = n;
	for (size_t i = 1; i <= n && !f->oom; i++) {
		if (lua_rawgeti(co, st, (lua_Integer)i) == LUA_TTABLE)
			read_statement(f, co, lua_gettop(co), i - 1);
		lua_pop(co, 1);
	}
	lua_pop(co, 1);
	return f->oom ? OWED_ENOMEM : 0;
}

/* ------------------------------------------------------------------ checking a statement */

static void fmt(int64_t v, const char *ccy, char *out, size_t size)
{
	money_format(v, money_exponent(ccy), NULL, "C", MONEY_FMT_PLAIN, out, size);
}

/* Opening + entries = closing, in one currency; "" when it holds, else the figures. */
static void balance_problem(const imp_stmt *s, char *out, size_t size)
{
	char o[32], n[32], sum[32], c[32];
	out[0] = '\0';
	if (!s->has_opening || !s->has_closing) {
		snprintf(out, size, "no %s balance", s->has_opening ? "closing" : "opening");
		return;
	}
	if (strcmp(s->opening_ccy, s->closing_ccy) != 0 || strcmp(s->opening_ccy, s->currency)) {
		snprintf(out, size, "currencies differ: statement %s, opening %s, closing %s",
		         s->currency, s->opening_ccy, s->closing_ccy);
		return;
	}
	if (s->foreign) {
		snprintf(out, size, "an entry in %s in a statement in %s", s->foreign, s->currency);
		return;
	}
	if (s->opening + s->net == s->closing)
		return;
	fmt(s->opening, s->currency, o, sizeof o);
	fmt(s->net, s->currency, n, sizeof n);
	fmt(s->opening + s->net, s->currency, sum, sizeof sum);
	fmt(s->closing, s->currency, c, sizeof c);
	snprintf(out, size, "opening %s + entries %s = %s %s, closing says %s", o, n, sum,
	         s->currency, c);
}

/* What recognises the statement again: the bank's id and sequence with its date, balances
 * and number of entries.  The figures are in the key because banks' ids are not always
 * unique (public samples repeat one id for two statements of a file), and a statement seen
 * again has the same figures anyway. */
static void statement_key(const imp_stmt *s, char *out, size_t size)
{
	char d[16] = "";
	if (s->date)
		date_format_iso(s->date, d, sizeof d);
	snprintf(out, size, "id:%.60s/seq:%.30s/date:%s/open:%lld/close:%lld/n:%zu",
	         s->id ? s->id : "", s->sequence ? s->sequence : "", d, (long long)s->opening,
	         (long long)s->closing, s->n);
}

/* ------------------------------------------------------------------ booking */

static int book_statement(owed_ctx *ctx, rt *r, const svc_import_options *o, imp_file *f,
                          imp_stmt *s, const char *problem, size_t *done,
                          svc_import_cb cb, void *ud, svc_import_result *res, owed_error *err)
{
	store_statement row = { .admin_id = ctx->admin.id, .date = s->date,
	                        .has_opening = s->has_opening, .has_closing = s->has_closing,
	                        .opening = s->opening, .closing = s->closing,
	                        .entries = (int64_t)s->n };
	char now[32];
	cJSON *ev;
	int rc;

	snprintf(row.account, sizeof row.account, "%s", s->account);
	statement_key(s, row.key, sizeof row.key);
	snprintf(row.format, sizeof row.format, "%s", f->format ? f->format : "");
	memcpy(row.currency, s->currency, sizeof row.currency);
	snprintf(row.file, sizeof row.file, "%s", f->path);
	memcpy(row.file_sha256, f->sha, sizeof row.file_sha256);
	snprintf(row.unbalanced, sizeof row.unbalanced, "%s", problem);
	svc_stamp(time(NULL), now, sizeof now);
	if ((rc = store_statement_insert(ctx->st, &row, now)) != 0)
		return svc_store_fail(ctx, rc, "recording the statement", err);
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "file", f->path);
	cJSON_AddStringToObject(ev, "sha256", f->sha);
	cJSON_AddStringToObject(ev, "format", row.format);
	cJSON_AddStringToObject(ev, "account", row.account);
	cJSON_AddStringToObject(ev, "statement", row.key);
	cJSON_AddNumberToObject(ev, "entries", (double)s->n);
	if (*problem)
		cJSON_AddStringToObject(ev, "accepted_unbalanced", problem);
	if ((rc = svc_event(ctx, "statement", row.id, 0, 0, "imported", ev, err)) != 0)
		return rc;

	for (size_t i = 0; i < s->n; i++) {
		match_entry *m = &f->e[s->first + i];
		match_outcome out = { 0 };
		svc_import_line line;
		res->entries++;
		if (m->bank_ref && (rc = store_bank_entry_seen(ctx->st, s->account, m->bank_ref))) {
			if (rc < 0)
				return svc_store_fail(ctx, rc, "reading bank entries", err);
			res->duplicates++;
			continue;
		}
		m->statement_id = row.id;
		m->account = s->account;
		if ((rc = match_book(ctx, r, o->matchers, o->nmatchers, m, &out, err)) != 0)
			return rc;
		switch (out.kind) {
		case MATCH_MATCHED: res->matched++; break;
		case MATCH_REVIEW: res->review++; break;
		case MATCH_CREDIT: res->credit++; break;
		case MATCH_REVERSAL: res->reversed++; break;
		case MATCH_REFUND: res->refunded++; break;
		case MATCH_IGNORED: res->ignored++; break;
		}
		if (cb) {
			line = (svc_import_line){ f->path, row.format, s->account, row.key,
			                          match_outcome_name(out.kind), out.rule, out.why,
			                          m->name ? m->name : "", m->date, m->amount,
			                          out.payment_id, m->currency, m->credit };
			cb(&line, ud);
		}
		if (o->progress)
			o->progress(f->path, ++*done, f->ne, o->progress_ud);
	}
	return 0;
}

static int book_file(owed_ctx *ctx, rt *r, const svc_import_options *o, imp_file *f,
                     svc_import_cb cb, void *ud, svc_import_result *res, owed_error *err)
{
	char problems[LEDGER_TEXT_MAX] = "", one[256];
	size_t used = 0, done = 0;
	int rc;

	/* every statement is checked before anything is booked: a file is refused whole */
	for (size_t i = 0; i < f->ns; i++) {
		imp_stmt *s = &f->s[i];
		if (!s->account)
			return svc_fail(err, OWED_EINPUT, "%s: statement %zu names no account", f->path,
			                i + 1);
		balance_problem(s, one, sizeof one);
		if (one[0] && used < sizeof problems)
			used += (size_t)snprintf(problems + used, sizeof problems - used, "%sstatement %s:"
			                         " %s", used ? "; " : "", s->id ? s->id : s->account, one);
	}
	if (problems[0] && !o->accept_unbalanced)
		return svc_fail(err, OWED_EREFUSED, "%s: refused, the balances do not add up: %s (book "
		                "it anyway with --accept-unbalanced)", f->path, problems);
	for (size_t i = 0; i < f->ns; i++) {
		imp_stmt *s = &f->s[i];
		char key[160];
		statement_key(s, key, sizeof key);
		if ((rc = store_statement_seen(ctx->st, ctx->admin.id, s->account, key)) != 0) {
			if (rc < 0)
				return svc_store_fail(ctx, rc, "reading statements", err);
			res->statements_skipped++;
			res->duplicates += (int64_t)s->n;
			continue;
		}
		balance_problem(s, one, sizeof one);
		if ((rc = book_statement(ctx, r, o, f, s, one, &done, cb, ud, res, err)) != 0)
			return rc;
		res->statements++;
	}
	return 0;
}

/* One file read by its importer (f->path set; text NULL: read from that path), booked whole or
 * not at all. */
static int import_one(owed_ctx *ctx, rt *r, imp_file *f, const char *text, size_t len,
                      const svc_import_options *o, svc_import_cb cb, void *ud,
                      svc_import_result *res, owed_error *err)
{
	int rc = text ? imp_run_text(r, f->path, text, len, o->format, f->sha, &f->format, parsed,
	                             f, err)
	              : imp_run(r, f->path, o->format, f->sha, &f->format, parsed, f, err);
	if (rc != 0)
		return rc;
	if ((rc = store_begin(ctx->st)) != 0)
		return svc_store_fail(ctx, rc, "importing", err);
	if ((rc = book_file(ctx, r, o, f, cb, ud, res, err)) != 0 || o->dry_run)
		store_rollback(ctx->st);
	else if ((rc = store_commit(ctx->st)) != 0) {
		svc_store_fail(ctx, rc, "importing", err);
		store_rollback(ctx->st);
	}
	return rc;
}

int svc_import_bank(owed_ctx *ctx, rt *r, const char *const *files, size_t nfiles,
                    const svc_import_options *o, svc_import_cb cb, void *ud,
                    svc_import_result *res, owed_error *err)
{
	owed_error one = { 0 };
	int rc, first = 0;
	memset(res, 0, sizeof *res);
	if (nfiles == 0)
		return svc_fail(err, OWED_EUSAGE, "FILE: name at least one statement file");
	/* each file is whole or not at all; a bad one does not stop the others, and the first
	 * failure is what the caller hears */
	for (size_t i = 0; i < nfiles; i++) {
		imp_file f = { .path = files[i] };
		one = (owed_error){ 0 };
		rc = import_one(ctx, r, &f, NULL, 0, o, cb, ud, res, &one);
		file_free(&f);
		if (rc == 0)
			res->files++;
		else if (!first++)
			*err = one;
		else
			fprintf(stderr, "owed: %s\n", one.msg);
	}
	return first ? err->code : 0;
}

int svc_import_bank_text(owed_ctx *ctx, rt *r, const char *name, const char *text, size_t len,
                         const svc_import_options *o, svc_import_cb cb, void *ud,
                         svc_import_result *res, owed_error *err)
{
	imp_file f = { .path = name };
	int rc;
	memset(res, 0, sizeof *res);
	if ((rc = import_one(ctx, r, &f, text, len, o, cb, ud, res, err)) == 0)
		res->files = 1;
	file_free(&f);
	return rc;
}
