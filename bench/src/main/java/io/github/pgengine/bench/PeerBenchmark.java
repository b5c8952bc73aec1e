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
 * point selects by primary key and pgbench's three-statement write transaction (-N shape: UPDATE, SELECT, INSERT)
 * at 1, 8 and 64 callers, each client in a JVM of its own that reports its process CPU time per operation over the
 * measured window; both again as a paced trickle (one caller, one operation every 2 ms); the write transaction again through {@link DelayProxy} (0.25 ms each way on 127.0.0.1), which
 * also counts each client's round trips per transaction on the wire; streaming 1,000,000 rows (each streaming
 * client in its own JVM with a 64 MB heap); and bulk writes of 100,000 rows ({@link BulkBenchmark}). Contestants
 * alternate round by round, each round a fresh JVM with a warm-up as long as its window, so machine noise hits all
 * alike. Writes docs/performance.md and docs/performance.svg.
 *
 * <p>Run: {@code mvn -q install -DskipTests && mvn -q -f bench/pom.xml compile exec:java}
 * (about 27 minutes on 2 cores: two full runs of 13). Arguments:
 * <ul>
 *   <li>{@code [seconds per round] [rounds] [callers, comma-separated] [full runs]}: the report (defaults 3, 2,
 *       1,8,64, 2): every table measured in each full run, the runs one after the other and kept side by side;
 *   <li>{@code latency [seconds]}: only the proxy's check and the latency-injected table, printed, no report;
 *   <li>{@code streaming}: only the streaming comparison, printed, no report;
 *   <li>{@code proxy [seconds]}: only the proxy's check (pgbench direct, through the proxy, with the delay);
 *   <li>{@code profile [seconds] [contestant key]}: one child (pgengine by default) under JFR (CPU sampled every
 *       1 ms) for the 8-caller write transaction, then the top CPU frames and allocation sites ({@link JfrTop});
 *       the recording stays in bench/target/;
 *   <li>{@code client ...} and {@code stream ...}: the child JVMs ({@link ClientChild}, {@link StreamChild}).
 * </ul>
 */
public final class PeerBenchmark {
    private static final int SCALE = 10;
    private static final int ACCOUNTS = 100_000 * SCALE;
    private static final int BULK_ROWS = 100_000;
    private static final int BULK_ROUNDS = 5;
    /** Streaming runs per client (median reported). */
    private static final int STREAM_ROUNDS = 3;
    /** One-way delay the latency-injected table adds on each direction. */
    static final Duration DELAY = Duration.ofMillis(1).dividedBy(4);
    /** Callers of the latency-injected write transaction. */
    static final int[] LATENCY_CALLERS = {1, 8};
    /**
     * The paced trickle: one caller starting one operation every this long, waiting for each (a lightly loaded
     * service). {@code callers == TRICKLE} selects it.
     */
    static final Duration TRICKLE_INTERVAL = Duration.ofMillis(2);
    /** The callers value that stands for the paced trickle. */
    static final int TRICKLE = 0;
    /** The callers value that stands for the trickle's caller without pauses (its warm-up). */
    static final int UNPACED = -1;
    /** The trickle's warm-up (its caller without pauses, then 2 s paced) and window, in seconds. */
    static final int TRICKLE_SECONDS = 5;
    /** The trickle's contestants: the pools a quiet service would use (jasync's are 10-20× slower elsewhere). */
    static final List<String> TRICKLE_KEYS = List.of("pgengine", "pgjdbc", "vertx");

    private PeerBenchmark() {}

    /**
     * One figure. {@code cpuMicrosPerOp} is the client JVM's process CPU time over the window divided by the
     * operations; {@code roundTrips} per operation as the proxy counted them (NaN when not measured).
     */
    record Result(
            double opsPerSecond,
            double p50,
            double p99,
            double cpuMicrosPerOp,
            double roundTrips,
            double allocatedBytesPerOp) {
        Result(double opsPerSecond, double p50, double p99) {
            this(opsPerSecond, p50, p99, Double.NaN, Double.NaN, Double.NaN);
        }
    }

    /** A measured window: its figures and the operations that completed in it. */
    record Measured(Result result, long operations) {}

