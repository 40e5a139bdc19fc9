/*
 * sepa.c -- SEPA direct debit (Core): creditor settings, mandates, collecting open invoices
 * in a pain.008 file, and returned collections (sepa.h, docs/sepa.md).
 *
 * The file's XML is written by a plugin (plugins/sepa-dd by default; a bank that wants
 * another pain.008 version gets another plugin): the host selects, numbers and records, and
 * hands the plugin plain data.  The host writes the plugin's text to disk, because only the
 * host knows when the transaction has committed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "core/money.h"
#include "core/ref.h"
#include "services/internal.h"
#include "services/sepa.h"

#define DEFAULT_WRITER "sepa-dd"
#define WRITER_HOOK    "collection_file"
/* The largest amount one collection may carry (EPC: 999,999,999.99 EUR). */
#define SEPA_AMOUNT_MAX INT64_C(99999999999)

/* ------------------------------------------------------------------ fields */

int svc_read_creditor_id(const char *field, const char *text, char *out, size_t size,
                         owed_error *err)
{
	if (sepa_ci_normalize(text, out, size) != 0)
		return svc_fail(err, OWED_EINPUT, "%s: '%s' is not a SEPA creditor identifier "
		                "(expected a country code, 2 check digits, a 3-character business "
		                "code and the national identifier, e.g. NL79ZZZ999999990000)", field,
		                text);
	if (sepa_ci_check(out) != 0)
		return svc_fail(err, OWED_EINPUT, "%s: '%s' has wrong check digits (ISO 7064 mod "
		                "97-10 over the national identifier and country code, leaving out the "
		                "business code)", field, text);
	return 0;
}

int svc_read_bic(const char *field, const char *text, char *out, size_t size, owed_error *err)
{
	if (sepa_bic_normalize(text, out, size) != 0)
		return svc_fail(err, OWED_EINPUT, "%s: '%s' is not a BIC (expected 8 or 11 letters "
		                "and digits: bank, country, location, optional branch, e.g. ABNANL2A)",
		                field, text);
	return 0;
}

static owed_date today(void)
{
	owed_date d = 0;
	date_today(&d);
	return d;
}

/* ------------------------------------------------------------------ creditor settings */

int svc_sepa_creditor_get(owed_ctx *ctx, svc_sepa_creditor *out, owed_error *err)
{
	int rc = store_sepa_creditor_get(ctx->st, ctx->admin.id, out->creditor_id,
	                                 sizeof out->creditor_id, out->bic, sizeof out->bic);
	return rc ? svc_store_fail(ctx, rc, "reading the creditor settings", err) : 0;
}

int svc_sepa_creditor_set(owed_ctx *ctx, const char *creditor_id, const char *bic,
                          svc_sepa_creditor *out, owed_error *err)
{
	svc_sepa_creditor c;
	cJSON *p;
	int rc;
	if (!creditor_id && !bic)
		return svc_fail(err, OWED_EUSAGE, "creditor-id: give --creditor-id and/or --bic");
	if ((rc = svc_sepa_creditor_get(ctx, &c, err)) != 0)
		return rc;
	if ((creditor_id && svc_read_creditor_id("creditor-id", creditor_id, c.creditor_id,
	                                         sizeof c.creditor_id, err)) ||
	    (bic && *bic && svc_read_bic("bic", bic, c.bic, sizeof c.bic, err)))
		return err->code;
	if (bic && !*bic)
		c.bic[0] = '\0';
	if ((rc = store_begin(ctx->st)) != 0)
		return svc_store_fail(ctx, rc, "saving the creditor settings", err);
	if ((rc = store_sepa_creditor_set(ctx->st, ctx->admin.id, c.creditor_id, c.bic)) != 0)
		svc_store_fail(ctx, rc, "saving the creditor settings", err);
	else {
		p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "sepa_creditor_id", c.creditor_id);
		cJSON_AddStringToObject(p, "bic", c.bic);
		rc = svc_event(ctx, "administration", ctx->admin.id, 0, 0, "creditor settings", p, err);
	}
	if ((rc = svc_end_tx(ctx, rc, "saving the creditor settings", err)) == 0 && out)
		*out = c;
	return rc;
}

/* ------------------------------------------------------------------ mandates */

static cJSON *mandate_payload(const store_mandate *m)
{
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "mandate", m->reference);
	svc_json_date(p, "signed", m->signed_on);
	cJSON_AddStringToObject(p, "iban", m->iban);
	if (m->bic[0])
		cJSON_AddStringToObject(p, "bic", m->bic);
	cJSON_AddStringToObject(p, "sequence", m->sequence);
	cJSON_AddStringToObject(p, "status", m->status);
	return p;
}

