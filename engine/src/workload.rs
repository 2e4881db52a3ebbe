//! A deterministic insurance workload: customers registering, asking for quotes, accepting
//! some, binding policies, moving house, and Comms telling them about it. Used by the
//! replay benchmark, the property tests and the scenario presets.

use crate::domain::{pricing, ContactMethod, Cover, DomainEvent, QUOTE_VALIDITY_MS};
use crate::rng::SeededRng;

pub(crate) const GIVEN: &[&str] = &[
    "Ada", "Grace", "Alan", "Mary", "Tim", "Barbara", "Edsger", "Frances", "Ken", "Radia",
];
pub(crate) const FAMILY: &[&str] = &[
    "Lovelace",
    "Hopper",
    "Turing",
    "Somerville",
    "Berners-Lee",
    "Liskov",
    "Dijkstra",
    "Allen",
    "Thompson",
    "Perlman",
];
pub(crate) const POSTCODES: &[&str] = &[
    "EH1 1AA", "G2 3BB", "M1 4CC", "B5 6DD", "SW1A 1AA", "LS2 7EE", "AB10 1FF", "NE1 8GG",
    "E1 6HH", "CV1 2JJ",
];

/// `n` events of the insurance workload, in time order, with their times in ms.
pub fn insurance_history(n: usize, seed: u64) -> Vec<(u64, DomainEvent)> {
    InsuranceHistory::new(seed).take(n).collect()
}

/// The same history, one customer's journey at a time, for callers that want the events
/// in batches without holding them all (the app's sample loader).
pub struct InsuranceHistory {
    rng: SeededRng,
    t: u64,
    customer: u64,
    pending: std::vec::IntoIter<(u64, DomainEvent)>,
}

impl InsuranceHistory {
    pub fn new(seed: u64) -> InsuranceHistory {
        InsuranceHistory {
            rng: SeededRng::new(seed),
            t: 0,
            customer: 0,
            pending: Vec::new().into_iter(),
        }
    }

    /// The next customer's events, from registering to moving house.
    fn journey(&mut self) -> Vec<(u64, DomainEvent)> {
        let rng = &mut self.rng;
        let mut t = self.t;
        self.customer += 1;
        let customer = self.customer;
        let mut out = Vec::new();
        let c = format!("c{customer}");
        let postcode = rng.pick(POSTCODES).to_string();
        let birth_year = 1940 + rng.below(65) as u16;
        t += 1 + rng.below(2000);
        out.push((
            t,
            DomainEvent::CustomerRegistered {
                customer_id: c.clone(),
                given_name: rng.pick(GIVEN).to_string(),
                family_name: rng.pick(FAMILY).to_string(),
                email: format!("{c}@example.com"),
                phone: format!("+44 7700 {:06}", customer % 1_000_000),
                postcode: postcode.clone(),
                birth_year,
            },
        ));
        let quotes = 1 + rng.below(3);
        for q in 0..quotes {
            let quote = format!("{c}-q{q}");
            let cover = *rng.pick(&[Cover::Home, Cover::Car, Cover::Travel]);
            let sum = 5_000 + rng.below(400_000);
            t += 1 + rng.below(500);
            out.push((
                t,
                DomainEvent::QuoteRequested {
                    quote_id: quote.clone(),
                    customer_id: c.clone(),
                    cover,
                    sum_insured: sum,
                },
            ));
            let premium = pricing::premium_pence(cover, sum, birth_year, &postcode, 2026);
            t += 1 + rng.below(200);
            out.push((
                t,
                DomainEvent::QuoteIssued {
                    quote_id: quote.clone(),
                    customer_id: c.clone(),
                    premium_pence: premium,
                    expires_at_ms: t + QUOTE_VALIDITY_MS,
                },
            ));
            let n1 = format!("{quote}-n1");
            out.push((
                t,
                DomainEvent::NotificationRequested {
                    notification_id: n1.clone(),
                    customer_id: c.clone(),
                    channel: ContactMethod::Email,
                    template: "quote-issued".into(),
                    about: quote.clone(),
                },
            ));
            t += 1 + rng.below(100);
            out.push((
                t,
                DomainEvent::EmailSent {
                    notification_id: n1,
                    customer_id: c.clone(),
                    to: format!("{c}@example.com"),
                    subject: format!("Your quote {quote} is ready"),
                },
            ));
            match rng.below(10) {
                0..=5 => {
                    t += 1 + rng.below(5000);
                    out.push((
                        t,
                        DomainEvent::QuoteAccepted {
                            quote_id: quote.clone(),
                            customer_id: c.clone(),
                        },
                    ));
                    let policy = format!("{quote}-p");
                    t += 1 + rng.below(100);
                    out.push((
                        t,
                        DomainEvent::PolicyBound {
                            policy_id: policy.clone(),
                            quote_id: quote.clone(),
                            customer_id: c.clone(),
                            premium_pence: premium,
                        },
                    ));
                    let n2 = format!("{quote}-n2");
                    out.push((
                        t,
                        DomainEvent::NotificationRequested {
                            notification_id: n2.clone(),
                            customer_id: c.clone(),
                            channel: ContactMethod::Sms,
                            template: "policy-bound".into(),
                            about: policy.clone(),
                        },
                    ));
                    t += 1 + rng.below(100);
                    out.push((
                        t,
                        DomainEvent::SmsSent {
                            notification_id: n2,
                            customer_id: c.clone(),
                            to: format!("+44 7700 {:06}", customer % 1_000_000),
                            text: format!("Policy {policy} is active"),
                        },
                    ));
                    if rng.below(20) == 0 {
                        t += 1 + rng.below(10_000);
                        out.push((
                            t,
                            DomainEvent::PolicyCancelled {
                                policy_id: policy,
                                customer_id: c.clone(),
                                reason: "moved abroad".into(),
                            },
                        ));
                    }
                }
                6..=7 => {
                    t += QUOTE_VALIDITY_MS / 1000;
                    out.push((
                        t,
                        DomainEvent::QuoteExpired {
                            quote_id: quote.clone(),
                            customer_id: c.clone(),
                        },
                    ));
                }
                _ => {}
            }
        }
        if rng.below(8) == 0 {
            t += 1 + rng.below(1000);
            let mut moved = rng.pick(POSTCODES).to_string();
            if moved == postcode {
                moved = "KY16 9AJ".into();
            }
            out.push((
                t,
                DomainEvent::AddressChanged {
                    customer_id: c.clone(),
                    postcode: moved,
                },
            ));
        }

        self.t = t;
        out
    }
}

impl Iterator for InsuranceHistory {
    type Item = (u64, DomainEvent);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(event) = self.pending.next() {
                return Some(event);
            }
            self.pending = self.journey().into_iter();
        }
    }
}

/// The same history as numbered entries, ready to replay into read models.
pub fn insurance_entries(n: usize, seed: u64) -> Vec<crate::projection::HistoryEntry> {
    insurance_history(n, seed)
        .into_iter()
        .enumerate()
        .map(|(i, (at_ms, event))| crate::projection::HistoryEntry {
            position: i as u64 + 1,
            at_ms,
            event,
        })
        .collect()
}
