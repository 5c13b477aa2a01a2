use super::inputs::{
    AddCreditRecordInput, AddListEntriesInput, AddListEntryInput, CreateListTypeInput,
    RegisterSubjectInput, RemoveListEntryInput, RevokeListEntryInput,
};
use super::node::{GlobalId, NodeKind};
use super::types::{CreditRecordNode, ListEntryNode, ListTypeNode, SubjectNode};
use super::{actor, announce_listings, answers, services};
use crate::error::GqlResult;
use async_graphql::SimpleObject;

/// 批量列入的结果 (what addListEntries listed)
#[derive(SimpleObject)]
pub struct AddListEntriesPayload {
    /// 列入的名单条目，顺序与输入相同 (the entries, in the order given)
    pub entries: Vec<ListEntryNode>,
}
use async_graphql::{Context, Object, Result};
use domain::Scope;

/// The foundation's mutations. Each is one transaction: on any error nothing is stored.
#[derive(Default)]
pub struct CoreMutation;

#[Object]
impl CoreMutation {
    /// 登记主体，需 subjects:write (register a subject)
    async fn register_subject(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 RegisterSubjectInput (what to change; see RegisterSubjectInput)"
        )]
        input: RegisterSubjectInput,
    ) -> Result<RegisterSubjectPayload> {
        let actor = actor(ctx, Scope::SubjectsWrite)?;
        let svc = services(ctx)?;
        let today = svc.today();
        let subject = svc
            .run(move |s| s.register_subject(&actor, input.into(), today))
            .await?;
        answers::changed_subjects(ctx, [subject.id.as_str()]);
        answers::changed_codes(ctx, [subject.code.as_str()]);
        Ok(SubjectNode::from(subject).into())
    }

    /// 新增信用记录，来源部门为调用部门，需 records:write (add a credit record)
    async fn add_credit_record(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 AddCreditRecordInput (what to change; see AddCreditRecordInput)"
        )]
        input: AddCreditRecordInput,
    ) -> Result<AddCreditRecordPayload> {
        let actor = actor(ctx, Scope::RecordsWrite)?;
        let svc = services(ctx)?;
        let today = svc.today();
        let record = svc
            .run(move |s| s.add_credit_record(&actor, &input.into(), today))
            .await?;
        answers::changed_subjects(ctx, [record.subject_id.as_str()]);
        Ok(CreditRecordNode(record).into())
    }

    /// 列入名单，仅名单类型的认定部门，需 lists:write (add a subject to a list)
    async fn add_list_entry(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 AddListEntryInput (what to change; see AddListEntryInput)"
        )]
        input: AddListEntryInput,
    ) -> Result<AddListEntryPayload> {
        let actor = actor(ctx, Scope::ListsWrite)?;
        let svc = services(ctx)?;
        let today = svc.today();
        let change = svc
            .run(move |s| s.add_list_entry(&actor, &input.into(), today))
            .await?;
        announce_listings(ctx, std::slice::from_ref(&change))?;
        Ok(ListEntryNode {
            entry: change.entry,
            today,
        }
        .into())
    }

    /// 批量列入名单，一个事务：全部成功或全部不写入；错误指明第几条，需 lists:write
    /// (add many entries in one transaction: all or none; an error names the item)
    async fn add_list_entries(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 AddListEntriesInput (what to change; see AddListEntriesInput)"
        )]
        input: AddListEntriesInput,
    ) -> Result<AddListEntriesPayload> {
        let actor = actor(ctx, Scope::ListsWrite)?;
        let svc = services(ctx)?;
        let today = svc.today();
        let raws: Vec<domain::list::RawListEntry> =
            input.entries.into_iter().map(Into::into).collect();
        let changes = svc
            .run(move |s| s.add_list_entries(&actor, &raws, today))
            .await?;
        announce_listings(ctx, &changes)?;
        let entries = changes
            .into_iter()
            .map(|change| ListEntryNode {
                entry: change.entry,
                today,
            })
            .collect();
        Ok(AddListEntriesPayload { entries })
    }

    /// 撤销名单条目，仅认定部门，须说明原因，需 lists:write (revoke an entry)
    async fn revoke_list_entry(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 RevokeListEntryInput (what to change; see RevokeListEntryInput)"
        )]
        input: RevokeListEntryInput,
    ) -> Result<RevokeListEntryPayload> {
        let actor = actor(ctx, Scope::ListsWrite)?;
        let svc = services(ctx)?;
        let today = svc.today();
        let id = NodeKind::ListEntry.local(&input.id, "input.id").gql()?;
        let change = svc
            .run(move |s| s.revoke_list_entry(&actor, &id, &input.reason, today))
            .await?;
        answers::changed_subjects(ctx, [change.entry.subject_id.as_str()]);
        svc.events.publish_ended(&change.ended);
        Ok(ListEntryNode {
            entry: change.entry,
            today,
        }
        .into())
    }

    /// 移出名单条目：出现名单类型规定的移出情形（如失信被执行人已履行义务）时，由认定部门在期限内移出；
    /// 措施随即解除，同信用修复。需 lists:write (remove an entry on a ground of its list)
    async fn remove_list_entry(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 RemoveListEntryInput (what to change; see RemoveListEntryInput)"
        )]
        input: RemoveListEntryInput,
    ) -> Result<RemoveListEntryPayload> {
        let actor = actor(ctx, Scope::ListsWrite)?;
        let svc = services(ctx)?;
        let today = svc.today();
        let raw = domain::list::RawRemoval {
            ground: input.ground,
            basis_document: input.basis_document,
            ground_arisen_on: input.ground_arisen_on.map(|d| d.0),
        };
        let id = NodeKind::ListEntry.local(&input.id, "input.id").gql()?;
        let change = svc
            .run(move |s| s.remove_list_entry(&actor, &id, &raw, today))
            .await?;
        answers::changed_subjects(ctx, [change.entry.subject_id.as_str()]);
        svc.events.publish_ended(&change.ended);
        Ok(ListEntryNode {
            entry: change.entry,
            today,
        }
        .into())
    }

    /// 新建名单类型，仅信用办，需 memoranda:admin (create a list type)
    async fn create_list_type(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 CreateListTypeInput (what to change; see CreateListTypeInput)"
        )]
        input: CreateListTypeInput,
    ) -> Result<CreateListTypePayload> {
        let actor = actor(ctx, Scope::MemorandaAdmin)?;
        let svc = services(ctx)?;
        let list_type = svc
            .run(move |s| s.create_list_type(&actor, &input.into()))
            .await?;
        answers::changed_everything(ctx);
        Ok(ListTypeNode(list_type).into())
    }
}

