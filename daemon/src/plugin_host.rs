//! Loading plugin libraries and calling them through the C ABI.
//!
//! The safe wrapper around a plugin's vtable: the ABI handshake (symbol,
//! version, vtable size), instance creation, and one call per record with
//! the buffers handed back to the plugin's own `free_buf`.
//!
//! Libraries are never unloaded (see `../shared/notes/pitfalls.md`: thread-local
//! destructors of a Rust library crash after `dlclose`); each loaded library is
//! leaked on purpose for the life of the process.

use enrichd_plugin_api::abi::{
    EntryFn, Input, Output, OwnedBuf, PluginVTable, StrRef, ABI_VERSION, ENTRY_SYMBOL, STATUS_OK,
    STATUS_PANIC,
};
use std::ffi::c_void;
use std::path::{Path, PathBuf};

/// Why a plugin could not be loaded or created.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("plugin library {path}: no such file (is plugin_dir right? built-in plugins are built by `cargo build --release`)")]
    Missing { path: PathBuf },
    #[error("plugin library {path}: cannot be loaded: {cause}")]
    Open {
        path: PathBuf,
        cause: libloading::Error,
    },
    #[error(
        "plugin library {path}: has no `enrichd_plugin_entry` symbol, so it is not an enrichd plugin ({cause})"
    )]
    NoEntry {
        path: PathBuf,
        cause: libloading::Error,
    },
    #[error("plugin library {path}: `enrichd_plugin_entry` returned a null vtable")]
    NullVTable { path: PathBuf },
    #[error(
        "plugin library {path}: speaks plugin ABI version {found}, but this enrichd speaks version {expected}; rebuild the plugin against enrichd-plugin-api for ABI {expected}"
    )]
    AbiVersion {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    #[error("plugin library {path}: vtable is {found} bytes, ABI {ABI_VERSION} needs at least {expected}")]
    VTableSize {
        path: PathBuf,
        found: u32,
        expected: usize,
    },
    #[error("plugin library {path}: its {what} is not UTF-8")]
    BadString { path: PathBuf, what: &'static str },
    #[error("plugin {name} ({path}): refused its settings: {message}")]
    Create {
        name: String,
        path: PathBuf,
        message: String,
    },
}

/// A plugin library loaded and checked, not yet instantiated.
pub struct Library {
    vtable: &'static PluginVTable,
    path: PathBuf,
    name: String,
    version: String,
}

impl Library {
    /// Load `path`, find the entry symbol and check the ABI version and vtable size.
    pub fn load(path: &Path) -> Result<Library, LoadError> {
        if !path.exists() {
            return Err(LoadError::Missing {
                path: path.to_path_buf(),
            });
        }
        // SAFETY: loading a library runs its initialisers; plugins are code the operator chose to run.
        let lib = unsafe { libloading::Library::new(path) }.map_err(|cause| LoadError::Open {
            path: path.to_path_buf(),
            cause,
        })?;
        // Never unloaded: see the module docs.
        let lib: &'static libloading::Library = Box::leak(Box::new(lib));
        // SAFETY: the symbol's type is fixed by the ABI.
        let entry: libloading::Symbol<EntryFn> =
            unsafe { lib.get(ENTRY_SYMBOL) }.map_err(|cause| LoadError::NoEntry {
                path: path.to_path_buf(),
                cause,
            })?;
        // SAFETY: the entry function takes no arguments and returns a pointer to static data.
        let raw = unsafe { entry() };
        if raw.is_null() {
            return Err(LoadError::NullVTable {
                path: path.to_path_buf(),
            });
        }
        // Read the version alone first: a vtable of another ABI may have another layout.
        // SAFETY: every ABI version starts with a u32 version field.
        let found = unsafe { std::ptr::read(raw as *const u32) };
        if found != ABI_VERSION {
            return Err(LoadError::AbiVersion {
                path: path.to_path_buf(),
                found,
                expected: ABI_VERSION,
            });
        }
        // SAFETY: the version matches, so the second field is the vtable size.
        let size = unsafe { std::ptr::read((raw as *const u32).add(1)) };
        if (size as usize) < std::mem::size_of::<PluginVTable>() {
            return Err(LoadError::VTableSize {
                path: path.to_path_buf(),
                found: size,
                expected: std::mem::size_of::<PluginVTable>(),
            });
        }
        // SAFETY: version and size match ABI 1; the vtable is static in a library never unloaded.
        let vtable: &'static PluginVTable = unsafe { &*raw };
        let text = |s: StrRef, what| {
            // SAFETY: the vtable's strings are static in the library.
            std::str::from_utf8(unsafe { s.as_bytes() })
                .map(str::to_string)
                .map_err(|_| LoadError::BadString {
                    path: path.to_path_buf(),
                    what,
                })
        };
        Ok(Library {
            vtable,
            path: path.to_path_buf(),
            name: text(vtable.name, "name")?,
            version: text(vtable.version, "version")?,
        })
    }

    /// Build an instance from the plugin's settings (JSON) and the config folder.
    pub fn instantiate(
        self,
        settings: &serde_json::Value,
        config_dir: &Path,
    ) -> Result<Plugin, LoadError> {
        let config_json = if settings.is_null() {
            String::new()
        } else {
            settings.to_string()
        };
        let context = enrichd_plugin_api::Context {
            config_dir: config_dir.to_path_buf(),
        };
        let context_json = serde_json::to_string(&context).map_err(|e| LoadError::Create {
            name: self.name.clone(),
            path: self.path.clone(),
            message: e.to_string(),
        })?;
        let mut instance: *mut c_void = std::ptr::null_mut();
        let mut error = OwnedBuf::NULL;
        // SAFETY: arguments follow the ABI; the strings live across the call.
        let status = unsafe {
            (self.vtable.create)(
                StrRef::from_str(&config_json),
                StrRef::from_str(&context_json),
                &mut instance,
                &mut error,
            )
        };
        let message = self.take_string(error);
        if status != STATUS_OK || instance.is_null() {
            return Err(LoadError::Create {
                name: self.name.clone(),
                path: self.path.clone(),
                message: if message.is_empty() {
                    format!("create returned status {status} and no instance")
                } else {
                    message
                },
            });
        }
        Ok(Plugin {
            lib: self,
            instance,
        })
    }

    /// Copy a plugin-owned buffer into a Rust string and hand it back to the plugin.
    fn take_string(&self, buf: OwnedBuf) -> String {
        if buf.is_null() {
            return String::new();
        }
        // SAFETY: the plugin returned this buffer; we copy it before freeing it.
        let s = String::from_utf8_lossy(unsafe { buf.as_bytes() }).into_owned();
        // SAFETY: freed exactly once, by the library that allocated it.
        unsafe { (self.vtable.free_buf)(buf) };
        s
    }
}

/// What one call of a plugin produced.
pub struct Outcome {
    /// The new text, if the plugin replaced it.
    pub text: Option<String>,
    /// Fields to merge into the record.
    pub fields: crate::record::Fields,
    /// The same fields as the plugin wrote them (a JSON object), when it returned any.
    pub fields_json: Option<String>,
}

/// A plugin's failure on one record.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("{0}")]
    Failed(String),
    #[error("{0}")]
    Panicked(String),
    #[error("returned text that is not UTF-8")]
    TextNotUtf8,
    #[error("returned fields that are not a JSON object: {0}")]
    BadFields(String),
}

