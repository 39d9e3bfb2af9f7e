package org.levee.rules;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.ContentReference;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Reads the YAML and JSON files Levee is configured with (rule files, configuration files) into
 * Jackson trees, refusing what the tree would otherwise misread silently: an alias
 * ({@code *name}), which Jackson's tree reads as the text {@code name} instead of the anchored
 * value (a shared {@code destinations: *web} list became the string "web"); a key given twice
 * in one mapping, of which Jackson kept the last; and anything after the first value (a second
 * YAML document, a second JSON object), which it ignored. Each is refused as a parse error at its
 * line and column. Lists and mappings nest at most {@link #MAX_DEPTH} deep.
 */
public final class YamlTrees {
    private YamlTrees() {}

    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_.:-]+");
    /**
     * How deep lists and mappings may nest. Levee's files need five levels; SnakeYAML's scanner
     * spends time in proportion to the depth on every token, so 1,000 levels (Jackson's own limit)
     * of '[' took half a second and more.
     */
    public static final int MAX_DEPTH = 64;

    private static final StreamReadConstraints LIMITS =
            StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build();
    private static final ObjectMapper YAML = YAMLMapper.builder(
                    YAMLFactory.builder().streamReadConstraints(LIMITS).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final ObjectMapper JSON = JsonMapper.builder(
                    JsonFactory.builder().streamReadConstraints(LIMITS).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * The tree of YAML {@code text}; null when it holds no document.
     *
     * @throws com.fasterxml.jackson.core.JacksonException where the text is not YAML, holds an
     *     alias or a duplicate key, with its location
     */
    public static JsonNode readYaml(String text) throws IOException {
        try (JsonParser parser = new NoAliases((YAMLParser) YAML.createParser(text))) {
            return located(YAML, parser);
        }
    }

    /**
     * The tree of JSON {@code text}; null when it is empty.
     *
     * @throws com.fasterxml.jackson.core.JacksonException where the text is not JSON or holds a
     *     duplicate key, with its location
     */
    public static JsonNode readJson(String text) throws IOException {
        try (JsonParser parser = JSON.createParser(text)) {
            return located(JSON, parser);
        }
    }

    /**
     * JSON {@code bytes}, which must be UTF-8 (RFC 8259: JSON exchanged between systems is), as
     * {@link #readJson(String)}. Jackson would guess UTF-16 or UTF-32 from the first bytes and fail
     * on a bad sequence with an exception that is not a parse error and says no place.
     *
     * @throws com.fasterxml.jackson.core.JacksonException also for bytes that are not UTF-8, with
     *     the line and column of the first bad byte
     */
    public static JsonNode readJson(byte[] bytes) throws IOException {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer text = CharBuffer.allocate(bytes.length);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CoderResult result = decoder.decode(in, text, true);
        if (result.isError()) {
            int offset = in.position();
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < offset; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            throw new JsonParseException(
                    null,
                    String.format("byte %d (0x%02x) is not UTF-8", offset, bytes[offset] & 0xff),
                    new JsonLocation(ContentReference.unknown(), offset, -1, line, offset - lineStart + 1));
        }
        return readJson(text.flip().toString());
    }

    /**
     * {@code key} as messages name it in a key path: as it is when it is a plain word ({@code udp},
     * {@code 192.0.2.1}, {@code 2001:db8::1}), else in double quotes with what is odd escaped as
     * JSON does, so that an empty key, blanks or a line break in it stay visible.
     */
    public static String keyName(String key) {
        return PLAIN_KEY.matcher(key).matches()
                ? key
                : "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(key)) + "\"";
    }

    /**
     * The tree {@code parser} reads; a limit of Jackson's (nesting depth, number or string length),
     * which says no place, becomes a parse error at the parser's place.
     */
    private static JsonNode located(ObjectMapper mapper, JsonParser parser) throws IOException {
        try {
            return mapper.readTree(parser);
        } catch (StreamConstraintsException e) {
            throw new JsonParseException(parser, e.getOriginalMessage(), e);
        }
    }

    /** Fails at the first alias. */
    private static final class NoAliases extends JsonParserDelegate {
        private final YAMLParser yaml;

        NoAliases(YAMLParser yaml) {
            super(yaml);
            this.yaml = yaml;
        }

        @Override
        public JsonToken nextToken() throws IOException {
            JsonToken token = super.nextToken();
            if (yaml.isCurrentAlias()) {
                throw new JsonParseException(
                        this,
                        "an alias (*" + yaml.getText()
                                + ") is not supported here: write the value out where it is used");
            }
            return token;
        }

        // The shortcuts below would reach the YAML parser past nextToken(): they go through it instead.

        @Override
        public JsonToken nextValue() throws IOException {
            JsonToken token = nextToken();
            return token == JsonToken.FIELD_NAME ? nextToken() : token;
        }

        @Override
        public String nextFieldName() throws IOException {
            return nextToken() == JsonToken.FIELD_NAME ? currentName() : null;
        }

        @Override
        public boolean nextFieldName(SerializableString name) throws IOException {
            return nextToken() == JsonToken.FIELD_NAME && name.getValue().equals(currentName());
        }

        @Override
        public String nextTextValue() throws IOException {
            return nextToken() == JsonToken.VALUE_STRING ? getText() : null;
        }

        @Override
        public int nextIntValue(int defaultValue) throws IOException {
            return nextToken() == JsonToken.VALUE_NUMBER_INT ? getIntValue() : defaultValue;
        }

        @Override
        public long nextLongValue(long defaultValue) throws IOException {
            return nextToken() == JsonToken.VALUE_NUMBER_INT ? getLongValue() : defaultValue;
        }

        @Override
        public Boolean nextBooleanValue() throws IOException {
            JsonToken token = nextToken();
            return token == JsonToken.VALUE_TRUE ? Boolean.TRUE : token == JsonToken.VALUE_FALSE ? Boolean.FALSE : null;
        }
    }
}
