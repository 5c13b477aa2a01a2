//! Per-request loaders: the many look-ups of one request become one query per relation, and the
//! loader's cache dies with the request, so it never outlives one caller's rights.

use crate::context::Services;
use crate::error::ApiError;
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use domain::{Department, Jurisdiction, ListType, Subject};
use persistence::{Page, PageRequest};
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SubjectId(pub String);
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ListTypeId(pub String);
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DepartmentKey(pub String);
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct JurisdictionKey(pub String);

pub struct StoreLoader {
    services: Services,
}

pub type Loaders = DataLoader<StoreLoader, HashMapCache>;

pub fn loaders(services: Services) -> Loaders {
    // Keys are gathered for a millisecond (the default), so that the items of a list land in one
    // batch; the cache lets a look-up hand over rows it has read already.
    DataLoader::with_cache(
        StoreLoader { services },
        tokio::spawn,
        HashMapCache::default(),
    )
}

/// Runs one batch query off the async workers.
async fn batch<T, K, F, G>(
    services: &Services,
    keys: &[K],
    raw: impl Fn(&K) -> String,
    f: F,
    key_of: G,
) -> Result<HashMap<K, T>, ApiError>
where
    T: Send + 'static,
    K: Clone + Eq + std::hash::Hash,
    F: FnOnce(&persistence::Store, &[String]) -> Result<Vec<T>, persistence::StoreError>
        + Send
        + 'static,
    G: Fn(&T) -> K,
{
    let ids: Vec<String> = keys.iter().map(raw).collect();
    let store = services.store.clone();
    let span = tracing::Span::current();
    let items = tokio::task::spawn_blocking(move || span.in_scope(|| f(&store, &ids)))
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(ApiError::from)?;
    Ok(items.into_iter().map(|t| (key_of(&t), t)).collect())
}

impl Loader<SubjectId> for StoreLoader {
    type Value = Subject;
    type Error = ApiError;
    async fn load(&self, keys: &[SubjectId]) -> Result<HashMap<SubjectId, Subject>, ApiError> {
        batch(
            &self.services,
            keys,
            |k| k.0.clone(),
            |s, ids| s.subjects_by_ids(ids),
            |t: &Subject| SubjectId(t.id.clone()),
        )
        .await
    }
}

impl Loader<ListTypeId> for StoreLoader {
    type Value = ListType;
    type Error = ApiError;
    async fn load(&self, keys: &[ListTypeId]) -> Result<HashMap<ListTypeId, ListType>, ApiError> {
        batch(
            &self.services,
            keys,
            |k| k.0.clone(),
            |s, ids| s.list_types_by_ids(ids),
            |t: &ListType| ListTypeId(t.id.clone()),
        )
        .await
    }
}

impl Loader<DepartmentKey> for StoreLoader {
    type Value = Department;
    type Error = ApiError;
    async fn load(
        &self,
        keys: &[DepartmentKey],
    ) -> Result<HashMap<DepartmentKey, Department>, ApiError> {
        batch(
            &self.services,
            keys,
            |k| k.0.clone(),
            |s, ids| s.departments_by_codes(ids),
            |t: &Department| DepartmentKey(t.code.to_string()),
        )
        .await
    }
}

impl Loader<JurisdictionKey> for StoreLoader {
    type Value = Jurisdiction;
    type Error = ApiError;
    async fn load(
        &self,
        keys: &[JurisdictionKey],
    ) -> Result<HashMap<JurisdictionKey, Jurisdiction>, ApiError> {
        batch(
            &self.services,
            keys,
            |k| k.0.clone(),
            |s, ids| s.jurisdictions_by_codes(ids),
            |t: &Jurisdiction| JurisdictionKey(t.code.to_string()),
        )
        .await
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EntryId(pub String);
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VersionId(pub String);
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FeedbackOf(pub String);

impl Loader<EntryId> for StoreLoader {
    type Value = domain::ListEntry;
    type Error = ApiError;
    async fn load(
        &self,
        keys: &[EntryId],
    ) -> Result<HashMap<EntryId, domain::ListEntry>, ApiError> {
        batch(
            &self.services,
            keys,
            |k| k.0.clone(),
            |s, ids| s.list_entries_by_ids(ids),
            |t: &domain::ListEntry| EntryId(t.id.clone()),
        )
        .await
    }
}

impl Loader<VersionId> for StoreLoader {
    type Value = domain::memorandum::Memorandum;
    type Error = ApiError;
    async fn load(&self, keys: &[VersionId]) -> Result<HashMap<VersionId, Self::Value>, ApiError> {
        batch(
            &self.services,
            keys,
            |k| k.0.clone(),
            |s, ids| s.memorandum_versions(ids),
            |t: &Self::Value| VersionId(t.version_id.clone()),
        )
        .await
    }
}

impl Loader<FeedbackOf> for StoreLoader {
    type Value = domain::dispatch::Feedback;
    type Error = ApiError;
    async fn load(
        &self,
        keys: &[FeedbackOf],
    ) -> Result<HashMap<FeedbackOf, Self::Value>, ApiError> {
        batch(
            &self.services,
            keys,
            |k| k.0.clone(),
            |s, ids| s.feedback_for(ids),
            |t: &Self::Value| FeedbackOf(t.dispatch_id.clone()),
        )
        .await
    }
}

/// Whether an entry or record has an objection pending.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PendingObjection(pub String);

impl Loader<PendingObjection> for StoreLoader {
    type Value = bool;
    type Error = ApiError;
    async fn load(
        &self,
        keys: &[PendingObjection],
    ) -> Result<HashMap<PendingObjection, bool>, ApiError> {
        let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let store = self.services.store.clone();
        let span = tracing::Span::current();
        let pending = tokio::task::spawn_blocking(move || {
            span.in_scope(|| store.pending_objection_targets(&ids))
        })
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(ApiError::from)?;
        Ok(keys
            .iter()
            .map(|k| (k.clone(), pending.contains(&k.0)))
            .collect())
    }
}

/// One page of a subject's entries, as a nested connection under a page of subjects asks for it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EntriesOf {
    pub subject_id: String,
    pub status: Option<domain::EntryStatus>,
    pub page: (usize, Option<String>),
}

/// One page of a subject's records, likewise.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RecordsOf {
    pub subject_id: String,
    pub kind: Option<domain::CreditRecordKind>,
    pub public_on: Option<chrono::NaiveDate>,
    pub page: (usize, Option<String>),
}

