package org.levee.cli.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.agent.Agent;
import org.levee.agent.config.AgentConfig;
import org.levee.agent.config.FleetConfig;
import org.levee.agent.config.Sampling;
import org.levee.agent.fleet.FleetEdge;
import org.levee.agent.testing.Frames;
import org.levee.agent.testing.RecordingDataPlane;
import org.levee.agent.testing.TestAgents;
import org.levee.config.ApiToken;
import org.levee.config.EtcdSection;
import org.levee.controller.Controller;
import org.levee.controller.config.ControllerConfig;
import org.levee.dataplane.Attachment;
import org.levee.dataplane.Counters;
import org.levee.dataplane.PinLayout;
import org.levee.dataplane.XdpDataPlane;
import org.levee.ebpf.XdpMode;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;
import org.levee.rules.StoredRule;
import org.levee.store.FleetKeys;
import org.levee.store.Registration;
import org.levee.store.RegistrationJson;
import org.levee.store.RulesetManifest;
import org.levee.store.testing.EtcdHarness;
import org.levee.testing.Requirements;

/**
 * The live page in a real browser (headless Chromium through the DevTools protocol), on a running
 * agent, a running controller and an edge of the fleet: it loads with no error of any kind (console, exception, failed
 * load, Content Security Policy), draws the traffic, shows a rule added through the API within
 * 2 s, and fits a phone's width. Screenshots at 1280 and 390 CSS pixels go to
 * {@code -Dlevee.screenshots=DIR} (docs/images for the documentation; target/screenshots by default).
 */
class LivePageInBrowserTest {
    private static final Duration RULE_SHOWN_WITHIN = Duration.ofSeconds(2);
    private static final int LAPTOP = 1280;
    private static final int PHONE = 390;

    private static Chromium browser;

    @TempDir
    Path state;

    @BeforeAll
    static void startBrowser() {
        browser = Chromium.start();
    }

