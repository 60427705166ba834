//! Signed probe bundles end to end: packed and signed by the plugin or by the `minisign` CLI,
//! verified, installed, run by `diagnose`, and every rejection with its message, its exit code
//! and the data directory left as it was. The bundle's probe is the `memory-parity` test guest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use ggcore::bundle::archive;
use sha2::{Digest, Sha256};

use super::support::*;

/// The probe id of the `memory-parity` guest.
const PROBE: &str = "memory-parity";

/// What `memory-parity` reports on the example snapshot, where green has half of blue's memory.
const PARITY_SUMMARY: &str = "Deployment `gg-core-green` limits memory to 24Gi, but `gg-core-blue` to 48Gi";

/// A minisign key pair made by the `minisign` CLI.
struct Key {
    public: PathBuf,
    secret: PathBuf,
    /// The key id as `minisign -G` prints it in the public key's comment.
    id: String,
}

/// A scratch directory with its own data directory (`GGCORE_HOME`), so that the bundles and
/// keys of one test are invisible to the others.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        Scratch { dir: tempfile::tempdir().expect("creating a scratch directory") }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn home(&self) -> PathBuf {
        self.path("home")
    }

    /// Returns a command running the plugin with this scratch directory's data directory.
    fn ggcore(&self) -> Command {
        let mut command = ggcore();
        command.env("GGCORE_HOME", self.home()).env_remove("GGCORE_SIGNING_PASSWORD").stdin(Stdio::null());
        command
    }

    /// Runs the plugin and requires exit code 0.
    fn ok(&self, args: &[&str]) -> Output {
        let output = run(self.ggcore().args(args));
        assert_eq!(output.status.code(), Some(0), "`{}` failed: {}", args.join(" "), String::from_utf8_lossy(&output.stderr));
        output
    }

    /// Makes an unencrypted key pair with `minisign -G -W`.
    fn key(&self, name: &str) -> Key {
        let public = self.path(&format!("{name}.pub"));
        let secret = self.path(&format!("{name}.key"));
        let output = run(Command::new("minisign").arg("-G").arg("-W").arg("-p").arg(&public).arg("-s").arg(&secret));
        assert!(output.status.success(), "minisign -G failed: {}", String::from_utf8_lossy(&output.stderr));
        Key { id: minisign_key_id(&public), public, secret }
    }

    fn trust(&self, key: &Key) {
        self.ok(&["trust", "add", &key.public.display().to_string()]);
    }

    /// Packs the `memory-parity` guest as bundle `team-probes` at `version`; the bundle is unsigned.
    fn pack(&self, version: &str) -> PathBuf {
        let source = self.path(&format!("src-{version}"));
        std::fs::create_dir_all(&source).unwrap();
        std::fs::copy(guest("memory-parity"), source.join("memory-parity.wasm")).unwrap();
        std::fs::write(source.join("bundle.yaml"), format!("name: team-probes\nversion: {version}\nprobes:\n  - memory-parity.wasm\n")).unwrap();
        let bundle = self.path(&format!("team-probes-{version}.tar"));
        self.ok(&["bundle", "pack", &source.display().to_string(), "-o", &bundle.display().to_string()]);
        bundle
    }

    /// Packs and signs with the plugin.
    fn signed(&self, version: &str, key: &Key) -> PathBuf {
        let bundle = self.pack(version);
        self.ok(&["bundle", "sign", &bundle.display().to_string(), "--key", &key.secret.display().to_string()]);
        bundle
    }

    fn install(&self, bundle: &Path, flags: &[&str]) -> Output {
        run(self.ggcore().args(["bundle", "install"]).arg(bundle).args(flags))
    }

    fn diagnose(&self, flags: &[&str]) -> Output {
        run(self.ggcore().args(["diagnose", "--snapshot"]).arg(example_snapshot()).args(["-o", "json"]).args(flags))
    }

    /// Returns every file and directory under the data directory, with the SHA-256 of each file.
    fn tree(&self) -> BTreeMap<String, String> {
        let mut tree = BTreeMap::new();
        walk(&self.home(), &self.home(), &mut tree);
        tree
    }
}

fn walk(root: &Path, dir: &Path, tree: &mut BTreeMap<String, String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries {
        let path = entry.unwrap().path();
        let relative = path.strip_prefix(root).unwrap().display().to_string();
        if path.is_dir() {
            tree.insert(relative, "directory".into());
            walk(root, &path, tree);
        } else {
            tree.insert(relative, hex::encode(Sha256::digest(std::fs::read(&path).unwrap())));
        }
    }
}

