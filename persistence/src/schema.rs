// The tables of migrations/*/…_foundation, shared by both backends.

diesel::table! {
    jurisdictions (code) {
        code -> Text,
        name -> Text,
        parent_code -> Nullable<Text>,
    }
}

diesel::table! {
    departments (code) {
        code -> Text,
        name -> Text,
        jurisdiction_code -> Text,
        role -> Text,
    }
}

diesel::table! {
    subjects (id) {
        id -> Text,
        code -> Text,
        check_exception -> Bool,
        kind -> Text,
        name -> Text,
        jurisdiction_code -> Text,
        representative_name -> Nullable<Text>,
        representative_id_number -> Nullable<Text>,
        registered_by -> Text,
        created_at -> Timestamp,
        established_on -> Nullable<Date>,
    }
}

diesel::table! {
    list_types (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        colour -> Text,
        owner_department -> Nullable<Text>,
        default_period_months -> Integer,
        legal_basis -> Text,
        description -> Text,
        created_at -> Timestamp,
        owner_role -> Nullable<Text>,
        max_period_months -> Nullable<Integer>,
        removal_grounds -> Nullable<Text>,
        removal_working_days -> Nullable<Integer>,
        no_repair_basis -> Nullable<Text>,
    }
}

diesel::table! {
    list_entries (id) {
        id -> Text,
        subject_id -> Text,
        list_type_id -> Text,
        reason -> Text,
        basis_document -> Text,
        start_date -> Date,
        end_date -> Date,
        status -> Text,
        revocation_reason -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        idempotency_key -> Nullable<Text>,
        relisted_after_repair -> Bool,
        removal_ground -> Nullable<Text>,
        removal_basis -> Nullable<Text>,
        ground_arisen_on -> Nullable<Date>,
        remove_by -> Nullable<Date>,
        removed_on -> Nullable<Date>,
    }
}

