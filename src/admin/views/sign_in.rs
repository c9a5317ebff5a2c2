//! The sign-in page: a name and the password, or the way through single sign-on.

use leptos::prelude::*;

use super::token_field;

#[derive(Clone, Debug, Default)]
pub struct SignInView {
    pub form_token: String,
    pub accepts_passwords: bool,
    pub behind_single_sign_on: bool,
    /// The name typed before (kept after a refusal; never the password).
    pub name: String,
    pub problem: Option<String>,
    pub signed_out: bool,
}

pub fn sign_in_page(page: SignInView) -> AnyView {
    let problem = page.problem.map(|problem| {
        view! {
            <div class="error-summary error-summary--shown" role="alert" aria-labelledby="problem-title">
                <h2 id="problem-title">"There is a problem"</h2>
                <p>{problem}</p>
            </div>
        }
    });
    let signed_out = page
        .signed_out
        .then(|| view! { <p class="admin-flash admin-flash--done" role="status">"You have signed out."</p> });
    let form = page.accepts_passwords.then(|| {
        view! {
            <form method="post" action="/admin/sign-in" class="admin-form">
                {token_field(&page.form_token)}
                <div class="field">
                    <label for="name">"Your name"</label>
                    <p class="hint" id="name-hint">"It is written in the audit log beside everything you do."</p>
                    <input class="input input--medium" id="name" name="name" type="text"
                        autocomplete="username" required aria-describedby="name-hint" value=page.name/>
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input class="input input--medium" id="password" name="password"
                        type="password" autocomplete="current-password" required/>
                </div>
                <button type="submit" class="button">"Sign in"</button>
            </form>
        }
    });
    let single_sign_on = page.behind_single_sign_on.then(|| {
        view! {
            <p>"Or open this console through your organisation's single sign-on: it signs you in by itself."</p>
        }
    });
    view! {
        <h1>"Sign in to the admin console"</h1>
        {signed_out}
        {problem}
        {form}
        {single_sign_on}
    }
    .into_any()
}