static int read_mandate_input(const svc_mandate_input *in, store_mandate *m, int *has_seq,
                              owed_error *err)
{
	sepa_sequence seq;
	owed_date now = today();
	char date[16];
	if (!in->id || !*in->id)
		return svc_fail(err, OWED_EUSAGE, "id: a mandate reference is required (--id)");
	if (!in->signed_on || !*in->signed_on)
		return svc_fail(err, OWED_EUSAGE, "signed: the date the debtor signed is required "
		                "(--signed YYYY-MM-DD)");
	if (!in->iban || !*in->iban)
		return svc_fail(err, OWED_EUSAGE, "iban: the account to debit is required (--iban)");
	if (sepa_id_check(in->id, SEPA_ID_MAX) != 0)
		return svc_fail(err, OWED_EINPUT, "id: '%s' is not a mandate reference (expected 1 "
		                "to 35 of a-z A-Z 0-9 / - ? : ( ) . , ' + without spaces, not starting "
		                "or ending with '/' and without '//')", in->id);
	snprintf(m->reference, sizeof m->reference, "%s", in->id);
	if (svc_read_date("signed", in->signed_on, &m->signed_on, err))
		return err->code;
	if (m->signed_on > now) {
		date_format_iso(now, date, sizeof date);
		return svc_fail(err, OWED_EINPUT, "signed: '%s' is after today (%s): a mandate is "
		                "dated the day the debtor signs it", in->signed_on, date);
	}
	if (svc_read_iban("iban", in->iban, m->iban, sizeof m->iban, err))
		return err->code;
	m->bic[0] = '\0';
	if (in->bic && *in->bic && svc_read_bic("bic", in->bic, m->bic, sizeof m->bic, err))
		return err->code;
	*has_seq = in->sequence != NULL;
	if (in->sequence) {
		if (sepa_sequence_parse(in->sequence, &seq) != 0)
			return svc_fail(err, OWED_EINPUT, "sequence: '%s' is not a sequence type "
			                "(expected FRST, RCUR or OOFF)", in->sequence);
		snprintf(m->sequence, sizeof m->sequence, "%s", sepa_sequence_name(seq));
	}
	return 0;
}

int svc_mandate_set(owed_ctx *ctx, const char *debtor, const svc_mandate_input *in,
                    store_mandate *out, owed_error *err)
{
	store_mandate m = { 0 }, cur, old;
	owed_debtor d;
	int has_seq = 0, amend = 0, replaced = 0, rc;
	char date[16];
	cJSON *p;

	if ((rc = svc_find_debtor(ctx, "debtor", debtor, &d, err)) != 0 ||
	    (rc = read_mandate_input(in, &m, &has_seq, err)) != 0)
		return rc;
	if ((rc = store_begin(ctx->st)) != 0)
		return svc_store_fail(ctx, rc, "saving the mandate", err);
	rc = store_mandate_by_reference(ctx->st, ctx->admin.id, m.reference, &cur);
	if (rc == 0) {
		date_format_iso(cur.changed, date, sizeof date);
		if (cur.debtor_id != d.id)
			rc = svc_fail(err, OWED_EEXIST, "id: mandate '%s' is another debtor's; a "
			              "reference identifies one mandate", m.reference);
		else if (strcmp(cur.status, "active") != 0)
			rc = svc_fail(err, OWED_EREFUSED, "id: mandate '%s' is %s (since %s); a new "
			              "mandate needs a new reference", cur.reference, cur.status, date);
		else {                  /* the same mandate, amended */
			amend = 1;
			memcpy(cur.iban, m.iban, sizeof cur.iban);
			memcpy(cur.bic, m.bic, sizeof cur.bic);
			cur.signed_on = m.signed_on;
			if (has_seq)
				memcpy(cur.sequence, m.sequence, sizeof cur.sequence);
			cur.changed = today();
			m = cur;
			if ((rc = store_mandate_save(ctx->st, &m)) != 0)
				svc_store_fail(ctx, rc, "saving the mandate", err);
		}
	} else if (rc == OWED_ENOTFOUND) {
		rc = 0;
		if (store_mandate_of_debtor(ctx->st, d.id, &old) == 0 &&
		    strcmp(old.status, "active") == 0) {
			replaced = 1;
			strcpy(old.status, "replaced");
			old.changed = today();
			if ((rc = store_mandate_save(ctx->st, &old)) != 0)
				svc_store_fail(ctx, rc, "replacing the mandate", err);
		}
		m.admin_id = ctx->admin.id;
		m.debtor_id = d.id;
		if (!has_seq)
			strcpy(m.sequence, "FRST");
		strcpy(m.status, "active");
		m.changed = today();
		if (rc == 0 && (rc = store_mandate_insert(ctx->st, &m)) != 0)
			svc_store_fail(ctx, rc, "saving the mandate", err);
	} else
		svc_store_fail(ctx, rc, "reading the mandate", err);
	if (rc == 0) {
		p = mandate_payload(&m);
		if (replaced)
			cJSON_AddStringToObject(p, "replaces", old.reference);
		rc = svc_event(ctx, "mandate", m.id, d.id, 0, amend ? "amended" : "added", p, err);
	}
	if ((rc = svc_end_tx(ctx, rc, "saving the mandate", err)) == 0 && out)
		*out = m;
	return rc;
}

