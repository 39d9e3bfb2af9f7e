package org.levee.cli.fleet;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.levee.cli.common.UserException;
import org.levee.config.ApiSecurity;
import org.levee.config.ConfigException;
import org.levee.config.ListenAddress;
import org.levee.controller.Controller;
import org.levee.controller.config.ControllerConfig;
import org.levee.controller.config.ControllerConfigLoader;
import org.levee.store.etcd.EtcdSettings;
import org.levee.store.signing.KeyFileException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code levee controller}: the fleet's Gatebot. Every flag and the configuration file are
 * checked before anything starts; then it receives sFlow, detects, and — when elected — writes
 * and publishes rules, until SIGINT or SIGTERM (it resigns leadership on the way out).
 */
@Command(
        name = "controller",
        mixinStandardHelpOptions = true,
        description =
                "Run a fleet controller: receive sFlow from the edges, detect attacks over every data center, and as "
                        + "the leader elected through etcd write rules, compile the rule set once and publish it. Serves the rules "
                        + "API (GET/POST /rules, DELETE /rules/{id}; writes need the token in STATE_DIR/api-token), /fleet, /status "
                        + "and /metrics. See docs/fleet.md.")
public final class ControllerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--etcd",
            paramLabel = "URLS",
            description =
                    "etcd client URLs, comma-separated (http://10.0.0.1:2379,…; HOST:PORT means http). Overrides etcd.endpoints.")
    String etcd;

    @Option(
            names = "--sflow-listen",
            paramLabel = "ADDR:PORT",
            description = "Where sFlow is received (default 0.0.0.0:6343).")
    String sflowListen;

    @Option(
            names = "--api",
            paramLabel = "HOST:PORT",
            description = "Where the API listens (default 127.0.0.1:9277;"
                    + " an address that is not loopback needs --api-cert and --api-key).")
    String api;

    @Option(
            names = "--state-dir",
            paramLabel = "DIR",
            description = "Where the API's token is kept" + " (default /var/lib/levee-controller).")
    Path stateDir;

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

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description =
                    "The configuration (YAML); see docs/fleet.md."
                            + " Its upstream: section makes the leader announce BGP FlowSpec and blackhole routes (docs/operations.md).")
    Path config;

    @Option(names = "--prefix", paramLabel = "PREFIX", description = "The fleet's etcd key prefix (default /levee/).")
    String prefix;

    @Option(names = "--name", paramLabel = "NAME", description = "This controller's identity (default: the host name).")
    String name;

    @Option(
            names = "--signing-key",
            paramLabel = "FILE",
            description = "Sign every manifest with this Ed25519 private key"
                    + " (PKCS#8 PEM, as levee keys generate writes it; mode 0600). Overrides signing.key.")
    Path signingKey;

    @Mixin
    EtcdOptions etcdOptions;

    @Override
    public Integer call() throws InterruptedException {
        ControllerConfig c = configuration();
        EtcdSettings settings;
        try {
            settings = etcdOptions.apply(c.etcd()).settings(Optional.ofNullable(etcd));
        } catch (IllegalArgumentException e) {
            throw new UserException(etcdOptions.blame(etcd != null) + e.getMessage());
        }
        ApiSecurity security;
        try {
            security = ApiSecurity.open(c.api(), c.stateDir());
        } catch (ConfigException e) {
            throw new UserException(e.getMessage(), e);
        }
        Controller controller;
        try {
            controller = Controller.start(c, settings, security);
        } catch (IOException e) {
            throw new UserException("cannot listen: " + e.getMessage() + " (see --sflow-listen and --api)", e);
        } catch (KeyFileException e) {
            throw new UserException("signing.key (--signing-key): " + e.getMessage(), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = Thread.ofPlatform().unstarted(() -> {
            controller.close();
            stopped.countDown();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        PrintWriter out = spec.commandLine().getOut();
        InetSocketAddress sflow = controller.sflowAddress();
        out.printf(
                "levee: controller %s: sFlow on %s:%d, API on %s (token in %s), etcd %s, prefix %s, rule ids %s…, %s%n",
                c.name(),
                sflow.getHostString(),
                sflow.getPort(),
                controller.apiUrl(),
                security.tokenFile(),
                settings.endpointList(),
                c.keys().prefix(),
                controller.ruleIdPrefix(),
                controller.signingKeyId().map(k -> "signing with key " + k).orElse("rule sets unsigned"));
        out.flush();
        try {
            stopped.await(); // until SIGINT or SIGTERM
        } catch (InterruptedException e) { // a caller in the same JVM (tests) stops it
            Runtime.getRuntime().removeShutdownHook(hook);
            controller.close();
            throw e;
        }
        return 0;
    }

    private ControllerConfig configuration() {
        ControllerConfig c;
        try {
            c = config == null ? ControllerConfig.defaults() : ControllerConfigLoader.load(config);
        } catch (ConfigException e) {
            throw new UserException(e.getMessage(), e);
        }
        if (name != null) {
            try {
                c = c.withName(ControllerConfigLoader.checkName(name));
            } catch (IllegalArgumentException e) {
                throw new UserException("--name: " + e.getMessage());
            }
        }
        if (prefix != null) {
            try {
                c = c.withKeys(ControllerConfigLoader.checkPrefix(prefix));
            } catch (IllegalArgumentException e) {
                throw new UserException("--prefix: " + e.getMessage());
            }
        }
        if (sflowListen != null) {
            c = c.withSflowListen(address("--sflow-listen", sflowListen));
        }
        if (api != null) {
            c = c.withApiAddress(address("--api", api));
        }
        if (stateDir != null) {
            c = c.withStateDir(stateDir);
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
        if (signingKey != null) {
            c = c.withSigningKey(Optional.of(signingKey));
        }
        return c;
    }

    private static InetSocketAddress address(String flag, String text) {
        try {
            return ListenAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UserException(flag + ": " + e.getMessage());
        }
    }
}
