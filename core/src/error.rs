//! Errors in two layers (see `lobby_model::error` for the codes).
//!
//! The core's error is the shared [`LobbyError`]: a stable [`ErrorCode`] plus a message
//! with context and no personal data. The store's own failures arrive as
//! [`StoreError`](crate::store::StoreError) and collapse to `storage` at its edge.

pub use lobby_model::error::{ErrorCode, LobbyError, Result};
