//! Builders for what a probe returns: its descriptor and its findings.

use crate::bindings::{Capability, Descriptor, Finding, Needs, ObjectRef, Outcome, ReportRef};
use crate::views::{Kind, ObjectMeta};

/// Builds a [`Descriptor`]; start with [`describe`].
pub struct DescriptorBuilder {
    descriptor: Descriptor,
}

/// Starts the descriptor of the probe `id`.
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

    /// Declares kinds the probe reads.
    pub fn reads(mut self, kinds: &[Kind]) -> Self {
        self.descriptor.needs.kinds.extend(kinds.iter().map(|&k| k.into()));
        self
    }

    /// Declares a host interface the probe uses.
    pub fn uses(mut self, capability: Capability) -> Self {
        self.descriptor.needs.capabilities.push(capability);
        self
    }

    /// Declares the causes of `symptom` the probe can report.
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

    /// Returns the finding.
    pub fn build(self) -> Finding {
        self.finding
    }
}
