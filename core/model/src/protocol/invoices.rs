//! Invoices and payment slips (DESIGN.md §2.6): what staff issue and decide, what phones
//! sync (scope `unit:<id>`), what a resident pays with.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::FileRef;

/// One line of an invoice: amounts are integer satang.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct InvoiceLineRecord {
    #[schema(min_length = 1, max_length = 200)]
    pub description: String,
    #[schema(minimum = 1, maximum = 10000000000i64)]
    pub amount_satang: i64,
}

/// An invoice as the unit's members see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct InvoiceRecord {
    pub id: String,
    pub unit_id: String,
    /// `YYYY-MM`.
    pub period: String,
    pub due: NaiveDate,
    pub lines: Vec<InvoiceLineRecord>,
    /// The sum of the lines, satang.
    pub total_satang: i64,
    /// `unpaid`, `slip_submitted`, `paid` or `rejected` (overdue is computed from `due`).
    pub state: String,
    /// What staff recorded as received, when confirmed.
    #[serde(default)]
    pub received_satang: Option<i64>,
    /// Why staff rejected the slip.
    #[serde(default)]
    pub reject_reason: Option<String>,
    /// The slip photo the resident sent (latest).
    #[serde(default)]
    pub slip: Option<Box<FileRef>>,
    pub issued_at: DateTime<Utc>,
}

/// `POST /v1/admin/invoices`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InvoiceAdd {
    #[schema(min_length = 1, max_length = 64)]
    pub unit_id: String,
    /// `YYYY-MM`.
    #[schema(pattern = "^[0-9]{4}-[0-9]{2}$")]
    pub period: String,
    /// `YYYY-MM-DD`.
    #[schema(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub due: String,
    #[schema(min_items = 1, max_items = 50)]
    pub lines: Vec<InvoiceLineRecord>,
    /// When given, must equal the sum of the lines.
    #[serde(default)]
    pub total_satang: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct InvoiceAdded {
    pub invoice_id: String,
    pub total_satang: i64,
}

/// One invoice an import made.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ImportedInvoiceSummary {
    pub invoice_id: String,
    pub unit: String,
    pub period: String,
    pub total_satang: i64,
}

/// `POST /v1/admin/projects/{project_id}/invoices`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct InvoicesImported {
    pub invoices: Vec<ImportedInvoiceSummary>,
}

/// `POST /v1/admin/invoices/{invoice_id}/confirm`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InvoiceConfirm {
    #[schema(minimum = 1, maximum = 10000000000i64)]
    pub amount_satang: i64,
}

/// `POST /v1/admin/invoices/{invoice_id}/reject`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InvoiceReject {
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// `GET` / `PUT /v1/uploads/{upload_id}`: how many bytes of an upload the server has.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct UploadState {
    pub upload_id: String,
    pub received: u64,
    pub size: u64,
    pub complete: bool,
}

/// One unit with money owed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct OutstandingUnit {
    pub unit_id: String,
    pub unit: String,
    /// Satang not yet paid (unpaid, slip waiting or rejected).
    pub unpaid_satang: i64,
    pub months_in_arrears: u32,
}

/// `GET /v1/admin/projects/{project_id}/outstanding`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Outstanding {
    pub units: Vec<OutstandingUnit>,
}
