package io.github.pgengine.bench;

import io.github.pgengine.testing.TestPostgres;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;

/**
 * One contestant in a JVM of its own: a warm-up, then a measured window of closed loops. Prints {@code MEASURING}
 * when the window opens and {@code MEASURED} when it closes (the parent counts the proxy's round trips between
 * the two), then a {@code RESULT} line with throughput, latency and the process's CPU time per operation over the
 * window (user + system time of every thread in this JVM, GC and JIT included) and the bytes its live threads
 * allocated per operation (threads that ended during the window are not counted).
 */
final class ClientChild {
    private ClientChild() {}

    /**
     * @param args {@code <contestant key> <select|write> <callers|trickle> <warm-up seconds> <seconds>}; the server comes
     *     from {@code PGENGINE_TEST_POSTGRES_URL}
     * @throws Exception on failure
     */
    static void main(String[] args) throws Exception {
        String key = args[0];
        boolean write = args[1].equals("write");
        int callers = args[2].equals("trickle") ? PeerBenchmark.TRICKLE : Integer.parseInt(args[2]);
        Duration warmUp = Duration.ofSeconds(Integer.parseInt(args[3]));
        Duration window = Duration.ofSeconds(Integer.parseInt(args[4]));
        Contestant c = Contestants.byKey(key, TestPostgres.get());
        if (callers == PeerBenchmark.TRICKLE) {
            // the JIT warms up on the same caller without pauses (paced alone it would still be compiling after a
            // minute: C2's thresholds are counted in invocations; and a closed loop of callbacks on the event loop
            // would warm other paths than a caller thread's), then the pace settles before the window
            PeerBenchmark.run(c, write, PeerBenchmark.UNPACED, warmUp);
            PeerBenchmark.run(c, write, PeerBenchmark.TRICKLE, Duration.ofSeconds(2));
        } else {
            PeerBenchmark.run(c, write, callers, warmUp);
        }
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.out.println("MEASURING");
        System.out.flush();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        boolean perThread = System.getenv("PGENGINE_BENCH_THREADS") != null;
        java.util.Map<String, long[]> perThread0 = perThread ? ThreadTimes.read() : java.util.Map.of();
        long cpu0 = os.getProcessCpuTime();
        long allocated0 = threads.getTotalThreadAllocatedBytes();
        PeerBenchmark.Measured m = PeerBenchmark.measure(c, write, callers, window);
        long allocated1 = threads.getTotalThreadAllocatedBytes();
        long cpu1 = os.getProcessCpuTime();
        if (perThread) {
            ThreadTimes.print(perThread0, ThreadTimes.read(), m.operations());
        }
        System.out.println("MEASURED");
        System.out.flush();
        System.out.printf(
                Locale.ROOT,
                "RESULT ops=%d opsPerSecond=%.1f p50=%.4f p99=%.4f cpuMicrosPerOp=%.2f allocatedBytesPerOp=%.0f%n",
                m.operations(),
                m.result().opsPerSecond(),
                m.result().p50(),
                m.result().p99(),
                (cpu1 - cpu0) / 1e3 / Math.max(1, m.operations()),
                (double) (allocated1 - allocated0) / Math.max(1, m.operations()));
        System.out.flush();
        c.close();
    }
}
