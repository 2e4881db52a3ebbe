//! Writing data back as a person would have written it: without the fields its type
//! fills in by default. The visual editors rewrite a design's JSON after every change,
//! and a queue should read `{"name": "work", "visibility_timeout_s": 5}`, not eleven
//! settings the learner never touched.
//!
//! The rule is found, not listed: a field is left out exactly when reading the JSON
//! without it gives back the same value. So it stays right when a type's defaults change.

use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

/// One step into a JSON document.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn at<'a>(root: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(root, |v, step| match step {
        Step::Key(k) => v.get_mut(k.as_str()),
        Step::Index(i) => v.get_mut(*i),
    })
}

/// The paths of `v`'s members (object keys and array items), one level down.
fn children(v: &Value, path: &[Step]) -> Vec<Vec<Step>> {
    let below = |step: Step| {
        let mut p = path.to_vec();
        p.push(step);
        p
    };
    match v {
        Value::Object(m) => m.keys().map(|k| below(Step::Key(k.clone()))).collect(),
        Value::Array(items) => (0..items.len()).map(|i| below(Step::Index(i))).collect(),
        _ => Vec::new(),
    }
}

/// `value` as JSON without the object members that its type would fill in with the same
/// value when they are missing. Members are tried from the outside in, so a whole default
/// section goes at once; array items are never removed, only their members.
pub fn without_defaults<T: Serialize + DeserializeOwned + PartialEq>(value: &T) -> Value {
    let mut json = serde_json::to_value(value).expect("plain data serialises");
    let same = |candidate: &Value| {
        serde_json::from_value::<T>(candidate.clone()).is_ok_and(|back| back == *value)
    };
    let mut work = children(&json, &[]);
    while let Some(path) = work.pop() {
        let removable = matches!(path.last(), Some(Step::Key(_)));
        if removable {
            let mut trial = json.clone();
            if let (Some(parent), Some(Step::Key(k))) =
                (at(&mut trial, &path[..path.len() - 1]), path.last())
            {
                if let Some(m) = parent.as_object_mut() {
                    // Keeping the order of the members that stay.
                    m.shift_remove(k);
                }
            }
            if same(&trial) {
                json = trial;
                continue;
            }
        }
        if let Some(v) = at(&mut json, &path) {
            work.extend(children(v, &path));
        }
    }
    json
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topology::{QueueConfig, Redrive, Topology};

    #[test]
    fn a_queue_keeps_only_what_differs_from_the_defaults() {
        let mut work = QueueConfig::named("work");
        work.visibility_timeout_s = 5;
        work.redrive = Some(Redrive {
            dlq: "work-dlq".into(),
            max_receive_count: 3,
        });
        let t = Topology {
            queues: vec![work, QueueConfig::named("work-dlq")],
            ..Topology::default()
        };
        let json = without_defaults(&t);
        assert_eq!(
            json,
            serde_json::json!({"Queues": [
                {"QueueName": "work", "VisibilityTimeout": 5, "RedrivePolicy": {"deadLetterTargetArn": "work-dlq", "maxReceiveCount": 3}},
                {"QueueName": "work-dlq"}
            ]})
        );
        // In the order the type declares them, the name first.
        assert!(serde_json::to_string(&json)
            .expect("json")
            .starts_with(r#"{"Queues":[{"QueueName":"work","VisibilityTimeout":5,"#));
        let back: Topology = serde_json::from_value(json).expect("reads back");
        assert_eq!(back, t, "nothing is lost");
    }

    #[test]
    fn every_shipped_solution_reads_back_the_same_without_its_defaults() {
        for ex in crate::exercise::shipped() {
            let json = without_defaults(&ex.solution);
            let back: crate::exercise::Design =
                serde_json::from_value(json.clone()).expect("reads back");
            assert_eq!(back, ex.solution, "{}: {json}", ex.id);
        }
    }
}
