/*
 * render.h -- the JSON form of ledger entities, the same for `--json` on the CLI and for the
 * HTTP API.  Amounts are exact decimal strings ("1234.56") beside their currency: a JSON
 * number is a double in most readers, and no float may touch an amount.
 */
#ifndef OWED_RENDER_H
#define OWED_RENDER_H

#include <cjson/cJSON.h>
#include "services/dunning.h"
#include "services/money_in.h"
#include "services/services.h"

cJSON *render_admin(const owed_admin *a);
cJSON *render_debtor(const owed_debtor *d, const char *currency);
cJSON *render_invoice(const owed_invoice *inv);
cJSON *render_payment(const owed_payment *p);
cJSON *render_event(const store_event *ev);
cJSON *render_import_line(const svc_import_line *l);
cJSON *render_aging(const svc_aging *a);
cJSON *render_import_result(const svc_import_result *r, int dry_run);
cJSON *render_outbox(const store_outbox *r);
cJSON *render_case_view(const svc_case_view *v);
cJSON *render_instalment(const store_instalment *i);
cJSON *render_dispute(const store_dispute *d);

#endif
