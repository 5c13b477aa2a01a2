//! Global object ids (Relay's global object identification): the id the platform gives out for an
//! object names its type as well as its row, so that one look-up (`node(id:)`) can find any object,
//! a client can cache objects by id alone, and an id of one kind given where another is expected
//! is refused instead of looked up in the wrong table. The API and the webhook bodies give out the
//! same ids.
//!
//! A global id is the unpadded base64url of `TypeName:localId`. It is opaque to clients (they must
//! not build or take one apart) and stable: the type names are part of the schema, and local ids
//! never change.

use crate::DomainError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The kinds of object a global id may name; one per GraphQL type that has an `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Subject,
    CreditRecord,
    ListType,
    ListEntry,
    Memorandum,
    Measure,
    Dispatch,
    CheckResult,
    Lift,
    Objection,
    CorrectionNotice,
    Repair,
    Complaint,
    Commitment,
    Nomination,
    TypicalCase,
    ListingCandidate,
    Authorisation,
    WebhookEndpoint,
    WebhookDelivery,
}

impl NodeKind {
    pub const ALL: [NodeKind; 20] = [
        NodeKind::Subject,
        NodeKind::CreditRecord,
        NodeKind::ListType,
        NodeKind::ListEntry,
        NodeKind::Memorandum,
        NodeKind::Measure,
        NodeKind::Dispatch,
        NodeKind::CheckResult,
        NodeKind::Lift,
        NodeKind::Objection,
        NodeKind::CorrectionNotice,
        NodeKind::Repair,
        NodeKind::Complaint,
        NodeKind::Commitment,
        NodeKind::Nomination,
        NodeKind::TypicalCase,
        NodeKind::ListingCandidate,
        NodeKind::Authorisation,
        NodeKind::WebhookEndpoint,
        NodeKind::WebhookDelivery,
    ];

    /// The GraphQL type's name, which the global id carries.
    pub fn type_name(self) -> &'static str {
        match self {
            NodeKind::Subject => "Subject",
            NodeKind::CreditRecord => "CreditRecord",
            NodeKind::ListType => "ListType",
            NodeKind::ListEntry => "ListEntry",
            NodeKind::Memorandum => "Memorandum",
            NodeKind::Measure => "Measure",
            NodeKind::Dispatch => "Dispatch",
            NodeKind::CheckResult => "CheckResult",
            NodeKind::Lift => "Lift",
            NodeKind::Objection => "Objection",
            NodeKind::CorrectionNotice => "CorrectionNotice",
            NodeKind::Repair => "Repair",
            NodeKind::Complaint => "Complaint",
            NodeKind::Commitment => "Commitment",
            NodeKind::Nomination => "Nomination",
            NodeKind::TypicalCase => "TypicalCase",
            NodeKind::ListingCandidate => "ListingCandidate",
            NodeKind::Authorisation => "Authorisation",
            NodeKind::WebhookEndpoint => "WebhookEndpoint",
            NodeKind::WebhookDelivery => "WebhookDelivery",
        }
    }

    /// What a person calls it, for messages.
    pub fn label(self) -> &'static str {
        match self {
            NodeKind::Subject => "主体",
            NodeKind::CreditRecord => "信用记录",
            NodeKind::ListType => "名单类型",
            NodeKind::ListEntry => "名单条目",
            NodeKind::Memorandum => "备忘录",
            NodeKind::Measure => "措施",
            NodeKind::Dispatch => "推送",
            NodeKind::CheckResult => "核查结果",
            NodeKind::Lift => "措施解除",
            NodeKind::Objection => "异议",
            NodeKind::CorrectionNotice => "更正公告",
            NodeKind::Repair => "信用修复申请",
            NodeKind::Complaint => "投诉",
            NodeKind::Commitment => "信用承诺",
            NodeKind::Nomination => "红名单推荐",
            NodeKind::TypicalCase => "典型案例",
            NodeKind::ListingCandidate => "拟列入名单",
            NodeKind::Authorisation => "查询授权",
            NodeKind::WebhookEndpoint => "回调地址",
            NodeKind::WebhookDelivery => "回调投递",
        }
    }

    /// The global id of this kind's object with the local id `local`.
    pub fn global_id(self, local: &str) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{local}", self.type_name()))
    }

    /// That this kind's object `local` does not exist, naming it by the id callers know.
    pub fn not_found(self, local: &str) -> DomainError {
        DomainError::not_found(self.label(), self.global_id(local))
    }

    /// The local id that `id` names, if it is an id of this kind; else invalid input at `field`.
    pub fn local_id(self, id: &str, field: &str) -> Result<String, DomainError> {
        match decode(id) {
            Some((kind, local)) if kind == self => Ok(local),
            Some((kind, _)) => Err(DomainError::invalid(
                field,
                format!(
                    "{field} 应为{}的编号，这是{}的编号 (an id of a {}, not of a {})",
                    self.label(),
                    kind.label(),
                    self.type_name(),
                    kind.type_name()
                ),
            )),
            None => Err(DomainError::invalid(
                field,
                format!(
                    "{field} 不是有效的{}编号，请使用接口返回的 id (not an id this API gave out)",
                    self.label()
                ),
            )),
        }
    }
}

impl From<crate::objection::TargetKind> for NodeKind {
    fn from(t: crate::objection::TargetKind) -> Self {
        match t {
            crate::objection::TargetKind::Entry => NodeKind::ListEntry,
            crate::objection::TargetKind::Record => NodeKind::CreditRecord,
        }
    }
}

impl From<crate::feed::ChangeTarget> for NodeKind {
    fn from(t: crate::feed::ChangeTarget) -> Self {
        match t {
            crate::feed::ChangeTarget::Subject => NodeKind::Subject,
            crate::feed::ChangeTarget::CreditRecord => NodeKind::CreditRecord,
            crate::feed::ChangeTarget::ListEntry => NodeKind::ListEntry,
            crate::feed::ChangeTarget::TypicalCase => NodeKind::TypicalCase,
        }
    }
}

/// The kind and local id a global id names; none for a string that is not one of ours.
pub fn decode(id: &str) -> Option<(NodeKind, String)> {
    let bytes = URL_SAFE_NO_PAD.decode(id.as_bytes()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (name, local) = text.split_once(':')?;
    let kind = NodeKind::ALL.into_iter().find(|k| k.type_name() == name)?;
    (!local.is_empty()).then(|| (kind, local.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_global_id_names_its_kind_and_row() {
        for kind in NodeKind::ALL {
            let id = kind.global_id("0193a1b2-0000-7000-8000-000000000001");
            assert_eq!(
                decode(&id),
                Some((kind, "0193a1b2-0000-7000-8000-000000000001".to_owned()))
            );
            assert!(!id.contains('='), "no padding: {id}");
        }
    }

    #[test]
    fn an_id_of_another_kind_is_refused_with_the_field() {
        let entry = NodeKind::ListEntry.global_id("e1");
        let err = NodeKind::CreditRecord
            .local_id(&entry, "input.targetId")
            .unwrap_err();
        let DomainError::Invalid { field, message } = err else {
            panic!("{err:?}");
        };
        assert_eq!(field, "input.targetId");
        assert!(message.contains("名单条目"), "{message}");
        assert_eq!(
            NodeKind::ListEntry.local_id(&entry, "input.id").unwrap(),
            "e1"
        );
    }

    #[test]
    fn a_raw_local_id_is_not_a_global_id() {
        for raw in [
            "0193a1b2-0000-7000-8000-000000000001",
            "",
            "U3ViamVjdDo",
            "%%%",
        ] {
            assert!(decode(raw).is_none(), "{raw}");
            assert!(NodeKind::Subject.local_id(raw, "id").is_err());
        }
    }
}