int svc_mandate_revoke(owed_ctx *ctx, const char *debtor, store_mandate *out, owed_error *err)
{
	store_mandate m;
	owed_debtor d;
	int rc;
	if ((rc = svc_find_debtor(ctx, "debtor", debtor, &d, err)) != 0)
		return rc;
	rc = store_mandate_of_debtor(ctx->st, d.id, &m);
	if (rc == OWED_ENOTFOUND || (rc == 0 && strcmp(m.status, "active") != 0))
		return svc_fail(err, OWED_EINPUT, "debtor: %s has no active mandate to revoke", debtor);
	if (rc)
		return svc_store_fail(ctx, rc, "reading the mandate", err);
	strcpy(m.status, "revoked");
	m.changed = today();
	if ((rc = store_begin(ctx->st)) != 0)
		return svc_store_fail(ctx, rc, "revoking the mandate", err);
	if ((rc = store_mandate_save(ctx->st, &m)) != 0)
		svc_store_fail(ctx, rc, "revoking the mandate", err);
	else
		rc = svc_event(ctx, "mandate", m.id, d.id, 0, "revoked", mandate_payload(&m), err);
	if ((rc = svc_end_tx(ctx, rc, "revoking the mandate", err)) == 0 && out)
		*out = m;
	return rc;
}

int svc_mandate_get(owed_ctx *ctx, int64_t debtor_id, store_mandate *out,
                    owed_date *valid_until, owed_error *err)
{
	int rc = store_mandate_of_debtor(ctx->st, debtor_id, out);
	if (rc == OWED_ENOTFOUND)
		return rc;
	if (rc)
		return svc_store_fail(ctx, rc, "reading the mandate", err);
	if (valid_until && sepa_mandate_lapsed(out->last_collection ? out->last_collection
	                                       : out->signed_on, 0, valid_until) < 0)
		*valid_until = 0;
	return 0;
}

/* ------------------------------------------------------------------ collecting */

typedef struct row {
	store_collectable c;
	int taken;
	char end_to_end[SEPA_ID_MAX + 1], reason[256];
} row;

typedef struct collect {
	owed_ctx *ctx;
	owed_date date, today;
	row *rows;
	size_t n, cap;
	svc_sepa_creditor cred;
	svc_collect_result *res;
	char created[32];           /* CreDtTm */
	char *text;                 /* what the writer returned */
	size_t text_len;
	char msg[1024];             /* the writer's failure */
} collect;

static const char *const seq_order[] = { "FRST", "RCUR", "OOFF" };

/* Decides one candidate: taken, or skipped with a reason. */
static int consider(const store_collectable *c, void *ud)
{
	collect *s = ud;
	row *r;
	owed_date until;
	char date[16];
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		row *rows = realloc(s->rows, cap * sizeof *rows);
		if (!rows)
			return OWED_ENOMEM;
		s->rows = rows;
		s->cap = cap;
	}
	r = &s->rows[s->n++];
	memset(r, 0, sizeof *r);
	r->c = *c;
	if (strcmp(c->currency, "EUR") != 0)
		snprintf(r->reason, sizeof r->reason, "currency %s: SEPA direct debit collects EUR "
		         "only", c->currency);
	else if (c->disputed)
		snprintf(r->reason, sizeof r->reason, "disputed");
	else if (c->open > SEPA_AMOUNT_MAX)
		snprintf(r->reason, sizeof r->reason, "above 999,999,999.99, the most one collection "
		         "may carry");
	else if (sepa_mandate_lapsed(c->mandate.last_collection ? c->mandate.last_collection
	                             : c->mandate.signed_on, s->date, &until) == 1) {
		date_format_iso(until, date, sizeof date);
		snprintf(r->reason, sizeof r->reason, "mandate %s lapsed after %s: %d months without "
		         "a collection; the debtor must sign a new one", c->mandate.reference, date,
		         SEPA_MANDATE_LAPSE_MONTHS);
	} else if (strcmp(c->mandate.sequence, "OOFF") == 0) {
		/* a one-off mandate allows one collection: the oldest invoice takes it */
		for (size_t i = s->n - 1; i-- > 0 && s->rows[i].c.debtor_id == c->debtor_id;)
			if (s->rows[i].taken) {
				snprintf(r->reason, sizeof r->reason, "one-off mandate %s is used by "
				         "invoice %s", c->mandate.reference, s->rows[i].c.invoice);
				break;
			}
	}
	r->taken = !r->reason[0];
	return 0;
}

