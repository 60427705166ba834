//! The cluster DNS side of "DNS cache stale" (the guide's step 3, `kubectl logs -l
//! k8s-app=kube-dns -n kube-system`): are the CoreDNS pods running and ready, and do their
//! recent logs show errors?

use ggcore_probe_sdk::prelude::*;

/// The namespace of CoreDNS, as kubeadm and most distributions deploy it.
pub const NAMESPACE: &str = "kube-system";
/// The label selector of the CoreDNS pods.
pub const SELECTOR: &str = "k8s-app=kube-dns";

/// The last log lines read from each CoreDNS pod.
const TAIL_LINES: u32 = 200;

/// The error lines quoted per pod.
const QUOTED_LINES: usize = 3;

/// The result of the CoreDNS check.
#[derive(Default)]
pub struct CoreDns {
    /// The number of CoreDNS pods found. It is zero when the cluster runs another DNS server or
    /// the state contains no `kube-system` pods.
    pub pods: usize,
    /// The reason the pods could not be listed, if they could not.
    pub unlisted: Option<String>,
    /// Harmful problems: no ready CoreDNS pod, errors about the GG-CORE Service's name.
    pub failures: Vec<String>,
    /// Problems that do not stop resolution: some pods not ready, other errors, failed watches.
    pub warnings: Vec<String>,
    /// Logs that could not be read, with the reason.
    pub unread: Vec<String>,
    /// The logs that were read.
    pub logs_read: usize,
}

impl CoreDns {
    /// Reports whether the check saw anything at all.
    pub fn checked(&self) -> bool {
        self.pods > 0
    }
}

/// Checks the CoreDNS pods and their logs; `service_name` is the GG-CORE Service's name as
/// CoreDNS logs it (`gg-core.veritas.`).
pub fn check(cx: &Context, service_name: &str) -> CoreDns {
    let mut report = CoreDns::default();
    let pods: Vec<Pod> = match cx.list_in(Some(NAMESPACE), Some(SELECTOR)) {
        Ok(pods) => pods,
        Err(error) => {
            report.unlisted = Some(error.message());
            return report;
        }
    };
    report.pods = pods.len();
    if pods.is_empty() {
        return report;
    }

    let not_ready: Vec<&Pod> = pods.iter().filter(|p| !p.is_ready()).collect();
    if !not_ready.is_empty() {
        let names: Vec<String> = not_ready.iter().map(|p| format!("`{}` ({})", p.metadata.name, p.phase())).collect();
        let line = format!("{} of {} CoreDNS pods are not ready: {}", not_ready.len(), pods.len(), names.join(", "));
        if not_ready.len() == pods.len() { report.failures.push(line) } else { report.warnings.push(line) }
    }

    for pod in &pods {
        let name = &pod.metadata.name;
        let text = match cx.logs(NAMESPACE, name, None, Some(TAIL_LINES), false) {
            Ok(text) => text,
            Err(error) => {
                report.unread.push(format!("log of CoreDNS pod `{name}`: {}", error.message()));
                continue;
            }
        };
        report.logs_read += 1;
        let lines = classify(&text, service_name);
        if !lines.about_service.is_empty() {
            report.failures.push(quote_lines(name, "errors resolving the GG-CORE Service", &lines.about_service));
        }
        if !lines.watch_failures.is_empty() {
            report.warnings.push(quote_lines(name, "its kubernetes plugin lost the API watch, so its records can be stale", &lines.watch_failures));
        }
        if !lines.errors.is_empty() {
            report.warnings.push(quote_lines(name, "errors", &lines.errors));
        }
    }
    report
}

/// The lines of a CoreDNS log that matter, by kind.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Lines {
    /// Error lines naming the GG-CORE Service.
    pub about_service: Vec<String>,
    /// The kubernetes plugin failing to list or watch the API.
    pub watch_failures: Vec<String>,
    /// Other errors: SERVFAIL, timeouts, `plugin/errors`.
    pub errors: Vec<String>,
}

/// Sorts the error lines of a CoreDNS log.
pub fn classify(text: &str, service_name: &str) -> Lines {
    let mut lines = Lines::default();
    let service_name = service_name.to_ascii_lowercase();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let lower = line.to_ascii_lowercase();
        let watch = lower.contains("plugin/kubernetes")
            && ["failed to watch", "failed to list", "unhandled error", "connection refused"].iter().any(|m| lower.contains(m));
        let error = lower.contains("[error]") || lower.contains("servfail") || lower.contains("i/o timeout") || lower.contains("plugin/errors");
        if watch {
            lines.watch_failures.push(line.to_string());
        } else if error && lower.contains(&service_name) {
            lines.about_service.push(line.to_string());
        } else if error {
            lines.errors.push(line.to_string());
        }
    }
    lines
}

fn quote_lines(pod: &str, what: &str, lines: &[String]) -> String {
    let shown: Vec<&str> = lines.iter().rev().take(QUOTED_LINES).rev().map(String::as_str).collect();
    let more = if lines.len() > QUOTED_LINES { format!(" (last {QUOTED_LINES} of {})", lines.len()) } else { String::new() };
    format!("CoreDNS pod `{pod}` {what}{more}: {}", shown.join(" | "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_lines_are_sorted_by_kind() {
        let log = "\
[INFO] plugin/reload: Running configuration SHA512 = 591cf3\n\
[ERROR] plugin/errors: 2 gg-core.veritas.svc.cluster.local. A: read udp 10.244.0.5:43521->10.96.0.10:53: i/o timeout\n\
[ERROR] plugin/errors: 2 example.org. AAAA: read udp 10.244.0.5:40000->8.8.8.8:53: i/o timeout\n\
[WARNING] plugin/kubernetes: k8s.io/client-go/tools/cache/reflector.go:229: failed to list *v1.EndpointSlice: connection refused\n";
        let lines = classify(log, "gg-core.veritas.");
        assert_eq!(lines.about_service.len(), 1);
        assert_eq!(lines.errors, ["[ERROR] plugin/errors: 2 example.org. AAAA: read udp 10.244.0.5:40000->8.8.8.8:53: i/o timeout"]);
        assert_eq!(lines.watch_failures.len(), 1);
    }

    #[test]
    fn info_lines_are_not_errors() {
        let lines = classify("[INFO] 10.244.1.4:51234 - 1 \"A IN gg-core.veritas.svc.cluster.local. udp\" NOERROR qr,aa,rd 106 0.0001s\n", "gg-core.veritas.");
        assert_eq!(lines, Lines::default());
    }
}
