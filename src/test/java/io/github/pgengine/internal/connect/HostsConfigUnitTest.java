package io.github.pgengine.internal.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pgengine.internal.connect.Hosts.Endpoint;
import io.github.pgengine.internal.connect.Hosts.TargetSessionAttrs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Several hosts in every form libpq and pgjdbc accept, and the options that choose among them. */
class HostsConfigUnitTest {
    private static final ConfigParser NO_ENV = new ConfigParser(k -> null, 5432);

    private static List<Endpoint> endpoints(ConnectionSettings s) {
        return s.hosts().endpoints();
    }

    @Test
    void aUrlListsHostsEachWithItsPortOrTheDefault() {
        ConnectionSettings s =
                NO_ENV.parse(Map.of(), "postgresql://u@a:5433,b,[::1]:6000/app?target_session_attrs=read-write");

        assertThat(endpoints(s))
                .containsExactly(new Endpoint("a", 5433), new Endpoint("b", 5432), new Endpoint("::1", 6000));
        assertThat(s.hosts().target()).isEqualTo(TargetSessionAttrs.READ_WRITE);
        assertThat(s.host()).isEqualTo("a");
        assertThat(s.port()).isEqualTo(5433);
        assertThat(s.describe()).isEqualTo("u@a:5433,b:5432,[::1]:6000/app");
    }

