//! Invoices (DESIGN.md §2.6; INTERFACE.md `invoice add`, `invoice import`): money is
//! integer satang, never floating point; an invoice's total is the sum of its lines,
//! checked, never trusted; a month's invoices for a project come as CSV
//! (`unit,period,due,description,amount_satang`, one invoice per unit and period) and
//! import all or nothing with every bad row's line number; a unit's months in arrears
//! are computed from its unpaid invoices by [`months_in_arrears`], which feeds the
//! voting eligibility flag (s.18/1).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::csv_file::{line_of, open, RowProblem};
use super::name::check_name;
use crate::error::{LobbyError, Result};

/// The largest amount of one line: 100,000,000 baht.
pub const MAX_LINE_SATANG: i64 = 10_000_000_000;
/// Lines of one invoice.
pub const MAX_LINES: usize = 50;
/// Characters of a line's description.
pub const MAX_DESCRIPTION_CHARS: usize = 200;
/// Rows of one import file.
pub const MAX_IMPORT_ROWS: usize = 100_000;

/// One line of an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLine {
    pub description: String,
    pub amount_satang: i64,
}

/// An amount in satang as written: digits only (no sign, no decimal point, no
/// separators), at most [`MAX_LINE_SATANG`].
pub fn parse_satang(s: &str) -> Result<i64> {
    let s = s.trim();
    let bad = || {
        LobbyError::invalid(format!(
            "an amount is a whole number of satang (digits only, at most {MAX_LINE_SATANG}), not {s:?}"
        ))
    };
    if s.is_empty() || s.len() > 19 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let v: i64 = s.parse().map_err(|_| bad())?;
    if v > MAX_LINE_SATANG {
        return Err(bad());
    }
    Ok(v)
}

/// `DESCRIPTION=SATANG` (the CLI's `--line`): the description may itself hold `=`.
pub fn parse_line_arg(arg: &str) -> Result<InvoiceLine> {
    let (description, amount) = arg.rsplit_once('=').ok_or_else(|| {
        LobbyError::invalid("a line is DESCRIPTION=SATANG, e.g. \"ค่าส่วนกลาง=250000\"")
    })?;
    check_line(
        description,
        amount.trim().parse::<i64>().map_err(|_| {
            LobbyError::invalid(format!("{amount:?} is not a whole number of satang"))
        })?,
    )
}

/// A checked line: a description by the one name rule, an amount of 1 satang or more up
/// to [`MAX_LINE_SATANG`].
pub fn check_line(description: &str, amount_satang: i64) -> Result<InvoiceLine> {
    let description = check_name(description, "a line's description", MAX_DESCRIPTION_CHARS)?;
    if !(1..=MAX_LINE_SATANG).contains(&amount_satang) {
        return Err(LobbyError::invalid(format!(
            "a line's amount must be between 1 and {MAX_LINE_SATANG} satang"
        )));
    }
    Ok(InvoiceLine {
        description,
        amount_satang,
    })
}

/// The total of 1 to [`MAX_LINES`] checked lines (no overflow possible within the
/// limits, checked all the same).
pub fn total(lines: &[InvoiceLine]) -> Result<i64> {
    if lines.is_empty() || lines.len() > MAX_LINES {
        return Err(LobbyError::invalid(format!(
            "an invoice has 1 to {MAX_LINES} lines"
        )));
    }
    lines
        .iter()
        .try_fold(0i64, |sum, l| sum.checked_add(l.amount_satang))
        .ok_or_else(|| LobbyError::invalid("the lines add up to more than can be billed"))
}

/// Checks a total someone claims against the lines: they must add up exactly.
pub fn check_total(lines: &[InvoiceLine], claimed: i64) -> Result<i64> {
    let sum = total(lines)?;
    if sum != claimed {
        return Err(LobbyError::invalid(format!(
            "the lines add up to {sum} satang, not {claimed}"
        )));
    }
    Ok(sum)
}

/// `YYYY-MM`, a real month.
pub fn parse_period(s: &str) -> Result<String> {
    let s = s.trim();
    let ok = s.len() == 7
        && s.as_bytes()[4] == b'-'
        && NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").is_ok();
    if !ok {
        return Err(LobbyError::invalid(format!(
            "a period is YYYY-MM (e.g. 2026-11), not {s:?}"
        )));
    }
    Ok(s.to_string())
}

