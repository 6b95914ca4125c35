//! Queries of annual follow-up: tasks, the letter outbox, job runs and the job lease. Written once for
//! both backends, except bulk inserts, which match on the backend for multi-row statements.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{exists, not, sql};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date, Text};

use super::rows::*;
use super::schema::*;
use super::{DbConn, MultiBackend, insert_unless_taken, is_unique_violation};

type QResult<T> = Result<T, diesel::result::Error>;

// --- loading histories in bulk --------------------------------------------------------------------

/// Living patients whose date of last contact is on or before `cutoff` (ISO text, so a partial date
/// compares by its first day) and who have no task for that date of last contact yet. Keyset-paged.
pub fn due_candidates(conn: &mut DbConn, cutoff: &str, range: &IdRange) -> QResult<Vec<String>> {
    let mut q = patients::table
        .filter(patients::vital_status.eq("1"))
        .filter(patients::date_of_last_contact.le(cutoff))
        .filter(not(exists(
            followup_tasks::table
                .filter(followup_tasks::patient_id.eq(patients::id))
                .filter(followup_tasks::last_contact.nullable().eq(patients::date_of_last_contact)),
        )))
        .select(patients::id)
        .into_boxed::<MultiBackend>();
    if let Some(a) = &range.after {
        q = q.filter(patients::id.gt(a.clone()));
    }
    if let Some(u) = &range.upto {
        q = q.filter(patients::id.le(u.clone()));
    }
    q.order(patients::id).load(conn)
}

/// A slice of a table's ids: after `after` (exclusive) up to `upto` (inclusive; `None` = the end).
/// Batches walk a table in id order by these slices, so each batch reads about one batch of rows
/// through the primary key whatever the filters, instead of sorting every match again.
#[derive(Clone, Debug, Default)]
pub struct IdRange {
    pub after: Option<String>,
    pub upto: Option<String>,
}

/// The `size`-th patient id after `after`: the end of the next slice (`None` past the last one).
pub fn patient_slice_end(
    conn: &mut DbConn,
    after: Option<&str>,
    size: i64,
) -> QResult<Option<String>> {
    let mut q = patients::table.select(patients::id).into_boxed::<MultiBackend>();
    if let Some(a) = after {
        q = q.filter(patients::id.gt(a.to_string()));
    }
    q.order(patients::id).offset(size - 1).limit(1).first(conn).optional()
}

/// The `size`-th task id after `after` (`None` past the last one).
pub fn task_slice_end(
    conn: &mut DbConn,
    after: Option<&str>,
    size: i64,
) -> QResult<Option<String>> {
    let mut q = followup_tasks::table.select(followup_tasks::id).into_boxed::<MultiBackend>();
    if let Some(a) = after {
        q = q.filter(followup_tasks::id.gt(a.to_string()));
    }
    q.order(followup_tasks::id).offset(size - 1).limit(1).first(conn).optional()
}

/// What the bulk follow-up jobs read of a patient (no timestamps to parse).
#[derive(Queryable, Debug)]
pub struct PatientDoc {
    pub id: String,
    pub date_of_last_contact: Option<String>,
    pub data: String,
    pub vital_status: String,
}

pub fn patients_by_ids(conn: &mut DbConn, ids: &[String]) -> QResult<Vec<PatientDoc>> {
    patients::table
        .filter(patients::id.eq_any(ids))
        .select((
            patients::id,
            patients::date_of_last_contact,
            patients::data,
            patients::vital_status,
        ))
        .load(conn)
}

