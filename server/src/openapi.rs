//! The OpenAPI description, generated from the handlers' `#[utoipa::path]` attributes and
//! the protocol types, so it cannot say something the code does not do. It is served at
//! `GET /openapi.json` and committed as `server/openapi.json` (a test fails when the
//! committed file differs; regenerate with `lobby-server openapi > server/openapi.json`).

use std::sync::OnceLock;

use utoipa::openapi::schema::{AdditionalProperties, Schema};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::RefOr;
use utoipa::{Modify, OpenApi};

use crate::config::MAX_PULL_SCOPES;
use crate::http::{
    admin, announcements, auth, files, invites, invoices, meetings, onboarding, pickup, privacy,
    profile, retention, sync,
};

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
        profile::request_phone_change,
        profile::verify_phone_change,
        profile::list_sessions,
        sync::pull,
        sync::push,
        files::get_file,
        files::upload_status,
        files::put_upload_chunk,
        admin::create_project,
        admin::import_owners,
        admin::reissue_onboarding,
        admin::set_arrears,
        admin::add_parcel,
        admin::list_parcels,
        pickup::return_parcel,
        pickup::verify,
        pickup::handover,
        files::set_parcel_photo,
        meetings::create,
        meetings::add_item,
        meetings::add_proxy,
        meetings::attend,
        meetings::open_meeting,
        meetings::close_meeting,
        meetings::open_item,
        meetings::close_item,
        meetings::ballot_log,
        meetings::add_role,
        announcements::post,
        privacy::export,
        privacy::publish_policy,
        privacy::privacy_requests,
        privacy::decide_privacy_request,
        privacy::audit_log,
        retention::run_retention,
        invoices::add,
        invoices::import,
        invoices::confirm,
        invoices::reject,
        invoices::outstanding,
        announcements::readers,
        files::set_announcement_attachment,
        admin::peek_otp,
        admin::bump_epoch,
    ),
    modifiers(&BearerAuth, &ObjectFormOnly, &FieldBounds),
    tags(
        (name = "onboarding", description = "Owner onboarding by QR"),
        (name = "invites", description = "Accepting an owner's invitation code"),
        (name = "auth", description = "Sign-in and sessions"),
        (name = "sync", description = "Change-log pull and mutation push"),
        (name = "files", description = "Files records point at (parcel photos), fetched on demand"),
        (name = "meetings", description = "The published ballot log a voter checks receipts against"),
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

/// Externally tagged enums taken in their object form only (see
/// `protocol::MutationEnvelope`): `{"<kind>": {...}}` with no other key. utoipa describes
/// each variant as an object requiring its key; this says no other key may appear.
const OBJECT_FORM_ONLY: &[&str] = &["Mutation"];

struct ObjectFormOnly;

impl Modify for ObjectFormOnly {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for name in OBJECT_FORM_ONLY {
            let Some(RefOr::T(Schema::OneOf(one_of))) = components.schemas.get_mut(*name) else {
                continue;
            };
            for variant in &mut one_of.items {
                if let RefOr::T(Schema::Object(object)) = variant {
                    object.additional_properties =
                        Some(Box::new(AdditionalProperties::FreeForm(false)));
                }
            }
        }
    }
}

/// Bounds the server enforces that utoipa cannot put on a field (a map's
/// `maxProperties`).
struct FieldBounds;

impl Modify for FieldBounds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        if let Some(RefOr::T(Schema::Object(pull))) = components.schemas.get_mut("PullRequest") {
            if let Some(RefOr::T(Schema::Object(cursors))) = pull.properties.get_mut("cursors") {
                cursors.max_properties = Some(MAX_PULL_SCOPES);
            }
        }
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