/// `YYYY-MM-DD`, a real day.
pub fn parse_due(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| LobbyError::invalid(format!("a due date is YYYY-MM-DD, not {:?}", s.trim())))
}

/// What the resident sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum InvoiceStatus {
    Unpaid,
    /// A slip was sent; staff have not decided yet.
    SlipSubmitted,
    Paid,
    /// Staff rejected the slip (the reason comes with it); it is still to be paid.
    Rejected,
    /// Unpaid (or rejected) after its due date.
    Overdue,
}

impl InvoiceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Unpaid => "unpaid",
            InvoiceStatus::SlipSubmitted => "slip_submitted",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Rejected => "rejected",
            InvoiceStatus::Overdue => "overdue",
        }
    }
}

/// The stored states (what staff and slips decide); `overdue` is computed from the date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentState {
    Unpaid,
    SlipSubmitted,
    Paid,
    Rejected,
}

impl PaymentState {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentState::Unpaid => "unpaid",
            PaymentState::SlipSubmitted => "slip_submitted",
            PaymentState::Paid => "paid",
            PaymentState::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Result<PaymentState> {
        match s {
            "unpaid" => Ok(PaymentState::Unpaid),
            "slip_submitted" => Ok(PaymentState::SlipSubmitted),
            "paid" => Ok(PaymentState::Paid),
            "rejected" => Ok(PaymentState::Rejected),
            _ => Err(LobbyError::invalid("unknown payment state")),
        }
    }
}

/// The status shown on `today`: an invoice not paid and without a pending slip is
/// overdue the day after its due date.
pub fn status(state: PaymentState, due: NaiveDate, today: NaiveDate) -> InvoiceStatus {
    match state {
        PaymentState::Paid => InvoiceStatus::Paid,
        PaymentState::SlipSubmitted => InvoiceStatus::SlipSubmitted,
        PaymentState::Unpaid | PaymentState::Rejected if today > due => InvoiceStatus::Overdue,
        PaymentState::Unpaid => InvoiceStatus::Unpaid,
        PaymentState::Rejected => InvoiceStatus::Rejected,
    }
}

/// A unit's months in arrears on `today`: how many billing periods have an invoice that
/// is not paid and past its due date. A slip waiting for staff still counts (it is not
/// money received); a month billed twice counts once.
pub fn months_in_arrears<'a>(
    invoices: impl IntoIterator<Item = (&'a str, PaymentState, NaiveDate)>,
    today: NaiveDate,
) -> u32 {
    let months: BTreeSet<&str> = invoices
        .into_iter()
        .filter(|(_, state, due)| *state != PaymentState::Paid && today > *due)
        .map(|(period, _, _)| period)
        .collect();
    months.len() as u32
}

/// One invoice of an import file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedInvoice {
    /// The first line it came from.
    pub line: usize,
    pub unit: String,
    pub period: String,
    pub due: NaiveDate,
    pub lines: Vec<InvoiceLine>,
    pub total: i64,
}

