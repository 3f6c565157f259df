//! WASI 0.3 bindings for the guests of `src/bin/`, from the project's own
//! `wit/p3`, and small helpers the guests share.

wit_bindgen::generate!({
    path: "../../wit/p3",
    world: "wasi:cli/command",
    pub_export_macro: true,
    default_bindings_module: "wasi_guests_p3",
    additional_derives: [PartialEq],
    generate_all
});

use wasi::cli::stdout;

/// Writes `bytes` to stdout through one `write-via-stream`, waiting for
/// the host to report it written.
pub async fn out(bytes: impl Into<Vec<u8>>) {
    let (mut tx, rx) = wit_stream::new();
    let bytes = bytes.into();
    let (result, ()) = futures::join!(async { stdout::write_via_stream(rx).await }, async {
        let rest = tx.write_all(bytes).await;
        assert!(rest.is_empty(), "stdout took only part of the bytes");
        drop(tx);
    });
    result.expect("stdout write-via-stream");
}

/// Writes one line to stdout.
pub async fn line(text: impl std::fmt::Display) {
    out(format!("{text}\n")).await;
}

/// Writes `text` to stderr through one `write-via-stream`.
pub async fn err(text: impl Into<String>) {
    let (mut tx, rx) = wit_stream::new();
    let bytes = text.into().into_bytes();
    let (result, ()) = futures::join!(async { wasi::cli::stderr::write_via_stream(rx).await }, async {
        tx.write_all(bytes).await;
        drop(tx);
    });
    result.expect("stderr write-via-stream");
}
