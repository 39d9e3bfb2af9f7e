package org.levee.cli.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.agent.Agent;
import org.levee.agent.config.AgentConfig;
import org.levee.agent.config.FleetConfig;
import org.levee.agent.config.Sampling;
import org.levee.agent.fleet.FleetEdge;
import org.levee.agent.testing.RecordingDataPlane;
import org.levee.agent.testing.TestAgents;
import org.levee.config.ApiToken;
import org.levee.config.EtcdSection;
import org.levee.controller.Controller;
import org.levee.controller.config.ControllerConfig;
import org.levee.dataplane.Attachment;
import org.levee.dataplane.PinLayout;
import org.levee.dataplane.XdpDataPlane;
import org.levee.ebpf.XdpMode;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;
import org.levee.store.testing.EtcdHarness;
import org.levee.store.testing.Eventually;
import org.levee.testing.Requirements;

/**
 * docs/grafana/levee.json against running processes: a single node, an edge of the fleet (on a
 * veth, with a real etcd) and a controller. Every metric the dashboard queries is one their
 * {@code /metrics} export, every Levee metric they export is on the dashboard, and a real
 * Prometheus scraping the three evaluates every query of the dashboard without error and finds
 * the three in its variables' queries.
 */
@Tag("kernel")
class GrafanaDashboardTest {
    private static final JsonMapper JSON = new JsonMapper();
    /** Metric names as the dashboard writes them: Levee's, and the JVM's and process's from the Java client. */
    private static final Pattern METRIC = Pattern.compile("\\b(?:levee|jvm|process)_[a-zA-Z0-9_]+\\b");

    private static final Path DASHBOARD =
            Path.of(System.getenv().getOrDefault("LEVEE_REPO", ".."), "docs/grafana/levee.json");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path temp;

