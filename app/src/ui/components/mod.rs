//! Pieces every page uses.

pub mod account;
pub mod form;
pub mod nav;
pub mod social;
