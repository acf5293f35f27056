//! A hybrid logical clock: wall-clock milliseconds, a counter for events within one millisecond
//! (or while the wall clock lags behind a stamp already seen), and the node id as the last
//! tie-break. Stamps from every machine form one total order, so per-field "last writer wins"
//! gives the same answer on every machine whatever order the changes arrive in.
//!
//! Pure: the wall clock is passed in.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// How far ahead of the local clock a stamp from another machine may be and still be taken in
/// (`Clock::observe`); the team server refuses stamps more than a day ahead of its own clock.
pub const MAX_AHEAD_MS: u64 = 60 * 60 * 1000;

/// One stamp. Ordered by (millis, counter, node).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Hlc {
    pub millis: u64,
    pub counter: u32,
    /// The id of the machine (the local database) that made the stamp: 16 lowercase hex digits.
    pub node: String,
}

impl Ord for Hlc {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.millis, self.counter, &self.node).cmp(&(other.millis, other.counter, &other.node))
    }
}

impl PartialOrd for Hlc {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Fixed-width text (`0001780315200000-00000-node`), so text order is stamp order: SQLite and
/// PostgreSQL compare stamps with plain `<` on the column.
impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016}-{:05}-{}", self.millis, self.counter, self.node)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a clock stamp")]
pub struct BadStamp(pub String);

impl FromStr for Hlc {
    type Err = BadStamp;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadStamp(s.to_string());
        let mut parts = s.splitn(3, '-');
        let (millis, counter, node) = (parts.next(), parts.next(), parts.next());
        let (Some(millis), Some(counter), Some(node)) = (millis, counter, node) else {
            return Err(bad());
        };
        if millis.len() != 16 || counter.len() != 5 || !valid_node(node) {
            return Err(bad());
        }
        Ok(Hlc {
            millis: millis.parse().map_err(|_| bad())?,
            counter: counter.parse().map_err(|_| bad())?,
            node: node.to_string(),
        })
    }
}

/// A node id is 1 to 32 lowercase hex digits or ASCII letters/digits; never a `-`, which
/// separates the parts of a stamp.
pub fn valid_node(node: &str) -> bool {
    !node.is_empty() && node.len() <= 32 && node.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// The largest counter; past it the clock moves its millisecond on instead (99,999 events in one
/// millisecond is far beyond any campaign, but the text form must stay fixed-width).
const MAX_COUNTER: u32 = 99_999;

/// A machine's clock: the last stamp it issued or saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    pub node: String,
    pub last_millis: u64,
    pub last_counter: u32,
}

impl Clock {
    pub fn new(node: &str) -> Self {
        Clock { node: node.to_string(), last_millis: 0, last_counter: 0 }
    }

    /// Restores a clock from its last stamp.
    pub fn resume(node: &str, last: Option<&Hlc>) -> Self {
        match last {
            Some(h) => Clock { node: node.to_string(), last_millis: h.millis, last_counter: h.counter },
            None => Clock::new(node),
        }
    }

    /// A stamp for a local change at wall time `now_millis`: later than every stamp issued or
    /// seen so far, even if the wall clock went backwards.
    pub fn tick(&mut self, now_millis: u64) -> Hlc {
        if now_millis > self.last_millis {
            self.last_millis = now_millis;
            self.last_counter = 0;
        } else {
            self.bump();
        }
        self.stamp()
    }

    /// Takes in a stamp from another machine, so the next local stamp comes after it (a
    /// change made after seeing another is never ordered before it).
    /// A stamp more than `MAX_AHEAD_MS` ahead of this machine's clock is not taken in: one
    /// machine with a wrong date must not drag every other clock years ahead.
    pub fn observe(&mut self, remote: &Hlc, now_millis: u64) {
        if remote.millis > now_millis.saturating_add(MAX_AHEAD_MS) {
            return;
        }
        let (m, c) = (self.last_millis, self.last_counter);
        let top = now_millis.max(m).max(remote.millis);
        self.last_millis = top;
        self.last_counter = match (top == m, top == remote.millis) {
            (true, true) => c.max(remote.counter),
            (true, false) => c,
            (false, true) => remote.counter,
            (false, false) => 0,
        };
    }

    fn bump(&mut self) {
        if self.last_counter >= MAX_COUNTER {
            self.last_millis += 1;
            self.last_counter = 0;
        } else {
            self.last_counter += 1;
        }
    }