diesel::table! {
    repairs (id) {
        id -> Text,
        subject_id -> Text,
        target_kind -> Text,
        entry_id -> Nullable<Text>,
        record_id -> Nullable<Text>,
        owner_department -> Text,
        rectification -> Text,
        commitment -> Text,
        attachments -> Text,
        status -> Text,
        applied_on -> Date,
        decided_by -> Nullable<Text>,
        decision_reason -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    repair_rules (target) {
        target -> Text,
        allowed -> Bool,
        min_months -> Integer,
        required_attachments -> Text,
        relist_window_months -> Integer,
    }
}

diesel::table! {
    credit_records (id) {
        id -> Text,
        subject_id -> Text,
        kind -> Text,
        title -> Text,
        decision_number -> Text,
        decision_date -> Date,
        publication_date -> Date,
        legal_basis -> Text,
        content -> Text,
        source_department -> Text,
        dishonesty_class -> Nullable<Text>,
        publicity_end -> Nullable<Date>,
        created_at -> Timestamp,
        version -> Integer,
        withdrawn_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    objections (id) {
        id -> Text,
        receipt -> Text,
        query_code_hash -> Text,
        subject_id -> Text,
        target_kind -> Text,
        entry_id -> Nullable<Text>,
        record_id -> Nullable<Text>,
        owner_department -> Text,
        reason -> Text,
        contact -> Text,
        evidence -> Text,
        status -> Text,
        filed_on -> Date,
        accept_by -> Nullable<Date>,
        decide_by -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    objection_steps (objection_id, seq) {
        objection_id -> Text,
        seq -> Integer,
        status -> Text,
        actor -> Text,
        note -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    objection_deadlines (target) {
        target -> Text,
        accept_working_days -> Integer,
        decide_working_days -> Integer,
    }
}

diesel::table! {
    credit_record_versions (record_id, version) {
        record_id -> Text,
        version -> Integer,
        title -> Text,
        content -> Text,
        legal_basis -> Text,
        publicity_end -> Nullable<Date>,
        replaced_at -> Timestamp,
        objection_id -> Nullable<Text>,
    }
}

diesel::table! {
    correction_notices (id) {
        id -> Text,
        objection_id -> Text,
        subject_id -> Text,
        target_kind -> Text,
        target_id -> Text,
        title -> Text,
        body -> Text,
        published_at -> Timestamp,
    }
}

diesel::table! {
    memoranda (id) {
        id -> Text,
        key -> Text,
        current_version_id -> Text,
        retired_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    memorandum_versions (id) {
        id -> Text,
        memorandum_id -> Text,
        version -> Integer,
        title -> Text,
        document_number -> Text,
        issued_by -> Text,
        effective_date -> Date,
        list_types -> Text,
        feedback_due_quarters -> Integer,
        lift_working_days -> Integer,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    measures (id) {
        id -> Text,
        version_id -> Text,
        position -> Integer,
        code -> Text,
        name -> Text,
        kind -> Text,
        category -> Text,
        legal_basis -> Text,
        scope -> Text,
        reaches -> Text,
        implementers -> Text,
    }
}

diesel::table! {
    entry_memoranda (entry_id, version_id) {
        entry_id -> Text,
        version_id -> Text,
    }
}

diesel::table! {
    dispatches (id) {
        id -> Text,
        entry_id -> Text,
        measure_id -> Text,
        version_id -> Text,
        department_code -> Text,
        status -> Text,
        created_at -> Timestamp,
        created_on -> Date,
        acknowledge_by -> Nullable<Date>,
        feedback_due -> Date,
        acknowledged_at -> Nullable<Timestamp>,
        answered_at -> Nullable<Timestamp>,
        answered_on -> Nullable<Date>,
        cancelled_at -> Nullable<Timestamp>,
        cancel_reason -> Nullable<Text>,
        suspended_by -> Nullable<Text>,
    }
}

diesel::table! {
    feedback (dispatch_id) {
        dispatch_id -> Text,
        outcome -> Text,
        business -> Text,
        note -> Text,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    checks (id) {
        id -> Text,
        department_code -> Text,
        subject_code -> Text,
        subject_id -> Nullable<Text>,
        business -> Text,
        result -> Text,
        created_at -> Timestamp,
        created_on -> Date,
    }
}

diesel::table! {
    audit_log (seq) {
        seq -> BigInt,
        at -> Timestamp,
        request_id -> Text,
        actor -> Text,
        department -> Nullable<Text>,
        action -> Text,
        target -> Text,
        outcome -> Text,
        digest -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    changes (seq) {
        seq -> BigInt,
        at -> Timestamp,
        target -> Text,
        action -> Text,
        target_id -> Text,
        subject_id -> Text,
        subject_code -> Text,
        department -> Nullable<Text>,
    }
}

diesel::table! {
    lookups (subject_id, id) {
        id -> Text,
        at -> Timestamp,
        subject_id -> Text,
        department -> Text,
        via -> Text,
        purpose -> Nullable<Text>,
    }
}

diesel::table! {
    authorisations (id) {
        id -> Text,
        subject_id -> Text,
        bank -> Text,
        purpose -> Text,
        valid_from -> Date,
        valid_until -> Date,
        granted_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Text,
        owner -> Text,
        url -> Text,
        secret -> Text,
        events -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        endpoint_id -> Text,
        event -> Text,
        payload -> Text,
        created_at -> Timestamp,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        leased_until -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> Text,
        delivery_id -> Text,
        at -> Timestamp,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> Integer,
    }
}

diesel::table! {
    watches (id) {
        id -> Text,
        bank -> Text,
        subject_id -> Text,
        since -> Timestamp,
        ended_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    watch_events (bank, seq) {
        bank -> Text,
        seq -> BigInt,
    }
}

diesel::table! {
    partners (id) {
        id -> Text,
        client_id -> Text,
        name -> Text,
        scopes -> Text,
        rate_per_second -> Integer,
        burst -> Integer,
        secret -> Nullable<Text>,
        public_key_pem -> Nullable<Text>,
        status -> Text,
        created_at -> Timestamp,
        suspended_at -> Nullable<Timestamp>,
        suspension_reason -> Nullable<Text>,
    }
}

diesel::table! {
    partner_usage (partner_id, day) {
        partner_id -> Text,
        day -> Date,
        requests -> BigInt,
    }
}

diesel::table! {
    commitments (id) {
        id -> Text,
        subject_id -> Text,
        kind -> Text,
        text -> Text,
        scope -> Text,
        department -> Text,
        valid_from -> Date,
        valid_until -> Date,
        made_at -> Timestamp,
        status -> Text,
        assessed_at -> Nullable<Timestamp>,
        note -> Nullable<Text>,
        record_id -> Nullable<Text>,
    }
}

diesel::table! {
    associations (code) {
        code -> Text,
    }
}

diesel::table! {
    nominations (id) {
        id -> Text,
        association -> Text,
        subject_id -> Text,
        list_type_id -> Text,
        reason -> Text,
        status -> Text,
        created_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
        entry_id -> Nullable<Text>,
    }
}

diesel::table! {
    commitment_criteria (list_type_id) {
        list_type_id -> Text,
        broken -> Integer,
        within_months -> Integer,
    }
}

diesel::table! {
    listing_candidates (id) {
        id -> Text,
        subject_id -> Text,
        list_type_id -> Text,
        reason -> Text,
        commitment_ids -> Text,
        status -> Text,
        created_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<Text>,
        decision_note -> Nullable<Text>,
        entry_id -> Nullable<Text>,
    }
}

diesel::table! {
    typical_cases (id) {
        id -> Text,
        dispatch_id -> Text,
        department -> Text,
        subject_id -> Text,
        kind -> Text,
        title -> Text,
        summary -> Text,
        status -> Text,
        proposed_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
        withdrawn_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    complaints (id) {
        id -> Text,
        receipt -> Text,
        query_code_hash -> Text,
        category -> Text,
        about -> Nullable<Text>,
        description -> Text,
        contact -> Nullable<Text>,
        status -> Text,
        filed_on -> Date,
        route_by -> Nullable<Date>,
        routed_to -> Nullable<Text>,
        answer_by -> Nullable<Date>,
        answer -> Nullable<Text>,
        conclusion -> Nullable<Text>,
        filed_at -> Timestamp,
        updated_at -> Timestamp,
        routed_on -> Nullable<Date>,
    }
}

diesel::table! {
    lifts (id) {
        id -> Text,
        dispatch_id -> Text,
        department_code -> Text,
        ground -> Text,
        requested_at -> Timestamp,
        requested_on -> Date,
        working_days -> Integer,
        lift_by -> Nullable<Date>,
        confirmed_at -> Nullable<Timestamp>,
        confirmed_on -> Nullable<Date>,
        business -> Nullable<Text>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    green_channel_rules (id) {
        id -> Integer,
        clean_years -> Integer,
        count_minor_penalties -> Bool,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    demo_keys (name) {
        name -> Text,
        value -> Text,
        made_at -> Timestamp,
    }
}

diesel::table! {
    working_calendar_years (year) {
        year -> Integer,
        off_days -> Text,
        work_days -> Text,
        source -> Text,
        loaded_at -> Timestamp,
        revision -> BigInt,
    }
}

diesel::joinable!(list_entries -> subjects (subject_id));
diesel::joinable!(watches -> subjects (subject_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::joinable!(list_entries -> list_types (list_type_id));
diesel::joinable!(credit_records -> subjects (subject_id));
diesel::joinable!(memorandum_versions -> memoranda (memorandum_id));
diesel::joinable!(measures -> memorandum_versions (version_id));
diesel::joinable!(dispatches -> list_entries (entry_id));
diesel::joinable!(dispatches -> measures (measure_id));
diesel::joinable!(feedback -> dispatches (dispatch_id));
diesel::joinable!(lifts -> dispatches (dispatch_id));

diesel::allow_tables_to_appear_in_same_query!(
    jurisdictions,
    departments,
    subjects,
    list_types,
    list_entries,
    credit_records,
    memoranda,
    memorandum_versions,
    measures,
    entry_memoranda,
    dispatches,
    feedback,
    checks,
    objections,
    objection_steps,
    objection_deadlines,
    credit_record_versions,
    correction_notices,
    audit_log,
    changes,
    lookups,
    authorisations,
    repairs,
    repair_rules,
    webhook_endpoints,
    webhook_deliveries,
    webhook_attempts,
    watches,
    watch_events,
    partners,
    partner_usage,
    commitments,
    associations,
    nominations,
    commitment_criteria,
    listing_candidates,
    typical_cases,
    complaints,
    working_calendar_years,
    lifts,
    green_channel_rules,
    demo_keys,
);
