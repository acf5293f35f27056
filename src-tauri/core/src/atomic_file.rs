//! Files written whole or not at all: written to a temporary file beside the target, flushed
//! to disk, then renamed over it (a rename within one folder is atomic on every platform we
//! support). A crash or a cancel leaves the old file, never half of a new one.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A file being written; `commit` puts it in place, dropping it without committing removes it.
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Starts writing `target`, creating its folder if needed.
    pub fn create(target: &Path) -> io::Result<Self> {
        Self::create_with_mode(target, 0o666)
    }

    /// `create` for a file readable by this user alone (0600 on Unix, from its first byte).
    pub fn create_private(target: &Path) -> io::Result<Self> {
        Self::create_with_mode(target, 0o600)
    }

    fn create_with_mode(target: &Path, mode: u32) -> io::Result<Self> {
        let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        let name =
            target.file_name().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
        sweep_orphans(dir, &name.to_string_lossy());
        let temp = dir.join(temp_name(&name.to_string_lossy(), std::process::id()));
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
        #[cfg(not(unix))]
        let _ = mode;
        let file = options.open(&temp)?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            temp,
            writer: Some(BufWriter::with_capacity(256 * 1024, file)),
        })
    }

    pub fn writer(&mut self) -> &mut BufWriter<File> {
        // Present until commit consumes self.
        self.writer.as_mut().expect("writer present until commit")
    }

    /// Takes the writer out (for APIs that consume one); give it back with `commit_with`.
    pub fn take_writer(&mut self) -> Option<BufWriter<File>> {
        self.writer.take()
    }

    /// Flushes, syncs and renames into place.
    pub fn commit_with(self, writer: BufWriter<File>) -> io::Result<()> {
        self.finish_with(writer)?.place()
    }

    /// Flushes and syncs the whole new file beside its target, without putting it in place yet
    /// (for a caller that records something first: a print records its batch, then places
    /// the PDF). Dropping the answer removes the file.
    pub fn finish_with(mut self, writer: BufWriter<File>) -> io::Result<Finished> {
        let file = writer.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        let finished = Finished { target: self.target.clone(), temp: std::mem::take(&mut self.temp) };
        Ok(finished)
    }

    pub fn commit(mut self) -> io::Result<()> {
        let w = self.take_writer().ok_or_else(|| io::Error::other("already committed"))?;
        self.commit_with(w)
    }
}

/// A new file written whole beside its target, waiting to be put in place.
pub struct Finished {
    target: PathBuf,
    temp: PathBuf,
}

impl Finished {
    /// Renames the file over its target (atomic), and makes the rename durable.
    pub fn place(mut self) -> io::Result<()> {
        fs::rename(&self.temp, &self.target)?;
        if let Some(dir) = self.target.parent().filter(|p| !p.as_os_str().is_empty()) {
            // Not all platforms allow opening a folder.
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        self.temp = PathBuf::new();
        Ok(())
    }
}

impl Drop for Finished {
    fn drop(&mut self) {
        if !self.temp.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// The temporary file beside `name` while process `pid` writes it: hidden, and tagged so no
/// other program's file can be taken for one of ours.
pub fn temp_name(name: &str, pid: u32) -> String {
    format!(".{name}.{TAG}{pid}.part")
}

const TAG: &str = "tablemap-";

/// Removes temporary files an earlier Tablemap left in `dir` when it was killed mid-write,
/// whatever file they were for: our own tagged naming (`.NAME.tablemap-PID.part`) and a
/// process that no longer runs. Before the tag (up to 0.1) the naming was `.NAME.PID.part`;
/// those are removed only for `name` itself, the file being written again. Nothing else is
/// touched. Only where running processes can be listed (/proc); elsewhere they stay.
fn sweep_orphans(dir: &Path, name: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let untagged = format!(".{name}.");
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let file = file.to_string_lossy();
        let Some(rest) = file.strip_prefix('.').and_then(|rest| rest.strip_suffix(".part")) else {
            continue;
        };
        let pid = match rest.rsplit_once(&format!(".{TAG}")) {
            Some((_, pid)) => pid,
            None => match file.strip_prefix(&untagged).and_then(|rest| rest.strip_suffix(".part")) {
                Some(pid) => pid,
                None => continue,
            },
        };
        let Ok(pid) = pid.parse::<u32>() else { continue };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = fs::remove_file(entry.path());
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.temp.as_os_str().is_empty() {
            self.writer.take();
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// Writes `bytes` to `path` atomically.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.writer().write_all(bytes)?;
    f.commit()
}

/// Writes `bytes` to `path` atomically, readable by this user alone (a key, a secret).
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = AtomicFile::create_private(path)?;
    f.writer().write_all(bytes)?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_killed_writers_leftover_goes_and_nothing_else_does() {
        let dir = tempfile::tempdir().unwrap();
        // pid_max is at most 2^22: this pid never runs.
        let running = format!(".other.pdf.tablemap-{}.part", std::process::id());
        let cases = [
            // (a file in the folder, still there after writing batch.pdf)
            (".batch.pdf.tablemap-4294967290.part", false),
            // Any file's leftover goes, not only the one being written again.
            (".walk sheet.pdf.tablemap-4294967290.part", false),
            (".map.csv.tablemap-4294967290.part", false),
            // The naming before the tag: only the file written again.
            (".batch.pdf.4294967290.part", false),
            (".other.pdf.4294967290.part", true),
            // A running process's (this one's) temporary stays.
            (running.as_str(), true),
            (".batch.pdf.tablemap-notapid.part", true),
            (".batch.pdf.notapid.part", true),
            ("batch.pdf.tablemap-4294967290.part", true),
            (".batch.pdf.tablemap-4294967290.partial", true),
            (".download.4294967290.part", true),
            ("film.mkv.part", true),
            ("notes.txt", true),
        ];
        for (name, _) in cases {
            fs::write(dir.path().join(name), b"x").unwrap();
        }
        write(&dir.path().join("batch.pdf"), b"%PDF").unwrap();
        for (name, stays) in cases {
            assert_eq!(dir.path().join(name).exists(), stays, "{name}");
        }
        assert_eq!(fs::read(dir.path().join("batch.pdf")).unwrap(), b"%PDF");
    }

    #[test]
    fn commit_replaces_and_drop_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new folder/out.pdf");
        write(&path, b"first").unwrap();
        {
            let mut f = AtomicFile::create(&path).unwrap();
            f.writer().write_all(b"half of a second").unwrap();
            // dropped without commit: cancelled
        }
        assert_eq!(fs::read(&path).unwrap(), b"first");
        write(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        let leftovers: Vec<_> = fs::read_dir(dir.path().join("new folder"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name() != "out.pdf")
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn a_finished_file_waits_until_placed_and_goes_if_never_placed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.pdf");
        write(&path, b"first").unwrap();
        for place in [false, true] {
            let mut f = AtomicFile::create(&path).unwrap();
            let mut w = f.take_writer().unwrap();
            w.write_all(b"second").unwrap();
            let finished = f.finish_with(w).unwrap();
            assert_eq!(fs::read(&path).unwrap(), b"first", "not in place before place()");
            if place {
                finished.place().unwrap();
            }
        }
        assert_eq!(fs::read(&path).unwrap(), b"second");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file is left");
    }
}