/* Invoice numbers in an end-to-end id keep only letters, digits and '-'. */
static void append_clean(char *out, size_t size, const char *text)
{
	size_t n = strlen(out);
	for (; *text && n + 1 < size; text++)
		out[n++] = ((*text >= 'a' && *text <= 'z') || (*text >= 'A' && *text <= 'Z') ||
		            (*text >= '0' && *text <= '9')) ? *text : '-';
	out[n] = '\0';
}

/* Message id, end-to-end ids and totals, in file order (by sequence type). */
static int number_rows(collect *s, int64_t file_id, owed_error *err)
{
	char ymd[16], d[16];
	int64_t k = 0;
	date_format_iso(s->today, d, sizeof d);
	snprintf(ymd, sizeof ymd, "%.4s%.2s%.2s", d, d + 5, d + 8);
	snprintf(s->res->message_id, sizeof s->res->message_id, "OWED-SDD-%s-%lld", ymd,
	         (long long)file_id);
	for (int q = 0; q < 3; q++)
		for (size_t i = 0; i < s->n; i++) {
			row *r = &s->rows[i];
			if (!r->taken || strcmp(r->c.mandate.sequence, seq_order[q]) != 0)
				continue;
			snprintf(r->end_to_end, sizeof r->end_to_end, "OWED%lld-%lld-", (long long)file_id,
			         (long long)++k);
			append_clean(r->end_to_end, sizeof r->end_to_end, r->c.invoice);
			if (__builtin_add_overflow(s->res->total, r->c.open, &s->res->total))
				return svc_fail(err, OWED_EOVERFLOW, "the file's total is too large");
		}
	s->res->transactions = k;
	return 0;
}

/* ------------------------------------------------------------------ the writer plugin */

static void set_opt(lua_State *L, const char *key, const char *v)
{
	if (v && *v)
		api_set_string(L, key, v);
}

static const char *reference_kind(const char *ref)
{
	ref_kind k;
	if (!*ref || ref_check(ref, &k) != 0)
		return NULL;
	return k == REF_RF ? "rf" : k == REF_NL ? "nl" : k == REF_BE_OGM ? "be" : NULL;
}

static void push_transaction(lua_State *co, const row *r)
{
	const store_collectable *c = &r->c;
	const char *kind = reference_kind(c->reference);
	lua_createtable(co, 0, 8);
	api_set_string(co, "end_to_end", r->end_to_end);
	api_set_money(co, "amount", c->open, "EUR");
	api_set_string(co, "invoice", c->invoice);
	api_set_date(co, "due_date", c->due_date);
	if (kind) {
		api_set_string(co, "reference", c->reference);
		api_set_string(co, "reference_kind", kind);
	}
	lua_createtable(co, 0, 2);
	api_set_string(co, "id", c->mandate.reference);
	api_set_date(co, "signed", c->mandate.signed_on);
	lua_setfield(co, -2, "mandate");
	lua_createtable(co, 0, 5);
	api_set_string(co, "number", c->debtor_number);
	api_set_string(co, "name", c->debtor_name);
	api_set_string(co, "iban", c->mandate.iban);
	set_opt(co, "bic", c->mandate.bic);
	api_set_string(co, "country", c->debtor_country);
	lua_setfield(co, -2, "debtor");
}

