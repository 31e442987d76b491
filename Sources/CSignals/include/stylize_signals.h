#ifndef STYLIZE_SIGNALS_H
#define STYLIZE_SIGNALS_H

/// Installs one handler for SIGINT, SIGTERM and SIGHUP. The handler only stores the
/// signal number in a `volatile sig_atomic_t` (async-signal-safe); a second signal of
/// any of the three restores the default action and re-raises it, so the process ends at once.
void stylize_signals_install(void);

/// The first of SIGINT, SIGTERM or SIGHUP received since `stylize_signals_install`, or 0.
int stylize_signals_received(void);

/// Sets the flag as if `signal` had arrived (tests and programmatic cancellation).
void stylize_signals_request(int signal);

#endif
