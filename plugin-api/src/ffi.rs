//! The `extern "C"` functions [`crate::export_plugin!`] puts in a plugin's vtable.
//!
//! Each catches panics, so none unwinds across the boundary, and every buffer
//! it returns is a `Vec<u8>` of this library, freed by [`free_buf`].

use crate::abi::{Input, Output, OwnedBuf, Status, StrRef, STATUS_ERROR, STATUS_OK, STATUS_PANIC};
use crate::{Context, Document, Plugin};
use std::any::Any;
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};

fn panic_message(payload: &(dyn Any + Send)) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".to_string());
    format!("plugin panicked: {what}")
}

fn utf8<'a>(s: StrRef, what: &str) -> Result<&'a str, String> {
    // SAFETY: the daemon guarantees `s` is valid for the duration of this call.
    let bytes = unsafe { s.as_bytes() };
    // The SIMD check first (several times faster on Vietnamese text); std's only for the message.
    match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(_) => std::str::from_utf8(bytes).map_err(|e| format!("{what} is not UTF-8: {e}")),
    }
}

/// Run `f`, turning an `Err` or a panic into a status and a message in `error`.
fn guarded(error: *mut OwnedBuf, f: impl FnOnce() -> Result<(), String>) -> Status {
    let (status, message) = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => return STATUS_OK,
        Ok(Err(message)) => (STATUS_ERROR, message),
        Err(payload) => (STATUS_PANIC, panic_message(payload.as_ref())),
    };
    if !error.is_null() {
        // SAFETY: the daemon passes a valid, writable `OwnedBuf`.
        unsafe { *error = OwnedBuf::from_vec(message.into_bytes()) };
    }
    status
}

/// `create` for plugin type `P`.
///
/// # Safety
/// Called by the daemon only, with the pointers the ABI describes.
pub unsafe extern "C" fn create<P: Plugin>(
    config_json: StrRef,
    context_json: StrRef,
    instance: *mut *mut c_void,
    error: *mut OwnedBuf,
) -> Status {
    guarded(error, || {
        let config: serde_json::Value = match utf8(config_json, "plugin config")? {
            "" => serde_json::Value::Null,
            s => serde_json::from_str(s).map_err(|e| format!("plugin config is not JSON: {e}"))?,
        };
        let ctx: Context = serde_json::from_str(utf8(context_json, "plugin context")?)
            .map_err(|e| format!("plugin context is not valid: {e}"))?;
        let plugin = P::create(&config, &ctx).map_err(|e| e.to_string())?;
        let boxed: *mut P = Box::into_raw(Box::new(plugin));
        // SAFETY: `instance` is a valid out-pointer from the daemon.
        unsafe { *instance = boxed.cast() };
        Ok(())
    })
}

/// `process` for plugin type `P`.
///
/// # Safety
/// `instance` must come from `create::<P>`; `input` and `output` must be valid.
pub unsafe extern "C" fn process<P: Plugin>(
    instance: *const c_void,
    input: *const Input,
    output: *mut Output,
) -> Status {
    // SAFETY: `output` is a valid, zero-initialised `Output` from the daemon.
    let error = unsafe { std::ptr::addr_of_mut!((*output).error) };
    guarded(error, || {
        // SAFETY: the daemon passes back the instance `create` returned, and a valid input.
        let (plugin, input) = unsafe { (&*(instance as *const P), &*input) };
        let doc = Document::new(
            utf8(input.text, "record text")?,
            utf8(input.source_json, "record source")?,
            utf8(input.fields_json, "record fields")?,
        );
        let out = plugin.process(&doc).map_err(|e| e.to_string())?;
        let fields = if out.fields.is_empty() {
            OwnedBuf::NULL
        } else {
            let json = crate::json::to_vec(&out.fields).map_err(|e| e.to_string())?;
            OwnedBuf::from_vec(json)
        };
        // SAFETY: as above.
        unsafe {
            (*output).fields_json = fields;
            if let Some(text) = out.text {
                (*output).text = OwnedBuf::from_vec(text.into_bytes());
            }
        }
        Ok(())
    })
}

/// `free_buf`: release a buffer this library returned.
///
/// # Safety
/// `buf` must come from this library's `create` or `process` and not be freed twice.
pub unsafe extern "C" fn free_buf(buf: OwnedBuf) {
    // SAFETY: per the contract, `buf` was made by `OwnedBuf::from_vec` in this library.
    drop(unsafe { buf.into_vec() });
}

/// `destroy` for plugin type `P`.
///
/// # Safety
/// `instance` must come from `create::<P>` and not be used afterwards.
pub unsafe extern "C" fn destroy<P: Plugin>(instance: *mut c_void) {
    if instance.is_null() {
        return;
    }
    // A panic in a destructor must not unwind into the daemon either.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: per the contract, `instance` came from `Box::into_raw` in `create::<P>`.
        drop(unsafe { Box::from_raw(instance as *mut P) });
    }));
}
