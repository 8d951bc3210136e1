//! The ABI as the daemon sees it, exercised on the functions `export_plugin!`
//! generates: panics are caught, errors carry their message, buffers round-trip.

use enrichd_plugin_api::abi::{
    Input, Output, OwnedBuf, PluginVTable, StrRef, ABI_VERSION, STATUS_ERROR, STATUS_OK,
    STATUS_PANIC,
};
use enrichd_plugin_api::{export_plugin, Context, Document, Error, Output as PluginOutput, Plugin};
use std::ffi::c_void;

struct Probe {
    greeting: String,
}

impl Plugin for Probe {
    const NAME: &'static str = "probe";
    const VERSION: &'static str = "9.9.9";

    fn create(config: &serde_json::Value, ctx: &Context) -> Result<Self, Error> {
        if config.get("refuse").is_some() {
            return Err(Error::new(format!(
                "refused in {}",
                ctx.config_dir.display()
            )));
        }
        Ok(Probe {
            greeting: config
                .get("greeting")
                .and_then(|v| v.as_str())
                .unwrap_or("hi")
                .to_string(),
        })
    }

    fn process(&self, doc: &Document<'_>) -> Result<PluginOutput, Error> {
        match doc.text() {
            "panic" => panic!("boom on purpose"),
            "fail" => Err(Error::new("asked to fail")),
            text => {
                let mut out = PluginOutput::default();
                let earlier = doc.field("earlier")?.cloned();
                out.set(
                    "echo",
                    serde_json::json!({
                        "greeting": self.greeting,
                        "earlier": earlier,
                        "source_name": doc.source()?.name,
                    }),
                )?;
                out.set_text(text.to_uppercase());
                Ok(out)
            }
        }
    }
}

export_plugin!(Probe);

fn vtable() -> &'static PluginVTable {
    // SAFETY: the generated entry returns a pointer to a static.
    unsafe { &*enrichd_plugin_entry() }
}

fn take(vt: &PluginVTable, buf: OwnedBuf) -> Option<String> {
    if buf.is_null() {
        return None;
    }
    // SAFETY: the buffer came from this vtable; copied, then freed once.
    let s = String::from_utf8(unsafe { buf.as_bytes() }.to_vec()).unwrap();
    unsafe { (vt.free_buf)(buf) };
    Some(s)
}

fn create(vt: &PluginVTable, config: &str) -> Result<*mut c_void, String> {
    let mut instance: *mut c_void = std::ptr::null_mut();
    let mut error = OwnedBuf::NULL;
    let status = unsafe {
        (vt.create)(
            StrRef::from_str(config),
            StrRef::from_str(r#"{"config_dir":"/etc/enrichd"}"#),
            &mut instance,
            &mut error,
        )
    };
    match status {
        STATUS_OK => Ok(instance),
        _ => Err(take(vt, error).unwrap_or_default()),
    }
}

fn call(
    vt: &PluginVTable,
    instance: *mut c_void,
    text: &str,
) -> (i32, Option<String>, Option<String>, Option<String>) {
    let input = Input {
        text: StrRef::from_str(text),
        source_json: StrRef::from_str(
            r#"{"path":"/d/a.txt","name":"a.txt","bytes":3,"sha256":"x","modified":null}"#,
        ),
        fields_json: StrRef::from_str(r#"{"earlier":{"n":1}}"#),
    };
    let mut out = Output {
        text: OwnedBuf::NULL,
        fields_json: OwnedBuf::NULL,
        error: OwnedBuf::NULL,
    };
    let status = unsafe { (vt.process)(instance, &input, &mut out) };
    (
        status,
        take(vt, out.text),
        take(vt, out.fields_json),
        take(vt, out.error),
    )
}

#[test]
fn the_vtable_starts_with_the_abi_version_and_names_the_plugin() {
    let vt = vtable();
    assert_eq!(vt.abi_version, ABI_VERSION);
    assert_eq!(vt.vtable_size as usize, std::mem::size_of::<PluginVTable>());
    assert_eq!(unsafe { vt.name.as_bytes() }, b"probe");
    assert_eq!(unsafe { vt.version.as_bytes() }, b"9.9.9");
}

#[test]
fn a_record_round_trips_text_fields_and_source() {
    let vt = vtable();
    let instance = create(vt, r#"{"greeting":"chào"}"#).unwrap();
    let (status, text, fields, error) = call(vt, instance, "abc");
    assert_eq!(status, STATUS_OK, "{error:?}");
    assert_eq!(text.as_deref(), Some("ABC"));
    let fields: serde_json::Value = serde_json::from_str(&fields.unwrap()).unwrap();
    assert_eq!(
        fields,
        serde_json::json!({"echo": {"greeting": "chào", "earlier": {"n": 1}, "source_name": "a.txt"}})
    );
    unsafe { (vt.destroy)(instance) };
}

#[test]
fn a_panic_is_caught_and_reported_as_that_records_error() {
    let vt = vtable();
    let instance = create(vt, "").unwrap();
    let (status, text, fields, error) = call(vt, instance, "panic");
    assert_eq!(status, STATUS_PANIC);
    assert!(text.is_none() && fields.is_none());
    assert_eq!(error.as_deref(), Some("plugin panicked: boom on purpose"));
    // The instance still works afterwards.
    assert_eq!(call(vt, instance, "ok").0, STATUS_OK);
    unsafe { (vt.destroy)(instance) };
}

#[test]
fn an_error_carries_its_message() {
    let vt = vtable();
    let instance = create(vt, "").unwrap();
    let (status, _, _, error) = call(vt, instance, "fail");
    assert_eq!(status, STATUS_ERROR);
    assert_eq!(error.as_deref(), Some("asked to fail"));
    unsafe { (vt.destroy)(instance) };
}

#[test]
fn create_reports_refused_settings_and_bad_json() {
    let vt = vtable();
    assert_eq!(
        create(vt, r#"{"refuse":true}"#).unwrap_err(),
        "refused in /etc/enrichd"
    );
    assert!(create(vt, "{not json")
        .unwrap_err()
        .starts_with("plugin config is not JSON"));
}

#[test]
fn concurrent_calls_on_one_instance_are_allowed() {
    let vt = vtable();
    let instance = create(vt, "").unwrap() as usize;
    std::thread::scope(|s| {
        for t in 0..4 {
            s.spawn(move || {
                for i in 0..200 {
                    let text = format!("t{t} r{i}");
                    let (status, out, _, _) = call(vt, instance as *mut c_void, &text);
                    assert_eq!(status, STATUS_OK);
                    assert_eq!(out.unwrap(), text.to_uppercase());
                }
            });
        }
    });
    unsafe { (vt.destroy)(instance as *mut c_void) };
}
