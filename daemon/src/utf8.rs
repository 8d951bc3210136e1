//! UTF-8 validation of the bytes the daemon takes in: input files and what plugins return.
//!
//! `simdutf8` rather than `std::str::from_utf8`: Vietnamese text has a multi-byte letter every few
//! bytes, which defeats std's ASCII fast path, and each record's text is checked once per stage.

/// The bytes as a `String` without copying them, or the bytes back if they are not UTF-8.
pub fn into_string(bytes: Vec<u8>) -> Result<String, Vec<u8>> {
    if simdutf8::basic::from_utf8(&bytes).is_ok() {
        // SAFETY: just validated.
        Ok(unsafe { String::from_utf8_unchecked(bytes) })
    } else {
        Err(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_text_is_kept_and_invalid_bytes_are_given_back() {
        assert_eq!(
            into_string("Hà Nội".as_bytes().to_vec()).as_deref(),
            Ok("Hà Nội")
        );
        assert_eq!(into_string(vec![b'H', 0xcc]), Err(vec![b'H', 0xcc]));
        assert_eq!(into_string(Vec::new()).as_deref(), Ok(""));
    }
}
