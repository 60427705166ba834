use ggcore_probe_sdk::prelude::Outcome;
use ggcore_probe_sdk::testing::{Fixture, Findings};

use super::*;

const NAME: &str = "gg-core.veritas.svc.cluster.local";

fn service(environment: &str, cluster_ip: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Service\nmetadata: {{name: gg-core, namespace: veritas, labels: {{app: GG-CORE}}}}\nspec:\n  clusterIP: {cluster_ip}\n  selector: {{app: GG-CORE, environment: {environment}}}\n  ports: [{{name: http, port: 8080}}]\n"
    )
}

fn pod(name: &str, environment: &str, ip: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: veritas, labels: {{app: GG-CORE, environment: {environment}}}}}\nstatus:\n  phase: Running\n  podIP: {ip}\n  conditions: [{{type: Ready, status: 'True'}}]\n"
    )
}

fn environment(active: &str, phase: &str, observed: i64) -> String {
    format!(
        "---\napiVersion: veritas.ggcore.io/v1alpha1\nkind: VeritasEnvironment\nmetadata: {{name: gg-core, namespace: veritas, generation: 7}}\nspec: {{activeEnvironment: {active}}}\nstatus: {{phase: {phase}, switchProgress: 100, observedGeneration: {observed}, lastSwitchTime: '2026-12-04T10:08:00Z'}}\n"
    )
}

fn endpoints(ips: &[&str]) -> String {
    let addresses: Vec<String> = ips.iter().map(|ip| format!("{{ip: {ip}}}")).collect();
    format!(
        "---\napiVersion: v1\nkind: Endpoints\nmetadata: {{name: gg-core, namespace: veritas}}\nsubsets:\n- addresses: [{}]\n  ports: [{{name: http, port: 8080}}]\n",
        addresses.join(", ")
    )
}

fn coredns(name: &str, ready: bool) -> String {
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: kube-system, labels: {{k8s-app: kube-dns}}}}\nstatus:\n  phase: Running\n  conditions: [{{type: Ready, status: '{}'}}]\n",
        if ready { "True" } else { "False" }
    )
}

/// A blue-green pair after a completed switch to green: the Service selects green, its
/// Endpoints list the green pods, and blue is the standby.
fn switched(selector: &str) -> String {
    [
        service(selector, "10.96.40.10"),
        pod("green-a", "green", "10.42.2.1"),
        pod("green-b", "green", "10.42.2.2"),
        pod("blue-a", "blue", "10.42.1.1"),
        environment("green", "Stable", 7),
        endpoints(if selector == "green" { &["10.42.2.1", "10.42.2.2"] } else { &["10.42.1.1"] }),
    ]
    .concat()
}

fn problems(findings: &Findings, cause: &str) -> usize {
    findings.0.iter().filter(|f| f.cause.as_deref() == Some(cause) && matches!(f.outcome, Outcome::Fail | Outcome::Warn)).count()
}

fn inconclusive_count(findings: &Findings, cause: &str) -> usize {
    findings.0.iter().filter(|f| f.cause.as_deref() == Some(cause) && f.outcome == Outcome::Inconclusive).count()
}

// ---- service-selector-wrong ----------------------------------------------------------------

#[test]
fn selector_on_old_environment_after_switch_fails() {
    let findings = Fixture::yaml(&switched("blue")).run::<DnsUpdate>();
    let finding = findings.assert_reported(Outcome::Fail, DNS, SELECTOR_WRONG);
    assert!(finding.summary.contains("completed the switch to green, but Service `gg-core` still selects environment=blue"), "{}", finding.summary);
    assert_eq!(finding.objects[0].field.as_deref(), Some("spec.selector"));
}

#[test]
fn selector_on_active_environment_passes() {
    let findings = Fixture::yaml(&switched("green")).run::<DnsUpdate>();
    findings.assert_reported(Outcome::Pass, DNS, SELECTOR_WRONG);
    findings.assert_healthy();
}

