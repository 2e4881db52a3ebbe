//! Files in and out of the browser: offering text as a download, and reading the file a
//! learner chose in an `<input type="file">`.

use wasm_bindgen::JsCast;

/// Offers `text` as a file download named `name`, of MIME type `mime`.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    download_parts(
        name,
        mime,
        &js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text)),
    )
}

/// Offers the concatenation of `parts` (strings) as a file download, without joining
/// them into one string first.
pub fn download_parts(name: &str, mime: &str, parts: &js_sys::Array) -> Result<(), String> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(parts, &options)
        .map_err(|_| "The browser could not build the file.".to_owned())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "The browser could not offer the file.".to_owned())?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("No document.")?;
    let anchor = document
        .create_element("a")
        .map_err(|_| "No link element.".to_owned())?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| "No link element.".to_owned())?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// The name of the file chosen in the input that fired `ev`, if one was chosen (read it
/// before [`chosen_file_text`], which clears the input).
pub fn chosen_file_name(ev: &leptos::ev::Event) -> Option<String> {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|i| i.files())
        .and_then(|f| f.get(0))
        .map(|f| f.name())
}

/// The text of the file chosen in the input that fired `ev`, if one was chosen. The input
/// is cleared, so choosing the same file again fires again.
pub fn chosen_file_text(
    ev: &leptos::ev::Event,
) -> Option<impl std::future::Future<Output = Result<String, String>>> {
    let input = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())?;
    let file = input.files().and_then(|f| f.get(0))?;
    let promise = file.text();
    input.set_value("");
    Some(async move {
        wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map(|v| v.as_string().unwrap_or_default())
            .map_err(|_| "The file could not be read.".to_owned())
    })
}
