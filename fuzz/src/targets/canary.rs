//! The canaries' oracle: everything in a case's host tree outside its
//! `sandbox/` folder (the canaries beside the read-write preopen, the
//! read-only preopen, an overlay's host layer), as text to compare before
//! and after the case: kind, mode, link count, modification time and
//! contents. A guest that wrote, created, removed, linked or touched any
//! of it changed the text. (Reads are not seen: access times are not
//! kept reliably by hosts.)

use std::collections::BTreeMap;
use std::path::Path;

/// Plants the canaries in `root`: `canary.txt` and `canary_dir/inner.txt`
/// (the seed tree's `out` and `outf` point at them from a folder of
/// `root`).
pub fn plant(root: &Path) {
    std::fs::write(root.join("canary.txt"), "canary").expect("canary");
    std::fs::create_dir(root.join("canary_dir")).expect("canary_dir");
    std::fs::write(root.join("canary_dir/inner.txt"), "inner").expect("inner");
}

/// Everything under `root` except `root/sandbox`: path -> what was seen.
pub fn outside(root: &Path) -> BTreeMap<String, String> {
    outside_of(root, &["sandbox"])
}

/// Everything under `root` except the folders `sandboxes` of `root`.
pub fn outside_of(root: &Path, sandboxes: &[&str]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    walk(root, root, sandboxes, &mut out);
    out
}

fn walk(base: &Path, dir: &Path, skip: &[&str], out: &mut BTreeMap<String, String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let rel = path.strip_prefix(base).unwrap().display().to_string();
        if skip.contains(&rel.as_str()) {
            continue;
        }
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let seen = format!(
            "{:?} {:o} nlink {} {:?} {}",
            meta.file_type(),
            std::os::unix::fs::PermissionsExt::mode(&meta.permissions()),
            std::os::unix::fs::MetadataExt::nlink(&meta),
            meta.modified().ok(),
            if meta.is_file() {
                String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned()
            } else {
                String::new()
            },
        );
        out.insert(rel, seen);
        if meta.is_dir() {
            walk(base, &path, skip, out);
        }
    }
}