#[test]
fn old_selector_during_switch_is_correct() {
    let yaml = [service("blue", "10.96.40.10"), pod("blue-a", "blue", "10.42.1.1"), environment("green", "Switching", 7), endpoints(&["10.42.1.1"])].concat();
    let findings = Fixture::yaml(&yaml).run::<DnsUpdate>();
    findings.assert_not_reported(SELECTOR_WRONG);
    let skipped = findings.0.iter().find(|f| f.cause.as_deref() == Some(SELECTOR_WRONG)).unwrap();
    assert!(skipped.summary.contains("which is correct"), "{}", skipped.summary);
}

#[test]
fn stale_status_is_not_judged() {
    let yaml = [service("blue", "10.96.40.10"), pod("blue-a", "blue", "10.42.1.1"), environment("green", "Stable", 6)].concat();
    let findings = Fixture::yaml(&yaml).run::<DnsUpdate>();
    findings.assert_not_reported(SELECTOR_WRONG);
    assert!(findings.dump().contains("is stale (observedGeneration 6 behind generation 7)"), "{}", findings.dump());
}

#[test]
fn selector_without_environment_reaching_old_pods_warns() {
    let yaml = [
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: gg-core, namespace: veritas}\nspec:\n  clusterIP: 10.96.40.10\n  selector: {app: GG-CORE}\n".to_string(),
        pod("green-a", "green", "10.42.2.1"),
        pod("blue-a", "blue", "10.42.1.1"),
        environment("green", "Stable", 7),
    ]
    .concat();
    let findings = Fixture::yaml(&yaml).run::<DnsUpdate>();
    findings.assert_reported(Outcome::Warn, DNS, SELECTOR_WRONG);
}

// ---- dns-cache-stale: the lookup ------------------------------------------------------------

#[test]
fn lookup_answering_old_pod_ip_fails_with_ttl() {
    let findings = Fixture::yaml(&switched("green")).dns(NAME, &["10.42.1.1"], 30).run::<DnsUpdate>();
    let finding = findings.assert_reported(Outcome::Fail, DNS, CACHE_STALE);
    assert!(finding.summary.contains("resolves to 10.42.1.1 instead of the cluster IP 10.96.40.10"), "{}", finding.summary);
    assert!(finding.summary.contains("TTL of 30s"), "{}", finding.summary);
    assert!(finding.evidence.iter().any(|e| e == "10.42.1.1 is pod `blue-a` (environment=blue, the environment the switch moved away from)"), "{:?}", finding.evidence);
}

#[test]
fn lookup_answering_cluster_ip_passes() {
    let findings = Fixture::yaml(&switched("green")).dns(NAME, &["10.96.40.10"], 5).run::<DnsUpdate>();
    let finding = findings.assert_reported(Outcome::Pass, DNS, CACHE_STALE);
    assert!(finding.summary.starts_with("lookup of `gg-core.veritas.svc.cluster.local` answered 10.96.40.10 (TTL 5s)"), "{}", finding.summary);
    findings.assert_healthy();
}

#[test]
fn headless_answer_lacking_ready_pod_warns() {
    let yaml = [service("green", "None"), pod("green-a", "green", "10.42.2.1"), pod("green-b", "green", "10.42.2.2"), endpoints(&["10.42.2.1", "10.42.2.2"])].concat();
    let findings = Fixture::yaml(&yaml).dns(NAME, &["10.42.2.1"], 5).run::<DnsUpdate>();
    let finding = findings.assert_reported(Outcome::Warn, DNS, CACHE_STALE);
    assert!(finding.evidence.iter().any(|e| e.starts_with("10.42.2.2 is pod `green-b`")), "{:?}", finding.evidence);
}

#[test]
fn headless_answer_with_every_ready_pod_passes() {
    let yaml = [service("green", "None"), pod("green-a", "green", "10.42.2.1"), pod("green-b", "green", "10.42.2.2"), endpoints(&["10.42.2.1", "10.42.2.2"])].concat();
    let findings = Fixture::yaml(&yaml).dns(NAME, &["10.42.2.2", "10.42.2.1"], 5).run::<DnsUpdate>();
    findings.assert_reported(Outcome::Pass, DNS, CACHE_STALE);
    findings.assert_healthy();
}

