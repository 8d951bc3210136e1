//! Plugin output written as JSON: the same bytes as `serde_json::to_vec`, with each string
//! written by [`enrichd_json::write_str`], a run at a time between the bytes that need
//! escaping, where serde_json looks each byte up in a table. Fields can hold a whole text
//! (acronyms' `text_expanded`, boilerplate's `removed` blocks), so this is most of the
//! output's cost.

use enrichd_json::write_str;
use serde_json::{Map, Value};

/// `fields` as a JSON object.
pub(crate) fn to_vec(fields: &Map<String, Value>) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::with_capacity(256);
    write_object(&mut out, fields)?;
    Ok(out)
}

fn write_object(out: &mut Vec<u8>, map: &Map<String, Value>) -> Result<(), serde_json::Error> {
    out.push(b'{');
    for (i, (name, value)) in map.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, name);
        out.push(b':');
        write_value(out, value)?;
    }
    out.push(b'}');
    Ok(())
}

fn write_value(out: &mut Vec<u8>, value: &Value) -> Result<(), serde_json::Error> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => serde_json::to_writer(&mut *out, n)?,
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item)?;
            }
            out.push(b']');
        }
        Value::Object(map) => write_object(out, map)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn same_as_serde(fields: &Map<String, Value>) {
        assert_eq!(
            String::from_utf8(to_vec(fields).unwrap()).unwrap(),
            String::from_utf8(serde_json::to_vec(fields).unwrap()).unwrap()
        );
    }

    #[test]
    fn every_kind_of_value_is_written_as_serde_json_writes_it() {
        let Value::Object(fields) = json!({
            "z": null, "a": true, "b": false, "n": [0, -7, 18446744073709551615u64, 1.5, -2e-300, 1e300],
            "nested": {"x": [[], {}, [{"y": "Đại tướng"}]], "": ""},
            "text": "Hà Nội, \"quoted\" \\ back\tslash\r\n\u{7f}\u{1}\u{1f}\u{8}\u{c} “curly” 😀",
            "esc\"aped\nname": 1,
        }) else {
            unreachable!()
        };
        same_as_serde(&fields);
        same_as_serde(&Map::new());
    }
}
