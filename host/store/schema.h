/* schema.h -- the migrations that build and upgrade an owed database (schema.c). */
#ifndef OWED_SCHEMA_H
#define OWED_SCHEMA_H

/* The schema version this binary writes: the number of migrations it knows. */
int schema_latest(void);
/* The SQL that takes a database from version-1 to version; NULL outside 1..schema_latest(). */
const char *schema_migration(int version);

#endif
