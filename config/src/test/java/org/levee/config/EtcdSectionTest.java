package org.levee.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.levee.store.etcd.EtcdSettings;

class EtcdSectionTest {

    private static EtcdSection read(String yaml) {
        ConfigReader r = new ConfigReader();
        EtcdSection s =
                EtcdSection.read(r, ConfigReader.parseYaml("c.yaml", yaml).get("etcd"), "etcd");
        r.throwIfProblems("c.yaml");
        return s;
    }

    @Test
    void readsEveryKeyIntoSettings(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
        Path cert = Files.writeString(dir.resolve("c.pem"), "x");
        Path key = Files.writeString(dir.resolve("k.pem"), "x");
        EtcdSection s =
                read("etcd:\n  endpoints: [https://10.0.0.1:2379, https://10.0.0.2:2379]\n  ca: " + ca + "\n  cert: "
                        + cert + "\n  key: " + key + "\n  user: levee\n  password: secret\n  request_timeout: 2s\n");
        EtcdSettings settings = s.settings(Optional.empty());
        assertThat(settings.endpointList()).isEqualTo("https://10.0.0.1:2379,https://10.0.0.2:2379");
        assertThat(settings.caFile()).contains(ca);
        assertThat(settings.keyFile()).contains(key);
        assertThat(settings.user()).contains("levee");
        assertThat(settings.requestTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.toString()).doesNotContain("secret");
    }

    @Test
    void thePasswordMayComeFromAFileAndFlagsOverrideTheFile(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("password"), "from-file\nsecond line\n");
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
        Path other = Files.writeString(dir.resolve("other-ca.pem"), "x");
        EtcdSection s = read("etcd:\n  endpoints: https://10.0.0.1:2379\n  ca: " + ca
                + "\n  user: levee\n  password_file: " + secret + "\n");
        assertThat(s.passwordFile()).contains(secret);
        assertThat(s.settings(Optional.empty()).user()).contains("levee");
        assertThat(s.toString()).doesNotContain("from-file");
        EtcdSection flagged = s.withTls(Optional.of(other), Optional.empty(), Optional.empty())
                .withUser(Optional.of("ops"), Optional.of("typed"));
        assertThat(flagged.ca()).contains(other);
        assertThat(flagged.user()).contains("ops");
        assertThat(flagged.password()).contains("typed");
        assertThat(flagged.passwordFile())
                .as("a password flag replaces the file's")
                .isEmpty();
        assertThat(s.withTls(Optional.empty(), Optional.empty(), Optional.empty())
                        .ca())
                .as("no flag keeps the file's")
                .contains(ca);
    }

    @Test
    void theFlagWinsOverTheFile() {
        EtcdSection s = read("etcd: {endpoints: 'http://10.0.0.1:2379'}\n");
        assertThat(s.settings(Optional.of("127.0.0.1:2379")).endpointList()).isEqualTo("http://127.0.0.1:2379");
        assertThatThrownBy(() -> EtcdSection.none().settings(Optional.empty()))
                .hasMessageContaining("give --etcd URLS");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            etcd: {endpoint: 'x:1'}                           | etcd.endpoint: unknown key
            etcd: {endpoints: 'ftp://'}                       | etcd.endpoints:
            etcd: {endpoints: 'http://a:1', ca: /nonexistent} | etcd.ca: '/nonexistent' is not a readable file
            etcd: {endpoints: 'http://a:1', user: levee}      | etcd: a user needs a password
            etcd: {user: levee, password: a, password_file: /b} | etcd: give either password or password_file, not both
            etcd: {user: levee, password_file: /nonexistent}  | etcd.password_file: '/nonexistent' is not a readable file
            etcd: {request_timeout: soon}                     | etcd.request_timeout: 'soon' is not a duration
            etcd: [1]                                         | etcd: must be a mapping
            """)
    void problemsNameTheKey(String yaml, String message) {
        assertThatThrownBy(() -> read(yaml)).isInstanceOf(ConfigException.class).hasMessageContaining(message);
    }
}