    @Test
    void everyQueryIsValidAndEveryMetricItQueriesIsExported() throws Exception {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
        Requirements.command("prometheus");
        JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
        List<String> queries = queries(dashboard);
        assertThat(queries).as("queries of the dashboard").hasSizeGreaterThan(40);

        Path nodeState = Files.createDirectories(temp.resolve("node"));
        Path edgeState = Files.createDirectories(temp.resolve("edge"));
        try (EtcdHarness etcd = EtcdHarness.start(1);
                Controller controller = Controller.start(
                        ControllerConfig.defaults()
                                .withName("ctl-g")
                                .withSflowListen(new InetSocketAddress("127.0.0.1", 0))
                                .withApiAddress(new InetSocketAddress("127.0.0.1", 0))
                                .withEtcd(EtcdSection.none())
                                .withStateDir(temp.resolve("controller")),
                        etcd.settings());
                Agent node = Agent.start(TestAgents.config(nodeState, "ams1"), new RecordingDataPlane());
                NetnsLab lab = NetnsLab.create()) {
            String peer = lab.addNamespace("peer");
            String ns = lab.addNamespace("edge");
            VethPair veth = lab.addVeth(peer, "192.0.2.1/30", ns, "192.0.2.2/30");
            FleetConfig fleet = FleetConfig.none()
                    .withEtcdEndpoints(etcd.endpoints())
                    .withCollectors(List.of(controller.sflowAddress()))
                    .withReportInterval(Duration.ofSeconds(1));
            AgentConfig edgeConfig = AgentConfig.defaults()
                    .withStateDir(edgeState)
                    .withDatacenter("ams1")
                    .withNode("edge-1")
                    .withApiAddress(new InetSocketAddress("127.0.0.1", 0))
                    .withSampling(Sampling.fixed(1))
                    .withFleet(fleet);
            try (FleetEdge edge =
                    FleetEdge.start(edgeConfig, XdpDataPlane.open(veth.interfaceB(), ns, XdpMode.NATIVE, 1))) {
                // Some of the edge's metrics exist once it runs the fleet's rule set (the controller publishes one as
                // it leads).
                Eventually.await(
                        Duration.ofSeconds(30),
                        "the edge runs the controller's rule set",
                        () -> edge.running().version().orElse(0) >= 1);
                List<InetSocketAddress> apis = List.of(node.apiAddress(), edge.apiAddress(), controller.apiAddress());
                // Families with labels are exported once they have a child: a rule for the per-rule
                // counters, an sFlow sample of a format the controller skips for its skipped counter.
                HttpResponse<String> added = HTTP.send(
                        HttpRequest.newBuilder(URI.create(
                                        "http://127.0.0.1:" + node.apiAddress().getPort() + "/rules"))
                                .header(
                                        "Authorization",
                                        "Bearer " + ApiToken.read(nodeState.resolve(ApiToken.FILE_NAME)))
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                "{\"id\": \"ntp\", \"filter\": \"udp and src port 123\", \"action\": \"drop\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
                sendUnknownSflowSample(controller.sflowAddress());
                Eventually.await(
                        Duration.ofSeconds(10),
                        "the controller skipped the sample",
                        () -> controller.sflowStats().skipped().values().stream()
                                        .mapToLong(Long::longValue)
                                        .sum()
                                >= 1);
                // The per-agent sample counter has a child once the controller knows an sFlow agent (the
                // edge's first datagram, or the skipped one above), which arrives on its own thread.
                Eventually.await(Duration.ofSeconds(10), "the controller's per-agent sample counter", () -> {
                    try {
                        return get("http://127.0.0.1:" + controller.apiAddress().getPort() + "/metrics")
                                .contains("levee_controller_samples_total");
                    } catch (IOException | InterruptedException e) {
                        return false;
                    }
                });
                Set<String> exported = new TreeSet<>();
                for (InetSocketAddress api : apis) {
                    exported.addAll(names(get("http://127.0.0.1:" + api.getPort() + "/metrics")));
                }

                Set<String> queried = new TreeSet<>();
                queries.forEach(q -> {
                    Matcher m = METRIC.matcher(q);
                    while (m.find()) {
                        queried.add(m.group());
                    }
                });
                assertThat(exported)
                        .as("metrics the node, the edge and the controller export")
                        .containsAll(queried);
                Set<String> families = new TreeSet<>();
                exported.stream()
                        .filter(n -> n.startsWith("levee_"))
                        .map(GrafanaDashboardTest::family)
                        .forEach(families::add);
                Set<String> shown = new TreeSet<>();
                queried.stream().map(GrafanaDashboardTest::family).forEach(shown::add);
                assertThat(shown)
                        .as("Levee's metrics on the dashboard (add a new one to docs/grafana/levee.json)")
                        .containsAll(families);

                try (Prometheus prometheus = Prometheus.start(temp.resolve("prometheus"), apis)) {
                    String nodes = instance(node.apiAddress()) + "|" + instance(edge.apiAddress());
                    String controllers = instance(controller.apiAddress());
                    Eventually.await(
                            Duration.ofSeconds(30),
                            "three scrapes of each of the three targets",
                            () -> prometheus.value("min(count_over_time(up[1m]))") >= 3
                                    && prometheus.value("sum(up)") == 3);
                    for (String q : queries) {
                        String expr = q.replace("$__rate_interval", "10s")
                                .replace("$node", nodes)
                                .replace("$controller", controllers);
                        JsonNode answer = prometheus.query(expr);
                        assertThat(answer.path("status").asText())
                                .as(expr + " → " + answer)
                                .isEqualTo("success");
                    }
                    assertThat(prometheus.labelValues("instance", "levee_seen_packets_total"))
                            .containsExactlyInAnyOrder(instance(node.apiAddress()), instance(edge.apiAddress()));
                    assertThat(prometheus.labelValues("instance", "levee_controller_leader"))
                            .containsExactly(controllers);
                    JsonNode seen =
                            prometheus.query("sum(rate(levee_seen_packets_total{instance=~\"" + nodes + "\"}[10s]))");
                    assertThat(seen.path("data").path("result"))
                            .as("a panel's query has data")
                            .hasSize(1);
                }
            } finally {
                Attachment.detach(new PinLayout(veth.interfaceB(), ns));
            }
        }
    }

    /**
     * One sFlow v5 datagram from agent 192.0.2.2 holding one sample of format 0:5, which sFlow
     * does not define: the controller counts it as skipped.
     */
    private static void sendUnknownSflowSample(InetSocketAddress collector) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(40);
        b.putInt(5)
                .putInt(1)
                .put(new byte[] {(byte) 192, 0, 2, 2})
                .putInt(0)
                .putInt(1)
                .putInt(1000)
                .putInt(1);
        b.putInt(5).putInt(4).putInt(0);
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.send(new DatagramPacket(b.array(), b.position(), collector));
        }
    }

    /** Every PromQL query of the dashboard: its panels' targets (rows' panels too) and its variables'. */
    static List<String> queries(JsonNode dashboard) {
        List<String> out = new ArrayList<>();
        collectTargets(dashboard.path("panels"), out);
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if (v.path("type").asText().equals("query")) {
                String q = v.path("definition").asText();
                // label_values(METRIC, LABEL) is Grafana's, not PromQL: Prometheus is asked for METRIC.
                Matcher m = Pattern.compile("label_values\\((.+),\\s*\\w+\\)").matcher(q);
                out.add(m.matches() ? m.group(1) : q);
            }
        }
        return out;
    }

    private static void collectTargets(JsonNode panels, List<String> out) {
        for (JsonNode p : panels) {
            for (JsonNode t : p.path("targets")) {
                assertThat(t.path("expr").asText())
                        .as("panel '" + p.path("title").asText() + "' target " + t.path("refId"))
                        .isNotBlank();
                out.add(t.path("expr").asText());
            }
            collectTargets(p.path("panels"), out);
        }
    }

    /** The metric names in a text exposition. */
    static Set<String> names(String exposition) {
        Set<String> out = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            out.add(line.substring(0, end));
        }
        return out;
    }

    /** A metric's family: its name without the suffixes of counters and histograms. */
    static String family(String name) {
        return name.replaceAll("_(total|created|bucket|sum|count)$", "");
    }

    private static String instance(InetSocketAddress api) {
        return "127.0.0.1:" + api.getPort();
    }

    private static String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> r =
                HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return r.body();
    }

    /** A Prometheus (Debian's) scraping Levee's APIs every second, with its data in a temporary directory. */
    private static final class Prometheus implements AutoCloseable {
        private final Process process;
        private final String base;

        private Prometheus(Process process, int port) {
            this.process = process;
            this.base = "http://127.0.0.1:" + port;
        }

        static Prometheus start(Path dir, List<InetSocketAddress> targets) throws IOException, InterruptedException {
            Files.createDirectories(dir);
            StringBuilder config = new StringBuilder("""
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    scrape_configs:
                      - job_name: levee
                        static_configs:
                          - targets: [""");
            config.append(String.join(
                            ", ",
                            targets.stream().map(t -> "'" + instance(t) + "'").toList()))
                    .append("]\n");
            Files.writeString(dir.resolve("prometheus.yml"), config);
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Process p = new ProcessBuilder(
                            "prometheus",
                            "--config.file=" + dir.resolve("prometheus.yml"),
                            "--storage.tsdb.path=" + dir.resolve("data"),
                            "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("prometheus.log").toFile())
                    .start();
            Prometheus prometheus = new Prometheus(p, port);
            try {
                Eventually.await(Duration.ofSeconds(30), "prometheus ready", () -> {
                    if (!p.isAlive()) {
                        throw new IllegalStateException("prometheus exited: " + log(dir));
                    }
                    try {
                        return HTTP.send(
                                                HttpRequest.newBuilder(URI.create(prometheus.base + "/-/ready"))
                                                        .build(),
                                                HttpResponse.BodyHandlers.ofString())
                                        .statusCode()
                                == 200;
                    } catch (IOException e) {
                        return false;
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                return prometheus;
            } catch (RuntimeException e) {
                prometheus.close();
                throw e;
            }
        }

        private static String log(Path dir) {
            try {
                return Files.readString(dir.resolve("prometheus.log"));
            } catch (IOException e) {
                return "(no log)";
            }
        }

        /** The value of a query whose answer is one number; NaN when it has none. */
        double value(String expr) {
            JsonNode result = query(expr).path("data").path("result");
            return result.isEmpty()
                    ? Double.NaN
                    : Double.parseDouble(result.get(0).path("value").path(1).asText());
        }

        JsonNode query(String expr) {
            try {
                HttpResponse<String> r = HTTP.send(
                        HttpRequest.newBuilder(URI.create(base + "/api/v1/query?query="
                                        + URLEncoder.encode(expr, StandardCharsets.UTF_8)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                return JSON.readTree(r.body());
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(expr + ": " + e, e);
            }
        }

        List<String> labelValues(String label, String metric) {
            try {
                HttpResponse<String> r = HTTP.send(
                        HttpRequest.newBuilder(URI.create(base + "/api/v1/label/" + label + "/values?"
                                        + URLEncoder.encode("match[]", StandardCharsets.UTF_8) + "="
                                        + URLEncoder.encode(metric, StandardCharsets.UTF_8)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                List<String> out = new ArrayList<>();
                JSON.readTree(r.body()).path("data").forEach(v -> out.add(v.asText()));
                return out;
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