#[test]
fn ipv6_answer_for_ipv4_service_is_not_stale() {
    let findings = Fixture::yaml(&switched("green")).dns(NAME, &["10.96.40.10", "fd00::a"], 5).run::<DnsUpdate>();
    findings.assert_reported(Outcome::Pass, DNS, CACHE_STALE);
}

#[test]
fn without_resolver_lookup_is_skipped_and_said() {
    let yaml = [switched("green"), coredns("coredns-a", true)].concat();
    let findings = Fixture::yaml(&yaml).log("kube-system", "coredns-a", "coredns", false, "[INFO] plugin/reload: Running configuration\n").run::<DnsUpdate>();
    let finding = findings.assert_reported(Outcome::Pass, DNS, CACHE_STALE);
    assert!(finding.summary.contains("the answer itself was not checked"), "{}", finding.summary);
    assert_eq!(inconclusive_count(&findings, CACHE_STALE), 0);
}

#[test]
fn nothing_to_check_is_a_skip() {
    let findings = Fixture::yaml(&switched("green")).run::<DnsUpdate>();
    let finding = findings.0.iter().find(|f| f.cause.as_deref() == Some(CACHE_STALE)).unwrap();
    assert_eq!(finding.outcome, Outcome::Skip, "{}", findings.dump());
    assert!(finding.summary.contains("no CoreDNS pod (k8s-app=kube-dns)"), "{}", finding.summary);
}

// ---- dns-cache-stale: CoreDNS ----------------------------------------------------------------

#[test]
fn no_ready_coredns_pod_fails() {
    let yaml = [switched("green"), coredns("coredns-a", false), coredns("coredns-b", false)].concat();
    let findings = Fixture::yaml(&yaml).run::<DnsUpdate>();
    let finding = findings.assert_reported(Outcome::Fail, DNS, CACHE_STALE);
    assert!(finding.summary.contains("2 of 2 CoreDNS pods are not ready"), "{}", finding.summary);
}

#[test]
fn coredns_errors_about_the_service_fail() {
    let yaml = [switched("green"), coredns("coredns-a", true)].concat();
    let log = "[ERROR] plugin/errors: 2 gg-core.veritas.svc.cluster.local. A: read udp 10.244.0.5:43521->10.96.0.10:53: i/o timeout\n";
    let findings = Fixture::yaml(&yaml).log("kube-system", "coredns-a", "coredns", false, log).run::<DnsUpdate>();
    let finding = findings.assert_reported(Outcome::Fail, DNS, CACHE_STALE);
    assert!(finding.evidence[0].starts_with("CoreDNS pod `coredns-a` errors resolving the GG-CORE Service"), "{:?}", finding.evidence);
}

#[test]
fn coredns_lost_watch_warns() {
    let yaml = [switched("green"), coredns("coredns-a", true)].concat();
    let log = "[WARNING] plugin/kubernetes: reflector.go:229: failed to list *v1.EndpointSlice: connection refused\n";
    let findings = Fixture::yaml(&yaml).log("kube-system", "coredns-a", "coredns", false, log).run::<DnsUpdate>();
    let finding = findings.assert_reported(Outcome::Warn, DNS, CACHE_STALE);
    assert!(finding.evidence[0].contains("lost the API watch"), "{:?}", finding.evidence);
}

#[test]
fn clean_coredns_passes() {
    let yaml = [switched("green"), coredns("coredns-a", true), coredns("coredns-b", true)].concat();
    let findings = Fixture::yaml(&yaml)
        .log("kube-system", "coredns-a", "coredns", false, "[INFO] plugin/reload: Running configuration\n")
        .log("kube-system", "coredns-b", "coredns", false, "")
        .dns(NAME, &["10.96.40.10"], 5)
        .run::<DnsUpdate>();
    let finding = findings.assert_reported(Outcome::Pass, DNS, CACHE_STALE);
    assert!(finding.summary.ends_with("2 CoreDNS pods ready, no errors in the last lines of 2 logs"), "{}", finding.summary);
}

