//! ShipEngine's `error_source`, `error_type`, `error_code` and verification `status` are open
//! sets (research notes §2.2): new values appear without notice, so decoding must never fail on
//! one, and an unknown value is kept rather than flattened into a catch-all.

/// Declares an enum with one variant per known upstream value plus `Other(String)`, which keeps
/// any other value verbatim. Decodes from a JSON string and never fails on its content; encodes
/// back to the same string.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )+
            /// A value this client does not know, kept as ShipEngine sent it.
            Other(String),
        }

        impl $name {
            /// The value as ShipEngine spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Other(value) => value,
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    $( $wire => Self::$variant, )+
                    _ => Self::Other(value),
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <String as serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl std::fmt::Display for $name {
            // Escaped because an unknown value is upstream text on its way to a log line.
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.as_str().escape_debug())
            }
        }
    };
}

pub(super) use open_enum;
