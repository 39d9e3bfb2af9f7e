package org.levee.upstream.gobgp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.netns.LabProcess;
import org.levee.netns.NetnsLab;
import org.levee.rules.Action;
import org.levee.rules.IpAddress;
import org.levee.rules.Match;
import org.levee.rules.Origin;
import org.levee.rules.Prefix;
import org.levee.rules.Rule;
import org.levee.rules.UpstreamMode;
import org.levee.testing.Requirements;
import org.levee.upstream.DesiredRoutes;
import org.levee.upstream.Route;
import org.levee.upstream.SyncReport;
import org.levee.upstream.Translation;
import org.levee.upstream.Upstream;
import org.levee.upstream.UpstreamAnnouncer;
import org.levee.upstream.UpstreamConfig;
import org.levee.upstream.UpstreamRequest;

/**
 * Levee's gobgpd in one network namespace peers over a veth pair with a second, independent
 * gobgpd in another, "the upstream router"; the upstream's table (read with {@code gobgp -j global
 * rib}) must hold exactly the desired FlowSpec and blackhole routes while the rules live, none
 * after, and converge to exactly the desired set after a restart of Levee (with a leftover route),
 * of Levee's speaker and of the upstream.
 */
@Tag("kernel")
class GobgpUpstreamTest {

    private static final Duration CONVERGE = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void requirements() {
        Requirements.root();
        Requirements.command("gobgpd");
        Requirements.command("gobgp");
        Requirements.library("libpcap.so.0.8");
    }

