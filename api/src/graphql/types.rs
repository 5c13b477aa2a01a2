//! Output types. Each wraps a domain value and decides, from the caller, what of it to show.

use super::connection::Connection;
use super::enums::{self, SubjectCodeKind, ViewerKind};
use super::loaders::{
    DepartmentKey, EntriesOf, EntryId, JurisdictionKey, ListTypeId, RecordsOf, SubjectId,
};
use super::node::{GlobalId, NodeKind};
use super::scalars::Date;
use super::{connection, load, page_request, principal, services};
use crate::error::{ApiError, GqlResult};
use async_graphql::{Context, Description, ID, MergedObject, Object, Result};
use chrono::{DateTime, NaiveDate, Utc};
use domain::access;
use persistence::RecordFilter;

/// 行政区划 (jurisdiction), GB/T 2260.
#[derive(Description)]
pub struct JurisdictionNode(pub domain::Jurisdiction);

#[Object(name = "Jurisdiction", use_type_description)]
impl JurisdictionNode {
    /// 行政区划代码，6位 (code)
    async fn code(&self) -> &str {
        self.0.code.as_str()
    }
    /// 名称 (name)
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// 层级 (level)
    async fn level(&self) -> enums::JurisdictionLevel {
        self.0.code.level().into()
    }
    /// 上级行政区划代码 (parent code)
    async fn parent_code(&self) -> Option<String> {
        self.0.code.parent().map(|p| p.to_string())
    }
}

/// 部门 (department): publishes records and lists, carries out measures.
#[derive(Description)]
pub struct DepartmentNode(pub domain::Department);

#[Object(name = "Department", use_type_description)]
impl DepartmentNode {
    /// 部门代码，如 210900.court (code)
    async fn code(&self) -> &str {
        self.0.code.as_str()
    }
    /// 名称 (name)
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// 角色 (role)
    async fn role(&self) -> enums::DepartmentRole {
        self.0.role.into()
    }
    /// 所属行政区划 (jurisdiction)
    async fn jurisdiction(&self, ctx: &Context<'_>) -> Result<JurisdictionNode> {
        load(
            ctx,
            JurisdictionKey(self.0.code.as_str()[..6].to_owned()),
            "行政区划",
        )
        .await
        .map(JurisdictionNode)
    }
}

/// 法定代表人或主要负责人 (legal representative or principal).
#[derive(Description)]
pub struct RepresentativeNode {
    rep: domain::Representative,
    full: bool,
}

#[Object(name = "Representative", use_type_description)]
impl RepresentativeNode {
    /// 姓名 (name)
    async fn name(&self) -> &str {
        &self.rep.name
    }
    /// 公民身份号码：向有需要的一方完整显示并记入本人的查询记录，其他人看到遮蔽形式 (id number:
    /// whole for those entitled, and logged; masked for everyone else)
    async fn id_number(&self, ctx: &Context<'_>) -> Option<String> {
        let id = self.rep.id_number.as_ref()?;
        Some(if self.full {
            if let Some(shown) = ctx.data_opt::<super::lookups::ShownWhole>() {
                shown.person(id.as_str());
            }
            id.as_str().to_owned()
        } else {
            id.masked()
        })
    }
}

/// Whether this caller sees the subject's identity numbers whole (the rule is
/// [`access::identity_view`]); a department's tie to the subject is read in one batch per page.
async fn shows_whole_identity(ctx: &Context<'_>, subject: &domain::Subject) -> Result<bool> {
    let principal = principal(ctx);
    match access::identity_view(principal, &subject.code) {
        access::IdentityView::Whole => Ok(true),
        access::IdentityView::Masked => Ok(false),
        access::IdentityView::WholeIfTied => {
            let Some(department) = principal.department_code() else {
                return Ok(false);
            };
            let key = super::loaders::TiedTo {
                department: department.to_string(),
                subject_id: subject.id.clone(),
            };
            let loader = ctx.data::<super::loaders::Loaders>()?;
            Ok(loader.load_one(key).await.gql()?.unwrap_or(false))
        }
    }
}

