//! One validation of the connect form, before anything is sent upstream.

use crate::error::FieldErrors;
use crate::fields::FieldProblem;
use crate::fields::text::required_text;

use super::form::{ConnectField as Field, ConnectForm};

/// As the registration form's nickname.
const MAX_NICKNAME: usize = 100;
/// Generous for a sign-in name; an unbounded field is an abuse vector.
const MAX_USERNAME: usize = 100;
/// Generous for a password manager's longest.
const MAX_PASSWORD: usize = 128;

/// The connection, checked: what the server sends upstream. `Debug` never shows the password.
#[derive(Clone)]
pub struct ValidConnection {
    pub nickname: String,
    pub username: String,
    /// As typed, spaces included: a password is not text to tidy.
    pub password: String,
}

impl std::fmt::Debug for ValidConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValidConnection")
            .field("nickname", &self.nickname)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Checks every field; the errors come in page order, one per field.
pub fn validate_connection(form: &ConnectForm) -> Result<ValidConnection, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut check = |field: Field, result: Result<String, FieldProblem>| match result {
        Ok(value) => value,
        Err(problem) => {
            errors.push(field, problem);
            String::new()
        }
    };
    let nickname = check(
        Field::Nickname,
        required_text(&form.nickname, FieldProblem::NicknameMissing, MAX_NICKNAME),
    );
    let username = check(
        Field::Username,
        required_text(&form.username, FieldProblem::UsernameMissing, MAX_USERNAME),
    );
    let password = check(Field::Password, password(&form.password));
    if errors.is_empty() {
        Ok(ValidConnection {
            nickname,
            username,
            password,
        })
    } else {
        Err(errors)
    }
}

fn password(typed: &str) -> Result<String, FieldProblem> {
    match typed.chars().count() {
        0 => Err(FieldProblem::PasswordMissing),
        length if length > MAX_PASSWORD => Err(FieldProblem::TooLong {
            max: MAX_PASSWORD as u32,
        }),
        _ => Ok(typed.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(nickname: &str, username: &str, password: &str) -> ConnectForm {
        ConnectForm {
            nickname: nickname.into(),
            username: username.into(),
            password: password.into(),
            idempotency_key: String::new(),
        }
    }

    #[test]
    fn a_complete_login_is_kept_with_its_password_as_typed() {
        let valid =
            validate_connection(&form(" Main store ", " demo-merchant ", " pass word ")).unwrap();
        assert_eq!(valid.nickname, "Main store");
        assert_eq!(valid.username, "demo-merchant");
        assert_eq!(valid.password, " pass word ");
        assert!(!format!("{valid:?}").contains("pass word"));
    }

    #[test]
    fn each_missing_field_is_named_in_page_order() {
        let errors = validate_connection(&form("", " ", "")).unwrap_err();
        let found: Vec<_> = errors.iter().map(|e| (e.field, e.problem)).collect();
        assert_eq!(
            found,
            [
                (Field::Nickname.into(), FieldProblem::NicknameMissing),
                (Field::Username.into(), FieldProblem::UsernameMissing),
                (Field::Password.into(), FieldProblem::PasswordMissing),
            ]
        );
    }

    #[test]
    fn lengths_and_hidden_characters_are_refused() {
        let long = "x".repeat(129);
        let errors =
            validate_connection(&form("Shop\u{202E}", &"u".repeat(101), &long)).unwrap_err();
        assert_eq!(errors.get(Field::Nickname), Some(FieldProblem::Hidden));
        assert_eq!(
            errors.get(Field::Username),
            Some(FieldProblem::TooLong { max: 100 })
        );
        assert_eq!(
            errors.get(Field::Password),
            Some(FieldProblem::TooLong { max: 128 })
        );
        assert!(validate_connection(&form("Shop", "u", &"x".repeat(128))).is_ok());
    }
}