/// Reads the key id from the comment `minisign -G` writes into a public key file, padded to the
/// 16 digits the plugin prints (minisign 0.11 drops leading zeros).
fn minisign_key_id(public: &Path) -> String {
    let text = std::fs::read_to_string(public).unwrap();
    let comment = text.lines().next().unwrap();
    let digits = comment.rsplit(' ').next().unwrap();
    format!("{:0>16}", digits.to_uppercase())
}

/// Requires exit code 2 and an error naming what failed.
fn assert_rejected(output: &Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert_eq!(stderr.matches(expected).count(), 1, "expected `{expected}` once in stderr: {stderr}");
}

/// Requires a diagnosis that ran without the installed bundle: its error, naming what failed, on
/// stderr and in the report's errors, the report marked partial, and none of its probes run.
/// The example snapshot's faults keep the exit code at 3.
fn assert_left_out(output: &Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "stderr: {stderr}");
    assert!(stderr.contains(expected), "expected `{expected}` in stderr: {stderr}");
    let report = report(output);
    assert_eq!(report["partial"], true);
    let errors = report["errors"].as_array().expect("errors");
    assert!(errors.iter().any(|e| e.as_str().unwrap_or("").contains(expected) && e.as_str().unwrap_or("").ends_with("its probes were not run")), "{errors:#?}");
    assert!(report["probes"].as_array().unwrap().iter().all(|p| p["id"] != PROBE), "the bundle's probe ran");
    assert!(report["probes"].as_array().unwrap().iter().any(|p| p["id"] == "pod-health"), "the built-in probes ran");
}

/// Rewrites a bundle file through a change to its entries.
fn rewrite(bundle: &Path, change: impl FnOnce(&mut archive::BundleContents)) -> PathBuf {
    let mut contents = archive::parse(&std::fs::read(bundle).unwrap()).unwrap();
    change(&mut contents);
    let changed = bundle.with_extension("changed.tar");
    std::fs::write(&changed, archive::to_bytes(&contents)).unwrap();
    changed
}

