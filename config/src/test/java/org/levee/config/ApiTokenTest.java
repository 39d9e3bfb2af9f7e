package org.levee.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The token file on a real file system: generation, mode, restart, rotation, re-reading, refusals. */
class ApiTokenTest {

    @TempDir
    Path dir;

    private static String text(Path file) throws Exception {
        return Files.readString(file, StandardCharsets.US_ASCII);
    }

    @Test
    void theFirstStartGeneratesA256BitTokenInAFileOfMode0600() throws Exception {
        Path file = dir.resolve("state/api-token"); // the state directory does not exist yet
        ApiToken token = ApiToken.openOrCreate(file);
        assertThat(token.file()).isEqualTo(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        String written = text(file);
        assertThat(written).matches("[A-Za-z0-9_-]{43}\n");
        assertThat(Base64.getUrlDecoder().decode(written.strip())).hasSize(32);
        assertThat(token.matches(written.strip())).isTrue();
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files).as("no temporary file left").containsExactly(file);
        }
        assertThat(token.toString()).doesNotContain(written.strip());
    }

    @Test
    void aRestartReadsTheSameTokenAndLeavesTheFileAsItWas() throws Exception {
        Path file = dir.resolve("api-token");
        ApiToken.openOrCreate(file);
        String first = text(file);
        FileTime modified = Files.getLastModifiedTime(file);
        Object inode = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class)
                .fileKey();

        ApiToken again = ApiToken.openOrCreate(file);
        assertThat(text(file)).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(file)).isEqualTo(modified);
        assertThat(Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class)
                        .fileKey())
                .isEqualTo(inode);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(again.matches(first.strip())).isTrue();
    }

    @Test
    void onlyTheExactTokenMatches() throws Exception {
        Path file = dir.resolve("api-token");
        ApiToken token = ApiToken.openOrCreate(file);
        String right = text(file).strip();
        char last = right.charAt(right.length() - 1);
        List<String> wrong = List.of(
                "",
                right.substring(0, right.length() - 1),
                right + "A",
                right.toUpperCase(),
                right.substring(0, right.length() - 1) + (last == 'A' ? 'B' : 'A'),
                " " + right,
                ApiToken.generate());
        for (String w : wrong) {
            assertThat(token.matches(w)).as("'%s'", w).isFalse();
        }
        assertThat(token.matches(null)).isFalse();
        assertThat(token.matches(right)).isTrue();
    }

    @Test
    void generatedTokensDiffer() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            assertThat(seen.add(ApiToken.generate())).isTrue();
        }
    }

    @Test
    void aRotationTakesEffectOnTheOpenTokenAtItsNextCheck() throws Exception {
        Path file = dir.resolve("api-token");
        ApiToken running = ApiToken.openOrCreate(file);
        String old = text(file).strip();
        assertThat(running.matches(old)).isTrue();

        String rotated = ApiToken.rotate(file);
        assertThat(rotated).isNotEqualTo(old).matches("[A-Za-z0-9_-]{43}");
        assertThat(text(file)).isEqualTo(rotated + "\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(running.matches(old)).isFalse();
        assertThat(running.matches(rotated)).isTrue();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).as("no temporary file left").containsExactly(file);
        }
    }

    @Test
    void aTokenWrittenInPlaceIsReadToo() throws Exception {
        Path file = dir.resolve("api-token");
        ApiToken running = ApiToken.openOrCreate(file);
        String mine = "my-own-token-of-forty-characters-long-xx";
        Files.writeString(file, mine + "\n", StandardCharsets.US_ASCII);
        assertThat(running.matches(mine)).isTrue();
    }

    @Test
    void whileTheFileIsMissingOrBrokenNothingMatchesAndAGoodFileBringsItBack() throws Exception {
        Path file = dir.resolve("api-token");
        ApiToken running = ApiToken.openOrCreate(file);
        String token = text(file).strip();
        Path aside = dir.resolve("aside");
        Files.move(file, aside);
        assertThat(running.matches(token)).isFalse();
        Files.writeString(file, "short\n");
        assertThat(running.matches(token)).isFalse();
        assertThat(running.matches("short")).isFalse();
        Files.move(aside, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(running.matches(token)).isTrue();
    }

    /** Processes starting at the same time on one state directory agree on one token: none replaces another's. */
    @RepeatedTest(5)
    void concurrentFirstStartsAgreeOnOneToken() throws Exception {
        Path file = dir.resolve("api-token");
        Files.deleteIfExists(file);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<ApiToken>> opened = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                opened.add(pool.submit(() -> {
                    go.await();
                    return ApiToken.openOrCreate(file);
                }));
            }
            go.countDown();
            String token = null;
            for (Future<ApiToken> f : opened) {
                ApiToken t = f.get();
                token = token == null ? text(file).strip() : token;
                assertThat(t.matches(token)).isTrue();
            }
            assertThat(text(file).strip()).isEqualTo(token);
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files).containsExactly(file);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ''                                               | the API token file is empty
            abc                                              | the API token is 3 characters long: at least 32 are needed
            'two words that make more than thirty-two chars' | not an API token: one line of A-Z a-z 0-9 - . _ ~ + / (RFC 6750)
            'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\nsecond'       | not an API token
            """)
    void aFileWithoutAGoodTokenIsRefusedNamingTheFile(String content, String message) throws Exception {
        Path file = dir.resolve("given-token");
        Files.writeString(file, content.replace("\\n", "\n"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> ApiToken.open(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": " + message);
        assertThatThrownBy(() -> ApiToken.read(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": " + message);
    }

    @Test
    void aTokenEveryUserMayReadIsRefused() throws Exception {
        Path file = dir.resolve("api-token");
        ApiToken.openOrCreate(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> ApiToken.openOrCreate(file))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ": every user may read the API token (mode 0644): chmod 600 " + file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        assertThat(ApiToken.open(file).matches(text(file).strip()))
                .as("a group may read it")
                .isTrue();
    }

    @Test
    void aGivenFileMustExistAndAnUnwritableDirectoryIsNamed() throws Exception {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> ApiToken.open(missing))
                .isInstanceOf(ConfigException.class)
                .hasMessage(missing + ": cannot read the API token: no such file");
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        Path inside = notADirectory.resolve("api-token");
        assertThatThrownBy(() -> ApiToken.openOrCreate(inside))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(inside + ": cannot write the API token: ");
        assertThatThrownBy(() -> ApiToken.rotate(inside))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(inside + ": cannot write the API token: ");
    }

    @Test
    void validSaysWhatABearerTokenMayBe() {
        assertThat(ApiToken.valid(ApiToken.generate())).isTrue();
        assertThat(ApiToken.valid("a".repeat(31))).isFalse();
        assertThat(ApiToken.valid("a".repeat(32))).isTrue();
        assertThat(ApiToken.valid("a".repeat(30) + "==")).isTrue();
        assertThat(ApiToken.valid("a".repeat(32) + "\r\nX-Injected: 1")).isFalse();
        assertThat(ApiToken.valid(null)).isFalse();
    }
}
