/* The question kinds: one line each. A kind is a QuestionKind in a file of its own. */
#include <string.h>

#include "grade.h"
#include "kind_faults.h"

extern const QuestionKind tlb_kind, oom_kind, translate_kind, ostep_kind;

const QuestionKind *const grade_kinds[] = {
    &faults_kind,
    &tlb_kind,
    &oom_kind,
    &translate_kind,
    &ostep_kind,
};
const size_t grade_nkinds = sizeof grade_kinds / sizeof grade_kinds[0];

const QuestionKind *grade_kind(const char *name)
{
    for (size_t i = 0; i < grade_nkinds; i++)
        if (strcmp(grade_kinds[i]->name, name) == 0)
            return grade_kinds[i];
    return NULL;
}
