//! The credit office's rule for the green channel (绿色通道): how many clean years qualify, and
//! whether minor penalties break a clean record. One row; the domain's default until it is set.

use super::catalogue::acting_credit_office;
use super::{Store, now};
use crate::conn::AnyConnection;
use crate::error::StoreError;
use crate::schema::green_channel_rules;
use diesel::prelude::*;
use domain::access::DepartmentPrincipal;
use domain::green_channel::GreenChannelRule;

pub(crate) fn rule(c: &mut AnyConnection) -> Result<GreenChannelRule, StoreError> {
    let found: Option<(i32, bool)> = green_channel_rules::table
        .find(1)
        .select((
            green_channel_rules::clean_years,
            green_channel_rules::count_minor_penalties,
        ))
        .first(c)
        .optional()?;
    Ok(match found {
        Some((years, minor)) => GreenChannelRule::parse(years, minor)?,
        None => GreenChannelRule::default(),
    })
}

impl Store {
    /// The rule in force.
    pub fn green_channel_rule(&self) -> Result<GreenChannelRule, StoreError> {
        self.read(rule)
    }

    /// The credit office sets the rule; every check from now on follows it.
    pub fn set_green_channel_rule(
        &self,
        actor: &DepartmentPrincipal,
        new: GreenChannelRule,
    ) -> Result<GreenChannelRule, StoreError> {
        self.write(|c| {
            let office = acting_credit_office(c, actor, "只有信用办可以设定绿色通道规则")?;
            let values = (
                green_channel_rules::clean_years.eq(i32::try_from(new.clean_years).unwrap_or(3)),
                green_channel_rules::count_minor_penalties.eq(new.count_minor_penalties),
                green_channel_rules::updated_by.eq(office.code.to_string()),
                green_channel_rules::updated_at.eq(now()),
            );
            let updated = diesel::update(green_channel_rules::table.find(1))
                .set(values.clone())
                .execute(c)?;
            if updated == 0 {
                diesel::insert_into(green_channel_rules::table)
                    .values((green_channel_rules::id.eq(1), values))
                    .execute(c)?;
            }
            Ok(new)
        })
    }
}
