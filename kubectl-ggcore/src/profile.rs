//! The target profile: which namespace, labels, Services, ConfigMaps and ports make up the
//! GG-CORE deployment. Defaults follow the GG-CORE conventions; a profile file and flags
//! override them; the result is validated once, here.

use std::path::Path;

use anyhow::{Context as _, Result, bail};
use ggcore_probe_sdk::defaults;
use ggcore_probe_sdk::selector::Selector;
use serde::Deserialize;

use crate::host::bindings::v0_1::Profile;

/// A profile file: every field optional, camelCase as in Kubernetes objects.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileFile {
    /// The namespace.
    pub namespace: Option<String>,
    /// The app selector.
    pub app_selector: Option<String>,
    /// The canary selector.
    pub canary_selector: Option<String>,
    /// The stable selector.
    pub stable_selector: Option<String>,
    /// The environment label key.
    pub environment_label: Option<String>,
    /// The main Service.
    pub service: Option<String>,
    /// The canary Service.
    pub canary_service: Option<String>,
    /// The blue ConfigMap.
    pub blue_config_map: Option<String>,
    /// The green ConfigMap.
    pub green_config_map: Option<String>,
    /// The controller selector.
    pub controller_selector: Option<String>,
    /// The Prometheus selector.
    pub prometheus_selector: Option<String>,
    /// The HTTP port.
    pub http_port: Option<u16>,
    /// The metrics port.
    pub metrics_port: Option<u16>,
    /// The runtime socket.
    pub runtime_socket: Option<String>,
    /// Probe settings.
    #[serde(default)]
    pub settings: std::collections::BTreeMap<String, String>,
}

/// Reads a profile file.
///
/// # Errors
///
/// Fails when the file cannot be read or has unknown or mistyped fields.
pub fn read_file(path: &Path) -> Result<ProfileFile> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading profile `{}`", path.display()))?;
    serde_yaml::from_str(&text).with_context(|| format!("invalid profile `{}`", path.display()))
}

/// Builds the profile from a file's values over the defaults, then `namespace` and
/// `settings` from the command line, and validates it.
///
/// # Errors
///
/// Fails when a selector does not parse, a name is not a valid Kubernetes name, or a port is 0.
pub fn build(file: ProfileFile, namespace: Option<String>, settings: &[(String, String)], now: i64) -> Result<Profile> {
    let text = |value: Option<String>, default: &str| value.unwrap_or_else(|| default.to_string());
    let mut merged: Vec<(String, String)> = file.settings.into_iter().collect();
    for (key, value) in settings {
        merged.retain(|(k, _)| k != key);
        merged.push((key.clone(), value.clone()));
    }

    let profile = Profile {
        namespace: namespace.or(file.namespace).unwrap_or_else(|| defaults::NAMESPACE.to_string()),
        app_selector: text(file.app_selector, defaults::APP_SELECTOR),
        canary_selector: text(file.canary_selector, defaults::CANARY_SELECTOR),
        stable_selector: text(file.stable_selector, defaults::STABLE_SELECTOR),
        environment_label: text(file.environment_label, defaults::ENVIRONMENT_LABEL),
        service: text(file.service, defaults::SERVICE),
        canary_service: text(file.canary_service, defaults::CANARY_SERVICE),
        blue_config_map: text(file.blue_config_map, defaults::BLUE_CONFIG_MAP),
        green_config_map: text(file.green_config_map, defaults::GREEN_CONFIG_MAP),
        controller_selector: text(file.controller_selector, defaults::CONTROLLER_SELECTOR),
        prometheus_selector: text(file.prometheus_selector, defaults::PROMETHEUS_SELECTOR),
        http_port: file.http_port.unwrap_or(defaults::HTTP_PORT),
        metrics_port: file.metrics_port.unwrap_or(defaults::METRICS_PORT),
        runtime_socket: text(file.runtime_socket, defaults::RUNTIME_SOCKET),
        now: ggcore_probe_sdk::units::format_time(now),
        settings: merged,
    };
    validate(&profile)?;
    Ok(profile)
}

fn validate(profile: &Profile) -> Result<()> {
    for (field, selector) in [
        ("appSelector", &profile.app_selector),
        ("canarySelector", &profile.canary_selector),
        ("stableSelector", &profile.stable_selector),
        ("controllerSelector", &profile.controller_selector),
        ("prometheusSelector", &profile.prometheus_selector),
    ] {
        Selector::parse(selector).with_context(|| format!("invalid profile field `{field}`"))?;
    }
    for (field, name) in [
        ("namespace", &profile.namespace),
        ("service", &profile.service),
        ("canaryService", &profile.canary_service),
        ("blueConfigMap", &profile.blue_config_map),
        ("greenConfigMap", &profile.green_config_map),
    ] {
        if !is_dns_label(name, 253) {
            bail!("invalid profile field `{field}`: `{name}` is not a valid Kubernetes name (lower-case letters, digits, `-` and `.`)");
        }
    }
    if profile.http_port == 0 || profile.metrics_port == 0 {
        bail!("invalid profile: ports must be between 1 and 65535");
    }
    Ok(())
}

/// Reports whether `name` is a valid DNS-1123 subdomain of at most `max` characters.
fn is_dns_label(name: &str, max: usize) -> bool {
    !name.is_empty()
        && name.len() <= max
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_conventions() {
        let profile = build(ProfileFile::default(), None, &[], 0).unwrap();
        assert_eq!(profile.namespace, "veritas");
        assert_eq!(profile.app_selector, "app=GG-CORE");
        assert_eq!(profile.service, "gg-core");
        assert_eq!(profile.metrics_port, 9090);
        assert_eq!(profile.now, "1970-01-01T00:00:00Z");
    }

    #[test]
    fn flag_namespace_and_settings_win_over_file() {
        let file = ProfileFile {
            namespace: Some("from-file".into()),
            settings: [("threshold".to_string(), "1".to_string())].into(),
            ..ProfileFile::default()
        };
        let profile = build(file, Some("from-flag".into()), &[("threshold".into(), "2".into())], 0).unwrap();
        assert_eq!(profile.namespace, "from-flag");
        assert_eq!(profile.settings, vec![("threshold".to_string(), "2".to_string())]);
    }

    #[test]
    fn rejects_the_guides_service_name() {
        let file = ProfileFile { service: Some("GG-CORE".into()), ..ProfileFile::default() };
        let error = build(file, None, &[], 0).unwrap_err().to_string();
        assert!(error.contains("`GG-CORE` is not a valid Kubernetes name"), "{error}");
    }

    #[test]
    fn rejects_a_broken_selector() {
        let file = ProfileFile { app_selector: Some("app in (x".into()), ..ProfileFile::default() };
        assert!(build(file, None, &[], 0).is_err());
    }
}
