//! Redaction of values that look like credentials, for evidence lines and command output.
//!
//! Probes never see Secret values (the host hands them digests), but credentials also hide in
//! ConfigMaps and in literal environment variables. A value is redacted whole when its key names
//! a credential (`DB_PASSWORD`, `apiKey`, `AUTH_TOKEN`, `client-secret`), or when the value
//! itself looks like one (a PEM private key, a bearer token, a JWT, a well-known API key
//! prefix). In a connection string with `user:password@` only the password is masked, so that
//! the host and database stay comparable.

/// The text shown in place of a redacted value.
pub const REDACTED: &str = "<redacted>";

/// Fragments that name a credential wherever they appear in a key (`DBPASSWORD`).
const KEY_FRAGMENTS: [&str; 4] = ["password", "passwd", "secret", "credential"];

/// Words that name a credential only as a whole word of a key: `API_KEY` and `accessToken`
/// are credentials, `KEYSPACE` and `TOKENIZER_PATH` are not.
const KEY_WORDS: [&str; 8] = ["key", "apikey", "token", "pwd", "pass", "passphrase", "dsn", "credentials"];

/// Prefixes of well-known API keys and tokens.
const VALUE_PREFIXES: [&str; 9] = ["-----BEGIN", "Bearer ", "Basic ", "AKIA", "ghp_", "github_pat_", "glpat-", "xoxb-", "sk-"];

/// Reports whether a key (a ConfigMap key, an environment variable name) names a credential.
pub fn is_credential_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    if KEY_FRAGMENTS.iter().any(|fragment| lower.contains(fragment)) {
        return true;
    }
    words(key).iter().any(|word| KEY_WORDS.contains(&word.as_str()))
}

/// Reports whether a value looks like a credential on its own, whatever its key.
pub fn is_credential_value(value: &str) -> bool {
    let value = value.trim();
    if VALUE_PREFIXES.iter().any(|prefix| value.starts_with(prefix)) {
        return true;
    }
    // A JWT: three base64url parts, the first a JSON header (`{"` encodes as `eyJ`).
    value.starts_with("eyJ") && value.split('.').count() == 3 && !value.contains(char::is_whitespace)
}

/// Returns the value as it may be shown: redacted whole when the key or the value names a
/// credential, with the password of a `scheme://user:password@host` URL masked otherwise.
pub fn display_value(key: &str, value: &str) -> String {
    if is_credential_key(key) || is_credential_value(value) {
        return REDACTED.to_string();
    }
    mask_url_password(value)
}

/// Redacts credentials inside a multi-line text such as a configuration file: each
/// `key: value` or `key=value` line goes through [`display_value`], other lines through
/// the value checks only.
pub fn display_text(text: &str) -> String {
    let lines: Vec<String> = text.lines().map(display_line).collect();
    lines.join("\n")
}

/// Redacts one line of a configuration file.
pub fn display_line(line: &str) -> String {
    // `key: value` or `key=value`, but not the `://` of a URL that starts the line.
    let split = line.find([':', '=']).filter(|&at| !line[..at].trim().is_empty() && !line[at + 1..].starts_with("//"));
    match split {
        Some(at) => {
            let (key, rest) = line.split_at(at);
            let (separator, value) = rest.split_at(1);
            let leading = &value[..value.len() - value.trim_start().len()];
            let shown = display_value(key.trim(), value.trim());
            if shown == value.trim() { line.to_string() } else { format!("{key}{separator}{leading}{shown}") }
        }
        None if is_credential_value(line) => REDACTED.to_string(),
        None => mask_url_password(line),
    }
}

/// Masks the password of every `scheme://user:password@host` URL in `text`.
fn mask_url_password(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        let authority_end = after.find(['/', '?', '#', ' ', '"', '\'']).unwrap_or(after.len());
        let authority = &after[..authority_end];
        match (authority.rfind('@'), authority.find(':')) {
            (Some(at_sign), Some(colon)) if colon < at_sign => {
                out.push_str(&authority[..=colon]);
                out.push_str(REDACTED);
                out.push_str(&authority[at_sign..]);
            }
            _ => out.push_str(authority),
        }
        rest = &after[authority_end..];
    }
    out.push_str(rest);
    out
}

/// Splits a key into lower-case words at non-alphanumeric characters and camelCase humps.
fn words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in key.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_keys_are_recognised() {
        for key in ["DB_PASSWORD", "apiKey", "API_KEY", "AUTH_TOKEN", "accessToken", "client-secret", "AWS_CREDENTIALS", "dbpasswd"] {
            assert!(is_credential_key(key), "{key}");
        }
    }

    #[test]
    fn ordinary_keys_are_not_credentials() {
        for key in ["MAX_BATCH_SIZE", "KV_CACHE_FRACTION", "KEYSPACE", "TOKENIZER_PATH", "LOG_LEVEL", "MONKEY_MODE"] {
            assert!(!is_credential_key(key), "{key}");
        }
    }

    #[test]
    fn url_password_is_masked_but_host_kept() {
        assert_eq!(
            display_value("DATABASE_URL", "postgres://app:hunter2@db.veritas:5432/models"),
            "postgres://app:<redacted>@db.veritas:5432/models"
        );
        assert_eq!(display_value("MODEL_URL", "https://models.example.internal/r7"), "https://models.example.internal/r7");
    }

    #[test]
    fn token_looking_values_are_redacted() {
        assert_eq!(display_value("HEADER", "Bearer abc.def"), REDACTED);
        assert_eq!(display_value("X", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"), REDACTED);
        assert_eq!(display_value("LOG_LEVEL", "debug"), "debug");
    }

    #[test]
    fn config_file_lines_are_redacted_by_key() {
        let text = "max_batch_size: 32\npassword: hunter2\nurl=redis://u:p@cache:6379\npostgres://app:pw@db/x";
        assert_eq!(
            display_text(text),
            "max_batch_size: 32\npassword: <redacted>\nurl=redis://u:<redacted>@cache:6379\npostgres://app:<redacted>@db/x"
        );
    }
}
