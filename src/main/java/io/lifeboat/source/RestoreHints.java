package io.lifeboat.source;

import static java.util.Objects.requireNonNull;

/**
 * Pieces of restore hints shared by the sources: how to get the raw artifact back from the stored
 * file name ({@code data.dump.zst}, possibly encrypted as {@code .zst.age} or {@code .zst.gpg}).
 */
final class RestoreHints {

    private RestoreHints() {}

    /** The raw file name once decrypted and decompressed: {@code data.dump.zst.age} → {@code data.dump}. */
    static String rawName(String artifactFileName) {
        String name = plainName(artifactFileName);
        return name.endsWith(".zst") ? name.substring(0, name.length() - ".zst".length()) : name;
    }

    /** A shell command that leaves the raw artifact in {@code rawName}. */
    static String unpackTo(String artifactFileName, String rawName) {
        requireNonNull(rawName, "rawName");
        String plain = plainName(artifactFileName);
        boolean compressed = plain.endsWith(".zst");
        String decrypt = decryptCommand(artifactFileName);
        if (decrypt == null) {
            return compressed
                    ? "zstd -d " + artifactFileName + " -o " + rawName
                    : "cp " + artifactFileName + " " + rawName;
        }
        return decrypt + (compressed ? " | zstd -d -o " + rawName : " > " + rawName);
    }

    /** A shell pipeline that writes the raw artifact to stdout. */
    static String unpackToStdout(String artifactFileName) {
        String plain = plainName(artifactFileName);
        boolean compressed = plain.endsWith(".zst");
        String decrypt = decryptCommand(artifactFileName);
        if (decrypt == null) {
            return compressed ? "zstd -d " + artifactFileName + " --stdout" : "cat " + artifactFileName;
        }
        return compressed ? decrypt + " | zstd -d --stdout" : decrypt;
    }

    private static String plainName(String artifactFileName) {
        requireNonNull(artifactFileName, "artifactFileName");
        if (artifactFileName.endsWith(".age") || artifactFileName.endsWith(".gpg")) {
            return artifactFileName.substring(0, artifactFileName.length() - 4);
        }
        return artifactFileName;
    }

    private static String decryptCommand(String artifactFileName) {
        if (artifactFileName.endsWith(".age")) {
            return "age -d -i KEYFILE " + artifactFileName;
        }
        if (artifactFileName.endsWith(".gpg")) {
            return "gpg -d " + artifactFileName;
        }
        return null;
    }
}
