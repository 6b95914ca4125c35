//! Writing a batch: the read, format and write pipeline streaming into the file, and the file
//! copied into place.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::path::Path;
use std::sync::mpsc;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::db::DbConn;
use crate::formats::naaccr_xml::NaaccrXmlWriter;
use crate::service::{Result, ServiceError};

use super::ExportParams;
use super::build::{
    BatchRows, Chunk, ExportOutcome, Formatted, format_chunk, read_chunk, write_err,
};

/// Counts SHA-256 and bytes of what passes through.
pub struct Hashing<W: Write> {
    inner: W,
    sha: Sha256,
    bytes: u64,
}

impl<W: Write> Hashing<W> {
    pub fn new(inner: W) -> Self {
        Self { inner, sha: Sha256::new(), bytes: 0 }
    }

    pub fn finish(self) -> (W, String, u64) {
        (self.inner, hex::encode(self.sha.finalize()), self.bytes)
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sha.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Streams the selected tumors as NAACCR XML to `out` and records each tumor considered under
/// `submission_id`.
///
/// A pipeline: this thread reads batches of patients on `read`; worker threads format the batches
/// read before (computing the export forms patients lack); a writer thread writes the formatted
/// batches to `out` in read order. The rows of each batch (tumor states, forms) are stored in the
/// caller's transaction on `record`, by a thread of its own, so the database stores one batch while
/// it reads the next (PostgreSQL serves each connection on its own process); without `record` they
/// are stored on `read`, between reads, and `read` carries the caller's transaction.
pub fn export_to<W: Write + Send>(
    read: &mut DbConn,
    record: Option<&mut DbConn>,
    params: &ExportParams,
    submission_id: &str,
    today: NaiveDate,
    time_generated: Option<String>,
    out: W,
) -> Result<(W, ExportOutcome)> {
    let mut writer =
        NaaccrXmlWriter::new(out, params.dictionary, params.record_type, time_generated)
            .map_err(write_err)?;
    let mut outcome = ExportOutcome::default();
    let threads = crate::service::worker_count();
    type Reply = mpsc::Sender<Result<Formatted>>;
    let (job_tx, job_rx) = mpsc::sync_channel::<(Chunk, Reply)>(threads);
    let job_rx = std::sync::Mutex::new(job_rx);
    let (written, stored, result) = std::thread::scope(|scope| {
        let (xml_tx, xml_rx) = mpsc::sync_channel::<Vec<u8>>(threads + 1);
        let (rows_tx, rows_rx) = mpsc::sync_channel::<BatchRows>(threads + 1);
        let storing = record.map(|conn| {
            scope.spawn(move || {
                for rows in rows_rx {
                    rows.store(conn)?;
                }
                Ok::<_, ServiceError>(())
            })
        });
        let separate = storing.is_some();
        let mut apply = |conn: &mut DbConn, done: Result<Formatted>| {
            let done = done?;
            xml_tx.send(done.xml).map_err(|_| ServiceError::Worker)?;
            if separate {
                rows_tx.send(done.rows).map_err(|_| ServiceError::Worker)?;
            } else {
                done.rows.store(conn)?;
            }
            outcome.add(done.outcome);
            Ok::<_, ServiceError>(())
        };
        crate::service::spawn_workers(scope, threads, &job_rx, |(chunk, reply): (Chunk, Reply)| {
            // The receiver is gone only when the export already failed.
            let _ = reply.send(format_chunk(chunk, params, submission_id, today));
            true
        });
        let write = scope.spawn(move || {
            for xml in xml_rx {
                writer.write_fragment(&xml).map_err(write_err)?;
            }
            writer.finish().map_err(write_err)
        });
        // Results come back in the order the batches were read, so the file is deterministic.
        let mut pending: VecDeque<mpsc::Receiver<Result<Formatted>>> = VecDeque::new();
        let mut after: Option<String> = None;
        let result = (|| {
            while let Some(chunk) = read_chunk(read, params, today, &mut after)? {
                let (reply, done) = mpsc::channel();
                job_tx.send((chunk, reply)).map_err(|_| ServiceError::Worker)?;
                pending.push_back(done);
                while pending.len() > threads {
                    if let Some(done) = pending.pop_front() {
                        apply(read, done.recv().map_err(|_| ServiceError::Worker)?)?;
                    }
                }
            }
            while let Some(done) = pending.pop_front() {
                apply(read, done.recv().map_err(|_| ServiceError::Worker)?)?;
            }
            Ok::<_, ServiceError>(())
        })();
        drop(job_tx);
        drop(xml_tx);
        drop(rows_tx);
        let stored = storing.map(|s| s.join().map_err(|_| ServiceError::Worker));
        (write.join().map_err(|_| ServiceError::Worker), stored, result)
    });
    // A failed write or store stops its thread first, so its error is the one to report.
    let (out, summary) = written??;
    if let Some(stored) = stored {
        stored??;
    }
    result?;
    outcome.add_skipped(&summary);
    Ok((out, outcome))
}

/// Flushes a directory's entries (a rename into it) to disk.
pub(super) fn sync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Copies a batch's file to `to` so that a reader of `to` sees the whole file or none: written under
/// a hidden temporary name beside it, flushed to disk, then renamed.
pub fn copy_into_place(from: &Path, to: &Path) -> io::Result<()> {
    let name = to.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = to.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let copied = std::fs::copy(from, &tmp)
        .and_then(|_| std::fs::File::open(&tmp)?.sync_all())
        .and_then(|()| std::fs::rename(&tmp, to));
    if copied.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    copied
}
