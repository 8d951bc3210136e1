//! The JSON text both sides of enrichd's plugin boundary read and write, shared so that they
//! agree byte for byte and neither pays for a value tree it does not need:
//!
//! - [`write_str`]: a string written exactly as serde_json writes it, a run at a time;
//! - [`members`]: the top-level members of an object (names, and values as JSON text), found
//!   in one validating pass, with serde_json deciding whatever that pass leaves to it;
//!   [`elements`]: the same for an array.
//!
//! The plugin API reads the record's fields with it and writes plugin output with it; the
//! daemon reads plugin output, writes records and reads the rows its database sinks store
//! with it.

mod members;
mod strings;

pub use members::{elements, members, Member};
pub use strings::write_str;
