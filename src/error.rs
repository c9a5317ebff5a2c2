//! The app's one error type. Every message is safe to show a merchant.
