//! What every CSV the office imports shares (the owner registry, a month's invoices):
//! UTF-8 text (a byte-order mark is dropped), an exact header, rows reported by their
//! 1-based line number (the header is line 1), all-or-nothing.

/// One problem of an imported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub line: usize,
    pub message: String,
}

/// A reader over `bytes` positioned after a header equal to `header` (compared trimmed
/// and case-insensitively), or the one problem that stops the import.
pub fn open<'a>(bytes: &'a [u8], header: &[&str]) -> Result<csv::Reader<&'a [u8]>, RowProblem> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t),
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            return Err(RowProblem {
                line,
                message: "the file is not UTF-8 text".into(),
            });
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .trim(csv::Trim::None)
        .from_reader(text.as_bytes());
    match reader.headers() {
        Ok(h) => {
            let names: Vec<String> = h.iter().map(|s| s.trim().to_lowercase()).collect();
            if names != header {
                return Err(RowProblem {
                    line: 1,
                    message: format!("the header must be {}", header.join(",")),
                });
            }
        }
        Err(e) => {
            return Err(RowProblem {
                line: 1,
                message: format!("unreadable header: {e}"),
            })
        }
    }
    Ok(reader)
}

/// The boundary error of a refused import: `invalid_input`, every problem (the first 20)
/// with its line; nothing was imported.
pub fn import_error(what: &str, problems: &[RowProblem]) -> crate::error::LobbyError {
    let mut msg = format!(
        "{} problem(s) in the {what}; nothing was imported",
        problems.len()
    );
    for p in problems.iter().take(20) {
        msg.push_str(&format!("\nline {}: {}", p.line, p.message));
    }
    crate::error::LobbyError::invalid(msg)
}

/// The line a record or a read error is on.
pub fn line_of(position: Option<&csv::Position>) -> usize {
    position.map(|p| p.line() as usize).unwrap_or(0)
}
