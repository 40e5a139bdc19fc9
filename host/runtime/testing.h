/*
 * testing.h -- owed.testing, the helpers a plugin's busted specs use (run by `owed test`):
 * a fresh ledger with fixtures, a plugin loaded through the real runtime, a loopback HTTP
 * server standing in for a partner, and a captured mailbox (a real SMTP server).
 */
#ifndef OWED_TESTING_H
#define OWED_TESTING_H

#include <lua.h>

#include <sys/types.h>

/* luaopen-style; the runtime (rt *) is upvalue 1. */
int testing_open(lua_State *L);

/* A helper server from tests/support/ run by /usr/bin/python3 with up to two arguments: it
 * prints its port and runs until its stdin closes.  For C tests as much as for specs. */
typedef struct testing_proc {
	pid_t pid;
	int in;                 /* the server's stdin */
	int port;
} testing_proc;
int testing_spawn(const char *script, const char *arg1, const char *arg2, testing_proc *out);
void testing_stop(testing_proc *p);

#endif
