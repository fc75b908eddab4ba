/**
 * @file libmatch.h
 * @brief The libmatch API: include this header.
 *
 * - core.h: version, status codes, pool and snapshots, policy, travel model,
 *   engine, queries, batch and results;
 * - assign.h: coordinated proposals (capacity-constrained assignment);
 * - pg.h: PostgreSQL schema, loading and result runs.
 */
#ifndef LIBMATCH_LIBMATCH_H
#define LIBMATCH_LIBMATCH_H
#include "libmatch/core.h"
#include "libmatch/assign.h"
#include "libmatch/pg.h"
#endif
