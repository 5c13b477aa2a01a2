//! Partner apps: registered, suspended and reinstated by the credit office; their keys read on
//! every request they make (so that a suspension holds at once); their use counted per day.

use super::catalogue::acting_credit_office;
use super::changed_one;
use super::newest_first;
use super::{Page, PageRequest, Store, new_id, new_secret, now};
use crate::conn::AnyConnection;
use crate::error::StoreError;
use crate::schema::{partner_usage, partners};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::access::DepartmentPrincipal;
use domain::partner::{
    NewPartner, Partner, PartnerKey, PartnerPlan, PartnerStatus, RawPartner, suspension_reason,
};
use domain::{DomainError, Scope};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = partners, treat_none_as_default_value = false)]
struct PartnerRow {
    id: String,
    client_id: String,
    name: String,
    scopes: String,
    rate_per_second: i32,
    burst: i32,
    secret: Option<String>,
    public_key_pem: Option<String>,
    status: String,
    created_at: NaiveDateTime,
    suspended_at: Option<NaiveDateTime>,
    suspension_reason: Option<String>,
}

fn partner_of(r: &PartnerRow) -> Result<Partner, StoreError> {
    let bad = |what: &str| StoreError::Internal(format!("partner {}: bad {what}", r.id));
    let count = |n: i32| u32::try_from(n).map_err(|_| bad("plan"));
    Ok(Partner {
        id: r.id.clone(),
        client_id: r.client_id.clone(),
        name: r.name.clone(),
        scopes: r
            .scopes
            .lines()
            .map(|s| Scope::parse(s).ok_or_else(|| bad("scope")))
            .collect::<Result<_, _>>()?,
        plan: PartnerPlan {
            per_second: count(r.rate_per_second)?,
            burst: count(r.burst)?,
        },
        status: PartnerStatus::parse(&r.status).ok_or_else(|| bad("status"))?,
        uses_key_pair: r.public_key_pem.is_some(),
        created_at: r.created_at.and_utc(),
        suspended_at: r.suspended_at.map(|t| t.and_utc()),
        suspension_reason: r.suspension_reason.clone(),
    })
}

fn key_of(r: &PartnerRow) -> Result<PartnerKey, StoreError> {
    match (&r.secret, &r.public_key_pem) {
        (Some(s), None) => Ok(PartnerKey::Secret(s.clone())),
        (None, Some(p)) => Ok(PartnerKey::PublicKey(p.clone())),
        _ => Err(StoreError::Internal(format!("partner {}: bad key", r.id))),
    }
}

fn by_client_id(c: &mut AnyConnection, client_id: &str) -> Result<Option<PartnerRow>, StoreError> {
    Ok(partners::table
        .filter(partners::client_id.eq(client_id))
        .select(PartnerRow::as_select())
        .first(c)
        .optional()?)
}

fn require(c: &mut AnyConnection, client_id: &str) -> Result<PartnerRow, StoreError> {
    by_client_id(c, client_id.trim())?
        .ok_or_else(|| DomainError::not_found("合作方", client_id).into())
}

impl Store {
    /// Registers a partner; with no public key, makes it a secret, returned this once.
    pub fn register_partner(
        &self,
        actor: &DepartmentPrincipal,
        raw: RawPartner,
    ) -> Result<(Partner, Option<String>), StoreError> {
        let new = NewPartner::parse(raw)?;
        self.write(|c| {
            acting_credit_office(c, actor, "只有信用办可以管理合作方")?;
            let secret = new.public_key_pem.is_none().then(|| new_secret("xps_"));
            let scopes: Vec<&str> = new.scopes.iter().map(|s| s.as_str()).collect();
            let row = PartnerRow {
                id: new_id(),
                client_id: format!("pt_{}", &uuid::Uuid::new_v4().simple().to_string()[..16]),
                name: new.name.clone(),
                scopes: scopes.join("\n"),
                rate_per_second: i32::try_from(new.plan.per_second).unwrap_or(i32::MAX),
                burst: i32::try_from(new.plan.burst).unwrap_or(i32::MAX),
                secret: secret.clone(),
                public_key_pem: new.public_key_pem.clone(),
                status: PartnerStatus::Active.as_str().to_owned(),
                created_at: now(),
                suspended_at: None,
                suspension_reason: None,
            };
            diesel::insert_into(partners::table)
                .values(&row)
                .execute(c)?;
            Ok((partner_of(&row)?, secret))
        })
    }