/* The hook's one argument: everything the file says (docs/sepa.md, "The writer"). */
static int push_file(lua_State *co, void *ud)
{
	collect *s = ud;
	const owed_admin *a = &s->ctx->admin;
	int nb = 0;
	lua_checkstack(co, 16);
	lua_createtable(co, 0, 8);
	api_set_string(co, "message_id", s->res->message_id);
	api_set_string(co, "created", s->created);
	api_set_date(co, "collection_date", s->date);
	api_set_string(co, "scheme", "CORE");
	lua_pushinteger(co, s->res->transactions);
	lua_setfield(co, -2, "transactions");
	api_set_money(co, "total", s->res->total, "EUR");
	lua_createtable(co, 0, 6);
	api_set_string(co, "name", a->name);
	api_set_string(co, "iban", a->iban);
	set_opt(co, "bic", s->cred.bic);
	api_set_string(co, "id", s->cred.creditor_id);
	api_set_string(co, "country", a->country);
	set_opt(co, "address", a->address);
	lua_setfield(co, -2, "creditor");
	lua_createtable(co, 3, 0);
	for (int q = 0; q < 3; q++) {
		int64_t count = 0, total = 0, k = 0;
		char id[SEPA_ID_MAX + 8];
		for (size_t i = 0; i < s->n; i++)
			if (s->rows[i].taken && strcmp(s->rows[i].c.mandate.sequence, seq_order[q]) == 0) {
				count++;
				total += s->rows[i].c.open;      /* within the file's total: no overflow */
			}
		if (!count)
			continue;
		lua_createtable(co, 0, 6);
		snprintf(id, sizeof id, "%s-%s", s->res->message_id, seq_order[q]);
		api_set_string(co, "id", id);
		api_set_string(co, "sequence", seq_order[q]);
		api_set_date(co, "collection_date", s->date);
		lua_pushinteger(co, count);
		lua_setfield(co, -2, "transactions");
		api_set_money(co, "total", total, "EUR");
		lua_createtable(co, (int)count, 0);
		for (size_t i = 0; i < s->n; i++)
			if (s->rows[i].taken && strcmp(s->rows[i].c.mandate.sequence, seq_order[q]) == 0) {
				push_transaction(co, &s->rows[i]);
				lua_rawseti(co, -2, ++k);
			}
		lua_setfield(co, -2, "debits");
		lua_rawseti(co, -2, ++nb);
	}
	lua_setfield(co, -2, "batches");
	return 1;
}

static void written(rt_plugin *p, int status, lua_State *co, int nres, const char *msg,
                    void *ud)
{
	collect *s = ud;
	const char *v;
	size_t len;
	(void)p;
	if (status != 0 || nres < 1 || lua_type(co, -nres) != LUA_TSTRING) {
		snprintf(s->msg, sizeof s->msg, "%s", msg ? msg : "the writer returned no text");
		return;
	}
	v = lua_tolstring(co, -nres, &len);
	if ((s->text = malloc(len + 1)) != NULL) {
		memcpy(s->text, v, len + 1);
		s->text_len = len;
	} else
		snprintf(s->msg, sizeof s->msg, "out of memory");
}

static int run_writer(collect *s, rt *r, const char *name, char *writer, size_t wsize,
                      owed_error *err)
{
	rt_plugin *p;
	const rt_info *info;
	owed_error why = { 0 };
	if (rt_load(r, name, NULL, 0, &why) != 0 || !(p = rt_find(r, name)))
		return svc_fail(err, why.code ? why.code : OWED_EINPUT, "writer: %s",
		                why.msg[0] ? why.msg : "no such plugin");
	if (!rt_has_hook(p, WRITER_HOOK))
		return svc_fail(err, OWED_EINPUT, "writer: plugin '%s' has no %s hook, so it cannot "
		                "write a direct debit file", name, WRITER_HOOK);
	info = rt_plugin_info(p);
	snprintf(writer, wsize, "%s %s", info->name, info->version ? info->version : "");
	if (rt_call_sync(p, WRITER_HOOK, s->res->message_id, push_file, s, written, s) != 0 ||
	    !s->text)
		return svc_fail(err, OWED_EREFUSED, "writer %s: %s", name,
		                s->msg[0] ? s->msg : "the plugin failed");
	return 0;
}

/* ------------------------------------------------------------------ the file */

static int make_dirs(const char *path)
{
	char buf[1024];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0755) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return 0;
}

/* Writes the text to tmp (a new file), flushed to disk. */
static int write_aside(const char *tmp, const char *text, size_t len, owed_error *err)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
	size_t done = 0;
	if (fd < 0)
		return svc_fail(err, OWED_EIO, "out: cannot create %s: %s", tmp, strerror(errno));
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (done < len || fsync(fd) != 0) {
		int e = errno;
		close(fd);
		unlink(tmp);
		return svc_fail(err, OWED_EIO, "out: cannot write %s: %s", tmp, strerror(e));
	}
	if (close(fd) != 0) {
		unlink(tmp);
		return svc_fail(err, OWED_EIO, "out: cannot write %s", tmp);
	}
	return 0;
}

static void now_local(char *buf, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
}

