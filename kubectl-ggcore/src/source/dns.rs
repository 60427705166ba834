//! Live name lookups for the `dns` host interface: A and AAAA queries sent to the resolver the
//! run is configured with, answered in the [`DnsRecord`] shape that a collected snapshot stores,
//! so that `collect` can save a lookup and a later run can replay it.
//!
//! The resolver is a recursive server (CoreDNS inside a cluster, or the server given with
//! `--dns-server`). Each query goes over UDP first and is repeated over TCP when the answer comes
//! back truncated. CNAME chains are followed through the answer section, and asked again for the
//! chain's last name when a server returns the chain without its addresses. The TTL of an answer
//! is the smallest TTL of every record on the path from the asked name to its addresses.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use hickory_proto::op::{Message, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

use super::error::ReadError;
use super::recorded::DnsRecord;

/// How long one UDP or TCP exchange with the server may take: 2 seconds. A UDP query that
/// gets no answer in time is sent once more, so a lookup of one record type gives up after
/// about 4 seconds (6 when the answer is truncated and TCP follows).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// How many CNAME records a lookup follows before it gives up: 8, as a loop guard.
const MAX_CNAME_HOPS: usize = 8;

/// How often a UDP query is sent before the lookup times out.
const UDP_ATTEMPTS: usize = 2;

/// The largest DNS message read over UDP; larger answers come back truncated and go to TCP.
const UDP_BUFFER: usize = 4096;

/// The file that names the resolver of a process running inside a pod.
const RESOLV_CONF: &str = "/etc/resolv.conf";

/// Where the run's resolver came from, which decides whether it wins over recorded answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResolverOrigin {
    /// `--dns-server`: the user asked for live lookups, so they win over recorded ones.
    Flag,
    /// The first nameserver of `/etc/resolv.conf`, because the plugin runs inside a pod.
    ResolvConf,
}

/// A recursive DNS server and how long to wait for it.
#[derive(Debug, Clone)]
pub struct Resolver {
    server: SocketAddr,
    origin: ResolverOrigin,
    timeout: Duration,
}

impl Resolver {
    /// Creates a resolver that asks `server`, with the default timeout.
    pub fn new(server: SocketAddr, origin: ResolverOrigin) -> Resolver {
        Resolver { server, origin, timeout: DEFAULT_TIMEOUT }
    }

    /// Sets how long one exchange with the server may take.
    pub fn with_timeout(mut self, timeout: Duration) -> Resolver {
        self.timeout = timeout;
        self
    }

    /// Returns the server's address.
    pub fn server(&self) -> SocketAddr {
        self.server
    }

    /// Returns where the resolver came from.
    pub fn origin(&self) -> ResolverOrigin {
        self.origin
    }

    /// Decides the resolver of a run: the `--dns-server` flag when given; otherwise, for a run
    /// against the live cluster from inside a pod, the pod's own resolver. A snapshot run never
    /// falls back to the pod's resolver, because the snapshot may come from another cluster
    /// whose names the local resolver answers differently.
    ///
    /// # Errors
    ///
    /// Fails when the flag's value is not `HOST:PORT` or an address.
    pub fn for_run(flag: Option<&str>, live: bool) -> Result<Option<Resolver>> {
        if let Some(text) = flag {
            let server = parse_server(text)?;
            return Ok(Some(Resolver::new(server, ResolverOrigin::Flag)));
        }
        if live {
            return Ok(Resolver::in_cluster());
        }
        Ok(None)
    }

    /// Returns the resolver of the pod the plugin runs in: the first nameserver of
    /// `/etc/resolv.conf`, on port 53. `None` outside a pod (`KUBERNETES_SERVICE_HOST` unset)
    /// or when the file names no nameserver.
    pub fn in_cluster() -> Option<Resolver> {
        std::env::var_os("KUBERNETES_SERVICE_HOST")?;
        let text = std::fs::read_to_string(RESOLV_CONF).ok()?;
        let address = first_nameserver(&text)?;
        tracing::debug!("using the pod's resolver {address} from {RESOLV_CONF}");
        Some(Resolver::new(SocketAddr::new(address, 53), ResolverOrigin::ResolvConf))
    }

    /// Resolves `name` to its A and AAAA records. The name is taken as absolute: no search
    /// domain is appended. A failed lookup is a record with its error, as `collect` saves it.
    pub async fn resolve(&self, name: &str) -> DnsRecord {
        let result = self.lookup_both(name).await;
        match result {
            Ok((addresses, ttl)) => DnsRecord { name: name.to_string(), addresses, ttl, error: None },
            Err(error) => DnsRecord { name: name.to_string(), addresses: Vec::new(), ttl: 0, error: Some(error.to_recorded()) },
        }
    }

