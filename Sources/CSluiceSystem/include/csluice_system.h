#ifndef CSLUICE_SYSTEM_H
#define CSLUICE_SYSTEM_H

#include <sys/types.h>
#include <sys/epoll.h>

/// pidfd_open(2): a descriptor that becomes readable when the process ends. glibc 2.36 has no wrapper in
/// every build, and `syscall` is variadic, which Swift does not import.
int csluice_pidfd_open(pid_t pid);

#endif
