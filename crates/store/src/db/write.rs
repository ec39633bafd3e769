//! Write transactions: each holds the audit chain's head from its first statement and appends
//! its entries to the chain before it commits.

use sqlx::Transaction;

use crate::Result;
use crate::audit::{self, AuditEntry};
use crate::db::Conn;

/// A write transaction that appends its audit entries to the chain before it commits, on a
/// connection it took from the pool. A type of its own, not an alias of `WriteOn<'static>`:
/// the futures of closures that take `&mut WriteTx` are then known to be `Send`.
pub struct WriteTx(pub(super) WriteOn<'static>);

impl std::ops::Deref for WriteTx {
    type Target = WriteOn<'static>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl WriteTx {
    pub async fn commit(self) -> Result<()> {
        self.0.commit().await
    }

    /// See [`WriteOn::commit_audited`].
    pub async fn commit_audited(self, entry: AuditEntry) -> Result<()> {
        self.0.commit_audited(entry).await
    }

    pub async fn rollback(self) -> Result<()> {
        self.0.rollback().await
    }
}

/// A write transaction on a connection held by its caller ([`Db::write_on`]).
pub struct WriteOn<'c> {
    tx: Transaction<'c, sqlx::Any>,
    head: audit::Head,
    appended: bool,
}

impl<'c> WriteOn<'c> {
    pub(super) async fn begin(mut tx: Transaction<'c, sqlx::Any>) -> Result<WriteOn<'c>> {
        let head = audit::lock_head(&mut tx).await?;
        Ok(WriteOn {
            tx,
            head,
            appended: false,
        })
    }

    pub fn conn(&mut self) -> &mut Conn {
        &mut self.tx
    }

    /// The sequence number of the audit chain's last entry as this transaction sees it (its
    /// own entries included). Every write appends to the chain, so a later transaction that
    /// begins at the sequence an earlier one committed at knows nobody wrote in between.
    pub fn audit_seq(&self) -> i64 {
        self.head.seq
    }

    /// Appends one entry to the audit chain inside this transaction.
    pub async fn audit(&mut self, entry: AuditEntry) -> Result<i64> {
        self.appended = true;
        audit::append(&mut self.tx, &mut self.head, entry).await
    }

    pub async fn commit(mut self) -> Result<()> {
        if self.appended {
            audit::store_head(&mut self.tx, &self.head).await?;
        }
        self.tx.commit().await?;
        Ok(())
    }

    /// Appends the write's last audit entry and commits: the entry and the change it records
    /// are stored together or not at all.
    pub async fn commit_audited(mut self, entry: AuditEntry) -> Result<()> {
        self.audit(entry).await?;
        self.commit().await
    }

    pub async fn rollback(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }

    /// Marks where one write of a group begins (a savepoint), so that what it wrote, its audit
    /// entries included, can be undone alone while the group's other writes stay.
    pub async fn mark(&mut self) -> Result<Mark> {
        sqlx::query("SAVEPOINT grouped_write")
            .execute(&mut *self.tx)
            .await?;
        Ok(Mark {
            head: self.head.clone(),
            appended: self.appended,
        })
    }

    /// Keeps what was written since the mark; it is committed with the group.
    pub async fn keep(&mut self, _mark: Mark) -> Result<()> {
        sqlx::query("RELEASE SAVEPOINT grouped_write")
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Undoes what was written since the mark, and the audit head with it.
    pub async fn undo(&mut self, mark: Mark) -> Result<()> {
        sqlx::query("ROLLBACK TO SAVEPOINT grouped_write")
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("RELEASE SAVEPOINT grouped_write")
            .execute(&mut *self.tx)
            .await?;
        self.head = mark.head;
        self.appended = mark.appended;
        Ok(())
    }
}

/// Where one write of a group began inside its transaction: see [`WriteTx::mark`].
#[derive(Debug)]
pub struct Mark {
    head: audit::Head,
    appended: bool,
}