    /** A blank page between tests: the last one's page polled a server that is gone. */
    @BeforeEach
    void blank() {
        browser.navigate("about:blank");
        browser.clearErrors();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void theAgentsPageShowsTrafficAttacksAndANewRuleAndFitsAPhone() throws Exception {
        Requirements.library("libpcap.so.0.8");
        RecordingDataPlane dp = new RecordingDataPlane();
        AgentConfig config = TestAgents.config(state, "ams1")
                .withSampling(Sampling.fixed(Flood.RATE))
                .withDetector(TestAgents.detector(1024, Duration.ofSeconds(3), Duration.ofSeconds(60)));
        try (Agent agent = Agent.start(config, dp);
                Flood flood = Flood.start(agent, dp)) {
            String page = "http://127.0.0.1:" + agent.apiAddress().getPort() + "/";
            browser.viewport(LAPTOP, 900);
            browser.navigate(page);
            awaitInPage(
                    "the page is live", "document.getElementById('live').className === 'ok'", Duration.ofSeconds(10));
            awaitInPage(
                    "the detector's attack and its rule",
                    "document.querySelectorAll('#attacks .attack').length === 1"
                            + " && document.querySelector('#rules tr[data-rule-id^=\"auto-\"]') !== null",
                    Duration.ofSeconds(15));
            awaitInPage(
                    "ten seconds of traffic",
                    "document.querySelectorAll('#chart polyline').length >= 5"
                            + " && document.querySelector('#chart polyline').getAttribute('points').split(' ').length >= 10",
                    Duration.ofSeconds(15));
            assertThat(text("#attacks .attack h3")).startsWith("203.0.113.10/32 udp");
            assertThat(text("#attacks .attack dl"))
                    .contains("trigger")
                    .contains("threshold")
                    .contains("coverage");

            String api = "http://127.0.0.1:" + agent.apiAddress().getPort();
            long shownAfter = addRuleAndTimeItsRow(api, state, "memcached-reflection");
            assertThat(Duration.ofNanos(shownAfter)).isLessThan(RULE_SHOWN_WITHIN);
            assertThat(text("#rules tr[data-rule-id=\"memcached-reflection\"]"))
                    .contains("udp and src port 11211")
                    .contains("ratelimit 1k pps")
                    .contains("in 59m");

            screenshots("agent");
            assertThat(browser.errors()).as("errors the page reported").isEmpty();
        }
    }

    @Test
    void theControllersPageShowsTheFleetAndANewRuleAndFitsAPhone() throws Exception {
        Requirements.library("libpcap.so.0.8");
        try (EtcdHarness etcd = EtcdHarness.start(1);
                Controller controller = Controller.start(
                        ControllerConfig.defaults()
                                .withName("ctl-a")
                                .withStateDir(state)
                                .withSflowListen(new InetSocketAddress("127.0.0.1", 0))
                                .withApiAddress(new InetSocketAddress("127.0.0.1", 0))
                                .withEtcd(EtcdSection.none()),
                        etcd.settings());
                Edges edges = Edges.start(etcd, controller)) {
            String api = "http://127.0.0.1:" + controller.apiAddress().getPort();
            post(api, state, """
                    {"id": "ntp-monlist", "filter": "udp and src port 123 and greater 400", "destinations": ["203.0.113.0/24"],
                     "action": "drop", "ttl": "6h", "comment": "NTP amplification"}""");
            browser.viewport(LAPTOP, 900);
            browser.navigate(api + "/");
            awaitInPage(
                    "the page is live", "document.getElementById('live').className === 'ok'", Duration.ofSeconds(10));
            awaitInPage(
                    "every edge, running the rule set in force",
                    "document.querySelectorAll('#fleet-nodes tr[data-node]').length === " + Edges.NODES.size()
                            + " && document.querySelectorAll('#fleet-nodes .state-current').length === "
                            + Edges.NODES.size(),
                    Duration.ofSeconds(20));
            awaitInPage(
                    "the edges' traffic",
                    "document.querySelectorAll('#chart polyline').length >= 5"
                            + " && document.querySelector('#chart polyline').getAttribute('points').split(' ').length >= 8",
                    Duration.ofSeconds(20));
            assertThat(text("#fleet-nodes tr[data-node=\"fra1/edge-3\"]"))
                    .contains("fra1")
                    .contains("edge-3")
                    .contains(String.valueOf(controller.manifest().orElseThrow().version()));
            assertThat(text("#role")).isEqualTo("controller");

            long shownAfter = addRuleAndTimeItsRow(api, state, "syn-flood-203-0-113-7");
            assertThat(Duration.ofNanos(shownAfter)).isLessThan(RULE_SHOWN_WITHIN);

            awaitInPage(
                    "the new rule set on every edge",
                    "document.querySelectorAll('#fleet-nodes .state-current').length === " + Edges.NODES.size(),
                    Duration.ofSeconds(20));
            screenshots("controller");
            assertThat(browser.errors()).as("errors the page reported").isEmpty();
        }
    }

    /** Root, XDP and a namespace: left out of ./test --quick. */
    @Test
    @Tag("kernel")
    void anEdgesPageShowsTheFleetsRulesBesideItsOwn() throws Exception {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
        try (EtcdHarness etcd = EtcdHarness.start(1);
                Controller controller = Controller.start(
                        ControllerConfig.defaults()
                                .withName("ctl-e")
                                .withStateDir(state.resolve("controller"))
                                .withSflowListen(new InetSocketAddress("127.0.0.1", 0))
                                .withApiAddress(new InetSocketAddress("127.0.0.1", 0))
                                .withEtcd(EtcdSection.none()),
                        etcd.settings());
                NetnsLab lab = NetnsLab.create()) {
            String peer = lab.addNamespace("peer");
            String ns = lab.addNamespace("edge");
            VethPair veth = lab.addVeth(peer, "192.0.2.1/30", ns, "192.0.2.2/30");
            String controllerApi = "http://127.0.0.1:" + controller.apiAddress().getPort();
            post(controllerApi, state.resolve("controller"), """
                    {"id": "dns-any", "filter": "udp and dst port 53 and udp[10:2] & 0x8000 = 0", "destinations": ["192.0.2.2/32"],
                     "datacenters": ["fra1"], "action": "drop", "ttl": "1h", "comment": "fra1 only"}""");
            FleetConfig fleet = FleetConfig.none()
                    .withEtcdEndpoints(etcd.endpoints())
                    .withCollectors(List.of(controller.sflowAddress()))
                    .withReportInterval(Duration.ofSeconds(1));
            AgentConfig config = AgentConfig.defaults()
                    .withStateDir(state)
                    .withDatacenter("ams1")
                    .withNode("edge-1")
                    .withApiAddress(new InetSocketAddress("127.0.0.1", 0))
                    .withSampling(Sampling.fixed(1))
                    .withFleet(fleet);
            try (FleetEdge edge =
                    FleetEdge.start(config, XdpDataPlane.open(veth.interfaceB(), ns, XdpMode.NATIVE, 1))) {
                String api = "http://127.0.0.1:" + edge.apiAddress().getPort();
                browser.viewport(LAPTOP, 900);
                browser.navigate(api + "/");
                awaitInPage(
                        "the page is live",
                        "document.getElementById('live').className === 'ok'",
                        Duration.ofSeconds(10));
                awaitInPage(
                        "the fleet's rule, off in this data center",
                        "document.querySelector('#rules tr.off[data-rule-id=\"dns-any\"]') !== null",
                        Duration.ofSeconds(20));
                assertThat(text("#role")).isEqualTo("edge");
                assertThat(text("#rules tr[data-rule-id=\"dns-any\"]")).contains("fleet/manual (off here)");
                assertThat(text("#fleet-summary"))
                        .contains("from etcd")
                        .contains("etcd watch")
                        .contains("connected");

                long shownAfter = addRuleAndTimeItsRow(api, state, "local-memcached");
                assertThat(Duration.ofNanos(shownAfter)).isLessThan(RULE_SHOWN_WITHIN);
                assertThat(browser.errors()).as("errors the page reported").isEmpty();
            } finally {
                browser.navigate("about:blank");
                Attachment.detach(new PinLayout(veth.interfaceB(), ns));
            }
        }
    }

    /** Adds a rate-limit rule through the API and returns the nanoseconds until the page shows its row. */
    private long addRuleAndTimeItsRow(String api, Path stateDir, String id) throws Exception {
        String selector = "#rules tr[data-rule-id=\"" + id + "\"]";
        assertThat(browser.evaluate("document.querySelector('" + selector.replace("'", "\\'") + "') === null")
                        .asBoolean())
                .isTrue();
        long start = System.nanoTime();
        post(api, stateDir, """
                {"id": "%s", "filter": "udp and src port 11211", "destinations": ["203.0.113.0/24"],
                 "action": "ratelimit", "pps": 1000, "burst": 2000, "ttl": "1h", "comment": "added while the page is open"}""".formatted(id));
        awaitInPage(
                "rule " + id + " on the page",
                "document.querySelector('" + selector.replace("'", "\\'") + "') !== null",
                Duration.ofSeconds(10));
        long nanos = System.nanoTime() - start;
        System.out.printf("live page: rule %s shown %d ms after the POST was sent%n", id, nanos / 1_000_000);
        return nanos;
    }

    /** Both widths: the page fits the phone's (no sideways scrolling), and each is photographed whole. */
    private void screenshots(String role) throws IOException {
        Path dir = Path.of(System.getProperty("levee.screenshots", "target/screenshots"));
        Files.createDirectories(dir);
        for (int width : new int[] {LAPTOP, PHONE}) {
            browser.viewport(width, width == PHONE ? 844 : 900);
            // The chart redraws on resize (after 150 ms); a poll redraws everything else.
            try {
                Thread.sleep(1300);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            assertThat(browser.evaluate("document.documentElement.scrollWidth").asInt())
                    .as("page width at " + width + " px")
                    .isLessThanOrEqualTo(width);
            byte[] png = browser.screenshot();
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            assertThat(image.getWidth()).isEqualTo(width);
            assertThat(image.getHeight()).isGreaterThan(400);
            Files.write(dir.resolve("live-page-" + role + "-" + width + ".png"), png);
        }
        browser.viewport(LAPTOP, 900);
    }

    private static String text(String selector) {
        return browser.evaluate("document.querySelector('" + selector.replace("'", "\\'") + "').textContent")
                .asText();
    }

    private static void awaitInPage(String what, String condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        // An element not there yet is "not yet", not an error.
        while (!browser.evaluate("(() => { try { return !!(" + condition + "); } catch (e) { return false; } })()")
                .asBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what + " (" + condition + ");"
                        + " errors: " + browser.errors() + "; page: "
                        + browser.evaluate("document.body.innerText").asText());
            }
            Thread.sleep(20);
        }
    }

