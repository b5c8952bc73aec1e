package io.github.pgengine.testing.crdb;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * One client connection through the emulation: a pump from the client to PostgreSQL that substitutes
 * CockroachDB-only statements, and a pump back that rewrites the answers, one plan per ReadyForQuery window.
 */
final class EmulatedSession {
    private static final int SSL_REQUEST = 80877103;
    private static final int CANCEL_REQUEST = 80877102;
    private static final int GSS_REQUEST = 80877104;

    private final Socket client;
    private final Socket upstream;
    private final CockroachDialect dialect;
    private final java.util.Set<String> admins;
    private final Consumer<Wire.Message> sentToClient;
    private final boolean emulate;
    private final Faults faults;
    private final Queue<Plan> windows = new ConcurrentLinkedQueue<>();
    private final Map<String, Plan> statements = new HashMap<>();
    private final Map<String, Plan> portals = new HashMap<>();
    private volatile SessionState state = new SessionState("", false);
    private volatile boolean closed;

    EmulatedSession(
            Socket client,
            Socket upstream,
            CockroachDialect dialect,
            java.util.Set<String> admins,
            Consumer<Wire.Message> sentToClient,
            boolean emulate,
            Faults faults) {
        this.emulate = emulate;
        this.faults = faults;
        this.client = client;
        this.upstream = upstream;
        this.dialect = dialect;
        this.admins = admins;
        this.sentToClient = sentToClient;
    }

    /** Handles the startup phase, then runs both pumps on their own threads. */
    void start() throws IOException {
        DataInputStream fromClient = new DataInputStream(new BufferedInputStream(client.getInputStream()));
        OutputStream toClient = new BufferedOutputStream(client.getOutputStream());
        DataInputStream fromServer = new DataInputStream(new BufferedInputStream(upstream.getInputStream()));
        OutputStream toServer = new BufferedOutputStream(upstream.getOutputStream());
        while (true) {
            byte[] startup = Wire.readStartup(fromClient);
            int code = Wire.int32(startup, 0);
            if (code == SSL_REQUEST || code == GSS_REQUEST) {
                toClient.write('N');
                toClient.flush();
                continue;
            }
            Wire.writeStartup(toServer, startup);
            toServer.flush();
            if (code == CANCEL_REQUEST) {
                close();
                return;
            }
            String user = startupUser(startup);
            state = new SessionState(user, admins.contains(user));
            break;
        }
        Thread in = new Thread(() -> pump(() -> clientToServer(fromClient, toServer)), "crdb-emulator-in");
        Thread out = new Thread(() -> pump(() -> serverToClient(fromServer, toClient)), "crdb-emulator-out");
        in.setDaemon(true);
        out.setDaemon(true);
        in.start();
        out.start();
    }

