//! Invoice endpoints for staff (issue 10; rules in [`crate::invoices`]).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::Json;
use chrono::Utc;
use lobby_model::protocol::{
    ApiError, Empty, InvoiceAdd, InvoiceAdded, InvoiceConfirm, InvoiceReject, InvoicesImported,
    Outstanding,
};

use super::extract::{check_id, ApiJson, Staff};
use crate::error::AppResult;
use crate::state::AppState;

/// Issues one invoice to a unit (lines in satang; the total is their sum).
#[utoipa::path(post, path = "/v1/admin/invoices", tag = "admin",
    request_body = InvoiceAdd,
    responses(
        (status = 200, body = InvoiceAdded),
        (status = 400, description = "invalid_input (amounts, lines that do not add up, a period or date)", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found (no such unit for this credential)", body = ApiError),
        (status = 409, description = "conflict (the unit already has an invoice for the period)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn add(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(req): ApiJson<InvoiceAdd>,
) -> AppResult<Json<InvoiceAdded>> {
    check_id("unit_id", &req.unit_id)?;
    let member = staff.0.clone();
    let (invoice_id, total_satang) = state
        .db(move |s| crate::invoices::add(s, &member, &req, Utc::now()))
        .await?;
    tracing::info!(%invoice_id, staff_id = %staff.0.id, "invoice issued");
    Ok(Json(InvoiceAdded {
        invoice_id,
        total_satang,
    }))
}

/// Imports a month's invoices for the project: all rows or none.
#[utoipa::path(post, path = "/v1/admin/projects/{project_id}/invoices", tag = "admin",
    params(("project_id" = String, Path, description = "the project", max_length = 64)),
    request_body(content = inline(String), content_type = "text/csv",
        description = "`unit,period,due,description,amount_satang`, UTF-8, header row; the rows of one unit and period form one invoice"),
    responses(
        (status = 200, body = InvoicesImported),
        (status = 400, description = "invalid_input (every bad row with its line number; nothing imported)", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn import(
    State(state): State<AppState>,
    staff: Staff,
    Path(project_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Json<InvoicesImported>> {
    check_id("project_id", &project_id)?;
    let body = body?;
    let member = staff.0.clone();
    let pid = project_id.clone();
    let invoices = state
        .db(move |s| crate::invoices::import(s, &member, &pid, &body, Utc::now()))
        .await?;
    tracing::info!(%project_id, invoices = invoices.len(), staff_id = %staff.0.id, "invoices imported");
    Ok(Json(InvoicesImported { invoices }))
}

/// Records a payment received: the invoice is paid.
#[utoipa::path(post, path = "/v1/admin/invoices/{invoice_id}/confirm", tag = "admin",
    params(("invoice_id" = String, Path, description = "the invoice", max_length = 64)),
    request_body = InvoiceConfirm,
    responses(
        (status = 200, body = Empty),
        (status = 400, description = "invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found", body = ApiError),
        (status = 409, description = "conflict (already paid)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn confirm(
    State(state): State<AppState>,
    staff: Staff,
    Path(invoice_id): Path<String>,
    ApiJson(req): ApiJson<InvoiceConfirm>,
) -> AppResult<Json<Empty>> {
    check_id("invoice_id", &invoice_id)?;
    let member = staff.0.clone();
    let id = invoice_id.clone();
    state
        .db(move |s| crate::invoices::confirm(s, &member, &id, req.amount_satang, Utc::now()))
        .await?;
    tracing::info!(%invoice_id, staff_id = %staff.0.id, "invoice paid");
    Ok(Json(Empty {}))
}

/// Rejects the slip sent, with a reason for the resident.
#[utoipa::path(post, path = "/v1/admin/invoices/{invoice_id}/reject", tag = "admin",
    params(("invoice_id" = String, Path, description = "the invoice", max_length = 64)),
    request_body = InvoiceReject,
    responses(
        (status = 200, body = Empty),
        (status = 400, description = "invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found", body = ApiError),
        (status = 409, description = "conflict (no slip waiting)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn reject(
    State(state): State<AppState>,
    staff: Staff,
    Path(invoice_id): Path<String>,
    ApiJson(req): ApiJson<InvoiceReject>,
) -> AppResult<Json<Empty>> {
    check_id("invoice_id", &invoice_id)?;
    let member = staff.0.clone();
    let id = invoice_id.clone();
    state
        .db(move |s| crate::invoices::reject(s, &member, &id, &req.reason, Utc::now()))
        .await?;
    tracing::info!(%invoice_id, staff_id = %staff.0.id, "slip rejected");
    Ok(Json(Empty {}))
}

/// What each unit of the project owes, and its months in arrears.
#[utoipa::path(get, path = "/v1/admin/projects/{project_id}/outstanding", tag = "admin",
    params(("project_id" = String, Path, description = "the project", max_length = 64)),
    responses(
        (status = 200, body = Outstanding),
        (status = 400, description = "invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn outstanding(
    State(state): State<AppState>,
    staff: Staff,
    Path(project_id): Path<String>,
) -> AppResult<Json<Outstanding>> {
    check_id("project_id", &project_id)?;
    let member = staff.0.clone();
    let o = state
        .db(move |s| crate::invoices::outstanding(s, &member, &project_id, Utc::now().date_naive()))
        .await?;
    Ok(Json(o))
}
