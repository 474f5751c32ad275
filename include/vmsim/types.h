/* vmsim: the kinds of number the simulator passes around. */
#ifndef VMSIM_TYPES_H
#define VMSIM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t vaddr_t;   /* a virtual address */
typedef uint64_t paddr_t;   /* a simulated physical address */
typedef uint64_t vpn_t;     /* a virtual page number (vaddr >> page shift) */
typedef uint64_t pfn_t;     /* a physical frame number (paddr >> page shift) */
typedef uint64_t pte_t;     /* a page-table entry, in the architecture's bit format */

/* Frame 0 and address 0 are valid, so "none" is all ones. */
#define PFN_NONE   UINT64_MAX
#define PADDR_NONE UINT64_MAX

/* What an access does. OP_MODIFY (lackey's M) is a read then a write of the same bytes. */
typedef enum {
    OP_READ,
    OP_WRITE,
    OP_EXEC,
    OP_MODIFY
} AccessOp;

/* One letter per op, as traces and logs write them: R W X M. */
char access_op_letter(AccessOp op);

#endif
