//! CQRS read models: four projections of the same events with deliberately different
//! shapes, each with a stable name and a checkpoint.
//!
//! Projections are deterministic and idempotent: applying an entry at or before the
//! checkpoint does nothing. They use persistent maps (`imbl`), so copying one (for a
//! snapshot or a time-travel seek) costs O(1) and shares structure with the original.
//! This module does not decide anything; it only folds facts into views.

use crate::domain::{ContactMethod, DomainEvent, QuoteStatus};
use imbl::{OrdMap, OrdSet, Vector};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

mod snapshot;
pub use snapshot::{Snapshot, SnapshotError, SNAPSHOT_EVERY, SNAPSHOT_FORMAT};

/// One event in the ordered history, with its global position and time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub position: u64,
    pub at_ms: u64,
    pub event: DomainEvent,
}

/// How far a projection has read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub position: u64,
    pub at_ms: u64,
}

impl Checkpoint {
    /// Events and milliseconds behind a write head.
    pub fn lag(&self, head: Checkpoint) -> (u64, u64) {
        (
            head.position.saturating_sub(self.position),
            head.at_ms.saturating_sub(self.at_ms),
        )
    }
}

/// A read model: a stable name, a checkpoint, and a fold.
pub trait Projection: Clone + Default {
    const NAME: &'static str;
    fn checkpoint(&self) -> Checkpoint;
    /// Folds one entry; entries at or before the checkpoint are ignored.
    fn apply(&mut self, entry: &HistoryEntry);
    /// The view as rows keyed for display and diffing.
    fn rows(&self) -> BTreeMap<String, Value>;

    /// Rebuilds the view from the log, from nothing.
    fn rebuild<'a>(entries: impl IntoIterator<Item = &'a HistoryEntry>) -> Self {
        let mut view = Self::default();
        for e in entries {
            view.apply(e);
        }
        view
    }
}

macro_rules! checkpointed {
    ($self:ident, $entry:ident) => {
        if $entry.position <= $self.checkpoint.position && $self.checkpoint.position > 0 {
            return;
        }
        $self.checkpoint = Checkpoint {
            position: $entry.position,
            at_ms: $entry.at_ms,
        };
    };
}

/// One row per customer: who they are and how much business they do.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerRow {
    pub name: String,
    pub postcode: String,
    pub email: String,
    pub quotes: u32,
    pub policies: u32,
    pub active_policies: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerView {
    pub checkpoint: Checkpoint,
    pub customers: OrdMap<String, CustomerRow>,
}

impl Projection for CustomerView {
    const NAME: &'static str = "CustomerView";

    fn checkpoint(&self) -> Checkpoint {
        self.checkpoint
    }

    fn apply(&mut self, entry: &HistoryEntry) {
        checkpointed!(self, entry);
        let update =
            |map: &mut OrdMap<String, CustomerRow>, id: &str, f: &dyn Fn(&mut CustomerRow)| {
                if let Some(row) = map.get_mut(id) {
                    f(row);
                }
            };
        match &entry.event {
            DomainEvent::CustomerRegistered {
                customer_id,
                given_name,
                family_name,
                email,
                postcode,
                ..
            } => {
                let name = if family_name.is_empty() {
                    given_name.clone()
                } else {
                    format!("{given_name} {family_name}")
                };
                self.customers.insert(
                    customer_id.clone(),
                    CustomerRow {
                        name,
                        postcode: postcode.clone(),
                        email: email.clone(),
                        ..CustomerRow::default()
                    },
                );
            }
            DomainEvent::AddressChanged {
                customer_id,
                postcode,
            } => update(&mut self.customers, customer_id, &|r| {
                r.postcode = postcode.clone()
            }),
            DomainEvent::QuoteRequested { customer_id, .. } => {
                update(&mut self.customers, customer_id, &|r| r.quotes += 1)
            }
            DomainEvent::PolicyBound { customer_id, .. } => {
                update(&mut self.customers, customer_id, &|r| {
                    r.policies += 1;
                    r.active_policies += 1;
                })
            }
            DomainEvent::PolicyCancelled { customer_id, .. } => {
                update(&mut self.customers, customer_id, &|r| {
                    r.active_policies = r.active_policies.saturating_sub(1)
                })
            }
            _ => {}
        }
    }

    fn rows(&self) -> BTreeMap<String, Value> {
        self.customers
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect()
    }
}

