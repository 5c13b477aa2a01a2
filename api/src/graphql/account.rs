//! A subject's own account (主体账户): with its own token, the subject sees its whole record —
//! entries ended as well as in force, records out of publicity too — in one place.

use super::types::SubjectNode;
use super::{principal, services};
use crate::error::GqlResult;
use async_graphql::{Context, Object, Result};

#[derive(Default)]
pub struct AccountViewer;

#[Object]
impl AccountViewer {
    /// 本主体的完整信息（主体令牌）：全部名单条目与信用记录，含已结束和公示期外的；其异议、修复、
    /// 授权、查询记录见 me 的 authorisations、queryLog 等 (my whole record, with my own token)
    async fn subject(&self, ctx: &Context<'_>) -> Result<Option<SubjectNode>> {
        let code = domain::access::own_subject(principal(ctx)).gql()?.clone();
        let found = services(ctx)?
            .run(move |s| s.subject_by_code(code.as_str(), "sub"))
            .await?;
        Ok(found.map(SubjectNode::from))
    }
}
