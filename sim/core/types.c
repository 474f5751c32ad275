/* vmsim: small helpers for the kinds of number in include/vmsim/types.h. */
#include "vmsim/types.h"

/* R W X M for the four ops; '?' for a value outside the enum. */
char access_op_letter(AccessOp op)
{
    switch (op) {
    case OP_READ:   return 'R';
    case OP_WRITE:  return 'W';
    case OP_EXEC:   return 'X';
    case OP_MODIFY: return 'M';
    }
    return '?';
}