/// Sets up a data directory with the trusted key `team` and bundle `team-probes` 1.2.0 installed.
fn installed() -> (Scratch, Key) {
    let scratch = Scratch::new();
    let key = scratch.key("team");
    scratch.trust(&key);
    let bundle = scratch.signed("1.2.0", &key);
    let output = scratch.install(&bundle, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    (scratch, key)
}

// ---- Interoperation with the minisign CLI ----------------------------------------------------

/// Signs a bundle the way docs/bundles.md describes for the minisign CLI: unpack the manifest,
/// sign it with `minisign -S` and `flags`, and append the signature to the tar.
fn sign_with_minisign_cli(scratch: &Scratch, key: &Key, bundle: &Path, flags: &[&str]) {
    let work = scratch.path("cli");
    std::fs::create_dir(&work).unwrap();
    assert!(run(Command::new("tar").arg("-xf").arg(bundle).arg("-C").arg(&work).arg("manifest.json")).status.success());
    let signed = run(Command::new("minisign").arg("-S").args(flags).arg("-s").arg(&key.secret).arg("-m").arg(work.join("manifest.json")));
    assert!(signed.status.success(), "minisign -S {flags:?} failed: {}", String::from_utf8_lossy(&signed.stderr));
    assert!(run(Command::new("tar").arg("-rf").arg(bundle).arg("-C").arg(&work).arg("manifest.json.minisig")).status.success());
}

#[test]
fn minisign_cli_signature_installs() {
    let scratch = Scratch::new();
    let key = scratch.key("team");
    scratch.trust(&key);
    let bundle = scratch.pack("1.2.0");
    sign_with_minisign_cli(&scratch, &key, &bundle, &[]);

    let verified = scratch.ok(&["bundle", "verify", &bundle.display().to_string(), "-o", "json"]);
    let verified: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();
    assert_eq!(verified["keyId"], key.id.as_str());
    assert_eq!(verified["keyName"], "team");
    assert_eq!(verified["probes"][0]["id"], PROBE);

    let output = scratch.install(&bundle, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let list = scratch.ok(&["bundle", "list", "-o", "json"]);
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(list[0]["name"], "team-probes");
    assert_eq!(list[0]["status"], "verified");
    assert_eq!(list[0]["keyId"], key.id.as_str());
}

#[test]
fn legacy_minisign_signature_is_rejected() {
    let scratch = Scratch::new();
    let key = scratch.key("team");
    scratch.trust(&key);
    let bundle = scratch.pack("1.2.0");
    sign_with_minisign_cli(&scratch, &key, &bundle, &["-l"]);

    let before = scratch.tree();
    assert_rejected(&scratch.install(&bundle, &[]), "bundle `team-probes` has a legacy signature (made with `minisign -S -l`)");
    assert_eq!(scratch.tree(), before);
}

#[test]
fn pack_does_not_replace_an_existing_file() {
    let scratch = Scratch::new();
    let bundle = scratch.pack("1.2.0");
    let packed = std::fs::read(&bundle).unwrap();
    let source = scratch.path("src-1.2.0").display().to_string();
    let again = run(scratch.ggcore().args(["bundle", "pack", &source, "-o", &bundle.display().to_string()]));
    assert_rejected(&again, "exists; choose a new file name, or remove it first");
    assert_eq!(std::fs::read(&bundle).unwrap(), packed);
}

#[test]
fn plugin_signature_verifies_with_minisign_cli() {
    let scratch = Scratch::new();
    let key = scratch.key("team");
    let bundle = scratch.signed("1.2.0", &key);

    let work = scratch.path("cli");
    std::fs::create_dir(&work).unwrap();
    assert!(run(Command::new("tar").arg("-xf").arg(&bundle).arg("-C").arg(&work)).status.success());
    let output = run(Command::new("minisign").arg("-V").arg("-p").arg(&key.public).arg("-m").arg(work.join("manifest.json")));
    assert!(output.status.success(), "minisign -V failed: {}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("Signature and comment signature verified"), "{stdout}");
    assert!(stdout.contains("bundle:team-probes@1.2.0"), "{stdout}");

    // The manifest's digest is the component's, so `sha256sum` checks the components.
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(work.join("manifest.json")).unwrap()).unwrap();
    let component = std::fs::read(work.join("probes/memory-parity.wasm")).unwrap();
    assert_eq!(manifest["probes"][0]["sha256"], hex::encode(Sha256::digest(&component)));
}

#[test]
fn encrypted_key_signs_with_password_variable() {
    let scratch = Scratch::new();
    let public = scratch.path("encrypted.pub");
    let secret = scratch.path("encrypted.key");
    let mut generate = Command::new("minisign");
    generate.arg("-G").arg("-p").arg(&public).arg("-s").arg(&secret).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = generate.spawn().expect("running minisign -G");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"correct horse\ncorrect horse\n").unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    let bundle = scratch.pack("1.2.0");

    let output = run(scratch.ggcore().args(["bundle", "sign"]).arg(&bundle).arg("--key").arg(&secret).env("GGCORE_SIGNING_PASSWORD", "correct horse"));
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let key = Key { id: minisign_key_id(&public), public, secret };
    scratch.trust(&key);
    let verified = scratch.ok(&["bundle", "verify", &bundle.display().to_string(), "-o", "json"]);
    let verified: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();
    assert_eq!(verified["keyId"], key.id.as_str());
}

#[test]
fn encrypted_key_without_password_is_rejected() {
    let scratch = Scratch::new();
    let secret = scratch.path("encrypted.key");
    let mut generate = Command::new("minisign");
    generate.arg("-G").arg("-p").arg(scratch.path("encrypted.pub")).arg("-s").arg(&secret).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = generate.spawn().expect("running minisign -G");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"pw\npw\n").unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    let bundle = scratch.pack("1.2.0");
    let before = std::fs::read(&bundle).unwrap();

    // stdin is not a terminal here, so the plugin must not prompt.
    let output = run(scratch.ggcore().args(["bundle", "sign"]).arg(&bundle).arg("--key").arg(&secret));
    assert_rejected(&output, "is encrypted and stdin is not a terminal to ask for its password: set GGCORE_SIGNING_PASSWORD");
    assert_eq!(std::fs::read(&bundle).unwrap(), before, "the bundle file changed");
}

// ---- diagnose and probes list ----------------------------------------------------------------

