//! The "Add postage" pages, server-rendered from what the handler loaded ([`PostageLoaded`]).
//! Plain HTML forms and links: nothing here runs in the browser.

use leptos::either::{Either, EitherOf4};
use leptos::prelude::*;
use leptos_meta::Title;

use super::{
    AmountPage, FundingRefusal, FundingStatus, MIN_CENTS, Money, OTHER, POSTAGE_PATH, PRESETS,
    PostageField, PostageLoaded, RequestPage,
};
use crate::error::AppError;
use crate::i18n::{Locale, PostageText, Text};
use crate::pages::{NotFound, TryAgain};
use crate::ui::LanguageSwitch;

/// Both routes' page (`/account/postage` and `/account/postage/:id`).
#[component]
pub fn PostagePage() -> impl IntoView {
    match use_context::<PostageLoaded>() {
        Some(PostageLoaded::Amount(page)) => EitherOf4::A(view! { <AmountView page=*page/> }),
        Some(PostageLoaded::Request(page)) => EitherOf4::B(view! { <RequestView page=*page/> }),
        Some(PostageLoaded::Unavailable) => EitherOf4::C(view! {
            <Page title=PostageText::UnavailableTitle>
                <p class="lede">{Locale::current().postage(PostageText::UnavailableBody)}</p>
                <BackToAccount/>
            </Page>
        }),
        Some(PostageLoaded::Failed) => EitherOf4::D(Either::Left(view! { <TryAgain/> })),
        Some(PostageLoaded::NotFound) | None => EitherOf4::D(Either::Right(view! { <NotFound/> })),
    }
}

/// The page around each view: its title as `<title>` and heading, the language switch after.
#[component]
fn Page(title: PostageText, children: Children) -> impl IntoView {
    let title = Locale::current().postage(title);
    view! {
        <Title text=title/>
        <main id="main" class="container">
            <h1>{title}</h1>
            {children()}
        </main>
        <LanguageSwitch/>
    }
}

#[component]
fn BackToAccount() -> impl IntoView {
    view! { <p><a href="/">{Locale::current().postage(PostageText::BackToAccount)}</a></p> }
}

/// A balance, or "not available right now".
fn balance_text(locale: Locale, balance: Option<Money>) -> String {
    balance.map_or_else(
        || locale.text(Text::DoneBalanceUnavailable).to_owned(),
        |balance| locale.money(balance),
    )
}

/// The summary at the top of a refused post: the field problems as links, or the message.
#[component]
fn ProblemSummary(error: AppError) -> impl IntoView {
    let locale = Locale::current();
    let body = match error.field_errors() {
        Some(fields) => Either::Left(view! {
            <ul>
                {fields.iter().map(|e| view! {
                    <li><a href=format!("#{}", e.field.name())>{locale.field_problem(e.problem)}</a></li>
                }).collect_view()}
            </ul>
        }),
        None => Either::Right(view! { <p>{error.message(locale)}</p> }),
    };
    view! {
        <div class="error-summary error-summary--shown" role="alert" tabindex="-1"
            aria-labelledby="error-summary-title">
            <h2 id="error-summary-title">{locale.text(Text::SummaryTitle)}</h2>
            {body}
        </div>
    }
}

/// A field's message, as the flow's forms show it.
fn field_message(
    locale: Locale,
    error: Option<&AppError>,
    field: PostageField,
) -> Option<impl IntoView + use<>> {
    let problem = error?.field_errors()?.get(field)?;
    Some(view! {
        <p class="field-error" id=format!("{}-error", field.name())>
            <span class="visually-hidden">{locale.text(Text::ErrorPrefix)}</span>
            {locale.field_problem(problem)}
        </p>
    })
}

#[component]
fn AmountView(page: AmountPage) -> impl IntoView {
    let locale = Locale::current();
    let words = locale.postage_words();
    let AmountPage {
        account,
        balance,
        form,
        error,
        max_cents,
    } = page;
    let (amount, other) = (PostageField::Amount, PostageField::OtherAmount);
    let amount_problem = field_message(locale, error.as_ref(), amount);
    let other_problem = field_message(locale, error.as_ref(), other);
    let (amount_invalid, other_invalid) = (amount_problem.is_some(), other_problem.is_some());
    let chosen = form.amount.clone();
    let presets = PRESETS
        .into_iter()
        .filter(|&dollars| i64::from(dollars) * 100 <= max_cents)
        .map(|dollars| {
            let value = dollars.to_string();
            let id = format!("amount-{value}");
            let checked = chosen == value;
            view! {
                <div class="radio">
                    <input type="radio" id=id.clone() name=amount.name() value=value checked=checked/>
                    <label for=id>{locale.money(Money::usd_cents(i64::from(dollars) * 100))}</label>
                </div>
            }
        })
        .collect_view();
    let range = words.amount_range(
        &locale.money(Money::usd_cents(MIN_CENTS)),
        &locale.money(Money::usd_cents(max_cents)),
    );
    let other_hint = format!("{}-hint", other.name());
    let other_described = if other_invalid {
        format!("{other_hint} {}-error", other.name())
    } else {
        other_hint.clone()
    };
    view! {
        <Page title=PostageText::AmountTitle>
            <p class="lede">{words.postage(PostageText::AmountLede)}</p>
            <dl class="summary-list">
                <div><dt>{locale.text(Text::DoneNickname)}</dt><dd>{account.nickname}</dd></div>
                <div>
                    <dt>{words.postage(PostageText::CurrentBalance)}</dt>
                    <dd>{balance_text(locale, balance)}</dd>
                </div>
            </dl>
            {error.clone().map(|error| view! { <ProblemSummary error/> })}
            <form method="post" action=POSTAGE_PATH novalidate>
                <fieldset class="field" class:field--error=amount_invalid id=amount.name()
                    aria-describedby=amount_invalid.then(|| format!("{}-error", amount.name()))>
                    <legend>{words.postage(PostageText::AmountLegend)}</legend>
                    {amount_problem}
                    <div class="radios">
                        {presets}
                        <div class="radio">
                            <input type="radio" id="amount-other" name=amount.name() value=OTHER
                                checked=chosen == OTHER/>
                            <label for="amount-other">{words.postage(PostageText::OtherAmount)}</label>
                        </div>
                    </div>
                </fieldset>
                <div class="field" class:field--error=other_invalid>
                    <label for=other.name()>{words.postage(PostageText::OtherAmountLabel)}</label>
                    <p class="hint" id=other_hint>{range}</p>
                    {other_problem}
                    <input type="text" id=other.name() name=other.name() class="input input--short"
                        inputmode="decimal" autocomplete="off" spellcheck="false"
                        aria-invalid=other_invalid.then_some("true")
                        aria-describedby=other_described value=form.other_amount/>
                </div>
                <button type="submit" class="button">{words.postage(PostageText::ContinueButton)}</button>
            </form>
            <BackToAccount/>
        </Page>
    }
}

