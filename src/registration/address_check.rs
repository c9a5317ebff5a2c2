//! The USPS check of the merchant's address, as step 1 shows it (issue 14): what USPS suggested
//! or could not confirm, and the merchant's answer. Plain data on both sides: the server decides
//! (`super::address_service`), the view renders.

use serde::{Deserialize, Deserializer, Serialize};

use super::RegistrationForm;

/// The parts of an address the check compares, as text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    pub address_line1: String,
    pub address_line2: String,
    pub city_locality: String,
    pub state_province: String,
    pub postal_code: String,
}

impl PostalAddress {
    /// The address of `form`, as typed.
    pub fn of(form: &RegistrationForm) -> Self {
        Self {
            address_line1: form.address_line1.clone(),
            address_line2: form.address_line2.clone(),
            city_locality: form.city_locality.clone(),
            state_province: form.state_province.clone(),
            postal_code: form.postal_code.clone(),
        }
    }

    /// `form` with this address in place of its own.
    pub fn put_into(&self, form: &RegistrationForm) -> RegistrationForm {
        RegistrationForm {
            address_line1: self.address_line1.clone(),
            address_line2: self.address_line2.clone(),
            city_locality: self.city_locality.clone(),
            state_province: self.state_province.clone(),
            postal_code: self.postal_code.clone(),
            ..form.clone()
        }
    }

    pub fn part(&self, part: AddressPart) -> &str {
        match part {
            AddressPart::Line1 => &self.address_line1,
            AddressPart::Line2 => &self.address_line2,
            AddressPart::City => &self.city_locality,
            AddressPart::State => &self.state_province,
            AddressPart::PostalCode => &self.postal_code,
        }
    }
}

/// One part of an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AddressPart {
    Line1,
    Line2,
    City,
    State,
    PostalCode,
}

impl AddressPart {
    pub const ALL: [AddressPart; 5] = [
        AddressPart::Line1,
        AddressPart::Line2,
        AddressPart::City,
        AddressPart::State,
        AddressPart::PostalCode,
    ];
}

/// What USPS said about the address as typed, when the merchant has a choice to make.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AddressCheck {
    /// USPS has the address, written differently: the merchant picks either.
    Suggestion {
        typed: PostalAddress,
        matched: PostalAddress,
        /// The parts that differ, in page order.
        differs: Vec<AddressPart>,
    },
    /// USPS could not confirm the address: the problems are on the address fields, and the
    /// merchant may go on with it anyway (USPS records lag new addresses).
    Unconfirmed {
        typed: PostalAddress,
        problems: crate::error::FieldErrors,
    },
}

impl AddressCheck {
    /// The address the check was made for.
    pub fn typed(&self) -> &PostalAddress {
        match self {
            AddressCheck::Suggestion { typed, .. } | AddressCheck::Unconfirmed { typed, .. } => {
                typed
            }
        }
    }
}

/// The merchant's answer to an [`AddressCheck`], posted with the form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AddressDecision {
    /// Not asked yet, or not answered: the address is checked.
    #[default]
    Unset,
    /// Register with the address USPS suggested.
    UseUsps,
    /// Register with the address as typed ("I'm sure this address is right").
    AsTyped,
}

impl AddressDecision {
    /// The value its input posts.
    pub const fn value(self) -> &'static str {
        match self {
            AddressDecision::Unset => "",
            AddressDecision::UseUsps => "usps",
            AddressDecision::AsTyped => "as_typed",
        }
    }
}

/// As its input's value in text (a session), as one byte in postcard (the island's answers).
impl Serialize for AddressDecision {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.serialize_str(self.value())
        } else {
            serializer.serialize_u8(*self as u8)
        }
    }
}

/// Read from a form post's text (anything unknown is "not answered") or, in postcard, by index.
impl<'de> Deserialize<'de> for AddressDecision {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if !deserializer.is_human_readable() {
            return Ok(match u8::deserialize(deserializer)? {
                1 => AddressDecision::UseUsps,
                2 => AddressDecision::AsTyped,
                _ => AddressDecision::Unset,
            });
        }
        let text = String::deserialize(deserializer)?;
        Ok(match text.as_str() {
            "usps" => AddressDecision::UseUsps,
            "as_typed" => AddressDecision::AsTyped,
            _ => AddressDecision::Unset,
        })
    }
}
