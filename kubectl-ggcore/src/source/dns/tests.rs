//! The lookup logic against small in-process DNS servers on loopback, each answering with the
//! messages a test gives it. The end-to-end test with a real server (dnsmasq) lives in
//! `tests/e2e/dns.rs`.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::{Message, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{A, CNAME};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

use super::*;
use crate::source::recorded::RecordedError;

/// Builds the answer to `query` from a function of the asked name and type.
type Answerer = Arc<dyn Fn(&Name, RecordType) -> (ResponseCode, Vec<Record>) + Send + Sync>;

fn name(text: &str) -> Name {
    Name::from_ascii(text).unwrap()
}

fn a(owner: &str, ttl: u32, ip: [u8; 4]) -> Record {
    Record::from_rdata(name(owner), ttl, RData::A(A(Ipv4Addr::from(ip))))
}

fn cname(owner: &str, ttl: u32, target: &str) -> Record {
    Record::from_rdata(name(owner), ttl, RData::CNAME(CNAME(name(target))))
}

fn respond(query: &Message, answerer: &Answerer, truncated: bool) -> Vec<u8> {
    let asked = &query.queries[0];
    let mut response = Message::response(query.metadata.id, OpCode::Query);
    response.add_query(asked.clone());
    if truncated {
        response.metadata.truncation = true;
    } else {
        let (code, records) = answerer(asked.name(), asked.query_type());
        response.metadata.response_code = code;
        response.add_answers(records);
    }
    response.to_vec().unwrap()
}

/// Starts a UDP server on loopback; with `truncate`, every UDP answer is empty and truncated,
/// and a TCP server on the same port gives the full answer.
async fn serve(answerer: Answerer, truncate: bool) -> SocketAddr {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let address = socket.local_addr().unwrap();
    let udp_answerer = answerer.clone();
    tokio::spawn(async move {
        let mut buffer = vec![0u8; 4096];
        while let Ok((length, peer)) = socket.recv_from(&mut buffer).await {
            let query = Message::from_vec(&buffer[..length]).unwrap();
            let _ = socket.send_to(&respond(&query, &udp_answerer, truncate), peer).await;
        }
    });
    if truncate {
        let listener = TcpListener::bind(address).await.unwrap();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut prefix = [0u8; 2];
                stream.read_exact(&mut prefix).await.unwrap();
                let mut body = vec![0u8; usize::from(u16::from_be_bytes(prefix))];
                stream.read_exact(&mut body).await.unwrap();
                let answer = respond(&Message::from_vec(&body).unwrap(), &answerer, false);
                let mut framed = (answer.len() as u16).to_be_bytes().to_vec();
                framed.extend(answer);
                stream.write_all(&framed).await.unwrap();
            }
        });
    }
    address
}

fn resolver(server: SocketAddr) -> Resolver {
    Resolver::new(server, ResolverOrigin::Flag).with_timeout(Duration::from_millis(500))
}

const SERVICE: &str = "gg-core.veritas.svc.cluster.local.";
const GREEN: &str = "gg-core-green.veritas.svc.cluster.local.";

#[tokio::test]
async fn cname_chain_resolves_with_smallest_ttl() {
    let answerer: Answerer = Arc::new(|asked, record_type| match record_type {
        RecordType::A if *asked == name(SERVICE) => (ResponseCode::NoError, vec![cname(SERVICE, 30, GREEN), a(GREEN, 5, [10, 96, 0, 12])]),
        _ => (ResponseCode::NoError, Vec::new()),
    });
    let server = serve(answerer, false).await;

    let record = resolver(server).resolve("gg-core.veritas.svc.cluster.local").await;

    assert!(record.error.is_none(), "{:?}", record.error);
    assert_eq!(record.addresses, ["10.96.0.12"]);
    assert_eq!(record.ttl, 5);
}

#[tokio::test]
async fn chain_without_addresses_is_asked_again() {
    let answerer: Answerer = Arc::new(|asked, record_type| match record_type {
        RecordType::A if *asked == name(SERVICE) => (ResponseCode::NoError, vec![cname(SERVICE, 20, GREEN)]),
        RecordType::A if *asked == name(GREEN) => (ResponseCode::NoError, vec![a(GREEN, 60, [10, 96, 0, 13])]),
        _ => (ResponseCode::NoError, Vec::new()),
    });
    let server = serve(answerer, false).await;

    let record = resolver(server).resolve(SERVICE).await;

    assert_eq!(record.addresses, ["10.96.0.13"]);
    assert_eq!(record.ttl, 20);
}

