//! Which answers may be cached and what they show; which changes a mutation made.
//!
//! A query's answer is cacheable only when every root field it selects is known here: those that
//! show given subjects record them (and are removed when those subjects change), those that
//! enumerate are wildcards (removed by any change), anything else is never cached. A mutation
//! declares what it changed; one that declares nothing is taken to have changed everything, so a
//! forgotten declaration costs hits, never correctness.

use crate::cache::{Change, Tags, subject_code_tag, subject_id_tag};
use crate::context::Services;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::{Context, ServerResult, Value};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// Root query fields whose resolvers record the subjects they show.
const PER_SUBJECT: &[&str] = &["subject", "screen", "creditRecords"];
/// Root query fields that enumerate public data, or the catalogue.
const WILDCARD: &[&str] = &[
    "subjects",
    "listEntries",
    "listTypes",
    "departments",
    "jurisdictions",
    "memoranda",
    "memorandum",
    "corrections",
    "__typename",
    "__schema",
    "__type",
];

/// What a mutation declared.
#[derive(Debug, Clone)]
enum Declared {
    Change(Change),
    NothingPublic,
}

#[derive(Default)]
struct State {
    tags: Tags,
    uncacheable: bool,
    declared: Option<Declared>,
}

/// One request's record of what its answer shows and what its mutations changed.
#[derive(Default, Clone)]
pub struct AnswerScope(Arc<Mutex<State>>);

impl AnswerScope {
    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The answer's tags, if it may be cached.
    pub fn cacheable(&self) -> Option<Tags> {
        self.with(|s| (!s.uncacheable).then(|| s.tags.clone()))
    }
}

fn scope<'a>(ctx: &Context<'a>) -> Option<&'a AnswerScope> {
    ctx.data_opt::<AnswerScope>()
}

/// The answer shows this subject.
pub(crate) fn shows_subject(ctx: &Context<'_>, subject: &domain::Subject) {
    if let Some(s) = scope(ctx) {
        s.with(|st| {
            st.tags.subjects.insert(subject_id_tag(&subject.id));
            st.tags
                .subjects
                .insert(subject_code_tag(subject.code.as_str()));
        });
    }
}

/// The answer shows something of the subject with this id.
pub(crate) fn shows_subject_id(ctx: &Context<'_>, id: &str) {
    if let Some(s) = scope(ctx) {
        s.with(|st| st.tags.subjects.insert(subject_id_tag(id)));
    }
}

/// The answer depends on whether a subject has this code (found or not).
pub(crate) fn looks_up_code(ctx: &Context<'_>, code: &str) {
    if let Some(s) = scope(ctx) {
        s.with(|st| st.tags.subjects.insert(subject_code_tag(code)));
    }
}

/// The answer enumerates: any change may alter it.
pub(crate) fn enumerates(ctx: &Context<'_>) {
    if let Some(s) = scope(ctx) {
        s.with(|st| st.tags.wildcard = true);
    }
}

fn declare(ctx: &Context<'_>, declared: Declared) {
    if let Some(s) = scope(ctx) {
        s.with(|st| {
            st.declared = Some(match (st.declared.take(), declared) {
                (
                    Some(Declared::Change(Change::Subjects(mut a))),
                    Declared::Change(Change::Subjects(b)),
                ) => {
                    a.extend(b);
                    Declared::Change(Change::Subjects(a))
                }
                (Some(Declared::Change(Change::Everything)), _) => {
                    Declared::Change(Change::Everything)
                }
                (_, d) => d,
            })
        });
    }
}

/// The mutation changed these subjects (by id).
pub(crate) fn changed_subjects<'s>(ctx: &Context<'_>, ids: impl IntoIterator<Item = &'s str>) {
    let tags: BTreeSet<String> = ids.into_iter().map(subject_id_tag).collect();
    declare(ctx, Declared::Change(Change::Subjects(tags)));
}

/// The mutation changed these subjects (by code).
pub(crate) fn changed_codes<'s>(ctx: &Context<'_>, codes: impl IntoIterator<Item = &'s str>) {
    let tags: BTreeSet<String> = codes.into_iter().map(subject_code_tag).collect();
    declare(ctx, Declared::Change(Change::Subjects(tags)));
}

/// The mutation changed the catalogue, which every answer may show.
pub(crate) fn changed_everything(ctx: &Context<'_>) {
    declare(ctx, Declared::Change(Change::Everything));
}

/// The mutation changed nothing a public answer shows (a department's own workflow).
pub(crate) fn changed_nothing_public(ctx: &Context<'_>) {
    declare(ctx, Declared::NothingPublic);
}

/// Applies the policy at the root fields and invalidates after each mutation.
pub struct AnswerPolicy;

impl ExtensionFactory for AnswerPolicy {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(AnswerPolicy)
    }
}

#[async_trait::async_trait]
impl Extension for AnswerPolicy {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if info.path_node.parent.is_some() {
            return next.run(ctx, info).await;
        }
        let scope = ctx.data_opt::<AnswerScope>();
        let parent = info.parent_type;
        let name = info.name;
        if parent == "Query" && WILDCARD.contains(&name) {
            if let Some(s) = scope {
                s.with(|st| st.tags.wildcard = true);
            }
        } else if !(parent == "Query" && PER_SUBJECT.contains(&name))
            && let Some(s) = scope
        {
            s.with(|st| st.uncacheable = true);
        }
        if parent != "Mutation" {
            return next.run(ctx, info).await;
        }
        if let Some(s) = scope {
            s.with(|st| st.declared = None);
        }
        let result = next.run(ctx, info).await;
        if result.is_ok()
            && let Some(services) = ctx.data_opt::<Services>()
        {
            let declared = scope.and_then(|s| s.with(|st| st.declared.take()));
            match declared {
                Some(Declared::NothingPublic) => {}
                Some(Declared::Change(change)) => services.cache.invalidate(&change).await,
                None => services.cache.invalidate(&Change::Everything).await,
            }
        }
        result
    }
}
