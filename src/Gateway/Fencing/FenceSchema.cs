namespace ActorQuotes.Gateway.Fencing;

/// <summary>
/// The PostgreSQL side of fencing: the node leases, the shard leases, and the trigger that refuses a journal
/// or snapshot write from a connection whose node holds no live lease. The trigger runs in the writing
/// transaction itself, so no timing decides whether a fenced node's write commits.
/// </summary>
internal static class FenceSchema
{
    /// <summary>Serializes the schema statements of nodes that start at once (CREATE OR REPLACE is not concurrent-safe).</summary>
    private const long SchemaLockKey = 0x41514645_4E434531; // "AQFENCE1"

    public static readonly string Tables = $"""
        SELECT pg_advisory_xact_lock({SchemaLockKey});
        CREATE TABLE IF NOT EXISTS aq_node_lease (
            owner       text PRIMARY KEY,
            address     text NOT NULL,
            acquired_at timestamptz NOT NULL,
            expires_at  timestamptz NOT NULL
        );
        CREATE TABLE IF NOT EXISTS aq_shard_lease (
            name       text PRIMARY KEY,
            owner      text NULL,
            generation bigint NOT NULL,
            changed_at timestamptz NOT NULL
        );
        CREATE OR REPLACE FUNCTION aq_fence_write() RETURNS trigger LANGUAGE plpgsql AS $fence$
        BEGIN
            -- KEY SHARE: a node that takes this one's shards must delete this row first, and so waits for this transaction.
            PERFORM 1 FROM aq_node_lease
             WHERE owner = current_setting('application_name') AND expires_at > clock_timestamp()
               FOR KEY SHARE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'actorquotes fence: node % holds no live lease, so it may not write to %',
                    current_setting('application_name'), TG_TABLE_NAME
                    USING ERRCODE = 'P0001', HINT = 'this node was replaced; it stops and exits';
            END IF;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END
        $fence$;
        """;

    /// <summary>The trigger on one table, if the table exists yet; selects whether it does.</summary>
    public static string TriggerOn(string table) => $"""
        DO $install$
        BEGIN
            PERFORM pg_advisory_xact_lock({SchemaLockKey});
            -- Only when missing: creating a trigger locks the table against writes, so a node that starts must
            -- not queue behind a journal transaction in flight (a frozen node's) to replace one that is there.
            IF to_regclass('{table}') IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'aq_fence' AND tgrelid = to_regclass('{table}')) THEN
                CREATE OR REPLACE TRIGGER aq_fence BEFORE INSERT OR UPDATE OR DELETE ON {table}
                    FOR EACH ROW EXECUTE FUNCTION aq_fence_write();
            END IF;
        END
        $install$;
        SELECT to_regclass('{table}') IS NOT NULL;
        """;
}
