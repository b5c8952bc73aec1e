package io.github.pgengine.bench;

import io.github.pgengine.bench.PeerBenchmark.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The goals of issue 21 ("less CPU per statement than pgjdbc, at every load from a trickle to 64 callers"), one row
 * per goal and workload, with each full run's figures side by side. A goal is met when it is met in every run.
 */
final class Goals {
    private static final String VERTX = "Vert.x (no pipelining)";
    private static final String VERTX_PIPELINED = "Vert.x (pipelining 256)";

    private Goals() {}

    /** One run's verdict on one goal, and the figures it rests on. */
    private record Check(boolean met, String figures) {}

    static String section(List<Report.Run> runs) {
        StringBuilder md = new StringBuilder("## Goals of issue 21\n\n");
        md.append("Each goal of the issue, checked in every full run; **met** only when it is met in all of them. ")
                .append("docs/performance-notes.md gives the measured reason where one is not met.\n\n");
        md.append("| goal |");
        for (int i = 1; i <= runs.size(); i++) {
            md.append(" run ").append(i).append(" |");
        }
        md.append(" verdict |\n|---|");
        md.append("---|".repeat(runs.size())).append("---|\n");
        Report.Run first = runs.get(0);
        for (String workload : first.table().keySet()) {
            row(md, "1. CPU/op ≤ pgjdbc, " + workload, runs, r -> cpu(r.table().get(workload)));
        }
        for (String workload : first.trickle().keySet()) {
            row(
                    md,
                    "1. CPU/op ≤ pgjdbc, " + workload,
                    runs,
                    r -> cpu(r.trickle().get(workload)));
        }
        for (String workload : first.table().keySet()) {
            row(
                    md,
                    "2. ops/s ≥ 1.0× pgjdbc, p99 no worse, " + workload,
                    runs,
                    r -> throughput(r.table().get(workload)));
        }
        for (String workload : first.table().keySet()) {
            if (workload.startsWith("point select") && !workload.endsWith(" 1 caller")) {
                row(
                        md,
                        "2. ops/s ≥ 0.9× pgbench, " + workload,
                        runs,
                        r -> pgbench(r.table().get(workload)));
            }
        }
        row(md, "3. streaming rows/s ≥ 1.0× pgjdbc, cold JVM", runs, r -> streaming(r.streaming()));
        md.append("| 4. pipelining: Vert.x pipelining 256 ÷ Vert.x without, ops/s |");
        for (Report.Run r : runs) {
            List<String> ratios = new ArrayList<>();
            r.table().forEach((workload, row) -> {
                if (!workload.endsWith(" 1 caller")) {
                    ratios.add(String.format(
                            Locale.ROOT,
                            "%s %.2f×",
                            workload.replace("point select", "select").replace("write transaction", "write"),
                            row.get(VERTX_PIPELINED).opsPerSecond()
                                    / row.get(VERTX).opsPerSecond()));
                }
            });
            md.append(' ').append(String.join("; ", ratios)).append(" |");
        }
        md.append(" measured; see the notes for pgengine |\n\n");
        return md.toString();
    }

    private static void row(StringBuilder md, String goal, List<Report.Run> runs, Function<Report.Run, Check> check) {
        md.append("| ").append(goal).append(" |");
        int met = 0;
        for (Report.Run r : runs) {
            Check c = check.apply(r);
            met += c.met() ? 1 : 0;
            md.append(' ')
                    .append(c.met() ? "met: " : "not met: ")
                    .append(c.figures())
                    .append(" |");
        }
        md.append(' ')
                .append(
                        met == runs.size()
                                ? Report.mark(true)
                                : met == 0 ? Report.mark(false) : "**not met** (" + met + " of " + runs.size() + ")")
                .append(" |\n");
    }

    private static Check cpu(Map<String, Result> row) {
        double e = row.get(Report.ENGINE).cpuMicrosPerOp();
        double j = row.get(Report.JDBC).cpuMicrosPerOp();
        // one decimal below 100 µs: rounded to whole µs, 25.9 against 25.6 read "26 vs 26" and marked not met
        String f = e < 100 && j < 100 ? "%.1f vs %.1f µs" : "%.0f vs %.0f µs";
        return new Check(e <= j, String.format(Locale.ROOT, f, e, j));
    }

    private static Check throughput(Map<String, Result> row) {
        Result e = row.get(Report.ENGINE);
        Result j = row.get(Report.JDBC);
        double ratio = e.opsPerSecond() / j.opsPerSecond();
        return new Check(
                ratio >= 1.0 && e.p99() <= j.p99(),
                String.format(
                        Locale.ROOT,
                        "%.2f×, p99 %s vs %s ms",
                        ratio,
                        PeerBenchmark.fmt(e.p99()),
                        PeerBenchmark.fmt(j.p99())));
    }

    private static Check pgbench(Map<String, Result> row) {
        double e = row.get(Report.ENGINE).opsPerSecond();
        Result figure = Report.pgbench(row);
        double pgbench = figure == null ? Double.NaN : figure.opsPerSecond();
        return new Check(e >= 0.9 * pgbench, String.format(Locale.ROOT, "%.2f×", e / pgbench));
    }

    private static Check streaming(Map<String, String> streaming) {
        double e = Report.number(Report.field(streaming.get(Report.ENGINE), "rowsPerSecond"));
        double j = Report.number(Report.field(streaming.get("pgjdbc"), "rowsPerSecond"));
        return new Check(e >= j, String.format(Locale.ROOT, "%.2f× (%,.0f vs %,.0f rows/s)", e / j, e, j));
    }
}
