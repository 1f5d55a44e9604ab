//! How results and errors are printed: one JSON document with `--json`, readable text
//! without. Exit codes: 0 success, 1 failure, 2 usage error.

use lobby_core::LobbyError;
use serde_json::{json, Value};

/// A command's result: the JSON document and the text for people.
pub struct Reply {
    pub json: Value,
    pub human: String,
    /// Printed like a success, but the command exits 1 (a check that found a problem).
    pub failed: bool,
}

impl Reply {
    pub fn new(json: Value, human: impl Into<String>) -> Reply {
        Reply {
            json,
            human: human.into(),
            failed: false,
        }
    }

    /// The same reply with exit status 1.
    pub fn failing(self) -> Reply {
        Reply {
            failed: true,
            ..self
        }
    }
}

pub fn print_reply(reply: &Reply, as_json: bool) {
    if as_json {
        println!("{}", reply.json);
    } else if !reply.human.is_empty() {
        println!("{}", reply.human);
    }
}

pub fn print_error(e: &LobbyError, as_json: bool) {
    if as_json {
        println!(
            "{}",
            json!({"error": {"code": e.code.as_str(), "message": e.message}})
        );
    } else {
        eprintln!("error [{}]: {}", e.code, e.message);
    }
}

pub fn print_usage_error(message: &str, as_json: bool) {
    if as_json {
        println!(
            "{}",
            json!({"error": {"code": "usage", "message": message}})
        );
    } else {
        eprintln!("{message}");
    }
}
