/*
 * importer.h -- running an importer plugin over a file, for the bank and the invoice imports
 * (private to services).  The file is read whole, the importer named or recognised (each
 * importer's detect(head, path) sees the first 4 KiB), parse(text, {}) called, and the table
 * it returns handed to the caller's function while the plugin's coroutine still holds it.
 */
#ifndef OWED_SERVICES_IMPORTER_H
#define OWED_SERVICES_IMPORTER_H

#include <lua.h>

#include "runtime/runtime.h"
#include "services/services.h"

#define IMPORT_MAX_BYTES   (256u << 20)   /* a file larger than this is refused */

/* Reads the result table at t; returns 0, or an OWED_E* code with msg saying what is wrong. */
typedef int (*imp_result_fn)(lua_State *co, int t, void *ud, char *msg, size_t size);

/* Every failure names the file: unreadable, too large, no importer recognises it, or the
 * importer's own message (the place in the file), without the Lua traceback. */
int imp_run(rt *r, const char *path, const char *format, char sha256[65], const char **name,
            imp_result_fn fn, void *ud, owed_error *err);
/* The same over text already in memory (an upload), named path in the messages. */
int imp_run_text(rt *r, const char *path, const char *text, size_t len, const char *format,
                 char sha256[65], const char **name, imp_result_fn fn, void *ud,
                 owed_error *err);

#endif
