//! A loopback HTTP proxy that breaks things on purpose, between the core and the server.
//!
//! It understands just enough HTTP/1.1 (request head, `Content-Length` body) to act per
//! request. Per request it follows a fault plan, cycling through it:
//! - `Pass`: forward, answer in full;
//! - `CutResponse`: forward, let the server act, then send the client only half of the
//!   answer and close — the client sees a broken response after the effect happened;
//! - `Replay`: send the request to the server twice (a duplicated request), answer with the
//!   second reply;
//! - `Drop`: close without forwarding.
//!
//! Each request goes to the server on a fresh connection.
//!
//! Separately, [`FaultProxy::cutting_uploads_at`] cuts the connection once, in the middle
//! of an upload's body (`PUT /v1/uploads/…`), when the upload bytes read from the client
//! reach a given total; `upload_body_bytes` counts every upload body byte read, so a test
//! can tell how many were sent twice.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Pass,
    CutResponse,
    Replay,
    Drop,
}

pub struct FaultProxy {
    pub url: String,
    pub counts: Arc<FaultCounts>,
    task: tokio::task::JoinHandle<()>,
}

#[derive(Default, Debug)]
pub struct FaultCounts {
    pub requests: AtomicUsize,
    pub cut: AtomicUsize,
    pub replayed: AtomicUsize,
    pub dropped: AtomicUsize,
    /// Body bytes of `PUT /v1/uploads/…` requests read from the client, cut ones included.
    pub upload_body_bytes: AtomicUsize,
    /// Upload bodies cut half way (see [`FaultProxy::cutting_uploads_at`]).
    pub uploads_cut: AtomicUsize,
    /// The upload byte total at which to cut, once (`usize::MAX`: never).
    cut_upload_at: AtomicUsize,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultProxy {
    /// A proxy that passes everything but cuts the connection once, in the middle of an
    /// upload's body, when `at` upload body bytes have been read in all.
    pub async fn cutting_uploads_at(upstream: &str, at: usize) -> FaultProxy {
        let proxy = FaultProxy::start(upstream, vec![Fault::Pass]).await;
        proxy.counts.cut_upload_at.store(at, Ordering::SeqCst);
        proxy
    }

    pub async fn start(upstream: &str, plan: Vec<Fault>) -> FaultProxy {
        let upstream: SocketAddr = upstream
            .trim_start_matches("http://")
            .parse()
            .expect("upstream addr");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let counts = Arc::new(FaultCounts {
            cut_upload_at: AtomicUsize::new(usize::MAX),
            ..FaultCounts::default()
        });
        let plan = Arc::new(plan);
        let c = counts.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    continue;
                };
                let (plan, counts) = (plan.clone(), c.clone());
                tokio::spawn(async move {
                    let _ = serve_client(client, upstream, &plan, &counts).await;
                });
            }
        });
        FaultProxy { url, counts, task }
    }
}

async fn serve_client(
    mut client: TcpStream,
    upstream: SocketAddr,
    plan: &[Fault],
    counts: &FaultCounts,
) -> std::io::Result<()> {
    loop {
        let Some(request) = read_request(&mut client, counts).await? else {
            return Ok(());
        };
        let n = counts.requests.fetch_add(1, Ordering::SeqCst);
        let fault = if plan.is_empty() {
            Fault::Pass
        } else {
            plan[n % plan.len()]
        };
        match fault {
            Fault::Drop => {
                counts.dropped.fetch_add(1, Ordering::SeqCst);
                return Ok(());
            }
            Fault::Pass => {
                let resp = round_trip(upstream, &request).await?;
                client.write_all(&resp).await?;
            }
            Fault::Replay => {
                counts.replayed.fetch_add(1, Ordering::SeqCst);
                round_trip(upstream, &request).await?;
                let resp = round_trip(upstream, &request).await?;
                client.write_all(&resp).await?;
            }
            Fault::CutResponse => {
                counts.cut.fetch_add(1, Ordering::SeqCst);
                let resp = round_trip(upstream, &request).await?;
                client.write_all(&resp[..resp.len() / 2]).await?;
                client.shutdown().await?;
                return Ok(());
            }
        }
    }
}

/// Reads one request (head + Content-Length body); `None` when the client closed, or
/// when an upload's body was cut here.
async fn read_request(
    client: &mut TcpStream,
    counts: &FaultCounts,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_lowercase();
    let len = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("content-length:")
                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
        })
        .unwrap_or(0);
    let upload = head.starts_with("put /v1/uploads/");
    let mut counted = 0;
    loop {
        let body = buf.len().min(head_end + len) - head_end;
        if upload {
            let total = counts
                .upload_body_bytes
                .fetch_add(body - counted, Ordering::SeqCst)
                + (body - counted);
            counted = body;
            let at = counts.cut_upload_at.load(Ordering::SeqCst);
            if total >= at && body < len {
                // Once: the connection dies with the body half sent.
                counts.cut_upload_at.store(usize::MAX, Ordering::SeqCst);
                counts.uploads_cut.fetch_add(1, Ordering::SeqCst);
                return Ok(None);
            }
        }
        if body >= len {
            break;
        }
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    buf.truncate(head_end + len);
    // Ask the server to close after answering so a response ends at EOF.
    let text = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut out: Vec<u8> = text
        .lines()
        .filter(|l| !l.to_lowercase().starts_with("connection:") && !l.is_empty())
        .map(|l| format!("{l}\r\n"))
        .collect::<String>()
        .into_bytes();
    out.extend_from_slice(b"connection: close\r\n\r\n");
    out.extend_from_slice(&buf[head_end..]);
    Ok(Some(out))
}

async fn round_trip(upstream: SocketAddr, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut s = TcpStream::connect(upstream).await?;
    s.write_all(request).await?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).await?;
    // Tell the client this connection closes after the answer, as the server said.
    Ok(resp)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
