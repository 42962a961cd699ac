//! A fault-injecting HTTP/1.1 proxy on 127.0.0.1 in front of moto: requests
//! pass through byte for byte, except those matching a rule, which get an
//! error answer, a dropped connection (before or after the request reached
//! moto) or no answer at all.

use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Which requests a rule applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    /// A DynamoDB call by operation name (`X-Amz-Target: DynamoDB_20120810.<op>`).
    Dynamo(&'static str),
    /// An S3 request with this method on a receipt (`…/comprobantes/…`).
    Receipt(&'static str),
}

/// What happens to a matching request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Answer this without forwarding: moto never sees the request.
    Respond {
        status: u16,
        content_type: &'static str,
        body: String,
    },
    /// Close the connection without forwarding.
    Drop,
    /// Forward, wait for moto's answer, then close without passing it on:
    /// the write happened but the client never hears of it.
    ForwardThenDrop,
    /// Hold the request without forwarding, then close: a timeout.
    Hang(Duration),
}

impl Action {
    /// What DynamoDB answers when a table is over its capacity.
    pub fn dynamo_throttled() -> Self {
        Self::Respond {
            status: 400,
            content_type: "application/x-amz-json-1.0",
            body: r#"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded."}"#.into(),
        }
    }

    pub fn dynamo_internal_error() -> Self {
        Self::Respond {
            status: 500,
            content_type: "application/x-amz-json-1.0",
            body: r#"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"Internal server error"}"#.into(),
        }
    }

    /// What S3 answers when asked to slow down.
    pub fn s3_slow_down() -> Self {
        Self::Respond {
            status: 503,
            content_type: "application/xml",
            body: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>e2e</RequestId></Error>".into(),
        }
    }
}

#[derive(Debug, Clone)]
struct Rule {
    matcher: Matcher,
    /// Matching requests let through before the rule applies.
    skip: usize,
    /// How many matching requests (after `skip`) get the action.
    times: usize,
    action: Action,
}

#[derive(Default)]
struct State {
    rules: Vec<Rule>,
    /// Every request seen: its description and the action applied, if any.
    seen: Vec<(String, Option<Action>)>,
}

pub struct FaultProxy {
    pub url: String,
    state: Arc<Mutex<State>>,
}

/// Lets one request at a time through to the upstream server.
type Turn = Option<Arc<tokio::sync::Mutex<()>>>;

impl FaultProxy {
    /// Listens on 127.0.0.1 (a free port) and forwards to `upstream` (`http://host:port`).
    pub async fn start(upstream: &str) -> Self {
        Self::listen(upstream, None).await
    }

    /// Like [`FaultProxy::start`], but moto handles one request at a time
    /// while clients still send many at once: moto's TransactWriteItems is
    /// not thread-safe (it deep-copies tables that other requests change
    /// and answers 500), which real DynamoDB is.
    pub async fn start_serialized(upstream: &str) -> Self {
        Self::listen(upstream, Some(Arc::default())).await
    }

    async fn listen(upstream: &str, turn: Turn) -> Self {
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (state, upstream, turn) = (shared.clone(), upstream.clone(), turn.clone());
                tokio::spawn(async move {
                    let _ = connection(client, &upstream, &state, &turn).await;
                });
            }
        });
        Self { url, state }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// After letting `skip` matching requests through, the next `times` get `action`.
    pub fn add(&self, matcher: Matcher, skip: usize, times: usize, action: Action) {
        self.state().rules.push(Rule {
            matcher,
            skip,
            times,
            action,
        });
    }

    pub fn clear(&self) {
        self.state().rules.clear();
    }

    /// How many requests met a fault.
    pub fn faults_met(&self) -> usize {
        self.state()
            .seen
            .iter()
            .filter(|(_, a)| a.is_some())
            .count()
    }

    /// Requests seen, in order, as `DynamoDB.<Op>` or `<METHOD> <path>`.
    pub fn seen(&self) -> Vec<String> {
        self.state()
            .seen
            .iter()
            .map(|(what, action)| match action {
                Some(action) => format!("{what} -> {action:?}"),
                None => what.clone(),
            })
            .collect()
    }
}

/// A request or response head, parsed just enough to find its body.
struct Head {
    raw: Vec<u8>,
    first_line: String,
    headers: Vec<(String, String)>,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn parse(raw: Vec<u8>) -> std::io::Result<Self> {
        let text = String::from_utf8_lossy(&raw).into_owned();
        let mut lines = text.split("\r\n");
        let first_line = lines.next().unwrap_or("").to_owned();
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
            .collect();
        Ok(Self {
            raw,
            first_line,
            headers,
        })
    }
}

