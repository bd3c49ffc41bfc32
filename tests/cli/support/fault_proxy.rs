//! A fault-injecting HTTP/1.1 proxy on 127.0.0.1, between the SDK and an
//! emulator. It forwards requests verbatim and, following its rules,
//! answers some with AWS throttling errors or 5xx, or drops the connection
//! without answering, or rewrite part of an answer. It records the action of every request (the `Action`
//! form field of query-protocol calls) and what it did with it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// What to do to a matching request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 400 with the AWS query error `Throttling: Rate exceeded`.
    Throttle,
    /// This 5xx status with an AWS error body.
    ServerError(u16),
    /// Close the connection without answering.
    Drop,
    /// An AWS error of the caller's choosing (`AccessDenied`, ...), without
    /// forwarding: errors neither emulator produces.
    Error {
        /// HTTP status.
        status: u16,
        /// AWS error code.
        code: String,
        /// AWS error message.
        message: String,
    },
    /// A 200 answer with this XML body, without forwarding: an API the
    /// emulator lacks, answered in the shape of AWS's API reference.
    Answer(String),
    /// Forward, then replace text in the emulator's answer (to show the
    /// SDK a state the emulator cannot reach, such as
    /// `UPDATE_ROLLBACK_FAILED`). Needs a `Content-Length` framed answer.
    Rewrite {
        /// Text to find.
        from: String,
        /// Its replacement.
        to: String,
    },
}

/// One rule: which requests it hits and how.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Only requests with this action (`None`: any).
    pub action: Option<String>,
    /// Only after a request with this action has been forwarded.
    pub armed_by: Option<String>,
    /// Let this many matching requests through first.
    pub skip: usize,
    /// Then hit this many (`usize::MAX`: all).
    pub times: usize,
    /// The fault.
    pub fault: Fault,
}

impl Rule {
    /// Hits the first `times` requests with `action`.
    pub fn on(action: &str, times: usize, fault: Fault) -> Rule {
        Rule {
            action: Some(action.to_owned()),
            armed_by: None,
            skip: 0,
            times,
            fault,
        }
    }

    /// Lets `skip` matching requests through first.
    pub fn after(mut self, skip: usize) -> Rule {
        self.skip = skip;
        self
    }

    /// Hits every request once a request with `action` was forwarded.
    pub fn everything_after(action: &str, fault: Fault) -> Rule {
        Rule {
            action: None,
            armed_by: Some(action.to_owned()),
            skip: 0,
            times: usize::MAX,
            fault,
        }
    }
}

/// One request as the proxy saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// Its action (`?` when it had none, such as S3 calls).
    pub action: String,
    /// `forwarded`, or the fault applied.
    pub outcome: String,
    /// The request's form body (query-protocol parameters, URL-encoded),
    /// to check what a call asked for (`RetainResources.member.1=...`).
    pub params: String,
    /// The request's form body, percent-decoded (`Key=Value` pairs joined
    /// by `&`), to check what a call sent.
    pub body: String,
}

#[derive(Debug, Default)]
struct State {
    rules: Vec<(Rule, usize)>,
    armed: Vec<String>,
    log: Vec<Seen>,
}

