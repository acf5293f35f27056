//! Reading `opening_hours` text: a tokeniser (words, numbers, comments, punctuation; dashes
//! from word processors count as `-`) and a recursive-descent parser over the subset
//! `hours.rs` describes. Errors carry the character where reading stopped.

use super::{DateRange, HoursError, Openness, Rule, Span, Weekdays, DAY};

/// The rules of `text`, as groups separated by `||`.
pub(super) fn rules(text: &str) -> Result<Vec<Vec<Rule>>, HoursError> {
    let tokens = tokenise(text)?;
    let mut parser = Parser { tokens: &tokens, pos: 0, end: text.chars().count() };
    parser.domain()
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    /// The value and how many digits it was written with.
    Num(u32, usize),
    Comment(String),
    Punct(char),
    OrOr,
}

fn tokenise(text: &str) -> Result<Vec<(usize, Tok)>, HoursError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at = i;
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_alphabetic() {
            while i < chars.len() && chars[i].is_ascii_alphabetic() {
                i += 1;
            }
            out.push((at, Tok::Word(chars[at..i].iter().collect::<String>().to_ascii_lowercase())));
        } else if c.is_ascii_digit() {
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let digits: String = chars[at..i].iter().collect();
            let value = digits.parse().map_err(|_| HoursError { at, reason: "number too long".into() })?;
            out.push((at, Tok::Num(value, i - at)));
        } else if c == '"' {
            let close = chars[i + 1..]
                .iter()
                .position(|c| *c == '"')
                .ok_or_else(|| HoursError { at, reason: "a comment is not closed with \"".into() })?;
            out.push((at, Tok::Comment(chars[i + 1..i + 1 + close].iter().collect())));
            i += close + 2;
        } else if c == '|' && chars.get(i + 1) == Some(&'|') {
            out.push((at, Tok::OrOr));
            i += 2;
        } else {
            // Dashes people paste from word processors are ranges too.
            let c = match c {
                '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
                c => c,
            };
            if !"-:;,/+.[]".contains(c) {
                return Err(HoursError { at, reason: format!("unexpected '{c}'") });
            }
            out.push((at, Tok::Punct(c)));
            i += 1;
        }
    }
    Ok(out)
}

const WEEKDAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// `mo`, `mon`, `tues`, `monday`: the index of the day whose name starts with the word.
fn weekday(word: &str) -> Option<usize> {
    (word.len() >= 2).then(|| WEEKDAYS.iter().position(|d| d.starts_with(word))).flatten()
}

fn month(word: &str) -> Option<u16> {
    (word.len() >= 3).then(|| MONTHS.iter().position(|m| m.starts_with(word))).flatten().map(|m| m as u16 + 1)
}

