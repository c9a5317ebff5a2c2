//! A view the browser only ever hydrates, never builds.
//!
//! The registration form is always the first screen, so the server has always rendered it and
//! the browser only hydrates it. Building it element by element on the client is code that ran
//! only when the server sent a merchant back to the form from a later step (their session had
//! expired, say). In that case the page now reloads and the server renders the form; the code to
//! build it stays out of the WebAssembly (see BENCHMARKS.md).

use leptos::prelude::window;
use leptos::tachys::html::attribute::Attribute;
use leptos::tachys::html::attribute::any_attribute::AnyAttribute;
use leptos::tachys::hydration::Cursor;
use leptos::tachys::ssr::StreamBuilder;
use leptos::tachys::view::add_attr::AddAnyAttr;
use leptos::tachys::view::{Position, PositionState, Render, RenderHtml};

pub struct HydrateOnly<V>(pub V);

/// What building would have shown, the server renders: a full page load.
fn reload() {
    let _ = window().location().reload();
}

impl<V: Render> Render for HydrateOnly<V> {
    type State = Option<V::State>;

    fn build(self) -> Self::State {
        reload();
        None
    }

    fn rebuild(self, _state: &mut Self::State) {
        reload();
    }
}

impl<V: RenderHtml> AddAnyAttr for HydrateOnly<V> {
    type Output<SomeNewAttr: Attribute> = HydrateOnly<V::Output<SomeNewAttr>>;

    fn add_any_attr<NewAttr: Attribute>(self, attr: NewAttr) -> Self::Output<NewAttr> {
        HydrateOnly(self.0.add_any_attr(attr))
    }
}

impl<V: RenderHtml> RenderHtml for HydrateOnly<V> {
    type AsyncOutput = HydrateOnly<V::AsyncOutput>;
    type Owned = HydrateOnly<V::Owned>;

    const MIN_LENGTH: usize = V::MIN_LENGTH;

    fn dry_resolve(&mut self) {
        self.0.dry_resolve();
    }

    async fn resolve(self) -> Self::AsyncOutput {
        HydrateOnly(self.0.resolve().await)
    }

    fn html_len(&self) -> usize {
        self.0.html_len()
    }

    fn to_html_with_buf(
        self,
        buf: &mut String,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        self.0
            .to_html_with_buf(buf, position, escape, mark_branches, extra_attrs);
    }

    fn to_html_async_with_buf<const OUT_OF_ORDER: bool>(
        self,
        buf: &mut StreamBuilder,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        self.0.to_html_async_with_buf::<OUT_OF_ORDER>(
            buf,
            position,
            escape,
            mark_branches,
            extra_attrs,
        );
    }

    fn hydrate<const FROM_SERVER: bool>(
        self,
        cursor: &Cursor,
        position: &PositionState,
    ) -> Self::State {
        Some(self.0.hydrate::<FROM_SERVER>(cursor, position))
    }

    fn into_owned(self) -> Self::Owned {
        HydrateOnly(self.0.into_owned())
    }
}
