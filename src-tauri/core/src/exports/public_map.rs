//! The public map: a folder the campaign uploads to its website (index.html, the map library,
//! the data) showing only restaurants whose owners agreed to be listed publicly, and only
//! public fields: name, address, postcode, cuisines, and whether a sticker is up.

use crate::store::restaurants::ExportRow;
use serde_json::json;
use std::fs;
use std::io;
use std::path::Path;

const FILES: &[(&str, &[u8])] = &[
    ("index.html", include_bytes!("public_map/index.html")),
    ("map.js", include_bytes!("public_map/map.js")),
    ("map.css", include_bytes!("public_map/map.css")),
    ("leaflet/leaflet.js", include_bytes!("../../../../assets/vendor/leaflet-1.9.4/leaflet.js")),
    ("leaflet/leaflet.css", include_bytes!("../../../../assets/vendor/leaflet-1.9.4/leaflet.css")),
    (
        "leaflet/images/layers.png",
        include_bytes!("../../../../assets/vendor/leaflet-1.9.4/images/layers.png"),
    ),
    (
        "leaflet/images/layers-2x.png",
        include_bytes!("../../../../assets/vendor/leaflet-1.9.4/images/layers-2x.png"),
    ),
    (
        "leaflet/images/marker-icon.png",
        include_bytes!("../../../../assets/vendor/leaflet-1.9.4/images/marker-icon.png"),
    ),
    (
        "leaflet/images/marker-icon-2x.png",
        include_bytes!("../../../../assets/vendor/leaflet-1.9.4/images/marker-icon-2x.png"),
    ),
    (
        "leaflet/images/marker-shadow.png",
        include_bytes!("../../../../assets/vendor/leaflet-1.9.4/images/marker-shadow.png"),
    ),
];

/// Whether a restaurant may appear on the public map: its owner said yes to being listed.
pub fn is_public(row: &ExportRow) -> bool {
    shows(row.listed_publicly, row.status)
}

/// The public map's rule, for the static export and the web service alike: the standing answer
/// to "listed publicly" is yes, and the restaurant is neither do-not-contact nor closed.
pub fn shows(listed_publicly: Option<bool>, status: crate::domain::Status) -> bool {
    listed_publicly == Some(true)
        && !matches!(status, crate::domain::Status::DoNotContact | crate::domain::Status::Closed)
}

/// The public fields of one restaurant, as a GeoJSON feature.
pub fn feature(row: &ExportRow) -> serde_json::Value {
    let r = &row.restaurant;
    json!({
        "type": "Feature",
        "geometry": { "type": "Point", "coordinates": [(r.lon * 1e6).round() / 1e6, (r.lat * 1e6).round() / 1e6] },
        "properties": {
            "name": r.name,
            "address": r.address,
            "postcode": r.postcode,
            "cuisines": r.cuisines,
            "sticker_placed": row.status == crate::domain::Status::StickerPlaced,
        }
    })
}

/// Writes the folder `out` whole: built beside it, then swapped into place.
pub fn write(out: &Path, features: &[serde_json::Value]) -> io::Result<()> {
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let name =
        out.file_name().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no folder name"))?;
    ours_to_replace(out)?;
    let building = parent.join(format!(".{}.building-{}", name.to_string_lossy(), std::process::id()));
    let _ = fs::remove_dir_all(&building);
    let result = (|| {
        for (path, bytes) in FILES {
            let target = building.join(path);
            if let Some(dir) = target.parent() {
                fs::create_dir_all(dir)?;
            }
            fs::write(target, bytes)?;
        }
        let collection = json!({ "type": "FeatureCollection", "features": features });
        let text = serde_json::to_string(&collection).map_err(io::Error::other)?;
        fs::write(building.join("data.geojson"), &text)?;
        fs::write(building.join("data.js"), format!("window.TABLEMAP_PUBLIC = {text};\n"))?;
        fs::write(building.join(MARKER), MARKER_TEXT)?;
        fs::write(
            building.join("README.txt"),
            "Upload this whole folder to your website. It shows only restaurants whose owners agreed to be\n\
             listed publicly, and only their name, address, postcode, cuisines and whether a sticker is up.\n\
             Made with Tablemap.\n",
        )?;
        Ok::<_, io::Error>(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&building);
        return Err(e);
    }
    // Swap: the old folder (if any) moves aside, the new one takes its name, the old one goes.
    let old = parent.join(format!(".{}.old-{}", name.to_string_lossy(), std::process::id()));
    let had_old = out.exists();
    if had_old {
        fs::rename(out, &old)?;
    }
    if let Err(e) = fs::rename(&building, out) {
        if had_old {
            let _ = fs::rename(&old, out);
        }
        let _ = fs::remove_dir_all(&building);
        return Err(e);
    }
    if had_old {
        let _ = fs::remove_dir_all(&old);
    }
    Ok(())
}

/// The file that says a folder is a public map Tablemap wrote, and so Tablemap's to replace.
pub const MARKER: &str = ".tablemap-public-map";
const MARKER_TEXT: &str =
    "Tablemap wrote this folder (export public-map) and replaces it whole on the next export.\n";

/// Whether `out` may be replaced: nothing there, an empty folder, or a public map an earlier
/// export wrote (it holds `MARKER`). Anything else is the person's own, and is never touched.
fn ours_to_replace(out: &Path) -> io::Result<()> {
    let refuse = |what: &str| {
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{} {what} that Tablemap did not make; nothing was changed: choose a new folder name, \
                 such as {}",
                out.display(),
                out.with_file_name("public-map").display()
            ),
        ))
    };
    match fs::symlink_metadata(out) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
        Ok(m) if !m.is_dir() => refuse("is a file"),
        Ok(_) if out.join(MARKER).is_file() => Ok(()),
        Ok(_) if fs::read_dir(out)?.next().is_none() => Ok(()),
        Ok(_) => refuse("is a folder with files in it"),
    }
}
