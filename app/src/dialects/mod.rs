//! The client contracts Latchkey speaks. Each dialect renders the engine's
//! codes (`core::codes`) in its own field names and words, in one table; it
//! never decides a rule.

pub mod dj_rest_auth;
pub mod djoser;
pub mod rest_registration;