/// `registerSubject` 的结果 (what registerSubject changed)
#[derive(SimpleObject)]
pub struct RegisterSubjectPayload {
    /// 变更后的主体 (the subject, as changed)
    pub subject: SubjectNode,
}

impl From<SubjectNode> for RegisterSubjectPayload {
    fn from(subject: SubjectNode) -> Self {
        RegisterSubjectPayload { subject }
    }
}

/// `addCreditRecord` 的结果 (what addCreditRecord changed)
#[derive(SimpleObject)]
pub struct AddCreditRecordPayload {
    /// 变更后的信用记录 (the record, as changed)
    pub record: CreditRecordNode,
}

impl From<CreditRecordNode> for AddCreditRecordPayload {
    fn from(record: CreditRecordNode) -> Self {
        AddCreditRecordPayload { record }
    }
}

/// `addListEntry` 的结果 (what addListEntry changed)
#[derive(SimpleObject)]
pub struct AddListEntryPayload {
    /// 变更后的名单条目 (the entry, as changed)
    pub entry: ListEntryNode,
}

impl From<ListEntryNode> for AddListEntryPayload {
    fn from(entry: ListEntryNode) -> Self {
        AddListEntryPayload { entry }
    }
}

/// `revokeListEntry` 的结果 (what revokeListEntry changed)
#[derive(SimpleObject)]
pub struct RevokeListEntryPayload {
    /// 变更后的名单条目 (the entry, as changed)
    pub entry: ListEntryNode,
}

impl From<ListEntryNode> for RevokeListEntryPayload {
    fn from(entry: ListEntryNode) -> Self {
        RevokeListEntryPayload { entry }
    }
}

/// `removeListEntry` 的结果 (what removeListEntry changed)
#[derive(SimpleObject)]
pub struct RemoveListEntryPayload {
    /// 变更后的名单条目 (the entry, as changed)
    pub entry: ListEntryNode,
}

impl From<ListEntryNode> for RemoveListEntryPayload {
    fn from(entry: ListEntryNode) -> Self {
        RemoveListEntryPayload { entry }
    }
}

/// `createListType` 的结果 (what createListType changed)
#[derive(SimpleObject)]
pub struct CreateListTypePayload {
    /// 变更后的名单类型 (the list type, as changed)
    pub list_type: ListTypeNode,
}

impl From<ListTypeNode> for CreateListTypePayload {
    fn from(list_type: ListTypeNode) -> Self {
        CreateListTypePayload { list_type }
    }
}
