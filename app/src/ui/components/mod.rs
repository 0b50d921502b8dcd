//! Pieces every page uses.

pub mod account;
pub mod form;
pub mod nav;
pub mod profile_fields;
pub mod social;
