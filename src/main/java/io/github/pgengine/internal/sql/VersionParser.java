package io.github.pgengine.internal.sql;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a server version as {@code major.minor} from PostgreSQL's {@code server_version} and from
 * CockroachDB's {@code version()} string.
 */
public final class VersionParser {
    private static final Pattern POSTGRES = Pattern.compile("^\\s*(\\d+)(?:\\.(\\d+))?");
    private static final Pattern COCKROACH = Pattern.compile("CockroachDB\\s+\\S+\\s+v(\\d+)\\.(\\d+)");

    private VersionParser() {}

    /**
     * Parses PostgreSQL's server_version: {@code 9.4} → 9.4, {@code 9.4.1} → 9.4,
     * {@code 12.4 (Ubuntu 12.4-0ubuntu0.20.04.1)} → 12.4, {@code 17beta1} → 17.0.
     *
     * @param serverVersion the text
     * @return major.minor as a number
     * @throws IllegalArgumentException when the text holds no version
     */
    public static double postgres(String serverVersion) {
        Matcher m = POSTGRES.matcher(serverVersion);
        if (!m.find()) {
            throw new IllegalArgumentException("cannot read a version from server_version '" + serverVersion + "'");
        }
        return Double.parseDouble(m.group(1) + "." + (m.group(2) == null ? "0" : m.group(2)));
    }

    /**
     * Parses CockroachDB's version string: {@code CockroachDB CCL v24.1.0 (x86_64-pc-linux-gnu, ...)} → 24.1.
     *
     * @param version the text of {@code version()} or the {@code crdb_version} parameter
     * @return major.minor as a number
     * @throws IllegalArgumentException when the text holds no CockroachDB version
     */
    public static double cockroach(String version) {
        Matcher m = COCKROACH.matcher(version);
        if (!m.find()) {
            throw new IllegalArgumentException("cannot read a CockroachDB version from '" + version + "'");
        }
        return Double.parseDouble(m.group(1) + "." + m.group(2));
    }
}