/// A running proxy; stops on drop.
pub struct FaultProxy {
    pub port: u16,
    state: Arc<Mutex<State>>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` (`http://127.0.0.1:PORT`) with `rules`.
    pub fn start(upstream: &str, rules: Vec<Rule>) -> FaultProxy {
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let state = Arc::new(Mutex::new(State {
            rules: rules.into_iter().map(|r| (r, 0)).collect(),
            ..State::default()
        }));
        let std_listener =
            std::net::TcpListener::bind("127.0.0.1:0").expect("bind the fault proxy");
        std_listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let port = std_listener.local_addr().expect("proxy address").port();
        let (stop_tx, stop_rx) = oneshot::channel();
        let st = state.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("proxy runtime");
            rt.block_on(async move {
                let listener = TcpListener::from_std(std_listener).expect("tokio listener");
                let accept = async {
                    loop {
                        let Ok((client, _)) = listener.accept().await else {
                            continue;
                        };
                        let st = st.clone();
                        let upstream = upstream.clone();
                        tokio::spawn(async move {
                            let _ = serve(client, &upstream, st).await;
                        });
                    }
                };
                tokio::select! {
                    _ = accept => {}
                    _ = stop_rx => {}
                }
            });
        });
        FaultProxy {
            port,
            state,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request seen so far.
    pub fn log(&self) -> Vec<Seen> {
        self.state.lock().map(|s| s.log.clone()).unwrap_or_default()
    }

    /// The actions forwarded to the emulator, in order.
    pub fn forwarded_actions(&self) -> Vec<String> {
        self.log()
            .into_iter()
            .filter(|s| s.outcome == "forwarded")
            .map(|s| s.action)
            .collect()
    }

    /// The bodies of the requests with `action`, in order.
    pub fn bodies(&self, action: &str) -> Vec<String> {
        self.log()
            .into_iter()
            .filter(|s| s.action == action)
            .map(|s| s.body)
            .collect()
    }

    /// The form bodies of the requests with `action`, in order.
    pub fn requests(&self, action: &str) -> Vec<String> {
        self.log()
            .into_iter()
            .filter(|s| s.action == action)
            .map(|s| s.params)
            .collect()
    }

    /// How many requests got each fault.
    pub fn faults(&self) -> usize {
        self.log()
            .iter()
            .filter(|s| s.outcome != "forwarded")
            .count()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Reads one HTTP message head (up to the blank line); `None` on a clean EOF.
async fn read_head<R: AsyncBufReadExt + Unpin>(r: &mut R) -> std::io::Result<Option<String>> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        let n = r.read_line(&mut line).await?;
        if n == 0 {
            return if head.is_empty() {
                Ok(None)
            } else {
                Err(std::io::ErrorKind::UnexpectedEof.into())
            };
        }
        head.push_str(&line);
        if line == "\r\n" {
            return Ok(Some(head));
        }
    }
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Reads a body as framed by the head; returns the raw bytes to forward.
/// `until_close` bodies (no length, not chunked) read to EOF.
async fn read_body<R: AsyncBufReadExt + Unpin>(
    r: &mut R,
    head: &str,
    is_response: bool,
) -> std::io::Result<(Vec<u8>, bool)> {
    if let Some(len) = header(head, "content-length").and_then(|v| v.parse::<usize>().ok()) {
        let mut body = vec![0; len];
        r.read_exact(&mut body).await?;
        return Ok((body, false));
    }
    if header(head, "transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        let mut raw = Vec::new();
        loop {
            let mut size_line = String::new();
            r.read_line(&mut size_line).await?;
            raw.extend_from_slice(size_line.as_bytes());
            let size = usize::from_str_radix(size_line.trim().split(';').next().unwrap_or("0"), 16)
                .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "chunk size"))?;
            if size == 0 {
                // Trailers until the blank line.
                loop {
                    let mut t = String::new();
                    r.read_line(&mut t).await?;
                    raw.extend_from_slice(t.as_bytes());
                    if t == "\r\n" || t.is_empty() {
                        break;
                    }
                }
                return Ok((raw, false));
            }
            let mut chunk = vec![0; size + 2];
            r.read_exact(&mut chunk).await?;
            raw.extend_from_slice(&chunk);
        }
    }
    let status_without_body = head.starts_with("HTTP/1.1 204") || head.starts_with("HTTP/1.1 304");
    if !is_response || status_without_body {
        return Ok((Vec::new(), false));
    }
    let mut body = Vec::new();
    r.read_to_end(&mut body).await?;
    Ok((body, true))
}

/// Decodes `%XX` escapes and `+` of a form body (invalid escapes stay).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() && text.is_char_boundary(i + 3) => {
                match u8::from_str_radix(&text[i + 1..i + 3], 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn action_of(head: &str, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let from_body = text
        .split('&')
        .find_map(|kv| kv.strip_prefix("Action="))
        .map(str::to_owned);
    let from_query = head
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|p| p.split_once('?'))
        .and_then(|(_, q)| q.split('&').find_map(|kv| kv.strip_prefix("Action=")))
        .map(str::to_owned);
    from_body.or(from_query).unwrap_or_else(|| "?".into())
}

