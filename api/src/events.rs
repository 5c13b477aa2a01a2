//! Dispatch events for subscribers in this process.
//!
//! Several instances behind a load balancer each deliver what their own commands made; a shared
//! bus (Redis pub/sub) is the next step when subscriptions must span instances.

use domain::dispatch::Dispatch;
use tokio::sync::broadcast;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DispatchEventKind {
    Created,
    Cancelled,
    /// An applied measure whose entry ended: to be lifted.
    LiftRequested,
}

#[derive(Debug, Clone)]
pub struct DispatchEvent {
    pub kind: DispatchEventKind,
    pub dispatch: Dispatch,
}

/// A bounded broadcast: a subscriber that falls this far behind loses the oldest events (and is
/// told so in the log); the inbox query always has them all.
const CAPACITY: usize = 4096;

#[derive(Clone)]
pub struct Events {
    sender: broadcast::Sender<DispatchEvent>,
}

impl Default for Events {
    fn default() -> Self {
        Events {
            sender: broadcast::channel(CAPACITY).0,
        }
    }
}

impl Events {
    pub fn publish(&self, kind: DispatchEventKind, dispatches: &[Dispatch]) {
        for d in dispatches {
            // No subscriber is not an error.
            let _ = self.sender.send(DispatchEvent {
                kind,
                dispatch: d.clone(),
            });
        }
    }

    /// What an entry's ending did: its open dispatches cancelled, its applied ones to be lifted.
    /// Reward dispatches reopened (a black entry ended) are new again to their departments.
    pub fn publish_ended(&self, ended: &persistence::EndedMeasures) {
        self.publish(DispatchEventKind::Cancelled, &ended.cancelled);
        self.publish(DispatchEventKind::LiftRequested, &ended.lifts);
        self.publish(DispatchEventKind::Created, &ended.resumed);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<DispatchEvent> {
        self.sender.subscribe()
    }
}
