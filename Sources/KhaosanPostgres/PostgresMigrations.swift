import Logging
import PostgresNIO

/// The archive's schema in PostgreSQL, one numbered step at a time, recorded in
/// `khaosan_migrations`. Steps run in one transaction under an advisory lock, so nodes starting
/// together migrate once; a database whose schema is newer than this binary is refused.
enum PostgresMigrations {
    /// `pg_advisory_xact_lock` key for migrations ("khaosanM").
    static let lockKey: Int64 = 0x6b68_616f_7361_6e4d

    static let steps: [(version: Int64, name: String, sql: [String])] = [
        (1, "archive", [
            // Every stored version whole (the Release as JSON), the current one included: the
            // change feed hands a follower exactly the version a change stored.
            """
            CREATE TABLE release_versions (
                release_id bigint NOT NULL,
                version bigint NOT NULL,
                content_hash text NOT NULL,
                stored_at timestamptz NOT NULL,
                release bytea NOT NULL,
                PRIMARY KEY (release_id, version)
            )
            """,
            // The current version of each release, with the fields an operator filters on.
            """
            CREATE TABLE releases (
                id bigint PRIMARY KEY,
                version bigint NOT NULL,
                content_hash text NOT NULL,
                stored_at timestamptz NOT NULL,
                published date NOT NULL,
                language text NOT NULL,
                category_name text NOT NULL,
                source_url text NOT NULL,
                FOREIGN KEY (id, version) REFERENCES release_versions (release_id, version)
            )
            """,
            // Per ingester source, the highest journal sequence applied: batches are idempotent
            // per (source, sequence).
            """
            CREATE TABLE positions (
                source text PRIMARY KEY,
                applied_sequence bigint NOT NULL
            )
            """,
            // One row per stored version change, in commit order (writers hold an advisory
            // lock from their first change to their commit, so sequences commit in order and a
            // reader never sees a later one before an earlier one).
            """
            CREATE TABLE changes (
                seq bigserial PRIMARY KEY,
                release_id bigint NOT NULL,
                version bigint NOT NULL,
                updated boolean NOT NULL,
                stored_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                FOREIGN KEY (release_id, version) REFERENCES release_versions (release_id, version)
            )
            """,
        ]),
        // Saved searches shared by every node (issue 17's definitions; each node keeps its own
        // last-run position, since positions are its local copy's).
        (2, "saved-searches", [
            """
            CREATE TABLE saved_searches (
                uid bigint NOT NULL,
                name text NOT NULL,
                query text NOT NULL,
                from_days bigint,
                to_days bigint,
                categories text NOT NULL,
                language text,
                whole_words boolean NOT NULL,
                created_at bigint NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                PRIMARY KEY (uid, name)
            )
            """,
        ]),
    ]

    static var latest: Int64 { steps.last!.version }

    /// Brings the schema up to `latest` (or, with `migrate` false, as on a hot standby, only
    /// checks it is there). Returns the schema version found after.
    static func run(_ conn: PostgresConnection, migrate: Bool, url: PostgresStoreURL, logger: Logger) async throws -> Int64 {
        if migrate {
            try await conn.query("BEGIN", logger: logger)
            do {
                try await conn.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
                try await conn.query("""
                    CREATE TABLE IF NOT EXISTS khaosan_migrations (
                        version bigint PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                    """, logger: logger)
                let found = try await current(conn, logger: logger)
                try check(found, url: url)
                for step in steps where step.version > found {
                    for sql in step.sql { try await conn.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
                    try await conn.query("INSERT INTO khaosan_migrations(version, name) VALUES (\(step.version), \(step.name))", logger: logger)
                    logger.notice("PostgreSQL store migrated", metadata: ["store": "\(url)", "schema.version": "\(step.version)", "schema.step": "\(step.name)"])
                }
                try await conn.query("COMMIT", logger: logger)
            } catch {
                _ = try? await conn.query("ROLLBACK", logger: logger)
                throw error
            }
            return latest
        }
        let exists = try await conn.query("SELECT to_regclass('khaosan_migrations') IS NOT NULL", logger: logger)
            .collect().first?.decode(Bool.self) ?? false
        let found = exists ? try await current(conn, logger: logger) : 0
        try check(found, url: url)
        guard found == latest else {
            throw PostgresStoreError("PostgreSQL store \(url): schema version \(found), this khaosan-queryd needs \(latest); "
                + "the server is read-only (a standby), so start the writer on the primary first (it migrates)", kind: .precondition)
        }
        return found
    }

    static func current(_ conn: PostgresConnection, logger: Logger) async throws -> Int64 {
        try await conn.query("SELECT coalesce(max(version), 0)::bigint FROM khaosan_migrations", logger: logger)
            .collect().first?.decode(Int64.self) ?? 0
    }

    static func check(_ found: Int64, url: PostgresStoreURL) throws {
        guard found <= latest else {
            throw PostgresStoreError("PostgreSQL store \(url): schema version \(found) is newer than this khaosan-queryd "
                + "knows (\(latest)); run the newer binary, or restore a backup taken before the upgrade", kind: .precondition)
        }
    }
}