/// Reads, for a page of subjects, the caller's ties to those whose identity numbers depend on them
/// and hands them to the loader, so that the page's `code` fields do not wait for its batching
/// window.
pub(crate) async fn prefetch_ties<'a>(
    ctx: &Context<'_>,
    subjects: impl Iterator<Item = &'a domain::Subject>,
) -> Result<()> {
    let principal = principal(ctx);
    let Some(department) = principal.department_code().map(|d| d.to_string()) else {
        return Ok(());
    };
    let ids: Vec<String> = subjects
        .filter(|s| access::identity_view(principal, &s.code) == access::IdentityView::WholeIfTied)
        .filter(|s| {
            s.code.is_citizen_id()
                || s.representative
                    .as_ref()
                    .is_some_and(|r| r.id_number.is_some())
        })
        .map(|s| s.id.clone())
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let answers = super::loaders::ties(super::services(ctx)?, department, ids)
        .await
        .gql()?;
    ctx.data::<super::loaders::Loaders>()?
        .feed_many(answers)
        .await;
    Ok(())
}

/// 主体 (subject): an organisation or person that credit information is about.
#[derive(Description)]
pub struct SubjectNode(
    pub domain::Subject,
    /// Set when the subject is asked as it stood on a past date: its entries and records then.
    pub Option<std::sync::Arc<persistence::AsOf>>,
);

impl From<domain::Subject> for SubjectNode {
    fn from(subject: domain::Subject) -> Self {
        SubjectNode(subject, None)
    }
}

