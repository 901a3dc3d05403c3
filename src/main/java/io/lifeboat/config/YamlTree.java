package io.lifeboat.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a YAML file into a Jackson tree, defensively: size capped, strict UTF-8, one document, no
 * anchors or aliases (Jackson would silently turn {@code *x} into the string "x"), bounded nesting,
 * no duplicate keys. Every failure becomes one problem naming the line and column, never a stack
 * trace; the offending text is not echoed, since it might be a secret.
 */
final class YamlTree {

    static final int MAX_BYTES = 1024 * 1024;
    static final int MAX_DEPTH = 32;

    private static final ObjectMapper MAPPER = new ObjectMapper(factory());

    private YamlTree() {}

    private static YAMLFactory factory() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_BYTES);
        options.setMaxAliasesForCollections(0);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setAllowRecursiveKeys(false);
        YAMLFactory factory = YAMLFactory.builder()
                .loaderOptions(options)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_DEPTH + 1) // our own check reports MAX_DEPTH first, with a location
                        .maxStringLength(MAX_BYTES)
                        .build())
                .build();
        factory.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        return factory;
    }

    /** The document's root (a missing node for an empty file), or null after adding problems. */
    static JsonNode read(Path file, Problems problems) {
        String text = text(file, problems);
        if (text == null) {
            return null;
        }
        try {
            if (!check(text, problems)) {
                return null;
            }
            try (JsonParser parser = MAPPER.createParser(text)) {
                JsonNode root = MAPPER.readTree(parser);
                return root == null ? MissingNode.getInstance() : root;
            }
        } catch (IOException | RuntimeException e) {
            problems.add(where(e), why(e));
            return null;
        }
    }

    private static String text(Path file, Problems problems) {
        if (Files.isDirectory(file)) {
            problems.add("file", "is a directory, not a config file: " + file.toAbsolutePath());
            return null;
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            problems.add(
                    "file",
                    "not found: " + file.toAbsolutePath() + " (pick another with --config FILE or LIFEBOAT_CONFIG)");
            return null;
        } catch (IOException e) {
            problems.add(
                    "file",
                    "cannot read " + file.toAbsolutePath() + ": " + e.getClass().getSimpleName());
            return null;
        }
        if (bytes.length > MAX_BYTES) {
            problems.add("file", "larger than " + MAX_BYTES + " bytes (1 MiB); is this the right file?");
            return null;
        }
        return decode(bytes, problems);
    }

    private static String decode(byte[] bytes, Problems problems) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int offset = in.position();
            int line = 1;
            for (int i = 0; i < offset; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            problems.add(
                    "line " + line,
                    String.format(
                            "not valid UTF-8 (byte 0x%02x at offset %d); save the file as UTF-8",
                            bytes[offset] & 0xff, offset));
            return null;
        }
        String text = out.flip().toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** One pass over the tokens for what Jackson's tree would accept silently. */
    private static boolean check(String text, Problems problems) throws IOException {
        try (JsonParser parser = MAPPER.createParser(text)) {
            int depth = 0;
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
                    problems.add(
                            where(parser.currentTokenLocation()),
                            "YAML aliases (*name) are not supported; write the value out");
                    return false;
                }
                if (token.isStructStart() && ++depth > MAX_DEPTH) {
                    problems.add(
                            where(parser.currentTokenLocation()),
                            "nested deeper than " + MAX_DEPTH + " levels (maximum depth); a config is never that deep");
                    return false;
                } else if (token.isStructEnd()) {
                    depth--;
                }
                if (depth == 0) {
                    break;
                }
            }
            if (parser.nextToken() != null) {
                problems.add(
                        where(parser.currentTokenLocation()),
                        "more than one YAML document (---); put everything in one");
                return false;
            }
            return true;
        }
    }

    private static String where(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
                Mark mark = marked.getProblemMark();
                return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
            }
        }
        if (e instanceof JsonProcessingException j && j.getLocation() != null) {
            return where(j.getLocation());
        }
        return "yaml";
    }

    private static String where(JsonLocation location) {
        return "line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /** The reason alone: SnakeYAML's full message quotes the offending line, which may hold a secret. */
    private static String why(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException marked && marked.getProblem() != null) {
                return "YAML syntax: " + marked.getProblem();
            }
        }
        String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        if (message == null) {
            return "YAML error: " + e.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        return "YAML error: " + (newline < 0 ? message : message.substring(0, newline));
    }
}
