//! 守信激励只给守信者 (rewards only for the trustworthy): a subject on a black list in force is put
//! on no red list, nominated by no association and named in no reward case; a subject already on
//! a red list that is black-listed has its rewards suspended — no reward is ever shown beside a
//! punishment, its open reward dispatches are cancelled and its red entries flagged for their
//! owner's review — until the black entry ends.

use crate::error::DomainError;
use crate::node::NodeKind;

/// A black-list entry in force that binds a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlackListing {
    pub entry_id: String,
    /// The list's name, as people read it.
    pub list_name: String,
}

/// What a reward-side act may not do while the subject is black-listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RewardAct {
    RedListing,
    Nomination,
    RewardCase,
}

impl RewardAct {
    fn what(self) -> &'static str {
        match self {
            RewardAct::RedListing => "列入红名单",
            RewardAct::Nomination => "被推荐列入红名单",
            RewardAct::RewardCase => "作为守信激励典型案例",
        }
    }
}

/// Refuses `act` while `black` binds the subject, naming the entry.
pub fn refuse_while_black(act: RewardAct, black: Option<&BlackListing>) -> Result<(), DomainError> {
    match black {
        None => Ok(()),
        Some(b) => Err(DomainError::conflict(format!(
            "该主体在失信名单“{}”中（条目 {}），失信名单有效期间不能{}",
            b.list_name,
            NodeKind::ListEntry.global_id(&b.entry_id),
            act.what()
        ))),
    }
}

/// Why an open reward dispatch was cancelled when its subject was black-listed.
pub fn suspension_reason(black: &BlackListing) -> String {
    format!(
        "主体已被列入失信名单“{}”（条目 {}），守信激励措施暂停；失信名单结束后如红名单仍有效即恢复",
        black.list_name,
        NodeKind::ListEntry.global_id(&black.entry_id)
    )
}

/// What the owner of a red entry reads while its subject is black-listed.
pub fn review_reason(black: &BlackListing) -> String {
    format!(
        "主体已被列入失信名单“{}”（条目 {}），守信激励已暂停，请复核本红名单条目",
        black.list_name,
        NodeKind::ListEntry.global_id(&black.entry_id)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_while_black_naming_the_entry() {
        assert!(refuse_while_black(RewardAct::RedListing, None).is_ok());
        let b = BlackListing {
            entry_id: "e-1".into(),
            list_name: "失信被执行人".into(),
        };
        for act in [
            RewardAct::RedListing,
            RewardAct::Nomination,
            RewardAct::RewardCase,
        ] {
            match refuse_while_black(act, Some(&b)) {
                Err(DomainError::Conflict(m)) => {
                    let id = NodeKind::ListEntry.global_id("e-1");
                    assert!(m.contains(&id) && m.contains("失信被执行人"), "{m}")
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(suspension_reason(&b).contains("暂停"));
        assert!(review_reason(&b).contains("复核"));
    }
}