#[Object(name = "Subject", use_type_description)]
impl SubjectNode {
    /// 编号 (id)
    pub async fn id(&self) -> ID {
        NodeKind::Subject.id(&self.0.id)
    }
    /// 统一社会信用代码或公民身份号码。公民身份号码只向有需要的一方完整显示（本人；有 persons:read
    /// 的部门；将其列入名单、记录其信用信息或获其授权的部门），其他人看到前4位和后4位；每次完整
    /// 显示都记入本人的查询记录 (code; a citizen id whole only for those entitled, else masked;
    /// every whole showing is in the person's query log)
    async fn code(&self, ctx: &Context<'_>) -> Result<String> {
        if !self.0.code.is_citizen_id() {
            return Ok(self.0.code.as_str().to_owned());
        }
        if shows_whole_identity(ctx, &self.0).await? {
            if let Some(shown) = ctx.data_opt::<super::lookups::ShownWhole>() {
                shown.subject(&self.0.id);
            }
            Ok(self.0.code.as_str().to_owned())
        } else {
            Ok(self.0.code.public_form())
        }
    }
    /// 标识种类 (kind of code)
    async fn code_kind(&self) -> SubjectCodeKind {
        if self.0.code.is_citizen_id() {
            SubjectCodeKind::CitizenId
        } else {
            SubjectCodeKind::Uscc
        }
    }
    /// 以校验位例外登记的试点代码 (registered with a pilot code that fails its check character)
    async fn check_exception(&self) -> bool {
        self.0.check_exception
    }
    /// 主体类别 (kind)
    async fn kind(&self) -> enums::SubjectKind {
        self.0.kind.into()
    }
    /// 名称或姓名 (name)
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// 所属行政区划 (jurisdiction)
    async fn jurisdiction(&self, ctx: &Context<'_>) -> Result<JurisdictionNode> {
        load(
            ctx,
            JurisdictionKey(self.0.jurisdiction.to_string()),
            "行政区划",
        )
        .await
        .map(JurisdictionNode)
    }
    /// 法定代表人或主要负责人 (legal representative)
    async fn legal_representative(&self, ctx: &Context<'_>) -> Result<Option<RepresentativeNode>> {
        let Some(rep) = self.0.representative.clone() else {
            return Ok(None);
        };
        let full = rep.id_number.is_some() && shows_whole_identity(ctx, &self.0).await?;
        Ok(Some(RepresentativeNode { rep, full }))
    }
    /// 登记部门 (registering department)
    async fn registered_by(&self, ctx: &Context<'_>) -> Result<DepartmentNode> {
        load(ctx, DepartmentKey(self.0.registered_by.to_string()), "部门")
            .await
            .map(DepartmentNode)
    }
    /// 登记时间 (registered at)
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// 成立日期（登记时填写的）(established on, as registered)
    async fn established_on(&self) -> Option<Date> {
        self.0.established_on.map(Date)
    }
    /// 该主体的名单条目；公众只看到有效条目 (list entries; the public sees those in force)
    async fn list_entries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "按状态筛选 (filter by status)")] status: Option<enums::EntryStatus>,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<ListEntryNode>> {
        let page = page_request(first, after).gql()?;
        let had_after = page.after.is_some();
        if let Some(then) = &self.1 {
            let Some(wanted) = access::visible_entry_status(
                principal(ctx),
                Some(&self.0.code),
                status.map(Into::into),
            ) else {
                return Ok(Connection::new(had_after, false));
            };
            let date = then.date;
            let shown = then
                .entries
                .iter()
                .filter(|e| wanted.is_none_or(|s| e.status_on(date) == s));
            let found = persistence::Page::of_sorted(shown, |e| &e.id, &page);
            return Ok(connection(found, had_after, |entry| {
                (entry.id.clone(), ListEntryNode { entry, today: date })
            }));
        }
        let today = services(ctx)?.today();
        let Some(key) = entries_key(ctx, &self.0, status, page) else {
            return Ok(Connection::new(had_after, false));
        };
        let found = nested_page(ctx, key).await?;
        Ok(connection(found, had_after, |entry| {
            (entry.id.clone(), ListEntryNode { entry, today })
        }))
    }
    /// 该主体的信用记录；公众只看到公示期内的记录 (credit records; the public sees those in publicity)
    async fn credit_records(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "按记录类别筛选 (filter by kind)")] kind: Option<enums::CreditRecordKind>,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<CreditRecordNode>> {
        let page = page_request(first, after).gql()?;
        let had_after = page.after.is_some();
        if let Some(then) = &self.1 {
            let public_only = !access::sees_non_public_of(principal(ctx), &self.0.code);
            let kind: Option<domain::CreditRecordKind> = kind.map(Into::into);
            let shown = then.records.iter().filter(|r| {
                kind.is_none_or(|k| r.kind == k) && (!public_only || r.is_public_on(then.date))
            });
            let found = persistence::Page::of_sorted(shown, |r| &r.id, &page);
            return Ok(connection(found, had_after, |r| {
                (r.id.clone(), CreditRecordNode(r))
            }));
        }
        let svc = services(ctx)?;
        let key = RecordsOf {
            subject_id: self.0.id.clone(),
            kind: kind.map(Into::into),
            public_on: (!access::sees_non_public_of(principal(ctx), &self.0.code))
                .then(|| svc.today()),
            page: (page.first, page.after),
        };
        let found = nested_page(ctx, key).await?;
        Ok(connection(found, had_after, |r| {
            (r.id.clone(), CreditRecordNode(r))
        }))
    }
}

/// What a subject's `listEntries` asks the loader for; `None` when the caller may see none.
pub(super) fn entries_key(
    ctx: &Context<'_>,
    subject: &domain::Subject,
    status: Option<enums::EntryStatus>,
    page: persistence::PageRequest,
) -> Option<EntriesOf> {
    let status =
        access::visible_entry_status(principal(ctx), Some(&subject.code), status.map(Into::into))?;
    Some(EntriesOf {
        subject_id: subject.id.clone(),
        status,
        page: (page.first, page.after),
    })
}

