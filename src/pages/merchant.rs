//! The merchant's page at `/`: the three steps, as one island (the only part of the app the
//! browser runs).

use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;

use super::prop::Prop;
use super::{StartFromPlatform, TryAgain};
use crate::done::DoneView;
use crate::error::AppError;
use crate::i18n::{Locale, Text, Words};
use crate::registration::{REGISTRATION_FORM_ID, RegisterView};
use crate::screen::Screen;
use crate::ui::{LanguageSwitch, focus_soon};
use crate::verification::VerifyView;

/// What the page handler loaded for this browser: the screen of its step, or why it could not.
#[derive(Clone, Debug)]
pub struct LoadedScreen(pub Result<Screen, AppError>);

/// The merchant flow's route. A failure to load the flow says "try again" rather than showing
/// an empty form a merchant might fill in for nothing; with `PUBLIC_FORM=off`, a browser that
/// did not come through an onboarding link is sent to its platform.
#[component]
pub fn MerchantPage() -> impl IntoView {
    match use_context::<LoadedScreen>() {
        Some(LoadedScreen(Ok(screen))) => {
            let options = use_context::<LeptosOptions>();
            Either::Left(view! {
                // Only the page with an island loads the WebAssembly.
                {options.map(|options| view! { <HydrationScripts options islands=true/> })}
                <MerchantFlow screen=Prop::new(screen) words=page_words()/>
            })
        }
        Some(LoadedScreen(Err(AppError::LinkRequired))) => {
            Either::Right(Either::Left(view! { <StartFromPlatform/> }))
        }
        _ => Either::Right(Either::Right(view! { <TryAgain/> })),
    }
}

/// The page's language as a table for the island, from its catalog.
#[cfg(feature = "ssr")]
fn page_words() -> Prop<Words> {
    Prop::new(Words::of(Locale::current()))
}

/// The browser's build has no catalog and renders no page; this is here for the page's
/// component to compile in it (no code of the island calls it).
#[cfg(not(feature = "ssr"))]
fn page_words() -> Prop<Words> {
    unreachable!("only the server renders pages")
}

/// The steps and the current step's screen, rendered by the server and then driven in the
/// browser: the server functions' answers move it from step to step without a reload. `words`
/// is the page's language, every key of it: the browser has no catalog of its own.
#[island]
pub fn MerchantFlow(screen: Prop<Screen>, words: Prop<Words>) -> impl IntoView {
    // The island's views are in the page's language, in the browser as on the server.
    let words = words.into_inner();
    provide_context(words.locale());
    words.install();
    let screen = RwSignal::new(screen.into_inner());
    let step = StepChange(screen.write_only());
    // Effects run in the browser only: this one once the island is alive.
    Effect::new(|_| mark_hydrated());
    // On the form, the switch sends what was typed along.
    let switch_form = Memo::new(move |_| {
        screen.with(|screen| matches!(screen, Screen::Register(_)).then_some(REGISTRATION_FORM_ID))
    });
    view! {
        <StepIndicator screen/>
        <main id="main" class="container">
            {move || match screen.get() {
                Screen::Register(s) => EitherOf3::A(view! { <RegisterView screen=s step/> }),
                Screen::Verify(s) => EitherOf3::B(view! { <VerifyView screen=s step/> }),
                Screen::Done(s) => EitherOf3::C(view! { <DoneView screen=s/> }),
            }}
        </main>
        // After the form in the page's order: a button that sends the form must never be the
        // one Enter presses in a field.
        {move || view! { <LanguageSwitch form=switch_form.get()/> }}
    }
}

/// Tells tests (and styles) that the page has come alive; the benchmark reads the mark.
fn mark_hydrated() {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-hydrated", "true");
    }
    if let Some(performance) = window().performance() {
        let _ = performance.mark("hydrated");
    }
}

/// Moves the page on to another step, as the views' server calls answer.
#[derive(Clone, Copy)]
pub struct StepChange(WriteSignal<Screen>);

impl StepChange {
    /// `next` replaces the page's content: keyboard and screen-reader focus go to its heading,
    /// as a page load would take them to the top.
    pub fn go(self, next: Screen) {
        self.0.set(next);
        focus_soon("main h1");
    }
}

/// Where the merchant is in the three steps.
#[component]
fn StepIndicator(screen: RwSignal<Screen>) -> impl IntoView {
    let current = move || match screen.get() {
        Screen::Register(_) => 1,
        Screen::Verify(_) => 2,
        Screen::Done(_) => 3,
    };
    let locale = Locale::current();
    let step = move |number: u8, label: Text| {
        view! {
            <li class:current=move || current() == number
                aria-current=move || (current() == number).then_some("step")>
                {locale.text(label)}
            </li>
        }
    };
    view! {
        <nav class="steps" aria-label=locale.text(Text::StepsLabel)>
            <ol>
                {step(1, Text::StepYourDetails)}
                {step(2, Text::StepConfirmPhone)}
                {step(3, Text::StepDone)}
            </ol>
        </nav>
    }
}
