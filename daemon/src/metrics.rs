//! Prometheus metrics, served as OpenMetrics text on `GET /metrics` when
//! `metrics.listen` is set (off by default).
//!
//! | metric | type | labels | meaning |
//! |---|---|---|---|
//! | `enrichd_files_processed_total` | counter | | inputs whose record is durably in the sink |
//! | `enrichd_files_failed_total` | counter | | inputs moved to `failed/` |
//! | `enrichd_queue_depth` | gauge | | ready files waiting for a worker |
//! | `enrichd_files_in_flight` | gauge | | files taken and not yet done |
//! | `enrichd_plugin_duration_seconds` | histogram | `plugin` | one plugin call |
//! | `enrichd_plugin_errors_total` | counter | `plugin` | failed plugin calls |
//! | `enrichd_sink_commit_duration_seconds` | histogram | | one sink commit (write + fsync) |

use crate::record::Step;
use anyhow::Context as _;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::net::SocketAddr;
use std::sync::Arc;

/// The `plugin` label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PluginLabel {
    pub plugin: String,
}

fn latency_histogram() -> Histogram {
    // 20 µs … ~10 s
    Histogram::new(exponential_buckets(0.000_02, 2.0, 20))
}

/// The daemon's metrics.
pub struct Metrics {
    registry: Registry,
    pub processed: Counter,
    pub failed: Counter,
    pub queue_depth: Gauge,
    pub in_flight: Gauge,
    pub plugin_duration: Family<PluginLabel, Histogram, fn() -> Histogram>,
    pub plugin_errors: Family<PluginLabel, Counter>,
    pub sink_commit: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("enrichd");
        let m = Metrics {
            processed: Counter::default(),
            failed: Counter::default(),
            queue_depth: Gauge::default(),
            in_flight: Gauge::default(),
            plugin_duration: Family::new_with_constructor(latency_histogram as fn() -> Histogram),
            plugin_errors: Family::default(),
            sink_commit: latency_histogram(),
            registry: Registry::default(),
        };
        registry.register(
            "files_processed",
            "Inputs whose record is durably in the sink",
            m.processed.clone(),
        );
        registry.register(
            "files_failed",
            "Inputs moved to the failed folder",
            m.failed.clone(),
        );
        registry.register(
            "queue_depth",
            "Ready files waiting for a worker",
            m.queue_depth.clone(),
        );
        registry.register(
            "files_in_flight",
            "Files taken and not yet done",
            m.in_flight.clone(),
        );
        registry.register(
            "plugin_duration_seconds",
            "Duration of one plugin call",
            m.plugin_duration.clone(),
        );
        registry.register(
            "plugin_errors",
            "Failed plugin calls",
            m.plugin_errors.clone(),
        );
        registry.register(
            "sink_commit_duration_seconds",
            "Duration of one sink commit (write and fsync)",
            m.sink_commit.clone(),
        );
        Metrics { registry, ..m }
    }
}

impl Metrics {
    /// Count the plugin calls a record went through.
    pub fn observe_steps(&self, steps: &[Step]) {
        for step in steps {
            let label = PluginLabel {
                plugin: step.plugin.clone(),
            };
            self.plugin_duration
                .get_or_create(&label)
                .observe(step.micros as f64 / 1e6);
            if step.error.is_some() {
                self.plugin_errors.get_or_create(&label).inc();
            }
        }
    }

    /// The metrics as OpenMetrics text.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// Serve `GET /metrics` on `addr` from a thread of its own, for the life of the process.
pub fn serve(addr: SocketAddr, metrics: Arc<Metrics>) -> anyhow::Result<()> {
    let server = tiny_http::Server::http(addr)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("cannot listen for metrics on {addr}"))?;
    std::thread::Builder::new()
        .name("enrichd-metrics".into())
        .spawn(move || {
            for request in server.incoming_requests() {
                let response = if request.url() == "/metrics" {
                    let header = tiny_http::Header::from_bytes(
                        &b"Content-Type"[..],
                        &b"application/openmetrics-text; version=1.0.0; charset=utf-8"[..],
                    )
                    .ok();
                    let mut r = tiny_http::Response::from_string(metrics.encode());
                    if let Some(h) = header {
                        r.add_header(h);
                    }
                    r
                } else {
                    tiny_http::Response::from_string("not found; try /metrics\n")
                        .with_status_code(404)
                };
                if let Err(e) = request.respond(response) {
                    tracing::debug!(error = %e, "metrics client went away");
                }
            }
        })
        .context("cannot start the metrics thread")?;
    tracing::info!(%addr, "serving metrics on /metrics");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_become_plugin_histograms_and_error_counts() {
        let m = Metrics::default();
        m.observe_steps(&[
            Step {
                plugin: "dates".into(),
                version: "1".into(),
                micros: 1500,
                error: None,
            },
            Step {
                plugin: "ranks".into(),
                version: "1".into(),
                micros: 10,
                error: Some("x".into()),
            },
        ]);
        m.processed.inc();
        let text = m.encode();
        assert!(text.contains("enrichd_files_processed_total 1"), "{text}");
        assert!(
            text.contains("enrichd_plugin_duration_seconds_count{plugin=\"dates\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("enrichd_plugin_errors_total{plugin=\"ranks\"} 1"),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"));
    }
}
