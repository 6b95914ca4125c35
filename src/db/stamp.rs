//! `Stamp`: a row's creation or update time. The same `NaiveDateTime` as stored by diesel on both
//! backends, but written to SQLite without going through chrono's format-string interpreter: an
//! import binds two or three of them for every row it writes, and formatting them was about a
//! tenth of its writing thread.

use chrono::{Datelike, NaiveDateTime, Timelike};
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Timestamp;
use diesel::sqlite::Sqlite;

use super::MultiBackend;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, AsExpression, FromSqlRow)]
#[diesel(sql_type = Timestamp)]
pub struct Stamp(pub NaiveDateTime);

impl From<NaiveDateTime> for Stamp {
    fn from(t: NaiveDateTime) -> Self {
        Self(t)
    }
}

/// The text diesel writes for a SQLite timestamp (`%F %T%.f`: fractional seconds only when not
/// zero, in 3, 6 or 9 digits), for years 0–9999 and times without a leap second; `None` otherwise.
fn sqlite_text(t: &NaiveDateTime) -> Option<String> {
    let (year, nanos) = (t.year(), t.nanosecond());
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        return None;
    }
    let mut out = String::with_capacity(29);
    digits(&mut out, year as u32, 4);
    out.push('-');
    digits(&mut out, t.month(), 2);
    out.push('-');
    digits(&mut out, t.day(), 2);
    out.push(' ');
    digits(&mut out, t.hour(), 2);
    out.push(':');
    digits(&mut out, t.minute(), 2);
    out.push(':');
    digits(&mut out, t.second(), 2);
    let (fraction, width) = match nanos {
        0 => (0, 0),
        n if n % 1_000_000 == 0 => (n / 1_000_000, 3),
        n if n % 1_000 == 0 => (n / 1_000, 6),
        n => (n, 9),
    };
    if width > 0 {
        out.push('.');
        digits(&mut out, fraction, width);
    }
    Some(out)
}

/// Appends `value` in `width` decimal digits, zero-padded (`value` has at most `width` digits).
fn digits(out: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = value / 10u32.pow(place) % 10;
        out.push(char::from(b'0' + digit as u8));
    }
}

impl ToSql<Timestamp, Sqlite> for Stamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        match sqlite_text(&self.0) {
            Some(text) => {
                out.set_value(text);
                Ok(IsNull::No)
            }
            None => <NaiveDateTime as ToSql<Timestamp, Sqlite>>::to_sql(&self.0, out),
        }
    }
}

impl ToSql<Timestamp, Pg> for Stamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <NaiveDateTime as ToSql<Timestamp, Pg>>::to_sql(&self.0, out)
    }
}

impl ToSql<Timestamp, MultiBackend> for Stamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
        out.set_value((Timestamp, self));
        Ok(IsNull::No)
    }
}

impl FromSql<Timestamp, Sqlite> for Stamp {
    fn from_sql(
        bytes: <Sqlite as diesel::backend::Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        <NaiveDateTime as FromSql<Timestamp, Sqlite>>::from_sql(bytes).map(Self)
    }
}

impl FromSql<Timestamp, Pg> for Stamp {
    fn from_sql(
        bytes: <Pg as diesel::backend::Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        <NaiveDateTime as FromSql<Timestamp, Pg>>::from_sql(bytes).map(Self)
    }
}

impl FromSql<Timestamp, MultiBackend> for Stamp {
    fn from_sql(
        bytes: <MultiBackend as diesel::backend::Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        bytes.from_sql::<Self, Timestamp>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    /// The text is chrono's `%F %T%.f`, which diesel writes and reads back.
    #[test]
    fn sqlite_text_is_what_chrono_writes() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 7).expect("date");
        for nanos in [0, 5_000_000, 120_000_000, 123_456_000, 123_456_789, 1, 999_999_999] {
            let t = day.and_hms_nano_opt(4, 5, 9, nanos).expect("time");
            assert_eq!(sqlite_text(&t).as_deref(), Some(t.format("%F %T%.f").to_string().as_str()));
        }
        let early =
            NaiveDate::from_ymd_opt(33, 1, 2).expect("date").and_hms_opt(0, 0, 0).expect("t");
        assert_eq!(sqlite_text(&early).as_deref(), Some("0033-01-02 00:00:00"));
        let far =
            NaiveDate::from_ymd_opt(12345, 1, 1).expect("date").and_hms_opt(0, 0, 0).expect("t");
        assert_eq!(sqlite_text(&far), None, "left to chrono");
    }
}
