//! Table definitions shared by both backends (portable column types only).

diesel::table! {
    api_tokens (id) {
        id -> Text,
        name -> Text,
        role -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Text,
        failed_sign_ins -> Integer,
        locked_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        disabled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        csrf_token -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        at -> Timestamp,
        actor_token_id -> Nullable<Text>,
        actor_name -> Text,
        operation -> Text,
        status -> Nullable<Integer>,
        records -> Text,
    }
}

diesel::table! {
    patients (id) {
        id -> Text,
        version -> Integer,
        patient_id_number -> Text,
        name_search -> Text,
        date_of_last_contact -> Nullable<Text>,
        vital_status -> Text,
        data -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        items -> Nullable<Text>,
        findings -> Nullable<Text>,
        edit_status -> Text,
        created_by -> Text,
        date_of_birth -> Nullable<Text>,
        ssn_last_four -> Nullable<Text>,
    }
}

diesel::table! {
    tumors (id) {
        id -> Text,
        patient_id -> Text,
        version -> Integer,
        primary_site -> Nullable<Text>,
        histology -> Nullable<Text>,
        behavior -> Nullable<Text>,
        diagnosis_year -> Nullable<Integer>,
        class_of_case -> Nullable<Text>,
        reporting_facility -> Nullable<Text>,
        data -> Text,
        findings -> Nullable<Text>,
        edit_status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        items -> Nullable<Text>,
        created_by -> Text,
    }
}

