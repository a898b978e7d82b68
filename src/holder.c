/* A rank holding outputs for rank 0: placements confirmed, I/O failures reported (--parallel-io). */
#include "mf_holder.h"

#include "mf_proto.h"

void mf_holder_failed(const mf_pario *p, int parent, bool *failed)
{
    if (*failed)
        return;
    *failed = true;
    mf_buf b;
    mf_buf_init(&b);
    mf_buf_put_str(&b, p->err);
    mf_proto_send(parent, MF_TAG_FAILED, &b);
}

void mf_holder_confirm(mf_pario *p, int parent, bool *failed)
{
    if (mf_pario_sync(p) != 0) {
        mf_holder_failed(p, parent, failed);
        return;
    }
    mf_buf b;
    mf_buf_init(&b);
    mf_buf_put_u64(&b, p->synced);
    mf_proto_send(parent, MF_TAG_PLACED, &b);
}
