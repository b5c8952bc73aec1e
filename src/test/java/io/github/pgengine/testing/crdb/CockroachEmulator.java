package io.github.pgengine.testing.crdb;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A CockroachDB emulation for tests: a PostgreSQL wire-protocol proxy on 127.0.0.1 in front of a real
 * PostgreSQL. It passes everything through except what CockroachDB answers differently, which it answers with
 * CockroachDB's wire behaviour (strings and SQLSTATEs from shared/reference/cockroachdb-behaviour.md):
 * {@code SET CLUSTER SETTING} (NOTICE and tag for admins, 42501 for others, 42P02 for unknown settings, XXUUU in
 * a transaction), {@code version()}, {@code SHOW server_version} (13.0.0), the {@code crdb_version} parameter,
 * {@code SET [LOCAL] autocommit_before_ddl}, {@code crdb_internal.force_retry()} and
 * {@code inject_retry_errors_enabled} (40001), the {@code cockroach_restart} savepoint protocol, CREATE EXTENSION
 * and {@code SHOW TRANSACTION STATUS}.
 *
 * <p>Limits: statements whose answer depends on the session's state (force_retry, injected retry errors,
 * COMMIT after RELEASE cockroach_restart) are emulated in the simple protocol and for the unnamed statement of the
 * extended protocol (pgengine uses both for statements without parameters); a named prepared statement gets the
 * plan of the moment it was parsed. The NOTICE that {@code SET LOCAL} sends outside a transaction carries SQLSTATE
 * 00000 (CockroachDB's code is unconfirmed).
 */
public final class CockroachEmulator implements AutoCloseable {
    private final ServerSocket server;
    private final String upstreamHost;
    private final int upstreamPort;
    private final Set<String> admins;
    private final CockroachDialect dialect;
    private final List<EmulatedSession> sessions = new CopyOnWriteArrayList<>();
    private final List<Map<Character, String>> notices = new CopyOnWriteArrayList<>();
    private final boolean emulate;
    private final Faults faults = new Faults();
    private volatile boolean refuse;

    private CockroachEmulator(
            ServerSocket server,
            String upstreamHost,
            int upstreamPort,
            Set<String> admins,
            CockroachDialect dialect,
            boolean emulate) {
        this.emulate = emulate;
        this.server = server;
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        this.admins = Set.copyOf(admins);
        this.dialect = dialect;
    }

    /**
     * Starts the emulation.
     *
     * @param upstreamHost the real PostgreSQL's host
     * @param upstreamPort its port
     * @param adminUsers users treated as members of CockroachDB's {@code admin} role
     * @param crdbVersion the release to claim, e.g. {@code v24.1.0}
     * @return the running emulation
     * @throws IOException when it cannot listen
     */
    public static CockroachEmulator start(
            String upstreamHost, int upstreamPort, Set<String> adminUsers, String crdbVersion) throws IOException {
        CockroachEmulator emulator = listen(upstreamHost, upstreamPort, adminUsers, crdbVersion, true);
        System.err.println("[pgengine-test] CockroachDB EMULATION (pgwire proxy over PostgreSQL " + upstreamHost + ":"
                + upstreamPort + ", claiming " + crdbVersion + ") on 127.0.0.1:" + emulator.port()
                + " - not a real CockroachDB");
        return emulator;
    }

    /**
     * Starts the same proxy without any CockroachDB behaviour: a plain pass-through for fault injection in front
     * of PostgreSQL.
     *
     * @param upstreamHost the real PostgreSQL's host
     * @param upstreamPort its port
     * @return the running proxy
     * @throws IOException when it cannot listen
     */
    public static CockroachEmulator passThrough(String upstreamHost, int upstreamPort) throws IOException {
        CockroachEmulator proxy = listen(upstreamHost, upstreamPort, Set.of(), "v24.1.0", false);
        System.err.println("[pgengine-test] fault-injection proxy (plain pass-through) to " + upstreamHost + ":"
                + upstreamPort + " on 127.0.0.1:" + proxy.port());
        return proxy;
    }

    private static CockroachEmulator listen(
            String upstreamHost, int upstreamPort, Set<String> adminUsers, String crdbVersion, boolean emulate)
            throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 200);
        CockroachEmulator emulator = new CockroachEmulator(
                server, upstreamHost, upstreamPort, adminUsers, new CockroachDialect(crdbVersion), emulate);
        Thread acceptor = new Thread(emulator::acceptLoop, "crdb-emulator-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return emulator;
    }

    /**
     * Sets {@code delay}.
     *
     * @param delay added before each message the server sends (fault injection)
     */
    public void delayServerMessages(java.time.Duration delay) {
        faults.delay(delay);
    }

    /**
     * Sets {@code frozen}.
     *
     * @param frozen true to stop forwarding the server's answers without closing anything (fault injection)
     */
    public void freeze(boolean frozen) {
        faults.freeze(frozen);
    }

    /** Returns 127.0.0.1. */
    public String host() {
        return "127.0.0.1";
    }

    /** Returns the port clients connect to. */
    public int port() {
        return server.getLocalPort();
    }

    /** Returns what {@code SELECT version()} answers. */
    public String versionString() {
        return dialect.versionString();
    }

    /** Returns the NoticeResponse fields sent to clients so far. */
    public List<Map<Character, String>> noticesSent() {
        return List.copyOf(notices);
    }

    /**
     * Sets {@code refuse}.
     *
     * @param refuse true to close every new connection at once (fault injection)
     */
    public void refuseNewConnections(boolean refuse) {
        this.refuse = refuse;
    }

    /** Drops every open connection without a word to either side (fault injection). */
    public void dropAllConnections() {
        sessions.forEach(EmulatedSession::close);
    }

    /** Returns connections open now. */
    public int openConnections() {
        sessions.removeIf(EmulatedSession::isClosed);
        return sessions.size();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        dropAllConnections();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            if (refuse) {
                closeQuietly(client);
                continue;
            }
            Thread t = new Thread(() -> serve(client), "crdb-emulator-start");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Socket client) {
        Socket upstream = null;
        try {
            client.setTcpNoDelay(true);
            upstream = new Socket(upstreamHost, upstreamPort);
            upstream.setTcpNoDelay(true);
            EmulatedSession session = new EmulatedSession(
                    client,
                    upstream,
                    dialect,
                    admins,
                    m -> {
                        if (m.type() == 'N') {
                            notices.add(Wire.fields(m.body()));
                        }
                    },
                    emulate,
                    faults);
            sessions.add(session);
            session.start();
        } catch (IOException | RuntimeException e) {
            closeQuietly(client);
            if (upstream != null) {
                closeQuietly(upstream);
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
