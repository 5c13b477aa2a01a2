//! The tracing subscriber, set up once. Logs go to stderr so that stdout stays for what commands
//! print (a token, say).

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Lines waiting to be written before new ones are dropped rather than making a request wait.
const BUFFERED_LINES: usize = 128 * 1024;

/// Sets the subscriber up; the guard writes out what is buffered when dropped, so hold it until
/// the process ends.
///
/// Lines are written by a thread of their own, so that a worker never waits on stderr's lock or
/// on the write: with each worker writing its own access-log line, the cached look-up ran at 47%
/// of the bare server against 79% with the access log off. When the writer falls behind by
/// [`BUFFERED_LINES`], lines are dropped: a log must never stall a request.
pub fn init(format: &str) -> WorkerGuard {
    // actix-http logs every malformed request it drops (a NUL in a header, say) at ERROR: anyone
    // could fill the log with them, and they are the client's fault, so they are not logged.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("info,actix_server=warn,actix_http::h1::dispatcher=off")
    });
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(BUFFERED_LINES)
        .lossy(true)
        .thread_name("xinyong-log")
        .finish(std::io::stderr());
    // Colours only for a person at a terminal: a file, a pipe or journald gets plain text (the
    // writer thread hides what stderr is, and the formatter would colour every line).
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(writer);
    // A second init (tests start many servers in one process) is harmless: keep the first.
    let _ = if format.eq_ignore_ascii_case("json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    guard
}
