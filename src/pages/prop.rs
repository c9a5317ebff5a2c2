//! What the merchant flow's island receives from the page: its screen and its words.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A value that travels in the island's props as postcard in base64, encoded once by the
/// server. Leptos reads island props with serde_json; as one string, the browser decodes the
/// value with the postcard decoder it has for the server functions' answers, instead of a
/// second, JSON decoder for every type it holds (see BENCHMARKS.md). When the island's view
/// writes its props back, it writes the text it was given: the browser never encodes a prop.
#[derive(Clone, Debug, PartialEq)]
pub struct Prop<T> {
    value: T,
    encoded: String,
}

impl<T: Serialize> Prop<T> {
    /// Encodes `value` (on the server, which renders the page).
    pub fn new(value: T) -> Self {
        let bytes = postcard::to_allocvec(&value).expect("props are plain data and always encode");
        let encoded = encode(&bytes);
        Self { value, encoded }
    }
}

impl<T> Prop<T> {
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T> Serialize for Prop<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.encoded)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Prop<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let encoded = String::deserialize(deserializer)?;
        let bytes = decode(&encoded).ok_or_else(|| serde::de::Error::custom("not base64"))?;
        let value = postcard::from_bytes(&bytes).map_err(serde::de::Error::custom)?;
        Ok(Self { value, encoded })
    }
}

#[cfg(feature = "ssr")]
fn encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
}

/// Only the server renders a page (the browser's build has this for [`Prop::new`] to
/// compile; no code of the island calls it).
#[cfg(not(feature = "ssr"))]
fn encode(bytes: &[u8]) -> String {
    let binary: String = bytes.iter().map(|&byte| char::from(byte)).collect();
    let text = leptos::prelude::window().btoa(&binary).unwrap_or_default();
    text.trim_end_matches('=').to_owned()
}

#[cfg(feature = "ssr")]
fn decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(text)
        .ok()
}

/// The browser's own `atob` (no base64 decoder ships in the WebAssembly), one char per byte.
#[cfg(not(feature = "ssr"))]
fn decode(text: &str) -> Option<Vec<u8>> {
    let binary = leptos::prelude::window().atob(text).ok()?;
    Some(binary.chars().map(|byte| byte as u8).collect())
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::i18n::{Locale, Words};
    use crate::registration::{RegisterScreen, RegistrationForm};
    use crate::screen::Screen;

    #[test]
    fn the_screen_survives_the_props_and_cannot_break_out_of_them() {
        let screen = Screen::Register(RegisterScreen {
            draft: RegistrationForm {
                nickname: "\"></leptos-island><script>alert(1)</script>".into(),
                agree_to_carrier_terms: true,
                ..Default::default()
            },
            ..Default::default()
        });
        let json = serde_json::to_string(&Prop::new(screen.clone())).unwrap();
        // Only base64's letters inside the JSON string: nothing an attribute or a tag could end on.
        let inner = json.trim_matches('"');
        assert!(
            inner
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/'),
            "{json}"
        );
        let back: Prop<Screen> = serde_json::from_str(&json).unwrap();
        assert_eq!(back.into_inner(), screen);
        assert!(serde_json::from_str::<Prop<Screen>>(r#""not base64!""#).is_err());
    }

    #[test]
    fn the_words_survive_the_props() {
        for &locale in Locale::ALL {
            let json = serde_json::to_string(&Prop::new(Words::of(locale))).unwrap();
            let back: Prop<Words> = serde_json::from_str(&json).unwrap();
            assert_eq!(back.into_inner(), Words::of(locale));
        }
    }
}
