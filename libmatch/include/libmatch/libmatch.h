/**
 * @file libmatch.h
 * @brief The libmatch API: include this header.
 *
 * - core.h: version, status codes, pool and snapshots, policy, travel model,
 *   engine, queries, batch and results.
 */
#ifndef LIBMATCH_LIBMATCH_H
#define LIBMATCH_LIBMATCH_H
#include "libmatch/core.h"
#endif
