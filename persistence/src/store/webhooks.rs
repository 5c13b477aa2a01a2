//! Webhook endpoints and the deliveries owed to them: an outbox. A delivery is written in the
//! transaction of the change it announces (so a committed change is always told, and a rolled-back
//! one never), and sent afterwards by the server's sender, which claims due deliveries with a lease
//! so that two instances never send one at the same time.

use super::catalogue::acting_department;
use super::newest_first;
use super::{Page, PageRequest, Store, new_id, new_secret, now};
use crate::conn::AnyConnection;
use crate::error::StoreError;
use crate::schema::{
    list_entries, list_types, subjects, webhook_attempts, webhook_deliveries, webhook_endpoints,
};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::DepartmentCode;
use domain::access::DepartmentPrincipal;
use domain::dispatch::Dispatch;
use domain::node::NodeKind;
use domain::webhook::{
    self, AfterAttempt, DeliveryStatus, DispatchNotice, NOTICES_PER_DELIVERY, RetryPolicy,
    WebhookEvent,
};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_endpoints)]
struct EndpointRow {
    id: String,
    owner: String,
    url: String,
    secret: String,
    events: String,
    created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries)]
struct DeliveryRow {
    id: String,
    endpoint_id: String,
    event: String,
    payload: String,
    created_at: NaiveDateTime,
    status: String,
    attempts: i32,
    next_attempt_at: Option<NaiveDateTime>,
    leased_until: Option<NaiveDateTime>,
    delivered_at: Option<NaiveDateTime>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_attempts)]
struct AttemptRow {
    id: String,
    delivery_id: String,
    at: NaiveDateTime,
    status_code: Option<i32>,
    error: Option<String>,
    duration_ms: i32,
}

/// A department's endpoint, as its owner sees it (never with its secret, which is shown once).
#[derive(Debug, Clone)]
pub struct WebhookEndpoint {
    pub id: String,
    pub owner: DepartmentCode,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub created_at: DateTime<Utc>,
}

/// One try at sending a delivery.
#[derive(Debug, Clone)]
pub struct WebhookAttempt {
    pub at: DateTime<Utc>,
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: u32,
}

/// A delivery with every attempt made at it, oldest first.
#[derive(Debug, Clone)]
pub struct WebhookDelivery {
    pub id: String,
    pub event: WebhookEvent,
    pub payload: String,
    pub created_at: DateTime<Utc>,
    pub status: DeliveryStatus,
    /// Attempts since it was made or last replayed.
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub attempt_log: Vec<WebhookAttempt>,
}

/// What the sender needs to make one attempt.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub id: String,
    pub event: WebhookEvent,
    pub url: String,
    pub secret: String,
    pub payload: String,
}

/// How an attempt went.
#[derive(Debug, Clone)]
pub struct AttemptOutcome {
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub duration: Duration,
}

impl AttemptOutcome {
    pub fn succeeded(&self) -> bool {
        self.error.is_none() && self.status_code.is_some_and(|s| (200..300).contains(&s))
    }
}

fn bad(what: &str, id: &str) -> StoreError {
    StoreError::Internal(format!("webhook {id}: bad {what}"))
}

impl TryFrom<EndpointRow> for WebhookEndpoint {
    type Error = StoreError;
    fn try_from(r: EndpointRow) -> Result<Self, StoreError> {
        let events = r
            .events
            .lines()
            .map(|e| WebhookEvent::parse(e).ok_or_else(|| bad("event", &r.id)))
            .collect::<Result<_, _>>()?;
        Ok(WebhookEndpoint {
            owner: DepartmentCode::parse(&r.owner).map_err(|_| bad("owner", &r.id))?,
            url: r.url,
            events,
            created_at: r.created_at.and_utc(),
            id: r.id,
        })
    }
}

fn delivery(
    r: DeliveryRow,
    attempt_log: Vec<WebhookAttempt>,
) -> Result<WebhookDelivery, StoreError> {
    Ok(WebhookDelivery {
        event: WebhookEvent::parse(&r.event).ok_or_else(|| bad("event", &r.id))?,
        status: DeliveryStatus::parse(&r.status).ok_or_else(|| bad("status", &r.id))?,
        attempts: u32::try_from(r.attempts).map_err(|_| bad("attempts", &r.id))?,
        payload: r.payload,
        created_at: r.created_at.and_utc(),
        next_attempt_at: r.next_attempt_at.map(|t| t.and_utc()),
        delivered_at: r.delivered_at.map(|t| t.and_utc()),
        attempt_log,
        id: r.id,
    })
}

