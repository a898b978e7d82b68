/* Human-readable names for mf_status codes. */
#include "mf_status.h"

const char *mf_strerror(mf_status s)
{
    switch (s) {
    case MF_OK: return "success";
    case MF_ERR_NOMEM: return "out of memory";
    case MF_ERR_IO: return "input/output error";
    case MF_ERR_USAGE: return "invalid usage";
    case MF_ERR_FORMAT: return "malformed data";
    case MF_ERR_MISMATCH: return "checkpoint does not match this input";
    }
    return "unknown error";
}
