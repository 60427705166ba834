//! Label and field selectors with the syntax and semantics of
//! `k8s.io/apimachinery/pkg/labels` and `.../fields`: the `labelSelector` and `fieldSelector`
//! parameters of a list.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

/// A selector that does not parse, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorError {
    /// What is wrong, worded after the API server's message.
    pub message: String,
}

impl fmt::Display for SelectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SelectorError {}

fn invalid(message: impl Into<String>) -> SelectorError {
    SelectorError { message: message.into() }
}

/// A parsed `labelSelector`: requirements that must all hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LabelSelector {
    requirements: Vec<Requirement>,
}

/// One requirement of a label selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// `key=value` or `key==value`; also `key in (a,b)`.
    In(String, Vec<String>),
    /// `key!=value` or `key notin (a,b)`: holds when the label is absent too.
    NotIn(String, Vec<String>),
    /// `key`: the label is present.
    Exists(String),
    /// `!key`: the label is absent.
    DoesNotExist(String),
    /// `key>5`: the label is an integer greater than the value.
    GreaterThan(String, i64),
    /// `key<5`: the label is an integer less than the value.
    LessThan(String, i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Identifier(String),
    Comma,
    Equals,
    DoubleEquals,
    NotEquals,
    Bang,
    Open,
    Close,
    Greater,
    Less,
    End,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Identifier(text) => format!("identifier `{text}`"),
            Token::Comma => "`,`".into(),
            Token::Equals => "`=`".into(),
            Token::DoubleEquals => "`==`".into(),
            Token::NotEquals => "`!=`".into(),
            Token::Bang => "`!`".into(),
            Token::Open => "`(`".into(),
            Token::Close => "`)`".into(),
            Token::Greater => "`>`".into(),
            Token::Less => "`<`".into(),
            Token::End => "end of string".into(),
        }
    }
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        let next = chars.get(at + 1).copied();
        let (token, width) = match c {
            c if c.is_whitespace() => {
                at += 1;
                continue;
            }
            ',' => (Token::Comma, 1),
            '(' => (Token::Open, 1),
            ')' => (Token::Close, 1),
            '>' => (Token::Greater, 1),
            '<' => (Token::Less, 1),
            '=' if next == Some('=') => (Token::DoubleEquals, 2),
            '=' => (Token::Equals, 1),
            '!' if next == Some('=') => (Token::NotEquals, 2),
            '!' => (Token::Bang, 1),
            _ => {
                let start = at;
                while at < chars.len() && !chars[at].is_whitespace() && !",()<>=!".contains(chars[at]) {
                    at += 1;
                }
                tokens.push(Token::Identifier(chars[start..at].iter().collect()));
                continue;
            }
        };
        tokens.push(token);
        at += width;
    }
    tokens.push(Token::End);
    tokens
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.at.min(self.tokens.len() - 1)]
    }

    fn next(&mut self) -> Token {
        let token = self.peek().clone();
        self.at += 1;
        token
    }

    fn key(&mut self) -> Result<String, SelectorError> {
        match self.next() {
            Token::Identifier(key) => {
                validate_key(&key)?;
                Ok(key)
            }
            other => Err(invalid(format!("unable to parse requirement: found {}, expected: identifier", other.describe()))),
        }
    }

    /// Reads the value after `=`, `==` or `!=`, which may be empty (`key=`).
    fn value(&mut self) -> Result<String, SelectorError> {
        match self.peek().clone() {
            Token::Identifier(value) => {
                self.next();
                validate_value(&value)?;
                Ok(value)
            }
            Token::Comma | Token::End => Ok(String::new()),
            other => Err(invalid(format!("unable to parse requirement: found {}, expected: identifier", other.describe()))),
        }
    }

    /// Reads `(a, b, c)` after `in` or `notin`.
    fn value_set(&mut self, operator: &str) -> Result<Vec<String>, SelectorError> {
        let open = self.next();
        if open != Token::Open {
            return Err(invalid(format!("unable to parse requirement: found {}, expected: `(`", open.describe())));
        }
        let mut values = Vec::new();
        loop {
            match self.next() {
                Token::Identifier(value) => {
                    validate_value(&value)?;
                    values.push(value);
                }
                Token::Close if values.is_empty() => {
                    return Err(invalid(format!("unable to parse requirement: for `{operator}` the set of values must not be empty")));
                }
                other => return Err(invalid(format!("unable to parse requirement: found {}, expected: identifier", other.describe()))),
            }
            match self.next() {
                Token::Comma => continue,
                Token::Close => return Ok(values),
                other => return Err(invalid(format!("unable to parse requirement: found {}, expected: `,` or `)`", other.describe()))),
            }
        }
    }

    fn integer(&mut self) -> Result<i64, SelectorError> {
        match self.next() {
            Token::Identifier(text) => text
                .parse()
                .map_err(|_| invalid(format!("unable to parse requirement: for `>` and `<` the value must be an integer, found `{text}`"))),
            other => Err(invalid(format!("unable to parse requirement: found {}, expected: integer", other.describe()))),
        }
    }

    fn requirement(&mut self) -> Result<Requirement, SelectorError> {
        if *self.peek() == Token::Bang {
            self.next();
            return Ok(Requirement::DoesNotExist(self.key()?));
        }
        let key = self.key()?;
        let requirement = match self.peek().clone() {
            Token::Comma | Token::End => Requirement::Exists(key),
            Token::Equals | Token::DoubleEquals => {
                self.next();
                Requirement::In(key, vec![self.value()?])
            }
            Token::NotEquals => {
                self.next();
                Requirement::NotIn(key, vec![self.value()?])
            }
            Token::Greater => {
                self.next();
                Requirement::GreaterThan(key, self.integer()?)
            }
            Token::Less => {
                self.next();
                Requirement::LessThan(key, self.integer()?)
            }
            Token::Identifier(word) if word == "in" => {
                self.next();
                Requirement::In(key, self.value_set("in")?)
            }
            Token::Identifier(word) if word == "notin" => {
                self.next();
                Requirement::NotIn(key, self.value_set("notin")?)
            }
            other => {
                return Err(invalid(format!(
                    "unable to parse requirement: found {}, expected: in, notin, =, ==, !=, gt, lt",
                    other.describe()
                )));
            }
        };
        Ok(requirement)
    }
}