    async fn lookup_both(&self, name: &str) -> Result<(Vec<String>, u32), ReadError> {
        let mut fqdn = Name::from_ascii(name).map_err(|e| ReadError::Invalid(format!("`{name}` is not a valid DNS name: {e}")))?;
        fqdn.set_fqdn(true);

        let (v4, v6) = tokio::join!(self.lookup(&fqdn, RecordType::A), self.lookup(&fqdn, RecordType::AAAA));
        // NXDOMAIN on both types means the name does not exist, and NXDOMAIN on one type only
        // is taken as "no record of that type". A failure of one type does not fail a lookup
        // whose other type found addresses: some servers refuse AAAA queries for names they
        // only hold IPv4 records for (dnsmasq without upstream servers does).
        if let (Err(ReadError::NotFound(message)), Err(ReadError::NotFound(_))) = (&v4, &v6) {
            return Err(ReadError::NotFound(message.clone()));
        }
        let (v4, v6) = match (found_or_empty(v4), found_or_empty(v6)) {
            (Ok(v4), Ok(v6)) => (v4, v6),
            (Ok(found), Err(error)) | (Err(error), Ok(found)) if !found.addresses.is_empty() => {
                tracing::debug!("lookup of `{name}`: using the addresses of one record type, the other failed: {error}");
                (found, Addresses::default())
            }
            (Err(error), _) | (_, Err(error)) => return Err(error),
        };

        let ttl = [v4.ttl, v6.ttl].into_iter().flatten().min().unwrap_or(0);
        let mut addresses: Vec<String> = Vec::new();
        for address in v4.addresses.iter().chain(&v6.addresses) {
            let text = address.to_string();
            if !addresses.contains(&text) {
                addresses.push(text);
            }
        }
        Ok((addresses, ttl))
    }

    /// Looks up one record type, following CNAME chains.
    async fn lookup(&self, name: &Name, record_type: RecordType) -> Result<Addresses, ReadError> {
        let mut asked = name.clone();
        let mut ttl: Option<u32> = None;
        let mut hops = 0;
        loop {
            let answer = self.exchange(&asked, record_type).await?;
            match answer.metadata.response_code {
                ResponseCode::NoError => {}
                ResponseCode::NXDomain => {
                    return Err(ReadError::NotFound(format!("`{asked}` does not exist (NXDOMAIN from {})", self.server)));
                }
                code => {
                    return Err(ReadError::Unavailable(format!("DNS server {} answered {code} for {record_type} `{asked}`", self.server)));
                }
            }

            // Walk the chain inside this answer: asked name -> CNAME -> ... -> addresses.
            let mut target = asked.clone();
            while let Some(record) = answer.answers.iter().find(|r| r.name == target && r.record_type() == RecordType::CNAME) {
                let RData::CNAME(cname) = &record.data else { break };
                hops += 1;
                if hops > MAX_CNAME_HOPS {
                    return Err(ReadError::Invalid(format!("`{name}` has a CNAME chain longer than {MAX_CNAME_HOPS} records")));
                }
                ttl = Some(ttl.map_or(record.ttl, |t| t.min(record.ttl)));
                target = cname.0.clone();
            }

            let mut addresses = Vec::new();
            for record in answer.answers.iter().filter(|r| r.name == target) {
                let address = match &record.data {
                    RData::A(a) if record_type == RecordType::A => IpAddr::V4(a.0),
                    RData::AAAA(aaaa) if record_type == RecordType::AAAA => IpAddr::V6(aaaa.0),
                    _ => continue,
                };
                ttl = Some(ttl.map_or(record.ttl, |t| t.min(record.ttl)));
                addresses.push(address);
            }

            // A server may return the chain without the addresses of its last name; ask for
            // that name. The same name again means the answer is final: no record of this type.
            if addresses.is_empty() && target != asked {
                asked = target;
                continue;
            }
            return Ok(Addresses { addresses, ttl });
        }
    }

    /// Sends one query and returns the answer, over UDP, then TCP when it came back truncated.
    async fn exchange(&self, name: &Name, record_type: RecordType) -> Result<Message, ReadError> {
        let mut query = Message::query();
        query.metadata.recursion_desired = true;
        query.add_query(Query::query(name.clone(), record_type));
        let id = query.metadata.id;
        let bytes = query.to_vec().map_err(|e| ReadError::Invalid(format!("cannot encode a query for `{name}`: {e}")))?;

        let answer = self.exchange_udp(&bytes, id, name, record_type).await?;
        if !answer.metadata.truncation {
            return Ok(answer);
        }
        tracing::debug!("the {record_type} answer for `{name}` from {} is truncated; asking again over TCP", self.server);
        self.exchange_tcp(&bytes, id, name, record_type).await
    }

