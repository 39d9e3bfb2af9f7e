package org.levee.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.levee.agent.Agent;
import org.levee.agent.config.AgentConfig;
import org.levee.agent.config.ConfigLoader;
import org.levee.agent.config.FleetConfig;
import org.levee.agent.config.Sampling;
import org.levee.agent.fleet.FleetEdge;
import org.levee.agent.rules.RuleStoreException;
import org.levee.cli.common.UserException;
import org.levee.cli.dataplane.InterfaceOptions;
import org.levee.config.ApiSecurity;
import org.levee.config.ConfigException;
import org.levee.dataplane.DataplaneException;
import org.levee.dataplane.XdpDataPlane;
import org.levee.ebpf.XdpMode;
import org.levee.rules.RuleSetException;
import org.levee.sflow.SflowAddresses;
import org.levee.store.FleetKeys;
import org.levee.store.etcd.EtcdSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code levee run}: the long-running node on one interface. Applies the stored rules first
 * (adopting a program a previous run left attached), then samples, detects and serves the API
 * until SIGINT or SIGTERM. The program stays attached on exit unless {@code --detach-on-exit}.
 * With {@code --etcd} the node is an edge of the fleet ({@link FleetEdge}): no detector, samples
 * to the controllers as sFlow ({@code --sflow}), the fleet's rule set from etcd, its own rules in a
 * second stage.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = "Run the node on an interface: attach the data plane, detect attacks from samples, apply rules, "
                + "serve the HTTP API (GET/POST /rules, DELETE /rules/{id}, /status, /metrics; writes need the token in "
                + "STATE_DIR/api-token) until Ctrl-C. "
                + "With --etcd and --sflow: an edge of the fleet (rules from etcd, samples to the controllers).")
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    InterfaceOptions target;

    @Option(names = "--datacenter", paramLabel = "DC", description = "This node's data center (overrides the config).")
    String datacenter;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description =
                    "The configuration (YAML); see docs/configuration.md."
                            + " Its upstream: section announces BGP FlowSpec and blackhole routes through gobgpd (docs/operations.md).")
    Path config;

    @Option(
            names = "--state-dir",
            paramLabel = "DIR",
            description = "Where rules and the API's token are kept" + " (default /var/lib/levee).")
    Path stateDir;

    @Option(
            names = "--api",
            paramLabel = "HOST:PORT",
            description = "Where the API listens (default 127.0.0.1:9276;"
                    + " an address that is not loopback needs --api-cert and --api-key).")
    String api;

    @Option(
            names = "--api-token-file",
            paramLabel = "FILE",
            description = "The API's bearer token (default: api-token in the"
                    + " state directory, generated on first start; writes need it).")
    Path apiTokenFile;

    @Option(
            names = "--api-cert",
            paramLabel = "FILE",
            description = "Serve the API over TLS: its certificate chain (PEM).")
    Path apiCert;

    @Option(names = "--api-key", paramLabel = "FILE", description = "The PKCS#8 PEM key of --api-cert.")
    Path apiKey;

    @Option(names = "--sample-rate", paramLabel = "N", description = "Sample a fixed 1 in N packets.")
    Integer sampleRate;

    @Option(
            names = "--samples-per-second",
            paramLabel = "N",
            description = "Adjust N to get about this many samples a second.")
    Long samplesPerSecond;

    @Option(
            names = "--detach-on-exit",
            description = "Detach the program when stopping (default: it keeps protecting).")
    boolean detachOnExit;

    @Option(names = "--generic", description = "Attach in generic (skb) mode, for drivers without native XDP.")
    boolean generic;

    @Option(
            names = "--node",
            paramLabel = "NAME",
            description = "This node's name in samples, status and the fleet's registry" + " (default: the host name).")
    String node;

    @Option(
            names = "--etcd",
            paramLabel = "URLS",
            description = "Be an edge of the fleet: etcd's client URLs, comma-separated"
                    + " (http://HOST:PORT or https://…; a bare HOST:PORT is http).")
    String etcd;

    @Option(
            names = "--sflow",
            paramLabel = "HOST:PORT[,HOST:PORT…]",
            description = "Where an edge sends its samples as sFlow v5:"
                    + " every controller's collector (port 6343 by default).")
    String sflow;

    @Option(names = "--prefix", paramLabel = "PREFIX", description = "The fleet's keys in etcd (default /levee/).")
    String prefix;

    @Option(names = "--etcd-ca", paramLabel = "FILE", description = "PEM certificates to trust for https:// endpoints.")
    Path etcdCa;

    @Option(
            names = "--etcd-cert",
            paramLabel = "FILE",
            description = "PEM client certificate for etcd (with --etcd-key).")
    Path etcdCert;

    @Option(names = "--etcd-key", paramLabel = "FILE", description = "PEM PKCS#8 key of --etcd-cert.")
    Path etcdKey;

    @Option(
            names = "--etcd-user",
            paramLabel = "USER",
            description = "etcd user (with --etcd-password or fleet.etcd.password_file).")
    String etcdUser;

    @Option(
            names = "--etcd-password",
            paramLabel = "PASSWORD",
            description =
                    "The etcd user's password (visible to ps:" + " prefer fleet.etcd.password_file in the config).")
    String etcdPassword;

    @Option(
            names = "--trust-key",
            paramLabel = "FILE",
            description =
                    "A controller's public signing key (PEM, signing.pub):"
                            + " apply only rule sets signed by a trusted key. Repeat for several (a key rotation). Overrides fleet.trusted_keys.")
    List<Path> trustKeys;

    @Override
    public Integer call() throws InterruptedException {
        AgentConfig c = configuration();
        if (c.fleet().enabled()) {
            return edge(c);
        }
        ApiSecurity security = apiSecurity(c);
        PrintWriter out = spec.commandLine().getOut();
        XdpDataPlane dataPlane;
        try {
            dataPlane = XdpDataPlane.open(
                    target.iface(),
                    target.netns(),
                    generic ? XdpMode.GENERIC : XdpMode.NATIVE,
                    c.sampling().initialRate());
        } catch (DataplaneException e) {
            throw new UserException(e.getMessage(), e);
        }
        Agent agent;
        try {
            agent = Agent.start(c, dataPlane, security);
        } catch (RuleStoreException | RuleSetException | DataplaneException | UncheckedIOException e) {
            dataPlane.close(false);
            throw new UserException(e.getMessage(), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = Thread.ofPlatform().unstarted(() -> {
            agent.close();
            stopped.countDown();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        var a = dataPlane.attachment();
        out.printf(
                "levee: protecting %s (program %d%s), %d rules, API on %s (token in %s)%n",
                dataPlane.layout().describe(),
                a.programId(),
                a.adopted() ? ", adopted from the previous run" : "",
                agent.rules().list().size(),
                agent.apiUrl(),
                security.tokenFile());
        out.flush();
        stopped.await();
        return 0;
    }

    /** {@code levee run --etcd …}: an edge of the fleet. */
    private int edge(AgentConfig c) throws InterruptedException {
        try {
            FleetEdge.check(c);
        } catch (ConfigException e) {
            throw new UserException(e.getMessage(), e);
        }
        ApiSecurity security = apiSecurity(c);
        PrintWriter out = spec.commandLine().getOut();
        XdpDataPlane dataPlane;
        try {
            dataPlane = XdpDataPlane.open(
                    target.iface(),
                    target.netns(),
                    generic ? XdpMode.GENERIC : XdpMode.NATIVE,
                    c.sampling().initialRate());
        } catch (DataplaneException e) {
            throw new UserException(e.getMessage(), e);
        }
        FleetEdge edge;
        try {
            edge = FleetEdge.start(c, dataPlane, security);
        } catch (ConfigException
                | RuleStoreException
                | RuleSetException
                | DataplaneException
                | UncheckedIOException e) {
            dataPlane.close(false);
            throw new UserException(e.getMessage(), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            edge.close();
            stopped.countDown();
        }));
        var running = edge.running();
        out.printf(
                "levee: edge %s of %s protecting %s (program %d, fleet rule set %s from %s), %d local rules, sFlow to %s as %s,"
                        + " registered at %s, API on %s (token in %s)%n",
                c.node(),
                c.datacenter(),
                dataPlane.layout().describe(),
                running.programId(),
                running.version().isPresent() ? "version " + running.version().getAsLong() : "none",
                running.origin().label(),
                edge.localRules().list().size(),
                sflow == null ? c.fleet().collectors() : sflow,
                edge.sflowAgent().getHostAddress(),
                edge.registrationKey(),
                edge.apiUrl(),
                security.tokenFile());
        out.flush();
        stopped.await();
        return 0;
    }

    /**
     * The API's token (read, or generated on first start) and TLS, opened before anything is
     * attached: a bad file, or an address reachable from the network without TLS, stops here.
     */
    private static ApiSecurity apiSecurity(AgentConfig c) {
        try {
            return ApiSecurity.open(c.api(), c.stateDir());
        } catch (ConfigException e) {
            throw new UserException(e.getMessage(), e);
        }
    }

    private AgentConfig configuration() {
        AgentConfig c;
        try {
            c = config == null ? AgentConfig.defaults() : ConfigLoader.load(config);
        } catch (ConfigException e) {
            throw new UserException(e.getMessage(), e);
        }
        if (datacenter != null) {
            if (!datacenter.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
                throw new UserException(
                        "--datacenter '" + datacenter + "' is not a data center name ([A-Za-z0-9][A-Za-z0-9_.-]*)");
            }
            c = c.withDatacenter(datacenter);
        }
        if (stateDir != null) {
            c = c.withStateDir(stateDir);
        }
        if (api != null) {
            try {
                c = c.withApiAddress(ConfigLoader.parseAddress(api));
            } catch (IllegalArgumentException e) {
                throw new UserException("--api: " + e.getMessage());
            }
        }
        if (apiTokenFile != null) {
            c = c.withApi(c.api().withTokenFile(apiTokenFile));
        }
        if (apiCert != null || apiKey != null) {
            if (apiCert == null || apiKey == null) {
                throw new UserException(
                        "--api-cert and --api-key go together: the certificate chain and its PKCS#8 key");
            }
            c = c.withApi(c.api().withTls(apiCert, apiKey));
        }
        try {
            c.api().requireSafe();
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        if (sampleRate != null && samplesPerSecond != null) {
            throw new UserException("give either --sample-rate or --samples-per-second, not both");
        }
        if (sampleRate != null) {
            if (sampleRate < 1) {
                throw new UserException("--sample-rate must be at least 1, not " + sampleRate);
            }
            c = c.withSampling(new Sampling(0, sampleRate, c.sampling().maxRate()));
        }
        if (samplesPerSecond != null) {
            if (samplesPerSecond < 1) {
                throw new UserException("--samples-per-second must be at least 1, not " + samplesPerSecond);
            }
            c = c.withSampling(new Sampling(samplesPerSecond, 0, c.sampling().maxRate()));
        }
        if (detachOnExit) {
            c = c.withDetachOnExit(true);
        }
        if (node != null) {
            c = c.withNode(node);
        }
        return c.withFleet(fleet(c.fleet()));
    }

    /** The fleet's part of the configuration with the flags applied over the file's. */
    private FleetConfig fleet(FleetConfig f) {
        if (etcd == null && f.etcdEndpoints().isEmpty()) {
            if (sflow != null
                    || prefix != null
                    || etcdCa != null
                    || etcdCert != null
                    || etcdKey != null
                    || etcdUser != null
                    || etcdPassword != null
                    || trustKeys != null) {
                throw new UserException(
                        "--sflow, --prefix, --etcd-… and --trust-key are for an edge of the fleet: give --etcd URLS too");
            }
            return f;
        }
        if (etcd != null) {
            try {
                EtcdSettings.of(etcd);
            } catch (IllegalArgumentException e) {
                throw new UserException("--etcd: " + e.getMessage());
            }
            f = f.withEtcdEndpoints(etcd);
        }
        if (sflow != null) {
            try {
                f = f.withCollectors(SflowAddresses.parseList(sflow));
            } catch (IllegalArgumentException e) {
                throw new UserException("--sflow: " + e.getMessage());
            }
        }
        if (prefix != null) {
            try {
                f = f.withKeys(new FleetKeys(prefix));
            } catch (IllegalArgumentException e) {
                throw new UserException("--prefix: " + e.getMessage());
            }
        }
        if (etcdCa != null || etcdCert != null || etcdKey != null) {
            f = f.withEtcdTls(
                    etcdCa != null ? Optional.of(etcdCa) : f.etcdCa(),
                    etcdCert != null ? Optional.of(etcdCert) : f.etcdCert(),
                    etcdKey != null ? Optional.of(etcdKey) : f.etcdKey());
        }
        if (etcdUser != null || etcdPassword != null) {
            f = f.withEtcdUser(
                    etcdUser != null ? Optional.of(etcdUser) : f.etcdUser(),
                    etcdPassword != null ? Optional.of(etcdPassword) : f.etcdPassword(),
                    etcdPassword != null ? Optional.empty() : f.etcdPasswordFile());
        }
        if (trustKeys != null) {
            f = f.withTrustedKeys(trustKeys);
        }
        return f;
    }
}
