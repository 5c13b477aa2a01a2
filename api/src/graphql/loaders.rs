//! Per-request loaders: the many look-ups of one request become one query per relation, and the
//! loader's cache dies with the request, so it never outlives one caller's rights.

use crate::context::Services;
use crate::error::ApiError;
use async_graphql::dataloader::{DataLoader, Loader};
use domain::{Department, Jurisdiction, ListType, Subject};
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

pub type Loaders = DataLoader<StoreLoader>;

pub fn loaders(services: Services) -> Loaders {
    DataLoader::new(StoreLoader { services }, tokio::spawn)
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