/* ------------------------------------------------------------------ recording */

static int record(collect *s, store_sepa_file *f, owed_error *err)
{
	owed_ctx *ctx = s->ctx;
	int rc;
	if ((rc = store_sepa_file_insert(ctx->st, f)) != 0)
		return svc_store_fail(ctx, rc, "recording the file", err);
	for (size_t i = 0; i < s->n; i++) {
		row *r = &s->rows[i];
		store_collection col = { .invoice_id = r->c.invoice_id, .mandate_id = r->c.mandate.id,
		                         .file_id = f->id, .amount = r->c.open, .date = s->date };
		const store_mandate *m = &r->c.mandate;
		store_mandate upd;
		cJSON *p;
		if (!r->taken)
			continue;
		memcpy(col.end_to_end, r->end_to_end, sizeof col.end_to_end);
		memcpy(col.sequence, m->sequence, sizeof col.sequence);
		strcpy(col.currency, "EUR");
		if ((rc = store_collection_insert(ctx->st, &col)) != 0)
			return svc_store_fail(ctx, rc, "recording the collection", err);
		p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "end_to_end", col.end_to_end);
		cJSON_AddStringToObject(p, "mandate", m->reference);
		cJSON_AddStringToObject(p, "sequence", col.sequence);
		svc_json_money(p, "amount", col.amount, "EUR");
		cJSON_AddStringToObject(p, "currency", "EUR");
		svc_json_date(p, "collection_date", s->date);
		cJSON_AddStringToObject(p, "message_id", f->message_id);
		cJSON_AddStringToObject(p, "file", f->path);
		if ((rc = svc_event(ctx, "invoice", r->c.invoice_id, r->c.debtor_id, r->c.invoice_id,
		                    "collection sent", p, err)) != 0)
			return rc;
		/* the mandate (a copy: the row keeps the sequence it was collected with) */
		upd = *m;
		if (strcmp(upd.sequence, "FRST") == 0)
			strcpy(upd.sequence, "RCUR");
		else if (strcmp(upd.sequence, "OOFF") == 0)
			strcpy(upd.status, "used");
		upd.last_collection = s->date;
		upd.changed = s->today;
		if ((rc = store_mandate_save(ctx->st, &upd)) != 0)
			return svc_store_fail(ctx, rc, "updating the mandate", err);
	}
	return 0;
}

static int check_date(collect *s, owed_date asked, owed_error *err)
{
	owed_date earliest, next;
	char a[16], b[16];
	if (sepa_target_add(s->today, 1, &earliest) != 0)
		return svc_fail(err, OWED_EINPUT, "date: cannot count from today");
	if (!asked) {
		s->date = earliest;
		return 0;
	}
	date_format_iso(asked, a, sizeof a);
	if (asked < earliest) {
		date_format_iso(earliest, b, sizeof b);
		return svc_fail(err, OWED_EINPUT, "date: %s is too soon: the bank must have the file "
		                "1 TARGET2 business day before the collection date (earliest %s)", a, b);
	}
	if (!sepa_target_is_business_day(asked)) {
		sepa_target_next(asked, &next);
		date_format_iso(next, b, sizeof b);
		return svc_fail(err, OWED_EINPUT, "date: %s is not a TARGET2 business day (weekend, "
		                "1 January, Good Friday, Easter Monday, 1 May, 25 or 26 December); the "
		                "next one is %s", a, b);
	}
	s->date = asked;
	return 0;
}

static int check_creditor(collect *s, owed_error *err)
{
	int rc = svc_sepa_creditor_get(s->ctx, &s->cred, err);
	if (rc)
		return rc;
	if (!s->cred.creditor_id[0])
		return svc_fail(err, OWED_EINPUT, "creditor-id: the administration has no SEPA "
		                "creditor identifier; set it with 'owed admin sepa --creditor-id ID'");
	if (!s->ctx->admin.iban[0])
		return svc_fail(err, OWED_EINPUT, "iban: the administration has no IBAN to collect "
		                "into (set it with 'owed init --iban')");
	return 0;
}

static void report(const collect *s, svc_collect_cb cb, void *ud)
{
	if (!cb)
		return;
	for (size_t i = 0; i < s->n; i++) {
		const row *r = &s->rows[i];
		svc_collect_line l = {
			.taken = r->taken, .debtor = r->c.debtor_number, .debtor_name = r->c.debtor_name,
			.invoice = r->c.invoice, .mandate = r->c.mandate.reference,
			.sequence = r->c.mandate.sequence, .end_to_end = r->end_to_end,
			.currency = r->c.currency, .reason = r->reason, .amount = r->c.open,
			.due_date = r->c.due_date,
		};
		cb(&l, ud);
	}
}

