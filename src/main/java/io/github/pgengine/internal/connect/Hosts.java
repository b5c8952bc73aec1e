package io.github.pgengine.internal.connect;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The servers an engine may connect to, and which of them it wants: libpq's {@code host}/{@code port} lists,
 * {@code target_session_attrs} and {@code load_balance_hosts}, plus how long a host that failed is passed over.
 *
 * @param endpoints the hosts, in the order given
 * @param target what a session must be to be kept
 * @param random try the hosts in random order for each new connection ({@code load_balance_hosts=random})
 * @param recheck how long a host that failed or did not match is tried only after the others
 */
public record Hosts(List<Endpoint> endpoints, TargetSessionAttrs target, boolean random, Duration recheck) {
    /** pgjdbc's {@code hostRecheckSeconds} default. */
    public static final Duration DEFAULT_RECHECK = Duration.ofSeconds(10);

    /** Checks the values. */
    public Hosts {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("host must name at least one host");
        }
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(recheck, "recheck");
    }

    /**
     * One host, any session.
     *
     * @param host the host
     * @param port its port
     * @return the hosts
     */
    public static Hosts single(String host, int port) {
        return new Hosts(List.of(new Endpoint(host, port)), TargetSessionAttrs.ANY, false, DEFAULT_RECHECK);
    }

    /** Returns true when there is more than one host or a session must be checked. */
    public boolean isMulti() {
        return endpoints.size() > 1 || target != TargetSessionAttrs.ANY;
    }

    /** Returns {@code a:5432,b:5433}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (Endpoint e : endpoints) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(e);
        }
        return sb.toString();
    }

    /**
     * One server.
     *
     * @param host its host name or address
     * @param port its port
     */
    public record Endpoint(String host, int port) {
        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** libpq's {@code target_session_attrs}. */
    public enum TargetSessionAttrs {
        /** any session */
        ANY("any"),
        /** a session that accepts writes ({@code transaction_read_only} off) */
        READ_WRITE("read-write"),
        /** a session that refuses writes ({@code transaction_read_only} on) */
        READ_ONLY("read-only"),
        /** a server that is not in recovery */
        PRIMARY("primary"),
        /** a server in recovery (a hot standby) */
        STANDBY("standby"),
        /** a standby when one answers, else any server */
        PREFER_STANDBY("prefer-standby");

        private final String libpqName;

        TargetSessionAttrs(String libpqName) {
            this.libpqName = libpqName;
        }

        /** Returns the libpq spelling. */
        public String libpqName() {
            return libpqName;
        }

        /**
         * Reads the libpq spelling (pgjdbc's {@code targetServerType} names {@code master}, {@code slave},
         * {@code preferSecondary}, ... are accepted too).
         *
         * @param value the value
         * @return the target
         * @throws IllegalArgumentException naming the values that exist
         */
        public static TargetSessionAttrs of(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "any" -> ANY;
                case "read-write" -> READ_WRITE;
                case "read-only" -> READ_ONLY;
                case "primary", "master" -> PRIMARY;
                case "standby", "secondary", "slave" -> STANDBY;
                case "prefer-standby", "prefersecondary", "preferslave", "prefer-secondary" -> PREFER_STANDBY;
                default ->
                    throw new IllegalArgumentException("target_session_attrs must be one of any, read-write, "
                            + "read-only, primary, standby, prefer-standby (was '" + value + "')");
            };
        }

        /**
         * Says whether a session this target keeps because its server is a standby must go on being on a standby:
         * {@code standby} and {@code prefer-standby} chose it as one, and {@code read-only} relies on it (a promoted
         * standby accepts writes). Such sessions are checked at the start of every call and kept read-only.
         *
         * @return true for {@code standby}, {@code prefer-standby} and {@code read-only}
         */
        public boolean staysOnStandby() {
            return this == STANDBY || this == PREFER_STANDBY || this == READ_ONLY;
        }

        /**
         * Says whether a session with these properties is what this target wants ({@link #PREFER_STANDBY}: only a
         * standby; the caller falls back to any server).
         *
         * @param readOnly the session's {@code transaction_read_only}
         * @param inRecovery the server is a standby
         * @return true when it matches
         */
        public boolean accepts(boolean readOnly, boolean inRecovery) {
            return switch (this) {
                case ANY -> true;
                case READ_WRITE -> !readOnly;
                case READ_ONLY -> readOnly;
                case PRIMARY -> !inRecovery;
                case STANDBY, PREFER_STANDBY -> inRecovery;
            };
        }
    }
}