/// A created plugin instance, callable from several threads at once.
pub struct Plugin {
    lib: Library,
    instance: *mut c_void,
}

// SAFETY: the ABI requires plugin instances to accept concurrent `process` calls (documented in
// `enrichd_plugin_api::abi`); `destroy` runs only in `Drop`, when no call is in flight.
unsafe impl Send for Plugin {}
// SAFETY: as above.
unsafe impl Sync for Plugin {}

impl Plugin {
    /// The plugin's name.
    pub fn name(&self) -> &str {
        &self.lib.name
    }

    /// The plugin's version.
    pub fn version(&self) -> &str {
        &self.lib.version
    }

    /// The library file it was loaded from.
    pub fn path(&self) -> &Path {
        &self.lib.path
    }

    /// Run the plugin on one record. `text`, `source_json` and `fields_json` are borrowed, not copied.
    pub fn call(
        &self,
        text: &str,
        source_json: &str,
        fields_json: &str,
    ) -> Result<Outcome, CallError> {
        let input = Input {
            text: StrRef::from_str(text),
            source_json: StrRef::from_str(source_json),
            fields_json: StrRef::from_str(fields_json),
        };
        let mut output = Output {
            text: OwnedBuf::NULL,
            fields_json: OwnedBuf::NULL,
            error: OwnedBuf::NULL,
        };
        // SAFETY: the instance came from this library's `create`; input borrows live across the call.
        let status = unsafe { (self.lib.vtable.process)(self.instance, &input, &mut output) };
        let Output {
            text: text_buf,
            fields_json: fields_buf,
            error,
        } = output;
        let error = self.lib.take_string(error);
        // Take (and free) both buffers before deciding, so nothing leaks on any path.
        let new_text = self.take_bytes(text_buf);
        let fields = self.take_bytes(fields_buf);
        if status != STATUS_OK {
            let message = if error.is_empty() {
                format!("failed with status {status}")
            } else {
                error
            };
            return Err(if status == STATUS_PANIC {
                CallError::Panicked(message)
            } else {
                CallError::Failed(message)
            });
        }
        let text = match new_text {
            Some(bytes) => {
                Some(crate::utf8::into_string(bytes).map_err(|_| CallError::TextNotUtf8)?)
            }
            None => None,
        };
        let (fields, fields_json) = match fields {
            Some(bytes) => {
                let json = crate::utf8::into_string(bytes).map_err(|bytes| {
                    let e = String::from_utf8(bytes).err();
                    CallError::BadFields(e.map(|e| e.to_string()).unwrap_or_default())
                })?;
                let map = enrichd_json::members(&json)
                    .map_err(|e| CallError::BadFields(e.to_string()))?
                    .into_iter()
                    .map(|m| {
                        (
                            m.name.into_owned(),
                            crate::record::RawJson::checked(m.value),
                        )
                    })
                    .collect();
                (map, Some(json))
            }
            None => (crate::record::Fields::new(), None),
        };
        Ok(Outcome {
            text,
            fields,
            fields_json,
        })
    }

    fn take_bytes(&self, buf: OwnedBuf) -> Option<Vec<u8>> {
        if buf.is_null() {
            return None;
        }
        // SAFETY: the plugin returned this buffer; copy, then free it in the plugin.
        let bytes = unsafe { buf.as_bytes() }.to_vec();
        // SAFETY: freed once, by its allocator.
        unsafe { (self.lib.vtable.free_buf)(buf) };
        Some(bytes)
    }
}

impl Drop for Plugin {
    fn drop(&mut self) {
        // SAFETY: the instance came from `create` and no call is in flight (we hold it by value).
        unsafe { (self.lib.vtable.destroy)(self.instance) };
    }
}