    async fn exchange_udp(&self, query: &[u8], id: u16, name: &Name, record_type: RecordType) -> Result<Message, ReadError> {
        let local: SocketAddr = if self.server.is_ipv4() { (Ipv4Addr::UNSPECIFIED, 0).into() } else { (Ipv6Addr::UNSPECIFIED, 0).into() };
        let socket = UdpSocket::bind(local).await.map_err(|e| self.io_error("opening a UDP socket", &e))?;
        socket.connect(self.server).await.map_err(|e| self.io_error("connecting over UDP", &e))?;

        let mut buffer = vec![0u8; UDP_BUFFER];
        for _ in 0..UDP_ATTEMPTS {
            socket.send(query).await.map_err(|e| self.io_error("sending a query", &e))?;
            let receive = async {
                // Datagrams that are not the answer to this query (a late answer to an earlier
                // attempt, garbage) are skipped.
                loop {
                    let length = socket.recv(&mut buffer).await?;
                    if let Ok(message) = Message::from_vec(&buffer[..length])
                        && message.metadata.id == id
                    {
                        return Ok::<Message, std::io::Error>(message);
                    }
                }
            };
            match tokio::time::timeout(self.timeout, receive).await {
                Ok(Ok(message)) => return Ok(message),
                Ok(Err(error)) => return Err(self.io_error("reading the answer", &error)),
                Err(_) => continue,
            }
        }
        Err(self.timed_out(name, record_type, "UDP"))
    }

    async fn exchange_tcp(&self, query: &[u8], id: u16, name: &Name, record_type: RecordType) -> Result<Message, ReadError> {
        let exchange = async {
            let mut stream = TcpStream::connect(self.server).await?;
            let length = u16::try_from(query.len()).map_err(|_| std::io::Error::other("query longer than 65535 bytes"))?;
            let mut framed = length.to_be_bytes().to_vec();
            framed.extend_from_slice(query);
            stream.write_all(&framed).await?;

            let mut prefix = [0u8; 2];
            stream.read_exact(&mut prefix).await?;
            let mut body = vec![0u8; usize::from(u16::from_be_bytes(prefix))];
            stream.read_exact(&mut body).await?;
            Ok::<Vec<u8>, std::io::Error>(body)
        };
        let body = match tokio::time::timeout(self.timeout, exchange).await {
            Ok(Ok(body)) => body,
            Ok(Err(error)) => return Err(self.io_error("asking over TCP", &error)),
            Err(_) => return Err(self.timed_out(name, record_type, "TCP")),
        };
        let message = Message::from_vec(&body)
            .map_err(|e| ReadError::Unavailable(format!("DNS server {} sent an answer that does not parse: {e}", self.server)))?;
        if message.metadata.id != id {
            return Err(ReadError::Unavailable(format!("DNS server {} answered over TCP with the id of another query", self.server)));
        }
        Ok(message)
    }

    fn io_error(&self, step: &str, error: &std::io::Error) -> ReadError {
        ReadError::Unavailable(format!("DNS server {}: {step} failed: {error}", self.server))
    }

    fn timed_out(&self, name: &Name, record_type: RecordType, transport: &str) -> ReadError {
        ReadError::Timeout(format!(
            "DNS server {} did not answer the {record_type} query for `{name}` over {transport} within {}s",
            self.server,
            self.timeout.as_secs_f64()
        ))
    }
}

/// The addresses of one record type and the smallest TTL on the way to them.
#[derive(Debug, Default)]
struct Addresses {
    addresses: Vec<IpAddr>,
    /// `None` when the answer held no record at all.
    ttl: Option<u32>,
}

/// Turns "this record type does not exist" into no addresses, and keeps other errors.
fn found_or_empty(result: Result<Addresses, ReadError>) -> Result<Addresses, ReadError> {
    match result {
        Err(ReadError::NotFound(_)) => Ok(Addresses::default()),
        other => other,
    }
}

/// Parses a `--dns-server` value: `IP:PORT`, `[IPv6]:PORT`, `HOST:PORT`, or an IP address
/// alone, which means port 53.
///
/// # Errors
///
/// Fails when the value names no address.
pub fn parse_server(text: &str) -> Result<SocketAddr> {
    if let Ok(address) = text.parse::<SocketAddr>() {
        return Ok(address);
    }
    if let Ok(ip) = text.trim_matches(['[', ']']).parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    if !text.contains(':') {
        bail!("invalid value `{text}` for `--dns-server`: expected HOST:PORT such as `127.0.0.1:53`, or an IP address");
    }
    let mut addresses = text
        .to_socket_addrs()
        .with_context(|| format!("invalid value `{text}` for `--dns-server`: cannot resolve the host; give an IP address such as `127.0.0.1:53`"))?;
    addresses.next().with_context(|| format!("invalid value `{text}` for `--dns-server`: the host has no address"))
}

/// Returns the first `nameserver` of a resolv.conf text.
pub fn first_nameserver(text: &str) -> Option<IpAddr> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.starts_with('#') && !line.starts_with(';'))
        .filter_map(|line| line.strip_prefix("nameserver"))
        .filter_map(|rest| rest.split_whitespace().next())
        // An IPv6 nameserver may carry a zone (`fe80::1%eth0`), which `IpAddr` does not take.
        .find_map(|address| address.split('%').next().and_then(|a| a.parse().ok()))
}

#[cfg(test)]
mod tests;
