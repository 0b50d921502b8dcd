//! Newtypes parsed at the edge: once a value has one of these types it is valid.

mod email;
mod password;
mod text;
pub mod username;

pub use email::EmailAddress;
pub use password::{clean_password, similarity_error, validate_password, PasswordContext};
pub use text::{check_name, reject_nul};
pub use username::Username;