    private static void post(String api, Path stateDir, String body) throws IOException, InterruptedException {
        String token = ApiToken.read(stateDir.resolve(ApiToken.FILE_NAME));
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(api + "/rules"))
                                .header("Content-Type", "application/json")
                                .header("Authorization", "Bearer " + token)
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    /**
     * A memcached reflection flood on the agent's recording data plane: 1 kpps of DNS to
     * 203.0.113.10, then 100 kpps of reflection on top, sampled 1 in 100 into the detector; the
     * data plane's counters follow (what the rule matches is dropped once the detector's rule exists).
     */
    private static final class Flood implements AutoCloseable {
        static final int RATE = 100;
        private static final byte[] VICTIM = Frames.ip(203, 0, 113, 10);
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        private Flood(Agent agent, RecordingDataPlane dp) {
            SplittableRandom random = new SplittableRandom(0x11211L);
            thread = Thread.ofPlatform().name("flood").start(() -> {
                long start = System.nanoTime();
                long seen = 0, dropped = 0, legit = 0, floodSeen = 0;
                long last = start;
                while (running.get()) {
                    long now = System.nanoTime();
                    double seconds = (now - last) / 1e9;
                    last = now;
                    boolean flooding = now - start > 2_000_000_000L;
                    long legitNow = Math.round(1000 * seconds);
                    long floodNow = flooding ? Math.round(100_000 * seconds) : 0;
                    legit += legitNow;
                    floodSeen += floodNow;
                    seen += legitNow + floodNow;
                    Optional<StoredRule> rule = agent.rules().list().stream()
                            .filter(r -> r.id().startsWith("auto-"))
                            .findFirst();
                    if (rule.isPresent()) {
                        dropped += floodNow;
                    }
                    dp.setCounters(new Counters(seen, seen - dropped, dropped, 0, seen / RATE, 0, Map.of()));
                    if (rule.isPresent()) {
                        dp.setRuleCounters(rule.get().id(), floodSeen, floodSeen * 1242);
                    }
                    for (long i = 0; i < floodNow / RATE; i++) {
                        byte[] frame = Frames.udp4(
                                Frames.ip(198, 51, 100, random.nextInt(1, 255)),
                                11211,
                                VICTIM,
                                random.nextInt(1024, 65536),
                                1200);
                        dp.offer(System.nanoTime(), frame.length, RATE, frame);
                    }
                    if (random.nextInt(100) < legitNow) {
                        byte[] dns = Frames.udp4(
                                Frames.ip(192, 0, 2, random.nextInt(1, 255)),
                                random.nextInt(1024, 65536),
                                VICTIM,
                                53,
                                40);
                        dp.offer(System.nanoTime(), dns.length, RATE, dns);
                    }
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        static Flood start(Agent agent, RecordingDataPlane dp) {
            return new Flood(agent, dp);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(5_000);
        }
    }

    /**
     * Five edges in three data centers as the controller sees them: registrations rewritten every
     * second with growing totals and the rule-set version they run (the one in force, as edges
     * that applied it report).
     */
    private static final class Edges implements AutoCloseable {
        static final List<String[]> NODES = List.of(
                new String[] {"ams1", "edge-1", "192.0.2.11"},
                new String[] {"ams1", "edge-2", "192.0.2.12"},
                new String[] {"fra1", "edge-3", "192.0.2.21"},
                new String[] {"fra1", "edge-4", "192.0.2.22"},
                new String[] {"sjc1", "edge-5", "192.0.2.31"});
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        private Edges(EtcdHarness etcd, Controller controller) {
            FleetKeys keys = FleetKeys.defaults();
            thread = Thread.ofPlatform().name("edges").start(() -> {
                long start = System.nanoTime();
                while (running.get()) {
                    double t = (System.nanoTime() - start) / 1e9;
                    long version =
                            controller.manifest().map(RulesetManifest::version).orElse(0L);
                    for (int i = 0; i < NODES.size(); i++) {
                        String[] n = NODES.get(i);
                        long seen = Math.round(t * (20_000 + 7_000 * i) + (t > 6 ? (t - 6) * 30_000 * (i % 2) : 0));
                        long dropped = t > 6 ? Math.round((t - 6) * 29_000 * (i % 2)) : 0;
                        ObjectNode counters = JsonNodeFactory.instance
                                .objectNode()
                                .put("seen", seen)
                                .put("passed", seen - dropped)
                                .put("dropped", dropped)
                                .put("ratelimited", seen / 200)
                                .put("sampled", seen / 1000)
                                .put("samples_lost", 0);
                        Registration r = new Registration(
                                n[1],
                                n[0],
                                Optional.of(n[2]),
                                Optional.of("eth0"),
                                version,
                                version == 0 ? 0 : 40 + version * 10 + i,
                                Optional.of(Instant.now().minusSeconds(2)),
                                Optional.of(Instant.now()),
                                counters);
                        try {
                            etcd.client().put(keys.node(n[0], n[1]), RegistrationJson.encode(r));
                        } catch (RuntimeException e) {
                            // etcd stopping at the end of the test
                        }
                    }
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        static Edges start(EtcdHarness etcd, Controller controller) {
            return new Edges(etcd, controller);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.interrupt();
            thread.join(5_000);
        }
    }
}
