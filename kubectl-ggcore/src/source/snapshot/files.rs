//! Reads the files of a snapshot, wherever they are: a directory tree, one file, or a
//! `.tar.gz` archive. Everything after this step works on the same list of entries.

use std::fs;
use std::io::Read;
use std::path::Path;

use anyhow::{Context as _, Result, bail};

/// One file of a snapshot.
pub struct Entry {
    /// The path relative to the snapshot's root, with `/` separators.
    pub path: String,
    /// The content.
    pub bytes: Vec<u8>,
}

/// The deepest directory nesting followed, so that a symlink loop ends.
const MAX_DEPTH: usize = 32;

/// Reads every file of a snapshot path.
///
/// # Errors
///
/// Fails when the path does not exist or cannot be read, or when an archive is corrupt.
pub fn read_entries(path: &Path) -> Result<Vec<Entry>> {
    let metadata = fs::metadata(path).with_context(|| format!("reading snapshot `{}`", path.display()))?;
    let mut entries = Vec::new();
    if metadata.is_dir() {
        walk(path, path, 0, &mut entries)?;
    } else if is_archive(path) {
        read_archive(path, &mut entries)?;
        strip_common_top(&mut entries);
    } else {
        let bytes = fs::read(path).with_context(|| format!("reading snapshot file `{}`", path.display()))?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        entries.push(Entry { path: name, bytes });
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(entries)
}

fn is_archive(path: &Path) -> bool {
    let name = path.to_string_lossy();
    name.ends_with(".tar.gz") || name.ends_with(".tgz")
}

fn walk(root: &Path, dir: &Path, depth: usize, entries: &mut Vec<Entry>) -> Result<()> {
    if depth > MAX_DEPTH {
        bail!("snapshot directory `{}` is nested deeper than {MAX_DEPTH} levels", dir.display());
    }
    let mut children: Vec<_> = fs::read_dir(dir)
        .with_context(|| format!("listing `{}`", dir.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("listing `{}`", dir.display()))?;
    children.sort_by_key(|c| c.file_name());

    for child in children {
        let path = child.path();
        let metadata = fs::metadata(&path).with_context(|| format!("reading `{}`", path.display()))?;
        if metadata.is_dir() {
            walk(root, &path, depth + 1, entries)?;
        } else if metadata.is_file() {
            let bytes = fs::read(&path).with_context(|| format!("reading `{}`", path.display()))?;
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let relative = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            entries.push(Entry { path: relative, bytes });
        }
    }
    Ok(())
}

fn read_archive(path: &Path, entries: &mut Vec<Entry>) -> Result<()> {
    let file = fs::File::open(path).with_context(|| format!("opening archive `{}`", path.display()))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let members = archive.entries().with_context(|| format!("reading archive `{}`", path.display()))?;
    for member in members {
        let mut member = member.with_context(|| format!("reading archive `{}`", path.display()))?;
        if !member.header().entry_type().is_file() {
            continue;
        }
        let name = member.path()?.to_string_lossy().trim_start_matches("./").to_string();
        let mut bytes = Vec::new();
        member
            .read_to_end(&mut bytes)
            .with_context(|| format!("reading `{name}` from archive `{}`", path.display()))?;
        entries.push(Entry { path: name, bytes });
    }
    Ok(())
}

/// Drops a directory that every archive member sits in (`bundle-2026-12-04/...`), so that
/// layouts are recognised whether or not the archive was made from inside the folder.
fn strip_common_top(entries: &mut [Entry]) {
    let Some(first) = entries.first() else { return };
    let Some((top, _)) = first.path.split_once('/') else { return };
    let prefix = format!("{top}/");
    if entries.iter().all(|e| e.path.starts_with(&prefix)) {
        for entry in entries.iter_mut() {
            entry.path = entry.path[prefix.len()..].to_string();
        }
    }
}
