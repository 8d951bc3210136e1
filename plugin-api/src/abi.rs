//! The frozen C ABI between the enrichd daemon and a plugin library.
//!
//! This module is the binary contract. Everything in it is `#[repr(C)]` and
//! uses only C types, so a plugin built by another Rust compiler, or written
//! in C (see `include/enrichd_plugin.h`, which mirrors this file), loads.
//!
//! # Handshake
//! A plugin library exports one symbol, [`ENTRY_SYMBOL`] (`enrichd_plugin_entry`),
//! a function of type [`EntryFn`] that returns a pointer to a static
//! [`PluginVTable`]. The daemon reads the first field, `abi_version`, before
//! anything else and refuses the library unless it equals [`ABI_VERSION`];
//! it then checks that `vtable_size` covers the vtable it expects.
//!
//! # Memory
//! Whoever allocates frees. Buffers the daemon passes in ([`StrRef`]) are
//! borrowed for the duration of one call only. Buffers the plugin returns
//! ([`OwnedBuf`]) belong to the plugin; the daemon copies what it needs and
//! hands each one back through [`PluginVTable::free_buf`].
//!
//! # Threads
//! `process` is called on one instance from several worker threads at once.
//! An instance must therefore be safe to share between threads (in Rust:
//! `Send + Sync`); per-record scratch state belongs on the stack, shared
//! caches behind a lock. `create` and `destroy` are called from one thread,
//! never concurrently with `process` on the same instance.
//!
//! # Errors and panics
//! Every function returns a [`Status`]. A non-zero status from `create` or
//! `process` fails that plugin (or that record) with the UTF-8 message the
//! plugin put in the `error` buffer. No panic or C++ exception may unwind
//! out of any of these functions: the Rust export macro catches panics and
//! reports them as [`STATUS_PANIC`].
//!
//! # Evolution
//! The layout below is frozen for `ABI_VERSION == 1`. New functions are
//! added only at the end with a new version number.

use std::ffi::c_void;

/// The version of this ABI. A library whose vtable says otherwise is refused.
pub const ABI_VERSION: u32 = 1;

/// The name of the one symbol a plugin library exports, NUL-terminated.
pub const ENTRY_SYMBOL: &[u8] = b"enrichd_plugin_entry\0";

/// Status returned by every vtable function.
pub type Status = i32;
/// The call succeeded.
pub const STATUS_OK: Status = 0;
/// The call failed; the error buffer holds a UTF-8 message.
pub const STATUS_ERROR: Status = 1;
/// The plugin panicked; the panic was caught and the error buffer holds its message.
pub const STATUS_PANIC: Status = 2;

/// A borrowed UTF-8 byte string: valid only for the duration of the call it is passed to.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct StrRef {
    /// First byte; may be dangling (but not null-derefed) when `len == 0`.
    pub ptr: *const u8,
    /// Length in bytes.
    pub len: usize,
}

/// A byte buffer allocated by the plugin and freed by the plugin's `free_buf`.
///
/// A null `ptr` means "no buffer". `cap` is for the allocator's own use
/// (Rust plugins store the `Vec` capacity there; C plugins may leave it 0).
#[repr(C)]
#[derive(Debug)]
pub struct OwnedBuf {
    /// First byte, or null for "none".
    pub ptr: *mut u8,
    /// Length in bytes.
    pub len: usize,
    /// Allocation capacity, meaningful only to the plugin that allocated it.
    pub cap: usize,
}

/// What the daemon passes to `process` for one record.
#[repr(C)]
#[derive(Debug)]
pub struct Input {
    /// The record's current `text` (UTF-8).
    pub text: StrRef,
    /// The record's `source` object as JSON: `{"path","name","bytes","sha256","modified"}`.
    pub source_json: StrRef,
    /// The fields earlier plugins added, as one JSON object.
    pub fields_json: StrRef,
}

/// What a plugin fills in from `process`. The daemon zero-initialises it.
#[repr(C)]
#[derive(Debug)]
pub struct Output {
    /// The new `text`, or a null buffer to leave the text unchanged.
    pub text: OwnedBuf,
    /// A JSON object of fields to add or replace on the record, or null for none.
    pub fields_json: OwnedBuf,
    /// On a non-zero status: the error message (UTF-8).
    pub error: OwnedBuf,
}