struct Parser<'t> {
    tokens: &'t [(usize, Tok)],
    pos: usize,
    end: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.1)
    }
    fn peek_at(&self, ahead: usize) -> Option<&Tok> {
        self.tokens.get(self.pos + ahead).map(|t| &t.1)
    }
    fn is_punct(&self, ahead: usize, c: char) -> bool {
        self.peek_at(ahead) == Some(&Tok::Punct(c))
    }
    fn error<T>(&self, reason: impl Into<String>) -> Result<T, HoursError> {
        let at = self.tokens.get(self.pos).map_or(self.end, |t| t.0);
        Err(HoursError { at, reason: reason.into() })
    }
    fn word_at(&self, ahead: usize) -> Option<&str> {
        match self.peek_at(ahead) {
            Some(Tok::Word(w)) => Some(w),
            _ => None,
        }
    }
    fn starts_days(&self, ahead: usize) -> bool {
        self.word_at(ahead).is_some_and(|w| weekday(w).is_some() || w == "ph" || w == "sh")
    }
    fn starts_months(&self, ahead: usize) -> bool {
        self.word_at(ahead).is_some_and(|w| month(w).is_some() && weekday(w).is_none())
    }

    fn domain(&mut self) -> Result<Vec<Vec<Rule>>, HoursError> {
        let mut groups = vec![Vec::new()];
        let mut additional = false;
        loop {
            while self.is_punct(0, ';') {
                self.pos += 1;
                additional = false;
            }
            if self.peek().is_none() {
                break;
            }
            let rule = self.rule(additional)?;
            if let Some(group) = groups.last_mut() {
                group.push(rule);
            }
            match self.peek() {
                None => break,
                Some(Tok::Punct(';')) => additional = false,
                Some(Tok::Punct(',')) => {
                    self.pos += 1;
                    additional = true;
                }
                Some(Tok::OrOr) => {
                    self.pos += 1;
                    groups.push(Vec::new());
                    additional = false;
                }
                Some(_) => return self.error("expected ; between rules"),
            }
        }
        if groups.iter().all(Vec::is_empty) {
            return self.error("no rules");
        }
        Ok(groups)
    }

    fn rule(&mut self, additional: bool) -> Result<Rule, HoursError> {
        let start = self.pos;
        let mut rule = Rule { additional, months: None, weekdays: None, times: None, state: Openness::Open };
        if matches!(self.peek(), Some(Tok::Num(24, _))) && self.is_punct(1, '/') {
            if !matches!(self.peek_at(2), Some(Tok::Num(7, _))) {
                return self.error("expected 24/7");
            }
            self.pos += 3;
        } else {
            if self.starts_months(0) {
                rule.months = Some(self.months()?);
            }
            if self.starts_days(0) {
                rule.weekdays = Some(self.weekdays()?);
            }
            if (rule.months.is_some() || rule.weekdays.is_some()) && self.is_punct(0, ':') {
                self.pos += 1; // "Mo-Fr: 10:00-18:00"
            }
            if matches!(self.peek(), Some(Tok::Num(..))) {
                rule.times = Some(self.times()?);
            }
        }
        match self.peek() {
            Some(Tok::Word(w)) => {
                rule.state = match w.as_str() {
                    "open" => Openness::Open,
                    "closed" | "off" => Openness::Closed,
                    "unknown" => Openness::Unknown,
                    _ => return self.error(format!("'{w}' is not understood here")),
                };
                self.pos += 1;
                if matches!(self.peek(), Some(Tok::Comment(_))) {
                    self.pos += 1;
                }
            }
            // A comment alone leaves the state to whoever reads it.
            Some(Tok::Comment(_)) => {
                rule.state = Openness::Unknown;
                self.pos += 1;
            }
            _ => {}
        }
        if self.pos == start {
            return self.error("expected days or times");
        }
        Ok(rule)
    }

    fn months(&mut self) -> Result<Vec<DateRange>, HoursError> {
        let mut out = Vec::new();
        loop {
            let (m, day) = self.month_day()?;
            let from = m * 32 + day.unwrap_or(1);
            let to = if self.is_punct(0, '-') {
                self.pos += 1;
                if let Some(Tok::Num(d, _)) = self.peek() {
                    // "Dec 24-26" (a number past u16 is no day, not the day it wraps to)
                    let d = u16::try_from(*d).unwrap_or(0);
                    if day.is_none() || !(1..=31).contains(&d) {
                        return self.error("expected a day of the month");
                    }
                    self.pos += 1;
                    m * 32 + d
                } else {
                    let (m2, d2) = self.month_day()?;
                    m2 * 32 + d2.unwrap_or(31)
                }
            } else {
                m * 32 + day.unwrap_or(31)
            };
            out.push(DateRange { from, to });
            if self.is_punct(0, ',') && self.starts_months(1) {
                self.pos += 1;
            } else {
                return Ok(out);
            }
        }
    }

    /// `Dec` or `Dec 25` (a number not followed by `:`, which would be a time).
    fn month_day(&mut self) -> Result<(u16, Option<u16>), HoursError> {
        let Some(m) = self.word_at(0).and_then(month) else { return self.error("expected a month") };
        self.pos += 1;
        if let Some(Tok::Num(d, _)) = self.peek() {
            if !self.is_punct(1, ':') && !self.is_punct(1, '.') {
                let d = u16::try_from(*d).unwrap_or(0);
                if !(1..=31).contains(&d) {
                    return self.error("expected a day of the month");
                }
                self.pos += 1;
                return Ok((m, Some(d)));
            }
        }
        Ok((m, None))
    }

    fn weekdays(&mut self) -> Result<Weekdays, HoursError> {
        let mut w = Weekdays { days: [false; 7], ph: false, sh: false };
        loop {
            let Some(word) = self.word_at(0).map(str::to_string) else { return self.error("expected a day") };
            self.pos += 1;
            match word.as_str() {
                "ph" => w.ph = true,
                "sh" => w.sh = true,
                _ => {
                    let Some(from) = weekday(&word) else { return self.error("expected a day") };
                    let to = if self.is_punct(0, '-') {
                        self.pos += 1;
                        let Some(to) = self.word_at(0).and_then(weekday) else {
                            return self.error("expected a day after -");
                        };
                        self.pos += 1;
                        to
                    } else {
                        from
                    };
                    if self.is_punct(0, '[') {
                        return self.error("nth weekdays (Su[1]) are not supported");
                    }
                    // Fr-Mo wraps over the weekend.
                    let mut d = from;
                    loop {
                        w.days[d] = true;
                        if d == to {
                            break;
                        }
                        d = (d + 1) % 7;
                    }
                }
            }
            if self.is_punct(0, ',') && self.starts_days(1) {
                self.pos += 1;
            } else if self.starts_days(0) {
                return self.error("holiday and weekday together without a comma are not supported");
            } else {
                return Ok(w);
            }
        }
    }

    fn times(&mut self) -> Result<Vec<Span>, HoursError> {
        let mut out = Vec::new();
        loop {
            let start = self.time(DAY)?;
            let mut span = Span { start, end: DAY, open_end: false };
            if self.is_punct(0, '+') {
                self.pos += 1;
                span = Span { start, end: start, open_end: true };
            } else if self.is_punct(0, '-') {
                self.pos += 1;
                let mut end = self.time(2 * DAY)?;
                // Before the start: it runs past midnight. Equal: the whole day round.
                if end <= start {
                    end += DAY;
                }
                span.end = end.min(2 * DAY);
                if self.is_punct(0, '+') {
                    self.pos += 1;
                    span.open_end = true;
                }
                if self.is_punct(0, '/') {
                    return self.error("repeating times are not supported");
                }
            } else {
                return self.error("expected a time range like 10:00-18:00");
            }
            out.push(span);
            if self.is_punct(0, ',') && matches!(self.peek_at(1), Some(Tok::Num(..))) {
                self.pos += 1;
            } else {
                return Ok(out);
            }
        }
    }

    /// `HH:MM` (or `H:MM`, `HH.MM`), at most `max` minutes after midnight.
    fn time(&mut self, max: u16) -> Result<u16, HoursError> {
        let (Some(Tok::Num(h, hd)), true, Some(Tok::Num(m, 2))) =
            (self.peek(), self.is_punct(1, ':') || self.is_punct(1, '.'), self.peek_at(2))
        else {
            return self.error("expected a time like 09:30");
        };
        // The hour's digits are checked before any sum: a long number must not overflow it.
        if *hd > 2 || *m >= 60 || h * 60 + m > u32::from(max) {
            return self.error("not a time of day");
        }
        let minutes = h * 60 + m;
        self.pos += 3;
        Ok(minutes as u16)
    }
}