    @Test
    void theUpstreamHoldsExactlyTheDesiredRoutesThroughRetirementAndRestarts() throws Exception {
        Path dir = Files.createTempDirectory("levee-bgp");
        try (NetnsLab lab = NetnsLab.create()) {
            String levee = lab.addNamespace("levee");
            String upstream = lab.addNamespace("upstream");
            lab.addVeth(levee, "192.0.2.1/24", upstream, "192.0.2.2/24");
            Path upstreamConfig = dir.resolve("upstream.toml");
            Files.writeString(upstreamConfig, """
                    [global.config]
                      as = 64496
                      router-id = "192.0.2.2"
                    [[neighbors]]
                      [neighbors.config]
                        neighbor-address = "192.0.2.1"
                        peer-as = 64512
                    """ + families());
            Path upstreamApi = dir.resolve("upstream.sock");
            Path leveeApi = dir.resolve("levee.sock");
            List<String> upstreamCommand = List.of(
                    "gobgpd",
                    "-f",
                    upstreamConfig.toString(),
                    "--api-hosts",
                    "unix://" + upstreamApi,
                    "--pprof-disable",
                    "-p");
            List<String> leveeCommand = List.of("gobgpd", "--api-hosts", "unix://" + leveeApi, "--pprof-disable", "-p");
            LabProcess upstreamDaemon =
                    start(lab, "upstream-gobgpd", upstream, dir.resolve("upstream.log"), upstreamCommand, upstreamApi);
            LabProcess leveeDaemon =
                    start(lab, "levee-gobgpd", levee, dir.resolve("levee.log"), leveeCommand, leveeApi);

            UpstreamConfig config = new UpstreamConfig(
                    new UpstreamConfig.Speaker(
                            "unix://" + leveeApi, List.of("gobgp"), 64512, IpAddress.parse("192.0.2.1")),
                    List.of(new UpstreamConfig.Neighbour(IpAddress.parse("192.0.2.2"), 64512, 64496)),
                    10_000_000_000L,
                    0.5,
                    List.of(UpstreamMode.FLOWSPEC),
                    OptionalLong.empty(),
                    false,
                    Optional.empty(),
                    Optional.of(IpAddress.parse("2001:db8::1")),
                    List.of(Route.Community.NO_EXPORT),
                    java.util.Map.of(),
                    Duration.ofSeconds(1));
            Upstream policy = new Upstream(config);
            List<UpstreamRequest> live = new ArrayList<>(List.of(
                    optIn(
                            rule(
                                    "memcached",
                                    "udp and src port 11211 and dst host 203.0.113.10",
                                    List.of(),
                                    new Action.Drop()),
                            UpstreamMode.FLOWSPEC),
                    optIn(
                            rule(
                                    "sized",
                                    "dst host 203.0.113.11 and udp and ip[2:2] == 1400",
                                    List.of(),
                                    new Action.RateLimit(1000, 1000)),
                            UpstreamMode.FLOWSPEC),
                    optIn(
                            rule(
                                    "syn6",
                                    "ip6 and dst host 2001:db8:1::10 and ip6[4:2] == 20",
                                    List.of(),
                                    new Action.Drop()),
                            UpstreamMode.FLOWSPEC),
                    optIn(rule("hole4", "udp", List.of("203.0.113.20/32"), new Action.Drop()), UpstreamMode.BLACKHOLE),
                    optIn(
                            rule("hole6", "udp", List.of("2001:db8:1::20/128"), new Action.Drop()),
                            UpstreamMode.BLACKHOLE),
                    optIn(
                            rule("ttl", "dst host 203.0.113.30 and ip[8] == 64", List.of(), new Action.Drop()),
                            UpstreamMode.FLOWSPEC),
                    new UpstreamRequest(
                            rule(
                                    "flood",
                                    "ip and dst host 203.0.113.40 and tcp[13] & 0x12 == 0x02",
                                    List.of(),
                                    new Action.Drop()),
                            Optional.empty(),
                            OptionalDouble.of(6e9)),
                    new UpstreamRequest(
                            rule("small", "ip and dst host 203.0.113.41 and udp", List.of(), new Action.Drop()),
                            Optional.empty(),
                            OptionalDouble.of(1e9))));
            DesiredRoutes desired = policy.desired(live);
            assertThat(desired.refusals())
                    .extracting(Translation.Refused::ruleId)
                    .containsExactly("ttl");
            assertThat(desired.routes()).hasSize(6);

            Supplier<Set<String>> upstreamView = () -> view(upstreamApi);
            UpstreamAnnouncer announcer =
                    new UpstreamAnnouncer(new GobgpSpeaker(config.speaker(), config.neighbours()));
            SyncReport first = announcer.synchronize(desired.routes());
            assertThat(first.announced()).hasSize(6);
            awaitView(upstreamView, expected(desired.routes()), "after the first announcement");

            // A second synchronisation finds everything in place.
            assertThat(announcer.synchronize(desired.routes()).changed()).isFalse();

            // The memcached rule is retired.
            live.removeFirst();
            DesiredRoutes fewer = policy.desired(live);
            SyncReport retired = announcer.synchronize(fewer.routes());
            assertThat(retired.withdrawn()).hasSize(1);
            awaitView(upstreamView, expected(fewer.routes()), "after retiring a rule");

            // Levee restarts: a leftover of its earlier run is still announced, the new run withdraws it.
            GobgpSpeaker restarted = new GobgpSpeaker(config.speaker(), config.neighbours());
            Route leftover = desired.routes().stream()
                    .filter(r -> r.key().contains("11211"))
                    .findFirst()
                    .orElseThrow();
            restarted.announce(leftover);
            awaitView(upstreamView, expected(desired.routes()), "with the leftover announced");
            UpstreamAnnouncer afterRestart = new UpstreamAnnouncer(restarted);
            SyncReport cleanup = afterRestart.synchronize(fewer.routes());
            assertThat(cleanup.withdrawn()).containsExactly(leftover);
            assertThat(cleanup.announced()).isEmpty();
            awaitView(upstreamView, expected(fewer.routes()), "after Levee restarted");

            // Levee's speaker restarts empty and unconfigured: the next synchronisation brings everything back.
            leveeDaemon.stop();
            awaitView(upstreamView, Set.of(), "while Levee's speaker is down");
            leveeDaemon = start(lab, "levee-gobgpd-2", levee, dir.resolve("levee2.log"), leveeCommand, leveeApi);
            SyncReport again = afterRestart.synchronize(fewer.routes());
            assertThat(again.announced()).hasSize(fewer.routes().size());
            awaitView(upstreamView, expected(fewer.routes()), "after Levee's speaker restarted");

            // The upstream restarts: the session comes back and the speaker sends the routes again.
            upstreamDaemon.stop();
            upstreamDaemon = start(
                    lab, "upstream-gobgpd-2", upstream, dir.resolve("upstream2.log"), upstreamCommand, upstreamApi);
            awaitView(upstreamView, expected(fewer.routes()), "after the upstream restarted");
            assertThat(afterRestart.synchronize(fewer.routes()).changed()).isFalse();

            // Every rule retired: nothing left upstream, in any family.
            assertThat(afterRestart.synchronize(Set.of()).withdrawn())
                    .hasSize(fewer.routes().size());
            awaitView(upstreamView, Set.of(), "after every rule was retired");
            assertThat(new GobgpSpeaker(config.speaker(), config.neighbours()).announced())
                    .isEmpty();
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String families() {
        StringBuilder s = new StringBuilder();
        for (String f : List.of("ipv4-flowspec", "ipv6-flowspec", "ipv4-unicast", "ipv6-unicast")) {
            s.append("  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = \"")
                    .append(f)
                    .append("\"\n");
        }
        return s.toString();
    }

    private static LabProcess start(
            NetnsLab lab, String name, String namespace, Path log, List<String> command, Path api) throws Exception {
        Files.deleteIfExists(api);
        LabProcess p = lab.spawn(name, namespace, log, command);
        Instant deadline = Instant.now().plusSeconds(20);
        while (!Files.exists(api)) {
            assertThat(p.alive()).as("%s is running: %s", name, p.tail(20)).isTrue();
            assertThat(Instant.now()).as("%s opened its API socket", name).isBefore(deadline);
            Thread.sleep(50);
        }
        return p;
    }

    /**
     * What the upstream holds from Levee, one line per route: FlowSpec routes whole (match and
     * action), blackholes as host and communities (the next hop is rewritten on an eBGP session).
     */
    private static Set<String> view(Path api) {
        Set<String> out = new TreeSet<>();
        for (String family : GobgpSpeaker.FAMILIES) {
            String json = run(List.of("gobgp", "--target", "unix://" + api, "-j", "global", "rib", "-a", family));
            try {
                for (Route r : GobgpSpeaker.parseRib(family, json.isBlank() ? null : JSON.readTree(json), true)) {
                    out.add(line(r));
                }
            } catch (java.io.IOException e) {
                throw new AssertionError("gobgp printed no JSON: " + json, e);
            }
        }
        return out;
    }

    private static Set<String> expected(Set<Route> routes) {
        Set<String> out = new TreeSet<>();
        routes.forEach(r -> out.add(line(r)));
        return out;
    }

    private static String line(Route r) {
        return r instanceof Route.Blackhole b ? b.family() + " " + b.host() + " " + b.communities() : r.toString();
    }

    private static void awaitView(Supplier<Set<String>> view, Set<String> expected, String when)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(CONVERGE);
        Set<String> last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                last = view.get();
                if (last.equals(expected)) {
                    return;
                }
            } catch (RuntimeException | AssertionError e) {
                last = Set.of("(" + e.getMessage() + ")");
            }
            Thread.sleep(250);
        }
        assertThat(last).as("the upstream's routes " + when).isEqualTo(expected);
    }

    private static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + ": " + out);
            }
            return out;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static UpstreamRequest optIn(Rule rule, UpstreamMode mode) {
        return new UpstreamRequest(rule, Optional.of(mode), OptionalDouble.empty());
    }

    private static Rule rule(String id, String filter, List<String> destinations, Action action) {
        return new Rule(
                id,
                new Match.Filter(filter),
                destinations.stream().map(Prefix::parse).toList(),
                List.of(),
                action,
                Optional.empty(),
                "",
                Origin.MANUAL);
    }
}
