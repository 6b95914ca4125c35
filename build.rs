//! Lists the NAACCR dictionaries in `src/domain/naaccr/data/` for `dictionary.rs` to embed, so a new
//! yearly dictionary is a file dropped there: base dictionaries newest first, then user dictionaries.
//! The code lookups of `data/lookups/` are listed the same way for `lookups.rs`.

use std::path::Path;

fn main() {
    let dir = Path::new("src/domain/naaccr/data");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut base: Vec<(u32, String)> = Vec::new();
    let mut user: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(dir).expect("the dictionary directory") {
        let name = entry.expect("a directory entry").file_name().to_string_lossy().into_owned();
        let Some(version) = name.strip_suffix(".xml") else { continue };
        if let Some(v) = version.strip_prefix("naaccr-dictionary-") {
            base.push((v.parse().expect("a numeric NAACCR version in the file name"), name));
        } else if version.starts_with("user-defined-naaccr-dictionary-") {
            user.push(name);
        }
    }
    base.sort_by_key(|b| std::cmp::Reverse(b.0));
    user.sort();
    let mut out = format!("static BUILTINS: [Builtin; {}] = [\n", base.len() + user.len());
    for (_, name) in &base {
        out.push_str(&format!("    builtin!({name:?}, true),\n"));
    }
    for name in &user {
        out.push_str(&format!("    builtin!({name:?}, false),\n"));
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("dictionaries.rs");
    std::fs::write(target, out).expect("the generated list");
    lookups(&dir.join("lookups"));
}

/// Lists the code lookups (`lookups/<naaccrId>.csv`) for `lookups.rs` to embed, sorted by id.
fn lookups(dir: &Path) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut ids: Vec<String> = std::fs::read_dir(dir)
        .expect("the lookup directory")
        .filter_map(|e| {
            let name = e.expect("a directory entry").file_name().to_string_lossy().into_owned();
            name.strip_suffix(".csv").map(str::to_owned)
        })
        .collect();
    ids.sort();
    let mut out = format!("static LOOKUPS: [(&str, &str); {}] = [\n", ids.len());
    for id in &ids {
        out.push_str(&format!(
            "    ({id:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/src/domain/naaccr/data/lookups/{id}.csv\"))),\n"
        ));
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("lookups.rs");
    std::fs::write(target, out).expect("the generated list");
}
