//! Two view wrappers that choose which of a view's code paths the browser gets.
//!
//! A view can be built (made in the browser), hydrated (attached to the server's HTML) or
//! updated in place. The code for each path is compiled for every distinct view type, whether or
//! not the path can ever run. These wrappers keep the paths that cannot run out of the
//! WebAssembly (see BENCHMARKS.md). Rendering on the server is unchanged.

use leptos::prelude::window;
use leptos::tachys::html::attribute::Attribute;
use leptos::tachys::html::attribute::any_attribute::AnyAttribute;
use leptos::tachys::hydration::Cursor;
use leptos::tachys::ssr::StreamBuilder;
use leptos::tachys::view::add_attr::AddAnyAttr;
use leptos::tachys::view::{Mountable, Position, PositionState, Render, RenderHtml};

/// A view that is built anew, never updated in place, when the closure holding it runs again.
///
/// The step switch swaps one whole screen for another and never re-renders a screen in place,
/// yet the code to update every element of every screen in place was compiled in. Wrapped in
/// `Fresh`, a change builds the new view and replaces the old one.
pub struct Fresh<V>(pub V);

impl<V: Render> Render for Fresh<V> {
    type State = V::State;

    fn build(self) -> Self::State {
        self.0.build()
    }

    fn rebuild(self, state: &mut Self::State) {
        let new = self.0.build();
        let mut old = std::mem::replace(state, new);
        old.insert_before_this(state);
        old.unmount();
    }
}

/// A view the browser only ever hydrates, never builds.
///
/// The registration form is always the first screen, so the server has always rendered it and
/// the browser only hydrates it. Building it on the client was code that ran only when a later
/// step's answer sent the merchant back to the form (an expired session, say). Now the page
/// reloads in that case, and the server renders the form.
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

/// Everything else (server rendering, attributes spread onto the view, hydration) goes to the
/// wrapped view; `$hydrated` turns the wrapped view's hydrated state into the wrapper's.
macro_rules! delegate_to_wrapped_view {
    ($wrapper:ident, $hydrated:expr) => {
        impl<V: RenderHtml> AddAnyAttr for $wrapper<V> {
            type Output<SomeNewAttr: Attribute> = $wrapper<V::Output<SomeNewAttr>>;

            fn add_any_attr<NewAttr: Attribute>(self, attr: NewAttr) -> Self::Output<NewAttr> {
                $wrapper(self.0.add_any_attr(attr))
            }
        }

        impl<V: RenderHtml> RenderHtml for $wrapper<V> {
            type AsyncOutput = $wrapper<V::AsyncOutput>;
            type Owned = $wrapper<V::Owned>;

            const MIN_LENGTH: usize = V::MIN_LENGTH;

            fn dry_resolve(&mut self) {
                self.0.dry_resolve();
            }

            async fn resolve(self) -> Self::AsyncOutput {
                $wrapper(self.0.resolve().await)
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
                $hydrated(self.0.hydrate::<FROM_SERVER>(cursor, position))
            }

            fn into_owned(self) -> Self::Owned {
                $wrapper(self.0.into_owned())
            }
        }
    };
}

delegate_to_wrapped_view!(Fresh, std::convert::identity);
delegate_to_wrapped_view!(HydrateOnly, Some);
