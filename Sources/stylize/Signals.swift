import CSignals
import Glibc

/// SIGINT (Ctrl-C), SIGTERM (`kill`, `timeout`, Slurm at the time limit) and SIGHUP (a
/// closed terminal or ssh session) are handled alike, from process start, by every command.
///
/// The handler (C, `Sources/CSignals`) only stores the signal number; the run polls it before
/// every loss evaluation (at most about 1.5 s apart at 512 px), writes the image so far and
/// exits with 128 + the signal number, the shell's convention (130 INT, 143 TERM, 129 HUP).
/// A second signal ends the process at once with the default action.
enum Signals {
    static func install() { stylize_signals_install() }

    /// The first signal received, or 0.
    static var received: Int32 { stylize_signals_received() }

    static var requested: Bool { received != 0 }

    /// 128 + the signal number: what a shell reports for a process the signal killed.
    static var exitStatus: Int32 { 128 + received }

    /// `SIGTERM`, `SIGINT`, `SIGHUP`.
    static var name: String {
        switch received {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        case SIGHUP: return "SIGHUP"
        default: return "signal \(received)"
        }
    }
}
