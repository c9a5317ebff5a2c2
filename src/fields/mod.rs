//! Field rules shared by the browser and the server: one function checks a field on both sides.
