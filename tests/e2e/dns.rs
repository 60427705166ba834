//! The `dns` host interface against a real DNS server: Debian's dnsmasq, started by each test
//! on a free loopback port and answering the GG-CORE Service's name, while
//! `diagnose --dns-server` runs on a snapshot of a completed blue-green switch.

use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ggcore::source::dns::{Resolver, ResolverOrigin};

use super::support::*;

const NAME: &str = "gg-core.veritas.svc.cluster.local";

/// The Service's cluster IP in the snapshot.
const CLUSTER_IP: &str = "10.96.40.10";

/// The IP of `gg-core-blue-a`, a pod of the environment the switch moved away from.
const OLD_POD_IP: &str = "10.42.1.1";

/// A dnsmasq serving one A record on loopback; stopped when dropped.
struct Dnsmasq {
    child: Child,
    address: SocketAddr,
}

impl Dnsmasq {
    /// Starts dnsmasq answering `NAME` with `ip` (TTL 30 seconds) and waits until it answers.
    fn start(ip: &str) -> Dnsmasq {
        let port = free_port();
        let child = Command::new(dnsmasq_program())
            .args(["--no-daemon", "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--pid-file=", "--listen-address=127.0.0.1", "--bind-interfaces"])
            .arg(format!("--port={port}"))
            .arg(format!("--address=/{NAME}/{ip}"))
            .arg("--local-ttl=30")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start dnsmasq ({e}); scripts/test.sh installs it from Debian's dnsmasq-base"));
        let server = Dnsmasq { child, address: SocketAddr::from(([127, 0, 0, 1], port)) };
        server.wait_until_answering();
        server
    }

    fn wait_until_answering(&self) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let resolver = Resolver::new(self.address, ResolverOrigin::Flag).with_timeout(Duration::from_millis(200));
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let record = runtime.block_on(resolver.resolve(NAME));
            if record.error.is_none() && !record.addresses.is_empty() {
                return;
            }
            assert!(Instant::now() < deadline, "dnsmasq on {} did not answer within 10s: {:?}", self.address, record.error);
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Dnsmasq {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Returns dnsmasq's path: Debian installs it in /usr/sbin, which a user's PATH may lack.
fn dnsmasq_program() -> &'static str {
    if Path::new("/usr/sbin/dnsmasq").exists() { "/usr/sbin/dnsmasq" } else { "dnsmasq" }
}

/// Returns a loopback port free for both UDP and TCP, as dnsmasq listens on both.
fn free_port() -> u16 {
    loop {
        let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = tcp.local_addr().unwrap().port();
        if UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// Writes the snapshot: green is active after a completed switch, the Service selects green
/// and its Endpoints list the green pods. Blue is the standby.
fn write_snapshot(dir: &Path) {
    let pod = |name: &str, environment: &str, ip: &str| {
        format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: veritas, labels: {{app: GG-CORE, deployment: stable, environment: {environment}}}}}\nspec:\n  containers: [{{name: gg-core, image: 'registry.example.internal/veritas/gg-core:1.8.2', ports: [{{name: http, containerPort: 8080}}]}}]\nstatus:\n  phase: Running\n  podIP: {ip}\n  conditions: [{{type: Ready, status: 'True'}}, {{type: PodScheduled, status: 'True'}}]\n  containerStatuses: [{{name: gg-core, ready: true, restartCount: 0, state: {{running: {{startedAt: '2026-12-04T09:00:00Z'}}}}}}]\n"
        )
    };
    let objects = [
        format!(
            "apiVersion: v1\nkind: Service\nmetadata: {{name: gg-core, namespace: veritas, labels: {{app: GG-CORE}}}}\nspec:\n  clusterIP: {CLUSTER_IP}\n  selector: {{app: GG-CORE, deployment: stable, environment: green}}\n  ports: [{{name: http, port: 8080, targetPort: http}}]\n"
        ),
        pod("gg-core-green-a", "green", "10.42.2.1"),
        pod("gg-core-green-b", "green", "10.42.2.2"),
        pod("gg-core-blue-a", "blue", OLD_POD_IP),
        "---\napiVersion: v1\nkind: Endpoints\nmetadata: {name: gg-core, namespace: veritas}\nsubsets:\n- addresses: [{ip: 10.42.2.1}, {ip: 10.42.2.2}]\n  ports: [{name: http, port: 8080}]\n".to_string(),
        "---\napiVersion: veritas.ggcore.io/v1alpha1\nkind: VeritasEnvironment\nmetadata: {name: gg-core, namespace: veritas, generation: 7}\nspec: {activeEnvironment: green}\nstatus: {phase: Stable, switchProgress: 100, observedGeneration: 7, lastSwitchTime: '2026-12-04T10:08:00Z'}\n".to_string(),
    ]
    .concat();
    std::fs::write(dir.join("objects.yaml"), objects).unwrap();
}

/// Runs `diagnose -o json` on the snapshot with `--dns-server`.
fn diagnose_with(server: SocketAddr) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    write_snapshot(dir.path());
    let output = run(ggcore().args(["diagnose", "--snapshot"]).arg(dir.path()).args(["--dns-server", &server.to_string(), "-o", "json"]));
    report(&output)
}

fn cache_findings<'a>(report: &'a serde_json::Value, outcome: &str) -> Vec<&'a serde_json::Value> {
    findings(report, outcome, "dns-stale", "dns-cache-stale")
}

#[test]
fn old_ip_from_dnsmasq_is_dns_cache_stale() {
    let dnsmasq = Dnsmasq::start(OLD_POD_IP);
    let report = diagnose_with(dnsmasq.address);

    let failed = cache_findings(&report, "fail");
    assert_eq!(failed.len(), 1, "findings: {:#}", report["findings"]);
    let summary = failed[0]["summary"].as_str().unwrap();
    assert!(summary.contains(&format!("resolves to {OLD_POD_IP} instead of the cluster IP {CLUSTER_IP}")), "{summary}");
    assert!(summary.contains("TTL of 30s"), "{summary}");
    let evidence = failed[0]["evidence"].to_string();
    assert!(evidence.contains("is pod `gg-core-blue-a` (environment=blue, the environment the switch moved away from)"), "{evidence}");
    assert_eq!(symptom_status(&report, "dns-stale"), "critical");
}

#[test]
fn cluster_ip_from_dnsmasq_passes() {
    let dnsmasq = Dnsmasq::start(CLUSTER_IP);
    let report = diagnose_with(dnsmasq.address);

    assert!(cache_findings(&report, "fail").is_empty(), "findings: {:#}", report["findings"]);
    assert!(cache_findings(&report, "warn").is_empty(), "findings: {:#}", report["findings"]);
    let passed = cache_findings(&report, "pass");
    assert_eq!(passed.len(), 1, "findings: {:#}", report["findings"]);
    assert!(passed[0]["summary"].as_str().unwrap().starts_with(&format!("lookup of `{NAME}` answered {CLUSTER_IP} (TTL 30s)")), "{}", passed[0]["summary"]);
    assert_eq!(symptom_status(&report, "dns-stale"), "healthy");
}

#[test]
fn unreachable_dns_server_is_inconclusive() {
    let closed = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let report = diagnose_with(closed);

    let undecided = cache_findings(&report, "inconclusive");
    assert_eq!(undecided.len(), 1, "findings: {:#}", report["findings"]);
    assert!(undecided[0]["summary"].as_str().unwrap().contains("could not check the DNS answer"), "{}", undecided[0]["summary"]);
}