/// Counts and premium totals by quote status.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QuoteDashboardView {
    pub checkpoint: Checkpoint,
    quotes: OrdMap<String, (QuoteStatus, u64)>,
    pub counts: OrdMap<QuoteStatus, u64>,
    pub premium_pence: OrdMap<QuoteStatus, u64>,
}

impl QuoteDashboardView {
    pub fn count(&self, status: QuoteStatus) -> u64 {
        self.counts.get(&status).copied().unwrap_or(0)
    }

    pub fn premium(&self, status: QuoteStatus) -> u64 {
        self.premium_pence.get(&status).copied().unwrap_or(0)
    }

    fn move_to(&mut self, quote_id: &str, status: QuoteStatus, premium: Option<u64>) {
        let (old_status, old_premium) = self
            .quotes
            .get(quote_id)
            .copied()
            .unwrap_or((QuoteStatus::None, 0));
        let premium = premium.unwrap_or(old_premium);
        if old_status != QuoteStatus::None {
            *self.counts.entry(old_status).or_default() -= 1;
            *self.premium_pence.entry(old_status).or_default() -= old_premium;
        }
        *self.counts.entry(status).or_default() += 1;
        *self.premium_pence.entry(status).or_default() += premium;
        self.quotes.insert(quote_id.to_owned(), (status, premium));
    }
}

impl Projection for QuoteDashboardView {
    const NAME: &'static str = "QuoteDashboardView";

    fn checkpoint(&self) -> Checkpoint {
        self.checkpoint
    }

    fn apply(&mut self, entry: &HistoryEntry) {
        checkpointed!(self, entry);
        match &entry.event {
            DomainEvent::QuoteRequested { quote_id, .. } => {
                self.move_to(quote_id, QuoteStatus::Requested, Some(0))
            }
            DomainEvent::QuoteIssued {
                quote_id,
                premium_pence,
                ..
            } => self.move_to(quote_id, QuoteStatus::Issued, Some(*premium_pence)),
            DomainEvent::QuoteAccepted { quote_id, .. } => {
                self.move_to(quote_id, QuoteStatus::Accepted, None)
            }
            DomainEvent::QuoteExpired { quote_id, .. } => {
                self.move_to(quote_id, QuoteStatus::Expired, None)
            }
            _ => {}
        }
    }

    fn rows(&self) -> BTreeMap<String, Value> {
        [
            QuoteStatus::Requested,
            QuoteStatus::Issued,
            QuoteStatus::Accepted,
            QuoteStatus::Expired,
        ]
        .iter()
        .map(|s| {
            (
                s.name().to_owned(),
                json!({ "count": self.count(*s), "premium_pence": self.premium(*s) }),
            )
        })
        .collect()
    }
}

/// A message Comms was asked to send.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxRow {
    pub customer_id: String,
    pub channel: ContactMethod,
    pub template: String,
    pub about: String,
    pub requested_at_ms: u64,
}

/// What Comms still has to send, and what it sent (the most recent 50 kept).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CommsOutboxView {
    pub checkpoint: Checkpoint,
    pub pending: OrdMap<String, OutboxRow>,
    pub recent_sent: Vector<(String, String)>,
    pub sent_email: u64,
    pub sent_sms: u64,
}

impl Projection for CommsOutboxView {
    const NAME: &'static str = "CommsOutboxView";

    fn checkpoint(&self) -> Checkpoint {
        self.checkpoint
    }

    fn apply(&mut self, entry: &HistoryEntry) {
        checkpointed!(self, entry);
        match &entry.event {
            DomainEvent::NotificationRequested {
                notification_id,
                customer_id,
                channel,
                template,
                about,
            } => {
                self.pending.insert(
                    notification_id.clone(),
                    OutboxRow {
                        customer_id: customer_id.clone(),
                        channel: *channel,
                        template: template.clone(),
                        about: about.clone(),
                        requested_at_ms: entry.at_ms,
                    },
                );
            }
            DomainEvent::EmailSent {
                notification_id,
                to,
                ..
            }
            | DomainEvent::SmsSent {
                notification_id,
                to,
                ..
            } => {
                self.pending.remove(notification_id);
                if matches!(entry.event, DomainEvent::EmailSent { .. }) {
                    self.sent_email += 1;
                } else {
                    self.sent_sms += 1;
                }
                self.recent_sent
                    .push_back((notification_id.clone(), to.clone()));
                if self.recent_sent.len() > 50 {
                    self.recent_sent.pop_front();
                }
            }
            _ => {}
        }
    }

