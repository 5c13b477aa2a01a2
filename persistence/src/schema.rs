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
    }
}

diesel::table! {
    list_types (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        colour -> Text,
        owner_department -> Text,
        default_period_months -> Integer,
        legal_basis -> Text,
        description -> Text,
        created_at -> Timestamp,
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
    }
}

diesel::joinable!(list_entries -> subjects (subject_id));
diesel::joinable!(list_entries -> list_types (list_type_id));
diesel::joinable!(credit_records -> subjects (subject_id));

diesel::allow_tables_to_appear_in_same_query!(
    jurisdictions,
    departments,
    subjects,
    list_types,
    list_entries,
    credit_records,
);