/// Patient ids, keyset-paged; with `facility`, only patients with a tumor reported by it.
pub fn patient_ids(
    conn: &mut DbConn,
    facility: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> QResult<Vec<String>> {
    let mut q = patients::table.select(patients::id).into_boxed::<MultiBackend>();
    if let Some(f) = facility {
        q = q.filter(exists(
            tumors::table
                .filter(tumors::patient_id.eq(patients::id))
                .filter(tumors::reporting_facility.eq(f.to_string())),
        ));
    }
    if let Some(a) = after {
        q = q.filter(patients::id.gt(a.to_string()));
    }
    q.order(patients::id).limit(limit).load(conn)
}

/// (id, patient id number) of the given patients.
pub fn patient_numbers(conn: &mut DbConn, ids: &[String]) -> QResult<Vec<(String, String)>> {
    patients::table
        .filter(patients::id.eq_any(ids))
        .select((patients::id, patients::patient_id_number))
        .order(patients::id)
        .load(conn)
}

// --- tasks ----------------------------------------------------------------------------------------

fn insert_task(conn: &mut DbConn, row: &TaskRow) -> QResult<usize> {
    diesel::insert_into(followup_tasks::table).values(row).execute(conn)
}

/// Inserts `rows` with multi-row statements; a batch that hits a task already there (another run got
/// to it first) is retried row by row, skipping the duplicates. Returns how many were inserted.
pub fn insert_tasks(conn: &mut DbConn, rows: &[TaskRow]) -> QResult<usize> {
    let mut inserted = 0;
    // 18 columns a row: 1000 rows stay under SQLite's 32,766 bound values.
    for chunk in rows.chunks(1000) {
        let batch = match conn {
            DbConn::Postgres(_) => conn.transaction(|c| batch_insert_tasks(c, chunk)),
            DbConn::Sqlite(_) => batch_insert_tasks(conn, chunk),
        };
        match batch {
            Ok(n) => inserted += n,
            Err(e) if is_unique_violation(&e) => {
                for row in chunk {
                    if insert_ignoring_duplicate(conn, row)? {
                        inserted += 1;
                    }
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(inserted)
}

/// One multi-row INSERT; the shared backend cannot batch on SQLite, so each variant runs its own.
fn batch_insert_tasks(conn: &mut DbConn, chunk: &[TaskRow]) -> QResult<usize> {
    match conn {
        DbConn::Postgres(pg) => {
            diesel::insert_into(followup_tasks::table).values(chunk).execute(pg)
        }
        DbConn::Sqlite(sq) => diesel::insert_into(followup_tasks::table).values(chunk).execute(sq),
    }
}

/// Inserts one task; false when its cycle already has one. PostgreSQL needs a savepoint so that the
/// failed insert does not abort the enclosing transaction.
pub fn insert_ignoring_duplicate(conn: &mut DbConn, row: &TaskRow) -> QResult<bool> {
    insert_unless_taken(conn, |c| insert_task(c, row))
}

/// After a bulk load, refreshes PostgreSQL's planner statistics of `followup_tasks`, so the next
/// search for patients without a task probes the index instead of hashing the whole (once empty)
/// table; autovacuum would do it too, but later. SQLite plans by its indexes and needs nothing.
pub fn refresh_task_statistics(conn: &mut DbConn) -> QResult<()> {
    match conn {
        DbConn::Postgres(pg) => diesel::sql_query("ANALYZE followup_tasks").execute(pg).map(|_| ()),
        DbConn::Sqlite(_) => Ok(()),
    }
}

pub fn get_task(conn: &mut DbConn, id: &str) -> QResult<Option<TaskRow>> {
    followup_tasks::table.find(id).select(TaskRow::as_select()).first(conn).optional()
}

/// Worklist filters.
#[derive(Clone, Debug, Default)]
pub struct TaskFilter {
    pub states: Vec<String>,
    pub due_from: Option<NaiveDate>,
    pub due_before: Option<NaiveDate>,
    pub assignee: Option<String>,
    pub unassigned: bool,
    pub facility: Option<String>,
    pub patient_id: Option<String>,
    /// Tasks at this step of their letter sequence.
    pub letter_step: Option<i32>,
}

/// The order of the worklist; every order ends on the task id, so pages never overlap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TaskSort {
    /// Due date, oldest first.
    #[default]
    Due,
    /// Patient name (last, first).
    Name,
    /// Date of last contact, oldest first.
    LastContact,
}

/// Where the previous page ended: the last task's sort key and id.
#[derive(Clone, Debug)]
pub enum TaskCursor {
    Date(NaiveDate, String),
    Text(String, String),
}

/// The cursor a page that ended on task `id` continues from, in `sort` order.
pub fn task_cursor(conn: &mut DbConn, sort: TaskSort, id: &str) -> QResult<Option<TaskCursor>> {
    let q = followup_tasks::table.filter(followup_tasks::id.eq(id));
    Ok(match sort {
        TaskSort::Due => q
            .select(followup_tasks::due_on)
            .first(conn)
            .optional()?
            .map(|d| TaskCursor::Date(d, id.to_string())),
        TaskSort::LastContact => q
            .select(followup_tasks::anchor_on)
            .first(conn)
            .optional()?
            .map(|d| TaskCursor::Date(d, id.to_string())),
        TaskSort::Name => q
            .select(followup_tasks::patient_name)
            .first(conn)
            .optional()?
            .map(|n| TaskCursor::Text(n, id.to_string())),
    })
}

/// One worklist page. Each order walks an index (state, key, id), so a page costs the same at any
/// depth and registry size.
pub fn list_tasks(
    conn: &mut DbConn,
    f: &TaskFilter,
    sort: TaskSort,
    after: Option<&TaskCursor>,
    limit: i64,
) -> QResult<Vec<TaskRow>> {
    let mut q = followup_tasks::table.select(TaskRow::as_select()).into_boxed::<MultiBackend>();
    if !f.states.is_empty() {
        q = q.filter(followup_tasks::state.eq_any(f.states.clone()));
    }
    if let Some(d) = f.due_from {
        q = q.filter(followup_tasks::due_on.ge(d));
    }
    if let Some(d) = f.due_before {
        q = q.filter(followup_tasks::due_on.lt(d));
    }
    if let Some(a) = &f.assignee {
        q = q.filter(followup_tasks::assignee.eq(a.clone()));
    }
    if f.unassigned {
        q = q.filter(followup_tasks::assignee.is_null());
    }
    if let Some(v) = &f.facility {
        q = q.filter(followup_tasks::facility.eq(v.clone()));
    }
    if let Some(p) = &f.patient_id {
        q = q.filter(followup_tasks::patient_id.eq(p.clone()));
    }
    if let Some(step) = f.letter_step {
        q = q.filter(followup_tasks::letter_step.eq(step));
    }
    let id = followup_tasks::id;
    // Row values, `(key, id) > (?, ?)`: both backends start the index scan right after the cursor,
    // where an OR of two comparisons would make them scan from the top on every page.
    q = match after {
        Some(TaskCursor::Date(d, a)) => {
            let column = if sort == TaskSort::LastContact { "anchor_on" } else { "due_on" };
            q.filter(
                sql::<Bool>(&format!("(followup_tasks.{column}, followup_tasks.id) > ("))
                    .bind::<Date, _>(*d)
                    .sql(", ")
                    .bind::<Text, _>(a.clone())
                    .sql(")"),
            )
        }
        Some(TaskCursor::Text(n, a)) => q.filter(
            sql::<Bool>("(followup_tasks.patient_name, followup_tasks.id) > (")
                .bind::<Text, _>(n.clone())
                .sql(", ")
                .bind::<Text, _>(a.clone())
                .sql(")"),
        ),
        None => q,
    };
    q = match sort {
        TaskSort::Due => q.order((followup_tasks::due_on, id)),
        TaskSort::LastContact => q.order((followup_tasks::anchor_on, id)),
        TaskSort::Name => q.order((followup_tasks::patient_name, id)),
    };
    q.limit(limit).load(conn)
}

/// Copies a patient's name key to its tasks after the name changed.
pub fn rename_patient_tasks(conn: &mut DbConn, patient_id: &str, name: &str) -> QResult<()> {
    diesel::update(
        followup_tasks::table
            .filter(followup_tasks::patient_id.eq(patient_id))
            .filter(followup_tasks::patient_name.ne(name)),
    )
    .set(followup_tasks::patient_name.eq(name))
    .execute(conn)
    .map(|_| ())
}

/// Sets the earliest day the next letter of these tasks can be due (`None`: plan on the next run).
pub fn set_next_letter_on(
    conn: &mut DbConn,
    ids: &[String],
    day: Option<NaiveDate>,
) -> QResult<()> {
    for chunk in ids.chunks(5000) {
        diesel::update(followup_tasks::table.filter(followup_tasks::id.eq_any(chunk)))
            .set(followup_tasks::next_letter_on.eq(day))
            .execute(conn)?;
    }
    Ok(())
}

/// (patient id, site, histology, behavior) of the tumors of these patients, in tumor order.
pub type TumorCodes = (String, Option<String>, Option<String>, Option<String>);

pub fn tumor_codes_of_patients(conn: &mut DbConn, ids: &[String]) -> QResult<Vec<TumorCodes>> {
    tumors::table
        .filter(tumors::patient_id.eq_any(ids))
        .order(tumors::id)
        .select((tumors::patient_id, tumors::primary_site, tumors::histology, tumors::behavior))
        .load(conn)
}

/// Active (open, in progress or lost) tasks of one patient.
pub fn active_tasks_of_patient(conn: &mut DbConn, patient_id: &str) -> QResult<Vec<TaskRow>> {
    followup_tasks::table
        .filter(followup_tasks::patient_id.eq(patient_id))
        .filter(followup_tasks::state.ne("completed"))
        .order(followup_tasks::id)
        .select(TaskRow::as_select())
        .load(conn)
}

/// Open or in-progress tasks whose lost date has come: the mark-lost job re-checks them.
pub fn tasks_reaching_lost(
    conn: &mut DbConn,
    as_of: NaiveDate,
    range: &IdRange,
) -> QResult<Vec<TaskRow>> {
    let mut q = followup_tasks::table
        .filter(followup_tasks::state.eq_any(["open", "in_progress"]))
        .filter(followup_tasks::lost_on.le(as_of))
        .select(TaskRow::as_select())
        .into_boxed::<MultiBackend>();
    if let Some(a) = &range.after {
        q = q.filter(followup_tasks::id.gt(a.clone()));
    }
    if let Some(u) = &range.upto {
        q = q.filter(followup_tasks::id.le(u.clone()));
    }
    q.order(followup_tasks::id).load(conn)
}

/// Active tasks (open, in progress or lost) due on or before `as_of` whose next letter may be due,
/// for the letter run: oldest due first, keyset-paged on (due date, id) so a daily cap serves the
/// longest waiting first.
pub fn tasks_for_letters(
    conn: &mut DbConn,
    as_of: NaiveDate,
    after: Option<&(NaiveDate, String)>,
    limit: i64,
) -> QResult<Vec<TaskRow>> {
    let mut q = followup_tasks::table
        .filter(followup_tasks::state.eq_any(["open", "in_progress", "lost"]))
        .filter(followup_tasks::due_on.le(as_of))
        .filter(
            followup_tasks::next_letter_on.is_null().or(followup_tasks::next_letter_on.le(as_of)),
        )
        .select(TaskRow::as_select())
        .into_boxed::<MultiBackend>();
    if let Some((due, id)) = after {
        q = q.filter(
            followup_tasks::due_on
                .gt(*due)
                .or(followup_tasks::due_on.eq(*due).and(followup_tasks::id.gt(id.clone()))),
        );
    }
    q.order((followup_tasks::due_on, followup_tasks::id)).limit(limit).load(conn)
}

/// Records letters made for tasks: each moves to `letter_step`, and an open one to in progress.
pub fn advance_tasks(
    conn: &mut DbConn,
    ids: &[String],
    letter_step: i32,
    at: NaiveDateTime,
) -> QResult<()> {
    for chunk in ids.chunks(5000) {
        diesel::update(
            followup_tasks::table
                .filter(followup_tasks::id.eq_any(chunk))
                .filter(followup_tasks::state.ne("completed")),
        )
        .set((
            followup_tasks::letter_step.eq(letter_step),
            followup_tasks::version.eq(followup_tasks::version + 1),
            followup_tasks::updated_at.eq(at),
        ))
        .execute(conn)?;
        diesel::update(
            followup_tasks::table
                .filter(followup_tasks::id.eq_any(chunk))
                .filter(followup_tasks::state.eq("open")),
        )
        .set(followup_tasks::state.eq("in_progress"))
        .execute(conn)?;
    }
    Ok(())
}

/// Moves a task to `state` if it is still in `from`; bumps its version. `reason` says why a task
/// completed.
pub fn set_task_state(
    conn: &mut DbConn,
    id: &str,
    from: &str,
    state: &str,
    contact_id: Option<&str>,
    reason: Option<&str>,
    at: NaiveDateTime,
) -> QResult<bool> {
    let n = diesel::update(
        followup_tasks::table
            .filter(followup_tasks::id.eq(id))
            .filter(followup_tasks::state.eq(from)),
    )
    .set((
        followup_tasks::state.eq(state),
        followup_tasks::completed_by_contact_id.eq(contact_id.map(str::to_string)),
        followup_tasks::completed_reason.eq(reason.map(str::to_string)),
        followup_tasks::version.eq(followup_tasks::version + 1),
        followup_tasks::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn assign_task(
    conn: &mut DbConn,
    id: &str,
    expected_version: i32,
    assignee: Option<&str>,
    state: &str,
    at: NaiveDateTime,
) -> QResult<bool> {
    let n = diesel::update(
        followup_tasks::table
            .filter(followup_tasks::id.eq(id))
            .filter(followup_tasks::version.eq(expected_version)),
    )
    .set((
        followup_tasks::assignee.eq(assignee.map(str::to_string)),
        followup_tasks::state.eq(state),
        followup_tasks::version.eq(expected_version + 1),
        followup_tasks::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

// --- letters --------------------------------------------------------------------------------------

pub fn letters_of_tasks(conn: &mut DbConn, task_ids: &[String]) -> QResult<Vec<LetterRow>> {
    letters::table
        .filter(letters::task_id.eq_any(task_ids))
        .order(letters::id)
        .select(LetterRow::as_select())
        .load(conn)
}

/// Inserts a letter; false when its idempotency key is already taken.
pub fn insert_letter(conn: &mut DbConn, row: &LetterRow) -> QResult<bool> {
    insert_unless_taken(conn, |c| diesel::insert_into(letters::table).values(row).execute(c))
}

/// Paper letters made on `day` (any state): what counts against the day's cap.
pub fn print_letters_made_on(conn: &mut DbConn, day: NaiveDate) -> QResult<i64> {
    letters::table
        .filter(letters::channel.eq("print"))
        .filter(letters::send_on.eq(day))
        .count()
        .get_result(conn)
}

/// Cancels a task's letters not yet printed or sent.
pub fn cancel_letters_of_task(
    conn: &mut DbConn,
    task_id: &str,
    reason: &str,
    at: NaiveDateTime,
) -> QResult<usize> {
    diesel::update(
        letters::table
            .filter(letters::task_id.eq(task_id))
            .filter(letters::state.eq_any(["queued", "held"])),
    )
    .set((
        letters::state.eq("cancelled"),
        letters::cancel_reason.eq(Some(reason)),
        letters::updated_at.eq(at),
    ))
    .execute(conn)
}

/// Moves one letter from one of `from` to `to` (with a cancel reason); false when it is in none.
pub fn move_letter(
    conn: &mut DbConn,
    id: &str,
    from: &[&str],
    to: &str,
    reason: Option<&str>,
    at: NaiveDateTime,
) -> QResult<bool> {
    let n = diesel::update(
        letters::table.filter(letters::id.eq(id)).filter(letters::state.eq_any(from)),
    )
    .set((letters::state.eq(to), letters::cancel_reason.eq(reason), letters::updated_at.eq(at)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Replaces a letter's addressing and text (a corrected recipient) while it is not yet out.
pub fn rewrite_letter(
    conn: &mut DbConn,
    id: &str,
    new: &LetterRow,
    at: NaiveDateTime,
) -> QResult<bool> {
    let n = diesel::update(
        letters::table.filter(letters::id.eq(id)).filter(letters::state.eq_any(["queued", "held"])),
    )
    .set((
        letters::recipient_name.eq(&new.recipient_name),
        letters::recipient_address.eq(&new.recipient_address),
        letters::recipient_email.eq(&new.recipient_email),
        letters::subject.eq(&new.subject),
        letters::body.eq(&new.body),
        letters::content_hash.eq(&new.content_hash),
        letters::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Inserts `rows` with multi-row statements; a chunk that hits a key already taken (another run
/// got there first) is retried row by row, skipping the duplicates. Returns the rows inserted.
pub fn insert_letters<'a>(conn: &mut DbConn, rows: &'a [LetterRow]) -> QResult<Vec<&'a LetterRow>> {
    let mut inserted = Vec::with_capacity(rows.len());
    // 28 columns a row: 500 rows stay under both backends' limits on bound values.
    for chunk in rows.chunks(500) {
        let batch = match conn {
            DbConn::Postgres(_) => conn.transaction(|c| match c {
                DbConn::Postgres(pg) => {
                    diesel::insert_into(letters::table).values(chunk).execute(pg)
                }
                DbConn::Sqlite(sq) => diesel::insert_into(letters::table).values(chunk).execute(sq),
            }),
            DbConn::Sqlite(sq) => diesel::insert_into(letters::table).values(chunk).execute(sq),
        };
        match batch {
            Ok(_) => inserted.extend(chunk),
            Err(e) if is_unique_violation(&e) => {
                for row in chunk {
                    if insert_letter(conn, row)? {
                        inserted.push(row);
                    }
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(inserted)
}

pub fn get_letter(conn: &mut DbConn, id: &str) -> QResult<Option<LetterRow>> {
    letters::table.find(id).select(LetterRow::as_select()).first(conn).optional()
}

/// E-mail letters waiting in the outbox whose next attempt has come, oldest first.
pub fn outbox(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> QResult<Vec<LetterRow>> {
    letters::table
        .filter(letters::state.eq("queued"))
        .filter(letters::channel.eq("email"))
        .filter(letters::next_attempt_at.le(now))
        .order((letters::next_attempt_at, letters::id))
        .limit(limit)
        .select(LetterRow::as_select())
        .load(conn)
}

/// Records a delivery; only a queued letter can become sent.
pub fn mark_sent(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QResult<bool> {
    let n = diesel::update(
        letters::table.filter(letters::id.eq(id)).filter(letters::state.eq("queued")),
    )
    .set((
        letters::state.eq("sent"),
        letters::sent_at.eq(Some(at)),
        letters::attempts.eq(letters::attempts + 1),
        letters::last_error.eq(None::<String>),
        letters::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Records a failed attempt: the letter stays queued until `next_attempt_at`, or fails for good.
pub fn mark_attempt_failed(
    conn: &mut DbConn,
    id: &str,
    state: &str,
    error: &str,
    next_attempt_at: NaiveDateTime,
    at: NaiveDateTime,
) -> QResult<bool> {
    let n = diesel::update(
        letters::table.filter(letters::id.eq(id)).filter(letters::state.eq("queued")),
    )
    .set((
        letters::state.eq(state),
        letters::attempts.eq(letters::attempts + 1),
        letters::last_error.eq(Some(error.to_string())),
        letters::next_attempt_at.eq(next_attempt_at),
        letters::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn mark_printed(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QResult<bool> {
    let n = diesel::update(
        letters::table
            .filter(letters::id.eq(id))
            .filter(letters::state.eq("queued"))
            .filter(letters::channel.eq("print")),
    )
    .set((
        letters::state.eq("printed"),
        letters::printed_at.eq(Some(at)),
        letters::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn mark_replied(
    conn: &mut DbConn,
    id: &str,
    contact_id: &str,
    at: NaiveDateTime,
) -> QResult<bool> {
    let n = diesel::update(
        letters::table
            .filter(letters::id.eq(id))
            .filter(letters::state.eq_any(["queued", "sent", "printed"])),
    )
    .set((
        letters::state.eq("replied"),
        letters::replied_at.eq(Some(at)),
        letters::reply_contact_id.eq(Some(contact_id.to_string())),
        letters::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Names the contact recorded from a letter's reply.
pub fn set_reply_contact(conn: &mut DbConn, id: &str, contact_id: &str) -> QResult<()> {
    diesel::update(letters::table.find(id))
        .set(letters::reply_contact_id.eq(Some(contact_id)))
        .execute(conn)
        .map(|_| ())
}

#[derive(Clone, Debug, Default)]
pub struct LetterFilter {
    pub state: Option<String>,
    pub channel: Option<String>,
    pub task_id: Option<String>,
    pub patient_id: Option<String>,
    /// The print batch of this day: queued paper letters made on or before it.
    pub print_batch: Option<NaiveDate>,
}

pub fn list_letters(
    conn: &mut DbConn,
    f: &LetterFilter,
    after: Option<&str>,
    limit: i64,
) -> QResult<Vec<LetterRow>> {
    let mut q = letters::table.select(LetterRow::as_select()).into_boxed::<MultiBackend>();
    if let Some(v) = &f.state {
        q = q.filter(letters::state.eq(v.clone()));
    }
    if let Some(v) = &f.channel {
        q = q.filter(letters::channel.eq(v.clone()));
    }
    if let Some(v) = &f.task_id {
        q = q.filter(letters::task_id.eq(v.clone()));
    }
    if let Some(v) = &f.patient_id {
        q = q.filter(letters::patient_id.eq(v.clone()));
    }
    if let Some(day) = f.print_batch {
        q = q
            .filter(letters::state.eq("queued"))
            .filter(letters::channel.eq("print"))
            .filter(letters::send_on.le(day));
    }
    if let Some(a) = after {
        q = q.filter(letters::id.gt(a.to_string()));
    }
    q.order(letters::id).limit(limit).load(conn)
}

/// Printed letters not yet printed that are due on or before `on`.
pub fn print_queue(conn: &mut DbConn, on: NaiveDate, limit: i64) -> QResult<Vec<LetterRow>> {
    letters::table
        .filter(letters::state.eq("queued"))
        .filter(letters::channel.eq("print"))
        .filter(letters::send_on.le(on))
        .order(letters::id)
        .limit(limit)
        .select(LetterRow::as_select())
        .load(conn)
}

// --- job runs and the lease -----------------------------------------------------------------------

/// Records the start of a run; false when this job already ran (or runs) for this period.
pub fn start_run(conn: &mut DbConn, row: &JobRunRow) -> QResult<bool> {
    insert_unless_taken(conn, |c| diesel::insert_into(job_runs::table).values(row).execute(c))
}

pub fn finish_run(
    conn: &mut DbConn,
    id: &str,
    state: &str,
    counts: &str,
    error: Option<&str>,
    at: NaiveDateTime,
) -> QResult<()> {
    diesel::update(job_runs::table.find(id))
        .set((
            job_runs::state.eq(state),
            job_runs::counts.eq(counts),
            job_runs::error.eq(error.map(str::to_string)),
            job_runs::finished_at.eq(Some(at)),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn list_runs(
    conn: &mut DbConn,
    job: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> QResult<Vec<JobRunRow>> {
    let mut q = job_runs::table.select(JobRunRow::as_select()).into_boxed::<MultiBackend>();
    if let Some(j) = job {
        q = q.filter(job_runs::job.eq(j.to_string()));
    }
    if let Some(a) = after {
        q = q.filter(job_runs::id.lt(a.to_string()));
    }
    q.order(job_runs::id.desc()).limit(limit).load(conn)
}

/// Takes the lease of `job` for `holder` until `until`, if nobody else holds an unexpired one.
pub fn acquire_lease(
    conn: &mut DbConn,
    job: &str,
    holder: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> QResult<bool> {
    let taken = diesel::update(
        job_leases::table
            .filter(job_leases::job.eq(job))
            .filter(job_leases::expires_at.lt(now).or(job_leases::holder.eq(holder))),
    )
    .set((job_leases::holder.eq(holder), job_leases::expires_at.eq(until)))
    .execute(conn)?;
    if taken == 1 {
        return Ok(true);
    }
    insert_unless_taken(conn, |c| {
        diesel::insert_into(job_leases::table)
            .values((
                job_leases::job.eq(job),
                job_leases::holder.eq(holder),
                job_leases::expires_at.eq(until),
            ))
            .execute(c)
    })
}

pub fn release_lease(conn: &mut DbConn, job: &str, holder: &str) -> QResult<()> {
    diesel::delete(
        job_leases::table.filter(job_leases::job.eq(job)).filter(job_leases::holder.eq(holder)),
    )
    .execute(conn)
    .map(|_| ())
}
