//! The play loop both clocks share (the lab's virtual clock, the workshop's debugger): a
//! tick at a steady period while playing, stopped by Pause, by a tick that finds the end,
//! or by the component going away.

use gloo_timers::callback::Interval;
use leptos::prelude::*;

/// A play loop. Cheap to copy; copies share it.
#[derive(Clone, Copy)]
pub struct PlayLoop {
    /// Whether it is playing (tracked: the Play button says Pause meanwhile).
    pub playing: RwSignal<bool>,
    interval: StoredValue<Option<Interval>, LocalStorage>,
    period_ms: u32,
}

impl PlayLoop {
    /// A stopped loop that ticks every `period_ms` once started, and stops when the
    /// component that made it is cleaned up.
    pub fn new(period_ms: u32) -> Self {
        let play = PlayLoop {
            playing: RwSignal::new(false),
            interval: StoredValue::new_local(None),
            period_ms,
        };
        on_cleanup(move || play.stop());
        play
    }

    /// Starts ticking: `tick` runs every period until [`PlayLoop::stop`].
    pub fn start(self, tick: impl FnMut() + 'static) {
        self.stop();
        self.playing.set(true);
        let interval = Interval::new(self.period_ms, tick);
        self.interval.try_set_value(Some(interval));
    }

    /// Stops ticking. A tick may call it: the interval is cleared at once, and its
    /// callback is dropped once the tick has returned.
    pub fn stop(self) {
        self.playing.try_set(false);
        if let Some(interval) = self.interval.try_update_value(Option::take).flatten() {
            let callback = interval.cancel();
            leptos::task::spawn_local(async move { drop(callback) });
        }
    }

    /// Whether it is playing, untracked.
    pub fn is_playing(self) -> bool {
        self.playing.get_untracked()
    }
}
