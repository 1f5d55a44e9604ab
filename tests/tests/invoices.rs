//! Invoices and payment slips end to end (DESIGN.md §2.6, issue 10): staff issue and
//! import invoices, the phone lists them offline, pays with a slip while offline (shown
//! queued), the slip is shrunk, uploaded through drops and applied once, staff reject
//! then confirm, and the unit's arrears follow the bills.

use std::io::Cursor;
use std::sync::atomic::Ordering;

use lobby_core::domain::files::check_photo;
use lobby_core::domain::invoices::InvoiceStatus;
use lobby_core::protocol::{InvoiceAdd, InvoiceLineRecord};
use lobby_core::ErrorCode;
use lobby_e2e::fault_proxy::{Fault, FaultProxy};
use lobby_e2e::{due_in, TestServer};

/// A camera-sized photo of a slip (noisy, so it does not compress to nothing).
fn camera_photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(2400, 1600, |x, y| {
        let v = ((x * 7 + y * 13) ^ (x * y)) as u8;
        image::Rgb([v, v.wrapping_mul(3), 200])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

fn line(description: &str, amount_satang: i64) -> InvoiceLineRecord {
    InvoiceLineRecord {
        description: description.into(),
        amount_satang,
    }
}

/// Staff bill `unit` 2,500 baht for a month, due in 30 days (not overdue).
async fn a_months_invoice(server: &TestServer, unit: &str) -> lobby_core::protocol::InvoiceAdded {
    let (period, due) = due_in(30);
    server
        .admin
        .add_invoice(&InvoiceAdd {
            unit_id: unit.to_string(),
            period,
            due,
            lines: vec![line("ค่าส่วนกลาง", 250_000)],
            total_satang: None,
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn pay_offline_with_a_slip_then_staff_reject_and_confirm() {
    let mut server = TestServer::start().await;
    let (phone, units) = server.onboarded_owner().await;
    let lobby = &phone.lobby;
    let unit = units[0].unit_id.clone();
    let project = lobby.units().list().unwrap()[0].project_id.clone();
    // This month's bill, due in 30 days; an old one, due 60 days ago (another month):
    // relative to the day the test runs, so the one is never overdue, the other always.
    let (period, due) = due_in(30);
    let (old_period, old_due) = due_in(-60);
    let added = server
        .admin
        .add_invoice(&InvoiceAdd {
            unit_id: unit.clone(),
            period: period.clone(),
            due,
            lines: vec![
                line("ค่าส่วนกลาง พฤศจิกายน", 250_000),
                line("ค่าน้ำประปา", 18_050),
            ],
            total_satang: Some(268_050),
        })
        .await
        .unwrap();
    assert_eq!(added.total_satang, 268_050);
    // A month imported for the project: an old, unpaid one for this unit.
    let csv = format!(
        "unit,period,due,description,amount_satang\n\
         12/345,{old_period},{old_due},ค่าส่วนกลาง มกราคม,250000\n\
         B-1203,{old_period},{old_due},ค่าส่วนกลาง มกราคม,500000\n"
    );
    let imported = server
        .admin
        .import_invoices(&project, csv.as_bytes().to_vec())
        .await
        .unwrap();
    assert_eq!(imported.invoices.len(), 2);
    lobby.sync().await.unwrap();
    let list = lobby.invoices().list(Some(&unit)).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        (list[0].period.as_str(), list[0].total_satang),
        (period.as_str(), 268_050)
    );
    assert_eq!(list[0].lines[1].description, "ค่าน้ำประปา");
    assert_eq!(list[0].status, InvoiceStatus::Unpaid);
    assert_eq!(list[1].status, InvoiceStatus::Overdue);
    // The overdue old month counts as a month in arrears, on the unit the phone shows.
    let arrears = lobby.units().list().unwrap()[0].arrears_months;
    assert_eq!(arrears, 1);

    // Paid with no signal: shrunk, kept, shown as queued.
    server.stop().await;
    let paid = lobby
        .invoices()
        .pay(&added.invoice_id, &camera_photo())
        .unwrap();
    assert!(paid.payment_queued);
    assert_eq!(paid.status, InvoiceStatus::SlipSubmitted);
    server.restart().await;
    let report = lobby.sync().await.unwrap();
    assert_eq!((report.pushed, report.pending), (1, 0));
    let inv = &lobby.invoices().list(Some(&unit)).unwrap()[0];
    assert_eq!(inv.status, InvoiceStatus::SlipSubmitted);
    assert!(!inv.payment_queued);
    // The server has the slip: a JPEG of at most 1600 px.
    let (slip_bytes,): (Vec<u8>,) = server
        .db()
        .query_row(
            "SELECT f.bytes FROM invoices i JOIN files f ON f.id = i.slip_file_id WHERE i.id = ?1",
            [&added.invoice_id],
            |r| Ok((r.get(0)?,)),
        )
        .unwrap();
    let info = check_photo(&slip_bytes).unwrap();
    assert_eq!((info.width, info.height), (1600, 1067));

    server
        .admin
        .reject_invoice(&added.invoice_id, "ยอดเงินในสลิปไม่ตรง")
        .await
        .unwrap();
    lobby.sync().await.unwrap();
    let inv = &lobby.invoices().list(Some(&unit)).unwrap()[0];
    assert_eq!(inv.status, InvoiceStatus::Rejected);
    assert_eq!(inv.reject_reason.as_deref(), Some("ยอดเงินในสลิปไม่ตรง"));

    lobby
        .invoices()
        .pay(&added.invoice_id, &camera_photo())
        .unwrap();
    lobby.sync().await.unwrap();
    server
        .admin
        .confirm_invoice(&added.invoice_id, 268_050)
        .await
        .unwrap();
    lobby.sync().await.unwrap();
    let inv = &lobby.invoices().list(Some(&unit)).unwrap()[0];
    assert_eq!(
        (inv.status, inv.received_satang),
        (InvoiceStatus::Paid, Some(268_050))
    );
    // Paid: refused on the phone, and again by the server.
    assert_eq!(
        lobby
            .invoices()
            .pay(&added.invoice_id, &camera_photo())
            .unwrap_err()
            .code,
        ErrorCode::Conflict
    );
    assert_eq!(
        server
            .admin
            .confirm_invoice(&added.invoice_id, 1)
            .await
            .unwrap_err()
            .code,
        ErrorCode::Conflict
    );
    let outstanding = server.admin.outstanding(&project).await.unwrap();
    let mine = outstanding
        .units
        .iter()
        .find(|u| u.unit_id == unit)
        .unwrap();
    assert_eq!((mine.unpaid_satang, mine.months_in_arrears), (250_000, 1));
    server.stop().await;
}

#[tokio::test]
async fn a_slip_upload_survives_dropped_connections_and_is_applied_once() {
    let server = TestServer::start().await;
    let (phone, units) = server.onboarded_owner().await;
    let lobby = &phone.lobby;
    let unit = units[0].unit_id.clone();
    let added = a_months_invoice(&server, &unit).await;
    lobby.sync().await.unwrap();
    // Every third request through this network is dropped.
    let proxy = FaultProxy::start(&server.url, vec![Fault::Pass, Fault::Pass, Fault::Drop]).await;
    lobby.set_server_url(&proxy.url).unwrap();
    lobby
        .invoices()
        .pay(&added.invoice_id, &camera_photo())
        .unwrap();
    let mut tries = 0;
    while lobby.status().pending > 0 && tries < 20 {
        let _ = lobby.sync().await;
        tries += 1;
    }
    assert_eq!(lobby.status().pending, 0, "sent after {tries} tries");
    lobby.set_server_url(&server.url).unwrap();
    lobby.sync().await.unwrap();
    let inv = &lobby.invoices().list(Some(&unit)).unwrap()[0];
    assert_eq!(inv.status, InvoiceStatus::SlipSubmitted);
    // One slip stored, no upload left behind.
    let db = server.db();
    let files: i64 = db
        .query_row("SELECT COUNT(*) FROM files", [], |r| r.get(0))
        .unwrap();
    let uploads: i64 = db
        .query_row("SELECT COUNT(*) FROM uploads", [], |r| r.get(0))
        .unwrap();
    assert_eq!((files, uploads), (1, 0));
}

/// Issue 10's measure: a slip upload whose connection dies half way resumes from the
/// server's offset, so what is sent twice is the part of the one chunk in flight. Prints
/// the figures (`cargo test -p lobby-e2e --test invoices resum -- --nocapture`,
/// docs/benchmarks.md).
#[tokio::test]
async fn a_slip_upload_cut_half_way_resumes_sending_at_most_one_chunk_twice() {
    let mut server = TestServer::start().await;
    let (phone, units) = server.onboarded_owner().await;
    let lobby = &phone.lobby;
    let unit = units[0].unit_id.clone();
    let added = a_months_invoice(&server, &unit).await;
    lobby.sync().await.unwrap();
    // A 4000 × 3000 noisy photo: its slip spans several chunks.
    let photo = {
        let img = image::RgbImage::from_fn(4000, 3000, |x, y| {
            let v = ((x * 7 + y * 13) ^ (x * y)) as u8;
            image::Rgb([v, v.wrapping_mul(3), 200])
        });
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
        out.into_inner()
    };
    lobby.invoices().pay(&added.invoice_id, &photo).unwrap();
    // The shrink is deterministic: the same bytes as the queued slip.
    let slip = lobby_core::invoices::shrink_slip(&photo).unwrap().len();
    assert!(slip > 2 * 256 * 1024, "the slip spans chunks: {slip} bytes");
    let proxy = FaultProxy::cutting_uploads_at(&server.url, slip / 2).await;
    lobby.set_server_url(&proxy.url).unwrap();
    let mut syncs = 0;
    while lobby.status().pending > 0 && syncs < 5 {
        let _ = lobby.sync().await;
        syncs += 1;
    }
    assert_eq!(lobby.status().pending, 0, "sent after {syncs} syncs");
    let sent = proxy.counts.upload_body_bytes.load(Ordering::SeqCst);
    assert_eq!(proxy.counts.uploads_cut.load(Ordering::SeqCst), 1);
    let twice = sent - slip;
    eprintln!(
        "slip {slip} bytes, cut at {} bytes; upload bytes read by the network {sent}: \
         {twice} sent twice ({:.1}% of the slip), {syncs} syncs",
        slip / 2,
        twice as f64 * 100.0 / slip as f64
    );
    assert!(twice > 0 && twice <= 256 * 1024, "{twice}");
    let inv = &lobby.invoices().list(Some(&unit)).unwrap()[0];
    assert_eq!(inv.status, InvoiceStatus::SlipSubmitted);
    let (files, uploads): (i64, i64) = server
        .db()
        .query_row(
            "SELECT (SELECT COUNT(*) FROM files), (SELECT COUNT(*) FROM uploads)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((files, uploads), (1, 0));
    server.stop().await;
}

#[tokio::test]
async fn bad_invoices_and_slips_are_refused() {
    let server = TestServer::start().await;
    let (phone, units) = server.onboarded_owner().await;
    let project = phone.lobby.units().list().unwrap()[0].project_id.clone();
    let (period, due) = due_in(30);
    let add = |lines: Vec<InvoiceLineRecord>, total: Option<i64>| InvoiceAdd {
        unit_id: units[0].unit_id.clone(),
        period: period.clone(),
        due: due.clone(),
        lines,
        total_satang: total,
    };
    for bad in [
        add(vec![line("ค่าส่วนกลาง", -100)], None),
        add(vec![line("ค่าส่วนกลาง", 10_000_000_001)], None),
        add(vec![line("ค่าส่วนกลาง", 100), line("ค่าน้ำ", 50)], Some(100)),
        add(vec![], None),
        add(vec![line("\u{202E}ปลอม", 100)], None),
    ] {
        assert_eq!(
            server.admin.add_invoice(&bad).await.unwrap_err().code,
            ErrorCode::InvalidInput
        );
    }
    let ok = server
        .admin
        .add_invoice(&add(vec![line("ค่าส่วนกลาง", 100)], None))
        .await
        .unwrap();
    assert_eq!(
        server
            .admin
            .add_invoice(&add(vec![line("ค่าส่วนกลาง", 100)], None))
            .await
            .unwrap_err()
            .code,
        ErrorCode::Conflict,
        "one invoice per unit and period"
    );
    // A CSV with a bad row: its line number, nothing imported. Its month is not the
    // invoices' above (45 days later), so none of its rows can be counted as theirs.
    let (next_period, next_due) = due_in(75);
    let csv = format!(
        "unit,period,due,description,amount_satang\n\
         B-1203,{next_period},{next_due},ค่าส่วนกลาง,500000\n\
         B-1204,{next_period},{next_due},ค่าส่วนกลาง,12.50\n\
         Z-9999,{next_period},{next_due},ค่าส่วนกลาง,100\n"
    );
    let e = server
        .admin
        .import_invoices(&project, csv.as_bytes().to_vec())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(e.message.contains("line 3"), "{}", e.message);
    let count: i64 = server
        .db()
        .query_row(
            "SELECT COUNT(*) FROM invoices WHERE period = ?1",
            [&next_period],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(count, 0);
    // Slips: not an image; a decompression bomb (both refused on the phone).
    phone.lobby.sync().await.unwrap();
    for bad in [b"%PDF-1.4 not a photo".to_vec(), {
        let img = image::RgbImage::from_pixel(8, 8, image::Rgb([0, 0, 0]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        let mut b = out.into_inner();
        b[16..24].copy_from_slice(&[0, 0, 0xEA, 0x60, 0, 0, 0xEA, 0x60]);
        b
    }] {
        assert_eq!(
            phone
                .lobby
                .invoices()
                .pay(&ok.invoice_id, &bad)
                .unwrap_err()
                .code,
            ErrorCode::InvalidInput
        );
    }
    // Another unit's invoice: not on this phone; pushed anyway, the server says not_found.
    let theirs = server
        .admin
        .add_invoice(&InvoiceAdd {
            unit_id: units[2].unit_id.clone(),
            ..add(vec![line("ค่าส่วนกลาง", 100)], None)
        })
        .await
        .unwrap();
    assert_eq!(
        phone
            .lobby
            .invoices()
            .pay(&theirs.invoice_id, &camera_photo())
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
}
