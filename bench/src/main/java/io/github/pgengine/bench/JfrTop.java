package io.github.pgengine.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a JFR recording: CPU samples by top frame (self time) and by the first pgengine frame on the stack
 * (where the engine's own code leads to the time), and sampled allocation weight by class and by allocation site.
 */
final class JfrTop {
    private static final int TOP = 25;

    private JfrTop() {}

    /**
     * @param args {@code <recording.jfr>}
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> selfPackage = new HashMap<>();
        Map<String, Long> engine = new HashMap<>();
        Map<String, Long> allocClass = new HashMap<>();
        Map<String, Long> allocSite = new HashMap<>();
        Map<String, Long> allocEngine = new HashMap<>();
        Map<String, Long> nativeTop = new HashMap<>();
        long natives = 0;
        long samples = 0;
        long allocated = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            String type = e.getEventType().getName();
            RecordedStackTrace stack = e.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            List<RecordedFrame> frames = stack.getFrames();
            if (type.equals("jdk.ExecutionSample")) {
                samples++;
                String top = name(frames.get(0));
                self.merge(top, 1L, Long::sum);
                selfPackage.merge(owner(frames.get(0)), 1L, Long::sum);
                engine.merge(firstEngineFrame(frames), 1L, Long::sum);
            } else if (type.equals("jdk.NativeMethodSample")) {
                natives++;
                nativeTop.merge(
                        name(frames.get(0)) + " <- " + (frames.size() > 1 ? name(frames.get(1)) : ""), 1L, Long::sum);
            } else if (type.equals("jdk.ObjectAllocationSample")) {
                long weight = e.getLong("weight");
                allocated += weight;
                allocClass.merge(e.getClass("objectClass").getName(), weight, Long::sum);
                allocSite.merge(
                        name(frames.get(0)) + " <- " + (frames.size() > 1 ? name(frames.get(1)) : ""),
                        weight,
                        Long::sum);
                allocEngine.merge(firstEngineFrame(frames), weight, Long::sum);
            }
        }
        System.out.printf("CPU samples: %d%n", samples);
        print("top frames (self)", self, samples);
        print("top frames by library (self)", selfPackage, samples);
        print("first pgengine frame on the stack", engine, samples);
        System.out.printf("%nnative-method samples (threads in native code, idle waits included): %d%n", natives);
        print("native frames", nativeTop, natives);
        System.out.printf("%nsampled allocation weight: %.1f MB%n", allocated / 1048576.0);
        print("allocation by class", allocClass, allocated);
        print("allocation site (frame <- caller)", allocSite, allocated);
        print("allocation by first pgengine frame", allocEngine, allocated);
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName() + ":" + f.getLineNumber();
    }

    /** The library a frame belongs to: the first three parts of its package. */
    private static String owner(RecordedFrame f) {
        String[] parts = f.getMethod().getType().getName().split("\\.");
        return String.join(".", java.util.Arrays.copyOf(parts, Math.min(3, parts.length - 1)));
    }

    private static String firstEngineFrame(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            String type = f.getMethod().getType().getName();
            if (type.startsWith("io.github.pgengine.") && !type.startsWith("io.github.pgengine.bench.")) {
                return name(f);
            }
        }
        return "(no pgengine frame)";
    }

    private static void print(String title, Map<String, Long> counts, long total) {
        System.out.printf("%n%s%n", title);
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(TOP)
                .forEach(e -> System.out.printf("  %5.1f%%  %s%n", 100.0 * e.getValue() / total, e.getKey()));
    }
}
