/**
 * What the YAML configuration files of {@code levee run} and {@code levee controller} share:
 * {@link org.levee.config.ConfigReader} reads typed values from a YAML tree and collects every
 * problem named by its key path; {@link org.levee.config.DetectorSection} reads the
 * {@code detector:} section, {@link org.levee.config.EtcdSection} the {@code etcd:} one;
 * {@link org.levee.config.ListenAddress} reads {@code host:port}; {@link org.levee.config.ApiSection}
 * reads the {@code api:} section, and {@link org.levee.config.ApiSecurity} turns it into what both
 * APIs enforce: the bearer token of {@link org.levee.config.ApiToken} (generated, rotated, re-read
 * on change) and TLS from PEM files ({@link org.levee.config.PemTls}). Files are checked before
 * anything starts: a bad file is one {@link org.levee.config.ConfigException} listing every
 * problem.
 */
package org.levee.config;
