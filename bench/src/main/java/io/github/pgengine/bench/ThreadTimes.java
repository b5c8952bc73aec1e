package io.github.pgengine.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time and context switches of every thread of this JVM (Linux {@code /proc/self/task/N/stat}: user + system
 * time in clock ticks of 10 ms; {@code status}: voluntary switches, which count the times the thread went to sleep
 * and so its wake-ups), for finding which thread a client's CPU per operation goes to. Printed by a child when
 * {@code PGENGINE_BENCH_THREADS} is set; read it over windows of seconds (the ticks are coarse).
 */
final class ThreadTimes {
    private ThreadTimes() {}

    /** @return per thread ({@code name/tid}): nanoseconds on a CPU and voluntary context switches; empty off Linux */
    static Map<String, long[]> read() {
        Map<String, long[]> out = new HashMap<>();
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return out;
        }
        try (Stream<Path> list = Files.list(tasks)) {
            list.forEach(task -> {
                try {
                    String name = Files.readString(task.resolve("comm")).trim();
                    String stat = Files.readString(task.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    long switches = Files.readString(task.resolve("status"))
                            .lines()
                            .filter(l -> l.startsWith("voluntary_ctxt_switches:"))
                            .mapToLong(l -> Long.parseLong(
                                    l.substring(l.indexOf(':') + 1).trim()))
                            .sum();
                    out.put(name + "/" + task.getFileName(), new long[] {ticks * 10_000_000L, switches});
                } catch (IOException | RuntimeException e) {
                    // the thread ended while being read
                }
            });
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /** Prints, per thread with any CPU or switch in between, µs of CPU and wake-ups per operation, busiest first. */
    static void print(Map<String, long[]> before, Map<String, long[]> after, long operations) {
        double ops = Math.max(1, operations);
        after.entrySet().stream()
                .map(e -> {
                    long[] b = before.getOrDefault(e.getKey(), new long[2]);
                    return Map.entry(e.getKey(), new long[] {e.getValue()[0] - b[0], e.getValue()[1] - b[1]});
                })
                .filter(e -> e.getValue()[0] > 0 || e.getValue()[1] > 0)
                .sorted((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0]))
                .limit(15)
                .forEach(e -> System.out.printf(
                        Locale.ROOT,
                        "THREAD %-28s cpu %8.2f us/op  wakeups %6.3f /op%n",
                        e.getKey(),
                        e.getValue()[0] / 1e3 / ops,
                        e.getValue()[1] / ops));
    }
}