/// Splits rows (in subject then id order) into each key's page: the rows of its subject after its
/// cursor, as many as it asked for.
pub(crate) fn pages<K, T>(
    keys: &[K],
    rows: Vec<T>,
    subject_of: impl Fn(&T) -> &str,
    id_of: impl Fn(&T) -> &str,
    key_subject: impl Fn(&K) -> &str,
    key_page: impl Fn(&K) -> &(usize, Option<String>),
) -> HashMap<K, Page<T>>
where
    K: Clone + Eq + std::hash::Hash,
    T: Clone,
{
    let mut by_subject: HashMap<&str, Vec<&T>> = HashMap::new();
    for row in &rows {
        by_subject.entry(subject_of(row)).or_default().push(row);
    }
    keys.iter()
        .map(|k| {
            let (first, after) = key_page(k);
            let items: Vec<T> = by_subject
                .get(key_subject(k))
                .into_iter()
                .flatten()
                .filter(|t| after.as_deref().is_none_or(|a| id_of(t) > a))
                .take(first + 1)
                .map(|t| (*t).clone())
                .collect();
            let request = PageRequest {
                first: *first,
                after: after.clone(),
            };
            (k.clone(), Page::from_overfetch(items, &request))
        })
        .collect()
}

/// Runs blocking store work for a loader.
async fn blocking<T: Send + 'static>(
    services: &Services,
    f: impl FnOnce(&persistence::Store) -> Result<T, persistence::StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    let store = services.store.clone();
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(|| f(&store)))
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(ApiError::from)
}

impl Loader<EntriesOf> for StoreLoader {
    type Value = Page<domain::ListEntry>;
    type Error = ApiError;
    async fn load(&self, keys: &[EntriesOf]) -> Result<HashMap<EntriesOf, Self::Value>, ApiError> {
        let today = self.services.today();
        let mut out = HashMap::new();
        // One query per distinct filter; a request rarely has more than one.
        let mut statuses: Vec<Option<domain::EntryStatus>> =
            keys.iter().map(|k| k.status).collect();
        statuses.sort_by_key(|s| s.map(|s| s.as_str()));
        statuses.dedup();
        for status in statuses {
            let group: Vec<EntriesOf> = keys
                .iter()
                .filter(|k| k.status == status)
                .cloned()
                .collect();
            let ids: Vec<String> = group.iter().map(|k| k.subject_id.clone()).collect();
            let rows = blocking(&self.services, move |s| {
                s.entries_of_subjects(&ids, status, today)
            })
            .await?;
            out.extend(pages(
                &group,
                rows,
                |e| &e.subject_id,
                |e| &e.id,
                |k| &k.subject_id,
                |k| &k.page,
            ));
        }
        Ok(out)
    }
}

impl Loader<RecordsOf> for StoreLoader {
    type Value = Page<domain::CreditRecord>;
    type Error = ApiError;
    async fn load(&self, keys: &[RecordsOf]) -> Result<HashMap<RecordsOf, Self::Value>, ApiError> {
        let mut out = HashMap::new();
        let mut filters: Vec<_> = keys.iter().map(|k| (k.kind, k.public_on)).collect();
        filters.sort_by_key(|(k, p)| (k.map(|k| k.as_str()), *p));
        filters.dedup();
        for (kind, public_on) in filters {
            let group: Vec<RecordsOf> = keys
                .iter()
                .filter(|k| k.kind == kind && k.public_on == public_on)
                .cloned()
                .collect();
            let ids: Vec<String> = group.iter().map(|k| k.subject_id.clone()).collect();
            let rows = blocking(&self.services, move |s| {
                s.records_of_subjects(&ids, kind, public_on)
            })
            .await?;
            out.extend(pages(
                &group,
                rows,
                |r| &r.subject_id,
                |r| &r.id,
                |k| &k.subject_id,
                |k| &k.page,
            ));
        }
        Ok(out)
    }
}
