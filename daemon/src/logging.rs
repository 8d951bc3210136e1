//! Logs through tracing-subscriber, to stderr: the level from the config unless
//! `RUST_LOG` is set.
//!
//! Formats: `human` (colour on a terminal), `json` (one object per line). Under
//! systemd (`JOURNAL_STREAM` set) the human format drops colour and the
//! timestamp (journald adds its own) and starts each line with its syslog
//! priority (`<3>` error, `<4>` warning, `<6>` info, `<7>` debug), which
//! journald turns into the entry's priority.

use crate::config::{Log, LogFormat};
use std::io::IsTerminal;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::EnvFilter;

/// Install the global subscriber.
pub fn init(log: &Log) -> anyhow::Result<()> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(v) if !v.is_empty() => EnvFilter::try_new(&v)
            .map_err(|e| anyhow::anyhow!("RUST_LOG={v:?} is not a valid log filter: {e}"))?,
        _ => EnvFilter::try_new(&log.level).map_err(|e| {
            anyhow::anyhow!("log.level {:?} is not a valid log filter: {e}", log.level)
        })?,
    };
    let journald = std::env::var_os("JOURNAL_STREAM").is_some();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(!journald && std::io::stderr().is_terminal());
    let result = match (log.format, journald) {
        (LogFormat::Json, _) => builder.json().with_current_span(true).try_init(),
        (LogFormat::Human, true) => {
            let inner = tracing_subscriber::fmt::format()
                .without_time()
                .with_ansi(false);
            builder.event_format(SyslogPriority(inner)).try_init()
        }
        (LogFormat::Human, false) => builder.try_init(),
    };
    result.map_err(|e| anyhow::anyhow!("cannot install the logger: {e}"))
}

/// The syslog priority of a tracing level.
fn priority(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 3,
        Level::WARN => 4,
        Level::INFO => 6,
        _ => 7,
    }
}

/// Prefixes each line of another format with `<priority>`, as journald reads it.
struct SyslogPriority<F>(F);

impl<S, N, F> FormatEvent<S, N> for SyslogPriority<F>
where
    F: FormatEvent<S, N>,
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        write!(writer, "<{}>", priority(event.metadata().level()))?;
        self.0.format_event(ctx, writer, event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_map_to_syslog_priorities() {
        assert_eq!(priority(&Level::ERROR), 3);
        assert_eq!(priority(&Level::WARN), 4);
        assert_eq!(priority(&Level::INFO), 6);
        assert_eq!(priority(&Level::DEBUG), 7);
        assert_eq!(priority(&Level::TRACE), 7);
    }
}