// ---- external-dns-lag and client-side-caching -----------------------------------------------

const OLD_REQUESTS: &str = "2026-12-04T10:20:00Z INFO request=9f3c2a completed in 812ms\n2026-12-04T10:25:00Z INFO request=a1e077 completed in 640ms\n";

#[test]
fn old_traffic_with_causes_ruled_out_names_suspects() {
    let findings = Fixture::yaml(&switched("green")).log("veritas", "blue-a", "gg-core", false, OLD_REQUESTS).dns(NAME, &["10.96.40.10"], 5).run::<DnsUpdate>();
    for cause in [EXTERNAL_LAG, CLIENT_CACHING] {
        let finding = findings.assert_reported(Outcome::Inconclusive, DNS, cause);
        assert!(finding.summary.starts_with("traffic still reaches the old environment although"), "{}", finding.summary);
        assert!(finding.evidence[0].contains("pod `blue-a` (environment=blue, the old environment) logged 2 requests"), "{:?}", finding.evidence);
    }
    findings.assert_reported(Outcome::Pass, DNS, CACHE_STALE);
    findings.assert_healthy();
}

#[test]
fn no_old_traffic_names_no_suspect() {
    let early = "2026-12-04T10:07:00Z INFO request=9f3c2a completed in 812ms\n2026-12-04T10:20:00Z INFO GET /health 200\n";
    let findings = Fixture::yaml(&switched("green")).log("veritas", "blue-a", "gg-core", false, early).dns(NAME, &["10.96.40.10"], 5).run::<DnsUpdate>();
    for cause in [EXTERNAL_LAG, CLIENT_CACHING] {
        assert_eq!(inconclusive_count(&findings, cause), 0, "{}", findings.dump());
        findings.assert_reported(Outcome::Skip, DNS, cause);
    }
}

#[test]
fn old_traffic_explained_by_selector_names_no_suspect() {
    let findings = Fixture::yaml(&switched("blue")).log("veritas", "blue-a", "gg-core", false, OLD_REQUESTS).run::<DnsUpdate>();
    assert_eq!(inconclusive_count(&findings, EXTERNAL_LAG), 0, "{}", findings.dump());
    assert_eq!(inconclusive_count(&findings, CLIENT_CACHING), 0, "{}", findings.dump());
    assert_eq!(problems(&findings, SELECTOR_WRONG), 1);
}

#[test]
fn old_traffic_without_resolver_leaves_cache_unknown() {
    let findings = Fixture::yaml(&switched("green")).log("veritas", "blue-a", "gg-core", false, OLD_REQUESTS).run::<DnsUpdate>();
    let finding = findings.assert_reported(Outcome::Inconclusive, DNS, CACHE_STALE);
    assert!(finding.summary.contains("could not be checked"), "{}", finding.summary);
}

#[test]
fn external_dns_annotation_is_named() {
    let yaml = switched("green").replacen("labels: {app: GG-CORE}}", "labels: {app: GG-CORE}, annotations: {external-dns.alpha.kubernetes.io/hostname: api.example.com}}", 1);
    let findings = Fixture::yaml(&yaml).log("veritas", "blue-a", "gg-core", false, OLD_REQUESTS).dns(NAME, &["10.96.40.10"], 5).run::<DnsUpdate>();
    let finding = findings.assert_reported(Outcome::Inconclusive, DNS, EXTERNAL_LAG);
    assert!(finding.evidence.iter().any(|e| e.contains("published outside the cluster as `api.example.com`")), "{:?}", finding.evidence);
}

#[test]
fn failing_server_is_not_a_missing_resolver() {
    assert!(lookup::no_resolver("no DNS server configured; pass --dns-server HOST:PORT"));
    assert!(!lookup::no_resolver("DNS server 127.0.0.1:5353: reading the answer failed: Connection refused (os error 111)"));
    assert!(!lookup::no_resolver("DNS server 10.96.0.10:53 answered Server Failure for A `gg-core.veritas.svc.cluster.local.`"));
}
