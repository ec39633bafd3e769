//! Writes committed in groups (docs/decisions/0012): each behind a savepoint of one shared
//! transaction, so a write that fails is undone alone, its audit entries with it, while the
//! others of its group are kept and the audit chain stays whole. On both backends.

use std::sync::Arc;
use std::time::Duration;

use app::grouped::{GroupWriter, GroupedWrite};
use app::{AppError, AppResult};
use store::WriteTx;
use store::audit::AuditEntry;

use crate::support::{TestDb, assert_chain_intact, audit_action, audit_trail};

const ACTION: &str = "grouped_note";

/// A write that audits its number, then fails when told to.
struct Note {
    n: usize,
    fails: bool,
    /// Holds the transaction a while, so that the writes sent meanwhile wait and are grouped.
    slow: bool,
}

impl GroupedWrite for Note {
    type Output = usize;

    async fn write(&self, tx: &mut WriteTx) -> Result<AppResult<usize>, AppError> {
        tx.audit(AuditEntry {
            role: "system".to_owned(),
            action: ACTION.to_owned(),
            object_type: "note".to_owned(),
            object_id: self.n.to_string(),
            ..Default::default()
        })
        .await?;
        if self.slow {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        if self.fails {
            return Err(AppError::Internal(format!("note {} fails", self.n)));
        }
        Ok(Ok(self.n))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_write_that_fails_in_a_group_is_undone_alone_and_the_chain_stays_whole() {
    let (t, f) = TestDb::with_fixture().await;
    let writer = Arc::new(GroupWriter::<Note>::default());
    let mut tasks = tokio::task::JoinSet::new();
    let send = |tasks: &mut tokio::task::JoinSet<_>, n: usize| {
        let (writer, db) = (writer.clone(), t.app.db.clone());
        let note = Note {
            n,
            fails: n.is_multiple_of(3),
            slow: n == 1,
        };
        tasks.spawn(async move { (n, writer.write(&db, note).await) });
    };
    send(&mut tasks, 1);
    tokio::time::sleep(Duration::from_millis(50)).await;
    for n in (0..40).filter(|n| *n != 1) {
        send(&mut tasks, n);
    }
    for (n, answer) in tasks.join_all().await {
        match answer {
            Ok(kept) => assert!(!n.is_multiple_of(3) && kept == n, "{n} answered {kept}"),
            Err(e) => assert!(
                n.is_multiple_of(3)
                    && matches!(&e, AppError::Internal(why) if why.contains(&n.to_string())),
                "{n}: {e:?}"
            ),
        }
    }
    let mut audited: Vec<usize> = audit_trail(&t.app, &f.auditor, audit_action(ACTION))
        .await
        .iter()
        .filter_map(|r| r.object_id.parse().ok())
        .collect();
    audited.sort_unstable();
    let kept: Vec<usize> = (0..40usize).filter(|n| !n.is_multiple_of(3)).collect();
    assert_eq!(
        audited, kept,
        "the failed writes' entries are undone, no other"
    );
    assert_chain_intact(&t.app, &f.auditor).await;
}
