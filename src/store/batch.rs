//! Group commit: concurrent writes share one transaction and one `fsync`.
//!
//! A writer queues its work, then takes the writer connection. Whoever gets it first runs every
//! queued piece of work in one transaction, each in its own savepoint (a failing piece is
//! rolled back alone), commits once, and marks each piece done with the commit's outcome. The
//! others find their work done when they get the connection in turn. Nobody hears "stored"
//! before the commit that stored it: acknowledged writes survive a crash as before, with far
//! fewer `fsync`s and log pages under load.

use std::sync::{Arc, Mutex};

use rusqlite::{Transaction, TransactionBehavior};

use super::{Store, StoreError, lock};

/// A queued piece of work: runs in the batch's transaction, says whether it succeeded.
type Work = Box<dyn FnOnce(&Transaction<'_>) -> bool + Send>;

/// The outcome of the commit that carried a piece of work; `None` while not yet run.
type Done = Arc<Mutex<Option<Result<(), String>>>>;

pub(super) struct Pending {
    work: Work,
    done: Done,
}

/// The queue of work waiting for the writer.
#[derive(Default)]
pub(super) struct Queue(Mutex<Vec<Pending>>);

impl Store {
    /// Runs `f` in a write transaction shared with the other writes queued at the same time,
    /// and returns once that transaction is committed. `f` runs on another caller's thread, so
    /// it owns what it uses.
    pub fn write_batched<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let slot: Arc<Mutex<Option<Result<T, StoreError>>>> = Arc::default();
        let done: Done = Arc::default();
        let result = Arc::clone(&slot);
        let work: Work = Box::new(move |tx| {
            let outcome = f(tx);
            let succeeded = outcome.is_ok();
            *lock(&result) = Some(outcome);
            succeeded
        });
        lock(&self.queue.0).push(Pending { work, done: Arc::clone(&done) });

        let mut conn = lock(&self.writer);
        if lock(&done).is_none() {
            let batch = std::mem::take(&mut *lock(&self.queue.0));
            run_batch(&mut conn, batch);
        }
        drop(conn);
        let committed = lock(&done).take();
        match committed {
            Some(Ok(())) => lock(&slot).take().unwrap_or_else(|| {
                Err(StoreError::Worker("a queued write produced no result".into()))
            }),
            Some(Err(cause)) => {
                Err(StoreError::Worker(format!("the write was not stored: {cause}")))
            }
            // The batch that took this work failed before finishing (a panic): not stored.
            None => Err(StoreError::Worker("the write was not stored".into())),
        }
    }
}

fn run_batch(conn: &mut rusqlite::Connection, batch: Vec<Pending>) {
    let (works, dones): (Vec<Work>, Vec<Done>) =
        batch.into_iter().map(|p| (p.work, p.done)).unzip();
    crate::metrics::batch(works.len());
    let outcome = run_works(conn, works).map_err(|e| e.to_string());
    for done in dones {
        *lock(&done) = Some(outcome.clone());
    }
}

fn run_works(conn: &mut rusqlite::Connection, works: Vec<Work>) -> rusqlite::Result<()> {
    if works.is_empty() {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for work in works {
        tx.execute_batch("SAVEPOINT work")?;
        if work(&tx) {
            tx.execute_batch("RELEASE work")?;
        } else {
            tx.execute_batch("ROLLBACK TO work; RELEASE work")?;
        }
    }
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Arc<Store>) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("batch.db")).unwrap();
        store.write(|tx| Ok(tx.execute_batch("CREATE TABLE t (n INTEGER PRIMARY KEY)")?)).unwrap();
        (dir, Arc::new(store))
    }

    fn count(store: &Store) -> i64 {
        store.read(|c| Ok(c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?)).unwrap()
    }

    #[test]
    fn concurrent_writes_are_all_stored_and_each_gets_its_own_result() {
        let (_dir, store) = store();
        let threads: Vec<_> = (0..16)
            .map(|thread| {
                let store = Arc::clone(&store);
                std::thread::spawn(move || {
                    (0..50)
                        .map(|i| {
                            let n = thread * 1000 + i;
                            store
                                .write_batched(move |tx| {
                                    tx.execute("INSERT INTO t (n) VALUES (?1)", [n])?;
                                    Ok(n * 2)
                                })
                                .unwrap()
                        })
                        .collect::<Vec<i64>>()
                })
            })
            .collect();
        for (thread, handle) in threads.into_iter().enumerate() {
            let results = handle.join().unwrap();
            let expected: Vec<i64> = (0..50).map(|i| (thread as i64 * 1000 + i) * 2).collect();
            assert_eq!(results, expected);
        }
        assert_eq!(count(&store), 16 * 50);
    }

    #[test]
    fn a_failing_write_is_rolled_back_alone() {
        let (_dir, store) = store();
        store.write_batched(|tx| Ok(tx.execute("INSERT INTO t (n) VALUES (1)", [])?)).unwrap();
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let store = Arc::clone(&store);
                std::thread::spawn(move || {
                    store.write_batched(move |tx| {
                        // Every odd write inserts a row, then fails on a duplicate key.
                        tx.execute("INSERT INTO t (n) VALUES (?1)", [100 + i])?;
                        if i % 2 == 1 {
                            tx.execute("INSERT INTO t (n) VALUES (1)", [])?;
                        }
                        Ok(i)
                    })
                })
            })
            .collect();
        let results: Vec<_> = threads.into_iter().map(|h| h.join().unwrap()).collect();
        for (i, result) in results.iter().enumerate() {
            assert_eq!(result.is_ok(), i % 2 == 0, "write {i}: {result:?}");
        }
        let kept: Vec<i64> = store
            .read(|c| {
                let mut stmt = c.prepare("SELECT n FROM t WHERE n >= 100 ORDER BY n")?;
                let rows = stmt.query_map([], |r| r.get(0))?;
                Ok(rows.collect::<Result<_, _>>()?)
            })
            .unwrap();
        assert_eq!(kept, [100, 102, 104, 106], "the failing writes left nothing behind");
    }

    #[test]
    fn when_the_commit_fails_nobody_hears_stored() {
        let (_dir, store) = store();
        store.write(|tx| Ok(tx.execute_batch("PRAGMA query_only = ON")?)).unwrap();
        let result = store.write_batched(|tx| Ok(tx.execute("INSERT INTO t (n) VALUES (5)", [])?));
        assert!(result.is_err());
        assert_eq!(count(&store), 0);
    }
}
