//! The enrichd daemon as a library: the modules behind the `enrichd` binary,
//! one per step of a file's path (see the README's "How a file travels").
//! Public so that benchmarks and tests can drive the pieces directly; the
//! binary's command line and the record format are the supported interfaces.

pub mod budget;
pub mod claim;
pub mod config;
pub mod dispose;
pub mod inflight;
pub mod ingest;
pub mod ledger;
pub mod logging;
pub mod metrics;
pub mod oneshot;
pub mod pipeline;
pub mod plugin_host;
pub mod record;
pub mod search;
pub mod service;
pub mod sink;
pub mod utf8;
pub mod watch;
