//! The OpenAPI description, generated from the handlers' `#[utoipa::path]` attributes and
//! the protocol types, so it cannot say something the code does not do. It is served at
//! `GET /openapi.json` and committed as `server/openapi.json` (a test fails when the
//! committed file differs; regenerate with `lobby-server openapi > server/openapi.json`).

use std::sync::OnceLock;

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::http::{admin, auth, invites, onboarding, profile, sync};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Lobby API",
        description = "The contract between Lobby's core (the resident app) and its server. \
Errors are `{\"error\": {\"code\", \"message\", \"retry_after_secs\"?}}` with a stable snake_case code.",
    ),
    paths(
        onboarding::preview,
        onboarding::start,
        onboarding::verify,
        onboarding::claim,
        invites::accept,
        auth::otp_login,
        auth::otp_verify,
        auth::password_login,
        auth::refresh,
        auth::logout,
        profile::request_email_change,
        profile::verify_email_change,
        sync::pull,
        sync::push,
        admin::create_project,
        admin::import_owners,
        admin::reissue_onboarding,
        admin::peek_otp,
        admin::bump_epoch,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "onboarding", description = "Owner onboarding by QR"),
        (name = "invites", description = "Accepting an owner's invitation code"),
        (name = "auth", description = "Sign-in and sessions"),
        (name = "sync", description = "Change-log pull and mutation push"),
        (name = "admin", description = "Staff endpoints (staff token)"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The document as pretty JSON with a final newline (the committed file's form).
pub fn document_json() -> String {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut text = ApiDoc::openapi().to_pretty_json().unwrap_or_else(|e| {
            format!("{{\"error\": \"cannot render the OpenAPI document: {e}\"}}")
        });
        text.push('\n');
        text
    })
    .clone()
}
