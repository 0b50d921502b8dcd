//! One file per page (or per pair of pages of one flow).

pub mod activity;
pub mod admin;
pub mod email_change;
pub mod home;
pub mod login;
pub mod login_verify;
pub mod passkeys;
pub mod password_change;
pub mod password_reset;
pub mod people;
pub mod profile;
pub mod sessions;
pub mod signup;
pub mod two_factor;
pub mod verify_email;
