//! The GraphQL face of global object ids ([`domain::node`]): ids as `ID`, and an id argument
//! decoded with the kind it must name.

use super::candidates::ListingCandidateNode;
use super::commitments::CommitmentNode;
use super::complaints::ComplaintNode;
use super::joint_types::{DispatchNode, MeasureNode, MemorandumNode};
use super::lifts::LiftNode;
use super::loaders::SubjectId;
use super::nominations::NominationNode;
use super::objections::{CorrectionNode, ObjectionNode};
use super::repairs::RepairNode;
use super::reports::AuthorisationNode;
use super::types::{CreditRecordNode, ListEntryNode, ListTypeNode, SubjectNode};
use super::typical_cases::TypicalCaseNode;
use super::webhooks::{WebhookDeliveryNode, WebhookEndpointNode};
use super::{answers, load, lookups, principal, query, services};
use crate::error::{ApiError, GqlResult};
use async_graphql::{Context, ID, Interface, Object, Result};
use domain::lookup::LookupVia;
pub use domain::node::NodeKind;
use domain::{DomainError, Principal, Scope, access};
use persistence::{
    ComplaintView, DispatchFilter, NominationView, ObjectionFilter, PageRequest, StoreError,
};

/// Global ids as GraphQL's `ID`.
pub trait GlobalId {
    /// The global id of this kind's object with the local id `local`.
    fn id(self, local: &str) -> ID;
    /// The local id that the argument `id` names, if it is an id of this kind; else bad input at
    /// `field`.
    fn local(self, id: &ID, field: &str) -> Result<String, ApiError>;
}

impl GlobalId for NodeKind {
    fn id(self, local: &str) -> ID {
        ID(self.global_id(local))
    }

    fn local(self, id: &ID, field: &str) -> Result<String, ApiError> {
        self.local_id(id.as_str(), field).map_err(ApiError::from)
    }
}

/// 可按全局编号取得的对象 (an object that `node(id:)` finds by its global id)
#[derive(Interface)]
#[graphql(
    name = "Node",
    field(
        name = "id",
        ty = "ID",
        desc = "全局编号：不透明、稳定，可用于 node(id:) (a global id: opaque and stable)"
    )
)]
pub enum Node {
    Subject(SubjectNode),
    CreditRecord(CreditRecordNode),
    ListType(ListTypeNode),
    ListEntry(ListEntryNode),
    Memorandum(MemorandumNode),
    TypicalCase(TypicalCaseNode),
    Dispatch(DispatchNode),
    Objection(ObjectionNode),
    CorrectionNotice(CorrectionNode),
    Repair(RepairNode),
    Complaint(ComplaintNode),
    Commitment(CommitmentNode),
    Nomination(NominationNode),
    ListingCandidate(ListingCandidateNode),
    Measure(MeasureNode),
    Lift(LiftNode),
    Authorisation(AuthorisationNode),
    WebhookEndpoint(WebhookEndpointNode),
    WebhookDelivery(WebhookDeliveryNode),
}

/// Ids `nodes(ids:)` takes at once: a page's worth.
const MAX_IDS: usize = persistence::MAX_PAGE_SIZE;

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// 按全局编号取对象；不存在或调用者无权查看时为空 (an object by its global id, as the caller may
    /// see it; null if there is none or it is hidden)
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "全局编号，即对象的 id (a global id)")] id: ID,
    ) -> Result<Option<Node>> {
        let (kind, local) = parse(&id, "id").gql()?;
        find(ctx, kind, local).await
    }

    /// 按全局编号取多个对象，顺序与 ids 相同；不存在或无权查看的为空，最多100个 (objects by their
    /// global ids, in the same order; null where none or hidden; at most 100)
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "全局编号，最多100个 (global ids, at most 100)")] ids: Vec<ID>,
    ) -> Result<Vec<Option<Node>>> {
        if ids.len() > MAX_IDS {
            return Err(ApiError::bad_input("ids", format!("ids 最多 {MAX_IDS} 个")).into_graphql());
        }
        let parsed = ids
            .iter()
            .map(|id| parse(id, "ids"))
            .collect::<Result<Vec<_>, _>>()
            .gql()?;
        let mut found = Vec::with_capacity(parsed.len());
        for (kind, local) in parsed {
            found.push(find(ctx, kind, local).await?);
        }
        Ok(found)
    }
}

/// One object, read through the list query with the list's own rule of who sees what.
const ONE: PageRequest = PageRequest {
    first: 1,
    after: None,
};