    fn rows(&self) -> BTreeMap<String, Value> {
        let mut rows: BTreeMap<String, Value> = self
            .pending
            .iter()
            .map(|(k, v)| (format!("pending/{k}"), json!(v)))
            .collect();
        rows.insert("sent/email".into(), json!(self.sent_email));
        rows.insert("sent/sms".into(), json!(self.sent_sms));
        rows
    }
}

/// Customers grouped by postcode district (the outward code, like "EH1").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomersByPostcodeView {
    pub checkpoint: Checkpoint,
    pub districts: OrdMap<String, OrdSet<String>>,
    district_of: OrdMap<String, String>,
}

fn district(postcode: &str) -> String {
    postcode
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_uppercase()
}

impl CustomersByPostcodeView {
    fn place(&mut self, customer: &str, postcode: &str) {
        if let Some(old) = self.district_of.get(customer).cloned() {
            if let Some(set) = self.districts.get_mut(&old) {
                set.remove(customer);
                if set.is_empty() {
                    self.districts.remove(&old);
                }
            }
        }
        let d = district(postcode);
        self.districts
            .entry(d.clone())
            .or_default()
            .insert(customer.to_owned());
        self.district_of.insert(customer.to_owned(), d);
    }
}

impl Projection for CustomersByPostcodeView {
    const NAME: &'static str = "CustomersByPostcodeView";

    fn checkpoint(&self) -> Checkpoint {
        self.checkpoint
    }

    fn apply(&mut self, entry: &HistoryEntry) {
        checkpointed!(self, entry);
        match &entry.event {
            DomainEvent::CustomerRegistered {
                customer_id,
                postcode,
                ..
            }
            | DomainEvent::AddressChanged {
                customer_id,
                postcode,
            } => self.place(customer_id, postcode),
            _ => {}
        }
    }

    fn rows(&self) -> BTreeMap<String, Value> {
        self.districts
            .iter()
            .map(|(k, v)| (k.clone(), json!(v.iter().collect::<Vec<_>>())))
            .collect()
    }
}

/// Every read model, kept together so they can be folded, snapshotted and diffed as one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReadModels {
    pub customers: CustomerView,
    pub dashboard: QuoteDashboardView,
    pub outbox: CommsOutboxView,
    pub by_postcode: CustomersByPostcodeView,
}

/// One difference between two states of a read model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowDiff {
    pub model: &'static str,
    pub key: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

fn diff_rows(
    model: &'static str,
    a: BTreeMap<String, Value>,
    b: BTreeMap<String, Value>,
    out: &mut Vec<RowDiff>,
) {
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for k in keys {
        let (before, after) = (a.get(k), b.get(k));
        if before != after {
            out.push(RowDiff {
                model,
                key: k.clone(),
                before: before.cloned(),
                after: after.cloned(),
            });
        }
    }
}

impl ReadModels {
    pub fn apply(&mut self, entry: &HistoryEntry) {
        self.customers.apply(entry);
        self.dashboard.apply(entry);
        self.outbox.apply(entry);
        self.by_postcode.apply(entry);
    }

    /// Every row that differs between `self` and `other`, model by model.
    pub fn diff(&self, other: &ReadModels) -> Vec<RowDiff> {
        let mut out = Vec::new();
        diff_rows(
            CustomerView::NAME,
            self.customers.rows(),
            other.customers.rows(),
            &mut out,
        );
        diff_rows(
            QuoteDashboardView::NAME,
            self.dashboard.rows(),
            other.dashboard.rows(),
            &mut out,
        );
        diff_rows(
            CommsOutboxView::NAME,
            self.outbox.rows(),
            other.outbox.rows(),
            &mut out,
        );
        diff_rows(
            CustomersByPostcodeView::NAME,
            self.by_postcode.rows(),
            other.by_postcode.rows(),
            &mut out,
        );
        out
    }

    /// Each model's name and checkpoint.
    pub fn checkpoints(&self) -> [(&'static str, Checkpoint); 4] {
        [
            (CustomerView::NAME, self.customers.checkpoint()),
            (QuoteDashboardView::NAME, self.dashboard.checkpoint()),
            (CommsOutboxView::NAME, self.outbox.checkpoint()),
            (CustomersByPostcodeView::NAME, self.by_postcode.checkpoint()),
        ]
    }

    /// All models as JSON rows, for printing.
    pub fn to_json(&self) -> Value {
        json!({
            CustomerView::NAME: self.customers.rows(),
            QuoteDashboardView::NAME: self.dashboard.rows(),
            CommsOutboxView::NAME: self.outbox.rows(),
            CustomersByPostcodeView::NAME: self.by_postcode.rows(),
        })
    }
}