    @Test
    void theKeywordFormListsHostsAndPortsAsLibpqDoes() {
        ConnectionSettings s = NO_ENV.parse(
                Map.of(),
                "host=a,b port=5432,5433 dbname=app user='my user' load_balance_hosts=random "
                        + "target_session_attrs=prefer-standby host_recheck_interval=3");

        assertThat(endpoints(s)).containsExactly(new Endpoint("a", 5432), new Endpoint("b", 5433));
        assertThat(s.user()).isEqualTo("my user");
        assertThat(s.database()).isEqualTo("app");
        assertThat(s.hosts().random()).isTrue();
        assertThat(s.hosts().target()).isEqualTo(TargetSessionAttrs.PREFER_STANDBY);
        assertThat(s.hosts().recheck()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void theConfigMapTakesCommaSeparatedStringsOrLists() {
        ConnectionSettings one = NO_ENV.parse(Map.of("host", "a,b", "port", 6432), null);
        ConnectionSettings two = NO_ENV.parse(Map.of("host", List.of("a", "b"), "port", List.of(1, 2)), null);

        assertThat(endpoints(one)).containsExactly(new Endpoint("a", 6432), new Endpoint("b", 6432));
        assertThat(endpoints(two)).containsExactly(new Endpoint("a", 1), new Endpoint("b", 2));
    }

    @Test
    void pgjdbcNamesAreAccepted() {
        ConnectionSettings s = NO_ENV.parse(
                Map.of(),
                "jdbc:postgresql://a,b/app?targetServerType=preferSecondary&loadBalanceHosts=true&hostRecheckSeconds=7");

        assertThat(s.hosts().target()).isEqualTo(TargetSessionAttrs.PREFER_STANDBY);
        assertThat(s.hosts().random()).isTrue();
        assertThat(s.hosts().recheck()).isEqualTo(Duration.ofSeconds(7));
        assertThat(NO_ENV.parse(Map.of("target_session_attrs", "master"), null)
                        .hosts()
                        .target())
                .isEqualTo(TargetSessionAttrs.PRIMARY);
    }

    @Test
    void theEnvironmentNamesTargetAndBalancingAsLibpq() {
        Map<String, String> env = Map.of(
                "PGHOST", "x,y", "PGPORT", "1,2", "PGTARGETSESSIONATTRS", "standby", "PGLOADBALANCEHOSTS", "random");
        ConnectionSettings s = new ConfigParser(env::get, 5432).parse(Map.of(), null);

        assertThat(endpoints(s)).containsExactly(new Endpoint("x", 1), new Endpoint("y", 2));
        assertThat(s.hosts().target()).isEqualTo(TargetSessionAttrs.STANDBY);
        assertThat(s.hosts().random()).isTrue();
    }

    @Test
    void oneHostKeepsTheSettingsOfBefore() {
        ConnectionSettings s = NO_ENV.parse(Map.of("host", "db1", "port", 6543), null);

        assertThat(s.hosts().isMulti()).isFalse();
        assertThat(s.describe()).endsWith("@db1:6543/" + s.database());
        assertThat(s).isEqualTo(NO_ENV.parse(Map.of(), "postgresql://db1:6543/" + s.database() + "?user=" + s.user()));
    }

    @Test
    void badListsAreRefusedNamingTheProblem() {
        assertThatThrownBy(() -> NO_ENV.parse(Map.of("host", "a,b", "port", "1,2,3"), null))
                .hasMessage("port lists 3 ports for 2 hosts; give one port for all hosts or one per host");
        assertThatThrownBy(() -> NO_ENV.parse(Map.of("host", List.of("a", "/tmp")), null))
                .hasMessageStartingWith("host is a Unix socket directory (/tmp)");
        assertThatThrownBy(() -> NO_ENV.parse(Map.of("host", List.of(1)), null))
                .hasMessageStartingWith("configuration key 'host' must be a String");
        assertThatThrownBy(() -> NO_ENV.parse(Map.of("host", "a,b", "port", "1,x"), null))
                .hasMessage("port must be a whole number between 1 and 65535 (was \"x\")");
        assertThatThrownBy(() -> NO_ENV.parse(Map.of(), "host=a bogus=1"))
                .hasMessageStartingWith("connection string keyword 'bogus' is not supported");
    }

    /** Any list of hosts and ports reads the same from a URL, the keyword form and the config map. */
    @Property(tries = 200)
    void everyFormGivesTheSameHosts(@ForAll("hostLists") List<Endpoint> hosts) {
        String url =
                "postgresql://u@" + hosts.stream().map(Endpoint::toString).collect(Collectors.joining(",")) + "/db";
        String keywords = "user=u dbname=db host="
                + hosts.stream().map(Endpoint::host).collect(Collectors.joining(","))
                + " port=" + hosts.stream().map(e -> String.valueOf(e.port())).collect(Collectors.joining(","));
        List<String> names = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        hosts.forEach(e -> {
            names.add(e.host());
            ports.add(e.port());
        });

        List<Endpoint> fromUrl = endpoints(NO_ENV.parse(Map.of(), url));
        List<Endpoint> fromKeywords = endpoints(NO_ENV.parse(Map.of(), keywords));
        List<Endpoint> fromMap =
                endpoints(NO_ENV.parse(Map.of("host", names, "port", ports, "user", "u", "database", "db"), null));

        assertThat(fromUrl).isEqualTo(hosts);
        assertThat(fromKeywords).isEqualTo(hosts);
        assertThat(fromMap).isEqualTo(hosts);
    }

    @Provide
    Arbitrary<List<Endpoint>> hostLists() {
        Arbitrary<String> name = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(10),
                Arbitraries.integers()
                        .between(0, 255)
                        .list()
                        .ofSize(4)
                        .map(l -> l.stream().map(String::valueOf).collect(Collectors.joining("."))),
                Arbitraries.of("::1", "fe80::1", "2001:db8::7"));
        Arbitrary<Endpoint> endpoint = Combinators.combine(
                        name, Arbitraries.integers().between(1, 65535))
                .as(Endpoint::new);
        return endpoint.list().ofMinSize(1).ofMaxSize(5);
    }

    @Test
    void targetsAcceptWhatLibpqAccepts() {
        assertThat(TargetSessionAttrs.READ_WRITE.accepts(false, false)).isTrue();
        assertThat(TargetSessionAttrs.READ_WRITE.accepts(true, false)).isFalse();
        assertThat(TargetSessionAttrs.READ_ONLY.accepts(true, true)).isTrue();
        assertThat(TargetSessionAttrs.PRIMARY.accepts(true, false)).isTrue();
        assertThat(TargetSessionAttrs.PRIMARY.accepts(false, true)).isFalse();
        assertThat(TargetSessionAttrs.STANDBY.accepts(true, true)).isTrue();
        assertThat(TargetSessionAttrs.STANDBY.accepts(true, false)).isFalse();
        assertThat(Hosts.single("h", 1).isMulti()).isFalse();
    }
}