fn attempt(r: AttemptRow) -> WebhookAttempt {
    WebhookAttempt {
        at: r.at.and_utc(),
        status_code: r.status_code.and_then(|s| u16::try_from(s).ok()),
        error: r.error,
        duration_ms: u32::try_from(r.duration_ms).unwrap_or(0),
    }
}

/// The attempts at these deliveries, oldest first, by delivery.
fn attempt_logs(
    c: &mut AnyConnection,
    ids: &[&str],
) -> Result<HashMap<String, Vec<WebhookAttempt>>, StoreError> {
    let mut logs: HashMap<String, Vec<WebhookAttempt>> = HashMap::new();
    for r in webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq_any(ids))
        .order((webhook_attempts::at.asc(), webhook_attempts::id.asc()))
        .select(AttemptRow::as_select())
        .load(c)?
    {
        logs.entry(r.delivery_id.clone())
            .or_default()
            .push(attempt(r));
    }
    Ok(logs)
}

fn endpoint_of(c: &mut AnyConnection, owner: &str) -> Result<Option<EndpointRow>, StoreError> {
    Ok(webhook_endpoints::table
        .filter(webhook_endpoints::owner.eq(owner))
        .select(EndpointRow::as_select())
        .first(c)
        .optional()?)
}

fn to_naive(d: Duration, from: NaiveDateTime) -> NaiveDateTime {
    from + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

impl Store {
    /// Registers the acting department's endpoint, or replaces it (a new address, events and
    /// secret; deliveries still owed go to the new address). Returns it with its secret.
    pub fn register_webhook(
        &self,
        actor: &DepartmentPrincipal,
        url: &str,
        events: &[WebhookEvent],
    ) -> Result<(WebhookEndpoint, String), StoreError> {
        let url = webhook::parse_endpoint_url(url)?;
        let events = webhook::chosen_events(actor, events);
        webhook::may_register(actor, &events)?;
        self.write(|c| {
            let department = acting_department(c, actor)?;
            let secret = new_secret("whsec_");
            let listed: Vec<&str> = events.iter().map(|e| e.as_str()).collect();
            let existing = endpoint_of(c, department.code.as_str())?;
            let replaced = existing.is_some();
            let row = EndpointRow {
                id: existing.as_ref().map_or_else(new_id, |e| e.id.clone()),
                owner: department.code.to_string(),
                url,
                secret: secret.clone(),
                events: listed.join("\n"),
                created_at: existing.map_or_else(now, |e| e.created_at),
            };
            if replaced {
                diesel::update(webhook_endpoints::table.find(&row.id))
                    .set((
                        webhook_endpoints::url.eq(&row.url),
                        webhook_endpoints::secret.eq(&row.secret),
                        webhook_endpoints::events.eq(&row.events),
                    ))
                    .execute(c)?;
            } else {
                diesel::insert_into(webhook_endpoints::table)
                    .values(&row)
                    .execute(c)?;
            }
            Ok((WebhookEndpoint::try_from(row)?, secret))
        })
    }

    /// Removes the acting department's endpoint and every delivery owed to it; the id of the
    /// endpoint removed, none if it had none.
    pub fn remove_webhook(
        &self,
        actor: &DepartmentPrincipal,
    ) -> Result<Option<String>, StoreError> {
        self.write(|c| {
            let department = acting_department(c, actor)?;
            let Some(endpoint) = endpoint_of(c, department.code.as_str())? else {
                return Ok(None);
            };
            let deliveries = webhook_deliveries::table
                .filter(webhook_deliveries::endpoint_id.eq(&endpoint.id))
                .select(webhook_deliveries::id);
            diesel::delete(
                webhook_attempts::table.filter(webhook_attempts::delivery_id.eq_any(deliveries)),
            )
            .execute(c)?;
            diesel::delete(
                webhook_deliveries::table.filter(webhook_deliveries::endpoint_id.eq(&endpoint.id)),
            )
            .execute(c)?;
            diesel::delete(webhook_endpoints::table.find(&endpoint.id)).execute(c)?;
            Ok(Some(endpoint.id))
        })
    }

    /// The acting department's endpoint, if it registered one.
    pub fn webhook_of(
        &self,
        actor: &DepartmentPrincipal,
    ) -> Result<Option<WebhookEndpoint>, StoreError> {
        self.read(|c| {
            let department = acting_department(c, actor)?;
            endpoint_of(c, department.code.as_str())?
                .map(WebhookEndpoint::try_from)
                .transpose()
        })
    }

    /// Deliveries to the acting department's endpoint, newest first, with their attempts. With
    /// `id`, only that one (`node(id:)`), by the same rule.
    pub fn webhook_deliveries(
        &self,
        actor: &DepartmentPrincipal,
        status: Option<DeliveryStatus>,
        id: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<WebhookDelivery>, StoreError> {
        self.read(|c| {
            let department = acting_department(c, actor)?;
            let Some(endpoint) = endpoint_of(c, department.code.as_str())? else {
                return Ok(Page {
                    items: Vec::new(),
                    has_next_page: false,
                });
            };
            let mut q = webhook_deliveries::table
                .filter(webhook_deliveries::endpoint_id.eq(&endpoint.id))
                .select(DeliveryRow::as_select())
                .into_boxed();
            if let Some(s) = status {
                q = q.filter(webhook_deliveries::status.eq(s.as_str()));
            }
            if let Some(id) = id {
                q = q.filter(webhook_deliveries::id.eq(id.to_owned()));
            }
            let rows = newest_first!(c, q, webhook_deliveries::id, page)?;
            let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
            let mut logs = attempt_logs(c, &ids)?;
            let items = rows
                .into_iter()
                .map(|r| {
                    let log = logs.remove(&r.id).unwrap_or_default();
                    delivery(r, log)
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Page::from_overfetch(items, page))
        })
    }

    /// Sends a delivered or dead delivery again, with a fresh allowance of attempts; its attempts
    /// so far stay in its log.
    pub fn replay_delivery(
        &self,
        actor: &DepartmentPrincipal,
        id: &str,
    ) -> Result<WebhookDelivery, StoreError> {
        self.write(|c| {
            let department = acting_department(c, actor)?;
            let not_found = || NodeKind::WebhookDelivery.not_found(id);
            let endpoint = endpoint_of(c, department.code.as_str())?.ok_or_else(not_found)?;
            let row: DeliveryRow = webhook_deliveries::table
                .find(id)
                .filter(webhook_deliveries::endpoint_id.eq(&endpoint.id))
                .select(DeliveryRow::as_select())
                .first(c)
                .optional()?
                .ok_or_else(not_found)?;
            let status = DeliveryStatus::parse(&row.status)
                .ok_or_else(|| bad("status", id))?
                .replay()?;
            let at = now();
            diesel::update(webhook_deliveries::table.find(id))
                .set((
                    webhook_deliveries::status.eq(status.as_str()),
                    webhook_deliveries::attempts.eq(0),
                    webhook_deliveries::next_attempt_at.eq(Some(at)),
                    webhook_deliveries::leased_until.eq(None::<NaiveDateTime>),
                    webhook_deliveries::delivered_at.eq(None::<NaiveDateTime>),
                ))
                .execute(c)?;
            let log = attempt_logs(c, &[id])?.remove(id).unwrap_or_default();
            delivery(
                DeliveryRow {
                    status: status.as_str().to_owned(),
                    attempts: 0,
                    next_attempt_at: Some(at),
                    leased_until: None,
                    delivered_at: None,
                    ..row
                },
                log,
            )
        })
    }

    /// Deliveries owed (pending) and given up on (dead, until replayed), for `/metrics`.
    pub fn webhook_backlog(&self) -> Result<(u64, u64), StoreError> {
        self.read(|c| {
            let count = |status: DeliveryStatus, c: &mut AnyConnection| {
                webhook_deliveries::table
                    .filter(webhook_deliveries::status.eq(status.as_str()))
                    .count()
                    .get_result::<i64>(c)
            };
            let pending = count(DeliveryStatus::Pending, c)?;
            let dead = count(DeliveryStatus::Dead, c)?;
            Ok((pending.max(0) as u64, dead.max(0) as u64))
        })
    }

    /// Claims up to `limit` deliveries due now for `lease`: no other sender takes them meanwhile.
    /// Polled often, so it reads first and opens a write transaction only when something is due.
    pub fn claim_due_deliveries(
        &self,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let at = now();
        let due: Vec<(DeliveryRow, EndpointRow)> = self.read(|c| {
            Ok(webhook_deliveries::table
                .inner_join(webhook_endpoints::table)
                .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
                .filter(webhook_deliveries::next_attempt_at.le(at))
                .filter(
                    webhook_deliveries::leased_until
                        .is_null()
                        .or(webhook_deliveries::leased_until.lt(at)),
                )
                .order(webhook_deliveries::next_attempt_at.asc())
                .limit(i64::try_from(limit).unwrap_or(i64::MAX))
                .select((DeliveryRow::as_select(), EndpointRow::as_select()))
                .load(c)?)
        })?;
        if due.is_empty() {
            return Ok(Vec::new());
        }
        let until = to_naive(lease, at);
        self.write(|c| {
            let mut claimed = Vec::with_capacity(due.len());
            for (d, e) in due {
                // Taken only if still free: another instance may have claimed it since the read.
                let n = diesel::update(
                    webhook_deliveries::table
                        .find(&d.id)
                        .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
                        .filter(
                            webhook_deliveries::leased_until
                                .is_null()
                                .or(webhook_deliveries::leased_until.lt(at)),
                        ),
                )
                .set(webhook_deliveries::leased_until.eq(Some(until)))
                .execute(c)?;
                if n == 1 {
                    claimed.push(DueDelivery {
                        event: WebhookEvent::parse(&d.event).ok_or_else(|| bad("event", &d.id))?,
                        id: d.id,
                        url: e.url,
                        secret: e.secret,
                        payload: d.payload,
                    });
                }
            }
            Ok(claimed)
        })
    }

    /// Records an attempt and moves the delivery on: delivered, due again later, or dead.
    pub fn record_attempt(
        &self,
        id: &str,
        outcome: &AttemptOutcome,
        policy: &RetryPolicy,
    ) -> Result<DeliveryStatus, StoreError> {
        self.write(|c| {
            let at = now();
            let row: Option<DeliveryRow> = webhook_deliveries::table
                .find(id)
                .select(DeliveryRow::as_select())
                .first(c)
                .optional()?;
            // Removed with its endpoint meanwhile: nothing left to record.
            let Some(row) = row else {
                return Ok(DeliveryStatus::Dead);
            };
            let duration_ms = i32::try_from(outcome.duration.as_millis()).unwrap_or(i32::MAX);
            diesel::insert_into(webhook_attempts::table)
                .values(&AttemptRow {
                    id: new_id(),
                    delivery_id: id.to_owned(),
                    at,
                    status_code: outcome.status_code.map(i32::from),
                    error: outcome.error.clone(),
                    duration_ms,
                })
                .execute(c)?;
            let attempts = u32::try_from(row.attempts).unwrap_or(0).saturating_add(1);
            let (status, next, delivered) = match policy.after(attempts, outcome.succeeded()) {
                AfterAttempt::Delivered => (DeliveryStatus::Delivered, None, Some(at)),
                AfterAttempt::RetryAfter(wait) => {
                    (DeliveryStatus::Pending, Some(to_naive(wait, at)), None)
                }
                AfterAttempt::Dead => (DeliveryStatus::Dead, None, None),
            };
            diesel::update(webhook_deliveries::table.find(id))
                .set((
                    webhook_deliveries::status.eq(status.as_str()),
                    webhook_deliveries::attempts.eq(i32::try_from(attempts).unwrap_or(i32::MAX)),
                    webhook_deliveries::next_attempt_at.eq(next),
                    webhook_deliveries::leased_until.eq(None::<NaiveDateTime>),
                    webhook_deliveries::delivered_at.eq(delivered),
                ))
                .execute(c)?;
            Ok(status)
        })
    }
}

/// The endpoints that want one event, by owner: read once per command, so that a command that
/// makes no delivery pays one small query, and one that does needs no second.
pub(crate) struct Subscribers {
    event: WebhookEvent,
    endpoints: HashMap<String, String>,
}

impl Subscribers {
    /// Whether this department (or bank) has an endpoint for the event.
    pub(crate) fn wants(&self, owner: &str) -> bool {
        self.endpoints.contains_key(owner)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.endpoints.is_empty()
    }
}

pub(crate) fn subscribers(
    c: &mut AnyConnection,
    event: WebhookEvent,
) -> Result<Subscribers, StoreError> {
    let rows: Vec<(String, String, String)> = webhook_endpoints::table
        .select((
            webhook_endpoints::id,
            webhook_endpoints::owner,
            webhook_endpoints::events,
        ))
        .load(c)?;
    Ok(Subscribers {
        event,
        endpoints: rows
            .into_iter()
            .filter(|(_, _, events)| events.lines().any(|e| e == event.as_str()))
            .map(|(id, owner, _)| (owner, id))
            .collect(),
    })
}

/// Writes the deliveries that tell each subscriber of what concerns it, in bodies of at most
/// [`NOTICES_PER_DELIVERY`]; owners without an endpoint for the event are not told.
pub(crate) fn enqueue<T: Serialize>(
    c: &mut AnyConnection,
    to: &Subscribers,
    by_owner: HashMap<String, Vec<T>>,
) -> Result<usize, StoreError> {
    let event = to.event;
    let at = now();
    let mut rows = Vec::new();
    for (owner, items) in &by_owner {
        let Some(endpoint_id) = to.endpoints.get(owner) else {
            continue;
        };
        for chunk in items.chunks(NOTICES_PER_DELIVERY) {
            let id = new_id();
            let payload = webhook::body(
                &NodeKind::WebhookDelivery.global_id(&id),
                event,
                at.and_utc(),
                chunk,
            )
            .map_err(|e| StoreError::Internal(format!("webhook body: {e}")))?;
            rows.push(DeliveryRow {
                id,
                endpoint_id: endpoint_id.clone(),
                event: event.as_str().to_owned(),
                payload,
                created_at: at,
                status: DeliveryStatus::Pending.as_str().to_owned(),
                attempts: 0,
                next_attempt_at: Some(at),
                leased_until: None,
                delivered_at: None,
            });
        }
    }
    for chunk in rows.chunks(500) {
        crate::conn::batch_insert!(c, webhook_deliveries::table, chunk)?;
    }
    Ok(rows.len())
}

/// Tells each department with an endpoint for `event` of its dispatches among `told`, in the
/// command's transaction; each notice is first completed by `complete` (a lift's ground, say).
pub(crate) fn tell_dispatches(
    c: &mut AnyConnection,
    event: WebhookEvent,
    told: &[Dispatch],
    complete: impl FnMut(&mut DispatchNotice),
) -> Result<(), StoreError> {
    let hooked = subscribers(c, event)?;
    if hooked.is_empty() {
        return Ok(());
    }
    let mut notices = notices_of(c, told, &hooked)?;
    notices.iter_mut().for_each(complete);
    enqueue(c, &hooked, by_department(notices))?;
    Ok(())
}

/// Dispatch notices by the department they go to.
pub(crate) fn by_department(notices: Vec<DispatchNotice>) -> HashMap<String, Vec<DispatchNotice>> {
    let mut by: HashMap<String, Vec<DispatchNotice>> = HashMap::new();
    for n in notices {
        by.entry(n.department.clone()).or_default().push(n);
    }
    by
}

/// Notices for dispatches already stored (cancelled ones, say): their entries' subjects and list
/// types read in one query per thousand, and only for departments in `to`.
pub(crate) fn notices_of(
    c: &mut AnyConnection,
    dispatches: &[Dispatch],
    to: &Subscribers,
) -> Result<Vec<DispatchNotice>, StoreError> {
    let wanted: Vec<&Dispatch> = dispatches
        .iter()
        .filter(|d| to.wants(d.department.as_str()))
        .collect();
    let entry_ids: Vec<&str> = wanted
        .iter()
        .map(|d| d.entry_id.as_str())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut about: HashMap<String, (String, String)> = HashMap::new();
    for chunk in entry_ids.chunks(1000) {
        let rows: Vec<(String, String, String)> = list_entries::table
            .inner_join(subjects::table)
            .inner_join(list_types::table)
            .filter(list_entries::id.eq_any(chunk))
            .select((list_entries::id, subjects::code, list_types::code))
            .load(c)?;
        about.extend(rows.into_iter().map(|(id, s, t)| (id, (s, t))));
    }
    Ok(wanted
        .into_iter()
        .filter_map(|d| {
            let (subject, list_type) = about.get(&d.entry_id)?;
            Some(notice(d, subject, list_type))
        })
        .collect())
}

pub(crate) fn notice(d: &Dispatch, subject_code: &str, list_type: &str) -> DispatchNotice {
    DispatchNotice {
        dispatch_id: NodeKind::Dispatch.global_id(&d.id),
        entry_id: NodeKind::ListEntry.global_id(&d.entry_id),
        subject_code: subject_code.to_owned(),
        list_type: list_type.to_owned(),
        measure_id: NodeKind::Measure.global_id(&d.measure_id),
        memorandum_version_id: d.memorandum_version_id.clone(),
        department: d.department.to_string(),
        status: d.status.as_str().to_owned(),
        acknowledge_by: d.acknowledge_by,
        feedback_due: d.feedback_due,
        cancel_reason: d.cancel_reason.clone(),
        lift: None,
    }
}
