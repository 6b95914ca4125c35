//! The file a submission batch is written to. Batch files are written once, in one pass, flushed to
//! disk and read back only when downloaded, so on Linux they bypass the page cache (`O_DIRECT`):
//! the bytes go from this buffer to the disk instead of being copied into cache pages first. That
//! copy was over half of the writing thread's time for a 1.8 GB file (and it evicts whatever the
//! database had cached). Where the file system refuses direct writes the file is written as usual.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Direct writes must start at, and span, whole blocks of the device; 4 KiB covers 512-byte and
/// 4 KiB sectors.
const BLOCK: usize = 4096;
/// Bytes gathered before each write.
const CHUNK: usize = 1 << 20;

pub struct BatchFile {
    file: File,
    direct: bool,
    /// Over-allocated so that `buf[start..start + CHUNK]` begins on a block boundary.
    buf: Vec<u8>,
    start: usize,
    filled: usize,
    written: u64,
}

impl BatchFile {
    /// Creates (or truncates) the file at `path`, direct where the file system allows it.
    pub fn create(path: &Path) -> io::Result<Self> {
        match Self::open(path, true) {
            Ok(f) => Ok(f),
            // EINVAL: the file system takes no direct writes (tmpfs, for one).
            Err(e) if e.kind() == io::ErrorKind::InvalidInput => Self::open(path, false),
            Err(e) => Err(e),
        }
    }

    /// Creates the file with direct writes on or off (off everywhere but Linux).
    pub fn open(path: &Path, direct: bool) -> io::Result<Self> {
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(target_os = "linux")]
        if direct {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_DIRECT);
        }
        let direct = direct && cfg!(target_os = "linux");
        let file = options.open(path)?;
        let buf = vec![0u8; CHUNK + BLOCK];
        let start = buf.as_ptr().align_offset(BLOCK).min(BLOCK);
        Ok(Self { file, direct, buf, start, filled: 0, written: 0 })
    }

    /// Whether writes bypass the page cache.
    pub fn is_direct(&self) -> bool {
        self.direct
    }

    fn write_chunk(&mut self) -> io::Result<()> {
        let chunk = &self.buf[self.start..self.start + self.filled];
        self.file.write_all(chunk)?;
        self.written += self.filled as u64;
        self.filled = 0;
        Ok(())
    }

    /// Writes what is buffered, flushes the file to disk and hands it back. A direct file's last
    /// block is written whole (zero-padded) and the file then cut to its length.
    pub fn finish(mut self) -> io::Result<File> {
        let len = self.written + self.filled as u64;
        if self.direct && !self.filled.is_multiple_of(BLOCK) {
            let padded = self.filled.next_multiple_of(BLOCK);
            self.buf[self.start + self.filled..self.start + padded].fill(0);
            self.filled = padded;
        }
        self.write_chunk()?;
        if self.written != len {
            self.file.set_len(len)?;
        }
        self.file.sync_all()?;
        Ok(self.file)
    }
}

impl Write for BatchFile {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = data.len().min(CHUNK - self.filled);
        let at = self.start + self.filled;
        self.buf[at..at + n].copy_from_slice(&data[..n]);
        self.filled += n;
        if self.filled == CHUNK {
            self.write_chunk()?;
        }
        Ok(n)
    }

    /// Nothing to do: only whole chunks can be written directly, and `finish` writes the rest.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes that differ from position to position, so a misplaced chunk shows.
    fn content(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8 ^ (i / 4096) as u8).collect()
    }

    #[test]
    fn writes_exactly_what_it_is_given_direct_or_not() {
        let dir = tempfile::tempdir().expect("temp dir");
        let sizes =
            [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, CHUNK - 1, CHUNK, CHUNK + 7, 3 * CHUNK + 4095];
        for direct in [true, false] {
            for len in sizes {
                let path = dir.path().join(format!("f-{direct}-{len}"));
                let mut f = BatchFile::open(&path, direct).expect("open");
                let data = content(len);
                // Uneven pieces, as the XML writer hands them over.
                for piece in data.chunks(7_919) {
                    f.write_all(piece).expect("write");
                }
                f.flush().expect("flush");
                f.finish().expect("finish");
                assert_eq!(std::fs::read(&path).expect("read back"), data, "{direct} {len}");
            }
        }
    }

    #[test]
    fn creates_direct_files_where_the_file_system_takes_them() {
        // The file system of the temporary directory here (ext4) takes direct writes; where one
        // refuses them, `create` opens the file as `open(path, false)` does, tested above.
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("f");
        let mut f = BatchFile::create(&path).expect("create");
        assert_eq!(f.is_direct(), cfg!(target_os = "linux"));
        f.write_all(b"<NaaccrData/>\n").expect("write");
        f.finish().expect("finish");
        assert_eq!(std::fs::read(&path).expect("read back"), b"<NaaccrData/>\n");
    }
}
