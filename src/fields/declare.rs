//! The two macros that declare a form's fields once.
//!
//! - [`field_enum!`] declares an enum of a form's fields: `ALL` in page order, and `name()`, the
//!   field's HTML `name` and `id` (which is also the server function's argument name).
//! - [`form_fields!`] declares a whole form from one list of `Variant => name: Type` lines: the
//!   form struct (what is posted and kept), the field enum (via [`field_enum!`]) and the struct
//!   of per-field signals the view binds its inputs to, with `new(form)` and `snapshot()`.
//!
//! Adding a field is one line; a misspelt field is a compile error, never a message that does
//! not show.

/// An enum of a form's fields, each with its HTML `name`.
///
/// ```ignore
/// field_enum! {
///     pub enum VerificationField { Phone => phone, Code => code }
/// }
/// assert_eq!(VerificationField::Code.name(), "code");
/// ```
macro_rules! field_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $Enum:ident { $($Variant:ident => $name:ident),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        $vis enum $Enum {
            $($Variant),+
        }

        impl $Enum {
            /// Every field, in the order they are declared.
            pub const ALL: &'static [Self] = &[$(Self::$Variant),+];

            /// The field's HTML `name` and `id`, and the key it is posted with.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$Variant => stringify!($name)),+
                }
            }

            /// The field posted as `name`, if the form has one.
            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|field| field.name() == name)
            }
        }
    };
}

/// A form declared from one list of fields: the form struct `$Form` (serde, `Default`, every
/// field public, `#[serde(default)]` so a missing key is blank), the field enum `$Field` and the
/// per-field signals `$Signals`. Fields after `hidden` are carried by the form (a hidden input)
/// but are nothing a merchant fills in, so they have no variant. Attributes and doc comments on
/// a field go to the form struct's field.
///
/// ```ignore
/// form_fields! {
///     pub struct LoginForm, fields LoginField, signals LoginSignals {
///         Email => email: String,
///         Remember => remember: bool,
///     }
///     hidden {}
/// }
/// ```
macro_rules! form_fields {
    (
        $(#[$form_meta:meta])*
        pub struct $Form:ident, fields $Field:ident, signals $Signals:ident {
            $( $(#[$field_meta:meta])* $Variant:ident => $name:ident : $ty:ty, )+
        }
        hidden {
            $( $(#[$hidden_meta:meta])* $hidden:ident : $hidden_ty:ty, )*
        }
    ) => {
        $(#[$form_meta])*
        #[derive(Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(default)]
        pub struct $Form {
            $( $(#[$field_meta])* pub $name: $ty, )+
            $( $(#[$hidden_meta])* pub $hidden: $hidden_ty, )*
        }

        $crate::fields::declare::field_enum! {
            /// The fields of the form, in the order they are declared.
            pub enum $Field { $($Variant => $name),+ }
        }

        /// One signal per field of the form, so that each input updates only itself.
        #[derive(Clone, Copy)]
        pub struct $Signals {
            $( pub $name: leptos::prelude::RwSignal<$ty>, )+
            $( pub $hidden: leptos::prelude::RwSignal<$hidden_ty>, )*
        }

        impl $Signals {
            /// Signals holding what `form` holds.
            pub fn new(form: $Form) -> Self {
                Self {
                    $( $name: leptos::prelude::RwSignal::new(form.$name), )+
                    $( $hidden: leptos::prelude::RwSignal::new(form.$hidden), )*
                }
            }

            /// The form as the signals hold it now (untracked).
            pub fn snapshot(&self) -> $Form {
                use leptos::prelude::GetUntracked;
                $Form {
                    $( $name: self.$name.get_untracked(), )+
                    $( $hidden: self.$hidden.get_untracked(), )*
                }
            }
        }
    };
}

pub(crate) use {field_enum, form_fields};
