package org.levee.agent.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.levee.store.FleetKeys;
import org.levee.store.NodeRegistration;

/**
 * How {@code levee run} takes part in the fleet (key {@code fleet} of the configuration, flags
 * {@code --etcd}, {@code --sflow}, …): the node is an edge of the fleet when etcd endpoints are
 * given, and a single node (embedded detector) otherwise.
 *
 * @param etcdEndpoints etcd's client URLs, comma-separated as etcdctl takes them; empty: no fleet
 * @param etcdCa PEM certificates to trust (https endpoints)
 * @param etcdCert PEM client certificate, with {@code etcdKey}
 * @param etcdKey PEM PKCS#8 key of {@code etcdCert}
 * @param etcdUser etcd user, with a password
 * @param etcdPassword the user's password
 * @param etcdPasswordFile a file holding the password (its first line), instead of {@code etcdPassword}
 * @param keys the key layout under the fleet's prefix
 * @param collectors where the sFlow datagrams go: every controller's collector
 * @param counterInterval how often interface counter samples are sent
 * @param registrationTtl the lease of the edge's registration: it is gone this long after the edge dies
 * @param reportInterval how often the registration's {@code reported} time and counters are rewritten
 * @param trustedKeys PEM files of the Ed25519 public keys whose signatures the edge accepts on the
 *     fleet's manifests; empty: unsigned manifests are accepted (docs/security.md, "Signed rule sets")
 */
public record FleetConfig(
        Optional<String> etcdEndpoints,
        Optional<Path> etcdCa,
        Optional<Path> etcdCert,
        Optional<Path> etcdKey,
        Optional<String> etcdUser,
        Optional<String> etcdPassword,
        Optional<Path> etcdPasswordFile,
        FleetKeys keys,
        List<InetSocketAddress> collectors,
        Duration counterInterval,
        Duration registrationTtl,
        Duration reportInterval,
        List<Path> trustedKeys) {

    /** sFlow's usual polling interval for counters. */
    public static final Duration DEFAULT_COUNTER_INTERVAL = Duration.ofSeconds(10);

    public static final Duration DEFAULT_REPORT_INTERVAL = Duration.ofSeconds(5);
    /** The longest registration lease the fleet allows: a dead edge leaves the registry within it. */
    public static final Duration MAX_REGISTRATION_TTL = NodeRegistration.DEFAULT_TTL;

    public FleetConfig {
        Objects.requireNonNull(etcdEndpoints, "etcdEndpoints");
        Objects.requireNonNull(etcdCa, "etcdCa");
        Objects.requireNonNull(etcdCert, "etcdCert");
        Objects.requireNonNull(etcdKey, "etcdKey");
        Objects.requireNonNull(etcdUser, "etcdUser");
        Objects.requireNonNull(etcdPassword, "etcdPassword");
        Objects.requireNonNull(etcdPasswordFile, "etcdPasswordFile");
        Objects.requireNonNull(keys, "keys");
        collectors = List.copyOf(collectors);
        Objects.requireNonNull(counterInterval, "counterInterval");
        Objects.requireNonNull(registrationTtl, "registrationTtl");
        Objects.requireNonNull(reportInterval, "reportInterval");
        trustedKeys = List.copyOf(trustedKeys);
    }

    /** Not in the fleet: no etcd, no collectors, the defaults for the rest. */
    public static FleetConfig none() {
        return new FleetConfig(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                FleetKeys.defaults(),
                List.of(),
                DEFAULT_COUNTER_INTERVAL,
                MAX_REGISTRATION_TTL,
                DEFAULT_REPORT_INTERVAL,
                List.of());
    }

    /** True when the node is an edge of the fleet (etcd endpoints are given). */
    public boolean enabled() {
        return etcdEndpoints.isPresent();
    }

    public FleetConfig withEtcdEndpoints(String value) {
        return new FleetConfig(
                Optional.of(value),
                etcdCa,
                etcdCert,
                etcdKey,
                etcdUser,
                etcdPassword,
                etcdPasswordFile,
                keys,
                collectors,
                counterInterval,
                registrationTtl,
                reportInterval,
                trustedKeys);
    }

    public FleetConfig withEtcdTls(Optional<Path> ca, Optional<Path> cert, Optional<Path> key) {
        return new FleetConfig(
                etcdEndpoints,
                ca,
                cert,
                key,
                etcdUser,
                etcdPassword,
                etcdPasswordFile,
                keys,
                collectors,
                counterInterval,
                registrationTtl,
                reportInterval,
                trustedKeys);
    }

    public FleetConfig withEtcdUser(Optional<String> user, Optional<String> password, Optional<Path> passwordFile) {
        return new FleetConfig(
                etcdEndpoints,
                etcdCa,
                etcdCert,
                etcdKey,
                user,
                password,
                passwordFile,
                keys,
                collectors,
                counterInterval,
                registrationTtl,
                reportInterval,
                trustedKeys);
    }

    public FleetConfig withKeys(FleetKeys value) {
        return new FleetConfig(
                etcdEndpoints,
                etcdCa,
                etcdCert,
                etcdKey,
                etcdUser,
                etcdPassword,
                etcdPasswordFile,
                value,
                collectors,
                counterInterval,
                registrationTtl,
                reportInterval,
                trustedKeys);
    }

    public FleetConfig withCollectors(List<InetSocketAddress> value) {
        return new FleetConfig(
                etcdEndpoints,
                etcdCa,
                etcdCert,
                etcdKey,
                etcdUser,
                etcdPassword,
                etcdPasswordFile,
                keys,
                value,
                counterInterval,
                registrationTtl,
                reportInterval,
                trustedKeys);
    }

    public FleetConfig withCounterInterval(Duration value) {
        return new FleetConfig(
                etcdEndpoints,
                etcdCa,
                etcdCert,
                etcdKey,
                etcdUser,
                etcdPassword,
                etcdPasswordFile,
                keys,
                collectors,
                value,
                registrationTtl,
                reportInterval,
                trustedKeys);
    }

    public FleetConfig withRegistrationTtl(Duration value) {
        return new FleetConfig(
                etcdEndpoints,
                etcdCa,
                etcdCert,
                etcdKey,
                etcdUser,
                etcdPassword,
                etcdPasswordFile,
                keys,
                collectors,
                counterInterval,
                value,
                reportInterval,
                trustedKeys);
    }

    public FleetConfig withTrustedKeys(List<Path> value) {
        return new FleetConfig(
                etcdEndpoints,
                etcdCa,
                etcdCert,
                etcdKey,
                etcdUser,
                etcdPassword,
                etcdPasswordFile,
                keys,
                collectors,
                counterInterval,
                registrationTtl,
                reportInterval,
                value);
    }

    public FleetConfig withReportInterval(Duration value) {
        return new FleetConfig(
                etcdEndpoints,
                etcdCa,
                etcdCert,
                etcdKey,
                etcdUser,
                etcdPassword,
                etcdPasswordFile,
                keys,
                collectors,
                counterInterval,
                registrationTtl,
                value,
                trustedKeys);
    }
}
