//! Writers on a thread of their own: the rows are read, protected and typed on the export's
//! thread while the labelled files are encoded on another core. Rows go over in batches, their
//! text in one buffer per batch, and at most a few batches wait: memory stays flat.

use std::io;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::thread::JoinHandle;

use super::table::{Cell, Missing, RowWriter};

/// Rows per batch: enough to make the hand-over cheap, few enough to keep memory small.
const BATCH_ROWS: usize = 512;
/// Batches that may wait for the writing thread.
const WAITING: usize = 4;

/// A cell whose text lies in its batch's buffer.
#[derive(Clone, Copy)]
enum Stored {
    Number(f64),
    Date(i32),
    Text(usize, usize),
    Missing(Missing),
}

#[derive(Default)]
struct Batch {
    width: usize,
    cells: Vec<Stored>,
    text: String,
}

impl Batch {
    fn rows(&self) -> usize {
        self.cells.len().checked_div(self.width).unwrap_or(0)
    }
}

/// Writers that write on their own thread.
pub struct Threaded {
    batch: Batch,
    sender: Option<SyncSender<Batch>>,
    /// Batches written and emptied, to be filled again: their memory is reused, not zeroed
    /// afresh by the kernel for each batch.
    written: Receiver<Batch>,
    worker: Option<JoinHandle<io::Result<()>>>,
}

impl Threaded {
    pub fn new(writers: Vec<Box<dyn RowWriter + Send>>) -> Threaded {
        let (sender, receiver) = sync_channel(WAITING);
        let (give_back, written) = channel();
        let worker = std::thread::spawn(move || write_batches(&receiver, &give_back, writers));
        Threaded { batch: Batch::default(), sender: Some(sender), written, worker: Some(worker) }
    }

    fn send(&mut self) -> io::Result<()> {
        let empty = self.written.try_recv().unwrap_or_default();
        let batch = std::mem::replace(&mut self.batch, empty);
        let sent = self.sender.as_ref().map(|s| s.send(batch));
        match sent {
            Some(Ok(())) => Ok(()),
            // The thread stopped: its error is what `finish` reports.
            _ => self.join().and(Err(io::Error::other("the writing thread stopped"))),
        }
    }

    fn join(&mut self) -> io::Result<()> {
        self.sender = None;
        match self.worker.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the writing thread panicked")),
            None => Ok(()),
        }
    }
}

impl RowWriter for Threaded {
    fn row(&mut self, cells: &[Cell<'_>]) -> io::Result<()> {
        let batch = &mut self.batch;
        batch.width = cells.len();
        batch.cells.extend(cells.iter().map(|cell| match *cell {
            Cell::Number(n) => Stored::Number(n),
            Cell::Date(d) => Stored::Date(d),
            Cell::Missing(m) => Stored::Missing(m),
            Cell::Text(t) => {
                let start = batch.text.len();
                batch.text.push_str(t);
                Stored::Text(start, batch.text.len())
            }
        }));
        if batch.rows() >= BATCH_ROWS { self.send() } else { Ok(()) }
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        if self.batch.rows() > 0 {
            self.send()?;
        }
        self.join()
    }
}

/// The writing thread: every batch to every writer, then each writer finished.
fn write_batches(
    receiver: &Receiver<Batch>,
    give_back: &Sender<Batch>,
    mut writers: Vec<Box<dyn RowWriter + Send>>,
) -> io::Result<()> {
    for mut batch in receiver {
        let mut cells = Vec::with_capacity(batch.width);
        for row in batch.cells.chunks(batch.width.max(1)) {
            cells.clear();
            cells.extend(row.iter().map(|stored| match *stored {
                Stored::Number(n) => Cell::Number(n),
                Stored::Date(d) => Cell::Date(d),
                Stored::Missing(m) => Cell::Missing(m),
                Stored::Text(start, end) => Cell::Text(&batch.text[start..end]),
            }));
            for writer in &mut writers {
                writer.row(&cells)?;
            }
        }
        drop(cells);
        batch.cells.clear();
        batch.text.clear();
        // The export may have finished sending: then the batch is simply dropped.
        let _ = give_back.send(batch);
    }
    writers.into_iter().try_for_each(RowWriter::finish)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// Remembers the rows it is given as text.
    struct Recorder(Arc<Mutex<Vec<String>>>);

    impl RowWriter for Recorder {
        fn row(&mut self, cells: &[Cell<'_>]) -> io::Result<()> {
            let mut rows = self.0.lock().unwrap();
            rows.push(format!("{cells:?}"));
            Ok(())
        }
        fn finish(self: Box<Self>) -> io::Result<()> {
            self.0.lock().unwrap().push("finished".into());
            Ok(())
        }
    }

    #[test]
    fn every_row_arrives_in_order_with_its_text_and_the_writers_are_finished() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut threaded = Box::new(Threaded::new(vec![Box::new(Recorder(seen.clone()))]));
        let mut expected = Vec::new();
        for i in 0..1_300 {
            let id = format!("r{i}");
            let cells =
                [Cell::Text(&id), Cell::Number(f64::from(i)), Cell::Missing(Missing::Suppressed)];
            expected.push(format!("{cells:?}"));
            threaded.row(&cells).unwrap();
        }
        threaded.finish().unwrap();
        expected.push("finished".into());
        assert_eq!(*seen.lock().unwrap(), expected);
    }

    struct Failing;

    impl RowWriter for Failing {
        fn row(&mut self, _: &[Cell<'_>]) -> io::Result<()> {
            Err(io::Error::other("disk full"))
        }
        fn finish(self: Box<Self>) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_writers_error_comes_back_to_the_export() {
        let mut threaded = Box::new(Threaded::new(vec![Box::new(Failing)]));
        let mut failed = None;
        for i in 0..5_000 {
            if let Err(e) = threaded.row(&[Cell::Number(f64::from(i))]) {
                failed = Some(e);
                break;
            }
        }
        let error = match failed {
            Some(e) => e,
            None => threaded.finish().unwrap_err(),
        };
        assert!(error.to_string().contains("disk full"), "{error}");
    }
}
