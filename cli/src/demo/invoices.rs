//! The demo's invoices (issue 10): staff import a month's bills for the project, the
//! owner pays with a photo of the slip (shrunk on the phone, uploaded in pieces), staff
//! reject it with a reason, the owner pays again, staff confirm — and what the unit owes
//! follows.

use std::io::Cursor;

use lobby_core::domain::invoices::InvoiceStatus;
use lobby_core::{Lobby, Result};
use lobby_server::AdminClient;
use serde_json::json;

use super::{fail, internal, Tour};

/// A camera photo of a transfer slip (2400 × 1800).
fn slip_photo() -> Result<Vec<u8>> {
    let img = image::RgbImage::from_fn(2400, 1800, |x, y| {
        let v = ((x / 8 + y / 8) % 2 * 200) as u8;
        image::Rgb([v, v, 230])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg)
        .map_err(internal)?;
    Ok(out.into_inner())
}

pub(super) async fn run(
    tour: &mut Tour,
    admin: &AdminClient,
    project_id: &str,
    unit_id: &str,
    owner: &Lobby,
) -> Result<()> {
    let csv = "unit,period,due,description,amount_satang\n\
               12/345,2026-11,2099-11-30,ค่าส่วนกลาง พฤศจิกายน 2569,250000\n\
               12/345,2026-11,2099-11-30,ค่าน้ำประปา,18050\n\
               12/346,2026-11,2099-11-30,ค่าส่วนกลาง พฤศจิกายน 2569,150000\n\
               B-1203,2026-11,2099-11-30,ค่าส่วนกลาง พฤศจิกายน 2569,500000\n";
    let imported = admin
        .import_invoices(project_id, csv.as_bytes().to_vec())
        .await?;
    owner.sync().await?;
    let bill = owner
        .invoices()
        .list(Some(unit_id))?
        .into_iter()
        .next()
        .ok_or_else(|| fail("the owner's invoice did not arrive"))?;
    let photo = slip_photo()?;
    owner.invoices().pay(&bill.invoice_id, &photo)?;
    owner.sync().await?;
    admin
        .reject_invoice(&bill.invoice_id, "ยอดโอนไม่ตรงกับใบแจ้งหนี้")
        .await?;
    owner.sync().await?;
    let rejected = owner.invoices().list(Some(unit_id))?;
    let reason = rejected
        .first()
        .and_then(|i| i.reject_reason.clone())
        .unwrap_or_default();
    owner.invoices().pay(&bill.invoice_id, &photo)?;
    owner.sync().await?;
    admin
        .confirm_invoice(&bill.invoice_id, bill.total_satang)
        .await?;
    owner.sync().await?;
    let paid = owner
        .invoices()
        .list(Some(unit_id))?
        .into_iter()
        .next()
        .ok_or_else(|| fail("the invoice vanished"))?;
    if paid.status != InvoiceStatus::Paid {
        return Err(fail("the confirmed invoice is not paid on the phone"));
    }
    let outstanding = admin.outstanding(project_id).await?;
    tour.step(
        "Staff bill the month; the owner pays with a slip photo",
        format!(
            "{} invoices imported from CSV; the owner's {} is {} baht ({} lines).\nA {} KB camera photo was shrunk to a 1600 px JPEG on the phone and sent; staff rejected it (\"{reason}\"), the owner sent it again, staff confirmed: {}.\n{} unit(s) still owe money",
            imported.invoices.len(),
            bill.period,
            crate::commands::invoices::baht(bill.total_satang),
            bill.lines.len(),
            photo.len() / 1024,
            paid.status.as_str(),
            outstanding.units.len()
        ),
        json!({"imported": imported.invoices.len(), "status": paid.status.as_str(), "units_owing": outstanding.units.len()}),
    );
    Ok(())
}
