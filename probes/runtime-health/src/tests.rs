use ggcore_probe_sdk::prelude::Outcome;
use ggcore_probe_sdk::testing::Fixture;

use super::*;

fn pod(name: &str, phase: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: veritas, labels: {{app: GG-CORE, environment: blue}}}}\nstatus:\n  phase: {phase}\n  conditions: [{{type: Ready, status: 'True'}}]\n"
    )
}

/// Two running pods whose `/health` and `/ready` return the given statuses and bodies.
fn fixture(health: (u16, &str), ready: (u16, &str)) -> Fixture {
    Fixture::yaml(&[pod("blue-a", "Running"), pod("blue-b", "Running")].concat())
        .http("veritas", "blue-a", 8080, "/health", 200, "ok")
        .http("veritas", "blue-a", 8080, "/ready", 200, "ready")
        .http("veritas", "blue-b", 8080, "/health", health.0, health.1)
        .http("veritas", "blue-b", 8080, "/ready", ready.0, ready.1)
}

const SOCKET: &str = "/var/run/veritas/GG-CORE.sock";

#[test]
fn answering_pods_pass_both_checks() {
    let findings = fixture((200, "ok"), (200, "ready")).run::<RuntimeHealth>();
    findings.assert_healthy();
    let health = findings.assert_reported(Outcome::Pass, SYMPTOM, HEALTH);
    assert_eq!(health.summary, "all 2 running GG-CORE pods return 200 on /health (port 8080)");
    findings.assert_reported(Outcome::Pass, SYMPTOM, IPC);
}

#[test]
fn health_answering_500_fails() {
    let findings = fixture((500, "model not loaded\n"), (200, "ready")).run::<RuntimeHealth>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, HEALTH);
    assert_eq!(finding.summary, "1 of 2 running GG-CORE pods fail /health: blue-b");
    assert!(finding.evidence.contains(&"pod `blue-b` GET :8080/health returned 500: \"model not loaded\"".to_string()), "{:?}", finding.evidence);
    findings.assert_not_reported(IPC);
}

#[test]
fn ready_answering_503_fails_ipc() {
    let findings = fixture((200, "ok"), (503, "runtime not connected")).run::<RuntimeHealth>();
    findings.assert_reported(Outcome::Fail, SYMPTOM, IPC);
    findings.assert_not_reported(HEALTH);
}

#[test]
fn ready_error_naming_the_socket_fails_ipc() {
    let body = format!("E1001 IPC_CONNECTION_FAILED: dial unix {SOCKET}: connect: no such file or directory");
    let findings = fixture((200, "ok"), (500, &body)).run::<RuntimeHealth>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, IPC);
    assert!(finding.evidence.iter().any(|e| e.ends_with(&format!("the error names the runtime socket {SOCKET}"))), "{:?}", finding.evidence);
}

#[test]
fn ready_timeout_is_degraded() {
    let verdict = judge_ready(Err(HostError::Timeout("pod proxy gave up after 10s".into())), SOCKET);
    assert_eq!(verdict, Verdict::Slow("timed out (pod proxy gave up after 10s)".into()));
}

#[test]
fn health_timeout_is_failing() {
    let verdict = judge_health(Err(HostError::Timeout("pod proxy gave up after 10s".into())));
    assert!(matches!(verdict, Verdict::Failing(_)), "{verdict:?}");
}

#[test]
fn proxy_error_naming_the_socket_fails_ipc() {
    let verdict = judge_ready(Err(HostError::Unavailable(format!("connect {SOCKET}: permission denied"))), SOCKET);
    assert!(matches!(verdict, Verdict::Failing(ref text) if text.contains("names the runtime socket")), "{verdict:?}");
}

#[test]
fn unrecorded_answers_are_inconclusive() {
    let findings = Fixture::yaml(&pod("blue-a", "Running")).run::<RuntimeHealth>();
    for cause in [HEALTH, IPC] {
        let finding = findings.assert_reported(Outcome::Inconclusive, SYMPTOM, cause);
        assert!(finding.summary.starts_with("could not ask"), "{}", finding.summary);
        assert!(finding.evidence[0].contains("not asked: unavailable: no answer recorded"), "{:?}", finding.evidence);
    }
}

#[test]
fn pods_not_running_are_skipped() {
    let findings = Fixture::yaml(&pod("blue-a", "Pending")).run::<RuntimeHealth>();
    assert_eq!(findings.0.iter().filter(|f| f.outcome == Outcome::Skip).count(), 2, "{}", findings.dump());
    findings.assert_healthy();
}

#[test]
fn large_namespace_is_sampled_with_a_note() {
    let mut yaml = String::new();
    let mut fixture_pods = Vec::new();
    for i in 0..40 {
        let name = format!("blue-{i:02}");
        yaml.push_str(&format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: veritas, labels: {{app: GG-CORE, environment: blue, deployment: stable}}}}\nstatus: {{phase: Running, conditions: [{{type: Ready, status: 'True'}}]}}\n"
        ));
        fixture_pods.push(name);
    }
    let mut fixture = ggcore_probe_sdk::testing::Fixture::yaml(&yaml).setting("pods.maxChecked", "5");
    for name in &fixture_pods {
        fixture = fixture.http("veritas", name, 8080, "/health", 200, "ok").http("veritas", name, 8080, "/ready", 200, "ok");
    }
    let findings = fixture.run::<RuntimeHealth>();
    let finding = findings.assert_reported(Outcome::Pass, SYMPTOM, HEALTH);
    assert_eq!(finding.summary, "all 5 running GG-CORE pods return 200 on /health (port 8080)");
    assert!(finding.evidence.iter().any(|e| e.contains("read 5 of 40 pods")), "{:?}", finding.evidence);
}
