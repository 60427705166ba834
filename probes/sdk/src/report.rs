//! Builders for what a probe returns: its descriptor and its findings.

use crate::bindings::{Capability, Descriptor, Finding, Needs, ObjectRef, Outcome, ReportRef};
use crate::views::{Kind, ObjectMeta, Resource};

/// Builds a [`Descriptor`]; start with [`describe`].
///
/// ```
/// use ggcore_probe_sdk::prelude::*;
///
/// let descriptor = describe("model-version")
///     .title("GG-CORE pods run their environment's model")
///     .version("1.2.0")
///     .section("State Not Syncing")
///     .reads(&[Pod::KIND, ConfigMap::KIND])
///     .uses(Capability::Logs)
///     .reports("env-drift", &["configmap-not-synced", "model-version-mismatch"])
///     .build();
/// assert_eq!(descriptor.symptoms, vec!["env-drift".to_string()]);
/// assert_eq!(descriptor.causes.len(), 2);
/// assert_eq!(descriptor.needs.kinds[1].kind, "ConfigMap");
/// ```
pub struct DescriptorBuilder {
    descriptor: Descriptor,
}

/// Starts the descriptor of the probe `id`: 1 to 63 lower-case letters, digits and dashes,
/// which the report shows beside every finding. The title defaults to the id, the version to
/// `0.1.0`.
pub fn describe(id: &str) -> DescriptorBuilder {
    DescriptorBuilder {
        descriptor: Descriptor {
            id: id.to_string(),
            title: id.to_string(),
            version: "0.1.0".to_string(),
            section: String::new(),
            symptoms: Vec::new(),
            causes: Vec::new(),
            needs: Needs { kinds: Vec::new(), capabilities: Vec::new() },
        },
    }
}

impl DescriptorBuilder {
    /// Sets the one-line title.
    pub fn title(mut self, title: &str) -> Self {
        self.descriptor.title = title.to_string();
        self
    }

    /// Sets the probe's version.
    pub fn version(mut self, version: &str) -> Self {
        self.descriptor.version = version.to_string();
        self
    }

    /// Sets the guide section the probe implements.
    pub fn section(mut self, section: &str) -> Self {
        self.descriptor.section = section.to_string();
        self
    }

    /// Declares kinds the probe reads; the host denies a list or get of any other kind.
    pub fn reads(mut self, kinds: &[Kind]) -> Self {
        self.descriptor.needs.kinds.extend(kinds.iter().map(|&k| k.into()));
        self
    }

    /// Declares a host interface the probe uses beyond reading objects; the host denies the
    /// others.
    pub fn uses(mut self, capability: Capability) -> Self {
        self.descriptor.needs.capabilities.push(capability);
        self
    }

    /// Declares the causes of `symptom` the probe can report. The symptom must be one of the
    /// report's ids (`kubectl ggcore probes list` shows them) or the host refuses the probe; a
    /// cause may be an id of the probe's own.
    pub fn reports(mut self, symptom: &str, causes: &[&str]) -> Self {
        if !self.descriptor.symptoms.iter().any(|s| s == symptom) {
            self.descriptor.symptoms.push(symptom.to_string());
        }
        self.descriptor
            .causes
            .extend(causes.iter().map(|c| ReportRef { symptom: symptom.to_string(), cause: c.to_string() }));
        self
    }

    /// Returns the descriptor.
    pub fn build(self) -> Descriptor {
        self.descriptor
    }
}

/// Builds a [`Finding`]; start with [`pass`], [`warn`], [`fail`], [`inconclusive`] or [`skip`].
///
/// ```
/// use ggcore_probe_sdk::prelude::*;
///
/// let pod: Pod = serde_json::from_str(r#"{"metadata": {"name": "gg-core-green-0", "namespace": "veritas"}}"#).unwrap();
/// let finding = fail("pods-down", "oom-killed")
///     .summary("gg-core-green-0 was OOM-killed while loading the model")
///     .evidence("lastState.terminated.reason=OOMKilled")
///     .object_of(&pod)
///     .resolution("Raise the memory limit above the model's size")
///     .error_code("E2001")
///     .next_command("kubectl describe pod gg-core-green-0 -n veritas")
///     .build();
/// assert_eq!(finding.outcome, Outcome::Fail);
/// assert_eq!(finding.objects[0].kind, "Pod");
/// assert_eq!(finding.objects[0].namespace.as_deref(), Some("veritas"));
/// ```
#[must_use = "a finding counts only once it is given to `Context::report`"]
pub struct FindingBuilder {
    finding: Finding,
}