int svc_collect_sepa(owed_ctx *ctx, rt *r, const svc_collect_options *o, svc_collect_cb cb,
                     void *ud, svc_collect_result *res, owed_error *err)
{
	collect s = { .ctx = ctx, .today = today(), .res = res };
	store_sepa_file f = { .admin_id = ctx->admin.id };
	char tmp[1100], date[16];
	int64_t file_id;
	int rc, began = 0, wrote = 0;

	memset(res, 0, sizeof *res);
	if ((rc = check_date(&s, o->date, err)) != 0 || (rc = check_creditor(&s, err)) != 0)
		return rc;
	res->date = s.date;
	now_local(s.created, sizeof s.created);
	/* one transaction from the selection to the last row: the write lock keeps a second
	 * collect from selecting the same invoices meanwhile */
	if ((rc = o->dry_run ? store_begin_deferred(ctx->st) : store_begin(ctx->st)) != 0) {
		svc_store_fail(ctx, rc, "collecting", err);
		goto done;
	}
	began = 1;
	if ((rc = store_collectable_each(ctx->st, ctx->admin.id, s.date, consider, &s)) != 0) {
		if (rc == OWED_ENOMEM)
			svc_fail(err, rc, "collecting: out of memory");
		else
			svc_store_fail(ctx, rc, "selecting the invoices to collect", err);
		goto done;
	}
	if ((rc = store_sepa_file_next_id(ctx->st, &file_id)) != 0) {
		svc_store_fail(ctx, rc, "numbering the file", err);
		goto done;
	}
	if ((rc = number_rows(&s, file_id, err)) != 0)
		goto done;
	for (size_t i = 0; i < s.n; i++)
		res->skipped += !s.rows[i].taken;
	if (res->transactions == 0)
		goto done;              /* nothing to collect: no file, nothing written */
	if ((rc = run_writer(&s, r, o->writer ? o->writer : DEFAULT_WRITER, f.writer,
	                     sizeof f.writer, err)) != 0)
		goto done;
	if (o->dry_run)
		goto done;

	/* the file, aside: <path>.tmp, renamed into place after the commit */
	date_format_iso(s.date, date, sizeof date);
	if (o->out)
		rc = svc_read_text("out", o->out, f.path, sizeof f.path, err);
	else if ((size_t)snprintf(f.path, sizeof f.path, "%s/sepa/%s_%s.xml", rt_outgoing(r), date,
	                          res->message_id) >= sizeof f.path)
		rc = svc_fail(err, OWED_EINPUT, "out: the outgoing folder's path is too long");
	if (rc)
		goto done;
	snprintf(tmp, sizeof tmp, "%s.tmp", f.path);
	if (access(f.path, F_OK) == 0) {
		rc = svc_fail(err, OWED_EEXIST, "out: %s exists already; owed never overwrites a "
		              "collection file", f.path);
		goto done;
	}
	if (make_dirs(f.path) != 0) {
		rc = svc_fail(err, OWED_EIO, "out: cannot create the folder of %s: %s", f.path,
		              strerror(errno));
		goto done;
	}
	if ((rc = write_aside(tmp, s.text, s.text_len, err)) != 0)
		goto done;
	wrote = 1;
	f.id = file_id;
	memcpy(f.message_id, res->message_id, sizeof f.message_id);
	f.collection_date = s.date;
	memcpy(f.created, s.created, sizeof f.created);
	f.transactions = res->transactions;
	f.total = res->total;
	strcpy(f.currency, "EUR");
	if ((rc = record(&s, &f, err)) != 0)
		goto done;
	if ((rc = store_commit(ctx->st)) != 0) {
		svc_store_fail(ctx, rc, "collecting", err);
		goto done;
	}
	began = 0;
	if (rename(tmp, f.path) != 0) {
		/* committed: the collections are recorded, so the file must not be lost */
		rc = svc_fail(err, OWED_EIO, "out: the collections are recorded, but %s could not be "
		              "renamed to %s (%s): rename it by hand before sending it", tmp, f.path,
		              strerror(errno));
		wrote = 0;
		goto done;
	}
	wrote = 0;
	memcpy(res->path, f.path, sizeof res->path);
done:
	if (began)
		store_rollback(ctx->st);
	if (wrote)
		unlink(tmp);
	if (rc == 0)
		report(&s, cb, ud);
	free(s.rows);
	free(s.text);
	return rc;
}

/* ------------------------------------------------------------------ returns */

