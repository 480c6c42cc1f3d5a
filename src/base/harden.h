/* harden: keep the secrets this process holds (AccessKey secret, STS
 * token, LoginToken, SessionToken: in argv, the environment, a job file
 * or memory) out of core files and away from other processes of the same
 * user. */
#ifndef WR_HARDEN_H
#define WR_HARDEN_H

/* No core file (RLIMIT_CORE 0, soft and hard) and not dumpable
 * (PR_SET_DUMPABLE 0: no core, /proc/PID/environ, /proc/PID/mem and
 * ptrace are then for root only).  Call before any secret is read.
 * Returns 0, or WR_EIO if the kernel refused (the process still runs). */
int wr_harden_process(void);

#endif
