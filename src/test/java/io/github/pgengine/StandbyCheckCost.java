package io.github.pgengine;

import com.sun.management.OperatingSystemMXBean;
import io.github.pgengine.internal.connect.ConfigParser;
import io.github.pgengine.internal.connect.ConnectionFactory;
import io.github.pgengine.internal.wire.DbConnection;
import io.github.pgengine.testing.ReplicatedPostgres;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Measures what keeping a session on a standby costs (not a test: run by hand, prints numbers): the borrow-time
 * check ({@link ConnectionFactory#stillMatches}, no I/O) and a call through a pooled connection that carries the
 * standby check, against the same call on the same standby without it ({@code target_session_attrs=any} naming only
 * the standby): the server backend's on-CPU time ({@code /proc/<pid>/schedstat}, so the server must run on this
 * machine), the client process's CPU time and the wall time, per call. Rounds alternate between the two engines so
 * that a noisy machine hurts both alike.
 */
public final class StandbyCheckCost {
    private StandbyCheckCost() {}

    /**
     * Runs the measurements.
     *
     * @param args {@code [calls per round] [rounds]}
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        try (ReplicatedPostgres pair = ReplicatedPostgres.start()) {
            Map<String, Object> checked = pair.config("target_session_attrs", "standby");
            Map<String, Object> plain = new HashMap<>(pair.standby().config());
            borrowCheck(checked, plain);
            perCall(checked, plain, calls, rounds);
        }
        System.exit(0);
    }

    private static void borrowCheck(Map<String, Object> checked, Map<String, Object> plain) throws Exception {
        for (Map<String, Object> config : List.of(plain, checked)) {
            ConnectionFactory factory =
                    new ConnectionFactory(ConfigParser.fromEnvironment(5432).parse(config, null), c -> {});
            DbConnection c = factory.open().get(30, TimeUnit.SECONDS);
            int n = 20_000_000;
            boolean all = true;
            for (int round = 0; round < 5; round++) {
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    all &= factory.stillMatches(c);
                }
                long ns = System.nanoTime() - start;
                if (round > 1) {
                    System.out.printf(
                            "borrow check, target_session_attrs=%s: %.2f ns per check (all matched: %s)%n",
                            config.getOrDefault("target_session_attrs", "any"), (double) ns / n, all);
                }
            }
            c.close().get(10, TimeUnit.SECONDS);
        }
    }

    /** CPU and wall time of one round of calls: the server backend's on-CPU time, the client process's CPU time. */
    private record Round(double wallNs, double serverNs, double clientNs) {
        static final Round ZERO = new Round(0, 0, 0);

        Round plus(Round o) {
            return new Round(wallNs + o.wallNs, serverNs + o.serverNs, clientNs + o.clientNs);
        }

        Round per(int calls) {
            return new Round(wallNs / calls, serverNs / calls, clientNs / calls);
        }
    }

    private static void perCall(Map<String, Object> checked, Map<String, Object> plain, int calls, int rounds)
            throws Exception {
        PostgresEngine withCheck = new PostgresEngine(checked);
        PostgresEngine without = new PostgresEngine(plain);
        PoolOptions one = PoolOptions.builder().maxSize(1).minIdle(1).build();
        withCheck.startConnectionPool(one).get(30, TimeUnit.SECONDS);
        without.startConnectionPool(one).get(30, TimeUnit.SECONDS);
        int withPid = backend(withCheck);
        int withoutPid = backend(without);
        for (String kind : List.of("statement", "transaction")) {
            List<Round> a = new ArrayList<>();
            List<Round> b = new ArrayList<>();
            List<Round> pairs = new ArrayList<>();
            calls(without, withoutPid, kind, calls / 4); // warm-up
            calls(withCheck, withPid, kind, calls / 4);
            for (int round = 0; round < rounds; round++) {
                // chunks of 500 calls, alternating in ABBA order, so that the machine's load swings hit both alike
                Round x = Round.ZERO;
                Round y = Round.ZERO;
                for (int chunk = 0; chunk < calls / 500; chunk++) {
                    Round cx;
                    Round cy;
                    if (chunk % 4 == 0 || chunk % 4 == 3) {
                        cx = calls(without, withoutPid, kind, 500);
                        cy = calls(withCheck, withPid, kind, 500);
                    } else {
                        cy = calls(withCheck, withPid, kind, 500);
                        cx = calls(without, withoutPid, kind, 500);
                    }
                    x = x.plus(cx);
                    y = y.plus(cy);
                    pairs.add(new Round(
                            (cy.wallNs() - cx.wallNs()) / 500,
                            (cy.serverNs() - cx.serverNs()) / 500,
                            (cy.clientNs() - cx.clientNs()) / 500));
                }
                a.add(x.per(calls));
                b.add(y.per(calls));
            }
            print(kind, "server backend CPU", a, b, Round::serverNs);
            print(kind, "client process CPU", a, b, Round::clientNs);
            print(kind, "wall time (shared machine: indicative only)", a, b, Round::wallNs);
            System.out.printf(
                    "%s, median over %d neighbouring pairs of 500 calls of (with - without) per call: server backend "
                            + "CPU %+.2f us, client process CPU %+.2f us, wall %+.2f us%n",
                    kind,
                    pairs.size(),
                    median(pairs, Round::serverNs) / 1000,
                    median(pairs, Round::clientNs) / 1000,
                    median(pairs, Round::wallNs) / 1000);
        }
        withCheck.close().get(10, TimeUnit.SECONDS);
        without.close().get(10, TimeUnit.SECONDS);
    }

    private static int backend(PostgresEngine e) throws Exception {
        return e.query("SELECT pg_backend_pid() AS pid")
                .get(10, TimeUnit.SECONDS)
                .get(0)
                .getInt("pid");
    }

    private static void print(
            String kind, String what, List<Round> without, List<Round> with, ToDoubleFunction<Round> field) {
        double ma = median(without, field);
        double mb = median(with, field);
        System.out.printf(
                "%s, %s per call, median of %d rounds: without the check %.2f us, with it %.2f us (%+.2f us, %+.1f%%)"
                        + "; rounds without %s, with %s%n",
                kind,
                what,
                without.size(),
                ma / 1000,
                mb / 1000,
                (mb - ma) / 1000,
                100 * (mb - ma) / ma,
                us(without, field),
                us(with, field));
    }

    private static double median(List<Round> rounds, ToDoubleFunction<Round> field) {
        List<Double> values = new ArrayList<>();
        rounds.forEach(r -> values.add(field.applyAsDouble(r)));
        Collections.sort(values);
        return values.get(values.size() / 2);
    }

    /** Runs calls and returns the total times they took (wall, server backend CPU, client process CPU), in ns. */
    private static Round calls(PostgresEngine e, int pid, String kind, int calls) throws Exception {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long server = onCpuNanos(pid);
        long client = os.getProcessCpuTime();
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            if (kind.equals("statement")) {
                e.query("SELECT $1::int AS v", i).get(10, TimeUnit.SECONDS);
            } else {
                int v = i;
                e.transaction(tx -> tx.query("SELECT $1::int AS v", v)).get(10, TimeUnit.SECONDS);
            }
        }
        return new Round(System.nanoTime() - start, onCpuNanos(pid) - server, os.getProcessCpuTime() - client);
    }

    private static String us(List<Round> rounds, ToDoubleFunction<Round> field) {
        StringBuilder sb = new StringBuilder();
        for (Round r : rounds) {
            sb.append(sb.length() == 0 ? "" : " ").append(String.format("%.1f", field.applyAsDouble(r) / 1000));
        }
        return sb.toString();
    }

    /** The time a process has spent on a CPU, in nanoseconds (Linux {@code /proc/<pid>/schedstat}). */
    private static long onCpuNanos(int pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/schedstat")).trim();
        int space = stat.indexOf(' ');
        return Long.parseLong(space < 0 ? stat : stat.substring(0, space));
    }
}
