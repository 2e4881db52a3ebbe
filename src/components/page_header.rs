//! The heading every page opens with: its title, a line on what it is for, and anything
//! the page adds below them (a notice, a summary).

use leptos::prelude::*;

/// A page's title and introduction. With `back_to_map`, a link back to the level map
/// comes first (the exercise and quiz pages).
#[component]
pub fn PageHeader(
    title: &'static str,
    intro: &'static str,
    #[prop(optional)] back_to_map: bool,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="page-title">
            {back_to_map.then(|| view! { <p><a href=crate::paths::href("/learn")>"← Level map"</a></p> })}
            <h1>{title}</h1>
            <p class="muted">{intro}</p>
            {children.map(|c| c())}
        </div>
    }
}