/// A page of a subject's related rows through the request's loader, so that a page of subjects
/// costs one query per relation, not one per subject.
async fn nested_page<K, T>(ctx: &Context<'_>, key: K) -> Result<persistence::Page<T>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    super::loaders::StoreLoader: async_graphql::dataloader::Loader<
            K,
            Value = persistence::Page<T>,
            Error = crate::error::ApiError,
        >,
    T: Send + Sync + Clone + 'static,
{
    let loader = ctx.data::<super::loaders::Loaders>()?;
    Ok(loader
        .load_one(key)
        .await
        .map_err(|e| e.into_graphql())?
        .unwrap_or(persistence::Page {
            items: Vec::new(),
            has_next_page: false,
        }))
}

pub(super) async fn records_connection(
    ctx: &Context<'_>,
    subject_id: Option<String>,
    kind: Option<enums::CreditRecordKind>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Connection<CreditRecordNode>> {
    let svc = services(ctx)?;
    let page = page_request(first, after).gql()?;
    let had_after = page.after.is_some();
    let public_on = (!access::sees_non_public(principal(ctx))).then(|| svc.today());
    let filter = RecordFilter {
        subject_id,
        kind: kind.map(Into::into),
        public_on,
    };
    let result = svc.run(move |s| s.credit_records(&filter, &page)).await?;
    Ok(connection(result, had_after, |r| {
        (r.id.clone(), CreditRecordNode(r))
    }))
}

/// 名单类型 (list type): one red or black list, owned by one department or by every department of
/// a role in its own jurisdiction.
#[derive(Description)]
pub struct ListTypeNode(pub domain::ListType);

#[Object(name = "ListType", use_type_description)]
impl ListTypeNode {
    /// 编号 (id)
    pub async fn id(&self) -> ID {
        NodeKind::ListType.id(&self.0.id)
    }
    /// 代码，如 court-dishonest-debtor (code)
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// 名称，如 失信被执行人 (name)
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// 红名单或黑名单 (colour)
    async fn colour(&self) -> enums::ListColour {
        self.0.colour.into()
    }
    /// 认定部门；由一类部门在各自辖区认定时为空，见 ownerRole (owning department; null when owned
    /// by a role)
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<DepartmentNode>> {
        let domain::list::ListOwner::Department(code) = &self.0.owner else {
            return Ok(None);
        };
        load(ctx, DepartmentKey(code.to_string()), "部门")
            .await
            .map(|d| Some(DepartmentNode(d)))
    }
    /// 认定部门类别：该类各部门在各自辖区内列入（如各级人民法院）；由一个部门认定时为空
    /// (owned by every department of this role, each in its own jurisdiction)
    async fn owner_role(&self) -> Option<enums::DepartmentRole> {
        match &self.0.owner {
            domain::list::ListOwner::Role(role) => Some((*role).into()),
            domain::list::ListOwner::Department(_) => None,
        }
    }
    /// 认定部门说明，如“各地人民法院（各自辖区）”(who owns it, as people read it)
    async fn owner_description(&self) -> String {
        self.0.owner.describe()
    }
    /// 默认有效期（月）(default period in months)
    async fn default_period_months(&self) -> u32 {
        self.0.default_period_months
    }
    /// 最长有效期（月）；为空即不限 (the longest an entry may last; null for no bound)
    async fn max_period_months(&self) -> Option<u32> {
        self.0.max_period_months
    }
    /// 移出情形；为空表示该名单不按情形移出 (the grounds on which its owner removes an entry)
    async fn removal_grounds(&self) -> Vec<RemovalGroundNode> {
        self.0
            .removal
            .iter()
            .flat_map(|r| &r.grounds)
            .map(|g| RemovalGroundNode {
                code: g.code.clone(),
                name: g.name.clone(),
            })
            .collect()
    }
    /// 情形出现后移出的期限（工作日）(working days to remove once a ground arises)
    async fn removal_working_days(&self) -> Option<u32> {
        self.0.removal.as_ref().map(|r| r.working_days)
    }
    /// 是否可以申请信用修复 (whether entries may be repaired by application)
    async fn repair_by_application(&self) -> bool {
        self.0.no_repair_basis.is_none()
    }
    /// 不适用申请修复的依据 (why not, when not)
    async fn no_repair_basis(&self) -> Option<&str> {
        self.0.no_repair_basis.as_deref()
    }
    /// 认定依据 (legal basis)
    async fn legal_basis(&self) -> &str {
        &self.0.legal_basis
    }
    /// 说明 (description)
    async fn description(&self) -> &str {
        &self.0.description
    }
}

/// 移出情形 (a ground on which an entry is removed)
#[derive(async_graphql::SimpleObject)]
#[graphql(name = "RemovalGround")]
pub struct RemovalGroundNode {
    /// 代码 (code)
    pub code: String,
    /// 名称 (name)
    pub name: String,
}

/// The entry a decision made, if it made one (a nomination accepted, a candidate listed).
pub(crate) async fn entry_made(
    ctx: &Context<'_>,
    id: Option<&str>,
) -> Result<Option<ListEntryNode>> {
    let Some(id) = id else {
        return Ok(None);
    };
    let today = services(ctx)?.today();
    load(ctx, EntryId(id.to_owned()), "名单条目")
        .await
        .map(|entry| Some(ListEntryNode { entry, today }))
}

/// 名单条目 (list entry): one subject on one list.
#[derive(Description)]
pub struct ListEntryNode {
    pub entry: domain::ListEntry,
    pub today: NaiveDate,
}

impl ListEntryNode {
    /// The black entry that suspends this red entry's rewards, if it is in force and one binds.
    async fn suspending_black(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<domain::reward::BlackListing>> {
        if self.entry.status_on(self.today) != domain::EntryStatus::Active {
            return Ok(None);
        }
        let list_type: domain::ListType =
            load(ctx, ListTypeId(self.entry.list_type_id.clone()), "名单类型").await?;
        if list_type.colour != domain::ListColour::Red {
            return Ok(None);
        }
        let loader = ctx.data::<super::loaders::Loaders>()?;
        loader
            .load_one(super::loaders::BlackOf(
                self.entry.subject_id.clone(),
                self.today,
            ))
            .await
            .map_err(|e| e.into_graphql())
    }
}

#[Object(name = "ListEntry", use_type_description)]
impl ListEntryNode {
    /// 编号 (id)
    pub async fn id(&self) -> ID {
        NodeKind::ListEntry.id(&self.entry.id)
    }
    /// 主体 (subject)
    async fn subject(&self, ctx: &Context<'_>) -> Result<SubjectNode> {
        load(ctx, SubjectId(self.entry.subject_id.clone()), "主体")
            .await
            .map(SubjectNode::from)
    }
    /// 名单类型 (list type)
    async fn list_type(&self, ctx: &Context<'_>) -> Result<ListTypeNode> {
        load(ctx, ListTypeId(self.entry.list_type_id.clone()), "名单类型")
            .await
            .map(ListTypeNode)
    }
    /// 列入事由 (reason)
    async fn reason(&self) -> &str {
        &self.entry.reason
    }
    /// 认定依据文书 (basis document)
    async fn basis_document(&self) -> &str {
        &self.entry.basis_document
    }
    /// 列入日期 (start date)
    async fn start_date(&self) -> Date {
        Date(self.entry.start_date)
    }
    /// 移出日期：此日之后不再有效 (end date: the last day in force)
    async fn end_date(&self) -> Date {
        Date(self.entry.end_date)
    }
    /// 当前状态：过了移出日期即为已到期 (status today; past its end date it is expired)
    async fn status(&self) -> enums::EntryStatus {
        self.entry.status_on(self.today).into()
    }
    /// 状态的中文说明，如“有效”“已到期” (the status as the public reads it)
    async fn status_label(&self) -> &'static str {
        domain::list::status_label(self.entry.status_on(self.today))
    }
    /// 红名单条目在主体被列入失信名单期间：守信激励暂停，待名单管理部门复核的原因；其他为空
    /// (for a red entry in force while a black list binds its subject: why its rewards are suspended
    /// and the entry is flagged for its owner's review)
    async fn review_reason(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let black = self.suspending_black(ctx).await?;
        Ok(black.as_ref().map(domain::reward::review_reason))
    }
    /// 守信激励是否暂停（同上）(rewards suspended: a black list binds the subject)
    async fn rewards_suspended(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.suspending_black(ctx).await?.is_some())
    }
    /// 修复后短期内再次列入，予以标记 (listed again soon after a repair on the same list)
    async fn relisted_after_repair(&self) -> bool {
        self.entry.relisted_after_repair
    }
    /// 异议处理中：有尚未办结的异议 (an objection is pending: 异议处理中)
    async fn under_objection(&self, ctx: &Context<'_>) -> Result<bool> {
        pending(ctx, &self.entry.id).await
    }
    /// 异议标记的文字：有尚未办结的异议时为“异议处理中”，否则为空 (the under-objection mark's text)
    async fn under_objection_text(&self, ctx: &Context<'_>) -> Result<Option<&'static str>> {
        Ok(pending(ctx, &self.entry.id)
            .await?
            .then_some(domain::objection::UNDER_OBJECTION))
    }
    /// 撤销原因 (revocation reason)
    async fn revocation_reason(&self) -> Option<&str> {
        self.entry.revocation_reason.as_deref()
    }
    /// 列入部门 (department that made the entry)
    async fn created_by(&self, ctx: &Context<'_>) -> Result<DepartmentNode> {
        load(
            ctx,
            DepartmentKey(self.entry.created_by.to_string()),
            "部门",
        )
        .await
        .map(DepartmentNode)
    }
    /// 列入时间 (created at)
    async fn created_at(&self) -> DateTime<Utc> {
        self.entry.created_at
    }
    /// 推荐该主体的行业协会商会；非推荐而列入的为空 (the association that nominated it, if any)
    async fn nominated_by(&self, ctx: &Context<'_>) -> Result<Option<DepartmentNode>> {
        let id = self.entry.id.clone();
        let Some(code) = services(ctx)?
            .run(move |s| s.nominator_of_entry(&id))
            .await?
        else {
            return Ok(None);
        };
        load(ctx, DepartmentKey(code.to_string()), "部门")
            .await
            .map(|d| Some(DepartmentNode(d)))
    }
    /// 撤销、修复或移出的时间 (ended at, when revoked, repaired or removed)
    async fn ended_at(&self) -> Option<DateTime<Utc>> {
        self.entry.ended_at
    }
    /// 移出情况：按名单类型规定的情形移出时 (how its owner removed it, when it did)
    async fn removal(&self, ctx: &Context<'_>) -> Result<Option<RemovalNode>> {
        let Some(removal) = &self.entry.removal else {
            return Ok(None);
        };
        let list_type: domain::ListType =
            load(ctx, ListTypeId(self.entry.list_type_id.clone()), "名单类型").await?;
        Ok(Some(RemovalNode {
            removal: removal.clone(),
            list_type,
        }))
    }
}

/// 移出情况 (how an entry was removed on a ground of its list type)
#[derive(Description)]
pub struct RemovalNode {
    removal: domain::list::Removal,
    list_type: domain::ListType,
}

#[Object(name = "Removal", use_type_description)]
impl RemovalNode {
    /// 移出情形代码 (the ground's code)
    async fn ground(&self) -> &str {
        &self.removal.ground
    }
    /// 移出情形 (the ground, as people read it)
    async fn ground_name(&self) -> Option<&str> {
        self.list_type
            .removal
            .iter()
            .flat_map(|r| &r.grounds)
            .find(|g| g.code == self.removal.ground)
            .map(|g| g.name.as_str())
    }
    /// 移出依据文书 (the document that removed it)
    async fn basis_document(&self) -> &str {
        &self.removal.basis_document
    }
    /// 移出情形出现的日期 (the day the ground arose)
    async fn ground_arisen_on(&self) -> Date {
        Date(self.removal.ground_arisen_on)
    }
    /// 应移出的最后一日（情形出现后的工作日）；工作日历尚未载入时为空 (remove by)
    async fn remove_by(&self) -> Option<Date> {
        self.removal.remove_by.map(Date)
    }
    /// 移出日期 (removed on)
    async fn removed_on(&self) -> Date {
        Date(self.removal.removed_on)
    }
    /// 是否超期移出；工作日历无法判断时为空 (removed after its deadline; null while it cannot be told)
    async fn late(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        let days = self
            .list_type
            .removal
            .as_ref()
            .map_or(domain::list::DEFAULT_REMOVAL_WORKING_DAYS, |r| {
                r.working_days
            });
        Ok(self.removal.late(&services(ctx)?.calendar(), days))
    }
}

/// 信用记录 (credit record): a licence, penalty, commitment, honour, judgment or rating.
#[derive(Description)]
pub struct CreditRecordNode(pub domain::CreditRecord);

#[Object(name = "CreditRecord", use_type_description)]
impl CreditRecordNode {
    /// 编号 (id)
    pub async fn id(&self) -> ID {
        NodeKind::CreditRecord.id(&self.0.id)
    }
    /// 主体 (subject)
    async fn subject(&self, ctx: &Context<'_>) -> Result<SubjectNode> {
        load(ctx, SubjectId(self.0.subject_id.clone()), "主体")
            .await
            .map(SubjectNode::from)
    }
    /// 记录类别 (kind)
    async fn kind(&self) -> enums::CreditRecordKind {
        self.0.kind.into()
    }
    /// 标题 (title)
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// 决定文书号 (decision number)
    async fn decision_number(&self) -> &str {
        &self.0.decision_number
    }
    /// 决定日期 (decision date)
    async fn decision_date(&self) -> Date {
        Date(self.0.decision_date)
    }
    /// 公示日期 (publication date)
    async fn publication_date(&self) -> Date {
        Date(self.0.publication_date)
    }
    /// 法律依据 (legal basis)
    async fn legal_basis(&self) -> &str {
        &self.0.legal_basis
    }
    /// 内容 (content)
    async fn content(&self) -> &str {
        &self.0.content
    }
    /// 数据来源部门 (source department)
    async fn source_department(&self, ctx: &Context<'_>) -> Result<DepartmentNode> {
        load(
            ctx,
            DepartmentKey(self.0.source_department.to_string()),
            "部门",
        )
        .await
        .map(DepartmentNode)
    }
    /// 失信程度，仅行政处罚有 (class of dishonesty, penalties only)
    async fn dishonesty_class(&self) -> Option<enums::DishonestyClass> {
        self.0.dishonesty_class.map(Into::into)
    }
    /// 公示截止日期；为空表示不设截止 (last day of publicity; null for none)
    async fn publicity_end(&self) -> Option<Date> {
        self.0.publicity_end.map(Date)
    }
    /// 双公示时效：行政许可和行政处罚是否在决定后7个工作日内公示；其他类别为空。7日内公示的总是按时；
    /// 需要而工作日历尚未载入的年份不作猜测，为空，原因见 publishedOnTimePending
    /// (double-publicity timeliness: published within 7 working days; null for other kinds, and while
    /// the calendar lacks a year it needs)
    async fn published_on_time(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        Ok(self
            .0
            .published_on_time(&services(ctx)?.calendar())
            .unwrap_or(None))
    }
    /// 双公示时效暂无法判断的原因，如“2027年工作日历尚未载入” (why publishedOnTime is not known yet)
    async fn published_on_time_pending(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self
            .0
            .published_on_time(&services(ctx)?.calendar())
            .err()
            .map(|e| e.to_string()))
    }
    /// 登记时间 (created at)
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// 版本：每次更正加1，原版本留档 (version: one more per correction)
    async fn version(&self) -> u32 {
        self.0.version
    }
    /// 撤回时间：异议成立后撤回的记录不再公示 (withdrawn at)
    async fn withdrawn_at(&self) -> Option<DateTime<Utc>> {
        self.0.withdrawn_at
    }
    /// 异议处理中 (an objection is pending)
    async fn under_objection(&self, ctx: &Context<'_>) -> Result<bool> {
        pending(ctx, &self.0.id).await
    }
    /// 异议标记的文字：有尚未办结的异议时为“异议处理中”，否则为空 (the under-objection mark's text)
    async fn under_objection_text(&self, ctx: &Context<'_>) -> Result<Option<&'static str>> {
        Ok(pending(ctx, &self.0.id)
            .await?
            .then_some(domain::objection::UNDER_OBJECTION))
    }
}

async fn pending(ctx: &Context<'_>, id: &str) -> Result<bool> {
    let loader = ctx.data::<super::loaders::Loaders>()?;
    let found = loader
        .load_one(super::loaders::PendingObjection(id.to_owned()))
        .await
        .map_err(|e| e.into_graphql())?;
    Ok(found.unwrap_or(false))
}

/// 当前调用者及其自己的事项：部门的推送地址、收到的承诺与转办的投诉，银行的关注名单，主体的
/// 账户、授权与查询记录 (the caller, as the server sees its token, and its own affairs)
#[derive(MergedObject, Default)]
#[graphql(name = "Viewer")]
pub struct ViewerNode(
    ViewerCore,
    super::account::AccountViewer,
    super::stats::ProgressViewer,
    super::lookups::LookupViewer,
    super::reports::ReportViewer,
    super::webhooks::WebhookViewer,
    super::watches::WatchViewer,
    super::commitments::CommitmentViewer,
    super::complaints::ComplaintViewer,
);

/// Who the caller is.
#[derive(Default)]
pub struct ViewerCore;

#[Object]
impl ViewerCore {
    /// 调用者类别 (kind)
    async fn kind(&self, ctx: &Context<'_>) -> ViewerKind {
        match principal(ctx) {
            domain::Principal::Anonymous => ViewerKind::Anonymous,
            domain::Principal::Department(_) => ViewerKind::Department,
            domain::Principal::Subject { .. } => ViewerKind::Subject,
            domain::Principal::Partner(_) => ViewerKind::Partner,
        }
    }
    /// 部门令牌所属部门 (the department of a department token)
    async fn department(&self, ctx: &Context<'_>) -> Result<Option<DepartmentNode>> {
        let Some(code) = principal(ctx).department_code() else {
            return Ok(None);
        };
        let svc = services(ctx)?;
        let code = code.clone();
        let found = svc.run(move |s| s.department(&code)).await?;
        Ok(found.map(DepartmentNode))
    }
    /// 令牌中的权限范围 (scopes granted by the token)
    async fn scopes(&self, ctx: &Context<'_>) -> Vec<String> {
        match principal(ctx) {
            domain::Principal::Department(d) => {
                d.scopes.iter().map(|s| s.as_str().to_owned()).collect()
            }
            domain::Principal::Partner(p) => {
                p.scopes.iter().map(|s| s.as_str().to_owned()).collect()
            }
            _ => Vec::new(),
        }
    }
    /// 主体令牌对应的主体代码 (the subject's own code, for a subject token)
    async fn subject_code(&self, ctx: &Context<'_>) -> Option<String> {
        match principal(ctx) {
            domain::Principal::Subject { code } => Some(code.as_str().to_owned()),
            _ => None,
        }
    }
}

/// A related row that must exist (a foreign key) but does not: corrupt data, not the caller's fault.
pub(super) fn missing(what: &str) -> async_graphql::Error {
    tracing::error!(what, "related row missing");
    ApiError::internal().into_graphql()
}