fn finding(outcome: Outcome, symptom: &str, cause: Option<&str>) -> FindingBuilder {
    FindingBuilder {
        finding: Finding {
            outcome,
            symptom: symptom.to_string(),
            cause: cause.map(str::to_string),
            summary: String::new(),
            evidence: Vec::new(),
            objects: Vec::new(),
            resolution: None,
            error_code: None,
            next_command: None,
        },
    }
}

/// Starts a finding that `cause` of `symptom` was checked and is absent.
pub fn pass(symptom: &str, cause: &str) -> FindingBuilder {
    finding(Outcome::Pass, symptom, Some(cause))
}

/// Starts a finding that `cause` is present but not yet harmful.
pub fn warn(symptom: &str, cause: &str) -> FindingBuilder {
    finding(Outcome::Warn, symptom, Some(cause))
}

/// Starts a finding that `cause` is present and harmful.
pub fn fail(symptom: &str, cause: &str) -> FindingBuilder {
    finding(Outcome::Fail, symptom, Some(cause))
}

/// Starts a finding that the probe could not decide about `cause` (or the whole symptom).
pub fn inconclusive(symptom: &str, cause: Option<&str>) -> FindingBuilder {
    finding(Outcome::Inconclusive, symptom, cause)
}

/// Starts a finding that a check does not apply here.
pub fn skip(symptom: &str, cause: Option<&str>) -> FindingBuilder {
    finding(Outcome::Skip, symptom, cause)
}

impl FindingBuilder {
    /// Sets the one-line summary.
    pub fn summary(mut self, summary: impl Into<String>) -> Self {
        self.finding.summary = summary.into();
        self
    }

    /// Adds an evidence line.
    pub fn evidence(mut self, line: impl Into<String>) -> Self {
        self.finding.evidence.push(line.into());
        self
    }

    /// Adds several evidence lines.
    pub fn evidence_lines<I: IntoIterator<Item = S>, S: Into<String>>(mut self, lines: I) -> Self {
        self.finding.evidence.extend(lines.into_iter().map(Into::into));
        self
    }

    /// Names an object the finding is about.
    pub fn object(self, kind: &str, metadata: &ObjectMeta) -> Self {
        self.object_field(kind, metadata, None)
    }

    /// Names an object read through a typed view, taking the kind from the view.
    pub fn object_of<T: Resource>(self, resource: &T) -> Self {
        self.object_field(T::KIND.kind, resource.metadata(), None)
    }

    /// Names an object and the field inside it that the finding points at.
    pub fn object_field(mut self, kind: &str, metadata: &ObjectMeta, field: Option<&str>) -> Self {
        self.finding.objects.push(ObjectRef {
            kind: kind.to_string(),
            namespace: metadata.namespace.clone(),
            name: metadata.name.clone(),
            field: field.map(str::to_string),
        });
        self
    }

    /// Names an object by kind, namespace and name.
    pub fn object_named(mut self, kind: &str, namespace: Option<&str>, name: &str) -> Self {
        self.finding.objects.push(ObjectRef {
            kind: kind.to_string(),
            namespace: namespace.map(str::to_string),
            name: name.to_string(),
            field: None,
        });
        self
    }

    /// Sets the resolution.
    pub fn resolution(mut self, resolution: impl Into<String>) -> Self {
        self.finding.resolution = Some(resolution.into());
        self
    }

    /// Sets the GG-CORE error code the finding rests on.
    pub fn error_code(mut self, code: &str) -> Self {
        self.finding.error_code = Some(code.to_string());
        self
    }

    /// Sets the next command to run.
    pub fn next_command(mut self, command: impl Into<String>) -> Self {
        self.finding.next_command = Some(command.into());
        self
    }

    /// Returns the finding; [`crate::Context::report`] calls this.
    pub fn build(self) -> Finding {
        self.finding
    }
}
