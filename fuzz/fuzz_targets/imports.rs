//! Event imports (NDJSON of CloudEvents, one per line): every line is refused with its
//! line and field or read, never a panic; an event read exports as a CloudEvents line
//! that reads back as the same event.
#![no_main]
use dojo_engine::transfer::{export_line, read_envelope, ExportFormat, ImportReader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut reader = ImportReader::default();
    for line in text.split('\n') {
        let _ = reader.read(line);
        if let Ok(envelope) = read_envelope(line) {
            let exported = export_line(&envelope, ExportFormat::CloudEvents);
            let again = read_envelope(&exported).expect("an exported line reads back");
            assert_eq!(again, envelope, "{line:?} exported as {exported:?}");
            let _ = export_line(&envelope, ExportFormat::PutEvents);
        }
    }
});
