/* Replacement policies loaded from shared objects (include/vmsim/policy_plugin.h),
 * wrapped in a PolicyOps and registered in the policy table as "plugin:PATH". Only the
 * programs load plugins, and only when the command line says so: a scenario or config
 * file naming one is an error of the loader. */
#ifndef VMSIM_PLUGIN_H
#define VMSIM_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>

#include "vmsim/policy.h"
#include "vmsim/sim.h"

/* Loads the plugin at path (dlopen; its constructors run), checks its ABI and
 * registers it with params (NULL: ""); replayable keeps a log of every call so a copy
 * of the Sim (stepping back) can rebuild the plugin's state by replaying from the
 * start. Sets *kind. 0, or -1 with err. One plugin per process. */
int plugin_load(const char *path, const char *params, bool replayable, PolicyKind *kind,
                char *err, size_t n);

/* The Sim whose frames give insert its vpn and pid (NULL: unknown, UINT64_MAX and
 * UINT32_MAX). */
void plugin_attach(const Sim *sim);

/* What a wrong victim() answer does: by default the message on stderr and exit 1; fn
 * replaces that (it must not return). */
void plugin_on_bad(void (*fn)(const char *msg));

/* Finds memory.policy=plugin:PATH and memory.policy_params=TEXT among sets, loads the
 * plugin and drops the params line (the loader has no such key). 0, or -1 said on
 * stderr. */
int plugin_from_sets(const char **sets, int *nsets, const char *verb);

#endif
