-- ferryd's users, one row per user: what the users file holds for each (see UserEntry).
-- Sizes are kept as written ('10G'), as in the file, so that 'ferryd user list' shows them back.
CREATE TABLE ferry_user (
    name                 text PRIMARY KEY,
    root                 text NOT NULL,
    password_hash        text,
    authorized_keys      text[] NOT NULL DEFAULT '{}',
    authorized_keys_file text,
    read_only            boolean NOT NULL DEFAULT false,
    umask                text,
    allow_links          boolean NOT NULL DEFAULT false,
    quota_bytes          text,
    quota_files          bigint CHECK (quota_files >= 0),
    upload_rate          text,
    download_rate        text,
    max_sessions         integer CHECK (max_sessions >= 0),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