diesel::table! {
    treatments (id) {
        id -> Text,
        tumor_id -> Text,
        version -> Integer,
        modality -> Text,
        data -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    contacts (id) {
        id -> Text,
        patient_id -> Text,
        version -> Integer,
        contact_date -> Text,
        vital_status -> Text,
        data -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    contact_tumors (contact_id, tumor_id) {
        contact_id -> Text,
        tumor_id -> Text,
        cancer_status -> Text,
    }
}

diesel::table! {
    edit_runs (id) {
        id -> Text,
        started_at -> Timestamp,
        finished_at -> Timestamp,
        actor_name -> Text,
        rule_set -> Text,
        filters -> Text,
        tumors_checked -> BigInt,
        tumors_failing -> BigInt,
        counts -> Text,
    }
}

diesel::table! {
    edit_run_failures (run_id, tumor_id) {
        run_id -> Text,
        tumor_id -> Text,
        patient_id -> Text,
        findings -> Text,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(edit_run_failures -> edit_runs (run_id));

diesel::table! {
    submissions (id) {
        id -> Text,
        created_at -> Timestamp,
        actor_token_id -> Nullable<Text>,
        actor_name -> Text,
        record_type -> Text,
        naaccr_version -> Text,
        filters -> Text,
        patient_count -> BigInt,
        tumor_count -> BigInt,
        excluded_count -> BigInt,
        byte_count -> BigInt,
        sha256 -> Text,
        file_name -> Text,
        skipped -> Text,
        voided_at -> Nullable<Timestamp>,
        voided_by -> Nullable<Text>,
        void_reason -> Nullable<Text>,
    }
}

diesel::table! {
    followup_tasks (id) {
        id -> Text,
        patient_id -> Text,
        cycle_key -> Text,
        last_contact -> Text,
        anchor_on -> Date,
        due_on -> Date,
        lost_on -> Date,
        state -> Text,
        assignee -> Nullable<Text>,
        facility -> Nullable<Text>,
        version -> Integer,
        completed_by_contact_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        letter_step -> Integer,
        completed_reason -> Nullable<Text>,
        patient_name -> Text,
        next_letter_on -> Nullable<Date>,
    }
}

diesel::table! {
    export_forms (patient_id) {
        patient_id -> Text,
        form -> Binary,
        passes -> Bool,
        checked_on -> Date,
    }
}

diesel::table! {
    submission_tumors (tumor_id, submission_id) {
        submission_id -> Text,
        tumor_id -> Text,
        tumor_version -> Integer,
        content_hash -> Text,
        included -> Bool,
        reasons -> Nullable<Text>,
    }
}

diesel::table! {
    letters (id) {
        id -> Text,
        task_id -> Text,
        patient_id -> Text,
        idempotency_key -> Text,
        step_index -> Integer,
        recipient -> Text,
        recipient_email -> Nullable<Text>,
        channel -> Text,
        template -> Text,
        subject -> Text,
        body -> Text,
        content_hash -> Text,
        state -> Text,
        send_on -> Date,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        printed_at -> Nullable<Timestamp>,
        replied_at -> Nullable<Timestamp>,
        reply_contact_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        round -> Integer,
        cancel_reason -> Nullable<Text>,
        recipient_name -> Nullable<Text>,
        recipient_address -> Text,
        letterhead -> Text,
    }
}

diesel::table! {
    job_runs (id) {
        id -> Text,
        job -> Text,
        period -> Text,
        as_of -> Date,
        triggered_by -> Text,
        holder -> Text,
        state -> Text,
        counts -> Text,
        error -> Nullable<Text>,
        started_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    job_leases (job) {
        job -> Text,
        holder -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    record_changes (entity_id, id) {
        id -> Text,
        entity -> Text,
        entity_id -> Text,
        patient_id -> Text,
        version -> Integer,
        action -> Text,
        at -> Timestamp,
        actor_token_id -> Nullable<Text>,
        actor_name -> Text,
        field -> Nullable<Text>,
        old_value -> Nullable<Text>,
        new_value -> Nullable<Text>,
    }
}

diesel::table! {
    tumor_tombstones (tumor_id) {
        tumor_id -> Text,
        patient_id -> Text,
        patient_id_number -> Text,
        reporting_facility -> Nullable<Text>,
        keys -> Text,
        deleted_at -> Timestamp,
        actor_name -> Text,
        reported_in -> Nullable<Text>,
    }
}

diesel::table! {
    imports (id) {
        id -> Text,
        created_at -> Timestamp,
        actor_token_id -> Nullable<Text>,
        actor_name -> Text,
        file_name -> Nullable<Text>,
        byte_count -> BigInt,
        status -> Text,
        refused_reason -> Nullable<Text>,
        format -> Nullable<Text>,
        record_type -> Nullable<Text>,
        naaccr_version -> Nullable<Text>,
        patients_read -> BigInt,
        patients_created -> BigInt,
        patients_updated -> BigInt,
        patients_unchanged -> BigInt,
        patients_rejected -> BigInt,
        tumors_read -> BigInt,
        report -> Nullable<Text>,
        updated_at -> Nullable<Timestamp>,
        cancel_requested -> Bool,
    }
}

diesel::joinable!(tumors -> patients (patient_id));
diesel::joinable!(export_forms -> patients (patient_id));
diesel::joinable!(submission_tumors -> submissions (submission_id));
diesel::joinable!(treatments -> tumors (tumor_id));
diesel::joinable!(contacts -> patients (patient_id));
diesel::joinable!(contact_tumors -> contacts (contact_id));
diesel::joinable!(contact_tumors -> tumors (tumor_id));
diesel::joinable!(followup_tasks -> patients (patient_id));
diesel::joinable!(letters -> followup_tasks (task_id));
diesel::joinable!(letters -> patients (patient_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_tokens,
    audit_events,
    users,
    sessions,
    export_forms,
    patients,
    tumors,
    treatments,
    contacts,
    contact_tumors,
    edit_runs,
    edit_run_failures,
    submissions,
    submission_tumors,
    followup_tasks,
    letters,
    job_runs,
    job_leases,
    record_changes,
    tumor_tombstones,
    imports,
);

diesel::table! {
    registry_settings (name) {
        name -> Text,
        data -> Text,
        version -> Integer,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}
