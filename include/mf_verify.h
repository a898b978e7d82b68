/* Independent check of a factorization: factors ascending and prime, product equal to the number. */
#ifndef MPIFACTOR_VERIFY_H
#define MPIFACTOR_VERIFY_H

#include <stddef.h>

#include "mf_value.h"

/* Returns 0 when f is right: factors in ascending order, each a (probable) prime, and their product
   times the cofactor (when incomplete) equal to f->n; 0 and 1 have no factors. Else returns -1 and
   describes the problem in err (size errlen). */
int mf_verify(const mf_factored *f, char *err, size_t errlen);

#endif