    /**
     * The delay proxy measured alone with pgbench: -N at 8 clients direct and through the proxy without delay (does
     * the proxy limit throughput?), and -S at 1 client direct and with the delay (the round trip it really adds).
     */
    record ProxyCheck(double directTps, double proxyTps, double directMillis, double delayedMillis) {}

    /**
     * @param args see the class comment
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("stream")) {
            StreamChild.main(args[1]);
            return;
        }
        if (args.length > 0 && args[0].equals("client")) {
            ClientChild.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            System.exit(0);
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
        String mode = args.length > 0 && !Character.isDigit(args[0].charAt(0)) ? args[0] : "report";
        String[] rest = mode.equals("report") ? args : java.util.Arrays.copyOfRange(args, 1, args.length);
        int seconds = rest.length > 0 ? Integer.parseInt(rest[0]) : 3;
        int rounds = mode.equals("report") && rest.length > 1 ? Integer.parseInt(rest[1]) : 2;
        int fullRuns = mode.equals("report") && rest.length > 3 ? Integer.parseInt(rest[3]) : 2;
        int[] levels = mode.equals("report") && rest.length > 2
                ? java.util.Arrays.stream(rest[2].split(","))
                        .mapToInt(Integer::parseInt)
                        .toArray()
                : new int[] {1, 8, 64};
        long begin = System.nanoTime();
        TestPostgres pg = TestPostgres.get();
        Path bin = pg.binDir();
        if (bin == null || !Files.isExecutable(bin.resolve("pgbench"))) {
            throw new IllegalStateException("pgbench not found (the embedded PostgreSQL binaries lack it); "
                    + "install PostgreSQL's client tools, e.g. apt-get install postgresql-client");
        }
        System.out.println("initialising pgbench scale " + SCALE + " ...");
        exec(pgbench(pg, bin, pg.port(), "-i", "-q", "-s", String.valueOf(SCALE), "--unlogged-tables"), pg);

        if (mode.equals("profile")) {
            String key = rest.length > 1 ? rest[1] : "pgengine";
            Path jfr = Path.of("bench", "target", key + "-write8.jfr").toAbsolutePath();
            Files.createDirectories(jfr.getParent());
            Result r = runChild(
                    pg,
                    key,
                    true,
                    8,
                    seconds,
                    null,
                    List.of("-XX:StartFlightRecording=delay=" + seconds + "s,duration=" + seconds + "s,filename=" + jfr
                            + ",settings=profile,jdk.ExecutionSample#period=1ms"));
            System.out.println("profile run: " + r);
            JfrTop.main(new String[] {jfr.toString()});
            return;
        }
        if (mode.equals("streaming")) {
            streaming(pg);
            return;
        }
        if (mode.equals("proxy")) {
            System.out.println("proxy check: " + proxyCheck(pg, bin, seconds));
            return;
        }
        if (mode.equals("latency")) {
            ProxyCheck check = proxyCheck(pg, bin, seconds);
            System.out.println("proxy check: " + check);
            for (int callers : LATENCY_CALLERS) {
                System.out.println("write transaction, " + callers + ", +0.25 ms each way: "
                        + latencyTable(pg, bin, callers, seconds, 1));
            }
            return;
        }
        List<Report.Run> runs = new ArrayList<>();
        for (int run = 1; run <= fullRuns; run++) {
            System.out.println("full run " + run + " of " + fullRuns);
            runs.add(fullRun(pg, bin, levels, seconds, rounds));
        }
        double minutes = (System.nanoTime() - begin) / 60e9;
        Report.write(runs, seconds, rounds, minutes);
        System.out.printf("done in %.1f minutes; wrote docs/performance.md and docs/performance.svg%n", minutes);
    }

    /** Every table of the report once: closed loops, the trickle, the latency-injected table, streaming, bulk. */
    private static Report.Run fullRun(TestPostgres pg, Path bin, int[] levels, int seconds, int rounds)
            throws Exception {
        long begin = System.nanoTime();
        Map<String, Map<String, Result>> table = new LinkedHashMap<>();
        for (boolean write : new boolean[] {false, true}) {
            for (int callers : levels) {
                String key = (write ? "write transaction, " : "point select, ")
                        + callers
                        + (callers == 1 ? " caller" : " callers");
                Map<String, Result> row = compare(pg, write, callers, seconds, rounds, null, Contestants.KEYS);
                String flag = write ? "-N" : "-S";
                row.put("pgbench " + flag + " -M prepared", pgbenchRun(pg, bin, flag, callers, seconds * rounds, null));
                table.put(key, row);
                System.out.println(key + ": " + row);
            }
        }
        Map<String, Map<String, Result>> trickle = new LinkedHashMap<>();
        for (boolean write : new boolean[] {false, true}) {
            String key = (write ? "write transaction" : "point select") + ", paced trickle";
            trickle.put(key, compare(pg, write, TRICKLE, TRICKLE_SECONDS, rounds, null, TRICKLE_KEYS));
            System.out.println(key + ": " + trickle.get(key));
        }
        ProxyCheck check = proxyCheck(pg, bin, seconds);
        System.out.println("proxy check: " + check);
        Map<String, Map<String, Result>> latency = new LinkedHashMap<>();
        for (int callers : LATENCY_CALLERS) {
            String key =
                    "write transaction, " + callers + (callers == 1 ? " caller" : " callers") + ", +0.25 ms each way";
            latency.put(key, latencyTable(pg, bin, callers, seconds, 1));
            System.out.println(key + ": " + latency.get(key));
        }
        Map<String, String> streaming = streaming(pg);
        Map<String, Double> bulk = BulkBenchmark.measure(pg, BULK_ROWS, BULK_ROUNDS);
        System.out.println("bulk writes: " + bulk);
        return new Report.Run(
                table,
                trickle,
                new Report.Latency(check, latency),
                streaming,
                new Report.Bulk(BULK_ROWS, BULK_ROUNDS, bulk),
                (System.nanoTime() - begin) / 60e9);
    }