#[test]
fn diagnose_reports_bundle_probe_findings() {
    let (scratch, key) = installed();
    let output = scratch.diagnose(&[]);
    let report = report(&output);

    assert_eq!(output.status.code(), Some(3), "{}", String::from_utf8_lossy(&output.stderr));
    let parity = findings(&report, "warn", "standby-unhealthy", "resource-exhaustion");
    let parity: Vec<_> = parity.into_iter().filter(|f| f["probe"] == PROBE).collect();
    assert_eq!(parity.len(), 1, "{:#}", report["findings"]);
    assert_eq!(parity[0]["summary"], PARITY_SUMMARY);
    assert_eq!(parity[0]["bundle"]["name"], "team-probes");
    assert_eq!(parity[0]["bundle"]["version"], "1.2.0");
    assert_eq!(parity[0]["bundle"]["keyId"], key.id.as_str());

    let probe = probe(&report, PROBE);
    assert_eq!(probe["status"], "ok");
    assert_eq!(probe["unsigned"], false);
    assert_eq!(probe["origin"]["kind"], "bundle");
    assert_eq!(probe["origin"]["bundle"], "team-probes");
    assert_eq!(probe["origin"]["version"], "1.2.0");
    assert_eq!(probe["origin"]["keyId"], key.id.as_str());
    // The built-in probes still run beside the bundle's.
    assert_eq!(findings(&report, "fail", "canary-no-traffic", "service-mesh-misconfigured").len(), 1);

    let table = run(scratch.ggcore().args(["diagnose", "--snapshot"]).arg(example_snapshot()));
    let table = String::from_utf8_lossy(&table.stdout);
    let expected = format!("from bundle team-probes 1.2.0 (key {}): memory-parity", key.id);
    assert!(table.contains(&expected), "expected `{expected}` in:\n{table}");
}

#[test]
fn probes_list_shows_bundle_probes() {
    let (scratch, key) = installed();
    let output = scratch.ok(&["probes", "list", "-o", "json"]);
    let listings: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let parity = listings.as_array().unwrap().iter().find(|l| l["id"] == PROBE).expect("memory-parity is listed");
    assert_eq!(parity["origin"]["bundle"], "team-probes");
    assert_eq!(parity["origin"]["keyId"], key.id.as_str());
    assert_eq!(parity["witVersion"], "0.1.0");
    assert!(listings.as_array().unwrap().iter().any(|l| l["id"] == "pod-health"));

    // The table's columns fit the bundle's name, so the origin never runs into the symptom.
    let table = String::from_utf8_lossy(&scratch.ok(&["probes", "list"]).stdout).into_owned();
    let row = table.lines().find(|l| l.starts_with(PROBE)).expect("memory-parity row");
    assert!(row.contains("team-probes  standby-unhealthy: "), "{table}");
}

#[test]
fn removed_bundle_no_longer_runs() {
    let (scratch, _) = installed();
    scratch.ok(&["bundle", "remove", "team-probes"]);
    let report = report(&scratch.diagnose(&[]));
    assert!(report["probes"].as_array().unwrap().iter().all(|p| p["id"] != PROBE));
    assert!(!scratch.home().join("bundles/team-probes").exists());
    assert_rejected(&run(scratch.ggcore().args(["bundle", "remove", "team-probes"])), "no bundle named `team-probes` is installed");
}

#[test]
fn unsigned_bundle_runs_only_when_allowed() {
    let scratch = Scratch::new();
    let bundle = scratch.pack("1.2.0");
    let output = scratch.install(&bundle, &["--allow-unsigned"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));

    assert_left_out(&scratch.diagnose(&[]), "bundle `team-probes` has no signature");

    let report = report(&scratch.diagnose(&["--allow-unsigned"]));
    let probe = probe(&report, PROBE);
    assert_eq!(probe["unsigned"], true);
    assert_eq!(probe["origin"]["keyId"], serde_json::Value::Null);
    let finding = report["findings"].as_array().unwrap().iter().find(|f| f["probe"] == PROBE).unwrap();
    assert_eq!(finding["bundle"]["keyId"], serde_json::Value::Null);
}

// ---- Rejections at install: message, exit code 2, data directory unchanged -------------------

#[test]
fn unsigned_bundle_is_rejected() {
    let (scratch, _) = installed();
    let bundle = scratch.pack("1.3.0");
    let before = scratch.tree();
    assert_rejected(&scratch.install(&bundle, &[]), "bundle `team-probes` has no signature (`manifest.json.minisig`)");
    assert_eq!(scratch.tree(), before);
}

