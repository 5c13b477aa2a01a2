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

/// Whether `department` is tied to the subject `subject_id` (its lists, records, or the subject's
/// authorisation): what a department needs to see a person's identity number whole.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TiedTo {
    pub department: String,
    pub subject_id: String,
}

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
    let items = blocking(services, move |s| f(s, &ids)).await?;
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

/// The department's ties to each of `subject_ids`, in one batch: for the loader, and for a page
/// that reads them up front ([`super::types::prefetch_ties`]).
pub(crate) async fn ties(
    services: &Services,
    department: String,
    subject_ids: Vec<String>,
) -> Result<HashMap<TiedTo, bool>, ApiError> {
    let today = services.today();
    let (dept, asked) = (department.clone(), subject_ids.clone());
    let tied = blocking(services, move |s| s.tied_subjects(&dept, &asked, today)).await?;
    Ok(subject_ids
        .into_iter()
        .map(|subject_id| {
            let is_tied = tied.contains(&subject_id);
            (
                TiedTo {
                    department: department.clone(),
                    subject_id,
                },
                is_tied,
            )
        })
        .collect())
}

impl Loader<TiedTo> for StoreLoader {
    type Value = bool;
    type Error = ApiError;
    async fn load(&self, keys: &[TiedTo]) -> Result<HashMap<TiedTo, bool>, ApiError> {
        let mut by_department: HashMap<String, Vec<String>> = HashMap::new();
        for k in keys {
            by_department
                .entry(k.department.clone())
                .or_default()
                .push(k.subject_id.clone());
        }
        let mut answers = HashMap::new();
        for (department, ids) in by_department {
            answers.extend(ties(&self.services, department, ids).await?);
        }
        Ok(answers)
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

/// The black entry in force on a day that binds a subject, if any.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BlackOf(pub String, pub chrono::NaiveDate);

impl Loader<BlackOf> for StoreLoader {
    type Value = domain::reward::BlackListing;
    type Error = ApiError;
    async fn load(&self, keys: &[BlackOf]) -> Result<HashMap<BlackOf, Self::Value>, ApiError> {
        let mut out = HashMap::new();
        let mut days: Vec<chrono::NaiveDate> = keys.iter().map(|k| k.1).collect();
        days.sort_unstable();
        days.dedup();
        for day in days {
            let ids: Vec<String> = keys
                .iter()
                .filter(|k| k.1 == day)
                .map(|k| k.0.clone())
                .collect();
            let found = blocking(&self.services, move |s| s.black_in_force_of(&ids, day)).await?;
            out.extend(found.into_iter().map(|(s, b)| (BlackOf(s, day), b)));
        }
        Ok(out)
    }
}

/// Every lift of a dispatch, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LiftsOf(pub String);

impl Loader<LiftsOf> for StoreLoader {
    type Value = Vec<domain::lift::Lift>;
    type Error = ApiError;
    async fn load(&self, keys: &[LiftsOf]) -> Result<HashMap<LiftsOf, Self::Value>, ApiError> {
        let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let all = blocking(&self.services, move |s| s.lifts_of(&ids)).await?;
        let mut by: HashMap<LiftsOf, Self::Value> = HashMap::new();
        for lift in all {
            by.entry(LiftsOf(lift.dispatch_id.clone()))
                .or_default()
                .push(lift);
        }
        Ok(by)
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
        let pending = blocking(&self.services, move |s| s.pending_objection_targets(&ids)).await?;
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

/// A key for one page of a subject's rows: which subject, under which filter, which page.
pub(crate) trait NestedKey: Clone + Eq + std::hash::Hash {
    type Filter: Copy + PartialEq + Send + 'static;
    fn subject_id(&self) -> &str;
    fn filter(&self) -> Self::Filter;
    fn page(&self) -> &(usize, Option<String>);
}

/// A row that belongs to a subject.
pub(crate) trait SubjectRow: Clone {
    fn subject_id(&self) -> &str;
    fn id(&self) -> &str;
}

impl NestedKey for EntriesOf {
    type Filter = Option<domain::EntryStatus>;
    fn subject_id(&self) -> &str {
        &self.subject_id
    }
    fn filter(&self) -> Self::Filter {
        self.status
    }
    fn page(&self) -> &(usize, Option<String>) {
        &self.page
    }
}

impl NestedKey for RecordsOf {
    type Filter = (Option<domain::CreditRecordKind>, Option<chrono::NaiveDate>);
    fn subject_id(&self) -> &str {
        &self.subject_id
    }
    fn filter(&self) -> Self::Filter {
        (self.kind, self.public_on)
    }
    fn page(&self) -> &(usize, Option<String>) {
        &self.page
    }
}

impl SubjectRow for domain::ListEntry {
    fn subject_id(&self) -> &str {
        &self.subject_id
    }
    fn id(&self) -> &str {
        &self.id
    }
}

impl SubjectRow for domain::CreditRecord {
    fn subject_id(&self) -> &str {
        &self.subject_id
    }
    fn id(&self) -> &str {
        &self.id
    }
}

/// Splits rows (in subject then id order) into each key's page: the rows of its subject after its
/// cursor, as many as it asked for.
pub(crate) fn pages<K: NestedKey, T: SubjectRow>(keys: &[K], rows: Vec<T>) -> HashMap<K, Page<T>> {
    let mut by_subject: HashMap<&str, Vec<&T>> = HashMap::new();
    for row in &rows {
        by_subject.entry(row.subject_id()).or_default().push(row);
    }
    keys.iter()
        .map(|k| {
            let (first, after) = k.page();
            let request = PageRequest {
                first: *first,
                after: after.clone(),
            };
            let rows = by_subject
                .get(k.subject_id())
                .into_iter()
                .flatten()
                .copied();
            (k.clone(), Page::of_sorted(rows, T::id, &request))
        })
        .collect()
}

/// Loads the pages of many subjects' rows: one query per distinct filter (a request rarely has
/// more than one), however many subjects.
async fn load_pages<K, T, F>(
    services: &Services,
    keys: &[K],
    fetch: F,
) -> Result<HashMap<K, Page<T>>, ApiError>
where
    K: NestedKey,
    T: SubjectRow + Send + 'static,
    F: Fn(&persistence::Store, &[String], K::Filter) -> Result<Vec<T>, persistence::StoreError>
        + Clone
        + Send
        + 'static,
{
    let mut filters: Vec<K::Filter> = Vec::new();
    for k in keys {
        if !filters.contains(&k.filter()) {
            filters.push(k.filter());
        }
    }
    let mut out = HashMap::new();
    for filter in filters {
        let group: Vec<K> = keys
            .iter()
            .filter(|k| k.filter() == filter)
            .cloned()
            .collect();
        let ids: Vec<String> = group.iter().map(|k| k.subject_id().to_owned()).collect();
        let fetch = fetch.clone();
        let rows = blocking(services, move |s| fetch(s, &ids, filter)).await?;
        out.extend(pages(&group, rows));
    }
    Ok(out)
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
        load_pages(&self.services, keys, move |s, ids, status| {
            s.entries_of_subjects(ids, status, today)
        })
        .await
    }
}

impl Loader<RecordsOf> for StoreLoader {
    type Value = Page<domain::CreditRecord>;
    type Error = ApiError;
    async fn load(&self, keys: &[RecordsOf]) -> Result<HashMap<RecordsOf, Self::Value>, ApiError> {
        load_pages(&self.services, keys, |s, ids, (kind, public_on)| {
            s.records_of_subjects(ids, kind, public_on)
        })
        .await
    }
}
