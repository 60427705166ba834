use std::io::Write as _;
use std::path::Path;

use super::*;

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: veritas, labels: {app: GG-CORE}}\nstatus: {startTime: '2026-12-04T10:00:00Z'}\n";

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn reads_multi_document_yaml_and_lists() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pods.yaml", &format!("{POD}---\napiVersion: v1\nkind: Service\nmetadata: {{name: s, namespace: veritas}}\n"));
    write(
        dir.path(),
        "list.json",
        r#"{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"veritas"}}]}"#,
    );
    let snapshot = Snapshot::load(dir.path()).unwrap();
    assert_eq!(snapshot.layout, Layout::Plain);
    assert_eq!(snapshot.objects(Some(""), "Pod").unwrap().len(), 1);
    assert_eq!(snapshot.objects(None, "Service").unwrap().len(), 1);
    assert_eq!(snapshot.objects(None, "ConfigMap").unwrap().len(), 1);
    assert_eq!(snapshot.observed_at, ggcore_probe_sdk::units::parse_time("2026-12-04T10:00:00Z"));
}

#[test]
fn typed_list_items_without_kind_are_read() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pods.json", r#"{"apiVersion":"v1","kind":"PodList","items":[{"metadata":{"name":"a","namespace":"veritas"}}]}"#);
    let snapshot = Snapshot::load(dir.path()).unwrap();
    assert_eq!(snapshot.objects(None, "Pod").unwrap()[0].name, "a");
}

#[test]
fn files_that_are_not_objects_are_skipped_by_name() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pods.yaml", POD);
    write(dir.path(), "README.md", "# notes");
    write(dir.path(), "values.yaml", "replicas: 3\n");
    let snapshot = Snapshot::load(dir.path()).unwrap();
    assert!(snapshot.warnings.iter().any(|w| w.contains("`README.md`") && w.contains("not a YAML, JSON or log file")), "{:?}", snapshot.warnings);
    assert!(snapshot.warnings.iter().any(|w| w.contains("`values.yaml`") && w.contains("not a Kubernetes object")), "{:?}", snapshot.warnings);
}

#[test]
fn broken_file_is_an_error_naming_file_and_line_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "good.yaml", POD);
    write(dir.path(), "bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [oops\n");
    let snapshot = Snapshot::load(dir.path()).unwrap();
    assert_eq!(snapshot.objects(None, "Pod").unwrap().len(), 1);
    let error = snapshot.errors[0].to_string();
    assert!(error.starts_with("bad.yaml:"), "{error}");
    assert!(snapshot.errors[0].line.is_some(), "{error}");
}

#[test]
fn broken_single_file_fails_the_load() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.json", "{\"kind\": ");
    let error = Snapshot::load(&dir.path().join("bad.json")).err().unwrap().to_string();
    assert!(error.starts_with("bad.json:1:"), "{error}");
}

#[test]
fn empty_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let error = Snapshot::load(dir.path()).err().unwrap().to_string();
    assert!(error.contains("no Kubernetes objects found"), "{error}");
}

#[test]
fn reads_a_tar_gz_with_a_top_directory() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("snap.tar.gz");
    let file = std::fs::File::create(&archive).unwrap();
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(file, flate2::Compression::fast()));
    let mut header = tar::Header::new_gnu();
    header.set_size(POD.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    builder.append_data(&mut header, "snap/objects/pods.yaml", POD.as_bytes()).unwrap();
    builder.into_inner().unwrap().finish().unwrap().flush().unwrap();

    let snapshot = Snapshot::load(&archive).unwrap();
    assert_eq!(snapshot.objects(None, "Pod").unwrap().len(), 1);
}

#[test]
fn cluster_info_dump_holds_only_its_kinds_and_logs() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "nodes.json", r#"{"kind":"NodeList","apiVersion":"v1","items":[{"metadata":{"name":"n1"}}]}"#);
    write(dir.path(), "veritas/pods.json", r#"{"kind":"PodList","apiVersion":"v1","items":[{"metadata":{"name":"a","namespace":"veritas"},"spec":{"containers":[{"name":"gg-core"}]}}]}"#);
    write(
        dir.path(),
        "veritas/a/logs.txt",
        "==== START logs for container gg-core of pod veritas/a ====\nE2001 MODEL_LOAD_FAILED\n==== END logs for container gg-core of pod veritas/a ====\n",
    );
    let snapshot = Snapshot::load(dir.path()).unwrap();
    assert_eq!(snapshot.layout, Layout::ClusterInfoDump);
    assert_eq!(snapshot.objects(None, "Pod").unwrap().len(), 1);
    assert!(snapshot.objects(None, "Service").unwrap().is_empty());
    let error = snapshot.objects(None, "ConfigMap").unwrap_err();
    assert!(error.to_string().contains("not in the snapshot"), "{error}");
    assert_eq!(snapshot.log("veritas", "a", None, false).unwrap(), "E2001 MODEL_LOAD_FAILED\n");
}

#[test]
fn support_bundle_reads_bare_arrays_and_logs() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "cluster-resources/pods/veritas.json", r#"[{"metadata":{"name":"a","namespace":"veritas"}}]"#);
    write(dir.path(), "cluster-resources/services/veritas.json", r#"{"kind":"ServiceList","apiVersion":"v1","items":[]}"#);
    write(
        dir.path(),
        "cluster-resources/custom-resources/veritascanaries.veritas.ggcore.io/veritas.yaml",
        "- apiVersion: veritas.ggcore.io/v1alpha1\n  kind: VeritasCanary\n  metadata: {name: gg-core, namespace: veritas}\n",
    );
    write(dir.path(), "cluster-resources/pods/logs/veritas/a/gg-core-previous.log", "boom\n");
    let snapshot = Snapshot::load(dir.path()).unwrap();
    assert_eq!(snapshot.layout, Layout::SupportBundle);
    assert_eq!(snapshot.objects(None, "Pod").unwrap()[0].kind, "Pod");
    assert_eq!(snapshot.objects(None, "VeritasCanary").unwrap().len(), 1);
    assert!(snapshot.objects(None, "Service").unwrap().is_empty());
    assert!(snapshot.objects(None, "ConfigMap").is_err());
    assert_eq!(snapshot.log("veritas", "a", Some("gg-core"), true).unwrap(), "boom\n");
}

#[test]
fn secrets_keep_only_digests() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: veritas}\ndata: {token: aHVudGVyMg==}\n");
    let snapshot = Snapshot::load(dir.path()).unwrap();
    assert!(snapshot.objects(None, "Secret").unwrap().is_empty());
    let digests = snapshot.secret_digests("veritas", "s").unwrap();
    // sha256("hunter2")
    assert_eq!(digests, vec![("token".to_string(), "f52fbd32b2b3b86ff88ef6c490628285f482af15ddcb29541f94bcf526a3f6c7".to_string())]);
}
