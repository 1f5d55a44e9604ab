//! `lobby invoices [--unit U]` and `lobby invoices pay ID --slip FILE`: a unit's bills
//! from the phone's side (DESIGN.md §2.6). Listing syncs first when it can; paying
//! shrinks the slip on this device, queues it, and sends it at once if the server can be
//! reached (`slip_submitted`), or later (`queued`).

use std::path::Path;

use lobby_core::{Invoice, Lobby, LobbyError, Result};
use serde_json::json;

use crate::output::Reply;

/// Satang as baht for people: 268050 → "2,680.50".
pub fn baht(satang: i64) -> String {
    let whole = satang / 100;
    let mut digits = whole.to_string();
    let mut grouped = String::new();
    while digits.len() > 3 {
        let tail = digits.split_off(digits.len() - 3);
        grouped = format!(",{tail}{grouped}");
    }
    format!("{digits}{grouped}.{:02}", satang % 100)
}

fn invoice_json(i: &Invoice) -> serde_json::Value {
    json!({
        "invoice_id": i.invoice_id,
        "unit_id": i.unit_id,
        "period": i.period,
        "total": i.total_satang,
        "due": i.due,
        "status": i.status.as_str(),
        "lines": i.lines.iter().map(|l| json!({"description": l.description, "amount": l.amount_satang})).collect::<Vec<_>>(),
        "received": i.received_satang,
        "reject_reason": i.reject_reason,
        "payment_queued": i.payment_queued,
    })
}

pub async fn list(lobby: &Lobby, unit: Option<String>) -> Result<Reply> {
    lobby.sync().await?;
    let list = lobby.invoices().list(unit.as_deref())?;
    let mut human = match list.len() {
        0 => "No invoices.".to_string(),
        n => format!("{n} invoice(s):"),
    };
    for i in &list {
        human.push_str(&format!(
            "\n  {}  {} baht, due {} — {}{}  {}",
            i.period,
            baht(i.total_satang),
            i.due,
            i.status.as_str(),
            i.reject_reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default(),
            i.invoice_id
        ));
    }
    Ok(Reply::new(
        json!({"invoices": list.iter().map(invoice_json).collect::<Vec<_>>()}),
        human,
    ))
}

pub async fn pay(lobby: &Lobby, invoice_id: &str, slip: &Path) -> Result<Reply> {
    let image = std::fs::read(slip)
        .map_err(|e| LobbyError::invalid(format!("cannot read {}: {e}", slip.display())))?;
    lobby.sync().await?;
    lobby.invoices().pay(invoice_id, &image)?;
    // Send it now if the server can be reached; offline it stays queued.
    lobby.sync().await?;
    let now = lobby
        .units()
        .list()?
        .into_iter()
        .flat_map(|u| lobby.invoices().list(Some(&u.unit_id)).unwrap_or_default())
        .find(|i| i.invoice_id == invoice_id)
        .ok_or_else(|| LobbyError::internal("the paid invoice is missing"))?;
    // A refusal of the payment (the invoice was paid meanwhile, a bad slip) is final.
    if let Some(refused) = lobby.outbox()?.into_iter().find(|e| {
        e.state == lobby_core::store::OutboxState::Rejected
            && matches!(&e.envelope.mutation,
                lobby_core::protocol::Mutation::InvoicePay { invoice_id: id, .. } if id == invoice_id)
    }) {
        return Err(LobbyError::new(
            lobby_core::ErrorCode::parse(refused.reject_code.as_deref().unwrap_or("")),
            refused.reject_message.unwrap_or_default(),
        ));
    }
    let status = if now.payment_queued {
        "queued"
    } else {
        "slip_submitted"
    };
    Ok(Reply::new(
        json!({"status": status, "invoice_id": invoice_id}),
        if status == "queued" {
            "Slip saved on this device; it is sent when the server can be reached."
        } else {
            "Slip sent: the office will confirm the payment."
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::baht;

    #[test]
    fn satang_read_as_baht() {
        assert_eq!(baht(268_050), "2,680.50");
        assert_eq!(baht(5), "0.05");
        assert_eq!(baht(100_000_000), "1,000,000.00");
    }
}