/// A byte stream with a read-ahead buffer.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    async fn fill(&mut self) -> std::io::Result<usize> {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk).await?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }

    /// The head up to and including the blank line; None at a clean end.
    async fn head(&mut self) -> std::io::Result<Option<Head>> {
        loop {
            if let Some(end) = find(&self.buf, b"\r\n\r\n") {
                let raw: Vec<u8> = self.buf.drain(..end + 4).collect();
                return Head::parse(raw).map(Some);
            }
            if self.fill().await? == 0 {
                return if self.buf.is_empty() {
                    Ok(None)
                } else {
                    Err(std::io::ErrorKind::UnexpectedEof.into())
                };
            }
        }
    }

    async fn exactly(&mut self, n: usize) -> std::io::Result<Vec<u8>> {
        while self.buf.len() < n {
            if self.fill().await? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
        }
        Ok(self.buf.drain(..n).collect())
    }

    async fn line(&mut self) -> std::io::Result<Vec<u8>> {
        loop {
            if let Some(end) = find(&self.buf, b"\r\n") {
                return Ok(self.buf.drain(..end + 2).collect());
            }
            if self.fill().await? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    /// A chunked body, raw (sizes, data, trailers), to pass on unchanged.
    async fn chunked(&mut self) -> std::io::Result<Vec<u8>> {
        let mut raw = Vec::new();
        loop {
            let size_line = self.line().await?;
            let size_text = String::from_utf8_lossy(&size_line);
            let size =
                usize::from_str_radix(size_text.trim().split(';').next().unwrap_or("").trim(), 16)
                    .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))?;
            raw.extend_from_slice(&size_line);
            if size == 0 {
                loop {
                    let trailer = self.line().await?;
                    raw.extend_from_slice(&trailer);
                    if trailer == b"\r\n" {
                        return Ok(raw);
                    }
                }
            }
            raw.extend(self.exactly(size + 2).await?);
        }
    }

    async fn rest(&mut self) -> std::io::Result<Vec<u8>> {
        while self.fill().await? > 0 {}
        Ok(std::mem::take(&mut self.buf))
    }

    /// The body that follows `head` (a request when `request`).
    async fn body(&mut self, head: &Head, request: bool) -> std::io::Result<(Vec<u8>, bool)> {
        let chunked = head
            .header("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
        if chunked {
            return Ok((self.chunked().await?, false));
        }
        if let Some(length) = head.header("content-length") {
            let n = length
                .parse()
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))?;
            return Ok((self.exactly(n).await?, false));
        }
        let status = head.first_line.split(' ').nth(1).unwrap_or("");
        if request || status == "204" || status == "304" {
            return Ok((Vec::new(), false));
        }
        // No length: the body runs to the end of the connection.
        Ok((self.rest().await?, true))
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn describe(head: &Head) -> String {
    match head.header("x-amz-target") {
        Some(target) => target.replace("DynamoDB_20120810.", "DynamoDB."),
        None => head
            .first_line
            .rsplit_once(' ')
            .map_or(head.first_line.clone(), |(request, _)| request.to_owned()),
    }
}

fn matches(matcher: &Matcher, head: &Head) -> bool {
    match matcher {
        Matcher::Dynamo(op) => {
            head.header("x-amz-target") == Some(&format!("DynamoDB_20120810.{op}"))
        }
        Matcher::Receipt(method) => {
            let mut words = head.first_line.split(' ');
            words.next() == Some(method)
                && words
                    .next()
                    .is_some_and(|path| path.contains("/comprobantes/"))
        }
    }
}

/// The action for this request, consuming one use of the matching rule.
fn decide(state: &Mutex<State>, head: &Head) -> Option<Action> {
    let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
    let mut action = None;
    for rule in state.rules.iter_mut() {
        if !matches(&rule.matcher, head) {
            continue;
        }
        if rule.skip > 0 {
            rule.skip -= 1;
        } else if rule.times > 0 {
            rule.times -= 1;
            action = Some(rule.action.clone());
        }
        break;
    }
    state.seen.push((describe(head), action.clone()));
    action
}

async fn connection(
    client: TcpStream,
    upstream: &str,
    state: &Mutex<State>,
    turn: &Turn,
) -> std::io::Result<()> {
    let mut client = Conn {
        stream: client,
        buf: Vec::new(),
    };
    while let Some(head) = client.head().await? {
        if head
            .header("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
        {
            client
                .stream
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .await?;
        }
        let (body, _) = client.body(&head, true).await?;
        match decide(state, &head) {
            Some(Action::Respond {
                status,
                content_type,
                body,
            }) => {
                let answer = format!(
                    "HTTP/1.1 {status} Fault\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nx-amzn-RequestId: e2e\r\n\r\n{body}",
                    body.len()
                );
                client.stream.write_all(answer.as_bytes()).await?;
            }
            Some(Action::Drop) => return Ok(()),
            Some(Action::Hang(wait)) => {
                tokio::time::sleep(wait).await;
                return Ok(());
            }
            Some(Action::ForwardThenDrop) => {
                let _ = forward(upstream, &head, &body, turn).await?;
                return Ok(());
            }
            None => {
                let (answer, close) = forward(upstream, &head, &body, turn).await?;
                client.stream.write_all(&answer).await?;
                if close {
                    return Ok(());
                }
            }
        }
    }
    Ok(())
}

/// Sends one request to moto on a new connection and returns its complete
/// answer, and whether the client connection must close after it.
async fn forward(
    upstream: &str,
    head: &Head,
    body: &[u8],
    turn: &Turn,
) -> std::io::Result<(Vec<u8>, bool)> {
    let _turn = match turn {
        Some(turn) => Some(turn.lock().await),
        None => None,
    };
    let mut server = Conn {
        stream: TcpStream::connect(upstream).await?,
        buf: Vec::new(),
    };
    server.stream.write_all(&head.raw).await?;
    server.stream.write_all(body).await?;
    loop {
        let Some(answer) = server.head().await? else {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        };
        let status = answer.first_line.split(' ').nth(1).unwrap_or("");
        if status.starts_with('1') {
            continue; // 100 Continue: the client already had ours
        }
        let (answer_body, to_end) = server.body(&answer, false).await?;
        let close = to_end
            || answer.first_line.starts_with("HTTP/1.0")
            || answer
                .header("connection")
                .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let mut bytes = answer.raw;
        bytes.extend(answer_body);
        return Ok((bytes, close));
    }
}