#[component]
fn RequestView(page: RequestPage) -> impl IntoView {
    let locale = Locale::current();
    let words = locale.postage_words();
    let amount = locale.money(page.amount);
    let path = format!("{POSTAGE_PATH}/{}", page.id);
    match page.status {
        FundingStatus::Pending => {
            // "Change amount" opens the form with this amount chosen.
            let dollars = page.amount.cents / 100;
            let change = if page.amount.cents % 100 == 0
                && PRESETS.iter().any(|&p| i64::from(p) == dollars)
            {
                format!("{POSTAGE_PATH}?amount={dollars}")
            } else {
                format!(
                    "{POSTAGE_PATH}?amount={OTHER}&other_amount={}.{:02}",
                    dollars,
                    page.amount.cents % 100
                )
            };
            EitherOf4::A(view! {
                <Page title=PostageText::ConfirmTitle>
                    {page.error.map(|error| view! { <ProblemSummary error/> })}
                    <p class="lede">{words.charge_notice(&amount)}</p>
                    <dl class="summary-list">
                        <div><dt>{words.postage(PostageText::AmountLabel)}</dt><dd>{amount}</dd></div>
                        <div>
                            <dt>{words.postage(PostageText::CurrentBalance)}</dt>
                            <dd>{balance_text(locale, page.balance)}</dd>
                        </div>
                    </dl>
                    <form method="post" action=path>
                        <p><button type="submit" class="button">{words.postage(PostageText::ConfirmButton)}</button></p>
                    </form>
                    <p><a class="button button--secondary" href=change>{words.postage(PostageText::ChangeAmount)}</a></p>
                </Page>
            })
        }
        FundingStatus::Charging => EitherOf4::B(view! {
            <Page title=PostageText::ChargingTitle>
                <p class="lede">{words.postage(PostageText::ChargingBody)}</p>
                <p><a class="button" href=path>{words.postage(PostageText::RefreshLink)}</a></p>
            </Page>
        }),
        FundingStatus::Charged => EitherOf4::C(view! {
            <Page title=PostageText::ChargedTitle>
                <div class="panel panel--success">
                    <p class="lede">{words.postage_added(&amount)}</p>
                </div>
                <dl class="summary-list">
                    <div>
                        <dt>{words.postage(PostageText::NewBalance)}</dt>
                        <dd>{balance_text(locale, page.balance)}</dd>
                    </div>
                </dl>
                <p><a href=POSTAGE_PATH>{words.postage(PostageText::AddMore)}</a></p>
                <BackToAccount/>
            </Page>
        }),
        FundingStatus::Refused | FundingStatus::OutcomeUnknown => {
            let (title, body) = match (page.status, page.refusal) {
                (FundingStatus::OutcomeUnknown, _) => {
                    (PostageText::UnknownTitle, PostageText::UnknownBody)
                }
                (_, Some(FundingRefusal::CardDeclined)) => {
                    (PostageText::DeclinedTitle, PostageText::DeclinedBody)
                }
                (_, Some(FundingRefusal::NotEnabled)) => {
                    (PostageText::NotEnabledTitle, PostageText::NotEnabledBody)
                }
                _ => (PostageText::RefusedTitle, PostageText::RefusedBody),
            };
            let unknown = page.status == FundingStatus::OutcomeUnknown;
            EitherOf4::D(view! {
                <Page title>
                    <div class="error-summary error-summary--shown" role="alert">
                        <p>{words.postage(body)}</p>
                        {unknown.then(|| view! {
                            <p class="reference">
                                {locale.text(Text::ReferenceForSupport)} <code>{page.id.clone()}</code>
                            </p>
                        })}
                    </div>
                    <BackToAccount/>
                </Page>
            })
        }
    }
}