#[test]
fn untrusted_key_is_rejected() {
    let (scratch, _) = installed();
    let stranger = scratch.key("stranger");
    let bundle = scratch.signed("1.3.0", &stranger);
    let before = scratch.tree();
    let expected = format!("bundle `team-probes` is signed by key `{}`, which is not in the trust store", stranger.id);
    assert_rejected(&scratch.install(&bundle, &[]), &expected);
    assert_eq!(scratch.tree(), before);
}

#[test]
fn manifest_changed_after_signing_is_rejected() {
    let (scratch, key) = installed();
    let bundle = scratch.signed("1.3.0", &key);
    let tampered = rewrite(&bundle, |contents| {
        let text = String::from_utf8(contents.manifest.clone()).unwrap();
        contents.manifest = text.replace("\"version\": \"1.3.0\"", "\"version\": \"9.9.9\"").into_bytes();
    });
    let before = scratch.tree();
    let expected = format!("the signature of bundle `team-probes` by key `{}` does not match its manifest", key.id);
    assert_rejected(&scratch.install(&tampered, &[]), &expected);
    assert_eq!(scratch.tree(), before);
}

#[test]
fn component_changed_after_signing_is_rejected() {
    let (scratch, key) = installed();
    let bundle = scratch.signed("1.3.0", &key);
    let tampered = rewrite(&bundle, |contents| contents.components.get_mut("probes/memory-parity.wasm").unwrap().push(0));
    let before = scratch.tree();
    let output = scratch.install(&tampered, &[]);
    assert_rejected(&output, "component `probes/memory-parity.wasm` of bundle `team-probes` has sha256");
    assert_rejected(&output, "the component changed after the manifest was signed");
    assert_eq!(scratch.tree(), before);
}

#[test]
fn component_hash_mismatch_is_rejected_when_unsigned() {
    let (scratch, _) = installed();
    let bundle = scratch.pack("1.3.0");
    let tampered = rewrite(&bundle, |contents| contents.components.get_mut("probes/memory-parity.wasm").unwrap().push(0));
    let before = scratch.tree();
    // --allow-unsigned accepts a missing signature, never a component the manifest does not describe.
    assert_rejected(&scratch.install(&tampered, &["--allow-unsigned"]), "the component changed after the bundle was packed");
    assert_eq!(scratch.tree(), before);
}