    /// Suspends a partner: its next request is refused.
    pub fn suspend_partner(
        &self,
        actor: &DepartmentPrincipal,
        client_id: &str,
        reason: &str,
    ) -> Result<Partner, StoreError> {
        let reason = suspension_reason(reason)?;
        self.write(|c| {
            acting_credit_office(c, actor, "只有信用办可以管理合作方")?;
            let row = require(c, client_id)?;
            let status = partner_of(&row)?.status.suspend()?;
            let at = now();
            let rows = diesel::update(super::in_state!(partners, &row.id, row.status.as_str()))
                .set((
                    partners::status.eq(status.as_str()),
                    partners::suspended_at.eq(Some(at)),
                    partners::suspension_reason.eq(Some(&reason)),
                ))
                .execute(c)?;
            changed_one(rows, "该合作方")?;
            partner_of(&PartnerRow {
                status: status.as_str().to_owned(),
                suspended_at: Some(at),
                suspension_reason: Some(reason.clone()),
                ..row
            })
        })
    }

    /// Lets a suspended partner in again.
    pub fn reinstate_partner(
        &self,
        actor: &DepartmentPrincipal,
        client_id: &str,
    ) -> Result<Partner, StoreError> {
        self.write(|c| {
            acting_credit_office(c, actor, "只有信用办可以管理合作方")?;
            let row = require(c, client_id)?;
            let status = partner_of(&row)?.status.reinstate()?;
            let rows = diesel::update(super::in_state!(partners, &row.id, row.status.as_str()))
                .set((
                    partners::status.eq(status.as_str()),
                    partners::suspended_at.eq(None::<NaiveDateTime>),
                    partners::suspension_reason.eq(None::<String>),
                ))
                .execute(c)?;
            changed_one(rows, "该合作方")?;
            partner_of(&PartnerRow {
                status: status.as_str().to_owned(),
                suspended_at: None,
                suspension_reason: None,
                ..row
            })
        })
    }

    /// Partners, newest first, for the credit office.
    pub fn partners(
        &self,
        actor: &DepartmentPrincipal,
        page: &PageRequest,
    ) -> Result<Page<Partner>, StoreError> {
        self.read(|c| {
            acting_credit_office(c, actor, "只有信用办可以管理合作方")?;
            let q = partners::table.select(PartnerRow::as_select()).into_boxed();
            let rows = newest_first!(c, q, partners::id, page)?;
            let items = rows.iter().map(partner_of).collect::<Result<_, _>>()?;
            Ok(Page::from_overfetch(items, page))
        })
    }

    /// A partner's requests per day from `from` to `to`, oldest first; days without any left out.
    pub fn partner_usage(
        &self,
        partner_id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, i64)>, StoreError> {
        self.read(|c| {
            Ok(partner_usage::table
                .filter(partner_usage::partner_id.eq(partner_id))
                .filter(partner_usage::day.between(from, to))
                .order(partner_usage::day.asc())
                .select((partner_usage::day, partner_usage::requests))
                .load(c)?)
        })
    }

    /// A partner and its key, by client id, for checking its token.
    pub fn partner_credentials(
        &self,
        client_id: &str,
    ) -> Result<Option<(Partner, PartnerKey)>, StoreError> {
        self.read(|c| {
            by_client_id(c, client_id)?
                .map(|r| Ok((partner_of(&r)?, key_of(&r)?)))
                .transpose()
        })
    }

    /// A partner's name, for a subject reading who looked it up.
    pub fn partner_name(&self, client_id: &str) -> Result<Option<String>, StoreError> {
        self.read(|c| Ok(by_client_id(c, client_id)?.map(|r| r.name)))
    }

    /// Adds counted requests (client id, day, count) to the partners' daily usage, in one
    /// transaction; counts of a client id no longer registered are dropped.
    pub fn add_partner_usage(&self, counts: &[(String, NaiveDate, i64)]) -> Result<(), StoreError> {
        if counts.is_empty() {
            return Ok(());
        }
        self.write(|c| {
            for (client_id, day, n) in counts {
                let Some(row) = by_client_id(c, client_id)? else {
                    continue;
                };
                let updated = diesel::update(partner_usage::table.find((&row.id, *day)))
                    .set(partner_usage::requests.eq(partner_usage::requests + *n))
                    .execute(c)?;
                if updated == 0 {
                    diesel::insert_into(partner_usage::table)
                        .values((
                            partner_usage::partner_id.eq(&row.id),
                            partner_usage::day.eq(*day),
                            partner_usage::requests.eq(*n),
                        ))
                        .execute(c)?;
                }
            }
            Ok(())
        })
    }
}
