//! The HTTP endpoint of `http.conf`: `GET /metrics` (Prometheus text format 0.0.4) and
//! `GET /health` (`200 OK`, body `OK`).
//!
//! A minimal HTTP/1.1 server written on tokio rather than hyper or axum: two fixed routes,
//! GET/HEAD only, one response per connection (`Connection: close`), a request head of at
//! most 8 KiB read within 5 s, at most 64 connections at once. That is all a scraper needs,
//! and it adds no dependency to the binary.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use tandem_conf::views::HttpConf;
use tandem_conf::{Diagnostic, Source};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::control::Daemon;

const MAX_HEAD: usize = 8192;
const READ_TIMEOUT: Duration = Duration::from_secs(5);
const MAX_CONNECTIONS: usize = 64;

/// Read http.conf (when there is one), its messages added to `diags`.
pub fn load(source: &dyn Source, diags: &mut Vec<Diagnostic>) -> Option<HttpConf> {
    let loaded = tandem_conf::load_optional(source, "http.conf")?;
    let (view, more) = HttpConf::from_config(&loaded.config);
    diags.extend(loaded.diagnostics);
    diags.extend(more);
    Some(view)
}

/// Bind and serve in the background.
pub async fn start(conf: &HttpConf, daemon: Arc<Daemon>) -> std::io::Result<()> {
    let listener = TcpListener::bind(conf.bind).await?;
    tracing::info!("HTTP (metrics) listening on {}", listener.local_addr()?);
    let permits = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let Ok(permit) = permits.clone().try_acquire_owned() else {
                drop(stream);
                continue;
            };
            let daemon = daemon.clone();
            tokio::spawn(async move {
                serve(daemon, stream).await;
                drop(permit);
            });
        }
    });
    Ok(())
}

/// The request line's method and path, from a complete request head.
pub fn request_line(head: &[u8]) -> Option<(&str, &str)> {
    let text = std::str::from_utf8(head).ok()?;
    let line = text.lines().next()?;
    let mut parts = line.split(' ');
    let method = parts.next()?;
    let target = parts.next()?;
    let version = parts.next()?;
    if !version.starts_with("HTTP/1.") || parts.next().is_some() {
        return None;
    }
    Some((method, target.split('?').next().unwrap_or(target)))
}