    void close() {
        closed = true;
        try {
            client.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            upstream.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    boolean isClosed() {
        return closed;
    }

    private interface IoTask {
        void run() throws IOException;
    }

    private void pump(IoTask task) {
        try {
            task.run();
        } catch (IOException | RuntimeException e) {
            // a side closed the connection
        } finally {
            close();
        }
    }

    private void clientToServer(DataInputStream in, OutputStream out) throws IOException {
        List<Wire.Message> pending = new ArrayList<>();
        Plan window = Plan.PASS;
        while (true) {
            Wire.Message m = Wire.read(in);
            if (m == null) {
                return;
            }
            switch (m.type()) {
                case 'Q' -> {
                    String sql = Wire.cstringAt(m.body(), 0, new int[1]);
                    Plan plan = emulate ? dialect.plan(sql, state, true) : Plan.PASS;
                    windows.add(plan);
                    Wire.write(out, plan.substitute() == null ? m : query(plan.substitute()));
                    out.flush();
                }
                case 'P' -> {
                    int[] next = new int[1];
                    String name = Wire.cstringAt(m.body(), 0, next);
                    String sql = Wire.cstringAt(m.body(), next[0], next);
                    // an unnamed statement runs right after its Parse, so the session's state now is the state then
                    Plan plan = emulate ? dialect.plan(sql, state, name.isEmpty()) : Plan.PASS;
                    statements.put(name, plan);
                    pending.add(plan.substitute() == null ? m : parse(name, plan.substitute()));
                }
                case 'B' -> {
                    int[] next = new int[1];
                    String portal = Wire.cstringAt(m.body(), 0, next);
                    String statement = Wire.cstringAt(m.body(), next[0], next);
                    portals.put(portal, statements.getOrDefault(statement, Plan.PASS));
                    pending.add(m);
                }
                case 'E' -> {
                    String portal = Wire.cstringAt(m.body(), 0, new int[1]);
                    Plan plan = portals.getOrDefault(portal, Plan.PASS);
                    if (plan.rewrites() || plan.onSuccess() != null) {
                        window = plan;
                    }
                    pending.add(m);
                }
                case 'C' -> {
                    String name = Wire.cstringAt(m.body(), 1, new int[1]);
                    (m.body()[0] == 'S' ? statements : portals).remove(name);
                    pending.add(m);
                }
                case 'S' -> {
                    pending.add(m);
                    windows.add(window);
                    window = Plan.PASS;
                    flush(out, pending);
                }
                case 'H' -> {
                    pending.add(m);
                    flush(out, pending);
                }
                case 'X' -> {
                    flush(out, pending);
                    Wire.write(out, m);
                    out.flush();
                    return;
                }
                default -> {
                    if (pending.isEmpty()) {
                        Wire.write(out, m);
                        out.flush();
                    } else {
                        pending.add(m);
                    }
                }
            }
        }
    }

    private static void flush(OutputStream out, List<Wire.Message> pending) throws IOException {
        for (Wire.Message p : pending) {
            Wire.write(out, p);
        }
        out.flush();
        pending.clear();
    }

    private void serverToClient(DataInputStream in, OutputStream out) throws IOException {
        boolean started = false;
        boolean failed = false;
        while (true) {
            Wire.Message m = Wire.read(in);
            if (m == null) {
                return;
            }
            faults.beforeServerMessage(this);
            Plan plan = started ? windows.peek() : null;
            if (plan == null) {
                plan = Plan.PASS;
            }
            Wire.Message send = m;
            switch (m.type()) {
                case 'S' -> {
                    Map<String, String> ps = parameterStatus(m);
                    if (emulate && ps.containsKey("server_version")) {
                        send = Wire.parameterStatus("server_version", "13.0.0");
                    }
                }
                case 'N' -> {
                    if (plan.notice() != null) {
                        send = new Wire.Message('N', Wire.fieldsBody(plan.notice()));
                    }
                }
                case 'E' -> {
                    if (plan.answerColumn() != null && plan.answerValue() != null) {
                        write(out, rowDescription(plan.answerColumn()));
                        write(out, dataRow(plan.answerValue()));
                        send = Wire.commandComplete(plan.tag() != null ? plan.tag() : "SELECT 1");
                        break;
                    }
                    failed = true;
                    if (plan.error() != null) {
                        send = new Wire.Message('E', Wire.fieldsBody(plan.error()));
                    }
                }
                case 'C' -> {
                    if (plan.tag() != null) {
                        send = Wire.commandComplete(plan.tag());
                    }
                }
                case 'Z' -> {
                    if (!started) {
                        if (emulate) {
                            write(out, Wire.parameterStatus("crdb_version", dialect.versionString()));
                        }
                        started = true;
                    } else {
                        windows.poll();
                        if (!failed && plan.onSuccess() != null) {
                            plan.onSuccess().run();
                        }
                    }
                    char status = (char) m.body()[0];
                    if (status == 'I' && state.status != 'I') {
                        state.transactionEnded();
                    }
                    state.status = status;
                    failed = false;
                }
                default -> {}
            }
            write(out, send);
            if (m.type() == 'Z' || in.available() == 0) {
                out.flush();
            }
        }
    }

    private void write(OutputStream out, Wire.Message m) throws IOException {
        sentToClient.accept(m);
        Wire.write(out, m);
    }

    private static Wire.Message rowDescription(String column) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0);
        b.write(1);
        Wire.cstring(b, column);
        b.writeBytes(new byte[] {
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            25,
            (byte) 0xff,
            (byte) 0xff,
            (byte) 0xff,
            (byte) 0xff,
            (byte) 0xff,
            (byte) 0xff,
            0,
            0
        });
        return new Wire.Message('T', b.toByteArray());
    }

    private static Wire.Message dataRow(String value) {
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0);
        b.write(1);
        b.writeBytes(
                new byte[] {(byte) (v.length >>> 24), (byte) (v.length >>> 16), (byte) (v.length >>> 8), (byte) v.length
                });
        b.writeBytes(v);
        return new Wire.Message('D', b.toByteArray());
    }

    private static Map<String, String> parameterStatus(Wire.Message m) {
        int[] next = new int[1];
        String name = Wire.cstringAt(m.body(), 0, next);
        String value = Wire.cstringAt(m.body(), next[0], next);
        return Map.of(name, value);
    }

    private static Wire.Message query(String sql) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Wire.cstring(b, sql);
        return new Wire.Message('Q', b.toByteArray());
    }

    private static Wire.Message parse(String name, String sql) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Wire.cstring(b, name);
        Wire.cstring(b, sql);
        // the substitutes take no parameters: declare none
        b.write(0);
        b.write(0);
        return new Wire.Message('P', b.toByteArray());
    }

    private static String startupUser(byte[] startup) {
        int i = 4;
        while (i < startup.length && startup[i] != 0) {
            int[] next = new int[1];
            String key = Wire.cstringAt(startup, i, next);
            String value = Wire.cstringAt(startup, next[0], next);
            if (key.equals("user")) {
                return value;
            }
            i = next[0];
        }
        return "";
    }

    static String describe(Wire.Message m) {
        return m.type() + ":" + new String(m.body(), StandardCharsets.UTF_8).replace('\0', '|');
    }
}
