//! The audit trail: appended one record at a time under a lock, so that the chain has one order.

use super::catalogue::acting_department;
use super::{Page, PageRequest, Store, hold_sequence_lock};
use crate::error::StoreError;
use crate::schema::audit_log;
use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use domain::access::{self, DepartmentPrincipal};
use domain::audit::{self, AuditRecord, Break, GENESIS};
use sha2::{Digest, Sha256};

/// Any number, the same on every instance: the PostgreSQL advisory lock of the chain's head.
const CHAIN_LOCK: i64 = 0x7869_6e79_6f6e_6702;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log)]
struct AuditRow {
    seq: i64,
    at: NaiveDateTime,
    request_id: String,
    actor: String,
    department: Option<String>,
    action: String,
    target: String,
    outcome: String,
    digest: String,
    prev_hash: String,
    hash: String,
}

impl From<AuditRow> for AuditRecord {
    fn from(r: AuditRow) -> Self {
        AuditRecord {
            seq: r.seq,
            at: r.at.and_utc(),
            request_id: r.request_id,
            actor: r.actor,
            department: r.department,
            action: r.action,
            target: r.target,
            outcome: r.outcome,
            digest: r.digest,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// A record to append: the chain fills in its number and hashes.
#[derive(Debug, Clone)]
pub struct NewAudit {
    pub request_id: String,
    pub actor: String,
    pub department: Option<String>,
    pub action: String,
    pub target: String,
    pub outcome: String,
    pub digest: String,
}

pub fn sha256_hex(s: &str) -> String {
    format!("{:x}", Sha256::digest(s.as_bytes()))
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub department: Option<String>,
}

impl Store {
    /// Appends a record at the head of the chain.
    pub fn append_audit(&self, new: &NewAudit) -> Result<AuditRecord, StoreError> {
        self.write(|c| {
            hold_sequence_lock(c, CHAIN_LOCK)?;
            let head: Option<(i64, String)> = audit_log::table
                .order(audit_log::seq.desc())
                .select((audit_log::seq, audit_log::hash))
                .first(c)
                .optional()?;
            let (seq, prev_hash) = head.map_or((1, GENESIS.to_owned()), |(s, h)| (s + 1, h));
            let mut record = AuditRecord {
                seq,
                at: Utc::now().trunc_subsecs(6),
                request_id: new.request_id.clone(),
                actor: new.actor.clone(),
                department: new.department.clone(),
                action: new.action.clone(),
                target: new.target.clone(),
                outcome: new.outcome.clone(),
                digest: new.digest.clone(),
                prev_hash,
                hash: String::new(),
            };
            record.hash = sha256_hex(&audit::canonical(&record));
            diesel::insert_into(audit_log::table)
                .values(AuditRow {
                    seq: record.seq,
                    at: record.at.naive_utc(),
                    request_id: record.request_id.clone(),
                    actor: record.actor.clone(),
                    department: record.department.clone(),
                    action: record.action.clone(),
                    target: record.target.clone(),
                    outcome: record.outcome.clone(),
                    digest: record.digest.clone(),
                    prev_hash: record.prev_hash.clone(),
                    hash: record.hash.clone(),
                })
                .execute(c)?;
            Ok(record)
        })
    }

    /// The trail, oldest first; the credit office's to read.
    pub fn audit_log(
        &self,
        actor: &DepartmentPrincipal,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> Result<Page<AuditRecord>, StoreError> {
        self.read(|c| {
            let department = acting_department(c, actor)?;
            access::may_read_stats(&department)?;
            let mut q = audit_log::table.select(AuditRow::as_select()).into_boxed();
            if let Some(a) = &filter.action {
                q = q.filter(audit_log::action.eq(a.clone()));
            }
            if let Some(d) = &filter.department {
                q = q.filter(audit_log::department.eq(d.clone()));
            }
            if let Some(after) = page.after.as_deref().and_then(|a| a.parse::<i64>().ok()) {
                q = q.filter(audit_log::seq.gt(after));
            }
            let rows = q.order(audit_log::seq).limit(page.limit()).load(c)?;
            Ok(Page::from_overfetch(
                rows.into_iter().map(AuditRecord::from).collect(),
                page,
            ))
        })
    }

    /// Checks the whole chain: the number of records, or where it first breaks.
    pub fn verify_audit(&self) -> Result<Result<u64, Break>, StoreError> {
        self.read(|c| {
            let rows: Vec<AuditRow> = audit_log::table
                .order(audit_log::seq)
                .select(AuditRow::as_select())
                .load(c)?;
            Ok(audit::verify(
                rows.into_iter().map(AuditRecord::from),
                sha256_hex,
            ))
        })
    }
}
