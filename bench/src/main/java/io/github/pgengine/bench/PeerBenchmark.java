package io.github.pgengine.bench;

import io.github.pgengine.testing.TestPostgres;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * pgengine against its peers in one run, on a throwaway local PostgreSQL with pgbench's schema at scale 10:
 * point selects by primary key (1, 8, 64, 256 callers), pgbench's three-statement write transaction (8 and 64
 * callers), streaming 1,000,000 rows (each streaming client in its own JVM, for its peak heap), and bulk writes of
 * 100,000 rows ({@link BulkBenchmark}: executeBatch against pgjdbc's with and without reWriteBatchedInserts). Contestants
 * alternate round by round after a warm-up, so machine noise hits all alike. Writes docs/performance.md and
 * docs/performance.svg.
 *
 * <p>Run: {@code mvn -q install -DskipTests && mvn -q -f bench/pom.xml compile exec:java}
 * (about 6 minutes on 2 cores). Arguments: {@code [seconds per round] [rounds]}.
 */
public final class PeerBenchmark {
    private static final int SCALE = 10;
    private static final int ACCOUNTS = 100_000 * SCALE;
    private static final int BULK_ROWS = 100_000;
    private static final int BULK_ROUNDS = 5;

    private PeerBenchmark() {}

    record Result(double opsPerSecond, double p50, double p99) {}

    /**
     * @param args {@code [seconds per round] [rounds]}, or {@code stream <client>} in a child JVM
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("stream")) {
            StreamChild.main(args[1]);
            return;
        }
        try {
            benchmark(args);
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void benchmark(String[] args) throws Exception {
        int seconds = args.length > 0 && !args[0].equals("profile") ? Integer.parseInt(args[0]) : 3;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        long begin = System.nanoTime();
        TestPostgres pg = TestPostgres.get();
        Path bin = pg.binDir();
        if (bin == null || !Files.isExecutable(bin.resolve("pgbench"))) {
            throw new IllegalStateException("pgbench not found (the embedded PostgreSQL binaries lack it); "
                    + "install PostgreSQL's client tools, e.g. apt-get install postgresql-client");
        }
        System.out.println("initialising pgbench scale " + SCALE + " ...");
        exec(pgbench(pg, bin, "-i", "-q", "-s", String.valueOf(SCALE), "--unlogged-tables"), pg);

        if (args.length > 0 && args[0].equals("profile")) {
            Contestant c = Contestants.pgengine(pg);
            run(c, true, 8, Duration.ofSeconds(5));
            System.out.println("profile: " + run(c, true, 8, Duration.ofSeconds(20)));
            c.close();
            return;
        }
        List<Contestant> contestants = List.of(
                Contestants.pgengine(pg),
                Contestants.jasync(pg, false),
                Contestants.jasync(pg, true),
                Contestants.vertx(pg, false),
                Contestants.vertx(pg, true),
                Contestants.pgjdbc(pg));
        Map<String, Map<String, Result>> table = new LinkedHashMap<>();
        Duration round = Duration.ofSeconds(seconds);
        int[] levels = args.length > 2 ? new int[] {Integer.parseInt(args[2])} : new int[] {1, 8, 64, 256};
        for (int callers : levels) {
            String key = "point select, " + callers + (callers == 1 ? " caller" : " callers");
            table.put(key, compare(contestants, false, callers, round, rounds));
            table.get(key).put("pgbench -S -M prepared", pgbenchRun(pg, bin, "-S", callers, seconds * rounds));
            System.out.println(key + ": " + table.get(key));
        }
        for (int callers : new int[] {8, 64}) {
            String key = "write transaction, " + callers + " callers";
            table.put(key, compare(contestants, true, callers, round, rounds));
            table.get(key).put("pgbench -N -M prepared", pgbenchRun(pg, bin, "-N", callers, seconds * rounds));
            System.out.println(key + ": " + table.get(key));
        }
        for (Contestant c : contestants) {
            c.close();
        }
        Map<String, String> streaming = new LinkedHashMap<>();
        for (String client : new String[] {"pgengine", "pgjdbc", "vertx"}) {
            streaming.put(client, streamInChild(pg, client));
            System.out.println("stream " + client + ": " + streaming.get(client));
        }
        Map<String, Double> bulk = BulkBenchmark.measure(pg, BULK_ROWS, BULK_ROUNDS);
        System.out.println("bulk writes: " + bulk);
        double minutes = (System.nanoTime() - begin) / 60e9;
        Report.write(table, streaming, new Report.Bulk(BULK_ROWS, BULK_ROUNDS, bulk), seconds, rounds, minutes);
        System.out.printf("done in %.1f minutes; wrote docs/performance.md and docs/performance.svg%n", minutes);
    }

    private static Map<String, Result> compare(
            List<Contestant> contestants, boolean write, int callers, Duration round, int rounds) throws Exception {
        Map<String, List<Result>> runs = new LinkedHashMap<>();
        for (Contestant c : contestants) {
            try {
                run(c, write, callers, Duration.ofSeconds(1)); // warm-up
            } catch (Exception e) {
                System.out.println(c.name() + " failed its warm-up with " + callers + " callers: " + e);
            }
            runs.put(c.name(), new ArrayList<>());
        }
        for (int r = 0; r < rounds; r++) {
            for (Contestant c : contestants) {
                try {
                    runs.get(c.name()).add(run(c, write, callers, round));
                } catch (Exception e) {
                    System.out.println(c.name() + " failed with " + callers + " callers: " + e);
                    runs.get(c.name()).add(new Result(Double.NaN, Double.NaN, Double.NaN));
                }
            }
        }
        Map<String, Result> out = new LinkedHashMap<>();
        runs.forEach((name, list) -> out.put(
                name,
                new Result(
                        list.stream()
                                .mapToDouble(Result::opsPerSecond)
                                .average()
                                .orElse(0),
                        list.stream().mapToDouble(Result::p50).average().orElse(0),
                        list.stream().mapToDouble(Result::p99).max().orElse(0))));
        return out;
    }

    /** Closed loop: each caller starts its next operation when the previous one completes. */
    static Result run(Contestant c, boolean write, int callers, Duration duration) throws Exception {
        LatencyHistogram histogram = new LatencyHistogram();
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + duration.toNanos();
        long start = System.nanoTime();
        if (c.blocking()) {
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                SplittableRandom random = new SplittableRandom(i);
                Thread t = new Thread(() -> {
                    try {
                        while (System.nanoTime() < end) {
                            long t0 = System.nanoTime();
                            operation(c, write, random);
                            histogram.record(System.nanoTime() - t0);
                            done.incrementAndGet();
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join(duration.toMillis() + 60_000);
            }
        } else {
            CompletableFuture<?>[] loops = new CompletableFuture<?>[callers];
            for (int i = 0; i < callers; i++) {
                CompletableFuture<Void> finished = new CompletableFuture<>();
                loops[i] = finished;
                loop(c, write, new SplittableRandom(i), end, histogram, done, finished);
            }
            CompletableFuture.allOf(loops).get(duration.toMillis() + 30_000, TimeUnit.MILLISECONDS);
        }
        double secs = (System.nanoTime() - start) / 1e9;
        return new Result(done.get() / secs, histogram.percentileMillis(0.5), histogram.percentileMillis(0.99));
    }

    private static CompletableFuture<?> operation(Contestant c, boolean write, SplittableRandom random)
            throws Exception {
        int aid = 1 + random.nextInt(ACCOUNTS);
        return write
                ? c.tpcb(aid, 1 + random.nextInt(10 * SCALE), 1 + random.nextInt(SCALE), random.nextInt(-5000, 5001))
                : c.pointSelect(aid);
    }

    private static void loop(
            Contestant c,
            boolean write,
            SplittableRandom random,
            long end,
            LatencyHistogram histogram,
            AtomicLong done,
            CompletableFuture<Void> finished) {
        long t0 = System.nanoTime();
        CompletableFuture<?> op;
        try {
            op = operation(c, write, random);
        } catch (Exception e) {
            finished.completeExceptionally(e);
            return;
        }
        op.whenComplete((r, e) -> {
            if (e != null) {
                finished.completeExceptionally(e);
                return;
            }
            histogram.record(System.nanoTime() - t0);
            done.incrementAndGet();
            if (System.nanoTime() < end) {
                loop(c, write, random, end, histogram, done, finished);
            } else {
                finished.complete(null);
            }
        });
    }

    private static List<String> pgbench(TestPostgres pg, Path bin, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                bin.resolve("pgbench").toString(), "-h", pg.host(), "-p", String.valueOf(pg.port()), "-U", pg.user()));
        cmd.addAll(List.of(args));
        cmd.add(pg.database());
        return cmd;
    }

    private static Result pgbenchRun(TestPostgres pg, Path bin, String mode, int clients, int seconds)
            throws Exception {
        String out = exec(
                pgbench(
                        pg,
                        bin,
                        mode,
                        "-M",
                        "prepared",
                        "-n",
                        "-c",
                        String.valueOf(clients),
                        "-j",
                        String.valueOf(Math.min(clients, 2)),
                        "-T",
                        String.valueOf(seconds)),
                pg);
        Matcher tps = Pattern.compile("tps = ([0-9.]+)").matcher(out);
        Matcher latency = Pattern.compile("latency average = ([0-9.]+) ms").matcher(out);
        return new Result(
                tps.find() ? Double.parseDouble(tps.group(1)) : 0,
                latency.find() ? Double.parseDouble(latency.group(1)) : Double.NaN,
                Double.NaN);
    }

    private static String exec(List<String> cmd, TestPostgres pg) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", pg.password());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    private static String streamInChild(TestPostgres pg, String client) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(
                        java, "-Xmx64m", "-cp", classPath(), PeerBenchmark.class.getName(), "stream", client)
                .redirectErrorStream(true);
        pb.environment().put("PGENGINE_TEST_POSTGRES_URL", pg.url());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(5, TimeUnit.MINUTES);
        return out.lines()
                .filter(l -> l.startsWith("RESULT "))
                .map(l -> l.substring(7))
                .findFirst()
                .orElse("failed: " + out.lines().reduce("", (a, b) -> b));
    }

    /** @return this program's class path, also under {@code exec:java} (which loads it in a class loader of its own) */
    static String classPath() {
        if (PeerBenchmark.class.getClassLoader() instanceof java.net.URLClassLoader loader) {
            StringBuilder path = new StringBuilder();
            for (java.net.URL url : loader.getURLs()) {
                if (path.length() > 0) {
                    path.append(java.io.File.pathSeparatorChar);
                }
                try {
                    path.append(Path.of(url.toURI()));
                } catch (java.net.URISyntaxException e) {
                    throw new IllegalStateException(e);
                }
            }
            return path.toString();
        }
        return System.getProperty("java.class.path");
    }

    static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, "
                + (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                        ? os.getTotalMemorySize() / (1L << 30) + " GiB, "
                        : "")
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + ", Java "
                + System.getProperty("java.version") + ", " + LocalDate.now();
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, v >= 100 ? "%,.0f" : "%.2f", v);
    }
}
