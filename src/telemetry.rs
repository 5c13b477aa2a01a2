//! The tracing subscriber, set up once. Logs go to stderr so that stdout stays for what commands
//! print (a token, say).

use tracing_subscriber::EnvFilter;

pub fn init(format: &str) {
    // actix-http logs every malformed request it drops (a NUL in a header, say) at ERROR: anyone
    // could fill the log with them, and they are the client's fault, so they are not logged.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("info,actix_server=warn,actix_http::h1::dispatcher=off")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests start many servers in one process) is harmless: keep the first.
    let _ = if format.eq_ignore_ascii_case("json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
