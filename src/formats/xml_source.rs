//! Input plumbing for the XML reader: transparent gzip and a cap on how much one XML event may read.

use std::io::{self, BufRead, BufReader, Read};

use flate2::bufread::MultiGzDecoder;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Plain or gzip-compressed input, told apart by the gzip magic bytes.
pub(crate) enum Source<R: BufRead> {
    Plain(R),
    Gzip(BufReader<MultiGzDecoder<R>>),
}

impl<R: BufRead> Source<R> {
    pub(crate) fn detect(mut input: R) -> io::Result<Self> {
        let head = input.fill_buf()?;
        // A one-byte first read is possible on odd readers; gzip files are never that short, and a
        // false "plain" only makes the XML parser refuse the bytes.
        if head.len() >= 2 && head[..2] == GZIP_MAGIC {
            Ok(Self::Gzip(BufReader::new(MultiGzDecoder::new(input))))
        } else {
            Ok(Self::Plain(input))
        }
    }
}

impl<R: BufRead> Read for Source<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Plain(r) => r.read(buf),
            Self::Gzip(r) => r.read(buf),
        }
    }
}

impl<R: BufRead> BufRead for Source<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self {
            Self::Plain(r) => r.fill_buf(),
            Self::Gzip(r) => r.fill_buf(),
        }
    }

    fn consume(&mut self, amt: usize) {
        match self {
            Self::Plain(r) => r.consume(amt),
            Self::Gzip(r) => r.consume(amt),
        }
    }
}

/// Fails reads once more than `limit` bytes were consumed since the last [`Bounded::reset`].
///
/// The XML parser buffers a whole text node or tag before returning it; resetting between
/// events bounds that buffer, so a file of one giant text node cannot exhaust memory.
pub(crate) struct Bounded<R> {
    inner: R,
    consumed: usize,
    limit: usize,
}

/// Marker text of the error raised by [`Bounded`], so the reader can name the problem.
pub(crate) const TOO_LARGE: &str = "XML event exceeds the size limit";

impl<R> Bounded<R> {
    pub(crate) fn new(inner: R, limit: usize) -> Self {
        Self { inner, consumed: 0, limit }
    }

    pub(crate) fn reset(&mut self) {
        self.consumed = 0;
    }
}

impl<R: BufRead> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = {
            let avail = self.fill_buf()?;
            let n = avail.len().min(buf.len());
            buf[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Bounded<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.consumed > self.limit {
            return Err(io::Error::new(io::ErrorKind::InvalidData, TOO_LARGE));
        }
        // Hand out no more than the remaining budget, so even a source that has everything in
        // memory cannot make one event exceed the limit by much.
        let budget = self.limit.saturating_add(1) - self.consumed;
        let buf = self.inner.fill_buf()?;
        Ok(&buf[..buf.len().min(budget)])
    }

    fn consume(&mut self, amt: usize) {
        self.consumed = self.consumed.saturating_add(amt);
        self.inner.consume(amt);
    }
}
