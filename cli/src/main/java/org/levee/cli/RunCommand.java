package org.levee.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.levee.agent.Agent;
import org.levee.agent.config.AgentConfig;
import org.levee.config.ConfigException;
import org.levee.agent.config.ConfigLoader;
import org.levee.agent.config.Sampling;
import org.levee.cli.common.UserException;
import org.levee.dataplane.XdpDataPlane;
import org.levee.agent.rules.RuleStoreException;
import org.levee.dataplane.DataplaneException;
import org.levee.rules.RuleSetException;
import org.levee.ebpf.XdpMode;
import org.levee.cli.dataplane.InterfaceOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code levee run}: the long-running node on one interface. Applies the stored rules first
 * (adopting a program a previous run left attached), then samples, detects and serves the API
 * until SIGINT or SIGTERM. The program stays attached on exit unless {@code --detach-on-exit}.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the node on an interface: attach the data plane, detect attacks from samples, apply rules, "
                + "serve the HTTP API (GET/POST /rules, DELETE /rules/{id}, /status, /metrics) until Ctrl-C.")
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    InterfaceOptions target;

    @Option(names = "--datacenter", paramLabel = "DC", description = "This node's data center (overrides the config).")
    String datacenter;

    @Option(names = "--config", paramLabel = "FILE", description = "The configuration (YAML); see docs/configuration.md.")
    Path config;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Where rules are kept (default /var/lib/levee).")
    Path stateDir;

    @Option(names = "--api", paramLabel = "HOST:PORT", description = "Where the API listens (default 127.0.0.1:9276).")
    String api;

    @Option(names = "--sample-rate", paramLabel = "N", description = "Sample a fixed 1 in N packets.")
    Integer sampleRate;

    @Option(names = "--samples-per-second", paramLabel = "N", description = "Adjust N to get about this many samples a second.")
    Long samplesPerSecond;

    @Option(names = "--detach-on-exit", description = "Detach the program when stopping (default: it keeps protecting).")
    boolean detachOnExit;

    @Option(names = "--generic", description = "Attach in generic (skb) mode, for drivers without native XDP.")
    boolean generic;

    @Override
    public Integer call() throws InterruptedException {
        AgentConfig c = configuration();
        PrintWriter out = spec.commandLine().getOut();
        XdpDataPlane dataPlane;
        try {
            dataPlane = XdpDataPlane.open(target.iface(), target.netns(), generic ? XdpMode.GENERIC : XdpMode.NATIVE,
                    c.sampling().initialRate());
        } catch (DataplaneException e) {
            throw new UserException(e.getMessage(), e);
        }
        Agent agent;
        try {
            agent = Agent.start(c, dataPlane);
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
        out.printf("levee: protecting %s (program %d%s), %d rules, API on http://%s:%d%n", dataPlane.layout().describe(),
                a.programId(), a.adopted() ? ", adopted from the previous run" : "", agent.rules().list().size(),
                agent.apiAddress().getHostString(), agent.apiAddress().getPort());
        out.flush();
        stopped.await();
        return 0;
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
                throw new UserException("--datacenter '" + datacenter + "' is not a data center name ([A-Za-z0-9][A-Za-z0-9_.-]*)");
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
        return c;
    }
}