    /** The write transaction through a proxy that adds {@link #DELAY} each way and counts round trips. */
    private static Map<String, Result> latencyTable(TestPostgres pg, Path bin, int callers, int seconds, int rounds)
            throws Exception {
        try (DelayProxy proxy = new DelayProxy(pg.host(), pg.port(), DELAY)) {
            Map<String, Result> row = compare(pg, true, callers, seconds, rounds, proxy, Contestants.KEYS);
            row.put("pgbench -N -M prepared", pgbenchRun(pg, bin, "-N", callers, seconds * rounds, proxy));
            return row;
        }
    }

    private static ProxyCheck proxyCheck(TestPostgres pg, Path bin, int seconds) throws Exception {
        double direct = pgbenchRun(pg, bin, "-N", 8, seconds, null).opsPerSecond();
        double proxied;
        try (DelayProxy proxy = new DelayProxy(pg.host(), pg.port(), Duration.ZERO)) {
            proxied = pgbenchRun(pg, bin, "-N", 8, seconds, proxy).opsPerSecond();
        }
        double directMillis = pgbenchRun(pg, bin, "-S", 1, seconds, null).p50();
        double delayedMillis;
        try (DelayProxy proxy = new DelayProxy(pg.host(), pg.port(), DELAY)) {
            delayedMillis = pgbenchRun(pg, bin, "-S", 1, seconds, proxy).p50();
        }
        return new ProxyCheck(direct, proxied, directMillis, delayedMillis);
    }

    private static Map<String, Result> compare(
            TestPostgres pg, boolean write, int callers, int seconds, int rounds, DelayProxy proxy, List<String> keys)
            throws Exception {
        Map<String, List<Result>> runs = new LinkedHashMap<>();
        for (String key : keys) {
            runs.put(Contestants.displayName(key), new ArrayList<>());
        }
        for (int r = 0; r < rounds; r++) {
            for (String key : keys) {
                Result result;
                try {
                    result = runChild(pg, key, write, callers, seconds, proxy, List.of());
                } catch (Exception e) {
                    System.out.println(key + " failed with " + callers + " callers: " + e);
                    result = new Result(Double.NaN, Double.NaN, Double.NaN);
                }
                runs.get(Contestants.displayName(key)).add(result);
            }
        }
        Map<String, Result> out = new LinkedHashMap<>();
        runs.forEach((name, list) -> out.put(
                name,
                new Result(
                        average(list, Result::opsPerSecond),
                        average(list, Result::p50),
                        list.stream().mapToDouble(Result::p99).max().orElse(Double.NaN),
                        average(list, Result::cpuMicrosPerOp),
                        average(list, Result::roundTrips),
                        average(list, Result::allocatedBytesPerOp))));
        return out;
    }