#[test]
fn unserved_wit_version_is_rejected() {
    let (scratch, key) = installed();

    // Build the bundle by hand with the CLI tools, from a component whose imports name
    // `ggcore:probe@0.9.0`, a version this plugin does not serve.
    let work = scratch.path("wit");
    std::fs::create_dir_all(work.join("probes")).unwrap();
    let component = with_wit_version(&std::fs::read(guest("memory-parity")).unwrap(), b"0.9.0");
    std::fs::write(work.join("probes/memory-parity.wasm"), &component).unwrap();
    let manifest = serde_json::json!({
        "apiVersion": "ggcore.io/v1alpha1",
        "kind": "ProbeBundle",
        "name": "team-probes",
        "version": "1.3.0",
        "probes": [{ "id": PROBE, "version": "0.1.0", "witVersion": "0.9.0", "sha256": hex::encode(Sha256::digest(&component)) }],
    });
    std::fs::write(work.join("manifest.json"), serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
    let signed = run(Command::new("minisign").arg("-S").arg("-s").arg(&key.secret).arg("-m").arg(work.join("manifest.json")));
    assert!(signed.status.success(), "minisign -S failed: {}", String::from_utf8_lossy(&signed.stderr));
    let bundle = scratch.path("wit.tar");
    let tar = run(Command::new("tar").arg("-cf").arg(&bundle).arg("-C").arg(&work).args(["manifest.json", "manifest.json.minisig", "probes/memory-parity.wasm"]));
    assert!(tar.status.success());

    let before = scratch.tree();
    assert_rejected(&scratch.install(&bundle, &[]), "`memory-parity` was built for WIT `ggcore:probe@0.9.0`, but this plugin serves only `ggcore:probe@0.1.x`");
    assert_eq!(scratch.tree(), before);
}

/// Rewrites the version in every `ggcore:probe/<interface>@0.1.0` name of a component. The new
/// version has the same length, so every size in the binary stays right.
fn with_wit_version(component: &[u8], version: &[u8; 5]) -> Vec<u8> {
    let mut bytes = component.to_vec();
    let prefix = b"ggcore:probe/";
    let mut replaced = 0;
    let mut at = 0;
    while let Some(offset) = bytes[at..].windows(prefix.len()).position(|w| w == prefix) {
        let start = at + offset + prefix.len();
        let end = (start + 40).min(bytes.len());
        if let Some(sign) = bytes[start..end].iter().position(|b| *b == b'@') {
            let version_at = start + sign + 1;
            if bytes.get(version_at..version_at + 5) == Some(b"0.1.0") {
                bytes[version_at..version_at + 5].copy_from_slice(version);
                replaced += 1;
            }
        }
        at = start;
    }
    assert!(replaced > 0, "no `ggcore:probe/...@0.1.0` name in the component");
    bytes
}

#[test]
fn downgrade_is_rejected_without_flag() {
    let (scratch, key) = installed();
    let older = scratch.signed("1.1.0", &key);
    let before = scratch.tree();
    assert_rejected(
        &scratch.install(&older, &[]),
        "bundle `team-probes` 1.2.0 is installed; refusing to replace it with the lower version 1.1.0: pass --allow-downgrade",
    );
    assert_eq!(scratch.tree(), before);

    let output = scratch.install(&older, &["--allow-downgrade"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let list: serde_json::Value = serde_json::from_slice(&scratch.ok(&["bundle", "list", "-o", "json"]).stdout).unwrap();
    assert_eq!(list[0]["version"], "1.1.0");
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[test]
fn higher_version_replaces_installed_one() {
    let (scratch, key) = installed();
    let newer = scratch.signed("1.3.0", &key);
    let output = scratch.install(&newer, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("replacing 1.2.0"));
    // Only the bundle's own directory is left: no staging or replaced copies.
    let top: Vec<String> = std::fs::read_dir(scratch.home().join("bundles")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(top, ["team-probes"]);
}

// ---- Checks at load time ---------------------------------------------------------------------

#[test]
fn installed_component_changed_is_left_out() {
    let (scratch, _) = installed();
    let component = scratch.home().join("bundles/team-probes/probes/memory-parity.wasm");
    let mut bytes = std::fs::read(&component).unwrap();
    bytes.push(0);
    std::fs::write(&component, bytes).unwrap();

    let output = scratch.diagnose(&[]);
    assert_left_out(&output, "cannot load the installed bundles");
    assert_left_out(&output, "the component changed after the manifest was signed");
    assert_rejected(&run(scratch.ggcore().args(["probes", "list"])), "the component changed after the manifest was signed");
}

#[test]
fn trust_removal_leaves_installed_bundle_out() {
    let (scratch, key) = installed();
    scratch.ok(&["trust", "remove", "team"]);
    let expected = format!("bundle `team-probes` is signed by key `{}`, which is not in the trust store", key.id);
    assert_left_out(&scratch.diagnose(&[]), &expected);

    let list = run(scratch.ggcore().args(["bundle", "list", "-o", "json"]));
    assert_eq!(list.status.code(), Some(2));
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(list[0]["status"], "invalid");
}

// ---- Trust store -----------------------------------------------------------------------------

#[test]
fn missing_input_files_are_usage_errors() {
    let scratch = Scratch::new();
    let missing = scratch.path("nope.tar").display().to_string();
    assert_rejected(&run(scratch.ggcore().args(["bundle", "verify", &missing])), &format!("cannot read bundle `{missing}`"));
    let key = scratch.path("nope.pub").display().to_string();
    let trust = run(scratch.ggcore().args(["trust", "add", &key]));
    assert_eq!(trust.status.code(), Some(2), "{}", String::from_utf8_lossy(&trust.stderr));
    assert!(String::from_utf8_lossy(&trust.stderr).contains("nope.pub"));
}

#[test]
fn trust_list_names_added_keys() {
    let scratch = Scratch::new();
    let key = scratch.key("team");
    scratch.ok(&["trust", "add", &key.public.display().to_string(), "--name", "security"]);
    let keys: serde_json::Value = serde_json::from_slice(&scratch.ok(&["trust", "list", "-o", "json"]).stdout).unwrap();
    assert_eq!(keys[0]["keyId"], key.id.as_str());
    assert_eq!(keys[0]["name"], "security");

    // The store's file is a minisign public key: `minisign -V -p` takes it as it is.
    let stored = scratch.home().join(format!("trust/{}.pub", key.id));
    assert!(stored.exists());
    let bundle = scratch.signed("1.2.0", &key);
    let work = scratch.path("cli");
    std::fs::create_dir(&work).unwrap();
    assert!(run(Command::new("tar").arg("-xf").arg(&bundle).arg("-C").arg(&work)).status.success());
    assert!(run(Command::new("minisign").arg("-V").arg("-p").arg(&stored).arg("-m").arg(work.join("manifest.json"))).status.success());

    scratch.ok(&["trust", "remove", &key.id.to_lowercase()]);
    let keys: serde_json::Value = serde_json::from_slice(&scratch.ok(&["trust", "list", "-o", "json"]).stdout).unwrap();
    assert_eq!(keys, serde_json::json!([]));
}

#[test]
fn trust_add_rejects_a_secret_key() {
    let scratch = Scratch::new();
    let key = scratch.key("team");
    assert_rejected(&run(scratch.ggcore().args(["trust", "add"]).arg(&key.secret)), "expected a minisign public key, but this is a secret key");
    assert!(!scratch.home().join("trust").exists());
}

// ---- No network ------------------------------------------------------------------------------

/// Runs a command in a new network namespace (no interface but a downed loopback) under strace,
/// and returns its output and the network system calls it made.
fn offline(command: &Command) -> (Output, String) {
    let log = tempfile::NamedTempFile::new().unwrap();
    let mut wrapped = Command::new("unshare");
    wrapped.args(["--user", "--map-root-user", "--net", "strace", "-f", "-qq", "-e", "trace=%network", "-o"]).arg(log.path());
    wrapped.arg(command.get_program()).args(command.get_args());
    for (name, value) in command.get_envs() {
        match value {
            Some(value) => wrapped.env(name, value),
            None => wrapped.env_remove(name),
        };
    }
    wrapped.stdin(Stdio::null());
    let output = run(&mut wrapped);
    let calls = std::fs::read_to_string(log.path()).unwrap_or_default();
    (output, calls)
}

/// Lists the calls that reach for a network: an Internet socket or any `connect`.
fn network_calls(calls: &str) -> Vec<&str> {
    calls.lines().filter(|l| l.contains("AF_INET") || l.contains("connect(")).collect()
}

#[test]
fn offline_check_sees_a_connection_attempt() {
    // The check below can fail: a command that connects shows up in it.
    let mut connect = Command::new("bash");
    connect.args(["-c", "exec 3<>/dev/tcp/127.0.0.1/9"]);
    let (output, calls) = offline(&connect);
    assert!(!output.status.success());
    assert!(!network_calls(&calls).is_empty(), "strace saw no connection attempt:\n{calls}");
}

#[test]
fn bundle_and_trust_commands_open_no_connection() {
    let scratch = Scratch::new();
    let key = scratch.key("team");
    let source = scratch.path("src");
    std::fs::create_dir_all(&source).unwrap();
    std::fs::copy(guest("memory-parity"), source.join("memory-parity.wasm")).unwrap();
    std::fs::write(source.join("bundle.yaml"), "name: team-probes\nversion: 1.2.0\nprobes:\n  - memory-parity.wasm\n").unwrap();
    let bundle = scratch.path("team-probes.tar").display().to_string();
    let (public, secret, source) = (key.public.display().to_string(), key.secret.display().to_string(), source.display().to_string());
    let snapshot = example_snapshot().display().to_string();

    let steps: Vec<(Vec<&str>, i32)> = vec![
        (vec!["trust", "add", &public], 0),
        (vec!["trust", "list"], 0),
        (vec!["bundle", "pack", &source, "-o", &bundle], 0),
        (vec!["bundle", "sign", &bundle, "--key", &secret], 0),
        (vec!["bundle", "verify", &bundle], 0),
        (vec!["bundle", "install", &bundle], 0),
        (vec!["bundle", "list"], 0),
        (vec!["probes", "list"], 0),
        (vec!["diagnose", "--snapshot", &snapshot], 3),
        (vec!["bundle", "remove", "team-probes"], 0),
        (vec!["trust", "remove", "team"], 0),
    ];
    for (args, code) in steps {
        let mut command = scratch.ggcore();
        command.args(&args);
        let (output, calls) = offline(&command);
        assert_eq!(output.status.code(), Some(code), "`{}` failed offline: {}", args.join(" "), String::from_utf8_lossy(&output.stderr));
        assert_eq!(network_calls(&calls), Vec::<&str>::new(), "`{}` reached for the network", args.join(" "));
    }
}