async fn serve(daemon: Arc<Daemon>, mut stream: TcpStream) {
    let mut head = Vec::with_capacity(512);
    let read = async {
        let mut chunk = [0u8; 1024];
        loop {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok::<bool, std::io::Error>(false);
            }
            head.extend_from_slice(chunk.get(..n).unwrap_or_default());
            if head.windows(4).any(|w| w == b"\r\n\r\n") {
                return Ok(true);
            }
            if head.len() > MAX_HEAD {
                return Ok(false);
            }
        }
    };
    let complete = matches!(tokio::time::timeout(READ_TIMEOUT, read).await, Ok(Ok(true)));
    let (status, content_type, body, head_only) = if !complete {
        if head.len() > MAX_HEAD {
            (
                "431 Request Header Fields Too Large",
                "text/plain",
                "too large\n".to_string(),
                false,
            )
        } else {
            return;
        }
    } else {
        match request_line(&head) {
            None => (
                "400 Bad Request",
                "text/plain",
                "bad request\n".to_string(),
                false,
            ),
            Some((method @ ("GET" | "HEAD"), path)) => {
                let head_only = method == "HEAD";
                match path {
                    "/metrics" => {
                        let d = daemon.clone();
                        let body = tokio::task::spawn_blocking(move || render(&d))
                            .await
                            .unwrap_or_default();
                        (
                            "200 OK",
                            "text/plain; version=0.0.4; charset=utf-8",
                            body,
                            head_only,
                        )
                    }
                    "/health" => ("200 OK", "text/plain", "OK\n".to_string(), head_only),
                    _ => (
                        "404 Not Found",
                        "text/plain",
                        "not found\n".to_string(),
                        head_only,
                    ),
                }
            }
            Some(_) => (
                "405 Method Not Allowed",
                "text/plain",
                "GET only\n".to_string(),
                false,
            ),
        }
    };
    let mut response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    if status.starts_with("405") {
        response.push_str("Allow: GET, HEAD\r\n");
    }
    response.push_str("\r\n");
    if !head_only {
        response.push_str(&body);
    }
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// The `/metrics` body.
pub fn render(daemon: &Daemon) -> String {
    let mut out = String::new();
    let (rows, (calls, processed)) = match &daemon.world {
        Some(w) => (w.channels.rows(), w.channels.call_counts()),
        None => (Vec::new(), (0, 0)),
    };
    family(
        &mut out,
        "tandem_channels_active",
        "gauge",
        "Channels in progress, by driver.",
    );
    let mut by_driver: std::collections::BTreeMap<String, u64> = ["SIP", "IAX2", "Local"]
        .iter()
        .map(|d| (d.to_string(), 0))
        .collect();
    for (name, _) in &rows {
        let driver = name.split('/').next().unwrap_or("unknown");
        *by_driver.entry(driver.to_string()).or_default() += 1;
    }
    for (driver, n) in &by_driver {
        let _ = writeln!(
            out,
            "tandem_channels_active{{driver=\"{}\"}} {n}",
            escape(driver)
        );
    }
    family(
        &mut out,
        "tandem_calls_active",
        "gauge",
        "Calls in progress.",
    );
    let _ = writeln!(out, "tandem_calls_active {calls}");
    family(
        &mut out,
        "tandem_calls_total",
        "counter",
        "Calls processed since start.",
    );
    let _ = writeln!(out, "tandem_calls_total {processed}");
    let sip = &crate::metrics::SIP;
    family(
        &mut out,
        "tandem_sip_requests_total",
        "counter",
        "SIP requests by direction and method.",
    );
    for (dir, d) in [("in", &sip.received), ("out", &sip.sent)] {
        for (method, n) in d.requests() {
            let _ = writeln!(
                out,
                "tandem_sip_requests_total{{direction=\"{dir}\",method=\"{method}\"}} {n}"
            );
        }
    }
    family(
        &mut out,
        "tandem_sip_responses_total",
        "counter",
        "SIP responses by direction and status code.",
    );
    for (dir, d) in [("in", &sip.received), ("out", &sip.sent)] {
        for (code, n) in d.responses() {
            let _ = writeln!(
                out,
                "tandem_sip_responses_total{{direction=\"{dir}\",code=\"{code}\"}} {n}"
            );
        }
    }
    if let Some(handle) = &daemon.sip {
        let (registered, peers) = {
            let st = handle
                .state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            (
                st.peers
                    .iter()
                    .filter(|p| p.registered_expires_epoch.is_some())
                    .count(),
                st.peers.len(),
            )
        };
        family(
            &mut out,
            "tandem_sip_registrations",
            "gauge",
            "SIP peers registered now.",
        );
        let _ = writeln!(out, "tandem_sip_registrations {registered}");
        family(
            &mut out,
            "tandem_sip_peers",
            "gauge",
            "SIP peers configured.",
        );
        let _ = writeln!(out, "tandem_sip_peers {peers}");
    }
    family(
        &mut out,
        "tandem_security_bans",
        "gauge",
        "Bans by autoban active now (SIP, IAX2, AMI).",
    );
    let _ = writeln!(out, "tandem_security_bans {}", daemon.security.ban_count());
    let rtp = &crate::metrics::RTP;
    let load = |a: &std::sync::atomic::AtomicU64| a.load(std::sync::atomic::Ordering::Relaxed);
    family(
        &mut out,
        "tandem_rtp_packets_received_total",
        "counter",
        "RTP packets received on the legs of ended calls.",
    );
    let _ = writeln!(
        out,
        "tandem_rtp_packets_received_total {}",
        load(&rtp.received)
    );
    family(
        &mut out,
        "tandem_rtp_packets_sent_total",
        "counter",
        "RTP packets sent on the legs of ended calls.",
    );
    let _ = writeln!(out, "tandem_rtp_packets_sent_total {}", load(&rtp.sent));
    family(
        &mut out,
        "tandem_rtp_packets_lost_total",
        "counter",
        "RTP packets lost on the way to tandem (ended calls).",
    );
    let _ = writeln!(out, "tandem_rtp_packets_lost_total {}", load(&rtp.lost));
    histogram(
        &mut out,
        "tandem_rtp_jitter_seconds",
        "Interarrival jitter of each ended call's received stream.",
        rtp.jitter.snapshot(),
    );
    histogram(
        &mut out,
        "tandem_rtp_loss_ratio",
        "Fraction of packets lost of each ended call's received stream.",
        rtp.loss.snapshot(),
    );
    tables(&mut out);
    family(
        &mut out,
        "tandem_uptime_seconds",
        "gauge",
        "Seconds since tandem started.",
    );
    let _ = writeln!(
        out,
        "tandem_uptime_seconds {}",
        daemon.ops.started.elapsed().as_secs()
    );
    out
}

/// The table-size gauges ([`crate::metrics::Tables`]).
fn tables(out: &mut String) {
    let t = &crate::metrics::TABLES;
    for (name, help, value) in [
        (
            "tandem_sip_transactions",
            "SIP transactions held, finished ones included while they linger (32 s).",
            &t.sip_transactions,
        ),
        (
            "tandem_sip_dialogs",
            "SIP calls the user agent holds (dialogs and INVITEs in progress).",
            &t.sip_dialogs,
        ),
        (
            "tandem_sip_legs",
            "SIP call legs of the driver (each with an RTP port).",
            &t.sip_legs,
        ),
    ] {
        family(out, name, "gauge", help);
        let _ = writeln!(
            out,
            "{name} {}",
            value.load(std::sync::atomic::Ordering::Relaxed)
        );
    }
    family(
        out,
        "tandem_rtp_ports_in_use",
        "gauge",
        "UDP ports of the rtp.conf range bound now (RTP and RTCP).",
    );
    let _ = writeln!(
        out,
        "tandem_rtp_ports_in_use {}",
        crate::media::ports_in_use()
    );
}

fn histogram(
    out: &mut String,
    name: &str,
    help: &str,
    (buckets, count, sum): (Vec<(f64, u64)>, u64, f64),
) {
    family(out, name, "histogram", help);
    for (le, n) in buckets {
        let _ = writeln!(out, "{name}_bucket{{le=\"{le}\"}} {n}");
    }
    let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
    let _ = writeln!(out, "{name}_sum {sum}");
    let _ = writeln!(out, "{name}_count {count}");
}

/// A label value: `\`, `"` and newlines escaped.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_line_takes_method_and_path_without_query() {
        assert_eq!(
            request_line(b"GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\n\r\n"),
            Some(("GET", "/metrics"))
        );
        assert_eq!(request_line(b"GET /metrics\r\n\r\n"), None);
        assert_eq!(request_line(b"GET / SPDY/3\r\n\r\n"), None);
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
