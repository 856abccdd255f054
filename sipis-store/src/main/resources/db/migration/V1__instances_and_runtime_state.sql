-- SIPIS schema, version 1. Documented table by table in docs/store.md.
-- Selectors are upper-case hex text with COLLATE "C" so that the shard bounds from
-- Shard.ranges() (selector >= lower AND selector < upper) are index range scans.
-- Secrets (SIP password, app-leg secret, message bodies) are stored only as SipisKey
-- envelopes "v1.<key id>.<data>"; the context binds each to its selector and field.

CREATE TABLE instances (
    selector          text COLLATE "C" PRIMARY KEY,
    app_id            text        NOT NULL,
    premium           boolean     NOT NULL DEFAULT false,
    last_app_contact  timestamptz NOT NULL,
    app_foreground    boolean     NOT NULL DEFAULT false,
    app_secret_sealed text        NOT NULL,
    sip_user          text        NOT NULL,
    sip_auth_user     text        NOT NULL,
    sip_password_sealed text      NOT NULL,
    sip_domain        text        NOT NULL,
    sip_proxy         text,
    sip_port          integer     NOT NULL DEFAULT 0 CHECK (sip_port BETWEEN 0 AND 65535),
    sip_transport     text        NOT NULL CHECK (sip_transport IN ('UDP', 'TCP', 'TLS')),
    sip_display_name  text        NOT NULL DEFAULT '',
    sip_expires_seconds integer   CHECK (sip_expires_seconds > 0),
    created_at        timestamptz NOT NULL DEFAULT now(),
    changed_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (selector = upper(selector) AND selector <> '')
);
-- The safety-net poll looks for registrations changed since its last run.
CREATE INDEX instances_changed_at ON instances (changed_at);

CREATE TABLE device_tokens (
    selector   text COLLATE "C" NOT NULL REFERENCES instances (selector) ON DELETE CASCADE,
    platform   text        NOT NULL CHECK (platform IN ('APNS', 'FCM', 'PNM')),
    kind       text        NOT NULL CHECK (kind IN ('INCOMING_CALL', 'OTHER')),
    app_id     text        NOT NULL,
    token      text        NOT NULL,
    last_seen  timestamptz NOT NULL,
    position   smallint    NOT NULL DEFAULT 0,
    PRIMARY KEY (selector, kind, token)
);
CREATE INDEX device_tokens_token ON device_tokens (token);

-- Runtime state per instance and server name, written behind by its owner. No foreign key:
-- a queued write may land after the instance was deleted; loading joins on instances.
CREATE TABLE instance_states (
    selector         text COLLATE "C" NOT NULL,
    server_name      text        NOT NULL,
    state            text        NOT NULL CHECK (state IN ('IDLE', 'REGISTERING', 'REGISTERED', 'UNAUTHORIZED', 'ERROR', 'OFF')),
    reason           text        NOT NULL DEFAULT '',
    registered_until timestamptz,
    contact          text,
    call_id          text        NOT NULL,
    cseq             bigint      NOT NULL,
    changed_at       timestamptz NOT NULL,
    written_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (selector, server_name)
);

CREATE TABLE calls (
    id           bigserial PRIMARY KEY,
    selector     text COLLATE "C" NOT NULL REFERENCES instances (selector) ON DELETE CASCADE,
    server_name  text        NOT NULL,
    call_id      text        NOT NULL,
    caller       text        NOT NULL,
    caller_name  text        NOT NULL DEFAULT '',
    status       text        NOT NULL CHECK (status IN ('PENDING', 'ANSWERED', 'MISSED')),
    received_at  timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    UNIQUE (selector, call_id)
);
CREATE INDEX calls_selector ON calls (selector, received_at);

CREATE TABLE text_messages (
    id           bigserial PRIMARY KEY,
    selector     text COLLATE "C" NOT NULL REFERENCES instances (selector) ON DELETE CASCADE,
    sender       text        NOT NULL,
    body_sealed  text        NOT NULL,
    content_type text        NOT NULL DEFAULT 'text/plain',
    received_at  timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL
);
CREATE INDEX text_messages_selector ON text_messages (selector, received_at);

CREATE TABLE push_tests (
    id           bigserial PRIMARY KEY,
    selector     text COLLATE "C" NOT NULL REFERENCES instances (selector) ON DELETE CASCADE,
    kind         text        NOT NULL CHECK (kind IN ('INCOMING_CALL', 'OTHER')),
    requested_at timestamptz NOT NULL,
    sent_at      timestamptz,
    result       text
);
CREATE INDEX push_tests_selector ON push_tests (selector, requested_at);

CREATE TABLE badge_counts (
    selector   text COLLATE "C" PRIMARY KEY REFERENCES instances (selector) ON DELETE CASCADE,
    missed_calls integer NOT NULL DEFAULT 0 CHECK (missed_calls >= 0),
    messages     integer NOT NULL DEFAULT 0 CHECK (messages >= 0),
    changed_at timestamptz NOT NULL
);
