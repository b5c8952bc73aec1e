package io.github.pgengine.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What connection attempts leave behind on this (Linux) host: TCP sockets to a port, from {@code /proc/net/tcp},
 * and a local cluster's server processes that serve clients (also those still waiting for a start-up packet, which
 * {@code pg_stat_activity} does not show), from {@code /proc}.
 */
public final class Leftovers {
    /** The server's own processes, by the title they set; every other child of the postmaster serves a client. */
    private static final List<String> AUXILIARY = List.of(
            "checkpointer",
            "background writer",
            "walwriter",
            "autovacuum launcher",
            "logical replication launcher",
            "archiver",
            "io worker",
            "walsummarizer",
            "stats collector");

    private Leftovers() {}

    /**
     * Counts this host's TCP sockets to {@code port} that are not yet closed (any state but TIME_WAIT and CLOSE).
     *
     * @param port the remote port
     * @return how many
     */
    public static int openSockets(int port) {
        return (int) socketStates(port)
                .filter(state -> !state.equals("06") && !state.equals("07"))
                .count();
    }

    /**
     * Counts this host's TCP sockets to {@code port} still in TCP connect (SYN_SENT).
     *
     * @param port the remote port
     * @return how many
     */
    public static int connecting(int port) {
        return (int) socketStates(port).filter(state -> state.equals("02")).count();
    }

    private static Stream<String> socketStates(int port) {
        String hex = String.format(":%04X", port);
        List<String> lines = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) { // Java's sockets are IPv6 ones by default
            Path path = Path.of(table);
            if (!Files.exists(path)) {
                continue;
            }
            try {
                List<String> all = Files.readAllLines(path);
                lines.addAll(all.subList(Math.min(1, all.size()), all.size()));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + table + ": " + e.getMessage(), e);
            }
        }
        return lines.stream()
                .map(String::trim)
                .map(line -> line.split("\\s+", -1))
                .filter(fields -> fields.length > 3 && fields[2].endsWith(hex))
                .map(fields -> fields[3]);
    }

    /**
     * Counts a local cluster's processes that serve clients: backends, and those forked for a connection that have
     * not read its start-up packet yet.
     *
     * @param server a local cluster
     * @return how many
     */
    public static int serverProcesses(TestPostgres server) {
        return serverProcessTitles(server).size();
    }

    /**
     * Returns the titles of a local cluster's processes that serve clients (see {@link #serverProcesses}).
     *
     * @param server a local cluster
     * @return their process titles
     */
    public static List<String> serverProcessTitles(TestPostgres server) {
        String parent = Long.toString(server.postmasterPid());
        List<String> titles = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                if (!p.getFileName().toString().chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
                    if (!fields[1].equals(parent)) {
                        continue;
                    }
                    String title = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ')
                            .trim();
                    if (AUXILIARY.stream().noneMatch(title::contains)) {
                        titles.add(title);
                    }
                } catch (IOException | RuntimeException gone) {
                    // the process ended while we looked
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc: " + e.getMessage(), e);
        }
        return titles;
    }
}
