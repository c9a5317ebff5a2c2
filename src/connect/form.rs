//! What the connect form posts: a plain HTML form, every field a string as typed.

use crate::fields::declare::form_fields;

form_fields! {
    /// The login of a Stamps.com account the merchant already has. `password` lives only in the
    /// request that carries it and in the one call to ShipEngine: never kept, logged or shown.
    pub struct ConnectForm, fields ConnectField, signals ConnectSignals {
        Nickname => nickname: String,
        Username => username: String,
        Password => password: String,
    }
    hidden {
        /// Minted when the page is rendered: repeats of one submission connect once.
        idempotency_key: String,
    }
}

impl std::fmt::Debug for ConnectForm {
    // Hand-written so that no log line can ever carry the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectForm")
            .field("nickname", &self.nickname)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password() {
        let form = ConnectForm {
            username: "demo-merchant".into(),
            password: "stamps-demo-password".into(),
            ..Default::default()
        };
        let printed = format!("{form:?}");
        assert!(printed.contains("demo-merchant"), "{printed}");
        assert!(!printed.contains("stamps-demo-password"), "{printed}");
    }

    #[test]
    fn a_form_post_fills_each_field_by_its_name() {
        let form: ConnectForm = serde_urlencoded::from_str(
            "nickname=Shop&username=demo-merchant&password=p%20w&idempotency_key=k",
        )
        .unwrap();
        assert_eq!(
            form,
            ConnectForm {
                nickname: "Shop".into(),
                username: "demo-merchant".into(),
                password: "p w".into(),
                idempotency_key: "k".into(),
            }
        );
        assert_eq!(
            ConnectField::from_name("password"),
            Some(ConnectField::Password)
        );
    }
}
