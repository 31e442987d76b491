// Signal handling for stylize: a flag, and nothing else, is touched in the handler.
// Written in C because a Swift closure used as a handler may touch the Swift runtime
// (lazy globals, reference counting), which is not async-signal-safe.
#include "stylize_signals.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t received = 0;

static void on_signal(int sig) {
    if (received != 0) {
        // Second signal: end at once, with the status the default action gives.
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    received = sig;
}

void stylize_signals_install(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;  // reads and writes in progress are resumed, not failed with EINTR
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGHUP, &action, NULL);
}

int stylize_signals_received(void) { return received; }

void stylize_signals_request(int sig) { received = sig; }