    private static double average(List<Result> list, java.util.function.ToDoubleFunction<Result> f) {
        return list.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    /**
     * Runs one contestant in a child JVM: a warm-up and a window of {@code seconds} each.
     *
     * @param proxy when not null, the child connects through it and its round trips in the window are counted
     */
    static Result runChild(
            TestPostgres pg,
            String key,
            boolean write,
            int callers,
            int seconds,
            DelayProxy proxy,
            List<String> jvmArgs)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of(
                "-cp",
                classPath(),
                PeerBenchmark.class.getName(),
                "client",
                key,
                write ? "write" : "select",
                callers == TRICKLE ? "trickle" : String.valueOf(callers),
                String.valueOf(seconds),
                String.valueOf(seconds)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        String url = pg.url();
        if (proxy != null) {
            url = url.replace("@" + pg.host() + ":" + pg.port() + "/", "@127.0.0.1:" + proxy.port() + "/");
        }
        pb.environment().put("PGENGINE_TEST_POSTGRES_URL", url);
        Process p = pb.start();
        long trips0 = 0;
        long trips1 = 0;
        String result = null;
        StringBuilder tail = new StringBuilder();
        try (java.io.BufferedReader in =
                new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("MEASURING") && proxy != null) {
                    trips0 = proxy.roundTrips();
                } else if (line.equals("MEASURED") && proxy != null) {
                    trips1 = proxy.roundTrips();
                } else if (line.startsWith("RESULT ")) {
                    result = line.substring(7);
                } else {
                    tail.append(line).append('\n');
                    if (tail.length() > 4000) {
                        tail.delete(0, tail.length() - 4000);
                    }
                }
            }
        }
        if (!p.waitFor(2, TimeUnit.MINUTES) || result == null) {
            p.destroyForcibly();
            throw new IllegalStateException(key + " child failed: " + tail);
        }
        double ops = number(result, "ops");
        return new Result(
                number(result, "opsPerSecond"),
                number(result, "p50"),
                number(result, "p99"),
                number(result, "cpuMicrosPerOp"),
                proxy == null ? Double.NaN : (trips1 - trips0) / ops,
                number(result, "allocatedBytesPerOp"));
    }

    private static double number(String text, String name) {
        Matcher m = Pattern.compile("\\b" + name + "=([0-9.]+)").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /** Closed loops for a while, without figures (a warm-up). */
    static Result run(Contestant c, boolean write, int callers, Duration duration) throws Exception {
        return measure(c, write, callers, duration).result();
    }

    /** Closed loop: each caller starts its next operation when the previous one completes. */
    static Measured measure(Contestant c, boolean write, int callers, Duration duration) throws Exception {
        LatencyHistogram histogram = new LatencyHistogram();
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + duration.toNanos();
        long start = System.nanoTime();
        if (callers == TRICKLE) {
            paced(c, write, end, histogram, done, TRICKLE_INTERVAL.toNanos());
        } else if (callers == UNPACED) {
            paced(c, write, end, histogram, done, 0);
        } else if (c.blocking()) {
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
        return new Measured(
                new Result(done.get() / secs, histogram.percentileMillis(0.5), histogram.percentileMillis(0.99)),
                done.get());
    }

    /**
     * One platform thread that wakes every {@code interval}, starts one operation and waits for it, as a request
     * thread of a quiet service would; a late operation pushes the next tick back (no catching up). With an interval
     * of 0 it does the same without pause (the trickle's warm-up: the same code paths, compiled quickly).
     */
    private static void paced(
            Contestant c, boolean write, long end, LatencyHistogram histogram, AtomicLong done, long interval)
            throws Exception {
        SplittableRandom random = new SplittableRandom(0);
        long next = System.nanoTime();
        while (next < end) {
            long wait;
            while ((wait = next - System.nanoTime()) > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            long t0 = System.nanoTime();
            CompletableFuture<?> op = operation(c, write, random);
            if (!c.blocking()) {
                op.get(30, TimeUnit.SECONDS);
            }
            long t1 = System.nanoTime();
            histogram.record(t1 - t0);
            done.incrementAndGet();
            next = Math.max(next + interval, t1);
        }
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

    private static List<String> pgbench(TestPostgres pg, Path bin, int port, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                bin.resolve("pgbench").toString(), "-h", pg.host(), "-p", String.valueOf(port), "-U", pg.user()));
        cmd.addAll(List.of(args));
        cmd.add(pg.database());
        return cmd;
    }

    /** pgbench's figures; through {@code proxy} (when not null) with its round trips per transaction. */
    private static Result pgbenchRun(TestPostgres pg, Path bin, String mode, int clients, int seconds, DelayProxy proxy)
            throws Exception {
        long trips0 = proxy == null ? 0 : proxy.roundTrips();
        String out = exec(
                pgbench(
                        pg,
                        bin,
                        proxy == null ? pg.port() : proxy.port(),
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
        Matcher count = Pattern.compile("number of transactions actually processed: ([0-9]+)")
                .matcher(out);
        double transactions = count.find() ? Double.parseDouble(count.group(1)) : Double.NaN;
        return new Result(
                tps.find() ? Double.parseDouble(tps.group(1)) : 0,
                latency.find() ? Double.parseDouble(latency.group(1)) : Double.NaN,
                Double.NaN,
                Double.NaN,
                proxy == null ? Double.NaN : (proxy.roundTrips() - trips0) / transactions,
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

    /**
     * Streams with each client {@value #STREAM_ROUNDS} times, alternating clients round by round, each time in a fresh
     * JVM with a 64 MB heap.
     *
     * @return per client: the median rows/s, the highest peak heap and each round's rows/s
     */
    private static Map<String, String> streaming(TestPostgres pg) throws Exception {
        String[] clients = {"pgengine", "pgjdbc", "vertx"};
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        Map<String, List<String>> milestones = new LinkedHashMap<>();
        Map<String, Double> peaks = new LinkedHashMap<>();
        Map<String, String> failures = new LinkedHashMap<>();
        for (int round = 0; round < STREAM_ROUNDS; round++) {
            for (String client : clients) {
                String out = streamInChild(pg, client);
                System.out.println("stream " + client + " round " + (round + 1) + ": " + out);
                Matcher rate = Pattern.compile("rowsPerSecond=([0-9.]+)").matcher(out);
                Matcher peak = Pattern.compile("peakHeapMB=([0-9.]+)").matcher(out);
                Matcher marks = Pattern.compile("millisAtRow=([0-9.:,]+)").matcher(out);
                if (rate.find() && peak.find()) {
                    rates.computeIfAbsent(client, c -> new ArrayList<>()).add(Double.parseDouble(rate.group(1)));
                    milestones
                            .computeIfAbsent(client, c -> new ArrayList<>())
                            .add(marks.find() ? marks.group(1) : "n/a");
                    peaks.merge(client, Double.parseDouble(peak.group(1)), Math::max);
                } else {
                    failures.put(client, out);
                }
            }
        }
        Map<String, String> streaming = new LinkedHashMap<>();
        for (String client : clients) {
            List<Double> r = rates.get(client);
            if (failures.containsKey(client) || r == null) {
                streaming.put(client, failures.getOrDefault(client, "failed"));
                continue;
            }
            List<Double> sorted = r.stream().sorted().toList();
            double median = sorted.get(sorted.size() / 2);
            streaming.put(
                    client,
                    String.format(
                            Locale.ROOT,
                            "rowsPerSecond=%.0f peakHeapMB=%.1f millisAtRow=%s rounds=%s",
                            median,
                            peaks.get(client),
                            milestones.get(client).get(r.indexOf(median)),
                            r.stream()
                                    .map(v -> String.format(Locale.ROOT, "%.0f", v))
                                    .collect(java.util.stream.Collectors.joining("/"))));
            System.out.println("stream " + client + ": " + streaming.get(client));
        }
        return streaming;
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
