//! Ids of rows the server makes: UUIDv7 strings (time-ordered, so indexes stay compact).

/// A new id.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