/// Parses a month's invoices (`unit,period,due,description,amount_satang`): the rows of
/// one unit and period form one invoice (its rows must agree on the due date). `Err`
/// carries every problem, in line order; then nothing is imported.
pub fn parse_import(bytes: &[u8]) -> std::result::Result<Vec<ImportedInvoice>, Vec<RowProblem>> {
    let mut reader = open(
        bytes,
        &["unit", "period", "due", "description", "amount_satang"],
    )
    .map_err(|p| vec![p])?;
    let mut problems = Vec::new();
    let mut by_key: BTreeMap<(String, String), ImportedInvoice> = BTreeMap::new();
    let mut rows = 0usize;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(RowProblem {
                    line: line_of(e.position()),
                    message: format!("unreadable row: {e}"),
                });
                continue;
            }
        };
        let line = line_of(record.position());
        rows += 1;
        if rows > MAX_IMPORT_ROWS {
            problems.push(RowProblem {
                line,
                message: format!("more than {MAX_IMPORT_ROWS} rows"),
            });
            break;
        }
        let field = |i: usize| record.get(i).map(str::trim).unwrap_or("");
        let parsed = (|| -> Result<(String, String, NaiveDate, InvoiceLine)> {
            let unit = field(0);
            if unit.is_empty() {
                return Err(LobbyError::invalid("the unit is empty"));
            }
            let amount = parse_satang(field(4))?;
            Ok((
                unit.to_string(),
                parse_period(field(1))?,
                parse_due(field(2))?,
                check_line(field(3), amount)?,
            ))
        })();
        let (unit, period, due, l) = match parsed {
            Ok(p) => p,
            Err(e) => {
                problems.push(RowProblem {
                    line,
                    message: e.message,
                });
                continue;
            }
        };
        let inv = by_key
            .entry((unit.clone(), period.clone()))
            .or_insert_with(|| ImportedInvoice {
                line,
                unit,
                period,
                due,
                lines: Vec::new(),
                total: 0,
            });
        if inv.due != due {
            problems.push(RowProblem {
                line,
                message: format!(
                    "the due date differs from line {} of the same unit and period",
                    inv.line
                ),
            });
            continue;
        }
        inv.lines.push(l);
    }
    let mut invoices: Vec<ImportedInvoice> = by_key.into_values().collect();
    for inv in &mut invoices {
        match total(&inv.lines) {
            Ok(t) => inv.total = t,
            Err(e) => problems.push(RowProblem {
                line: inv.line,
                message: e.message,
            }),
        }
    }
    if invoices.is_empty() && problems.is_empty() {
        problems.push(RowProblem {
            line: 1,
            message: "the file has no rows".into(),
        });
    }
    if problems.is_empty() {
        invoices.sort_by_key(|i| i.line);
        Ok(invoices)
    } else {
        problems.sort_by_key(|p| p.line);
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        parse_due(s).unwrap()
    }

    #[test]
    fn amounts_are_whole_satang_within_the_limit() {
        assert_eq!(parse_satang("250000").unwrap(), 250_000);
        assert_eq!(parse_satang(" 1 ").unwrap(), 1);
        assert_eq!(parse_satang("10000000000").unwrap(), MAX_LINE_SATANG);
        for bad in [
            "",
            "-100",
            "+100",
            "2500.00",
            "2,500",
            "1e5",
            "10000000001",
            "99999999999999999999999",
            "๑๐๐",
        ] {
            assert!(parse_satang(bad).is_err(), "{bad:?}");
        }
        assert!(check_line("ค่าส่วนกลาง", 0).is_err());
        assert!(check_line("ค่าส่วนกลาง", -5).is_err());
        assert!(check_line("", 5).is_err());
    }

    #[test]
    fn the_total_is_the_sum_of_the_lines_and_a_wrong_claim_is_refused() {
        let lines = vec![
            check_line("ค่าส่วนกลาง พฤศจิกายน", 250_000).unwrap(),
            check_line("ค่าน้ำประปา", 18_050).unwrap(),
            check_line("ที่จอดรถ", 100_000).unwrap(),
        ];
        assert_eq!(total(&lines).unwrap(), 368_050);
        assert_eq!(check_total(&lines, 368_050).unwrap(), 368_050);
        assert!(check_total(&lines, 368_000).is_err());
        assert!(total(&[]).is_err());
        let many = vec![check_line("x", 1).unwrap(); MAX_LINES + 1];
        assert!(total(&many).is_err());
        let huge = vec![check_line("x", MAX_LINE_SATANG).unwrap(); MAX_LINES];
        assert_eq!(total(&huge).unwrap(), MAX_LINE_SATANG * MAX_LINES as i64);
    }

    #[test]
    fn a_line_argument_splits_at_its_last_equals_sign() {
        let l = parse_line_arg("ค่าน้ำ (ม.=12)=18050").unwrap();
        assert_eq!(
            (l.description.as_str(), l.amount_satang),
            ("ค่าน้ำ (ม.=12)", 18_050)
        );
        assert!(parse_line_arg("ค่าน้ำ").is_err());
        assert!(parse_line_arg("ค่าน้ำ=12.50").is_err());
    }

    #[test]
    fn periods_and_due_dates_are_real_months_and_days() {
        assert_eq!(parse_period("2026-11").unwrap(), "2026-11");
        for bad in ["2026-13", "2026-1", "202611", "11-2026", "2026-11-01"] {
            assert!(parse_period(bad).is_err(), "{bad}");
        }
        assert!(parse_due("2026-02-30").is_err());
    }

    #[test]
    fn overdue_and_arrears_by_hand() {
        let due = day("2026-06-15");
        assert_eq!(
            status(PaymentState::Unpaid, due, day("2026-06-15")),
            InvoiceStatus::Unpaid
        );
        assert_eq!(
            status(PaymentState::Unpaid, due, day("2026-06-16")),
            InvoiceStatus::Overdue
        );
        assert_eq!(
            status(PaymentState::Rejected, due, day("2026-06-16")),
            InvoiceStatus::Overdue
        );
        assert_eq!(
            status(PaymentState::SlipSubmitted, due, day("2026-07-16")),
            InvoiceStatus::SlipSubmitted
        );
        // Six months billed January–June, due the 15th; March paid; a June water bill
        // too. On 2026-06-20: Jan, Feb, Apr, May, Jun overdue = 5 months.
        let mut invoices: Vec<(String, PaymentState, NaiveDate)> = (1..=6)
            .map(|m| {
                (
                    format!("2026-{m:02}"),
                    if m == 3 {
                        PaymentState::Paid
                    } else {
                        PaymentState::Unpaid
                    },
                    day(&format!("2026-{m:02}-15")),
                )
            })
            .collect();
        invoices.push((
            "2026-06".into(),
            PaymentState::SlipSubmitted,
            day("2026-06-15"),
        ));
        fn view(v: &[(String, PaymentState, NaiveDate)]) -> Vec<(&str, PaymentState, NaiveDate)> {
            v.iter().map(|(p, s, d)| (p.as_str(), *s, *d)).collect()
        }
        assert_eq!(months_in_arrears(view(&invoices), day("2026-06-20")), 5);
        // Before June's due date, June does not count yet.
        assert_eq!(months_in_arrears(view(&invoices), day("2026-06-15")), 4);
        // July unpaid too: six months — the unit loses its vote at a general meeting.
        invoices.push(("2026-07".into(), PaymentState::Unpaid, day("2026-07-15")));
        assert_eq!(months_in_arrears(view(&invoices), day("2026-07-16")), 6);
    }

    const HEADER: &str = "unit,period,due,description,amount_satang\n";

    #[test]
    fn an_import_groups_rows_by_unit_and_period_with_thai_text() {
        let csv = format!(
            "{HEADER}12/345,2026-11,2026-11-30,ค่าส่วนกลาง,250000\n\
             12/345,2026-11,2026-11-30,ค่าน้ำประปา,18050\n\
             B-1203,2026-11,2026-11-30,\"ค่าส่วนกลาง, ที่จอดรถ\",400000\n"
        );
        let got = parse_import(csv.as_bytes()).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].unit.as_str(), got[0].total, got[0].lines.len()),
            ("12/345", 268_050, 2)
        );
        assert_eq!(got[1].lines[0].description, "ค่าส่วนกลาง, ที่จอดรถ");
    }

    #[test]
    fn a_bad_row_is_reported_with_its_line_and_nothing_is_imported() {
        let csv = format!(
            "{HEADER}12/345,2026-11,2026-11-30,ค่าส่วนกลาง,250000\n\
             12/346,2026-11,2026-11-30,ค่าส่วนกลาง,-5\n\
             12/347,2026-13,2026-11-30,ค่าส่วนกลาง,100\n\
             12/345,2026-11,2026-12-01,ค่าน้ำ,100\n\
             ,2026-11,2026-11-30,ค่าน้ำ,100\n"
        );
        let problems = parse_import(csv.as_bytes()).unwrap_err();
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [3, 4, 5, 6], "{problems:?}");
        assert!(problems[2].message.contains("line 2"));
        // Wrong header; not UTF-8; empty.
        assert_eq!(parse_import(b"unit,amount\n").unwrap_err()[0].line, 1);
        assert_eq!(
            parse_import(&[HEADER.as_bytes(), b"\xff\xfe\n"].concat()).unwrap_err()[0].line,
            2
        );
        assert!(parse_import(HEADER.as_bytes()).is_err());
    }
}
