//! Domain rules: pure functions with no I/O, used by the phone and by the server alike so
//! each rule has exactly one implementation. Each file is one concern, named for it.

pub mod announcements;
pub mod audit;
pub mod consent;
pub mod contact;
pub mod csv_file;
pub mod device_key;
pub mod device_label;
pub mod erasure;
pub mod files;
pub mod handover;
pub mod invites;
pub mod invoices;
pub mod name;
pub mod onboarding;
pub mod otp;
pub mod password;
pub mod pickup_pass;
pub mod privacy_request;
pub mod profile;
pub mod registry;
pub mod secret_token;
pub mod voting;
pub mod weight;