fn decide(state: &Arc<Mutex<State>>, action: &str) -> Option<Fault> {
    let mut s = state.lock().ok()?;
    let armed = s.armed.clone();
    for (rule, matched) in s.rules.iter_mut() {
        if rule.action.as_deref().is_some_and(|a| a != action) {
            continue;
        }
        if rule.armed_by.as_ref().is_some_and(|a| !armed.contains(a)) {
            continue;
        }
        *matched += 1;
        if *matched > rule.skip && *matched - rule.skip <= rule.times {
            return Some(rule.fault.clone());
        }
    }
    None
}

fn error_response(status: u16, code: &str, message: &str, kind: &str) -> Vec<u8> {
    let reason = match status {
        400 => "Bad Request",
        403 => "Forbidden",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Error",
    };
    let body = format!(
        "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>"
    );
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nx-amzn-RequestId: fault-proxy\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

async fn serve(client: TcpStream, upstream: &str, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    let (cr, mut cw) = client.into_split();
    let mut cr = BufReader::new(cr);
    let mut up: Option<(
        BufReader<tokio::net::tcp::OwnedReadHalf>,
        tokio::net::tcp::OwnedWriteHalf,
    )> = None;
    loop {
        let Some(head) = read_head(&mut cr).await? else {
            return Ok(());
        };
        let (body, _) = read_body(&mut cr, &head, false).await?;
        let action = action_of(&head, &body);
        let fault = decide(&state, &action);
        let outcome = match &fault {
            None => "forwarded".to_owned(),
            Some(Fault::Rewrite { .. }) => "rewritten".to_owned(),
            Some(f) => format!("{f:?}"),
        };
        if let Ok(mut s) = state.lock() {
            s.log.push(Seen {
                action: action.clone(),
                outcome,
                params: String::from_utf8_lossy(&body).into_owned(),
                body: percent_decode(&String::from_utf8_lossy(&body)),
            });
        }
        match fault {
            Some(Fault::Throttle) => {
                cw.write_all(&error_response(
                    400,
                    "Throttling",
                    "Rate exceeded",
                    "Sender",
                ))
                .await?;
                continue;
            }
            Some(Fault::ServerError(status)) => {
                let code = if status == 503 {
                    "ServiceUnavailable"
                } else {
                    "InternalFailure"
                };
                cw.write_all(&error_response(
                    status,
                    code,
                    "injected by the fault proxy",
                    "Receiver",
                ))
                .await?;
                continue;
            }
            Some(Fault::Drop) => {
                // Closing both halves without a byte of response.
                return Ok(());
            }
            Some(Fault::Error {
                status,
                code,
                message,
            }) => {
                cw.write_all(&error_response(status, &code, &message, "Sender"))
                    .await?;
                continue;
            }
            Some(Fault::Answer(body)) => {
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nx-amzn-RequestId: fault-proxy\r\n\r\n{body}",
                    body.len()
                );
                cw.write_all(answer.as_bytes()).await?;
                continue;
            }
            Some(Fault::Rewrite { .. }) | None => {}
        }
        if up.is_none() {
            let stream = tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(upstream))
                .await
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))??;
            let (r, w) = stream.into_split();
            up = Some((BufReader::new(r), w));
        }
        let Some((ur, uw)) = up.as_mut() else {
            return Ok(());
        };
        uw.write_all(head.as_bytes()).await?;
        uw.write_all(&body).await?;
        let Some(resp_head) = read_head(ur).await? else {
            return Ok(());
        };
        let (mut resp_body, closes) = read_body(ur, &resp_head, true).await?;
        let mut resp_head = resp_head;
        if let Some(Fault::Rewrite { from, to }) = &fault {
            let text = String::from_utf8_lossy(&resp_body).replace(from.as_str(), to);
            resp_body = text.into_bytes();
            resp_head = resp_head
                .lines()
                .map(|l| {
                    if l.to_ascii_lowercase().starts_with("content-length:") {
                        format!("Content-Length: {}", resp_body.len())
                    } else {
                        l.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("\r\n");
            resp_head.push_str("\r\n");
        }
        cw.write_all(resp_head.as_bytes()).await?;
        cw.write_all(&resp_body).await?;
        if let Ok(mut s) = state.lock()
            && !s.armed.contains(&action)
        {
            s.armed.push(action.clone());
        }
        if closes
            || header(&resp_head, "connection").is_some_and(|v| v.eq_ignore_ascii_case("close"))
        {
            return Ok(());
        }
    }
}