int svc_collection_returned(owed_ctx *ctx, const char *end_to_end, owed_date date,
                            const char *reason, owed_error *err)
{
	store_collection c;
	char when[16];
	cJSON *p;
	int rc;
	if (!end_to_end || !*end_to_end)
		return svc_fail(err, OWED_EUSAGE, "end-to-end: the collection's end-to-end id is "
		                "required");
	if (!date)
		date = today();
	if ((rc = store_begin(ctx->st)) != 0)
		return svc_store_fail(ctx, rc, "recording the return", err);
	rc = store_collection_by_end_to_end(ctx->st, end_to_end, &c);
	if (rc == OWED_ENOTFOUND)
		rc = svc_fail(err, OWED_EINPUT, "end-to-end: no collection '%s'", end_to_end);
	else if (rc)
		rc = svc_store_fail(ctx, rc, "reading the collection", err);
	else if (strcmp(c.state, "returned") == 0) {
		date_format_iso(c.state_date, when, sizeof when);
		rc = svc_fail(err, OWED_EREFUSED, "end-to-end: collection '%s' was returned already "
		              "(%s)", end_to_end, when);
	} else if ((rc = store_collection_mark(ctx->st, c.id, "returned")) != 0 ||
	           (rc = store_collection_note(ctx->st, c.id, date, reason ? reason : "")) != 0)
		svc_store_fail(ctx, rc, "recording the return", err);
	else {
		owed_invoice inv;
		if ((rc = store_invoice_by_id(ctx->st, c.invoice_id, &inv)) != 0)
			svc_store_fail(ctx, rc, "reading the invoice", err);
		else {
			p = cJSON_CreateObject();
			cJSON_AddStringToObject(p, "end_to_end", c.end_to_end);
			svc_json_money(p, "amount", c.amount, c.currency);
			cJSON_AddStringToObject(p, "currency", c.currency);
			svc_json_date(p, "date", date);
			cJSON_AddStringToObject(p, "reason", reason ? reason : "");
			rc = svc_event(ctx, "invoice", inv.id, inv.debtor_id, inv.id,
			               "collection returned", p, err);
		}
	}
	return svc_end_tx(ctx, rc, "recording the return", err);
}

/* ------------------------------------------------------------------ JSON */

cJSON *render_mandate(const store_mandate *m, owed_date valid_until)
{
	cJSON *o = cJSON_CreateObject();
	owed_date now = today();
	cJSON_AddStringToObject(o, "id", m->reference);
	svc_json_date(o, "signed", m->signed_on);
	cJSON_AddStringToObject(o, "iban", m->iban);
	cJSON_AddStringToObject(o, "bic", m->bic);
	cJSON_AddStringToObject(o, "sequence", m->sequence);
	cJSON_AddStringToObject(o, "status", m->status);
	if (m->last_collection)
		svc_json_date(o, "last_collection", m->last_collection);
	else
		cJSON_AddNullToObject(o, "last_collection");
	if (valid_until)
		svc_json_date(o, "valid_until", valid_until);
	cJSON_AddBoolToObject(o, "lapsed", valid_until && now > valid_until);
	return o;
}

cJSON *render_collect_line(const svc_collect_line *l)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "debtor", l->debtor);
	cJSON_AddStringToObject(j, "invoice", l->invoice);
	svc_json_date(j, "due_date", l->due_date);
	svc_json_money(j, "amount", l->amount, l->currency);
	cJSON_AddStringToObject(j, "currency", l->currency);
	cJSON_AddStringToObject(j, "mandate", l->mandate);
	cJSON_AddStringToObject(j, "outcome", l->taken ? "collected" : "skipped");
	cJSON_AddStringToObject(j, "sequence", l->taken ? l->sequence : "");
	cJSON_AddStringToObject(j, "end_to_end", l->taken ? l->end_to_end : "");
	cJSON_AddStringToObject(j, "reason", l->reason);
	return j;
}

cJSON *render_collect_result(const svc_collect_result *r, int dry_run)
{
	cJSON *j = cJSON_CreateObject();
	svc_json_date(j, "date", r->date);
	cJSON_AddBoolToObject(j, "dry_run", dry_run);
	cJSON_AddStringToObject(j, "message_id", r->transactions ? r->message_id : "");
	cJSON_AddStringToObject(j, "file", r->path);
	cJSON_AddNumberToObject(j, "transactions", (double)r->transactions);
	svc_json_money(j, "total", r->total, "EUR");
	cJSON_AddStringToObject(j, "currency", "EUR");
	cJSON_AddNumberToObject(j, "skipped", (double)r->skipped);
	return j;
}