impl LabelSelector {
    /// Parses a label selector: comma-separated requirements `key=value`, `key==value`,
    /// `key!=value`, `key in (a,b)`, `key notin (a,b)`, `key`, `!key`, `key>5`, `key<5`.
    /// The empty string selects everything.
    ///
    /// # Errors
    ///
    /// Fails on a syntax error, an invalid key or value, or an empty value set.
    pub fn parse(text: &str) -> Result<LabelSelector, SelectorError> {
        let mut parser = Parser { tokens: tokenize(text), at: 0 };
        let mut requirements = Vec::new();
        if *parser.peek() == Token::End {
            return Ok(LabelSelector { requirements });
        }
        loop {
            requirements.push(parser.requirement()?);
            match parser.next() {
                Token::End => return Ok(LabelSelector { requirements }),
                Token::Comma => continue,
                other => return Err(invalid(format!("found {}, expected: `,` or end of string", other.describe()))),
            }
        }
    }

    /// Returns the requirements, in the order written.
    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }

    /// Returns true when the labels satisfy every requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|requirement| match requirement {
            Requirement::In(key, values) => labels.get(key).is_some_and(|v| values.contains(v)),
            Requirement::NotIn(key, values) => labels.get(key).is_none_or(|v| !values.contains(v)),
            Requirement::Exists(key) => labels.contains_key(key),
            Requirement::DoesNotExist(key) => !labels.contains_key(key),
            Requirement::GreaterThan(key, bound) => labels.get(key).and_then(|v| v.parse::<i64>().ok()).is_some_and(|v| v > *bound),
            Requirement::LessThan(key, bound) => labels.get(key).and_then(|v| v.parse::<i64>().ok()).is_some_and(|v| v < *bound),
        })
    }
}

/// Checks a label key: an optional DNS subdomain prefix and `/`, then a name of at most 63
/// characters.
fn validate_key(key: &str) -> Result<(), SelectorError> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        let valid = !prefix.is_empty()
            && prefix.len() <= 253
            && prefix.split('.').all(|part| {
                !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') && !part.starts_with('-') && !part.ends_with('-')
            });
        if !valid {
            return Err(invalid(format!("unable to parse requirement: invalid label key `{key}`: the prefix must be a DNS subdomain")));
        }
    }
    if name.is_empty() || !is_label_name(name) {
        return Err(invalid(format!(
            "unable to parse requirement: invalid label key `{key}`: the name must be at most 63 alphanumeric characters, `-`, `_` or `.`, starting and ending with an alphanumeric character"
        )));
    }
    Ok(())
}

/// Checks a label value: empty, or a label name.
fn validate_value(value: &str) -> Result<(), SelectorError> {
    if value.is_empty() || is_label_name(value) {
        Ok(())
    } else {
        Err(invalid(format!(
            "unable to parse requirement: invalid label value `{value}`: expected at most 63 alphanumeric characters, `-`, `_` or `.`, starting and ending with an alphanumeric character"
        )))
    }
}

