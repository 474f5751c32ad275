/* Plots of a sweep. */
#include <string.h>

#include "sweep.h"

bool plot_format_known(const char *path)
{
    size_t n = strlen(path);
    return (n > 4 && (strcmp(path + n - 4, ".svg") == 0 || strcmp(path + n - 4, ".png") == 0)) ||
           (n > 3 && strcmp(path + n - 3, ".gp") == 0);
}

int plot_write(const Table *t, const char *path, const char *y, const char *title,
               char *err, size_t errlen)
{
    (void)t; (void)y; (void)title;
    snprintf(err, errlen, "%s: plots are not drawn yet", path);
    return -1;
}
