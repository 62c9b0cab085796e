#ifndef SLUICE_CGIT2_SHIM_H
#define SLUICE_CGIT2_SHIM_H

#include <git2.h>

/// `git_libgit2_opts` is variadic, which Swift cannot call; these wrappers fix one signature each.
static inline int sluice_git_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}

#endif
