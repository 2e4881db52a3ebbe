//! A given/when/then harness for aggregates:
//! `given(events).when(command).then(events)` or `.then_err(error)`.

use super::{Aggregate, DomainError, DomainEvent};
use std::marker::PhantomData;

pub struct Given<A: Aggregate> {
    state: A,
}

pub struct When<A: Aggregate> {
    outcome: Result<Vec<DomainEvent>, DomainError>,
    _aggregate: PhantomData<A>,
}

/// Starts from the state these events produce.
pub fn given<A: Aggregate>(events: &[DomainEvent]) -> Given<A> {
    Given {
        state: events.iter().fold(A::default(), |s, e| s.apply(e)),
    }
}

impl<A: Aggregate> Given<A> {
    pub fn when(self, command: A::Command) -> When<A> {
        When {
            outcome: self.state.handle(&command),
            _aggregate: PhantomData,
        }
    }
}

impl<A: Aggregate> When<A> {
    /// Asserts the command produced exactly these events.
    #[track_caller]
    pub fn then(self, expected: &[DomainEvent]) {
        match self.outcome {
            Ok(events) => assert_eq!(events, expected, "the command produced other events"),
            Err(e) => panic!("the command was refused ({e}) but should have produced {expected:?}"),
        }
    }

    /// Asserts the command was refused with this error.
    #[track_caller]
    pub fn then_err(self, expected: DomainError) {
        match self.outcome {
            Ok(events) => panic!(
                "the command produced {events:?} but should have been refused with {expected}"
            ),
            Err(e) => assert_eq!(e, expected),
        }
    }
}