#[tokio::test]
async fn truncated_answer_is_repeated_over_tcp() {
    let answerer: Answerer = Arc::new(|_, record_type| match record_type {
        RecordType::A => (ResponseCode::NoError, vec![a(SERVICE, 30, [10, 42, 1, 7]), a(SERVICE, 30, [10, 42, 1, 8])]),
        _ => (ResponseCode::NoError, Vec::new()),
    });
    let server = serve(answerer, true).await;

    let record = resolver(server).resolve(SERVICE).await;

    assert!(record.error.is_none(), "{:?}", record.error);
    assert_eq!(record.addresses, ["10.42.1.7", "10.42.1.8"]);
    assert_eq!(record.ttl, 30);
}

#[tokio::test]
async fn refused_aaaa_keeps_the_a_answer() {
    let answerer: Answerer = Arc::new(|_, record_type| match record_type {
        RecordType::A => (ResponseCode::NoError, vec![a(SERVICE, 30, [10, 96, 40, 10])]),
        _ => (ResponseCode::Refused, Vec::new()),
    });
    let server = serve(answerer, false).await;

    let record = resolver(server).resolve(SERVICE).await;

    assert!(record.error.is_none(), "{:?}", record.error);
    assert_eq!(record.addresses, ["10.96.40.10"]);
}

#[tokio::test]
async fn refused_both_types_is_unavailable() {
    let answerer: Answerer = Arc::new(|_, _| (ResponseCode::Refused, Vec::new()));
    let server = serve(answerer, false).await;

    let record = resolver(server).resolve(SERVICE).await;

    assert!(matches!(&record.error, Some(RecordedError::Unavailable(m)) if m.contains("Refused")), "{:?}", record.error);
}

#[tokio::test]
async fn nxdomain_is_not_found() {
    let answerer: Answerer = Arc::new(|_, _| (ResponseCode::NXDomain, Vec::new()));
    let server = serve(answerer, false).await;

    let record = resolver(server).resolve("gone.veritas.svc.cluster.local").await;

    assert!(matches!(&record.error, Some(RecordedError::NotFound(m)) if m.contains("NXDOMAIN")), "{:?}", record.error);
    assert!(record.addresses.is_empty());
}

#[tokio::test]
async fn servfail_is_unavailable() {
    let answerer: Answerer = Arc::new(|_, _| (ResponseCode::ServFail, Vec::new()));
    let server = serve(answerer, false).await;

    let record = resolver(server).resolve(SERVICE).await;

    assert!(matches!(&record.error, Some(RecordedError::Unavailable(m)) if m.contains("Server Failure") || m.contains("SERVFAIL")), "{:?}", record.error);
}

#[tokio::test]
async fn silent_server_times_out() {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let server = socket.local_addr().unwrap();

    let record = Resolver::new(server, ResolverOrigin::Flag).with_timeout(Duration::from_millis(100)).resolve(SERVICE).await;

    assert!(matches!(&record.error, Some(RecordedError::Timeout(m)) if m.contains("within 0.1s")), "{:?}", record.error);
    drop(socket);
}

#[test]
fn server_flag_takes_address_forms() {
    assert_eq!(parse_server("127.0.0.1:5353").unwrap(), "127.0.0.1:5353".parse::<SocketAddr>().unwrap());
    assert_eq!(parse_server("[::1]:53").unwrap(), "[::1]:53".parse::<SocketAddr>().unwrap());
    assert_eq!(parse_server("10.96.0.10").unwrap(), "10.96.0.10:53".parse::<SocketAddr>().unwrap());
    assert_eq!(parse_server("::1").unwrap(), "[::1]:53".parse::<SocketAddr>().unwrap());
    assert_eq!(parse_server("localhost:5353").unwrap().port(), 5353);
}

#[test]
fn server_flag_rejects_a_bare_word() {
    let error = parse_server("coredns").unwrap_err().to_string();
    assert!(error.contains("expected HOST:PORT"), "{error}");
}

#[test]
fn resolv_conf_gives_first_nameserver() {
    let text = "# written by kubelet\nsearch veritas.svc.cluster.local svc.cluster.local\nnameserver 10.96.0.10\nnameserver 10.96.0.11\noptions ndots:5\n";
    assert_eq!(first_nameserver(text), Some("10.96.0.10".parse().unwrap()));
    assert_eq!(first_nameserver("nameserver fe80::1%eth0\n"), Some("fe80::1".parse().unwrap()));
    assert_eq!(first_nameserver("search x\n"), None);
}

#[test]
fn snapshot_run_ignores_the_pod_resolver() {
    assert!(Resolver::for_run(None, false).unwrap().is_none());
    let flagged = Resolver::for_run(Some("127.0.0.1:5353"), false).unwrap().unwrap();
    assert_eq!(flagged.origin(), ResolverOrigin::Flag);
}