/// `create(config_json, context_json, &mut instance, &mut error)`: build an instance
/// from the plugin's own config section (a JSON value) and the context
/// (`{"config_dir": "..."}`: the folder relative paths resolve against).
pub type CreateFn = unsafe extern "C" fn(
    config_json: StrRef,
    context_json: StrRef,
    instance: *mut *mut c_void,
    error: *mut OwnedBuf,
) -> Status;

/// `process(instance, &input, &mut output)`: enrich one record.
pub type ProcessFn = unsafe extern "C" fn(
    instance: *const c_void,
    input: *const Input,
    output: *mut Output,
) -> Status;

/// `free_buf(buf)`: release a buffer this plugin returned.
pub type FreeBufFn = unsafe extern "C" fn(buf: OwnedBuf);

/// `destroy(instance)`: release an instance made by `create`.
pub type DestroyFn = unsafe extern "C" fn(instance: *mut c_void);

/// The table a plugin's entry symbol returns. Layout frozen for ABI version 1.
#[repr(C)]
#[derive(Debug)]
pub struct PluginVTable {
    /// Must equal [`ABI_VERSION`]; read first, before any other field.
    pub abi_version: u32,
    /// `size_of::<PluginVTable>()` as the plugin was compiled.
    pub vtable_size: u32,
    /// The plugin's name (static UTF-8, e.g. `normalize`).
    pub name: StrRef,
    /// The plugin's version (static UTF-8, e.g. `0.1.0`).
    pub version: StrRef,
    /// See [`CreateFn`].
    pub create: CreateFn,
    /// See [`ProcessFn`].
    pub process: ProcessFn,
    /// See [`FreeBufFn`].
    pub free_buf: FreeBufFn,
    /// See [`DestroyFn`].
    pub destroy: DestroyFn,
}

// SAFETY: the vtable is immutable static data: function pointers and pointers to static strings.
unsafe impl Sync for PluginVTable {}

/// The type of the exported entry symbol.
pub type EntryFn = unsafe extern "C" fn() -> *const PluginVTable;

impl StrRef {
    /// Borrow a Rust string for the duration of one call.
    pub const fn from_str(s: &str) -> StrRef {
        StrRef {
            ptr: s.as_ptr(),
            len: s.len(),
        }
    }

    /// View the bytes.
    ///
    /// # Safety
    /// `ptr` must point to `len` readable bytes that outlive `'a` (or `len` is 0).
    pub unsafe fn as_bytes<'a>(self) -> &'a [u8] {
        if self.len == 0 || self.ptr.is_null() {
            &[]
        } else {
            std::slice::from_raw_parts(self.ptr, self.len)
        }
    }
}

impl OwnedBuf {
    /// The "no buffer" value.
    pub const NULL: OwnedBuf = OwnedBuf {
        ptr: std::ptr::null_mut(),
        len: 0,
        cap: 0,
    };

    /// Whether this is the "no buffer" value.
    pub fn is_null(&self) -> bool {
        self.ptr.is_null()
    }

    /// Hand a Rust byte vector across the boundary; free it with [`OwnedBuf::into_vec`].
    pub fn from_vec(v: Vec<u8>) -> OwnedBuf {
        let mut v = std::mem::ManuallyDrop::new(v);
        OwnedBuf {
            ptr: v.as_mut_ptr(),
            len: v.len(),
            cap: v.capacity(),
        }
    }

    /// Take back a buffer made by [`OwnedBuf::from_vec`] in the same library.
    ///
    /// # Safety
    /// `self` must come from `from_vec` in this very library (same allocator) and not be used again.
    pub unsafe fn into_vec(self) -> Vec<u8> {
        if self.ptr.is_null() {
            Vec::new()
        } else {
            Vec::from_raw_parts(self.ptr, self.len, self.cap)
        }
    }

    /// View the bytes without taking ownership.
    ///
    /// # Safety
    /// `ptr` must point to `len` readable bytes (or be null).
    pub unsafe fn as_bytes(&self) -> &[u8] {
        if self.ptr.is_null() || self.len == 0 {
            &[]
        } else {
            std::slice::from_raw_parts(self.ptr, self.len)
        }
    }
}