fn is_label_name(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.len() <= 63
        && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A parsed `fieldSelector`: terms `field=value`, `field==value` or `field!=value` that must
/// all hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldSelector {
    terms: Vec<FieldTerm>,
}

/// One term of a field selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldTerm {
    /// The dotted field path, such as `status.phase`.
    pub field: String,
    /// The value, unescaped.
    pub value: String,
    /// True for `!=`.
    pub negated: bool,
}

impl FieldSelector {
    /// Parses a field selector. Terms are separated by `,`; `\,`, `\=`, `\!` and `\\` escape
    /// those characters in a value. The empty string selects everything.
    ///
    /// # Errors
    ///
    /// Fails on a term without an operator, an empty field name or an invalid escape.
    pub fn parse(text: &str) -> Result<FieldSelector, SelectorError> {
        let mut terms = Vec::new();
        for term in split_unescaped(text, ',') {
            if term.is_empty() {
                continue;
            }
            let Some((at, operator)) = find_operator(&term) else {
                return Err(invalid(format!("invalid selector: `{term}`; can't understand `{term}`")));
            };
            let field = term[..at].trim().to_string();
            if field.is_empty() {
                return Err(invalid(format!("invalid selector: `{term}`: the field name is empty")));
            }
            let value = unescape(&term[at + operator.len()..])?;
            terms.push(FieldTerm { field, value, negated: operator == "!=" });
        }
        Ok(FieldSelector { terms })
    }

    /// Returns the terms, in the order written.
    pub fn terms(&self) -> &[FieldTerm] {
        &self.terms
    }

    /// Returns true when the object's fields satisfy every term. A missing field has the
    /// value `""`, as on the API server.
    pub fn matches(&self, object: &Value) -> bool {
        self.terms.iter().all(|term| (field_value(object, &term.field) == term.value) != term.negated)
    }
}

/// Reads a field as the API server's field sets hold it: strings as they are, booleans and
/// numbers as text, `source` of an Event as `source.component`.
pub fn field_value(object: &Value, field: &str) -> String {
    let path = if field == "source" && object["kind"] == "Event" { "source.component" } else { field };
    let mut value = object;
    for part in path.split('.') {
        value = &value[part];
    }
    match value {
        Value::String(text) => text.clone(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        _ => String::new(),
    }
}

/// Splits at separators that no backslash escapes, keeping escapes in the parts.
fn split_unescaped(text: &str, separator: char) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            current.push(c);
            escaped = false;
        } else if c == '\\' {
            current.push(c);
            escaped = true;
        } else if c == separator {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    parts.push(current);
    parts
}

/// Finds the first unescaped operator, trying `!=`, `==`, `=` at each position as the API
/// server does.
fn find_operator(term: &str) -> Option<(usize, &'static str)> {
    let bytes = term.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'\\' {
            at += 2;
            continue;
        }
        for operator in ["!=", "==", "="] {
            if term[at..].starts_with(operator) {
                return Some((at, operator));
            }
        }
        at += 1;
    }
    None
}

fn unescape(text: &str) -> Result<String, SelectorError> {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(escaped @ ('\\' | ',' | '=' | '!')) => out.push(escaped),
            Some(other) => return Err(invalid(format!("invalid field selector value `{text}`: invalid escape sequence `\\{other}`"))),
            None => return Err(invalid(format!("invalid field selector value `{text}`: ends with an unfinished escape `\\`"))),
        }
    }
    Ok(out)
}

/// Returns the fields the API server of Kubernetes 1.32 lets a field selector use for a kind,
/// besides `metadata.name` and `metadata.namespace` which every kind allows.
pub fn selectable_fields(group: &str, kind: &str) -> &'static [&'static str] {
    match (group, kind) {
        ("", "Pod") => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
        ("", "Event") => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        ("", "Secret") => &["type"],
        ("", "Namespace") => &["status.phase"],
        ("", "Node") => &["spec.unschedulable"],
        ("", "Service") => &["spec.clusterIP", "spec.type"],
        ("", "ReplicationController") | ("apps", "ReplicaSet") => &["status.replicas"],
        ("batch", "Job") => &["status.successful"],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_comma_stays_in_value() {
        let selector = FieldSelector::parse(r"metadata.name=a\,b,status.phase!=Running").unwrap();
        assert_eq!(selector.terms()[0].value, "a,b");
        assert!(selector.terms()[1].negated);
    }
}