    fn stamp(&self) -> Hlc {
        Hlc { millis: self.last_millis, counter: self.last_counter, node: self.node.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(millis: u64, counter: u32, node: &str) -> Hlc {
        Hlc { millis, counter, node: node.into() }
    }

    #[test]
    fn tick_cases() {
        // (last millis, last counter, wall now) -> (millis, counter)
        let cases = [
            ((0, 0, 1000), (1000, 0)),     // first stamp: the wall clock
            ((1000, 0, 1000), (1000, 1)),  // same millisecond: the counter
            ((1000, 4, 1001), (1001, 0)),  // the wall clock moved on: counter resets
            ((5000, 2, 1000), (5000, 3)),  // the wall clock went back: stamps still grow
            ((7, MAX_COUNTER, 7), (8, 0)), // counter full: the next millisecond
        ];
        for ((m, c, now), want) in cases {
            let mut clock = Clock { node: "a".into(), last_millis: m, last_counter: c };
            let got = clock.tick(now);
            assert_eq!((got.millis, got.counter), want, "from ({m}, {c}) at {now}");
            assert!(got > h(m, c, "a"), "monotonic from ({m}, {c})");
        }
    }

    #[test]
    fn observe_cases() {
        // (local millis, counter), remote (millis, counter), wall -> next local tick
        let cases = [
            ((1000, 0), (3000, 7), 2000, (3000, 8)), // remote ahead of both: after it
            ((1000, 0), (500, 9), 2000, (2000, 1)),  // wall ahead: wall, then tick
            ((3000, 2), (3000, 7), 1000, (3000, 8)), // same millisecond: the larger counter
            ((3000, 9), (3000, 7), 1000, (3000, 10)),
            ((4000, 1), (3000, 7), 1000, (4000, 2)), // local ahead: unchanged
        ];
        for ((m, c), (rm, rc), wall, want) in cases {
            let mut clock = Clock { node: "b".into(), last_millis: m, last_counter: c };
            let remote = h(rm, rc, "a");
            clock.observe(&remote, wall);
            let next = clock.tick(wall);
            assert_eq!((next.millis, next.counter), want, "local ({m},{c}) remote ({rm},{rc}) wall {wall}");
            assert!(next > remote);
        }
    }

    #[test]
    fn a_stamp_from_far_ahead_is_not_taken_in() {
        let wall = 1_780_000_000_000;
        let mut clock = Clock { node: "b".into(), last_millis: wall, last_counter: 0 };
        // Years ahead (a machine with a wrong date, or a forged stamp): ignored.
        clock.observe(&h(9_999_999_999_999_999, 99_999, "a"), wall);
        assert_eq!(clock.tick(wall + 1).millis, wall + 1);
        // Within the hour allowed: taken in.
        clock.observe(&h(wall + MAX_AHEAD_MS, 3, "a"), wall);
        assert_eq!(clock.tick(wall + 2).millis, wall + MAX_AHEAD_MS);
    }

    #[test]
    fn order_and_text_agree() {
        let stamps = [
            h(1, 0, "a"),
            h(1, 0, "b"), // same time: the node id breaks the tie
            h(1, 1, "a"),
            h(2, 0, "0"),
            h(1_780_315_200_000, 99_999, "ffffffffffffffff"),
            h(1_780_315_200_001, 0, "0000000000000000"),
        ];
        for pair in stamps.windows(2) {
            assert!(pair[0] < pair[1], "{} < {}", pair[0], pair[1]);
            assert!(pair[0].to_string() < pair[1].to_string(), "text order for {} and {}", pair[0], pair[1]);
        }
        for s in &stamps {
            assert_eq!(s.to_string().parse::<Hlc>().unwrap(), *s);
        }
    }

    #[test]
    fn bad_text_is_refused() {
        for bad in [
            "",
            "1-2-a",
            "0000000000001000-00000-",
            "0000000000001000-00000-A-b",
            "x000000000001000-00000-a",
            "0000000000001000-0000-a",
        ] {
            assert!(bad.parse::<Hlc>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn resume_continues_after_the_last_stamp() {
        let last = h(9000, 3, "c");
        let mut clock = Clock::resume("c", Some(&last));
        assert!(clock.tick(100) > last);
    }
}