/// A list the caller may not read at all hides its objects the same way.
fn hidden_if_forbidden<T>(found: Result<T, StoreError>) -> Result<Option<T>, StoreError> {
    match found {
        Ok(t) => Ok(Some(t)),
        Err(StoreError::Domain(DomainError::Forbidden(_))) => Ok(None),
        Err(e) => Err(e),
    }
}

fn parse(id: &ID, field: &str) -> Result<(NodeKind, String), ApiError> {
    domain::node::decode(id.as_str()).ok_or_else(|| {
        ApiError::bad_input(
            field,
            format!("{field} 不是有效的编号，请使用接口返回的 id (not an id this API gave out)"),
        )
    })
}

/// The object `local` of `kind` if the caller may see it, by the rule of the list it is shown in.
async fn find(ctx: &Context<'_>, kind: NodeKind, local: String) -> Result<Option<Node>> {
    let svc = services(ctx)?;
    let today = svc.today();
    let who = principal(ctx);
    Ok(match kind {
        NodeKind::Subject => {
            if access::may_look_up(who).is_err() {
                return Ok(None);
            }
            let Some(subject) = svc.run(move |s| s.subject_by_id(&local)).await? else {
                return Ok(None);
            };
            if !query::public_may_find(ctx, &subject).await? {
                return Ok(None);
            }
            answers::shows_subject(ctx, &subject);
            lookups::log(ctx, &[&subject], LookupVia::Subject, None).await?;
            Some(Node::Subject(SubjectNode::from(subject)))
        }
        NodeKind::ListType => svc
            .run(move |s| s.list_type_by_id(&local))
            .await?
            .map(|t| Node::ListType(ListTypeNode(t))),
        NodeKind::ListEntry => {
            let Some(entry) = svc
                .run(move |s| s.list_entries_by_ids(&[local]))
                .await?
                .pop()
            else {
                return Ok(None);
            };
            let subject: domain::Subject =
                load(ctx, SubjectId(entry.subject_id.clone()), "主体").await?;
            access::may_see_entry(who, &subject.code, entry.status_on(today))
                .then_some(Node::ListEntry(ListEntryNode { entry, today }))
        }
        NodeKind::CreditRecord => {
            let Some(record) = svc
                .run(move |s| s.credit_records_by_ids(&[local]))
                .await?
                .pop()
            else {
                return Ok(None);
            };
            let subject: domain::Subject =
                load(ctx, SubjectId(record.subject_id.clone()), "主体").await?;
            access::may_see_record(who, &subject.code, record.is_public_on(today))
                .then_some(Node::CreditRecord(CreditRecordNode(record)))
        }
        NodeKind::Memorandum => svc
            .run(move |s| s.memorandum(&local))
            .await?
            .map(|m| Node::Memorandum(MemorandumNode(m))),
        NodeKind::TypicalCase => {
            let actor = match who {
                domain::Principal::Department(d) => Some(d.clone()),
                _ => None,
            };
            svc.run(move |s| s.typical_case_for(actor.as_ref(), &local))
                .await?
                .map(|c| Node::TypicalCase(TypicalCaseNode(c)))
        }
        NodeKind::Dispatch => {
            let Principal::Department(actor) = who else {
                return Ok(None);
            };
            let actor = actor.clone();
            let filter = DispatchFilter {
                id: Some(local),
                ..DispatchFilter::default()
            };
            svc.run(move |s| s.dispatches(&actor, &filter, today, &ONE))
                .await?
                .items
                .pop()
                .map(|dispatch| Node::Dispatch(DispatchNode { dispatch, today }))
        }
        NodeKind::Objection => {
            let Ok(actor) = super::actor(ctx, Scope::ObjectionsHandle) else {
                return Ok(None);
            };
            let filter = ObjectionFilter {
                id: Some(local),
                ..ObjectionFilter::default()
            };
            svc.run(move |s| s.objections(&actor, &filter, today, &ONE))
                .await?
                .items
                .pop()
                .map(|objection| Node::Objection(ObjectionNode { objection, today }))
        }
        NodeKind::CorrectionNotice => svc
            .run(move |s| s.correction(&local))
            .await?
            .map(|n| Node::CorrectionNotice(CorrectionNode(n))),
        NodeKind::Repair => {
            let Ok(actor) = super::actor(ctx, Scope::ObjectionsHandle) else {
                return Ok(None);
            };
            svc.run(move |s| s.repairs(&actor, None, Some(&local), &ONE))
                .await?
                .items
                .pop()
                .map(|r| Node::Repair(RepairNode(r)))
        }
        NodeKind::Complaint => {
            // The credit office sees all, a department those routed to it: the two lists.
            let (actor, view) = match super::actor(ctx, Scope::MemorandaAdmin) {
                Ok(office) => (office, ComplaintView::All(None)),
                Err(_) => match super::actor(ctx, Scope::ObjectionsHandle) {
                    Ok(handler) => (handler, ComplaintView::RoutedToUs),
                    Err(_) => return Ok(None),
                },
            };
            svc.run(move |s| {
                hidden_if_forbidden(s.complaints(&actor, view, Some(&local), &ONE))
                    .map(|found| found.and_then(|mut p| p.items.pop()))
            })
            .await?
            .map(|complaint| Node::Complaint(ComplaintNode { complaint, today }))
        }
        NodeKind::Commitment => svc
            .run(move |s| s.commitment(&local))
            .await?
            .map(|c| Node::Commitment(CommitmentNode(c))),
        NodeKind::Nomination => {
            let Ok(actor) = super::actor(ctx, Scope::ListsWrite) else {
                return Ok(None);
            };
            // Made by the caller's association, or received for its lists: either list.
            svc.run(move |s| {
                for view in [NominationView::Made, NominationView::Received] {
                    if let Some(n) = s
                        .nominations(&actor, view, None, Some(&local), &ONE)?
                        .items
                        .pop()
                    {
                        return Ok(Some(n));
                    }
                }
                Ok(None)
            })
            .await?
            .map(|n| Node::Nomination(NominationNode(n)))
        }
        NodeKind::ListingCandidate => {
            let Ok(actor) = super::actor(ctx, Scope::ListsWrite) else {
                return Ok(None);
            };
            svc.run(move |s| s.listing_candidates(&actor, None, Some(&local), &ONE))
                .await?
                .items
                .pop()
                .map(|c| Node::ListingCandidate(ListingCandidateNode(c)))
        }
        NodeKind::Measure => svc
            .run(move |s| s.measure(&local))
            .await?
            .map(|m| Node::Measure(MeasureNode(m))),
        NodeKind::Lift => {
            let Principal::Department(actor) = who else {
                return Ok(None);
            };
            let actor = actor.clone();
            // Shown with its dispatch: to those who see the dispatch, by the dispatches' rule.
            svc.run(move |s| {
                let Some(lift) = s.lift(&local)? else {
                    return Ok(None);
                };
                let filter = DispatchFilter {
                    id: Some(lift.dispatch_id.clone()),
                    ..DispatchFilter::default()
                };
                let seen = !s.dispatches(&actor, &filter, today, &ONE)?.items.is_empty();
                Ok(seen.then_some(lift))
            })
            .await?
            .map(|lift| Node::Lift(LiftNode { lift, today }))
        }
        NodeKind::Authorisation => {
            // The granting subject's own, as `me.authorisations`.
            let Ok(code) = domain::authorisation::granting_subject(who) else {
                return Ok(None);
            };
            let code = code.clone();
            svc.run(move |s| s.authorisations_of(code.as_str(), Some(&local), &ONE))
                .await?
                .items
                .pop()
                .map(|a| Node::Authorisation(AuthorisationNode(a)))
        }
        NodeKind::WebhookEndpoint => {
            let Ok(actor) = domain::webhook::may_own(who) else {
                return Ok(None);
            };
            let actor = actor.clone();
            svc.run(move |s| s.webhook_of(&actor))
                .await?
                .filter(|e| e.id == local)
                .map(|e| Node::WebhookEndpoint(WebhookEndpointNode(e)))
        }
        NodeKind::WebhookDelivery => {
            let Ok(actor) = domain::webhook::may_own(who) else {
                return Ok(None);
            };
            let actor = actor.clone();
            svc.run(move |s| s.webhook_deliveries(&actor, None, Some(&local), &ONE))
                .await?
                .items
                .pop()
                .map(|d| Node::WebhookDelivery(WebhookDeliveryNode(d)))
        }
        NodeKind::CheckResult => {
            // A check's result is the answer of its moment, logged for audit; it is not refetched.
            return Err(ApiError::bad_input(
                "id",
                "核查结果是核查当时的回答，不能按编号重取；请重新核查 (a check's result is not refetched: check again)",
            )
            .into_graphql());
        }
    })
}
