//! Projects, units, the person's memberships and profile: what the unit drop-down and the
//! profile screen show.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::weight::Weight;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ProjectKind {
    Condominium,
    HousingEstate,
}

impl ProjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectKind::Condominium => "condominium",
            ProjectKind::HousingEstate => "housing_estate",
        }
    }

    pub fn parse(s: &str) -> Option<ProjectKind> {
        match s {
            "condominium" => Some(ProjectKind::Condominium),
            "housing_estate" => Some(ProjectKind::HousingEstate),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Role {
    Owner,
    Resident,
    Tenant,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Resident => "resident",
            Role::Tenant => "tenant",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "owner" => Some(Role::Owner),
            "resident" => Some(Role::Resident),
            "tenant" => Some(Role::Tenant),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ProjectRecord {
    pub id: String,
    pub name: String,
    pub kind: ProjectKind,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct UnitRecord {
    pub id: String,
    pub project_id: String,
    pub number: String,
    /// The unit's ownership ratio: its vote weight before the s.45 cap (exact).
    pub ownership_ratio: Weight,
    pub arrears_months: u32,
}

/// One of the person's own memberships (scope `person:<id>`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct MembershipRecord {
    pub id: String,
    pub unit_id: String,
    pub project_id: String,
    pub role: Role,
}

/// The person's own profile (scope `person:<id>`). Contact fields are the person's to
/// edit; `legal_name` changes only through staff.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ProfileRecord {
    pub id: String,
    pub legal_name: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}
