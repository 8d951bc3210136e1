//! The record: what enrichd writes for one input file. A public contract,
//! documented field by field in the README ("The record").

use enrichd_plugin_api::Source;
use serde::Serialize;
use serde_json::{Map, Value};

/// One plugin's step in a record's journey.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// The plugin's name.
    pub plugin: String,
    /// The plugin's version.
    pub version: String,
    /// Wall time of the call, including the boundary crossing, in microseconds.
    pub micros: u64,
    /// The plugin's error on this record, if it failed.
    pub error: Option<String>,
}

/// An enriched record.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// SHA-256 of the input bytes (lower-case hex): the same input gives the same id.
    pub id: String,
    /// Where the input came from.
    pub source: Source,
    /// When enrichd read the input (RFC 3339, UTC).
    pub ingested_at: String,
    /// The text, as the last plugin left it.
    pub text: String,
    /// The fields the plugins added, in the order they were added.
    #[serde(flatten)]
    pub fields: Map<String, Value>,
    /// The plugins that ran, in order.
    pub pipeline: Vec<Step>,
}

impl Record {
    /// The record as one JSON line (no trailing newline).
    pub fn to_json_line(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }
}
