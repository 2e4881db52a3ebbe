//! A `<select>` over names that can disappear (a queue removed, a preset loaded): it
//! always shows the value it holds, and a value whose option is gone is cleared, so what
//! the learner sees selected is what an action will use.

use leptos::prelude::*;

/// A `<select>` of `options`, showing `value`; `none` is a first, empty choice. When
/// `value` is no longer among the options it becomes empty (with `none`) or the first
/// option.
#[component]
pub fn Choice(
    id: &'static str,
    testid: &'static str,
    value: RwSignal<String>,
    #[prop(into)] options: Signal<Vec<String>>,
    #[prop(optional)] none: Option<&'static str>,
) -> impl IntoView {
    Effect::new(move |_| {
        let names = options.get();
        let current = value.get_untracked();
        let kept = names.contains(&current) || (current.is_empty() && none.is_some());
        if !kept {
            let fallback = match none {
                Some(_) => String::new(),
                None => names.first().cloned().unwrap_or_default(),
            };
            if fallback != current {
                value.set(fallback);
            }
        }
    });
    view! {
        <select id=id data-testid=testid on:change=move |ev| value.set(event_target_value(&ev))>
            {none.map(|label| view! { <option value="" prop:selected=move || value.get().is_empty()>{label}</option> })}
            {move || options.get().into_iter().map(|n| {
                let (chosen, label) = (n.clone(), n.clone());
                view! { <option value=n prop:selected=move || value.get() == chosen>{label}</option> }
            }).collect_view()}
        </select>
    }
}
