/* Status texts, detailed messages and the version functions. */
#include "internal.h"

#include <stdio.h>

int lm__fail(lm_err *e, int status, const char *fmt, ...) {
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return status;
}

const char *lm_strerror(int status) {
    switch (status) {
    case LM_OK: return "ok";
    case LM_ERR_INVALID: return "invalid argument";
    case LM_ERR_NULL: return "required pointer is NULL";
    case LM_ERR_NONFINITE: return "NaN or infinite value";
    case LM_ERR_DIMENSION: return "vector dimension does not match";
    case LM_ERR_UNKNOWN_ID: return "unknown id";
    case LM_ERR_RANGE: return "value out of range";
    case LM_ERR_DUPLICATE: return "duplicate id";
    case LM_ERR_NOMEM: return "out of memory";
    case LM_ERR_CANCELLED: return "cancelled";
    case LM_ERR_IO: return "input/output error";
    case LM_ERR_FORMAT: return "malformed input";
    case LM_ERR_DB: return "database error";
    case LM_ERR_LIMIT: return "size limit exceeded";
    case LM_ERR_STATE: return "object state forbids this call";
    case LM_ERR_BUFFER: return "buffer too small";
    case LM_ERR_UNSUPPORTED: return "not supported here";
    case LM_ERR_INTERNAL: return "internal error";
    case LM_ERR_CONFLICT: return "conflict with a concurrent change";
    default: return "unknown status";
    }
}

unsigned lm_version_number(void) { return LM_VERSION_NUMBER; }
const char *lm_version_string(void) { return LM_VERSION_STRING; }
