/* The schema scripts (libmatch/sql/NNN_*.sql), embedded by libmatch/sql/embed.sh
 * into pg_sql.c. Not installed. */
#ifndef LM_PG_SQL_H
#define LM_PG_SQL_H

#include "internal.h"

typedef struct lm_pg_migration {
    int32_t version;          /* NNN of the file name: the schema version it produces */
    const char *file;         /* file name, for messages and the drift test */
    const char *const *lines; /* the file's lines, each ending in "\n"; NULL-terminated */
} lm_pg_migration;

/* In version order; version i + 1 at index i. */
extern const lm_pg_migration lm__pg_migrations[];
extern const size_t lm__pg_nmigrations;
#endif
